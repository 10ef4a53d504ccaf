"""What to ask next: the missing facts that would decide an open decision, most decisive first.

A decision is open when its status is undetermined or its priority is still a range. Each
question names one missing fact (or pack value), in the input template's words, with the rules
and clauses that need it, and says whether that fact alone settles the status (or the score),
whatever its value, or only narrows it. The questions are read off the findings and the
priority, so a decision restored from its dict asks the same questions as the live one.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from greenrules._decision.parts import Finding, Priority
from greenrules._model.enums import Outcome, Status, Strength, Verdict
from greenrules._model.field_words import fact_label

_SEVERITY = {None: 0, Outcome.CULTIVATE: 1, Outcome.INELIGIBLE: 2}


@attrs.frozen
class Question:
    """One missing fact to ask for, and what knowing it would decide.

    Attributes:
        fact: the fact path as in ``Decision.missing`` (``ref:TABLE[KEY].COLUMN`` for a
            reference value, ``param:NAME`` for a pack parameter).
        asks: ``applicant`` (a fact of the record) or ``pack`` (a reference value or
            parameter the pack lacks: the bureau, not the applicant, supplies it).
        label_zh, label_en: the fact in words, as the input template heads its column.
        about: ``status`` (the fact keeps the status undetermined) or ``rank`` (it keeps the
            priority score a range).
        settles: whether this fact is all the open rules lack, so that knowing it, whatever
            its value, settles the status (or the score); otherwise it only narrows what is
            open. A list or a record is never said to settle (its items bring facts of their
            own); a value that keys a reference table settles unless the table turns out to
            lack the row's value, which is then asked of the pack.
        rules, clauses: the open rules that need the fact, and the clauses they implement.
    """

    fact: str
    asks: str
    label_zh: str
    label_en: str
    about: str
    settles: bool
    rules: tuple[str, ...]
    clauses: tuple[str, ...]

    def label(self, lang: str = "en") -> str:
        """The fact in words, in ``zh`` or ``en``."""
        return self.label_zh if lang == "zh" else self.label_en


def questions(
    status: Status, findings: Sequence[Finding], priority: Priority
) -> tuple[Question, ...]:
    """The questions that would decide a decision, most decisive first (``Decision.ask_next``)."""
    out: list[Question] = []
    if status is Status.UNDETERMINED:
        worst = max(
            (_SEVERITY[f.outcome] for f in findings if f.verdict is Verdict.FAIL), default=0
        )
        open_rules = [
            f
            for f in findings
            if f.verdict is Verdict.UNKNOWN
            and f.strength is not Strength.PRIORITY
            and _SEVERITY[f.outcome] > worst
        ]
        out += _asked(open_rules, "status")
    if status is not Status.INELIGIBLE and priority.unsettled:
        unsettled = {rule for rule, _, _ in priority.unsettled}
        out += _asked([f for f in findings if f.rule in unsettled], "rank")
    return tuple(out)


def _asked(open_rules: Sequence[Finding], about: str) -> list[Question]:
    """One question per fact the open rules lack, facts that settle first, then the most needed.

    A fact inside a list or record that is missing as a whole is not asked on its own: the
    question is for the list or record.
    """
    needing: dict[str, list[Finding]] = {}
    for finding in open_rules:
        for fact in finding.missing:
            needing.setdefault(fact, []).append(finding)
    every_rule_says = all(f.missing for f in open_rules)  # a rule lacking nothing named stays open
    asked = []
    read = {path for f in open_rules for path, _ in f.read}
    for fact, rules in needing.items():
        if any(fact.startswith(outer + ".") for outer in needing):
            continue  # its list or record is missing as a whole: ask for that
        leaf = not any(path.startswith(fact + ".") for path in read)  # not a list or a record
        settles = leaf and every_rule_says and all(set(f.missing) <= {fact} for f in open_rules)
        zh, en = _label(fact)
        asked.append(
            Question(
                fact=fact,
                asks="pack" if fact.startswith(("ref:", "param:")) else "applicant",
                label_zh=zh,
                label_en=en,
                about=about,
                settles=settles,
                rules=tuple(f.rule for f in rules),
                clauses=tuple(dict.fromkeys(f.clause for f in rules)),
            )
        )
    severity = {fact: max(_SEVERITY[f.outcome] for f in rules) for fact, rules in needing.items()}

    asked.sort(key=lambda q: (not q.settles, -len(q.rules), -severity[q.fact], q.fact))
    return asked


def _label(fact: str) -> tuple[str, str]:
    """A missing item in words: a fact as the template names it, a pack value by its key."""
    if fact.startswith("param:"):
        name = fact.removeprefix("param:")
        return f"参数{name}（数据包未载明）", f"parameter {name} (not in the pack)"
    if fact.startswith("ref:"):
        table, _, rest = fact.removeprefix("ref:").partition("[")
        key, _, column = rest.partition("].")
        return (
            f"参考数据{table}中{key}的{column}（数据包未载明）",
            f"{column} of {key} in reference table {table} (not in the pack)",
        )
    return fact_label(fact)
