"""The columnar engine decides exactly as the native engine: differential and unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import greenrules as gr
from conftest import credit_code, factory
from greenrules._columnar.api import ColumnarEngine, columnar_engine
from greenrules._columnar.program import PolarsProgram, priority_column
from greenrules._columnar.schema import models_to_frame
from greenrules._model.entities import ENTITY_TYPES
from greenrules._rules import conditions as c
from greenrules._rules.ruleset import RuleSet
from greenrules.exceptions import EngineUnavailableError
from greenrules.testing import applicants

CONTEXTS = [
    ("CN-NM", 2025, tier, programme)
    for tier in ("province", "national")
    for programme in ("factory", "park", "supply_chain")
    if (tier, programme) != ("national", "supply_chain")  # MIIT takes none nationally in 2025
] + [("CN", 2024, "national", "supply_chain")]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ruleset(jurisdiction: str, round_: int, tier: str, programme: str) -> RuleSet:
    return gr.default_registry().ruleset(
        jurisdiction=jurisdiction, round=round_, tier=tier, programme=programme
    )


def _frame(entities: Sequence[gr.Applicant], programme: str) -> pl.DataFrame:
    frame = models_to_frame(entities, ENTITY_TYPES[gr.Programme(programme)])
    return frame.with_columns(pl.lit(programme).alias("programme"))


def assert_same(
    entities: Sequence[gr.Applicant],
    tier: str,
    jurisdiction: str = "CN-NM",
    round_: int = 2025,
    registry: gr.Registry | None = None,
) -> None:
    """Every row of evaluate_table equals the native decision of the same entity."""
    native = gr.evaluate_many(
        entities, tier=tier, round=round_, jurisdiction=jurisdiction, registry=registry
    )
    programme = str(entities[0].programme) if entities else "factory"
    result = gr.evaluate_table(
        _frame(entities, programme),
        tier=tier,
        round=round_,
        jurisdiction=jurisdiction,
        registry=registry,
    )
    assert len(result) == len(native)
    for i, (row, want) in enumerate(zip(result.frame.iter_rows(named=True), native, strict=True)):
        assert row["status"] == want.status.value, (i, row, want.explain())
        assert row["review_required"] == want.review_required
        for rule_id, verdict in zip(want.rule_ids, want.verdicts, strict=True):
            assert row[rule_id] == verdict.value, (i, rule_id, want.explain())
        levels = [k for k in row if k.startswith("priority.")]
        assert tuple(row[k] for k in levels) == want.priority.score
        assert tuple(row["missing"]) == want.missing, (i, want.explain())
        got = result.decision(i).to_dict()
        expected = want.to_dict()
        got["provenance"].pop("engine")
        expected["provenance"].pop("engine")
        assert got == expected


def _code(entity: gr.Applicant) -> str:
    return entity.credit_code


@pytest.mark.parametrize(("jurisdiction", "round_", "tier", "programme"), CONTEXTS)
def test_columnar_equals_native_on_generated_populations(
    jurisdiction: str, round_: int, tier: str, programme: str
) -> None:
    """On populations aimed at every threshold, with facts missing and waivers, both agree."""
    rs = _ruleset(jurisdiction, round_, tier, programme)
    population = st.lists(  # one credit code is one applicant: a table repeating one is refused
        applicants(programmes=[programme], aim=rs), max_size=8, unique_by=_code
    )

    @SETTINGS
    @given(population)
    def check(entities: list[gr.Applicant]) -> None:
        assert_same(entities, tier, jurisdiction, round_)

    check()


@pytest.mark.parametrize("tier", ["city", "province", "national"])
def test_columnar_equals_native_on_the_synthetic_packs(registry: gr.Registry, tier: str) -> None:
    """The synthetic test packs (params, lookups, counts in scores) agree as well."""
    rs = registry.ruleset(jurisdiction="ZZ", round=2030, tier=tier, programme="factory")
    parks = registry.ruleset(jurisdiction="ZZ", round=2030, tier=tier, programme="park")

    @SETTINGS
    @given(
        st.lists(applicants(programmes=["factory"], aim=rs), max_size=6, unique_by=_code),
        st.lists(applicants(programmes=["park"], aim=parks), max_size=6, unique_by=_code),
    )
    def check(factories: list[gr.Applicant], park_list: list[gr.Applicant]) -> None:
        assert_same(factories, tier, "ZZ", 2030, registry)
        assert_same(park_list, tier, "ZZ", 2030, registry)

    check()


def test_columnar_engine_runs_through_evaluate_many() -> None:
    """engine='columnar' in evaluate_many gives the native decisions."""
    entities = [factory(1), factory(2, water={"key_water_user": True}), factory(3, energy=[])]
    for tier in ("province", "national"):
        native = gr.evaluate_many(entities, tier=tier, round=2025, jurisdiction="CN-NM")
        columnar = gr.evaluate_many(
            entities, tier=tier, round=2025, jurisdiction="CN-NM", engine="columnar"
        )
        assert [d.verdicts for d in columnar] == [d.verdicts for d in native]
        assert [d.missing for d in columnar] == [d.missing for d in native]
        assert columnar[0].provenance.engine == "columnar"


def test_empty_and_one_row_tables() -> None:
    """An empty table gives an empty result; a one-row table one decision."""
    assert ColumnarEngine().run(_ruleset("CN-NM", 2025, "province", "factory"), []) == []
    assert_same([], "province")
    assert_same([factory(1)], "province")


def _break(rs: RuleSet) -> RuleSet:
    """A copy of the rule set with one threshold comparison made strict (le -> lt)."""
    mutated = {"le": "lt", "ge": "gt", "lt": "le", "gt": "ge"}

    def flip(node: Any) -> Any:
        if isinstance(node, c.Compare) and node.op in mutated:
            return attrs.evolve(node, op=mutated[node.op])
        if isinstance(node, c.All | c.AnyOf):
            return attrs.evolve(node, parts=tuple(flip(p) for p in node.parts))
        if isinstance(node, c.Not):
            return attrs.evolve(node, part=flip(node.part))
        if isinstance(node, c.Some | c.Every):
            return attrs.evolve(node, where=flip(node.where))
        return node

    rules = list(rs.rules)
    for i, rule in enumerate(rules):
        if rule.requires is not None and flip(rule.requires) != rule.requires:
            rules[i] = attrs.evolve(rule, requires=flip(rule.requires))
            return attrs.evolve(rs, rules=tuple(rules))
    raise AssertionError("no rule compares with a threshold")


def test_a_broken_copy_of_one_rule_is_caught() -> None:
    """The differential check finds a boundary mutation of one rule of the real packs."""
    rs = _ruleset("CN-NM", 2025, "province", "factory")
    broken = PolarsProgram(_break(rs), gr.Factory)
    correct = PolarsProgram(rs, gr.Factory)
    found: list[int] = []

    @settings(
        max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(st.lists(applicants(programmes=["factory"], aim=rs), min_size=1, max_size=8))
    def check(entities: list[gr.Applicant]) -> None:
        frame = models_to_frame(entities, gr.Factory)
        ids = list(rs.rule_ids)
        if not broken.run(frame).select(ids).equals(correct.run(frame).select(ids)):
            found.append(len(entities))

    check()
    assert found, "the broken rule was never caught"


def test_kleene_quantifiers_on_missing_and_empty_lists() -> None:
    """some/every/count over missing, empty and partly unknown lists follow the native rules."""
    entities = [
        factory(1, memberships=None),
        factory(2, memberships=[]),
        factory(3, energy=[{"product": "x"}, {"product": "y", "value": -3.5}]),
        factory(4, energy=[{"product": "cement_clinker", "value": -1e9}]),
        factory(
            5,
            energy=None,
            waivers=[{"rule": "NM25-F-city-list", "justification": "long enough text"}],
        ),
    ]
    for tier in ("province", "national"):
        assert_same(entities, tier)


def test_evaluate_table_reads_csv_parquet_arrow_xlsx_and_json(tmp_path: Path) -> None:
    """Every source gives the same result table as a polars frame of the same entities."""
    entities = [factory(1), factory(2, water={"key_water_user": True}), factory(3)]
    frame = _frame(entities, "factory")
    args: dict[str, Any] = {"tier": "province", "round": 2025, "jurisdiction": "CN-NM"}
    want = gr.evaluate_table(frame, **args).frame
    frame.write_parquet(tmp_path / "in.parquet")
    flat = frame.with_columns(
        [
            pl.col(n).map_elements(_json, return_dtype=pl.String)
            for n, t in frame.schema.items()
            if isinstance(t, pl.List)
        ]
    )
    flat.write_csv(tmp_path / "in.csv")
    (tmp_path / "gb.csv").write_bytes((tmp_path / "in.csv").read_text().encode("gb18030"))
    for source in (
        tmp_path / "in.parquet",
        tmp_path / "in.csv",
        tmp_path / "gb.csv",
        frame.to_arrow(),
        str(tmp_path / "in.parquet"),
    ):
        assert gr.evaluate_table(source, **args).frame.equals(want)


def _json(value: Any) -> str:
    import json

    return json.dumps([{k: v for k, v in item.items() if v is not None} for item in value])


def test_table_problems_match_the_loader(tmp_path: Path) -> None:
    """A bad CSV raises the same problems, codes and locations as load_entities."""
    good = credit_code(1)
    text = (
        "programme,credit_code,name,water.key_water_user,energy,report.route,bogus\n"
        f"factory,{good},a,maybe,,self,\n"
        f'factory,{good[:-1]}0,,是,"[{{""product"": 1}}]",other,\n'
        f"park,{good},b,,,self,x\n"
        f"nope,{good},c,,,,\n"
        f'factory,{good},d,1_0,"[{{""product"": ""p"", ""value"": 1.5}}]",,\n'
    )
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(gr.InvalidInputError) as loader:
        gr.load_entities(path)
    with pytest.raises(gr.InvalidInputError) as table:
        gr.evaluate_table(path, tier="province", round=2025, jurisdiction="CN-NM")
    assert table.value.problems == loader.value.problems
    assert table.value.source == str(path)


def test_rows_the_vectorised_reading_doubts_are_read_as_the_models_read_them(
    tmp_path: Path,
) -> None:
    """A number written 1_000 or spaced text is accepted exactly as the loader accepts it."""
    text = (
        "programme,credit_code,name,report.route,water.key_water_user,submitted_on\n"
        f"factory,{credit_code(1)},  spaced  ,self, Yes ,2025-05-01\n"
    )
    path = tmp_path / "ok.csv"
    path.write_text(text, encoding="utf-8")
    native = gr.evaluate_many(
        gr.load_entities(path), tier="province", round=2025, jurisdiction="CN-NM"
    )
    result = gr.evaluate_table(path, tier="province", round=2025, jurisdiction="CN-NM")
    assert result.frame["name"][0] == "spaced"
    assert result.decision(0).provenance.input_digest == native[0].provenance.input_digest


def test_frame_problems_are_located_by_row_index() -> None:
    """Problems in a DataFrame name the row index and the field, never a polars error."""
    frame = pl.DataFrame(
        {
            "programme": ["factory", "factory"],
            "credit_code": [credit_code(1), "bad"],
            "name": ["a", "b"],
            "water.key_water_user": [1, None],
        }
    )
    with pytest.raises(gr.InvalidInputError) as err:
        gr.evaluate_table(frame, tier="province", round=2025, jurisdiction="CN-NM")
    locs = {(p.code, p.loc) for p in err.value.problems}
    assert ("wrong-type", (0, "water", "key_water_user")) in locs
    assert ("bad-credit-code", (1, "credit_code")) in locs


def test_bad_sources_and_arguments_are_input_problems(tmp_path: Path) -> None:
    """Unknown formats, unreadable files and bad arguments raise InvalidInputError."""
    args: dict[str, Any] = {"tier": "province", "round": 2025, "jurisdiction": "CN-NM"}
    (tmp_path / "x.parquet").write_bytes(b"not parquet")
    cases = [tmp_path / "x.txt", tmp_path / "missing.csv", tmp_path / "x.parquet", 42]
    for source in cases:
        with pytest.raises(gr.InvalidInputError):
            gr.evaluate_table(source, **args)
    with pytest.raises(gr.InvalidInputError):
        gr.evaluate_table(pl.DataFrame(), tier="nope", round=2025, jurisdiction="CN-NM")
    result = gr.evaluate_table(_frame([factory(1)], "factory"), **args)
    with pytest.raises(gr.InvalidInputError):
        result.decision(5)


def test_mixed_programmes_keep_input_order() -> None:
    """A table mixing programmes returns rows in input order with each programme's verdicts."""
    rs_f = _ruleset("CN-NM", 2025, "province", "factory")
    park = gr.IndustrialPark.model_validate({"credit_code": credit_code(9), "name": "p"})
    frame = pl.concat(
        [_frame([factory(1)], "factory"), _frame([park], "park"), _frame([factory(2)], "factory")],
        how="diagonal_relaxed",
    )
    result = gr.evaluate_table(frame, tier="province", round=2025, jurisdiction="CN-NM")
    assert result.frame["programme"].to_list() == ["factory", "park", "factory"]
    assert result.frame[rs_f.rule_ids[0]][1] is None
    assert result.decision(1).entity_id == credit_code(9)
    assert result.decision(2).entity_id == credit_code(2)


