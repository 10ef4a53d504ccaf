"""The reference values a rule read for one entity, each with the source and confidence of its row.

A verdict that compared a factory's energy with a transcribed grade is only as good as that
grade. Engines compute verdicts without keeping what they looked up, so a finding finds the
values again from the rule's lookups and the entity's keys, on first access only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from greenrules._decision.parts import ReferenceValue
from greenrules._engines.interpreter import values_at
from greenrules._rules import conditions as c
from greenrules._rules.rules import Rule

Tables = Mapping[str, Mapping[str, Mapping[str, Any]]]


def _lookups(node: c.Condition | c.Value, prefix: str = "") -> Iterator[tuple[str, c.Lookup]]:
    """Each lookup of a tree with the list path its key's facts are relative to."""
    if isinstance(node, c.Some | c.Every | c.Count):
        yield from _lookups(node.where, f"{prefix}{node.path}.")
        return
    if isinstance(node, c.Lookup):
        yield prefix, node
    for child in c.children(node):
        yield from _lookups(child, prefix)


def _keys(entity: Any, prefix: str, key: c.Value) -> Iterator[str]:
    if isinstance(key, c.Constant):
        yield str(key.value)
    elif isinstance(key, c.Fact):
        for value in values_at(entity, f"{prefix}{key.path}".split(".")):
            if value is not None:
                yield str(value)


def _nothing(entity: Any) -> tuple[ReferenceValue, ...]:
    return ()


def reference_reader(rule: Rule, tables: Tables) -> Callable[[Any], tuple[ReferenceValue, ...]]:
    """A function giving the reference values ``rule`` reads from ``tables`` for an entity.

    Only rows in force (``tables`` is a rule set's, resolved for its date) are given; a key
    with no row is a missing value, reported in ``Decision.missing`` instead.
    """
    found = [item for root in rule.nodes() for item in _lookups(root)]
    if not found:
        return _nothing

    def read(entity: Any) -> tuple[ReferenceValue, ...]:
        out: dict[tuple[str, str, str], ReferenceValue] = {}
        for prefix, node in found:
            rows = tables.get(node.table, {})
            for key in _keys(entity, prefix, node.key):
                row = rows.get(key)
                if row is None or (node.table, key, node.column) in out:
                    continue
                out[(node.table, key, node.column)] = ReferenceValue(
                    node.table,
                    key,
                    node.column,
                    row.get(node.column),
                    str(row.get("source") or ""),
                    str(row.get("confidence") or ""),
                )
        return tuple(out.values())

    return read
