"""A seeded population of realistic synthetic applicants for the Inner Mongolia 2025 packs.

Importable by every engine's benchmark: ``population(n, seed=0)`` returns validated entities,
the same ones for the same arguments. The mix follows a recommendation round: mostly factories,
some parks and supply-chain enterprises; most facts known and most applicants close to passing,
with a few percent of facts unknown, some failures, waivers, lists of several items (energy
figures, list memberships, park enterprises, suppliers, agency annual reports), and values
placed on both sides of the packs' thresholds. Energy products are real keys of the pack's
benchmark table, so lookups join. Generation is plain ``random`` and ``model_validate`` (about
20 µs an entity), so 100k entities take a couple of seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

import greenrules as gr
from greenrules._model.credit_code import make_credit_code

CITIES = [
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
]
STANDING = ["removed_from_list", "major_accident", "falsified_materials", "material_change"]
GOOD_STANDING = {"material_change": True}
EVENTS = ["incidents", "inspection_findings"]
SPELLS = ["abnormal_operation", "energy_rectification", "dishonest_debtor"]
CONFORMITY = [
    "legal_entity",
    "in_production",
    "management_systems",
    "beats_industry_average",
    "accepts_energy_supervision",
    "meets_evaluation_standard",
]
MIX = (("factory", 0.7), ("park", 0.15), ("supply_chain", 0.15))


def energy_products(registry: gr.Registry | None = None) -> list[str]:
    """The product keys of the CN-NM 2025 factory rule set's energy benchmark table."""
    registry = registry or gr.default_registry()
    ruleset = registry.ruleset(
        jurisdiction="CN-NM", round=2025, tier="province", programme="factory"
    )
    return sorted(ruleset.tables.get("energy_benchmarks", {})) or ["widget"]


