"""Tests for `greenrules check`: every problem of a broken pack is reported; bundled packs pass."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from greenrules import _pack_lint as _check
from greenrules._cli import main
from greenrules._pack_lint import check_pack

ROOT = Path(__file__).parents[1]
KIT = ROOT / "tests" / "kit_packs"
EVERY_CODE = {
    "coverage-mismatch",
    "uncovered-checkable",
    "support-unnamed",
    "weak-source",
    "period-overlap",
    "uncovered-date",
    "contradictory-rules",
    "unreachable-rule",
    "strength-kind",
    "period-gap",
    "rule-not-in-force",
    "blocked-rule",
    "property-violated",
}


@pytest.mark.parametrize("target", ["CN-NM", "cn-national"])
def test_bundled_packs_pass(target: str) -> None:
    """The bundled packs, by jurisdiction or id, have no errors (warnings are allowed)."""
    report = check_pack(target, per_variant=2)
    assert report.errors == (), report.render()


def test_a_pack_folder_is_checked_as_installed() -> None:
    """A folder of an installed pack is checked as the installed pack, with its layering."""
    report = check_pack(ROOT / "criteria" / "greenrules_cn_nm" / "r2025" / "shared", analyse=False)
    assert report.errors == ()
    assert {p.code for p in report.warnings} == {"missing-value"}


def test_a_broken_pack_reports_every_problem(capsys: pytest.CaptureFixture[str]) -> None:
    """One run names every problem of a pack with many, errors first, and exits 1."""
    assert main(["check", str(KIT / "many_problems")]) == 1
    out = capsys.readouterr().out
    codes = [line.split("[")[1].split("]")[0] for line in out.splitlines() if "[" in line]
    assert set(codes) == EVERY_CODE
    severities = [line.split()[0] for line in out.splitlines()[1:-1] if "[" in line]
    assert severities == sorted(severities)  # "error" sorts before "warning"
    assert out.splitlines()[-1] == "FAILED: 11 errors, 4 warnings"  # citations is violated too


def test_the_json_report_has_a_stable_shape(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json gives target, passed and each problem's code, severity, where, message."""
    main(["check", str(KIT / "many_problems"), "--format", "json", "--no-analysis"])
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] is False
    assert set(data["problems"][0]) == {"code", "severity", "where", "message"}
    codes = {p["code"] for p in data["problems"]}
    assert "contradictory-rules" not in codes and "weak-source" in codes


def test_load_problems_are_all_reported(tmp_path: Path) -> None:
    """A pack that does not load reports each load problem with its pack code."""
    pack = tmp_path / "pack"
    shutil.copytree(KIT / "aimed", pack)
    (pack / "clauses.yaml").write_text("clauses: []\n", encoding="utf-8")
    (pack / "rules" / "park.yaml").write_text("programme: park\nrules: nope\n", encoding="utf-8")
    codes = [p.code for p in check_pack(pack).errors]
    assert codes == ["bad-schema", "bad-schema", *["unknown-clause"] * 4]


def test_a_regional_pack_missing_its_base_is_reported(tmp_path: Path) -> None:
    """A folder pack extending a pack nobody installed fails with missing-base."""
    pack = tmp_path / "pack"
    shutil.copytree(KIT / "aimed", pack)
    meta = pack / "pack.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "extends: xx-nowhere\n", encoding="utf-8")
    assert [p.code for p in check_pack(pack).errors] == ["missing-base"]


def test_an_unknown_target_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    """A name that is neither a folder nor an installed pack is one error naming what exists."""
    assert main(["check", "XX-NOWHERE"]) == 1
    out = capsys.readouterr().out
    assert "error [no-such-pack] XX-NOWHERE" in out and "cn-nm" in out


def test_without_hypothesis_the_analysis_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the testing extra is missing, the sampling analyses are a warning, not a crash."""
    real = _check.importlib.util.find_spec
    monkeypatch.setattr(
        _check.importlib.util,
        "find_spec",
        lambda name: None if name == "hypothesis" else real(name),
    )
    report = check_pack(KIT / "unreachable")
    assert [p.code for p in report.problems] == ["analysis-skipped"]
    assert report.errors == ()
