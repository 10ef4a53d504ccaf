"""The status of a round at a date: every actor's duties, and the rules' findings between rounds.

The pack's procedure says who owes what by when; the records say what happened. This module
puts the two together for an explicit ``as_of`` day (the clock is never read). Whether a listed
unit or an agency owes a duty, must be removed, is barred or may not be used is not decided
here: each is put to the pack's own applicant rules through the evaluation engines, as the
unit or agency would appear in an application, so an applicant's decision and the round's
status agree by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from greenrules._decision.decision import Decision
from greenrules._decision.round_status import (
    ItemState,
    RoundFinding,
    RoundItem,
    RoundStatus,
    item_state,
)
from greenrules._engines.arguments import EngineName
from greenrules._evaluate import evaluate_many
from greenrules._model.entities import ENTITY_TYPES, Applicant, Factory
from greenrules._model.enums import Tier, Verdict
from greenrules._model.facts import Kind
from greenrules._model.round_records import (
    Actor,
    ListedUnit,
    RoundRecords,
)
from greenrules._model.values import (
    EvaluationAgency,
    EvaluationReport,
    EvaluationRoute,
    ListMembership,
)
from greenrules._rules import conditions as c
from greenrules._rules.packs import Pack
from greenrules._rules.procedure import Procedure, Product, Step, evidence_spec, read_evidence
from greenrules._rules.registry import Registry, default_registry
from greenrules._rules.rules import Bilingual, Rule
from greenrules.exceptions import GreenrulesError, InputProblem, InvalidInputError

PROBE_TIER = Tier.PROVINCE
"""Listed units and agencies are put to the rules of the tier the region decides."""
_FLAGGED = (Verdict.FAIL, Verdict.UNKNOWN)


def round_status(
    records: RoundRecords,
    *,
    jurisdiction: str,
    round: int,
    as_of: dt.date,
    registry: Registry | None = None,
    engine: EngineName = "native",
) -> RoundStatus:
    """The status of the round on ``as_of``: every actor's duties and the cited findings.

    Raises:
        InvalidInputError: the arguments are wrong, or the records are of another round or
            jurisdiction, or name one city, unit or agency twice.
        PackNotFoundError: no pack serves the jurisdiction and round.
        GreenrulesError: the pack declares no procedure.
    """
    _check(records, jurisdiction, round, as_of)
    registry = registry or default_registry()
    pack = registry.resolve(jurisdiction, round)[-1]
    procedure = round_procedure(pack)
    decisions = _probe_decisions(records, procedure, jurisdiction, round, as_of, registry, engine)
    items = [
        item
        for step in procedure.steps
        for item in _step_items(step, procedure, records, round, as_of, decisions)
    ]
    rules = _rules_by_id(registry, jurisdiction, round, as_of, decisions)
    findings = [
        finding
        for check in procedure.checks
        for subject, name, _ in _subjects(check.actor, records, procedure)
        if subject in decisions[check.actor]
        for finding in _findings(check, subject, name, decisions[check.actor][subject], rules)
    ]
    return RoundStatus(jurisdiction, round, as_of, pack.id, tuple(items), tuple(findings))


def round_procedure(pack: Pack) -> Procedure:
    """The pack's procedure; GreenrulesError when the pack declares none."""
    if pack.procedure is None:
        raise GreenrulesError(f"pack {pack.id} declares no round procedure (procedure.yaml)")
    return pack.procedure


def example_records(pack: Pack) -> Path:
    """The example round records the pack's procedure names; GreenrulesError if none."""
    procedure = round_procedure(pack)
    if procedure.example_records is None or pack.folder is None:
        raise GreenrulesError(f"pack {pack.id} ships no example round records")
    return pack.folder / procedure.example_records


def _check(records: Any, jurisdiction: Any, round_: Any, as_of: Any) -> None:
    problems = []
    if not isinstance(records, RoundRecords):
        msg = "expected RoundRecords (see load_round_records)"
        problems.append(InputProblem("bad-argument", ("records",), msg, type(records).__name__))
    if type(as_of) is not dt.date:
        problems.append(InputProblem("bad-argument", ("as_of",), "expected a datetime.date", as_of))
    if type(round_) is not int:
        problems.append(InputProblem("bad-argument", ("round",), "expected an int year", round_))
    if not isinstance(jurisdiction, str):
        msg = "expected a code such as 'CN-NM'"
        problems.append(InputProblem("bad-argument", ("jurisdiction",), msg, jurisdiction))
    if problems:
        raise InvalidInputError(problems)
    for field, given in (("jurisdiction", jurisdiction), ("round", round_)):
        if getattr(records, field) != given:
            msg = f"the records are of {field} {getattr(records, field)!r}, not {given!r}"
            problems.append(InputProblem("bad-argument", (field,), msg, given))
    for where, keys in (
        ("cities", [s.city for s in records.cities]),
        ("listed_units", [u.credit_code for u in records.listed_units]),
        ("agencies", [a.credit_code for a in records.agencies]),
    ):
        seen: set[str] = set()
        for index, key in enumerate(keys):
            if key in seen:
                msg = f"{key} is recorded twice; keep one record per {where[:-1]}"
                problems.append(InputProblem("duplicate-record", (where, index), msg, key))
            seen.add(key)
    if problems:
        raise InvalidInputError(problems)


