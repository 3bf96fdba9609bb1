from __future__ import annotations

import codecs

import pytest

from tandem.transfer import readers


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("data", "encoding"), [
    ("name;city\nMüller;Köln\n".encode(), "utf-8"),
    (codecs.BOM_UTF8 + "name;city\nMüller;Köln\n".encode(), "utf-8-sig"),
    ("name;city\nMüller;Köln\n".encode("utf-16"), "utf-16"),
    ("name;city\nMüller;Köln\n".encode("latin-1"), "cp1252"),
])
def test_encodings_and_delimiters_are_detected(tmp_path, data, encoding):
    path = write(tmp_path, "a.csv", data)
    shape = readers.inspect(path)
    assert (shape.encoding, shape.delimiter, shape.headers) == (encoding, ";", ["name", "city"])
    rows = list(readers.read_rows(path, shape))
    assert rows == [(2, {"name": "Müller", "city": "Köln"}, None)]


def test_duplicate_and_missing_headers_are_refused(tmp_path):
    with pytest.raises(readers.FileProblem, match="Duplicate column headers: Name, name"):
        readers.inspect(write(tmp_path, "a.csv", b"Name,name\n1,2\n"))
    with pytest.raises(readers.FileProblem, match="no header"):
        readers.inspect(write(tmp_path, "b.csv", b"name,,x\n1,2,3\n"))


def test_ragged_rows_are_flagged_with_their_line(tmp_path):
    path = write(tmp_path, "a.csv", b"name,domain\nA,a.example\nB\nC,c.example,extra\n")
    problems = [(line, problem is not None) for line, _row, problem in readers.read_rows(path, readers.inspect(path))]
    assert problems == [(2, False), (3, True), (4, True)]


def test_a_quote_that_never_closes_is_a_clear_file_problem(tmp_path):
    path = write(tmp_path, "a.csv", b'name,domain\n"Acme,acme.example\nB,b.example\n')
    with pytest.raises(readers.FileProblem, match="quote"):
        list(readers.read_rows(path, readers.inspect(path)))


def test_binary_files_are_refused(tmp_path):
    with pytest.raises(readers.FileProblem, match="binary"):
        readers.inspect(write(tmp_path, "a.csv", b"\x00\x01\x02name\x00"))


def test_xlsx_files_are_read(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Employees"])
    sheet.append(["Hanbit Soft", 120])
    path = tmp_path / "a.xlsx"
    workbook.save(path)
    shape = readers.inspect(path)
    assert shape.encoding == "xlsx" and shape.headers == ["Name", "Employees"]
    assert list(readers.read_rows(path, shape)) == [(2, {"Name": "Hanbit Soft", "Employees": "120"}, None)]


@pytest.mark.parametrize("data", [
    b"Name,Domain,Notes\n  Acme , acme.example ,x\n\n , , \nB\nC,c.example,y,extra\n",
    "Name;Domain;Notes\nMüller;müller.example;\n".encode("utf-16"),
    b'Name,Domain,Notes\n"Quoted, name",q.example,"two\nlines"\n',
])
def test_mapped_rows_are_the_rows_with_the_mapping_applied(tmp_path, data):
    path = write(tmp_path, "a.csv", data)
    shape = readers.inspect(path)
    mapping = {"Domain": "domain", "Name": "name", "Missing": "external_id"}  # a header the file lacks reads ""
    expected = [(line, {target: row.get(header, "") for header, target in mapping.items()}, problem)
                for line, row, problem in readers.read_rows(path, shape)]
    assert list(readers.read_mapped(path, shape, mapping)) == expected
    assert expected  # the comparison covered rows


def test_mapped_rows_of_a_broken_file_raise_the_same_problem(tmp_path):
    path = write(tmp_path, "a.csv", b'name,domain\n"Acme,acme.example\nB,b.example\n')
    with pytest.raises(readers.FileProblem, match="quote"):
        list(readers.read_mapped(path, readers.inspect(path), {"name": "name"}))


def test_mapped_rows_strip_cells_skip_blank_rows_and_flag_ragged_ones(tmp_path):
    path = write(tmp_path, "a.csv", b"Name,Domain,Notes\n  Acme , acme.example ,x\n\n , , \nB\nC,c.example,y,extra\n")
    rows = list(readers.read_mapped(path, readers.inspect(path), {"Domain": "domain", "Name": "name",
                                                                   "Missing": "external_id"}))
    assert [(line, values, problem is not None) for line, values, problem in rows] == [
        (2, {"domain": "acme.example", "name": "Acme", "external_id": ""}, False),
        (5, {"domain": "", "name": "B", "external_id": ""}, True),
        (6, {"domain": "c.example", "name": "C", "external_id": ""}, True),
    ]
