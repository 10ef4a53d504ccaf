"""The columnar program: a rule set compiled into one polars plan of verdicts, status and priority.

The expressions of each rule come from :mod:`greenrules._columnar.expressions`, over the
canonical frame of :mod:`greenrules._columnar.schema`. Everything the native engine decides in
Python (verdicts, :class:`~greenrules._rules.status.StatusPlan` status, priority, missing facts)
is here one expression per column, checked against the native engine by the differential tests.
Rules that call a Python predicate without a vectorised twin run row by row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import polars as pl
from pydantic import BaseModel

from greenrules._columnar.expressions import ExprCompiler, FrameScope, RowWise, predicate_column
from greenrules._columnar.schema import MISSING, STATUS, VERDICT
from greenrules._engines.interpreter import InterpretedProgram
from greenrules._model.enums import Status, Strength, Verdict
from greenrules._rules import conditions as c
from greenrules._rules.rules import Rule
from greenrules._rules.ruleset import RuleSet
from greenrules._rules.status import StatusPlan

# --- the program: verdicts, status, priority, missing -----------------------------------------


def _v(verdict: Verdict) -> pl.Expr:
    return pl.lit(verdict.value, dtype=VERDICT)


def waived_column(rule_id: str) -> str:
    """The internal column telling whether an entity holds a waiver for ``rule_id``."""
    return f"__waived__.{rule_id}"


def points_column(rule_id: str) -> str:
    """The internal column holding a rule's priority contribution."""
    return f"__points__.{rule_id}"


@attrs.frozen
class RuleExprs:
    """One rule's compiled verdict and contribution, or why it runs row-wise."""

    rule: Rule
    verdict: pl.Expr | None
    points: pl.Expr | None
    row_wise: str | None = None


