"""Criteria as values: clauses of a source document and the rules that implement them."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from typing import Any

import attrs

from greenrules._model.enums import Outcome, Programme, Strength, Tier
from greenrules._rules.conditions import (
    Compare,
    Condition,
    Constant,
    Fact,
    Value,
    fact_paths,
    walk,
)


@attrs.frozen
class Bilingual:
    """A short text in Chinese and English, both written in our own words."""

    zh: str
    en: str

    def in_(self, lang: str) -> str:
        """The text in ``lang`` (``zh`` or ``en``)."""
        return self.zh if lang == "zh" else self.en


@attrs.frozen
class Period:
    """The dates between which a rule is in force; either end may be open."""

    start: dt.date | None = None
    end: dt.date | None = None

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls inside the period (both ends inclusive)."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class ClauseKind(enum.StrEnum):
    """What kind of obligation a clause states; see ``clauses.md``."""

    HARD = "hard"
    IN_PRINCIPLE = "in_principle"
    PRIORITY = "priority"
    SCOPE = "scope"
    OUTCOME = "outcome"
    PROCEDURE = "procedure"
    DEADLINE = "deadline"
    PENALTY = "penalty"
    OUTPUT = "output"
    INFO = "info"


CHECKABLE_KINDS = frozenset(
    {
        ClauseKind.HARD,
        ClauseKind.IN_PRINCIPLE,
        ClauseKind.PRIORITY,
        ClauseKind.SCOPE,
        ClauseKind.OUTCOME,
        ClauseKind.DEADLINE,
        ClauseKind.PENALTY,
    }
)
"""Kinds every one of which a pack must cover by a rule, or by support code it names."""


class CoverageHow(enum.StrEnum):
    """How a pack covers a clause."""

    RULES = "rules"  # one or more rules cite it
    SUPPORT = "support"  # code outside the rules implements it (ranking, calendar, workbook)
    NOT_CHECKABLE = "not_checkable"  # cannot be decided from data; ``note`` says why
    INFO = "info"  # context only, nothing to check


@attrs.frozen
class Coverage:
    """A pack's statement of how one clause is covered, for reviewers and ``greenrules check``."""

    how: CoverageHow
    note: str = ""
    by: tuple[str, ...] = ()


@attrs.frozen
class Clause:
    """One clause of a source document, with its stable id and our paraphrase."""

    id: str
    kind: ClauseKind
    section: str
    summary: Bilingual
    coverage: Coverage


class Direction(enum.StrEnum):
    """Which way a fact is better, for the monotonicity a rule declares."""

    LOWER = "lower_is_better"
    HIGHER = "higher_is_better"
    TRUE = "true_is_better"
    FALSE = "false_is_better"


@attrs.frozen
class PriorityLevel:
    """What one priority level of a programme means, in the pack's words, and its rules.

    A priority score is a tuple, one sum per level, and sums of different levels (or of the
    same level in different programmes) mean different things: this says what each one counts.
    """

    order: int
    label_zh: str
    label_en: str
    rules: tuple[str, ...]

    def label(self, lang: str = "en") -> str:
        """The level's meaning in ``zh`` or ``en``."""
        return self.label_zh if lang == "zh" else self.label_en


@attrs.frozen
class Rule:
    """One executable criterion, citing the clause it implements.

    ``applies_if`` (absent means always) decides applicability; ``requires`` is what must hold.
    A priority rule adds ``points`` when ``requires`` holds, or the number ``score`` evaluates
    to; contributions add up per ``order`` level, lower levels ranking first.
    """

    id: str
    clause: str
    programme: Programme
    tiers: frozenset[Tier]
    strength: Strength
    summary: Bilingual
    requires: Condition | None = None
    applies_if: Condition | None = None
    on_fail: Outcome | None = None
    score: Value | None = None
    points: float = 1.0
    order: int = 0
    effective: Period = Period()
    replaces: tuple[str, ...] = ()
    monotone: tuple[tuple[str, Direction], ...] = ()

    @property
    def outcome_on_fail(self) -> Outcome | None:
        """The status a failure leads to, or None for priority rules."""
        if self.strength is Strength.MANDATORY:
            return self.on_fail or Outcome.INELIGIBLE
        if self.strength is Strength.IN_PRINCIPLE:
            return Outcome.CULTIVATE
        return None

    def reads(self) -> tuple[str, ...]:
        """Every fact path the rule reads, each once, in reading order."""
        seen: dict[str, None] = {}
        for node in self.nodes():
            for path in fact_paths(node):
                seen.setdefault(path, None)
        return tuple(seen)

    def constants_compared_with(self, path: str) -> frozenset[Any]:
        """The constants the rule's conditions compare the fact ``path`` with (``eq`` or ``in``).

        ``path`` is spelt as the condition spells it (relative to the item inside ``some`` or
        ``every``). A pack's helpers read their rules' own data through this, instead of walking
        the condition trees themselves.
        """
        found: set[Any] = set()
        for tree in self.nodes():
            for node in walk(tree):
                if (
                    isinstance(node, Compare)
                    and isinstance(node.left, Fact)
                    and node.left.path == path
                    and isinstance(node.right, Constant)
                ):
                    value = node.right.value
                    found.update(value if node.op == "in" else (value,))
        return frozenset(found)

    def nodes(self) -> Iterator[Condition | Value]:
        """The rule's top-level condition and value trees."""
        for node in (self.applies_if, self.requires, self.score):
            if node is not None:
                yield node
