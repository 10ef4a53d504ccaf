"""Text written to spreadsheets and CSV as data, never as a formula, and never refused late.

Names, agency names and product keys come from applicants. Excel, WPS and LibreOffice read a
cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(...)``,
``=cmd|' /C calc'!A0``), and some strip a leading tab or carriage return before deciding. So:

* in XLSX every text cell is stored as a string (never openpyxl's formula type), and a text that
  looks like a formula also gets Excel's quote prefix, so editing the cell keeps it text;
* in CSV, which has no cell types, such a text gets a leading single quote (the OWASP
  CSV-injection guidance): the reader sees ``'=1+1``, the value stays readable.

XLSX cannot hold most control characters (NUL, U+0001): such a text is an input problem
naming the sheet, row and column, not a traceback from openpyxl.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from greenrules.exceptions import InputProblem, InvalidInputError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a text as a formula (OWASP's list)."""

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Characters XML 1.0, and so XLSX, cannot store (tab, newline and carriage return can)."""


def csv_text(value: Any) -> Any:
    """A value for a CSV cell: a text a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def append_row(sheet: Any, values: Sequence[Any], headers: Sequence[str] = ()) -> None:
    """Append ``values`` to an openpyxl ``sheet`` as one row, every text stored as text.

    Raises:
        InvalidInputError: ``illegal-character``, a text holds a character XLSX cannot store;
            located at the sheet, the row and the column's header (or number).
    """
    row = sheet._current_row + 1  # where openpyxl's own append would write
    for column, value in enumerate(values, start=1):
        if not isinstance(value, str):
            sheet.cell(row=row, column=column, value=value)
            continue
        bad = _ILLEGAL.search(value)
        if bad is not None:
            header = headers[column - 1] if column <= len(headers) else f"column {column}"
            msg = f"the text holds {bad.group()!r}, which an XLSX cell cannot store"
            loc = (sheet.title, f"row {row}", header)
            raise InvalidInputError([InputProblem("illegal-character", loc, msg, value)])
        cell = sheet.cell(row=row, column=column)
        cell.value = value
        cell.data_type = "s"  # openpyxl types a text starting with "=" as a formula
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
