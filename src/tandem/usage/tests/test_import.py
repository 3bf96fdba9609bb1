"""`tandem import events`: history in CSV or JSON Lines (gzip too), bad rows reported by line, idempotent."""

from __future__ import annotations

import datetime as dt
import gzip
import json

from django.utils import timezone

from tandem.access.decide import SYSTEM
from tandem.cli import main
from tandem.usage.importer import import_events
from tandem.usage.models import Daily, Event


def test_a_gzipped_jsonl_history_is_imported_with_bad_lines_reported_and_reimporting_stores_nothing_twice(
        accounts, tmp_path, capsys):
    old = timezone.now() - dt.timedelta(days=200)
    lines = [json.dumps({"message_id": f"h{n}", "account": accounts[n % 2].external_id, "user": f"u{n % 3}",
                         "event": "report.exported", "timestamp": (old + dt.timedelta(hours=n)).isoformat()})
             for n in range(30)]
    lines.insert(5, "{not json")
    lines.insert(9, json.dumps({"message_id": "x", "account": "nobody", "event": "a",
                                "timestamp": old.isoformat()}))
    path = tmp_path / "history.jsonl.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode()))

    assert main(["import", "events", str(path)]) == 1
    captured = capsys.readouterr()
    assert "line 6: -: This line is not valid JSON." in captured.err
    assert "line 10: account: Unknown account 'nobody'" in captured.err
    assert "30 events stored" in captured.out
    assert Event.objects.count() == 30
    assert sum(Daily.objects.values_list("events", flat=True)) == 30

    again = import_events(actor=SYSTEM, path=path)
    assert (again.stored, again.already_stored, again.rejected) == (0, 30, 2)
    assert Event.objects.count() == 30


def test_a_csv_history_with_properties_as_json(accounts, tmp_path):
    path = tmp_path / "events.csv"
    when = (timezone.now() - dt.timedelta(days=3)).isoformat()
    path.write_text("message_id,account,user,event,timestamp,properties\n"
                    f"a1,{accounts[0].public_id},u1,login,{when},\"{{\"\"plan\"\": \"\"pro\"\"}}\"\n"
                    f"a2,{accounts[0].public_id},,login,{when},\n"
                    f"a3,{accounts[0].public_id},u1,login,not-a-time,\n"
                    f"a4,{accounts[0].public_id},u1,login,{when},[1]\n", encoding="utf-8")
    report = import_events(actor=SYSTEM, path=path)
    assert report.stored == 2
    assert [(line, field) for line, field, _ in report.problems] == [(4, "timestamp"), (5, "properties")]
    assert Event.objects.get(message_id="a1").properties == {"plan": "pro"}
    daily = Daily.objects.get()
    assert (daily.events, daily.users) == (2, 1)
