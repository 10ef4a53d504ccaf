"""Two evaluations of one population compared: what a change of pack or parameter does, and why.

A policy maintainer asks what a different threshold, or next year's pack, would do to the
enterprises already known. Both decisions of every entity come from the columnar engine; the
comparison counts status transitions and verdict moves per rule, ranks each programme's
entities before and after, and, for every entity whose outcome moved, names the rules whose
verdicts moved with the facts they read, so each change carries its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from greenrules._decision.parts import jsonable
from greenrules._decision.words import PROGRAMME_WORDS, STATUS_WORDS, VERDICT_WORDS
from greenrules._model.enums import Programme, Status, Verdict
from greenrules._rules.ruleset import PackRef
from greenrules.exceptions import InputProblem, InvalidInputError

if TYPE_CHECKING:
    pass

ABSENT = "absent"
"""The verdict of a rule on the side whose rules lack it (a pack version added or dropped it)."""

LABELS = {
    "en": {
        "title": "greenrules compare: {n} entities, {context}",
        "base": "base",
        "other": "other",
        "transitions": "status before -> after (entities)",
        "rules": "rules whose verdicts moved (entities)",
        "status_changes": "entities whose status changed ({n})",
        "other_changes": "entities whose priority or rank changed, status kept ({n})",
        "none": "  none",
        "rank": "rank in programme {a} -> {b}",
        "priority": "priority {a} -> {b}",
        "absent": "no such rule",
    },
    "zh": {
        "title": "greenrules compare：{n} 个单位，{context}",
        "base": "对比基准",
        "other": "变更后",
        "transitions": "状态变化（变更前 -> 变更后，单位数）",
        "rules": "判定发生变化的规则（单位数）",
        "status_changes": "状态发生变化的单位（{n} 个）",
        "other_changes": "状态未变、优先级或排名变化的单位（{n} 个）",
        "none": "  无",
        "rank": "本类别排名 {a} -> {b}",
        "priority": "优先级 {a} -> {b}",
        "absent": "无此规则",
    },
}


@attrs.frozen
class RuleMove:
    """One rule whose verdict on one entity moved, with the facts it read and its new message."""

    rule: str
    clause: str
    before: str
    after: str
    read: tuple[tuple[str, Any], ...]
    message_zh: str
    message_en: str


@attrs.frozen
class EntityChange:
    """One entity whose status, priority, rank or any verdict differs between the two sides."""

    row: int
    entity_id: str
    name: str
    programme: Programme
    status_before: Status
    status_after: Status
    priority_before: tuple[float, ...]
    priority_after: tuple[float, ...]
    rank_before: int
    rank_after: int
    moves: tuple[RuleMove, ...]

    @property
    def status_changed(self) -> bool:
        """Whether the entity's status is not the same on both sides."""
        return self.status_before is not self.status_after