def _subjects(
    actor: Actor, records: RoundRecords, procedure: Procedure
) -> Iterator[tuple[str, str, BaseModel | None]]:
    """Every subject of an actor: its id, its name and its record (None if it has none)."""
    if actor is Actor.CITY_BUREAU:
        sent = {s.city: s for s in records.cities}
        codes = [*procedure.cities, *(code for code in sent if code not in procedure.cities)]
        for code in codes:
            name = procedure.cities.get(code, Bilingual(code, code))
            yield code, name.zh, sent.get(code)
    elif actor is Actor.APPLICANT:
        for submission in records.cities:
            for entry in submission.recommended:
                yield entry.credit_code, entry.name, entry
    elif actor is Actor.REGION_DEPARTMENT:
        yield records.jurisdiction, records.jurisdiction, records.region
    elif actor is Actor.AGENCY:
        for agency in records.agencies:
            yield agency.credit_code, agency.name, agency
    else:
        for unit in records.listed_units:
            yield unit.credit_code, unit.name, unit


def _probe(actor: Actor, record: BaseModel, round_: int, as_of: dt.date) -> Applicant | None:
    """The record as the applicant the rules know, or None for actors the rules do not judge."""
    if isinstance(record, ListedUnit):
        removed = record.removed_on is not None and record.removed_on <= as_of
        membership = ListMembership(
            programme=record.programme, tier=record.tier, year=record.year, valid=not removed
        )
        filed = read_evidence(record, "forms.filed_on", round_)
        return ENTITY_TYPES[record.programme](
            credit_code=record.credit_code,
            name=record.name,
            city=record.city,
            memberships=(membership,),
            standing=record.standing,
            dynamic_form_filed_on=filed if filed is not None and filed <= as_of else None,
        )
    if isinstance(record, EvaluationAgency):
        # May the agency be used for a report issued on the evaluation date?
        report = EvaluationReport(route=EvaluationRoute.THIRD_PARTY, agency=record, issued_on=as_of)
        return Factory(credit_code=record.credit_code, name=record.name, report=report)
    return None


def _probe_decisions(
    records: RoundRecords,
    procedure: Procedure,
    jurisdiction: str,
    round_: int,
    as_of: dt.date,
    registry: Registry,
    engine: EngineName,
) -> dict[Actor, dict[str, Decision]]:
    """Each listed unit's and agency's decision as an applicant, by actor and subject."""
    keys: list[tuple[Actor, str]] = []
    probes: list[Applicant] = []
    for actor in (Actor.LISTED_UNIT, Actor.AGENCY):
        for subject, _, record in _subjects(actor, records, procedure):
            probe = None if record is None else _probe(actor, record, round_, as_of)
            if probe is not None:
                keys.append((actor, subject))
                probes.append(probe)
    out: dict[Actor, dict[str, Decision]] = {a: {} for a in Actor}
    if not probes:
        return out
    decisions = evaluate_many(
        probes,
        tier=PROBE_TIER,
        round=round_,
        jurisdiction=jurisdiction,
        as_of=as_of,
        registry=registry,
        engine=engine,
    )
    for (actor, subject), decision in zip(keys, decisions, strict=True):
        out[actor][subject] = decision
    return out


def _applies(decision: Decision | None, clauses: Sequence[str]) -> bool:
    """Whether some rule citing ``clauses`` applies to the probe (no clauses: always)."""
    if not clauses or decision is None:
        return True
    cited = [f for f in decision.findings if f.clause in clauses]
    return not cited or any(f.verdict is not Verdict.NOT_APPLICABLE for f in cited)


def _owed(step: Step, decision: Decision | None, record: BaseModel | None, round_: int) -> bool:
    """Whether the record owes a step owed only on a failed rule or a set field (else: yes)."""
    if not step.owed_if_failed and step.owed_if_set is None:
        return True
    field = step.owed_if_set
    if field is not None and record is not None and read_evidence(record, field, round_):
        return True
    return decision is not None and any(
        f.clause in step.owed_if_failed and f.verdict is Verdict.FAIL for f in decision.findings
    )


def _step_items(
    step: Step,
    procedure: Procedure,
    records: RoundRecords,
    round_: int,
    as_of: dt.date,
    decisions: Mapping[Actor, Mapping[str, Decision]],
) -> Iterator[RoundItem]:
    due = procedure.due(step, round_)
    for subject, name, record in _subjects(step.actor, records, procedure):
        decision = decisions[step.actor].get(subject)
        if not _applies(decision, step.applies_if) or not _owed(step, decision, record, round_):
            continue
        done_on = _date(record, step.evidence, round_, as_of)
        missing = []
        last = done_on
        for product in step.products:
            present, on = _product(record, product, round_, as_of)
            if not present:
                missing.append((product.id, product.summary, product.clause))
            elif on is not None and last is not None:
                last = max(last, on)
        state, days = item_state(
            due=due,
            as_of=as_of,
            recorded=record is not None,
            done_on=done_on,
            completed_on=last,
            missing=bool(missing),
        )
        shown = tuple(missing) if done_on is not None else ()
        yield RoundItem(
            step.actor,
            subject,
            name,
            step.id,
            step.clause,
            step.summary,
            state,
            due,
            done_on,
            days,
            shown if state is not ItemState.DONE else (),
        )


