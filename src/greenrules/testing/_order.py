"""How good a verdict or a decision is, so checks can say whether a change made it worse.

Verdicts follow the truth order of Kleene logic, false < unknown < true: a rule's conclusion may
move from unknown to pass when a fact improves, never from pass to fail. A status is read as the
range of statuses it could still become once unknown facts are known (``undetermined`` is a
range, not a rank), and a change is no worse when neither end of the range gets worse.
"""

from __future__ import annotations

from .._decision import Decision
from .._enums import Outcome, Strength, Verdict
from .._ruleset import RuleSet

VERDICT_RANK = {
    Verdict.FAIL: 0,
    Verdict.WAIVED: 0,
    Verdict.UNKNOWN: 1,
    Verdict.PASS: 2,
    Verdict.NOT_APPLICABLE: 2,
}
"""Higher is better: a failed (even waived) requirement, an open one, a met or moot one."""

_OUTCOME_RANK = {None: 0, Outcome.CULTIVATE: 1, Outcome.INELIGIBLE: 2}


def outcome_range(decision: Decision, ruleset: RuleSet, waived: frozenset[str]) -> tuple[int, int]:
    """The best and worst outcome (0 recommend, 1 cultivate, 2 ineligible) still possible."""
    rules = {rule.id: rule for rule in ruleset.rules}
    known = possible = 0
    for rule_id, verdict in zip(decision.rule_ids, decision.verdicts, strict=True):
        rule = rules[rule_id]
        rank = _OUTCOME_RANK[rule.outcome_on_fail]
        if verdict is Verdict.FAIL:
            known = max(known, rank)
        elif verdict is Verdict.UNKNOWN and not (
            rule.strength is Strength.IN_PRINCIPLE and rule_id in waived
        ):
            possible = max(possible, rank)
    return known, max(known, possible)


def no_worse(before: tuple[int, int], after: tuple[int, int]) -> bool:
    """Whether an outcome range is no worse at either end than another."""
    return after[0] <= before[0] and after[1] <= before[1]
