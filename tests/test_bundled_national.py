"""The bundled national pack read against the national texts: thresholds, citations, rounds."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import greenrules as gr
from greenrules._io.loaders import parse_entities
from greenrules._pack_lint import check_pack

NATIONAL = "cn-national"
ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def registry() -> gr.Registry:
    return gr.default_registry()


def test_removal_for_accidents_names_the_measures_threshold(registry: gr.Registry) -> None:
    """Removal for accidents says major (重大) and level II, never the 2020 notice's 较大."""
    packs = [p for p in registry.packs if p.id.startswith(f"{NATIONAL}-") and 2024 in p.rounds]
    rules = [r for p in packs for r in p.rules if r.clause == "MIIT2024-ch4-rm-a"]
    assert {r.reads() for r in rules} == {
        ("memberships", "memberships.valid", "standing.major_accident")
    }
    shared = registry.get(NATIONAL, 2024)
    for text in [shared.clause("MIIT2024-ch4-rm-a").summary, *(r.summary for r in rules)]:
        assert "重大" in text.zh and "Ⅱ级" in text.zh and "较大" not in text.zh
        assert "major" in text.en and "level-II" in text.en


def _national_factory(agency: dict[str, Any]) -> gr.Factory:
    """A clean factory on its province's list, evaluated by ``agency`` (round 2024 dates)."""
    clean = {
        "abnormal_operation": [],
        "incidents": [],
        "inspection_findings": [],
        "energy_rectification": [],
        "dishonest_debtor": [],
        "removed_from_list": False,
    }
    data = {
        "programme": "factory", "credit_code": "91150200MC0000122E", "name": "示例工厂（虚构示例）",
        "memberships": [{"programme": "factory", "tier": "province", "year": 2023}],
        "report": {"route": "third_party", "agency": agency["credit_code"]},
        "standing": clean, "conformity": dict.fromkeys(
            ("legal_entity", "in_production", "management_systems", "beats_industry_average",
             "accepts_energy_supervision", "meets_evaluation_standard"), True),
    }  # fmt: skip
    (entity,) = parse_entities([data], [agency])
    assert isinstance(entity, gr.Factory)
    return entity


def test_the_2024_agency_cap_is_15_with_its_sources(registry: gr.Registry) -> None:
    """The cap of article 20 is 15 projects, sourced and labelled; 15 passes, 16 fails."""
    (row,) = registry.get(NATIONAL, 2024).tables["national_limits"].rows
    assert row["value"] == 15
    assert row["source"].count("https://") == 2 and row["confidence"].startswith("relayed")
    for count, verdict in ((15, gr.Verdict.PASS), (16, gr.Verdict.FAIL)):
        agency = {
            "credit_code": "91150100MB0000001C",
            "name": "示例机构",
            "national_projects": count,
        }
        decision = gr.evaluate(
            _national_factory(agency), tier="national", round=2024, jurisdiction="CN"
        )
        assert decision.verdict("CN-F-agency-cap") is verdict


def test_an_official_cap_replaces_the_relayed_one(registry: gr.Registry) -> None:
    """A user's official figure (Registry.with_reference) decides instead of the relays' 15."""
    agency = {"credit_code": "91150100MB0000001C", "name": "示例机构", "national_projects": 12}
    rows = [{"name": "agency_national_projects_cap", "value": 10, "unit": "projects",
             "source": "the official notice (test)"}]  # fmt: skip
    official = registry.with_reference(NATIONAL, 2024, "national_limits", rows)
    unit = _national_factory(agency)
    kw: dict[str, Any] = {"tier": "national", "round": 2024, "jurisdiction": "CN"}
    assert gr.evaluate(unit, registry=registry, **kw).verdict("CN-F-agency-cap") is (
        gr.Verdict.PASS
    )
    assert gr.evaluate(unit, registry=official, **kw).verdict("CN-F-agency-cap") is (
        gr.Verdict.FAIL
    )


@pytest.mark.parametrize("jurisdiction", ["CN", "CN-NM"])
def test_no_supply_chain_enterprise_is_taken_nationally_in_2025(
    registry: gr.Registry, jurisdiction: str
) -> None:
    """Round 2025 refuses a national supply-chain evaluation, citing MIIT2025-1-a; 2024 does not."""
    with pytest.raises(gr.PackNotFoundError, match="MIIT2025-1-a"):
        registry.ruleset(
            jurisdiction=jurisdiction, round=2025, tier="national", programme="supply_chain"
        )
    tier = "province"
    assert registry.ruleset(
        jurisdiction=jurisdiction, round=2025, tier=tier, programme="supply_chain"
    )
    assert registry.ruleset(
        jurisdiction="CN", round=2024, tier="national", programme="supply_chain"
    )


