"""Tests for the greenrules command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import credit_code
from greenrules._cli import main


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


def write(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / "round.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path


ARGS = ["--jurisdiction", "CN-NM", "--round", "2025"]


def test_evaluate_prints_a_ranked_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Evaluate prints one row per applicant with status and flagged rules."""
    path = write(tmp_path, [applicant(1), applicant(2, water={"key_water_user": True})])
    assert main(["evaluate", str(path), *ARGS, "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "序号" in out and "示例工厂1（虚构）" in out and "NM25-F-water-saving?" in out


def test_evaluate_json_is_a_list_of_decision_dicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--format json prints Decision.to_dict() for each applicant."""
    path = write(tmp_path, [applicant(1)])
    assert main(["evaluate", str(path), *ARGS, "--format", "json"]) == 0
    (data,) = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "entity",
        "status",
        "review_required",
        "priority",
        "missing",
        "findings",
        "provenance",
    }
    assert data["provenance"]["jurisdiction"] == "CN-NM"


def test_bad_rows_exit_non_zero_naming_every_field_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad input exits 2, names every bad row and field, and leaves no output file."""
    rows = [
        applicant(1),
        applicant(2, credit_code="91150000MA00000020"),
        applicant(3, water={"key_water_user": "yes"}, colour="green"),
    ]
    out = tmp_path / "decisions.json"
    code = main(
        ["evaluate", str(write(tmp_path, rows)), *ARGS, "--format", "json", "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "applicants[1].credit_code" in err and "bad-credit-code" in err
    assert "applicants[2].water.key_water_user" in err
    assert "applicants[2].colour" in err and "unknown-field" in err
    assert not out.exists() and list(tmp_path.iterdir()) == [tmp_path / "round.json"]


def test_out_writes_the_file(tmp_path: Path) -> None:
    """--out writes the output to a file."""
    out = tmp_path / "d.json"
    assert (
        main(
            [
                "evaluate",
                str(write(tmp_path, [applicant(1)])),
                *ARGS,
                "--format",
                "json",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 1


def test_unknown_jurisdiction_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A request no pack serves fails with one line and exit 1."""
    path = write(tmp_path, [applicant(1)])
    assert main(["evaluate", str(path), "--jurisdiction", "CN-XX", "--round", "2025"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("greenrules: ")


def test_packs_json_has_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    """Packs --format json lists packs with rules and clause coverage."""
    assert main(["packs", "--format", "json"]) == 0
    packs = {p["id"]: p for p in json.loads(capsys.readouterr().out)}
    nm, factory = packs["cn-nm"], packs["cn-nm-factory"]
    assert {"id", "version", "jurisdiction", "tiers", "rules", "clauses"} <= set(nm)
    assert {"id", "clause", "strength", "programme", "tier"} <= set(factory["rules"][0])
    assert {"id", "kind", "coverage"} <= set(nm["clauses"][0])
    assert nm["shared"] and nm["extends"] == "cn-national" and nm["rules"] == []
    assert not factory["shared"] and factory["bases"] == ["cn-national-factory", "cn-nm"]


def test_schema_prints_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    """Schema prints the applicants' JSON Schema."""
    assert main(["schema"]) == 0
    assert "oneOf" in json.loads(capsys.readouterr().out)


def test_module_entry_point_runs() -> None:
    """Python -m greenrules works like the greenrules script."""
    done = subprocess.run(
        [sys.executable, "-m", "greenrules", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("greenrules ")


def test_table_formats_need_the_columnar_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--format parquet with the native engine is refused instead of writing a text table."""
    out = tmp_path / "o.parquet"
    path = write(tmp_path, [applicant(1)])
    code = main(
        [
            "evaluate",
            str(path),
            *ARGS,
            "--engine",
            "native",
            "--format",
            "parquet",
            "--out",
            str(out),
        ]
    )
    assert code == 2 and not out.exists()
    assert "--engine columnar" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("fmt", "engine"),
    [("json", "native"), ("xlsx", "native"), ("csv", "columnar"), ("parquet", "columnar")],
)
def test_an_unwritable_output_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, engine: str
) -> None:
    """--out into a missing folder exits 2 naming the problem, leaving no partial file, with
    every format and engine (each writes through the same all-or-nothing writer).
    """
    out = tmp_path / "missing" / f"d.{fmt}"
    code = main(
        [
            "evaluate",
            str(write(tmp_path, [applicant(1)])),
            *ARGS,
            "--engine",
            engine,
            "--format",
            fmt,
            "--out",
            str(out),
        ]
    )
    assert code == 2 and "unwritable" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [tmp_path / "round.json"]
