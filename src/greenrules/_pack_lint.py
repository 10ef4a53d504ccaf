"""``greenrules check``: everything that can be said about a pack without running anyone's tests.

Loading a pack already rejects malformed files, unknown facts and uncited clauses; this goes
further, the way a reviewer would: clause coverage that does not match what the rules cite,
reference values with placeholder sources or none in force on a round's evaluation date,
dated values whose periods overlap (a later row silently wins) or leave gaps, rules never in
force, and, when the ``testing`` extra is installed, rules no input can pass or fail and pairs
of rules that exclude each other. Every problem is reported, each with a stable code (see
``docs/errors.md``); errors make the command fail, warnings only inform.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from greenrules._model.enums import Strength
from greenrules._pack_properties import PropertyRun, property_problems
from greenrules._procedure_check import procedure_problems
from greenrules._rules.packs import Pack, load_pack
from greenrules._rules.registry import Registry, default_registry
from greenrules._rules.rules import CHECKABLE_KINDS, ClauseKind, CoverageHow, Period
from greenrules._rules.stacks import installed_bases, stack_of, whole_stack
from greenrules.exceptions import GreenrulesError, PackError

ERROR, WARNING = "error", "warning"
_PLACEHOLDERS = ("todo", "tbd", "fixme", "xxx", "?", "unknown", "source")
_KIND_STRENGTH = {
    ClauseKind.HARD: Strength.MANDATORY,
    ClauseKind.IN_PRINCIPLE: Strength.IN_PRINCIPLE,
    ClauseKind.PRIORITY: Strength.PRIORITY,
}


@attrs.frozen
class CheckProblem:
    """One finding of ``greenrules check``: a stable code, a severity, where, and what."""

    code: str
    severity: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity} [{self.code}] {self.where}: {self.message}"


@attrs.frozen
class CheckReport:
    """Every problem found in one pack, errors first."""

    target: str
    problems: tuple[CheckProblem, ...]
    properties: tuple[PropertyRun, ...] = ()

    @property
    def errors(self) -> tuple[CheckProblem, ...]:
        """The problems that make the pack unfit to publish."""
        return tuple(p for p in self.problems if p.severity == ERROR)

    @property
    def warnings(self) -> tuple[CheckProblem, ...]:
        """The problems a reviewer should read but that do not fail the check."""
        return tuple(p for p in self.problems if p.severity == WARNING)

    def render(self) -> str:
        """The report as text: one line per problem, then a count."""
        lines = [f"greenrules check {self.target}"]
        lines += [f"  {p}" for p in (*self.errors, *self.warnings)]
        lines += [f"  property {r.name}: {r.outcome} ({r.seconds:.1f} s)" for r in self.properties]
        verdict = "FAILED" if self.errors else "passed"
        errors, warnings = len(self.errors), len(self.warnings)
        lines.append(
            f"{verdict}: {errors} error{'' if errors == 1 else 's'}, "
            f"{warnings} warning{'' if warnings == 1 else 's'}"
        )
        return "\n".join(lines) + "\n"


def _problem(code: str, severity: str, where: str, message: str) -> CheckProblem:
    return CheckProblem(code, severity, where, message)


def check_pack(
    target: str | Path,
    *,
    analyse: bool = True,
    per_variant: int = 4,
    properties: Sequence[str] = (),
    examples: int = 25,
) -> CheckReport:
    """Check a pack given as a folder or as an installed pack's id or jurisdiction code.

    A programme pack is checked alone, on the packs it extends; a shared pack (a jurisdiction
    names its round's shared pack) is checked with the whole stack: every programme pack of its
    jurisdiction and round that extends it, which together must cover its clauses.
    ``analyse`` runs the reachability and contradiction analyses, which sample generated
    applicants (deterministically) and need the ``testing`` extra. ``properties`` names the
    kit's property checks to run too (see ``PROPERTIES``), each with ``examples`` inputs.
    """
    problems: list[CheckProblem] = []
    installed = _registry(problems)
    pack = _resolve(target, installed, problems)
    registry = _layered(pack, installed, problems) if pack is not None else None
    if pack is not None and registry is not None and not problems:
        members = whole_stack(pack, registry)
        problems += coverage_problems(pack, members, registry)
        for member in members:
            problems += data_problems(member)
            problems += period_problems(member)
        problems += [_problem(c, ERROR, w, m) for c, w, m in procedure_problems(pack, registry)]
        if analyse:
            problems += analysis_problems(pack, registry, per_variant, members)
        found, runs = property_problems(pack, registry, properties, examples)
        problems += [_problem(*found_problem) for found_problem in found]
        return CheckReport(str(target), tuple(problems), runs)
    return CheckReport(str(target), tuple(problems))


def _registry(problems: list[CheckProblem]) -> Registry:
    try:
        return default_registry()
    except PackError as exc:
        problems += [_from_pack_problem(p) for p in exc.problems]
        return Registry()


def _from_pack_problem(problem: Any) -> CheckProblem:
    where = problem.pack + (f" rule {problem.rule}" if problem.rule else "")
    return CheckProblem(problem.code, ERROR, where, problem.message)


def _resolve(target: str | Path, registry: Registry, problems: list[CheckProblem]) -> Pack | None:
    folder = Path(target)
    if (folder / "pack.yaml").exists():
        for pack in registry.packs:
            if pack.folder is not None and pack.folder.resolve() == folder.resolve():
                return pack  # installed: loaded fresh from this folder, with its predicates
        try:
            return load_pack(folder, bases=installed_bases(folder, registry))
        except PackError as exc:
            problems += [_from_pack_problem(p) for p in exc.problems]
            return None
    found = [p for p in registry.packs if str(target) in (p.id, p.jurisdiction)]
    if str(target) not in {p.id for p in found}:  # a jurisdiction: its rounds' shared packs
        found = [p for p in found if p.shared] or found
    if not found:
        known = ", ".join(sorted({p.id for p in registry.packs})) or "none"
        problems.append(
            _problem(
                "no-such-pack",
                ERROR,
                str(target),
                f"neither a pack folder nor an installed pack (installed: {known})",
            )
        )
        return None
    return max(found, key=lambda p: max(p.rounds))


def _layered(pack: Pack, registry: Registry, problems: list[CheckProblem]) -> Registry | None:
    if any(p is pack for p in registry.packs):
        return registry
    try:
        return registry.with_pack(pack)
    except PackError as exc:
        problems += [_from_pack_problem(p) for p in exc.problems]
        return None


def coverage_problems(
    pack: Pack, members: Iterable[Pack] = (), registry: Registry | None = None
) -> list[CheckProblem]:
    """Clauses whose stated coverage does not match the rules that cite them.

    The rules are those of ``members`` (the pack, or a shared pack's whole stack); a rule's
    clause may be any of its stack's (``registry``).
    """
    members = tuple(members) or (pack,)
    own_rules = [rule for member in members for rule in member.rules]
    out = []
    cited: dict[str, list[str]] = {}
    for rule in own_rules:
        cited.setdefault(rule.clause, []).append(rule.id)
    if pack.shared:
        out += _missing_programmes(pack, members)
        for clause in pack.clauses:
            if clause.coverage.how is CoverageHow.RULES and clause.id not in cited:
                message = "coverage says rules, but no rule of the stack cites it"
                out.append(
                    _problem("uncovered-clause", ERROR, f"{pack.id} clause {clause.id}", message)
                )
    for clause in pack.clauses:
        where = f"{pack.id} clause {clause.id}"
        how = clause.coverage.how
        if clause.id in cited and how is not CoverageHow.RULES:
            rules = ", ".join(cited[clause.id])
            out.append(
                _problem(
                    "coverage-mismatch",
                    ERROR,
                    where,
                    f"coverage says {how}, but rules cite it: {rules}",
                )
            )
        if clause.kind in CHECKABLE_KINDS and how is CoverageHow.INFO:
            out.append(
                _problem(
                    "uncovered-checkable",
                    ERROR,
                    where,
                    f"a {clause.kind} clause is marked info: cover it or say why not",
                )
            )
        if how is CoverageHow.SUPPORT and not clause.coverage.by:
            out.append(
                _problem(
                    "support-unnamed",
                    ERROR,
                    where,
                    "coverage says support, but names no code in 'by'",
                )
            )
    catalogue = [c for m in members for p in stack_of(m, registry) for c in p.clauses]
    kinds = {clause.id: clause.kind for clause in (*catalogue, *pack.clauses)}
    for rule in own_rules:
        expected = _KIND_STRENGTH.get(kinds.get(rule.clause, ClauseKind.INFO))
        if expected is not None and rule.strength is not expected:
            out.append(
                _problem(
                    "strength-kind",
                    WARNING,
                    f"{pack.id} rule {rule.id}",
                    f"is {rule.strength} but cites a {kinds[rule.clause]} clause",
                )
            )
    return out


def _missing_programmes(pack: Pack, members: tuple[Pack, ...]) -> list[CheckProblem]:
    """Programmes a shared pack covers that no programme pack on it serves."""
    served = {programme for member in members[1:] for programme in member.programmes}
    return [
        _problem(
            "missing-programme-pack",
            ERROR,
            f"{pack.id} programme {programme}",
            f"the shared pack covers {programme}, but no installed {programme} pack of "
            f"{pack.jurisdiction} rounds {list(pack.rounds)} extends it",
        )
        for programme in pack.programmes
        if programme not in served
    ]


def data_problems(pack: Pack) -> list[CheckProblem]:
    """Reference values with placeholder sources, and values left empty."""
    out = []
    for name, param in pack.params.items():
        for dated in param.values:
            if _weak(dated.source):
                out.append(
                    _problem(
                        "weak-source",
                        ERROR,
                        f"{pack.id} param {name}",
                        f"value {dated.value!r} has no real source ({dated.source!r})",
                    )
                )
            if dated.value is None:
                out.append(
                    _problem(
                        "missing-value",
                        WARNING,
                        f"{pack.id} param {name}",
                        f"no value for {_period(dated.period)}",
                    )
                )
    for name, table in pack.tables.items():
        if not table.rows:
            message = "the table has no rows; supply it with Registry.with_reference"
            out.append(_problem("missing-value", WARNING, f"{pack.id} table {name}", message))
        empty: dict[str, list[str]] = {}
        for row in table.rows:
            key = str(row[table.key])
            if _weak(str(row.get("source") or "")):
                out.append(
                    _problem(
                        "weak-source",
                        ERROR,
                        f"{pack.id} table {name}[{key}]",
                        f"row has no real source ({row.get('source')!r})",
                    )
                )
            for column in table.columns:
                if row.get(column) is None:
                    empty.setdefault(column, []).append(key)
        for column, keys in empty.items():
            shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
            out.append(
                _problem(
                    "missing-value",
                    WARNING,
                    f"{pack.id} table {name}.{column}",
                    f"{len(keys)} rows have no value: {shown}",
                )
            )
    return out


def _weak(source: str) -> bool:
    text = source.strip().lower()
    return len(text) < 5 or text in _PLACEHOLDERS or text.startswith(("todo", "tbd", "fixme"))


def period_problems(pack: Pack) -> list[CheckProblem]:
    """Dated values that overlap, leave gaps, or leave a round's evaluation date uncovered."""
    out = []
    days = sorted(set(pack.evaluation_dates.values()))
    for name, param in pack.params.items():
        out += _periods(f"{pack.id} param {name}", [d.period for d in param.values], days)
    for name, table in pack.tables.items():
        by_key: dict[str, list[Period]] = {}
        for row in table.rows:
            by_key.setdefault(str(row[table.key]), []).append(
                Period(row.get("valid_from"), row.get("valid_to"))
            )
        for key, periods in by_key.items():
            out += _periods(f"{pack.id} table {name}[{key}]", periods, days, every_day=False)
    for rule in pack.rules:
        if days and not any(rule.effective.contains(day) for day in days):
            out.append(
                _problem(
                    "rule-not-in-force",
                    WARNING,
                    f"{pack.id} rule {rule.id}",
                    f"in force {_period(rule.effective)}, on none of the evaluation "
                    f"dates {', '.join(map(str, days))}",
                )
            )
    return out


def _periods(
    where: str, periods: Iterable[Period], days: list[dt.date], *, every_day: bool = True
) -> list[CheckProblem]:
    out = []
    ordered = sorted(periods, key=lambda p: p.start or dt.date.min)
    for a, b in itertools.pairwise(ordered):
        a_end = a.end or dt.date.max
        b_start = b.start or dt.date.min
        if b_start <= a_end:
            out.append(
                _problem(
                    "period-overlap",
                    ERROR,
                    where,
                    f"{_period(a)} and {_period(b)} are both in force on {b_start}",
                )
            )
        elif b_start - a_end > dt.timedelta(days=1):
            out.append(
                _problem(
                    "period-gap", WARNING, where, f"nothing in force between {a_end} and {b_start}"
                )
            )
    if every_day:
        for day in days:
            if not any(p.contains(day) for p in ordered):
                out.append(
                    _problem(
                        "uncovered-date",
                        ERROR,
                        where,
                        f"no value in force on the evaluation date {day}",
                    )
                )
    return out


def _period(period: Period) -> str:
    start = period.start.isoformat() if period.start else "the beginning"
    end = period.end.isoformat() if period.end else "open end"
    return f"from {start} to {end}"


def analysis_problems(
    pack: Pack, registry: Registry, per_variant: int, members: Iterable[Pack] = ()
) -> list[CheckProblem]:
    """Rules no generated input passes or fails, and pairs that never pass together.

    Only the rules of ``members`` (default: the pack) are reported: a base pack's rules are
    checked with the base pack.
    """
    if importlib.util.find_spec("hypothesis") is None:
        return [
            _problem(
                "analysis-skipped",
                WARNING,
                pack.id,
                "install greenrules[testing] to look for unreachable and contradictory rules",
            )
        ]
    from .testing._coverage import contradictions, observe, unreached
    from .testing._subject import subject

    out = []
    own = {rule.id for member in (*members, pack) for rule in member.rules}
    never: dict[tuple[str, str], tuple[Any, list[int]]] = {}
    for round_ in pack.rounds:
        try:
            observations = observe(
                subject(pack, round=round_, registry=registry), per_variant=per_variant
            )
        except GreenrulesError as exc:
            out.append(_problem("analysis-skipped", WARNING, pack.id, str(exc)))
            continue
        for item in unreached(observations):
            if item.rule in own:  # a base pack's rules are checked with the base pack
                kind = "blocked" if item.blocked else item.never
                never.setdefault((item.rule, kind), (item, []))[1].append(round_)
        for pair in contradictions(observations):
            if pair.first in own or pair.second in own:
                out.append(
                    _problem(
                        "contradictory-rules",
                        ERROR,
                        f"{pack.id} {round_} rules {pair.first}, {pair.second}",
                        f"never pass together in {pair.context} (both read "
                        f"{', '.join(pair.shared)})",
                    )
                )
    for (rule_id, kind), (item, rounds) in never.items():
        where = f"{pack.id} rule {rule_id}"
        contexts = "; ".join(item.contexts)
        if kind == "blocked":
            out.append(
                _problem(
                    "blocked-rule",
                    WARNING,
                    where,
                    f"can never be decided: it reads {', '.join(item.blocked)}, which has "
                    f"no value (rounds {rounds})",
                )
            )
        elif kind == "pass":
            out.append(
                _problem(
                    "unreachable-rule",
                    ERROR,
                    where,
                    f"no generated input passes it (in {contexts})",
                )
            )
        else:
            out.append(
                _problem(
                    "idle-rule", WARNING, where, f"no generated input fails it (in {contexts})"
                )
            )
    return _unique(out)


def _unique(problems: list[CheckProblem]) -> list[CheckProblem]:
    return list(dict.fromkeys(problems))


def as_data(report: CheckReport) -> Mapping[str, Any]:
    """The report as JSON data: the stable shape of ``greenrules check --format json``."""
    return {
        "target": report.target,
        "passed": not report.errors,
        "problems": [attrs.asdict(p) for p in report.problems],
        "properties": [attrs.asdict(r) for r in report.properties],
    }
