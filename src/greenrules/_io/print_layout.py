"""The summary workbook as printed: page setup, header and sign-off blocks, and sized cells.

A city bureau prints its list, stamps it and sends it upward on paper as well as electronically.
So every sheet is laid out for A4 landscape, one page wide, with its column headings repeated on
each page, page numbers in the footer, a header block naming the filing unit and date, and a
sign-off block with a contact. Nothing here reads the clock: the date comes from the caller or
from the decisions' evaluation date. Cell values are written by the workbook; this module only
adds the blocks around the table and styles what is there.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from greenrules.exceptions import InputProblem

TITLE_ROW = 1
"""The sheet's title, merged across the table."""
FILING_ROW = 2
"""The city, the filing unit (where the stamp goes) and the filing date."""
HEADER_ROW = 3
"""The column headings, repeated at the top of every printed page."""
FIRST_BODY_ROW = HEADER_ROW + 1

_LABELS = {
    "zh": {
        "city": "盟市：",
        "unit": "填报单位（盖章）：",
        "date": "填报日期：",
        "contact": "联系人：",
        "phone": "联系电话：",
        "footer": "第 &P 页 共 &N 页",
    },
    "en": {
        "city": "City: ",
        "unit": "Filing unit (stamp): ",
        "date": "Date filed: ",
        "contact": "Contact: ",
        "phone": "Telephone: ",
        "footer": "Page &P of &N",
    },
}
_MAX_WIDTH = 32
"""Widest column, in character units (a CJK character counts two); longer text wraps."""
_MIN_WIDTH = 6
_PAGE_WIDTH = 140
"""Width units an A4 landscape page holds at full size between its margins."""
_FONT_SIZE = 10
_LINE_HEIGHT = 14.0
"""Points per wrapped line at the table's font size, with room for CJK fonts' taller lines."""
_FILL = 0.85
"""Share of a column's width text is assumed to fill before it wraps: proportional fonts
differ from the width unit, and a row too tall is harmless while one too short overprints."""


@dataclass(frozen=True)
class SignOff:
    """What the filing office writes by hand when not given: city, unit, contact, phone, date."""

    unit: str | None = None
    contact: str | None = None
    phone: str | None = None
    date: dt.date | None = None
    city: str | None = None


def sign_off_problems(sign_off: SignOff) -> list[InputProblem]:
    """Problems with the sign-off fields, each located at its keyword: text on one line, a date."""
    problems = []
    for name in ("city", "unit", "contact", "phone"):
        value = getattr(sign_off, name)
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(InputProblem("bad-argument", (name,), "expected text", value))
        elif any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value):
            msg = "expected one line of text without control characters"
            problems.append(InputProblem("bad-argument", (name,), msg, value))
    date = sign_off.date
    if date is not None and (not isinstance(date, dt.date) or isinstance(date, dt.datetime)):
        problems.append(InputProblem("bad-argument", ("date",), "expected a datetime.date", date))
    return problems


def text_width(text: str) -> int:
    """Width of ``text`` in character units: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a column ``width`` units wide, wrapping as Calc does.

    Latin words move whole to the next line (a word wider than the column is broken), CJK
    characters break anywhere, and every line break in the text starts a new line.
    """
    total = 0
    for line in text.split("\n"):
        lines, used = 1, 0.0
        for token in _tokens(line):
            size = text_width(token)
            if token.isspace():
                used += size
                continue
            if used and used + size > width:
                lines, used = lines + 1, 0.0
            while size > width:
                lines, size = lines + 1, size - math.floor(width)
            used += size
        total += lines
    return total


def _tokens(line: str) -> list[str]:
    """Words of ``line``: runs of narrow non-space characters, single wide ones, spaces."""
    out: list[str] = []
    for char in line:
        wide = text_width(char) == 2
        if out and not wide and not char.isspace():
            last = out[-1]
            if not last.isspace() and text_width(last[-1]) == 1:
                out[-1] += char
                continue
        out.append(char)
    return out


