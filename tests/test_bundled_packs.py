"""The bundled national and Inner Mongolia 2025 packs: catalogue, coverage, data, rules."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml

import greenrules as gr
from greenrules._cli import main
from greenrules._io.loaders import parse_entities
from greenrules._model.entities import ENTITY_TYPES
from greenrules._model.facts import fact_schema
from greenrules._rules import conditions as c
from greenrules._rules.rules import CHECKABLE_KINDS, CoverageHow

NM = "cn-nm"
NATIONAL = "cn-national"
NM_IDS = {
    "NM2025-0", "NM2025-1-a", "NM2025-1-b", "NM2025-2.1.1-a", "NM2025-2.1.1-b", "NM2025-2.1.1-c",
    "NM2025-2.1.1-d", "NM2025-2.1.2-a", "NM2025-2.1.2-b", "NM2025-2.1.2-c", "NM2025-2.1.2-d",
    "NM2025-2.1.2-e", "NM2025-2.1.2-f", "NM2025-2.1.2-g", "NM2025-2.1.2-h", "NM2025-2.1.2-i",
    "NM2025-2.1.2-j", "NM2025-2.2-1", "NM2025-2.2-2a", "NM2025-2.2-2b", "NM2025-2.2-2c",
    "NM2025-2.2-2d", "NM2025-2.2-3a", "NM2025-2.2-3b", "NM2025-3.1-a", "NM2025-3.1-b",
    "NM2025-3.1-c", "NM2025-3.2.1-a", "NM2025-3.2.1-b", "NM2025-3.2.2", "NM2025-3.2.3-a",
    "NM2025-3.2.3-b", "NM2025-3.3-a", "NM2025-3.3-b", "NM2025-A",
}  # fmt: skip
NATIONAL_IDS = {
    "MIIT2024-ch1", "MIIT2024-ch2-F-a", "MIIT2024-ch2-F-b", "MIIT2024-ch2-F-c", "MIIT2024-ch2-F-d",
    "MIIT2024-ch2-P-a", "MIIT2024-ch2-P-b", "MIIT2024-ch2-P-c", "MIIT2024-ch2-P-d",
    "MIIT2024-ch2-S-a", "MIIT2024-ch2-S-b", "MIIT2024-ch2-S-c", "MIIT2024-ch2-S-d", "MIIT2024-10",
    "MIIT2024-12", "MIIT2024-13", "MIIT2024-17", "MIIT2024-ch4-dyn", "MIIT2024-ch4-rm-a",
    "MIIT2024-ch4-rm-b",
    "MIIT2024-ch4-rm-c", "MIIT2024-20-a", "MIIT2024-20-b", "MIITN2024-x-a", "MIITN2024-x-b",
    "MIITN2024-x-c", "MIITN2024-x-d", "MIITN2024-x-e", "MIITN2024-x-f",
}  # fmt: skip
RULE_KINDS = {"hard", "in_principle", "priority", "scope", "outcome", "deadline", "penalty"}


@pytest.fixture(scope="module")
def registry() -> gr.Registry:
    return gr.default_registry()


def _family(registry: gr.Registry, pack_id: str, pack: gr.Pack | None = None) -> list[gr.Pack]:
    """The shared pack ``pack_id`` and its programme packs (``pack_id-…``), of ``pack``'s rounds."""
    return [
        p
        for p in registry.packs
        if (p.id == pack_id or p.id.startswith(f"{pack_id}-"))
        and (pack is None or p.rounds == pack.rounds)
    ]


def _catalogue(registry: gr.Registry, pack: gr.Pack) -> dict[str, Any]:
    """Every clause a pack's rules may cite: those of its stack."""
    stack = registry.resolve(pack.jurisdiction, max(pack.rounds), pack.programmes[0])
    return {clause.id: clause for p in stack for clause in p.clauses}


@pytest.fixture(scope="module")
def packs_json() -> list[dict[str, Any]]:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["packs", "--format", "json"]) == 0
    data: list[dict[str, Any]] = json.loads(out.getvalue())
    return data


