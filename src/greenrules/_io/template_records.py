"""Template rows as records: a row's typed values, nested by their dotted paths.

A list sheet's rows belong to an owner by credit code; a row's values become the nested record
the models validate, with each value's cell kept by its location so a model's error points at
the cell that caused it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from greenrules._io.template_cells import Place
from greenrules._io.template_layout import Sheet


@attrs.frozen
class Row:
    """One data row of a sheet: its place and the typed values of its columns."""

    place: Place
    values: dict[str, Any]
    places: dict[str, Place]


def by_owner(rows: Iterable[Row], sheet: Sheet) -> dict[Any, list[Row]]:
    """A list sheet's rows grouped by the key (a credit code) of the record they belong to."""
    path = sheet.owner_path
    out: dict[Any, list[Row]] = {}
    for row in rows:
        if path is not None and path in row.values:
            out.setdefault(row.values[path], []).append(row)
    return out


def list_slot(record: dict[str, Any], key: str) -> tuple[dict[str, Any], str]:
    """Where list ``key`` goes in ``record``, made if need be.

    A list inside a record (``standing.incidents``) goes into that record.
    """
    *holders, leaf = key.split(".")
    for part in holders:
        record = record.setdefault(part, {})
    return record, leaf


def merge_records(record: dict[str, Any], more: Mapping[str, Any]) -> None:
    """Put ``more`` into ``record``, merging the records both have (a member's ``standing``)."""
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(record.get(key), dict):
            merge_records(record[key], value)
        else:
            record[key] = value


def nest_row(row: Row, prefix: str) -> tuple[dict[str, Any], dict[tuple[str | int, ...], Place]]:
    """A row's field values as a nested record, and each field's place by its location."""
    record: dict[str, Any] = {}
    places: dict[tuple[str | int, ...], Place] = {}
    for path, place in row.places.items():
        if path.startswith(prefix) and not path.endswith(".none"):
            places[tuple(path.removeprefix(prefix).split("."))] = place
    for path, value in row.values.items():
        if not path.startswith(prefix) or path.endswith(".none"):
            continue
        target, leaf = list_slot(record, path.removeprefix(prefix))
        target[leaf] = value
    return record, places


def longest_place(
    places: Mapping[tuple[str | int, ...], Place], loc: tuple[str | int, ...], row: Place
) -> Place:
    """The cell of the longest prefix of a model error's location, else the row."""
    for end in range(len(loc), 0, -1):
        place = places.get(loc[:end])
        if place is not None:
            return place
    return row