def column_widths(rows: Sequence[Sequence[Any]]) -> list[float]:
    """Each column's width from its longest line, capped at :data:`_MAX_WIDTH`.

    A table narrower than the page gives the spare width to the columns that wrap, in
    proportion to how much they wrap, so a short table of long texts is not printed tall.
    """
    widths = [float(_MIN_WIDTH)] * max((len(r) for r in rows), default=0)
    wanted = list(widths)
    for row in rows:
        for index, value in enumerate(row):
            if value is None:
                continue
            longest = max(text_width(line) for line in str(value).split("\n"))
            wanted[index] = max(wanted[index], longest + 2.0)
            widths[index] = max(widths[index], min(float(_MAX_WIDTH), longest + 2.0))
    excess = [w - c for w, c in zip(wanted, widths, strict=True)]
    spare, total = _PAGE_WIDTH - sum(widths), sum(excess)
    if spare > 0 and total > 0:
        widths = [c + min(e, spare * e / total) for c, e in zip(widths, excess, strict=True)]
    return widths


def lay_out(
    sheet: Any, *, title: str, lang: str, sign_off: SignOff, evaluated_on: dt.date | None
) -> None:
    """Lay out ``sheet``, whose table (headings, then rows) starts at :data:`HEADER_ROW`.

    Adds the title and filing rows above the table and the contact row one blank row below it,
    sizes columns and rows, borders the table and sets up the printed page.
    """
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    table = [
        [cell.value for cell in row]
        for row in sheet.iter_rows(min_row=HEADER_ROW, max_row=max(sheet.max_row, HEADER_ROW))
    ]
    columns = len(table[0])
    last_body_row = HEADER_ROW + len(table) - 1
    widths = column_widths(table)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for offset, row in enumerate(sheet.iter_rows(min_row=HEADER_ROW, max_row=last_body_row)):
        heading = offset == 0
        lines = 1
        for cell, width in zip(row, widths, strict=True):
            cell.border = border
            cell.font = Font(size=_FONT_SIZE, bold=heading)
            horizontal = "center" if heading else None
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal=horizontal)
            if cell.value is not None:
                lines = max(lines, wrapped_lines(str(cell.value), (width - 1) * _FILL))
        sheet.row_dimensions[HEADER_ROW + offset].height = lines * _LINE_HEIGHT + 4

    labels = _LABELS[lang]
    date = sign_off.date or evaluated_on
    half = max(1, columns // 2)
    third = max(1, columns // 3)
    _block(sheet, TITLE_ROW, 1, columns, title, Font(size=14, bold=True), "center", widths)
    city = labels["city"] + (sign_off.city or "")
    _block(sheet, FILING_ROW, 1, third, city, Font(size=11), "left", widths)
    unit = labels["unit"] + (sign_off.unit or "")
    _block(sheet, FILING_ROW, third + 1, 2 * third, unit, Font(size=11), "left", widths)
    filed = labels["date"] + (date.isoformat() if date is not None else "")
    _block(sheet, FILING_ROW, 2 * third + 1, columns, filed, Font(size=11), "left", widths)
    contact_row = last_body_row + 2
    contact = labels["contact"] + (sign_off.contact or "")
    _block(sheet, contact_row, 1, half, contact, Font(size=11), "left", widths)
    phone = labels["phone"] + (sign_off.phone or "")
    _block(sheet, contact_row, half + 1, columns, phone, Font(size=11), "left", widths)
    sheet.row_dimensions[FILING_ROW].height = max(sheet.row_dimensions[FILING_ROW].height, 36)

    sheet.freeze_panes = sheet.cell(row=FIRST_BODY_ROW, column=1).coordinate
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.25, right=0.25, top=0.75, bottom=0.75)
    sheet.oddHeader.center.text = "&A"
    sheet.oddFooter.center.text = labels["footer"]


def _block(
    sheet: Any,
    row: int,
    first: int,
    last: int,
    text: str,
    font: Any,
    horizontal: str,
    widths: Sequence[float],
) -> None:
    """``text`` in one cell merged over columns ``first`` to ``last``, its row tall enough."""
    from openpyxl.styles import Alignment

    cell = sheet.cell(row=row, column=first, value=text)
    cell.font = font
    cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal=horizontal)
    if last > first:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    span = sum(widths[first - 1 : last]) - 1
    scale = font.size / _FONT_SIZE
    lines = wrapped_lines(text, span * _FILL / scale)
    height = lines * _LINE_HEIGHT * scale + 6
    current = sheet.row_dimensions[row].height or 0
    sheet.row_dimensions[row].height = max(current, height)
