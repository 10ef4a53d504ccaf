"""How far an unknown priority rule could still move a score: its least and most contribution.

Status is three-valued; so is priority. A priority rule left unknown could, once its facts are
known, add nothing or its points, or (for a ``score`` rule) any number its value can still take:
a count over a list counts the items that surely match at least and every item not surely
unmatched at most; a count over a missing list and any other unknown number are unbounded.
Every engine's decision is built from the same verdicts, so the range is computed here once,
on first read, from the entity and the rule, and engines cannot disagree on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from greenrules._engines.interpreter import ClosureCompiler, path_getter
from greenrules._rules import conditions as c
from greenrules._rules.rules import Rule

Bounds = Callable[[Any], tuple[float, float]]
"""entity -> (least, most) a rule could still add to its level."""

_ANY = (-math.inf, math.inf)


def contribution_bounds(rule: Rule, compiler: ClosureCompiler) -> Bounds:
    """The least and most the priority ``rule`` could add, for an entity it left unknown."""
    if rule.score is None:
        gain = float(rule.points)
        fixed = (min(0.0, gain), max(0.0, gain))  # not applicable or failed adds nothing
        return lambda entity: fixed
    applies = compiler.condition(rule.applies_if) if rule.applies_if is not None else None
    value = _value_bounds(rule.score, compiler)

    def bounds(entity: Any) -> tuple[float, float]:
        low, high = value(entity)
        if applies is None or applies(entity) is True:
            return low, high
        return min(0.0, low), max(0.0, high)  # it may turn out not to apply: nothing added

    return bounds


def _value_bounds(node: c.Value, compiler: ClosureCompiler) -> Bounds:
    if isinstance(node, c.Count):
        items = path_getter(node.path)
        test = compiler.condition(node.where)

        def count(entity: Any) -> tuple[float, float]:
            seq = items(entity)
            if seq is None:
                return 0.0, math.inf
            verdicts = [test(item) for item in seq]
            surely = sum(v is True for v in verdicts)
            maybe = sum(v is not False for v in verdicts)
            return float(surely), float(maybe)

        return count
    exact = compiler.value(node)

    def known(entity: Any) -> tuple[float, float]:
        v = exact(entity)
        return _ANY if v is None else (float(v), float(v))

    return known
