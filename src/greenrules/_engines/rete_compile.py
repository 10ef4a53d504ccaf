"""Rule sets compiled for the rete engine: integer codes, formulas and strata of rule definitions.

The compiler is plain Python over the condition trees and never imports durable_rules, so it is
kept apart from :mod:`greenrules._engines.rete`, the only module that does (see its docstring for
why that one is isolated). What it builds is data: each stratum's rules as durable JSON patterns,
the reference-table rows as facts, and the plan that turns matches back into verdicts.

Design in brief:

* **Only integers reach the engine.** Numbers become order-preserving 64-bit keys of their IEEE
  bits, dates their ordinals, booleans 0/1, and text its rank among the rule set's text
  constants (table keys and cells included). Comparisons are then exact ``long`` comparisons:
  no exponent floats, no string/number coercion, no prefix ordering, no control characters.
* **Three-valued logic as two matches.** Every condition compiles to a formula for "true" and
  one for "false" over one fact; unknown is neither. A missing fact is an absent field, and
  every comparison also asks the field to exist.
* **Joins in the engine.** List items (memberships, energy figures, park enterprises, suppliers,
  annual reports) and reference-table rows are facts of their own. ``some``/``every`` join a
  parent with its items (``every`` true and ``some`` false use the engine's negated join);
  lookups join a fact with a table row. Rete has no aggregation, so ``count`` is the number of
  item matches, summed in Python. A quantifier nested in another is computed in an earlier
  stratum (its own ruleset) and handed up as a field.
* **Named Python predicates** run in Python before the facts are asserted; their result is a
  field.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from greenrules._engines.interpreter import COMPARE, path_getter
from greenrules._engines.rete_encoding import (
    FLIP,
    NEGATED,
    Formula,
    TextCodes,
    conj,
    disj,
    kind_of,
    negate,
    number_key,
    to_durable,
)
from greenrules._model.entities import ENTITY_TYPES
from greenrules._model.enums import Strength
from greenrules._model.facts import FactSpec, Kind, fact_schema
from greenrules._rules import conditions as c
from greenrules._rules.ruleset import RuleSet
from greenrules.exceptions import EngineUnavailableError

_MAX_FIELDS = 240  # durable rejects a fact with more than 252 properties (error 302)
_MAX_MEMBERS = 8  # a longer "in" list is one field computed in Python: durable's nodes hold few
# expressions (error 113, ERR_EXPRESSION_LIMIT_EXCEEDED, at 72 table keys inside an "every")


# --- scopes: the entity and each list's items ------------------------------------------------


@attrs.define(eq=False)
class FactScope:
    """A kind of fact: the entity (path ``""``) or the items of one list, with their fields."""

    id: int
    path: str
    model: type
    parent: FactScope | None
    rel: str
    schema: dict[str, FactSpec]
    fields: dict[str, tuple[str, Callable[[Any], Any], Callable[[Any], int]]] = attrs.Factory(dict)
    children: list[FactScope] = attrs.Factory(list)
    predicates: list[tuple[str, Callable[[Any], Any]]] = attrs.Factory(list)
    items: Callable[[Any], Any] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.items = path_getter(self.rel) if self.rel else (lambda obj: None)

    @property
    def depth(self) -> int:
        """How many lists down from the entity."""
        return 0 if self.parent is None else self.parent.depth + 1


@attrs.frozen
class Operand:
    """A compared value: a constant code, a field of the scope fact, or unknown."""

    kind: Kind | None
    const: int | None = None
    field: str | None = None
    free_text: bool = False  # a text fact whose values are not all rule constants
    level: int = 0


@attrs.define(eq=False)
class Stratum:
    """One durable ruleset: the rules whose inputs are all known by this level.

    ``name``, ``ruleset`` and ``sink`` are filled in when :mod:`greenrules._engines.rete`
    creates it.
    """

    level: int
    rules: dict[str, tuple[list[dict[str, Any]], tuple[Any, ...]]] = attrs.Factory(dict)
    scopes: set[int] = attrs.Factory(set)
    name: str = ""
    ruleset: Any = None
    sink: list[tuple[tuple[Any, ...], list[dict[str, Any]]]] = attrs.Factory(list)


class ReteCompiler:
    """A rule set compiled to durable rule definitions: strata of classification rules, verdicts."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self._keys = itertools.count(1)
        model = ENTITY_TYPES[ruleset.programme]
        self.scopes: list[FactScope] = []
        self.entity_scope = self._scope("", model, None, "")
        self.text = TextCodes(self._text_constants())
        self.tables: dict[str, int] = {}
        self.rows: list[dict[str, int]] = []
        self.table_columns: dict[tuple[str, str], str] = {}
        self.strata: dict[int, Stratum] = {}
        self.memo: dict[tuple[int, Any], Operand | tuple[Formula, Formula, int]] = {}
        self._synth = itertools.count(1)
        self._pending: list[tuple[Formula, tuple[Any, ...], int]] = []
        self.verdict_plan = [self._compile_rule(i, rule) for i, rule in enumerate(ruleset.rules)]
        self._finish()

    # -- compilation ----------------------------------------------------------------------

    def _scope(self, path: str, model: type, parent: FactScope | None, rel: str) -> FactScope:
        scope = FactScope(len(self.scopes) + 1, path, model, parent, rel, fact_schema(model))
        self.scopes.append(scope)
        if parent is not None:
            parent.children.append(scope)
        return scope

    def _child(self, scope: FactScope, rel: str, where: str) -> FactScope:
        spec = scope.schema.get(rel)
        if spec is None or spec.kind is not Kind.LIST or spec.item is None:
            raise EngineUnavailableError(f"{where}: '{rel}' is not a list fact")
        for child in scope.children:
            if child.rel == rel:
                return child
        path = f"{scope.path}.{rel}" if scope.path else rel
        return self._scope(path, spec.item, scope, rel)

    def _text_constants(self) -> set[str]:
        found: set[str] = set()
        for rule in self.ruleset.rules:
            for root in rule.nodes():
                for node in c.walk(root):
                    if isinstance(node, c.Constant):
                        values = node.value if isinstance(node.value, tuple) else (node.value,)
                        found.update(v for v in values if isinstance(v, str))
        found.update(v for v in self.ruleset.params.values() if isinstance(v, str))
        for rows in self.ruleset.tables.values():
            for key, row in rows.items():
                found.add(key)
                found.update(v for v in row.values() if isinstance(v, str))
        return found

    def encode(self, kind: Kind, value: Any) -> int:
        """The int code of a value of ``kind``."""
        if kind is Kind.BOOL:
            return int(value)
        if kind is Kind.NUMBER:
            return number_key(value)
        if kind is Kind.DATE:
            return int(value.toordinal())
        return self.text(str(value))

    def _field(self, scope: FactScope, path: str, where: str) -> tuple[str, Kind]:
        """The fact field for ``path`` in ``scope``: the value, or a marker for records/lists."""
        spec = scope.schema.get(path)
        if spec is None:
            raise EngineUnavailableError(f"{where}: no fact '{path}'")
        found = scope.fields.get(path)
        if found is None:
            name = f"f{len(scope.fields) + 1}"
            get = path_getter(path)
            if spec.kind in (Kind.LIST, Kind.RECORD):
                found = (name, get, _marker)
            else:
                kind = spec.kind
                found = (name, get, lambda v, k=kind: self.encode(k, v))
            scope.fields[path] = found
            if len(scope.fields) + len(scope.predicates) > _MAX_FIELDS:
                raise EngineUnavailableError(f"{where}: more facts than durable accepts per fact")
        return found[0], spec.kind

    def _synthetic(self) -> str:
        return f"s{next(self._synth)}"

    def _stratum(self, level: int) -> Stratum:
        found = self.strata.get(level)
        if found is None:
            found = self.strata[level] = Stratum(level)
        return found

    def _add_rule(
        self,
        level: int,
        patterns: list[dict[str, Any]],
        tag: tuple[Any, ...],
        scopes: Sequence[FactScope],
    ) -> None:
        stratum = self._stratum(level)
        stratum.rules[f"r{len(stratum.rules) + 1}"] = (patterns, tag)
        stratum.scopes.update(s.id for s in scopes)

    @staticmethod
    def _pattern(scope: FactScope, f: Formula, *join: dict[str, Any]) -> dict[str, Any]:
        return {"$and": [{"_t": scope.id}, *join, *(to_durable(f) if f is not True else [])]}

    def value(self, node: c.Value, scope: FactScope, where: str) -> Operand:
        """Resolve a value expression in ``scope`` to a constant, a field, or unknown."""
        if isinstance(node, c.Constant | c.Param | c.AsOf):
            raw = self._static(node)
            if raw is None:
                return Operand(None)
            kind = kind_of(raw)
            return Operand(kind, const=self.encode(kind, raw))
        if isinstance(node, c.Fact):
            name, kind = self._field(scope, node.path, where)
            return Operand(kind, field=name, free_text=kind is Kind.TEXT)
        if isinstance(node, c.Shift | c.Division):
            return self._transform(node, scope, where)
        key = (scope.id, node)
        found = self.memo.get(key)
        if found is None:
            if isinstance(node, c.Lookup):
                found = self._lookup(node, scope, where)
            else:
                assert isinstance(node, c.Count)
                found = self._count(node, scope, where)
            self.memo[key] = found
        assert isinstance(found, Operand)
        return found

    def condition(
        self, node: c.Condition, scope: FactScope, where: str
    ) -> tuple[Formula, Formula, int]:
        """(true case, false case, stratum level needed) of a condition in ``scope``."""
        if isinstance(node, c.Compare):
            return self._compare(node, scope, where)
        if isinstance(node, c.Known):
            name, _ = self._field(scope, node.path, where)
            return ("ex", name), ("nex", name), 0
        if isinstance(node, c.All | c.AnyOf):
            parts = [self.condition(p, scope, where) for p in node.parts]
            trues, falses = [p[0] for p in parts], [p[1] for p in parts]
            level = max(p[2] for p in parts)
            if isinstance(node, c.All):
                return conj(trues), disj(falses), level
            return disj(trues), conj(falses), level
        if isinstance(node, c.Not):
            t, f, level = self.condition(node.part, scope, where)
            return f, t, level
        key = (scope.id, node)
        found = self.memo.get(key)
        if found is None:
            if isinstance(node, c.PredicateCall):
                name = self._synthetic()
                fn = self.ruleset.predicates[node.name].fn
                scope.predicates.append((name, fn))
                found = (("cmp", "eq", name, ("c", 1)), ("cmp", "eq", name, ("c", 0)), 0)
            else:
                assert isinstance(node, c.Some | c.Every)
                found = self._quantifier(node, scope, where)
            self.memo[key] = found
        assert isinstance(found, tuple)
        return found

    def _compare(
        self, node: c.Compare, scope: FactScope, where: str
    ) -> tuple[Formula, Formula, int]:
        left = self.value(node.left, scope, where)
        if node.op in ("in", "not_in"):
            assert isinstance(node.right, c.Constant)
            if left.kind is None:
                return False, False, 0
            codes = [self.encode(left.kind, v) for v in node.right.value]
            if left.field is None:
                hit = left.const in codes
                member: tuple[Formula, Formula] = (hit, not hit)
            elif len(codes) > _MAX_MEMBERS and isinstance(node.left, c.Fact):
                name = self._membership(node.left.path, frozenset(node.right.value), scope)
                member = (("cmp", "eq", name, ("c", 1)), ("cmp", "eq", name, ("c", 0)))
            else:
                field = left.field
                member = (
                    disj([("cmp", "eq", field, ("c", k)) for k in codes]),
                    conj([("cmp", "ne", field, ("c", k)) for k in codes]),
                )
            t, f = member if node.op == "in" else (member[1], member[0])
            return t, f, left.level
        right = self.value(node.right, scope, where)
        level = max(left.level, right.level)
        if left.kind is None or right.kind is None:
            return False, False, level
        op = node.op
        if left.field is None and right.field is None:
            assert left.const is not None and right.const is not None
            holds = COMPARE[op](left.const, right.const)
            return holds, not holds, level
        if left.field is None:
            left, right, op = right, left, FLIP[op]
        assert left.field is not None
        if right.field is not None:
            if left.free_text and right.free_text:
                raise EngineUnavailableError(
                    f"{where}: the rete engine codes text by the rule set's constants and cannot "
                    "compare two free text facts exactly; use engine='native' for this pack"
                )
            rhs: tuple[Any, ...] = ("f", right.field)
        else:
            rhs = ("c", right.const)
        return ("cmp", op, left.field, rhs), ("cmp", NEGATED[op], left.field, rhs), level

    def _membership(self, path: str, members: frozenset[Any], scope: FactScope) -> str:
        """A fact's membership of a long list, as a 0/1 field computed in Python."""
        found = scope.fields.get(key := f"{path} in {sorted(members, key=repr)!r}")
        if found is None:  # a known value is encoded as 1 or 0, an unknown one stays absent
            found = (f"f{len(scope.fields) + 1}", path_getter(path), lambda v: int(v in members))
            scope.fields[key] = found
            if len(scope.fields) + len(scope.predicates) > _MAX_FIELDS:
                raise EngineUnavailableError(f"{path}: more facts than durable accepts per fact")
        return found[0]

    def _quantifier(
        self, node: c.Some | c.Every, scope: FactScope, where: str
    ) -> tuple[Formula, Formula, int]:
        child = self._child(scope, node.path, where)
        marker, _ = self._field(scope, node.path, where)
        t, f, inner = self.condition(node.where, child, f"{where}.where")
        level = inner + 1
        name = self._synthetic()
        parent = {"e": self._pattern(scope, ("ex", marker))}
        join = {"_p": {"e": "_k"}}
        exists_t = [parent, {"i": self._pattern(child, t, join)}]
        exists_f = [parent, {"i": self._pattern(child, f, join)}]
        none_not_t = [parent, {"m_1$not": self._pattern(child, negate(t), join)}]
        none_not_f = [parent, {"m_1$not": self._pattern(child, negate(f), join)}]
        scopes = (scope, child)
        if isinstance(node, c.Some):  # true: an item is true; false: no item is other than false
            if t is not False:
                self._add_rule(level, exists_t, ("bool", name, 1), scopes)
            self._add_rule(level, none_not_f, ("bool", name, 0), scopes)
        else:  # true: no item is other than true; false: an item is false
            self._add_rule(level, none_not_t, ("bool", name, 1), scopes)
            if f is not False:
                self._add_rule(level, exists_f, ("bool", name, 0), scopes)
        return ("cmp", "eq", name, ("c", 1)), ("cmp", "eq", name, ("c", 0)), level

    def _count(self, node: c.Count, scope: FactScope, where: str) -> Operand:
        child = self._child(scope, node.path, where)
        marker, _ = self._field(scope, node.path, where)
        t, f, inner = self.condition(node.where, child, f"{where}.where")
        level = inner + 1
        name = self._synthetic()
        parent = {"e": self._pattern(scope, ("ex", marker))}
        join = {"_p": {"e": "_k"}}
        unknown = conj([negate(t), negate(f)])
        self._add_rule(level, [parent], ("count_known", name), (scope, child))
        if t is not False:
            rule = [parent, {"i": self._pattern(child, t, join)}]
            self._add_rule(level, rule, ("count_true", name), (scope, child))
        if unknown is not False:
            rule = [parent, {"i": self._pattern(child, unknown, join)}]
            self._add_rule(level, rule, ("count_unknown", name), (scope, child))
        return Operand(Kind.NUMBER, field=name, level=level)

    def _transform(self, node: c.Shift | c.Division, scope: FactScope, where: str) -> Operand:
        """A shifted date or a division's code, as a field computed in Python.

        The field is computed per fact as a named predicate's is, or at once when the value
        transformed is a constant.
        """
        kind = Kind.DATE if isinstance(node, c.Shift) else Kind.TEXT
        inner = node.value
        if isinstance(inner, c.Constant | c.Param | c.AsOf):
            raw = self._static(inner)
            out = None if raw is None else node.apply(raw)
            return Operand(None) if out is None else Operand(kind, const=self.encode(kind, out))
        if not isinstance(inner, c.Fact):
            raise EngineUnavailableError(
                f"{where}: the rete engine computes a shift or a division of a fact or a "
                "constant only; use engine='native' for this pack"
            )
        self._field(scope, inner.path, where)  # a fact of this scope, or a clear error
        key = f"{node!r}"  # not a fact path: a field of its own
        found = scope.fields.get(key)
        if found is None:
            get, apply = path_getter(inner.path), node.apply

            def derived(obj: Any) -> Any:
                value = get(obj)
                return None if value is None else apply(value)

            found = (f"f{len(scope.fields) + 1}", derived, lambda v: self.encode(kind, v))
            scope.fields[key] = found
            if len(scope.fields) + len(scope.predicates) > _MAX_FIELDS:
                raise EngineUnavailableError(f"{where}: more facts than durable accepts per fact")
        return Operand(kind, field=found[0], free_text=kind is Kind.TEXT)

    def _static(self, node: c.Constant | c.Param | c.AsOf) -> Any:
        if isinstance(node, c.Constant):
            return node.value
        if isinstance(node, c.Param):
            return self.ruleset.params.get(node.name)
        return node.resolve(self.ruleset.as_of)

    def _lookup(self, node: c.Lookup, scope: FactScope, where: str) -> Operand:
        rows = self.ruleset.tables.get(node.table, {})
        key = self.value(node.key, scope, where)
        kinds = {kind_of(r[node.column]) for r in rows.values() if r.get(node.column) is not None}
        kind = kinds.pop() if len(kinds) == 1 else None
        if key.kind is None or kind is None:
            return Operand(None)  # no key, or a column with no value in any row: unknown
        if key.field is None:  # a constant key: resolve now
            raw = next(
                (r.get(node.column) for k, r in rows.items() if self.text(k) == key.const), None
            )
            return Operand(None) if raw is None else Operand(kind, const=self.encode(kind, raw))
        table_id = self.tables.get(node.table)
        if table_id is None:
            table_id = self.tables[node.table] = 10_000 + len(self.tables)
            for row_key, row in rows.items():
                fact = {"_a": 1, "_t": table_id, "_k": next(self._keys), "_key": self.text(row_key)}
                for col, raw in row.items():
                    if raw is not None:
                        fact[self._column(node.table, col)] = self.encode(kind_of(raw), raw)
                self.rows.append(fact)
        column = self._column(node.table, node.column)
        level = key.level + 1
        name = self._synthetic()
        rule = [
            {"e": self._pattern(scope, ("ex", key.field))},
            {"r": {"$and": [{"_t": table_id}, {"_key": {"e": key.field}}, {"$ex": {column: 1}}]}},
        ]
        self._add_rule(level, rule, ("value", name, column), (scope,))
        return Operand(kind, field=name, free_text=False, level=level)

    def _column(self, table: str, column: str) -> str:
        found = self.table_columns.get((table, column))
        if found is None:
            found = self.table_columns[(table, column)] = f"c{len(self.table_columns) + 1}"
        return found

    def _compile_rule(self, index: int, rule: Any) -> tuple[Any, ...]:
        scope, where = self.entity_scope, rule.id
        cases: list[tuple[Formula, tuple[Any, ...], int]] = []
        if rule.applies_if is not None:
            t, f, level = self.condition(rule.applies_if, scope, f"{where}.applies_if")
            cases += [(t, ("a", index, True), level), (f, ("a", index, False), level)]
        if rule.requires is not None:
            t, f, level = self.condition(rule.requires, scope, f"{where}.requires")
            cases += [(t, ("r", index, True), level), (f, ("r", index, False), level)]
        score: Operand | None = None
        if rule.score is not None:
            score = self.value(rule.score, scope, f"{where}.score")
            if score.field is not None:
                cases.append((("ex", score.field), ("s", index, score.field), score.level))
        for f, tag, level in cases:
            if f is not False:
                self._pending.append((f, tag, level))
        return (
            rule.applies_if is not None,
            score,
            rule.strength is Strength.IN_PRINCIPLE,
            rule.strength is Strength.PRIORITY,
            rule.id,
            rule.points,
        )

    def _finish(self) -> None:
        """Put the verdict cases in the top stratum and close every stratum with a catch-all."""
        top = 1 + max([lvl for *_, lvl in self._pending] + list(self.strata) + [0])
        scope = self.entity_scope
        for f, tag, _ in self._pending:
            self._add_rule(top, [{"e": self._pattern(scope, f)}], tag, (scope,))
        self._stratum(top).scopes.add(scope.id)
        self.top = top
        self.order = sorted(self.strata)
        for level in self.order:
            # A catch-all on the anchor: every fact is handled, so assert_facts never fails part
            # way (it would keep the facts that did match), and every fact is counted as seen.
            self.strata[level].rules["seen"] = ([{"m": {"_a": 1}}], ("seen",))


def _marker(value: Any) -> int:
    return 1
