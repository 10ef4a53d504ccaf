"""The condition language: rules as data, parsed into a small typed tree every engine compiles.

A condition is plain data (YAML or JSON), never Python source. It is three-valued: a comparison
that reads a missing fact is ``None`` (unknown), and ``all``/``any``/``not`` follow Kleene's
logic, which is also how SQL and polars treat nulls. The grammar, in pack files:

    cond  := {all: [cond, ...]} | {any: [cond, ...]} | {not: cond}
           | {known: PATH}                         # two-valued: is the fact present?
           | {some: PATH, where: cond}             # over a list fact; empty list -> false
           | {every: PATH, where: cond}            # over a list fact; empty list -> true
           | {predicate: NAME}                     # a Python predicate the pack registered
           | {fact: PATH, OP: value}               # OP in eq ne lt le gt ge in not_in
           | {value: value, OP: value}
           | {fact: PATH, in: {keys: TABLE}}       # in (not_in) a reference table's keys
    value := literal | {fact: PATH} | {param: NAME}
           | {lookup: TABLE, key: value, column: NAME}
           | {as_of: {years: N, months: N, days: N}}   # the evaluation date, shifted
           | {shift: value, years: N, months: N, days: N}   # a date value, shifted
           | {division: value, level: province|prefecture}  # the GB/T 2260 code it is under
           | {count: PATH, where: cond}

Inside ``where``, paths are relative to the list's item. Parsing checks the shape only; type
checking against an entity model happens in :mod:`greenrules._rules.typecheck`, when a pack
is registered.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any, TypeAlias

import attrs

from greenrules._model.facts import Kind

MAX_SHIFT = {"years": 100, "months": 1_200, "days": 36_600}
"""The largest shift of the evaluation date a rule may ask for, per unit: a century."""
MAX_DEPTH = 24
DIVISION_LEVELS = {"province": 2, "prefecture": 4}
"""How many leading digits of a 6-digit GB/T 2260 code name the division at each level."""
"""How deeply conditions may nest; deeper trees are refused when the pack loads."""
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in")
ORDERED = frozenset({"lt", "le", "gt", "ge"})


class ConditionError(ValueError):
    """A condition is malformed or mistyped; ``where`` locates it inside the rule."""

    def __init__(self, message: str, where: str = "") -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


# --- value expressions -------------------------------------------------------------------


@attrs.frozen
class Constant:
    """A constant in the rule data; ``in`` and ``not_in`` take a tuple of them."""

    value: Any


@attrs.frozen
class Fact:
    """Read a fact by its dotted path (relative to the list item inside a quantifier)."""

    path: str


@attrs.frozen
class Param:
    """A pack parameter: a dated value with a source, resolved for the evaluation date."""

    name: str


@attrs.frozen
class Lookup:
    """A value from one of the pack's reference tables, keyed by another value."""

    table: str
    key: Value
    column: str


@attrs.frozen
class AsOf:
    """The evaluation date, optionally shifted by whole years, months and days."""

    years: int = 0
    months: int = 0
    days: int = 0

    def resolve(self, as_of: dt.date) -> dt.date:
        """The shifted date; a 29 February that does not exist becomes 28 February."""
        return shift_date(as_of, self.years, self.months, self.days)


def shift_date(day: dt.date, years: int, months: int, days: int) -> dt.date:
    """``day`` moved by whole months, then by whole days.

    A day past the month's end becomes its last day: 2024-02-29 plus one year is 2025-02-28.
    """
    month_index = day.year * 12 + day.month - 1 + years * 12 + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last)) + dt.timedelta(days=days)


@attrs.frozen
class Shift:
    """A date value moved by whole years, months and days, as ``as_of`` moves its date.

    "Three years after the blacklisting" is the blacklisting date shifted by 3 years.
    """

    value: Value
    years: int = 0
    months: int = 0
    days: int = 0

    def apply(self, day: dt.date) -> dt.date | None:
        """The shifted date, or None (unknown) past the calendar's years 1 to 9999."""
        try:
            return shift_date(day, self.years, self.months, self.days)
        except (ValueError, OverflowError):
            return None


_DIVISION_CODE = re.compile(r"[0-9]{6}")


