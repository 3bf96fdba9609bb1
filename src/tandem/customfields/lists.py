"""List pages over records that carry custom fields (accounts, contacts): which filters, columns and sort the
query string asks for, and the table rows they produce. Shared by the web lists and the APIs; reading stays in
each app's selectors (``apply_custom_filters`` and ``sorted_by`` in ``queries``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from tandem.core.exceptions import ValidationFailed
from tandem.customfields.logic import display
from tandem.customfields.models import CustomField
from tandem.customfields.selectors import readable_fields

FILTERABLE_TYPES = ("choice", "text", "boolean")


@dataclass(frozen=True)
class Column:
    """A built-in list column: its header and a record's value, optionally shown as a link."""

    label: Any
    value: Callable[[Any], Any]
    link: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Cell:
    text: str
    link: str = ""


@dataclass(frozen=True)
class ListQuery:
    """What a list page's query string asks for, limited to the custom fields the actor may read."""

    resource: str
    fields: Mapping[str, CustomField]
    custom_filters: tuple[tuple[str, str], ...]
    columns: tuple[str, ...]
    sort: str
    query: str  # the query string without the cursor: for the pager and for saving the view


def custom_filter_pairs(items: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """``custom=key:value`` parameters (repeatable) as (key, value) pairs."""
    pairs = []
    for item in items:
        key, separator, value = item.partition(":")
        if not separator or not key.strip():
            raise ValidationFailed("Use custom=key:value.", errors={"custom": ["Use custom=key:value."]})
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def list_query(*, actor: Any, resource: str, params: QueryDict, columns: Mapping[str, Column],
               default_columns: Sequence[str], default_sort: str) -> ListQuery:
    """Custom filters come from the form (``cf_<key>=value``) or a link (``custom=key:value``); ``columns`` is a
    comma-separated list of built-in keys and ``custom.<key>``; unknown or unreadable columns are left out."""
    fields = {field.key: field for field in readable_fields(actor=actor, resource=resource)}
    form_values = {key: str(params.get(f"cf_{key}", "")).strip() for key in fields}
    from_form = tuple((key, value) for key, value in form_values.items() if value)
    requested = [column for column in str(params.get("columns", "")).split(",") if column]
    chosen = [column for column in requested
              if column in columns or (column.startswith("custom.") and column.removeprefix("custom.") in fields)]
    query = params.copy()
    query.pop("cursor", None)
    return ListQuery(
        resource=resource,
        fields=fields,
        custom_filters=from_form + custom_filter_pairs(params.getlist("custom")),
        columns=tuple(dict.fromkeys(chosen)) or tuple(default_columns),
        sort=str(params.get("sort", "")) or default_sort,
        query=query.urlencode(),
    )


def list_context(listing: ListQuery, *, items: Iterable[Any], columns: Mapping[str, Column],
                 sorts: Mapping[str, Any]) -> dict[str, Any]:
    """Template context for ``customfields/list_controls.html`` and the table: ``sorts`` maps the built-in sort
    keys offered to their labels; every readable custom field is offered ascending and descending."""
    custom_columns = [(f"custom.{key}", field.label) for key, field in listing.fields.items()]
    sort_options = list(sorts.items())
    for key, label in custom_columns:
        sort_options += [(key, f"{label} ↑"), (f"-{key}", f"{label} ↓")]
    return {
        "headers": [(column, _header(listing, column, columns)) for column in listing.columns],
        "rows": [(item, [_cell(listing, item, column, columns) for column in listing.columns]) for item in items],
        "columns": listing.columns,
        "all_columns": [(key, column.label) for key, column in columns.items()] + custom_columns,
        "sort": listing.sort,
        "sort_options": sort_options,
        "filter_fields": [field for field in listing.fields.values() if field.field_type in FILTERABLE_TYPES],
        "custom_filter_values": dict(listing.custom_filters),
        "query": listing.query,
    }


def _header(listing: ListQuery, column: str, columns: Mapping[str, Column]) -> Any:
    if column in columns:
        return columns[column].label
    return listing.fields[column.removeprefix("custom.")].label


def _cell(listing: ListQuery, item: Any, column: str, columns: Mapping[str, Column]) -> Cell:
    if column in columns:
        value = columns[column].value(item)
        link = columns[column].link
        return Cell(text=str(value) if value not in (None, "") else "", link=link(item) if link and value else "")
    field = listing.fields[column.removeprefix("custom.")]
    return Cell(text=display(field.field_type, item.custom.get(field.key)))
