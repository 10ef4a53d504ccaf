"""Property tests of the Xiping example pack, written only with the public greenrules.testing kit.

This is what a maintainer's own test file looks like: one subject (the installed pack, found
through its entry point), each ready-made property check called once, and a property of the
pack's own written with the strategies.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings

import greenrules
from greenrules.testing import (
    Subject,
    check_citations,
    check_determinism,
    check_monotonicity,
    check_no_contradictions,
    check_reachability,
    check_tier_nesting,
    check_waiver_soundness,
    factories,
    subject,
)

CHECKS = settings(max_examples=80, deadline=None)


@pytest.fixture(scope="module")
def xiping() -> Subject:
    """The installed Xiping pack, layered on the national pack as users get it."""
    return subject("CN-XP")


def test_the_pack_is_installed_through_its_entry_point() -> None:
    """The registry found cn-xp through the greenrules.criteria entry point of its distribution."""
    registry = greenrules.default_registry()
    (pack,) = [p for p in registry.packs if p.jurisdiction == "CN-XP"]
    assert registry.origin(pack) == "greenrules-example-province"
    assert [str(base) for base in pack.bases] == ["cn-national-factory"]


def test_determinism(xiping: Subject) -> None:
    """The same applicant always gets the same decision."""
    check_determinism(xiping, settings=CHECKS)


def test_monotonicity(xiping: Subject) -> None:
    """Earlier submission, earlier listing, lower energy and more certificates never hurt."""
    check_monotonicity(xiping, settings=CHECKS)


def test_tier_nesting(xiping: Subject) -> None:
    """Only factories already on the province list can be national candidates."""
    check_tier_nesting(xiping, settings=CHECKS)


def test_waiver_soundness(xiping: Subject) -> None:
    """Waivers only ever soften in-principle rules."""
    check_waiver_soundness(xiping, settings=CHECKS)


def test_citations(xiping: Subject) -> None:
    """Every finding cites a clause of the catalogue that rules cover."""
    check_citations(xiping, settings=CHECKS)


def test_every_rule_can_pass_and_fail(xiping: Subject) -> None:
    """No rule of the pack (or of the national pack under it) is dead or idle."""
    check_reachability(xiping)


def test_no_two_rules_contradict(xiping: Subject) -> None:
    """Every pair of requirements can be met together."""
    check_no_contradictions(xiping)


@settings(max_examples=60, deadline=None)
@given(
    factories(
        pin={"city": "990100", "submitted_on": dt.date(2025, 6, 21)},
        aim=greenrules.default_registry().get("cn-xp", 2025),
    )
)
def test_a_late_application_is_never_recommended(factory: greenrules.Factory) -> None:
    """Whatever else is true of it, a factory that applied after 20 June is ineligible."""
    decision = greenrules.evaluate(factory, tier="province", round=2025, jurisdiction="CN-XP")
    assert decision.verdict("XP25-F-on-time") is greenrules.Verdict.FAIL
    assert decision.status is greenrules.Status.INELIGIBLE
