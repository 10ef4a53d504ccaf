"""Hostile files and faults: nothing the caller gave is lost, run, or silently chosen.

Each test is named after the hazard it closes; each failed on the code before its fix.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import greenrules as gr
from conftest import credit_code
from greenrules._cli import main
from greenrules._io.loaders import parse_entities

ARGS = ["--jurisdiction", "CN-NM", "--round", "2025"]
FORMULAS = ['=HYPERLINK("http://example.invalid","x")', "=cmd|' /C calc'!A0", "\t=1+1", "@SUM(1)"]


def applicant(n: int, **over: Any) -> dict[str, Any]:
    return {
        "programme": "factory",
        "credit_code": credit_code(n),
        "name": f"示例工厂{n}（虚构）",
        "report": {"route": "self"},
        "memberships": [{"programme": "factory", "tier": "city", "year": 2024}],
        "water": {"key_water_user": False},
        **over,
    }


def _decide(rows: list[dict[str, Any]]) -> tuple[list[gr.Applicant], list[gr.Decision]]:
    entities = parse_entities(rows)
    decisions = gr.rank(
        gr.evaluate_many(entities, tier="province", round=2025, jurisdiction="CN-NM")
    )
    return entities, decisions


# --- formula injection ---------------------------------------------------------------------------


def test_formula_injection_xlsx_text_cells_are_text(tmp_path: Path) -> None:
    """Names and product keys that look like formulas are stored as text, readable as given."""
    rows = [
        applicant(n, name=name, energy=[{"product": name, "value": 1.0}])
        for n, name in enumerate(FORMULAS, start=1)
    ]
    entities, decisions = _decide(rows)
    path = gr.write_summary(tmp_path / "s.xlsx", decisions, entities, lang="en")
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not [n for n in sheets if b"<f>" in z.read(n) or b"<f " in z.read(n)]
    book = openpyxl.load_workbook(path)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    names = {c.value for c in cells}
    assert {name.strip() for name in FORMULAS} <= names
    assert all(c.quotePrefix for c in cells if isinstance(c.value, str) and c.value[0] in "=@")


def test_formula_injection_csv_cells_get_a_leading_quote(tmp_path: Path) -> None:
    """The columnar CSV output prefixes a formula-like text with ' (OWASP), keeping the value."""
    pytest.importorskip("polars")
    names = [*FORMULAS, "+1", "-1", "\r=1"]
    rows = [applicant(n, name=name) for n, name in enumerate(names, start=1)]
    source = tmp_path / "in.json"
    source.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.csv"
    args = ["evaluate", str(source), *ARGS, "--engine", "columnar", "--format", "csv"]
    assert main([*args, "--out", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as f:
        written = {r["name"] for r in csv.DictReader(f)}
    assert written == {"'" + name.strip() for name in names}


@pytest.mark.parametrize("name", ["nul\x00name", "ctrl\x01name"])
def test_illegal_character_in_a_name_is_an_input_problem_not_a_traceback(
    tmp_path: Path, name: str
) -> None:
    """A control character XLSX cannot store names its sheet, row and column; nothing written."""
    entities, decisions = _decide([applicant(1, name=name)])
    with pytest.raises(gr.InvalidInputError) as err:
        gr.write_summary(tmp_path / "s.xlsx", decisions, entities, lang="en")
    (problem,) = err.value.problems
    assert problem.code == "illegal-character"
    assert problem.loc == ("All decisions", "row 3", "Unit") and problem.input == name
    assert list(tmp_path.iterdir()) == []
