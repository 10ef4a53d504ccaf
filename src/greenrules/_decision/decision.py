"""What an evaluation returns: a decision with findings, priority, missing facts and provenance.

A decision is cheap to make and complete to read. The status, every verdict, the priority score
and the missing facts are computed up front; findings (with the facts each rule read and bilingual
messages) and the input digest are built on first access from the entity the decision keeps,
because building forty objects per entity costs more than the rules themselves.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import attrs
import pydantic

from greenrules._decision.explain import explain
from greenrules._decision.parts import Finding, Priority, Provenance, bound_json
from greenrules._decision.questions import Question, questions
from greenrules._decision.stored import DecisionData
from greenrules._model.enums import Programme, Status, Verdict
from greenrules.exceptions import InputProblem, InvalidInputError


class DecisionSource(Protocol):
    """Where a decision's identity and lazily built parts come from."""

    @property
    def entity_id(self) -> str: ...

    @property
    def entity_name(self) -> str: ...

    @property
    def programme(self) -> Programme: ...

    @property
    def rule_ids(self) -> tuple[str, ...]: ...

    def priority(self, verdicts: tuple[Verdict, ...]) -> Priority: ...

    def findings(self, verdicts: tuple[Verdict, ...]) -> tuple[Finding, ...]: ...

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
    _source: DecisionSource = attrs.field(repr=False, alias="source")

    @property
    def entity_id(self) -> str:
        """The entity's credit code."""
        return self._source.entity_id

    @property
    def entity_name(self) -> str:
        """The entity's name."""
        return self._source.entity_name

    @property
    def programme(self) -> Programme:
        """The entity's programme."""
        return self._source.programme

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The ids of the applicable rules, in rule order (aligned with ``verdicts``)."""
        return self._source.rule_ids

    @functools.cached_property
    def priority(self) -> Priority:
        """The sortable priority and the priority rules behind it."""
        return self._source.priority(self.verdicts)

    @functools.cached_property
    def findings(self) -> tuple[Finding, ...]:
        """One finding per applicable rule, in rule order."""
        return self._source.findings(self.verdicts)

    @functools.cached_property
    def provenance(self) -> Provenance:
        """Library version, engine, packs with digests, round, date and a digest of the input."""
        return self._source.provenance()

    def __repr__(self) -> str:
        return f"Decision({self.entity_id!r}, {self.status.value}, missing={len(self.missing)})"

    def verdict(self, rule_id: str) -> Verdict:
        """The verdict of one rule; KeyError if the rule did not apply."""
        try:
            return self.verdicts[self.rule_ids.index(rule_id)]
        except ValueError:
            raise KeyError(rule_id) from None

    def ask_next(self) -> tuple[Question, ...]:
        """The missing facts whose values would decide this decision, most decisive first.

        For an undetermined status: the facts the rules that keep it open lack, those that alone
        settle it first. Then, unless the unit is ineligible, the facts that keep its priority a
        range (``priority.unsettled``), which can move its place in a ranked list. Empty when
        nothing is open.
        """
        if self.status is not Status.UNDETERMINED and (
            self.status is Status.INELIGIBLE or self.priority.settled
        ):
            return ()  # nothing open: the findings need not be built
        return questions(self.status, self.findings, self.priority)

    def explain(self, lang: str = "en") -> str:
        """A readable explanation citing clause ids, in ``zh`` or ``en``."""
        if lang not in ("zh", "en"):
            raise InvalidInputError([InputProblem("bad-argument", ("lang",), "zh or en", lang)])
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
                "low": [bound_json(s) for s in self.priority.low],
                "high": [bound_json(s) for s in self.priority.high],
                "levels": [
                    {"order": v.order, "zh": v.label_zh, "en": v.label_en, "rules": list(v.rules)}
                    for v in self.priority.levels
                ],
                "unsettled": [
                    {"rule": rule, "least": bound_json(least), "most": bound_json(most)}
                    for rule, least, most in self.priority.unsettled
                ],
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
                    "references": [attrs.asdict(r) for r in f.references],
                    "missing": list(f.missing),
                    "outcome": None if f.outcome is None else str(f.outcome),
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
        try:
            parsed = DecisionData.model_validate(data)
        except pydantic.ValidationError as exc:
            raise InvalidInputError(
                InputProblem("bad-decision", tuple(e["loc"]), e["msg"]) for e in exc.errors()
            ) from None
        source = parsed.source()
        return cls(
            status=parsed.status,
            review_required=parsed.review_required,
            verdicts=tuple(f.verdict for f in source.stored_findings),
            missing=parsed.missing,
            source=source,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Decision:
        """Rebuild a decision from :meth:`to_json` output; InvalidInputError on bad text."""
        try:
            data = json.loads(text)
        except (ValueError, TypeError) as exc:  # JSONDecodeError and UnicodeDecodeError too
            problem = InputProblem("bad-decision", (), f"not JSON text: {exc}")
            raise InvalidInputError([problem]) from None
        if not isinstance(data, dict):
            msg = "expected a JSON object (Decision.to_json output)"
            raise InvalidInputError([InputProblem("bad-decision", (), msg, type(data).__name__)])
        return cls.from_dict(data)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the dict: the live source holds compiled code no pickle can carry."""
        return (_restored, (self.to_dict(),))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """Let pydantic validate a decision, its :meth:`to_dict` dict or its JSON text."""
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            _validated,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda d: d.to_dict()),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.entity_id, self.status, self.verdicts))


def _restored(data: dict[str, Any]) -> Decision:
    """A decision back from the dict it was pickled as."""
    return Decision.from_dict(data)


def _validated(value: Any) -> Decision:
    """A decision from what pydantic was given; ValueError (pydantic's) naming every problem."""
    try:
        if isinstance(value, Decision):
            return value
        if isinstance(value, str | bytes):
            return Decision.from_json(value)
        if isinstance(value, Mapping):
            return Decision.from_dict(value)
    except InvalidInputError as exc:
        raise ValueError(str(exc)) from None
    raise ValueError(f"expected a Decision, its dict or its JSON text, not {type(value).__name__}")


def check_decisions(decisions: Iterable[Any], argument: str) -> list[Decision]:
    """``decisions`` as a list, each one checked to be a :class:`Decision`.

    Raises:
        InvalidInputError: ``bad-argument`` at ``argument`` and the index of each item that is
            not a decision (a dict from ``to_dict`` must be restored with ``from_dict``).
    """
    items = list(decisions)
    problems = [
        InputProblem("bad-argument", (argument, i), "expected a greenrules.Decision", repr(item))
        for i, item in enumerate(items)
        if not isinstance(item, Decision)
    ]
    if problems:
        raise InvalidInputError(problems)
    return items
