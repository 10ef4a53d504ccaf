"""Property checks a maintainer calls from a test: each runs Hypothesis over a pack's contexts.

Every check takes what to check (a :class:`Subject`, a :class:`~greenrules.Pack` or a
jurisdiction code) and optional Hypothesis ``settings``; it returns None when the property held
on every generated input and raises :class:`PropertyViolation` with a shrunk counter-example
when it did not. Inputs come from :func:`applicants_for`, so they aim at the pack's thresholds
and include applicants that pass, and that fail, each rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as Settings
from hypothesis import strategies as st

from greenrules._decision.decision import Decision
from greenrules._engines.arguments import EngineName
from greenrules._evaluate import evaluate, evaluate_many
from greenrules._model.entities import Applicant
from greenrules._model.enums import Status, Strength, Tier, Verdict
from greenrules._model.values import Waiver
from greenrules._rules.packs import Pack
from greenrules._rules.rules import CoverageHow, Direction

from ._improve import CannotImprove, candidates, improve, read
from ._order import VERDICT_RANK, no_worse, outcome_range
from ._subject import Context, Subject, applicants_for, as_subject
from ._targets import targets
from ._violation import PropertyViolation, as_example, verdict_lines

DEFAULT_EXAMPLES = 150
"""Examples per check unless ``settings`` says otherwise: enough to meet every rule's witness."""

Checked = Subject | Pack | str


