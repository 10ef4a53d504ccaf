"""The failure every property check raises: which property, where, and a counter-example to read.

A maintainer who sees a property fail needs three things at once: which rule and context, what
changed between the two evaluations compared, and the input that shows it, small enough to read
(Hypothesis shrinks it before the error is raised) and in the JSON a case file takes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from greenrules._decision.decision import Decision
from greenrules.exceptions import GreenrulesError


class PropertyViolation(GreenrulesError, AssertionError):
    """A pack (or engine) breaks a property; the message holds a readable counter-example.

    Attributes:
        check: the property's name, e.g. ``monotonicity``.
        context: where it broke, e.g. ``CN-NM 2025, tier province, factory``.
        details: one line per fact of the failure.
        example: the counter-example as JSON data (an applicant's facts), or None.
    """

    def __init__(
        self, check: str, context: str, details: Sequence[str], example: Any = None
    ) -> None:
        self.check = check
        self.context = context
        self.details = tuple(details)
        self.example = example
        lines = [f"{check} does not hold in {context}:"]
        lines += [f"  {line}" for line in self.details]
        if example is not None:
            text = json.dumps(example, ensure_ascii=False, indent=2, sort_keys=True)
            lines.append("  counter-example:")
            lines += [f"    {line}" for line in text.splitlines()]
        super().__init__("\n".join(lines))


def as_example(entity: BaseModel) -> dict[str, Any]:
    """An applicant as the JSON a case file or ``greenrules evaluate`` takes, defaults left out."""
    data = entity.model_dump(mode="json", exclude_defaults=True)
    programme = getattr(type(entity), "programme", None)
    return {"programme": str(programme), **data} if programme is not None else data


def verdict_lines(before: Decision, after: Decision, label: tuple[str, str]) -> list[str]:
    """One line per rule whose verdict or contribution differs between two decisions."""
    out = []
    points_a = {f.rule: f.points for f in before.findings}
    points_b = {f.rule: f.points for f in after.findings}
    for rule in dict.fromkeys((*before.rule_ids, *after.rule_ids)):
        a = before.verdict(rule) if rule in before.rule_ids else None
        b = after.verdict(rule) if rule in after.rule_ids else None
        if a != b or points_a.get(rule) != points_b.get(rule):
            out.append(
                f"rule {rule}: {label[0]} {a} ({points_a.get(rule, 0):g} points), "
                f"{label[1]} {b} ({points_b.get(rule, 0):g} points)"
            )
    return out
