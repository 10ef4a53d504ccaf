"""Tests for the pack registry: layering, overrides, clashes and discovery."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import attrs
import pytest

import greenrules as gr
from conftest import PACKS, factory


def ids(ruleset: object) -> list[str]:
    return [r.id for r in ruleset.rules]  # type: ignore[attr-defined]


def test_regional_pack_layers_on_its_base(registry: gr.Registry) -> None:
    """A regional rule set is the base's rules, less replaced and neutralized ones, plus its own."""
    rs = registry.ruleset(jurisdiction="ZZ-TA", round=2030, tier="province", programme="factory")
    assert ids(rs) == ["B-F-operating", "B-F-report", "B-F-benchmark", "R-F-water", "R-F-agency"]
    assert "B-F-deadline" in rs.neutralized
    assert [p.id for p in rs.packs] == ["test-base", "test-region"]


def test_base_pack_alone_keeps_its_rules(registry: gr.Registry) -> None:
    """Layering never changes the base pack's own rule set."""
    rs = registry.ruleset(jurisdiction="ZZ", round=2030, tier="province", programme="factory")
    assert "B-F-water" in ids(rs) and "B-F-deadline" in ids(rs)


def test_rules_are_selected_by_tier(registry: gr.Registry) -> None:
    """Only rules for the requested tier apply."""
    national = registry.ruleset(
        jurisdiction="ZZ-TA", round=2030, tier="national", programme="factory"
    )
    assert "R-F-listed" in ids(national)
    city = registry.ruleset(jurisdiction="ZZ", round=2030, tier="city", programme="factory")
    assert ids(city) == ["B-F-operating", "B-F-report"]


def test_rules_are_selected_by_effective_period(base_pack: gr.Pack) -> None:
    """A rule out of force on the evaluation date does not apply."""
    rule = next(r for r in base_pack.rules if r.id == "B-F-report")
    dated = attrs.evolve(rule, effective=attrs.evolve(rule.effective, start=dt.date(2031, 1, 1)))
    rules = tuple(dated if r is rule else r for r in base_pack.rules)
    registry = gr.Registry([attrs.evolve(base_pack, rules=rules)])
    before = registry.ruleset(jurisdiction="ZZ", round=2030, tier="city", programme="factory")
    after = registry.ruleset(
        jurisdiction="ZZ", round=2031, tier="city", programme="factory", as_of=dt.date(2031, 6, 1)
    )
    assert "B-F-report" not in ids(before) and "B-F-report" in ids(after)


def test_unknown_jurisdiction_round_and_tier_are_lookup_errors(registry: gr.Registry) -> None:
    """Asking for rules nobody registered raises PackNotFoundError, a LookupError."""
    with pytest.raises(gr.PackNotFoundError, match="registered: ZZ 2030"):
        registry.ruleset(jurisdiction="YY", round=2030, tier="province", programme="factory")
    with pytest.raises(LookupError):
        registry.ruleset(jurisdiction="ZZ-TA", round=2031, tier="province", programme="factory")
    with pytest.raises(gr.PackNotFoundError, match="no rules for tier city"):
        registry.ruleset(jurisdiction="ZZ-TA", round=2030, tier="city", programme="factory")


def test_missing_base_pack_is_an_error(region_pack: gr.Pack) -> None:
    """A regional pack whose base is not registered is refused, never silently used alone."""
    with pytest.raises(gr.PackError) as info:
        gr.Registry([region_pack])
    assert {p.code for p in info.value.problems} == {"missing-base"}


def test_duplicate_and_clashing_packs_are_refused(base_pack: gr.Pack) -> None:
    """Two packs may not serve the same programme for one jurisdiction and round."""
    registry = gr.Registry([base_pack])
    with pytest.raises(gr.PackError, match="duplicate-pack"):
        registry.register(base_pack)
    with pytest.raises(gr.PackError, match="programme-clash") as info:
        registry.register(attrs.evolve(base_pack, id="other", programmes=(gr.Programme.PARK,)))
    assert "other 1.0.0 and test-base 1.0.0" in str(info.value)
    shared = attrs.evolve(base_pack, id="test-shared", shared=True)
    registry.register(shared)  # a shared pack serves no programme alone: no clash
    with pytest.raises(gr.PackError, match="jurisdiction-clash"):
        registry.register(attrs.evolve(shared, id="test-shared-too"))
    with pytest.raises(gr.PackError, match="not-a-pack"):
        registry.register("pack")  # type: ignore[arg-type]


def _region_copy(tmp_path: Path, old: str, new: str, file: str = "rules/factory.yaml") -> Path:
    folder = tmp_path / "region"
    shutil.copytree(PACKS / "region", folder)
    path = folder / file
    path.write_text(path.read_text().replace(old, new))
    return folder


