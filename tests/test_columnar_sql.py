"""The SQL plan for distributed engines: Spark accepts it, and run on DuckDB it decides as we do.

``greenrules.sql_plan`` compiles the same rule sets as the native and columnar engines into
Spark SQL. sqlglot parses it with Spark's dialect (every bundled context); transpiled to
DuckDB's dialect and run over generated populations, it gives the native engine's status,
review flag, priority and every verdict.
"""

from __future__ import annotations

from typing import Any

import attrs
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import greenrules as gr
from conftest import factory
from greenrules._columnar.schema import models_to_frame
from greenrules._columnar.sql import spark_sql
from greenrules._model.entities import ENTITY_TYPES
from greenrules._rules import conditions as c
from greenrules.exceptions import GreenrulesError
from greenrules.testing import applicants

sqlglot = pytest.importorskip("sqlglot")

CONTEXTS = [
    (jurisdiction, tier, programme)
    for jurisdiction in ("CN-NM", "CN")
    for tier in ("province", "national")
    for programme in ("factory", "park", "supply_chain")
    if not (jurisdiction == "CN" and tier == "province")
    and (tier, programme) != ("national", "supply_chain")  # MIIT takes none nationally in 2025
]


@pytest.mark.parametrize(("jurisdiction", "tier", "programme"), CONTEXTS)
def test_the_plan_is_spark_sql(jurisdiction: str, tier: str, programme: str) -> None:
    """Every bundled rule set's plan parses as one Spark SQL query naming every rule."""
    sql = gr.sql_plan(tier=tier, round=2025, jurisdiction=jurisdiction, programme=programme)
    tree = sqlglot.parse_one(sql, read="spark")
    assert isinstance(tree, sqlglot.exp.Select)
    names = tree.named_selects
    rs = gr.default_registry().ruleset(
        jurisdiction=jurisdiction, round=2025, tier=tier, programme=programme
    )
    assert names[:5] == ["entity_id", "name", "programme", "status", "review_required"]
    assert set(rs.rule_ids) <= set(names)
    assert tree.find(sqlglot.exp.ArrayFilter) is not None  # lists: higher-order functions


def test_a_python_predicate_has_no_sql_form() -> None:
    """A rule calling a Python predicate is refused, with the rule named."""
    rs = gr.default_registry().ruleset(
        jurisdiction="CN-NM", round=2025, tier="province", programme="factory"
    )
    rules = list(rs.rules)
    rules[3] = attrs.evolve(rules[3], requires=c.All((c.PredicateCall("custom"),)))
    with pytest.raises(GreenrulesError, match=rules[3].id):
        spark_sql(attrs.evolve(rs, rules=tuple(rules)), gr.Factory)


def test_bad_programme_is_an_input_problem() -> None:
    """An unknown programme raises InvalidInputError, not a bare ValueError."""
    with pytest.raises(gr.InvalidInputError):
        gr.sql_plan(tier="province", round=2025, jurisdiction="CN-NM", programme="farm")


def _run_on_duckdb(sql: str, frame: pl.DataFrame) -> list[dict[str, Any]]:
    duckdb = pytest.importorskip("duckdb")
    query = sqlglot.transpile(sql, read="spark", write="duckdb")[0]
    con = duckdb.connect()
    try:
        con.register("entities", frame.to_arrow())
        result = con.execute(query)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    finally:
        con.close()


def _assert_native(
    entities: list[gr.Applicant], jurisdiction: str, tier: str, programme: str, round_: int
) -> None:
    if not entities:
        return
    sql = gr.sql_plan(tier=tier, round=round_, jurisdiction=jurisdiction, programme=programme)
    frame = models_to_frame(entities, ENTITY_TYPES[gr.Programme(programme)])
    rows = _run_on_duckdb(sql, frame)
    native = gr.evaluate_many(entities, tier=tier, round=round_, jurisdiction=jurisdiction)
    assert len(rows) == len(native)
    for row, want in zip(rows, native, strict=True):
        assert row["entity_id"] == want.entity_id
        assert row["status"] == want.status.value, want.explain()
        assert row["review_required"] == want.review_required
        for rule_id, verdict in zip(want.rule_ids, want.verdicts, strict=True):
            assert row[rule_id] == verdict.value, (rule_id, want.explain())
        levels = sorted((k for k in row if k.startswith("priority.")), key=lambda k: int(k[9:]))
        assert tuple(row[k] for k in levels) == want.priority.score


def test_duckdb_runs_the_plan_with_the_native_verdicts() -> None:
    """Hand-made factories: missing lists, waivers, energy values around the benchmarks."""
    entities = [
        factory(1),
        factory(2, water={"key_water_user": True}, memberships=None),
        factory(3, energy=[{"product": "x"}, {"product": "y", "value": -3.5}]),
        factory(4, energy=[{"product": "cement_clinker", "value": -1e9}], memberships=[]),
        factory(
            5,
            energy=None,
            waivers=[{"rule": "NM25-F-city-list", "justification": "long enough text"}],
        ),
    ]
    for tier in ("province", "national"):
        _assert_native(entities, "CN-NM", tier, "factory", 2025)


@pytest.mark.slow
@pytest.mark.parametrize(("jurisdiction", "tier", "programme"), CONTEXTS)
def test_duckdb_runs_the_plan_on_generated_populations(
    jurisdiction: str, tier: str, programme: str
) -> None:
    """On populations aimed at every threshold (missing facts, waivers), DuckDB agrees."""
    rs = gr.default_registry().ruleset(
        jurisdiction=jurisdiction, round=2025, tier=tier, programme=programme
    )

    @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(applicants(programmes=[programme], aim=rs), max_size=10))
    def check(entities: list[gr.Applicant]) -> None:
        _assert_native(entities, jurisdiction, tier, programme, 2025)

    check()
