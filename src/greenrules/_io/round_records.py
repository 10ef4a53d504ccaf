"""Loading a round's records (city submissions, the region's steps, listed units, agencies).

A JSON file is one object with the fields of
:class:`~greenrules._model.round_records.RoundRecords`. A CSV file or an XLSX sheet is the
applicants' table format: one row per record, a ``record`` column naming its kind
(``city_bureau``, ``region_department``, ``listed_unit``, ``agency``) and dotted field names
for the rest, a list field as JSON text; the jurisdiction and round, which a table has no place
for, come from the caller. An XLSX file that is the round-records template
(:mod:`greenrules._io.round_template`) is read as such, and carries its own jurisdiction and
round. Every problem is reported at once with its place (``line 4``), in
the same codes as the applicant loaders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pydantic

from greenrules._io.encoding import decode
from greenrules._io.loaders import json_document, nest_fields, problems_from
from greenrules._io.round_template_read import is_round_template_workbook, read_round_template
from greenrules._io.tables import Rows, csv_text, read_csv, read_input, xlsx_sheets
from greenrules._model.round_records import (
    Actor,
    CitySubmission,
    ListedUnit,
    RegionRecord,
    RoundRecords,
)
from greenrules._model.values import EvaluationAgency, StrictModel
from greenrules.exceptions import InputProblem, InvalidInputError

TABLE_RECORDS: dict[Actor, tuple[str, type[StrictModel]]] = {
    Actor.CITY_BUREAU: ("cities", CitySubmission),
    Actor.REGION_DEPARTMENT: ("region", RegionRecord),
    Actor.LISTED_UNIT: ("listed_units", ListedUnit),
    Actor.AGENCY: ("agencies", EvaluationAgency),
}
"""What a table row's ``record`` names: the field of the round records it goes to, its model."""
RECORDS_SHEET = "records"
"""The sheet an XLSX file's records are read from (the first sheet if none is so named)."""


def load_round_records(
    source: str | Path | Mapping[str, Any],
    *,
    jurisdiction: str | None = None,
    round: int | None = None,
) -> RoundRecords:
    """Round records from a ``.json``, ``.csv`` or ``.xlsx`` file, or a parsed mapping.

    ``jurisdiction`` and ``round`` are required for a table file; for JSON and the round-records
    template, where the file states them, a given value must agree with it.

    Raises:
        InvalidInputError: the file cannot be read or parsed, a record is invalid, or the
            jurisdiction or round is missing or disagrees; every problem names its place
            (``cities[3].sent_on`` in JSON, ``line 4.sent_on`` in a table).
    """
    if isinstance(source, Mapping):
        return _agreeing(parse_round_records(source), jurisdiction, round)
    path = Path(source)
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv", ".xlsx"):
        msg = "round records are read from a .json, .csv or .xlsx file"
        raise InvalidInputError([InputProblem("bad-format", ("source",), msg, name)])
    data = read_input(path)
    try:
        if suffix == ".json":
            records = parse_round_records(json_document(decode(data, name), name))
            return _agreeing(records, jurisdiction, round)
        if suffix == ".xlsx" and is_round_template_workbook(data):
            return _agreeing(read_round_template(data, name), jurisdiction, round)
        if jurisdiction is None or round is None:
            msg = "a table of round records needs the jurisdiction and round it belongs to"
            given = {"jurisdiction": jurisdiction, "round": round}
            raise InvalidInputError([InputProblem("bad-argument", ("round",), msg, given)])
        if suffix == ".csv":
            rows = read_csv(csv_text(data, name), name)
        else:
            [rows] = xlsx_sheets(data, name, _records_sheet).values()
        return _from_rows(rows, jurisdiction, round, name)
    except InvalidInputError as exc:
        raise InvalidInputError(exc.problems, source=name) from None


def parse_round_records(data: Any) -> RoundRecords:
    """Validate parsed JSON as round records; InvalidInputError lists every problem."""
    if not isinstance(data, Mapping):
        problem = InputProblem("wrong-type", (), "round records are an object", type(data).__name__)
        raise InvalidInputError([problem])
    try:
        return RoundRecords.model_validate(data)
    except pydantic.ValidationError as exc:
        raise InvalidInputError(problems_from(exc, ())) from None


def _agreeing(records: RoundRecords, jurisdiction: str | None, round_: int | None) -> RoundRecords:
    """The records, if they are of the jurisdiction and round asked for (when one is)."""
    problems = [
        InputProblem("bad-argument", (field,), f"the records are of {field} {have}", want)
        for field, have, want in (
            ("jurisdiction", records.jurisdiction, jurisdiction),
            ("round", records.round, round_),
        )
        if want is not None and str(have).upper() != str(want).upper()
    ]
    if problems:
        raise InvalidInputError(problems)
    return records


def _records_sheet(titles: Sequence[str]) -> list[str]:
    return [RECORDS_SHEET if RECORDS_SHEET in titles else titles[0]]


def _from_rows(rows: Rows, jurisdiction: str, round_: int, name: str) -> RoundRecords:
    """Round records from table rows; a problem's place is the row's line, then the field."""
    problems: list[InputProblem] = []
    found: dict[str, list[tuple[int, dict[str, Any]]]] = {f: [] for f, _ in TABLE_RECORDS.values()}
    kinds = [a.value for a in TABLE_RECORDS]
    for line, row in rows:
        kind = str(row.get("record") or "").strip()
        if kind not in kinds:
            msg = f"record must be one of {kinds}"
            problems.append(InputProblem("bad-choice", (f"line {line}", "record"), msg, kind))
            continue
        field, model = TABLE_RECORDS[Actor(kind)]
        values = {k: v for k, v in row.items() if k != "record"}
        programme = values.pop("programme", None)
        if isinstance(programme, str) and not programme.strip():
            programme = None
        if programme is not None and "programme" not in model.model_fields:
            msg = f"a {kind} record has no programme"
            problems.append(InputProblem("unknown-field", (f"line {line}", "programme"), msg))
            continue
        nested = nest_fields(values, line, problems, programme=programme, model=model)
        if nested is not None:
            found[field].append((line, nested))
    regions = found.pop("region")
    for line, _ in regions[1:]:
        msg = f"a round has one region record; line {regions[0][0]} holds it already"
        place = (f"line {line}", "record")
        problems.append(InputProblem("duplicate-record", place, msg, "region_department"))
    doc: dict[str, Any] = {"jurisdiction": jurisdiction, "round": round_, "source": name}
    doc.update({field: [nested for _, nested in items] for field, items in found.items()})
    if regions:
        doc["region"] = regions[0][1]
    try:
        records = RoundRecords.model_validate(doc)
    except pydantic.ValidationError as exc:
        lines = {field: [line for line, _ in items] for field, items in found.items()}
        lines["region"] = [line for line, _ in regions[:1]]
        problems += [_at_line(problem, lines) for problem in problems_from(exc, ())]
    if problems:
        raise InvalidInputError(problems)
    return records


def _at_line(problem: InputProblem, lines: Mapping[str, list[int]]) -> InputProblem:
    """A problem placed in the round records (``cities[2].sent_on``) placed at its row."""
    loc = problem.loc
    if loc and loc[0] == "region":
        return attrs.evolve(problem, loc=(f"line {lines['region'][0]}", *loc[1:]))
    if len(loc) >= 2 and loc[0] in lines and isinstance(loc[1], int):
        return attrs.evolve(problem, loc=(f"line {lines[str(loc[0])][loc[1]]}", *loc[2:]))
    return problem
