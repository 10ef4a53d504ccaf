"""Properties of the bundled packs that hold for every applicant, not only the worked cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import greenrules as gr
from greenrules._decision.ranking import STATUS_ORDER
from greenrules.testing import factories, parks, supply_chain_enterprises

REGISTRY = gr.default_registry()
PACK = REGISTRY.get("cn-nm", 2025)
# Products with a benchmark or a grade-1 value in force, so energy changes can move priority.
PRODUCTS = sorted(
    {r["product"] for r in PACK.tables["energy_benchmarks"].rows if r["benchmark"] is not None}
    | {"gb21347.primary-magnesium", "gb21341.ferrosilicon", "gb16780.cement-clinker"}
)
CITIES = sorted(row["code"] for row in PACK.tables["nm_cities"].rows)
# Facts pinned to pass every mandatory rule, so that in-principle rules and their waivers,
# not an unrelated exclusion, decide the status the properties compare.
SOUND: dict[str, Any] = {
    "city": st.sampled_from(CITIES),
    "report.route": "self",
    "submitted_on": dt.date(2025, 5, 6),
    "dynamic_form_filed_on": dt.date(2025, 4, 1),
    "department_objection": False,
    **{f"standing.{name}": False for name in (
        "removed_from_list", "major_accident", "falsified_materials", "material_change",
    )},
    **{f"standing.{name}": () for name in (
        "abnormal_operation", "incidents", "inspection_findings", "energy_rectification",
        "dishonest_debtor",
    )},
    **{f"conformity.{name}": True for name in (
        "legal_entity", "in_production", "management_systems", "beats_industry_average",
        "accepts_energy_supervision", "meets_evaluation_standard",
    )},
}  # fmt: skip
PARK = {
    "management_body": True,
    "industry_value_added_share": st.floats(0.51, 1.0),
    "cultivation_plan_published": True,
    **{f"enterprises.standing.{name}": () for name in (
        "abnormal_operation", "incidents", "inspection_findings", "energy_rectification",
        "dishonest_debtor",
    )},
}  # fmt: skip
CHAIN = {"chain_role": "leading", "supplier_management_system": True, "green_supplier_plan": True}

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _decide(entity: gr.Applicant, tier: str = "province") -> gr.Decision:
    return gr.evaluate(entity, tier=tier, round=2025, jurisdiction="CN-NM", registry=REGISTRY)


def _lowered(factory: gr.Factory, cuts: list[float]) -> gr.Factory:
    assert factory.energy is not None
    lines = [
        line.model_copy(update={"value": None if line.value is None else line.value - cut})
        for line, cut in zip(factory.energy, cuts, strict=False)
    ]
    return factory.model_copy(update={"energy": (*lines, *factory.energy[len(lines) :])})


@SETTINGS
@given(
    factories(
        aim=PACK,
        pin={
            **SOUND,
            "energy.product": st.sampled_from(PRODUCTS),
            "energy.value": st.floats(-100, 20000, allow_nan=False),
        },
    ),
    st.lists(st.floats(0, 5000, allow_nan=False), min_size=1, max_size=4),
)
def test_lowering_energy_consumption_never_lowers_priority(
    factory: gr.Factory, cuts: list[float]
) -> None:
    """Consuming less energy per unit of product never costs a factory priority."""
    before = _decide(factory)
    after = _decide(_lowered(factory, cuts))
    assert after.priority.score >= before.priority.score
    assert after.status is before.status


def _strip_region_list(entity: gr.Applicant) -> gr.Applicant:
    kept = tuple(
        m for m in entity.memberships or ()
        if not (m.tier is gr.Tier.PROVINCE and m.programme is entity.programme)
    )  # fmt: skip
    return entity.model_copy(update={"memberships": kept if entity.memberships else None})


ANY_APPLICANT = st.one_of(
    factories(aim=PACK),
    parks(aim=PACK),
    supply_chain_enterprises(aim=PACK),
    factories(aim=PACK, pin={**SOUND, "resource_utilisation": False}),
    parks(aim=PACK, pin={**SOUND, **PARK}),
    supply_chain_enterprises(aim=PACK, pin={**SOUND, **CHAIN}),
)


@SETTINGS
@given(ANY_APPLICANT)
def test_a_unit_not_on_the_region_list_is_never_recommended_nationally(
    entity: gr.Applicant,
) -> None:
    """Without a valid region-level listing of its programme, no unit is a national candidate."""
    if entity.programme is gr.Programme.SUPPLY_CHAIN:  # MIIT takes none nationally in 2025
        with pytest.raises(gr.PackNotFoundError):
            _decide(_strip_region_list(entity), tier="national")
        return
    decision = _decide(_strip_region_list(entity), tier="national")
    assert decision.status is not gr.Status.RECOMMEND


def _waivable(programme: gr.Programme) -> list[str]:
    rules = REGISTRY.ruleset(
        jurisdiction="CN-NM", round=2025, tier="province", programme=programme
    ).rules
    return [r.id for r in rules if r.strength is gr.Strength.IN_PRINCIPLE]


@st.composite
def waived_applicants(draw: Any) -> gr.Applicant:
    entity: gr.Applicant = draw(ANY_APPLICANT)
    rules = draw(st.lists(st.sampled_from(_waivable(entity.programme)), min_size=1, unique=True))
    waivers = tuple(
        gr.Waiver(rule=rule, justification="书面说明：证书待发，已受理（测试）。") for rule in rules
    )
    return entity.model_copy(update={"waivers": waivers})


@SETTINGS
@given(waived_applicants(), st.sampled_from(["province", "national"]))
def test_removing_a_waiver_never_improves_a_status(entity: gr.Applicant, tier: str) -> None:
    """Taking a waiver away can keep or worsen a status, never better it."""
    if (tier, entity.programme) == ("national", gr.Programme.SUPPLY_CHAIN):
        tier = "province"  # MIIT takes no supply-chain enterprise nationally in 2025
    with_waivers = _decide(entity, tier)
    for waiver in entity.waivers:
        fewer = tuple(w for w in entity.waivers if w is not waiver)
        without = _decide(entity.model_copy(update={"waivers": fewer}), tier)
        assert STATUS_ORDER[without.status] >= STATUS_ORDER[with_waivers.status]
