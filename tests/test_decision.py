"""Tests for decisions: findings, explanations, JSON round trip and provenance."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

import greenrules as gr
from conftest import factory

JUSTIFICATION = "Certification audit booked for July 2030; see the attached letter."


@pytest.fixture
def decision(evaluate: Any) -> gr.Decision:
    f = factory(
        water={"key_water_user": True, "water_saving_certified": False},
        energy=[{"product": "widget", "value": 95.0}, {"product": "gizmo", "value": 3.0}],
        waivers=[{"rule": "B-F-water", "justification": JUSTIFICATION}],
    )
    return evaluate(f)  # type: ignore[no-any-return]


def test_findings_cite_clauses_and_read_facts(decision: gr.Decision) -> None:
    """Each finding names rule, clause, strength, verdict and the facts it read."""
    by_rule = {f.rule: f for f in decision.findings}
    water = by_rule["B-F-water"]
    assert water.clause == "B-3" and water.strength is gr.Strength.IN_PRINCIPLE
    assert water.verdict is gr.Verdict.WAIVED
    assert dict(water.read) == {"water.key_water_user": True, "water.water_saving_certified": False}
    energy = dict(by_rule["B-F-benchmark"].read)
    assert energy == {
        "energy": [
            {"product": "widget", "value": 95.0, "unit": None},
            {"product": "gizmo", "value": 3.0, "unit": None},
        ],
        "energy.value": [95.0, 3.0],
        "energy.product": ["widget", "gizmo"],
    }
    assert "不符合，已附说明" in water.message("zh") and "waived" in water.message("en")


def test_findings_align_with_verdicts(decision: gr.Decision) -> None:
    """Findings follow the rule order of rule_ids and carry the same verdicts."""
    assert tuple(f.rule for f in decision.findings) == decision.rule_ids
    assert tuple(f.verdict for f in decision.findings) == decision.verdicts
    assert decision.verdict("B-F-water") is gr.Verdict.WAIVED
    with pytest.raises(KeyError):
        decision.verdict("R-F-listed")


def test_to_dict_round_trips_losslessly(decision: gr.Decision) -> None:
    """from_dict(to_dict()) gives an equal decision, through JSON text too."""
    data = decision.to_dict()
    again = gr.Decision.from_dict(json.loads(json.dumps(data)))
    assert again == decision
    assert again.to_dict() == data
    assert again.explain("zh") == decision.explain("zh")


def test_from_dict_rejects_bad_shapes(decision: gr.Decision) -> None:
    """A malformed dict is an InvalidInputError naming where, never a pydantic error."""
    data = decision.to_dict()
    data["status"] = "maybe"
    del data["missing"]
    with pytest.raises(gr.InvalidInputError) as info:
        gr.Decision.from_dict(data)
    assert {p.location for p in info.value.problems} == {"status", "missing"}


def test_provenance_identifies_packs_date_and_input(decision: gr.Decision, evaluate: Any) -> None:
    """Provenance names version, engine, packs with digests, as_of and an input digest."""
    prov = decision.provenance
    assert prov.library_version == gr.__version__ and prov.engine == "native"
    assert prov.as_of == dt.date(2030, 6, 30)
    assert [p.id for p in prov.packs] == ["test-base"]
    assert len(prov.input_digest) == 64
    other = evaluate(factory(name="another name"))
    assert other.provenance.input_digest != prov.input_digest


def test_explain_cites_clauses_in_both_languages(decision: gr.Decision) -> None:
    """The explanation names status, clause ids, missing facts and a review note."""
    en, zh = decision.explain("en"), decision.explain("zh")
    assert "[B-3] B-F-water" in en and "reviewer must look" in en
    assert "Missing: gizmo benchmark" in en  # a reference value by product and column, not its key
    assert "推荐" in zh and "[B-3]" in zh and "需人工复核" in zh and "缺少：gizmo 标杆水平" in zh
    with pytest.raises(gr.InvalidInputError):
        decision.explain("fr")


def test_decisions_are_frozen(decision: gr.Decision) -> None:
    """A returned decision cannot be altered."""
    with pytest.raises(AttributeError):
        decision.status = gr.Status.INELIGIBLE  # type: ignore[misc]


def test_findings_are_built_once_on_first_access(
    evaluate: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Evaluating builds no findings; the first access builds them, later ones reuse them."""
    from greenrules._engines import source as _source

    calls: list[int] = []
    original = _source.EvaluationSource.findings

    def counting(self: Any, decision: gr.Decision) -> Any:
        calls.append(1)
        return original(self, decision)

    monkeypatch.setattr(_source.EvaluationSource, "findings", counting)
    d = evaluate(factory())
    assert calls == []
    first = d.findings
    assert d.findings is first and calls == [1]