def test_the_agency_cap_applies_nationally_in_2024_only(registry: gr.Registry) -> None:
    """No third-party report reaches MIIT in 2025, so the cap has nothing to count."""
    for programme in ("factory", "park"):
        letter = programme[0].upper()
        for jurisdiction, round_, present in (("CN", 2024, True), ("CN", 2025, False),
                                              ("CN-NM", 2025, False)):  # fmt: skip
            ruleset = registry.ruleset(
                jurisdiction=jurisdiction, round=round_, tier="national", programme=programme
            )
            assert (f"CN-{letter}-agency-cap" in ruleset.rule_ids) is present
            assert (f"CN25-{letter}-platform-self-evaluation" in ruleset.rule_ids) is not present


def test_each_round_has_the_national_evaluation_date(registry: gr.Registry) -> None:
    """Round 2024 is judged on 31 July (article 12), round 2025 on 28 October, never 30 May."""
    assert registry.get(NATIONAL, 2024).evaluation_dates == {2024: dt.date(2024, 7, 31)}
    assert registry.get(NATIONAL, 2025).evaluation_dates == {2025: dt.date(2025, 10, 28)}
    ruleset = registry.ruleset(jurisdiction="CN", round=2025, tier="national", programme="park")
    assert ruleset.as_of == dt.date(2025, 10, 28)


def test_the_key_industries_are_reported_missing_not_guessed(registry: gr.Registry) -> None:
    """The 53 key industries are a table with its source and no rows, and check says so."""
    pack = registry.get(NATIONAL, 2025)
    table = pack.tables["key_industries"]
    assert table.rows == () and {"requirement", "industry_codes"} <= set(table.columns)
    assert pack.folder is not None
    report = check_pack(pack.folder, analyse=False)
    assert report.errors == ()
    assert [p.where for p in report.warnings] == ["cn-national table key_industries"]


@pytest.mark.parametrize("folder", ["miit2024", "miit2025"])
def test_both_national_rounds_pass_check(folder: str) -> None:
    """`greenrules check` passes either round's folder, analysis included, as a user runs it.

    It runs in a process of its own: the analysis samples generated applicants, and what the
    rest of the suite leaves cached in this process must not change what it samples.
    """
    path = ROOT / "criteria" / "greenrules_cn_national" / folder / "shared"
    # the kit's properties of the bundled packs run in test_bundled_properties
    command = [sys.executable, "-m", "greenrules", "check", str(path), "--properties", "none"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passed: 0 errors" in done.stdout


def test_a_province_s_choice_on_its_list_decides_article_13(registry: gr.Registry) -> None:
    """Off the provincial list, a 2024 national park or chain waits for the province's choice."""
    park = parse_entities(
        [
            {
                "programme": "park",
                "credit_code": "91150200MC0000153L",
                "name": "示例园区",
                "memberships": [],
            }
        ],
        [],
    )[0]
    kw: dict[str, Any] = {"tier": "national", "round": 2024, "jurisdiction": "CN"}
    rule = "CN-P-provincial-list-choice"
    assert gr.evaluate(park, registry=registry, **kw).verdict(rule) is gr.Verdict.UNKNOWN
    for required, verdict in ((False, gr.Verdict.PASS), (True, gr.Verdict.FAIL)):
        rows = [
            {"programme": p, "list_required": required, "source": "the province's rules (test)"}
            for p in ("park", "supply_chain")
        ]
        chosen = registry.with_reference(NATIONAL, 2024, "province_choices", rows)
        assert gr.evaluate(park, registry=chosen, **kw).verdict(rule) is verdict


def test_national_candidates_leave_out_what_the_round_does_not_open(registry: gr.Registry) -> None:
    """A 2025 region list with supply-chain enterprises is read; no chain is a candidate."""
    path = ROOT / "criteria/greenrules_cn_nm/r2025/shared/examples/round-2025.json"
    region_list = gr.load_entities(path)
    assert any(a.programme is gr.Programme.SUPPLY_CHAIN for a in region_list)
    candidates = gr.national_candidates(
        region_list, jurisdiction="CN-NM", round=2025, registry=registry
    )
    assert {d.programme for d in candidates} <= {gr.Programme.FACTORY, gr.Programme.PARK}
