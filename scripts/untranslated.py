"""List the messages a catalog still lacks (untranslated or fuzzy, in any of de, zh_Hans, ko) as a JSON array.

    python scripts/untranslated.py > todo.json      # then write {"msgid": {"de": …, "zh_Hans": …, "ko": …}}
                                                    # and fill it in with scripts/translate.py"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src" / "tandem" / "web" / "tests"))
from test_translations import LOCALES, PACKAGE, parse_po  # noqa: E402


def missing() -> list[str]:
    todo: dict[str, None] = {}
    for language in LOCALES:
        for entry in parse_po(PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"):
            msgid = entry["msgid"]
            strings = entry["msgstr"].values() if isinstance(entry["msgstr"], dict) else [entry["msgstr"]]
            if msgid and ("fuzzy" in entry["flags"] or not all(strings)):
                todo[str(msgid)] = None
    return list(todo)


if __name__ == "__main__":
    print(json.dumps(missing(), ensure_ascii=False, indent=0))
