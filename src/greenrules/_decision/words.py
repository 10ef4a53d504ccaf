"""The vocabulary of every output: statuses, verdicts, programmes, tiers, facts and references.

Every renderer (the explanation, the CLI table, JSON text, the summary workbook) reads its words
from here, so a status is never 培育 in one output and 纳入培育对象 in another, and a fact is
named by the same label as the input template's column for it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from typing import Any

from greenrules._decision.parts import Finding, Priority
from greenrules._model.enums import Programme, Status, Tier, Verdict
from greenrules._model.field_words import fact_label as field_label
from greenrules._rules.registry import Registry, default_registry
from greenrules._rules.rules import PriorityLevel

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
ROUTE_WORDS = {
    "zh": {"self": "自评价", "third_party": "第三方评价"},
    "en": {"self": "self-evaluation", "third_party": "third-party evaluation"},
}
"""Evaluation routes, by their value."""
ROLE_WORDS = {
    "zh": {"leading": "链主企业", "core": "核心企业", "member": "成员企业"},
    "en": {"leading": "chain leader", "core": "core enterprise", "member": "member enterprise"},
}
"""Supply-chain roles, by their value."""

AUTONOMOUS_REGIONS = frozenset({"CN-NM", "CN-GX", "CN-XZ", "CN-NX", "CN-XJ"})
"""The provinces that are autonomous regions (ISO 3166-2:CN): their provincial tier is 自治区级."""


def tier_word(tier: Tier, lang: str, jurisdiction: str | None = None) -> str:
    """The tier in words; the provincial tier of an autonomous region is 自治区级 in Chinese."""
    if lang == "zh" and tier is Tier.PROVINCE and jurisdiction is not None:
        return "自治区级" if jurisdiction.upper() in AUTONOMOUS_REGIONS else "省级"
    return TIER_WORDS[lang][tier]


REFERENCE_COLUMN_WORDS = {
    "zh": {
        "benchmark": "标杆水平",
        "baseline": "基准水平",
        "grade1": "1级限额值",
        "grade2": "2级限额值",
        "grade3": "3级限额值",
    },
    "en": {
        "benchmark": "benchmark",
        "baseline": "baseline",
        "grade1": "grade 1 limit",
        "grade2": "grade 2 limit",
        "grade3": "grade 3 limit",
    },
}
"""The reference values a rule can find missing, by their table column."""

_NAME_COLUMNS = {"zh": ("product_zh", "field_zh"), "en": ("product_en",)}


@functools.cache
def _default_products() -> Mapping[str, Mapping[str, Any]]:
    return product_rows(default_registry())


def product_rows(registry: Registry) -> dict[str, Mapping[str, Any]]:
    """Every row of a reference table keyed by ``product``, by product key (last pack wins)."""
    rows: dict[str, Mapping[str, Any]] = {}
    for pack in registry.packs:
        for table in pack.tables.values():
            if table.key == "product":
                for row in table.rows:
                    merged = {**rows.get(str(row["product"]), {}), **row}
                    rows[str(row["product"])] = {k: v for k, v in merged.items() if v is not None}
    return rows


def product_label(
    key: str, lang: str, products: Mapping[str, Mapping[str, Any]] | None = None
) -> str:
    """A product key as its name and indicator (``水泥熟料 熟料单位产品综合能耗``).

    ``products`` are the reference rows by key (:func:`product_rows`); by default those of the
    installed packs. A product no table names is shown as given.
    """
    row = (_default_products() if products is None else products).get(key, {})
    name = next((str(row[c]) for c in _NAME_COLUMNS[lang] if row.get(c)), None)
    if name is None:
        return key
    indicator = row.get("indicator_zh") if lang == "zh" else None
    return f"{name} {indicator}" if indicator else name


def product_unit(key: str, products: Mapping[str, Mapping[str, Any]] | None = None) -> str | None:
    """The unit a product's reference values are in, if a table gives one."""
    row = (_default_products() if products is None else products).get(key, {})
    return str(row["unit"]) if row.get("unit") else None


