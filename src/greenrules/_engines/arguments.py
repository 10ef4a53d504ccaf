"""The arguments every evaluation entry point shares, checked in one place.

``evaluate``, ``evaluate_many``, ``evaluate_table``, ``evaluate_batches`` and ``sql_plan`` take
the same tier, round, jurisdiction and date; checking them here gives one error for one mistake,
whichever door the caller came in by.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

import pydantic

from greenrules._model.entities import Applicant, unvalidated
from greenrules._model.enums import Tier
from greenrules.exceptions import InputProblem, InvalidInputError

EngineName = Literal["native", "rete", "columnar"]
"""The engines ``evaluate`` and ``evaluate_many`` can run."""

ENGINES: tuple[EngineName, ...] = ("native", "rete", "columnar")


AS_OF_RANGE = (dt.date(1000, 1, 1), dt.date(8999, 12, 31))
"""The evaluation dates accepted: far enough inside the calendar that every shift a pack may
ask for (at most a century per unit) stays a real date."""


def check_arguments(tier: Any, round: Any, jurisdiction: Any, as_of: Any) -> Tier:
    """The tier as a :class:`Tier`; every bad argument raised together."""
    problems = []
    try:
        tier = Tier(tier)
    except ValueError:
        problems.append(
            InputProblem(
                "bad-argument", ("tier",), f"expected one of {[t.value for t in Tier]}", tier
            )
        )
    if type(round) is not int:
        problems.append(InputProblem("bad-argument", ("round",), "expected an int year", round))
    if not isinstance(jurisdiction, str):
        msg = "expected a code such as 'CN-NM'"
        problems.append(InputProblem("bad-argument", ("jurisdiction",), msg, jurisdiction))
    if as_of is not None and (type(as_of) is not dt.date):
        problems.append(InputProblem("bad-argument", ("as_of",), "expected a datetime.date", as_of))
    elif as_of is not None and not AS_OF_RANGE[0] <= as_of <= AS_OF_RANGE[1]:
        msg = f"expected a date from {AS_OF_RANGE[0]} to {AS_OF_RANGE[1]}"
        problems.append(InputProblem("bad-argument", ("as_of",), msg, as_of.isoformat()))
    if problems:
        raise InvalidInputError(problems)
    return tier  # type: ignore[no-any-return]


def checked_entities(entities: Iterable[Any]) -> list[Applicant]:
    """The entities as a list of validated applicants; every bad one raised together.

    An entity pydantic validated is taken as it is (a lookup, no validation); one it did not
    (``model_construct``, ``model_copy(update=...)``) is validated here, and its problems name
    its index and field, instead of failing deep in an engine.

    Raises:
        InvalidInputError: ``entity-type`` for an item that is not a factory, park or supply-chain
            enterprise; ``unvalidated-entity`` for each field of an unvalidated one that is wrong.
    """
    batch = list(entities)
    problems = []
    for i, entity in enumerate(batch):
        if not isinstance(entity, Applicant) or type(entity) is Applicant:
            msg = "expected a Factory, IndustrialPark or SupplyChainEnterprise"
            problems.append(InputProblem("entity-type", (i,), msg, type(entity).__name__))
        elif unvalidated(entity):
            try:
                batch[i] = type(entity).model_validate(dict(entity))
            except pydantic.ValidationError as exc:
                problems += [
                    InputProblem(
                        "unvalidated-entity",
                        (i, *err["loc"]),
                        f"{err['msg']} (the entity was built without validation: "
                        "model_construct or model_copy(update=...))",
                        err.get("input"),
                    )
                    for err in exc.errors()
                ]
    if problems:
        raise InvalidInputError(problems)
    return batch
