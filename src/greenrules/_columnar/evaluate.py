"""Tables evaluated by the columnar engine, whole or batch by batch.

A source is read (:mod:`greenrules._columnar.sources`), checked into one canonical frame per
programme (:mod:`greenrules._columnar.canonical`), each programme's polars program runs over it in
chunks that bound the working memory and pace the progress bar, and the rows are gathered in
input order into a :class:`~greenrules._columnar.result.ResultTable`. No polars exception leaves
this module: an unreadable Parquet file is an :class:`~greenrules.exceptions.InvalidInputError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from greenrules._columnar.canonical import canonical_frames
from greenrules._columnar.program import PolarsProgram, add_predicates, program_for, run_row_wise
from greenrules._columnar.result import CHUNK, ResultTable, entity_from_row
from greenrules._columnar.schema import frame_schema, models_to_frame
from greenrules._columnar.sources import ROW_INDEX, Source, read_source, unreadable_parquet
from greenrules._model.entities import ENTITY_TYPES
from greenrules._model.enums import Programme, Tier
from greenrules._rules.registry import Registry, default_registry
from greenrules.exceptions import InvalidInputError


def evaluate_source_batches(
    source: Any,
    *,
    rows: int,
    tier: Tier,
    round_: int,
    jurisdiction: str,
    as_of: dt.date | None,
    registry: Registry | None,
) -> Iterator[ResultTable]:
    """Evaluate a table batch by batch; see :func:`greenrules.evaluate_batches`."""
    args: dict[str, Any] = {
        "tier": tier,
        "round_": round_,
        "jurisdiction": jurisdiction,
        "as_of": as_of,
        "registry": registry,
        "progress": None,
    }
    name = str(source) if isinstance(source, str | Path) else None
    if name is not None and Path(source).suffix.lower() == ".parquet":
        try:
            scan = pl.scan_parquet(Path(source))
            total = scan.select(pl.len()).collect().item()
        except Exception as exc:  # a missing or corrupt file
            raise unreadable_parquet(exc, name) from None
        for start in range(0, max(total, 1), rows):
            try:
                frame = scan.slice(start, rows).collect()
            except Exception as exc:
                raise unreadable_parquet(exc, name) from None
            yield evaluate_frame(Source(frame, name, None, offset=start), source_name=name, **args)
        return
    read = read_source(source)
    if isinstance(read, list) or read.text is not None or read.records is not None:
        yield evaluate_frame(read, source_name=name, **args)  # small or row-read sources
        return
    for start in range(0, max(read.frame.height, 1), rows):
        batch = Source(read.frame.slice(start, rows), read.name, None, offset=start)
        yield evaluate_frame(batch, source_name=name, **args)


def evaluate_frame(
    source: Any,
    *,
    tier: Tier,
    round_: int,
    jurisdiction: str,
    as_of: dt.date | None,
    registry: Registry | None,
    progress: Callable[[int, int], None] | None,
    source_name: str | None,
) -> ResultTable:
    """Read, check and evaluate a table; see :func:`greenrules.evaluate_table`."""
    read = read_source(source)
    registry = registry or default_registry()
    if isinstance(read, list):
        frames = {}
        for programme in Programme:
            members = [e for e in read if e.programme is programme]
            if members:  # a JSON or XLSX file, read row by row by the loader
                model = ENTITY_TYPES[programme]
                frame = models_to_frame(members, model)
                rows = [i for i, e in enumerate(read) if e.programme is programme]
                frames[programme] = frame.with_columns(pl.Series(ROW_INDEX, rows, dtype=pl.UInt32))
        total = len(read)
    else:
        total = read.frame.height
        if progress is not None:
            progress(0, total)  # the bar shows from the start, while the table is checked
        frames, problems = canonical_frames(read)
        if problems:
            raise InvalidInputError(problems, source=read.name or source_name)
    parts: dict[Programme, tuple[PolarsProgram, pl.DataFrame]] = {}
    outputs = []
    done = 0
    row_wise: list[str] = []
    for programme, frame in frames.items():
        ruleset = registry.ruleset(
            jurisdiction=jurisdiction, round=round_, tier=tier, programme=programme, as_of=as_of
        )
        program: PolarsProgram = program_for(ruleset, ENTITY_TYPES[programme])
        frame = add_predicates(program, frame)
        if program.row_wise:
            entities = [
                entity_from_row(r, ENTITY_TYPES[programme]) for r in frame.iter_rows(named=True)
            ]
            frame = run_row_wise(program, frame, entities)
            row_wise += program.row_wise
        chunks = []
        for start in range(0, max(frame.height, 1), CHUNK):
            chunks.append(program.outcomes(frame.slice(start, CHUNK)))
            if progress is not None:
                progress(done + min(start + CHUNK, frame.height), total)
        new = chunks[0] if len(chunks) == 1 else pl.concat(chunks, rechunk=True)
        out = frame.hstack(new.get_columns())  # the table's own columns are not copied
        keep = [ROW_INDEX, *program.result_columns(missing=False), *program.point_columns()]
        facts = [c for c in frame_schema(program.model) if c not in keep]
        parts[programme] = (program, _columns(out, [*keep, *facts]))
        named = pl.repeat(programme.value, out.height, dtype=pl.String, eager=True)
        outputs.append(
            pl.DataFrame(
                [
                    out.get_column(ROW_INDEX),
                    out.get_column("credit_code").alias("entity_id"),
                    out.get_column("name"),
                    named.alias("programme"),
                    *_columns(out, program.result_columns(missing=False)).get_columns(),
                ]
            )
        )
        done += frame.height
    if not outputs:
        result = pl.DataFrame(
            {"entity_id": [], "name": [], "programme": []},
            schema={"entity_id": pl.String, "name": pl.String, "programme": pl.String},
        )
    elif len(outputs) == 1:
        result = outputs[0].drop(ROW_INDEX)
    else:
        result = pl.concat(outputs, how="diagonal_relaxed").sort(ROW_INDEX).drop(ROW_INDEX)
    if progress is not None and done < total:
        progress(total, total)
    return ResultTable(result, parts, tuple(row_wise))


def _columns(frame: pl.DataFrame, names: Sequence[str]) -> pl.DataFrame:
    """Columns of ``frame`` as they are: an eager ``select`` would copy a column in chunks."""
    return pl.DataFrame([frame.get_column(name) for name in names])
