"""OpenFisca-core on greenrules' own decision and records: the columnar engine's yardstick.

The target asks the columnar engine for at least 1.5x OpenFisca's rate end to end, on the same
decision and the same in-memory records, every value checked as strictly as the models. This
script writes the CN-NM 2025 province-tier factory decision (the 25 rules of
``bare.make_factory_rules``, plus status, review flag and priority) as an
OpenFisca tax-benefit system, one entity (the factory), and runs it on the records
``columnar.py`` gives ``evaluate_table``: ``pl.read_parquet(write_population(n)).to_dicts()``.

OpenFisca has no null and no list type, so the boundary does what a user would have to do:

- a boolean fact becomes an int variable (1 true, 0 false, -1 missing), a date a date variable
  (NaT when missing: every comparison with NaT is false, so the fact neither holds nor fails),
  a string a str variable ("" when missing), the agency's presence a bool variable; these
  columns come out of the records through ``pl.from_dicts`` with a schema, the fastest way found;
- each list fact is reduced record by record in Python (faster than nested lists through
  ``pl.from_dicts``) to the three-valued scalars the rules read: on some list, on a city list,
  announced in 2019 or 2022, every energy figure within the benchmark / grade 1, the agency's
  annual report on time, each dated exclusion record clear of the three-year window; and the
  waivers to one flag per in-principle rule. The city's prefecture and the end of an agency's
  ban are computed in polars.

Inside the formulas a three-valued condition is a pair of boolean arrays (holds, fails). Every
record's verdicts, status, review flag and priority must equal greenrules' before anything is
timed. Printed per size, medians of three runs: OpenFisca end to end (records -> boundary ->
``build_default_simulation`` + ``set_input`` per variable -> every rule, status, review flag and
priority calculated -> numpy arrays), OpenFisca's formulas alone (inputs already set), and
``greenrules.evaluate_table`` on the same records (the full decision).

openfisca-core is not a greenrules dependency: ``make bench-openfisca`` runs this in a venv of
its own.
"""

from __future__ import annotations

import calendar
import datetime as dt
import gc
import operator
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import reduce
from importlib.metadata import version
from pathlib import Path
from typing import Any

os.environ.setdefault("POLARS_MAX_THREADS", "2")  # this machine's cores; read as polars loads

import polars as pl

import greenrules

try:
    import numpy as np
    import openfisca_core
    from openfisca_core.entities import build_entity
    from openfisca_core.periods import DateUnit
    from openfisca_core.simulations import SimulationBuilder
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable
except ImportError:  # optional: main() says how to install it
    openfisca_core = None

sys.path.insert(0, str(Path(__file__).resolve().parent))
from columnar import write_population

JURISDICTION, ROUND, TIER = "CN-NM", 2025, "province"
SIZES = (10_000, 100_000)
PERIOD = "2025"
INSTALL = "openfisca-core is not installed here; run `make bench-openfisca` (a venv of its own)"

VERDICTS = ("pass", "fail", "unknown", "waived", "not_applicable")
PASS, FAIL, UNKNOWN, WAIVED, NA = range(5)
STATUSES = ("recommend", "cultivate", "ineligible", "undetermined")  # 0-2: the worst rank
RANKS = {"cultivate": 1, "ineligible": 2}  # a failed rule's outcome; priority rules: 0
CITIES = (
    "150100",
    "150200",
    "150300",
    "150400",
    "150500",
    "150600",
    "150700",
    "150800",
    "150900",
    "152200",
    "152500",
    "152900",
)
REVIEW_YEARS = (2019, 2022)

