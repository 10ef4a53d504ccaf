"""Declared invariants of reference tables: what every row must satisfy, named by row and column.

A transcribed table can be wrong in ways no cell parser sees: a shifted column puts grade 2 below
grade 1, a new edition changes a product's unit, two editions of one product are both in force.
A pack declares what must hold of each table; a table that breaks it is refused where tables
enter (a pack loading, ``greenrules check``, a region supplying its own table), every violation
located by table, row and columns, so that a wrong value never reaches a decision.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from greenrules._model.facts import Kind
from greenrules.exceptions import PackProblem

HEADER_ROWS = 1
"""Rows before the first data row: a table's row ``i`` (from 0) is line ``i + 2`` of its file."""


@attrs.frozen
class Ordered:
    """The present values of ``columns`` never decrease from left to right (equal is allowed).

    Empty cells are skipped, not read as zero: a missing grade breaks no order.
    """

    columns: tuple[str, ...]
    why: str = ""

    def describe(self) -> str:
        """The invariant as a formula, e.g. ``grade1 <= grade2 <= grade3``."""
        return " <= ".join(self.columns)


@attrs.frozen
class SamePerKey:
    """Every row of one key has the same value in ``column`` (a product keeps its unit)."""

    column: str
    why: str = ""

    def describe(self) -> str:
        """The invariant in words."""
        return f"one {self.column} per key"


@attrs.frozen
class OneInForce:
    """The validity periods of one key's rows never overlap: on any day one row is in force."""

    why: str = ""

    def describe(self) -> str:
        """The invariant in words."""
        return "one row in force per key and day"


Invariant = Ordered | SamePerKey | OneInForce


@attrs.frozen
class Violation:
    """One row (or pair of rows) breaking one invariant of one table."""

    table: str
    row: int
    key: str
    columns: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        columns = ", ".join(self.columns)
        return f"table {self.table} row {self.row} ({self.key}), {columns}: {self.message}"


def parse_invariant(data: Mapping[str, Any], columns: Mapping[str, Kind]) -> Invariant:
    """One invariant from its pack-file form; ValueError naming what is wrong.

    Forms: ``{order: [c1, c2, ...]}`` over number columns, ``{same_per_key: column}`` and
    ``{one_in_force: true}``, each with an optional ``why``.
    """
    why = str(data.get("why", ""))
    kinds = set(data) - {"why"}
    if len(kinds) != 1:
        raise ValueError(f"an invariant is one of order, same_per_key, one_in_force; got {data}")
    (kind,) = kinds
    value = data[kind]
    if kind == "order":
        if not isinstance(value, list) or len(value) < 2:
            raise ValueError(f"order needs at least two columns, got {value!r}")
        for column in value:
            if columns.get(column) is not Kind.NUMBER:
                raise ValueError(f"order: {column!r} is not a number column of the table")
        return Ordered(tuple(value), why)
    if kind == "same_per_key":
        if value not in columns:
            raise ValueError(f"same_per_key: {value!r} is not a column of the table")
        return SamePerKey(str(value), why)
    if kind == "one_in_force":
        if value is not True:
            raise ValueError(f"one_in_force takes true, got {value!r}")
        return OneInForce(why)
    raise ValueError(f"unknown invariant {kind!r}: use order, same_per_key or one_in_force")


def parse_invariants(
    table: str, items: Iterable[Mapping[str, Any]], columns: Mapping[str, Kind]
) -> tuple[tuple[Invariant, ...], list[str]]:
    """The invariants a pack declares for ``table``, and a message per malformed one."""
    found: list[Invariant] = []
    bad: list[str] = []
    for number, item in enumerate(items, start=1):
        try:
            found.append(parse_invariant(item, columns))
        except ValueError as exc:
            bad.append(f"table {table} invariant {number}: {exc}")
    return tuple(found), bad


def as_problems(pack: str, found: Iterable[Violation]) -> list[PackProblem]:
    """Each violation as a ``table-invariant`` pack problem naming table, row and columns."""
    return [PackProblem("table-invariant", pack, str(v)) for v in found]


def violations(
    name: str, key: str, rows: Sequence[Mapping[str, Any]], invariants: Iterable[Invariant]
) -> list[Violation]:
    """Every violation of ``invariants`` in the rows of table ``name``, in row order."""
    out: list[Violation] = []
    for invariant in invariants:
        if isinstance(invariant, Ordered):
            out += _order_violations(name, key, rows, invariant)
        elif isinstance(invariant, SamePerKey):
            out += _same_per_key_violations(name, key, rows, invariant)
        else:
            out += _overlap_violations(name, key, rows)
    return sorted(out, key=lambda v: (v.row, v.columns))


def _line(index: int) -> int:
    return index + HEADER_ROWS + 1


def _order_violations(
    name: str, key: str, rows: Sequence[Mapping[str, Any]], invariant: Ordered
) -> list[Violation]:
    out = []
    for index, row in enumerate(rows):
        present: list[tuple[str, float]] = [
            (c, row[c]) for c in invariant.columns if row.get(c) is not None
        ]
        for (low, a), (high, b) in itertools.pairwise(present):
            if a > b:
                message = f"{high} {b:g} is below {low} {a:g}; {invariant.describe()} must hold"
                out.append(Violation(name, _line(index), str(row[key]), (low, high), message))
    return out


def _same_per_key_violations(
    name: str, key: str, rows: Sequence[Mapping[str, Any]], invariant: SamePerKey
) -> list[Violation]:
    out = []
    first: dict[str, tuple[int, Any]] = {}
    column = invariant.column
    for index, row in enumerate(rows):
        value = row.get(column)
        seen = first.setdefault(str(row[key]), (index, value))
        if seen[1] != value:
            message = f"{value!r} differs from {seen[1]!r} on row {_line(seen[0])} of the same key"
            out.append(Violation(name, _line(index), str(row[key]), (column,), message))
    return out


def _overlap_violations(name: str, key: str, rows: Sequence[Mapping[str, Any]]) -> list[Violation]:
    out = []
    by_key: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    for index, row in enumerate(rows):
        by_key.setdefault(str(row[key]), []).append((index, row))
    for key_value, indexed in by_key.items():
        ordered = sorted(indexed, key=lambda item: item[1].get("valid_from") or dt.date.min)
        for (i, a), (j, b) in itertools.pairwise(ordered):
            a_end = a.get("valid_to") or dt.date.max
            b_start = b.get("valid_from") or dt.date.min
            if b_start <= a_end:
                message = f"in force on {b_start} together with row {_line(i)}"
                columns = ("valid_from", "valid_to")
                out.append(Violation(name, _line(j), key_value, columns, message))
    return out