def _pack(data: list[dict[str, Any]], pack_id: str) -> dict[str, Any]:
    return next(p for p in data if p["id"] == pack_id)


@pytest.mark.parametrize(("pack_id", "ids"), [(NM, NM_IDS), (NATIONAL, NATIONAL_IDS)])
def test_catalogue_holds_every_clause_of_the_source(
    packs_json: list[dict[str, Any]], pack_id: str, ids: set[str]
) -> None:
    """Each pack's catalogue holds exactly the clause ids of its source document."""
    assert {cl["id"] for cl in _pack(packs_json, pack_id)["clauses"]} == ids


@pytest.mark.parametrize("pack_id", [NM, NATIONAL])
def test_no_checkable_clause_is_uncovered(packs_json: list[dict[str, Any]], pack_id: str) -> None:
    """Every checkable clause is covered by rules or named support code, never left bare."""
    for clause in _pack(packs_json, pack_id)["clauses"]:
        coverage = clause["coverage"]
        if clause["kind"] in {str(k) for k in CHECKABLE_KINDS}:
            assert coverage["how"] in ("rules", "support", "not_checkable"), clause["id"]
            if coverage["how"] != "not_checkable":
                assert coverage["by"], clause["id"]
        if coverage["how"] == "not_checkable":
            assert len(coverage["note"]) > 20, clause["id"]


@pytest.mark.parametrize("pack_id", [NM, NATIONAL])
def test_rule_kinds_are_implemented_by_rules(registry: gr.Registry, pack_id: str) -> None:
    """A clause of a rule kind is cited by a rule, unless its coverage says why not."""
    pack = next(p for p in registry.packs if p.id == pack_id)
    cited = {rule.clause for p in _family(registry, pack_id, pack) for rule in p.rules}
    assert cited
    # Covered by support code or not checkable from data; each says why in its note.
    exempt = {
        "NM2025-2.1.2-a", "NM2025-2.2-2d", "NM2025-3.1-b", "NM2025-3.1-c", "NM2025-3.2.1-b",
        "NM2025-3.2.3-a", "NM2025-3.3-b",
        "NM2025-2.1.1-d",  # MIIT takes no supply-chain enterprises nationally in 2025
    }  # fmt: skip
    for clause in pack.clauses:
        if str(clause.kind) in RULE_KINDS and clause.id not in exempt:
            assert clause.id in cited, clause.id
            assert clause.coverage.how is CoverageHow.RULES
    for clause_id in exempt & {cl.id for cl in pack.clauses}:
        clause = pack.clause(clause_id)
        assert clause.coverage.how in (CoverageHow.SUPPORT, CoverageHow.NOT_CHECKABLE)
        assert clause.coverage.note


@pytest.mark.parametrize("pack_id", [NM, NATIONAL])
def test_every_implemented_clause_has_a_case(registry: gr.Registry, pack_id: str) -> None:
    """Each clause a rule implements is cited by at least one of the pack's cases."""
    pack = next(p for p in registry.packs if p.id == pack_id)
    family = _family(registry, pack_id, pack)
    expected: set[str] = set()
    for folder in (p.folder for p in family if p.folder is not None):
        for path in sorted((folder / "cases").glob("*.yaml")):
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
                expected.update(case["expect"].get("clauses", []))
    implemented = {rule.clause for p in family for rule in p.rules}
    assert implemented and implemented <= expected


def test_every_rule_has_both_summaries_and_a_strength_matching_its_clause(
    registry: gr.Registry,
) -> None:
    """Rules keep the clause's strength: 原则上 in principle, 优先 priority, hard mandatory."""
    checked = 0
    for pack in [*_family(registry, NM), *_family(registry, NATIONAL)]:
        for rule in pack.rules:
            checked += 1
            assert rule.summary.zh and rule.summary.en, rule.id
            kind = str(_catalogue(registry, pack)[rule.clause].kind)
            if kind == "in_principle":
                assert rule.strength is gr.Strength.IN_PRINCIPLE, rule.id
            elif kind == "priority" or rule.clause == "NM2025-3.3-a":
                assert rule.strength is gr.Strength.PRIORITY, rule.id
            else:
                assert rule.strength is gr.Strength.MANDATORY, rule.id
    assert checked > 90


