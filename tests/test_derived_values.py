"""Every engine computes shifted dates, division codes and table keys as the native engine does.

The rules here put the condition language's derived values at their edges (29 February, a
county code under its prefecture, a text that is no code, a missing fact) and every engine must
give the native engine's verdicts: the interpreter, the columnar engine, the SQL plan run on
DuckDB and, where durable-rules imports, the rete engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

import greenrules as gr
from conftest import credit_code, factory
from greenrules._columnar.schema import models_to_frame
from greenrules._engines import rete as _rete
from greenrules._engines.interpreter import InterpretedProgram
from greenrules._model.entities import Factory
from test_rete import write_pack

RULES = [
    {  # a report issued inside the three years after its agency's blacklisting
        "id": "Q-shift",
        "requires": {
            "fact": "report.issued_on",
            "gt": {"shift": {"fact": "report.agency.blacklisted_on"}, "years": 3},
        },
    },
    {  # the applicant's prefecture is one of two
        "id": "Q-division",
        "requires": {
            "value": {"division": {"fact": "city"}, "level": "prefecture"},
            "in": ["150700", "150200"],
        },
    },
    {  # the industry's name is a key of the pack's table
        "id": "Q-keys",
        "requires": {"fact": "industry.name", "not_in": {"keys": "t"}},
    },
    {  # a shifted constant: a month before the evaluation date, less a day
        "id": "Q-constant",
        "requires": {
            "fact": "submitted_on",
            "ge": {"shift": {"as_of": {}}, "months": -1, "days": -1},
        },
    },
]
CONTEXT: dict[str, Any] = {"tier": "province", "round": 2030, "jurisdiction": "QQ"}


def _agency(n: int, blacklisted_on: str | None) -> dict[str, Any]:
    return {"credit_code": credit_code(900 + n), "name": "agency", "blacklisted_on": blacklisted_on}


def _entities() -> list[gr.Factory]:
    cases = [
        ("2028-02-29", "2031-02-28", "150781", "widget", "2030-05-29"),
        ("2028-02-29", "2031-03-01", "150700", "p", "2030-05-30"),
        ("2027-06-30", "2030-06-30", "150200", "other", "2030-05-28"),
        ("2027-06-30", "2030-07-01", "150202", None, None),
        (None, "2030-01-01", "320583", "none", "2030-06-30"),
        ("2026-01-31", None, "150100", "widget", "2030-01-01"),
    ]
    out = []
    for n, (banned, issued, city, name, submitted) in enumerate(cases, start=1):
        report = {"route": "third_party", "agency": _agency(n, banned), "issued_on": issued}
        out.append(
            factory(n, report=report, city=city, industry={"name": name}, submitted_on=submitted)
        )
    return out


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> gr.Registry:
    return gr.Registry([write_pack(Path(tmp_path_factory.mktemp("derived")), RULES)])


def _native(registry: gr.Registry, entities: list[gr.Factory]) -> list[tuple[Any, ...]]:
    decisions = gr.evaluate_many(entities, registry=registry, **CONTEXT)
    return [d.verdicts for d in decisions]


def test_the_native_engine_reads_the_edges_as_the_language_says(registry: gr.Registry) -> None:
    """29 February plus three years is 28 February; a county is under its prefecture."""
    v = gr.Verdict
    assert _native(registry, _entities()) == [
        (v.FAIL, v.PASS, v.FAIL, v.PASS),
        (v.PASS, v.PASS, v.FAIL, v.PASS),
        (v.FAIL, v.PASS, v.PASS, v.FAIL),
        (v.PASS, v.PASS, v.UNKNOWN, v.UNKNOWN),
        (v.UNKNOWN, v.FAIL, v.FAIL, v.PASS),
        (v.UNKNOWN, v.FAIL, v.FAIL, v.FAIL),
    ]


def test_the_interpreter_agrees(registry: gr.Registry) -> None:
    """The closure-compiled reference program gives the generated program's verdicts."""
    ruleset = registry.ruleset(programme="factory", **CONTEXT)
    program = InterpretedProgram(ruleset)
    entities = _entities()
    assert [tuple(program.run(e)[0]) for e in entities] == _native(registry, entities)


def test_the_columnar_engine_agrees(registry: gr.Registry) -> None:
    """Polars' date offsets and string slices give the same verdicts."""
    entities = _entities()
    result = gr.evaluate_table(
        models_to_frame(entities, Factory).with_columns(pl.lit("factory").alias("programme")),
        registry=registry,
        **CONTEXT,
    )
    assert [result.decision(i).verdicts for i in range(len(entities))] == _native(
        registry, entities
    )


def test_the_sql_plan_agrees_on_duckdb(registry: gr.Registry) -> None:
    """Spark SQL's add_months, date_add and substr, run on DuckDB, give the same verdicts."""
    sqlglot = pytest.importorskip("sqlglot")
    duckdb = pytest.importorskip("duckdb")
    entities = _entities()
    sql = gr.sql_plan(programme="factory", registry=registry, **CONTEXT)
    con = duckdb.connect()
    try:
        con.register("entities", models_to_frame(entities, Factory).to_arrow())
        result = con.execute(sqlglot.transpile(sql, read="spark", write="duckdb")[0])
        names = [d[0] for d in result.description]
        rows = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    finally:
        con.close()
    ids = [rule["id"] for rule in RULES]
    got = [tuple(gr.Verdict(row[i]) for i in ids) for row in rows]
    assert got == _native(registry, entities)


@pytest.mark.skipif(_rete._IMPORT_ERROR is not None, reason="durable-rules cannot be imported")
def test_the_rete_engine_agrees(registry: gr.Registry) -> None:
    """Derived values reach durable as fields computed in Python, then compare exactly."""
    entities = _entities()
    decisions = gr.evaluate_many(entities, registry=registry, engine="rete", **CONTEXT)
    assert [d.verdicts for d in decisions] == _native(registry, entities)


def test_a_shifted_date_past_the_calendar_is_unknown(registry: gr.Registry) -> None:
    """A date that cannot be shifted (past the year 9999) makes the comparison unknown."""
    report = {"route": "third_party", "agency": _agency(9, "9998-06-01"), "issued_on": "2030-01-01"}
    (decision,) = gr.evaluate_many([factory(9, report=report)], registry=registry, **CONTEXT)
    assert decision.verdict("Q-shift") is gr.Verdict.UNKNOWN
