"""The evaluation API: check the arguments, pick the rules and the engine, build decisions.

It sits above every engine (native, rete, columnar) because it chooses among them; the engines
themselves never import it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from greenrules._bulk import collector_paused
from greenrules._decision.decision import Decision
from greenrules._engines.arguments import ENGINES, EngineName, check_arguments, checked_entities
from greenrules._engines.engine import Engine
from greenrules._engines.native import NativeEngine, native_program
from greenrules._io.loaders import entity_problems
from greenrules._model.entities import Applicant
from greenrules._model.enums import Tier
from greenrules._rules.registry import Registry, default_registry
from greenrules.exceptions import EngineUnavailableError, InputProblem, InvalidInputError

PROGRESS_CHUNK = 10_000  # entities between two progress reports


def select_engine(name: str) -> Engine:
    if name == "native":
        return NativeEngine()
    if name == "rete":
        from greenrules._engines.rete import rete_engine

        return rete_engine()
    if name == "columnar":
        from greenrules._columnar.api import columnar_engine

        return columnar_engine()
    raise InvalidInputError(
        [InputProblem("bad-argument", ("engine",), f"expected one of {list(ENGINES)}", name)]
    )


def evaluate(
    entity: Applicant,
    *,
    tier: Tier | str,
    round: int,
    jurisdiction: str,
    as_of: dt.date | None = None,
    registry: Registry | None = None,
    engine: EngineName = "native",
) -> Decision:
    """Evaluate one entity against the packs of a jurisdiction, tier and round.

    The system clock is never read: ``as_of`` defaults to the evaluation date the pack declares
    for the round, so the same input gives the same decision on any day.
    """
    (decision,) = evaluate_many(
        [entity],
        tier=tier,
        round=round,
        jurisdiction=jurisdiction,
        as_of=as_of,
        registry=registry,
        engine=engine,
    )
    return decision


def applicants(entities: Iterable[Applicant | Mapping[str, Any]]) -> list[Applicant]:
    """The batch as models, records validated on the way.

    A record is a mapping with a ``programme`` key, as in a JSON file; it is validated here,
    inside the caller's collector pause. Every problem is raised together, located by the
    record's index and field.
    """
    batch: list[Any] = list(entities)
    problems: list[InputProblem] = []
    for i, item in enumerate(batch):
        if isinstance(item, Mapping):
            parsed = entity_problems(item, (i,))
            if isinstance(parsed, Applicant):
                batch[i] = parsed
            else:
                problems += parsed
        elif not isinstance(item, Applicant) or type(item) is Applicant:
            problems.append(
                InputProblem(
                    "entity-type",
                    (i,),
                    "expected a Factory, IndustrialPark or SupplyChainEnterprise, or a record "
                    "with a programme",
                    type(item).__name__,
                )
            )
    if problems:
        raise InvalidInputError(problems)
    return batch


@collector_paused()
def evaluate_many(
    entities: Iterable[Applicant | Mapping[str, Any]],
    *,
    tier: Tier | str,
    round: int,
    jurisdiction: str,
    as_of: dt.date | None = None,
    registry: Registry | None = None,
    engine: EngineName = "native",
    progress: Callable[[int], None] | None = None,
) -> list[Decision]:
    """Evaluate a batch; decisions come back in input order. Entities may mix programmes.

    An entity is a model or a record as a JSON file holds it (a mapping with a ``programme``
    key, the agency inline); records are validated in the same pass, and a bad one raises
    :class:`InvalidInputError` naming every record and field at fault before any is decided.
    ``progress``, if given, is called with the number of entities finished so far.
    """
    tier_ = check_arguments(tier, round, jurisdiction, as_of)
    batch = checked_entities(applicants(entities))  # records become models, then checked
    registry = registry or default_registry()
    runner = select_engine(engine)
    decisions: list[Decision | None] = [None] * len(batch)
    groups: dict[Any, list[int]] = {}
    for index, entity in enumerate(batch):
        groups.setdefault(entity.programme, []).append(index)
    done = 0
    for programme, all_indexes in groups.items():
        ruleset = registry.ruleset(
            jurisdiction=jurisdiction, round=round, tier=tier_, programme=programme, as_of=as_of
        )
        program = native_program(ruleset)
        for start in range(0, len(all_indexes), PROGRESS_CHUNK):
            indexes = all_indexes[start : start + PROGRESS_CHUNK]
            members = [batch[i] for i in indexes]
            if isinstance(runner, NativeEngine):
                for index, entity in zip(indexes, members, strict=True):
                    decisions[index] = program.evaluate(entity)
            else:
                runs = runner.run(ruleset, members)
                for index, entity, (verdicts, points) in zip(indexes, members, runs, strict=True):
                    decisions[index] = program.decide(entity, verdicts, points, runner.name)
            done += len(indexes)
            if progress is not None:
                progress(done)
    if not all(isinstance(d, Decision) for d in decisions):
        raise EngineUnavailableError(f"engine {runner.name} returned too few results")
    return decisions  # type: ignore[return-value]