MONTHS = "January February March April May June July August September October November December"
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five")
ZH_DIGITS = "零一二三四五六七八九十"


def _number(value: float) -> tuple[set[str], set[str]]:
    text = str(int(value)) if float(value) == int(value) else repr(float(value))
    zh, en = {text}, {text}
    if 0 < value < 1:
        zh.add(f"{value * 100:g}%")
        en.add(f"{value * 100:g}%")
    if value >= 1e8 and value % 1e8 == 0:
        zh.add(f"{value / 1e8:g}亿")
        en.add(f"{value / 1e6:g} million")
    return zh, en


def _days(days: list[dt.date]) -> tuple[set[str], set[str]]:
    """Month and day of each date; with its year when every date has the same year."""
    months = MONTHS.split()
    zh = {f"{d.month}月{d.day}日" for d in days}
    en = {f"{d.day} {months[d.month - 1]}" for d in days}
    if len({d.year for d in days}) == 1:
        zh = {f"{days[0].year}年{z}" for z in zh}
        en = {f"{e} {days[0].year}" for e in en}
    return zh, en


def _mentions(rule: Any, params: dict[str, Any]) -> list[tuple[str, set[str], set[str]]]:
    """What a rule's summaries must name: each threshold, date, period and table it reads.

    Booleans and enum choices are the rule's shape, not thresholds; reference-table cells are
    too many to name, but a table whose keys a rule tests is named.
    """
    out: list[tuple[str, set[str], set[str]]] = []

    def visit(node: Any, schema: dict[str, Any]) -> None:
        if isinstance(node, c.Some | c.Every | c.Count):
            visit(node.where, fact_schema(schema[node.path].item))
            return
        if isinstance(node, c.Compare) and isinstance(node.right, c.Constant):
            left = node.left.value if isinstance(node.left, c.Division) else node.left
            spec = schema.get(left.path) if isinstance(left, c.Fact) else None
            values = node.right.value if node.op in ("in", "not_in") else (node.right.value,)
            for v in values:
                if isinstance(v, bool) or (spec is not None and spec.choices):
                    continue
                if isinstance(v, dt.date):
                    out.append((repr(v), *_days([v])))
                elif isinstance(v, int | float):
                    out.append((repr(v), *_number(v)))
                else:
                    out.append((repr(v), {v}, {v}))
        elif isinstance(node, c.Param):
            values = [d.value for d in params[node.name].values]
            if isinstance(values[0], dt.date):
                out.append((node.name, *_days(values)))
            elif not isinstance(values[0], bool | str):
                out.extend((node.name, *_number(v)) for v in values)
        elif isinstance(node, c.AsOf | c.Shift):
            assert not node.months and not node.days, rule.id  # no such period to render yet
            n = abs(node.years)
            if n:
                zh = {f"{n}年", f"{ZH_DIGITS[n]}年"}
                en = {f"{n} years", f"{NUMBER_WORDS[n]} years", f"{n}rd anniversary"}
                out.append((repr(node), zh, en))
            else:
                out.append(("the evaluation date", {"评价日"}, {"evaluation date"}))
        elif isinstance(node, c.Keys):
            out.append((node.table, {node.table}, {node.table}))
        for child in c.children(node):
            visit(child, schema)

    for root in rule.nodes():
        visit(root, fact_schema(ENTITY_TYPES[rule.programme]))
    return out


def _names(text: str, form: str) -> bool:
    """Whether ``text`` names ``form``; a number only where no other digit touches it."""
    if form[:1].isdigit():
        return re.search(rf"(?<![0-9.]){re.escape(form)}(?![0-9])", text) is not None
    return form in text


