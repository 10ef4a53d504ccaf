"""The closure interpreter: conditions compiled to Python closures, the reference engine.

This is the reference engine: the other engines must agree with it exactly. Compilation turns
each condition tree into nested closures once per rule set, so evaluating an entity is plain
function calls with no tree walking and no string interpretation.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from greenrules._model.enums import Strength, Verdict
from greenrules._rules import conditions as c
from greenrules._rules.ruleset import RuleSet

Fn = Callable[[Any], Any]

COMPARE: dict[str, Callable[[Any, Any], bool]] = {  # the comparison operators, by name
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def path_getter(path: str) -> Fn:
    """A function reading ``path`` from an object; None when any step is missing."""
    get = operator.attrgetter(path)

    def read(obj: Any) -> Any:
        try:
            return get(obj)
        except AttributeError:  # an intermediate model was None
            return None

    return read


def values_at(obj: Any, path: Sequence[str]) -> Iterator[Any]:
    """Every value at ``path`` below ``obj``, descending into lists; None where one is missing."""
    return iter(listed_values(obj, path))


def listed_values(obj: Any, path: Sequence[str]) -> list[Any]:
    """:func:`values_at` as a list, one step of the path at a time (no generator per level).

    A list met on the way is read item by item; a list at the end of the path is one value.
    """
    level = [obj]
    for name in path:
        following: list[Any] = []
        for value in level:
            if value is None:
                following.append(None)
            elif isinstance(value, tuple):
                for item in value:
                    following += listed_values(item, (name,))
            else:
                following.append(getattr(value, name))
        level = following
    return level


class ClosureCompiler:
    """Compiles condition trees against one rule set's parameters, tables and predicates."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.as_of = ruleset.as_of
        self._values: dict[c.Value, Fn] = {}

    def cached_value(self, node: c.Value) -> Fn:
        """:meth:`value`, compiled once per distinct node (for checks that run per entity)."""
        fn = self._values.get(node)
        if fn is None:
            fn = self._values[node] = self.value(node)
        return fn

    def condition(self, node: c.Condition) -> Fn:
        """A function from an object to True, False or None."""
        if isinstance(node, c.Compare):
            return self._compare(node)
        if isinstance(node, c.Known):
            get = path_getter(node.path)
            return lambda obj: get(obj) is not None
        if isinstance(node, c.All):
            return _kleene_and([self.condition(p) for p in node.parts])
        if isinstance(node, c.AnyOf):
            return _kleene_or([self.condition(p) for p in node.parts])
        if isinstance(node, c.Not):
            inner = self.condition(node.part)

            def negate(obj: Any) -> bool | None:
                v = inner(obj)
                return None if v is None else not v

            return negate
        if isinstance(node, c.Some | c.Every):
            return self._quantifier(node)
        assert isinstance(node, c.PredicateCall)
        return self.ruleset.predicates[node.name].fn

    def value(self, node: c.Value) -> Fn:
        """A function from an object to a value, or None when it is unknown."""
        if isinstance(node, c.Constant):
            constant = node.value
            return lambda obj: constant
        if isinstance(node, c.Fact):
            return path_getter(node.path)
        if isinstance(node, c.Param):
            constant = self.ruleset.params.get(node.name)
            return lambda obj: constant
        if isinstance(node, c.AsOf):
            day = node.resolve(self.as_of)
            return lambda obj: day
        if isinstance(node, c.Lookup):
            return self._lookup(node)
        if isinstance(node, c.Shift | c.Division):
            inner, apply = self.value(node.value), node.apply

            def transform(obj: Any) -> Any:
                v = inner(obj)
                return None if v is None else apply(v)

            return transform
        assert isinstance(node, c.Count)
        return self._count(node)

    def _compare(self, node: c.Compare) -> Fn:
        left = self.value(node.left)
        if node.op in ("in", "not_in"):
            assert isinstance(node.right, c.Constant)
            members = frozenset(node.right.value)
            wanted = node.op == "in"

            def member(obj: Any) -> bool | None:
                v = left(obj)
                return None if v is None else (v in members) is wanted

            return member
        op = COMPARE[node.op]
        if isinstance(node.right, c.Constant | c.Param | c.AsOf):
            const = self.value(node.right)(None)
            if const is None:
                return lambda obj: None

            def compare_const(obj: Any) -> bool | None:
                v = left(obj)
                return None if v is None else op(v, const)

            return compare_const
        right = self.value(node.right)

        def compare(obj: Any) -> bool | None:
            a = left(obj)
            if a is None:
                return None
            b = right(obj)
            return None if b is None else op(a, b)

        return compare

    def _lookup(self, node: c.Lookup) -> Fn:
        key = self.value(node.key)
        rows = self.ruleset.tables.get(node.table, {})
        column = node.column

        def lookup(obj: Any) -> Any:
            k = key(obj)
            if k is None:
                return None
            row = rows.get(k)
            return None if row is None else row.get(column)

        return lookup

    def _quantifier(self, node: c.Some | c.Every) -> Fn:
        items = path_getter(node.path)
        test = self.condition(node.where)
        stop = isinstance(node, c.Some)  # the value that decides early: True for some
        decided: bool = stop

        def quantify(obj: Any) -> bool | None:
            seq = items(obj)
            if seq is None:
                return None
            unknown = False
            for item in seq:
                v = test(item)
                if v is stop:
                    return decided  # not ``stop``: ``v is stop`` narrows it to Any
                if v is None:
                    unknown = True
            return None if unknown else not stop

        return quantify

    def _count(self, node: c.Count) -> Fn:
        items = path_getter(node.path)
        test = self.condition(node.where)

        def count(obj: Any) -> int | None:
            seq = items(obj)
            if seq is None:
                return None
            n = 0
            for item in seq:
                v = test(item)
                if v is None:
                    return None
                n += v
            return n

        return count

    def missing(self, rule_nodes: Sequence[c.Condition | c.Value], obj: Any) -> set[str]:
        """Which facts, parameters and reference values a rule found missing on ``obj``."""
        out: set[str] = set()
        for node in rule_nodes:
            for path in c.fact_paths(node):
                if any(v is None for v in values_at(obj, path.split("."))):
                    out.add(path)
            self._missing_data(node, obj, out)
        return out

    def _missing_data(self, node: c.Condition | c.Value, obj: Any, out: set[str]) -> None:
        if isinstance(node, c.Param) and self.ruleset.params.get(node.name) is None:
            out.add(f"param:{node.name}")
        elif isinstance(node, c.Lookup):
            key = self.cached_value(node.key)(obj)
            if key is not None and self.cached_value(node)(obj) is None:
                out.add(f"ref:{node.table}[{key}].{node.column}")
        if isinstance(node, c.Some | c.Every | c.Count):
            for item in path_getter(node.path)(obj) or ():
                self._missing_data(node.where, item, out)
            return
        for child in c.children(node):
            self._missing_data(child, obj, out)


