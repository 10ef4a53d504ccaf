"""Ordering candidates: status first, then priority, ties kept in input order."""

from __future__ import annotations

from collections.abc import Iterable

from greenrules._decision.decision import Decision, check_decisions
from greenrules._model.enums import Status

STATUS_ORDER = {
    Status.RECOMMEND: 0,
    Status.UNDETERMINED: 1,
    Status.CULTIVATE: 2,
    Status.INELIGIBLE: 3,
}


def rank_key(decision: Decision) -> tuple[int, tuple[float, ...]]:
    """The sort key :func:`rank` uses: status order, then priority score, highest first."""
    return STATUS_ORDER[decision.status], tuple(-s for s in decision.priority.score)


def rank(decisions: Iterable[Decision]) -> list[Decision]:
    """Order decisions for a recommendation list.

    Recommended units come first, then undetermined, cultivation objects and ineligible ones;
    within a status, higher priority first, level by level (``Decision.priority.score``). The
    sort is stable: equal keys keep their input order, so a tie never depends on chance.

    Raises:
        InvalidInputError: an item is not a decision (``bad-argument``).
    """
    return sorted(check_decisions(decisions, "decisions"), key=rank_key)
