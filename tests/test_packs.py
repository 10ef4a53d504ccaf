"""Tests for loading and validating criteria packs."""

from __future__ import annotations

from pathlib import Path

import pytest

import greenrules as gr
from conftest import PACKS

BROKEN = Path(__file__).parent / "broken_packs"


@pytest.mark.parametrize("folder", sorted(BROKEN.iterdir()), ids=lambda p: p.name)
def test_each_broken_pack_fails_with_its_named_problem(folder: Path) -> None:
    """Every folder under broken_packs/ is refused with the problem code it is named after."""
    with pytest.raises(gr.PackError) as info:
        gr.load_pack(folder)
    codes = {p.code for p in info.value.problems}
    assert folder.name in codes, info.value
    assert all(p.pack for p in info.value.problems)


def test_rule_problems_name_pack_and_rule() -> None:
    """A rule's problem names the pack and the rule, and says why."""
    with pytest.raises(gr.PackError) as info:
        gr.load_pack(BROKEN / "bad-condition")
    (problem,) = info.value.problems
    assert problem.pack == "broken-bad-condition"
    assert problem.rule == "X-F-1"
    assert "no fact 'conformity.in_prod'" in problem.message
    assert "did you mean 'conformity.in_production'" in problem.message


def test_pack_error_is_a_greenrules_and_value_error() -> None:
    """Callers may catch it as GreenrulesError or as ValueError."""
    with pytest.raises(gr.GreenrulesError):
        gr.load_pack(BROKEN / "tier")
    with pytest.raises(ValueError):
        gr.load_pack(BROKEN / "tier")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """Two broken rules in one pack give two problems in one error."""
    source = BROKEN / "unknown-clause"
    for part in ("pack.yaml", "clauses.yaml"):
        (tmp_path / part).write_text((source / part).read_text())
    (tmp_path / "rules").mkdir()
    text = (source / "rules" / "factory.yaml").read_text()
    second = text.split("rules:\n")[1].replace("X-F-1", "X-F-2").replace("eq: true", "eq: 3")
    (tmp_path / "rules" / "factory.yaml").write_text(text + second)
    with pytest.raises(gr.PackError) as info:
        gr.load_pack(tmp_path)
    assert {p.code for p in info.value.problems} == {
        "bad-condition",
        "unknown-clause",
        "uncovered-clause",
    }


def test_loaded_pack_carries_its_data(base_pack: gr.Pack) -> None:
    """A pack knows its rules, clauses, parameters, tables and a content digest."""
    assert base_pack.id == "test-base"
    assert {r.id for r in base_pack.rules} >= {"B-F-operating", "B-P-share"}
    assert base_pack.clause("B-8").coverage.note == "done by people"
    assert base_pack.params["min_share"].at(base_pack.evaluation_dates[2030]) == 0.5
    assert len(base_pack.digest) == 64
    with pytest.raises(LookupError):
        base_pack.clause("nope")


def test_digest_changes_with_content(tmp_path: Path) -> None:
    """Editing any data file changes the pack digest recorded in decisions."""
    import shutil

    shutil.copytree(PACKS / "base", tmp_path / "base")
    before = gr.load_pack(tmp_path / "base").digest
    path = tmp_path / "base" / "reference" / "benchmarks.csv"
    path.write_text(path.read_text().replace("widget,100", "widget,101"))
    assert gr.load_pack(tmp_path / "base").digest != before


def test_rule_reads_lists_facts(base_pack: gr.Pack) -> None:
    """A rule can list every fact it reads."""
    rule = next(r for r in base_pack.rules if r.id == "B-F-water")
    assert rule.reads() == ("water.key_water_user", "water.water_saving_certified")


def test_pack_data_constants_must_be_finite_dates_without_time(tmp_path: Path) -> None:
    """NaN parameters and datetime values are refused at load, not met at evaluation."""
    import shutil

    shutil.copytree(PACKS / "base", tmp_path / "base")
    params = tmp_path / "base" / "params.yaml"
    text = params.read_text()
    params.write_text(
        text.replace("value: 0.5", "value: .nan").replace(
            "value: 2030-05-30,", "value: 2030-05-30 10:00:00,"
        )
    )
    with pytest.raises(gr.PackError) as info:
        gr.load_pack(tmp_path / "base")
    messages = " ".join(p.message for p in info.value.problems)
    assert "not a finite number" in messages and "time of day" in messages


def test_digest_ignores_only_the_pack_own_cases_folder(tmp_path: Path) -> None:
    """A pack stored under a folder named cases still hashes its data."""
    import shutil

    shutil.copytree(PACKS / "base", tmp_path / "cases" / "base")
    pack = gr.load_pack(tmp_path / "cases" / "base")
    assert pack.digest == gr.load_pack(PACKS / "base").digest


def test_predicate_reads_join_the_rule_analysis(tmp_path: Path) -> None:
    """A Python predicate's declared reads count as facts its rule reads (and can miss)."""
    import shutil

    shutil.copytree(PACKS / "base", tmp_path / "base")
    rules = tmp_path / "base" / "rules" / "factory.yaml"
    rules.write_text(
        rules.read_text().replace(
            "requires: {fact: report.route, in: [self, third_party]}",
            "requires: {predicate: has_industry_code}",
        )
    )
    predicate = gr.Predicate(
        "has_industry_code",
        lambda e: None if e.industry.code is None else e.industry.code.startswith("C"),
        reads=("industry.code",),
    )
    pack = gr.load_pack(tmp_path / "base", predicates=[predicate])
    rule = next(r for r in pack.rules if r.id == "B-F-report")
    assert rule.reads() == ("industry.code",)
    registry = gr.Registry([pack])
    from conftest import factory

    d = gr.evaluate(
        factory(industry={}), tier="city", round=2030, jurisdiction="ZZ", registry=registry
    )
    assert d.verdict("B-F-report") is gr.Verdict.UNKNOWN
    assert "industry.code" in d.missing
    finding = next(f for f in d.findings if f.rule == "B-F-report")
    assert finding.read == (("industry.code", None),)
