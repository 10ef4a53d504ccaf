"""Two results of one population compared row by row: transitions, moved verdicts and ranks.

The outcomes of both sides are compared as columns; only the rows that moved are read one by
one, for the findings (facts read, messages) that say why each moved.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from greenrules._columnar.comparison import ABSENT, Comparison, EntityChange, RuleMove
from greenrules._columnar.result import ResultTable
from greenrules._decision.decision import Decision
from greenrules._decision.ranking import STATUS_ORDER
from greenrules._model.enums import Programme, Status
from greenrules._rules.packs import Pack
from greenrules._rules.ruleset import PackRef

if TYPE_CHECKING:
    import polars as pl


ROW = "__row"


def compare_results(
    before: ResultTable,
    after: ResultTable,
    *,
    context: str,
    stacks: tuple[tuple[Pack, ...], tuple[Pack, ...]],
    day: dt.date,
) -> Comparison:
    """Compare two results of the same population, row by row; ``stacks`` made them."""
    refs = tuple(tuple(PackRef(p.id, p.version, p.digest) for p in stack) for stack in stacks)
    params = _changed_params(*stacks, day)
    if not len(before):  # an empty table has no status column to compare
        return Comparison(0, context, refs[0], refs[1], params, {}, {}, ())
    a, b = _ranked(before.outcomes), _ranked(after.outcomes)
    rules = tuple(dict.fromkeys((*before.rule_ids, *after.rule_ids)))
    a_rules = set(before.rule_ids)
    b_rules = set(after.rule_ids)
    verdicts_a = {r: _verdicts(a, r, r in a_rules) for r in rules}
    verdicts_b = {r: _verdicts(b, r, r in b_rules) for r in rules}
    moved = {r: verdicts_a[r].ne_missing(verdicts_b[r]) for r in rules}
    transitions = {
        (Status(x), Status(y)): n
        for (x, y), n in _counts(a.get_column("status"), b.get_column("status")).items()
    }
    rule_moves: dict[tuple[str, str, str], int] = {}
    for rule in rules:
        mask = moved[rule]
        if mask.any():
            pairs = _counts(verdicts_a[rule].filter(mask), verdicts_b[rule].filter(mask))
            for (x, y), n in pairs.items():
                rule_moves[(rule, _verdict(x), _verdict(y))] = n
    changed = (
        a.get_column("status").ne_missing(b.get_column("status"))
        | a.get_column("__rank").ne_missing(b.get_column("__rank"))
        | a.get_column("__score").ne_missing(b.get_column("__score"))
    )
    for mask in moved.values():
        changed = changed | mask.fill_null(False)
    rows = [i for i, flag in enumerate(changed.fill_null(False).to_list()) if flag]
    changes = tuple(
        _change(i, a, b, [r for r in rules if moved[r][i]], before, after) for i in rows
    )
    return Comparison(
        size=len(before),
        context=context,
        base=refs[0],
        other=refs[1],
        params=params,
        transitions={
            k: transitions[k]
            for k in sorted(transitions, key=lambda k: (STATUS_ORDER[k[0]], STATUS_ORDER[k[1]]))
        },
        rule_moves=dict(sorted(rule_moves.items())),
        changes=changes,
    )


def _changed_params(
    base: tuple[Pack, ...], other: tuple[Pack, ...], day: dt.date
) -> tuple[tuple[str, str, Any, Any], ...]:
    """Parameters whose value in force on ``day`` differs between two stacks, by pack id."""
    before = {(p.id, name): param.at(day) for p in base for name, param in p.params.items()}
    after = {(p.id, name): param.at(day) for p in other for name, param in p.params.items()}
    return tuple(
        (pack, name, before.get((pack, name)), after.get((pack, name)))
        for pack, name in sorted({*before, *after})
        if before.get((pack, name)) != after.get((pack, name))
    )


def _verdicts(frame: pl.DataFrame, rule: str, present: bool) -> pl.Series:
    """A rule's verdicts, ``absent`` on the rows of its programme when this side lacks the rule."""
    import polars as pl

    if present:
        return frame.get_column(rule)
    return pl.Series(rule, [None] * frame.height, dtype=pl.String)


def _verdict(value: str | None) -> str:
    return ABSENT if value is None else value


def _counts(x: pl.Series, y: pl.Series) -> dict[Any, int]:
    import polars as pl

    counted = pl.DataFrame({"x": x, "y": y}).group_by("x", "y").len()
    return {(first, second): n for first, second, n in counted.iter_rows()}


def _ranked(outcomes: pl.DataFrame) -> pl.DataFrame:
    """The outcomes with each row's priority score and its rank within its programme."""
    import polars as pl

    levels = sorted(
        (c for c in outcomes.columns if c.startswith("priority.")),
        key=lambda c: int(c.split(".", 1)[1]),
    )
    order = {str(s): n for s, n in STATUS_ORDER.items()}
    scores = [pl.col(c).fill_null(0.0).cast(pl.Float64) for c in levels]
    own = (  # a level of another programme is null: the score holds the row's own levels only
        pl.concat_list([pl.col(c).cast(pl.Float64) for c in levels]).list.drop_nulls()
        if levels
        else pl.lit([], dtype=pl.List(pl.Float64))
    )
    frame = outcomes.with_row_index(ROW).with_columns(
        pl.col("status").replace_strict(order, return_dtype=pl.Int8).alias("__order"),
        own.alias("__score"),
    )
    keys = ["programme", "__order", *levels, ROW]
    descending = [False, False, *([True] * len(levels)), False]
    ranked = frame.with_columns([s.alias(c) for s, c in zip(scores, levels, strict=True)]).sort(
        keys, descending=descending
    )
    ranked = ranked.with_columns((pl.int_range(pl.len()).over("programme") + 1).alias("__rank"))
    return ranked.sort(ROW)


def _change(
    i: int,
    a: pl.DataFrame,
    b: pl.DataFrame,
    rules: list[str],
    before: ResultTable,
    after: ResultTable,
) -> EntityChange:
    row_a, row_b = a.row(i, named=True), b.row(i, named=True)
    moves: tuple[RuleMove, ...] = ()
    if rules:
        moves = _moves(rules, before.decision(i), after.decision(i))
    return EntityChange(
        row=i,
        entity_id=str(row_a["entity_id"]),
        name=str(row_a["name"] or ""),
        programme=Programme(row_a["programme"]),
        status_before=Status(row_a["status"]),
        status_after=Status(row_b["status"]),
        priority_before=tuple(row_a["__score"]),
        priority_after=tuple(row_b["__score"]),
        rank_before=int(row_a["__rank"]),
        rank_after=int(row_b["__rank"]),
        moves=moves,
    )


def _moves(rules: list[str], before: Decision, after: Decision) -> tuple[RuleMove, ...]:
    found_a = {f.rule: f for f in before.findings}
    found_b = {f.rule: f for f in after.findings}
    out = []
    for rule in rules:
        a, b = found_a.get(rule), found_b.get(rule)
        shown = b or a
        if shown is None:
            continue
        read = dict(a.read if a else ())
        read.update(b.read if b else ())
        out.append(
            RuleMove(
                rule=rule,
                clause=shown.clause,
                before=str(a.verdict) if a else ABSENT,
                after=str(b.verdict) if b else ABSENT,
                read=tuple(read.items()),
                message_zh=shown.message_zh,
                message_en=shown.message_en,
            )
        )
    return tuple(out)
