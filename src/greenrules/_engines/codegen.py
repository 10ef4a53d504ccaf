"""The native engine's fast path: a rule set generated as one straight-line Python function.

Walking closures costs a call per node; at tens of rules per entity that, not the logic, is
the price. So each rule set is also written out as Python source (our own code generation from
the typed condition tree, never text from a pack) and compiled once. Every constant, rule id
and reference table enters through the function's globals, never through the source text, and
every attribute name is checked to be an identifier, so pack data cannot inject code.

The generated function computes every verdict, every priority contribution, the priority score
and the status in one pass, with the same semantics as
:class:`~greenrules._engines.interpreter.ClosureCompiler` (the reference, property-tested
against this) and :mod:`greenrules._rules.status`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from greenrules._model.enums import Status, Strength, Verdict
from greenrules._model.facts import Kind, fact_schema
from greenrules._rules import conditions as c
from greenrules._rules.ruleset import RuleSet
from greenrules._rules.status import StatusPlan

Generated = Callable[[Any], tuple[Any, ...]]
"""entity -> (verdicts, points, status, review_required, score, unknown rule indexes)."""

_STATUS_BY_RANK = (Status.RECOMMEND, Status.CULTIVATE, Status.INELIGIBLE)


class _Writer:
    """Accumulates the generated source, its globals and fresh temporary names."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.helpers: list[str] = []
        self.globals: dict[str, Any] = {
            "PASS": Verdict.PASS,
            "FAIL": Verdict.FAIL,
            "UNKNOWN": Verdict.UNKNOWN,
            "WAIVED": Verdict.WAIVED,
            "NA": Verdict.NOT_APPLICABLE,
            "UNDETERMINED": Status.UNDETERMINED,
            "STATUS": _STATUS_BY_RANK,
        }
        self._names = itertools.count()

    def temp(self) -> str:
        return f"t{next(self._names)}"

    def constant(self, value: Any) -> str:
        name = f"K{next(self._names)}"
        self.globals[name] = value
        return name


def _attr(path: str) -> list[str]:
    parts = path.split(".")
    for part in parts:
        if not part.isidentifier():
            raise ValueError(f"fact path segment {part!r} is not an identifier")
    return parts


class _Expressions:
    """Turns condition and value trees into Python expressions over a subject variable."""

    def __init__(self, ruleset: RuleSet, writer: _Writer) -> None:
        self.ruleset = ruleset
        self.w = writer

    def read(self, path: str, subject: str) -> str:
        parts = _attr(path)
        expr = f"{subject}.{parts[0]}"
        for part in parts[1:]:
            t = self.w.temp()
            expr = f"(None if ({t} := {expr}) is None else {t}.{part})"
        return expr

    def condition(self, node: c.Condition, subject: str) -> str:
        w = self.w
        if isinstance(node, c.Compare):
            return self._compare(node, subject)
        if isinstance(node, c.Known):
            return f"({self.read(node.path, subject)} is not None)"
        if isinstance(node, c.All | c.AnyOf):
            decisive = "False" if isinstance(node, c.All) else "True"
            otherwise = "True" if decisive == "False" else "False"
            parts = [self.condition(p, subject) for p in node.parts]
            if len(parts) == 1:
                return parts[0]
            temps = [w.temp() for _ in parts]
            early = " or ".join(
                f"({t} := {p}) is {decisive}" for t, p in zip(temps, parts, strict=True)
            )
            unknown = " or ".join(f"{t} is None" for t in temps)
            return f"({decisive} if ({early}) else (None if ({unknown}) else {otherwise}))"
        if isinstance(node, c.Not):
            t = w.temp()
            return f"(None if ({t} := {self.condition(node.part, subject)}) is None else not {t})"
        if isinstance(node, c.Some | c.Every):
            helper = self._quantifier(node)
            return f"{helper}({self.read(node.path, subject)})"
        assert isinstance(node, c.PredicateCall)
        fn = w.constant(self.ruleset.predicates[node.name].fn)
        return f"{fn}({subject})"

    def value(self, node: c.Value, subject: str) -> str:
        w = self.w
        if isinstance(node, c.Constant):
            return w.constant(node.value)
        if isinstance(node, c.Fact):
            return self.read(node.path, subject)
        if isinstance(node, c.Param):
            return w.constant(self.ruleset.params.get(node.name))
        if isinstance(node, c.AsOf):
            return w.constant(node.resolve(self.ruleset.as_of))
        if isinstance(node, c.Lookup):
            rows = self.ruleset.tables.get(node.table, {})
            column = {key: row.get(node.column) for key, row in rows.items()}
            table = w.constant(column)
            t = w.temp()
            return (
                f"(None if ({t} := {self.value(node.key, subject)}) is None else {table}.get({t}))"
            )
        if isinstance(node, c.Shift | c.Division):
            apply, t = w.constant(node.apply), w.temp()
            return f"(None if ({t} := {self.value(node.value, subject)}) is None else {apply}({t}))"
        assert isinstance(node, c.Count)
        return f"{self._count(node)}({self.read(node.path, subject)})"

    def _compare(self, node: c.Compare, subject: str) -> str:
        w = self.w
        left = self.value(node.left, subject)
        a = w.temp()
        if node.op in ("in", "not_in"):
            assert isinstance(node.right, c.Constant)
            members = w.constant(frozenset(node.right.value))
            test = "in" if node.op == "in" else "not in"
            return f"(None if ({a} := {left}) is None else {a} {test} {members})"
        symbol = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[node.op]
        if isinstance(node.right, c.Constant | c.Param | c.AsOf):
            const = self._static(node.right)
            if const is None:
                return "None"
            name = w.constant(const)
            return f"(None if ({a} := {left}) is None else {a} {symbol} {name})"
        b = w.temp()
        right = self.value(node.right, subject)
        return (
            f"(None if ({a} := {left}) is None else "
            f"(None if ({b} := {right}) is None else {a} {symbol} {b}))"
        )

    def _static(self, node: c.Constant | c.Param | c.AsOf) -> Any:
        if isinstance(node, c.Constant):
            return node.value
        if isinstance(node, c.Param):
            return self.ruleset.params.get(node.name)
        return node.resolve(self.ruleset.as_of)

    def _quantifier(self, node: c.Some | c.Every) -> str:
        name = f"Q{next(self.w._names)}"
        some = isinstance(node, c.Some)
        stop, rest = ("True", "False") if some else ("False", "True")
        body = self.condition(node.where, "it")
        self.w.helpers.append(
            f"def {name}(seq):\n"
            f"    if seq is None:\n        return None\n"
            f"    unknown = False\n"
            f"    for it in seq:\n"
            f"        v = {body}\n"
            f"        if v is {stop}:\n            return {stop}\n"
            f"        if v is None:\n            unknown = True\n"
            f"    return None if unknown else {rest}\n"
        )
        return name

    def _count(self, node: c.Count) -> str:
        name = f"C{next(self.w._names)}"
        body = self.condition(node.where, "it")
        self.w.helpers.append(
            f"def {name}(seq):\n"
            f"    if seq is None:\n        return None\n"
            f"    n = 0\n"
            f"    for it in seq:\n"
            f"        v = {body}\n"
            f"        if v is None:\n            return None\n"
            f"        if v:\n            n += 1\n"
            f"    return n\n"
        )
        return name


