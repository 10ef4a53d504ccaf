"""The decisions of a whole table as one :class:`ResultTable`, and how the CLI writes it.

Kept apart from the evaluation that builds it: a result is read long after, row by row (a
decision, an entity), and its ``missing`` column is rendered only on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from greenrules._columnar.program import (
    PolarsProgram,
    frame_schema,
    points_column,
)
from greenrules._columnar.sources import _ROW, _python_cell
from greenrules._decision.decision import Decision
from greenrules._decision.ranking import _STATUS_ORDER
from greenrules._evaluate import compiled
from greenrules._io.output import write_whole
from greenrules._model.entities import ENTITY_TYPES, Applicant
from greenrules._model.enums import Programme, Verdict
from greenrules.exceptions import InputProblem, InvalidInputError

CHUNK = 1 << 18
"""Rows evaluated per step: bounds the working memory and paces the progress bar."""


class ResultTable:
    """The decisions of a whole table: one row per entity, in input order.

    ``frame`` holds ``entity_id``, ``name``, ``programme``, ``status``, ``review_required``,
    ``priority.<order>`` per priority level, one verdict column per rule (named by rule id,
    null where the rule is not of the row's programme) and ``missing``. Any row becomes the
    :class:`~greenrules.Decision` the native engine gives with :meth:`decision`; nothing is
    built for rows nobody looks at. Status, priority and verdicts are computed by
    :func:`~greenrules.evaluate_table`; the ``missing`` lists are rendered on the first use of
    :attr:`frame` (about as long again on large tables), :attr:`outcomes` leaves them out.
    """

    def __init__(
        self,
        frame: pl.DataFrame,
        parts: Mapping[Programme, tuple[PolarsProgram, pl.DataFrame]],
        row_wise: tuple[str, ...],
    ) -> None:
        self.outcomes = frame
        """The result without the ``missing`` column: status, priority and verdicts."""
        self._frame: pl.DataFrame | None = None
        self._parts = parts
        self.row_wise = row_wise
        """Rules that ran row by row with the native engine (a predicate without a twin)."""

    @property
    def frame(self) -> pl.DataFrame:
        """The whole result, with each row's sorted ``missing`` facts (rendered once, here)."""
        if self._frame is None:
            self._frame = self._with_missing()
        return self._frame

    def _with_missing(self) -> pl.DataFrame:
        if not self._parts:
            return self.outcomes
        found = []
        for program, canonical in self._parts.values():
            for start in range(0, max(canonical.height, 1), CHUNK):  # bounded working memory
                part = canonical.slice(start, CHUNK)
                rows = part.get_column(_ROW)
                found.append(pl.DataFrame([rows, program.missing_column(part)]))
        if len(found) == 1:
            missing = found[0].get_column("missing")
        else:
            missing = pl.concat(found).sort(_ROW).get_column("missing")
        return self.outcomes.with_columns(missing)

    def __len__(self) -> int:
        return self.outcomes.height

    def __repr__(self) -> str:
        return f"<ResultTable {len(self)} rows, {len(self.rule_ids)} rules>"

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every rule with a verdict column, in column order."""
        seen: dict[str, None] = {}
        for program, _ in self._parts.values():
            for rule_id in program.ruleset.rule_ids:
                seen.setdefault(rule_id, None)
        return tuple(seen)

    def _row(self, index: int) -> tuple[type[Applicant], PolarsProgram, dict[str, Any]]:
        """The entity model, program and canonical row (facts, verdicts, contributions) of row
        ``index``."""
        if not isinstance(index, int) or not -len(self) <= index < len(self):
            msg = f"expected a row index below {len(self)}"
            raise InvalidInputError([InputProblem("bad-argument", ("index",), msg, index)])
        index %= len(self)
        programme = Programme(self.outcomes.get_column("programme")[index])
        program, canonical = self._parts[programme]
        position = canonical.get_column(_ROW).search_sorted(index)
        return ENTITY_TYPES[programme], program, canonical.row(int(position), named=True)

    def decision(self, index: int) -> Decision:
        """Row ``index`` as the decision the native engine gives (findings, provenance)."""
        model, program, row = self._row(index)
        entity = entity_from_row(row, model)
        ids = program.ruleset.rule_ids
        by_value = {v.value: v for v in Verdict}
        verdicts = [by_value[row[rule_id]] for rule_id in ids]
        points = [float(row.get(points_column(rule_id)) or 0.0) for rule_id in ids]
        return compiled(program.ruleset).decide(entity, verdicts, points, "columnar")

    def entity(self, which: int | Decision) -> Applicant:
        """The validated entity of a row (by index, or the row a decision was made from)."""
        if isinstance(which, Decision):
            entity = getattr(which._basis, "entity", None)
            if isinstance(entity, Applicant):
                return entity
            raise InvalidInputError(
                [InputProblem("bad-argument", ("which",), "a decision of this table", which)]
            )
        model, _, row = self._row(which)
        return entity_from_row(row, model)

    def decisions(self) -> list[Decision]:
        """Every row's decision (builds them all: prefer :meth:`decision` on large tables)."""
        return [self.decision(i) for i in range(len(self))]

    def to_polars(self) -> pl.DataFrame:
        """The result as a polars DataFrame."""
        return self.frame

    def to_arrow(self) -> Any:
        """The result as a pyarrow Table."""
        return self.frame.to_arrow()


def entity_from_row(row: Mapping[str, Any], model: type[Applicant]) -> Applicant:
    """Rebuild the validated entity of one canonical row."""
    data: dict[str, Any] = {}
    for path in frame_schema(model):
        value = row.get(path)
        if value is None:
            continue
        target = data
        *parents, leaf = path.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = _python_cell(value)
    return model.model_validate(data)


# --- output --------------------------------------------------------------------------------------


_STATUS_RANK = {status.value: order for status, order in _STATUS_ORDER.items()}


def ranked(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in recommendation order: status, then priority level by level; ties keep order."""
    order = pl.col("status").cast(pl.String).replace_strict(_STATUS_RANK, return_dtype=pl.Int8)
    levels = [pl.col(c) for c in frame.columns if c.startswith("priority.")]
    if frame.height == 0:
        return frame
    return frame.sort(
        [order, *levels], descending=[False] + [True] * len(levels), maintain_order=True
    )


def write_result(result: ResultTable, out: Path | None, fmt: str) -> None:
    """Write the ranked result table as Parquet, CSV or JSON rows, all or nothing."""
    import sys

    if fmt == "parquet" and out is None:
        msg = "--format parquet writes a file: give its path with --out FILE.parquet"
        raise InvalidInputError([InputProblem("bad-argument", ("out",), msg)])
    frame = ranked(result.frame)
    if fmt == "csv":
        frame = frame.with_columns(
            pl.col(pl.Enum).cast(pl.String),
            pl.col("missing").cast(pl.List(pl.String)).list.join("; "),
        )
    if out is None:
        text = frame.write_csv() if fmt == "csv" else frame.write_json()
        sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))
        return
    writers: dict[str, Callable[[Path], object]] = {
        "parquet": frame.write_parquet,
        "csv": frame.write_csv,
        "json": frame.write_json,
    }
    write_whole(out, writers[fmt], argument="out")