def _kleene_and(parts: list[Fn]) -> Fn:
    if len(parts) == 1:
        return parts[0]

    def conj(obj: Any) -> bool | None:
        unknown = False
        for part in parts:
            v = part(obj)
            if v is False:
                return False
            if v is None:
                unknown = True
        return None if unknown else True

    return conj


def _kleene_or(parts: list[Fn]) -> Fn:
    def disj(obj: Any) -> bool | None:
        unknown = False
        for part in parts:
            v = part(obj)
            if v is True:
                return True
            if v is None:
                unknown = True
        return None if unknown else False

    return disj


PASS, FAIL, UNKNOWN, WAIVED, NA = (
    Verdict.PASS,
    Verdict.FAIL,
    Verdict.UNKNOWN,
    Verdict.WAIVED,
    Verdict.NOT_APPLICABLE,
)


class InterpretedProgram:
    """A rule set compiled for the native engine: entity in, verdicts and contributions out."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.compiler = ClosureCompiler(ruleset)
        self._steps = [self._step(rule) for rule in ruleset.rules]

    def _step(self, rule: Any) -> tuple[Any, ...]:
        comp = self.compiler
        applies = comp.condition(rule.applies_if) if rule.applies_if is not None else None
        requires = comp.condition(rule.requires) if rule.requires is not None else None
        score = comp.value(rule.score) if rule.score is not None else None
        waivable = rule.strength is Strength.IN_PRINCIPLE
        priority = rule.strength is Strength.PRIORITY
        return (rule.id, applies, requires, score, waivable, priority, rule.points)

    def run(self, entity: Any) -> tuple[list[Verdict], list[float]]:
        """Each rule's verdict and priority contribution (0 when it contributes nothing)."""
        waived = {w.rule for w in entity.waivers} if entity.waivers else ()
        verdicts: list[Verdict] = []
        points: list[float] = []
        add_verdict, add_points = verdicts.append, points.append
        for rule_id, applies, requires, score, waivable, priority, gain in self._steps:
            a = True if applies is None else applies(entity)
            if a is False:
                add_verdict(NA)
                add_points(0.0)
                continue
            if score is not None:
                s = score(entity) if a else None
                add_verdict(UNKNOWN if s is None else PASS)
                add_points(0.0 if s is None else float(s))
                continue
            r = requires(entity)
            if priority:
                v = PASS if (a and r) else (FAIL if (a and r is False) else UNKNOWN)
                add_verdict(v)
                add_points(gain if v is PASS else 0.0)
            elif r is True:
                add_verdict(PASS)
                add_points(0.0)
            elif r is False and a is True:
                add_verdict(WAIVED if waivable and rule_id in waived else FAIL)
                add_points(0.0)
            else:
                add_verdict(UNKNOWN)
                add_points(0.0)
        return verdicts, points
