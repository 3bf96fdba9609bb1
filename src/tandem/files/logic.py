"""Pure helpers: safe file names and a light content check against the extension."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

MAGIC = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".zip": (b"PK\x03\x04", b"PK\x05\x06"),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
}


def safe_file_name(raw: str) -> str:
    """The last path component, NFC-normalised, without control or shell-special characters, at most 150
    characters, never empty, never hidden."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"/\\|?*\x00;`$]', "_", name).strip(" .")
    if not name:
        name = "file"
    stem, dot, suffix = name.rpartition(".")
    if dot and len(suffix) <= 10:
        return stem[: 150 - len(suffix) - 1].strip() + "." + suffix.lower() if stem else "file." + suffix.lower()
    return name[:150]


def suffix_of(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def content_matches(suffix: str, head: bytes) -> bool:
    """False when the first bytes contradict the extension (e.g. an .exe renamed to .pdf)."""
    signatures = MAGIC.get(suffix)
    if signatures is None:
        return not head.startswith((b"MZ", b"\x7fELF"))  # no executables under any innocent name
    return head.startswith(signatures)
