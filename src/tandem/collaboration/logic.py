"""Pure helpers: mention tokens in comment text, the comment's HTML, and handoff checklists.

A mention is written ``@[Full Name](user-public-id)`` — what the autocomplete inserts. The name is only a
label for people reading the source; the public id decides who is meant, and the HTML shows that user's
current name."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from tandem.timeline.logic import render_markdown

MENTION = re.compile(r"@\[(?P<name>[^\[\]\n]{1,150})\]\((?P<id>[A-Za-z0-9_-]{1,24})\)")
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


@dataclass(frozen=True)
class MentionToken:
    name: str  # as written in the text
    public_id: str


def parse_mentions(text: str) -> tuple[MentionToken, ...]:
    """The mention tokens in ``text``, each person once, in order of first appearance."""
    seen: dict[str, MentionToken] = {}
    for match in MENTION.finditer(text or ""):
        public_id = match.group("id")
        if public_id not in seen:
            seen[public_id] = MentionToken(name=match.group("name").strip(), public_id=public_id)
    return tuple(seen.values())


def mention_token(*, name: str, public_id: str) -> str:
    """The token for a person (brackets in the name would end the label, so they are dropped)."""
    clean = " ".join(name.replace("[", "").replace("]", "").split())[:150] or public_id
    return f"@[{clean}]({public_id})"


def render_comment(text: str, names: Mapping[str, str]) -> str:
    """Markdown to sanitised HTML, each mention shown as the bold current name of the person (``names``: public
    id → full name); a token for an id not in ``names`` keeps its written label."""
    def replace(match: re.Match[str]) -> str:
        label = names.get(match.group("id"), match.group("name"))
        return "**@" + MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(label, quote=False)) + "**"

    return render_markdown(MENTION.sub(replace, text or ""))


def plain_excerpt(text: str, names: Mapping[str, str], limit: int = 200) -> str:
    """The text with mentions as ``@Name`` on one line, cut to ``limit`` characters (notification bodies)."""
    flat = MENTION.sub(lambda match: "@" + names.get(match.group("id"), match.group("name")), text or "")
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def new_checklist(items: list[str]) -> list[dict[str, object]]:
    """A handoff's checklist state from a template's item texts: nothing done yet."""
    return [{"label": label, "done": False, "done_by": None, "done_at": None} for label in items]


def clean_checklist_items(lines: list[str], *, limit: int = 30, length: int = 200) -> tuple[list[str], list[str]]:
    """(items, problems): blank lines dropped, whitespace collapsed, duplicates removed; problems name items
    that are too long and a list that is too long."""
    items: list[str] = []
    problems: list[str] = []
    for line in lines:
        text = " ".join(str(line).split())
        if not text or text in items:
            continue
        if len(text) > length:
            problems.append(f"too_long:{text[:40]}")
            continue
        items.append(text)
    if len(items) > limit:
        problems.append("too_many")
    return items, problems
