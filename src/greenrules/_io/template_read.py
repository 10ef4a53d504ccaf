"""Reading the input template: its sheets joined by credit code into the records models validate.

Headers are matched in either language or by field path; cells are read by their column's kind
(是/否, dates in three written forms, drop-down labels mapped back through the workbook's own
choices sheet). Every problem names the sheet, the Excel row and the column letter, in the
language asked for. A load refuses the file on any problem unless bad rows may be skipped; an
unknown header or sheet refuses it even then, since its data could not be placed.
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pydantic

from greenrules._io.template_cells import (
    CellError,
    CellReader,
    Formula,
    Place,
    choice_lists,
    sheet_grid,
)
from greenrules._io.template_layout import (
    APPLICANT_LISTS,
    SHARED_LISTS,
    Column,
    Sheet,
    template_sheets,
)
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
from greenrules._model.entities import ENTITY_TYPES, Applicant, EvaluationAgency
from greenrules._model.enums import Programme
from greenrules.exceptions import InputProblem, InvalidInputError


@attrs.frozen
class TemplateLoad:
    """What reading a template gave: the valid applicants and the problems of rejected rows.

    Attributes:
        entities: the applicants of every row that passed, in the order of the applicants sheet.
        rejected: every problem of every rejected row (empty unless bad rows were skipped);
            each problem's ``loc`` is (sheet, row, column, header).
        source: the file read.
    """

    entities: tuple[Applicant, ...]
    rejected: tuple[InputProblem, ...]
    source: str


def is_template_workbook(data: bytes) -> bool:
    """Whether an XLSX file is the input template: it has a sheet only the template has."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
    names = set(re.findall(r'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"', xml))
    flat = {"applicants", "agencies"}  # the flat format's sheets
    ours = {w[lang] for key, w in SHEET_WORDS.items() for lang in LANGS} - flat
    return bool(names & ours)


def is_template_file(path: Path) -> bool:
    """Whether ``path`` is an XLSX input template (False when it cannot be read: say so later)."""
    try:
        return path.suffix.lower() == ".xlsx" and is_template_workbook(path.read_bytes())
    except OSError:
        return False