@attrs.frozen
class Division:
    """The GB/T 2260 code of the division a code belongs to at ``level``.

    A county's code ``150781`` is under the prefecture ``150700`` and the province ``150000``.
    The hierarchy is the code's own structure (two digits per level), so no table of places
    is needed; a text that is not six ASCII digits has no division (unknown).
    """

    value: Value
    level: str

    def apply(self, code: str) -> str | None:
        """The code of the division at ``level``, or None for a text that is not a code."""
        if not _DIVISION_CODE.fullmatch(code):
            return None
        digits = DIVISION_LEVELS[self.level]
        return code[:digits] + "0" * (6 - digits)


@attrs.frozen
class Count:
    """How many items of a list fact satisfy ``where``."""

    path: str
    where: Condition


@attrs.frozen
class Keys:
    """The keys of a reference table, as the right side of ``in`` and ``not_in``.

    A rule set resolves them for its evaluation date (:func:`resolve_keys`), so engines only
    ever meet a :class:`Constant` list there.
    """

    table: str


Value: TypeAlias = Constant | Fact | Param | Lookup | AsOf | Shift | Division | Count | Keys
"""A value expression; :class:`Keys` only ever stands after ``in`` or ``not_in``."""

# --- conditions --------------------------------------------------------------------------


@attrs.frozen
class Compare:
    """Compare two values; unknown if either side is unknown."""

    left: Value
    op: str
    right: Value


@attrs.frozen
class Known:
    """True when the fact is present, false when it is missing; never unknown."""

    path: str


@attrs.frozen
class All:
    """Kleene conjunction: false if any part is false, else unknown if any is unknown."""

    parts: tuple[Condition, ...]


@attrs.frozen
class AnyOf:
    """Kleene disjunction: true if any part is true, else unknown if any is unknown."""

    parts: tuple[Condition, ...]


@attrs.frozen
class Not:
    """Kleene negation: unknown stays unknown."""

    part: Condition


@attrs.frozen
class Some:
    """Some item of a list fact satisfies ``where`` (Kleene disjunction over the items)."""

    path: str
    where: Condition


@attrs.frozen
class Every:
    """Every item of a list fact satisfies ``where`` (Kleene conjunction over the items)."""

    path: str
    where: Condition


@attrs.frozen
class PredicateCall:
    """A named Python predicate registered by the pack, for what data cannot express.

    ``reads`` are the fact paths the predicate declared (relative to where it is called); the
    pack binds them when it loads (:func:`bind_predicates`), so analysis sees them.
    """

    name: str
    reads: tuple[str, ...] = ()


Condition: TypeAlias = Compare | Known | All | AnyOf | Not | Some | Every | PredicateCall

# --- parsing -----------------------------------------------------------------------------


def parse(data: Any, where: str = "") -> Condition:
    """Parse condition data into a tree, raising :class:`ConditionError` on bad shape."""
    if where.count(".") > MAX_DEPTH * 2:
        raise ConditionError(f"conditions nest more than {MAX_DEPTH} levels deep", where)
    if not isinstance(data, Mapping):
        raise ConditionError(f"a condition is a mapping, got {type(data).__name__}", where)
    keys = set(data)
    if keys == {"all"} or keys == {"any"}:
        (key,) = keys
        parts = data[key]
        if not isinstance(parts, list) or not parts:
            raise ConditionError(f"'{key}' takes a non-empty list of conditions", where)
        parsed = tuple(parse(p, f"{where}.{key}[{i}]") for i, p in enumerate(parts))
        return All(parsed) if key == "all" else AnyOf(parsed)
    if keys == {"not"}:
        return Not(parse(data["not"], f"{where}.not"))
    if keys == {"known"}:
        return Known(_path(data["known"], f"{where}.known"))
    if keys in ({"some", "where"}, {"every", "where"}):
        key = "some" if "some" in keys else "every"
        path = _path(data[key], f"{where}.{key}")
        inner = parse(data["where"], f"{where}.where")
        return Some(path, inner) if key == "some" else Every(path, inner)
    if keys == {"predicate"}:
        name = data["predicate"]
        if not isinstance(name, str) or not name:
            raise ConditionError("'predicate' takes a predicate name", where)
        return PredicateCall(name)
    ops = keys & set(COMPARISONS)
    lefts = keys & {"fact", "value"}
    if len(ops) == 1 and len(lefts) == 1 and len(keys) == 2:
        (op,) = ops
        (left_key,) = lefts
        if left_key == "fact":
            left: Value = Fact(_path(data["fact"], f"{where}.fact"))
        else:
            left = parse_value(data["value"], f"{where}.value")
        right = _parse_operand(data[op], op, f"{where}.{op}")
        return Compare(left, op, right)
    raise ConditionError(f"unrecognised condition with keys {sorted(keys)}", where)


