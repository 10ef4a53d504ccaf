"""The columnar facade: evaluate tables, batches and SQL plans; imports polars only when asked.

This module is the facade and imports no optional dependency at import time: the core asks for
:func:`columnar_engine` (``engine="columnar"``) or calls :func:`evaluate_table`, and only then is
polars imported, through :mod:`greenrules._columnar.evaluate` (reading, checking and
evaluating tables with the rest of this part). Without polars, both raise
:class:`~greenrules.exceptions.EngineUnavailableError` naming the extra to install.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greenrules._bulk import collector_paused
from greenrules._engines.arguments import check_arguments
from greenrules._engines.engine import RuleRun
from greenrules._model.entities import ENTITY_TYPES, Applicant
from greenrules._model.enums import Programme, Tier, Verdict
from greenrules._rules.packs import Pack
from greenrules._rules.registry import Registry, default_registry
from greenrules._rules.ruleset import RuleSet
from greenrules.exceptions import EngineUnavailableError, InputProblem, InvalidInputError

if TYPE_CHECKING:
    from greenrules._columnar.comparison import Comparison
    from greenrules._columnar.result import ResultTable

INSTALL_HINT = "pip install 'greenrules[columnar]'"
SPARK_INSTALL_HINT = "pip install 'greenrules[spark]'"


def _require_polars() -> None:
    if importlib.util.find_spec("polars") is None:
        raise EngineUnavailableError(
            f"the columnar engine needs polars, which is not installed; run: {INSTALL_HINT}"
        )


class ColumnarEngine:
    """``engine="columnar"``: the rule set runs as one polars plan over all entities at once."""

    name = "columnar"

    def run(self, ruleset: RuleSet, entities: Sequence[Applicant]) -> list[RuleRun]:
        """Verdicts and priority contributions, one pair per entity, in input order."""
        from greenrules._columnar.program import add_predicates, program_for, run_row_wise
        from greenrules._columnar.schema import models_to_frame

        if not entities:
            return []
        model = ENTITY_TYPES[ruleset.programme]
        program = program_for(ruleset, model)
        frame = models_to_frame(entities, model)
        frame = add_predicates(program, frame)
        frame = run_row_wise(program, frame, entities)
        out = program.run(frame, missing=False)
        return rule_runs(out, program)


def rule_runs(frame: Any, program: Any) -> list[RuleRun]:
    """Per row, the verdicts (as :class:`Verdict`) and contributions in rule order."""
    ids = program.ruleset.rule_ids
    names = set(program.point_columns())
    from greenrules._columnar.program import points_column

    by_value = {v.value: v for v in Verdict}
    verdict_cols = [[by_value[x] for x in frame.get_column(i).to_list()] for i in ids]
    zero = [0.0] * frame.height
    point_cols = [
        frame.get_column(points_column(i)).to_list() if points_column(i) in names else zero
        for i in ids
    ]
    return (
        [
            (list(vs), list(ps))
            for vs, ps in zip(
                zip(*verdict_cols, strict=True), zip(*point_cols, strict=True), strict=True
            )
        ]
        if ids
        else [([], []) for _ in range(frame.height)]
    )


def columnar_engine() -> ColumnarEngine:
    """The columnar engine; EngineUnavailableError saying what to install when polars is absent."""
    _require_polars()
    return ColumnarEngine()


@collector_paused()
def evaluate_table(
    source: Any,
    *,
    tier: Tier | str,
    round: int,
    jurisdiction: str,
    as_of: dt.date | None = None,
    registry: Registry | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ResultTable:
    """Evaluate a whole table of applicants at once with the columnar engine.

    ``source`` is a polars or pandas DataFrame, a pyarrow Table, a list of records (mappings
    keyed by column name, typed by the entity models' schema, never inferred), or a path to a
    CSV, XLSX or Parquet file. Columns follow :func:`~greenrules.load_entities`: a
    ``programme`` column (a row without one is a ``bad-choice``), dotted field names, list
    fields as JSON text or as native list-of-struct columns. The table is checked column by column
    with the same problem codes and locations as the entity models (a typed column needs no
    per-cell check; only rows a vectorised check flags are read by the models); every problem
    is raised together as :class:`~greenrules.exceptions.InvalidInputError`.

    ``progress``, if given, is called with the rows done and the rows in all as each chunk of
    the table is evaluated (first with zero, before the table is checked). Returns a
    :class:`ResultTable`: one row per entity, in input order, with status, review flag,
    priority, one verdict column per rule and the missing facts (rendered on first use of
    ``result.frame``); ``result.decision(i)`` gives row ``i`` as the native engine's
    :class:`~greenrules.Decision`.
    """
    tier_ = check_arguments(tier, round, jurisdiction, as_of)
    _require_polars()
    from greenrules._columnar.evaluate import evaluate_frame

    return evaluate_frame(
        source,
        tier=tier_,
        round_=round,
        jurisdiction=jurisdiction,
        as_of=as_of,
        registry=registry,
        progress=progress,
        source_name=str(source) if isinstance(source, str | Path) else None,
    )


def evaluate_batches(
    source: Any,
    *,
    tier: Tier | str,
    round: int,
    jurisdiction: str,
    as_of: dt.date | None = None,
    registry: Registry | None = None,
    rows: int = 1 << 18,
) -> Iterator[ResultTable]:
    """Evaluate a table ``rows`` entities at a time: first results early, memory bounded.

    Yields one :class:`ResultTable` per batch, in input order, as :func:`evaluate_table` would
    give for those rows (``decision(i)`` counts from the batch's first row). A Parquet file is
    read batch by batch; frames are sliced; CSV, XLSX and JSON files and records come as one
    batch. A batch's problems raise :class:`~greenrules.exceptions.InvalidInputError` (rows
    located in the whole table) when that batch is reached: earlier batches were good.
    """
    tier_ = check_arguments(tier, round, jurisdiction, as_of)
    if type(rows) is not int or rows < 1:
        msg = "expected a positive number of rows per batch"
        raise InvalidInputError([InputProblem("bad-argument", ("rows",), msg, rows)])
    _require_polars()
    from greenrules._columnar.evaluate import evaluate_source_batches

    return evaluate_source_batches(
        source,
        rows=rows,
        tier=tier_,
        round_=round,
        jurisdiction=jurisdiction,
        as_of=as_of,
        registry=registry,
    )


def sql_plan(
    *,
    tier: Tier | str,
    round: int,
    jurisdiction: str,
    programme: str = "factory",
    as_of: dt.date | None = None,
    table: str = "entities",
    registry: Registry | None = None,
) -> str:
    """The rule set of one programme as a Spark SQL query, for populations beyond one machine.

    The query reads ``table`` (one row per entity, with the columns of
    :func:`evaluate_table`'s canonical frame: dotted fact paths, list facts as arrays of
    structs, e.g. a Parquet file written from it) and returns ``entity_id``, ``name``,
    ``programme``, ``status``, ``review_required``, the priority per level and one verdict
    column per rule, computed with SQL's three-valued logic exactly as the columnar engine
    computes them. Missing facts and decisions are not part of it: rebuild any row's decision
    on one machine with :func:`greenrules.evaluate`. A rule that calls a Python predicate has
    no SQL form and raises :class:`~greenrules.exceptions.GreenrulesError` naming it. The plan
    is compiled over the columnar engine's canonical frame, so it needs the same extra
    (:class:`~greenrules.EngineUnavailableError` without it).
    """
    tier_ = check_arguments(tier, round, jurisdiction, as_of)
    _require_polars()
    from greenrules._columnar.sql import spark_sql

    kind = _programme(programme)
    ruleset = (registry or default_registry()).ruleset(
        jurisdiction=jurisdiction, round=round, tier=tier_, programme=kind, as_of=as_of
    )
    return spark_sql(ruleset, ENTITY_TYPES[kind], table)


def evaluate_spark(
    df: Any,
    *,
    tier: Tier | str,
    round: int,
    jurisdiction: str,
    programme: str = "factory",
    as_of: dt.date | None = None,
    registry: Registry | None = None,
) -> Any:
    """Decide a Spark DataFrame of entities inside Spark: a DataFrame of decisions, lazily.

    ``df`` has one row per entity of ``programme``, in the columns of :func:`evaluate_table`'s
    canonical frame (dotted fact paths; list facts as arrays of structs), e.g. a Parquet
    dataset. As in a table, an absent fact column is an unknown fact; a ``programme`` column
    is allowed, and a row naming another programme fails the Spark job that reaches it. The
    schema is checked first (no row is read): an unknown or mistyped column raises
    :class:`~greenrules.exceptions.InvalidInputError` naming it. The result is
    :func:`sql_plan`'s query run by Spark over ``df``, nothing collected to the driver:
    ``entity_id``, ``name``, ``programme``, ``status``, ``review_required``,
    ``priority.<order>`` per level and one verdict column per rule. Missing facts are not
    among them (any row's :class:`~greenrules.Decision`, with its missing facts, is
    :func:`greenrules.evaluate` of its entity), and values are not checked as
    :func:`evaluate_table` checks them. Without PySpark it raises
    :class:`~greenrules.EngineUnavailableError` naming the extra.
    """
    tier_ = check_arguments(tier, round, jurisdiction, as_of)
    _require_polars()
    if importlib.util.find_spec("pyspark") is None:
        raise EngineUnavailableError(
            f"evaluate_spark needs PySpark, which is not installed; run: {SPARK_INSTALL_HINT}"
        )
    from greenrules._columnar.spark import evaluate_spark_frame

    return evaluate_spark_frame(
        df,
        tier=tier_,
        round_=round,
        jurisdiction=jurisdiction,
        as_of=as_of,
        registry=registry,
        programme=_programme(programme),
    )


def _programme(value: str) -> Programme:
    try:
        return Programme(value)
    except ValueError:
        choices = [p.value for p in Programme]
        msg = f"programme must be one of {choices}"
        raise InvalidInputError(
            [InputProblem("bad-argument", ("programme",), msg, value)]
        ) from None


def compare(
    population: Any,
    base: Registry,
    other: Registry,
    *,
    tier: Tier | str,
    round: int,
    jurisdiction: str,
    as_of: dt.date | None = None,
) -> Comparison:
    """What changing the rules from ``base`` to ``other`` does to a population, with reasons.

    ``population`` is anything :func:`evaluate_table` reads; every entity is decided under both
    registries by the columnar engine (e.g. ``base=default_registry()`` and
    ``other=base.with_params("cn-nm", 2025, {"sc_market_share_min": 0.03})``, or a registry
    with next year's pack). The :class:`Comparison` counts status transitions and moved
    verdicts per rule, and lists every entity whose status, priority, rank within its programme
    or any verdict moved, each with the rules that moved and the facts they read. Its
    ``render(lang)``, ``to_dict()`` and ``write_comparison`` give text, JSON and XLSX.

    Raises:
        InvalidInputError: ``base`` or ``other`` is not a registry (``bad-argument``), or the
            population has problems (as :func:`evaluate_table`).
        PackNotFoundError: a registry serves no pack for the context.
    """
    for name, value in (("base", base), ("other", other)):
        if not isinstance(value, Registry):
            msg = "a Registry (default_registry(), or one from with_params or with_reference)"
            raise InvalidInputError([InputProblem("bad-argument", (name,), msg, value)])
    if isinstance(population, Iterator):
        population = list(population)  # read twice, once per side
    from greenrules._columnar.compare import compare_results

    results = [
        evaluate_table(
            population,
            tier=tier,
            round=round,
            jurisdiction=jurisdiction,
            as_of=as_of,
            registry=registry,
        )
        for registry in (base, other)
    ]
    stacks = (round_packs(base, jurisdiction, round), round_packs(other, jurisdiction, round))
    day = as_of or stacks[0][-1].evaluation_dates[round]
    context = f"{jurisdiction} {round}, {Tier(tier)}, {day.isoformat()}"
    return compare_results(*results, context=context, stacks=stacks, day=day)


def round_packs(registry: Registry, jurisdiction: str, round: int) -> tuple[Pack, ...]:
    """Every pack a programme of the jurisdiction and round uses, once each, bases first."""
    found: dict[int, Pack] = {}
    for stack in registry.stacks(jurisdiction, round).values():
        for pack in stack:
            found.setdefault(id(pack), pack)
    return tuple(found.values()) or registry.resolve(jurisdiction, round)
