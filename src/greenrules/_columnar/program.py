"""The columnar engine's backend: a rule set compiled into one polars plan over a table.

This is the only module that evaluates rules with polars (the ``_table_*`` modules only read and
check tables, and run the plans made here). A rule set's condition trees, the same ones the native
engine compiles into closures, become polars expressions over a *canonical frame*: one column per
scalar fact, named by its dotted path, and one ``List(Struct)`` column per list fact (its child
table). Polars treats nulls with Kleene's three-valued logic, which is ours, so a missing fact stays
unknown.

Rules over related entities (a park's enterprises, a supplier's list memberships, an agency's
annual reports, energy items) run over the child table as a group-by on the parent: the item
condition is evaluated once over the child table's flat values and aggregated per parent through
the list offsets, which measured five times faster than exploding, hashing and joining back.
Reference tables are joined as hash lookups. Everything the native engine decides in Python
(verdicts, :class:`~greenrules._rules.status.StatusPlan` status, priority, missing facts) is here one
expression per column, and checked against the native engine by the differential tests.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

import attrs
import polars as pl
from pydantic import BaseModel

from greenrules._engines.interpreter import NativeProgram
from greenrules._model.enums import Status, Strength, Verdict
from greenrules._model.facts import FactSpec, Kind, _unwrap, fact_schema
from greenrules._rules import conditions as c
from greenrules._rules.rules import Rule
from greenrules._rules.ruleset import RuleSet
from greenrules._rules.status import StatusPlan

VERDICT = pl.Enum([v.value for v in Verdict])
STATUS = pl.Enum([s.value for s in Status])
MISSING = pl.List(pl.Categorical)
"""The dtype of the ``missing`` column: texts as categories, shared by every table."""
_KIND_DTYPE: dict[Kind, Any] = {
    Kind.BOOL: pl.Boolean,
    Kind.NUMBER: pl.Float64,
    Kind.TEXT: pl.String,
    Kind.DATE: pl.Date,
}
_UNKNOWN_CODE = 1 << 40  # marks an unknown item in a count: any sum reaching it is unknown


# --- the canonical frame -------------------------------------------------------------------


@cache
def field_types(model: type[BaseModel]) -> dict[str, Any]:
    """Each field of ``model`` mapped to its concrete type (Optional and Annotated removed)."""
    hints = typing.get_type_hints(model, include_extras=True)
    return {name: _unwrap(hints[name]) for name in model.model_fields}


def owner_of(model: type[BaseModel], path: str) -> tuple[type[BaseModel], str]:
    """The model holding the last field of a dotted ``path``, and that field's name."""
    *parents, leaf = path.split(".")
    owner = model
    for part in parents:
        owner = field_types(owner)[part]
    return owner, leaf


def _leaf_dtype(model: type[BaseModel], path: str, spec: FactSpec) -> Any:
    if spec.kind is Kind.LIST:
        assert spec.item is not None
        return pl.List(pl.Struct(frame_schema(spec.item)))
    owner, leaf = owner_of(model, path)
    if spec.kind is Kind.NUMBER and field_types(owner)[leaf] is int:
        return pl.Int64
    return _KIND_DTYPE[spec.kind]


@cache
def frame_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The canonical columns of ``model``: every scalar fact and every list fact, by path (the
    fact schema does not descend into lists: their items are the list column's structs)."""
    return {
        path: _leaf_dtype(model, path, spec)
        for path, spec in fact_schema(model).items()
        if spec.kind is not Kind.RECORD
    }


def _required_leaf(model: type[BaseModel]) -> str | None:
    """A required scalar field of ``model``: its presence tells whether the record is there."""
    for name, info in model.model_fields.items():
        tp = field_types(model)[name]
        nested = isinstance(tp, type) and issubclass(tp, BaseModel)
        if info.is_required() and not nested and typing.get_origin(tp) is not tuple:
            return name
    return None


def _record_optional(model: type[BaseModel], path: str) -> bool:
    owner, leaf = owner_of(model, path)
    return owner.model_fields[leaf].default is None and not owner.model_fields[leaf].is_required()


# --- models to frame -------------------------------------------------------------------------


def _leaf_value(value: Any) -> Any:
    if isinstance(value, str):  # str enums: their plain value
        return str(value)
    return value


def item_row(item: BaseModel) -> dict[str, Any]:
    """One list item as its canonical struct value."""
    model = type(item)
    out: dict[str, Any] = {}
    for path in frame_schema(model):
        out[path] = _read(item, path, fact_schema(model)[path].kind)
    return out


def _read(obj: Any, path: str, kind: Kind) -> Any:
    for part in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part)
    if kind is Kind.LIST:
        return None if obj is None else [item_row(i) for i in obj]
    return _leaf_value(obj)