BOOLEANS = (
    "conformity.legal_entity",
    "conformity.in_production",
    "conformity.management_systems",
    "conformity.beats_industry_average",
    "conformity.accepts_energy_supervision",
    "conformity.meets_evaluation_standard",
    "standing.major_accident",
    "standing.falsified_materials",
    "standing.material_change",
    "standing.removed_from_list",
    "department_objection",
    "water.key_water_user",
    "water.water_saving_certified",
    "industry.key_field",
)
DATES = (
    "dynamic_form_filed_on",
    "standing.removed_on",
    "report.issued_on",
    "report.agency.blacklisted_on",
)
STRINGS = ("city", "report.route", "industry.code")
AGENCY = "report.agency.credit_code"  # required in an agency: known iff the agency is
SCHEMA = (
    {k: pl.Boolean for k in BOOLEANS}
    | {k: pl.Date for k in DATES}
    | {k: pl.String for k in (*STRINGS, AGENCY)}
)
REDUCED = (
    "listed",
    "listed_above_city",
    "on_city_list",
    "in_review_years",
    "energy_benchmark_applies",
    "energy_within_benchmark",
    "energy_grade1_applies",
    "energy_within_grade1",
    "agency_reported_on_time",
    "clear_abnormal_operation",
    "clear_incidents",
    "clear_inspection_findings",
    "clear_energy_rectification",
    "clear_dishonest_debtor",
)
EXCLUSION_RECORDS = (
    ("standing.abnormal_operation", True),
    ("standing.incidents", False),
    ("standing.inspection_findings", False),
    ("standing.energy_rectification", True),
    ("standing.dishonest_debtor", True),
)
"""The dated exclusion records, each with whether it holds spells (else events)."""

Cond = tuple[Any, Any]  # a three-valued condition: (holds, fails), boolean arrays


def name(key: str) -> str:
    """The OpenFisca variable of a record key or rule id."""
    return key.replace(".", "_").replace("-", "_")


def waiver(rule_id: str) -> str:
    """The bool input variable saying the factory holds a waiver for ``rule_id``."""
    return "waived_" + name(rule_id)


def waivable_rules(rs: Any) -> tuple[str, ...]:
    """The in-principle rules: a waiver turns their failure into ``waived``."""
    return tuple(r.id for r in rs.rules if r.strength == "in_principle")


# --- the boundary: records -> input arrays ----------------------------------------------------


def some_membership(items: list[dict[str, Any]] | None) -> tuple[int, int, int, int]:
    """Four list facts, each 1, 0 or -1 (unknown): on some list (still valid); on a region or
    national list; on a city, region or national list; a factory on a region or national list
    announced in a review year."""
    if items is None:
        return -1, -1, -1, -1
    listed = above_city = any_tier = review = 0
    for m in items:
        if m["valid"]:
            listed = 1
            above_city |= m["tier"] in ("province", "national")
            any_tier |= m["tier"] in ("city", "province", "national")
            review |= (
                m["programme"] == "factory"
                and m["tier"] in ("province", "national")
                and m["year"] in REVIEW_YEARS
            )
    return listed, above_city, any_tier, review


NO_STANDARD = "无现行标准"
"""The quota table's word for a product with no quota standard in force (the rule's ``eq``)."""


def _and3(values: list[int]) -> int:
    """Kleene conjunction of 1 / 0 / -1 (unknown)."""
    return 0 if 0 in values else -1 if -1 in values else 1


def _or3(values: list[int]) -> int:
    """Kleene disjunction of 1 / 0 / -1 (unknown)."""
    return 1 if 1 in values else -1 if -1 in values else 0


def _le3(value: float | None, limit: float | None) -> int:
    return -1 if value is None or limit is None else int(value <= limit)


def benchmark_rule(items: list[dict[str, Any]] | None, table: dict[str, Any]) -> tuple[int, int]:
    """NM25-F-benchmark's energy part, (applies, requires), each 1, 0 or -1.

    Applies when no product is declared or some declared product is in the benchmark table;
    requires a product and every listed product at or below its benchmark (unlisted ones are
    not compared). A product is required by the models, so it is always known.
    """
    if items is None:
        return -1, -1
    listed = [item for item in items if item["product"] in table]
    applies = int(not items or bool(listed))
    within = [_le3(item["value"], table[item["product"]]) for item in listed]
    return applies, _and3([int(bool(items)), *within])