def generate_missing(ruleset: RuleSet, model: type) -> list[Callable[[Any], set[str]]]:
    """Per rule, a function naming what it found missing on an entity.

    The same answer as :meth:`greenrules._engines.interpreter.ClosureCompiler.missing`, the
    declarative reference:
    every fact path read that is absent (anywhere along the path, in any list item), every
    parameter with no value in force, every lookup whose key is known but whose value is not.
    """
    w = _Writer()
    ex = _Expressions(ruleset, w)
    names = []
    for i, rule in enumerate(ruleset.rules):
        name = f"M{i}"
        body: list[str] = []
        for path in dict.fromkeys(p for node in rule.nodes() for p in c.fact_paths(node)):
            check = _absent_check(w, model, path)
            body.append(f"if {check}(e):\n    out.add({w.constant(path)})")
        for node in rule.nodes():
            body += _data_sites(ex, w, node, "e")
        lines = "\n".join("    " + line for b in body for line in b.split("\n"))
        w.helpers.append(f"def {name}(e):\n    out = set()\n{lines}\n    return out\n")
        names.append(name)
    namespace = dict(w.globals)
    exec(compile("\n".join(w.helpers), "<greenrules missing-fact checks>", "exec"), namespace)
    return [namespace[name] for name in names]


def _absent_check(w: _Writer, model: type, path: str) -> str:
    """A helper telling whether anything along ``path`` is None, descending into lists."""
    name = f"A{next(w._names)}"
    lines, var, depth, current = [], "e", 1, model
    parts = _attr(path)
    for i, part in enumerate(parts):
        pad = "    " * depth
        lines += [f"{pad}x{i} = {var}.{part}", f"{pad}if x{i} is None:", f"{pad}    return True"]
        spec = fact_schema(current).get(part)
        var = f"x{i}"
        if spec is not None and spec.item is not None and i < len(parts) - 1:
            current = spec.item
            if spec.kind is Kind.LIST:
                lines.append(f"{pad}for y{i} in x{i}:")
                var, depth = f"y{i}", depth + 1
    w.helpers.append(f"def {name}(e):\n" + "\n".join(lines) + "\n    return False\n")
    return name


