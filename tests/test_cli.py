"""Tests for the greenrules command line."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import greenrules as gr
from conftest import credit_code
from greenrules._cli import exit_codes, main
from greenrules._cli.parser import build_parser
from greenrules._io.progress import progress_bar


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
    assert "排名" in out and "示例工厂1（虚构）" in out and "NM2025-2.1.2-g?" in out
    assert "  NM2025-2.1.2-g：重点用水企业原则上应为节水型企业。" in out  # explained once, below


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
    """A request no pack serves is a usage error: one line naming what is installed, exit 2."""
    path = write(tmp_path, [applicant(1)])
    assert main(["evaluate", str(path), "--jurisdiction", "CN-NM", "--round", "2024"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    installed = ", ".join(dict.fromkeys(f"{p.jurisdiction} {r}" for p in gr.default_registry().packs
                          for r in p.rounds))  # fmt: skip
    assert err == [f"greenrules: no pack for CN-NM 2024; installed: {installed}"]
    assert "CN-NM 2025" in installed and "CN 2024" in installed


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


EXAMPLE = Path(__file__).parents[1] / "criteria/greenrules_cn_nm/r2025/shared/examples"
EXAMPLE = EXAMPLE / "round-2025.json"


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_help_shows_every_argument_with_help_and_default_and_the_exit_codes() -> None:
    """Every argument of every command has help; defaults are shown; exit codes are listed."""
    for name, sub in {"greenrules": build_parser(), **_subparsers()}.items():
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help, f"{name} {action.dest} has no help"
        text = sub.format_help()
        assert "exit codes:" in text and "130" in text, name
    evaluate = _subparsers()["evaluate"].format_help()
    assert "(default: province)" in evaluate and "(default: auto)" in evaluate
    assert "--quiet" in evaluate and "--city" in evaluate


def test_exit_codes_are_one_table() -> None:
    """0 done, 1 done with problems, 2 usage or input error, 130 interrupted."""
    assert (exit_codes.OK, exit_codes.PROBLEMS, exit_codes.USAGE) == (0, 1, 2)
    assert exit_codes.INTERRUPTED == 130
    for code in (0, 1, 2, 130):
        assert f"  {code} " in exit_codes.TABLE


def test_jurisdiction_codes_are_case_insensitive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``cn-nm`` names the same pack as ``CN-NM``."""
    path = write(tmp_path, [applicant(1)])
    assert main(["evaluate", str(path), "--jurisdiction", "cn-nm", "--format", "json"]) == 0
    (decision,) = json.loads(capsys.readouterr().out)
    assert decision["provenance"]["jurisdiction"] == "CN-NM"


def test_a_programme_the_pack_does_not_cover_is_a_row_problem(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Parks against a factory-only pack: those rows are listed, the rest evaluated, exit 1."""
    if not any(p.id == "cn-xp" for p in gr.default_registry().packs):
        pytest.skip("the worked example pack (tests/example_pack) is not installed")
    code = main(["evaluate", str(EXAMPLE), "--jurisdiction", "CN-XP", "--format", "json"])
    captured = capsys.readouterr()
    assert code == exit_codes.PROBLEMS
    decisions = json.loads(captured.out)
    assert decisions and {d["entity"]["programme"] for d in decisions} == {"factory"}
    lines = captured.err.strip().splitlines()
    entities = gr.load_entities(EXAMPLE)
    assert len(lines) == sum(e.programme is not gr.Programme.FACTORY for e in entities)
    assert all("[not-covered]" in line and "covers factory" in line for line in lines)
    assert "<" not in captured.err  # no enum reprs


def test_progress_bar_only_on_a_terminal_and_final_frame_once() -> None:
    """No bar into a file or pipe, none when quiet; on a terminal the last frame is drawn once."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert progress_bar(5000, io.StringIO()) is None
    assert progress_bar(5000, Terminal(), quiet=True) is None
    stream = Terminal()
    bar = progress_bar(5000, stream)
    assert bar is not None
    bar.update(5000)  # the last update waits for close
    bar.close()
    assert stream.getvalue().count("5000/5000") == 1 and stream.getvalue().endswith("\n")


def test_a_large_file_writes_no_carriage_returns_to_a_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Past the progress threshold, stderr that is not a terminal gets no bar frames."""
    path = write(tmp_path, [applicant(n) for n in range(1, 1101)])
    assert main(["evaluate", str(path), *ARGS, "--engine", "native", "--format", "json"]) == 0
    assert "\r" not in capsys.readouterr().err


def test_demo_prints_ranked_lists_and_explains_only_on_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One ranked list per programme, each numbered from 1; explanations with --explain."""
    assert main(["demo", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    heads = [line for line in out.splitlines() if line.startswith("排名")]
    assert len(heads) == 3
    for name in ("绿色工厂（", "绿色工业园区（", "绿色供应链管理企业（"):
        assert sum(line.startswith(name) for line in out.splitlines()) == 1
    assert "依据：" not in out
    assert main(["demo", "--lang", "zh", "--explain"]) == 0
    assert "依据：" in capsys.readouterr().out


def _recipe(makefile: str, target: str) -> list[str]:
    """The prerequisites line and the command lines of one Makefile target."""
    lines = makefile.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    body = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        body.append(line)
    return body


def test_make_demo_runs_without_the_test_pack_and_prints_no_explanations() -> None:
    """`make demo` builds an environment of greenrules alone and prints the ranked lists."""
    makefile = (Path(__file__).parents[1] / "Makefile").read_text(encoding="utf-8")
    demo = _recipe(makefile, "demo")
    assert "$(DEMO_VENV)/.installed" in demo[0]
    runs = [line for line in demo[1:] if "greenrules demo" in line and "echo" not in line]
    assert runs and all("--explain" not in line for line in runs)
    install = _recipe(makefile, "$(DEMO_VENV)/.installed")
    assert any("pip install" in line for line in install)
    assert all("example_pack" not in line and "[dev]" not in line for line in install)
