"""Reachability and contradiction: what a pack's rules do over many inputs, not on one.

A rule no input can pass makes every applicant fail it; a rule no input can fail does nothing;
two rules that never pass together on inputs both apply to make each other unsatisfiable. None
of these shows on a single input, so both checks sample each context with every kind of input
:func:`variants` offers (including, for each rule, inputs built to pass it and to fail it),
then look at the whole record. A rule whose data is missing (a parameter or reference value
with no value in force) cannot be decided at all; it is reported apart, as blocked by data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import attrs
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as Settings

from greenrules._engines.native import native_program
from greenrules._model.enums import Strength, Verdict
from greenrules._rules import conditions as c
from greenrules._rules.rules import Rule
from greenrules._rules.ruleset import RuleSet

from ._subject import Context, Subject, as_subject, variants
from ._violation import PropertyViolation, as_example

EXAMPLES_PER_VARIANT = 4
"""Inputs drawn from each kind of input in each context (random and known kinds get five times)."""


@attrs.frozen
class Outcome:
    """What one rule concluded on one input: passed, failed, or neither; and the points."""

    passed: bool
    failed: bool
    decided: bool


@attrs.frozen
class Observations:
    """Per context, each sampled input with every rule's outcome on it."""

    records: dict[Context, list[tuple[Any, dict[str, Outcome]]]]


def _outcome(rule: Rule, verdict: Verdict, points: float) -> Outcome:
    if rule.score is not None:  # a score always passes when known: it is "met" when it scores
        known = verdict is Verdict.PASS
        return Outcome(known and points > 0, known and points == 0, known)
    passed = verdict is Verdict.PASS
    failed = verdict in (Verdict.FAIL, Verdict.WAIVED)
    return Outcome(passed, failed, passed or failed)


def observe(of: Subject | Any, *, per_variant: int = EXAMPLES_PER_VARIANT) -> Observations:
    """Sample every context of a subject with every kind of input, deterministically."""
    subject = as_subject(of)
    records: dict[Context, list[tuple[Any, dict[str, Outcome]]]] = {}
    for ctx in subject.contexts:
        rules = {r.id: r for r in ctx.ruleset.rules}
        seen: list[tuple[Any, dict[str, Outcome]]] = []
        for name, strategy in variants(ctx.ruleset).items():
            count = per_variant * (1 if ":" in name else 5)
            _sample(subject, ctx, rules, strategy, count, seen)
        records[ctx] = seen
    return Observations(records)


