"""The UI's catalogs for zh-Hans, ko and de are complete, compiled and up to date with the source."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tandem

PACKAGE = Path(tandem.__file__).resolve().parent
LOCALES = ("zh_Hans", "ko", "de")
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|\{[a-z_0-9]+\}")


def _unquote(chunk: str) -> str:
    return ast.literal_eval(chunk)


def parse_po(path: Path) -> list[dict[str, object]]:
    """A minimal .po reader: entries with msgid, msgid_plural, msgstr(s) and flags."""
    entries: list[dict[str, object]] = []
    entry: dict[str, object] = {"flags": set(), "msgstr": {}}
    field: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal entry
        if "msgid" in entry:
            entries.append(entry)
        entry = {"flags": set(), "msgstr": {}}

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            field = None
            continue
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))  # type: ignore[union-attr]
            continue
        if line.startswith("#"):
            continue
        if line.startswith("msgctxt "):
            entry["msgctxt"] = _unquote(line[8:])
            field = ("msgctxt", None)
        elif line.startswith("msgid_plural "):
            entry["msgid_plural"] = _unquote(line[13:])
            field = ("msgid_plural", None)
        elif line.startswith("msgid "):
            if "msgid" in entry:
                finish()
            entry["msgid"] = _unquote(line[6:])
            field = ("msgid", None)
        elif line.startswith("msgstr["):
            index = int(line[7:line.index("]")])
            entry["msgstr"][index] = _unquote(line[line.index("]") + 2:])  # type: ignore[index]
            field = ("msgstr", index)
        elif line.startswith("msgstr "):
            entry["msgstr"][0] = _unquote(line[7:])  # type: ignore[index]
            field = ("msgstr", 0)
        elif line.startswith('"') and field is not None:
            name, index = field
            if name == "msgstr":
                entry["msgstr"][index] += _unquote(line)  # type: ignore[index]
            else:
                entry[name] = entry[name] + _unquote(line)  # type: ignore[operator]
    finish()
    return [item for item in entries if item["msgid"] != ""]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_and_not_fuzzy(locale):
    entries = parse_po(PACKAGE / "locale" / locale / "LC_MESSAGES" / "django.po")
    assert entries, "the catalog is empty"
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values()) or not e["msgstr"]]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == [], f"{locale}: untranslated messages"
    assert fuzzy == [], f"{locale}: fuzzy messages need review"


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_survive_translation(locale):
    for entry in parse_po(PACKAGE / "locale" / locale / "LC_MESSAGES" / "django.po"):
        expected = sorted(PLACEHOLDER.findall(str(entry["msgid"])))
        for translation in entry["msgstr"].values():
            assert sorted(PLACEHOLDER.findall(translation)) == expected, (locale, entry["msgid"], translation)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_compiled_catalog_matches_the_source_catalog(locale):
    folder = PACKAGE / "locale" / locale / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in parse_po(folder / "django.po"):
        if "msgid_plural" in entry or "msgctxt" in entry:
            continue
        assert compiled.gettext(str(entry["msgid"])) == entry["msgstr"][0], (
            f"{locale}: django.mo is stale; run `make messages`"
        )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_the_catalogs_contain_every_message_in_the_source(tmp_path):
    """Extract messages from a copy of the source and compare with the committed catalog."""
    copy = tmp_path / "tandem"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "tests", "migrations"))
    (copy / "locale").mkdir(exist_ok=True)
    script = (
        "import django, sys; from django.conf import settings; "
        "settings.configure(USE_I18N=True, LOCALE_PATHS=[sys.argv[1]], INSTALLED_APPS=[]); "
        "django.setup(); from django.core.management import call_command; "
        "call_command('makemessages', locale=['de'], no_obsolete=True, no_location=True, verbosity=0)"
    )
    subprocess.run([sys.executable, "-c", script, str(copy / "locale")], cwd=copy, check=True,
                   capture_output=True)
    extracted = {(e.get("msgctxt"), e["msgid"]) for e in parse_po(copy / "locale/de/LC_MESSAGES/django.po")}
    committed = {(e.get("msgctxt"), e["msgid"])
                 for e in parse_po(PACKAGE / "locale/de/LC_MESSAGES/django.po")}
    missing = sorted(str(msgid) for _, msgid in extracted - committed)
    assert missing == [], "messages missing from the catalogs; run `make messages` and translate"