@pytest.mark.parametrize("pack_id", [NM, NATIONAL])
def test_every_summary_names_the_thresholds_and_dates_its_rule_tests(
    registry: gr.Registry, pack_id: str
) -> None:
    """Each rule's zh and en summaries name every threshold, date, period and table it reads."""
    params = dict(registry.get(NATIONAL, 2024).params)
    wrong = []
    for pack in (p for p in registry.packs if p.id == pack_id):  # every round of the pack
        params.update(pack.params)
    for rule in (r for p in _family(registry, pack_id) for r in p.rules):
        for label, zh, en in _mentions(rule, params):
            for lang, forms in (("zh", zh), ("en", en)):
                if not any(_names(rule.summary.in_(lang), f) for f in forms):
                    wrong.append(
                        f"{rule.id} {lang} does not name {label} (as one of {sorted(forms)})"
                    )
    assert not wrong, "\n".join(wrong)


def test_the_summary_check_catches_a_date_left_out(registry: gr.Registry) -> None:
    """A summary that drops the 15 April deadline is caught (the check can fail)."""
    factory = registry.get(f"{NATIONAL}-factory", 2024)
    rule = next(r for r in factory.rules if r.id == "CN-F-dynamic-form")
    params = registry.get(NATIONAL, 2024).params
    mentions = _mentions(rule, dict(params))
    cut = rule.summary.zh.replace("4月15日", "")
    assert any(label == "dynamic_form_deadline" for label, _, _ in mentions)
    assert not any(_names(cut, f) for label, zh, _ in mentions if label == "dynamic_form_deadline"
                   for f in zh)  # fmt: skip


def test_region_rules_read_the_cities_table_not_literals(registry: gr.Registry) -> None:
    """The in-region rules test the code's prefecture against the cities table's twelve keys."""
    pack = registry.get(NM, 2025)
    codes = {row["code"] for row in pack.tables["nm_cities"].rows}
    assert len(codes) == 12
    assert all(code.startswith("15") and len(code) == 6 for code in codes)
    rules = [r for p in _family(registry, NM) for r in p.rules if r.clause == "NM2025-1-a"]
    assert len(rules) == 3
    for rule in rules:
        assert rule.requires == c.Compare(
            c.Division(c.Fact("city"), "prefecture"), "in", c.Keys("nm_cities")
        )
    ruleset = registry.ruleset(
        jurisdiction="CN-NM", round=2025, tier="province", programme="factory"
    )
    (resolved,) = [r for r in ruleset.rules if r.clause == "NM2025-1-a"]
    assert isinstance(resolved.requires, c.Compare)
    assert resolved.requires.right == c.Constant(tuple(sorted(codes)))


def test_case_applicants_sit_in_the_city_their_names_say(registry: gr.Registry) -> None:
    """A case applicant named after one of the twelve cities has a code under that city."""
    pack = registry.get(NM, 2025)
    cities = {row["name_zh"].rstrip("市盟"): row["code"] for row in pack.tables["nm_cities"].rows}
    under = c.Division(c.Fact("city"), "prefecture")
    checked = 0
    folders = [p.folder for one in (NM, NATIONAL) for p in _family(registry, one) if p.folder]
    for folder in folders:
        for path in sorted((folder / "cases").glob("*.yaml")):
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
                entity = case["entity"]
                named = [code for city, code in cities.items() if city in entity["name"]]
                if named:
                    checked += 1
                    assert under.apply(entity["city"]) == named[0], (path.name, entity["name"])
    assert checked >= 50