def _sample(
    subject: Subject,
    ctx: Context,
    rules: dict[str, Rule],
    strategy: Any,
    count: int,
    seen: list[tuple[Any, dict[str, Outcome]]],
) -> None:
    """Evaluate ``count`` inputs of ``strategy`` (the same ones on every run) into ``seen``."""

    @Settings(
        max_examples=count,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def sample(entity: Any) -> None:
        verdicts, points = run(entity)
        outcomes = {
            r: _outcome(rules[r], v, p)
            for r, v, p in zip(ctx.ruleset.rule_ids, verdicts, points, strict=True)
        }
        seen.append((entity, outcomes))

    # The native program alone: reachability is about the rules, and decisions cost more.
    run = native_program(ctx.ruleset).interpreted.run

    sample()


def blocked_by_data(rule: Rule, ruleset: RuleSet) -> list[str]:
    """The parameters and fixed reference values a rule reads that have no value in force."""
    out = []
    for node in rule.nodes():
        for part in c.walk(node):
            if isinstance(part, c.Param) and ruleset.params.get(part.name) is None:
                out.append(f"param:{part.name}")
            elif isinstance(part, c.Lookup) and isinstance(part.key, c.Constant):
                row = ruleset.tables.get(part.table, {}).get(part.key.value)
                if row is None or row.get(part.column) is None:
                    out.append(f"ref:{part.table}[{part.key.value}].{part.column}")
    return out


@attrs.frozen
class Unreached:
    """A rule that sampling never saw pass, or never saw fail, in any context it is in."""

    rule: str
    never: str  # "pass" or "fail"
    contexts: tuple[str, ...]
    blocked: tuple[str, ...] = ()


def unreached(observations: Observations) -> list[Unreached]:
    """Rules never seen passing or never seen failing (a score rule: scoring, or scoring 0)."""
    passed: dict[str, bool] = {}
    failed: dict[str, bool] = {}
    where: dict[str, list[str]] = {}
    blocked: dict[str, list[str]] = {}
    for ctx, rows in observations.records.items():
        for rule in ctx.ruleset.rules:
            where.setdefault(rule.id, []).append(ctx.describe())
            blocked.setdefault(rule.id, []).extend(blocked_by_data(rule, ctx.ruleset))
            passed.setdefault(rule.id, False)
            failed.setdefault(rule.id, False)
        for _entity, outcomes in rows:
            for rule_id, outcome in outcomes.items():
                passed[rule_id] = passed[rule_id] or outcome.passed
                failed[rule_id] = failed[rule_id] or outcome.failed
    out = []
    for rule_id in where:
        for never, seen in (("pass", passed[rule_id]), ("fail", failed[rule_id])):
            if not seen:
                data = tuple(dict.fromkeys(blocked[rule_id]))
                out.append(Unreached(rule_id, never, tuple(where[rule_id]), data))
    return out


@attrs.frozen
class Contradiction:
    """Two rules that both passed on some inputs, but never on the same one where both applied."""

    first: str
    second: str
    context: str
    shared: tuple[str, ...]
    first_only: Any  # an input where the first passed and the second failed
    second_only: Any


def contradictions(observations: Observations) -> list[Contradiction]:
    """Pairs of requirement rules reading a common fact that were never satisfied together."""
    out = []
    for ctx, rows in observations.records.items():
        rules = [r for r in ctx.ruleset.rules if r.strength is not Strength.PRIORITY]
        reads = {r.id: set(r.reads()) for r in rules}
        for i, a in enumerate(rules):
            for b in rules[i + 1 :]:
                shared = reads[a.id] & reads[b.id]
                if not shared:
                    continue
                found = _pair(rows, a.id, b.id)
                if found is not None:
                    out.append(
                        Contradiction(
                            a.id, b.id, ctx.describe(), tuple(sorted(shared)), found[0], found[1]
                        )
                    )
    return out


def _pair(rows: list[tuple[Any, dict[str, Outcome]]], a: str, b: str) -> tuple[Any, Any] | None:
    only_a = only_b = None
    for entity, outcomes in rows:
        oa, ob = outcomes.get(a), outcomes.get(b)
        if oa is None or ob is None or not (oa.decided and ob.decided):
            continue
        if oa.passed and ob.passed:
            return None
        if oa.passed and only_a is None:
            only_a = entity
        if ob.passed and only_b is None:
            only_b = entity
    if only_a is None or only_b is None:
        return None
    return only_a, only_b


def _lines(items: Iterator[str]) -> list[str]:
    return list(items)


def check_reachability(
    of: Subject | Any, *, per_variant: int = EXAMPLES_PER_VARIANT, allow_blocked: bool = True
) -> None:
    """Every rule passes on some generated input and fails on another.

    A rule that never passes rejects everyone; one that never fails checks nothing; both are
    usually a typo (``lt`` for ``gt``, a wrong enum value, ``applies_if`` equal to
    ``requires``). Rules whose parameters or fixed reference values are missing cannot be
    decided by anyone; with ``allow_blocked`` (the default) they are not counted as failures.
    """
    found = unreached(observe(of, per_variant=per_variant))
    bad = [u for u in found if not (allow_blocked and u.blocked)]
    if bad:
        raise PropertyViolation(
            "reachability",
            as_subject(of).pack.id,
            _lines(
                f"rule {u.rule} never {'passed' if u.never == 'pass' else 'failed'} "
                f"(in {'; '.join(u.contexts)})"
                for u in bad
            ),
        )


def check_no_contradictions(of: Subject | Any, *, per_variant: int = EXAMPLES_PER_VARIANT) -> None:
    """No two requirement rules reading a common fact exclude each other.

    Two rules contradict when each passes on some inputs both apply to, yet never both on the
    same one: no applicant can meet the pair. The counter-example shows one input for each side.
    """
    found = contradictions(observe(of, per_variant=per_variant))
    if found:
        first = found[0]
        raise PropertyViolation(
            "no contradictions",
            first.context,
            [
                *(
                    f"rules {x.first} and {x.second} (both read {', '.join(x.shared)}) never "
                    f"pass together in {x.context}"
                    for x in found
                ),
                f"{first.first} passes and {first.second} fails on the counter-example; the "
                "reverse holds on: "
                + json.dumps(as_example(first.second_only), ensure_ascii=False, sort_keys=True),
            ],
            as_example(first.first_only),
        )
