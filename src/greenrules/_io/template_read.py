"""Reading the input template: its sheets joined by credit code into the records models validate.

Headers are matched in either language or by field path; cells are read by their column's kind
(是/否, dates in three written forms, drop-down labels mapped back through the workbook's own
choices sheet). Every problem names the sheet, the Excel row and the column letter, in the
language asked for. A load refuses the file on any problem unless bad rows may be skipped; an
unknown header or sheet refuses it even then, since its data could not be placed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import pydantic

from greenrules._io.template_cells import (
    Place,
)
from greenrules._io.template_layout import (
    APPLICANT_LISTS,
    Sheet,
    template_sheets,
)
from greenrules._io.template_messages import say
from greenrules._io.template_records import (
    Row,
    by_owner,
    nest_row,
)
from greenrules._io.template_sheet_reader import (
    SheetReader,
    workbook_grids,
    workbook_sheet_names,
)
from greenrules._io.template_words import LANGS, SHEET_WORDS
from greenrules._model.entities import ENTITY_TYPES, Applicant
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
    names = workbook_sheet_names(data)
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
    grids = workbook_grids(data, name)
    own = "zh" if SHEET_WORDS["applicants"]["zh"] in grids else "en"
    return _Reader(grids, lang or own, own).read(name, skip_invalid)


class _Reader(SheetReader):
    def __init__(self, grids: Mapping[str, list[list[Any]]], lang: str, own: str) -> None:
        super().__init__(grids, lang, own, template_sheets())

    def read(self, name: str, skip_invalid: bool) -> TemplateLoad:
        sheets = {s.key: s for s in template_sheets()}
        self.check_sheets()
        if self.sheet_name("applicants") is None:
            sheet = SHEET_WORDS["applicants"][self.lang]
            msg = say("no-sheet", self.lang, sheet=sheet)
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
        problems = self.ordered_problems()
        if problems and not skip_invalid:
            raise InvalidInputError(problems, source=name)
        return TemplateLoad(tuple(entities), tuple(problems), name)

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
                    sheet = self.title(target)
                    msg = say("unlinked-row", self.lang, sheet=sheet)
                    self.problem("unlinked-row", row.places[path], msg, code)

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
            sheet = self.title("agencies")
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