def load_template(
    source: str | Path, *, lang: str | None = None, skip_invalid: bool = False
) -> TemplateLoad:
    """Read a filled input template (see :func:`write_template`).

    Args:
        source: the .xlsx file.
        lang: the language of problem messages, zh or en; None: the template's own.
        skip_invalid: keep the valid rows and return the rejected rows' problems, instead of
            refusing the file on the first bad row. An unknown header or sheet refuses the file
            either way, because the data in it could not be placed.

    Raises:
        InvalidInputError: the file cannot be read, or (without ``skip_invalid``) any row has a
            problem; every problem is listed, located by sheet, row and column.
    """
    path = Path(source)
    name = str(path)
    if lang is not None and lang not in LANGS:
        raise InvalidInputError(
            [InputProblem("bad-argument", ("lang",), "expected zh or en", lang)]
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        msg = f"cannot read the file: {exc.strerror}"
        raise InvalidInputError([InputProblem("unreadable", ("source",), msg, name)]) from None
    return read_template(data, name, lang=lang, skip_invalid=skip_invalid)


def read_template(
    data: bytes, name: str, *, lang: str | None = None, skip_invalid: bool = False
) -> TemplateLoad:
    """Read a template's bytes; ``name`` is the file's, for messages (see :func:`load_template`)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        msg = f"not a readable XLSX workbook: {type(exc).__name__}"
        raise InvalidInputError([InputProblem("bad-xlsx", (), msg)], source=name) from None
    try:
        grids = {ws.title: sheet_grid(ws) for ws in book.worksheets}
    except Exception as exc:
        msg = f"a worksheet cannot be read: {type(exc).__name__}"
        raise InvalidInputError([InputProblem("bad-xlsx", (), msg)], source=name) from None
    finally:
        book.close()
    own = "zh" if SHEET_WORDS["applicants"]["zh"] in grids else "en"
    return _Reader(grids, lang or own, own).read(name, skip_invalid)


class _Reader:
    def __init__(self, grids: Mapping[str, list[list[Any]]], lang: str, own: str) -> None:
        self.grids = grids
        self.lang = lang
        self.own = own
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
            name = SHEET_WORDS[key][lang]
            if name in self.grids:
                return name
        return None

    def check_sheets(self) -> None:
        known = {w[lang] for w in SHEET_WORDS.values() for lang in LANGS}
        for name, grid in self.grids.items():
            if name in known or not any(v is not None for row in grid for v in row):
                continue
            guess = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.4)
            place = Place(name, 1)
            if guess:
                message = say("unknown-sheet", self.lang, given=name, guess=guess[0])
            else:
                names = "、".join(s.name(self.lang) for s in template_sheets())
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

    def read(self, name: str, skip_invalid: bool) -> TemplateLoad:
        sheets = {s.key: s for s in template_sheets()}
        self.check_sheets()
        if self.sheet_name("applicants") is None:
            sheet = SHEET_WORDS["applicants"][self.lang]
            msg = say("no-applicants-sheet", self.lang, sheet=sheet)
            raise InvalidInputError([InputProblem("bad-xlsx", (), msg)], source=name)
        rows = {key: self.rows(sheet) for key, sheet in sheets.items()}
        if self.fatal:
            raise InvalidInputError(self.fatal, source=name)
        agencies, bad_agencies = self.agencies(rows)
        owned = {key: by_owner(rows[key], sheets[key]) for key in sheets if sheets[key].owner}
        members = {
            r.values.get(f"{key}.credit_code")
            for key in ("enterprises", "suppliers")
            for r in rows[key]
        }
        applicant_codes = {r.values.get("credit_code") for r in rows["applicants"]}
        self.unlinked(owned, applicant_codes, members, set(agencies) | set(bad_agencies), sheets)
        self.duplicates(rows["applicants"], "credit_code", "duplicate-credit-code")
        entities: list[Applicant] = []
        rejected_rows: set[tuple[str, int]] = set()
        for row in rows["applicants"]:
            record, places, used = self.applicant(row, owned, agencies, bad_agencies)
            mine = [p for key in used if (p := self.by_row.get(key))]
            result = None if any(mine) else self.validate(record, places, row.place)
            if result is None or any(self.by_row.get(key) for key in used):
                rejected_rows |= set(used)
            else:
                entities.append(result)
        problems = [p for key in sorted(self.by_row, key=self._order) for p in self.by_row[key]]
        if problems and not skip_invalid:
            raise InvalidInputError(problems, source=name)
        return TemplateLoad(tuple(entities), tuple(problems), name)

    def _order(self, key: tuple[str, int]) -> tuple[int, int]:
        names = list(self.grids)
        return (names.index(key[0]) if key[0] in names else len(names), key[1])

    def duplicates(self, rows: Sequence[Row], path: str, code: str) -> None:
        by_code: dict[Any, list[Row]] = {}
        for row in rows:
            if path in row.values:
                by_code.setdefault(row.values[path], []).append(row)
        for credit_code, same in by_code.items():
            if len(same) < 2:
                continue
            for row in same:
                others = "、".join(str(o.place.row) for o in same if o is not row)
                msg = say(code, self.lang, rows=others)
                self.problem(code, row.places[path], msg, credit_code)

    def unlinked(
        self,
        owned: Mapping[str, Mapping[Any, list[Row]]],
        applicants: set[Any],
        members: set[Any],
        agencies: set[Any],
        sheets: Mapping[str, Sheet],
    ) -> None:
        """Report list rows whose owner's credit code is on no owner sheet."""
        for key, groups in owned.items():
            owner = sheets[key].owner
            known = {"applicants": applicants, "agencies": agencies}.get(
                owner or "", applicants | members
            )
            target = "agencies" if owner == "agencies" else "applicants"
            for code, rows in groups.items():
                if code in known:
                    continue
                for row in rows:
                    path = f"{owner}.credit_code"
                    sheet = self.sheet_name(target) or SHEET_WORDS[target][self.lang]
                    msg = say("unlinked-row", self.lang, sheet=sheet)
                    self.problem("unlinked-row", row.places[path], msg, code)

    def agencies(
        self, rows: Mapping[str, list[Row]]
    ) -> tuple[dict[Any, dict[str, Any]], dict[Any, Place]]:
        """Valid agencies as records by credit code, and the rows of agencies with problems."""
        sheets = {s.key: s for s in template_sheets()}
        reports = by_owner(rows["annual_reports"], sheets["annual_reports"])
        self.duplicates(rows["agencies"], "agencies.credit_code", "duplicate-agency")
        good: dict[Any, dict[str, Any]] = {}
        bad: dict[Any, Place] = {}
        for row in rows["agencies"]:
            code = row.values.get("agencies.credit_code")
            record, places = nest_row(row, "agencies.")
            used = [(row.place.sheet, row.place.row)]
            self.attach(record, places, row, "annual_reports", reports.get(code, []), used)
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
            sheet = self.sheet_name(key) or SHEET_WORDS[key][self.lang]
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

    def applicant(
        self,
        row: Row,
        owned: Mapping[str, Mapping[Any, list[Row]]],
        agencies: Mapping[Any, dict[str, Any]],
        bad_agencies: Mapping[Any, Place],
    ) -> tuple[dict[str, Any], dict[tuple[str | int, ...], Place], list[tuple[str, int]]]:
        record, places = nest_row(row, "")
        code = row.values.get("credit_code")
        used = [(row.place.sheet, row.place.row)]
        for key in APPLICANT_LISTS:
            items = owned[key].get(code, []) if code is not None else []
            self.attach(record, places, row, key, items, used, owned=owned)
        agency = row.values.get("report.agency")
        if agency is not None:
            report = record.setdefault("report", {})
            sheet = self.sheet_name("agencies") or SHEET_WORDS["agencies"][self.lang]
            if agency in agencies:
                report["agency"] = agencies[agency]
            elif agency in bad_agencies:
                where = bad_agencies[agency]
                msg = say("bad-agency", self.lang, sheet=sheet, row=where.row)
                self.problem("unknown-agency", row.places["report.agency"], msg, agency)
            else:
                msg = say("unknown-agency", self.lang, sheet=sheet)
                self.problem("unknown-agency", row.places["report.agency"], msg, agency)
        return record, places, used

    def validate(
        self, record: dict[str, Any], places: dict[tuple[str | int, ...], Place], row: Place
    ) -> Applicant | None:
        fields = dict(record)
        programme = fields.pop("programme", None)
        try:
            model = ENTITY_TYPES[Programme(programme)]
        except ValueError:
            place = places.get(("programme",), row)
            self.problem("missing-field", place, say("missing-field", self.lang))
            return None
        try:
            return model.model_validate(fields)
        except pydantic.ValidationError as exc:
            self.translate(exc, places, row, Programme(programme))
            return None

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
