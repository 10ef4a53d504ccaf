"""The reading both input templates share, from the cells up to records placed at their cells.

Sheets are found in either language, headers matched, cells typed, list rows attached to their
owner, and every problem placed at its cell. A reader subclass joins the rows into its own
records (applicants, or a round's records); what a sheet is, and so what its headers and cells
mean, comes from the template's layout.
"""

from __future__ import annotations

import difflib
import html
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

import pydantic

from greenrules._io.template_cells import (
    CellError,
    CellReader,
    Formula,
    Place,
    choice_lists,
    sheet_grid,
)
from greenrules._io.template_layout import SHARED_LISTS, Column, Sheet
from greenrules._io.template_messages import model_message, say
from greenrules._io.template_records import (
    Row,
    by_owner,
    list_slot,
    longest_place,
    merge_records,
    nest_row,
)
from greenrules._io.template_words import CHOICE_WORDS, LANGS, SHEET_WORDS
from greenrules._model.entities import EvaluationAgency
from greenrules._model.enums import Programme
from greenrules.exceptions import InputProblem, InvalidInputError

SHARED_SHEETS = ("guide", "choices", "problems")
"""Sheets every template may have besides its data sheets."""


def workbook_sheet_names(data: bytes) -> set[str]:
    """The sheet names of an XLSX file, read off its index without loading it (empty if none)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return set()
    return {html.unescape(n) for n in re.findall(r'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"', xml)}


def workbook_grids(data: bytes, name: str) -> dict[str, list[list[Any]]]:
    """Every sheet's cells by sheet name; a file openpyxl cannot read is a ``bad-xlsx``."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        msg = f"not a readable XLSX workbook: {type(exc).__name__}"
        raise InvalidInputError([InputProblem("bad-xlsx", (), msg)], source=name) from None
    try:
        return {ws.title: sheet_grid(ws) for ws in book.worksheets}
    except Exception as exc:
        msg = f"a worksheet cannot be read: {type(exc).__name__}"
        raise InvalidInputError([InputProblem("bad-xlsx", (), msg)], source=name) from None
    finally:
        book.close()


