"""Mention tokens and the comment's HTML, without a database."""

from __future__ import annotations

from tandem.collaboration.logic import (
    clean_checklist_items,
    mention_token,
    new_checklist,
    parse_mentions,
    plain_excerpt,
    render_comment,
)


def test_mentions_are_found_once_each_in_order():
    text = "@[Adam AM](abc123) and @[Carla](xyz_9-1), again @[Adam](abc123)"
    assert [(m.name, m.public_id) for m in parse_mentions(text)] == [("Adam AM", "abc123"), ("Carla", "xyz_9-1")]


def test_an_email_or_a_bare_at_sign_is_not_a_mention():
    assert parse_mentions("mail adam@example.test or @adam or @[broken](") == ()


def test_the_token_drops_brackets_from_the_name():
    assert mention_token(name="Lee [ops]", public_id="u1") == "@[Lee ops](u1)"


def test_a_mention_renders_the_current_name_in_bold():
    html = render_comment("Hi @[Old Name](u1)!", {"u1": "Lee *Park*"})
    assert html == "<p>Hi <strong>@Lee *Park*</strong>!</p>"


def test_scripts_and_event_handlers_are_stripped():
    html = render_comment('<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3)) ok', {})
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html and "ok" in html


def test_a_name_cannot_inject_html():
    html = render_comment("@[x](u1)", {"u1": "<img src=x onerror=alert(1)>"})
    assert html == "<p><strong>@&lt;img src=x onerror=alert(1)&gt;</strong></p>"


def test_the_excerpt_shows_mentions_as_names_and_is_cut():
    assert plain_excerpt("Hi  @[A](u1)\nplease look", {"u1": "Adam AM"}) == "Hi @Adam AM please look"
    assert len(plain_excerpt("x" * 500, {})) == 200


def test_checklist_items_are_cleaned():
    items, problems = clean_checklist_items(["  Goals   captured ", "", "Goals captured", "x" * 201])
    assert items == ["Goals captured"] and problems == ["too_long:" + "x" * 40]
    assert new_checklist(["a"]) == [{"label": "a", "done": False, "done_by": None, "done_at": None}]
