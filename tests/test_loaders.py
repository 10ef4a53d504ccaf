"""Tests for loading entities from JSON, CSV and XLSX files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import greenrules as gr
from conftest import credit_code

AGENCY = {"credit_code": credit_code(900), "name": "示例评价机构（虚构）"}
HEADER = [
    "programme",
    "credit_code",
    "name",
    "city",
    "water.key_water_user",
    "energy",
    "submitted_on",
    "report.route",
    "report.agency",
]


def row(n: int, **over: Any) -> list[Any]:
    values = {
        "programme": "factory",
        "credit_code": credit_code(n),
        "name": f"示例工厂{n}（虚构）",
        "city": "150200",
        "water.key_water_user": "是",
        "energy": '[{"product": "widget", "value": 95}]',
        "submitted_on": "2030-05-01",
        "report.route": "third_party",
        "report.agency": AGENCY["credit_code"],
        **over,
    }
    return [values[h] for h in HEADER]


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    text = "\n".join(",".join(_quote(v) for v in r) for r in [HEADER, *rows]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def _quote(value: Any) -> str:
    text = str(value)
    return '"' + text.replace('"', '""') + '"' if ("," in text or '"' in text) else text


def test_json_list_loads(tmp_path: Path) -> None:
    """A JSON list of applicants loads into typed entities."""
    path = tmp_path / "a.json"
    data = [{"programme": "park", "credit_code": credit_code(1), "name": "园区"}]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (park,) = gr.load_entities(path)
    assert isinstance(park, gr.IndustrialPark) and park.name == "园区"


def test_json_document_resolves_agencies(tmp_path: Path) -> None:
    """Reports may name their agency by credit code from the document's agencies list."""
    applicant = {
        "programme": "factory",
        "credit_code": credit_code(1),
        "name": "厂",
        "report": {"route": "third_party", "agency": AGENCY["credit_code"]},
    }
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"agencies": [AGENCY], "applicants": [applicant]}))
    (factory,) = gr.load_entities(path)
    assert factory.report is not None and factory.report.agency is not None
    assert factory.report.agency.name == AGENCY["name"]


def test_a_self_evaluation_naming_an_agency_is_refused(tmp_path: Path) -> None:
    """``route: self`` beside an agency is a contradiction, located at the report's agency."""
    applicant = {
        "programme": "factory",
        "credit_code": credit_code(1),
        "name": "厂",
        "report": {"route": "self", "agency": AGENCY["credit_code"]},
    }
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"agencies": [AGENCY], "applicants": [applicant]}))
    with pytest.raises(gr.InvalidInputError) as info:
        gr.load_entities(path)
    assert [(p.code, p.loc) for p in info.value.problems] == [
        ("self-route-agency", ("applicants", 0, "report", "agency"))
    ]
    applicant["report"] = {"route": "self"}  # the same report without the agency
    path.write_text(json.dumps({"agencies": [AGENCY], "applicants": [applicant]}))
    (factory,) = gr.load_entities(path)
    assert factory.report is not None and factory.report.agency is None


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_every_encoding_government_files_use(tmp_path: Path, encoding: str) -> None:
    """UTF-8 with or without BOM and GB18030 give the same entities."""
    path = write_csv(tmp_path / "f.csv", [row(1, **{"report.agency": ""})], encoding)
    (factory,) = gr.load_entities(path)
    assert factory.name == "示例工厂1（虚构）"
    assert factory.water.key_water_user is True
    assert factory.energy is not None and factory.energy[0].value == 95.0


def test_csv_bad_rows_report_every_problem_with_line_and_field(tmp_path: Path) -> None:
    """Every bad field of every bad row is reported at once, with its line and column."""
    rows = [
        row(1, **{"report.agency": ""}),
        row(2, credit_code="91150000MA00000020", **{"report.agency": ""}),
        row(3, **{"water.key_water_user": "maybe", "report.agency": ""}),
        row(4, programme="farm", **{"report.agency": ""}),
        row(5, energy="[{", **{"report.agency": ""}),
    ]
    with pytest.raises(gr.InvalidInputError) as info:
        gr.load_entities(write_csv(tmp_path / "bad.csv", rows))
    found = {(p.code, p.location) for p in info.value.problems}
    assert ("bad-credit-code", "line 3.credit_code") in found
    assert ("wrong-type", "line 4.water.key_water_user") in found
    assert ("bad-choice", "line 5.programme") in found
    assert ("wrong-type", "line 6.energy") in found
    assert len(info.value.problems) == 4
    assert info.value.source == str(tmp_path / "bad.csv")


def test_unknown_column_and_agency_are_reported(tmp_path: Path) -> None:
    """An unknown column and an agency missing from the agencies list are errors."""
    path = tmp_path / "f.csv"
    path.write_text("programme,credit_code,name,colour\nfactory," + credit_code(1) + ",x,green\n")
    with pytest.raises(gr.InvalidInputError) as info:
        gr.load_entities(path)
    assert [p.code for p in info.value.problems] == ["unknown-field"]
    with pytest.raises(gr.InvalidInputError) as info:
        gr.load_entities(write_csv(tmp_path / "g.csv", [row(1)]))
    assert [p.code for p in info.value.problems] == ["unknown-agency"]


