"""docs/permissions.md shows the default policy as a table; this test keeps it equal to the seeded rows."""

from __future__ import annotations

from pathlib import Path

from tandem.access.models import Permission

DOC = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
START, END = "<!-- policy-table:start -->", "<!-- policy-table:end -->"


def table_from_database() -> str:
    rows = Permission.objects.select_related("role").order_by("role__position", "resource", "action")
    by_role: dict[tuple[int, str], dict[str, list[str]]] = {}
    for row in rows:
        key = (row.role.position, row.role.name)
        by_role.setdefault(key, {}).setdefault(row.resource, []).append(f"{row.action}: {row.scope}")
    lines = ["| role | resource | actions (scope) |", "|---|---|---|"]
    for (_position, role), resources in sorted(by_role.items()):
        for resource, actions in sorted(resources.items()):
            lines.append(f"| {role} | {resource} | {', '.join(actions)} |")
    return "\n".join(lines)


def test_the_documented_default_policy_matches_the_seeded_rows(db):
    text = DOC.read_text(encoding="utf-8")
    documented = text.split(START, 1)[1].split(END, 1)[0].strip()
    expected = table_from_database()
    assert documented == expected, (
        "docs/permissions.md is out of date; replace the table between the markers with:\n\n" + expected)
