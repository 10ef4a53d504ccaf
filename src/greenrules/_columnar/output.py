"""A table's decisions written out: ranked, as Parquet, CSV or JSON rows, all or nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import polars as pl

from greenrules._columnar.result import ResultTable
from greenrules._decision.ranking import PROGRAMME_ORDER, STATUS_ORDER
from greenrules._io.cells import FORMULA_STARTS
from greenrules._io.output import write_whole

_STATUS_RANK = {status.value: order for status, order in STATUS_ORDER.items()}
_PROGRAMME_RANK = {programme.value: order for order, programme in enumerate(PROGRAMME_ORDER)}
_FORMULA_START = "^[" + "".join(re.escape(c) for c in FORMULA_STARTS) + "]"


def ranked(frame: pl.DataFrame) -> pl.DataFrame:
    """One list per programme, in ``rank``'s order and numbering, each by status then priority.

    Programmes come in :data:`~greenrules._decision.ranking.PROGRAMME_ORDER`; inside one, rows
    go by status, then priority level by level (ties keep their order), and ``rank`` numbers
    them from 1, as :func:`greenrules.rank` does.
    """
    if frame.height == 0:
        return frame.with_columns(rank=pl.lit(None, dtype=pl.UInt32))
    programme = pl.col("programme").cast(pl.String)
    by_programme = programme.replace_strict(_PROGRAMME_RANK, return_dtype=pl.Int8)
    order = pl.col("status").cast(pl.String).replace_strict(_STATUS_RANK, return_dtype=pl.Int8)
    levels = [pl.col(c) for c in frame.columns if c.startswith("priority.")]
    frame = frame.sort(
        [by_programme, order, *levels],
        descending=[False, False] + [True] * len(levels),
        maintain_order=True,
    )
    rank = (pl.int_range(pl.len(), dtype=pl.UInt32) + 1).over(programme).alias("rank")
    columns = frame.columns
    at = columns.index("programme") + 1
    return frame.with_columns(rank).select([*columns[:at], "rank", *columns[at:]])


def output_frame(result: ResultTable, fmt: str) -> pl.DataFrame:
    """The ranked result as written in ``fmt``: CSV cells are text, lists joined by ``; ``.

    A CSV text cell that a spreadsheet would run as a formula (it starts with one of
    :data:`~greenrules._io.cells.FORMULA_STARTS`) gets a leading ``'``: OWASP's guidance.
    """
    frame = ranked(result.frame)
    if fmt == "csv":
        frame = frame.with_columns(
            pl.col(pl.Enum).cast(pl.String),
            pl.col("missing").cast(pl.List(pl.String)).list.join("; "),
        )
        text = pl.col(pl.String)
        frame = frame.with_columns(
            pl.when(text.str.contains(_FORMULA_START))
            .then(pl.lit("'") + text)
            .otherwise(text)
            .name.keep()
        )
    return frame


def write_result(result: ResultTable, out: Path, fmt: str) -> None:
    """Write the ranked result table as Parquet, CSV or JSON rows, all or nothing."""
    frame = output_frame(result, fmt)
    writers: dict[str, Callable[[Path], object]] = {
        "parquet": frame.write_parquet,
        "csv": frame.write_csv,
        "json": frame.write_json,
    }
    write_whole(out, writers[fmt], argument="out")
