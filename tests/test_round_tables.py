"""Round records from CSV and XLSX tables: the same records as the JSON file, errors by line."""

from __future__ import annotations

import csv
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import greenrules as gr

EXAMPLE = Path(str(files("greenrules_cn_nm") / "r2025" / "shared" / "round" / "records-2025.json"))
KINDS = [
    ("city_bureau", "cities"),
    ("listed_unit", "listed_units"),
    ("agency", "agencies"),
]


def _flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A record as one table row: dotted names, a list as JSON text (the applicants' format)."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            out[prefix + key] = json.dumps(value, ensure_ascii=False)
        else:
            out[prefix + key] = value
    return out


def _rows() -> list[dict[str, Any]]:
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    rows = [{"record": kind, **_flat(r)} for kind, field in KINDS for r in doc.get(field, [])]
    if doc.get("region"):
        rows.append({"record": "region_department", **_flat(doc["region"])})
    return rows


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _write_xlsx(path: Path, rows: list[dict[str, Any]], sheet: str = "records") -> Path:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    book = openpyxl.Workbook()
    book.active.title = "notes"
    book.active.append(["the records are on the next sheet"])
    ws = book.create_sheet(sheet)
    ws.append(columns)
    for row in rows:
        ws.append([row.get(c) for c in columns])
    book.save(path)
    return path


def _same(records: gr.RoundRecords) -> bool:
    expected = gr.load_round_records(EXAMPLE)
    return records.model_dump(exclude={"source"}) == expected.model_dump(exclude={"source"})


def test_the_example_records_read_the_same_from_csv_and_xlsx(tmp_path: Path) -> None:
    """Every field of every record survives the table: the status cannot differ."""
    for path in (
        _write_csv(tmp_path / "r.csv", _rows()),
        _write_xlsx(tmp_path / "r.xlsx", _rows()),
    ):
        records = gr.load_round_records(path, jurisdiction="CN-NM", round=2025)
        assert _same(records)
        assert records.source == str(path)


def test_a_table_needs_the_jurisdiction_and_round(tmp_path: Path) -> None:
    """A table has no place for them; a guess would decide another round's duties."""
    path = _write_csv(tmp_path / "r.csv", _rows())
    with pytest.raises(gr.InvalidInputError) as info:
        gr.load_round_records(path)
    assert [p.code for p in info.value.problems] == ["bad-argument"]


def test_a_json_file_of_another_round_than_asked_is_refused() -> None:
    with pytest.raises(gr.InvalidInputError) as info:
        gr.load_round_records(EXAMPLE, jurisdiction="cn-nm", round=2024)
    assert [(p.code, p.loc) for p in info.value.problems] == [("bad-argument", ("round",))]


def test_problems_in_a_table_are_named_by_line_and_field(tmp_path: Path) -> None:
    """A bad date, an unknown kind, a programme on a city's row and a second region row."""
    rows = _rows()
    rows[0]["sent_on"] = "26 May"  # line 2, a city
    rows[1]["record"] = "city"  # line 3
    rows[2]["programme"] = "factory"  # line 4, a city has no programme: never dropped silently
    rows += [{"record": "region_department", "published_on": "2025-07-01"}] * 2
    path = _write_csv(tmp_path / "r.csv", rows)
    with pytest.raises(gr.InvalidInputError) as info:
        gr.load_round_records(path, jurisdiction="CN-NM", round=2025)
    found = {(p.code, p.loc) for p in info.value.problems}
    assert found == {
        ("bad-choice", ("line 3", "record")),
        ("unknown-field", ("line 4", "programme")),
        ("duplicate-record", (f"line {len(rows) + 1}", "record")),
        ("bad-date", ("line 2", "sent_on")),
    }
    assert info.value.source == str(path)


def test_a_listed_unit_without_its_programme_is_refused_at_its_line(tmp_path: Path) -> None:
    rows = _rows()
    unit = next(i for i, r in enumerate(rows) if r["record"] == "listed_unit")
    rows[unit]["programme"] = ""
    path = _write_xlsx(tmp_path / "r.xlsx", rows)
    with pytest.raises(gr.InvalidInputError) as info:
        gr.load_round_records(path, jurisdiction="CN-NM", round=2025)
    assert [(p.code, p.loc) for p in info.value.problems] == [
        ("missing-field", (f"line {unit + 2}", "programme"))
    ]


def test_the_cli_reads_a_records_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``greenrules round records.csv`` gives what the JSON records give."""
    from greenrules._cli import main

    path = _write_csv(tmp_path / "r.csv", _rows())
    args = ["round", "--as-of", "2025-05-31", "--jurisdiction", "CN-NM", "--format", "json"]
    assert main([*args, str(path)]) == 0
    from_table = json.loads(capsys.readouterr().out)
    assert main([*args, str(EXAMPLE)]) == 0
    from_json = json.loads(capsys.readouterr().out)
    assert from_table["items"] == from_json["items"]
    assert from_table["counts"] == from_json["counts"]
