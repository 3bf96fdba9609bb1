"""Exports: every row the actor may export, streamed as CSV or written as XLSX, with formula cells
neutralised against CSV injection. Later capabilities register more exporters."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from tandem.access.choices import Action
from tandem.accounts import selectors as account_selectors
from tandem.contacts import selectors as contact_selectors
from tandem.customfields.logic import display
from tandem.customfields.selectors import readable_fields

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    """Prefix a cell a spreadsheet would run as a formula with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@dataclass(frozen=True)
class Exporter:
    kind: str
    resource: str
    columns: tuple[str, ...]
    rows: Callable[[Any], QuerySet[Any]]  # actor -> queryset of exportable rows
    values: Callable[[Any], list[Any]]


def _account_values(account: Any) -> list[Any]:
    return [account.public_id, account.name, account.domain, ", ".join(account.other_domains), account.industry,
            account.country, account.employee_band, account.currency, account.tier, account.lifecycle_stage,
            account.parent.external_id if account.parent else "", account.external_id,
            ", ".join(account.status_flags), account.owner.email if account.owner else "",
            account.team.name if account.team else "", account.created_at.isoformat()]


def _contact_values(contact: Any) -> list[Any]:
    return [contact.public_id, contact.first_name, contact.last_name, contact.email, ", ".join(contact.phones),
            contact.title, contact.buying_role, contact.language, contact.time_zone,
            "yes" if contact.email_opt_out else "no", "yes" if contact.survey_opt_out else "no", contact.external_id,
            contact.account.external_id if contact.account else "", contact.account.domain if contact.account else "",
            contact.account.name if contact.account else ""]


EXPORTERS = {
    "accounts": Exporter(
        "accounts", "account",
        ("id", "name", "domain", "other_domains", "industry", "country", "employee_band", "currency", "tier",
         "lifecycle_stage", "parent_external_id", "external_id", "status_flags", "owner_email", "team",
         "created_at"),
        lambda actor: account_selectors.account_list(actor=actor, action=Action.EXPORT).order_by("id"),
        _account_values,
    ),
    "contacts": Exporter(
        "contacts", "contact",
        ("id", "first_name", "last_name", "email", "phones", "title", "buying_role", "language", "time_zone",
         "email_opt_out", "survey_opt_out", "external_id", "account_external_id", "account_domain", "account_name"),
        lambda actor: contact_selectors.contact_list(actor=actor, action=Action.EXPORT).order_by("id"),
        _contact_values,
    ),
}


class _Echo:
    def write(self, value: str) -> str:
        return value


def custom_columns(actor: Any, exporter: Exporter) -> list[Any]:
    """The custom fields of the exporter's record type that the actor may read."""
    return readable_fields(actor=actor, resource=exporter.resource)


def _cells(exporter: Exporter, row: Any, custom: list[Any]) -> list[str]:
    values = exporter.values(row) + [display(field.field_type, row.custom.get(field.key)) for field in custom]
    return [neutralise(value) for value in values]


def csv_stream(exporter: Exporter, rows: Iterable[Any], custom: Sequence[Any] = ()) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([*exporter.columns, *(f"custom.{field.key}" for field in custom)])
    for row in rows:
        yield writer.writerow(_cells(exporter, row, list(custom)))


def xlsx_file(exporter: Exporter, rows: Iterable[Any], custom: Sequence[Any] = ()) -> Any:
    """A temporary file holding the XLSX (openpyxl's write-only mode keeps memory flat)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(exporter.kind)
    sheet.append([*exporter.columns, *(f"custom.{field.key}" for field in custom)])
    for row in rows:
        sheet.append(_cells(exporter, row, list(custom)))
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - returned open; FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    return handle