def models_to_frame(entities: Sequence[BaseModel], model: type[BaseModel]) -> pl.DataFrame:
    """The canonical frame of validated entities, one row each, in order."""
    schema = frame_schema(model)
    specs = fact_schema(model)
    columns: dict[str, list[Any]] = {}
    for path in schema:
        kind = specs[path].kind
        if kind is Kind.LIST:
            columns[path] = [_read(e, path, kind) for e in entities]
        elif "." not in path:
            columns[path] = [_leaf_value(getattr(e, path)) for e in entities]
        else:
            columns[path] = [_read(e, path, kind) for e in entities]
    return pl.DataFrame(columns, schema=schema)


# --- compiling conditions ----------------------------------------------------------------------


@attrs.frozen
class Scope:
    """Where an expression reads facts: the entity's columns, or a list item inside ``eval``."""

    model: type[BaseModel]
    element: bool = False

    def col(self, path: str) -> pl.Expr:
        """The expression reading the canonical column or struct field ``path``."""
        if self.element:
            return pl.element().struct.field(path)
        return pl.col(path)

    def spec(self, path: str) -> FactSpec:
        return fact_schema(self.model)[path]


class RowWise(Exception):
    """A condition has no vectorised form (a Python predicate without a twin)."""


class ExprCompiler:
    """Turns condition trees into polars expressions over the canonical frame."""

    def __init__(self, ruleset: RuleSet, vectorised: frozenset[str]) -> None:
        self.ruleset = ruleset
        self.vectorised = vectorised
        self.staged: dict[Any, tuple[str, pl.Expr]] = {}
        """Per-entity aggregates over child tables, computed as columns in a first step."""

    def stage(self, key: Any, expr: pl.Expr, scope: Scope) -> pl.Expr:
        """Compute a child-table aggregate once, as its own column, and read that column.

        Polars evaluates a ``list.eval`` nested inside a ``when`` chain per row (about a
        hundred times slower); as a plain column first, it runs over the flat child values.
        """
        if scope.element:
            return expr
        found = self.staged.get(key)
        if found is None:
            found = self.staged[key] = (f"__stage__.{len(self.staged)}", expr)
        return pl.col(found[0])

    def condition(self, node: c.Condition, scope: Scope) -> pl.Expr:
        """A Boolean expression: true, false or null (unknown)."""
        if isinstance(node, c.Compare):
            return self._compare(node, scope)
        if isinstance(node, c.Known):
            return self.present(node.path, scope)
        if isinstance(node, c.All):
            parts = [self.condition(p, scope) for p in node.parts]
            out = parts[0]
            for part in parts[1:]:
                out = out & part
            return out
        if isinstance(node, c.AnyOf):
            parts = [self.condition(p, scope) for p in node.parts]
            out = parts[0]
            for part in parts[1:]:
                out = out | part
            return out
        if isinstance(node, c.Not):
            return self.condition(node.part, scope).not_()
        if isinstance(node, c.Some | c.Every):
            return self._quantifier(node, scope)
        assert isinstance(node, c.PredicateCall)
        if scope.element or node.name not in self.vectorised:
            raise RowWise(node.name)
        return pl.col(predicate_column(node.name))

    def value(self, node: c.Value, scope: Scope) -> pl.Expr:
        """An expression for a value, null when it is unknown."""
        if isinstance(node, c.Literal):
            return pl.lit(node.value)
        if isinstance(node, c.Fact):
            return scope.col(node.path)
        if isinstance(node, c.Param):
            return pl.lit(self.ruleset.params.get(node.name))
        if isinstance(node, c.AsOf):
            return pl.lit(node.resolve(self.ruleset.as_of), dtype=pl.Date)
        if isinstance(node, c.Lookup):
            return self._lookup(node, scope)
        assert isinstance(node, c.Count)
        items = scope.col(node.path)
        inner = self.condition(node.where, Scope(_item(scope, node.path), True))
        code = inner.cast(pl.Int64).fill_null(_UNKNOWN_CODE)
        total = self.stage(("count", node), items.list.eval(code).list.sum(), scope)
        return pl.when(total < _UNKNOWN_CODE).then(total)

    def present(self, path: str, scope: Scope) -> pl.Expr:
        """True when the fact (a scalar, a list or a record) at ``path`` is there."""
        spec = scope.spec(path)
        if spec.kind is not Kind.RECORD:
            return scope.col(path).is_not_null()
        parent = path.rpartition(".")[0]
        above = self.present(parent, scope) if parent else pl.lit(True)
        if not _record_optional(scope.model, path):
            return above
        assert spec.item is not None
        required = _required_leaf(spec.item)
        if required is not None:
            return scope.col(f"{path}.{required}").is_not_null()
        leaves = [p for p in frame_schema(scope.model) if p.startswith(path + ".")]
        return pl.any_horizontal([scope.col(p).is_not_null() for p in leaves])

    def _compare(self, node: c.Compare, scope: Scope) -> pl.Expr:
        left = self.value(node.left, scope)
        if node.op in ("in", "not_in"):
            assert isinstance(node.right, c.Literal)
            members = list(node.right.value)
            if all(isinstance(m, int | float) and not isinstance(m, bool) for m in members):
                members = [float(m) for m in members]
            if all(isinstance(m, float) for m in members):
                left = left.cast(pl.Float64)
            test = left.is_in(members)
            test = test if node.op == "in" else test.not_()
            return pl.when(left.is_null()).then(None).otherwise(test)
        right = self.value(node.right, scope)
        op: Callable[[pl.Expr, pl.Expr], pl.Expr] = _OPS[node.op]
        return op(left, right)

    def _lookup(self, node: c.Lookup, scope: Scope) -> pl.Expr:
        key = self.value(node.key, scope)
        rows = self.ruleset.tables.get(node.table, {})
        kind = _table_kind(self.ruleset, node.table, node.column)
        dtype = _KIND_DTYPE[kind]
        if not rows:
            return pl.lit(None, dtype=dtype)
        keys = list(rows)
        values = [_table_value(row.get(node.column), kind) for row in rows.values()]
        return key.replace_strict(
            pl.Series(keys, dtype=pl.String),
            pl.Series(values, dtype=dtype),
            default=pl.lit(None, dtype=dtype),
            return_dtype=dtype,
        )

    def _quantifier(self, node: c.Some | c.Every, scope: Scope) -> pl.Expr:
        items = scope.col(node.path)
        inner = self.condition(node.where, Scope(_item(scope, node.path), True))
        code = pl.when(inner).then(2).when(inner.not_()).then(0).otherwise(1).cast(pl.Int8)
        # 2 true, 1 unknown, 0 false; an empty list is false for some and true for every
        some = isinstance(node, c.Some)
        agg = items.list.eval(code)
        agg = agg.list.max() if some else agg.list.min()
        agg = pl.when(items.is_not_null()).then(agg.fill_null(0 if some else 2))
        found = self.stage(("quantifier", node), agg, scope)
        return pl.when(found != 1).then(found == 2)

    # --- missing facts, declaratively, as :meth:`Compiler.missing` defines them ---

    def absent_anywhere(self, path: str, scope: Scope) -> pl.Expr:
        """True when any value at ``path`` (descending into lists) is missing."""
        schema = fact_schema(scope.model)
        parts = path.split(".")
        for i in range(1, len(parts)):
            head = ".".join(parts[:i])
            spec = schema.get(head)
            if spec is not None and spec.kind is Kind.LIST:
                items = scope.col(head)
                rest = ".".join(parts[i:])
                inner = self.absent_anywhere(rest, Scope(_item(scope, head), True))
                found = items.is_null() | items.list.eval(inner).list.any()
                return self.stage(("absent", path), found, scope)
        return self.present(path, scope).not_()

    def data_missing(self, node: c.Condition | c.Value, scope: Scope) -> list[Gap]:
        """The parameters and reference values a tree finds missing, as row expressions.

        As in :meth:`Compiler.missing`, a tree inside ``some``/``every``/``count`` is looked at
        once per item, so a missing parameter there counts only when the list has items.
        """
        out: list[Gap] = []
        if isinstance(node, c.Param) and self.ruleset.params.get(node.name) is None:
            out.append(Gap(f"param:{node.name}", None, None, None))
        elif isinstance(node, c.Lookup):
            key = self.value(node.key, scope)
            hole = key.is_not_null() & self._lookup(node, scope).is_null()
            text = pl.concat_str([pl.lit(f"ref:{node.table}["), key, pl.lit(f"].{node.column}")])
            texts = pl.concat_list([pl.when(hole).then(text)])
            out.append(Gap(None, None, texts, pl.when(hole).then(key)))
        if isinstance(node, c.Some | c.Every | c.Count):
            items = scope.col(node.path)
            for n, gap in enumerate(
                self.data_missing(node.where, Scope(_item(scope, node.path), True))
            ):
                gap_key = ("gap", node, n)
                if gap.texts is not None and gap.key is not None:
                    # The texts are built only for the rows rendered (see _render_missing);
                    # every row gets the hash of the keys it misses.
                    texts = items.list.eval(gap.texts.explode())
                    keys = items.list.eval(gap.key).hash()  # (drop_nulls: ten times slower)
                    out.append(Gap(None, None, texts, self.stage(gap_key, keys, scope)))
                elif gap.flag is None:
                    flag = (items.list.len() > 0).fill_null(False)
                    out.append(Gap(gap.text, flag, None, None))
                else:
                    flag = items.list.eval(gap.flag).list.any().fill_null(False)
                    out.append(Gap(gap.text, self.stage(gap_key, flag, scope), None, None))
            return out
        for child in c.children(node):
            out += self.data_missing(child, scope)
        return out