def grade1_rule(items: list[dict[str, Any]] | None, rows: dict[str, Any]) -> tuple[int, int]:
    """NM25-F-quota-grade1's energy part, (applies, requires), each 1, 0 or -1.

    A product whose quota row says 无现行标准 (no standard in force) is not compared; the rule
    does not apply when every declared product is such; an unlisted product is unknown.
    """
    if items is None:
        return -1, -1

    def no_standard(item: dict[str, Any]) -> int:
        row = rows.get(item["product"])
        standard = None if row is None else row.get("standard")
        return -1 if standard is None else int(standard == NO_STANDARD)

    free = [no_standard(item) for item in items]
    every_free = _and3([int(bool(items)), *free])
    applies = -1 if every_free == -1 else 1 - every_free
    within = [
        _or3([f, _le3(item["value"], (rows.get(item["product"]) or {}).get("grade1"))])
        for f, item in zip(free, items, strict=True)
    ]
    return applies, _and3([int(bool(items)), *within])


def reported_on_time(
    items: list[dict[str, Any]] | None, registered_on: dt.date | None, year: int, due: dt.date
) -> int:
    """Some annual report of ``year`` filed by ``due``, or an agency registered after ``due``
    with no report of ``year`` (it had nothing to file): 1, 0 or -1."""
    if items is None:
        on_time = None
    else:
        on_time = False
        for item in items:
            if item["year"] == year:
                if item["filed_on"] is None:
                    on_time = None if on_time is False else on_time
                elif item["filed_on"] <= due:
                    on_time = True
                    break
    if on_time:
        return 1
    late_agency = None if registered_on is None else registered_on > due
    no_report = None if items is None else all(item["year"] != year for item in items)
    exempt = (
        False
        if late_agency is False or no_report is False
        else None
        if late_agency is None or no_report is None
        else True
    )
    if exempt:
        return 1
    return 0 if (on_time is False and exempt is False) else -1


def clear_of(items: list[dict[str, Any]] | None, spells: bool, start: dt.date, end: dt.date) -> int:
    """No dated exclusion record inside the window [start, end]: 1, 0 or -1 (unknown)."""
    if items is None:
        return -1
    for item in items:
        if spells:
            outside = item["start"] > end or (item["end"] is not None and item["end"] < start)
        else:
            outside = item["happened_on"] < start or item["happened_on"] > end
        if not outside:
            return 0
    return 1


def make_reducer(rs: Any) -> Callable[[dict[str, Any]], tuple[int, ...]]:
    """A record -> its list facts as the scalars of ``REDUCED``, then one flag per waiver."""
    benchmark = {k: row.get("benchmark") for k, row in rs.tables["energy_benchmarks"].items()}
    quota = rs.tables["energy_quota_grades"]
    year, due = rs.params["agency_report_year"], rs.params["agency_report_due"]
    waivable = waivable_rules(rs)
    window = (years_later(rs.as_of, -3), rs.as_of)

    def reduce_record(record: dict[str, Any]) -> tuple[int, ...]:
        energy = record["energy"]
        agency_reports = record["report.agency.annual_reports"]
        registered_on = record["report.agency.registered_on"]
        waived = {w["rule"] for w in record["waivers"] or ()}
        return (
            *some_membership(record["memberships"]),
            *benchmark_rule(energy, benchmark),
            *grade1_rule(energy, quota),
            reported_on_time(agency_reports, registered_on, year, due),
            *(clear_of(record[key], spells, *window) for key, spells in EXCLUSION_RECORDS),
            *(rule in waived for rule in waivable),
        )

    return reduce_record


# --- three-valued logic over arrays -----------------------------------------------------------


def is_(values: Any, wanted: bool) -> Cond:
    """A boolean fact (1, 0, -1 missing) equals ``wanted``."""
    return (values == 1, values == 0) if wanted else (values == 0, values == 1)


def known(mask: Any) -> Cond:
    """A two-valued condition."""
    return mask, ~mask


def eq(strings: Any, value: str) -> Cond:
    """A string fact ("" missing) equals ``value``."""
    hit = strings == value
    return hit, (strings != "") & ~hit


def one_of(strings: Any, values: tuple[str, ...]) -> Cond:
    """A string fact ("" missing) is one of ``values``."""
    hit = np.isin(strings, values)
    return hit, (strings != "") & ~hit


def missing(values: Any) -> Any:
    """Where a date (NaT) or string ("") array is missing."""
    return np.isnat(values) if values.dtype.kind == "M" else values == ""


