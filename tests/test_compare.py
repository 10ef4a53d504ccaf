"""Tests of the what-if: parameter overrides and comparing a population under two registries."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import greenrules as gr
from greenrules._columnar.schema import models_to_frame
from greenrules._model.entities import ENTITY_TYPES
from greenrules._model.enums import Verdict
from greenrules.testing import applicants

EXAMPLE = (
    Path(__file__).parents[1] / "criteria/greenrules_cn_nm/r2025/shared/examples/round-2025.json"
)
CONTEXT = {"tier": "province", "round": 2025, "jurisdiction": "CN-NM"}
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_with_params_overrides_in_every_period_and_says_so() -> None:
    """The new value keeps the old periods, names the override and changes the digest."""
    base = gr.default_registry()
    other = base.with_params("cn-nm", 2025, {"sc_market_share_min": 0.03})
    old, new = base.get("cn-nm", 2025), other.get("cn-nm", 2025)
    assert [v.value for v in new.params["sc_market_share_min"].values] == [0.03]
    assert [v.period for v in new.params["sc_market_share_min"].values] == [
        v.period for v in old.params["sc_market_share_min"].values
    ]
    assert "override" in new.params["sc_market_share_min"].values[0].source
    assert new.digest != old.digest
    assert old.params["sc_market_share_min"].values[0].value == 0.05  # the base is untouched
    assert other.origin(new) == base.origin(old)
    entity = next(e for e in gr.load_entities(EXAMPLE) if e.programme == "supply_chain")
    digests = {
        ref.id + ref.version: ref.digest
        for ref in gr.evaluate(entity, registry=other, **CONTEXT).provenance.packs
    }
    assert digests["cn-nm" + new.version] == new.digest


def test_with_params_reads_text_as_the_parameter_kind() -> None:
    """A value given as text (from a command line) is read as the parameter's kind."""
    other = gr.default_registry().with_params("cn-nm", 2025, {"agency_report_due": "2024-05-31"})
    value = other.get("cn-nm", 2025).params["agency_report_due"].values[0].value
    assert value.isoformat() == "2024-05-31"


def test_with_params_refuses_bad_overrides_naming_each_parameter() -> None:
    """Unknown names and values of another kind are typed problems, all raised together."""
    registry = gr.default_registry()
    with pytest.raises(gr.PackError) as caught:
        registry.with_params(
            "cn-nm",
            2025,
            {"no_such": 1, "sc_market_share_min": "abc", "sc_revenue_min_cny": True},
        )
    problems = {(p.code, p.message.split(":")[0]) for p in caught.value.problems}
    assert ("unknown-param", "no parameter 'no_such' (its parameters") in problems
    assert ("param-kind", "parameter sc_market_share_min") in problems
    assert ("param-kind", "parameter sc_revenue_min_cny") in problems
    for bad in (float("nan"), None, [1]):
        with pytest.raises(gr.PackError, match="sc_market_share_min"):
            registry.with_params("cn-nm", 2025, {"sc_market_share_min": bad})
    with pytest.raises(gr.PackError, match="mapping"):
        registry.with_params("cn-nm", 2025, [("sc_market_share_min", 1)])  # type: ignore[arg-type]
    with pytest.raises(gr.PackNotFoundError):
        registry.with_params("cn-nm", 1999, {})


def _native(registry: gr.Registry) -> list[gr.Decision]:
    return gr.evaluate_many(gr.load_entities(EXAMPLE), registry=registry, **CONTEXT)


def _expected_changes(base: gr.Registry, other: gr.Registry) -> dict[str, tuple[str, ...]]:
    """By entity, the rules whose verdicts differ, from two separate native evaluations."""
    out = {}
    for a, b in zip(_native(base), _native(other), strict=True):
        moved = tuple(r for r in a.rule_ids if a.verdict(r) is not b.verdict(r))
        if moved or a.status is not b.status or a.priority.score != b.priority.score:
            out[a.entity_id] = moved
    return out