@attrs.frozen
class Gap:
    """Missing data: a fixed ``text`` (always, or where ``flag``) or a list of ``texts``.

    ``key`` identifies a row's ``texts``: the key looked up in vain (null when none), or for a
    list the hash of those keys, so that the texts are built once per distinct key only.
    """

    text: str | None
    flag: pl.Expr | None
    texts: pl.Expr | None
    key: pl.Expr | None


_OPS: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


def _item(scope: Scope, path: str) -> type[BaseModel]:
    item = scope.spec(path).item
    assert item is not None
    return item


def _table_kind(ruleset: RuleSet, table: str, column: str) -> Kind:
    for row in ruleset.tables.get(table, {}).values():
        value = row.get(column)
        if value is not None:
            return c.literal_kind(value)
    return Kind.NUMBER


def _table_value(value: Any, kind: Kind) -> Any:
    if kind is Kind.NUMBER and value is not None:
        return float(value)
    return value


def predicate_column(name: str) -> str:
    """The column holding a vectorised predicate's result."""
    return f"__predicate__.{name}"


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
        self.scope = Scope(model)
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
        """Only the new columns of :meth:`run` (waiver flags, verdicts, contributions, status,
        review flag, priority): the engine would copy every column it passed on."""
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
    native = NativeProgram(program.ruleset)
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
