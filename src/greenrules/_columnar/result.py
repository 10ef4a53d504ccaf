"""The decisions of a whole table as one :class:`ResultTable`.

Kept apart from the evaluation that builds it: a result is read long after, row by row (a
decision, an entity), and its ``missing`` column is rendered only on first use. The class is
public, so this module imports polars only inside its methods: ``import greenrules`` must work
without the columnar extra.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from greenrules._decision.decision import Decision
from greenrules._engines.native import native_program
from greenrules._model.entities import ENTITY_TYPES, Applicant
from greenrules._model.enums import Programme, Verdict
from greenrules.exceptions import InputProblem, InvalidInputError

if TYPE_CHECKING:
    import polars as pl

    from greenrules._columnar.program import PolarsProgram

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
        import polars as pl

        from greenrules._columnar.sources import ROW_INDEX

        if not self._parts:
            return self.outcomes
        found = []
        for program, canonical in self._parts.values():
            for start in range(0, max(canonical.height, 1), CHUNK):  # bounded working memory
                part = canonical.slice(start, CHUNK)
                rows = part.get_column(ROW_INDEX)
                found.append(pl.DataFrame([rows, program.missing_column(part)]))
        if len(found) == 1:
            missing = found[0].get_column("missing")
        else:
            missing = pl.concat(found).sort(ROW_INDEX).get_column("missing")
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
        """The entity model, program and canonical row (facts, verdicts, points) of a row."""
        if not isinstance(index, int) or not -len(self) <= index < len(self):
            msg = f"expected a row index below {len(self)}"
            raise InvalidInputError([InputProblem("bad-argument", ("index",), msg, index)])
        from greenrules._columnar.sources import ROW_INDEX

        index %= len(self)
        programme = Programme(self.outcomes.get_column("programme")[index])
        program, canonical = self._parts[programme]
        position = canonical.get_column(ROW_INDEX).search_sorted(index)
        return ENTITY_TYPES[programme], program, canonical.row(int(position), named=True)

    def decision(self, index: int) -> Decision:
        """Row ``index`` as the decision the native engine gives (findings, provenance)."""
        from greenrules._columnar.program import points_column

        model, program, row = self._row(index)
        entity = entity_from_row(row, model)
        ids = program.ruleset.rule_ids
        by_value = {v.value: v for v in Verdict}
        verdicts = [by_value[row[rule_id]] for rule_id in ids]
        points = [float(row.get(points_column(rule_id)) or 0.0) for rule_id in ids]
        return native_program(program.ruleset).decide(entity, verdicts, points, "columnar")

    def entity(self, which: int | Decision) -> Applicant:
        """The validated entity of a row (by index, or the row a decision was made from)."""
        if isinstance(which, Decision):
            entity = getattr(which._source, "entity", None)
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
    from greenrules._columnar.schema import frame_schema
    from greenrules._columnar.sources import python_cell

    data: dict[str, Any] = {}
    for path in frame_schema(model):
        value = row.get(path)
        if value is None:
            continue
        target = data
        *parents, leaf = path.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = python_cell(value)
    return model.model_validate(data)
