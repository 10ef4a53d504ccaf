"""Improving one fact of an applicant in its declared good direction, for the monotonicity check.

A rule declares which way each fact it reads is better (``monotone: {energy.value:
lower_is_better}``). To test the declaration, the check takes an applicant, moves that fact a
step in the good direction (across the rule's thresholds where it can), and compares decisions.
Inside a list the step applies to one item, the finest change there is; an unknown fact has no
direction to move in and is left alone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import pydantic
from hypothesis import strategies as st
from pydantic import BaseModel

from greenrules._rules.rules import Direction


class CannotImprove(Exception):
    """The fact is unknown, already at its best, or the better value would be invalid."""


def better(direction: Direction, old: Any, new: Any) -> bool:
    """Whether ``new`` is strictly better than ``old`` in ``direction``."""
    if direction is Direction.TRUE:
        return old is False and new is True
    if direction is Direction.FALSE:
        return old is True and new is False
    if direction is Direction.LOWER:
        return bool(new < old)
    return bool(new > old)


def candidates(direction: Direction, old: Any, aimed: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    """Better values than ``old``: the rule's own thresholds first, then random steps."""
    if isinstance(old, bool):
        if direction not in (Direction.TRUE, Direction.FALSE):
            raise CannotImprove("an ordered direction on a boolean fact")
        new = direction is Direction.TRUE
        if old == new:
            raise CannotImprove("already at its best")
        return st.just(new)
    if direction in (Direction.TRUE, Direction.FALSE):
        raise CannotImprove("a boolean direction on an ordered fact")
    sign = -1 if direction is Direction.LOWER else 1
    steps: list[Any] = [v for v in aimed if type(v) is type(old) and better(direction, old, v)]
    moved: st.SearchStrategy[Any]
    if isinstance(old, float):
        steps.append(math.nextafter(old, sign * math.inf))
        moved = st.floats(0.0, max(abs(old), 1.0)).map(lambda d: old + sign * d)
    elif isinstance(old, int):
        steps.append(old + sign)
        moved = st.integers(1, 100).map(lambda d: old + sign * d)
    elif isinstance(old, dt.date):
        steps.append(old + sign * dt.timedelta(days=1))
        moved = st.integers(1, 800).map(lambda d: old + sign * dt.timedelta(days=d))
    else:
        raise CannotImprove(f"no order on {type(old).__name__} values")
    return st.one_of(st.sampled_from(steps), moved).filter(lambda v: better(direction, old, v))


def improve(
    entity: BaseModel, path: str, change: Callable[[Any], Any], choose: Callable[[int], int]
) -> BaseModel:
    """A copy of ``entity`` with ``change`` applied to the fact at ``path``, re-validated.

    ``choose(n)`` picks which of ``n`` list items the step goes to. Raises
    :class:`CannotImprove` when the fact is unknown or the new value breaks the model.
    """
    updated = _update(entity, path.split("."), change, choose)
    try:
        return type(entity).model_validate(updated.model_dump())
    except pydantic.ValidationError as exc:
        raise CannotImprove(f"the better value is not valid: {exc.errors()[0]['msg']}") from None


def _update(
    obj: Any, parts: list[str], change: Callable[[Any], Any], choose: Callable[[int], int]
) -> Any:
    if isinstance(obj, tuple):
        if not obj:
            raise CannotImprove("an empty list has no item to improve")
        i = choose(len(obj))
        return (*obj[:i], _update(obj[i], parts, change, choose), *obj[i + 1 :])
    if not parts:
        if obj is None:
            raise CannotImprove("an unknown fact has no direction to move in")
        return change(obj)
    if obj is None:
        raise CannotImprove("the record holding the fact is unknown")
    child = getattr(obj, parts[0])
    return obj.model_copy(update={parts[0]: _update(child, parts[1:], change, choose)})


def read(entity: BaseModel, path: str, choose: Callable[[int], int]) -> Any:
    """The fact at ``path``, taking list items as ``choose`` picks them (None if unknown)."""
    obj: Any = entity
    for part in path.split("."):
        if isinstance(obj, tuple):
            if not obj:
                return None
            obj = obj[choose(len(obj))]
        if obj is None:
            return None
        obj = getattr(obj, part)
    if isinstance(obj, tuple):
        return obj[choose(len(obj))] if obj else None
    return obj
