"""Tests of the pack author's loop: new-pack, check with the property checks, the pack's tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from greenrules._cli import main
from greenrules._pack_lint import check_pack
from greenrules.testing import PropertyViolation


@pytest.mark.slow
def test_a_new_pack_passes_check_and_its_own_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The scaffold, untouched and not installed, passes check (properties too) and pytest."""
    monkeypatch.chdir(tmp_path)
    assert main(["new-pack", "cn-nx", "--jurisdiction", "CN-NX"]) == 0
    out = capsys.readouterr().out
    assert "rules/supply_chain.yaml" in out and "tests/test_pack.py" in out
    assert main(["check", "cn-nx"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "passed: 0 errors, 0 warnings", out
    for name in ("determinism", "monotonicity", "tier-nesting", "waiver-soundness", "citations"):
        assert f"property {name}: held (" in out
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "cn-nx"],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "9 passed" in done.stdout  # seven property tests and the two cases


def _broken_nesting(tmp_path: Path) -> Path:
    """A new pack that drops the national rule taking candidates from the province list."""
    assert main(["new-pack", str(tmp_path / "broken"), "--jurisdiction", "CN-NX"]) == 0
    pack = tmp_path / "broken" / "pack.yaml"
    pack.write_text(
        pack.read_text(encoding="utf-8")
        + "neutralizes:\n  - rule: CN-F-from-province-list\n"
        + "    reason: a pack broken on purpose, to see check_tier_nesting fail\n",
        encoding="utf-8",
    )
    return tmp_path / "broken"


def test_a_pack_breaking_tier_nesting_fails_check_in_a_few_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Check names the property, the context and the counter-example, in a few lines."""
    folder = _broken_nesting(tmp_path)
    capsys.readouterr()
    args = ["check", str(folder), "--properties", "tier-nesting", "--no-analysis"]
    assert main(args) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[-1] == "FAILED: 1 error, 0 warnings"
    assert lines[1].startswith(
        "  error [property-violated] cn-nx tier-nesting in CN-NX 2025, tier national, factory:"
    )
    assert "no valid province factory listing" in lines[1]
    assert len(lines) <= 10, out
    (example,) = [line for line in lines if "counter-example: " in line]
    data = json.loads(example.split("counter-example: ", 1)[1])
    assert data["programme"] == "factory"
    assert not any(m["tier"] == "province" for m in data.get("memberships") or [])
    assert "property tier-nesting: violated (" in out
    assert "Traceback" not in out


def test_the_report_holds_the_timed_runs_and_the_kit_exports_the_violation(
    tmp_path: Path,
) -> None:
    """The JSON report lists each property run; the violation type is public."""
    report = check_pack(
        _broken_nesting(tmp_path), analyse=False, properties=("tier-nesting",), examples=25
    )
    assert [(r.name, r.outcome) for r in report.properties] == [("tier-nesting", "violated")]
    assert report.properties[0].seconds > 0
    assert issubclass(PropertyViolation, AssertionError)


def test_bad_property_options_and_new_pack_arguments_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each mistake is one line naming its option, exit 2, and nothing is written."""
    assert main(["check", "CN-NM", "--properties", "speed"]) == 2
    assert "properties: expected all, none or some of" in capsys.readouterr().err
    assert main(["check", "CN-NM", "--examples", "0"]) == 2
    assert "examples" in capsys.readouterr().err
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine", encoding="utf-8")
    args = ["new-pack", str(tmp_path / "taken"), "--jurisdiction", "nx", "--round", "1999"]
    assert main(args) == 2
    err = capsys.readouterr().err
    for where in ("jurisdiction:", "round:", "folder:"):
        assert where in err
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]
