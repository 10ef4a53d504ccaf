"""What the status of a round at a date is made of: items of duty and cited findings, in words.

An item is one duty of one actor (a city's submission, a listed unit's annual form) and its
state on the ``as_of`` day. The states are three-valued like a decision's verdicts: a duty with
no record is ``unknown`` until its deadline passes, never guessed ``late``. A finding is an
applicant rule's verdict about a listed unit or an agency, with the clause it cites.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from greenrules._model.enums import Verdict
from greenrules._model.round_records import Actor
from greenrules._rules.rules import Bilingual


class ItemState(enum.StrEnum):
    """Where one duty stands on the status date."""

    DONE = "done"
    DUE = "due"
    LATE = "late"
    MISSING = "missing"
    UNKNOWN = "unknown"


@attrs.frozen
class RoundItem:
    """One actor's duty on the status date: its state, deadline, dates, what is missing.

    ``days_late`` counts from the deadline to the day the duty was completed or, if it is not,
    to the status date. ``missing`` names the products a step delivered without.
    """

    actor: Actor
    subject: str
    name: str
    step: str
    clause: str
    summary: Bilingual
    state: ItemState
    due: dt.date | None
    done_on: dt.date | None
    days_late: int | None = None
    missing: tuple[tuple[str, Bilingual, str | None], ...] = ()


@attrs.frozen
class RoundFinding:
    """An applicant rule's verdict about an actor, cited; ``until`` ends a time-limited bar."""

    actor: Actor
    subject: str
    name: str
    check: str
    clause: str
    summary: Bilingual
    rule: str
    rule_clause: str
    verdict: Verdict
    message: Bilingual
    until: dt.date | None = None


def item_state(
    *,
    due: dt.date | None,
    as_of: dt.date,
    recorded: bool,
    done_on: dt.date | None,
    completed_on: dt.date | None,
    missing: bool,
) -> tuple[ItemState, int | None]:
    """The state of one duty and its days late, from what the records say as of ``as_of``.

    Args:
        due: the deadline, or None when the source sets none (then never late).
        as_of: the status date; nothing dated after it has happened yet.
        recorded: whether any record of the actor exists (without one, a duty not yet due is
            unknown rather than due).
        done_on: the day the step was done, if on or before ``as_of``.
        completed_on: the day the step and every product were in, if they all are.
        missing: whether some product is still absent.
    """
    if done_on is not None and not missing:
        finished = completed_on or done_on
        if due is not None and finished > due:
            return ItemState.LATE, (finished - due).days
        return ItemState.DONE, None
    if due is not None and as_of > due:
        if done_on is not None and done_on <= due:
            return ItemState.MISSING, None
        return ItemState.LATE, (as_of - due).days
    if done_on is None and not recorded:
        return ItemState.UNKNOWN, None
    return ItemState.DUE, None


_ACTOR_WORDS = {
    "zh": {
        Actor.APPLICANT: "申报单位",
        Actor.CITY_BUREAU: "盟市工信局",
        Actor.REGION_DEPARTMENT: "自治区工信厅",
        Actor.AGENCY: "第三方评价机构",
        Actor.LISTED_UNIT: "已列入名单的示范单位",
    },
    "en": {
        Actor.APPLICANT: "applicants",
        Actor.CITY_BUREAU: "city bureaus",
        Actor.REGION_DEPARTMENT: "region department",
        Actor.AGENCY: "third-party agencies",
        Actor.LISTED_UNIT: "listed units",
    },
}
_STATE_WORDS = {
    "zh": {
        ItemState.DONE: "已完成",
        ItemState.DUE: "待完成",
        ItemState.LATE: "逾期",
        ItemState.MISSING: "缺件",
        ItemState.UNKNOWN: "未知",
    },
    "en": {s: s.value for s in ItemState},
}
_VERDICT_WORDS = {
    "zh": {Verdict.FAIL: "不符合", Verdict.UNKNOWN: "待定"},
    "en": {Verdict.FAIL: "fails", Verdict.UNKNOWN: "unknown"},
}
_SHOWN = (ItemState.LATE, ItemState.MISSING, ItemState.DUE, ItemState.UNKNOWN)


@attrs.frozen
class RoundStatus:
    """The status of a round on one date: every actor's items, and the cited findings."""

    jurisdiction: str
    round: int
    as_of: dt.date
    pack: str
    items: tuple[RoundItem, ...]
    findings: tuple[RoundFinding, ...]

    def by_state(self, state: ItemState | str) -> tuple[RoundItem, ...]:
        """The items in ``state``, in report order."""
        return tuple(i for i in self.items if i.state is ItemState(state))

    def counts(self) -> dict[ItemState, int]:
        """How many items are in each state."""
        return {s: len(self.by_state(s)) for s in ItemState}

    def render(self, lang: str = "en") -> str:
        """The status as text for people: per actor, every item not done, then the findings."""
        zh = lang == "zh"
        head = (
            f"{self.jurisdiction} {self.round}年度推荐工作进度（截至 {self.as_of}，{self.pack}）"
            if zh
            else f"Round status: {self.jurisdiction} {self.round}, as of {self.as_of} ({self.pack})"
        )
        counts = self.counts()
        total = "，".join if zh else ", ".join
        lines = [head, total(f"{_STATE_WORDS[lang][s]} {counts[s]}" for s in ItemState)]
        for actor in Actor:
            mine = [i for i in self.items if i.actor is actor]
            found = [f for f in self.findings if f.actor is actor]
            if not mine and not found:
                continue
            done = sum(1 for i in mine if i.state is ItemState.DONE)
            lines.append("")
            lines.append(
                f"{_ACTOR_WORDS[lang][actor]}（已完成 {done}/{len(mine)}）"
                if zh
                else f"{_ACTOR_WORDS[lang][actor]} ({done}/{len(mine)} done)"
            )
            for state in _SHOWN:
                lines += [_item_line(i, lang) for i in mine if i.state is state]
            lines += [_finding_line(f, lang) for f in found]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """The status as JSON-ready data (the shape ``greenrules round --format json`` prints)."""
        return {
            "jurisdiction": self.jurisdiction,
            "round": self.round,
            "as_of": self.as_of.isoformat(),
            "pack": self.pack,
            "counts": {s.value: n for s, n in self.counts().items()},
            "items": [_item_data(i) for i in self.items],
            "findings": [_finding_data(f) for f in self.findings],
        }


