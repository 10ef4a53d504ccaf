"""Where generated facts should land: the constants a pack's rules compare against, and their edges.

Boundary bugs hide at the threshold a rule compares with: ``le 1.2`` against ``lt 1.2``, a
date one day before the cut-off. Uniform random values almost never land there, so the
strategies are aimed: :func:`targets` reads the rule data (literal constants through
:func:`greenrules._rules.conditions.literal_thresholds`, plus parameters, reference-table values
reached through lookups, evaluation-date arithmetic and ``count`` sizes) and offers, for each
fact path, values just below, at and just above every constant.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeAlias

import attrs

from greenrules._model.enums import Strength
from greenrules._rules import conditions as c
from greenrules._rules.packs import Pack
from greenrules._rules.rules import Rule
from greenrules._rules.ruleset import RuleSet


@attrs.frozen
class Targets:
    """The values worth generating for each fact path, read from some rules.

    Attributes:
        values: per fact path (items of lists as ``list.field``), the constants the rules
            compare with and their neighbours, sorted for reproducibility.
        sizes: per list fact path, list lengths around the constants a ``count`` compares with.
        waivable: the ids of the in-principle rules, which generated waivers name.
        rule_ids: every rule id seen, so that waivers may also name rules that cannot be waived.
    """

    values: Mapping[str, tuple[Any, ...]] = attrs.field(factory=dict)
    sizes: Mapping[str, tuple[int, ...]] = attrs.field(factory=dict)
    waivable: tuple[str, ...] = ()
    rule_ids: tuple[str, ...] = ()

    def __or__(self, other: Targets) -> Targets:
        """The union of two sets of targets."""
        values = {
            p: tuple(_sorted({*self.values.get(p, ()), *other.values.get(p, ())}))
            for p in {*self.values, *other.values}
        }
        sizes = {
            p: tuple(sorted({*self.sizes.get(p, ()), *other.sizes.get(p, ())}))
            for p in {*self.sizes, *other.sizes}
        }
        return Targets(
            values,
            sizes,
            tuple(dict.fromkeys((*self.waivable, *other.waivable))),
            tuple(dict.fromkeys((*self.rule_ids, *other.rule_ids))),
        )


AimSource: TypeAlias = "Targets | Pack | RuleSet | Iterable[Targets | Pack | RuleSet]"
"""What a strategy may be aimed at: rule sets, packs, ready targets, or several of them."""


def targets(source: AimSource) -> Targets:
    """The targets of a rule set, a pack (every dated value), or several of them merged.

    A :class:`~greenrules._rules.ruleset.RuleSet` contributes parameter and table values in force on
    its date; a :class:`~greenrules.Pack` contributes every value it has ever dated, so that
    strategies aimed at a pack also probe the rounds before and after a change.
    """
    if isinstance(source, Targets):
        return source
    if isinstance(source, RuleSet):
        params = {name: (value,) for name, value in source.params.items() if value is not None}
        tables = {name: tuple(rows.items()) for name, rows in source.tables.items()}
        return _collect(source.rules, params, tables, (source.as_of,))
    if isinstance(source, Pack):
        params = {n: tuple(v.value for v in p.values) for n, p in source.params.items()}
        tables = {n: tuple((row[t.key], row) for row in t.rows) for n, t in source.tables.items()}
        return _collect(source.rules, params, tables, tuple(source.evaluation_dates.values()))
    if isinstance(source, Iterable) and not isinstance(source, str | bytes | Mapping):
        out = Targets()
        for item in source:
            out = out | targets(item)
        return out
    raise TypeError(f"expected a RuleSet, Pack or Targets, got aim={source!r}")


def _collect(
    rules: Iterable[Rule],
    params: Mapping[str, tuple[Any, ...]],
    tables: Mapping[str, tuple[tuple[str, Mapping[str, Any]], ...]],
    days: tuple[dt.date, ...],
) -> Targets:
    found: dict[str, set[Any]] = {}
    sizes: dict[str, set[int]] = {}
    waivable: list[str] = []
    ids: list[str] = []
    context = _Context(params, tables, days)
    for rule in rules:
        ids.append(rule.id)
        if rule.strength is Strength.IN_PRINCIPLE:
            waivable.append(rule.id)
        for node in rule.nodes():
            for path, constant in c.literal_thresholds(node):
                found.setdefault(path, set()).update(near(constant))
            for path, constant in context.reached(node, ""):
                found.setdefault(path, set()).update(near(constant))
            for path, size in _count_sizes(node, ""):
                sizes.setdefault(path, set()).update(
                    s for s in (size - 1, size, size + 1) if s >= 0
                )
    return Targets(
        {p: tuple(_sorted(v)) for p, v in found.items()},
        {p: tuple(sorted(v)) for p, v in sizes.items()},
        tuple(dict.fromkeys(waivable)),
        tuple(dict.fromkeys(ids)),
    )


@attrs.frozen
class _Context:
    """The data a rule's non-literal values resolve to: parameters, tables, evaluation dates."""

    params: Mapping[str, tuple[Any, ...]]
    tables: Mapping[str, tuple[tuple[str, Mapping[str, Any]], ...]]  # (key, row) pairs
    days: tuple[dt.date, ...]

    def reached(self, node: c.Condition | c.Value, prefix: str) -> Iterator[tuple[str, Any]]:
        """(fact path, constant) pairs a tree compares with through params, lookups and dates."""
        if isinstance(node, c.Compare):
            for fact, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(fact, c.Division):
                    fact = fact.value  # a division's own code is a code under it
                if isinstance(fact, c.Fact):
                    for constant in self.constants(other):
                        yield prefix + fact.path, constant
            for side in (node.left, node.right):
                if isinstance(side, c.Lookup) and isinstance(side.key, c.Fact):
                    for key, _row in self.tables.get(side.table, ()):
                        yield prefix + side.key.path, key
        if isinstance(node, c.Some | c.Every | c.Count):
            yield from self.reached(node.where, f"{prefix}{node.path}.")
            return
        for child in c.children(node):
            yield from self.reached(child, prefix)

    def constants(self, node: c.Value) -> Iterator[Any]:
        """The values a non-literal value expression can take."""
        if isinstance(node, c.Param):
            yield from (v for v in self.params.get(node.name, ()) if v is not None)
        elif isinstance(node, c.Lookup):
            for _key, row in self.tables.get(node.table, ()):
                value = row.get(node.column)
                if value is not None:
                    yield value
        elif isinstance(node, c.AsOf):
            yield from (node.resolve(day) for day in self.days)
        elif isinstance(node, c.Keys):
            yield from (key for key, _row in self.tables.get(node.table, ()))