def _parse_operand(data: Any, op: str, where: str) -> Value:
    if op in ("in", "not_in"):
        if isinstance(data, Mapping) and set(data) == {"keys"}:
            return Keys(_name(data["keys"], f"{where}.keys"))
        if not isinstance(data, list) or not data:
            raise ConditionError(
                f"'{op}' takes a non-empty list of constants or {{keys: TABLE}}", where
            )
        for item in data:
            _literal(item, where)
        return Constant(tuple(data))
    return parse_value(data, where)


def parse_value(data: Any, where: str = "") -> Value:
    """Parse a value expression."""
    if not isinstance(data, Mapping):
        return Constant(_literal(data, where))
    keys = set(data)
    if keys == {"fact"}:
        return Fact(_path(data["fact"], f"{where}.fact"))
    if keys == {"param"}:
        return Param(_name(data["param"], f"{where}.param"))
    if keys == {"lookup", "key", "column"}:
        return Lookup(
            _name(data["lookup"], f"{where}.lookup"),
            parse_value(data["key"], f"{where}.key"),
            _name(data["column"], f"{where}.column"),
        )
    if keys == {"as_of"}:
        shift = data["as_of"] or {}
        if not isinstance(shift, Mapping) or set(shift) - {"years", "months", "days"}:
            raise ConditionError("'as_of' takes a mapping of years, months, days", where)
        _check_shift(shift, where)
        return AsOf(**shift)
    if "shift" in keys and keys <= {"shift", "years", "months", "days"}:
        shift = {k: v for k, v in data.items() if k != "shift"}
        _check_shift(shift, where)
        return Shift(parse_value(data["shift"], f"{where}.shift"), **shift)
    if keys == {"division", "level"}:
        if data["level"] not in DIVISION_LEVELS:
            raise ConditionError(f"'level' is one of {sorted(DIVISION_LEVELS)}", where)
        return Division(parse_value(data["division"], f"{where}.division"), data["level"])
    if keys == {"count", "where"}:
        return Count(_path(data["count"], f"{where}.count"), parse(data["where"], f"{where}.where"))
    raise ConditionError(f"unrecognised value with keys {sorted(keys)}", where)


def _check_shift(shift: Mapping[str, Any], where: str) -> None:
    if not all(type(v) is int and abs(v) <= MAX_SHIFT[k] for k, v in shift.items()):
        raise ConditionError(f"shifts are whole numbers within {MAX_SHIFT}", where)


def _literal(value: Any, where: str) -> Any:
    problem = constant_problem(value)
    if problem:
        raise ConditionError(problem, where)
    return value


