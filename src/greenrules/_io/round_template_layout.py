"""The round-records template's layout: its sheets and columns, read off the round-record models.

The same walk as the applicants' template: one sheet per kind of record (the round itself, the
region's steps, city submissions, listed units, agencies), and every list field a sheet of its
own whose rows name their owner, a city by its division code (推荐名单, 征求意见部门) or a
unit by its credit code (动态管理表, the exclusion records). The agencies' two sheets are the
applicants' template's own, so an agency is filled the same way in both workbooks.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from greenrules._io.round_template_words import (
    ROUND_FIELD_WORDS,
    ROUND_OWNER_WORDS,
    ROUND_SHEETS,
)
from greenrules._io.template_layout import Column, LayoutBuilder, Sheet, template_sheets
from greenrules._model.facts import fact_schema
from greenrules._model.field_words import FIELD_WORDS
from greenrules._model.round_records import (
    CitySubmission,
    ListedUnit,
    RegionRecord,
    RoundRecords,
)

ROUND_FIELDS = ("jurisdiction", "round", "source")
"""The fields of the round sheet's one row: the file carries which round it records."""
KEY_FIELDS = {"cities": "city"}
"""The field an owner sheet's rows are known by, when it is not the credit code."""
SINGLE_ROW = ("round", "region")
"""Sheets that hold one row, since a round has one of each."""
ROUND_SHEET_ORDER = (
    "round",
    "region",
    "cities",
    "recommended",
    "consulted",
    "objections",
    "listed_units",
    "forms",
    "standing.abnormal_operation",
    "standing.incidents",
    "standing.inspection_findings",
    "standing.energy_rectification",
    "standing.dishonest_debtor",
    "agencies",
    "annual_reports",
)


@cache
def round_template_sheets() -> tuple[Sheet, ...]:
    """The round-records template's data sheets, in the order they are written."""
    builder = LayoutBuilder(
        words={**FIELD_WORDS, **ROUND_FIELD_WORDS},
        owners=ROUND_OWNER_WORDS,
        keys=KEY_FIELDS,
        shared=(),
    )
    skip = tuple(p for p in fact_schema(RoundRecords) if p not in ROUND_FIELDS)
    builder.walk(RoundRecords, "round", "round.", "", (), skip=skip)
    builder.walk(RegionRecord, "region", "region.", "", ())
    builder.walk(CitySubmission, "cities", "cities.", "", ())
    builder.walk(ListedUnit, "listed_units", "listed_units.", "", ())
    reused = {s.key: s for s in template_sheets() if s.key in ("agencies", "annual_reports")}
    order = [k for k in ROUND_SHEET_ORDER if k not in reused]
    if set(builder.columns) != set(order):  # a new list field needs a place and words
        raise LookupError(f"round template sheets {sorted(builder.columns)} differ from {order}")
    models = {"round": RoundRecords, "region": RegionRecord, "cities": CitySubmission}
    models["listed_units"] = ListedUnit
    return tuple(
        reused[key]
        if key in reused
        else Sheet(
            key,
            tuple(_owner_first(builder.columns[key])),
            builder.owners.get(key),
            builder.models.get(key, models.get(key)),
            ROUND_SHEETS.get(key),
        )
        for key in ROUND_SHEET_ORDER
    )


def _owner_first(columns: dict[str, Column]) -> Iterator[Column]:
    """The owner's key first, then the model's order."""
    yield from (c for c in columns.values() if c.role == "owner")
    yield from (c for c in columns.values() if c.role != "owner")
