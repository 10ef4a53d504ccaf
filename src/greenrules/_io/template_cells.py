"""Cells of the input template read by their column's kind, and the place each one sits.

是/否 and yes/no are booleans; a date is a date cell or text in one of three unambiguous forms;
a drop-down label maps back to its value through the workbook's own choices sheet; a formula is
refused, since the value it shows is not in the file for certain.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import attrs

from greenrules._io.template_layout import Column
from greenrules._io.template_messages import say
from greenrules._io.template_words import CHOICE_WORDS, LANGS, NO_WORDS, YES_WORDS
from greenrules._model.facts import Kind

_DATE_FORMS = (
    re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
"""Dates written as text: unambiguous forms only (never 5/6/2025, which reads two ways)."""

PRODUCT_KEY = re.compile(r"[a-z0-9][a-z0-9.\-]*")
"""A product's reference key typed as such (``gb16780.cement-clinker``), e.g. for a product
whose standard is not yet in force and so is not in the drop-down; a mistyped label is not."""

PACK_LISTS = {
    "energy.product": "product",
    "city": "city",
    "waivers.rule": "rule",
    "cities.city": "city",
    "listed_units.city": "city",
}
"""The choices-sheet list each pack-made drop-down column reads its labels from (the last two
are the round-records template's)."""


@attrs.frozen
class Place:
    """Where a value sits: a sheet, an Excel row, and a column (letter and header) if known."""

    sheet: str
    row: int
    letter: str = ""
    header: str = ""

    def loc(self, lang: str) -> tuple[str, ...]:
        """The location as an :class:`InputProblem` carries it: sheet, row, column, header."""
        if lang == "zh":
            return (
                self.sheet,
                f"第{self.row}行",
                f"{self.letter}列" if self.letter else "",
                self.header,
            )
        column = f"column {self.letter}" if self.letter else ""
        return (self.sheet, f"row {self.row}", column, self.header)


def sheet_grid(ws: Any) -> list[list[Any]]:
    """A sheet's cells to its last row, a formula kept as a :class:`Formula`."""
    ws.reset_dimensions()  # the file's <dimension> may be wrong; read to the real end
    rows = []
    for row in ws.iter_rows():
        rows.append([Formula(c.value) if c.data_type == "f" else c.value for c in row])
    return rows


@attrs.frozen
class Formula:
    text: Any


class CellError(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message


def choice_lists(grid: list[list[Any]]) -> dict[str, dict[str, str]]:
    """Label to value of every drop-down a choices sheet offers, by list name."""
    out: dict[str, dict[str, str]] = {}
    if not grid:
        return out
    header = grid[0]
    for col in range(0, len(header) - 1, 2):
        list_name = header[col]
        if not isinstance(list_name, str):
            continue
        mapping = out.setdefault(list_name, {})
        for row in grid[1:]:
            label = row[col] if col < len(row) else None
            value = row[col + 1] if col + 1 < len(row) else None
            if isinstance(label, str) and isinstance(value, str):
                mapping[label.strip()] = value
    return out


class CellReader:
    """Reads cells into typed values, raising :class:`CellError` with a message in ``lang``."""

    def __init__(self, lang: str, choices: Mapping[str, Mapping[str, str]]) -> None:
        self.lang = lang
        self.choices = choices

    def cell(self, value: Any, column: Column) -> Any:
        if isinstance(value, Formula):
            raise CellError("wrong-type", say("formula", self.lang))
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            value = value.strip()
        if column.kind is Kind.BOOL:
            return self.boolean(value)
        if column.kind is Kind.NUMBER:
            return self.number(value)
        if column.kind is Kind.DATE:
            return self.date(value)
        text = self.text(value)
        return self.choice(text, column)

    def boolean(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            word = value.casefold()
            if word in YES_WORDS:
                return True
            if word in NO_WORDS:
                return False
        raise CellError("wrong-type", say("bool", self.lang))

    def number(self, value: Any) -> int | float:
        if isinstance(value, bool):
            raise CellError("wrong-type", say("number", self.lang))
        if isinstance(value, str):
            text = value.replace(",", "").replace("，", "")
            try:
                number = float(text)
            except ValueError:
                raise CellError("wrong-type", say("number", self.lang)) from None
            plain = number.is_integer() and text.lstrip("+-").isdigit()
            return int(number) if plain else number
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return int(value) if value.is_integer() and abs(value) < 2**63 else value
        raise CellError("wrong-type", say("number", self.lang))

    def date(self, value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            for form in _DATE_FORMS:
                match = form.fullmatch(value)
                if match:
                    try:
                        return dt.date(*(int(g) for g in match.groups()))
                    except ValueError:
                        break
        raise CellError("bad-date", say("bad-date", self.lang))

    def text(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        raise CellError("wrong-type", say("text", self.lang))

    def choice(self, text: str, column: Column) -> str:
        """A drop-down label mapped back to its value; a value typed as such is kept."""
        if column.choices:
            values = set(column.choices)
            labels = {CHOICE_WORDS[lang][v]: v for lang in LANGS for v in column.choices}
            if text in values:
                return text
            if text in labels:
                return labels[text]
            shown = "、".join(CHOICE_WORDS[self.lang][v] for v in column.choices)
            raise CellError("bad-choice", say("bad-choice", self.lang, labels=shown))
        listed = self.choices.get(PACK_LISTS.get(column.path, ""))
        if listed is None:
            return text
        if text in listed:
            return listed[text]
        if column.path == "energy.product" and not PRODUCT_KEY.fullmatch(text):
            raise CellError("bad-choice", say("bad-choice-long", self.lang))
        return text

    # -- joining the sheets -----------------------------------------------------------------
