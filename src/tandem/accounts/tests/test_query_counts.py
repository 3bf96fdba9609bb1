"""Key pages plan their queries: the number of queries does not grow with the data shown."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.contacts import services as contact_services
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.core.testing.fixtures import logged_in
from tandem.files import services as file_services


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _grow(am, account, size: int) -> None:
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tandem.access.decide import SYSTEM
    from tandem.pipeline import services as pipeline_services
    from tandem.tickets import services as ticket_services

    for index in range(min(size, 10)):  # the tickets section counts open tickets only beyond the ten it lists
        ticket_services.ticket_create(actor=SYSTEM, subject=f"Ticket {index}", account=account)
    for index in range(size):
        pipeline_services.opportunity_create(actor=am, account=account, type="upsell", name=f"Deal {index}",
                                             close_date=datetime.date.today() + datetime.timedelta(days=30))
        contact_services.contact_create(actor=am, account=account, last_name=f"Contact {index}")
        AccountFactory(owner=am, parent=account)
        file_services.file_upload(actor=am, account=account,
                                  upload=SimpleUploadedFile(f"f{index}.pdf", b"%PDF-1.4 x"))
    assign(account, UserFactory(roles=["csm"]), "csm")


def test_the_account_page_needs_the_same_queries_for_1_or_20_related_rows(am):
    small, large = AccountFactory(owner=am), AccountFactory(owner=am)
    _grow(am, small, 1)
    _grow(am, large, 20)
    client = logged_in(am)
    _queries(client, f"/accounts/{small.public_id}/")  # warm caches (content types)
    assert _queries(client, f"/accounts/{small.public_id}/") == _queries(client, f"/accounts/{large.public_id}/")


def test_the_account_list_needs_the_same_queries_for_2_or_50_accounts(am):
    client = logged_in(am)
    for _index in range(2):
        AccountFactory(owner=am, team=None)
    few = _queries(client, "/accounts/?columns=domain,owner,team,parent,tier")
    for _index in range(48):
        AccountFactory(owner=am, parent=AccountFactory(owner=am))
    assert _queries(client, "/accounts/?columns=domain,owner,team,parent,tier") == few


def test_the_account_list_api_needs_the_same_queries_for_2_or_50_accounts_with_custom_fields(am):
    """Custom values are filtered by the readable fields once per request, not once per account."""
    from tandem.customfields.models import CustomField

    CustomField.objects.create(resource="account", key="segment_code", label="Segment code", field_type="text")
    for index in range(2):
        AccountFactory(owner=am, name=f"A{index}", custom={"segment_code": "x"})
    client = logged_in(am)
    _queries(client, "/api/v1/accounts?limit=50")
    few = _queries(client, "/api/v1/accounts?limit=50")
    for index in range(2, 50):
        AccountFactory(owner=am, name=f"A{index:02d}", custom={"segment_code": "x"})
    assert _queries(client, "/api/v1/accounts?limit=50") == few
