"""What an evaluation returns: a decision with findings, priority, missing facts and provenance.

A decision is cheap to make and complete to read. The status, every verdict, the priority score
and the missing facts are computed up front; findings (with the facts each rule read and bilingual
messages) and the input digest are built on first access from the entity the decision keeps,
because building forty objects per entity costs more than the rules themselves.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs
import pydantic

from greenrules._model.enums import Programme, Status, Strength, Tier, Verdict
from greenrules._rules.ruleset import PackRef
from greenrules._version import __version__
from greenrules.exceptions import InputProblem, InvalidInputError


@attrs.frozen
class Priority:
    """A sortable priority: a score per priority level (most significant first) and its reasons.

    ``reasons`` lists the ids of the priority rules that contributed, in rule order.
    """

    score: tuple[float, ...]
    reasons: tuple[str, ...]


@attrs.frozen
class Finding:
    """One rule's conclusion about one entity, citing the clause it implements."""

    rule: str
    clause: str
    strength: Strength
    verdict: Verdict
    read: tuple[tuple[str, Any], ...]
    message_zh: str
    message_en: str
    points: float = 0.0

    def message(self, lang: str = "en") -> str:
        """The finding's message in ``zh`` or ``en``."""
        return self.message_zh if lang == "zh" else self.message_en


@attrs.frozen
class Provenance:
    """Exactly what produced a decision, so it can be reproduced and audited."""

    library_version: str
    engine: str
    jurisdiction: str
    round: int
    tier: Tier
    as_of: dt.date
    packs: tuple[PackRef, ...]
    input_digest: str


class _Basis(Protocol):
    """Where a decision's identity and lazily built parts come from."""

    @property
    def entity_id(self) -> str: ...

    @property
    def entity_name(self) -> str: ...

    @property
    def programme(self) -> Programme: ...

    @property
    def rule_ids(self) -> tuple[str, ...]: ...

    def priority(self) -> Priority: ...

    def findings(self, decision: Decision) -> tuple[Finding, ...]: ...

    def provenance(self) -> Provenance: ...