def constant_problem(value: Any) -> str | None:
    """Why ``value`` cannot be a constant of pack data (a literal, a parameter), or None.

    NaN would compare false instead of unknown, and a datetime cannot be compared with a date,
    so both are refused here rather than making engines disagree at evaluation.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} is not a finite number a rule may compare with"
    if isinstance(value, dt.datetime):
        return f"{value!r} has a time of day; constants are dates"
    if value is None or not isinstance(value, bool | int | float | str | dt.date):
        return f"constants are booleans, numbers, text or dates: {value!r}"
    return None


def _path(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value or any(not p for p in value.split(".")):
        raise ConditionError(f"a fact path is dotted names, got {value!r}", where)
    return value


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConditionError(f"expected a name, got {value!r}", where)
    return value


# --- analysis ----------------------------------------------------------------------------


def children(node: Condition | Value) -> Iterator[Condition | Value]:
    """The direct sub-expressions of a node, in order."""
    if isinstance(node, Compare):
        yield node.left
        yield node.right
    elif isinstance(node, All | AnyOf):
        yield from node.parts
    elif isinstance(node, Not):
        yield node.part
    elif isinstance(node, Some | Every | Count):
        yield node.where
    elif isinstance(node, Lookup):
        yield node.key
    elif isinstance(node, Shift | Division):
        yield node.value


def fact_paths(node: Condition | Value, prefix: str = "") -> Iterator[str]:
    """Every fact path a node reads, absolute (items as ``list.field``), in reading order."""
    if isinstance(node, Fact | Known):
        yield prefix + node.path
    elif isinstance(node, PredicateCall):
        yield from (prefix + path for path in node.reads)
    elif isinstance(node, Some | Every | Count):
        yield prefix + node.path
        yield from fact_paths(node.where, f"{prefix}{node.path}.")
        return
    for child in children(node):
        yield from fact_paths(child, prefix)


def bind_predicates(node: Any, reads: Mapping[str, tuple[str, ...]]) -> Any:
    """The tree with each predicate call carrying the fact paths its predicate declared."""
    if isinstance(node, PredicateCall):
        return attrs.evolve(node, reads=tuple(reads.get(node.name, ())))
    if isinstance(node, All | AnyOf):
        return attrs.evolve(node, parts=tuple(bind_predicates(p, reads) for p in node.parts))
    if isinstance(node, Not):
        return attrs.evolve(node, part=bind_predicates(node.part, reads))
    if isinstance(node, Some | Every | Count):
        return attrs.evolve(node, where=bind_predicates(node.where, reads))
    if isinstance(node, Compare):
        left, right = bind_predicates(node.left, reads), bind_predicates(node.right, reads)
        return attrs.evolve(node, left=left, right=right)
    if isinstance(node, Lookup):
        return attrs.evolve(node, key=bind_predicates(node.key, reads))
    if isinstance(node, Shift | Division):
        return attrs.evolve(node, value=bind_predicates(node.value, reads))
    return node


def resolve_keys(node: Any, tables: Mapping[str, Mapping[str, Any]]) -> Any:
    """The tree with each ``{keys: TABLE}`` replaced by the keys the table has in force."""
    if isinstance(node, Keys):
        return Constant(tuple(sorted(tables.get(node.table, ()))))
    if isinstance(node, Compare):
        left, right = resolve_keys(node.left, tables), resolve_keys(node.right, tables)
        return attrs.evolve(node, left=left, right=right)
    if isinstance(node, All | AnyOf):
        return attrs.evolve(node, parts=tuple(resolve_keys(p, tables) for p in node.parts))
    if isinstance(node, Not):
        return attrs.evolve(node, part=resolve_keys(node.part, tables))
    if isinstance(node, Some | Every | Count):
        return attrs.evolve(node, where=resolve_keys(node.where, tables))
    if isinstance(node, Lookup):
        return attrs.evolve(node, key=resolve_keys(node.key, tables))
    if isinstance(node, Shift | Division):
        return attrs.evolve(node, value=resolve_keys(node.value, tables))
    return node


def walk(node: Condition | Value) -> Iterator[Condition | Value]:
    """Every node of a tree, depth first."""
    yield node
    for child in children(node):
        yield from walk(child)


def literal_thresholds(node: Condition | Value, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(fact path, constant) pairs a tree compares with: where boundary tests should aim."""
    if isinstance(node, Compare):
        left, right = node.left, node.right
        if isinstance(left, Division) and isinstance(left.value, Fact):
            left = left.value  # a division's own code is a code under it
        if isinstance(left, Fact) and isinstance(right, Constant):
            values = right.value if node.op in ("in", "not_in") else (right.value,)
            for value in values:
                yield prefix + left.path, value
    if isinstance(node, Some | Every | Count):
        yield from literal_thresholds(node.where, f"{prefix}{node.path}.")
        return
    for child in children(node):
        yield from literal_thresholds(child, prefix)


def literal_kind(value: Any) -> Kind:
    """The kind of a constant from pack data."""
    if isinstance(value, bool):
        return Kind.BOOL
    if isinstance(value, int | float):
        return Kind.NUMBER
    if isinstance(value, dt.date):
        return Kind.DATE
    return Kind.TEXT
