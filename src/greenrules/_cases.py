"""Pack cases: worked examples a pack ships, each an input with the decision it must produce.

A case file is ``cases/*.yaml`` inside a pack folder::

    cases:
      - name: key water user without certificate becomes a cultivation object
        tier: province
        round: 2030            # optional: the pack's first round
        as_of: 2030-05-30      # optional: the pack's evaluation date for the round
        agencies: []           # optional: agencies a report names by credit code
        entity: {programme: factory, credit_code: ..., name: ..., ...}
        expect:
          status: cultivate
          verdicts: {X-F-water: fail}             # only the rules listed are compared
          clauses: [X-2.1]                        # cited by findings that applied
          missing: []                             # optional, exact
          review_required: false                  # optional
          priority: [0.0]                         # optional, exact score

Unknown keys are errors. A failing case reports a diff of expected and actual, rule by rule.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs
import pydantic
import yaml

from greenrules._decision.decision import Decision
from greenrules._evaluate import evaluate
from greenrules._io.loaders import parse_entities
from greenrules._model.enums import Status, Tier, Verdict
from greenrules._rules.packs import Pack
from greenrules._rules.registry import Registry
from greenrules.exceptions import InputProblem, InvalidInputError


class _Strict(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)


class Expectation(_Strict):
    """What a case expects of its decision; fields left out are not compared."""

    status: Status
    verdicts: dict[str, Verdict] = {}
    clauses: list[str] = []
    missing: list[str] | None = None
    review_required: bool | None = None
    priority: list[float] | None = None


class Case(_Strict):
    """One worked example: an entity, the evaluation context and the expected decision."""

    name: str = pydantic.Field(min_length=1)
    tier: Tier
    round: int | None = None
    as_of: dt.date | None = None
    agencies: list[dict[str, Any]] = []
    entity: dict[str, Any]
    expect: Expectation


class CaseFile(_Strict):
    """A ``cases/*.yaml`` file."""

    cases: list[Case] = pydantic.Field(min_length=1)


def read_cases(path: str | Path) -> list[Case]:
    """Parse and validate a case file; InvalidInputError lists every problem with its place."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        parsed = CaseFile.model_validate(data)
    except yaml.YAMLError as exc:
        msg = f"not valid YAML: {exc}".replace("\n", " ")
        raise InvalidInputError([InputProblem("bad-yaml", (), msg)], source=str(path)) from None
    except pydantic.ValidationError as exc:
        raise InvalidInputError(
            [
                InputProblem("bad-case", tuple(e["loc"]), e["msg"], e.get("input"))
                for e in exc.errors(include_url=False)
            ],
            source=str(path),
        ) from None
    names = [c.name for c in parsed.cases]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        msg = f"case names repeat: {dupes}"
        raise InvalidInputError([InputProblem("bad-case", ("cases",), msg)], source=str(path))
    return parsed.cases


@attrs.frozen
class CaseResult:
    """The outcome of running one case: the decision and each difference from the expectation."""

    case: Case
    decision: Decision
    differences: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Whether the decision matched every expectation."""
        return not self.differences


def run_case(case: Case, pack: Pack, registry: Registry) -> CaseResult:
    """Evaluate a case against ``pack`` (as layered in ``registry``) and compare."""
    (entity,) = parse_entities([case.entity], case.agencies, source=case.name)
    decision = evaluate(
        entity,
        tier=case.tier,
        round=case.round if case.round is not None else pack.rounds[0],
        jurisdiction=pack.jurisdiction,
        as_of=case.as_of,
        registry=registry,
    )
    return CaseResult(case, decision, tuple(compare(case.expect, decision)))


def compare(expect: Expectation, decision: Decision) -> list[str]:
    """A diff of an expectation against a decision, empty when they agree.

    Lines read like a unified diff: ``-`` what the case expects, ``+`` what the decision has,
    two spaces for expectations that held (so the reader sees the context of a failure). After
    the diff come the findings of the rules involved, with the facts each rule read, because
    "expected pass, got fail" is only useful next to the value that made it fail.
    """
    lines: list[str] = []
    wrong = False

    def same(label: str, value: Any) -> None:
        lines.append(f"  {label}: {value}")

    def differ(label: str, expected: Any, actual: Any) -> None:
        nonlocal wrong
        wrong = True
        lines.append(f"- {label}: {expected}")
        lines.append(f"+ {label}: {actual}")

    if decision.status is expect.status:
        same("status", expect.status)
    else:
        differ("status", expect.status, decision.status)
    actual = dict(zip(decision.rule_ids, decision.verdicts, strict=True))
    involved = []
    for rule, verdict in expect.verdicts.items():
        got = actual.get(rule)
        if got is verdict:
            same(f"verdict {rule}", verdict)
            continue
        shown = "(no such rule in this rule set)" if got is None else got
        differ(f"verdict {rule}", verdict, shown)
        involved.append(rule)
    cited = {f.clause for f in decision.findings if f.verdict is not Verdict.NOT_APPLICABLE}
    for clause in expect.clauses:
        if clause in cited:
            same("cites", clause)
        else:
            differ("cites", clause, "(no applicable finding cites it)")
    optional: tuple[tuple[str, Any, Any, Any], ...] = (
        ("missing", expect.missing, list(decision.missing), sorted(expect.missing or ())),
        (
            "review_required",
            expect.review_required,
            decision.review_required,
            expect.review_required,
        ),
        ("priority", expect.priority, list(decision.priority.score), expect.priority),
    )
    for label, given, has, wanted in optional:
        if given is None:
            continue
        if has == wanted:
            same(label, wanted)
        else:
            differ(label, wanted, has)
    if not wrong:
        return []
    if decision.status is not expect.status:
        involved += [
            r
            for r, v in actual.items()
            if v in (Verdict.FAIL, Verdict.UNKNOWN, Verdict.WAIVED) and r not in involved
        ]
    lines.append("findings of the rules involved:")
    for finding in decision.findings:
        if finding.rule in involved:
            read = ", ".join(f"{path}={value!r}" for path, value in finding.read) or "nothing"
            lines.append(f"  [{finding.clause}] {finding.rule}: {finding.verdict} (read {read})")
    if decision.missing:
        lines.append("missing facts: " + ", ".join(decision.missing))
    return lines
