"""Where a live decision's lazy parts come from: the entity and the program that evaluated it.

Findings, priority reasons and provenance are built on first access from what this keeps, so an
engine making hundreds of thousands of decisions pays for them only when someone reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pydantic

from greenrules._decision.parts import Finding, Priority, Provenance, input_digest
from greenrules._model.enums import Programme, Strength, Verdict
from greenrules._version import __version__


class EvaluationSource:
    """Builds a decision's lazy parts from the entity and the compiled rule set it went through.

    A plain slotted class rather than attrs: one is made per decision, so it is kept cheap.
    """

    __slots__ = ("compiled", "engine", "entity", "points", "score")

    def __init__(
        self,
        compiled: Any,
        entity: pydantic.BaseModel,
        points: Sequence[float],
        score: tuple[float, ...],
        engine: str,
    ) -> None:
        self.compiled = compiled  # a greenrules._engines.native.NativeProgram
        self.entity = entity
        self.points = points
        self.score = score
        self.engine = engine

    @property
    def entity_id(self) -> str:
        return str(self.entity.credit_code)  # type: ignore[attr-defined]

    @property
    def entity_name(self) -> str:
        return str(self.entity.name)  # type: ignore[attr-defined]

    @property
    def programme(self) -> Programme:
        return self.compiled.ruleset.programme  # type: ignore[no-any-return]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return self.compiled.plan.ids  # type: ignore[no-any-return]

    def priority(self, verdicts: tuple[Verdict, ...]) -> Priority:
        compiled = self.compiled
        plan = compiled.plan
        reasons = tuple(i for i, gain in zip(plan.ids, self.points, strict=True) if gain)
        low, high = list(self.score), list(self.score)
        unsettled = []
        for i, verdict in enumerate(verdicts):
            level = plan.level_of[i]
            if verdict is Verdict.UNKNOWN and level >= 0:
                least, most = compiled.priority_bounds[i](self.entity)
                low[level] += least
                high[level] += most
                if least != most:
                    unsettled.append((plan.ids[i], least, most))
        levels = compiled.ruleset.levels
        return Priority(self.score, reasons, tuple(low), tuple(high), levels, tuple(unsettled))

    def findings(self, verdicts: tuple[Verdict, ...]) -> tuple[Finding, ...]:
        out = []
        entity = self.entity
        compiled = self.compiled
        waived = {w.rule for w in entity.waivers} if entity.waivers else ()  # type: ignore[attr-defined]
        parts = compiled.finding_parts
        for i, ((rule, read, messages, refs), verdict, gain) in enumerate(
            zip(parts, verdicts, self.points, strict=True)
        ):
            zh, en = messages[verdict]
            missing = compiled.missing_of(entity, i) if verdict is Verdict.UNKNOWN else ()
            waivable = rule.strength is Strength.IN_PRINCIPLE
            outcome = None if waivable and rule.id in waived else rule.outcome_on_fail
            out.append(
                Finding(
                    rule.id,
                    rule.clause,
                    rule.strength,
                    verdict,
                    read(entity),
                    zh,
                    en,
                    gain,
                    refs(entity) if verdict is not Verdict.NOT_APPLICABLE else (),
                    missing,
                    outcome,
                )
            )
        return tuple(out)

    def provenance(self) -> Provenance:
        rs = self.compiled.ruleset
        digest = input_digest(self.entity)
        return Provenance(
            __version__, self.engine, rs.jurisdiction, rs.round, rs.tier, rs.as_of, rs.packs, digest
        )
