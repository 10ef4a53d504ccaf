"""Reading a filled round-records template into the same RoundRecords the JSON gives.

The sheets are read as the applicants' template is (headers in either language, cells by their
column's kind, list rows joined to their owner), then each city, listed unit and agency is
validated as its model; every problem names the sheet, the Excel row and the column, in the
template's own language, and any problem refuses the file: a register is not read in part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pydantic
from pydantic import BaseModel

from greenrules._io.round_template_layout import KEY_FIELDS, SINGLE_ROW, round_template_sheets
from greenrules._io.round_template_words import ROUND_SHEETS
from greenrules._io.template_cells import Place
from greenrules._io.template_layout import ITEM, Sheet
from greenrules._io.template_messages import say
from greenrules._io.template_records import Row, by_owner, nest_row
from greenrules._io.template_sheet_reader import (
    SheetReader,
    workbook_grids,
    workbook_sheet_names,
)
from greenrules._model.round_records import CitySubmission, ListedUnit, RegionRecord, RoundRecords
from greenrules._model.values import EvaluationAgency
from greenrules.exceptions import InputProblem, InvalidInputError

Places = dict[tuple[str | int, ...], Place]


def is_round_template_workbook(data: bytes) -> bool:
    """Whether an XLSX file is the round-records template: it has a sheet only that has."""
    titles = {title for pair in ROUND_SHEETS.values() for title in pair}
    return bool(workbook_sheet_names(data) & titles)


def read_round_template(data: bytes, name: str) -> RoundRecords:
    """The round records of a filled round-records template's bytes; ``name`` is for messages.

    Raises:
        InvalidInputError: the file cannot be read, or any cell, row or sheet has a problem;
            every problem is listed, located by sheet, row and column, worded in the
            template's language.
    """
    grids = workbook_grids(data, name)
    own = "zh" if ROUND_SHEETS["round"][0] in grids else "en"
    return _RoundReader(grids, own, own).read(name)


class _RoundReader(SheetReader):
    def __init__(self, grids: Mapping[str, list[list[Any]]], lang: str, own: str) -> None:
        super().__init__(grids, lang, own, round_template_sheets())

    def read(self, name: str) -> RoundRecords:
        self.check_sheets()
        if self.sheet_name("round") is None:
            msg = say("no-sheet", self.lang, sheet=self.title("round"))
            raise InvalidInputError([InputProblem("bad-xlsx", (), msg)], source=name)
        rows = {key: self.rows(sheet) for key, sheet in self.sheets.items()}
        if self.fatal:
            raise InvalidInputError(self.fatal, source=name)
        for key in SINGLE_ROW:
            self.one_row(rows[key])
        self.duplicates(rows["cities"], "cities.city", "duplicate-record", "duplicate-city")
        self.duplicates(
            rows["listed_units"], "listed_units.credit_code", "duplicate-record",
            "duplicate-credit-code",
        )  # fmt: skip
        agencies, bad_agencies = self.agencies(rows)
        owned = {
            key: by_owner(rows[key], sheet) for key, sheet in self.sheets.items() if sheet.owner
        }
        self.unlinked(rows, owned, set(bad_agencies))
        fields = self.round_fields(rows["round"])
        cities = [self.record(row, CitySubmission, owned) for row in rows["cities"]]
        units = [self.record(row, ListedUnit, owned) for row in rows["listed_units"]]
        region = [self.record(row, RegionRecord, owned) for row in rows["region"][:1]]
        problems = self.ordered_problems()
        if problems:
            raise InvalidInputError(problems, source=name)
        return RoundRecords.model_validate(
            {
                **fields,
                "cities": cities,
                "region": region[0] if region else None,
                "listed_units": units,
                "agencies": [EvaluationAgency.model_validate(a) for a in agencies.values()],
            }
        )

    def one_row(self, rows: Sequence[Row]) -> None:
        """Report the rows of a one-row sheet after its first."""
        for row in rows[1:]:
            msg = say("one-row", self.lang, rows=rows[0].place.row)
            self.problem("duplicate-record", row.place, msg)

    def unlinked(
        self,
        rows: Mapping[str, list[Row]],
        owned: Mapping[str, Mapping[Any, list[Row]]],
        bad_agencies: set[Any],
    ) -> None:
        """Report list rows whose owner (a city, a listed unit, an agency) has no row."""
        for key, groups in owned.items():
            sheet = self.sheets[key]
            assert sheet.owner is not None and sheet.owner_path is not None
            known = {r.values.get(sheet.owner_path) for r in rows[sheet.owner]} | bad_agencies
            for code, items in groups.items():
                if code in known:
                    continue
                for row in items:
                    msg = say("unlinked-row", self.lang, sheet=self.title(sheet.owner))
                    self.problem("unlinked-row", row.places[sheet.owner_path], msg, code)

    def round_fields(self, rows: Sequence[Row]) -> dict[str, Any]:
        """The jurisdiction, round and source of the round sheet's row, validated."""
        if not rows:
            place = Place(self.title("round"), 2)
            self.problem("missing-field", place, say("no-round-row", self.lang))
            return {}
        record, places = nest_row(rows[0], "round.")
        try:
            RoundRecords.model_validate(record)
        except pydantic.ValidationError as exc:
            self.translate(exc, places, rows[0].place, None)
        return record

    def record(
        self, row: Row, model: type[BaseModel], owned: Mapping[str, Mapping[Any, list[Row]]]
    ) -> Any:
        """One city, listed unit or the region: its row and list rows, validated."""
        sheet = next(s for s in self.sheets.values() if s.model is model)
        prefix = f"{sheet.key}."
        record, places = nest_row(row, prefix)
        used = [(row.place.sheet, row.place.row)]
        key = row.values.get(f"{prefix}{KEY_FIELDS.get(sheet.key, 'credit_code')}")
        for lst in (s for s in self.sheets.values() if s.owner == sheet.key):
            items = owned[lst.key].get(key, []) if key is not None else []
            self.attach(record, places, row, lst.key, items, used, prefix=prefix)
            if lst.model is not None and not issubclass(lst.model, BaseModel):
                self.plain_values(record, places, lst, items)
        if any(self.by_row.get(k) for k in used):
            return None
        try:
            return model.model_validate(record)
        except pydantic.ValidationError as exc:
            self.translate(exc, places, row.place, None)
            return None

    def plain_values(
        self, record: dict[str, Any], places: Places, lst: Sheet, items: list[Row]
    ) -> None:
        """A list of plain values from its rows' one value each, each placed at its cell."""
        if lst.key not in record:
            return
        record[lst.key] = [item.get(ITEM) for item in record[lst.key]]
        for j, item in enumerate(items):
            places[(lst.key, j)] = item.places.get(f"{lst.key}.{ITEM}", item.place)
