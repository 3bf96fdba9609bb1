"""The shared form layout (web/form_fields.html)."""

from __future__ import annotations

from html.parser import HTMLParser

from django import forms
from django.template.loader import render_to_string

_VOID = {"input", "br", "img", "hr", "meta", "link"}


class _Nesting(HTMLParser):
    """Records, for each error list, the elements it sits in."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.error_parents: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if tag == "ul" and "errorlist" in classes:
            self.error_parents.append(list(self.open))
        if tag not in _VOID:
            self.open.append(f"{tag}.{classes}" if classes else tag)

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop().split(".")[0] != tag:
            pass


class _Form(forms.Form):
    email = forms.EmailField(help_text="Work address")


def test_a_field_error_sits_inside_its_field_in_valid_html():
    """An error list (<ul>) may not sit in a <p>: browsers close the paragraph first, so the message ended up
    outside the field it belongs to."""
    form = _Form(data={"email": "not-an-address"})
    assert not form.is_valid()
    html = render_to_string("web/form_fields.html", {"form": form})
    parser = _Nesting()
    parser.feed(html)
    assert parser.error_parents == [["div.field field-error"]]
    assert "<p" not in html