class SheetReader:
    """Reads a template's sheets into rows, collecting problems by the row they belong to.

    Args:
        grids: every sheet's cells, by sheet name.
        lang: the language of messages; ``own`` the template's own (its names are tried first).
        sheets: the template's data sheets.
    """

    def __init__(
        self,
        grids: Mapping[str, list[list[Any]]],
        lang: str,
        own: str,
        sheets: Sequence[Sheet],
    ) -> None:
        self.grids = grids
        self.lang = lang
        self.own = own
        self.sheets = {s.key: s for s in sheets}
        self.titles = {s.key: {g: s.name(g) for g in LANGS} for s in sheets}
        self.titles.update({k: SHEET_WORDS[k] for k in SHARED_SHEETS})
        self.fatal: list[InputProblem] = []
        self.by_row: dict[tuple[str, int], list[InputProblem]] = {}
        choices = self.sheet_name("choices")
        self.cells = CellReader(lang, choice_lists(grids.get(choices, []) if choices else []))

    # -- problems ---------------------------------------------------------------------------

    def problem(self, code: str, place: Place, message: str, given: Any = None) -> InputProblem:
        problem = InputProblem(code, place.loc(self.lang), message, given)
        self.by_row.setdefault((place.sheet, place.row), []).append(problem)
        return problem

    # -- sheets and headers -----------------------------------------------------------------

    def sheet_name(self, key: str) -> str | None:
        for lang in (self.own, *LANGS):
            name = self.titles[key][lang]
            if name in self.grids:
                return name
        return None

    def check_sheets(self) -> None:
        known = {w[lang] for w in self.titles.values() for lang in LANGS}
        for name, grid in self.grids.items():
            if name in known or not any(v is not None for row in grid for v in row):
                continue
            guess = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.4)
            place = Place(name, 1)
            if guess:
                message = say("unknown-sheet", self.lang, given=name, guess=guess[0])
            else:
                names = "、".join(s.name(self.lang) for s in self.sheets.values())
                message = say("unknown-sheet-no-guess", self.lang, given=name, names=names)
            self.fatal.append(InputProblem("unknown-sheet", place.loc(self.lang), message, name))

    def header(self, sheet: Sheet, name: str, grid: list[list[Any]]) -> dict[int, Column]:
        """Which column each header names; unknown headers are reported once, with a guess."""
        from openpyxl.utils import get_column_letter

        aliases: dict[str, Column] = {}
        for known in sheet.columns:
            for alias in (known.words[0], known.words[1], known.path):
                aliases[_norm(alias)] = known
        found: dict[int, Column] = {}
        seen: dict[str, int] = {}
        head = grid[0] if grid else []
        for index, cell in enumerate(head):
            letter = get_column_letter(index + 1)
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                if any(index < len(r) and r[index] not in (None, "") for r in grid[1:]):
                    place = Place(name, 1, letter)
                    msg = say("unnamed-column", self.lang)
                    self.fatal.append(InputProblem("unknown-field", place.loc(self.lang), msg))
                continue
            given = str(cell).strip()
            column = aliases.get(_norm(given))
            place = Place(name, 1, letter, given)
            if column is None:
                guesses = difflib.get_close_matches(_norm(given), list(aliases), n=1, cutoff=0.5)
                if guesses:
                    guess = aliases[guesses[0]].header(self.lang)
                    msg = say("unknown-header", self.lang, given=given, guess=guess)
                else:
                    guide = SHEET_WORDS["guide"][self.lang]
                    msg = say("unknown-header-no-guess", self.lang, given=given, guide=guide)
                self.fatal.append(InputProblem("unknown-field", place.loc(self.lang), msg, given))
                continue
            if column.path in seen:
                other = get_column_letter(seen[column.path] + 1)
                msg = say("same-column", self.lang, other=other)
                self.fatal.append(
                    InputProblem("conflicting-columns", place.loc(self.lang), msg, given)
                )
                continue
            seen[column.path] = index
            found[index] = column
        return found

    # -- cells ------------------------------------------------------------------------------

    def rows(self, sheet: Sheet) -> list[Row]:
        from openpyxl.utils import get_column_letter

        name = self.sheet_name(sheet.key)
        if name is None:
            return []
        grid = self.grids[name]
        columns = self.header(sheet, name, grid)
        headers = {i: str(grid[0][i]).strip() for i in columns}
        out = []
        for number, cells in enumerate(grid[1:], start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                continue
            row = Row(Place(name, number), {}, {})
            for index, column in columns.items():
                place = Place(name, number, get_column_letter(index + 1), headers[index])
                row.places[column.path] = place
                value = cells[index] if index < len(cells) else None
                try:
                    typed = self.cells.cell(value, column)
                except CellError as exc:
                    given = value.text if isinstance(value, Formula) else value
                    self.problem(exc.code, place, exc.message, given)
                    continue
                if typed is not None:
                    row.values[column.path] = typed
            for column in sheet.columns:  # a required column absent from the sheet
                if column.required == "yes" and column.path not in row.places:
                    place = Place(name, number, "", column.header(self.lang))
                    row.places[column.path] = place
            out.append(row)
        return out

    def title(self, key: str) -> str:
        """The name of sheet ``key`` as the file has it, else in the reader's language."""
        return self.sheet_name(key) or self.titles[key][self.lang]

    def ordered_problems(self) -> list[InputProblem]:
        """Every row's problems, in the order of the file's sheets and rows."""
        return [p for key in sorted(self.by_row, key=self._order) for p in self.by_row[key]]

    def _order(self, key: tuple[str, int]) -> tuple[int, int]:
        names = list(self.grids)
        return (names.index(key[0]) if key[0] in names else len(names), key[1])

    def duplicates(
        self, rows: Sequence[Row], path: str, code: str, message: str | None = None
    ) -> None:
        """Report every row whose ``path`` value another row has too (message key: ``code``)."""
        by_code: dict[Any, list[Row]] = {}
        for row in rows:
            if path in row.values:
                by_code.setdefault(row.values[path], []).append(row)
        for credit_code, same in by_code.items():
            if len(same) < 2:
                continue
            for row in same:
                others = "、".join(str(o.place.row) for o in same if o is not row)
                msg = say(message or code, self.lang, rows=others)
                self.problem(code, row.places[path], msg, credit_code)

    def agencies(
        self, rows: Mapping[str, list[Row]]
    ) -> tuple[dict[Any, dict[str, Any]], dict[Any, Place]]:
        """Valid agencies as records by credit code, and the rows of agencies with problems."""
        reports = by_owner(rows["annual_reports"], self.sheets["annual_reports"])
        self.duplicates(rows["agencies"], "agencies.credit_code", "duplicate-agency")
        good: dict[Any, dict[str, Any]] = {}
        bad: dict[Any, Place] = {}
        for row in rows["agencies"]:
            code = row.values.get("agencies.credit_code")
            record, places = nest_row(row, "agencies.")
            used = [(row.place.sheet, row.place.row)]
            reported = reports.get(code, [])
            self.attach(record, places, row, "annual_reports", reported, used, prefix="agencies.")
            if not any(self.by_row.get(k) for k in used):
                try:
                    EvaluationAgency.model_validate(record)
                    good[code] = record
                    continue
                except pydantic.ValidationError as exc:
                    self.translate(exc, places, row.place, None)
            bad[code] = row.place
        return good, bad

    def attach(
        self,
        record: dict[str, Any],
        places: dict[tuple[str | int, ...], Place],
        row: Row,
        key: str,
        items: list[Row],
        used: list[tuple[str, int]],
        *,
        prefix: str = "",
        owned: Mapping[str, Mapping[Any, list[Row]]] | None = None,
    ) -> None:
        """Put the rows of list ``key`` into ``record`` (or ``[]`` if said to be empty)."""
        flag_path = f"{prefix}{key}.none"
        none = row.values.get(flag_path)
        if items and none:
            sheet = self.title(key)
            msg = say("conflicting-rows", self.lang, sheet=sheet, count=len(items))
            self.problem("conflicting-rows", row.places[flag_path], msg, True)
            return
        target, leaf = list_slot(record, key)
        if none:
            target[leaf] = []
            return
        if not items:
            return
        out = []
        for j, item in enumerate(items):
            used.append((item.place.sheet, item.place.row))
            nested, item_places = nest_row(item, f"{key}.")
            places[(*key.split("."), j)] = item.place
            for loc, place in item_places.items():
                places[(*key.split("."), j, *loc)] = place
            if key in ("enterprises", "suppliers") and owned is not None:
                code = item.values.get(f"{key}.credit_code")
                sub: dict[str, Any] = {}
                sub_places: dict[tuple[str | int, ...], Place] = {}
                for shared in SHARED_LISTS:
                    rows = owned[shared].get(code, [])
                    self.attach(sub, sub_places, item, shared, rows, used, prefix=f"{key}.")
                merge_records(nested, sub)
                for loc, place in sub_places.items():
                    places[(key, j, *loc)] = place
            out.append(nested)
        target[leaf] = out

    def translate(
        self,
        exc: pydantic.ValidationError,
        places: Mapping[tuple[str | int, ...], Place],
        row: Place,
        programme: Programme | None,
    ) -> None:
        """Report the model's errors at their cells, in the reader's language."""
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
            place = longest_place(places, loc, row)
            words = CHOICE_WORDS[self.lang][programme.value] if programme else None
            code, message, given = model_message(err, self.lang, words, bool(place.letter))
            self.problem(code, place, message, given)


def _norm(text: str) -> str:
    return text.strip().rstrip("*＊").strip().casefold()
