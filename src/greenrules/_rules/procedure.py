"""A round's procedure as pack data: who does what, by which deadline, citing which clause.

The core knows no step of any notice. A pack's ``procedure.yaml`` lists the steps of its round
(each with an actor, the record field that shows it was done, the products it must deliver, a
deadline named in the pack's round calendar, the steps it follows and its clause) and the
checks that reuse applicant rules on listed units and agencies. It is parsed strictly and
checked when the pack loads: every deadline is known, every clause is in the catalogue, every
evidence path is a field of the actor's record, and every step can be reached and done on time
after the steps it follows. See ``docs/reference/procedure-format.md``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
from pydantic import BaseModel, ConfigDict, Field

from greenrules._model.facts import FactSpec, Kind, fact_schema
from greenrules._model.round_records import RECORD_TYPES, Actor
from greenrules._rules.pack_files import BilingualData
from greenrules._rules.reference import ReferenceTable
from greenrules._rules.rules import Bilingual

YEAR_FIELD = "year"
"""A list an evidence path crosses is read at the item whose ``year`` is the round's."""
CALENDAR_COLUMNS = ("month", "day", "clause")


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeadlineData(_Data):
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    clause: str
    source: str = Field(min_length=1)


class ProductData(_Data):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    summary: BilingualData
    evidence: str
    clause: str | None = None
    at_least: int | None = None
    includes: list[str] = []


class StepData(_Data):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    actor: Actor
    clause: str
    summary: BilingualData
    evidence: str
    deadline: str | None = None
    no_deadline: str = ""
    after: list[str] = []
    products: list[ProductData] = []
    applies_if: list[str] = []
    owed_if_failed: list[str] = []
    owed_if_set: str | None = None


class CheckData(_Data):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    actor: Actor
    clause: str
    summary: BilingualData
    rules: list[str] = Field(min_length=1)


class ProcedureData(_Data):
    calendar: str
    cities: str | None = None
    example_records: str | None = None
    deadlines: dict[str, DeadlineData] = {}
    steps: list[StepData] = Field(min_length=1)
    checks: list[CheckData] = []


class ProcedureFile(_Data):
    procedure: ProcedureData


@attrs.frozen
class RoundDeadline:
    """A named deadline of the round calendar: month and day, the clause, where it is read."""

    name: str
    month: int
    day: int
    clause: str
    source: str

    def on(self, round_: int) -> dt.date:
        """The deadline's date in the round's year."""
        return dt.date(round_, self.month, self.day)


@attrs.frozen
class Product:
    """Something a step must deliver, present when its evidence field is set (and enough)."""

    id: str
    summary: Bilingual
    evidence: str
    clause: str | None
    at_least: int | None
    includes: tuple[str, ...]


@attrs.frozen
class Step:
    """One duty of the round: an actor does it, a record field dates it, a clause imposes it.

    ``applies_if`` names clauses of applicant rules: the step is owed only by the records those
    rules apply to (evaluated through the engines); empty, every record of the actor owes it.
    ``owed_if_failed`` names clauses too, and ``owed_if_set`` a record field: when either is
    given the step is owed only by the records a rule citing those clauses fails for (a removal
    condition met), or whose field is set (a unit already removed owes the announcement).
    """

    id: str
    actor: Actor
    clause: str
    summary: Bilingual
    evidence: str
    deadline: str | None
    no_deadline: str
    after: tuple[str, ...]
    products: tuple[Product, ...]
    applies_if: tuple[str, ...]
    owed_if_failed: tuple[str, ...] = ()
    owed_if_set: str | None = None


@attrs.frozen
class Check:
    """A condition on an actor judged by the applicant rules citing ``rules`` (clause ids)."""

    id: str
    actor: Actor
    clause: str
    summary: Bilingual
    rules: tuple[str, ...]


@attrs.frozen
class Procedure:
    """A round's procedure: its steps in file order, its checks, and its deadlines by name."""

    steps: tuple[Step, ...]
    checks: tuple[Check, ...]
    deadlines: Mapping[str, RoundDeadline]
    example_records: str | None
    cities: Mapping[str, Bilingual] = attrs.field(factory=dict)
    """The cities that owe the city steps, by division code, with their names."""
    data: ProcedureData | None = attrs.field(default=None, eq=False, repr=False)
    """The declaration it was built from, to build it again on replaced tables."""

    def step(self, step_id: str) -> Step:
        """The step with this id; LookupError if there is none."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise LookupError(f"the procedure has no step {step_id!r}")

    def due(self, step: Step, round_: int) -> dt.date | None:
        """The step's deadline in ``round_``, or None when the source sets no date."""
        return None if step.deadline is None else self.deadlines[step.deadline].on(round_)


