"""The public Hypothesis strategies: factories, parks, supply-chain enterprises, agencies, rounds.

Each strategy takes the same three options, because a maintainer's tests need the same three
things of any entity: ``pin`` fixes some facts (a constant or a strategy per dotted path, items
of lists as ``list.field``), ``missing`` says whether optional facts may be left unknown (None),
and ``aim`` points generation at the thresholds of a pack or rule set, so that values just
below, at and above every constant the rules compare with come up often.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from greenrules._model.entities import (
    ENTITY_TYPES,
    Applicant,
    Factory,
    IndustrialPark,
    SupplyChainEnterprise,
)
from greenrules._model.enums import Programme
from greenrules._model.values import EvaluationAgency

from ._fields import Options, check_pins, model_strategy, schema_paths
from ._targets import AimSource, Targets, targets


def _options(
    models: tuple[type[Any], ...],
    pin: Mapping[str, Any] | None,
    missing: bool,
    aim: AimSource | None,
    agency: st.SearchStrategy[EvaluationAgency] | None = None,
) -> Options:
    if not isinstance(missing, bool):
        raise InvalidArgument(f"Expected bool but got missing={missing!r}")
    aimed = Targets() if aim is None else targets(aim)
    return Options(check_pins(models, pin), missing, aimed, agency)


def factories(
    *, pin: Mapping[str, Any] | None = None, missing: bool = True, aim: AimSource | None = None
) -> st.SearchStrategy[Factory]:
    """Valid green-factory applicants.

    Args:
        pin: facts to fix, by dotted path: ``{"water.key_water_user": True}``. A value may be a
            strategy (``{"energy.value": st.floats(0, 1)}``); a path inside a list pins that
            field of every item and makes the list non-empty.
        missing: whether optional facts may be None (unknown). Unknown is where three-valued
            rules go wrong most often, so it is on by default.
        aim: a pack, rule set or :class:`Targets` (or several) whose thresholds to aim at.
    """
    return model_strategy(Factory, _options((Factory,), pin, missing, aim))


def parks(
    *, pin: Mapping[str, Any] | None = None, missing: bool = True, aim: AimSource | None = None
) -> st.SearchStrategy[IndustrialPark]:
    """Valid green industrial park applicants; options as for :func:`factories`."""
    return model_strategy(IndustrialPark, _options((IndustrialPark,), pin, missing, aim))


def supply_chain_enterprises(
    *, pin: Mapping[str, Any] | None = None, missing: bool = True, aim: AimSource | None = None
) -> st.SearchStrategy[SupplyChainEnterprise]:
    """Valid green supply-chain management enterprise applicants; options as for factories."""
    model = SupplyChainEnterprise
    return model_strategy(model, _options((model,), pin, missing, aim))


def agencies(
    *, pin: Mapping[str, Any] | None = None, missing: bool = True, aim: AimSource | None = None
) -> st.SearchStrategy[EvaluationAgency]:
    """Valid third-party evaluation agencies; pins are relative to the agency (``name``).

    Aimed at a pack, agencies meet the thresholds rules set on ``report.agency.*`` facts, such
    as the deadline for an agency's annual work report.
    """
    options = _options((EvaluationAgency,), pin, missing, aim)
    return model_strategy(EvaluationAgency, options, aim_prefix="report.agency.")


def _models(programmes: Iterable[Programme | str] | None) -> tuple[type[Applicant], ...]:
    if programmes is None:
        return tuple(ENTITY_TYPES.values())
    try:
        chosen = tuple(dict.fromkeys(Programme(p) for p in programmes))
    except (TypeError, ValueError):
        raise InvalidArgument(
            f"Expected programmes among {[p.value for p in Programme]} "
            f"but got programmes={programmes!r}"
        ) from None
    if not chosen:
        raise InvalidArgument("Expected at least one programme but got programmes=[]")
    return tuple(ENTITY_TYPES[p] for p in chosen)


def applicants(
    *,
    programmes: Iterable[Programme | str] | None = None,
    pin: Mapping[str, Any] | None = None,
    missing: bool = True,
    aim: AimSource | None = None,
) -> st.SearchStrategy[Applicant]:
    """Applicants of any of ``programmes`` (default: all three); other options as for factories.

    A pin applies to the programmes whose model has the path; it must name a field of one.
    """
    models = _models(programmes)
    return _applicants(models, _options(models, pin, missing, aim))


def _applicants(models: tuple[type[Applicant], ...], options: Options) -> st.SearchStrategy[Any]:
    strategies = []
    for model in models:
        own = {p: v for p, v in options.pins.items() if _has(model, p)}
        strategies.append(
            model_strategy(model, Options(own, options.missing, options.targets, options.agency))
        )
    return st.one_of(strategies)


def _has(model: type[Applicant], path: str) -> bool:
    return path in schema_paths(model)


def rounds(
    *,
    min_size: int = 1,
    max_size: int = 12,
    programmes: Iterable[Programme | str] | None = None,
    pin: Mapping[str, Any] | None = None,
    missing: bool = True,
    aim: AimSource | None = None,
) -> st.SearchStrategy[list[Applicant]]:
    """Whole rounds: lists of applicants with distinct credit codes sharing a few agencies.

    Real rounds reuse a handful of evaluation agencies, so an agency's standing (a blacklist
    entry, a late annual report) moves several decisions at once; the generated rounds do too.
    """
    if type(min_size) is not int or min_size < 0:
        raise InvalidArgument(f"Expected a non-negative int but got min_size={min_size!r}")
    if type(max_size) is not int or max_size < min_size:
        raise InvalidArgument(f"Expected an int >= min_size but got max_size={max_size!r}")
    models = _models(programmes)
    base = _options(models, pin, missing, aim)
    agency_options = Options({}, missing, base.targets)
    pool = st.lists(
        model_strategy(EvaluationAgency, agency_options, aim_prefix="report.agency."),
        min_size=1,
        max_size=3,
        unique_by=lambda a: a.credit_code,
    )

    def members(shared: list[EvaluationAgency]) -> st.SearchStrategy[list[Applicant]]:
        options = Options(base.pins, base.missing, base.targets, st.sampled_from(shared))
        return st.lists(
            _applicants(models, options),
            min_size=min_size,
            max_size=max_size,
            unique_by=lambda a: a.credit_code,
        )

    return pool.flatmap(members)
