"""A table's canonical frames: the column checks, then the models' verdict on the rows they flag.

The rows :mod:`greenrules._columnar.checks` flags are validated by the entity models through the
loaders' own code, so the problems carry exactly the codes and locations
:func:`~greenrules.load_entities` gives (``line N`` for CSV and XLSX files, the row index for
frames and Parquet), every cell problem first; a flagged row the models accept is put back into
its programme's frame as they read it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from greenrules._columnar.checks import PYTHON_WHITESPACE, Checked, check_columns
from greenrules._columnar.schema import models_to_frame
from greenrules._columnar.sources import ROW_INDEX, Source, python_cell
from greenrules._io import loaders as ld
from greenrules._model.entities import ENTITY_TYPES, Applicant
from greenrules._model.enums import Programme
from greenrules.exceptions import InputProblem


def _nest_row(
    row: Mapping[str, Any], loc: str | int, problems: list[InputProblem]
) -> dict[str, Any] | None:
    """A raw row as the nested data the models validate, as the loaders build it."""
    if isinstance(loc, str):  # a file row: exactly the loader's reading of its cells
        line = int(loc.split()[1])
        return ld.nest_fields(row, line, problems, programme=row.get("programme"))
    # Native list values go to the models as the JSON text a loader would read; cells as given.
    cells = {
        column: json.dumps(python_cell(cell), default=str) if isinstance(cell, list) else cell
        for column, cell in row.items()
    }
    found: list[InputProblem] = []
    nested = ld.nest_fields(cells, 0, found, programme=row.get("programme"))
    problems += [InputProblem(p.code, (loc, *p.loc[1:]), p.message, p.input) for p in found]
    return nested


def judge_rows(
    source: Source, rows: Sequence[int]
) -> tuple[dict[int, Applicant], list[InputProblem]]:
    """Validate ``rows`` with the entity models: the entities they accept, or every problem.

    As in the loaders, every cell problem of every row comes first, then the models' problems.
    """
    cells: list[InputProblem] = []
    models: list[InputProblem] = []
    accepted: dict[int, Applicant] = {}
    for index in sorted(rows):
        row = source.row(index)
        loc = source.loc(index)
        found: list[InputProblem] = []
        nested = _nest_row(row, loc, found)
        cells += found
        if nested is None:
            continue
        before = len(models)
        nested = ld.resolve_agency(nested, {}, (loc,), models)
        result = ld.entity_problems(nested, (loc,))
        if isinstance(result, Applicant):
            if not found and len(models) == before:
                accepted[index] = result
        else:
            models += result
    return accepted, cells + models


_PROGRAMME = "__programme__"


def canonical_frames(source: Source) -> tuple[dict[Programme, pl.DataFrame], list[InputProblem]]:
    """The canonical frame of each programme in the table (with each row's index in ``__row__``).

    The programme cell is stripped as the models strip it ("factory" ending in U+001C is a
    factory to them), so every row they accept after a check flagged it is patched into its
    own frame.
    """
    frame = source.frame
    clashes = [name for name in (ROW_INDEX, _PROGRAMME) if name in frame.columns]
    if clashes:  # a given column named like ours is an unknown field: renamed apart, flagged
        frame = frame.rename({name: f"\x00{name}" for name in clashes})
    raw = frame.with_row_index(ROW_INDEX)
    known = [p.value for p in Programme]
    given = raw.get_column("programme") if "programme" in raw.columns else None
    single = given.unique() if given is not None and given.dtype == pl.String else None
    suspects: set[int] = set()
    if single is not None and len(single) == 1 and single[0] in known:
        present = {single[0]}  # the usual table of one programme, written exactly: no copy
    else:
        if given is None:
            programme = pl.Series([None] * raw.height, dtype=pl.String)
        else:
            programme = given.cast(pl.String, strict=False).str.strip_chars(PYTHON_WHITESPACE)
        raw = raw.with_columns(programme.alias(_PROGRAMME))
        bad = raw.filter(pl.col(_PROGRAMME).is_in(known).not_().fill_null(True))
        suspects.update(bad.get_column(ROW_INDEX).to_list())
        present = set(programme.unique().to_list())
    checked: dict[Programme, Checked] = {}
    for value in known:
        if value not in present:
            continue
        if _PROGRAMME not in raw.columns:
            part = raw
        elif present == {value}:
            part = raw.drop(_PROGRAMME)
        else:
            part = raw.filter(pl.col(_PROGRAMME) == value).drop(_PROGRAMME)
        if part.height:
            checked[Programme(value)] = found = check_columns(part, ENTITY_TYPES[Programme(value)])
            suspects.update(found.suspects)
    accepted, problems = judge_rows(source, sorted(suspects)) if suspects else ({}, [])
    if problems:
        return {}, problems
    frames = {kind: found.frame for kind, found in checked.items()}
    by_kind: dict[Programme, dict[int, Applicant]] = {}
    for index, entity in accepted.items():
        by_kind.setdefault(entity.programme, {})[index] = entity
    for kind, mine in by_kind.items():
        patch = models_to_frame(list(mine.values()), ENTITY_TYPES[kind]).with_columns(
            pl.Series(ROW_INDEX, list(mine), dtype=raw.schema[ROW_INDEX])
        )
        frame = frames[kind]  # the programme is read as the models read it: its rows are here
        kept = frame.filter(pl.col(ROW_INDEX).is_in(list(mine)).not_())
        frames[kind] = pl.concat([kept, patch.select(frame.columns)]).sort(ROW_INDEX)
    return frames, _duplicate_codes(source, frames)


def _duplicate_codes(
    source: Source, frames: Mapping[Programme, pl.DataFrame]
) -> list[InputProblem]:
    """The loaders' ``duplicate-credit-code`` problems, found over every programme at once."""
    if not frames:
        return []
    codes = pl.concat([f.select(ROW_INDEX, "credit_code") for f in frames.values()])
    if codes.get_column("credit_code").hash().n_unique() == codes.height:
        return []  # distinct hashes are distinct codes: no exact search needed (10x cheaper)
    twice = codes.filter(pl.col("credit_code").is_duplicated()).sort(ROW_INDEX)
    places = [((source.loc(row),), code) for row, code in twice.iter_rows()]
    return ld.duplicates(places, "duplicate-credit-code", "applicant")
