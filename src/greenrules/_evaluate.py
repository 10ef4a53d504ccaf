"""The evaluation API: check the arguments, pick the rules and the engine, build decisions."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from greenrules._decision.decision import Decision, LiveBasis, jsonable
from greenrules._decision.explain import verdict_message
from greenrules._engines.codegen import generate, generate_missing
from greenrules._engines.interpreter import NativeProgram, path_getter, values_at
from greenrules._model.entities import ENTITY_TYPES, Applicant
from greenrules._model.enums import Tier, Verdict
from greenrules._model.facts import Kind, fact_schema
from greenrules._rules.registry import Registry, default_registry
from greenrules._rules.rules import Rule
from greenrules._rules.ruleset import RuleSet
from greenrules._rules.status import StatusPlan
from greenrules.exceptions import EngineUnavailableError, InputProblem, InvalidInputError

ENGINES = ("native", "rete", "columnar")
PROGRESS_CHUNK = 10_000  # entities between two progress reports

RuleRun = tuple[Sequence[Verdict], Sequence[float]]


class Engine(Protocol):
    """What an evaluation engine provides: every rule's verdict and contribution per entity."""

    name: str

    def run(self, ruleset: RuleSet, entities: Sequence[Applicant]) -> list[RuleRun]:
        """Verdicts and priority contributions, one pair per entity, in input order."""
        ...


class NativeEngine:
    """The default engine: generated straight-line Python, one record at a time."""

    name = "native"

    def run(self, ruleset: RuleSet, entities: Sequence[Applicant]) -> list[RuleRun]:
        fast = compiled(ruleset).fast
        return [fast(entity)[:2] for entity in entities]


class Compiled:
    """Everything precomputed for one rule set: programs, status plan, missing-fact checks."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.fast = generate(ruleset)
        self.plan = StatusPlan.of(ruleset)
        model = ENTITY_TYPES[ruleset.programme]
        self.missing_fns = generate_missing(ruleset, model)
        self.finding_parts = [
            (
                rule,
                fact_reader(rule, model),
                {v: verdict_message(rule.summary.zh, rule.summary.en, v) for v in Verdict},
            )
            for rule in ruleset.rules
        ]
        """Per rule: the rule, its fact reader and its message for each verdict."""

    @functools.cached_property
    def program(self) -> NativeProgram:
        """The closure-compiled reference program, built only for callers that ask for it."""
        return NativeProgram(self.ruleset)

    def evaluate(self, entity: Applicant) -> Decision:
        """The native engine's whole decision for one entity, in one generated pass."""
        verdicts, points, status, review, score, unknown = self.fast(entity)
        missing = self._missing(entity, unknown) if unknown else ()
        basis = LiveBasis(self, entity, points, score, "native")
        return Decision(
            status=status, review_required=review, verdicts=verdicts, missing=missing, basis=basis
        )

    def decide(
        self, entity: Applicant, verdicts: Sequence[Verdict], points: Sequence[float], engine: str
    ) -> Decision:
        """Combine verdicts another engine produced into a decision, with the shared semantics."""
        waived = {w.rule for w in entity.waivers} if entity.waivers else ()
        status, review = self.plan.status(verdicts, waived)
        unknown = [i for i, v in enumerate(verdicts) if v is Verdict.UNKNOWN]
        missing = self._missing(entity, unknown) if unknown else ()
        points = tuple(points)
        basis = LiveBasis(self, entity, points, self.plan.priority(points), engine)
        return Decision(
            status=status,
            review_required=review,
            verdicts=tuple(verdicts),
            missing=missing,
            basis=basis,
        )

    def _missing(self, entity: Applicant, unknown: Sequence[int]) -> tuple[str, ...]:
        found: set[str] = set()
        for i in unknown:
            found |= self.missing_fns[i](entity)
        return tuple(sorted(found))


def compiled(ruleset: RuleSet) -> Compiled:
    """The native compiled form of a rule set, made once and kept on the rule set."""
    found = ruleset.compiled.get("native")
    if found is None:
        found = ruleset.compiled["native"] = Compiled(ruleset)
    return found


_PLAIN = (bool, int, float, str)


