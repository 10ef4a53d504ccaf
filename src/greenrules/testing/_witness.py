"""Witnesses: facts that make a condition true, read off the rule data, to steer generation.

Random facts rarely satisfy ten rules at once, so properties about eligible applicants ("a
national candidate is on the region's list") would go untested. A witness is a partial
assignment of facts that makes one condition hold: ``{fact: x, ge: 3}`` gives ``x = 3``,
``some: memberships`` gives one membership item with the fields its ``where`` asks for. Merging
the witnesses of every rule (skipping those that conflict) gives pins for an applicant that
passes most rules; leaving one rule's witness out lets that rule fail while the others pass.
Predicates, fact-to-fact comparisons and other shapes give no witness; generation stays random.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

import attrs
from hypothesis import strategies as st
from pydantic import BaseModel

from greenrules._model.facts import Kind, fact_schema
from greenrules._rules import conditions as c
from greenrules._rules.ruleset import RuleSet

from ._fields import Avoid

_NEGATE = {
    "eq": "ne",
    "ne": "eq",
    "lt": "ge",
    "le": "gt",
    "gt": "le",
    "ge": "lt",
    "in": "not_in",
    "not_in": "in",
}


MAX_ALTERNATIVES = 16
"""How many alternative witnesses of one condition are tried before giving up on it."""


class Conflict(Exception):
    """Two witnesses disagree on a fact."""


@attrs.frozen
class Items:
    """A witness for a list fact: fields every item needs, and items some condition needs."""

    every: Mapping[str, Any] = attrs.field(factory=dict)
    some: tuple[Mapping[str, Any], ...] = ()
    empty: bool = False


Witness = dict[str, Any]


def merge(a: Mapping[str, Any], b: Mapping[str, Any]) -> Witness:
    """The union of two witnesses; :class:`Conflict` when they disagree."""
    out = dict(a)
    for path, value in b.items():
        if path not in out:
            out[path] = value
        elif isinstance(out[path], Items) and isinstance(value, Items):
            old: Items = out[path]
            if (old.empty and value.some) or (value.empty and old.some):
                raise Conflict(path)
            out[path] = Items(
                merge(old.every, value.every), old.some + value.some, old.empty or value.empty
            )
        elif out[path] != value or isinstance(value, Items):
            raise Conflict(path)
    return out


@attrs.frozen
class Finder:
    """Finds witnesses against one rule set's parameters, tables and evaluation date."""

    ruleset: RuleSet

    def holds(self, node: c.Condition, model: type[BaseModel]) -> Witness | None:
        """Facts that make ``node`` true on ``model``, or None when none can be read off."""
        return next(self._alternatives(node, model), None)

    def _alternatives(self, node: c.Condition, model: type[BaseModel]) -> Iterator[Witness]:
        """Witnesses of ``node``, first the simplest; ``any`` branches are tried in turn."""
        if isinstance(node, c.Compare):
            found = self._compare(node, model)
            if found is not None:
                yield found
        elif isinstance(node, c.All):
            yield from islice(self._conjunction(node.parts, model, {}), MAX_ALTERNATIVES)
        elif isinstance(node, c.AnyOf):
            for part in node.parts:
                yield from self._alternatives(part, model)
        elif isinstance(node, c.Not):
            negated = self._negate(node.part)
            if isinstance(negated, dict):
                yield negated
            elif negated is not None:
                yield from self._alternatives(negated, model)
        elif isinstance(node, c.Some | c.Every):
            item = fact_schema(model)[node.path].item
            assert item is not None
            for inner in islice(self._alternatives(node.where, item), MAX_ALTERNATIVES):
                if isinstance(node, c.Some):
                    yield {node.path: Items(some=(inner,))}
                else:
                    yield {node.path: Items(every=inner)}
        elif isinstance(node, c.Known):
            yield {}

    def _conjunction(
        self, parts: tuple[c.Condition, ...], model: type[BaseModel], acc: Witness
    ) -> Iterator[Witness]:
        """Witnesses of every part at once, backtracking over the alternatives of each part."""
        if not parts:
            yield acc
            return
        for option in islice(self._alternatives(parts[0], model), MAX_ALTERNATIVES):
            try:
                merged = merge(acc, option)
            except Conflict:
                continue
            yield from self._conjunction(parts[1:], model, merged)

    def _negate(self, node: c.Condition) -> c.Condition | Witness | None:
        """A condition true exactly when ``node`` is false (or a witness, for ``known``)."""
        if isinstance(node, c.Compare):
            return c.Compare(node.left, _NEGATE[node.op], node.right)
        if isinstance(node, c.All):
            return c.AnyOf(tuple(c.Not(p) for p in node.parts))
        if isinstance(node, c.AnyOf):
            return c.All(tuple(c.Not(p) for p in node.parts))
        if isinstance(node, c.Not):
            return node.part
        if isinstance(node, c.Some):
            return c.Every(node.path, c.Not(node.where))
        if isinstance(node, c.Every):
            return c.Some(node.path, c.Not(node.where))
        if isinstance(node, c.Known):
            return {node.path: None}
        return None

    def _compare(self, node: c.Compare, model: type[BaseModel]) -> Witness | None:
        if isinstance(node.left, c.Count) and isinstance(node.right, c.Constant):
            return self._count(node.left, node.op, node.right.value, model)
        if isinstance(node.left, c.Division) and isinstance(node.left.value, c.Fact):
            # A division's own code is a code under it.
            wanted = self._constant(node.right)
            if node.op == "eq" and wanted is not None:
                return {node.left.value.path: wanted}
            if node.op == "in" and wanted:
                return {node.left.value.path: wanted[0]}
            return None
        if not isinstance(node.left, c.Fact):
            return None
        path = node.left.path
        spec = fact_schema(model).get(path)
        if spec is None:
            return None
        if isinstance(node.right, c.Lookup):
            return self._lookup(path, node.op, node.right, model)
        constant = self._constant(node.right)
        if constant is None:
            return None
        value = _satisfy(node.op, constant, spec.kind, spec.choices)
        return None if value is None else {path: value}

    def _constant(self, node: c.Value) -> Any:
        if isinstance(node, c.Constant):
            return node.value
        if isinstance(node, c.Param):
            return self.ruleset.params.get(node.name)
        if isinstance(node, c.AsOf):
            return node.resolve(self.ruleset.as_of)
        return None

    def _lookup(self, path: str, op: str, node: c.Lookup, model: type[BaseModel]) -> Witness | None:
        if not isinstance(node.key, c.Fact):
            return None
        # keys in sorted order, the order of a table's keys in a membership test, so a witness
        # of "the product is listed" and one of "its value reaches the row's" pick the same row
        for key, row in sorted(self.ruleset.tables.get(node.table, {}).items()):
            value = row.get(node.column)
            kind = fact_schema(model)[path].kind
            wanted = None if value is None else _satisfy(op, value, kind, None)
            if wanted is not None:
                return {node.key.path: key, path: wanted}
        return None

    def _count(self, node: c.Count, op: str, n: Any, model: type[BaseModel]) -> Witness | None:
        item = fact_schema(model)[node.path].item
        assert item is not None
        if not isinstance(n, int | float) or isinstance(n, bool):
            return None
        size = {"eq": n, "ge": n, "gt": n + 1, "le": 0, "lt": 0, "ne": n + 1}.get(op)
        if size is None or size != int(size) or size < 0:
            return None
        if size == 0:
            return {node.path: Items(empty=True)}
        inner = self.holds(node.where, item)
        if inner is None:
            return None
        # Count reads every item: make them all satisfy ``where`` so none is unknown.
        return {node.path: Items(every=inner, some=tuple({} for _ in range(int(size))))}