Report = Callable[[str, str], None]
"""Where problems go: ``report(code, message)``."""


def build_procedure(
    data: ProcedureData,
    clauses: Iterable[str],
    tables: Mapping[str, ReferenceTable],
    report: Report,
) -> Procedure | None:
    """The procedure ``data`` describes, or None after reporting every problem found in it."""
    problems = _Tally(report)
    catalogue = set(clauses)
    deadlines = _deadlines(data, tables, catalogue, problems)
    steps = tuple(_step(item, catalogue, deadlines, problems) for item in data.steps)
    checks = tuple(
        Check(item.id, item.actor, item.clause, _bi(item.summary), tuple(item.rules))
        for item in data.checks
    )
    for check in checks:
        if check.clause not in catalogue:
            problems.add(
                "procedure-clause", f"check {check.id} cites {check.clause}, not in clauses.yaml"
            )
    _check_ids([s.id for s in steps] + [c.id for c in checks], problems)
    _check_order(steps, deadlines, problems)
    cities = _cities(data.cities, tables, problems)
    if problems.count:
        return None
    return Procedure(steps, checks, deadlines, data.example_records, cities, data)


def _cities(
    name: str | None, tables: Mapping[str, ReferenceTable], problems: _Tally
) -> dict[str, Bilingual]:
    if name is None:
        return {}
    table = tables.get(name)
    if table is None:
        problems.add("procedure-calendar", f"cities names table {name!r}; the pack has none")
        return {}
    out = {}
    for row in table.rows:
        code = str(row[table.key])
        zh = str(row.get("name_zh") or code)
        out[code] = Bilingual(zh, str(row.get("name_en") or zh))
    return out


class _Tally:
    """Forwards problems to the caller's report and counts them."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.count = 0

    def add(self, code: str, message: str) -> None:
        self.count += 1
        self.report(code, f"procedure.yaml: {message}")


def _bi(data: BilingualData) -> Bilingual:
    return Bilingual(data.zh, data.en)


def _deadlines(
    data: ProcedureData,
    tables: Mapping[str, ReferenceTable],
    catalogue: set[str],
    problems: _Tally,
) -> dict[str, RoundDeadline]:
    out: dict[str, RoundDeadline] = {}
    table = tables.get(data.calendar)
    if table is None:
        problems.add(
            "procedure-calendar", f"calendar names table {data.calendar!r}; the pack has none"
        )
    elif missing := [c for c in CALENDAR_COLUMNS if c not in table.columns]:
        problems.add("procedure-calendar", f"calendar table {table.name} lacks columns {missing}")
    else:
        for row in table.rows:
            name = str(row[table.key])
            try:
                out[name] = RoundDeadline(
                    name, int(row["month"]), int(row["day"]), str(row["clause"]), table.origin
                )
                out[name].on(2000)  # a leap year: only an impossible month and day fail
            except (TypeError, ValueError) as exc:
                problems.add("procedure-calendar", f"calendar row {name!r} is not a date: {exc}")
                out.pop(name, None)
    for name, item in data.deadlines.items():
        if name in out:
            problems.add("procedure-deadline", f"deadline {name!r} is declared and in the calendar")
        out[name] = RoundDeadline(name, item.month, item.day, item.clause, item.source)
    for deadline in out.values():
        if deadline.clause not in catalogue:
            problems.add("procedure-clause", f"deadline {deadline.name} cites {deadline.clause}")
    return out


def _step(
    item: StepData, catalogue: set[str], deadlines: Mapping[str, RoundDeadline], problems: _Tally
) -> Step:
    where = f"step {item.id}"
    if item.clause not in catalogue:
        problems.add("procedure-clause", f"{where} cites {item.clause}, not in clauses.yaml")
    if item.deadline is not None and item.deadline not in deadlines:
        known = sorted(deadlines)
        problems.add(
            "procedure-deadline", f"{where}: deadline {item.deadline!r} unknown; known {known}"
        )
    if item.deadline is None and len(item.no_deadline.strip()) < 10:
        problems.add("procedure-deadline", f"{where} has no deadline: say why in no_deadline")
    model = RECORD_TYPES[item.actor]
    spec = evidence_spec(model, item.evidence)
    if spec is None or spec.kind is not Kind.DATE:
        problems.add(
            "procedure-evidence", f"{where}: evidence {item.evidence!r} is not a date field"
        )
    if item.owed_if_set is not None and evidence_spec(model, item.owed_if_set) is None:
        problems.add(
            "procedure-evidence", f"{where}: owed_if_set {item.owed_if_set!r} is not a field"
        )
    products = []
    for product in item.products:
        _check_product(product, model, catalogue, f"{where} product {product.id}", problems)
        products.append(
            Product(
                product.id,
                _bi(product.summary),
                product.evidence,
                product.clause,
                product.at_least,
                tuple(product.includes),
            )
        )
    return Step(
        id=item.id,
        actor=item.actor,
        clause=item.clause,
        summary=_bi(item.summary),
        evidence=item.evidence,
        deadline=item.deadline,
        no_deadline=item.no_deadline,
        after=tuple(item.after),
        products=tuple(products),
        applies_if=tuple(item.applies_if),
        owed_if_failed=tuple(item.owed_if_failed),
        owed_if_set=item.owed_if_set,
    )


def _check_product(
    product: ProductData, model: type[BaseModel], catalogue: set[str], where: str, problems: _Tally
) -> None:
    if product.clause is not None and product.clause not in catalogue:
        problems.add("procedure-clause", f"{where} cites {product.clause}, not in clauses.yaml")
    spec = evidence_spec(model, product.evidence)
    if spec is None:
        problems.add(
            "procedure-evidence", f"{where}: no field {product.evidence!r} in {model.__name__}"
        )
        return
    if product.at_least is not None and spec.kind is not Kind.NUMBER:
        problems.add("procedure-evidence", f"{where}: at_least needs a number field")
    if product.includes:
        choices = _item_choices(spec)
        if choices is None or set(product.includes) - set(choices):
            problems.add("procedure-evidence", f"{where}: includes needs a list of {choices}")


def _item_choices(spec: FactSpec) -> tuple[str, ...] | None:
    item: Any = spec.item
    if spec.kind is Kind.LIST and isinstance(item, type) and issubclass(item, enum.Enum):
        return tuple(str(m.value) for m in item)
    return None


def evidence_spec(model: type[BaseModel], path: str) -> FactSpec | None:
    """The field an evidence path names, crossing a list only at its item of the round's year."""
    schema = fact_schema(model)
    parts = path.split(".")
    for i in range(1, len(parts)):
        spec = schema.get(".".join(parts[:i]))
        if spec is not None and spec.kind is Kind.LIST and spec.item is not None:
            if not issubclass(spec.item, BaseModel) or YEAR_FIELD not in spec.item.model_fields:
                return None
            return evidence_spec(spec.item, ".".join(parts[i:]))
    return schema.get(path)


