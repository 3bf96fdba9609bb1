"""The outbox delivers through real endpoints on loopback: an SMTP sink and a Slack-compatible webhook."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tandem.core.testing.factories import UserFactory
from tandem.notifications import jobs, services
from tandem.notifications.models import DeliveryOutbox, Notification


def _mention(recipients, event_key="comment:1", actor=None):
    return services.notify(recipients=recipients, kind="mention", title="Adam mentioned you",
                           body="Can you join the QBR?", url="/accounts/abc/", actor=actor, event_key=event_key)


def test_an_email_is_delivered_through_a_real_smtp_server_once(am, csm, smtp_sink):
    _mention([csm], actor=am)
    assert services.outbox_deliver().delivered == 1
    assert services.outbox_deliver().delivered == 0  # delivered rows are never sent again
    (envelope,) = smtp_sink.messages
    assert envelope.rcpt_tos == ["carla@example.test"]
    body = smtp_sink.bodies()[0]
    assert "Subject: Adam mentioned you" in body and "Can you join the QBR?" in body
    assert "http://127.0.0.1:8000/accounts/abc/" in body
    row = DeliveryOutbox.objects.get()
    assert row.delivered_at is not None and row.attempts == 1 and row.last_error == ""


def test_a_chat_message_is_posted_as_json_to_the_webhook(am, csm, chat_server):
    services.preferences_update(actor=csm, user=csm, choices={"mention": ["in_app", "chat"]})
    services.chat_webhook_set(actor=csm, user=csm, url=chat_server.url)
    _mention([csm], actor=am)
    assert services.outbox_deliver().delivered == 1
    assert chat_server.paths == ["/hooks/T123/secret-part"]
    (message,) = chat_server.received
    assert set(message) == {"text"}
    assert "*Adam mentioned you*" in message["text"] and "/accounts/abc/" in message["text"]


def test_a_failing_webhook_is_retried_with_backoff_and_then_marked_failed(am, csm, chat_server, settings, caplog):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    chat_server.status[0] = 500
    services.preferences_update(actor=csm, user=csm, choices={"mention": ["in_app", "chat"]})
    services.chat_webhook_set(actor=csm, user=csm, url=chat_server.url)
    _mention([csm], actor=am)
    start = timezone.now()
    report = services.outbox_deliver(now=start)
    row = DeliveryOutbox.objects.get()
    assert (report.retrying, row.attempts, row.failed_at) == (1, 1, None)
    assert row.next_attempt_at == start + datetime.timedelta(minutes=1)
    assert row.last_error == "RuntimeError: The chat service answered HTTP 500."
    assert services.outbox_deliver(now=start + datetime.timedelta(seconds=30)).retrying == 0  # not due yet
    services.outbox_deliver(now=start + datetime.timedelta(minutes=1))
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at == start + datetime.timedelta(minutes=3)
    report = services.outbox_deliver(now=start + datetime.timedelta(minutes=3))
    row.refresh_from_db()
    assert report.failed == 1 and row.attempts == 3 and row.failed_at is not None and row.delivered_at is None
    assert len(chat_server.received) == 3
    assert services.outbox_deliver(now=start + datetime.timedelta(days=1)).failed == 0  # failed rows rest
    assert "secret-part" not in caplog.text and "secret-part" not in row.last_error


def test_an_unreachable_webhook_counts_as_a_failed_attempt(am, csm):
    services.preferences_update(actor=csm, user=csm, choices={"mention": ["chat"]})
    services.chat_webhook_set(actor=csm, user=csm, url="http://127.0.0.1:9/hook-secret")
    _mention([csm], actor=am)
    assert services.outbox_deliver().retrying == 1
    row = DeliveryOutbox.objects.get()
    assert row.last_error.startswith("RuntimeError: The chat service could not be reached")
    assert "hook-secret" not in row.last_error


def test_an_administrator_sends_a_failed_delivery_again(am, csm, admin, smtp_sink, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    _mention([csm], actor=am)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # nothing listens there
    assert services.outbox_deliver().failed == 1
    row = DeliveryOutbox.objects.get()
    settings.EMAIL_PORT = port
    services.outbox_retry(actor=admin, row=row)
    assert services.outbox_deliver().delivered == 1
    assert len(smtp_sink.messages) == 1


def test_the_daily_digest_sends_one_email_per_person_with_their_items_grouped(am, csm, manager, smtp_sink):
    for person in (csm, manager):
        services.preferences_update(actor=person, user=person, choices={"mention": ["in_app", "digest"],
                                                                       "follow_activity": ["digest"]})
    _mention([csm, manager], event_key="c1", actor=am)
    _mention([csm], event_key="c2", actor=am)
    services.notify(recipients=[csm], kind="follow_activity", title="Acme moved to Adopting", url="/accounts/a/",
                    actor=am, event_key="stage:1")
    assert services.digest_send(every_user=True) == 2
    assert services.digest_send(every_user=True) == 0  # every item is in exactly one digest
    services.outbox_deliver()
    by_recipient = {envelope.rcpt_tos[0]: envelope.content.decode() for envelope in smtp_sink.messages}
    assert set(by_recipient) == {"carla@example.test", "mona@example.test"}
    carla = by_recipient["carla@example.test"]
    assert "3 new notifications" in carla and "Mentions of me (2)" in carla
    assert "Activity on records I follow (1)" in carla and "Acme moved to Adopting" in carla
    assert "1 new notifications" in by_recipient["mona@example.test"]


def test_the_digest_goes_out_at_each_persons_local_digest_hour(am, settings):
    settings.DIGEST_HOUR = 8
    seoul = UserFactory(time_zone="Asia/Seoul")
    berlin = UserFactory(time_zone="Europe/Berlin")
    for person in (seoul, berlin):
        services.preferences_update(actor=person, user=person, choices={"mention": ["digest"]})
    _mention([seoul, berlin], actor=am)
    at_eight_in_seoul = datetime.datetime(2026, 6, 1, 23, 30, tzinfo=datetime.UTC)  # 08:30 in Seoul, 01:30 in Berlin
    assert services.digest_send(now=at_eight_in_seoul) == 1
    assert list(DeliveryOutbox.objects.values_list("recipient", flat=True)) == [seoul.pk]


@pytest.mark.django_db(transaction=True)
def test_delivery_is_enqueued_after_commit_and_the_sweep_catches_lost_jobs(smtp_sink):
    from tandem.core.testing.fixtures import reseed_if_flushed

    reseed_if_flushed()
    HUEY.flush()
    actor, person = UserFactory(), UserFactory(email="pat@example.test")
    with transaction.atomic():
        _mention([person], actor=actor)
        assert HUEY.pending_count() == 0
    assert HUEY.pending_count() == 1
    task = HUEY.dequeue()
    HUEY.execute(task)
    assert len(smtp_sink.messages) == 1
    with transaction.atomic():
        _mention([person], event_key="comment:2", actor=actor)
    HUEY.flush()  # the worker crashed and the job was lost: the outbox row is still there
    jobs.sweep_outbox_job()
    assert len(smtp_sink.messages) == 2
    HUEY.flush()


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_deliver_each_row_exactly_once(chat_server):
    from tandem.core.testing.fixtures import reseed_if_flushed

    reseed_if_flushed()
    HUEY.flush()
    actor = UserFactory()
    people = [UserFactory() for _ in range(12)]
    for person in people:
        services.preferences_update(actor=person, user=person, choices={"mention": ["chat"]})
        services.chat_webhook_set(actor=person, user=person, url=chat_server.url)
    _mention(people, actor=actor)
    HUEY.flush()
    assert DeliveryOutbox.objects.count() == 12
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            for _round in range(3):
                reports.append(services.outbox_deliver(limit=5))
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(report.delivered for report in reports) == 12
    assert len(chat_server.received) == 12
    assert DeliveryOutbox.objects.filter(delivered_at__isnull=True).count() == 0
    assert Notification.objects.count() == 12
    HUEY.flush()