def test_silent_shadowing_is_refused(tmp_path: Path, base_pack: gr.Pack) -> None:
    """A regional rule reusing a base id without declaring replaces is an error."""
    folder = _region_copy(tmp_path, "id: R-F-listed", "id: B-F-operating")
    with pytest.raises(gr.PackError) as info:
        gr.Registry([base_pack, gr.load_pack(folder)])
    assert "shadowed-rule" in {p.code for p in info.value.problems}


def test_overrides_must_name_base_rules(tmp_path: Path, base_pack: gr.Pack) -> None:
    """Replaces and neutralizes must name rules the base pack defines."""
    folder = _region_copy(tmp_path, "replaces: [B-F-water]", "replaces: [B-F-nope]")
    with pytest.raises(gr.PackError, match="bad-override"):
        gr.Registry([base_pack, gr.load_pack(folder)])
    folder2 = _region_copy(tmp_path / "2", "rule: B-F-deadline", "rule: B-F-nope", "pack.yaml")
    with pytest.raises(gr.PackError, match="bad-override"):
        gr.Registry([base_pack, gr.load_pack(folder2)])


def test_with_reference_replaces_a_table(registry: gr.Registry) -> None:
    """A user-supplied official table replaces the pack's, and the digest records it."""
    rows = [{"product": "widget", "benchmark": 80, "baseline": 100, "source": "official table"}]
    official = registry.with_reference("test-base", 2030, "benchmarks", rows)
    f = factory(energy=[{"product": "widget", "value": 95.0}])
    kw = {"tier": "province", "round": 2030, "jurisdiction": "ZZ"}
    ours = gr.evaluate(f, registry=registry, **kw)
    theirs = gr.evaluate(f, registry=official, **kw)
    assert ours.verdict("B-F-benchmark") is gr.Verdict.PASS
    assert theirs.verdict("B-F-benchmark") is gr.Verdict.FAIL
    assert ours.provenance.packs != theirs.provenance.packs


def test_with_reference_checks_the_table(registry: gr.Registry) -> None:
    """A replacement table missing a column or a source is refused."""
    with pytest.raises(gr.PackError, match=r"missing columns \['baseline'\]"):
        registry.with_reference(
            "test-base", 2030, "benchmarks", [{"product": "w", "benchmark": 1, "source": "s"}]
        )
    with pytest.raises(gr.PackError, match="every value needs a source"):
        registry.with_reference(
            "test-base",
            2030,
            "benchmarks",
            [{"product": "w", "benchmark": 1, "baseline": 2, "source": ""}],
        )
    with pytest.raises(gr.PackError, match="unknown-table"):
        registry.with_reference("test-base", 2030, "nope", [])


def test_default_registry_discovers_installed_packs() -> None:
    """The bundled packs are found through the greenrules.criteria entry points."""
    registry = gr.default_registry()
    found = {p.id for p in registry.packs}
    assert {"cn-national", "cn-nm"} <= found
    nm = registry.get("cn-nm", 2025)
    assert registry.origin(nm) == "greenrules"


def test_broken_plugin_is_an_error_not_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry point that fails to load makes discovery fail, naming the plug-in."""
    from importlib import metadata

    broken = metadata.EntryPoint("broken", "greenrules_no_such_module:pack", "greenrules.criteria")
    monkeypatch.setattr(metadata, "entry_points", lambda group: [broken])
    with pytest.raises(gr.PackError) as info:
        gr.Registry.from_entry_points()
    (problem,) = info.value.problems
    assert problem.code == "plugin-load" and problem.pack == "broken"


def test_a_replacement_out_of_force_leaves_the_base_rule(
    tmp_path: Path, base_pack: gr.Pack
) -> None:
    """A regional replacement applies only where it is itself in force (tier, date)."""
    folder = _region_copy(
        tmp_path,
        "    tiers: [province, national]\n    strength: in_principle\n    replaces: [B-F-water]",
        "    tiers: [national]\n    strength: in_principle\n    replaces: [B-F-water]",
    )
    registry = gr.Registry([base_pack, gr.load_pack(folder)])
    province = registry.ruleset(
        jurisdiction="ZZ-TA", round=2030, tier="province", programme="factory"
    )
    national = registry.ruleset(
        jurisdiction="ZZ-TA", round=2030, tier="national", programme="factory"
    )
    assert "B-F-water" in ids(province) and "R-F-water" not in ids(province)
    assert "R-F-water" in ids(national) and "B-F-water" not in ids(national)


def test_a_programme_the_pack_does_not_cover_is_not_found(
    tmp_path: Path, base_pack: gr.Pack
) -> None:
    """Evaluating a programme the regional pack leaves out is refused, not silently thinned."""
    folder = _region_copy(
        tmp_path, "programmes: [factory, park, supply_chain]", "programmes: [factory]", "pack.yaml"
    )
    registry = gr.Registry([base_pack, gr.load_pack(folder)])
    with pytest.raises(gr.PackNotFoundError, match="the park pack of ZZ-TA round 2030 is not"):
        registry.ruleset(jurisdiction="ZZ-TA", round=2030, tier="province", programme="park")


def test_with_reference_keeps_where_packs_came_from() -> None:
    """Replacing a table keeps each pack's recorded origin."""
    registry = gr.default_registry()
    table = next(iter(registry.get("cn-national", 2025).tables))
    spec = registry.get("cn-national", 2025).tables[table]
    rows = [{spec.key: "x", **dict.fromkeys(spec.columns, 1), "source": "official"}]
    official = registry.with_reference("cn-national", 2025, table, rows)
    assert official.origin(official.get("cn-nm", 2025)) == "greenrules"