def read_evidence(record: BaseModel, path: str, round_: int) -> Any:
    """The value at ``path`` in ``record`` (None if absent); a list is read at the round's year."""
    value: Any = record
    for name in path.split("."):
        if isinstance(value, tuple):
            value = next((i for i in value if getattr(i, YEAR_FIELD, None) == round_), None)
        if value is None:
            return None
        value = getattr(value, name)
    return value


def _check_ids(ids: list[str], problems: _Tally) -> None:
    seen: set[str] = set()
    for step_id in ids:
        if step_id in seen:
            problems.add("procedure-duplicate", f"id {step_id!r} appears twice")
        seen.add(step_id)


def _check_order(
    steps: tuple[Step, ...], deadlines: Mapping[str, RoundDeadline], problems: _Tally
) -> None:
    """Every step follows known steps, in no cycle, and is not due before a step it follows."""
    by_id = {s.id: s for s in steps}
    for step in steps:
        for before in step.after:
            if before not in by_id:
                problems.add(
                    "procedure-unreachable", f"step {step.id} follows unknown step {before!r}"
                )
    reached: set[str] = set()
    frontier = [s.id for s in steps if not s.after]
    while frontier:
        reached.update(frontier)
        frontier = [
            s.id
            for s in steps
            if s.id not in reached and s.after and all(b in reached for b in s.after)
        ]
    for step in steps:
        if step.id not in reached:
            problems.add(
                "procedure-unreachable", f"step {step.id} can never start (a cycle of after)"
            )
    for step in steps:
        mine = deadlines.get(step.deadline) if step.deadline else None
        for before in step.after:
            theirs = deadlines.get(by_id[before].deadline or "") if before in by_id else None
            if mine and theirs and theirs.on(2000) > mine.on(2000):
                problems.add(
                    "procedure-unreachable",
                    f"step {step.id} is due before step {before}, which it follows",
                )


__all__ = [
    "Check",
    "Procedure",
    "ProcedureData",
    "ProcedureFile",
    "Product",
    "RoundDeadline",
    "Step",
    "build_procedure",
    "evidence_spec",
    "read_evidence",
]