def _satisfy(op: str, constant: Any, kind: Kind, choices: tuple[str, ...] | None) -> Any:
    """A value ``v`` with ``v OP constant`` true, or None when none is obvious."""
    if op in ("eq", "ge", "le"):
        return constant
    if op == "in":
        return constant[0]
    if op in ("ne", "not_in"):
        excluded = set(constant) if op == "not_in" else {constant}
        rest: list[Any]
        if kind is Kind.BOOL:
            rest = [v for v in (True, False) if v not in excluded]
        elif choices is not None:
            rest = [v for v in choices if v not in excluded]
        elif kind is Kind.TEXT:
            return Avoid(frozenset(excluded))
        else:
            rest = [_step(max(excluded), +1)]
        return rest[0] if rest else None
    if op in ("lt", "gt"):
        return _step(constant, -1 if op == "lt" else +1)
    return None  # pragma: no cover - every operator is handled above


def _step(value: Any, sign: int) -> Any:
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=sign)
    if isinstance(value, int) and not isinstance(value, bool):
        return value + sign
    if isinstance(value, float):
        return value + sign * (abs(value) * 0.01 or 0.01)
    if isinstance(value, str) and value:
        if sign > 0:
            return value + "0"
        last = ord(value[-1])
        return value[:-1] + chr(last - 1) if last > ord("0") else None
    return None


