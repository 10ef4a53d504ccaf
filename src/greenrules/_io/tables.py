"""Table files read as rows: bytes from regular files only, CSV and XLSX sheets, all bounded.

Both readers of a table, the loaders and the columnar engine, take their bytes, text and rows
from here, so a file is accepted or refused by one rule: a header naming a column twice, a
value under no header, a field past the csv module's limit, a sheet past the row, column or
cell limits, a device given as a file. Text is decoded by :mod:`greenrules._io.encoding`.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from greenrules._io.encoding import decode
from greenrules._io.xlsx_formulas import uncached_formulas
from greenrules.exceptions import InputProblem, InvalidInputError

MAX_FILE_BYTES = 2**30
"""The largest input file read (1 GiB): beyond it, or for a file that is not a regular file (a
device such as ``/dev/zero``, a FIFO), the file is refused before a byte is read."""


def read_input(path: Path) -> bytes:
    """The bytes of an input file, which must be a regular file within :data:`MAX_FILE_BYTES`.

    Raises:
        InvalidInputError: ``unreadable`` (missing, no permission, not a regular file) or
            ``over-limit`` (too large).
    """
    name = str(path)
    try:
        with path.open("rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                msg = "cannot read the file: it is not a regular file (a device, FIFO or folder)"
                raise InvalidInputError([InputProblem("unreadable", ("source",), msg, name)])
            if info.st_size > MAX_FILE_BYTES:
                msg = f"the file has {info.st_size:,} bytes, past the limit of {MAX_FILE_BYTES:,}"
                raise InvalidInputError([InputProblem("over-limit", ("source",), msg, name)])
            return f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        msg = f"cannot read the file: {exc.strerror}"
        raise InvalidInputError([InputProblem("unreadable", ("source",), msg, name)]) from None


def csv_text(data: bytes, name: str) -> str:
    """The text of a CSV file; an empty file (no header even) is ``bad-csv``, not no applicants."""
    text = decode(data, name)
    if not text.strip():
        msg = "the file is empty: a CSV file starts with a header row"
        raise InvalidInputError([InputProblem("bad-csv", (), msg)], source=name)
    return text


def read_csv(text: str, name: str) -> list[tuple[int, dict[str, str]]]:
    """:func:`csv_rows`, with text that is not CSV reported as ``bad-csv``."""
    try:
        return csv_rows(text, name)
    except csv.Error as exc:
        msg = f"not a readable CSV file: {exc}"
        raise InvalidInputError([InputProblem("bad-csv", (), msg)], source=name) from None


def csv_rows(text: str, source: str | None = None) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV text with their file lines, keyed by the (stripped) header.

    Raises:
        InvalidInputError: a header repeated (``duplicate-column``), or a value under no header:
            past the header's last column or under an empty one (``unnamed-column``).
        csv.Error: the text is not CSV (broken quoting, a field past the csv module's limit).
    """
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return []
    names = [h.strip() for h in header]
    problems = header_problems(names, ())
    out = []
    for values in reader:
        if not values:
            continue
        line = reader.line_num
        problems += unnamed_cells(names, values, (f"line {line}",))
        out.append((line, {n: v for n, v in zip(names, values, strict=False) if n}))
    if problems:
        raise InvalidInputError(problems, source=source)
    return out


def header_problems(names: Sequence[str], loc: tuple[str | int, ...]) -> list[InputProblem]:
    """A header naming one column twice (after stripping spaces): which value wins is a guess."""
    seen: dict[str, list[int]] = {}
    for number, name in enumerate(names, start=1):
        if name:
            seen.setdefault(name, []).append(number)
    return [
        InputProblem(
            "duplicate-column",
            (*loc, name),
            f"columns {', '.join(map(str, numbers))} are all named {name!r}",
        )
        for name, numbers in seen.items()
        if len(numbers) > 1
    ]