class PolarsProgram:
    """A rule set compiled for one entity model into expressions over its canonical frame."""

    def __init__(self, ruleset: RuleSet, model: type[BaseModel]) -> None:
        self.ruleset = ruleset
        self.model = model
        self.plan = StatusPlan.of(ruleset)
        self.scope = FrameScope(model)
        vectorised = frozenset(n for n, p in ruleset.predicates.items() if p.vectorised)
        self.compiler = ExprCompiler(ruleset, vectorised)
        self.rules = [self._rule(rule) for rule in ruleset.rules]
        self.row_wise = tuple(r.rule.id for r in self.rules if r.row_wise is not None)
        self.verdict_stages = len(self.compiler.staged)
        """The first stages feed verdicts; those after them only the missing facts."""
        self.missing = self.missing_plan()
        self.predicates = tuple(
            sorted(
                {
                    node.name
                    for r in ruleset.rules
                    if r.id not in self.row_wise
                    for top in r.nodes()
                    for node in c.walk(top)
                    if isinstance(node, c.PredicateCall)
                }
            )
        )

    def _rule(self, rule: Rule) -> RuleExprs:
        comp, scope = self.compiler, self.scope
        try:
            applies = comp.condition(rule.applies_if, scope) if rule.applies_if else pl.lit(True)
            requires = comp.condition(rule.requires, scope) if rule.requires else None
            score = comp.value(rule.score, scope) if rule.score is not None else None
        except RowWise as exc:
            return RuleExprs(rule, None, None, row_wise=str(exc))
        na = applies.not_()
        if score is not None:
            out = (
                pl.when(na)
                .then(_v(Verdict.NOT_APPLICABLE))
                .when(applies.is_null() | score.is_null())
                .then(_v(Verdict.UNKNOWN))
                .otherwise(_v(Verdict.PASS))
            )
            points = pl.when(out == Verdict.PASS.value).then(score.cast(pl.Float64)).otherwise(0.0)
            return RuleExprs(rule, out, points)
        assert requires is not None
        if rule.strength is Strength.PRIORITY:
            out = (
                pl.when(na)
                .then(_v(Verdict.NOT_APPLICABLE))
                .when(applies & requires)
                .then(_v(Verdict.PASS))
                .when(applies & requires.not_())
                .then(_v(Verdict.FAIL))
                .otherwise(_v(Verdict.UNKNOWN))
            )
            points = pl.when(out == Verdict.PASS.value).then(float(rule.points)).otherwise(0.0)
            return RuleExprs(rule, out, points)
        failed = _v(Verdict.FAIL)
        if rule.strength is Strength.IN_PRINCIPLE:
            failed = (
                pl.when(pl.col(waived_column(rule.id)))
                .then(_v(Verdict.WAIVED))
                .otherwise(_v(Verdict.FAIL))
            )
        out = (
            pl.when(na)
            .then(_v(Verdict.NOT_APPLICABLE))
            .when(requires)
            .then(_v(Verdict.PASS))
            .when(requires.not_() & applies)
            .then(failed)
            .otherwise(_v(Verdict.UNKNOWN))
        )
        return RuleExprs(rule, out, None)

    def waiver_exprs(self) -> list[pl.Expr]:
        """Per in-principle rule: does the entity hold a waiver for it."""
        out = []
        for rule in self.ruleset.rules:
            if rule.strength is Strength.IN_PRINCIPLE:
                held = pl.col("waivers").list.eval(pl.element().struct.field("rule") == rule.id)
                out.append(held.list.any().fill_null(False).alias(waived_column(rule.id)))
        return out

    def verdict_exprs(self) -> list[pl.Expr]:
        """Every vectorised rule's verdict and contribution, named by rule id."""
        out = []
        for r in self.rules:
            if r.verdict is not None:
                out.append(r.verdict.alias(r.rule.id))
                if r.points is not None:
                    out.append(r.points.alias(points_column(r.rule.id)))
        return out

    def outcome_exprs(self) -> list[pl.Expr]:
        """Status, review flag and priority per level, from the verdict columns."""
        plan = self.plan
        fails, possibles, waived = [], [], []
        for rule_id, rank, waivable in zip(plan.ids, plan.ranks, plan.waivable, strict=True):
            v = pl.col(rule_id)
            if rank:
                fails.append(pl.when(v == Verdict.FAIL.value).then(rank).otherwise(0))
                unknown = v == Verdict.UNKNOWN.value
                if waivable:
                    unknown = unknown & pl.col(waived_column(rule_id)).not_()
                possibles.append(pl.when(unknown).then(rank).otherwise(0))
            if waivable:
                waived.append(v == Verdict.WAIVED.value)
        worst = pl.max_horizontal(fails) if fails else pl.lit(0)
        possible = pl.max_horizontal(possibles) if possibles else pl.lit(0)
        status = (
            pl.when(possible > worst)
            .then(pl.lit(Status.UNDETERMINED.value, dtype=STATUS))
            .when(worst == 2)
            .then(pl.lit(Status.INELIGIBLE.value, dtype=STATUS))
            .when(worst == 1)
            .then(pl.lit(Status.CULTIVATE.value, dtype=STATUS))
            .otherwise(pl.lit(Status.RECOMMEND.value, dtype=STATUS))
        )
        review = pl.any_horizontal(waived) if waived else pl.lit(False)
        out = [status.alias("status"), review.alias("review_required")]
        for index, level in enumerate(plan.levels):
            total: pl.Expr = pl.lit(0.0)
            for rule_id, of in zip(plan.ids, plan.level_of, strict=True):
                if of == index:
                    total = total + pl.col(points_column(rule_id))
            out.append(total.alias(priority_column(level)))
        return out

    def missing_plan(self) -> MissingPlan:
        """The missing-data plan: fixed texts, one bit mask per 62 texts, reference-value lists.

        A row's fixed missing texts (fact paths and parameters) are bits of a few integer
        columns, cheap to compute; the reference values a row misses (``ref:table[key].col``)
        are summarised per row by a hash of their list. :meth:`run` renders each distinct
        combination once, from one row that has it, and joins it back, instead of building a
        list of strings on every row.
        """
        comp, scope = self.compiler, self.scope
        by_text: dict[str, list[pl.Expr]] = {}
        dynamic: list[pl.Expr] = []
        hashes: list[pl.Expr] = []
        absent: dict[str, pl.Expr] = {}
        empty = pl.lit([], dtype=pl.List(pl.String))
        for rule in self.ruleset.rules:
            unknown = pl.col(rule.id) == Verdict.UNKNOWN.value
            for node in rule.nodes():
                for path in c.fact_paths(node):
                    if path not in absent:
                        absent[path] = comp.absent_anywhere(path, scope)
                    by_text.setdefault(path, []).append(unknown & absent[path])
                for gap in comp.data_missing(node, scope):
                    if gap.texts is not None:
                        assert gap.key is not None
                        texts = pl.when(unknown).then(gap.texts).otherwise(empty)
                        dynamic.append(texts.fill_null(empty).list.drop_nulls())
                        hashes.append(pl.when(unknown).then(gap.key.hash()))
                    else:
                        assert gap.text is not None
                        flag = unknown if gap.flag is None else unknown & gap.flag
                        by_text.setdefault(gap.text, []).append(flag)
        names = sorted(by_text)
        words: list[pl.Expr] = []
        for start in range(0, len(names), _BITS):
            # Bits are packed a byte at a time: one Int64 column per text would be the largest
            # working memory of the whole evaluation.
            group = names[start : start + _BITS]
            octets = [
                pl.sum_horizontal(
                    [
                        pl.any_horizontal(by_text[text]).cast(pl.UInt8)
                        * pl.lit(1 << k, dtype=pl.UInt8)
                        for k, text in enumerate(group[at : at + 8])
                    ]
                ).cast(pl.Int64)
                * pl.lit(1 << at, dtype=pl.Int64)
                for at in range(0, len(group), 8)
            ]
            words.append(pl.sum_horizontal(octets).alias(f"__missing__.{len(words)}"))
        return MissingPlan(
            names,
            words,
            [d.alias(f"__refs__.{i}") for i, d in enumerate(dynamic)],
            [h.alias(f"__refs_key__.{i}") for i, h in enumerate(hashes)],
        )

    def run(self, frame: pl.DataFrame, *, missing: bool = True) -> pl.DataFrame:
        """Every rule's verdict, status, review flag, priority and (optionally) missing facts.

        Rules that must run row-wise are added by the caller before the outcome step; here
        they must already be columns of ``frame`` when :attr:`row_wise` is not empty.
        """
        out = frame.hstack(self.outcomes(frame).get_columns())
        return out.with_columns(self.missing_column(out)) if missing else out

    def outcomes(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Only the new columns of :meth:`run`: the engine would copy every column it passed on.

        They are the waiver flags, verdicts, contributions, status, review flag and priority.
        """
        stages = list(self.compiler.staged.values())[: self.verdict_stages]
        waivers = self.waiver_exprs()
        lazy = frame.lazy().with_columns([*waivers, *[expr.alias(name) for name, expr in stages]])
        lazy = lazy.with_columns(verdicts := self.verdict_exprs())
        lazy = lazy.with_columns(outcomes := self.outcome_exprs())
        names = [e.meta.output_name() for e in [*waivers, *verdicts, *outcomes]]
        return lazy.select(names).collect()

    def missing_column(self, out: pl.DataFrame) -> pl.Series:
        """The sorted missing facts of each row of ``out`` (canonical facts and verdicts).

        Computed apart from the verdicts so that a result table renders it only when asked.
        """
        plan = self.missing
        exprs = [*plan.words, *plan.keys]
        roots = {name for expr in exprs for name in expr.meta.root_names()}
        stages = [expr.alias(name) for name, expr in self.compiler.staged.values() if name in roots]
        full = out.hstack(out.lazy().select(stages).collect().get_columns()) if stages else out
        keys = full.lazy().select(exprs).collect() if exprs else pl.DataFrame()
        return _render_missing(full, keys, plan)

    def result_columns(self, *, missing: bool = True) -> list[str]:
        """The public result columns, in order."""
        cols = ["status", "review_required", *map(priority_column, self.plan.levels)]
        cols += list(self.plan.ids)
        return [*cols, "missing"] if missing else cols

    def point_columns(self) -> list[str]:
        """The internal columns holding priority contributions."""
        return [points_column(r.rule.id) for r in self.rules if r.points is not None or r.row_wise]


_BITS = 62


@attrs.frozen
class MissingPlan:
    """How a program computes missing facts: see :meth:`PolarsProgram.missing_plan`."""

    texts: list[str]
    """The fixed texts (fact paths, parameters), bit ``i`` of word ``i // 62`` each."""
    words: list[pl.Expr]
    refs: list[pl.Expr]
    """Per reference-value gap, the list of ``ref:`` texts of a row."""
    keys: list[pl.Expr]
    """Per reference-value gap, a hash of that list (0 when the rule is not unknown)."""


def _render_missing(full: pl.DataFrame, keys: pl.DataFrame, plan: MissingPlan) -> pl.Series:
    """The sorted ``missing`` list of every row, from its bit masks and reference-list hashes.

    Rows share few distinct combinations: each is rendered once in Python, from the first row
    that has it (the reference lists are built for those rows only), and joined back.
    """
    dtype = pl.List(pl.String)
    if not keys.width:
        return pl.Series("missing", [[]] * full.height, dtype=pl.List(pl.String)).cast(MISSING)
    columns = keys.columns
    distinct = keys.with_row_index("__first__").unique(columns, keep="first")
    sample = full[distinct.get_column("__first__")]
    refs = [column.to_list() for column in sample.select(plan.refs).iter_columns()]
    words = distinct.select([w.meta.output_name() for w in plan.words])
    lists = []
    for i, word_row in enumerate(words.iter_rows()):
        found = {
            text
            for w, bits in enumerate(word_row)
            for k, text in enumerate(plan.texts[w * _BITS : (w + 1) * _BITS])
            if bits >> k & 1
        }
        for column in refs:
            found.update(column[i])
        lists.append(sorted(found))
    # Each row's list holds small category codes, not copies of the texts.
    rendered = pl.Series("missing", lists, dtype=dtype).cast(MISSING)
    table = distinct.drop("__first__").with_columns(rendered)
    joined = keys.join(table, on=columns, how="left", maintain_order="left", nulls_equal=True)
    return joined.get_column("missing")


def priority_column(level: int) -> str:
    """The result column of one priority level."""
    return f"priority.{level}"


def add_predicates(program: PolarsProgram, frame: pl.DataFrame) -> pl.DataFrame:
    """Run each vectorised predicate twin on the facts it reads and add its column."""
    columns = []
    for name in program.predicates:
        pred = program.ruleset.predicates[name]
        assert pred.vectorised is not None
        reads = [r for r in pred.reads if r in frame.columns]
        result = pred.vectorised(frame.select(reads))
        series = pl.Series(predicate_column(name), result, dtype=pl.Boolean)
        if len(series) != frame.height:
            raise ValueError(f"predicate {name}'s vectorised twin returned {len(series)} rows")
        columns.append(series)
    return frame.with_columns(columns) if columns else frame


def run_row_wise(
    program: PolarsProgram, frame: pl.DataFrame, entities: Iterable[Any]
) -> pl.DataFrame:
    """Evaluate the rules without a vectorised form with the native engine, row by row."""
    if not program.row_wise:
        return frame
    native = InterpretedProgram(program.ruleset)
    wanted = {rule_id: i for i, rule_id in enumerate(program.ruleset.rule_ids)}
    index = [wanted[rule_id] for rule_id in program.row_wise]
    verdicts: list[list[str]] = [[] for _ in index]
    points: list[list[float]] = [[] for _ in index]
    for entity in entities:
        vs, ps = native.run(entity)
        for k, i in enumerate(index):
            verdicts[k].append(vs[i].value)
            points[k].append(ps[i])
    columns = []
    for k, rule_id in enumerate(program.row_wise):
        columns.append(pl.Series(rule_id, verdicts[k], dtype=VERDICT))
        columns.append(pl.Series(points_column(rule_id), points[k], dtype=pl.Float64))
    return frame.with_columns(columns)


def program_for(ruleset: RuleSet, model: type[BaseModel]) -> PolarsProgram:
    """The polars program of a rule set for an entity model, compiled once and kept."""
    key = f"columnar:{model.__name__}"
    found = ruleset.programs.get(key)
    if found is None:
        found = ruleset.programs[key] = PolarsProgram(ruleset, model)
    return found
