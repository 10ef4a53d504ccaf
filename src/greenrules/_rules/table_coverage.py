"""How much of a reference table is in force on each round's evaluation date, and what is missing.

A rule comparing with a reference value is only decided when the row in force has the value.
The coverage of a table says, per round and per column the rules read, how many keys have a
value on the evaluation date, and for each key without one why: no row in force then, or a row
in force that leaves the cell empty (its confidence says why, e.g. an edition not transcribed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from greenrules._rules import conditions as c
from greenrules._rules.packs import Pack
from greenrules._rules.reference import ReferenceTable


@attrs.frozen
class Gap:
    """One key without a value in force, and why."""

    key: str
    reason: str


@attrs.frozen
class ColumnCoverage:
    """One column of one table on one round's evaluation date."""

    pack: str
    round: int
    as_of: dt.date
    table: str
    column: str | None
    keys: int
    covered: int
    gaps: tuple[Gap, ...]

    @property
    def label(self) -> str:
        """``table.column``, or the table alone when rules read only its keys."""
        return self.table if self.column is None else f"{self.table}.{self.column}"


def read_columns(packs: Iterable[Pack]) -> dict[str, set[str]]:
    """Per table name, the columns some rule of ``packs`` looks up."""
    out: dict[str, set[str]] = {}
    for pack in packs:
        for rule in pack.rules:
            for root in rule.nodes():
                for node in c.walk(root):
                    if isinstance(node, c.Lookup):
                        out.setdefault(node.table, set()).add(node.column)
    return out


def pack_coverage(pack: Pack, read: Mapping[str, set[str]]) -> list[ColumnCoverage]:
    """The coverage of each of ``pack``'s tables, per round and per column rules ``read``."""
    out = []
    for round_ in pack.rounds:
        day = pack.evaluation_dates[round_]
        for name, table in pack.tables.items():
            columns: list[str | None] = [*sorted(read.get(name, ()))] or [None]
            for column in columns:
                out.append(_coverage(pack.id, round_, day, table, column))
    return out


def _coverage(
    pack: str, round_: int, day: dt.date, table: ReferenceTable, column: str | None
) -> ColumnCoverage:
    keys = list(dict.fromkeys(str(row[table.key]) for row in table.rows))
    in_force = {str(k): row for k, row in table.at(day).items()}
    gaps = []
    for key in keys:
        row = in_force.get(key)
        if row is None:
            gaps.append(Gap(key, _not_in_force(table, key, day)))
        elif column is not None and row.get(column) is None:
            why = str(row.get("confidence") or row.get("source") or "no reason given")
            gaps.append(Gap(key, f"the row in force has no {column}: {why}"))
    return ColumnCoverage(
        pack, round_, day, table.name, column, len(keys), len(keys) - len(gaps), tuple(gaps)
    )


def _not_in_force(table: ReferenceTable, key: str, day: dt.date) -> str:
    periods = [
        _period(row.get("valid_from"), row.get("valid_to"))
        for row in table.rows
        if str(row[table.key]) == key
    ]
    return f"no row in force on {day} (rows: {'; '.join(periods)})"


def _period(start: dt.date | None, end: dt.date | None) -> str:
    return f"{start or '…'} to {end or '…'}"


def render_coverage(reports: Iterable[ColumnCoverage]) -> str:
    """The coverage as text: one line per column and round, then one line per key without."""
    lines = []
    for r in reports:
        lines.append(
            f"{r.pack} round {r.round} ({r.as_of}) {r.label}: "
            f"{r.covered} of {r.keys} keys have a value in force"
        )
        lines += [f"  - {gap.key}: {gap.reason}" for gap in r.gaps]
    return "\n".join(lines) + "\n"


def coverage_as_data(reports: Iterable[ColumnCoverage]) -> list[dict[str, Any]]:
    """The coverage as JSON data, the shape of ``greenrules packs --coverage --format json``."""
    return [
        {
            "pack": r.pack,
            "round": r.round,
            "as_of": r.as_of.isoformat(),
            "table": r.table,
            "column": r.column,
            "keys": r.keys,
            "covered": r.covered,
            "missing": [{"key": g.key, "reason": g.reason} for g in r.gaps],
        }
        for r in reports
    ]
