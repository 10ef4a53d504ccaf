"""How rule verdicts combine into a status and a priority: the decision semantics in one place.

- A failed mandatory rule makes the entity ``ineligible`` or ``cultivate``, as the rule says.
- A failed in-principle rule makes it ``cultivate``, unless waived (then a reviewer must look).
- Priority rules never change the status; they only add to the priority.
- The worst known outcome stands, unless an ``unknown`` rule could make it worse: then the
  status is ``undetermined``. An unknown in-principle rule that the entity has a waiver for
  cannot make it worse (it would be ``pass`` or ``waived``).

Every engine produces verdicts and calls these functions, so they agree by construction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import attrs

from greenrules._model.enums import Outcome, Status, Strength, Verdict
from greenrules._rules.ruleset import RuleSet

_STATUS_BY_RANK = (Status.RECOMMEND, Status.CULTIVATE, Status.INELIGIBLE)
_RANK = {None: 0, Outcome.CULTIVATE: 1, Outcome.INELIGIBLE: 2}


@attrs.frozen
class StatusPlan:
    """Per-rule facts the status needs, precomputed once per rule set."""

    ranks: tuple[int, ...]  # 0 priority, 1 cultivate, 2 ineligible
    waivable: tuple[bool, ...]
    ids: tuple[str, ...]
    levels: tuple[int, ...]  # the distinct priority orders, most significant first
    level_of: tuple[int, ...]  # per rule: index into levels, or -1

    @classmethod
    def of(cls, ruleset: RuleSet) -> StatusPlan:
        """Precompute the plan for ``ruleset``."""
        rules = ruleset.rules
        levels = tuple(sorted({r.order for r in rules if r.strength is Strength.PRIORITY}))
        return cls(
            ranks=tuple(_RANK[r.outcome_on_fail] for r in rules),
            waivable=tuple(r.strength is Strength.IN_PRINCIPLE for r in rules),
            ids=tuple(r.id for r in rules),
            levels=levels,
            level_of=tuple(
                levels.index(r.order) if r.strength is Strength.PRIORITY else -1 for r in rules
            ),
        )

    def outcome_range(
        self, verdicts: Sequence[Verdict], waived: Collection[str]
    ) -> tuple[int, int]:
        """The outcome known so far and the worst still possible once unknowns are known.

        Outcomes are 0 recommend, 1 cultivate, 2 ineligible.
        """
        worst = 0
        possible = 0
        for verdict, rank, waivable, rule_id in zip(
            verdicts, self.ranks, self.waivable, self.ids, strict=True
        ):
            if verdict is Verdict.FAIL:
                worst = max(worst, rank)
            elif verdict is Verdict.UNKNOWN and not (waivable and rule_id in waived):
                possible = max(possible, rank)
        return worst, max(worst, possible)

    def status(self, verdicts: Sequence[Verdict], waived: Collection[str]) -> tuple[Status, bool]:
        """The status and whether a reviewer must look (some rule was waived)."""
        worst, could_be = self.outcome_range(verdicts, waived)
        review = Verdict.WAIVED in verdicts
        if could_be > worst:
            return Status.UNDETERMINED, review
        return _STATUS_BY_RANK[worst], review

    def priority(self, points: Sequence[float]) -> tuple[float, ...]:
        """The priority score: per level, the sum of the contributions of that level's rules."""
        score = [0.0] * len(self.levels)
        for level, gain in zip(self.level_of, points, strict=True):
            if level >= 0 and gain:
                score[level] += gain
        return tuple(score)