def compare(values: Any, op: str, limit: Any) -> Cond:
    """``values op limit`` (op: le, lt, ge, gt) for dates (NaT missing) or strings ("" missing);
    ``limit`` is a constant or an array of the same kind."""
    unknown = missing(values)
    if isinstance(limit, np.ndarray):
        unknown = unknown | missing(limit)
    holds = getattr(operator, op)(values, limit)
    return holds & ~unknown, ~holds & ~unknown


def all_(*conds: Cond) -> Cond:
    """Kleene conjunction."""
    holds, fails = zip(*conds, strict=True)
    return reduce(np.logical_and, holds), reduce(np.logical_or, fails)


def any_(*conds: Cond) -> Cond:
    """Kleene disjunction."""
    holds, fails = zip(*conds, strict=True)
    return reduce(np.logical_or, holds), reduce(np.logical_and, fails)


def verdict(
    requires: Cond, applies: Cond | None = None, waived: Any = None, priority: bool = False
) -> Any:
    """The rule's verdict code (see ``VERDICTS``), as greenrules' decision table defines it.

    A priority rule passes only when it surely applies.
    """
    holds, fails = requires
    if priority and applies is not None:
        holds = holds & applies[0]
    out = np.full(len(holds), UNKNOWN, dtype=np.int8)
    failed = fails if applies is None else fails & applies[0]
    out[failed] = FAIL
    if waived is not None:
        out[failed & waived] = WAIVED
    out[holds] = PASS
    if applies is not None:
        out[applies[1]] = NA
    return out


# --- the decision as OpenFisca formulas -------------------------------------------------------


