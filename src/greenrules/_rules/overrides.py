"""Parameter overrides for a what-if: a pack's parameters given other values, checked as pack data.

A policy maintainer asks what a different threshold would do. The answer must come from the same
pack with only that number changed, and must say so wherever the decision is traced: the new
values keep the periods of the old ones, name the override as their source, and change the
pack's digest, so a decision's provenance shows that it was not made with the published pack.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import attrs

from greenrules._rules import conditions as c
from greenrules._rules.packs import Pack
from greenrules._rules.reference import DatedValue, Parameter, parse_cell
from greenrules._rules.rules import Period
from greenrules.exceptions import PackError, PackProblem

OVERRIDE_SOURCE = "what-if override of {name}: {value!r} in place of the pack's value"


def override_value(pack: Pack, name: str, value: Any) -> Any:
    """``value`` checked as a value of parameter ``name`` (text read as its kind, as a CSV cell).

    Raises:
        PackError: the pack has no such parameter (``unknown-param``) or the value is not of
            its kind (``param-kind``); the problem names the parameter.
    """
    parameter = pack.params.get(name)
    if parameter is None:
        known = ", ".join(sorted(pack.params)) or "none"
        msg = f"no parameter {name!r} (its parameters: {known})"
        raise PackError([PackProblem("unknown-param", pack.id, msg)])
    if isinstance(value, str) and parameter.kind is not c.literal_kind(value):
        try:
            value = parse_cell(value, parameter.kind, f"parameter {name}")
        except ValueError as exc:
            raise PackError([PackProblem("param-kind", pack.id, str(exc))]) from None
    problem = c.constant_problem(value)
    if problem is None and c.literal_kind(value) is not parameter.kind:
        problem = f"{value!r} is not a {parameter.kind}"
    if problem:
        raise PackError([PackProblem("param-kind", pack.id, f"parameter {name}: {problem}")])
    return value


def with_params(pack: Pack, values: Mapping[str, Any]) -> Pack:
    """A copy of ``pack`` whose parameters in ``values`` take those values in every period.

    Every value is checked first, so a bad one leaves nothing half changed; all problems are
    raised together as one :class:`PackError`.
    """
    if not isinstance(values, Mapping):
        msg = f"parameter overrides are a mapping of name to value, got {type(values).__name__}"
        raise PackError([PackProblem("bad-override", pack.id, msg)])
    checked: dict[str, Any] = {}
    problems: list[PackProblem] = []
    for name, value in values.items():
        try:
            checked[str(name)] = override_value(pack, str(name), value)
        except PackError as exc:
            problems.extend(exc.problems)
    if problems:
        raise PackError(problems)
    params = dict(pack.params)
    digest = pack.digest
    for name, value in checked.items():
        params[name] = _overridden(params[name], value)
        digest = hashlib.sha256(f"{digest}|param|{name}|{value!r}".encode()).hexdigest()
    return attrs.evolve(pack, params=params, digest=digest)


def _overridden(parameter: Parameter, value: Any) -> Parameter:
    source = OVERRIDE_SOURCE.format(name=parameter.name, value=value)
    periods = [dated.period for dated in parameter.values] or [Period()]
    values = tuple(DatedValue(value, period, source, "what-if") for period in periods)
    return attrs.evolve(parameter, values=values)
