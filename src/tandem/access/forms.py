"""Reading the permission editor's form: which cells the administrator changed, relative to what they saw."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from tandem.access.choices import Scope
from tandem.access.selectors import GroupCell, MatrixRow, PolicyMatrix
from tandem.access.services import FieldGroupChange, RuleChange

NONE = ""  # the select's "none" option


@dataclass(frozen=True)
class SubmittedPolicy:
    rules: tuple[RuleChange, ...]
    field_groups: tuple[FieldGroupChange, ...]
    matrix: PolicyMatrix  # the matrix as submitted, to show again when the save is refused


def _scope(value: str | None, has_records: bool) -> str | None:
    """A select's value as a scope; None for "none". Unknown values pass through for the service to refuse."""
    if not value:
        return None
    if not has_records and value == "allowed":
        return Scope.ALL
    return value


def read_policy_form(matrix: PolicyMatrix, data: Mapping[str, str]) -> SubmittedPolicy:
    """The changes an editor POST asks for. Each select carries a hidden ``was-…`` twin holding the value the
    administrator saw; a cell counts as changed when its value differs from that, and the service checks the
    stored value is still the one seen (so a concurrent save is reported, not overwritten). Cells missing from
    the form are left alone. A changed field-group cell the page no longer has (its custom fields left the group
    meanwhile) is passed on too, for the service to refuse rather than drop silently."""
    rules: list[RuleChange] = []
    groups: list[FieldGroupChange] = []
    known: set[str] = set()
    sections = []
    for section in matrix.sections:
        rows = []
        for row in section.rows:
            cells = []
            for cell in row.cells:
                if cell.input_name not in data:
                    cells.append(cell)
                    continue
                shown = _scope(data.get(cell.input_name), section.has_records)
                was = _scope(data.get("was-" + cell.input_name, cell.saved or NONE), section.has_records)
                if shown != was:
                    rules.append(RuleChange(row.role_code, section.resource, cell.action, shown, check_before=True,
                                            before=was))
                cells.append(replace(cell, scope=shown, saved=was))
            group_cells = []
            for group in row.field_groups:
                marker = "was-" + group.input_name
                if marker not in data:
                    group_cells.append(group)
                    continue
                read = data.get(group.input_name + "-read") == "on"
                write = data.get(group.input_name + "-write") == "on"
                was = data.get(marker, "")
                before = ("r" in was, "w" in was)
                if (read or write, write) != before:
                    groups.append(FieldGroupChange(row.role_code, section.resource, group.field_group, read, write,
                                                   before=before))
                known.add(group.input_name)
                group_cells.append(GroupCell(group.field_group, read or write, write, before[0], before[1],
                                             group.input_name))
            rows.append(MatrixRow(row.role_code, row.role_name, tuple(cells), tuple(group_cells)))
        sections.append(replace(section, rows=tuple(rows)))
    groups.extend(_vanished_group_changes(data, known))
    return SubmittedPolicy(tuple(rules), tuple(groups), PolicyMatrix(tuple(sections)))


def _vanished_group_changes(data: Mapping[str, str], known: set[str]) -> list[FieldGroupChange]:
    """Changed field-group cells whose group the matrix no longer offers (``group-<role>-<resource>-<group>``;
    codes, resources and group names have no hyphens)."""
    changes = []
    for marker, was in data.items():
        name = marker.removeprefix("was-")
        parts = name.split("-")
        if not marker.startswith("was-group-") or name in known or len(parts) != 4:
            continue
        read, write = data.get(name + "-read") == "on", data.get(name + "-write") == "on"
        before = ("r" in was, "w" in was)
        if (read or write, write) != before:
            changes.append(FieldGroupChange(parts[1], parts[2], parts[3], read, write, before=before))
    return changes
