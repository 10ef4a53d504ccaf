"""A rule set compiled to SQL: the columnar plan for a distributed engine (Spark SQL).

A population too big for one machine is a table on a cluster: one row per entity, the columns
of the columnar engine's canonical frame (dotted fact paths; list facts as arrays of structs).
This module compiles the same condition trees the native and columnar engines compile (never a
second copy of a rule) into one ``SELECT`` per programme that computes every rule's verdict,
the status, the review flag and the priority per level, as Spark SQL text.

SQL's three-valued logic is ours: ``NULL`` is unknown, ``AND``/``OR``/``NOT`` are Kleene's, a
comparison with ``NULL`` is ``NULL``, and ``CASE WHEN NULL`` falls through as the columnar
engine's ``when`` does. ``some``/``every``/``count`` over a related-entity list become
higher-order functions over its array (``filter`` with a lambda, ``size``), so a list item's
unknown condition stays unknown; reference tables become map literals looked up in line (so
that they also work inside a lambda). Python predicates have no SQL form: a rule set that calls one
is refused with the rule named, never silently different.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from greenrules._model.enums import Status, Strength, Verdict
from greenrules._model.facts import Kind, fact_schema
from greenrules._rules import conditions as c
from greenrules._rules.rules import Rule
from greenrules._rules.ruleset import RuleSet
from greenrules._rules.status import StatusPlan
from greenrules.exceptions import GreenrulesError


class NoSqlForm(GreenrulesError):
    """A rule has no SQL form (it calls a Python predicate)."""


def quote(name: str) -> str:
    """A Spark SQL identifier: backticks, so that dotted paths and rule ids are one name."""
    return "`" + name.replace("`", "``") + "`"


def literal(value: Any) -> str:
    """A SQL literal for a rule's constant (text, number, truth value, date)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _field_model(model: type[BaseModel], path: str) -> type[BaseModel]:
    spec = fact_schema(model)[path]
    assert spec.item is not None
    return spec.item


