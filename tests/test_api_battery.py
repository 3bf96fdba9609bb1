"""The shared API battery, run for every resource: authentication, scopes, visibility, problem+json, pagination."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Account
from tandem.collaboration.models import Comment, Handoff
from tandem.contacts.models import Contact
from tandem.contracts.models import Subscription
from tandem.core.testing.factories import AccountFactory
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.identity.models import ApiToken
from tandem.scheduling.models import Task
from tandem.tickets.models import Ticket
from tandem.timeline.models import Activity


@dataclass(frozen=True)
class Entity:
    name: str
    url: str
    read_scope: str
    write_scope: str
    model: Any
    make: Any  # (owner) -> record
    payload: dict[str, Any]
    bad_payload: dict[str, Any]
    bad_field: str
    required_field: str  # reported when the body is an empty object


def _contact(owner):
    return Contact.objects.create(account=AccountFactory(owner=owner), last_name="Battery")


def _activity(owner):
    return Activity.objects.create(account=AccountFactory(owner=owner), type="call", subject="Battery")


def _comment(owner):
    return Comment.objects.create(target=AccountFactory(owner=owner), author=owner, body="Battery")


def _handoff(owner):
    from tandem.core.testing.factories import UserFactory
    from tandem.identity.models import Role

    roles = {role.code: role for role in Role.objects.filter(code__in=("ae", "implementation"))}
    return Handoff.objects.create(account=AccountFactory(owner=owner), from_user=owner, from_role=roles["ae"],
                                  to_user=UserFactory(roles=["implementation"]), to_role=roles["implementation"])


def _model(label):
    from django.apps import apps

    return apps.get_model(label)


def _lead(owner):
    from tandem.pipeline.models import Lead

    return Lead.objects.create(company_name="Battery", owner=owner, created_by=owner)


def _opportunity(owner):
    import datetime

    from tandem.pipeline.models import Opportunity, Stage

    return Opportunity.objects.create(account=AccountFactory(owner=owner), type="upsell", name="Battery",
                                      currency="USD", close_date=datetime.date(2030, 1, 1), owner=owner,
                                      stage=Stage.objects.get(pipeline__opportunity_type="upsell", code="identified"))


def _task(owner):
    return Task.objects.create(title="Battery", assignee=owner, created_by=owner, account=AccountFactory(owner=owner))


def _ticket(owner):
    return Ticket.objects.create(subject="Battery", created_by=owner, account=AccountFactory(owner=owner))


def _subscription(owner):
    from decimal import Decimal

    from tandem.access.decide import SYSTEM
    from tandem.contracts.models import Product
    from tandem.contracts.services import subscription_create

    plan, _created = Product.objects.get_or_create(code="battery", defaults={"name": "Battery plan"})
    return subscription_create(actor=SYSTEM, account=AccountFactory(owner=owner), plan=plan, currency="USD", seats=1,
                               start_date=datetime.date(2030, 1, 1), term_months=12, unit_price=Decimal(10))


class _BatteryScorecards:
    """Scorecards as the battery sees them: the default one seeded by the migration left aside."""

    @property
    def objects(self):
        from tandem.health.models import Scorecard

        return Scorecard.objects.exclude(name="Default")


def _scorecard(owner):
    from tandem.health.models import Scorecard

    Scorecard.objects.filter(name="Default").delete()  # pagination counts only the battery's own
    return Scorecard.objects.create(name="Battery", active=False)


def _quota(owner):
    from decimal import Decimal

    from tandem.quotas.models import Quota

    month = Quota.objects.count()
    return Quota.objects.create(user=owner, role="am", metric="bookings", period="month", target=Decimal(1000),
                                period_start=datetime.date(2030 + month // 12, month % 12 + 1, 1), currency="USD")


ENTITIES = [
    Entity("accounts", "/api/v1/accounts", "accounts:read", "accounts:write", Account,
           lambda owner: AccountFactory(owner=owner), {"name": "Battery GmbH"}, {"name": ""}, "name", "name"),
    Entity("contacts", "/api/v1/contacts", "contacts:read", "contacts:write", Contact, _contact,
           {"last_name": "Battery", "email": "battery@example.test"}, {"email": "not an email", "last_name": "X"},
           "email", "last_name"),
    Entity("activities", "/api/v1/activities", "activities:read", "activities:write", Activity, _activity,
           # the battery's writes are refused (scope, role, CSRF) before the account is looked up
           {"account": "unknown-account", "type": "call", "subject": "Battery"}, {"account": "x", "type": "fax"},
           "type", "account"),
    Entity("comments", "/api/v1/comments", "comments:read", "comments:write", Comment, _comment,
           # refused (scope, role, CSRF) before the record is looked up
           {"object_type": "account", "object_id": "unknown", "body": "Battery"},
           {"object_type": "fax", "object_id": "x", "body": "Battery"}, "object_type", "body"),
    Entity("handoffs", "/api/v1/handoffs", "handoffs:read", "handoffs:write", Handoff, _handoff,
           {"account": "unknown", "to_user": "x", "to_role": "implementation", "from_role": "ae"},
           {"account": "unknown", "to_role": "astronaut"}, "account", "account"),
    Entity("tasks", "/api/v1/tasks", "tasks:read", "tasks:write", Task, _task,
           {"title": "Battery"}, {"title": "Battery", "priority": "extreme"}, "priority", "title"),
    Entity("leads", "/api/v1/leads", "leads:read", "leads:write", _model("pipeline.Lead"), _lead,
           {"company_name": "Battery"}, {"company_name": "Battery", "source": "fax"}, "source", "company_name"),
    Entity("opportunities", "/api/v1/opportunities", "opportunities:read", "opportunities:write",
           _model("pipeline.Opportunity"), _opportunity,
           # refused (scope, role, CSRF) before the account is looked up
           {"account": "unknown", "name": "Battery"}, {"account": "x", "type": "fax"}, "type", "account"),
    Entity("tickets", "/api/v1/tickets", "tickets:read", "tickets:write", Ticket, _ticket,
           {"subject": "Battery"}, {"subject": "Battery", "priority": "extreme"}, "priority", "subject"),
    Entity("subscriptions", "/api/v1/subscriptions", "subscriptions:read", "subscriptions:write",
           Subscription, _subscription,
           # refused (scope, role, CSRF) before the account is looked up
           {"account": "unknown", "plan": "battery"}, {"account": "unknown", "plan": "battery", "seats": "many"},
           "seats", "account"),
    Entity("health scorecards", "/api/v1/health/scorecards", "health:read", "health:admin", _BatteryScorecards(),
           _scorecard, {"name": "Battery"},
           {"name": "Battery", "components": [{"kind": "breadth", "weight": 0}]}, "weights", "name"),
    Entity("quotas", "/api/v1/quotas", "quotas:read", "quotas:write", _model("quotas.Quota"), _quota,
           # refused (scope, role, CSRF) before the person is looked up
           {"user": "unknown@example.test", "target": "1000"}, {"user": "me", "metric": "revenue"}, "metric",
           "user"),
]


def assert_problem(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    return body


@pytest.fixture(params=ENTITIES, ids=lambda entity: entity.name)
def entity(request):
    return request.param


def test_anonymous_requests_get_401(entity, db):
    assert_problem(Client().get(entity.url), 401)


def test_an_invalid_token_gets_401(entity, db):
    assert_problem(Client().get(entity.url, HTTP_AUTHORIZATION="Bearer tdm_not-a-real-token"), 401)


def test_revoked_and_expired_tokens_get_401(entity, admin):
    headers = bearer_for(admin, [entity.read_scope])
    ApiToken.objects.update(revoked_at=timezone.now())
    assert_problem(Client().get(entity.url, **headers), 401)
    headers = bearer_for(admin, [entity.read_scope])
    ApiToken.objects.filter(revoked_at__isnull=True).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert_problem(Client().get(entity.url, **headers), 401)


def test_a_token_without_the_scope_gets_403(entity, admin):
    assert_problem(Client().get(entity.url, **bearer_for(admin, ["audit:read"])), 403)
    assert_problem(Client().post(entity.url, entity.payload, content_type="application/json",
                                 **bearer_for(admin, [entity.read_scope])), 403)
    assert not entity.model.objects.exists()


def test_an_outsider_gets_404_for_a_record_and_an_empty_list(entity, am, outsider):
    record = entity.make(am)
    headers = bearer_for(outsider, [entity.read_scope])
    assert_problem(Client().get(f"{entity.url}/{record.public_id}", **headers), 404)
    assert Client().get(entity.url, **headers).json()["items"] == []


def test_a_read_only_viewer_gets_403_on_writes_and_nothing_changes(entity, viewer, am):
    record = entity.make(am)
    headers = bearer_for(viewer, [entity.read_scope, entity.write_scope])
    client = Client()
    assert client.get(f"{entity.url}/{record.public_id}", **headers).status_code == 200
    assert_problem(client.post(entity.url, entity.payload, content_type="application/json", **headers), 403)
    assert_problem(client.patch(f"{entity.url}/{record.public_id}", {"title" if entity.name == "contacts" else
                                                                     "name": "Changed"},
                                content_type="application/json", **headers), 403)
    assert_problem(client.delete(f"{entity.url}/{record.public_id}", **headers), 403)
    assert entity.model.objects.count() == 1


def test_invalid_json_gets_422(entity, admin):
    response = Client().post(entity.url, "{not json", content_type="application/json",
                             **bearer_for(admin, [entity.write_scope]))
    body = assert_problem(response, 422)
    assert body["detail"] == "The request body is not valid JSON."
    assert not entity.model.objects.exists()


def test_a_missing_required_field_gets_422_with_its_name(entity, admin):
    response = Client().post(entity.url, {}, content_type="application/json",
                             **bearer_for(admin, [entity.write_scope]))
    body = assert_problem(response, 422)
    assert [error["field"] for error in body["errors"]] == [entity.required_field]
    assert not entity.model.objects.exists()


def test_an_invalid_field_gets_422_with_its_path_and_nothing_is_written(entity, admin):
    response = Client().post(entity.url, entity.bad_payload, content_type="application/json",
                             **bearer_for(admin, [entity.write_scope]))
    body = assert_problem(response, 422)
    assert entity.bad_field in [error["field"] for error in body["errors"]]
    assert not entity.model.objects.exists()


def test_pagination_walks_every_row_exactly_once(entity, admin):
    for _index in range(5):
        entity.make(admin)
    headers = bearer_for(admin, [entity.read_scope])
    seen, cursor = [], None
    for _page in range(10):
        url = f"{entity.url}?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = Client().get(url, **headers).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(entity.model.objects.values_list("public_id", flat=True))
    assert len(seen) == 5


def test_a_bad_cursor_or_limit_gets_422(entity, admin):
    headers = bearer_for(admin, [entity.read_scope])
    assert_problem(Client().get(f"{entity.url}?cursor=%%%", **headers), 422)
    assert_problem(Client().get(f"{entity.url}?limit=0", **headers), 422)
    assert_problem(Client().get(f"{entity.url}?limit=100000", **headers), 422)


def test_session_writes_need_the_csrf_token(entity, admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert_problem(client.post(entity.url, json.dumps(entity.payload), content_type="application/json"), 403)
    assert not entity.model.objects.exists()


def test_me_works_with_a_session_and_a_token(admin):
    assert logged_in(admin).get("/api/v1/me").json()["email"] == "alice@example.test"
    body = Client().get("/api/v1/me", **bearer_for(admin, ["accounts:read"])).json()
    assert body["roles"] == ["administrator"] and body["token_scopes"] == ["accounts:read"]


# --- notifications: personal resources (the caller's own inbox, preferences and follows) ----------------------

NOTIFICATION_READS = ["/api/v1/notifications", "/api/v1/notification-preferences", "/api/v1/follows"]


def _notification_for(user):
    from tandem.notifications import services as notification_services

    return notification_services.notify(recipients=[user], kind="mention", title="Battery", url="/x/", actor=None,
                                        event_key=f"battery:{user.pk}")[0]


@pytest.mark.parametrize("url", NOTIFICATION_READS)
def test_notification_endpoints_need_authentication_and_the_scope(url, admin):
    assert_problem(Client().get(url), 401)
    assert_problem(Client().get(url, HTTP_AUTHORIZATION="Bearer tdm_not-a-real-token"), 401)
    assert_problem(Client().get(url, **bearer_for(admin, ["accounts:read"])), 403)
    assert Client().get(url, **bearer_for(admin, ["notifications:read"])).status_code == 200


def test_notification_writes_need_the_write_scope_and_change_nothing_without_it(admin):
    from tandem.notifications.models import Follow

    notification = _notification_for(admin)
    account = AccountFactory(owner=admin)
    headers = bearer_for(admin, ["notifications:read"])
    assert_problem(Client().post(f"/api/v1/notifications/{notification.public_id}/read", **headers), 403)
    assert_problem(Client().post("/api/v1/notifications/read-all", **headers), 403)
    assert_problem(Client().put("/api/v1/notification-preferences", {"kinds": []}, content_type="application/json",
                                **headers), 403)
    assert_problem(Client().post("/api/v1/follows", {"object_type": "account", "object_id": account.public_id},
                                 content_type="application/json", **headers), 403)
    notification.refresh_from_db()
    assert notification.read_at is None and not Follow.objects.exists()


def test_someone_elses_notification_is_404_and_never_listed(admin, outsider):
    notification = _notification_for(admin)
    headers = bearer_for(outsider, ["notifications:read", "notifications:write"])
    assert_problem(Client().get(f"/api/v1/notifications/{notification.public_id}", **headers), 404)
    assert_problem(Client().post(f"/api/v1/notifications/{notification.public_id}/read", **headers), 404)
    assert Client().get("/api/v1/notifications", **headers).json()["items"] == []


def test_notification_inputs_are_validated_as_problem_json(admin):
    headers = bearer_for(admin, ["notifications:read", "notifications:write"])
    body = assert_problem(Client().post("/api/v1/follows", {}, content_type="application/json", **headers), 422)
    assert {error["field"] for error in body["errors"]} == {"object_type", "object_id"}
    assert_problem(Client().post("/api/v1/follows", "{not json", content_type="application/json", **headers), 422)
    assert_problem(Client().get("/api/v1/notifications?cursor=%%%", **headers), 422)
    assert_problem(Client().get("/api/v1/follows?limit=0", **headers), 422)


def test_notification_pagination_walks_every_row_exactly_once(admin):
    from tandem.notifications import services as notification_services

    for index in range(5):
        notification_services.notify(recipients=[admin], kind="mention", title=f"N{index}", actor=None,
                                     event_key=f"page:{index}")
    headers = bearer_for(admin, ["notifications:read"])
    seen, cursor = [], None
    for _page in range(10):
        body = Client().get("/api/v1/notifications?limit=2" + (f"&cursor={cursor}" if cursor else ""),
                            **headers).json()
        seen += [item["title"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == [f"N{index}" for index in range(5)]


# --- meetings: the generic properties, for meetings and the personal calendar endpoints ----------------------

MEETING_START = datetime.datetime(2030, 3, 4, 9, tzinfo=datetime.UTC)


def _meeting(owner):
    from tandem.meetings.models import Meeting

    return Meeting.objects.create(title="Battery", organiser=owner, start=MEETING_START,
                                  end=MEETING_START + datetime.timedelta(hours=1))


MEETING_PAYLOAD = {"title": "Battery", "start": "2030-03-04T09:00:00Z", "end": "2030-03-04T10:00:00Z"}


def test_meetings_need_authentication_and_the_scope(admin):
    from tandem.meetings.models import Meeting

    for url in ("/api/v1/meetings", "/api/v1/calendar-sync", f"/api/v1/free-slots?users={admin.public_id}"):
        assert_problem(Client().get(url), 401)
        assert_problem(Client().get(url, HTTP_AUTHORIZATION="Bearer tdm_not-a-real-token"), 401)
        assert_problem(Client().get(url, **bearer_for(admin, ["accounts:read"])), 403)
    assert_problem(Client().post("/api/v1/meetings", MEETING_PAYLOAD, content_type="application/json",
                                 **bearer_for(admin, ["meetings:read"])), 403)
    assert_problem(Client().post("/api/v1/calendar-feed/rotate", **bearer_for(admin, ["meetings:read"])), 403)
    assert not Meeting.objects.exists()


def test_an_outsider_gets_404_for_a_meeting_and_an_empty_list(am, outsider):
    meeting = _meeting(am)
    headers = bearer_for(outsider, ["meetings:read", "meetings:write"])
    assert_problem(Client().get(f"/api/v1/meetings/{meeting.public_id}", **headers), 404)
    assert_problem(Client().delete(f"/api/v1/meetings/{meeting.public_id}", **headers), 404)
    assert Client().get("/api/v1/meetings", **headers).json()["items"] == []


def test_a_read_only_viewer_reads_meetings_but_gets_403_on_writes(viewer, am):
    from tandem.meetings.models import Meeting

    meeting = _meeting(am)
    headers = bearer_for(viewer, ["meetings:read", "meetings:write"])
    client = Client()
    assert client.get(f"/api/v1/meetings/{meeting.public_id}", **headers).status_code == 200
    assert_problem(client.post("/api/v1/meetings", MEETING_PAYLOAD, content_type="application/json", **headers), 403)
    assert_problem(client.patch(f"/api/v1/meetings/{meeting.public_id}", {"title": "Changed"},
                                content_type="application/json", **headers), 403)
    assert_problem(client.delete(f"/api/v1/meetings/{meeting.public_id}", **headers), 403)
    assert Meeting.objects.get().title == "Battery"


def test_meeting_inputs_are_validated_as_problem_json(admin):
    from tandem.meetings.models import Meeting

    headers = bearer_for(admin, ["meetings:read", "meetings:write"])
    body = assert_problem(Client().post("/api/v1/meetings", {}, content_type="application/json", **headers), 422)
    assert {error["field"] for error in body["errors"]} == {"title", "start", "end"}
    assert_problem(Client().post("/api/v1/meetings", "{not json", content_type="application/json", **headers), 422)
    assert_problem(Client().get("/api/v1/meetings?cursor=%%%", **headers), 422)
    assert_problem(Client().get("/api/v1/meetings?limit=0", **headers), 422)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert_problem(client.post("/api/v1/meetings", json.dumps(MEETING_PAYLOAD), content_type="application/json"),
                   403)
    assert not Meeting.objects.exists()


def test_meeting_pagination_walks_every_row_exactly_once(admin):
    from tandem.meetings.models import Meeting

    for _index in range(5):
        _meeting(admin)
    headers = bearer_for(admin, ["meetings:read"])
    seen, cursor = [], None
    for _page in range(10):
        page = Client().get("/api/v1/meetings?limit=2" + (f"&cursor={cursor}" if cursor else ""), **headers).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(Meeting.objects.values_list("public_id", flat=True)) and len(seen) == 5


# --- renewals: a list of what ends soon (no records of its own; visibility follows the subscription) --------


def test_the_renewals_list_needs_authentication_the_scope_and_shows_an_outsider_nothing(am, outsider, admin):
    subscription = _subscription(am)
    url = "/api/v1/renewals?within=180"
    assert_problem(Client().get(url), 401)
    assert_problem(Client().get(url, **bearer_for(admin, ["accounts:read"])), 403)
    assert Client().get(url, **bearer_for(outsider, ["renewals:read"])).json()["items"] == []
    assert_problem(Client().get("/api/v1/renewals?within=45", **bearer_for(admin, ["renewals:read"])), 422)
    assert_problem(Client().post("/api/v1/renewals/run", {}, content_type="application/json",
                                 **bearer_for(am, ["renewals:read", "renewals:write"])), 403)
    assert subscription.pk