def _settings(settings: Settings | None) -> Settings:
    if settings is not None:
        return settings
    return Settings(
        max_examples=DEFAULT_EXAMPLES,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


def _run(
    settings: Settings | None, strategy: st.SearchStrategy[Any], body: Callable[..., None]
) -> None:
    test = _settings(settings)(given(strategy)(body))
    test()


def _inputs(subject: Subject, contexts: Iterable[Context] | None = None) -> st.SearchStrategy[Any]:
    """(context, applicant) pairs; drawn as the context's name, so failures print short."""
    chosen = tuple(contexts if contexts is not None else subject.contexts)
    pairs = [st.tuples(st.just(ctx.describe()), applicants_for(ctx.ruleset)) for ctx in chosen]
    return st.one_of(pairs)


def _context(subject: Subject, name: str) -> Context:
    return next(ctx for ctx in subject.contexts if ctx.describe() == name)


def _decide(
    subject: Subject, ctx: Context, entity: Applicant, engine: EngineName = "native"
) -> Decision:
    return evaluate(
        entity,
        tier=ctx.tier,
        round=subject.round,
        jurisdiction=subject.jurisdiction,
        registry=subject.registry,
        engine=engine,
    )


def _comparable(decision: Decision) -> dict[str, Any]:
    data = decision.to_dict()
    data["provenance"].pop("engine")
    return data


def check_determinism(
    of: Checked, *, engines: Iterable[EngineName] = ("native",), settings: Settings | None = None
) -> None:
    """The same input always gives the same decision, alone or in a batch, in any order.

    Each generated batch is evaluated one by one twice, as a batch, as a reversed batch and by
    every engine in ``engines``; all decisions must be equal (provenance's engine name aside).
    Pass ``engines=("native", "rete", "columnar")`` to test the engines against each other.
    """
    subject = as_subject(of)
    engines = tuple(engines)

    def body(ctx_and_batch: tuple[str, list[Applicant]]) -> None:
        name, batch = ctx_and_batch
        ctx = _context(subject, name)
        first = [_comparable(_decide(subject, ctx, e)) for e in batch]
        runs: dict[str, list[dict[str, Any]]] = {
            "again": [_comparable(_decide(subject, ctx, e)) for e in batch]
        }
        kwargs: dict[str, Any] = {
            "tier": ctx.tier,
            "round": subject.round,
            "jurisdiction": subject.jurisdiction,
            "registry": subject.registry,
        }
        for engine in engines:
            decisions = evaluate_many(batch, engine=engine, **kwargs)
            runs[f"batch ({engine})"] = [_comparable(d) for d in decisions]
        reverse = evaluate_many(batch[::-1], **kwargs)[::-1]
        runs["reversed batch"] = [_comparable(d) for d in reverse]
        for how, got in runs.items():
            for entity, expected, actual in zip(batch, first, got, strict=True):
                if expected != actual:
                    diff = [
                        f"{key}: {expected[key]!r} then {actual[key]!r}"
                        for key in expected
                        if expected[key] != actual[key]
                    ]
                    raise PropertyViolation(
                        "determinism",
                        ctx.describe(),
                        [f"evaluated alone, then {how}, the decisions differ:", *diff],
                        as_example(entity),
                    )

    batches = [
        st.tuples(
            st.just(ctx.describe()),
            st.lists(
                applicants_for(ctx.ruleset),
                min_size=1,
                max_size=4,
                unique_by=lambda e: e.credit_code,
            ),
        )
        for ctx in subject.contexts
    ]
    _run(settings, st.one_of(batches), body)


def check_monotonicity(of: Checked, *, settings: Settings | None = None) -> None:
    """Improving a fact in the direction a rule declares never makes that rule's result worse.

    For each ``monotone`` declaration, a generated applicant's fact is moved a step the good
    way (often across the rule's own thresholds): the rule's verdict must not drop (fail <
    unknown < pass) and its priority points must not fall. When every rule reading the fact
    declares the same direction, the status range and the priority must not get worse either.
    """
    subject = as_subject(of)
    declared = {
        f"{ctx.describe()}: {rule.id} declares {path} {direction}": (ctx, rule, path, direction)
        for ctx in subject.contexts
        for rule in ctx.ruleset.rules
        for path, direction in rule.monotone
    }
    if not declared:
        return
    inputs = {ctx: applicants_for(ctx.ruleset) for ctx in subject.contexts}

    def body(data: st.DataObject) -> None:
        label = data.draw(st.sampled_from(sorted(declared)), label="declaration")
        ctx, rule, path, direction = declared[label]
        entity = data.draw(inputs[ctx], label="applicant")
        index = data.draw(st.integers(0, 7), label="item")

        def choose(n: int) -> int:
            return index % n

        old = read(entity, path, choose)
        aimed = targets(ctx.ruleset).values.get(path, ())
        try:
            new = data.draw(candidates(direction, old, aimed), label="better value")
            better_entity = improve(entity, path, lambda _: new, choose)
            assert isinstance(better_entity, Applicant)
        except CannotImprove:
            return
        before, after = _decide(subject, ctx, entity), _decide(subject, ctx, better_entity)
        problems = _monotone_problems(ctx, rule.id, path, direction, entity, before, after)
        if problems:
            raise PropertyViolation(
                "monotonicity",
                ctx.describe(),
                [
                    f"rule {rule.id} declares {path} {direction}, but moving it from "
                    f"{old!r} to {new!r} made things worse:",
                    *problems,
                ],
                as_example(entity),
            )

    _run(settings, st.data(), body)


def _monotone_problems(
    ctx: Context,
    rule_id: str,
    path: str,
    direction: Direction,
    entity: Applicant,
    before: Decision,
    after: Decision,
) -> list[str]:
    problems = []
    if rule_id in before.rule_ids and rule_id in after.rule_ids:
        a, b = before.verdict(rule_id), after.verdict(rule_id)
        if VERDICT_RANK[b] < VERDICT_RANK[a]:
            problems.append(f"rule {rule_id}: {a} became {b}")
        pa = next(f.points for f in before.findings if f.rule == rule_id)
        pb = next(f.points for f in after.findings if f.rule == rule_id)
        if pb < pa:
            problems.append(f"rule {rule_id}: {pa:g} priority points became {pb:g}")
    readers = [r for r in ctx.ruleset.rules if path in r.reads()]
    if all((path, direction) in r.monotone for r in readers):
        waived = frozenset(w.rule for w in entity.waivers)
        old, new = (
            outcome_range(before, ctx.ruleset, waived),
            outcome_range(after, ctx.ruleset, waived),
        )
        if not no_worse(old, new):
            problems.append(f"status {before.status} became {after.status}")
        if after.priority.score < before.priority.score:
            problems.append(f"priority {before.priority.score} fell to {after.priority.score}")
    if problems:
        problems += verdict_lines(before, after, ("before", "after"))
    return problems


def check_tier_nesting(
    of: Checked,
    *,
    upper: Tier | str = Tier.NATIONAL,
    lower: Tier | str = Tier.PROVINCE,
    settings: Settings | None = None,
) -> None:
    """An applicant eligible at ``upper`` is already on a valid ``lower`` list of its programme.

    National candidates are chosen from the region's list, so a pack that would recommend (or
    make a cultivation object of) someone at national tier who is not region-listed is wrong.
    The check also fails when no generated applicant was ever eligible at ``upper``: a property
    that was never exercised proves nothing.
    """
    subject = as_subject(of)
    upper, lower = Tier(upper), Tier(lower)
    contexts = [ctx for ctx in subject.contexts if ctx.tier is upper]
    if not contexts:
        raise PropertyViolation("tier nesting", subject.pack.id, [f"the pack has no {upper} tier"])
    eligible = [0]

    def body(ctx_and_entity: tuple[str, Applicant]) -> None:
        name, entity = ctx_and_entity
        ctx = _context(subject, name)
        decision = _decide(subject, ctx, entity)
        if decision.status not in (Status.RECOMMEND, Status.CULTIVATE):
            return
        eligible[0] += 1
        listed = any(
            m.tier is lower and m.programme is ctx.programme and m.valid
            for m in entity.memberships or ()
        )
        if not listed:
            raise PropertyViolation(
                "tier nesting",
                ctx.describe(),
                [
                    f"the applicant is {decision.status} at {upper} tier but has no valid "
                    f"{lower} {ctx.programme} listing",
                    *(
                        f"rule {r}: {v}"
                        for r, v in zip(decision.rule_ids, decision.verdicts, strict=True)
                    ),
                ],
                as_example(entity),
            )

    _run(settings, _inputs(subject, contexts), body)
    if eligible[0] == 0:
        raise PropertyViolation(
            "tier nesting",
            ", ".join(ctx.describe() for ctx in contexts),
            [f"no generated applicant was eligible at {upper} tier, so nothing was checked"],
        )


def check_waiver_soundness(of: Checked, *, settings: Settings | None = None) -> None:
    """A waiver only turns an in-principle fail into ``waived``; removing one never helps.

    Each generated applicant is evaluated as it is, without the waivers for each rule it names,
    and with an added waiver for each rule it fails. The only verdict allowed to change is the
    waived rule's, between ``fail`` and ``waived``, and only for an in-principle rule; priority
    points must not change; removing waivers must not improve the status; ``review_required``
    must be set exactly when some verdict is ``waived``.
    """
    subject = as_subject(of)

    def body(ctx_and_entity: tuple[str, Applicant]) -> None:
        name, entity = ctx_and_entity
        ctx = _context(subject, name)
        decision = _decide(subject, ctx, entity)
        strengths = {r.id: r.strength for r in ctx.ruleset.rules}
        named = frozenset(w.rule for w in entity.waivers)
        problems = []
        for rule_id, verdict in zip(decision.rule_ids, decision.verdicts, strict=True):
            if verdict is Verdict.WAIVED and (
                strengths[rule_id] is not Strength.IN_PRINCIPLE or rule_id not in named
            ):
                problems.append(f"rule {rule_id} ({strengths[rule_id]}) is waived")
        if decision.review_required != (Verdict.WAIVED in decision.verdicts):
            problems.append(f"review_required is {decision.review_required}")
        for rule_id in sorted(named):
            rest = tuple(w for w in entity.waivers if w.rule != rule_id)
            without = _decide(subject, ctx, entity.model_copy(update={"waivers": rest}))
            problems += _waiver_changes(ctx, rule_id, decision, without, "removing")
            if not no_worse(
                outcome_range(without, ctx.ruleset, frozenset(w.rule for w in rest)),
                outcome_range(decision, ctx.ruleset, named),
            ):
                problems.append(
                    f"removing the waiver for {rule_id} improved the status: "
                    f"{decision.status} -> {without.status}"
                )
        failed = [
            r
            for r, v in zip(decision.rule_ids, decision.verdicts, strict=True)
            if v is Verdict.FAIL
        ]
        for rule_id in failed:
            extra = Waiver(rule=rule_id, justification=_JUSTIFICATION)
            added = entity.model_copy(update={"waivers": (*entity.waivers, extra)})
            problems += _waiver_changes(
                ctx, rule_id, _decide(subject, ctx, added), decision, "adding"
            )
        if problems:
            raise PropertyViolation(
                "waiver soundness", ctx.describe(), problems, as_example(entity)
            )

    _run(settings, _inputs(subject), body)


_JUSTIFICATION = "A written justification added by the waiver soundness check."


def _waiver_changes(
    ctx: Context, rule_id: str, waived: Decision, unwaived: Decision, how: str
) -> list[str]:
    """What differs between decisions with and without the waivers for ``rule_id``, wrongly."""
    problems = []
    strength = next((r.strength for r in ctx.ruleset.rules if r.id == rule_id), None)
    for other in dict.fromkeys((*waived.rule_ids, *unwaived.rule_ids)):
        a = waived.verdict(other) if other in waived.rule_ids else None
        b = unwaived.verdict(other) if other in unwaived.rule_ids else None
        allowed = (
            other == rule_id
            and strength is Strength.IN_PRINCIPLE
            and (a, b) == (Verdict.WAIVED, Verdict.FAIL)
        )
        if a != b and not allowed:
            problems.append(
                f"{how} the waiver for {rule_id} changed rule {other}: "
                + (f"{b} -> {a}" if how == "adding" else f"{a} -> {b}")
            )
    if [f.points for f in waived.findings] != [f.points for f in unwaived.findings]:
        problems.append(f"{how} the waiver for {rule_id} changed priority points")
    return problems


def check_citations(of: Checked, *, settings: Settings | None = None) -> None:
    """Every finding cites its rule's clause, from the pack stack's catalogue, covered by rules.

    The clause must exist in the catalogue of the pack stack and its coverage must say that
    rules cover it: a rule citing a clause marked ``not_checkable`` or ``info`` means either the
    rule or the catalogue is wrong, and reviewers reading the catalogue would be misled.
    """
    subject = as_subject(of)

    def body(ctx_and_entity: tuple[str, Applicant]) -> None:
        name, entity = ctx_and_entity
        ctx = _context(subject, name)
        decision = _decide(subject, ctx, entity)
        rules = {r.id: r for r in ctx.ruleset.rules}
        problems = []
        for finding in decision.findings:
            clause = ctx.ruleset.clauses.get(finding.clause)
            rule = rules.get(finding.rule)
            if rule is None or rule.clause != finding.clause:
                problems.append(
                    f"finding of {finding.rule} cites {finding.clause}, not its rule's clause"
                )
            elif clause is None:
                problems.append(
                    f"rule {finding.rule} cites {finding.clause}, absent from the catalogue"
                )
            elif clause.coverage.how is not CoverageHow.RULES:
                problems.append(
                    f"rule {finding.rule} cites {clause.id}, "
                    f"whose coverage says {clause.coverage.how}"
                )
        if problems:
            raise PropertyViolation("citations", ctx.describe(), problems, as_example(entity))

    _run(settings, _inputs(subject), body)
