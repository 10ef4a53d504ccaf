"""Build the bundled example round ``greenrules_cn_nm/r2025/shared/examples/round-2025.json``.

Run from the repository root: ``python tools/build_example_round.py``. Every unit is fictitious
(名称标注“虚构示例”); the cities, industries and product keys are real, so that the demo shows
what a city bureau would see. The set is built to exercise every status (recommend, cultivate,
ineligible, undetermined) and every verdict (pass, fail, unknown, waived, not applicable), and
the three ways an agency can sink a report (blacklisted, ban expired, late annual report).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from greenrules._model.credit_code import make_credit_code

OUT = Path("criteria/greenrules_cn_nm/r2025/shared/examples/round-2025.json")
_serial = iter(range(1, 10_000))


def code(city: str) -> str:
    """A valid credit code: enterprise (91), the city's division code, a serial, check char."""
    return make_credit_code(f"91{city}MA{next(_serial):07d}")


def agency(name: str, city: str, **extra: Any) -> dict[str, Any]:
    """An evaluation agency record."""
    return {"credit_code": code(city), "name": name, **extra}


GOOD = agency(
    "示例绿色评价咨询有限公司（虚构示例）",
    "150100",
    registered_on="2016-03-08",
    annual_reports=[{"year": 2024, "filed_on": "2024-04-18"}],
    national_projects=6,
)
BANNED = agency(
    "示例速评技术服务有限公司（虚构示例·已列入黑名单）",
    "150200",
    registered_on="2019-07-01",
    blacklisted_on="2024-03-12",
    annual_reports=[{"year": 2024, "filed_on": "2024-04-10"}],
)
EXPIRED = agency(
    "示例节能环境评价中心（虚构示例·禁入期已满）",
    "150600",
    registered_on="2017-11-20",
    blacklisted_on="2021-06-01",
    annual_reports=[{"year": 2024, "filed_on": "2024-04-29"}],
)
LATE = agency(
    "示例低碳认证服务有限公司（虚构示例·年报逾期）",
    "150300",
    registered_on="2020-02-14",
    annual_reports=[{"year": 2024, "filed_on": "2024-05-20"}],
)

RECORD_CLEAN = {
    "abnormal_operation": [],
    "incidents": [],
    "inspection_findings": [],
    "energy_rectification": [],
    "dishonest_debtor": [],
}
"""The dated exclusion records of a unit with none: what a park also reports for each resident."""
CLEAN = {
    **RECORD_CLEAN,
    "removed_from_list": False,
    "major_accident": False,
    "falsified_materials": False,
    "material_change": False,
}
CONFORM = {
    "legal_entity": True,
    "in_production": True,
    "management_systems": True,
    "beats_industry_average": True,
    "accepts_energy_supervision": True,
    "meets_evaluation_standard": True,
}