def _listed_values(entity: Any, parts: list[str]) -> list[Any]:
    return list(values_at(entity, parts))


def fact_reader(rule: Rule, model: type) -> Callable[[Any], tuple[tuple[str, Any], ...]]:
    """A function giving the facts ``rule`` reads from an entity, as JSON values.

    A fact inside a list reads as the list of its values, one per item.
    """
    schema = fact_schema(model)
    getters: list[tuple[str, Callable[[Any], Any]]] = []
    for path in rule.reads():
        parts = path.split(".")
        through_list = any(
            (spec := schema.get(".".join(parts[:i]))) is not None and spec.kind is Kind.LIST
            for i in range(1, len(parts))
        )
        if through_list:
            getters.append((path, functools.partial(_listed_values, parts=parts)))
        else:
            getters.append((path, path_getter(path)))

    def read(entity: Any) -> tuple[tuple[str, Any], ...]:
        out = []
        for path, get in getters:
            value = get(entity)
            out.append((path, value if value is None or type(value) in _PLAIN else jsonable(value)))
        return tuple(out)

    return read


def _engine(name: str) -> Engine:
    if name == "native":
        return NativeEngine()
    if name == "rete":
        from greenrules._engines.rete import load_engine as load_rete

        return load_rete()
    if name == "columnar":
        from greenrules._columnar.api import load_engine as load_columnar

        return load_columnar()
    raise InvalidInputError(
        [InputProblem("bad-argument", ("engine",), f"expected one of {list(ENGINES)}", name)]
    )


def _check_arguments(tier: Any, round: Any, jurisdiction: Any, as_of: Any) -> Tier:
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
    if problems:
        raise InvalidInputError(problems)
    return tier  # type: ignore[no-any-return]


def evaluate(
    entity: Applicant,
    *,
    tier: Tier | str,
    round: int,
    jurisdiction: str,
    as_of: dt.date | None = None,
    registry: Registry | None = None,
    engine: str = "native",
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


def evaluate_many(
    entities: Iterable[Applicant],
    *,
    tier: Tier | str,
    round: int,
    jurisdiction: str,
    as_of: dt.date | None = None,
    registry: Registry | None = None,
    engine: str = "native",
    progress: Callable[[int], None] | None = None,
) -> list[Decision]:
    """Evaluate a batch; decisions come back in input order. Entities may mix programmes.

    ``progress``, if given, is called with the number of entities finished so far.
    """
    tier_ = _check_arguments(tier, round, jurisdiction, as_of)
    batch = list(entities)
    bad = [
        InputProblem(
            "entity-type",
            (i,),
            "expected a Factory, IndustrialPark or SupplyChainEnterprise",
            type(e).__name__,
        )
        for i, e in enumerate(batch)
        if not isinstance(e, Applicant) or type(e) is Applicant
    ]
    if bad:
        raise InvalidInputError(bad)
    registry = registry or default_registry()
    runner = _engine(engine)
    decisions: list[Decision | None] = [None] * len(batch)
    groups: dict[Any, list[int]] = {}
    for index, entity in enumerate(batch):
        groups.setdefault(entity.programme, []).append(index)
    done = 0
    for programme, all_indexes in groups.items():
        ruleset = registry.ruleset(
            jurisdiction=jurisdiction, round=round, tier=tier_, programme=programme, as_of=as_of
        )
        comp = compiled(ruleset)
        for start in range(0, len(all_indexes), PROGRESS_CHUNK):
            indexes = all_indexes[start : start + PROGRESS_CHUNK]
            members = [batch[i] for i in indexes]
            if isinstance(runner, NativeEngine):
                for index, entity in zip(indexes, members, strict=True):
                    decisions[index] = comp.evaluate(entity)
            else:
                runs = runner.run(ruleset, members)
                for index, entity, (verdicts, points) in zip(indexes, members, runs, strict=True):
                    decisions[index] = comp.decide(entity, verdicts, points, runner.name)
            done += len(indexes)
            if progress is not None:
                progress(done)
    if not all(isinstance(d, Decision) for d in decisions):
        raise EngineUnavailableError(f"engine {runner.name} returned too few results")
    return decisions  # type: ignore[return-value]
