from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from huey.contrib.djhuey import HUEY

from tandem.accounts.models import Account
from tandem.core.testing.fixtures import bearer_for


def test_an_import_through_the_api_dry_runs_reports_and_runs(manager, client, django_capture_on_commit_callbacks):
    HUEY.flush()
    headers = bearer_for(manager, ["accounts:read", "accounts:write"])
    upload = SimpleUploadedFile("a.csv", b"name,country\nGood,DE\nBad,Germany\n", content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/imports", {"kind": "accounts", "file": upload}, **headers)
    assert created.status_code == 202, created.content
    job_id = created.json()["id"]
    HUEY.execute(HUEY.dequeue())
    status = client.get(f"/api/v1/imports/{job_id}", **headers).json()
    assert (status["status"], status["valid_rows"], status["error_rows"]) == ("validated", 1, 1)
    errors = client.get(status["errors_url"], **headers).json()
    assert {(e["line"], e["column"]) for e in errors} == {(3, "country")}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/imports/{job_id}/run", **headers).status_code == 202
    HUEY.execute(HUEY.dequeue())
    assert list(Account.objects.values_list("name", flat=True)) == ["Good"]
    HUEY.flush()


def test_another_users_import_is_not_found(manager, am, client):
    headers = bearer_for(manager, ["accounts:write", "accounts:read"])
    upload = SimpleUploadedFile("a.csv", b"name\nX\n", content_type="text/csv")
    job_id = client.post("/api/v1/imports", {"kind": "accounts", "file": upload}, **headers).json()["id"]
    other = bearer_for(am, ["accounts:read"])
    assert client.get(f"/api/v1/imports/{job_id}", **other).status_code == 404
