"""Condition trees compiled into polars expressions over the canonical frame.

The same trees the native engine compiles into closures become expressions here. Polars treats
nulls with Kleene's three-valued logic, which is ours, so a missing fact stays unknown. Rules
over related entities (a park's enterprises, an agency's annual reports, energy items) run over
the child table as a group-by on the parent through the list offsets, which measured five times
faster than exploding, hashing and joining back. Reference tables are joined as hash lookups.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import polars as pl
from pydantic import BaseModel

from greenrules._columnar.schema import KIND_DTYPE, frame_schema, record_optional, required_leaf
from greenrules._model.facts import FactSpec, Kind, fact_schema
from greenrules._rules import conditions as c
from greenrules._rules.ruleset import RuleSet

_UNKNOWN_CODE = 1 << 40  # marks an unknown item in a count: any sum reaching it is unknown


# --- compiling conditions ----------------------------------------------------------------------


@attrs.frozen
class FrameScope:
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

    def stage(self, key: Any, expr: pl.Expr, scope: FrameScope) -> pl.Expr:
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

    def condition(self, node: c.Condition, scope: FrameScope) -> pl.Expr:
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

    def value(self, node: c.Value, scope: FrameScope) -> pl.Expr:
        """An expression for a value, null when it is unknown."""
        if isinstance(node, c.Constant):
            return pl.lit(node.value)
        if isinstance(node, c.Fact):
            return scope.col(node.path)
        if isinstance(node, c.Param):
            return pl.lit(self.ruleset.params.get(node.name))
        if isinstance(node, c.AsOf):
            return pl.lit(node.resolve(self.ruleset.as_of), dtype=pl.Date)
        if isinstance(node, c.Lookup):
            return self._lookup(node, scope)
        if isinstance(node, c.Shift):
            return _shifted(self.value(node.value, scope), node)
        if isinstance(node, c.Division):
            code = self.value(node.value, scope)
            digits = c.DIVISION_LEVELS[node.level]
            head = pl.concat_str([code.str.slice(0, digits), pl.lit("0" * (6 - digits))])
            return pl.when(code.str.contains("^[0-9]{6}$")).then(head)
        assert isinstance(node, c.Count)
        items = scope.col(node.path)
        inner = self.condition(node.where, FrameScope(_item(scope, node.path), True))
        code = inner.cast(pl.Int64).fill_null(_UNKNOWN_CODE)
        total = self.stage(("count", node), items.list.eval(code).list.sum(), scope)
        return pl.when(total < _UNKNOWN_CODE).then(total)

    def present(self, path: str, scope: FrameScope) -> pl.Expr:
        """True when the fact (a scalar, a list or a record) at ``path`` is there."""
        spec = scope.spec(path)
        if spec.kind is not Kind.RECORD:
            return scope.col(path).is_not_null()
        parent = path.rpartition(".")[0]
        above = self.present(parent, scope) if parent else pl.lit(True)
        if not record_optional(scope.model, path):
            return above
        assert spec.item is not None
        required = required_leaf(spec.item)
        if required is not None:
            return scope.col(f"{path}.{required}").is_not_null()
        leaves = [p for p in frame_schema(scope.model) if p.startswith(path + ".")]
        return pl.any_horizontal([scope.col(p).is_not_null() for p in leaves])

    def _compare(self, node: c.Compare, scope: FrameScope) -> pl.Expr:
        left = self.value(node.left, scope)
        if node.op in ("in", "not_in"):
            assert isinstance(node.right, c.Constant)
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

    def _lookup(self, node: c.Lookup, scope: FrameScope) -> pl.Expr:
        key = self.value(node.key, scope)
        rows = self.ruleset.tables.get(node.table, {})
        kind = table_column_kind(self.ruleset, node.table, node.column)
        dtype = KIND_DTYPE[kind]
        if not rows:
            return pl.lit(None, dtype=dtype)
        keys = list(rows)
        values = [table_literal(row.get(node.column), kind) for row in rows.values()]
        return key.replace_strict(
            pl.Series(keys, dtype=pl.String),
            pl.Series(values, dtype=dtype),
            default=pl.lit(None, dtype=dtype),
            return_dtype=dtype,
        )

    def _quantifier(self, node: c.Some | c.Every, scope: FrameScope) -> pl.Expr:
        items = scope.col(node.path)
        inner = self.condition(node.where, FrameScope(_item(scope, node.path), True))
        code = pl.when(inner).then(2).when(inner.not_()).then(0).otherwise(1).cast(pl.Int8)
        # 2 true, 1 unknown, 0 false; an empty list is false for some and true for every
        some = isinstance(node, c.Some)
        agg = items.list.eval(code)
        agg = agg.list.max() if some else agg.list.min()
        agg = pl.when(items.is_not_null()).then(agg.fill_null(0 if some else 2))
        found = self.stage(("quantifier", node), agg, scope)
        return pl.when(found != 1).then(found == 2)

    # --- missing facts, declaratively, as :meth:`Compiler.missing` defines them ---

    def absent_anywhere(self, path: str, scope: FrameScope) -> pl.Expr:
        """True when any value at ``path`` (descending into lists) is missing."""
        schema = fact_schema(scope.model)
        parts = path.split(".")
        for i in range(1, len(parts)):
            head = ".".join(parts[:i])
            spec = schema.get(head)
            if spec is not None and spec.kind is Kind.LIST:
                items = scope.col(head)
                rest = ".".join(parts[i:])
                inner = self.absent_anywhere(rest, FrameScope(_item(scope, head), True))
                found = items.is_null() | items.list.eval(inner).list.any()
                return self.stage(("absent", path), found, scope)
        return self.present(path, scope).not_()

    def data_missing(self, node: c.Condition | c.Value, scope: FrameScope) -> list[Gap]:
        """The parameters and reference values a tree finds missing, as row expressions.

        As in :meth:`ClosureCompiler.missing`, a tree inside ``some``/``every``/``count`` is
        looked at once per item, so a missing parameter there counts only when the list has items.
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
                self.data_missing(node.where, FrameScope(_item(scope, node.path), True))
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


def _item(scope: FrameScope, path: str) -> type[BaseModel]:
    item = scope.spec(path).item
    assert item is not None
    return item


def table_column_kind(ruleset: RuleSet, table: str, column: str) -> Kind:
    for row in ruleset.tables.get(table, {}).values():
        value = row.get(column)
        if value is not None:
            return c.literal_kind(value)
    return Kind.NUMBER


def table_literal(value: Any, kind: Kind) -> Any:
    if kind is Kind.NUMBER and value is not None:
        return float(value)
    return value


def _shifted(day: pl.Expr, node: c.Shift) -> pl.Expr:
    """A date column moved as :func:`~greenrules._rules.conditions.shift_date` moves a date.

    Months first (a day past the month's end becomes its last day), then days; null past the
    years 1 to 9999, where Python's dates end.
    """
    months = day.dt.offset_by(f"{node.years * 12 + node.months}mo")
    moved = months.dt.offset_by(f"{node.days}d")
    fits = months.dt.year().is_between(1, 9999) & moved.dt.year().is_between(1, 9999)
    return pl.when(fits).then(moved)


def predicate_column(name: str) -> str:
    """The column holding a vectorised predicate's result."""
    return f"__predicate__.{name}"