def years_later(day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole years; 29 February becomes the 28th in a common year."""
    year = day.year + years
    return dt.date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def years_before(day: dt.date, years: int) -> Any:
    """The same day ``years`` earlier, as numpy compares it with date arrays."""
    return np.datetime64(years_later(day, -years), "D")


def rule_formulas(rs: Any) -> dict[str, Callable[[Callable[[str], Any]], Any]]:
    """Rule id -> its verdict, from a reader of the factory's variables ``f(name) -> array``."""
    p = rs.params
    opens = np.datetime64(p["dynamic_form_opens"], "D")
    form_deadline = np.datetime64(p["dynamic_form_deadline"], "D")
    as_of, three_years_ago = np.datetime64(rs.as_of, "D"), years_before(rs.as_of, 3)

    def true(f: Callable[[str], Any], key: str) -> Cond:
        return is_(f(name(key)), True)

    def false(f: Callable[[str], Any], key: str) -> Cond:
        return is_(f(name(key)), False)

    def listed(f: Callable[[str], Any]) -> Cond:
        return is_(f("listed"), True)

    def third_party(f: Callable[[str], Any]) -> Cond:
        return all_(eq(f("report_route"), "third_party"), known(f("report_agency_known")))

    def not_banned(f: Callable[[str], Any]) -> Cond:
        banned_on, ends = f("report_agency_blacklisted_on"), f("report_agency_ban_ends")
        issued = f("report_issued_on")
        return any_(
            known(np.isnat(banned_on)),
            compare(banned_on, "gt", as_of),
            all_(
                compare(ends, "lt", as_of),
                any_(compare(issued, "lt", banned_on), compare(issued, "gt", ends)),
            ),
        )

    def clear(key: str) -> Callable[[Callable[[str], Any]], Any]:
        return lambda f: verdict(is_(f(key), True))

    return {
        "CN-F-legal-entity": lambda f: verdict(
            all_(true(f, "conformity.legal_entity"), true(f, "conformity.in_production"))
        ),
        "CN-F-sound-operation": lambda f: verdict(
            all_(
                true(f, "conformity.management_systems"),
                true(f, "conformity.beats_industry_average"),
            )
        ),
        "CN-F-energy-supervision": lambda f: verdict(
            true(f, "conformity.accepts_energy_supervision")
        ),
        "CN-F-dynamic-form": lambda f: verdict(
            all_(
                compare(f("dynamic_form_filed_on"), "ge", opens),
                compare(f("dynamic_form_filed_on"), "le", form_deadline),
            ),
            is_(f("listed_above_city"), True),
        ),
        "CN-F-removal-accident": lambda f: verdict(false(f, "standing.major_accident"), listed(f)),
        "CN-F-removal-falsified": lambda f: verdict(
            false(f, "standing.falsified_materials"), listed(f)
        ),
        "CN-F-removal-change": lambda f: verdict(
            true(f, "conformity.meets_evaluation_standard"),
            all_(listed(f), true(f, "standing.material_change")),
        ),
        "CN-F-operating": clear("clear_abnormal_operation"),
        "CN-F-no-incident": clear("clear_incidents"),
        "CN-F-not-removed": lambda f: verdict(
            any_(
                false(f, "standing.removed_from_list"),
                compare(f("standing_removed_on"), "le", three_years_ago),
                compare(f("standing_removed_on"), "gt", as_of),
            )
        ),
        "CN-F-inspections": clear("clear_inspection_findings"),
        "CN-F-energy-rectification": clear("clear_energy_rectification"),
        "CN-F-not-dishonest": clear("clear_dishonest_debtor"),
        "NM25-F-in-region": lambda f: verdict(one_of(f("city_prefecture"), CITIES)),
        "NM25-F-evaluation-route": lambda f: verdict(
            any_(eq(f("report_route"), "self"), third_party(f))
        ),
        "NM25-F-city-list": lambda f: verdict(
            is_(f("on_city_list"), True), waived=f(waiver("NM25-F-city-list"))
        ),
        "NM25-F-meets-standard": lambda f: verdict(true(f, "conformity.meets_evaluation_standard")),
        "NM25-F-consultation": lambda f: verdict(
            false(f, "department_objection"), waived=f(waiver("NM25-F-consultation"))
        ),
        "NM25-F-agency-not-blacklisted": lambda f: verdict(not_banned(f), third_party(f)),
        "NM25-F-agency-annual-report": lambda f: verdict(
            is_(f("agency_reported_on_time"), True), third_party(f)
        ),
        "NM25-F-review-2019-2022": lambda f: verdict(
            is_(f("in_review_years"), True), is_(f("in_review_years"), True), priority=True
        ),
        "NM25-F-water-saving": lambda f: verdict(
            true(f, "water.water_saving_certified"),
            true(f, "water.key_water_user"),
            waived=f(waiver("NM25-F-water-saving")),
        ),
        "NM25-F-benchmark": lambda f: verdict(
            is_(f("energy_within_benchmark"), True),
            all_(true(f, "industry.key_field"), is_(f("energy_benchmark_applies"), True)),
            priority=True,
        ),
        "NM25-F-quota-grade1": lambda f: verdict(
            is_(f("energy_within_grade1"), True),
            all_(false(f, "industry.key_field"), is_(f("energy_grade1_applies"), True)),
            priority=True,
        ),
        "NM25-F-manufacturing": lambda f: verdict(
            all_(compare(f("industry_code"), "ge", "13"), compare(f("industry_code"), "lt", "44"))
        ),
    }


def summary_formulas(rs: Any) -> dict[str, Callable[[Callable[[str], Any]], Any]]:
    """Status, review flag and priority from the rule verdicts (greenrules' ``_status.py``)."""
    rules = rs.rules
    waivable = set(waivable_rules(rs))

    def status(f: Callable[[str], Any]) -> Any:
        worst = possible = 0
        for rule in rules:
            rank = RANKS.get(rule.outcome_on_fail, 0)
            if not rank:
                continue
            v = f(name(rule.id))
            worst = np.maximum(worst, np.where(v == FAIL, rank, 0))
            unknown = v == UNKNOWN
            if rule.id in waivable:
                unknown &= ~f(waiver(rule.id))
            possible = np.maximum(possible, np.where(unknown, rank, 0))
        return np.where(possible > worst, STATUSES.index("undetermined"), worst)

    def review_required(f: Callable[[str], Any]) -> Any:
        return reduce(np.logical_or, (f(name(r.id)) == WAIVED for r in rules))

    def priority(f: Callable[[str], Any]) -> Any:
        return sum(
            np.where(f(name(r.id)) == PASS, r.points, 0.0)
            for r in rules
            if r.strength == "priority"
        )

    return {"status": status, "review_required": review_required, "priority": priority}


def build_system(rs: Any) -> Any:
    """The tax-benefit system: one entity, the input variables, a variable per rule and summary."""
    factory = build_entity(
        key="factory", plural="factories", label="A factory applying", is_person=True
    )
    system = TaxBenefitSystem([factory])

    def add(var: str, value_type: type, fn: Callable[..., Any] | None = None) -> None:
        attrs: dict[str, Any] = {
            "value_type": value_type,
            "entity": factory,
            "definition_period": DateUnit.YEAR,
            "label": var,
        }
        if fn is not None:

            def formula(population: Any, period: Any) -> Any:
                return fn(lambda v: population(v, period))

            attrs["formula"] = formula
        system.add_variable(type(var, (Variable,), attrs))

    for key in BOOLEANS:
        add(name(key), int)
    for key in DATES:
        add(name(key), dt.date)
    for key in STRINGS:
        add(name(key), str)
    add("report_agency_known", bool)
    add("city_prefecture", str)
    add("report_agency_ban_ends", dt.date)
    for var in REDUCED:
        add(var, int)
    for rule in waivable_rules(rs):
        add(waiver(rule), bool)
    formulas = rule_formulas(rs)
    if list(formulas) != [r.id for r in rs.rules]:
        raise SystemExit(f"the pack's rules changed: update rule_formulas ({rs.rule_ids})")
    for rule, fn in formulas.items():
        add(name(rule), int, fn)
    summary = summary_formulas(rs)
    add("status", int, summary["status"])
    add("review_required", bool, summary["review_required"])
    add("priority", float, summary["priority"])
    return system


# --- running and checking ---------------------------------------------------------------------


class OpenFiscaDecision:
    """The decision in OpenFisca: records -> input arrays -> simulation -> output arrays."""

    def __init__(self, rs: Any) -> None:
        self.system = build_system(rs)
        self.reducer = make_reducer(rs)
        self.waivable = waivable_rules(rs)
        self.outputs = (*(name(r.id) for r in rs.rules), "status", "review_required", "priority")

    def inputs(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """Every input variable's array, from the records (which are not changed)."""
        frame = pl.from_dicts(records, schema=SCHEMA)
        arrays = {name(k): frame[k].cast(pl.Int8).fill_null(-1).to_numpy() for k in BOOLEANS}
        arrays |= {name(k): frame[k].to_numpy() for k in DATES}
        arrays |= {name(k): frame[k].fill_null("").to_numpy() for k in STRINGS}
        arrays["report_agency_known"] = frame[AGENCY].is_not_null().to_numpy()
        city = pl.col("city")
        prefecture = pl.when(city.str.contains(r"^[0-9]{6}$")).then(city.str.slice(0, 4) + "00")
        arrays["city_prefecture"] = frame.select(prefecture.fill_null("")).to_series().to_numpy()
        ban = frame["report.agency.blacklisted_on"]
        arrays["report_agency_ban_ends"] = ban.dt.offset_by("3y").to_numpy()
        reduced = np.array([self.reducer(r) for r in records], dtype=np.int8)
        reduced = reduced.reshape(len(records), -1)
        for i, var in enumerate(REDUCED):
            arrays[var] = reduced[:, i]
        for i, rule in enumerate(self.waivable, start=len(REDUCED)):
            arrays[waiver(rule)] = reduced[:, i].astype(bool)
        return arrays

    def simulation(self, arrays: dict[str, Any]) -> Any:
        count = len(next(iter(arrays.values())))
        sim = SimulationBuilder().build_default_simulation(self.system, count=count)
        for var, values in arrays.items():
            sim.set_input(var, PERIOD, values)
        return sim

    def calculate(self, sim: Any) -> dict[str, Any]:
        return {var: sim.calculate(var, PERIOD) for var in self.outputs}

    def __call__(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        return self.calculate(self.simulation(self.inputs(records)))


def mismatches(got: dict[str, Any], table: pl.DataFrame, rs: Any) -> dict[str, Any]:
    """Column -> a mask of the records where OpenFisca and greenrules decide differently."""
    verdicts, statuses = np.array(VERDICTS), np.array(STATUSES)
    pairs = {
        r.id: (verdicts[got[name(r.id)]], table[r.id].cast(pl.String).to_numpy()) for r in rs.rules
    }
    pairs["status"] = (statuses[got["status"]], table["status"].cast(pl.String).to_numpy())
    pairs["review_required"] = (got["review_required"], table["review_required"].to_numpy())
    pairs["priority"] = (got["priority"], table["priority.0"].to_numpy())
    return {column: a != b for column, (a, b) in pairs.items()}


def evaluate(records: list[dict[str, Any]]) -> Any:
    """greenrules' full decision of the records (verdicts, status, review flag, priority)."""
    return greenrules.evaluate_table(records, tier=TIER, round=ROUND, jurisdiction=JURISDICTION)


def median_seconds(
    run: Callable[[Any], Any], setup: Callable[[], Any] = lambda: None, repeats: int = 3
) -> float:
    """The median time of ``run(setup())``, setup untimed."""
    times = []
    for _ in range(repeats):
        prepared = setup()
        gc.collect()
        start = time.perf_counter()
        run(prepared)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(size: int, folder: Path, decide: OpenFiscaDecision, rs: Any) -> dict[str, float]:
    """Check agreement on every record, then the three rates; exits if any record disagrees."""
    path = write_population(size, folder)
    records = pl.read_parquet(path).head(100_000).to_dicts()
    n = len(records)
    masks = mismatches(decide(records), evaluate(records).outcomes, rs)
    agree = n - int(np.logical_or.reduce(list(masks.values())).sum())
    print(
        f"{n:>9,} records: {agree:,} agree with greenrules on every verdict ({len(rs.rules)} "
        "rules), the status, the review flag and the priority"
    )
    if agree != n:
        bad = {column: int(mask.sum()) for column, mask in masks.items() if mask.any()}
        raise SystemExit(
            f"OpenFisca disagrees with greenrules (records per column): {bad}; not timing"
        )
    arrays = decide.inputs(records)
    return {
        "records": n,
        "openfisca": n / median_seconds(lambda _: decide(records)),
        "formulas": n / median_seconds(decide.calculate, lambda: decide.simulation(arrays)),
        "greenrules": n / median_seconds(lambda _: evaluate(records).outcomes),
    }


def main() -> None:
    """Check, then time, at each size; print a table."""
    if openfisca_core is None:
        print(INSTALL)
        return
    rs = greenrules.default_registry().ruleset(
        jurisdiction=JURISDICTION, round=ROUND, tier=TIER, programme="factory"
    )
    decide = OpenFiscaDecision(rs)
    print(
        f"== OpenFisca-core {version('openfisca-core')} (numpy {np.__version__}) vs greenrules "
        f"{greenrules.__version__}, CN-NM 2025 province factory decision ({len(rs.rules)} "
        f"rules); POLARS_MAX_THREADS={os.environ['POLARS_MAX_THREADS']}; medians of 3 =="
    )
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        warm = pl.read_parquet(write_population(100, Path(folder))).to_dicts()
        decide(warm)  # first-call costs (greenrules compiles its rule set) out of the timings
        evaluate(warm)
        for size in SIZES:
            rows.append(measure(size, Path(folder), decide, rs))
    print(
        f"{'records':>9} {'OpenFisca e2e/s':>16} {'OF formulas/s':>14} {'greenrules/s':>13} "
        f"{'greenrules / OF e2e':>20}"
    )
    for r in rows:
        print(
            f"{r['records']:>9,} {r['openfisca']:>16,.0f} {r['formulas']:>14,.0f} "
            f"{r['greenrules']:>13,.0f} {r['greenrules'] / r['openfisca']:>19.2f}x"
        )
    last = rows[-1]
    print(
        f"target (>= 1.5x OpenFisca from in-memory records) at {last['records']:,}: needs "
        f"{1.5 * last['openfisca']:,.0f}/s, greenrules got {last['greenrules']:,.0f}/s"
    )


if __name__ == "__main__":
    main()