@attrs.frozen
class Comparison:
    """What changing the rules does to a population: counts, and each changed entity's reasons.

    ``params`` lists (pack, parameter, value before, value after) for every parameter whose
    value in force differs between the two sides; ``transitions`` counts entities by (status
    before, status after), unchanged ones included;
    ``rule_moves`` counts entities by (rule, verdict before, verdict after) for moved verdicts
    only; ``changes`` lists every entity whose status, priority, rank in its programme (1 is
    first) or any verdict moved, in input order.
    """

    size: int
    context: str
    base: tuple[PackRef, ...]
    other: tuple[PackRef, ...]
    params: tuple[tuple[str, str, Any, Any], ...]
    transitions: Mapping[tuple[Status, Status], int]
    rule_moves: Mapping[tuple[str, str, str], int]
    changes: tuple[EntityChange, ...]

    @property
    def status_changes(self) -> tuple[EntityChange, ...]:
        """The entities whose status changed."""
        return tuple(c for c in self.changes if c.status_changed)

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON data: the stable shape of ``greenrules compare --format json``."""
        return {
            "size": self.size,
            "context": self.context,
            "base": [attrs.asdict(p) for p in self.base],
            "other": [attrs.asdict(p) for p in self.other],
            "params": [
                {"pack": pack, "name": name, "before": jsonable(a), "after": jsonable(b)}
                for pack, name, a, b in self.params
            ],
            "transitions": [
                {"before": str(a), "after": str(b), "count": n}
                for (a, b), n in self.transitions.items()
            ],
            "rule_moves": [
                {"rule": r, "before": a, "after": b, "count": n}
                for (r, a, b), n in self.rule_moves.items()
            ],
            "changes": [_change_data(c) for c in self.changes],
        }

    def render(self, lang: str = "en") -> str:
        """The comparison as text in ``zh`` or ``en``: counts first, then each change's reasons."""
        if lang not in LABELS:
            msg = "expected zh or en"
            raise InvalidInputError([InputProblem("bad-argument", ("lang",), msg, lang)])
        words = LABELS[lang]
        lines = [words["title"].format(n=self.size, context=self.context)]
        for side, refs in ((words["base"], self.base), (words["other"], self.other)):
            packs = ", ".join(f"{p.id} {p.version} ({p.digest[:12]})" for p in refs)
            lines.append(f"  {side}: {packs}")
        for pack, name, a, b in self.params:
            lines.append(f"  {pack} {name}: {jsonable(a)} -> {jsonable(b)}")
        lines.append(words["transitions"])
        for (a, b), n in self.transitions.items():
            lines.append(f"  {status_word(a, lang)} -> {status_word(b, lang)}: {n}")
        lines.append(words["rules"])
        for (rule, a, b), n in self.rule_moves.items():
            lines.append(f"  {rule}: {verdict_word(a, lang)} -> {verdict_word(b, lang)}: {n}")
        if not self.rule_moves:
            lines.append(words["none"])
        moved = self.status_changes
        kept = tuple(c for c in self.changes if not c.status_changed)
        lines.append(words["status_changes"].format(n=len(moved)))
        lines += [line for change in moved for line in _change_lines(change, lang)]
        if not moved:
            lines.append(words["none"])
        lines.append(words["other_changes"].format(n=len(kept)))
        lines += [line for change in kept for line in _change_lines(change, lang)]
        if not kept:
            lines.append(words["none"])
        return "\n".join(lines) + "\n"


def status_word(status: Status, lang: str) -> str:
    """A status in ``lang``."""
    return STATUS_WORDS[lang][status]


def verdict_word(verdict: str, lang: str) -> str:
    """A verdict's value in ``lang``, or the words for a rule one side does not have."""
    if verdict == ABSENT:
        return LABELS[lang]["absent"]
    return VERDICT_WORDS[lang][Verdict(verdict)]


def change_heading(change: EntityChange, lang: str) -> str:
    """The first line of a change: who, which programme, and how its status moved."""
    programme = PROGRAMME_WORDS[lang][change.programme]
    before = status_word(change.status_before, lang)
    after = status_word(change.status_after, lang)
    return f"{change.entity_id} {change.name} ({programme}): {before} -> {after}"


def change_detail(change: EntityChange, lang: str) -> str:
    """Priority and rank before and after, in ``lang``."""
    words = LABELS[lang]
    priority = words["priority"].format(
        a=_score(change.priority_before), b=_score(change.priority_after)
    )
    return f"{priority}; {words['rank'].format(a=change.rank_before, b=change.rank_after)}"


def move_line(move: RuleMove, lang: str) -> str:
    """One moved rule: its verdicts, the facts it read and its message after the change."""
    facts = ", ".join(f"{path} = {jsonable(value)}" for path, value in move.read)
    message = move.message_zh if lang == "zh" else move.message_en
    verdicts = f"{verdict_word(move.before, lang)} -> {verdict_word(move.after, lang)}"
    return f"{move.rule} ({move.clause}): {verdicts}; {facts or '-'}; {message}"


def _change_lines(change: EntityChange, lang: str) -> list[str]:
    lines = [f"  {change_heading(change, lang)}", f"    {change_detail(change, lang)}"]
    lines += [f"    {move_line(move, lang)}" for move in change.moves]
    return lines


def _score(score: tuple[float, ...]) -> str:
    return "/".join(f"{s:g}" for s in score) or "0"


def _change_data(change: EntityChange) -> dict[str, Any]:
    return {
        "row": change.row,
        "entity_id": change.entity_id,
        "name": change.name,
        "programme": str(change.programme),
        "status": {"before": str(change.status_before), "after": str(change.status_after)},
        "priority": {"before": list(change.priority_before), "after": list(change.priority_after)},
        "rank": {"before": change.rank_before, "after": change.rank_after},
        "rules": [
            {
                "rule": m.rule,
                "clause": m.clause,
                "before": m.before,
                "after": m.after,
                "read": {path: jsonable(value) for path, value in m.read},
                "message": {"zh": m.message_zh, "en": m.message_en},
            }
            for m in change.moves
        ],
    }