def test_energy_tables_keep_sources_confidence_and_real_semantics(registry: gr.Registry) -> None:
    """Empty cells stay missing, negatives stay negative, and every row names its source."""
    pack = registry.get(NM, 2025)
    bench = {row["product"]: row for row in pack.tables["energy_benchmarks"].rows}
    grades = pack.tables["energy_quota_grades"]
    assert bench["gb21256.basic-oxygen-furnace-steelmaking"]["benchmark"] == -30
    assert bench["gb29436.methanol-from-bituminous-coal"]["benchmark"] is None
    assert sum(1 for row in bench.values() if row["benchmark"] is not None) == 7
    rows = {row["product"]: row for row in grades.rows}
    for row in (*bench.values(), *rows.values()):
        assert row["source"] and row["confidence"]
    # A transcription whose grade 2 fell below grade 1 (a shifted column) is not guessed at:
    # both values are left missing and the source says why.
    coal = rows["gb21258.coal-fired-unit-supercritical-600-mw-class"]
    assert coal["grade1"] is None and coal["grade2"] is None and coal["grade3"] == 299
    assert "shifted column" in coal["source"]
    assert rows["gb29449.bias-tyre"]["grade1"] is None
    assert rows["gb29141.sulphuric-acid-from-sulphur"]["grade1"] == -160
    # The benchmark is not derived from the grades: clinker's equals grade 1, ferrosilicon's
    # equals grade 2.
    assert bench["gb16780.cement-clinker"]["benchmark"] == rows["gb16780.cement-clinker"]["grade1"]
    assert bench["gb21341.ferrosilicon"]["benchmark"] == rows["gb21341.ferrosilicon"]["grade2"]


def test_quota_rows_are_dated_by_their_editions(registry: gr.Registry) -> None:
    """An edition applies from its effective date; before it the value is not in force."""
    table = registry.get(NM, 2025).tables["energy_quota_grades"]
    assert all(row["valid_from"] or row["valid_to"] for row in table.rows)
    in_2025 = table.at(dt.date(2025, 5, 30))
    assert "gb21257.liquid-caustic-soda-ge30pct" in in_2025  # GB 21257-2024, from 2025-05-01
    assert "gb21257.liquid-caustic-soda-ge30pct" not in table.at(dt.date(2025, 4, 30))
    # The edition in force on the evaluation date, not the later one we have values for.
    siemens = "gb29447.polysilicon-trichlorosilane-siemens-process"
    assert in_2025[siemens]["standard"] == "GB 29447-2022"
    assert (
        in_2025[siemens]["grade1"] is None and "not transcribed" in in_2025[siemens]["confidence"]
    )
    assert table.at(dt.date(2027, 1, 1))[siemens]["grade1"] == 5.0  # GB 29447-2026
    acid = "gb29141.sulphuric-acid-from-sulphur"
    assert in_2025[acid]["grade1"] is None  # GB 29141-2024 only from 2025-06-01
    assert table.at(dt.date(2025, 6, 1))[acid]["grade1"] == -160
    # A product whose first quota standard comes later has a row saying none is in force.
    assert in_2025["gb45549.flake-graphite"]["standard"] == "无现行标准"
    assert table.at(dt.date(2026, 4, 1))["gb45549.flake-graphite"]["grade1"] == 125


def _factory(**fields: Any) -> gr.Factory:
    path = (
        Path(__file__).parents[1]
        / "criteria/greenrules_cn_nm/r2025/shared/examples"
        / "round-2025.json"
    )
    doc = json.loads(path.read_text(encoding="utf-8"))
    (entity,) = parse_entities([{**doc["applicants"][0], **fields}], doc["agencies"])
    assert isinstance(entity, gr.Factory)
    return entity


def _decide(entity: gr.Applicant, registry: gr.Registry, **kw: Any) -> gr.Decision:
    kw.setdefault("tier", "province")
    return gr.evaluate(entity, round=2025, jurisdiction="CN-NM", registry=registry, **kw)