def _amending_round(tmp_path: Path, **extra: str) -> tuple[gr.Pack, gr.Pack]:
    """The base pack cut to round 2030, and a round-2031 pack amending it by id."""
    base_folder = tmp_path / "base"
    shutil.copytree(PACKS / "base", base_folder)
    meta = base_folder / "pack.yaml"
    text = meta.read_text().replace("rounds: [2030, 2031]", "rounds: [2030]")
    meta.write_text(text.replace(", 2031: 2031-06-30}", "}"))
    folder = tmp_path / "r2031"
    (folder / "rules").mkdir(parents=True)
    fields = {
        "closed": "[{programme: supply_chain, tier: national, clause: N-1, "
        "reason: {zh: 本年不受理, en: not taken this round}}]",
        **extra,
    }
    (folder / "pack.yaml").write_text(
        "id: test-base\nversion: '2.0.0'\njurisdiction: ZZ\nrounds: [2031]\n"
        "name: {zh: 第二轮, en: second round}\n"
        "source: {title: synthetic notice, issuer: greenrules tests, date: 2031-01-01}\n"
        "evaluation_dates: {2031: 2031-09-30}\nprogrammes: [factory, park, supply_chain]\n"
        "tiers: [city, province, national]\nextends: test-base\nextends_round: 2030\n"
        "neutralizes: [{rule: B-F-report, reason: no report is asked for this round}]\n"
        + "".join(f"{k}: {v}\n" for k, v in fields.items())
    )
    (folder / "clauses.yaml").write_text(
        "clauses:\n"
        "  - {id: N-1, kind: scope, section: '1', summary: {zh: 范围, en: scope},\n"
        "     coverage: {how: support, by: [pack.yaml closed]}}\n"
        "  - {id: N-2, kind: hard, section: '2', summary: {zh: 在产, en: in production},\n"
        "     coverage: {how: rules}}\n"
    )
    (folder / "rules" / "factory.yaml").write_text(
        "programme: factory\nrules:\n"
        "  - {id: N-F-production, clause: N-2, tiers: [national], strength: mandatory,\n"
        "     requires: {fact: conformity.in_production, eq: true},\n"
        "     summary: {zh: 在产, en: in production}}\n"
    )
    return gr.load_pack(base_folder), gr.load_pack(folder)


def test_a_round_amends_an_earlier_round_of_the_same_pack(tmp_path: Path) -> None:
    """extends_round layers a round on an earlier round's pack: its rules, minus neutralized."""
    base, amending = _amending_round(tmp_path)
    registry = gr.Registry([base, amending])
    kw = {"jurisdiction": "ZZ", "tier": "national", "programme": "factory"}
    old, new = registry.ruleset(round=2030, **kw), registry.ruleset(round=2031, **kw)
    assert "B-F-report" in ids(old) and "N-F-production" not in ids(old)
    assert "B-F-report" not in ids(new) and {"B-F-operating", "N-F-production"} <= set(ids(new))
    assert new.as_of == dt.date(2031, 9, 30)
    assert [p.version for p in registry.resolve("ZZ", 2031)] == ["1.0.0", "2.0.0"]


def test_a_closed_programme_is_refused_citing_its_clause(tmp_path: Path) -> None:
    """A context the round does not open raises PackNotFoundError; the others evaluate."""
    registry = gr.Registry(_amending_round(tmp_path))
    where = {"jurisdiction": "ZZ", "round": 2031}
    with pytest.raises(gr.PackNotFoundError, match=r"N-1: not taken this round"):
        registry.ruleset(**where, tier="national", programme="supply_chain")
    closure = registry.closure(**where, tier="national", programme="supply_chain")
    assert closure is not None and closure.clause == "N-1"
    assert registry.closure(**where, tier="province", programme="supply_chain") is None
    assert registry.ruleset(**where, tier="province", programme="supply_chain").round == 2031
    earlier = {"jurisdiction": "ZZ", "round": 2030, "tier": "national"}
    assert registry.closure(**earlier, programme="supply_chain") is None


def test_a_closure_must_cite_a_known_clause(tmp_path: Path) -> None:
    """A closed entry citing a clause outside the catalogue is bad-closure."""
    with pytest.raises(gr.PackError) as info:
        _amending_round(
            tmp_path,
            closed="[{programme: park, tier: national, clause: N-9, reason: {zh: 否, en: shut}}]",
        )
    assert {p.code for p in info.value.problems} == {"bad-closure"}
