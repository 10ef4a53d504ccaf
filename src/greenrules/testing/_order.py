"""How good a verdict or a decision is, so checks can say whether a change made it worse.

Verdicts follow the truth order of Kleene logic, false < unknown < true: a rule's conclusion may
move from unknown to pass when a fact improves, never from pass to fail. A status is read as the
range of statuses it could still become once unknown facts are known (``undetermined`` is a
range, not a rank), and a change is no worse when neither end of the range gets worse.
"""

from __future__ import annotations

from greenrules._decision.decision import Decision
from greenrules._engines.native import native_program
from greenrules._model.enums import Verdict
from greenrules._rules.ruleset import RuleSet

VERDICT_RANK = {
    Verdict.FAIL: 0,
    Verdict.WAIVED: 0,
    Verdict.UNKNOWN: 1,
    Verdict.PASS: 2,
    Verdict.NOT_APPLICABLE: 2,
}
"""Higher is better: a failed (even waived) requirement, an open one, a met or moot one."""


def outcome_range(decision: Decision, ruleset: RuleSet, waived: frozenset[str]) -> tuple[int, int]:
    """The best and worst outcome (0 recommend, 1 cultivate, 2 ineligible) still possible."""
    plan = native_program(ruleset).plan
    assert tuple(decision.rule_ids) == plan.ids, "a decision made under another rule set"
    return plan.outcome_range(decision.verdicts, waived)


def no_worse(before: tuple[int, int], after: tuple[int, int]) -> bool:
    """Whether an outcome range is no worse at either end than another."""
    return after[0] <= before[0] and after[1] <= before[1]