def test_an_official_benchmark_table_replaces_ours(registry: gr.Registry) -> None:
    """Registry.with_reference swaps a table: the missing benchmark becomes a verdict."""
    methanol = _factory(
        industry={"code": "2614", "name": "煤化工", "key_field": True},
        energy=[{"product": "gb29436.methanol-from-lignite", "value": 1700.0, "unit": "kgce/t"}],
    )
    before = _decide(methanol, registry)
    assert before.verdict("NM25-F-benchmark") is gr.Verdict.UNKNOWN
    assert "ref:energy_benchmarks[gb29436.methanol-from-lignite].benchmark" in before.missing
    official = [
        {"product": "gb29436.methanol-from-lignite", "benchmark": 1720, "baseline": 2000,
         "unit": "kgce/t", "field_zh": "煤制甲醇", "standard": "GB 29436",
         "source": "official attachment (test)"},
    ]  # fmt: skip
    replaced = registry.with_reference(NM, 2025, "energy_benchmarks", official)
    after = _decide(methanol, replaced)
    assert after.verdict("NM25-F-benchmark") is gr.Verdict.PASS
    assert after.priority.score == (1.0,)
    (old,) = [ref for ref in before.provenance.packs if ref.id == NM]
    (new,) = [ref for ref in after.provenance.packs if ref.id == NM]
    assert new.digest != old.digest and after.provenance.packs[-1] == before.provenance.packs[-1]
    # The default registry is untouched.
    assert _decide(methanol, registry).verdict("NM25-F-benchmark") is gr.Verdict.UNKNOWN


def test_the_edition_in_force_on_the_evaluation_date_applies(registry: gr.Registry) -> None:
    """Two editions of one product: the one valid on as_of decides, never the other."""
    rows = [
        {"product": "gb21347.primary-magnesium", "grade1": 3300, "grade2": 4000, "grade3": 5000,
         "unit": "kgce/t", "standard": "old", "valid_to": "2025-04-30", "source": "old edition"},
        {"product": "gb21347.primary-magnesium", "grade1": 3500, "grade2": 4000, "grade3": 5000,
         "unit": "kgce/t", "standard": "new", "valid_from": "2025-05-01", "source": "new edition"},
    ]  # fmt: skip
    replaced = registry.with_reference(NM, 2025, "energy_quota_grades", rows)
    magnesium = _factory(
        industry={"code": "3219", "name": "镁冶炼", "key_field": False},
        energy=[{"product": "gb21347.primary-magnesium", "value": 3400.0, "unit": "kgce/t"}],
    )
    early = _decide(magnesium, replaced, as_of=dt.date(2025, 4, 20))
    late = _decide(magnesium, replaced, as_of=dt.date(2025, 5, 30))
    assert early.verdict("NM25-F-quota-grade1") is gr.Verdict.FAIL
    assert late.verdict("NM25-F-quota-grade1") is gr.Verdict.PASS


def test_regional_overrides_replace_the_national_rules(registry: gr.Registry) -> None:
    """In CN-NM the region's rules replace the national route and standard rules by id."""
    ruleset = registry.ruleset(
        jurisdiction="CN-NM", round=2025, tier="province", programme="factory"
    )
    assert "CN-F-evaluation-route" not in ruleset.rule_ids
    assert "CN-F-evaluation-standard" not in ruleset.rule_ids
    assert {"NM25-F-evaluation-route", "NM25-F-meets-standard"} <= set(ruleset.rule_ids)
    national = registry.ruleset(jurisdiction="CN", round=2025, tier="province", programme="factory")
    assert "CN-F-evaluation-standard" in national.rule_ids


def test_example_round_covers_every_status_and_verdict(registry: gr.Registry) -> None:
    """The bundled round shows every status and every verdict a bureau will meet."""
    path = (
        Path(__file__).parents[1]
        / "criteria/greenrules_cn_nm/r2025/shared/examples"
        / "round-2025.json"
    )
    entities = gr.load_entities(path)
    assert 38 <= len(entities) <= 50
    assert all("虚构" in e.name for e in entities)
    assert {e.programme for e in entities} == set(gr.Programme)
    decisions = gr.evaluate_many(
        entities, tier="province", round=2025, jurisdiction="CN-NM", registry=registry
    )
    assert {d.status for d in decisions} == set(gr.Status)
    assert {v for d in decisions for v in d.verdicts} == set(gr.Verdict)
    assert any(d.review_required for d in decisions)
