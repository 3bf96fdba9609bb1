"""Each recipient reads a notification in their own language, whoever caused it and whatever language was active."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext_lazy, override

from tandem.accounts import services as account_services
from tandem.collaboration import services as collaboration_services
from tandem.collaboration.logic import mention_token
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.notifications import services
from tandem.notifications.models import DeliveryOutbox, Notification
from tandem.notifications.text import text_in, translatable


@pytest.fixture
def greta(db):
    """An account manager who reads Tandem in German."""
    return UserFactory(email="greta@example.test", full_name="Greta Gruber", roles=["am"], language="de")


def test_a_german_follower_reads_an_english_actors_stage_change_in_german(admin, am, greta):
    account = AccountFactory(name="Contoso", owner=greta, lifecycle_stage="onboarding")
    assign(account, am, "am")
    services.follow_create(actor=greta, obj=account)
    services.follow_create(actor=am, obj=account)
    with override("en"):
        account_services.account_update(actor=admin, account=account, lifecycle_stage="adopting")
    german = Notification.objects.get(recipient=greta)
    assert german.title == "Contoso ist jetzt in der Phase In Einführung"
    assert german.body == "Lebenszyklusphase: Onboarding → In Einführung"
    english = Notification.objects.get(recipient=am)
    assert english.title == "Contoso moved to Adopting"
    assert english.body == "Lifecycle stage: Onboarding → Adopting"


def test_a_german_colleague_mentioned_by_an_english_one_reads_german_also_in_the_email(csm, greta):
    account = AccountFactory(name="Contoso", owner=greta)
    assign(account, csm, "csm")
    with override("en"):
        collaboration_services.comment_post(
            actor=csm, record=account, body=f"{mention_token(name=greta.full_name, public_id=greta.public_id)} hi")
    notification = Notification.objects.get(recipient=greta, kind="mention")
    assert notification.title == "Carla CSM hat Sie bei Contoso erwähnt"
    email = DeliveryOutbox.objects.get(recipient=greta, channel="email")
    assert email.payload["subject"] == "Carla CSM hat Sie bei Contoso erwähnt"


def test_people_without_a_language_read_the_workspace_language(am, settings):
    settings.LANGUAGE_CODE = "de"
    assert am.language == ""
    with override("en"):
        (notification,) = services.notify(recipients=[am], kind="mention",
                                          title=translatable(gettext_lazy("Task due: %(title)s"), title="Call"),
                                          actor=None, event_key="t:1")
    assert notification.title == "Aufgabe fällig: Call"


def test_plain_strings_lazy_strings_and_callables_are_all_accepted(am, greta):
    services.notify(recipients=[am, greta], kind="mention", title="Plain", body=gettext_lazy("Adopting"),
                    actor=None, event_key="a")
    services.notify(recipients=[am, greta], kind="mention", title=lambda language: f"in {language}", actor=None,
                    event_key="b")
    rows = {(row.event_key, row.recipient_id): (row.title, row.body) for row in Notification.objects.all()}
    assert rows[("a", am.pk)] == ("Plain", "Adopting") and rows[("a", greta.pk)] == ("Plain", "In Einführung")
    assert rows[("b", am.pk)] == ("in en", "") and rows[("b", greta.pk)] == ("in de", "")


def test_parameters_are_translated_in_the_language_of_the_text():
    text = translatable(gettext_lazy("%(account)s moved to %(stage)s"), account="Contoso",
                        stage=lambda: str(gettext_lazy("Adopting")))
    assert text_in(text, "de") == "Contoso ist jetzt in der Phase In Einführung"
    assert text_in(text, "en") == "Contoso moved to Adopting"
    assert text_in("as it is", "de") == "as it is"