def _count_sizes(node: c.Condition | c.Value, prefix: str) -> Iterator[tuple[str, int]]:
    if isinstance(node, c.Compare):
        for count, other in ((node.left, node.right), (node.right, node.left)):
            if (
                isinstance(count, c.Count)
                and isinstance(other, c.Constant)
                and isinstance(other.value, int | float)
                and not isinstance(other.value, bool)
            ):
                yield prefix + count.path, math.ceil(other.value)
    if isinstance(node, c.Some | c.Every | c.Count):
        yield from _count_sizes(node.where, f"{prefix}{node.path}.")
        return
    for child in c.children(node):
        yield from _count_sizes(child, prefix)


def near(constant: Any) -> tuple[Any, ...]:
    """The constant and its nearest neighbours: just below, at and just above it.

    Integers step by one, floats by one unit in the last place and by one percent (so a rule
    written ``lt`` where ``le`` was meant is caught either way), dates by one day.
    """
    if isinstance(constant, bool | str):
        return (constant,)
    if isinstance(constant, int):
        return (constant - 1, constant, constant + 1)
    if isinstance(constant, float):
        step = abs(constant) * 0.01 or 0.01
        return (
            constant - step,
            math.nextafter(constant, -math.inf),
            constant,
            math.nextafter(constant, math.inf),
            constant + step,
        )
    if isinstance(constant, dt.date):
        one = dt.timedelta(days=1)
        return (constant - one, constant, constant + one)
    return (constant,)


def _sorted(values: Iterable[Any]) -> list[Any]:
    """Values in a reproducible order, whatever their types."""
    return sorted(values, key=lambda v: (type(v).__name__, v))
