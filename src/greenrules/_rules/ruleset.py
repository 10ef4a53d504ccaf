"""The rules that apply to one programme at one tier, round and date, with their data resolved.

A :class:`RuleSet` is what every engine compiles: the layered pack stack already flattened
(replacements and neutralizations applied), parameters and reference tables already resolved
for the evaluation date, so engines never deal with layering or dates themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from greenrules._model.enums import Programme, Strength, Tier
from greenrules._rules import conditions as c
from greenrules._rules.packs import Pack, Predicate
from greenrules._rules.rules import Bilingual, Clause, PriorityLevel, Rule


@attrs.frozen
class PackRef:
    """Which pack contributed to a decision, exactly: id, version and content digest."""

    id: str
    version: str
    digest: str


@attrs.frozen(cache_hash=True)
class RuleSet:
    """Rules of a pack stack for one (jurisdiction, round, tier, programme, as_of)."""

    jurisdiction: str
    round: int
    tier: Tier
    programme: Programme
    as_of: dt.date
    rules: tuple[Rule, ...]
    packs: tuple[PackRef, ...]
    clauses: Mapping[str, Clause] = attrs.field(eq=False, repr=False)
    params: Mapping[str, Any] = attrs.field(eq=False, repr=False)
    tables: Mapping[str, Mapping[str, Mapping[str, Any]]] = attrs.field(eq=False, repr=False)
    predicates: Mapping[str, Predicate] = attrs.field(eq=False, repr=False)
    neutralized: Mapping[str, str] = attrs.field(eq=False, repr=False)
    levels: tuple[PriorityLevel, ...] = attrs.field(default=(), eq=False, repr=False)
    """What each priority level means, most significant first (one per distinct ``order``)."""
    programs: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False, init=False)
    """Each engine's program for this rule set, made once and kept with it."""

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The rule ids in evaluation order."""
        return tuple(rule.id for rule in self.rules)


def build_ruleset(
    stack: tuple[Pack, ...], round_: int, tier: Tier, programme: Programme, as_of: dt.date
) -> RuleSet:
    """Flatten a pack stack (base first) into the rules in force on ``as_of``."""
    rules: dict[str, Rule] = {}
    neutralized: dict[str, str] = {}
    clauses: dict[str, Clause] = {}
    params: dict[str, Any] = {}
    tables: dict[str, Mapping[str, Mapping[str, Any]]] = {}
    predicates: dict[str, Predicate] = {}
    words: dict[int, Bilingual] = {}

    def in_force(rule: Rule) -> bool:
        return rule.programme is programme and tier in rule.tiers and rule.effective.contains(as_of)

    for pack in stack:
        for rule_id, reason in pack.neutralizes.items():
            rules.pop(rule_id, None)
            neutralized[rule_id] = f"{pack.id}: {reason}"
        for rule in pack.rules:
            if not in_force(rule):
                continue  # a replacement out of force here leaves the base rule standing
            for old in rule.replaces:
                rules.pop(old, None)
            rules[rule.id] = rule
        clauses.update({clause.id: clause for clause in pack.clauses})
        params.update({name: p.at(as_of) for name, p in pack.params.items()})
        tables.update({name: t.at(as_of) for name, t in pack.tables.items()})
        predicates.update(pack.predicates)
        words.update(
            {order: text for (of, order), text in pack.priority_levels.items() if of is programme}
        )
    selected = tuple(_with_keys(rule, tables) for rule in rules.values())
    top = stack[-1]
    return RuleSet(
        jurisdiction=top.jurisdiction,
        round=round_,
        tier=tier,
        programme=programme,
        as_of=as_of,
        rules=selected,
        packs=tuple(PackRef(p.id, p.version, p.digest) for p in stack),
        clauses=clauses,
        params=params,
        tables=tables,
        predicates=predicates,
        neutralized=neutralized,
        levels=priority_levels(selected, words),
    )


def priority_levels(
    rules: tuple[Rule, ...], words: Mapping[int, Bilingual]
) -> tuple[PriorityLevel, ...]:
    """One level per distinct priority ``order``, in the pack's words.

    A level the packs give no words for is described by its rules' summaries, joined.
    """
    by_order: dict[int, list[Rule]] = {}
    for rule in rules:
        if rule.strength is Strength.PRIORITY:
            by_order.setdefault(rule.order, []).append(rule)
    out = []
    for order in sorted(by_order):
        members = by_order[order]
        text = words.get(order) or Bilingual(
            "；".join(r.summary.zh for r in members), "; ".join(r.summary.en for r in members)
        )
        out.append(PriorityLevel(order, text.zh, text.en, tuple(r.id for r in members)))
    return tuple(out)


def _with_keys(rule: Rule, tables: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> Rule:
    """The rule with its ``{keys: TABLE}`` operands resolved to the keys in force."""
    if not any(isinstance(n, c.Keys) for root in rule.nodes() for n in c.walk(root)):
        return rule
    return attrs.evolve(
        rule,
        requires=c.resolve_keys(rule.requires, tables),
        applies_if=c.resolve_keys(rule.applies_if, tables),
        score=c.resolve_keys(rule.score, tables),
    )