def _moved(comparison: gr.Comparison) -> dict[str, tuple[str, ...]]:
    """By entity, the rules a comparison says moved; the other changes are rank-only."""
    out = {}
    for c in comparison.changes:
        if c.moves or c.status_changed or c.priority_before != c.priority_after:
            out[c.entity_id] = tuple(m.rule for m in c.moves)
        else:
            assert c.rank_before != c.rank_after, c
    return out


def test_market_share_at_three_percent_matches_two_evaluations() -> None:
    """The example round with the market-share line at 3%: exactly who moved, and why."""
    base = gr.default_registry()
    other = base.with_params("cn-nm", 2025, {"sc_market_share_min": 0.03})
    comparison = gr.compare(EXAMPLE, base, other, **CONTEXT)
    expected = _expected_changes(base, other)
    assert expected  # the example has an enterprise at 3%
    assert _moved(comparison) == expected
    natives = {d.entity_id: d for d in _native(other)}
    change = comparison.changes[0]
    assert [(m.rule, m.before, m.after) for m in change.moves] == [
        ("NM25-S-influence", "fail", "pass")
    ]
    assert dict(change.moves[0].read) == {"market_share": 0.03}
    assert change.priority_after == natives[change.entity_id].priority.score
    assert comparison.status_changes == ()
    assert comparison.rule_moves == {("NM25-S-influence", "fail", "pass"): 1}
    assert comparison.params == (("cn-nm", "sc_market_share_min", 0.05, 0.03),)
    assert sum(comparison.transitions.values()) == comparison.size == len(natives)


def test_a_stricter_park_line_changes_statuses_as_two_evaluations_do() -> None:
    """A mandatory threshold raised above the example parks' share: their statuses move."""
    base = gr.default_registry()
    other = base.with_params("cn-national", 2024, {"park_industry_share_min": 0.75})
    comparison = gr.compare(EXAMPLE, base, other, **CONTEXT)
    before = {d.entity_id: d for d in _native(base)}
    after = {d.entity_id: d for d in _native(other)}
    moved = {k for k in before if before[k].status is not after[k].status}
    assert moved
    assert {c.entity_id for c in comparison.status_changes} == moved
    assert _moved(comparison) == _expected_changes(base, other)
    for change in comparison.status_changes:
        assert change.status_after is after[change.entity_id].status
        assert change.status_before is before[change.entity_id].status
    for (a, b), n in comparison.transitions.items():
        assert n == sum(1 for k in before if before[k].status is a and after[k].status is b), (a, b)


def test_ranks_are_the_rank_function_within_each_programme() -> None:
    """Rank before and after is the place ``rank`` gives among the entity's programme."""
    base = gr.default_registry()
    other = base.with_params("cn-national", 2024, {"park_industry_share_min": 0.75})
    comparison = gr.compare(EXAMPLE, base, other, **CONTEXT)
    places = []
    for registry in (base, other):
        decisions = _native(registry)
        place = {}
        for entry in gr.rank(decisions):  # numbered within each programme
            place[entry.decision.entity_id] = entry.rank
        places.append(place)
    assert comparison.changes
    for change in comparison.changes:
        assert change.rank_before == places[0][change.entity_id]
        assert change.rank_after == places[1][change.entity_id]


def test_text_json_and_workbook_in_both_languages(tmp_path: Path) -> None:
    """Every output names the changed entity and the rule that moved it."""
    base = gr.default_registry()
    other = base.with_params("cn-nm", 2025, {"sc_market_share_min": 0.03})
    comparison = gr.compare(EXAMPLE, base, other, **CONTEXT)
    code = comparison.changes[0].entity_id
    for lang, word in (("en", "not met -> met"), ("zh", "不符合 -> 符合")):
        text = comparison.render(lang)
        assert code in text and "NM25-S-influence" in text and word in text
        path = gr.write_comparison(tmp_path / f"c-{lang}.xlsx", comparison, lang=lang)
        cells = [
            str(v)
            for sheet in openpyxl.load_workbook(path).worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
        ]
        assert code in cells
        assert any("NM25-S-influence" in v for v in cells)
    data = json.loads(json.dumps(comparison.to_dict(), ensure_ascii=False))
    assert data["changes"][0]["rules"][0]["read"] == {"market_share": 0.03}
    assert data["params"] == [
        {"pack": "cn-nm", "name": "sc_market_share_min", "before": 0.05, "after": 0.03}
    ]
    with pytest.raises(gr.InvalidInputError):
        gr.write_comparison(tmp_path / "c.csv", comparison)
    with pytest.raises(gr.InvalidInputError):
        comparison.render("fr")


