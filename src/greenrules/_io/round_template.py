"""The round-records template: the workbook a region department keeps its round register in.

Made as the applicants' template is (headers with their meaning, drop-downs from the packs and
the closed vocabularies, date columns typed as dates, a field guide citing the clauses), from the
round-record models. Given records, it is written filled in, so last year's register (its listed
units and agencies) starts this year's file; every text is written as data, never a formula.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from greenrules._io.cells import append_row
from greenrules._io.output import write_whole
from greenrules._io.round_template_layout import round_template_sheets
from greenrules._io.template import (
    ChoiceList,
    about,
    choice_for,
    choices_sheet,
    city_choices,
    clauses_reading,
    data_sheet,
    guide_sheet,
    workbook_argument_problems,
)
from greenrules._io.template_layout import ITEM, Column, Sheet
from greenrules._io.template_words import SHEET_WORDS, YES_NO
from greenrules._model.facts import Kind
from greenrules._model.round_records import Actor, RoundRecords
from greenrules._rules.packs import Pack
from greenrules._rules.procedure import Procedure
from greenrules._rules.registry import Registry
from greenrules.exceptions import InputProblem, InvalidInputError

SHEET_ACTORS: dict[str, Actor] = {
    "region": Actor.REGION_DEPARTMENT,
    "cities": Actor.CITY_BUREAU,
    "consulted": Actor.CITY_BUREAU,
    "objections": Actor.CITY_BUREAU,
    "recommended": Actor.APPLICANT,
    "listed_units": Actor.LISTED_UNIT,
    "forms": Actor.LISTED_UNIT,
    "agencies": Actor.AGENCY,
    "annual_reports": Actor.AGENCY,
}
"""Whose record a sheet's rows are, so the guide can cite the procedure steps they evidence."""
READS_PREFIX = {"recommended": "recommended.", "agencies": "report.agency."}
"""The part of a column's rule path before the field of the actor's own record."""


def write_round_template(
    path: str | Path,
    *,
    jurisdiction: str,
    round: int,
    lang: str = "zh",
    records: RoundRecords | None = None,
    registry: Registry | None = None,
) -> None:
    """Write the round-records template for ``jurisdiction`` and ``round``, blank or filled.

    Args:
        path: the ``.xlsx`` file to write, whole or not at all.
        jurisdiction: the jurisdiction (its packs give the cities and the field guide's clauses).
        round: the round the file records; its sheet 轮次信息 says so.
        lang: zh or en, the language of sheets, headers and drop-down labels.
        records: rows to fill in (say, last year's register); their round need not be
            ``round``, their jurisdiction must be ``jurisdiction``.
        registry: where packs are found (default: the installed packs).

    Raises:
        InvalidInputError: a bad ``lang``, ``path``, or records of another jurisdiction
            (``bad-argument``); a text an XLSX cell cannot hold (``illegal-character``); the
            file cannot be written (``unwritable``).
        PackNotFoundError: no pack serves the jurisdiction and round.
    """
    from greenrules._rules.registry import default_registry

    out = Path(path)
    problems = workbook_argument_problems(out, lang)
    if records is not None and records.jurisdiction.upper() != jurisdiction.upper():
        msg = f"the records are of jurisdiction {records.jurisdiction}"
        problems.append(InputProblem("bad-argument", ("records",), msg, jurisdiction))
    if problems:
        raise InvalidInputError(problems)
    stack = (registry or default_registry()).resolve(jurisdiction, round)
    book = build_round_template(stack, round, lang, records)
    write_whole(out, book.save, argument="path")


