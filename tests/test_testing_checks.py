"""Tests for greenrules.testing's property checks: they hold on sound packs, fail on broken ones."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import InvalidArgument

import greenrules
from greenrules.testing import (
    PropertyViolation,
    Subject,
    check_citations,
    check_determinism,
    check_monotonicity,
    check_no_contradictions,
    check_reachability,
    check_tier_nesting,
    check_waiver_soundness,
    subject,
)

KIT = Path(__file__).parent / "kit_packs"
QUICK = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
FIND = settings(QUICK, phases=[Phase.generate])
"""For broken packs: finding the failure is the point; shrinking it is tested once, below."""


def broken(name: str, **kwargs: Any) -> Subject:
    """A subject for one of the deliberately broken packs, alone in its own registry."""
    pack = greenrules.load_pack(KIT / name, **kwargs)
    return subject(pack, registry=greenrules.Registry())


@pytest.fixture(scope="module")
def inner_mongolia() -> Subject:
    return subject("CN-NM")


@pytest.fixture(scope="module")
def aimed() -> Subject:
    return subject(greenrules.load_pack(KIT / "aimed"), registry=greenrules.Registry())


def test_checks_hold_on_the_bundled_pack(inner_mongolia: Subject) -> None:
    """Determinism, monotonicity, tier nesting, waivers and citations hold for CN-NM 2025."""
    check_determinism(inner_mongolia, settings=QUICK)
    check_monotonicity(inner_mongolia, settings=QUICK)
    check_tier_nesting(inner_mongolia, settings=QUICK)
    check_waiver_soundness(inner_mongolia, settings=QUICK)
    check_citations(inner_mongolia, settings=QUICK)


def test_determinism_fails_on_a_predicate_that_is_not_a_function() -> None:
    """A predicate that answers differently on the same facts is caught, with its input."""
    flips = itertools.count()
    coin = greenrules.Predicate("coin", lambda entity: next(flips) % 2 == 0, ())
    with pytest.raises(PropertyViolation, match="determinism") as caught:
        check_determinism(broken("nondeterministic", predicates=[coin]), settings=FIND)
    assert "T-coin" in str(caught.value) or "status" in str(caught.value)
    assert caught.value.example["programme"] == "factory"


def test_determinism_holds_for_a_pure_predicate() -> None:
    """The same pack with a predicate that depends only on the facts is deterministic."""
    pure = greenrules.Predicate("coin", lambda entity: entity.name.startswith("包"), ("name",))
    check_determinism(broken("nondeterministic", predicates=[pure]), settings=QUICK)


def test_monotonicity_fails_when_a_declared_direction_is_wrong() -> None:
    """A rule declaring energy lower-is-better that rewards higher energy is caught, shrunk."""
    with pytest.raises(
        PropertyViolation, match=r"T-energy declares energy\.value lower_is_better"
    ) as caught:
        # derandomized: where shrinking ends is asserted, so the search must not vary by run
        check_monotonicity(broken("non_monotone"), settings=settings(QUICK, derandomize=True))
    assert "rule T-energy: pass became fail" in str(caught.value)
    assert len(caught.value.example["energy"]) == 1  # shrunk to the one item that matters


def test_monotonicity_holds_where_declarations_are_right(aimed: Subject) -> None:
    """The aimed test pack's declarations (lower energy, higher share and revenue) hold."""
    check_monotonicity(aimed, settings=QUICK)


def test_tier_nesting_fails_when_national_rules_ignore_the_region_list() -> None:
    """A national tier that never asks for the province list lets unlisted applicants through."""
    with pytest.raises(PropertyViolation, match="no valid province factory listing"):
        check_tier_nesting(broken("unnested"), settings=FIND)


def test_tier_nesting_needs_the_upper_tier(aimed: Subject) -> None:
    """Tier nesting on a pack without a national tier is a failure, not a silent pass."""
    with pytest.raises(PropertyViolation, match="no national tier"):
        check_tier_nesting(aimed, settings=QUICK)


def test_waiver_soundness_fails_when_a_waiver_passes_a_mandatory_rule() -> None:
    """A mandatory rule that reads waivers turns removal of a waiver into a worse status."""
    with pytest.raises(PropertyViolation, match="the waiver for T-water changed rule T-water"):
        check_waiver_soundness(broken("waiver_loophole"), settings=FIND)


def test_citations_fail_on_a_rule_citing_an_uncovered_clause() -> None:
    """A rule citing a clause whose coverage says not_checkable is caught."""
    with pytest.raises(PropertyViolation, match="T-procedure cites T-3, whose coverage says"):
        check_citations(broken("miscited"), settings=FIND)


def test_reachability_fails_on_dead_and_idle_rules() -> None:
    """A rule nothing passes and a rule nothing fails are both named."""
    with pytest.raises(PropertyViolation) as caught:
        check_reachability(broken("unreachable"))
    text = str(caught.value)
    assert "rule T-never-passes never passed" in text
    assert "rule T-never-fails never failed" in text


def test_reachability_holds_on_a_sound_pack(aimed: Subject) -> None:
    """Every rule of the aimed test pack passes on some input and fails on another."""
    check_reachability(aimed)


def test_contradictions_are_found_with_both_sides_shown() -> None:
    """Two rules asking for a fact to be true and false are reported with two inputs."""
    with pytest.raises(PropertyViolation, match="T-key-water and T-not-key-water") as caught:
        check_no_contradictions(broken("contradictory"))
    assert caught.value.example["water"]["key_water_user"] is True
    assert '"key_water_user": false' in str(caught.value)


def test_no_contradictions_in_a_sound_pack(aimed: Subject) -> None:
    """The aimed test pack's rules can all be met at once."""
    check_no_contradictions(aimed)


def test_a_subject_names_its_contexts(inner_mongolia: Subject) -> None:
    """A subject lists each tier and programme with rules, and finds one by name."""
    assert inner_mongolia.pack.id == "cn-nm"
    ctx = inner_mongolia.context("national", "park")
    assert ctx.describe() == "CN-NM 2025, tier national, park"
    with pytest.raises(LookupError):
        inner_mongolia.context("city", "park")


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"of": "XX-NONE"}, "of='XX-NONE'"),
        ({"of": 3}, "of=3"),
        ({"of": "CN-NM", "round": 1999}, "round=1999"),
    ],
)
def test_subject_arguments_are_checked(kwargs: dict[str, Any], argument: str) -> None:
    """A subject that cannot be resolved names the argument."""
    with pytest.raises(InvalidArgument, match=argument):
        subject(**kwargs)


def test_a_violation_reads_as_a_report() -> None:
    """A violation's text names the property, the context, the details and the example."""
    error = PropertyViolation("determinism", "XX 2025", ["a differs"], {"name": "x"})
    assert str(error).splitlines()[:2] == ["determinism does not hold in XX 2025:", "  a differs"]
    assert '"name": "x"' in str(error)
    assert isinstance(error, AssertionError) and isinstance(error, greenrules.GreenrulesError)
