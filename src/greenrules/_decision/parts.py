"""The parts a decision is made of: priority, findings, provenance, and facts as JSON.

They sit below :class:`~greenrules.Decision` so that every place that builds a decision (an
engine's live evaluation, a stored dict read back) can make them without importing the decision.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import math
from typing import Any

import attrs
import pydantic

from greenrules._model.enums import Outcome, Strength, Tier, Verdict
from greenrules._rules.reference import WEAK_LEVELS, confidence_level
from greenrules._rules.rules import PriorityLevel
from greenrules._rules.ruleset import PackRef


def _same_as_score(priority: Priority) -> tuple[float, ...]:
    return priority.score


@attrs.frozen
class Priority:
    """A sortable priority: a score per priority level (most significant first) and its reasons.

    ``score`` adds what the passed priority rules give; ``reasons`` lists their ids, in rule
    order. A priority rule left unknown makes the score a range: ``low`` and ``high`` are, per
    level, the least and the most the unit could still reach once the missing facts are known
    (``math.inf`` when nothing bounds it, as a park whose enterprise list is missing).
    ``levels`` says what each level means, in the pack's words.
    """

    score: tuple[float, ...]
    reasons: tuple[str, ...]
    low: tuple[float, ...] = attrs.field(default=attrs.Factory(_same_as_score, takes_self=True))
    high: tuple[float, ...] = attrs.field(default=attrs.Factory(_same_as_score, takes_self=True))
    levels: tuple[PriorityLevel, ...] = ()
    unsettled: tuple[tuple[str, float, float], ...] = ()
    """The unknown priority rules that could still change the score: id, least and most added."""

    @property
    def settled(self) -> bool:
        """Whether no missing fact can change the score any more."""
        return self.low == self.high


@attrs.frozen
class ReferenceValue:
    """One reference-table value a rule read, with the row's source and confidence.

    ``value`` is None when the row in force has the cell empty (an edition whose values are not
    transcribed); its source says why.
    """

    table: str
    key: str
    column: str
    value: Any
    source: str
    confidence: str = ""

    @property
    def level(self) -> str:
        """``official``, ``cross-checked``, ``single-source`` or ``low``, from the confidence."""
        return confidence_level(self.confidence)

    @property
    def weak(self) -> bool:
        """A single-source or low-confidence value: a reader should know a decision rests on it."""
        return self.level in WEAK_LEVELS


@attrs.frozen
class Finding:
    """One rule's conclusion about one entity, citing the clause it implements.

    ``references`` are the reference values the rule read for this entity, each with its
    source and confidence, so a priority resting on an unconfirmed value can say so.
    """

    rule: str
    clause: str
    strength: Strength
    verdict: Verdict
    read: tuple[tuple[str, Any], ...]
    message_zh: str
    message_en: str
    points: float = 0.0
    references: tuple[ReferenceValue, ...] = ()
    missing: tuple[str, ...] = ()
    """What the rule lacked when its verdict is ``unknown`` (as in ``Decision.missing``)."""
    outcome: Outcome | None = None
    """What a failure of the rule gives this entity; None for a priority rule or a waived one."""

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


def bound_json(value: float) -> float | None:
    """A score bound as JSON: an infinite bound (nothing limits it) is null."""
    return None if math.isinf(value) else value


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """A fact value as JSON: dates as ISO text, enums as their value, models as dicts."""
    kind = type(value)
    if kind in _JSON_SCALARS:  # most facts: checked by exact type first, as findings read many
        return value
    if kind is tuple:
        return [jsonable(v) for v in value]
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
