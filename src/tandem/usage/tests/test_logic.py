import datetime as dt

from tandem.usage.logic import check_events, parse_timestamp

NOW = dt.datetime(2026, 5, 10, 12, 0, tzinfo=dt.UTC)
BOUNDS = {"now": NOW, "max_past": dt.timedelta(days=30), "max_future": dt.timedelta(minutes=60)}


def event(**overrides):
    base = {"message_id": "m1", "account": "acc", "user": "u1", "event": "report.exported",
            "timestamp": "2026-05-10T11:00:00Z", "properties": {"rows": 3}}
    base.update(overrides)
    return base


def test_timestamps_with_offsets_become_utc_and_naive_ones_are_utc():
    assert parse_timestamp("2026-05-10T13:00:00+02:00") == dt.datetime(2026, 5, 10, 11, tzinfo=dt.UTC)
    assert parse_timestamp("2026-05-10T11:00:00") == dt.datetime(2026, 5, 10, 11, tzinfo=dt.UTC)
    assert parse_timestamp("yesterday") is None
    assert parse_timestamp(1715000000) is None


def test_each_bad_event_is_reported_with_its_index_and_the_good_ones_are_kept():
    checked = check_events([
        event(message_id="a"),
        event(message_id="b", properties=[1, 2]),
        event(message_id="c", timestamp="2026-03-01T00:00:00Z"),
        event(message_id="d", timestamp="2026-05-10T13:30:00Z"),
        "not an object",
        event(message_id="", event=""),
        event(message_id="g", event="email.forwarded"),
        event(message_id="h", event="email.opened"),
    ], **BOUNDS)
    assert [e.message_id for e in checked.events] == ["a", "h"]
    assert [(e.index, e.field) for e in checked.errors] == [
        (1, "properties"), (2, "timestamp"), (3, "timestamp"), (4, ""), (5, "message_id"), (5, "event"),
        (6, "event")]
    assert "30 days in the past" in checked.errors[1].message
    assert "60 minutes in the future" in checked.errors[2].message


def test_a_message_id_repeated_in_one_batch_is_kept_once_and_reported():
    checked = check_events([event(message_id="x"), event(message_id="y"), event(message_id="x")], **BOUNDS)
    assert [e.index for e in checked.events] == [0, 1]
    assert [(d.index, d.duplicate_of) for d in checked.duplicates] == [(2, 0)]


def test_history_has_no_past_bound_but_still_a_future_bound():
    checked = check_events([event(timestamp="2019-01-01T00:00:00Z"), event(message_id="f",
                            timestamp="2027-01-01T00:00:00Z")], now=NOW, max_past=None,
                           max_future=dt.timedelta(minutes=60))
    assert [e.index for e in checked.events] == [0]
    assert checked.errors[0].index == 1


def test_unknown_fields_and_control_characters_are_refused():
    checked = check_events([event(colour="red"), event(message_id="a\nb"), event(user=5, message_id=7)], **BOUNDS)
    assert [(e.index, e.field) for e in checked.errors] == [(0, "colour"), (1, "message_id")]
    assert checked.events[0].user == "5" and checked.events[0].message_id == "7"