def _date(record: BaseModel | None, path: str, round_: int, as_of: dt.date) -> dt.date | None:
    """The evidence date if the record has one on or before ``as_of``."""
    if record is None:
        return None
    value = read_evidence(record, path, round_)
    return value if isinstance(value, dt.date) and value <= as_of else None


def _product(
    record: BaseModel | None, product: Product, round_: int, as_of: dt.date
) -> tuple[bool, dt.date | None]:
    """Whether a product is in as of ``as_of``, and the day it came in if it is dated."""
    if record is None:
        return False, None
    spec = evidence_spec(type(record), product.evidence)
    value = read_evidence(record, product.evidence, round_)
    if value is None or spec is None:
        return False, None
    if spec.kind is Kind.DATE:
        return value <= as_of, value
    if spec.kind is Kind.NUMBER and product.at_least is not None:
        return value >= product.at_least, None
    if spec.kind is Kind.LIST:
        given = {str(v) for v in value}
        return (set(product.includes) <= given if product.includes else bool(given)), None
    return value is not False, None


def _rules_by_id(
    registry: Registry,
    jurisdiction: str,
    round_: int,
    as_of: dt.date,
    decisions: Mapping[Actor, Mapping[str, Decision]],
) -> dict[str, Rule]:
    """The rules behind the probes' findings, to read how long a time-limited bar lasts."""
    programmes = {d.programme for by_subject in decisions.values() for d in by_subject.values()}
    rules: dict[str, Rule] = {}
    for programme in programmes:
        ruleset = registry.ruleset(
            jurisdiction=jurisdiction,
            round=round_,
            tier=PROBE_TIER,
            programme=programme,
            as_of=as_of,
        )
        rules.update({rule.id: rule for rule in ruleset.rules})
    return rules


def _findings(
    check: Any, subject: str, name: str, decision: Decision, rules: Mapping[str, Rule]
) -> Iterator[RoundFinding]:
    for finding in decision.findings:
        if finding.clause not in check.rules or finding.verdict not in _FLAGGED:
            continue
        until = None
        rule = rules.get(finding.rule)
        if finding.verdict is Verdict.FAIL and rule is not None:
            until = lifted_on(rule, dict(finding.read))
        yield RoundFinding(
            actor=check.actor,
            subject=subject,
            name=name,
            check=check.id,
            clause=check.clause,
            summary=check.summary,
            rule=finding.rule,
            rule_clause=finding.clause,
            verdict=finding.verdict,
            message=Bilingual(finding.message_zh, finding.message_en),
            until=until,
        )


def lifted_on(rule: Rule, read: Mapping[str, Any]) -> dt.date | None:
    """The first day a rule of the form ``fact <= as_of shifted back`` passes, or None.

    A time-limited bar is written as a date fact compared with the shifted evaluation date
    (``blacklisted_on <= as_of - 3 years``); reading the shift off the rule itself, rather than
    restating it, keeps the status and the applicant's decision the same rule.
    """
    if rule.requires is None:
        return None
    for node in c.walk(rule.requires):
        shifted = _shifted_fact_before_as_of(node, read)
        if shifted is not None:
            return shifted
        if not (
            isinstance(node, c.Compare)
            and node.op == "le"
            and isinstance(node.left, c.Fact)
            and isinstance(node.right, c.AsOf)
        ):
            continue
        value = _as_date(read.get(node.left.path))
        if value is None:
            continue
        shift = node.right
        back = c.AsOf(years=-shift.years, months=-shift.months, days=-shift.days)
        day = back.resolve(value)
        while shift.resolve(day) < value:  # month ends: step to the first day that passes
            day += dt.timedelta(days=1)
        while shift.resolve(day - dt.timedelta(days=1)) >= value:
            day -= dt.timedelta(days=1)
        return day
    return None


def _shifted_fact_before_as_of(node: Any, read: Mapping[str, Any]) -> dt.date | None:
    """For ``shift(fact) lt as_of`` (or ``le``): the first evaluation date on which it holds."""
    if not (
        isinstance(node, c.Compare)
        and node.op in ("lt", "le")
        and isinstance(node.left, c.Shift)
        and isinstance(node.left.value, c.Fact)
        and isinstance(node.right, c.AsOf)
        and (node.right.years, node.right.months, node.right.days) == (0, 0, 0)
    ):
        return None
    value = _as_date(read.get(node.left.value.path))
    end = None if value is None else node.left.apply(value)
    if end is None:
        return None
    return end + dt.timedelta(days=1) if node.op == "lt" else end


def _as_date(value: Any) -> dt.date | None:
    """A fact as read into a finding (ISO text) back as a date, or None."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


__all__ = ["example_records", "lifted_on", "round_procedure", "round_status"]