def witness_pins(
    witness: Mapping[str, Any], model: type[BaseModel], item_strategy: Any
) -> dict[str, Any]:
    """Pins for the strategies from a witness; lists become strategies of witnessing items.

    ``item_strategy(item_model, pins)`` builds a strategy of one list item with pins.
    """
    pins: dict[str, Any] = {}
    schema = fact_schema(model)
    for path, value in witness.items():
        if not isinstance(value, Items):
            pins[path] = value
            continue
        if value.empty:
            pins[path] = ()
            continue
        item = schema[path].item
        assert item is not None
        wanted = value.some or ({},)
        parts = [
            item_strategy(item, witness_pins(_merged(value.every, one) or one, item, item_strategy))
            for one in wanted
        ]
        pins[path] = st.tuples(*parts)
    return pins


def passing_witnesses(ruleset: RuleSet, model: type[BaseModel]) -> dict[str, Witness]:
    """Per rule id, a witness that makes the rule pass (applicable and its ``requires`` true)."""
    finder = Finder(ruleset)
    out = {}
    for rule in ruleset.rules:
        nodes = tuple(n for n in (rule.applies_if, rule.requires) if n is not None)
        if not nodes:
            continue
        # one conjunction, so that an "any" in either part is searched against the other
        found = finder.holds(nodes[0] if len(nodes) == 1 else c.All(nodes), model)
        if found:
            out[rule.id] = found
    return out


def failing_witnesses(ruleset: RuleSet, model: type[BaseModel]) -> dict[str, Witness]:
    """Per rule id, a witness that makes the rule apply and its ``requires`` false."""
    finder = Finder(ruleset)
    out = {}
    for rule in ruleset.rules:
        if rule.requires is None:
            continue
        found = finder.holds(c.Not(rule.requires), model)
        if found is not None and rule.applies_if is not None:
            applies = finder.holds(rule.applies_if, model)
            found = None if applies is None else _merged(found, applies)
        if found:
            out[rule.id] = found
    return out


def _merged(a: Mapping[str, Any], b: Mapping[str, Any]) -> Witness | None:
    try:
        return merge(a, b)
    except Conflict:
        return None


def combine(
    witnesses: Mapping[str, Witness], first: Witness | None = None, leave_out: str | None = None
) -> Witness:
    """Merge ``first`` and then the witnesses of many rules in order.

    ``leave_out`` and any witness that conflicts with what is already merged are skipped.
    """
    out: Witness = dict(first or {})
    for rule_id, witness in witnesses.items():
        if rule_id != leave_out:
            out = _merged(out, witness) or out
    return out
