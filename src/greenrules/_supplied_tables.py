"""A region's own reference table (the official benchmarks, say) dropped in for one evaluation.

``greenrules evaluate --reference energy_benchmarks=official.xlsx`` reads a CSV or XLSX file in
the pack's columns and hands its rows to ``Registry.with_reference``, which holds them to the
invariants the pack declares. The bundled table is never edited: the replacement lives in the
registry of this run only, and the decisions' pack digest says a table was replaced.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from greenrules._io.tables import csv_text, read_csv, read_input, sheet_rows
from greenrules._rules.registry import Registry
from greenrules.exceptions import InputProblem, InvalidInputError, PackError


def with_supplied_tables(
    registry: Registry, jurisdiction: str, round_: int, specs: Sequence[str]
) -> Registry:
    """``registry`` with each ``TABLE=FILE`` of ``specs`` replacing that table of the pack stack.

    Raises:
        InvalidInputError: a spec is not ``TABLE=FILE`` or names no table of the stack
            (``bad-argument``), or the file cannot be read as a table (``unreadable``,
            ``bad-csv``, ``bad-xlsx``, ...).
        PackError: the rows break the table's columns or declared invariants
            (``bad-table``, ``table-columns``, ``table-invariant``), each located by row.
    """
    stack = registry.resolve(jurisdiction, round_)
    for spec in specs:
        name, sep, file = spec.partition("=")
        owners = [p for p in stack if name in p.tables]
        if not sep or not file or not owners:
            tables = sorted(t for p in stack for t in p.tables)
            msg = f"expected TABLE=FILE with TABLE one of {', '.join(tables)}"
            raise InvalidInputError([InputProblem("bad-argument", ("reference",), msg, spec)])
        try:
            registry = registry.with_reference(owners[0].id, round_, name, read_rows(Path(file)))
        except PackError as exc:  # name the file the user gave in every problem
            raise PackError(
                attrs.evolve(p, message=f"{file}: {p.message}") for p in exc.problems
            ) from None
    return registry


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV or XLSX table as text cells keyed by the header (XLSX: first sheet)."""
    data = read_input(path)
    if path.suffix.lower() != ".xlsx":
        return [row for _, row in read_csv(csv_text(data, str(path)), str(path))]
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        msg = f"not a readable XLSX workbook: {type(exc).__name__}"
        raise InvalidInputError([InputProblem("bad-xlsx", (), msg)], source=str(path)) from None
    try:
        rows = sheet_rows(book.worksheets[0], [0])
    except InvalidInputError as exc:
        raise InvalidInputError(exc.problems, source=str(path)) from None
    except Exception as exc:  # a corrupt sheet fails only when read
        msg = f"a worksheet cannot be read: {type(exc).__name__}"
        raise InvalidInputError([InputProblem("bad-xlsx", (), msg)], source=str(path)) from None
    finally:
        book.close()
    return [{k: _text(v) for k, v in row.items()} for _, row in rows]


def _text(value: Any) -> str:
    """A cell as the text a CSV would hold: dates in ISO form, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