def test_xlsx_with_agencies_sheet(tmp_path: Path) -> None:
    """An XLSX workbook with applicants and agencies sheets loads, typed cells included."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "applicants"
    ws.append(HEADER)
    ws.append(row(1, **{"water.key_water_user": True}))
    ws.append([None] * len(HEADER))  # blank rows are skipped
    agencies = book.create_sheet("agencies")
    agencies.append(["credit_code", "name", "blacklisted_on"])
    agencies.append([AGENCY["credit_code"], AGENCY["name"], "2029-01-01"])
    path = tmp_path / "round.xlsx"
    book.save(path)
    (factory,) = gr.load_entities(path)
    assert factory.report is not None and factory.report.agency is not None
    assert str(factory.report.agency.blacklisted_on) == "2029-01-01"


def test_unsupported_unreadable_and_corrupt_files(tmp_path: Path) -> None:
    """A wrong suffix, a missing file and corrupt content are typed input errors."""
    cases = {
        "bad-format": tmp_path / "a.txt",
        "unreadable": tmp_path / "missing.json",
        "bad-json": tmp_path / "b.json",
        "bad-xlsx": tmp_path / "c.xlsx",
    }
    cases["bad-json"].write_text("{")
    cases["bad-xlsx"].write_bytes(b"not a zip")
    cases["bad-format"].write_text("x")
    for code, path in cases.items():
        with pytest.raises(gr.InvalidInputError) as info:
            gr.load_entities(path)
        assert info.value.problems[0].code == code


def test_json_errors_never_leak_pydantic(tmp_path: Path) -> None:
    """Problems come as InputProblem with stable codes, not as pydantic exceptions."""
    path = tmp_path / "a.json"
    path.write_text(json.dumps([{"programme": "factory", "name": "", "colour": 1}]))
    with pytest.raises(gr.InvalidInputError) as info:
        gr.load_entities(path)
    codes = {(p.code, p.location) for p in info.value.problems}
    assert codes == {
        ("missing-field", "applicants[0].credit_code"),
        ("too-short", "applicants[0].name"),
        ("unknown-field", "applicants[0].colour"),
    }
    assert all(p.docs.startswith("docs/errors.md#") for p in info.value.problems)


def test_loading_leaves_the_file_untouched(tmp_path: Path) -> None:
    """Loading reads only: the file's bytes are unchanged."""
    path = write_csv(tmp_path / "f.csv", [row(1, **{"report.agency": ""})])
    before = path.read_bytes()
    gr.load_entities(path)
    assert path.read_bytes() == before


def test_json_schema_covers_every_programme() -> None:
    """The JSON Schema offers one variant per programme, keyed by the programme constant."""
    schema = gr.entity_json_schema()
    assert len(schema["oneOf"]) == 3
    consts = {
        schema["$defs"][name]["properties"]["programme"]["const"]
        for name in ("Factory", "IndustrialPark", "SupplyChainEnterprise")
    }
    assert consts == {"factory", "park", "supply_chain"}


@pytest.mark.parametrize(
    "read",
    [
        gr.load_entities,
        lambda path: gr.evaluate_table(path, tier="province", round=2025, jurisdiction="CN-NM"),
    ],
    ids=["load_entities", "evaluate_table"],
)
def test_undecodable_text_is_a_typed_error(tmp_path: Path, read: Any) -> None:
    """UTF-16 text (Excel's "Unicode text") is reported, not raised as UnicodeDecodeError, by
    the loader and by the columnar engine's own CSV reader.
    """
    path = tmp_path / "u.csv"
    path.write_bytes(
        ("programme,credit_code,name\nfactory," + credit_code(1) + ",厂\n").encode("utf-16")
    )
    with pytest.raises(gr.InvalidInputError) as info:
        read(path)
    assert [p.code for p in info.value.problems] == ["bad-encoding"]


def test_gb18030_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    """A GB18030 file that starts with its byte-order mark reads its first column."""
    path = write_csv(tmp_path / "g.csv", [row(1, **{"report.agency": ""})], "gb18030")
    path.write_bytes("\ufeff".encode("gb18030") + path.read_bytes())
    (factory,) = gr.load_entities(path)
    assert factory.name == "示例工厂1（虚构）"


def test_json_sections_must_be_lists(tmp_path: Path) -> None:
    """A document whose applicants or agencies are not lists is a bad-json problem."""
    for doc in ({"applicants": 5}, {"applicants": [], "agencies": 5}):
        path = tmp_path / "a.json"
        path.write_text(json.dumps(doc))
        with pytest.raises(gr.InvalidInputError) as info:
            gr.load_entities(path)
        assert [p.code for p in info.value.problems] == ["bad-json"]


def test_conflicting_columns_are_reported(tmp_path: Path) -> None:
    """A column and its own sub-field together are a conflict, not a crash."""
    path = tmp_path / "c.csv"
    path.write_text(
        "programme,credit_code,name,report.agency,report.agency.name\n"
        f"factory,{credit_code(1)},x,{credit_code(2)},a\n"
    )
    with pytest.raises(gr.InvalidInputError) as info:
        gr.load_entities(path)
    assert "conflicting-columns" in {p.code for p in info.value.problems}


def test_integer_fields_load_from_xlsx(tmp_path: Path) -> None:
    """Integral numbers stay integers, so integer fields (an agency's projects) load."""
    path = tmp_path / "f.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "applicants"
    ws.append(["programme", "credit_code", "name", "report.route", "report.agency"])
    ws.append(["factory", credit_code(1), "x", "third_party", credit_code(2)])
    agencies = book.create_sheet("agencies")
    agencies.append(["credit_code", "name", "national_projects"])
    agencies.append([credit_code(2), "a", 3])
    book.save(path)
    (factory,) = gr.load_entities(path)
    assert factory.report is not None and factory.report.agency is not None
    assert factory.report.agency.national_projects == 3