def test_load_engine_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without polars, the columnar engine and its SQL plan refuse with the extra to install."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "polars" else real(name, *a)
    )
    with pytest.raises(EngineUnavailableError, match=r"greenrules\[columnar\]"):
        columnar_engine()
    with pytest.raises(EngineUnavailableError, match=r"greenrules\[columnar\]"):
        gr.sql_plan(tier="province", round=2025, jurisdiction="CN-NM")


def test_result_columns_and_priority_levels() -> None:
    """The result has status, review flag, a column per priority level and per rule."""
    rs = _ruleset("CN-NM", 2025, "province", "factory")
    result = gr.evaluate_table(
        _frame([factory(1)], "factory"), tier="province", round=2025, jurisdiction="CN-NM"
    )
    from greenrules._rules.status import StatusPlan

    levels = StatusPlan.of(rs).levels
    columns = result.frame.columns
    assert columns[:3] == ["entity_id", "name", "programme"]
    assert [priority_column(level) for level in levels] == [
        c for c in columns if c.startswith("priority.")
    ]
    assert set(rs.rule_ids) <= set(columns)
    assert result.rule_ids == rs.rule_ids
    assert result.row_wise == ()


def test_written_tables_rank_per_programme_as_rank_does() -> None:
    """CSV, JSON and Parquet output: one list per programme, numbered as ``greenrules.rank``."""
    from greenrules._columnar.output import output_frame

    folder = Path(__file__).parents[1] / "criteria/greenrules_cn_nm/r2025/shared/examples"
    example = folder / "round-2025.json"
    table = gr.evaluate_table(example, tier="province", round=2025, jurisdiction="CN-NM")
    native = gr.rank(
        gr.evaluate_many(
            gr.load_entities(example), tier="province", round=2025, jurisdiction="CN-NM"
        )
    )
    expected = [(str(e.programme), e.rank, e.decision.entity_id) for e in native]
    for fmt in ("csv", "json", "parquet"):
        frame = output_frame(table, fmt)
        columns = (frame["programme"].cast(pl.String), frame["rank"], frame["entity_id"])
        got = list(zip(*columns, strict=True))
        assert got == expected, fmt
