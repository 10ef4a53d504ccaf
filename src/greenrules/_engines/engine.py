"""What an evaluation engine provides, whichever way it computes it.

An engine returns every rule's verdict and priority contribution per entity; turning those into
a decision (status, missing facts, findings) is shared, so engines cannot disagree on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from greenrules._model.entities import Applicant
from greenrules._model.enums import Verdict
from greenrules._rules.ruleset import RuleSet

RuleRun = tuple[Sequence[Verdict], Sequence[float]]
"""One entity's verdicts and priority contributions, in rule order."""


class Engine(Protocol):
    """What an evaluation engine provides: every rule's verdict and contribution per entity."""

    name: str

    def run(self, ruleset: RuleSet, entities: Sequence[Applicant]) -> list[RuleRun]:
        """Verdicts and priority contributions, one pair per entity, in input order."""
        ...
