"""Tests for the coverage of reference tables on each round's evaluation date."""

from __future__ import annotations

import json

import pytest

import greenrules as gr
from greenrules._cli import main
from greenrules._rules.table_coverage import pack_coverage, read_columns


@pytest.fixture(scope="module")
def reports() -> dict[str, object]:
    registry = gr.default_registry()
    pack = registry.get("cn-nm", 2025)
    return {r.label: r for r in pack_coverage(pack, read_columns(registry.packs))}


def test_the_quota_grades_say_which_products_lack_grade_1(reports: dict) -> None:
    """Each key without a grade 1 in force on 2025-05-30 is listed with its reason."""
    grade1 = reports["energy_quota_grades.grade1"]
    assert (grade1.keys, grade1.covered) == (334, 229)
    reasons = {gap.key: gap.reason for gap in grade1.gaps}
    assert len(reasons) == grade1.keys - grade1.covered
    assert "not transcribed" in reasons["gb29447.polysilicon-trichlorosilane-siemens-process"]
    assert "no quota standard in force" in reasons["gb45549.flake-graphite"]
    assert "shifted column" in reasons["gb21258.coal-fired-unit-supercritical-300-mw-class"]
    assert "gb21347.primary-magnesium" not in reasons


def test_every_quota_product_has_a_row_in_force_on_the_evaluation_date(reports: dict) -> None:
    """No product of the quota table is left without a row in force in round 2025."""
    assert not [g for g in reports["energy_quota_grades.grade1"].gaps if "no row" in g.reason]
    assert reports["energy_benchmarks.benchmark"].covered == 7
    assert reports["nm_cities"].covered == reports["nm_cities"].keys == 12


def test_the_cli_prints_coverage_as_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`greenrules packs --coverage` prints one line per round and column, then the gaps."""
    assert main(["packs", "--coverage"]) == 0
    out = capsys.readouterr().out
    line = "cn-nm round 2025 (2025-05-30) energy_quota_grades.grade1: 229 of 334 keys have a value"
    assert line in out
    assert "  - gb45549.flake-graphite: the row in force has no grade1: no quota standard" in out
    assert main(["packs", "--coverage", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (grades,) = [d for d in data if d["table"] == "energy_quota_grades" and d["column"] == "grade1"]
    assert grades["covered"] == 229 and len(grades["missing"]) == 105
