"""Dated reference data: pack parameters and reference tables, every value with its source.

Following openfisca's parameters, a number of the law is never a bare constant: it is a value in
force over a period, with where it came from and how sure we are of it. A rule resolves it for
the evaluation date; when nothing is in force, the rule's verdict is unknown, never a guess.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from greenrules._model.facts import Kind
from greenrules._rules.rules import Period
from greenrules._rules.table_invariants import Invariant, Violation, violations

SOURCE_COLUMNS = ("source", "confidence", "valid_from", "valid_to")
CONFIDENCE_LEVELS = ("official", "cross-checked", "single-source", "low")
"""How sure a pack is of a value, strongest first; the last two are shown to readers as caveats."""
WEAK_LEVELS = frozenset({"single-source", "low"})


def confidence_level(text: str) -> str:
    """The level a ``confidence`` cell states (see docs/reference/pack-format.md#confidence).

    The cell is free text for the reviewer; its first word is the level: ``official`` or
    ``cross-checked``. Any other text, an empty one included, is a single source: nobody said a
    second one agrees. A text that says ``low confidence`` anywhere is low.
    """
    words = text.strip().lower()
    if "low confidence" in words or words.startswith("low"):
        return "low"
    for level in ("official", "cross-checked"):
        if words.startswith(level):
            return level
    return "single-source"


@attrs.frozen
class DatedValue:
    """One value of a parameter, in force over ``period``, with its source."""

    value: Any
    period: Period
    source: str
    confidence: str = ""


@attrs.frozen
class Parameter:
    """A named pack parameter: a kind and the dated values it has taken."""

    name: str
    kind: Kind
    values: tuple[DatedValue, ...]
    description: str = ""

    def at(self, day: dt.date) -> Any:
        """The value in force on ``day``, or None when none is."""
        for dated in self.values:
            if dated.period.contains(day):
                return dated.value
        return None


def read_only(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """A read-only view of a copy of ``mapping``: what a frozen pack holds cannot be changed."""
    return MappingProxyType(dict(mapping))


def _read_only_rows(rows: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    return tuple(read_only(row) for row in rows)


@attrs.frozen
class ReferenceTable:
    """Rows of reference values keyed by one text column, each row with its source and period.

    Empty cells are missing values (None), never zero. ``columns`` maps each value column to its
    kind; the key, source, confidence and validity columns are bookkeeping, not values.
    ``invariants`` are what the pack declares every row satisfies (see
    :mod:`greenrules._rules.table_invariants`); a replacement table is held to the same ones.
    """

    name: str
    key: str
    columns: Mapping[str, Kind] = attrs.field(converter=read_only)
    rows: tuple[Mapping[str, Any], ...] = attrs.field(converter=_read_only_rows)
    origin: str
    digest: str
    invariants: tuple[Invariant, ...] = ()

    def violations(self) -> list[Violation]:
        """Every row breaking one of the table's declared invariants, located by row and column."""
        return violations(self.name, self.key, self.rows, self.invariants)

    def at(self, day: dt.date) -> dict[str, Mapping[str, Any]]:
        """The rows in force on ``day``, by key (a later row of the same key wins)."""
        out: dict[str, Mapping[str, Any]] = {}
        for row in self.rows:
            if _period(row).contains(day):
                out[row[self.key]] = row
        return out


def _period(row: Mapping[str, Any]) -> Period:
    return Period(row.get("valid_from"), row.get("valid_to"))


def parse_cell(raw: str, kind: Kind, where: str) -> Any:
    """A text cell read as ``kind`` (empty is None); ValueError naming ``where`` when it is not."""
    text = raw.strip()
    if text == "":
        return None
    if kind is Kind.NUMBER:
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{where}: {text!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{where}: {text!r} is not a finite number")
        return int(number) if number.is_integer() and "." not in text else number
    if kind is Kind.DATE:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{where}: {text!r} is not an ISO date") from None
    if kind is Kind.BOOL:
        if text.lower() not in ("true", "false"):
            raise ValueError(f"{where}: {text!r} is not true or false")
        return text.lower() == "true"
    return text


def read_table(
    name: str,
    key: str,
    columns: Mapping[str, Kind],
    text: str,
    origin: str,
    invariants: tuple[Invariant, ...] = (),
) -> ReferenceTable:
    """Parse a CSV reference table; raise ValueError naming row and column on a bad cell."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    needed = [key, *columns, "source"]
    absent = [c for c in needed if c not in header]
    if absent:
        raise ValueError(f"{origin}: missing columns {absent}")
    kinds = {**columns, "valid_from": Kind.DATE, "valid_to": Kind.DATE}
    rows = []
    for number, raw in enumerate(reader, start=2):
        row: dict[str, Any] = {}
        for column in header:
            kind = kinds.get(column, Kind.TEXT)
            row[column] = parse_cell(raw[column] or "", kind, f"{origin} line {number} {column}")
        if not row[key]:
            raise ValueError(f"{origin} line {number}: empty key {key!r}")
        if not row["source"]:
            raise ValueError(f"{origin} line {number}: every value needs a source")
        rows.append(row)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return ReferenceTable(name, key, dict(columns), tuple(rows), origin, digest, invariants)


def load_table(
    name: str,
    key: str,
    columns: Mapping[str, Kind],
    source: str | Path | Iterable[Mapping[str, Any]],
    invariants: tuple[Invariant, ...] = (),
) -> ReferenceTable:
    """Load a reference table from a CSV path or from row mappings (e.g. an official table)."""
    if isinstance(source, str | Path):
        path = Path(source)
        text = path.read_text(encoding="utf-8-sig")
        return read_table(name, key, columns, text, str(path), invariants)
    rows = list(source)
    if not all(isinstance(row, Mapping) for row in rows):
        raise ValueError(f"<{name} rows>: every row is a mapping of column to value")
    out = io.StringIO()
    header = list(dict.fromkeys(k for row in rows for k in row))
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _text(v) for k, v in row.items()})
    return read_table(name, key, columns, out.getvalue(), f"<{name} rows>", invariants)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).lower() if isinstance(value, bool) else str(value)
