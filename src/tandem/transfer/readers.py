"""Reading tabular files: CSV in any common encoding and delimiter, and XLSX.

Yields rows as (line_number, {header: value}). Problems with the whole file raise FileProblem with a
message a person can act on; problems with one row are reported by the importer with its line number."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "gb18030", "euc-kr")
MAX_FIELD = 1_000_000

csv.field_size_limit(MAX_FIELD)


class FileProblem(Exception):
    """The file as a whole cannot be read."""


@dataclass(frozen=True)
class FileShape:
    encoding: str
    delimiter: str
    headers: list[str]


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 3:  # a multi-byte character cut at the end of the sample
            return "utf-8"
        return "cp1252"


def is_xlsx(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def _headers(raw: list[str]) -> list[str]:
    headers = [header.strip().lstrip("\ufeff") for header in raw]
    if not any(headers):
        raise FileProblem(_("The first row must contain column headers; it is empty."))
    missing = [str(index + 1) for index, header in enumerate(headers) if not header]
    if missing:
        raise FileProblem(_("Column(s) %(columns)s have no header.") % {"columns": ", ".join(missing)})
    lowered = [header.lower() for header in headers]
    duplicates = sorted({header for header in headers if lowered.count(header.lower()) > 1})
    if duplicates:
        raise FileProblem(_("Duplicate column headers: %(headers)s.") % {"headers": ", ".join(duplicates)})
    return headers


def inspect(path: Path, *, encoding: str = "", delimiter: str = "") -> FileShape:
    """Encoding, delimiter and headers of a file (XLSX: encoding 'xlsx')."""
    if is_xlsx(path):
        return FileShape("xlsx", "", _xlsx_headers(path))
    with path.open("rb") as handle:
        sample = handle.read(SNIFF_BYTES)
    if not sample.strip():
        raise FileProblem(_("The file is empty."))
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not encoding:
        raise FileProblem(_("This looks like a binary file, not CSV or XLSX."))
    encoding = encoding or detect_encoding(sample)
    if encoding not in ENCODINGS:
        raise FileProblem(_("Unsupported encoding %(encoding)s.") % {"encoding": encoding})
    text = sample.decode(encoding, errors="replace")
    if not delimiter:
        first_lines = "\n".join(text.splitlines()[:20])
        try:
            delimiter = csv.Sniffer().sniff(first_lines, delimiters=DELIMITERS).delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        first = next(reader)
    except (StopIteration, csv.Error):
        raise FileProblem(_("The first row could not be read as CSV.")) from None
    return FileShape(encoding, delimiter, _headers(first))


def read_rows(path: Path, shape: FileShape) -> Iterator[tuple[int, dict[str, str], str | None]]:
    """(line, {header: value}, problem) for every data row. ``problem`` names a ragged row; the row is still given
    (a missing cell reads as "")."""
    yield from read_mapped(path, shape, {header: header for header in shape.headers})


def read_mapped(path: Path, shape: FileShape, mapping: dict[str, str]
                ) -> Iterator[tuple[int, dict[str, str], str | None]]:
    """(line, {field: value}, problem) for every data row, ``mapping`` (header -> field) applied, in one dictionary
    a row (mapping a {header: value} row afterwards cost twice as much on a million rows). ``problem`` names a
    ragged row; the row is still given. A header the file lacks, or a ragged row's missing cell, reads as ""."""
    if shape.encoding == "xlsx":
        for line, raw, problem in _xlsx_rows(path, shape.headers):
            yield line, {target: raw.get(header, "") for header, target in mapping.items()}, problem
        return
    width = len(shape.headers)
    position = {header: index for index, header in enumerate(shape.headers)}
    picked = [(target, position.get(header)) for header, target in mapping.items()]
    targets = [target for target, _index in picked]
    indexes = [index for _target, index in picked if index is not None]
    whole = len(indexes) == len(picked)  # every mapped header is in the file
    with path.open("r", encoding=shape.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=shape.delimiter, strict=True)
        try:
            next(reader)
            for values in reader:
                if not "".join(values).strip():
                    continue
                if whole and len(values) == width:
                    yield reader.line_num, dict(zip(targets, [values[index].strip() for index in indexes],
                                                    strict=True)), None
                    continue
                problem = None if len(values) == width else _(
                    "Expected %(expected)s columns, found %(found)s.") % {"expected": width, "found": len(values)}
                yield reader.line_num, {target: values[index].strip() if index is not None and index < len(values)
                                        else "" for target, index in picked}, problem
        except UnicodeDecodeError:
            raise FileProblem(_("The file is not valid %(encoding)s near line %(line)s; choose its encoding.")
                              % {"encoding": shape.encoding, "line": reader.line_num + 1}) from None
        except csv.Error as error:
            raise FileProblem(_("Line %(line)s cannot be read: %(reason)s (a quote that never closes?)")
                              % {"line": reader.line_num, "reason": error}) from None


def count_rows(path: Path, shape: FileShape) -> int:
    return sum(1 for _ in read_rows(path, shape))


def _xlsx_headers(path: Path) -> list[str]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many types for damaged files
        raise FileProblem(_("The XLSX file could not be opened; it may be damaged.")) from None
    try:
        sheet = workbook.worksheets[0]
        first = next(sheet.iter_rows(max_row=1, values_only=True), None)
        if first is None:
            raise FileProblem(_("The file is empty."))
        return _headers(["" if cell is None else str(cell) for cell in first])
    finally:
        workbook.close()


def _xlsx_rows(path: Path, headers: list[str]) -> Iterator[tuple[int, dict[str, str], str | None]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            cells = ["" if value is None else _cell_text(value) for value in values]
            if not any(cells):
                continue
            cells = cells[:len(headers)] + [""] * (len(headers) - len(cells))
            yield line, dict(zip(headers, cells, strict=True)), None
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value).strip()
