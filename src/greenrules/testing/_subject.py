"""What a property check examines: a pack as its users get it, and the inputs aimed at it.

A check must see a pack layered exactly as evaluations will (its base packs, its overrides), so
it works on a registry: the installed one, or the installed one with a pack folder that is not
installed yet put in place of the pack it replaces. A :class:`Subject` lists every evaluation
context (tier x programme) the pack serves, each with its rule set and the applicants aimed at
it by :func:`applicants_for`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from greenrules._model.entities import ENTITY_TYPES, Applicant
from greenrules._model.enums import Programme, Tier
from greenrules._rules.packs import Pack
from greenrules._rules.registry import Registry, default_registry
from greenrules._rules.ruleset import RuleSet

from ._fields import Options, model_strategy
from ._targets import targets
from ._witness import combine, failing_witnesses, passing_witnesses, witness_pins


@attrs.frozen
class Context:
    """One evaluation context of a subject: a tier, a programme and the rules in force there."""

    tier: Tier
    programme: Programme
    ruleset: RuleSet = attrs.field(repr=False)

    def describe(self) -> str:
        """A short name for messages, e.g. ``CN-NM 2025, tier province, factory``."""
        rs = self.ruleset
        return f"{rs.jurisdiction} {rs.round}, tier {self.tier}, {self.programme}"


@attrs.frozen
class Subject:
    """A jurisdiction and round in a registry, with every context its top pack serves."""

    registry: Registry = attrs.field(repr=False)
    jurisdiction: str
    round: int
    pack: Pack = attrs.field(repr=False)
    contexts: tuple[Context, ...]

    def context(self, tier: Tier | str, programme: Programme | str) -> Context:
        """The context of one tier and programme; LookupError when the pack has no rules there."""
        for ctx in self.contexts:
            if ctx.tier == Tier(tier) and ctx.programme == Programme(programme):
                return ctx
        raise LookupError(f"{self.pack.id} has no rules for tier {tier}, programme {programme}")


def subject(
    of: Pack | str,
    *,
    round: int | None = None,
    registry: Registry | None = None,
    tiers: Iterable[Tier | str] | None = None,
    programmes: Iterable[Programme | str] | None = None,
) -> Subject:
    """What to check: a pack (installed or just loaded) or a jurisdiction code such as ``CN-NM``.

    Args:
        of: a :class:`~greenrules.Pack` (one loaded from a folder replaces the installed pack
            it would clash with: the same id, or the same programme of its jurisdiction, so a
            pack can be checked before it is installed) or a jurisdiction code resolved in the
            registry (its latest round's shared pack, so every programme is checked).
        round: the round to check (default: the pack's latest).
        registry: where base packs come from (default: every installed pack).
        tiers: restrict the tiers checked (default: every tier the pack serves).
        programmes: restrict the programmes checked (default: every one the pack serves).
    """
    registry = registry if registry is not None else default_registry()
    if isinstance(of, Pack):
        pack = of
        if not any(p is of for p in registry.packs):
            registry = registry.with_pack(of)
    elif isinstance(of, str):
        found = [p for p in registry.packs if p.jurisdiction == of]
        if round is not None:
            found = [p for p in found if round in p.rounds]
        if not found:
            raise InvalidArgument(f"no registered pack serves of={of!r} (round={round!r})")
        pack = max(found, key=lambda p: (max(p.rounds), p.shared))  # a round: its shared pack
    else:
        raise InvalidArgument(f"Expected a Pack or a jurisdiction code but got of={of!r}")
    round_ = round if round is not None else max(pack.rounds)
    if round_ not in pack.rounds:
        raise InvalidArgument(f"{pack.id} does not serve round={round_!r}")
    wanted_tiers = {Tier(t) for t in tiers} if tiers is not None else set(pack.tiers)
    wanted_programmes = (
        {Programme(p) for p in programmes} if programmes is not None else set(pack.programmes)
    )
    contexts = []
    for tier in pack.tiers:
        for programme in pack.programmes:
            if tier not in wanted_tiers or programme not in wanted_programmes:
                continue
            closure = registry.closure(
                jurisdiction=pack.jurisdiction, round=round_, tier=tier, programme=programme
            )
            if closure is not None:
                continue  # the round does not open it: nothing to check there
            ruleset = registry.ruleset(
                jurisdiction=pack.jurisdiction, round=round_, tier=tier, programme=programme
            )
            if ruleset.rules:
                contexts.append(Context(tier, programme, ruleset))
    if not contexts:
        raise InvalidArgument(f"{pack.id} has no rules in the tiers and programmes asked for")
    return Subject(registry, pack.jurisdiction, round_, pack, tuple(contexts))


def as_subject(of: Subject | Pack | str) -> Subject:
    """A subject from what a check was given."""
    return of if isinstance(of, Subject) else subject(of)


def applicants_for(ruleset: RuleSet) -> st.SearchStrategy[Applicant]:
    """Applicants aimed at one rule set, mixing kinds of input that each find other bugs.

    Random applicants with unknown facts; applicants with every fact known; applicants built
    from witnesses so that every rule passes that can; and, for each rule in turn, applicants
    that pass it or fail it while the others pass. All of them aim at the rule set's thresholds.
    """
    kinds = variants(ruleset)
    per_rule = [s for name, s in kinds.items() if ":" in name]
    plain = [s for name, s in kinds.items() if ":" not in name]
    if not per_rule:
        return st.one_of(plain)
    # flatmap keeps the per-rule variants one branch, so they do not crowd out the others.
    return st.one_of(*plain, st.sampled_from(per_rule).flatmap(lambda chosen: chosen))


def variants(ruleset: RuleSet) -> dict[str, st.SearchStrategy[Applicant]]:
    """The kinds of input :func:`applicants_for` mixes, by name.

    They are ``random``, ``known``, ``passing``, and ``pass:<rule>`` / ``fail:<rule>`` for each
    rule a witness was found for.
    """
    model = ENTITY_TYPES[ruleset.programme]
    aimed = targets(ruleset)

    def build(pins: dict[str, Any], missing: bool) -> st.SearchStrategy[Any]:
        return model_strategy(model, Options(pins, missing, aimed))

    def item(item_model: Any, pins: dict[str, Any]) -> st.SearchStrategy[Any]:
        return model_strategy(item_model, Options(pins, False, aimed))

    passing = passing_witnesses(ruleset, model)
    failing = failing_witnesses(ruleset, model)
    out = {
        "random": build({}, True),
        "known": build({}, False),
        "passing": build(witness_pins(combine(passing), model, item), False),
    }
    for rule_id in ruleset.rule_ids:
        for kind, own in (("pass", passing.get(rule_id)), ("fail", failing.get(rule_id))):
            if own is not None:
                witness = combine(passing, first=own, leave_out=rule_id)
                out[f"{kind}:{rule_id}"] = build(witness_pins(witness, model, item), False)
    return out