class _Maker:
    def __init__(self, seed: int, products: Sequence[str]) -> None:
        self.r = random.Random(seed)
        self.products = list(products)
        self.n = 0

    def known(self, value: Any, p_missing: float = 0.03) -> Any:
        return None if self.r.random() < p_missing else value

    def flag(self, good: bool, p_good: float = 0.93) -> bool | None:
        value = good if self.r.random() < p_good else not good
        return self.known(value)

    def code(self) -> str:
        self.n += 1
        return make_credit_code(f"91150{self.n:012d}")

    def day(self, around: dt.date, spread: int = 40) -> str:
        return (around + dt.timedelta(days=self.r.randint(-spread, spread // 4))).isoformat()

    def memberships(self, programme: str) -> list[dict[str, Any]] | None:
        r = self.r
        items = [
            {
                "programme": programme
                if r.random() < 0.8
                else r.choice(["factory", "park", "supply_chain"]),
                "tier": r.choice(["city", "city", "province", "national"]),
                "year": r.choice([2018, 2019, 2020, 2021, 2022, 2023, 2024]),
                "valid": r.random() < 0.92,
            }
            for _ in range(r.choice([0, 1, 1, 2, 2, 3]))
        ]
        return self.known(items, 0.05)

    def members(self, n: int) -> list[dict[str, Any]]:
        return [
            {
                "credit_code": self.code(),
                "name": f"member {self.n}",
                "memberships": self.memberships("factory"),
                "standing": self.record(),
            }
            for _ in range(n)
        ]

    def record(self) -> dict[str, Any]:
        """Dated exclusion records: mostly none, a few dated on both sides of 2022-05-30."""
        out: dict[str, Any] = {}
        for name in EVENTS:
            events = [{"happened_on": self.day(dt.date(2022, 5, 30), 400)}]
            out[name] = self.known(events if self.r.random() < 0.03 else [])
        for name in SPELLS:
            start = dt.date(2022, 5, 30) + dt.timedelta(days=self.r.randint(-400, 100))
            end = start + dt.timedelta(days=self.r.randint(0, 600))
            spell = {"start": start.isoformat(), "end": self.known(end.isoformat())}
            out[name] = self.known([spell] if self.r.random() < 0.03 else [])
        return out

    def standing(self) -> dict[str, Any]:
        flags = {name: self.flag(GOOD_STANDING.get(name, False), 0.97) for name in STANDING}
        return {**flags, **self.record()}

    def applicant(self, programme: str) -> dict[str, Any]:
        r = self.r
        third = r.random() < 0.6
        agency = {
            "credit_code": self.code(),
            "name": f"agency {self.n}",
            "blacklisted_on": r.choice([None] * 8 + ["2021-03-01", "2023-03-01"]),
            "annual_reports": self.known(
                [
                    {"year": y, "filed_on": self.known(self.day(dt.date(y, 4, 30), 30))}
                    for y in (2023, 2024)
                    if r.random() < 0.9
                ],
                0.05,
            ),
            "national_projects": self.known(r.randint(0, 40)),
        }
        base: dict[str, Any] = {
            "credit_code": self.code(),
            "name": f"{programme} {self.n}",
            "city": self.known(r.choice(CITIES)),
            "industry": {
                "code": self.known(r.choice(["13", "25", "26", "30", "31", "44"])),
                "key_field": self.known(r.random() < 0.4),
            },
            "water": {
                "key_water_user": self.known(r.random() < 0.5),
                "water_saving_certified": self.flag(True, 0.85),
            },
            "memberships": self.memberships(programme),
            "report": self.known(
                {
                    "route": "third_party" if third else "self",
                    "agency": agency if third else None,
                    "issued_on": self.known(self.day(dt.date(2025, 4, 20)), 0.1),
                }
            ),
            "submitted_on": self.known(self.day(dt.date(2025, 5, 30))),
            "dynamic_form_filed_on": self.known(self.day(dt.date(2025, 4, 15))),
            "department_objection": self.flag(False, 0.97),
            "standing": self.standing(),
            "conformity": {name: self.flag(True) for name in CONFORMITY},
        }
        if programme == "factory":
            base["resource_utilisation"] = self.flag(True, 0.8)
            base["energy"] = self.known(
                [
                    {
                        "product": r.choice(self.products),
                        "value": round(r.uniform(0.5, 1500.0), 3),
                        "unit": None,
                    }
                    for _ in range(r.choice([1, 1, 2, 3]))
                ],
                0.05,
            )
        elif programme == "park":
            base.update(
                management_body=self.flag(True),
                industry_value_added_share=self.known(round(r.uniform(0.3, 0.9), 4)),
                cultivation_plan_published=self.flag(True, 0.8),
                circular_transformation=self.flag(True, 0.7),
                green_microgrid=self.flag(True, 0.5),
                enterprises=self.known(self.members(r.randint(0, 12)), 0.05),
            )
        else:
            base.update(
                chain_role=self.known(r.choice(["leading", "core", "member"])),
                annual_revenue_cny=self.known(round(r.uniform(5e7, 5e9), 2)),
                market_share=self.known(round(r.uniform(0.0, 0.3), 4)),
                chain_complete=self.flag(True, 0.85),
                supplier_management_system=self.flag(True, 0.85),
                green_supplier_plan=self.flag(True, 0.8),
                suppliers=self.known(self.members(r.randint(0, 10)), 0.05),
            )
        return base


def population(
    n: int,
    seed: int = 0,
    *,
    programmes: Sequence[str] | None = None,
    products: Sequence[str] | None = None,
    waiver_rules: Sequence[str] = (),
) -> list[gr.Applicant]:
    """``n`` validated applicants, the same for the same arguments.

    Args:
        n: how many.
        seed: the random seed.
        programmes: restrict to these programmes (default: the round's mix).
        products: energy product keys (default: the CN-NM benchmark table's).
        waiver_rules: in-principle rule ids that about 5% of applicants file a waiver for.
    """
    maker = _Maker(seed, products if products is not None else energy_products())
    mix = [(p, w) for p, w in MIX if programmes is None or p in programmes]
    names, weights = [p for p, _ in mix], [w for _, w in mix]
    out: list[gr.Applicant] = []
    for _ in range(n):
        programme = maker.r.choices(names, weights)[0]
        data = maker.applicant(programme)
        if waiver_rules and maker.r.random() < 0.05:
            data["waivers"] = [
                {
                    "rule": maker.r.choice(list(waiver_rules)),
                    "justification": "a written justification for the reviewer",
                }
            ]
        out.append(_model(programme).model_validate(data))
    return out


def _model(programme: str) -> type[gr.Applicant]:
    return {
        "factory": gr.Factory,
        "park": gr.IndustrialPark,
        "supply_chain": gr.SupplyChainEnterprise,
    }[programme]
