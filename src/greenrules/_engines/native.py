"""The native engine: a rule set's generated code, and decisions built from any engine's verdicts.

``engine="native"`` runs the straight-line function :mod:`greenrules._engines.codegen` writes for
a rule set. :class:`NativeProgram` also turns verdicts another engine produced into a decision
with the same status semantics and missing-fact search, which is why every engine's decisions
are built here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from greenrules._decision.decision import Decision
from greenrules._decision.explain import verdict_message
from greenrules._decision.parts import jsonable
from greenrules._engines.codegen import generate, generate_missing
from greenrules._engines.engine import RuleRun
from greenrules._engines.interpreter import InterpretedProgram, listed_values, path_getter
from greenrules._engines.priority_range import Bounds, contribution_bounds
from greenrules._engines.reference_reads import reference_reader
from greenrules._engines.source import EvaluationSource
from greenrules._model.entities import ENTITY_TYPES, Applicant
from greenrules._model.enums import Strength, Verdict
from greenrules._model.facts import Kind, fact_schema
from greenrules._rules.rules import Rule
from greenrules._rules.ruleset import RuleSet
from greenrules._rules.status import StatusPlan


class NativeEngine:
    """The default engine: generated straight-line Python, one record at a time."""

    name = "native"

    def run(self, ruleset: RuleSet, entities: Sequence[Applicant]) -> list[RuleRun]:
        fast = native_program(ruleset).fast
        return [fast(entity)[:2] for entity in entities]


class NativeProgram:
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
                reference_reader(rule, ruleset.tables),
            )
            for rule in ruleset.rules
        ]
        """Per rule: the rule, its fact reader, its message per verdict, its reference reader."""

    @functools.cached_property
    def priority_bounds(self) -> dict[int, Bounds]:
        """Per priority rule index: the least and most it could add when left unknown."""
        compiler = self.interpreted.compiler
        return {
            i: contribution_bounds(rule, compiler)
            for i, rule in enumerate(self.ruleset.rules)
            if rule.strength is Strength.PRIORITY
        }

    @functools.cached_property
    def interpreted(self) -> InterpretedProgram:
        """The closure-compiled reference program, built only for callers that ask for it."""
        return InterpretedProgram(self.ruleset)

    def evaluate(self, entity: Applicant) -> Decision:
        """The native engine's whole decision for one entity, in one generated pass."""
        verdicts, points, status, review, score, unknown = self.fast(entity)
        missing = self._missing(entity, unknown) if unknown else ()
        source = EvaluationSource(self, entity, points, score, "native")
        return Decision(
            status=status, review_required=review, verdicts=verdicts, missing=missing, source=source
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
        source = EvaluationSource(self, entity, points, self.plan.priority(points), engine)
        return Decision(
            status=status,
            review_required=review,
            verdicts=tuple(verdicts),
            missing=missing,
            source=source,
        )

    def missing_of(self, entity: Applicant, index: int) -> tuple[str, ...]:
        """What rule ``index`` lacked on ``entity``, sorted (for a rule it left unknown)."""
        return tuple(sorted(self.missing_fns[index](entity)))

    def _missing(self, entity: Applicant, unknown: Sequence[int]) -> tuple[str, ...]:
        found: set[str] = set()
        for i in unknown:
            found |= self.missing_fns[i](entity)
        return tuple(sorted(found))


def native_program(ruleset: RuleSet) -> NativeProgram:
    """The native compiled form of a rule set, made once and kept on the rule set."""
    found = ruleset.programs.get("native")
    if found is None:
        found = ruleset.programs["native"] = NativeProgram(ruleset)
    return found


_PLAIN = (bool, int, float, str)


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
            getters.append((path, functools.partial(listed_values, path=parts)))
        else:
            getters.append((path, path_getter(path)))

    def read(entity: Any) -> tuple[tuple[str, Any], ...]:
        out = []
        for path, get in getters:
            value = get(entity)
            out.append((path, value if value is None or type(value) in _PLAIN else jsonable(value)))
        return tuple(out)

    return read