@attrs.frozen(eq=False)
class Decision:
    """The outcome of evaluating one entity at one tier, round and jurisdiction.

    Attributes:
        status: ``recommend``, ``cultivate``, ``ineligible`` or ``undetermined``.
        review_required: some in-principle rule failed and was waived: a reviewer must look.
        verdicts: every applicable rule's verdict, in rule order (aligned with ``rule_ids``).
        missing: the facts, parameters (``param:``) and reference values (``ref:``) whose
            absence left some rule unknown, sorted.

    The rest is read from where the decision came from, built on first access: ``entity_id``
    (the credit code), ``entity_name``, ``programme``, ``rule_ids``, ``priority``,
    ``findings`` and ``provenance``. A decision is four values and a reference, because
    engines make hundreds of thousands of them and most are never read in full.
    """

    status: Status
    review_required: bool
    verdicts: tuple[Verdict, ...]
    missing: tuple[str, ...]
    _basis: _Basis = attrs.field(repr=False, alias="basis")

    @property
    def entity_id(self) -> str:
        """The entity's credit code."""
        return self._basis.entity_id

    @property
    def entity_name(self) -> str:
        """The entity's name."""
        return self._basis.entity_name

    @property
    def programme(self) -> Programme:
        """The entity's programme."""
        return self._basis.programme

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The ids of the applicable rules, in rule order (aligned with ``verdicts``)."""
        return self._basis.rule_ids

    @functools.cached_property
    def priority(self) -> Priority:
        """The sortable priority and the priority rules behind it."""
        return self._basis.priority()

    @functools.cached_property
    def findings(self) -> tuple[Finding, ...]:
        """One finding per applicable rule, in rule order."""
        return self._basis.findings(self)

    @functools.cached_property
    def provenance(self) -> Provenance:
        """Library version, engine, packs with digests, round, date and a digest of the input."""
        return self._basis.provenance()

    def __repr__(self) -> str:
        return f"Decision({self.entity_id!r}, {self.status.value}, missing={len(self.missing)})"

    def verdict(self, rule_id: str) -> Verdict:
        """The verdict of one rule; KeyError if the rule did not apply."""
        try:
            return self.verdicts[self.rule_ids.index(rule_id)]
        except ValueError:
            raise KeyError(rule_id) from None

    def explain(self, lang: str = "en") -> str:
        """A readable explanation citing clause ids, in ``zh`` or ``en``."""
        if lang not in ("zh", "en"):
            raise InvalidInputError([InputProblem("bad-argument", ("lang",), "zh or en", lang)])
        from greenrules._decision.explain import explain

        return explain(self, lang)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict; :meth:`from_dict` restores an equal decision."""
        prov = self.provenance
        return {
            "entity": {
                "id": self.entity_id,
                "name": self.entity_name,
                "programme": str(self.programme),
            },
            "status": str(self.status),
            "review_required": self.review_required,
            "priority": {
                "score": list(self.priority.score),
                "reasons": list(self.priority.reasons),
            },
            "missing": list(self.missing),
            "findings": [
                {
                    "rule": f.rule,
                    "clause": f.clause,
                    "strength": str(f.strength),
                    "verdict": str(f.verdict),
                    "read": {path: value for path, value in f.read},
                    "message": {"zh": f.message_zh, "en": f.message_en},
                    "points": f.points,
                }
                for f in self.findings
            ],
            "provenance": {
                "library_version": prov.library_version,
                "engine": prov.engine,
                "jurisdiction": prov.jurisdiction,
                "round": prov.round,
                "tier": str(prov.tier),
                "as_of": prov.as_of.isoformat(),
                "packs": [
                    {"id": p.id, "version": p.version, "digest": p.digest} for p in prov.packs
                ],
                "input_digest": prov.input_digest,
            },
        }

    def to_json(self) -> str:
        """The decision as JSON text (UTF-8 characters kept as they are)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        """Rebuild a decision from :meth:`to_dict` output; InvalidInputError on a bad shape."""
        from greenrules._decision.stored import DecisionData

        try:
            parsed = DecisionData.model_validate(data)
        except pydantic.ValidationError as exc:
            raise InvalidInputError(
                InputProblem("bad-decision", tuple(e["loc"]), e["msg"]) for e in exc.errors()
            ) from None
        return parsed.build()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.entity_id, self.status, self.verdicts))


def jsonable(value: Any) -> Any:
    """A fact value as JSON: dates as ISO text, enums as their value, models as dicts."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json")
    return value


def input_digest(entity: pydantic.BaseModel) -> str:
    """A SHA-256 digest of the entity's canonical JSON, naming its type."""
    text = type(entity).__name__ + ":" + entity.model_dump_json()
    return hashlib.sha256(text.encode()).hexdigest()


class LiveBasis:
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
        self.compiled = compiled  # greenrules._evaluate.Compiled
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

    def priority(self) -> Priority:
        ids = self.compiled.plan.ids
        reasons = tuple(i for i, gain in zip(ids, self.points, strict=True) if gain)
        return Priority(self.score, reasons)

    def findings(self, decision: Decision) -> tuple[Finding, ...]:
        out = []
        entity = self.entity
        parts = self.compiled.finding_parts
        for (rule, read, messages), verdict, gain in zip(
            parts, decision.verdicts, self.points, strict=True
        ):
            zh, en = messages[verdict]
            out.append(
                Finding(rule.id, rule.clause, rule.strength, verdict, read(entity), zh, en, gain)
            )
        return tuple(out)

    def provenance(self) -> Provenance:
        rs = self.compiled.ruleset
        digest = input_digest(self.entity)
        return Provenance(
            __version__, self.engine, rs.jurisdiction, rs.round, rs.tier, rs.as_of, rs.packs, digest
        )
