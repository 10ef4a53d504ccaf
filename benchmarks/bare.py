"""Bare Python predicates: the CN-NM 2025 province factory rules written by hand over the facts.

The yardstick every engine is measured against. Each rule is its three-valued verdict written as
plain Python over the same entity objects, with the pack's parameters and tables passed in (as
the rules read them); ``run.py`` checks the verdicts and points equal the native engine's before
timing anything. It must change when the pack changes: :func:`make_factory_rules` refuses a rule
set whose rule ids are not the ones written here, and the equality check says when a rule's
meaning moved.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

PASS, FAIL, UNKNOWN, WAIVED, NA = "pass", "fail", "unknown", "waived", "not_applicable"
Tri = bool | None
NO_STANDARD = "无现行标准"
"""The quota table's word for a product with no quota standard in force (the rule's ``eq``)."""
WRITTEN = (
    "CN-F-legal-entity",
    "CN-F-sound-operation",
    "CN-F-energy-supervision",
    "CN-F-dynamic-form",
    "CN-F-removal-accident",
    "CN-F-removal-falsified",
    "CN-F-removal-change",
    "CN-F-operating",
    "CN-F-no-incident",
    "CN-F-not-removed",
    "CN-F-inspections",
    "CN-F-energy-rectification",
    "CN-F-not-dishonest",
    "NM25-F-in-region",
    "NM25-F-evaluation-route",
    "NM25-F-city-list",
    "NM25-F-meets-standard",
    "NM25-F-consultation",
    "NM25-F-agency-not-blacklisted",
    "NM25-F-agency-annual-report",
    "NM25-F-review-2019-2022",
    "NM25-F-water-saving",
    "NM25-F-benchmark",
    "NM25-F-quota-grade1",
    "NM25-F-manufacturing",
)
"""The rule ids written here, in the rule set's order."""


def _and(*values: Tri) -> Tri:
    if False in values:
        return False
    return None if None in values else True


def _or(*values: Tri) -> Tri:
    if True in values:
        return True
    return None if None in values else False


def _some(items: Iterable[Any] | None, where: Callable[[Any], Tri]) -> Tri:
    """Kleene "some item": an unknown list is unknown, an empty one false."""
    return None if items is None else _or(*map(where, items))


def _every(items: Iterable[Any] | None, where: Callable[[Any], Tri]) -> Tri:
    """Kleene "every item": an unknown list is unknown, an empty one true."""
    return None if items is None else _and(*map(where, items))


def _eq(value: Any, constant: Any) -> Tri:
    return None if value is None else value == constant


def _lt(a: Any, b: Any) -> Tri:
    return None if a is None or b is None else a < b


def _le(a: Any, b: Any) -> Tri:
    return None if a is None or b is None else a <= b


def _years_later(day: dt.date | None, years: int) -> dt.date | None:
    """``day`` moved by whole years; 29 February becomes the 28th in a common year."""
    if day is None:
        return None
    year = day.year + years
    return dt.date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def mandatory(applies: Tri, holds: Tri) -> str:
    """A mandatory rule's verdict."""
    if applies is False:
        return NA
    if holds is True:
        return PASS
    return FAIL if (holds is False and applies is True) else UNKNOWN


def in_principle(applies: Tri, holds: Tri, waived: bool) -> str:
    """An in-principle rule's verdict: a failure the applicant holds a waiver for is waived."""
    verdict = mandatory(applies, holds)
    return WAIVED if verdict == FAIL and waived else verdict


def priority(applies: Tri, holds: Tri) -> str:
    """A priority rule's verdict: it passes only when it surely applies."""
    if applies is False:
        return NA
    if applies and holds:
        return PASS
    return FAIL if (applies and holds is False) else UNKNOWN