def _item_line(item: RoundItem, lang: str) -> str:
    zh = lang == "zh"
    state = _STATE_WORDS[lang][item.state]
    if item.state is ItemState.LATE:
        unit = "day" if item.days_late == 1 else "days"
        state += f" {item.days_late} 天" if zh else f" {item.days_late} {unit}"
    when = ""
    if item.due is not None:
        when = f"，截止 {item.due}" if zh else f", due {item.due}"
    if item.done_on is not None:
        when += f"，{item.done_on} 完成" if zh else f", done {item.done_on}"
    missing = ""
    if item.missing:
        sep = "、" if zh else "; "
        parts = sep.join(f"{w.in_(lang)}" + (f" ({c})" if c else "") for _, w, c in item.missing)
        missing = f"；缺：{parts}" if zh else f"; missing: {parts}"
    who = item.subject if item.name == item.subject else f"{item.name} {item.subject}"
    return f"  [{state}] {who} · {item.step} ({item.clause}){when}{missing}"


def _finding_line(finding: RoundFinding, lang: str) -> str:
    zh = lang == "zh"
    verdict = _VERDICT_WORDS[lang].get(finding.verdict, finding.verdict.value)
    until = ""
    if finding.until is not None:
        until = f"；{finding.until} 起解除" if zh else f"; lifted on {finding.until}"
    return (
        f"  [{verdict}] {finding.name} {finding.subject} · {finding.check} ({finding.clause}): "
        f"{finding.summary.in_(lang)} [{finding.rule} {finding.rule_clause}]{until}"
    )


def _item_data(item: RoundItem) -> dict[str, Any]:
    return {
        "actor": item.actor.value,
        "subject": item.subject,
        "name": item.name,
        "step": item.step,
        "clause": item.clause,
        "state": item.state.value,
        "due": _iso(item.due),
        "done_on": _iso(item.done_on),
        "days_late": item.days_late,
        "missing": [{"product": p, "clause": c} for p, _, c in item.missing],
        "summary": {"zh": item.summary.zh, "en": item.summary.en},
    }


def _finding_data(finding: RoundFinding) -> dict[str, Any]:
    return {
        "actor": finding.actor.value,
        "subject": finding.subject,
        "name": finding.name,
        "check": finding.check,
        "clause": finding.clause,
        "rule": finding.rule,
        "rule_clause": finding.rule_clause,
        "verdict": finding.verdict.value,
        "message": {"zh": finding.message.zh, "en": finding.message.en},
        "until": _iso(finding.until),
    }


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def status_rows(status: RoundStatus, lang: str) -> Sequence[Sequence[Any]]:
    """The items and findings as table rows for a workbook, every cell a plain value."""
    rows: list[list[Any]] = []
    for item in status.items:
        rows.append(
            [
                _ACTOR_WORDS[lang][item.actor],
                item.name,
                item.subject,
                item.step,
                item.clause,
                _STATE_WORDS[lang][item.state],
                item.due,
                item.done_on,
                item.days_late,
                "; ".join(w.in_(lang) for _, w, _ in item.missing) or None,
            ]
        )
    return rows


def finding_rows(findings: Iterable[RoundFinding], lang: str) -> list[list[Any]]:
    """The findings as table rows for a workbook."""
    return [
        [
            _ACTOR_WORDS[lang][f.actor],
            f.name,
            f.subject,
            f.check,
            f.clause,
            f.rule,
            f.rule_clause,
            _VERDICT_WORDS[lang].get(f.verdict, f.verdict.value),
            f.message.in_(lang),
            f.until,
        ]
        for f in findings
    ]


ITEM_HEADERS: Mapping[str, tuple[str, ...]] = {
    "zh": ("主体", "名称", "代码", "环节", "条款", "状态", "截止日", "完成日", "逾期天数", "缺件"),
    "en": ("Actor", "Name", "Code", "Step", "Clause", "State", "Due", "Done", "Days late",
           "Missing"),
}  # fmt: skip
FINDING_HEADERS: Mapping[str, tuple[str, ...]] = {
    "zh": ("主体", "名称", "代码", "核查", "条款", "规则", "规则条款", "结论", "说明", "解除日"),
    "en": ("Actor", "Name", "Code", "Check", "Clause", "Rule", "Rule clause", "Verdict",
           "Message", "Lifted from"),
}  # fmt: skip
