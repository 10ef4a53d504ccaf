"""The shape of a decision's dict, validated when a decision is restored from it.

``Decision.to_dict`` writes this shape and ``Decision.from_dict`` reads it back through these
strict models, so a malformed dict is reported field by field instead of half-restored; scalars
are strict (``"round": "2025"`` is refused), as in the entity models.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import attrs
import pydantic
from pydantic import StrictBool, StrictFloat, StrictInt, StrictStr

from greenrules._decision.parts import Finding, Priority, Provenance, ReferenceValue
from greenrules._model.enums import Outcome, Programme, Status, Strength, Tier, Verdict
from greenrules._rules.rules import PriorityLevel
from greenrules._rules.ruleset import PackRef


@attrs.frozen
class StoredSource:
    """Identity, priority, findings and provenance restored from a decision's dict."""

    entity_id: str
    entity_name: str
    programme: Programme
    rule_ids: tuple[str, ...]
    stored_priority: Priority
    stored_findings: tuple[Finding, ...]
    stored_provenance: Provenance

    def priority(self, verdicts: tuple[Verdict, ...]) -> Priority:
        return self.stored_priority

    def findings(self, verdicts: tuple[Verdict, ...]) -> tuple[Finding, ...]:
        return self.stored_findings

    def provenance(self) -> Provenance:
        return self.stored_provenance


def _bound(value: float | None, unbounded: float) -> float:
    """A stored score bound: null stands for the infinite one."""
    return unbounded if value is None else value


class _Data(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)


class _EntityData(_Data):
    id: StrictStr
    name: StrictStr
    programme: Programme


class _LevelData(_Data):
    order: StrictInt
    zh: StrictStr
    en: StrictStr
    rules: tuple[StrictStr, ...]


class _UnsettledData(_Data):
    rule: StrictStr
    least: StrictFloat | None
    most: StrictFloat | None


class _PriorityData(_Data):
    score: tuple[StrictFloat, ...]
    reasons: tuple[StrictStr, ...]
    low: tuple[StrictFloat | None, ...]
    high: tuple[StrictFloat | None, ...]
    levels: tuple[_LevelData, ...]
    unsettled: tuple[_UnsettledData, ...]

    def priority(self) -> Priority:
        return Priority(
            self.score,
            self.reasons,
            tuple(_bound(s, -math.inf) for s in self.low),
            tuple(_bound(s, math.inf) for s in self.high),
            tuple(PriorityLevel(lv.order, lv.zh, lv.en, lv.rules) for lv in self.levels),
            tuple(
                (u.rule, _bound(u.least, -math.inf), _bound(u.most, math.inf))
                for u in self.unsettled
            ),
        )


class _MessageData(_Data):
    zh: StrictStr
    en: StrictStr


class _ReferenceData(_Data):
    table: StrictStr
    key: StrictStr
    column: StrictStr
    value: StrictBool | StrictInt | StrictFloat | StrictStr | None
    source: StrictStr
    confidence: StrictStr


class _FindingData(_Data):
    rule: StrictStr
    clause: StrictStr
    strength: Strength
    verdict: Verdict
    read: dict[str, Any]
    message: _MessageData
    points: StrictFloat
    references: tuple[_ReferenceData, ...] = ()
    missing: tuple[StrictStr, ...]
    outcome: Outcome | None


class _PackRefData(_Data):
    id: StrictStr
    version: StrictStr
    digest: StrictStr


class _ProvenanceData(_Data):
    library_version: StrictStr
    engine: StrictStr
    jurisdiction: StrictStr
    round: StrictInt
    tier: Tier
    as_of: dt.date
    packs: tuple[_PackRefData, ...]
    input_digest: StrictStr


class DecisionData(_Data):
    entity: _EntityData
    status: Status
    review_required: StrictBool
    priority: _PriorityData
    missing: tuple[StrictStr, ...]
    findings: tuple[_FindingData, ...]
    provenance: _ProvenanceData

    def source(self) -> StoredSource:
        findings = tuple(
            Finding(
                f.rule,
                f.clause,
                f.strength,
                f.verdict,
                tuple(f.read.items()),
                f.message.zh,
                f.message.en,
                f.points,
                tuple(ReferenceValue(**r.model_dump()) for r in f.references),
                f.missing,
                f.outcome,
            )
            for f in self.findings
        )
        p = self.provenance
        provenance = Provenance(
            p.library_version,
            p.engine,
            p.jurisdiction,
            p.round,
            p.tier,
            p.as_of,
            tuple(PackRef(r.id, r.version, r.digest) for r in p.packs),
            p.input_digest,
        )
        return StoredSource(
            self.entity.id,
            self.entity.name,
            self.entity.programme,
            tuple(f.rule for f in findings),
            self.priority.priority(),
            findings,
            provenance,
        )