def base(programme: str, name: str, city: str, **extra: Any) -> dict[str, Any]:
    """A clean applicant of ``programme``: on a city list, evaluated, filed on time."""
    unit = {
        "programme": programme,
        "credit_code": code(city),
        "name": name,
        "city": city,
        "water": {"key_water_user": False},
        "memberships": [{"programme": programme, "tier": "city", "year": 2023}],
        "report": {
            "route": "third_party",
            "agency": GOOD["credit_code"],
            "issued_on": "2025-04-25",
        },
        "submitted_on": "2025-05-12",
        "standing": dict(CLEAN),
        "conformity": dict(CONFORM),
        "dynamic_form_filed_on": "2025-04-08",
        "department_objection": False,
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(unit.get(key), dict):
            unit[key] = {**unit[key], **value}
        else:
            unit[key] = value
    return unit


def factory(name: str, city: str, industry: tuple[str, str, bool], energy: Any, **extra: Any):
    """A factory with its industry (GB/T 4754 code, name, key field) and energy lines."""
    code_, label, key = industry
    return base(
        "factory",
        name,
        city,
        industry={"code": code_, "name": label, "key_field": key},
        energy=energy,
        **extra,
    )


def e(product: str, value: float, unit: str) -> dict[str, Any]:
    """One energy line: a product key of the pack's tables, its consumption and unit."""
    return {"product": product, "value": float(value), "unit": unit}


ALU = ("3216", "铝冶炼", True)
FERRO = ("3150", "铁合金冶炼", True)
STEEL = ("3120", "炼钢", True)
CEMENT = ("3011", "水泥制造", True)
COKE = ("2521", "炼焦", True)
COALCHEM = ("2614", "有机化学原料制造（煤化工）", True)
WAIVER_WATER = "NM25-F-water-saving"

FACTORIES = [
    factory(
        "包头示例铝业有限公司（虚构示例）",
        "150200",
        ALU,
        [e("gb21346.primary-aluminium-liquid", 12880, "kWh/t")],
    ),
    factory(
        "鄂尔多斯示例硅铁有限公司（虚构示例）",
        "150600",
        FERRO,
        [e("gb21341.ferrosilicon", 1760, "kgce/t")],
        memberships=[
            {"programme": "factory", "tier": "city", "year": 2022},
            {"programme": "factory", "tier": "province", "year": 2022},
        ],
    ),
    factory(
        "乌海示例锰硅合金有限公司（虚构示例）",
        "150300",
        FERRO,
        [e("gb21341.silicomanganese", 905, "kgce/t")],
    ),
    factory(
        "乌兰察布示例铁合金有限公司（虚构示例）",
        "150900",
        FERRO,
        [e("gb21341.ferrosilicon", 1845, "kgce/t")],
    ),
    factory(
        "包头示例钢铁联合有限公司（虚构示例）",
        "150200",
        STEEL,
        [
            e("gb21256.blast-furnace-ironmaking", 356, "kgce/t"),
            e("gb21256.basic-oxygen-furnace-steelmaking", -32, "kgce/t"),
        ],
        memberships=[
            {"programme": "factory", "tier": "city", "year": 2019},
            {"programme": "factory", "tier": "province", "year": 2019},
        ],
    ),
    factory(
        "赤峰示例水泥有限公司（虚构示例）",
        "150400",
        CEMENT,
        [e("gb16780.cement-clinker", 98, "kgce/t")],
    ),
    factory(
        "乌海示例焦化有限公司（虚构示例）",
        "150300",
        COKE,
        [e("gb21342.coke-stamp-charging-oven", 108, "kgce/t")],
    ),
    factory(
        "鄂尔多斯示例煤制甲醇有限公司（虚构示例）",
        "150600",
        COALCHEM,
        [e("gb29436.methanol-from-bituminous-coal", 1370, "kgce/t")],
    ),
    factory(
        "鄂尔多斯示例煤制烯烃有限公司（虚构示例）",
        "150600",
        COALCHEM,
        [e("gb30180.coal-to-olefins-via-mto", 880, "kgce/t")],
        water={"key_water_user": True, "water_saving_certified": True},
    ),
    factory(
        "通辽示例电解铝有限公司（虚构示例）",
        "150500",
        ALU,
        [e("gb21346.primary-aluminium-liquid", 13120, "kWh/t")],
    ),
    factory(
        "包头示例稀土冶炼分离有限公司（虚构示例）",
        "150200",
        ("3239", "稀土冶炼", False),
        [e("gb29435.bayan-obo-prnd-oxide", 1.41, "tce/t")],
    ),
    factory(
        "包头示例多晶硅有限公司（虚构示例）",
        "150200",
        ("3985", "多晶硅制造", False),
        [e("gb29447.polysilicon-trichlorosilane-siemens-process", 4.9, "kgce/kg")],
    ),
    factory(
        "乌海示例金属镁有限公司（虚构示例）",
        "150300",
        ("3219", "镁冶炼", False),
        [e("gb21347.primary-magnesium", 3400, "kgce/t")],
    ),
    factory(
        "乌兰察布示例石墨电极有限公司（虚构示例）",
        "150900",
        ("3091", "石墨及碳素制品制造", False),
        [
            e("gb21370.graphite-electrode-ultra-high-power", 3200, "kgce/t"),
            e("gb21370.graphite-electrode-ultra-high-power.power", 6790, "kWh/t"),
        ],
    ),
    factory(
        "包头示例铝用炭素有限公司（虚构示例）",
        "150200",
        ("3091", "石墨及碳素制品制造", False),
        [e("gb25324.aluminium-smelting-carbon-prebaked-anode-baking", 165, "kgce/t")],
    ),
    factory(
        "呼和浩特示例预拌混凝土有限公司（虚构示例）",
        "150100",
        ("3021", "水泥制品制造", False),
        [
            e("gb36888.ready-mixed-concrete", 0.28, "kgce/m³"),
            e("gb36888.ready-mixed-concrete.transport", 1.95, "kgce/m³"),
        ],
    ),
    factory(
        "鄂尔多斯示例兰炭有限公司（虚构示例）",
        "150600",
        ("2524", "煤制品制造", False),
        [e("gb29995.semi-coke-lantan", 170, "kgce/t")],
    ),
    factory(
        "北京示例外地铝材有限公司（虚构示例·非区内单位）",
        "110105",
        ALU,
        [e("gb21346.primary-aluminium-liquid", 12900, "kWh/t")],
    ),
    factory(
        "包头示例特种钢有限公司（虚构示例·机构黑名单）",
        "150200",
        STEEL,
        [e("gb21256.basic-oxygen-furnace-steelmaking", -25, "kgce/t")],
        report={"route": "third_party", "agency": BANNED["credit_code"], "issued_on": "2025-04-02"},
    ),
    factory(
        "鄂尔多斯示例电石有限公司（虚构示例·禁入期已满）",
        "150600",
        COALCHEM,
        [e("gb21343.calcium-carbide", 800, "kgce/t")],
        report={
            "route": "third_party",
            "agency": EXPIRED["credit_code"],
            "issued_on": "2025-04-15",
        },
    ),
    factory(
        "乌海示例氯碱化工有限公司（虚构示例·机构年报逾期）",
        "150300",
        COALCHEM,
        [e("gb21257.pvc-calcium-carbide-route-general-purpose", 180, "kgce/t")],
        report={"route": "third_party", "agency": LATE["credit_code"], "issued_on": "2025-04-20"},
    ),
    factory(
        "巴彦淖尔示例硅铁有限公司（虚构示例·非节水型）",
        "150800",
        FERRO,
        [e("gb21341.ferrosilicon", 1790, "kgce/t")],
        water={"key_water_user": True, "water_saving_certified": False},
    ),
    factory(
        "鄂尔多斯示例乙二醇有限公司（虚构示例·节水说明）",
        "150600",
        COALCHEM,
        [e("gb29436.coal-to-ethylene-glycol", 2400, "kgce/t")],
        water={"key_water_user": True, "water_saving_certified": False},
        waivers=[
            {
                "rule": WAIVER_WATER,
                "justification": "节水型企业复审材料已报盟市水利部门，证书待发（虚构示例）。",
            }
        ],
    ),
    factory(
        "赤峰示例建材有限公司（虚构示例·未达评价标准）",
        "150400",
        CEMENT,
        [e("gb16780.cement-clinker", 112, "kgce/t")],
        conformity={"meets_evaluation_standard": False},
    ),
    factory(
        "通辽示例玉米深加工有限公司（虚构示例·征求意见未完成）",
        "150500",
        ("1391", "淀粉及淀粉制品制造", False),
        None,
        department_objection=None,
    ),
    factory(
        "呼伦贝尔示例铁合金有限公司（虚构示例·满洲里市）",
        "150781",
        FERRO,
        [e("gb21341.silicomanganese", 850, "kgce/t")],
    ),
    factory(
        "包头示例固废综合利用有限公司（虚构示例）",
        "150200",
        ("4210", "金属废料和碎屑加工处理", False),
        None,
        resource_utilisation=True,
        memberships=[],
    ),
    factory(
        "乌海示例环境治理有限公司（虚构示例·非制造业）",
        "150300",
        ("7724", "危险废物治理", False),
        None,
        resource_utilisation=True,
    ),
    factory(
        "锡林郭勒示例硅铁有限公司（虚构示例·自治区级示范单位，动态管理表逾期）",
        "152500",
        FERRO,
        [e("gb21341.ferrosilicon", 1768, "kgce/t")],
        memberships=[
            {"programme": "factory", "tier": "city", "year": 2021},
            {"programme": "factory", "tier": "province", "year": 2022},
        ],
        dynamic_form_filed_on="2025-04-22",
    ),
    factory(
        "兴安盟示例水泥有限公司（虚构示例）",
        "152200",
        CEMENT,
        [e("gb16780.cement-clinker", 105, "kgce/t")],
    ),
]


def member(name: str, city: str, green: bool) -> dict[str, Any]:
    """An enterprise inside a park or a supplier, with a green-factory listing if ``green``."""
    listings = [{"programme": "factory", "tier": "province", "year": 2023}] if green else []
    return {
        "credit_code": code(city),
        "name": name,
        "memberships": listings,
        "standing": dict(RECORD_CLEAN),
    }


def park(name: str, city: str, greens: int, others: int, **extra: Any) -> dict[str, Any]:
    """A park with ``greens`` green factories among its enterprises."""
    enterprises = [
        member(f"{name[:-6]}入园企业{i + 1}（虚构示例）", city, i < greens)
        for i in range(greens + others)
    ]
    fields: dict[str, Any] = {
        "management_body": True,
        "industry_value_added_share": 0.72,
        "cultivation_plan_published": True,
        "circular_transformation": False,
        "green_microgrid": False,
        "water": {"water_saving_certified": True},
        "enterprises": enterprises,
    }
    return base("park", name, city, **{**fields, **extra})


PARKS = [
    park("包头示例稀土新材料产业园（虚构示例）", "150200", 4, 3, circular_transformation=True),
    park(
        "鄂尔多斯示例现代煤化工产业园（虚构示例）",
        "150600",
        3,
        5,
        green_microgrid=True,
        memberships=[
            {"programme": "park", "tier": "city", "year": 2022},
            {"programme": "park", "tier": "province", "year": 2022},
        ],
    ),
    park(
        "乌海示例低碳产业园（虚构示例·非节水型园区）",
        "150300",
        2,
        2,
        water={"water_saving_certified": False},
    ),
    park(
        "阿拉善示例化工园区（虚构示例·工业占比不足）",
        "152900",
        1,
        4,
        industry_value_added_share=0.45,
    ),
    park("赤峰示例有色金属产业园（虚构示例·企业名单未报）", "150400", 0, 0, enterprises=None),
    park(
        "呼伦贝尔示例绿色产业园（虚构示例·未发布培育计划）",
        "150700",
        1,
        3,
        cultivation_plan_published=False,
    ),
]


def chain(name: str, city: str, **extra: Any) -> dict[str, Any]:
    """A supply-chain management enterprise, strong on every factor unless told otherwise."""
    suppliers = [member(f"{name[:-6]}供应商{i + 1}（虚构示例）", city, i < 4) for i in range(6)]
    fields: dict[str, Any] = {
        "industry": {"code": "3216", "name": "铝冶炼"},
        "chain_role": "leading",
        "annual_revenue_cny": 5.2e9,
        "market_share": 0.12,
        "chain_complete": True,
        "supplier_management_system": True,
        "green_supplier_plan": True,
        "suppliers": suppliers,
    }
    return base("supply_chain", name, city, **{**fields, **extra})


CHAINS = [
    chain("包头示例铝业集团供应链管理有限公司（虚构示例）", "150200"),
    chain(
        "鄂尔多斯示例能源化工集团有限公司（虚构示例）",
        "150600",
        chain_role="core",
        annual_revenue_cny=2.1e9,
        market_share=0.03,
        memberships=[
            {"programme": "supply_chain", "tier": "city", "year": 2023},
            {"programme": "factory", "tier": "national", "year": 2021},
        ],
    ),
    chain(
        "通辽示例农牧装备有限公司（虚构示例）",
        "150500",
        annual_revenue_cny=3.0e8,
        market_share=None,
        chain_complete=False,
        suppliers=[],
    ),
    chain(
        "呼和浩特示例乳业集团有限公司（虚构示例）",
        "150100",
        industry={"code": "1441", "name": "乳制品制造"},
        water={"key_water_user": True, "water_saving_certified": False},
        waivers=[
            {
                "rule": "NM25-S-water-saving",
                "justification": "节水改造项目已完工，节水型企业评价已受理（虚构示例）。",
            }
        ],
    ),
    chain(
        "巴彦淖尔示例农产品加工有限公司（虚构示例·非链主）",
        "150800",
        chain_role="member",
        annual_revenue_cny=1.5e8,
    ),
    chain(
        "乌兰察布示例新能源装备有限公司（虚构示例·自评价）",
        "150900",
        report={"route": "self", "issued_on": "2025-04-28"},
    ),
]


def main() -> None:
    """Write the example round."""
    applicants = [copy.deepcopy(u) for u in (*FACTORIES, *PARKS, *CHAINS)]
    for unit in applicants:
        if unit.get("energy") is None and unit["programme"] == "factory":
            unit.pop("energy", None)
        for key in [k for k, v in unit.items() if v is None and k != "department_objection"]:
            unit.pop(key)
    doc = {"agencies": [GOOD, BANNED, EXPIRED, LATE], "applicants": applicants}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(applicants)} applicants, {len(doc['agencies'])} agencies written to {OUT}")


if __name__ == "__main__":
    main()
