"""Tests for declared table invariants: orderings, one unit per key, one row in force per day."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

import greenrules as gr
from greenrules._cli import main
from greenrules._model.facts import Kind
from greenrules._rules.table_invariants import (
    OneInForce,
    Ordered,
    SamePerKey,
    parse_invariant,
    violations,
)

ROOT = Path(__file__).parents[1]
PACK = ROOT / "criteria" / "greenrules_cn_nm" / "r2025" / "shared"  # the tables live here
GRADES = {"grade1": Kind.NUMBER, "grade2": Kind.NUMBER, "grade3": Kind.NUMBER, "unit": Kind.TEXT}


def _row(product: str, g1: float | None, g2: float | None, g3: float | None, **kw: object) -> dict:
    return {"product": product, "grade1": g1, "grade2": g2, "grade3": g3, "unit": "kgce/t", **kw}


def test_an_order_names_the_row_and_both_columns() -> None:
    """Grade 2 below grade 1 is one violation naming the row's line and the two columns."""
    rows = [_row("a", 1, 2, 3), _row("b", 290, 285, 308), _row("c", -160, None, -100)]
    (found,) = violations("t", "product", rows, [Ordered(("grade1", "grade2", "grade3"))])
    assert (found.row, found.key, found.columns) == (3, "b", ("grade1", "grade2"))
    assert "grade2 285 is below grade1 290" in str(found)


def test_empty_cells_and_equal_values_break_no_order() -> None:
    """A missing grade is skipped, not read as zero, and equal grades are allowed."""
    rows = [_row("a", None, 5, 4.5), _row("b", 110, 110, 135), _row("c", -30, None, -10)]
    found = violations("t", "product", rows, [Ordered(("grade1", "grade2", "grade3"))])
    assert [(v.key, v.columns) for v in found] == [("a", ("grade2", "grade3"))]


def test_a_key_keeps_one_unit_and_one_row_in_force() -> None:
    """A second edition in another unit, or overlapping the first, is a violation on its row."""
    import datetime as dt

    rows = [
        _row("a", 1, 2, 3, valid_from=None, valid_to=dt.date(2025, 4, 30)),
        _row("a", 1, 2, 3, valid_from=dt.date(2025, 4, 30), valid_to=None),
        {**_row("b", 1, 2, 3), "unit": "kWh/t"},
        _row("b", 1, 2, 3),
    ]
    found = violations("t", "product", rows, [SamePerKey("unit"), OneInForce()])
    assert [(v.row, v.columns) for v in found] == [
        (3, ("valid_from", "valid_to")),
        (5, ("unit",)),
        (5, ("valid_from", "valid_to")),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"order": ["grade1"]}, "at least two columns"),
        ({"order": ["grade1", "unit"]}, "not a number column"),
        ({"same_per_key": "colour"}, "not a column"),
        ({"one_in_force": "yes"}, "takes true"),
        ({"order": ["grade1", "grade2"], "same_per_key": "unit"}, "one of"),
        ({"sorted": ["grade1"]}, "unknown invariant"),
    ],
)
def test_a_malformed_declaration_says_why(data: dict, message: str) -> None:
    """Each malformed invariant is refused with the reason."""
    with pytest.raises(ValueError, match=message):
        parse_invariant(data, GRADES)


def _shifted_copy(tmp_path: Path) -> Path:
    """A copy of the pack whose quota table has its grade2 column moved up by one row."""
    folder = tmp_path / "r2025"
    shutil.copytree(PACK, folder)
    path = folder / "reference" / "energy_quota_grades.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    shifted = [row["grade2"] for row in rows[1:]] + [""]
    for row, value in zip(rows, shifted, strict=True):
        row["grade2"] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return folder


def test_check_fails_on_a_quota_table_with_a_shifted_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`greenrules check` on a copy with one grade column shifted fails, row by row."""
    assert main(["check", str(_shifted_copy(tmp_path)), "--no-analysis"]) == 1
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "[table-invariant]" in line]
    assert len(lines) > 20
    assert any("table energy_quota_grades row 3 (gb16780.cement-clinker)" in x for x in lines)
    assert all("energy_quota_grades" in line for line in lines)


def test_the_bundled_tables_keep_their_invariants() -> None:
    """Every bundled table meets what its pack declares (the shifted coal rows were fixed)."""
    for pack in gr.default_registry().packs:
        for table in pack.tables.values():
            assert table.violations() == [], table.name
    tables = gr.default_registry().get("cn-nm", 2025).tables
    assert tables["energy_quota_grades"].invariants
    assert tables["energy_benchmarks"].invariants


def test_a_supplied_table_is_held_to_the_same_invariants() -> None:
    """Registry.with_reference refuses a table breaking an invariant, one problem per row."""
    registry = gr.default_registry()
    rows = [
        {**_row("gb21347.primary-magnesium", 3500, 3400, 5000), "standard": "x", "source": "s1"},
        {**_row("gb21341.ferrosilicon", 1700, 1770, 1850), "standard": "x", "source": "s2"},
        {**_row("gb21341.ferrosilicon", 1700, 1770, 1850), "standard": "y", "source": "s3"},
    ]
    with pytest.raises(gr.PackError) as caught:
        registry.with_reference("cn-nm", 2025, "energy_quota_grades", rows)
    problems = caught.value.problems
    assert {p.code for p in problems} == {"table-invariant"}
    assert [str(p).split(":")[1].strip() for p in problems] == [
        "table energy_quota_grades row 2 (gb21347.primary-magnesium), grade1, grade2",
        "table energy_quota_grades row 4 (gb21341.ferrosilicon), valid_from, valid_to",
    ]
    assert registry.get("cn-nm", 2025).tables["energy_quota_grades"].invariants
