"""Tests for how verdicts combine into a status: every status, waivers and unknowns."""

from __future__ import annotations

from typing import Any

import greenrules as gr
from conftest import credit_code, factory

V = gr.Verdict
S = gr.Status
JUSTIFICATION = "The plant's water permit was renewed in 2030 with a saving plan; see annex 3."


def verdicts(d: gr.Decision) -> dict[str, gr.Verdict]:
    return dict(zip(d.rule_ids, d.verdicts, strict=True))


def test_recommend_when_every_rule_passes(evaluate: Any) -> None:
    """No failure and nothing unknown: recommend."""
    d = evaluate(factory())
    assert d.status is S.RECOMMEND and not d.review_required and d.missing == ()


def test_failed_mandatory_rule_chooses_its_outcome(evaluate: Any) -> None:
    """A mandatory failure gives ineligible or cultivate, as the rule says."""
    assert evaluate(factory(conformity={"in_production": False})).status is S.INELIGIBLE
    late = evaluate(factory(submitted_on="2030-06-01"))
    assert verdicts(late)["B-F-deadline"] is V.FAIL and late.status is S.INELIGIBLE
    agency = {"credit_code": credit_code(900), "name": "a", "blacklisted_on": "2029-01-01"}
    banned = factory(report={"route": "third_party", "agency": agency})
    d = evaluate(banned, jurisdiction="ZZ-TA")
    assert verdicts(d)["R-F-agency"] is V.FAIL and d.status is S.CULTIVATE


def test_date_arithmetic_ends_a_ban(evaluate: Any) -> None:
    """A ban found more than three years before the evaluation date no longer applies."""
    agency = {"credit_code": credit_code(900), "name": "a", "blacklisted_on": "2027-05-31"}
    d = evaluate(factory(report={"route": "third_party", "agency": agency}), jurisdiction="ZZ-TA")
    assert verdicts(d)["R-F-agency"] is V.PASS


def test_failed_in_principle_rule_gives_cultivate(evaluate: Any) -> None:
    """An in-principle failure makes a cultivation object."""
    f = factory(water={"key_water_user": True, "water_saving_certified": False})
    d = evaluate(f)
    assert verdicts(d)["B-F-water"] is V.FAIL
    assert d.status is S.CULTIVATE


def test_waiver_turns_in_principle_fail_into_waived(evaluate: Any) -> None:
    """A justified waiver keeps the unit recommended and asks for a reviewer."""
    f = factory(
        water={"key_water_user": True, "water_saving_certified": False},
        waivers=[{"rule": "B-F-water", "justification": JUSTIFICATION}],
    )
    d = evaluate(f)
    assert verdicts(d)["B-F-water"] is V.WAIVED
    assert d.status is S.RECOMMEND and d.review_required


def test_waiver_cannot_excuse_a_mandatory_rule(evaluate: Any) -> None:
    """A waiver naming a mandatory rule changes nothing."""
    f = factory(
        conformity={"in_production": False},
        waivers=[{"rule": "B-F-operating", "justification": JUSTIFICATION}],
    )
    d = evaluate(f)
    assert verdicts(d)["B-F-operating"] is V.FAIL and d.status is S.INELIGIBLE


def test_unknown_that_could_change_status_is_undetermined(evaluate: Any) -> None:
    """A rule that cannot be decided and could disqualify leaves the status undetermined."""
    d = evaluate(factory(conformity={}))
    assert verdicts(d)["B-F-operating"] is V.UNKNOWN
    assert d.status is S.UNDETERMINED
    assert d.missing == ("conformity.in_production",)


def test_unknown_that_cannot_worsen_status_does_not_block(evaluate: Any) -> None:
    """A known ineligible stays ineligible whatever the unknowns could be."""
    d = evaluate(factory(conformity={"in_production": False}, water={}))
    assert d.status is S.INELIGIBLE


def test_unknown_cultivate_rule_over_known_cultivate_is_cultivate(evaluate: Any) -> None:
    """An unknown that could only give the same outcome does not make it undetermined."""
    f = factory(report={"route": "self"}, water={"key_water_user": True})
    d = evaluate(f, jurisdiction="ZZ-TA")
    assert verdicts(d)["R-F-water"] is V.UNKNOWN
    f2 = factory(report=None, water={"key_water_user": True, "water_saving_certified": False})
    d2 = evaluate(f2, jurisdiction="ZZ-TA")
    assert verdicts(d2)["R-F-water"] is V.FAIL and verdicts(d2)["B-F-report"] is V.UNKNOWN
    assert d2.status is S.CULTIVATE


def test_waiver_makes_an_unknown_in_principle_rule_harmless(evaluate: Any) -> None:
    """An unknown in-principle rule with a waiver can only pass or be waived: no undetermined."""
    f = factory(
        water={"key_water_user": True},
        waivers=[{"rule": "B-F-water", "justification": JUSTIFICATION}],
    )
    d = evaluate(f)
    assert verdicts(d)["B-F-water"] is V.UNKNOWN
    assert d.status is S.RECOMMEND


def test_not_applicable_when_applicability_is_false(evaluate: Any) -> None:
    """A rule whose condition of application is false is not applicable."""
    assert verdicts(evaluate(factory()))["B-F-water"] is V.NOT_APPLICABLE


def test_priority_rules_never_disqualify(evaluate: Any) -> None:
    """Failing a priority rule changes the priority, never the status."""
    d = evaluate(factory(energy=[{"product": "widget", "value": 150.0}]))
    assert verdicts(d)["B-F-benchmark"] is V.FAIL
    assert d.status is S.RECOMMEND and d.priority.score == (0.0,)
    assert evaluate(factory()).priority.score == (2.0,)


def test_unknown_priority_rule_lists_missing_but_keeps_status(evaluate: Any) -> None:
    """An undecidable priority rule contributes nothing and names what is missing."""
    d = evaluate(factory(energy=[{"product": "gizmo", "value": 1.0}]))
    assert verdicts(d)["B-F-benchmark"] is V.UNKNOWN
    assert d.status is S.RECOMMEND
    assert d.missing == ("ref:benchmarks[gizmo].benchmark",)


def test_park_score_counts_green_factories(registry: gr.Registry) -> None:
    """A score rule adds the number it evaluates to, at its own priority level."""
    members = [
        {
            "credit_code": credit_code(100 + i),
            "name": f"m{i}",
            "memberships": [{"programme": "factory", "tier": "city", "year": 2029, "valid": i < 2}],
        }
        for i in range(3)
    ]
    park = gr.IndustrialPark(
        credit_code=credit_code(1), name="p", enterprises=members, industry_value_added_share=0.7
    )
    d = gr.evaluate(park, tier="province", round=2030, jurisdiction="ZZ", registry=registry)
    assert d.priority.score == (2.0,)
    assert d.priority.reasons == ("B-P-green-factories",)
    assert d.status is S.RECOMMEND
