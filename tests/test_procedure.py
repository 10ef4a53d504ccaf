"""Tests for a round's procedure as pack data: parsed strictly and checked when the pack loads."""

from __future__ import annotations

import datetime as dt
import shutil
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

import greenrules as gr
from greenrules._model.round_records import Actor

NM = Path(str(files("greenrules_cn_nm") / "r2025" / "shared"))


def _pack_with(tmp_path: Path, edit: object) -> Path:
    """A copy of the CN-NM pack whose procedure.yaml ``edit`` changed in place."""
    folder = tmp_path / "pack"
    shutil.copytree(NM, folder)
    data = yaml.safe_load((folder / "procedure.yaml").read_text(encoding="utf-8"))
    edit(data["procedure"])  # type: ignore[operator]
    (folder / "procedure.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return folder


def _codes(folder: Path) -> set[str]:
    with pytest.raises(gr.PackError) as info:
        gr.load_pack(folder)
    return {p.code for p in info.value.problems}


def test_the_nm_pack_declares_its_round_procedure() -> None:
    """Every actor of the notice acts in some step, and deadlines come from the calendar."""
    procedure = gr.load_pack(NM).procedure
    assert procedure is not None
    assert {s.actor for s in procedure.steps} == set(Actor)
    submission = procedure.step("city-submission")
    assert procedure.due(submission, 2025) == dt.date(2025, 5, 30)
    assert procedure.deadlines["city_submission"].source == "reference/annual_deadlines.csv"
    assert procedure.due(procedure.step("national-upload"), 2025) is None


def test_a_pack_without_procedure_has_none() -> None:
    """The procedure is optional: a pack of rules only still loads."""
    shared = Path(str(files("greenrules_cn_national") / "miit2024" / "shared"))
    assert gr.load_pack(shared).procedure is None


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (lambda p: p["steps"][1].update(deadline="city_list"), "procedure-deadline"),
        (lambda p: p["steps"][0].update(no_deadline=""), "procedure-deadline"),
        (lambda p: p["steps"][1].update(clause="NM2025-9.9"), "procedure-clause"),
        (lambda p: p["checks"][0].update(clause="NM2025-9.9"), "procedure-clause"),
        (lambda p: p["steps"][1].update(evidence="sent"), "procedure-evidence"),
        (lambda p: p["steps"][1].update(evidence="copies"), "procedure-evidence"),
        (lambda p: p["steps"][1]["products"][2].update(evidence="consulted"), "procedure-evidence"),
        (lambda p: p["steps"][1]["products"][1].update(includes=["police"]), "procedure-evidence"),
        (lambda p: p["steps"][1].update(owed_if_set="sent"), "procedure-evidence"),
        (lambda p: p["steps"][2].update(after=["city-sub"]), "procedure-unreachable"),
        (lambda p: p["steps"][0].update(after=["national-upload"]), "procedure-unreachable"),
        (lambda p: p["steps"][7].update(after=["city-submission"]), "procedure-unreachable"),
        (lambda p: p["steps"][2].update(id="city-submission"), "procedure-duplicate"),
        (lambda p: p.update(calendar="deadlines"), "procedure-calendar"),
        (lambda p: p["steps"][1].update(actor="mayor"), "bad-schema"),
        (lambda p: p["steps"][1].update(owner="city"), "bad-schema"),
    ],
    ids=[
        "unknown-deadline",
        "no-deadline-unexplained",
        "uncatalogued-step-clause",
        "uncatalogued-check-clause",
        "no-such-field",
        "evidence-not-a-date",
        "at-least-on-a-list",
        "includes-outside-vocabulary",
        "owed-on-no-such-field",
        "follows-unknown-step",
        "cycle",
        "due-before-what-it-follows",
        "duplicate-id",
        "unknown-calendar",
        "unknown-actor",
        "unknown-key",
    ],
)
def test_a_broken_procedure_is_refused_with_its_code(
    tmp_path: Path, edit: object, code: str
) -> None:
    """Each kind of mistake in procedure.yaml fails the pack load with a named problem."""
    assert code in _codes(_pack_with(tmp_path, edit))


def test_a_deadline_the_calendar_lacks_is_declared_with_its_clause(tmp_path: Path) -> None:
    """A procedure may add a deadline the calendar table does not hold, citing its clause."""

    def add(p: dict[str, object]) -> None:
        p["deadlines"] = {
            "upload": {"month": 6, "day": 30, "clause": "NM2025-2.2-3b", "source": "test"}
        }
        p["steps"][6].update(deadline="upload")  # type: ignore[index]

    procedure = gr.load_pack(_pack_with(tmp_path, add)).procedure
    assert procedure is not None
    assert procedure.due(procedure.step("national-upload"), 2025) == dt.date(2025, 6, 30)


def test_every_problem_of_a_procedure_is_reported_at_once(tmp_path: Path) -> None:
    """Two mistakes give two problems in one error, each naming procedure.yaml."""

    def two(p: dict[str, object]) -> None:
        p["steps"][1].update(deadline="nope")  # type: ignore[index]
        p["steps"][2].update(clause="NM2025-9.9")  # type: ignore[index]

    with pytest.raises(gr.PackError) as info:
        gr.load_pack(_pack_with(tmp_path, two))
    assert len(info.value.problems) == 2
    assert all("procedure.yaml" in p.message for p in info.value.problems)


def test_check_refuses_a_procedure_citing_clauses_no_rule_implements(tmp_path: Path) -> None:
    """``greenrules check`` reads the stack: a check must hand its clause to existing rules."""
    from greenrules._pack_lint import check_pack

    folder = _pack_with(tmp_path, lambda p: p["checks"][0].update(rules=["NM2025-2.2-1"]))
    report = check_pack(folder, analyse=False)
    assert [p.code for p in report.errors] == ["procedure-rules"]
    assert check_pack(NM, analyse=False).errors == ()


def test_check_refuses_a_broken_example_round(tmp_path: Path) -> None:
    """The example records the procedure names must load and give a status."""
    from greenrules._pack_lint import check_pack

    folder = _pack_with(tmp_path, lambda p: None)
    example = folder / "round" / "records-2025.json"
    example.write_text(example.read_text(encoding="utf-8").replace('"2025-05-26"', '"soon"'))
    report = check_pack(folder, analyse=False)
    assert [p.code for p in report.errors] == ["procedure-example"]
