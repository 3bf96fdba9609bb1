"""Fill translations into the catalogs and compile them.

    python scripts/translate.py TABLE.json      # {"msgid": {"de": "…", "zh_Hans": "…", "ko": "…"}, …}

Entries are matched by msgid; their fuzzy marks are removed. Run `make messages` first to extract new messages,
then this, then the test suite (a test fails on any untranslated or fuzzy message)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "src" / "tandem" / "locale"


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def block_msgid(block: str) -> str | None:
    match = re.search(r'^msgid ((?:".*"\n?)+)', block + "\n", re.M)
    if not match:
        return None
    return "".join(ast.literal_eval(part) for part in re.findall(r'".*"', match.group(1)))


def main(table_path: str) -> None:
    table = json.loads(Path(table_path).read_text(encoding="utf-8"))
    for language in ("de", "zh_Hans", "ko"):
        path = LOCALE / language / "LC_MESSAGES" / "django.po"
        blocks = path.read_text(encoding="utf-8").split("\n\n")
        done = 0
        for index, block in enumerate(blocks):
            msgid = block_msgid(block)
            if msgid and msgid in table and not re.search(r"^msgid_plural", block, re.M):
                flags = [line for line in block.splitlines() if line.startswith("#,")]
                kept_flags = ", ".join(flag for line in flags for flag in line[2:].split(", ")
                                       if flag.strip() and flag.strip() != "fuzzy")
                lines = [f"#, {kept_flags}"] if kept_flags else []
                lines += [f"msgid {quote(msgid)}", f"msgstr {quote(table[msgid][language])}"]
                blocks[index] = "\n".join(lines)
                done += 1
        path.write_text("\n\n".join(blocks), encoding="utf-8")
        subprocess.run(["msgfmt", "--check-format", "-o", str(path.with_suffix(".mo")), str(path)], check=True)
        print(f"{language}: {done} messages filled")


if __name__ == "__main__":
    main(sys.argv[1])