def unnamed_cells(
    names: Sequence[str], values: Sequence[Any], loc: tuple[str | int, ...]
) -> list[InputProblem]:
    """A value under an empty header cell, or past the header's last column, is never dropped."""
    out = []
    for number, value in enumerate(values, start=1):
        named = number <= len(names) and names[number - 1]
        if named or value is None or (isinstance(value, str) and not value.strip()):
            continue
        msg = "a value in a column without a header (a surplus cell, or an empty header)"
        out.append(InputProblem("unnamed-column", (*loc, f"column {number}"), msg, value))
    return out


XLSX_MAX_ROWS = 200_000
"""Rows a worksheet may have, header included: beyond it the file is refused (``over-limit``)."""
XLSX_MAX_COLUMNS = 1_000
"""Columns a worksheet may have (every entity has far fewer fields)."""
XLSX_MAX_CELLS = 5_000_000
"""Non-empty cells all sheets of one workbook may have together."""


Rows = list[tuple[int, dict[str, Any]]]
"""A table's data rows: the line number each starts on and its values by header."""


def xlsx_sheets(
    data: bytes, name: str, pick: Callable[[Sequence[str]], Sequence[str]]
) -> dict[str, Rows]:
    """The rows of the sheets ``pick`` chooses from a workbook's sheet titles, in its order.

    Cells are read as Excel saved them; a formula without a saved result is refused.

    Raises:
        InvalidInputError: ``bad-xlsx``, ``over-limit``, ``formula-without-value`` and the
            header problems of :func:`sheet_rows`; ``name`` is the file's.
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        msg = f"not a readable XLSX workbook: {type(exc).__name__}"
        raise InvalidInputError([InputProblem("bad-xlsx", (), msg)], source=name) from None
    cells = [0]  # non-empty cells read so far, over every sheet
    try:  # read-only workbooks parse each sheet lazily, so a corrupt sheet fails here
        titles = pick(book.sheetnames)
        rows = {title: sheet_rows(book[title], cells) for title in titles}
        unsaved = uncached_formulas(data, titles)
        if unsaved:
            raise InvalidInputError(unsaved)
    except InvalidInputError as exc:
        raise InvalidInputError(exc.problems, source=name) from None
    except Exception as exc:
        msg = f"a worksheet cannot be read: {type(exc).__name__}"
        raise InvalidInputError([InputProblem("bad-xlsx", (), msg)], source=name) from None
    finally:
        book.close()
    return rows


def sheet_rows(ws: Any, cells: list[int]) -> Rows:
    """The rows a sheet holds, read to its last row whatever its ``<dimension>`` tag claims.

    The tag is written by whatever made the file and may be wrong either way: too small, and
    openpyxl's read-only mode drops the rows past it; too large, and it pads millions of empty
    rows. The reader ignores it and stops at the limits instead.
    """
    ws.reset_dimensions()
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return []
    names = [str(h).strip() if h is not None else "" for h in header]
    problems = header_problems(names, (ws.title,))
    out = []
    for line, values in enumerate(itertools.chain([header], rows), start=1):
        if line > XLSX_MAX_ROWS:
            raise _over_limit(ws.title, f"more than {XLSX_MAX_ROWS:,} rows", f"line {line}")
        if len(values) > XLSX_MAX_COLUMNS:
            what = f"more than {XLSX_MAX_COLUMNS:,} columns"
            raise _over_limit(ws.title, what, f"line {line}")
        filled = sum(v is not None for v in values)
        cells[0] += filled
        if cells[0] > XLSX_MAX_CELLS:
            raise _over_limit(ws.title, f"more than {XLSX_MAX_CELLS:,} cells", f"line {line}")
        if line == 1 or not filled:
            continue
        problems += unnamed_cells(names, values, (ws.title, f"line {line}"))
        out.append((line, {n: v for n, v in zip(names, values, strict=False) if n}))
    if problems:
        raise InvalidInputError(problems)
    return out


def _over_limit(sheet: str, what: str, where: str) -> InvalidInputError:
    msg = f"the worksheet has {what}, past the limit for one file"
    return InvalidInputError([InputProblem("over-limit", (sheet, where), msg)])