def _data_sites(
    ex: _Expressions, w: _Writer, node: c.Condition | c.Value, subject: str
) -> list[str]:
    """Statements adding missing parameters and reference values met under ``node``."""
    out: list[str] = []
    if isinstance(node, c.Param) and ex.ruleset.params.get(node.name) is None:
        out.append(f"out.add({w.constant(f'param:{node.name}')})")
    elif isinstance(node, c.Lookup):
        key, value = w.temp(), ex.value(node, subject)
        prefix, suffix = w.constant(f"ref:{node.table}["), w.constant(f"].{node.column}")
        out.append(
            f"{key} = {ex.value(node.key, subject)}\n"
            f"if {key} is not None and {value} is None:\n"
            f"    out.add({prefix} + {key} + {suffix})"
        )
    if isinstance(node, c.Some | c.Every | c.Count):
        item = w.temp()
        inner = _data_sites(ex, w, node.where, item)
        if inner:
            seq = ex.read(node.path, subject)
            block = "\n".join("    " + line for b in inner for line in b.split("\n"))
            out.append(f"for {item} in {seq} or ():\n{block}")
        return out
    for child in c.children(node):
        out += _data_sites(ex, w, child, subject)
    return out


def generate(ruleset: RuleSet) -> Generated:
    """Compile ``ruleset`` into one function computing verdicts, points, status and score."""
    w = _Writer()
    ex = _Expressions(ruleset, w)
    plan = StatusPlan.of(ruleset)
    body = [
        "waivers = e.waivers",
        "waived = {w.rule for w in waivers} if waivers else ()",
        "worst = 0",
        "possible = 0",
        "review = False",
        "unknown = []",
        *(f"s{level} = 0.0" for level in range(len(plan.levels))),
    ]
    verdicts, points = [], []
    for i, rule in enumerate(ruleset.rules):
        body += [f"# rule {i}"]  # the id stays out: pack text never enters the source
        body += _rule(ex, w, rule, i, plan)
        verdicts.append(f"v{i}")
        points.append(f"g{i}" if rule.strength is Strength.PRIORITY else "0.0")
    score = [f"s{level}" for level in range(len(plan.levels))]
    body += [
        "status = UNDETERMINED if possible > worst else STATUS[worst]",
        f"return {_tuple(verdicts)}, {_tuple(points)}, status, review, {_tuple(score)}, unknown",
    ]
    source = "\n".join(w.helpers) + "\ndef run(e):\n" + "\n".join("    " + b for b in body) + "\n"
    namespace = dict(w.globals)
    exec(
        compile(source, f"<greenrules rule set {ruleset.jurisdiction} {ruleset.tier}>", "exec"),
        namespace,
    )
    run: Generated = namespace["run"]
    run.source = source  # type: ignore[attr-defined]  # kept for debugging and tests
    return run


def _tuple(items: list[str]) -> str:
    """Python source for a tuple of ``items`` (which may be empty)."""
    return f"({', '.join(items)},)" if items else "()"


def _rule(ex: _Expressions, w: _Writer, rule: Any, i: int, plan: StatusPlan) -> list[str]:
    """The statements deciding rule ``i``: ``v{i}``, ``g{i}`` and the status bookkeeping."""
    applies = ex.condition(rule.applies_if, "e") if rule.applies_if is not None else "True"
    rank = plan.ranks[i]
    rid = w.constant(rule.id)
    out = [f"a = {applies}", "if a is False:", f"    v{i} = NA"]
    mark_unknown = [f"    v{i} = UNKNOWN", f"    unknown.append({i})"]
    if rule.strength is Strength.PRIORITY:
        level = f"s{plan.level_of[i]}"
        out.append(f"    g{i} = 0.0")
        if rule.score is not None:
            out += [
                "else:",
                f"    s = {ex.value(rule.score, 'e')} if a else None",
                "    if s is None:",
                f"        v{i} = UNKNOWN",
                f"        g{i} = 0.0",
                f"        unknown.append({i})",
                "    else:",
                f"        v{i} = PASS",
                f"        g{i} = float(s)",
                f"        {level} += g{i}",
            ]
            return out
        gain = w.constant(float(rule.points))
        out += [
            "else:",
            f"    r = {ex.condition(rule.requires, 'e')}",
            "    if a is True and r is True:",
            f"        v{i} = PASS",
            f"        g{i} = {gain}",
            f"        {level} += {gain}",
            "    elif a is True and r is False:",
            f"        v{i} = FAIL",
            f"        g{i} = 0.0",
            "    else:",
            f"        v{i} = UNKNOWN",
            f"        g{i} = 0.0",
            f"        unknown.append({i})",
        ]
        return out
    waivable = rule.strength is Strength.IN_PRINCIPLE
    fail = [f"    v{i} = FAIL", f"    if worst < {rank}:", f"        worst = {rank}"]
    if waivable:
        fail = [
            f"    if {rid} in waived:",
            f"        v{i} = WAIVED",
            "        review = True",
            "    else:",
            *("    " + line for line in fail),
        ]
    unknown_status = [f"    if possible < {rank}:", f"        possible = {rank}"]
    if waivable:
        unknown_status = [
            f"    if {rid} not in waived and possible < {rank}:",
            f"        possible = {rank}",
        ]
    out += [
        "else:",
        f"    r = {ex.condition(rule.requires, 'e')}",
        "    if r is True:",
        f"        v{i} = PASS",
        "    elif r is False and a is True:",
        *("    " + line for line in fail),
        "    else:",
        *("    " + line for line in mark_unknown),
        *("    " + line for line in unknown_status),
    ]
    return out
