"""Type checking of conditions against an entity model, when a pack is registered.

Every fact, parameter, table and predicate a condition names must exist, and the two sides of
each comparison must have the same kind, so that a typo or a date compared with a number is a
pack error at load time, never a wrong verdict at evaluation.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import attrs

from greenrules._model.facts import FactSpec, Kind, fact_schema
from greenrules._rules.conditions import (
    ORDERED,
    All,
    AnyOf,
    AsOf,
    Compare,
    Condition,
    ConditionError,
    Constant,
    Count,
    Division,
    Every,
    Fact,
    Keys,
    Known,
    Lookup,
    Not,
    Param,
    PredicateCall,
    Shift,
    Some,
    Value,
    literal_kind,
)


@attrs.frozen
class NameScope:
    """What a condition may refer to while it is checked: facts, params, tables, predicates."""

    facts: Mapping[str, FactSpec]
    params: Mapping[str, Kind]
    tables: Mapping[str, Mapping[str, Kind]]
    predicates: frozenset[str]

    def within(self, spec: FactSpec, where: str) -> NameScope:
        """The scope inside a quantifier over the list fact ``spec``."""
        if spec.kind is not Kind.LIST or spec.item is None:
            raise ConditionError(f"'{spec.path}' is not a list; quantify over lists only", where)
        return attrs.evolve(self, facts=fact_schema(spec.item))


def check(node: Condition, scope: NameScope, where: str = "") -> None:
    """Type-check a condition: every fact, param, table and predicate exists and kinds match."""
    if isinstance(node, Compare):
        left = _value_kind(node.left, scope, f"{where}.left")
        if isinstance(node.right, Keys):
            if node.right.table not in scope.tables:
                raise ConditionError(f"the pack has no reference table '{node.right.table}'", where)
            if left is not Kind.TEXT:
                raise ConditionError(f"compares a {left} with a table's keys (text)", where)
            return
        if node.op in ("in", "not_in"):
            assert isinstance(node.right, Constant)
            for item in node.right.value:
                _same_kind(left, literal_kind(item), node, item, scope, where)
            return
        right = _value_kind(node.right, scope, f"{where}.right")
        _same_kind(left, right, node, getattr(node.right, "value", None), scope, where)
        if node.op in ORDERED and left is Kind.BOOL:
            raise ConditionError(f"'{node.op}' orders values; booleans have no order", where)
    elif isinstance(node, Known):
        _fact(node.path, scope, where)
    elif isinstance(node, All | AnyOf):
        for i, part in enumerate(node.parts):
            check(part, scope, f"{where}[{i}]")
    elif isinstance(node, Not):
        check(node.part, scope, where)
    elif isinstance(node, Some | Every):
        check(node.where, scope.within(_fact(node.path, scope, where), where), f"{where}.where")
    elif isinstance(node, PredicateCall) and node.name not in scope.predicates:
        raise ConditionError(f"no predicate named '{node.name}' is registered by the pack", where)


def _fact(path: str, scope: NameScope, where: str) -> FactSpec:
    spec = scope.facts.get(path)
    if spec is None:
        near = difflib.get_close_matches(path, list(scope.facts), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ConditionError(f"no fact '{path}' on this entity{hint}", where)
    return spec


def _value_kind(node: Value, scope: NameScope, where: str) -> Kind:
    if isinstance(node, Constant):
        return literal_kind(node.value)
    if isinstance(node, Fact):
        spec = _fact(node.path, scope, where)
        if spec.kind is Kind.LIST:
            raise ConditionError(f"'{node.path}' is a list; use some, every or count", where)
        if spec.kind is Kind.RECORD:
            raise ConditionError(f"'{node.path}' is a record; compare its fields", where)
        return spec.kind
    if isinstance(node, Param):
        if node.name not in scope.params:
            raise ConditionError(f"the pack has no parameter '{node.name}'", where)
        return scope.params[node.name]
    if isinstance(node, Lookup):
        columns = scope.tables.get(node.table)
        if columns is None:
            raise ConditionError(f"the pack has no reference table '{node.table}'", where)
        if node.column not in columns:
            raise ConditionError(f"table '{node.table}' has no column '{node.column}'", where)
        if _value_kind(node.key, scope, f"{where}.key") is not Kind.TEXT:
            raise ConditionError("reference tables are keyed by text", where)
        return columns[node.column]
    if isinstance(node, AsOf):
        return Kind.DATE
    if isinstance(node, Shift | Division):
        wanted = Kind.DATE if isinstance(node, Shift) else Kind.TEXT
        found = _value_kind(node.value, scope, f"{where}.{type(node).__name__.lower()}")
        if found is not wanted:
            raise ConditionError(
                f"'{type(node).__name__.lower()}' takes a {wanted}, got a {found}", where
            )
        return wanted
    assert isinstance(node, Count)
    check(node.where, scope.within(_fact(node.path, scope, where), where), f"{where}.where")
    return Kind.NUMBER


def _same_kind(
    left: Kind, right: Kind, node: Compare, const: Any, scope: NameScope, where: str
) -> None:
    if left is not right:
        raise ConditionError(f"compares a {left} with a {right}", where)
    if isinstance(node.left, Fact) and const is not None and isinstance(const, str):
        spec = scope.facts.get(node.left.path)
        if spec is not None and spec.choices is not None and const not in spec.choices:
            raise ConditionError(
                f"'{node.left.path}' is one of {list(spec.choices)}, never {const!r}", where
            )
