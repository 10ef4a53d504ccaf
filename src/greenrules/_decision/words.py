"""The words for statuses, verdicts, programmes and tiers, in Chinese and English, in one table.

Every renderer (the explanation, the CLI table, the summary workbook) reads them from here, so a
status is never 培育 in one output and 纳入培育对象 in another.
"""

from __future__ import annotations

from greenrules._model.enums import Programme, Status, Tier, Verdict

VERDICT_WORDS = {
    "en": {
        Verdict.PASS: "met",
        Verdict.FAIL: "not met",
        Verdict.UNKNOWN: "unknown (facts missing)",
        Verdict.WAIVED: "not met, waived with a justification",
        Verdict.NOT_APPLICABLE: "not applicable",
    },
    "zh": {
        Verdict.PASS: "符合",
        Verdict.FAIL: "不符合",
        Verdict.UNKNOWN: "无法判定（缺少信息）",
        Verdict.WAIVED: "不符合，已附说明申请豁免",
        Verdict.NOT_APPLICABLE: "不适用",
    },
}
STATUS_WORDS = {
    "en": {
        Status.RECOMMEND: "recommend",
        Status.CULTIVATE: "cultivation object",
        Status.INELIGIBLE: "ineligible",
        Status.UNDETERMINED: "undetermined",
    },
    "zh": {
        Status.RECOMMEND: "推荐",
        Status.CULTIVATE: "纳入培育对象",
        Status.INELIGIBLE: "不符合申报条件",
        Status.UNDETERMINED: "待定（信息不全）",
    },
}
PROGRAMME_WORDS = {
    "en": {
        Programme.FACTORY: "green factory",
        Programme.PARK: "green industrial park",
        Programme.SUPPLY_CHAIN: "green supply-chain management enterprise",
    },
    "zh": {
        Programme.FACTORY: "绿色工厂",
        Programme.PARK: "绿色工业园区",
        Programme.SUPPLY_CHAIN: "绿色供应链管理企业",
    },
}
TIER_WORDS = {
    "en": {Tier.CITY: "city", Tier.PROVINCE: "provincial", Tier.NATIONAL: "national"},
    "zh": {Tier.CITY: "市级", Tier.PROVINCE: "省级（自治区级）", Tier.NATIONAL: "国家级"},
}
CONFIDENCE_WORDS = {
    "en": {
        "official": "official",
        "cross-checked": "cross-checked",
        "single-source": "single-source",
        "low": "low-confidence",
    },
    "zh": {
        "official": "官方文本",
        "cross-checked": "多来源印证",
        "single-source": "单一来源",
        "low": "低可信度",
    },
}
"""How sure a pack is of a reference value, as readers are told (see ``ReferenceValue.level``)."""
