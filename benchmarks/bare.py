"""Bare Python predicates: the CN-NM 2025 province factory rules written by hand over the facts.

The yardstick for the native engine (its target: within 1.5x of this). Each function is the rule's
three-valued verdict written as plain Python over the same entity objects, with the pack's
parameters and tables passed in; ``run.py`` checks the verdicts equal the native engine's before
timing anything. It must change when the pack changes: the equality check says when.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

PASS, FAIL, UNKNOWN, WAIVED, NA = "pass", "fail", "unknown", "waived", "not_applicable"


def _and(*values: bool | None) -> bool | None:
    if False in values:
        return False
    return None if None in values else True


def _or(*values: bool | None) -> bool | None:
    if True in values:
        return True
    return None if None in values else False


def _eq(value: Any, constant: Any) -> bool | None:
    return None if value is None else value == constant


def _le(value: Any, constant: Any) -> bool | None:
    return None if value is None or constant is None else value <= constant


def _gt(value: Any, constant: Any) -> bool | None:
    return None if value is None or constant is None else value > constant


def _some_valid(entity: Any) -> bool | None:
    items = entity.memberships
    if items is None:
        return None
    return any(m.valid for m in items)


def _energy_ok(entity: Any, table: dict[str, Any], column: str) -> bool | None:
    items = entity.energy
    if items is None:
        return None
    if not items:
        return False  # count of items with a known product >= 1 fails on an empty list
    unknown = False
    for item in items:
        row = table.get(item.product)
        limit = None if row is None else row.get(column)
        if item.value is None or limit is None:
            unknown = True
        elif item.value > limit:
            return False
    return None if unknown else True


def _events_before(events: Any, start: dt.date, end: dt.date) -> bool | None:
    """No event in the window [start, end]: the exclusions' three-year look-back."""
    if events is None:
        return None
    return all(e.happened_on < start or e.happened_on > end for e in events)


def _spells_before(spells: Any, start: dt.date, end: dt.date) -> bool | None:
    """No spell overlapping the window [start, end]; a spell without an end still lasts."""
    if spells is None:
        return None
    return all(s.start > end or (s.end is not None and s.end < start) for s in spells)


def make_factory_rules(ruleset: Any) -> Any:
    """A function entity -> (verdicts, points) equal to the native engine on this rule set."""
    p = ruleset.params
    deadline, form_deadline = p["city_submission_deadline"], p["dynamic_form_deadline"]
    report_year, report_due = p["agency_report_year"], p["agency_report_due"]
    ban = dt.date(ruleset.as_of.year - 3, ruleset.as_of.month, ruleset.as_of.day)
    year_ago = dt.date(ruleset.as_of.year - 1, ruleset.as_of.month, ruleset.as_of.day)
    cities = {
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
    }
    benchmarks = ruleset.tables["energy_benchmarks"]
    grades = ruleset.tables["energy_quota_grades"]

    def mandatory(a: bool | None, r: bool | None) -> str:
        if a is False:
            return NA
        if r is True:
            return PASS
        return FAIL if (r is False and a is True) else UNKNOWN

    def run(e: Any) -> tuple[list[str], list[float]]:
        c, s, rep = e.conformity, e.standing, e.report
        listed = _some_valid(e)
        third = rep is not None and rep.route == "third_party" and rep.agency is not None
        agency = rep.agency if rep is not None else None
        waived = {w.rule for w in e.waivers}
        v = [
            mandatory(True, _and(_eq(c.legal_entity, True), _eq(c.in_production, True))),
            mandatory(
                True, _and(_eq(c.management_systems, True), _eq(c.beats_industry_average, True))
            ),
            mandatory(True, _eq(c.accepts_energy_supervision, True)),
            mandatory(listed, _gt(e.dynamic_form_filed_on, year_ago)),
            mandatory(listed, _eq(s.major_accident, False)),
            mandatory(listed, _eq(s.falsified_materials, False)),
            mandatory(
                _and(listed, _eq(s.material_change, True)), _eq(c.meets_evaluation_standard, True)
            ),
            mandatory(True, _spells_before(s.abnormal_operation, ban, ruleset.as_of)),
            mandatory(True, _events_before(s.incidents, ban, ruleset.as_of)),
            mandatory(True, _events_before(s.inspection_findings, ban, ruleset.as_of)),
            mandatory(True, _spells_before(s.energy_rectification, ban, ruleset.as_of)),
            mandatory(True, _spells_before(s.dishonest_debtor, ban, ruleset.as_of)),
            mandatory(True, None if e.city is None else e.city in cities),
            mandatory(
                True,
                None
                if rep is None
                else _or(
                    rep.route == "self", _and(rep.route == "third_party", rep.agency is not None)
                ),
            ),
        ]
        memberships = e.memberships
        city_list = (
            None if memberships is None else any(m.tier == "city" and m.valid for m in memberships)
        )
        v.append(
            PASS
            if city_list
            else (WAIVED if "NM25-F-city-list" in waived else FAIL)
            if city_list is False
            else UNKNOWN
        )
        v += [
            mandatory(True, _eq(c.meets_evaluation_standard, True)),
            mandatory(True, _eq(e.department_objection, False)),
            mandatory(True, _le(e.submitted_on, deadline)),
            mandatory(True, _eq(s.removed_from_list, False)),
            mandatory(listed, _le(e.dynamic_form_filed_on, form_deadline)),
            mandatory(
                third,
                True
                if agency is None or agency.blacklisted_on is None
                else agency.blacklisted_on <= ban,
            ),
        ]
        if agency is None or agency.annual_reports is None:
            annual = None
        else:
            annual = (
                _or(
                    *[
                        _and(r.year == report_year, _le(r.filed_on, report_due))
                        for r in agency.annual_reports
                    ]
                )
                if agency.annual_reports
                else False
            )
        v.append(mandatory(third, annual))
        points = [0.0] * len(v)
        review = None if memberships is None else any(m.year in (2019, 2022) for m in memberships)
        v.append(NA if review is False else PASS if review else UNKNOWN)
        points.append(0.0)
        key_water = e.water.key_water_user
        certified = _eq(e.water.water_saving_certified, True)
        v.append(
            NA
            if key_water is False
            else PASS
            if certified is True
            else (WAIVED if "NM25-F-water-saving" in waived else FAIL)
            if (certified is False and key_water is True)
            else UNKNOWN
        )
        points.append(0.0)
        key_field = e.industry.key_field
        for applies, table, column, gain in (
            (key_field, benchmarks, "benchmark", 2.0),
            (None if key_field is None else not key_field, grades, "grade1", 1.0),
        ):
            if applies is False:
                v.append(NA)
                points.append(0.0)
                continue
            ok = _energy_ok(e, table, column)
            verdict = PASS if (applies and ok) else FAIL if (applies and ok is False) else UNKNOWN
            v.append(verdict)
            points.append(gain if verdict == PASS else 0.0)
        code = e.industry.code
        util = e.resource_utilisation
        v.append(
            mandatory(
                None if util is None else util is True,
                None if code is None else "13" <= code < "44",
            )
        )
        points.append(0.0)
        return v, points

    return run