def build_round_template(
    stack: Sequence[Pack], round_: int, lang: str, records: RoundRecords | None = None
) -> Any:
    """The round-records workbook (openpyxl) for a pack stack, not yet saved."""
    import openpyxl

    top = stack[-1]
    day = top.evaluation_dates[round_]
    book = openpyxl.Workbook()
    book.remove(book.active)
    cities = city_choices(stack, lang)
    from_packs = {"cities.city": cities, "listed_units.city": cities}
    lists: dict[str, ChoiceList] = {}
    sheets = round_template_sheets()
    procedure = next((p.procedure for p in reversed(stack) if p.procedure), None)
    for sheet in sheets:
        data_sheet(book, sheet, lang, from_packs, lists)

    def clauses(sheet: Sheet, column: Column) -> tuple[str, ...]:
        cited = clauses_reading(stack, column.reads)
        return tuple(sorted({*cited, *_procedure_clauses(procedure, sheet, column)}))

    guide_sheet(book, sheets, lang, from_packs, clauses)
    about(book[SHEET_WORDS["guide"][lang]], top, round_, day, lang)
    choices_sheet(book, lists, lang)
    if records is None:
        records = RoundRecords(jurisdiction=top.jurisdiction, round=round_)
    records = records.model_copy(update={"jurisdiction": top.jurisdiction, "round": round_})
    for sheet in sheets:
        ws = book[sheet.name(lang)]
        headers = [c.header(lang) for c in sheet.columns]
        dates = [i for i, c in enumerate(sheet.columns, start=1) if c.kind is Kind.DATE]
        choices = [_labels(c, lang, from_packs) for c in sheet.columns]
        for number, row in enumerate(sheet_rows(sheet, records), start=2):  # under the header
            values = [
                _shown(row.get(c.path), labels, lang)
                for c, labels in zip(sheet.columns, choices, strict=True)
            ]
            append_row(ws, values, headers)
            for index in dates:
                ws.cell(row=number, column=index).number_format = "yyyy-mm-dd"
    return book


def sheet_rows(sheet: Sheet, records: RoundRecords) -> Iterator[dict[str, Any]]:
    """The rows ``records`` give ``sheet``, each a value by column path."""
    if sheet.key == "round":
        yield _fields(sheet, records)
    elif sheet.key == "region":
        if records.region is not None:
            yield _fields(sheet, records.region)
    elif sheet.owner is None:
        yield from (_fields(sheet, item) for item in getattr(records, sheet.key))
    else:
        key_path = sheet.owner_path or ""
        key_field = key_path.removeprefix(f"{sheet.owner}.")
        for owner in getattr(records, sheet.owner):
            for item in _dig(owner, sheet.key) or ():
                row = {key_path: getattr(owner, key_field)}
                if not isinstance(item, BaseModel):  # a list of plain values
                    row[f"{sheet.key}.{ITEM}"] = item
                else:
                    row |= _fields(sheet, item)
                yield row


def _fields(sheet: Sheet, record: Any) -> dict[str, Any]:
    """A record's values by column path; a none-flag says yes for a list known to be empty."""
    row: dict[str, Any] = {}
    for column in sheet.columns:
        if column.role == "field":
            row[column.path] = _dig(record, column.field)
        elif column.role == "none":
            row[column.path] = True if _dig(record, column.field) == () else None
    return row


def _dig(record: Any, path: str) -> Any:
    for part in path.split("."):
        record = getattr(record, part, None)
    return record


def _labels(
    column: Column, lang: str, from_packs: Mapping[str, ChoiceList]
) -> Mapping[str, str] | None:
    """The label of each value of a column's drop-down (None: the column has none)."""
    choice = choice_for(column, lang, from_packs)
    if choice is None or column.kind is Kind.BOOL:
        return None
    return dict(zip(choice.values, choice.labels, strict=True))


def _shown(value: Any, labels: Mapping[str, str] | None, lang: str) -> Any:
    """A value as the cell shows it: a drop-down's label, 是/否, a date, a number or text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return YES_NO[lang][0 if value else 1]
    if isinstance(value, enum.Enum):
        value = value.value
    if labels is not None and isinstance(value, str):
        return labels.get(value, value)
    if isinstance(value, dt.date | int):
        return value
    return str(value)


def _procedure_clauses(procedure: Procedure | None, sheet: Sheet, column: Column) -> Iterable[str]:
    """The clauses of the procedure's steps and products this column is the evidence of."""
    actor = SHEET_ACTORS.get(sheet.key)
    if procedure is None or actor is None:
        return
    fields = {r.removeprefix(READS_PREFIX.get(sheet.key, "")) for r in column.reads}
    fields |= {r.removeprefix("report.agency.") for r in column.reads}
    for step in procedure.steps:
        if step.actor is not actor:
            continue
        if step.evidence in fields:
            yield step.clause
        yield from (p.clause for p in step.products if p.evidence in fields and p.clause)