def test_compare_refuses_what_is_not_a_registry() -> None:
    """Base and other are registries; anything else is a located bad argument."""
    with pytest.raises(gr.InvalidInputError) as caught:
        gr.compare(EXAMPLE, gr.default_registry(), "cn-nm", **CONTEXT)  # type: ignore[arg-type]
    assert caught.value.problems[0].loc == ("other",)


def _population(entities: list[gr.Applicant], programme: str) -> pl.DataFrame:
    frame = models_to_frame(entities, ENTITY_TYPES[gr.Programme(programme)])
    return frame.with_columns(pl.lit(programme).alias("programme"))


def _code(entity: gr.Applicant) -> str:
    return entity.credit_code


@pytest.mark.parametrize("programme", ["factory", "park", "supply_chain"])
def test_comparing_a_registry_with_itself_changes_nothing(programme: str) -> None:
    """Property: the same rules on both sides move no entity, no rule and no rank."""
    registry = gr.default_registry()
    ruleset = registry.ruleset(programme=programme, **CONTEXT)

    @SETTINGS
    @given(st.lists(applicants(programmes=[programme], aim=ruleset), max_size=8, unique_by=_code))
    def check(entities: list[gr.Applicant]) -> None:
        comparison = gr.compare(_population(entities, programme), registry, registry, **CONTEXT)
        assert comparison.changes == ()
        assert comparison.rule_moves == {}
        assert all(a is b for a, b in comparison.transitions)

    check()


# Each parameter is a minimum: a value at or above the pack's is stricter. sc_green_suppliers_min
# is left out: generated enterprises almost never list three suppliers on a green-factory list,
# so no verdict would move and the property would not be exercised.
STRICTER = [
    ("cn-nm", 2025, "supply_chain", "sc_market_share_min", st.floats(0.05, 0.3)),
    ("cn-nm", 2025, "supply_chain", "sc_revenue_min_cny", st.floats(4e8, 2e9)),
    ("cn-national", 2024, "park", "park_industry_share_min", st.floats(0.5, 0.95)),
]


@pytest.mark.parametrize(("pack", "round_", "programme", "name", "values"), STRICTER)
def test_a_stricter_threshold_never_turns_a_fail_into_a_pass(
    pack: str, round_: int, programme: str, name: str, values: st.SearchStrategy[float]
) -> None:
    """Property: raising a minimum never makes a monotone rule pass where it failed."""
    base = gr.default_registry()
    ruleset = base.ruleset(programme=programme, **CONTEXT)
    monotone = {rule.id for rule in ruleset.rules if rule.monotone}
    seen: list[tuple[str, str, str]] = []

    @SETTINGS
    @given(
        st.lists(applicants(programmes=[programme], aim=ruleset), max_size=8, unique_by=_code),
        values,
    )
    def check(entities: list[gr.Applicant], value: float) -> None:
        stricter = base.with_params(pack, round_, {name: value})
        comparison = gr.compare(_population(entities, programme), base, stricter, **CONTEXT)
        for rule, before, after in comparison.rule_moves:
            seen.append((rule, before, after))
            if rule in monotone:
                assert (before, after) != (Verdict.FAIL.value, Verdict.PASS.value), rule

    check()
    assert seen, "no generated population moved a verdict: the property was not exercised"