class SqlCompiler:
    """Condition trees to SQL boolean expressions (``NULL`` when unknown)."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self._depth = 0

    def col(self, path: str, scope: tuple[type[BaseModel], str | None]) -> str:
        """A fact of the entity (a column) or of a list item (a field of the lambda variable)."""
        _, var = scope
        if var is None:
            return quote(path)
        return f"{var}.{quote(path)}"  # an item's struct field is named by its dotted path

    def condition(self, node: c.Condition, scope: tuple[type[BaseModel], str | None]) -> str:
        """A boolean expression: TRUE, FALSE or NULL (unknown)."""
        if isinstance(node, c.Compare):
            return self._compare(node, scope)
        if isinstance(node, c.Known):
            return self.present(node.path, scope)
        if isinstance(node, c.All):
            return "(" + " AND ".join(self.condition(p, scope) for p in node.parts) + ")"
        if isinstance(node, c.AnyOf):
            return "(" + " OR ".join(self.condition(p, scope) for p in node.parts) + ")"
        if isinstance(node, c.Not):
            return f"(NOT {self.condition(node.part, scope)})"
        if isinstance(node, c.Some | c.Every):
            return self._quantifier(node, scope)
        assert isinstance(node, c.PredicateCall)
        raise NoSqlForm(f"the Python predicate {node.name!r} has no SQL form")

    def value(self, node: c.Value, scope: tuple[type[BaseModel], str | None]) -> str:
        """A value expression, NULL when unknown."""
        if isinstance(node, c.Constant):
            return literal(node.value)
        if isinstance(node, c.Fact):
            return self.col(node.path, scope)
        if isinstance(node, c.Param):
            return literal(self.ruleset.params.get(node.name))
        if isinstance(node, c.AsOf):
            return literal(node.resolve(self.ruleset.as_of))
        if isinstance(node, c.Lookup):
            return self._lookup(node, scope)
        if isinstance(node, c.Shift):
            day = self.value(node.value, scope)
            months = f"add_months({day}, {node.years * 12 + node.months})"
            moved = f"date_add({months}, {node.days})"
            fits = f"year({months}) BETWEEN 1 AND 9999 AND year({moved}) BETWEEN 1 AND 9999"
            return f"(CASE WHEN {fits} THEN {moved} END)"
        if isinstance(node, c.Division):
            code = self.value(node.value, scope)
            digits = c.DIVISION_LEVELS[node.level]
            head = f"concat(substr({code}, 1, {digits}), {literal('0' * (6 - digits))})"
            return f"(CASE WHEN {code} RLIKE '^[0-9]{{6}}$' THEN {head} END)"
        assert isinstance(node, c.Count)
        items = self.col(node.path, scope)
        var, inner = self._item(node.path, node.where, scope)
        # A count is unknown as soon as one item's condition is.
        return (
            f"(CASE WHEN {items} IS NULL THEN NULL "
            f"WHEN size(filter({items}, {var} -> ({inner}) IS NULL)) > 0 THEN NULL "
            f"ELSE size(filter({items}, {var} -> {inner})) END)"
        )

    def present(self, path: str, scope: tuple[type[BaseModel], str | None]) -> str:
        """TRUE when the fact at ``path`` (a scalar, a list or a record) is there."""
        from greenrules._columnar.schema import frame_schema, record_optional, required_leaf

        model = scope[0]
        spec = fact_schema(model)[path]
        if spec.kind is not Kind.RECORD:
            return f"({self.col(path, scope)} IS NOT NULL)"
        parent = path.rpartition(".")[0]
        above = self.present(parent, scope) if parent else "TRUE"
        if not record_optional(model, path):
            return above
        assert spec.item is not None
        required = required_leaf(spec.item)
        if required is not None:
            return f"({self.col(f'{path}.{required}', scope)} IS NOT NULL)"
        leaves = [p for p in frame_schema(model) if p.startswith(path + ".")]
        return "(" + " OR ".join(f"{self.col(p, scope)} IS NOT NULL" for p in leaves) + ")"

    def _compare(self, node: c.Compare, scope: tuple[type[BaseModel], str | None]) -> str:
        left = self.value(node.left, scope)
        if node.op in ("in", "not_in"):
            assert isinstance(node.right, c.Constant)
            members = ", ".join(literal(m) for m in node.right.value)
            test = f"({left} IN ({members}))"  # NULL for a NULL left: unknown stays unknown
            if not members:  # a table with no keys in force: SQL has no empty list
                test = f"(CASE WHEN {left} IS NULL THEN NULL ELSE FALSE END)"
            return test if node.op == "in" else f"(NOT {test})"
        right = self.value(node.right, scope)
        return f"({left} {_OPS[node.op]} {right})"

    def _lookup(self, node: c.Lookup, scope: tuple[type[BaseModel], str | None]) -> str:
        from greenrules._columnar.expressions import table_column_kind, table_literal

        key = self.value(node.key, scope)
        rows = self.ruleset.tables.get(node.table, {})
        kind = table_column_kind(self.ruleset, node.table, node.column)
        pairs = ", ".join(
            f"{literal(k)}, {literal(table_literal(row.get(node.column), kind))}"
            for k, row in rows.items()
        )
        cast = {Kind.NUMBER: "DOUBLE", Kind.BOOL: "BOOLEAN", Kind.DATE: "DATE"}.get(kind, "STRING")
        if not pairs:
            return f"CAST(NULL AS {cast})"
        if all(row.get(node.column) is None for row in rows.values()):
            # No value to take a type from: a bare NULL, which SQL coerces to whatever it meets
            # (Spark refuses a NULL cast to DOUBLE compared with a boolean).
            return "NULL"
        # A map literal, not a CASE per key: Spark folds it into one constant, so the generated
        # code stays small (a CASE over a 200-row table overflows Java's 64 KB method limit).
        return f"CAST(element_at(map({pairs}), {key}) AS {cast})"

    def _item(
        self, path: str, where: c.Condition, scope: tuple[type[BaseModel], str | None]
    ) -> tuple[str, str]:
        """The lambda variable and the item condition for a list at ``path``."""
        self._depth += 1
        var = f"x{self._depth}"
        try:
            inner = self.condition(where, (_field_model(scope[0], path), var))
        finally:
            self._depth -= 1
        return var, inner

    def _quantifier(self, node: c.Some | c.Every, scope: tuple[type[BaseModel], str | None]) -> str:
        items = self.col(node.path, scope)
        var, inner = self._item(node.path, node.where, scope)
        unknown = f"size(filter({items}, {var} -> ({inner}) IS NULL)) > 0"
        if isinstance(node, c.Some):
            decided, value = f"size(filter({items}, {var} -> {inner})) > 0", "TRUE"
        else:
            decided, value = f"size(filter({items}, {var} -> NOT {inner})) > 0", "FALSE"
        other = "FALSE" if value == "TRUE" else "TRUE"
        return (
            f"(CASE WHEN {items} IS NULL THEN NULL WHEN {decided} THEN {value} "
            f"WHEN {unknown} THEN NULL ELSE {other} END)"
        )


_OPS = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _v(verdict: Verdict) -> str:
    return literal(verdict.value)


def _waived(rule: Rule) -> str:
    return quote(f"__waived__.{rule.id}")


def _points(rule: Rule) -> str:
    return quote(f"__points__.{rule.id}")


def rule_verdict(compiler: SqlCompiler, rule: Rule, model: type[BaseModel]) -> tuple[str, str]:
    """One rule's verdict ``CASE`` and its priority contribution.

    A transcription of :class:`~greenrules._engines.interpreter.InterpretedProgram`, as the
    columnar engine's expressions are.
    """
    scope: tuple[type[BaseModel], str | None] = (model, None)
    try:
        applies = compiler.condition(rule.applies_if, scope) if rule.applies_if else "TRUE"
        requires = compiler.condition(rule.requires, scope) if rule.requires else None
        score = compiler.value(rule.score, scope) if rule.score is not None else None
    except NoSqlForm as exc:
        raise NoSqlForm(f"rule {rule.id}: {exc}") from None
    na, passed = _v(Verdict.NOT_APPLICABLE), _v(Verdict.PASS)
    verdict = quote(rule.id)
    if score is not None:
        case = (
            f"CASE WHEN NOT {applies} THEN {na} "
            f"WHEN {applies} IS NULL OR {score} IS NULL THEN {_v(Verdict.UNKNOWN)} "
            f"ELSE {passed} END"
        )
        return case, f"CASE WHEN {verdict} = {passed} THEN CAST({score} AS DOUBLE) ELSE 0.0 END"
    assert requires is not None
    if rule.strength is Strength.PRIORITY:
        case = (
            f"CASE WHEN NOT {applies} THEN {na} "
            f"WHEN {applies} AND {requires} THEN {passed} "
            f"WHEN {applies} AND NOT {requires} THEN {_v(Verdict.FAIL)} "
            f"ELSE {_v(Verdict.UNKNOWN)} END"
        )
        points = f"CASE WHEN {verdict} = {passed} THEN {float(rule.points)!r} ELSE 0.0 END"
        return case, points
    failed = _v(Verdict.FAIL)
    if rule.strength is Strength.IN_PRINCIPLE:
        failed = f"CASE WHEN {_waived(rule)} THEN {_v(Verdict.WAIVED)} ELSE {failed} END"
    case = (
        f"CASE WHEN NOT {applies} THEN {na} WHEN {requires} THEN {passed} "
        f"WHEN NOT {requires} AND {applies} THEN {failed} ELSE {_v(Verdict.UNKNOWN)} END"
    )
    return case, "0.0"


def spark_sql(ruleset: RuleSet, model: type[BaseModel], table: str = "entities") -> str:
    """One Spark SQL ``SELECT`` computing every verdict, status, review flag and priority.

    ``table`` holds one row per entity of ``ruleset``'s programme with the canonical columns
    (``greenrules.evaluate_table``'s frame, e.g. as Parquet). The result has ``entity_id``,
    ``name``, ``programme``, ``status``, ``review_required``, ``priority.<order>`` per level
    and one verdict column per rule, as :class:`~greenrules.ResultTable` has them.
    """
    compiler = SqlCompiler(ruleset)
    plan = StatusPlan.of(ruleset)
    rules = ruleset.rules
    waivers = [
        f"coalesce(size(filter(`waivers`, w -> w.`rule` = {literal(r.id)})) > 0, FALSE)"
        f" AS {_waived(r)}"
        for r in rules
        if r.strength is Strength.IN_PRINCIPLE
    ]
    pairs = [rule_verdict(compiler, rule, model) for rule in rules]
    verdicts = [f"{case} AS {quote(r.id)}" for r, (case, _) in zip(rules, pairs, strict=True)]
    points = [f"{pts} AS {_points(r)}" for r, (_, pts) in zip(rules, pairs, strict=True)]
    fails, possibles, waived = ["0"], ["0"], []
    for rule, rank, waivable in zip(rules, plan.ranks, plan.waivable, strict=True):
        v = quote(rule.id)
        if rank:
            fails.append(f"CASE WHEN {v} = {_v(Verdict.FAIL)} THEN {rank} ELSE 0 END")
            unknown = f"{v} = {_v(Verdict.UNKNOWN)}"
            if waivable:
                unknown += f" AND NOT {_waived(rule)}"
            possibles.append(f"CASE WHEN {unknown} THEN {rank} ELSE 0 END")
        if waivable:
            waived.append(f"{v} = {_v(Verdict.WAIVED)}")
    worst = f"greatest({', '.join(fails)})" if len(fails) > 1 else "0"
    possible = f"greatest({', '.join(possibles)})" if len(possibles) > 1 else "0"
    status = (
        f"CASE WHEN {possible} > {worst} THEN {literal(Status.UNDETERMINED.value)} "
        f"WHEN {worst} = 2 THEN {literal(Status.INELIGIBLE.value)} "
        f"WHEN {worst} = 1 THEN {literal(Status.CULTIVATE.value)} "
        f"ELSE {literal(Status.RECOMMEND.value)} END"
    )
    review = "(" + " OR ".join(waived) + ")" if waived else "FALSE"
    levels = []
    for index, level in enumerate(plan.levels):
        terms = [_points(r) for r, of in zip(rules, plan.level_of, strict=True) if of == index]
        levels.append(f"{' + '.join(['0.0', *terms])} AS {quote(f'priority.{level}')}")
    outputs = [
        "`credit_code` AS `entity_id`",
        "`name`",
        f"{literal(ruleset.programme.value)} AS `programme`",
        f"{status} AS `status`",
        f"{review} AS `review_required`",
        *levels,
        *map(quote, ruleset.rule_ids),
    ]
    sep = ",\n    "
    return (
        f"-- {ruleset.programme.value}: {len(rules)} rules, "
        f"{ruleset.jurisdiction} {ruleset.round} {ruleset.tier.value}, as of {ruleset.as_of}\n"
        f"WITH waived AS (\n  SELECT *{', ' if waivers else ''}{', '.join(waivers)}\n"
        f"  FROM {quote(table)}\n),\n"
        f"verdicts AS (\n  SELECT *,\n    {sep.join(verdicts)}\n  FROM waived\n),\n"
        f"scored AS (\n  SELECT *,\n    {sep.join(points)}\n  FROM verdicts\n)\n"
        f"SELECT\n    {sep.join(outputs)}\nFROM scored"
    )