def fact_label(
    path: str, lang: str, products: Mapping[str, Mapping[str, Any]] | None = None
) -> str:
    """What a fact path is called in ``lang``: the input template's header for it.

    A fact in a list names the list first (``园区企业·名单记录·是否仍有效``); a reference value
    (``ref:table[key].column``) is named by its product, indicator, value and unit.
    """
    if path.startswith("ref:"):
        return _reference_label(path[4:], lang, products)
    zh, en = field_label(path)
    return zh if lang == "zh" else en


def _reference_label(ref: str, lang: str, products: Mapping[str, Mapping[str, Any]] | None) -> str:
    _, _, rest = ref.partition("[")
    key, _, column = rest.partition("].")
    if not key or not column:
        return ref
    words = REFERENCE_COLUMN_WORDS[lang].get(column, column)
    unit = product_unit(key, products)
    name = product_label(key, lang, products)
    unit_text = ("（" + unit + "）" if lang == "zh" else f" ({unit})") if unit else ""
    return f"{name} {words}{unit_text}"


def summary_of(message: str, verdict: Verdict, lang: str) -> str:
    """A finding's rule summary: its message without the verdict words in front."""
    head = VERDICT_WORDS[lang][verdict] + ("：" if lang == "zh" else ": ")
    return message.removeprefix(head)


def rule_summaries(findings: Iterable[Finding], lang: str) -> dict[str, str]:
    """Each finding's rule summary by rule id, in ``lang``."""
    return {f.rule: summary_of(f.message(lang), f.verdict, lang) for f in findings}


def priority_reasons(priority: Priority, findings: Iterable[Finding], lang: str) -> list[str]:
    """The priority's reasons as the summaries of the rules that gave them, not their ids."""
    summaries = rule_summaries(findings, lang)
    return [summaries.get(rule, rule) for rule in priority.reasons]


def round_name(jurisdiction: str, round: int, lang: str, registry: Registry | None = None) -> str:
    """A round's name from its shared pack (``内蒙古自治区2025年度绿色制造示范单位推荐``).

    A round no installed pack names is called by its jurisdiction and year.
    """
    found = [
        pack
        for pack in reversed((registry or default_registry()).packs)
        if pack.jurisdiction.upper() == jurisdiction.upper() and round in pack.rounds
    ]
    found.sort(key=lambda pack: not pack.shared)  # the round's own name, not a programme's
    if found:
        return found[0].name.in_(lang)
    return f"{jurisdiction} {round}年度" if lang == "zh" else f"{jurisdiction} round {round}"


UNSETTLED_RANK = {"zh": "排序待定", "en": "rank not settled"}
"""The mark of an entry whose missing facts could still move it up its list."""


def score_text(priority: Priority) -> str:
    """The priority score level by level (``4/1``); a level still open as its range (``0–3``)."""
    parts = []
    for score, low, high in zip(priority.score, priority.low, priority.high, strict=True):
        if low == high:
            parts.append(f"{score:g}")
        elif math.isinf(high):
            parts.append(f"≥{low:g}")
        else:
            parts.append(f"{low:g}–{high:g}")
    return "/".join(parts)


def legend_text(levels: Iterable[PriorityLevel], lang: str) -> str:
    """What the levels of a score mean, most significant first (``优先级：第1项 …；第2项 …``)."""
    words = [level.label(lang) for level in levels]
    if not words:
        return ""
    if len(words) == 1:
        return ("优先级：" if lang == "zh" else "priority: ") + words[0]
    if lang == "zh":
        return "优先级依次为：" + "；".join(f"第{i}项 {w}" for i, w in enumerate(words, 1))
    return "priority, level by level: " + "; ".join(f"({i}) {w}" for i, w in enumerate(words, 1))


def rank_note(best_rank: int, facts: Iterable[str], lang: str) -> str:
    """Why a place is not settled: how far up it could go and the facts that would settle it."""
    sep = "、" if lang == "zh" else ", "
    asked = sep.join(dict.fromkeys(fact_label(f, lang) for f in facts))
    if lang == "zh":
        return f"排序待定：可能升至第{best_rank}位" + (f"，请补充：{asked}" if asked else "")
    return f"rank not settled: could rise to {best_rank}" + (
        f"; please supply: {asked}" if asked else ""
    )
