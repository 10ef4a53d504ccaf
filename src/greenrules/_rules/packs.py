"""A criteria pack: one jurisdiction's rules for some rounds, with its clauses and reference data.

:func:`load_pack` reads a pack folder and checks it completely before anything can use it: every
file against its schema, every rule's conditions against the entity model, every cited clause
against the pack's own catalogue. All problems are gathered into one :class:`PackError`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pydantic

from greenrules._model.entities import ENTITY_TYPES
from greenrules._model.enums import Programme, Strength, Tier
from greenrules._model.facts import fact_schema, resolve
from greenrules._rules import conditions as c
from greenrules._rules import typecheck
from greenrules._rules.pack_files import (
    BilingualData,
    ClauseFile,
    PackData,
    ParamFile,
    RuleData,
    RuleFile,
)
from greenrules._rules.pack_yaml import Problems, parse_file, read_yaml
from greenrules._rules.procedure import Procedure, ProcedureFile, build_procedure
from greenrules._rules.reference import (
    DatedValue,
    Parameter,
    ReferenceTable,
    read_only,
    read_table,
)
from greenrules._rules.rules import Bilingual, Clause, Coverage, CoverageHow, Period, Rule
from greenrules._rules.table_invariants import as_problems, parse_invariants
from greenrules.exceptions import PackError, PackProblem


@attrs.frozen
class Predicate:
    """A named Python predicate a pack registers where data cannot express a condition.

    ``fn`` takes the entity and returns True, False or None (unknown); ``reads`` lists the fact
    paths it looks at, so that analysis, missing facts and the other engines stay exact.
    ``vectorised`` optionally takes a polars frame of those facts and returns a boolean series;
    without it the columnar engine runs the predicate row by row and says so.
    """

    name: str
    fn: Callable[[Any], bool | None]
    reads: tuple[str, ...]
    vectorised: Callable[[Any], Any] | None = None


@attrs.frozen
class Closure:
    """A programme the pack's rounds do not open at one tier, with the clause that says so.

    An evaluation there is refused (:class:`~greenrules.PackNotFoundError` naming the clause),
    also for every pack that builds on this one in those rounds: a regional pack cannot open
    what the national authority did not.
    """

    programme: Programme
    tier: Tier
    clause: str
    reason: Bilingual


@attrs.frozen
class Base:
    """A pack that another extends: its id, and its round when it is not the extending pack's.

    A round that amends an earlier one (MIIT's yearly notice on the standing measures) builds on
    that round's pack instead of copying it.
    """

    pack: str
    round: int | None = None

    def __str__(self) -> str:
        return self.pack if self.round is None else f"{self.pack}@{self.round}"


@attrs.frozen
class Pack:
    """A validated criteria pack. Build one with :func:`load_pack`.

    A programme pack serves its ``programmes`` for a jurisdiction and its rounds; a ``shared``
    pack serves none alone: it holds what the programme packs of its document share (clauses,
    parameters, reference tables, the procedure) and they extend it. ``bases`` are the packs
    this one extends, layered in their order below it.

    Its mappings are read-only views: a pack is what its digest says, so changing a parameter
    or a table goes through :meth:`with_table` or ``Registry.with_reference``, which re-digest.
    """

    id: str
    version: str
    jurisdiction: str
    rounds: tuple[int, ...]
    name: Bilingual
    source_title: str
    evaluation_dates: Mapping[int, dt.date] = attrs.field(converter=read_only)
    programmes: tuple[Programme, ...]
    tiers: tuple[Tier, ...]
    bases: tuple[Base, ...]
    neutralizes: Mapping[str, str] = attrs.field(converter=read_only)
    closed: tuple[Closure, ...]
    clauses: tuple[Clause, ...]
    rules: tuple[Rule, ...]
    params: Mapping[str, Parameter] = attrs.field(converter=read_only)
    tables: Mapping[str, ReferenceTable] = attrs.field(converter=read_only)
    predicates: Mapping[str, Predicate] = attrs.field(converter=read_only)
    folder: Path | None
    digest: str
    procedure: Procedure | None = None
    priority_levels: Mapping[tuple[Programme, int], Bilingual] = attrs.field(
        factory=dict, converter=read_only
    )
    """What each priority level (programme, order) means, from the rule files' words."""
    shared: bool = False

    def clause(self, clause_id: str) -> Clause:
        """The clause with this id; LookupError if the catalogue has none."""
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        raise LookupError(f"pack {self.id} has no clause {clause_id}")

    def with_table(self, table: ReferenceTable) -> Pack:
        """A copy using ``table`` in place of the one of the same name (an official table).

        The new table is held to the old one's declared invariants; each violation is a
        ``table-invariant`` problem and nothing is replaced. The round procedure is built again
        on the new tables, so a replaced calendar moves its deadlines; a table that breaks the
        procedure is a PackError, as at load.
        """
        if table.name not in self.tables:
            raise PackError([PackProblem("unknown-table", self.id, f"no table {table.name!r}")])
        old = self.tables[table.name]
        if set(old.columns) - set(table.columns):
            missing = sorted(set(old.columns) - set(table.columns))
            raise PackError([PackProblem("table-columns", self.id, f"table lacks {missing}")])
        table = attrs.evolve(table, invariants=old.invariants)
        broken = as_problems(self.id, table.violations())
        if broken:
            raise PackError(broken)
        tables = {**self.tables, table.name: table}
        digest = hashlib.sha256(f"{self.digest}|{table.name}|{table.digest}".encode()).hexdigest()
        procedure = self.procedure
        if procedure is not None and procedure.data is not None:  # its deadlines and cities
            problems = Problems(self.id)
            clauses = (clause.id for clause in self.clauses)
            procedure = build_procedure(procedure.data, clauses, tables, problems.add)
            problems.raise_if_any()
        return attrs.evolve(self, tables=tables, digest=digest, procedure=procedure)


def _bilingual(data: BilingualData) -> Bilingual:
    return Bilingual(data.zh, data.en)


def load_pack(
    folder: str | Path, *, predicates: Iterable[Predicate] = (), bases: Iterable[Pack] = ()
) -> Pack:
    """Read and validate the pack in ``folder``; raise :class:`PackError` listing every problem.

    ``bases`` are packs below this one whose clauses, parameters, tables and predicates its
    rules may use (a programme pack's shared pack, with the packs that one extends): the
    rules are checked against them, never against copies.
    """
    folder = Path(folder)
    problems = Problems(folder.name)
    raw = read_yaml(folder / "pack.yaml", problems)
    meta: PackData | None = parse_file(PackData, raw, "pack.yaml", problems)
    problems.raise_if_any()
    assert meta is not None
    problems.pack = meta.id
    below = tuple(bases)
    named = {p.name: p for p in predicates}
    seen_predicates = {n: p for b in below for n, p in b.predicates.items()} | named
    clauses = _load_clauses(folder, problems, required=not meta.extends)
    params = _load_params(folder, problems)
    tables = _load_tables(folder, meta, problems)
    scope = _Scope(
        {n: p.kind for b in (*below,) for n, p in b.params.items()}
        | {n: p.kind for n, p in params.items()},
        {n: t.columns for b in below for n, t in b.tables.items()}
        | {n: t.columns for n, t in tables.items()},
        seen_predicates,
    )
    rules, cited, levels = _load_rules(folder, meta, problems, scope)
    base_clauses = tuple(cl for b in below for cl in b.clauses)
    _check_consistency(meta, clauses, base_clauses, rules, cited, problems)
    procedure = _load_procedure(folder, clauses, tables, problems)
    problems.raise_if_any()
    return Pack(
        id=meta.id,
        version=meta.version,
        jurisdiction=meta.jurisdiction,
        rounds=tuple(meta.rounds),
        name=_bilingual(meta.name),
        source_title=meta.source.title,
        evaluation_dates=dict(meta.evaluation_dates),
        programmes=tuple(meta.programmes),
        tiers=tuple(meta.tiers),
        bases=_bases(meta),
        neutralizes={n.rule: n.reason for n in meta.neutralizes},
        closed=tuple(
            Closure(c.programme, c.tier, c.clause, _bilingual(c.reason)) for c in meta.closed
        ),
        clauses=clauses,
        rules=rules,
        params=params,
        tables=tables,
        predicates=named,
        folder=folder,
        digest=_digest(folder, {Path(spec.file) for spec in meta.tables.values()}),
        procedure=procedure,
        priority_levels=levels,
        shared=meta.shared,
    )


def _bases(meta: PackData) -> tuple[Base, ...]:
    """The ``extends`` of ``pack.yaml`` as bases: ``id@round``, else ``extends_round``, else own."""
    names = [meta.extends] if isinstance(meta.extends, str) else list(meta.extends or [])
    out = []
    for name in names:
        pack, _, round_ = name.partition("@")
        out.append(Base(pack, int(round_) if round_ else meta.extends_round))
    return tuple(out)


@attrs.frozen
class _Scope:
    """The names a pack's rules may use: its own and its bases' parameters, tables, predicates."""

    params: Mapping[str, Any]
    tables: Mapping[str, Mapping[str, Any]]
    predicates: Mapping[str, Predicate]


def _load_procedure(
    folder: Path,
    clauses: tuple[Clause, ...],
    tables: Mapping[str, ReferenceTable],
    problems: Problems,
) -> Procedure | None:
    """The round's procedure when the pack declares one (``procedure.yaml``), checked."""
    path = folder / "procedure.yaml"
    if not path.exists():
        return None
    parsed: ProcedureFile | None = parse_file(
        ProcedureFile, read_yaml(path, problems), path.name, problems
    )
    if parsed is None:
        return None
    return build_procedure(parsed.procedure, (cl.id for cl in clauses), tables, problems.add)


def _digest(folder: Path, tables: set[Path]) -> str:
    """The hash of every file that can change a decision: YAML, CSV and every table file."""
    sha = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        data = path.suffix in (".yaml", ".csv") and "cases" not in relative.parts
        if path.is_file() and (data or relative in tables):
            sha.update(str(relative).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def _load_clauses(folder: Path, problems: Problems, *, required: bool) -> tuple[Clause, ...]:
    """The pack's own catalogue; a pack that extends others may cite theirs and have none."""
    if not required and not (folder / "clauses.yaml").exists():
        return ()
    data = read_yaml(folder / "clauses.yaml", problems)
    parsed: ClauseFile | None = parse_file(ClauseFile, data, "clauses.yaml", problems)
    if parsed is None:
        return ()
    out = []
    for item in parsed.clauses:
        coverage = Coverage(item.coverage.how, item.coverage.note, tuple(item.coverage.by))
        out.append(Clause(item.id, item.kind, item.section, _bilingual(item.summary), coverage))
    return tuple(out)


def _load_params(folder: Path, problems: Problems) -> dict[str, Parameter]:
    path = folder / "params.yaml"
    if not path.exists():
        return {}
    parsed: ParamFile | None = parse_file(ParamFile, read_yaml(path, problems), path.name, problems)
    if parsed is None:
        return {}
    out = {}
    for name, data in parsed.params.items():
        values = []
        for item in data.values:
            problem = c.constant_problem(item.value)
            if problem:
                problems.add("param-kind", f"parameter {name}: {problem}")
            elif c.literal_kind(item.value) is not data.kind:
                problems.add("param-kind", f"parameter {name}: {item.value!r} is not a {data.kind}")
            period = Period(item.from_, item.to)
            values.append(DatedValue(item.value, period, item.source, item.confidence))
        out[name] = Parameter(name, data.kind, tuple(values), data.description)
    return out


def _load_tables(folder: Path, meta: PackData, problems: Problems) -> dict[str, ReferenceTable]:
    out = {}
    inside = folder.resolve()
    for name, spec in meta.tables.items():
        path = folder / spec.file
        if not path.resolve().is_relative_to(inside):
            msg = f"table {name}: {spec.file} is outside the pack folder; tables live inside it"
            problems.add("bad-table", msg)
            continue
        invariants, malformed = parse_invariants(name, spec.invariants, spec.columns)
        for message in malformed:
            problems.add("bad-table", message)
        try:
            text = path.read_text(encoding="utf-8-sig")
            table = read_table(name, spec.key, spec.columns, text, spec.file, invariants)
        except (OSError, ValueError, csv.Error) as exc:  # UnicodeDecodeError is a ValueError
            problems.add("bad-table", f"table {name}: {exc}")
            continue
        problems.items += as_problems(problems.pack, table.violations())
        out[name] = table
    return out


def _load_rules(
    folder: Path, meta: PackData, problems: Problems, names: _Scope
) -> tuple[tuple[Rule, ...], set[str], dict[tuple[Programme, int], Bilingual]]:
    """The rules that built, every clause a rule cites (built or not), the levels' words.

    A shared pack, or one that only adjusts its bases (neutralizes, closes), may have none.
    """
    rules: list[Rule] = []
    cited: set[str] = set()
    levels: dict[tuple[Programme, int], Bilingual] = {}
    reads = {name: p.reads for name, p in names.predicates.items()}
    files = sorted((folder / "rules").glob("*.yaml"))
    if not files and not (meta.shared or meta.extends):
        problems.add("no-rules", "the pack has no rules/*.yaml file")
    for path in files:
        data = read_yaml(path, problems)
        parsed: RuleFile | None = parse_file(RuleFile, data, f"rules/{path.name}", problems)
        if parsed is None:
            continue
        for order, words in parsed.priority_levels.items():
            levels[parsed.programme, order] = _bilingual(words)
        model = ENTITY_TYPES[parsed.programme]
        scope = typecheck.NameScope(
            facts=fact_schema(model),
            params=dict(names.params),
            tables=dict(names.tables),
            predicates=frozenset(names.predicates),
        )
        for item in parsed.rules:
            cited.add(item.clause)
            rule = _build_rule(item, parsed.programme, model, scope, reads, problems)
            if rule is not None:
                rules.append(rule)
    return tuple(rules), cited, levels


def _build_rule(
    item: RuleData,
    programme: Programme,
    model: type[pydantic.BaseModel],
    scope: typecheck.NameScope,
    reads: Mapping[str, tuple[str, ...]],
    problems: Problems,
) -> Rule | None:
    try:
        requires = c.parse(item.requires, "requires") if item.requires is not None else None
        applies = c.parse(item.applies_if, "applies_if") if item.applies_if is not None else None
        score = c.parse_value(item.score, "score") if item.score is not None else None
        for cond, where in ((requires, "requires"), (applies, "applies_if")):
            if cond is not None:
                typecheck.check(cond, scope, where)
        if score is not None:
            typecheck.check(c.Compare(score, "ge", c.Constant(0)), scope, "score")
        requires, applies, score = (
            None if node is None else c.bind_predicates(node, reads)
            for node in (requires, applies, score)
        )
    except c.ConditionError as exc:
        problems.add("bad-condition", str(exc), item.id)
        return None
    if item.strength is Strength.PRIORITY:
        if (requires is None) == (score is None):
            problems.add("priority-shape", "a priority rule has requires or score", item.id)
    elif requires is None or score is not None:
        problems.add("rule-shape", "a mandatory or in-principle rule has requires only", item.id)
    if item.on_fail is not None and item.strength is not Strength.MANDATORY:
        problems.add("rule-shape", "only a mandatory rule chooses on_fail", item.id)
    for path in item.monotone:
        if resolve(model, path) is None:
            problems.add("bad-monotone", f"monotone names unknown fact {path!r}", item.id)
    return Rule(
        id=item.id,
        clause=item.clause,
        programme=programme,
        tiers=frozenset(item.tiers),
        strength=item.strength,
        summary=_bilingual(item.summary),
        requires=requires,
        applies_if=applies,
        on_fail=item.on_fail,
        score=score,
        points=item.points,
        order=item.order,
        effective=Period(item.effective.from_, item.effective.to),
        replaces=tuple(item.replaces),
        monotone=tuple(item.monotone.items()),
    )


def _check_consistency(
    meta: PackData,
    clauses: tuple[Clause, ...],
    base_clauses: tuple[Clause, ...],
    rules: tuple[Rule, ...],
    cited: set[str],
    problems: Problems,
) -> None:
    seen: set[str] = set()
    for clause in clauses:
        if clause.id in seen:
            problems.add("duplicate-clause", f"clause {clause.id} appears twice")
        seen.add(clause.id)
    catalogue = {cl.id: cl for cl in (*base_clauses, *clauses)}
    ids: set[str] = set()
    for rule in rules:
        if rule.id in ids:
            problems.add("duplicate-rule", "rule id appears twice", rule.id)
        ids.add(rule.id)
        if rule.clause not in catalogue:
            msg = f"cites {rule.clause}, not in clauses.yaml nor its bases'"
            problems.add("unknown-clause", msg, rule.id)
        if rule.programme not in meta.programmes:
            problems.add("programme", f"programme {rule.programme} is not the pack's", rule.id)
        if not rule.tiers <= set(meta.tiers):
            problems.add("tier", f"tiers {sorted(rule.tiers)} exceed {meta.tiers}", rule.id)
        start, end = rule.effective.start, rule.effective.end
        if start and end and end < start:
            problems.add("period", "effective period ends before it starts", rule.id)
    for clause in () if meta.shared else clauses:  # a shared pack's clauses: checked on stacks
        if clause.coverage.how is CoverageHow.RULES and clause.id not in cited:
            problems.add("uncovered-clause", f"clause {clause.id} says rules cover it; none do")
        if clause.coverage.how is CoverageHow.NOT_CHECKABLE and not clause.coverage.note:
            problems.add("coverage-note", f"clause {clause.id} is not checkable: say why")
    for round_ in meta.rounds:
        if round_ not in meta.evaluation_dates:
            problems.add("round", f"round {round_} has no evaluation date")
    if meta.extends_round is not None and meta.extends is None:
        problems.add("bad-schema", "pack.yaml: extends_round names a round of no base (no extends)")
    for closed in meta.closed:
        where = f"closed {closed.programme} at tier {closed.tier}"
        if closed.clause not in catalogue:
            problems.add("bad-closure", f"{where} cites {closed.clause}, not in clauses.yaml")
        if closed.programme not in meta.programmes or closed.tier not in meta.tiers:
            problems.add("bad-closure", f"{where}: not a programme and tier of the pack")