def make_factory_rules(ruleset: Any) -> Callable[[Any], tuple[list[str], list[float]]]:
    """A function entity -> (verdicts, points) in the rule set's order, as the native engine."""
    p, as_of = ruleset.params, ruleset.as_of
    opens, form_due = p["dynamic_form_opens"], p["dynamic_form_deadline"]
    report_year, report_due = p["agency_report_year"], p["agency_report_due"]
    three_years_ago = _years_later(as_of, -3)
    cities = set(ruleset.tables["nm_cities"])
    benchmark = {k: row.get("benchmark") for k, row in ruleset.tables["energy_benchmarks"].items()}
    quota = ruleset.tables["energy_quota_grades"]

    def spell_outside(s: Any) -> Tri:
        return _or(s.start > as_of, s.end is not None and s.end < three_years_ago)

    def event_outside(e: Any) -> Tri:
        return e.happened_on < three_years_ago or e.happened_on > as_of

    def valid(m: Any) -> Tri:
        return m.valid is True

    def benchmark_rule(items: Any) -> tuple[Tri, Tri]:
        """NM25-F-benchmark's energy part: (applies, holds); unlisted products not compared."""
        if items is None:
            return None, None
        listed = [i for i in items if i.product in benchmark]
        holds = _and(len(items) >= 1, *(_le(i.value, benchmark[i.product]) for i in listed))
        return (not items or bool(listed)), holds

    def grade1_rule(items: Any) -> tuple[Tri, Tri]:
        """NM25-F-quota-grade1's energy part: (applies, holds); 无现行标准 products not compared."""
        if items is None:
            return None, None
        rows = [quota.get(i.product) or {} for i in items]
        free = [_eq(row.get("standard"), NO_STANDARD) for row in rows]
        every_free = _and(len(items) >= 1, *free)
        within = (
            _or(f, _le(i.value, row.get("grade1")))
            for f, i, row in zip(free, items, rows, strict=True)
        )
        applies = None if every_free is None else not every_free
        return applies, _and(len(items) >= 1, *within)

    def prefecture(code: str | None) -> str | None:
        if code is None or len(code) != 6 or not (code.isascii() and code.isdigit()):
            return None
        return code[:4] + "00"

    def rules(e: Any) -> list[str]:
        c, s, w, ind = e.conformity, e.standing, e.water, e.industry
        rep = e.report
        route = None if rep is None else rep.route
        agency = None if rep is None else rep.agency
        third_party = _and(_eq(route, "third_party"), agency is not None)
        waived = {x.rule for x in e.waivers} if e.waivers else set()
        members = e.memberships
        bench_applies, bench_holds = benchmark_rule(e.energy)
        grade1_applies, grade1_holds = grade1_rule(e.energy)
        listed = _some(members, valid)
        code = ind.code
        manufacturing = _and(_le("13", code), _lt(code, "44"))
        if agency is None:
            not_banned = reported = None
        else:
            banned_on, issued = agency.blacklisted_on, rep.issued_on
            ban_ends = _years_later(banned_on, 3)
            not_banned = _or(
                banned_on is None,
                _lt(as_of, banned_on),
                _and(_lt(ban_ends, as_of), _or(_lt(issued, banned_on), _lt(ban_ends, issued))),
            )
            reports = agency.annual_reports
            reported = _or(
                _some(reports, lambda r: _and(r.year == report_year, _le(r.filed_on, report_due))),
                _and(
                    _lt(report_due, agency.registered_on),
                    None if reports is None else not any(r.year == report_year for r in reports),
                ),
            )
        form = e.dynamic_form_filed_on
        review = _some(
            members,
            lambda m: (
                m.programme == "factory"
                and m.tier in ("province", "national")
                and m.year in (2019, 2022)
                and m.valid
            ),
        )
        return [
            mandatory(True, _and(_eq(c.legal_entity, True), _eq(c.in_production, True))),
            mandatory(
                True, _and(_eq(c.management_systems, True), _eq(c.beats_industry_average, True))
            ),
            mandatory(True, _eq(c.accepts_energy_supervision, True)),
            mandatory(
                _some(members, lambda m: m.tier in ("province", "national") and m.valid),
                _and(_le(opens, form), _le(form, form_due)),
            ),
            mandatory(listed, _eq(s.major_accident, False)),
            mandatory(listed, _eq(s.falsified_materials, False)),
            mandatory(
                _and(listed, _eq(s.material_change, True)), _eq(c.meets_evaluation_standard, True)
            ),
            mandatory(True, _every(s.abnormal_operation, spell_outside)),
            mandatory(True, _every(s.incidents, event_outside)),
            mandatory(
                True,
                _or(
                    _eq(s.removed_from_list, False),
                    _le(s.removed_on, three_years_ago),
                    _lt(as_of, s.removed_on),
                ),
            ),
            mandatory(True, _every(s.inspection_findings, event_outside)),
            mandatory(True, _every(s.energy_rectification, spell_outside)),
            mandatory(True, _every(s.dishonest_debtor, spell_outside)),
            mandatory(True, None if (pre := prefecture(e.city)) is None else pre in cities),
            mandatory(True, _or(_eq(route, "self"), third_party)),
            in_principle(
                True,
                _some(members, lambda m: m.tier in ("city", "province", "national") and m.valid),
                "NM25-F-city-list" in waived,
            ),
            mandatory(True, _eq(c.meets_evaluation_standard, True)),
            in_principle(True, _eq(e.department_objection, False), "NM25-F-consultation" in waived),
            mandatory(third_party, not_banned),
            mandatory(third_party, reported),
            priority(review, review),
            in_principle(
                _eq(w.key_water_user, True),
                _eq(w.water_saving_certified, True),
                "NM25-F-water-saving" in waived,
            ),
            priority(_and(_eq(ind.key_field, True), bench_applies), bench_holds),
            priority(_and(_eq(ind.key_field, False), grade1_applies), grade1_holds),
            mandatory(True, manufacturing),
        ]

    order = tuple(ruleset.rule_ids)
    if order != WRITTEN:
        raise SystemExit(
            "the pack's factory rules changed: update benchmarks/bare.py "
            f"(new: {sorted(set(order) - set(WRITTEN))}, gone: {sorted(set(WRITTEN) - set(order))}"
            f", or reordered)"
        )
    scored = [
        i for i, rule in enumerate(ruleset.rules) if rule.strength == "priority" and rule.points
    ]

    def run(e: Any) -> tuple[list[str], list[float]]:
        verdicts = rules(e)
        points = [0.0] * len(verdicts)
        for i in scored:
            if verdicts[i] == PASS:
                points[i] = 1.0
        return verdicts, points

    return run
