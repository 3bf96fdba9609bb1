"""docs/permissions.md shows the default policy as tables; this test parses them and compares them with the
rows a fresh database is seeded with, so the documentation can never drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

from tandem.access.models import FieldGroupPermission, Permission
from tandem.access.registry import all_resources, field_group_names
from tandem.identity.models import Role

DOC = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
START, END = "<!-- policy-table:start -->", "<!-- policy-table:end -->"
NONE = "—"
ACCESS_TEXT = {(True, True): "read, write", (True, False): "read", (False, False): NONE}


def documented_block() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.split(START, 1)[1].split(END, 1)[0]


def parse(block: str) -> tuple[set[tuple[str, str, str, str]], set[tuple[str, str, str, bool, bool]]]:
    """Rules as (role, resource, action, scope) and field groups as (role, resource, group, read, write), from
    the Markdown tables under "### `resource`" headings; a field-group column is headed "field group `name`"."""
    rules: set[tuple[str, str, str, str]] = set()
    groups: set[tuple[str, str, str, bool, bool]] = set()
    resource = None
    header: list[str] = []
    for line in block.splitlines():
        heading = re.fullmatch(r"### `([a-z_]+)`.*", line.strip())
        if heading:
            resource, header = heading.group(1), []
            continue
        if not line.startswith("|") or resource is None:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not header:
            header = cells
            continue
        if set(line) <= set("|-: "):
            continue
        role = re.search(r"`([a-z0-9_-]+)`", cells[0])
        assert role, f"no role code in {line!r}"
        for column, value in zip(header[1:], cells[1:], strict=True):
            group = re.fullmatch(r"field group `([a-z0-9_]+)`", column)
            if group:
                read, write = {text: access for access, text in ACCESS_TEXT.items()}[value]
                groups.add((role.group(1), resource, group.group(1), read, write))
            elif value != NONE:
                rules.add((role.group(1), resource, column, value))
    return rules, groups


def render_from_database() -> str:
    """The tables as they should read, for the failure message (paste between the markers)."""
    roles = list(Role.objects.order_by("position", "code"))
    rules = {(r.role.code, r.resource, r.action): r.scope for r in Permission.objects.select_related("role")}
    groups = {(g.role.code, g.resource, g.field_group): (g.can_read or g.can_write, g.can_write)
              for g in FieldGroupPermission.objects.select_related("role")}
    lines = []
    for resource in all_resources():
        names = field_group_names(resource.name, existing={name for (_c, res, name) in groups
                                                             if res == resource.name})
        columns = [*resource.actions, *(f"field group `{name}`" for name in names)]
        lines += ["", f"### `{resource.name}` — {resource.label}", "", "| role | " + " | ".join(columns) + " |",
                  "|---" * (len(columns) + 1) + "|"]
        for role in roles:
            cells = [rules.get((role.code, resource.name, action), NONE) for action in resource.actions]
            cells += [ACCESS_TEXT[groups.get((role.code, resource.name, name), (False, False))] for name in names]
            lines.append(f"| {role.name} (`{role.code}`) | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def test_the_documented_default_policy_matches_the_seeded_rows(db):
    rules, groups = parse(documented_block())
    seeded_rules = set(Permission.objects.values_list("role__code", "resource", "action", "scope"))
    seeded_groups = {(code, resource, name, read or write, write) for code, resource, name, read, write in
                     FieldGroupPermission.objects.values_list("role__code", "resource", "field_group", "can_read",
                                                              "can_write")}
    hint = "docs/permissions.md is out of date; put this between the markers:\n" + render_from_database()
    assert rules == seeded_rules, hint
    assert groups == seeded_groups, hint


def test_the_parser_reads_what_the_renderer_writes(db):
    assert parse(render_from_database()) == parse(documented_block())
