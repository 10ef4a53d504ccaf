"""Tests that a reference value's source and confidence reach findings, explanations, workbooks."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

import greenrules as gr
from greenrules._io.loaders import parse_entities
from greenrules._io.print_layout import HEADER_ROW
from greenrules._io.workbook import RECOMMEND_SHEET, SHEET_NAMES, SUMMARY_HEADERS
from greenrules._rules.reference import confidence_level

EXAMPLE = Path(__file__).parents[1] / "criteria/greenrules_cn_nm/r2025/shared/examples"
EXAMPLE = EXAMPLE / "round-2025.json"


def _factory(**fields: object) -> gr.Factory:
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    (entity,) = parse_entities([{**doc["applicants"][0], **fields}], doc["agencies"])
    assert isinstance(entity, gr.Factory)
    return entity


@pytest.fixture(scope="module")
def steel() -> tuple[gr.Factory, gr.Decision]:
    """A key-field steel plant at the converter benchmark, a low-confidence value."""
    entity = _factory(
        industry={"code": "3120", "name": "炼钢", "key_field": True},
        energy=[
            {
                "product": "gb21256.basic-oxygen-furnace-steelmaking",
                "value": -31.0,
                "unit": "kgce/t",
            }
        ],
    )
    return entity, gr.evaluate(entity, tier="province", round=2025, jurisdiction="CN-NM")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("official: GB 21258-2024 table 1", "official"),
        ("cross-checked: two transcriptions agree", "cross-checked"),
        ("no (single transcription)", "single-source"),
        ("", "single-source"),
        ("single source; partial, low confidence: benchmark -30", "low"),
    ],
)
def test_the_confidence_text_states_a_level(text: str, level: str) -> None:
    """The first word names official or cross-checked values; anything else is one source."""
    assert confidence_level(text) == level


def test_a_finding_carries_the_value_its_source_and_confidence(
    steel: tuple[gr.Factory, gr.Decision],
) -> None:
    """The benchmark finding names the value it compared with, from which row, how sure."""
    _, decision = steel
    assert decision.verdict("NM25-F-benchmark") is gr.Verdict.PASS
    (finding,) = [f for f in decision.findings if f.rule == "NM25-F-benchmark"]
    (ref,) = finding.references
    assert (ref.table, ref.key, ref.column, ref.value) == (
        "energy_benchmarks",
        "gb21256.basic-oxygen-furnace-steelmaking",
        "benchmark",
        -30,
    )
    assert ref.level == "low" and ref.weak and ref.source
    assert gr.Decision.from_dict(decision.to_dict()) == decision
    assert decision.to_dict()["findings"][[f.rule for f in decision.findings].index(
        "NM25-F-benchmark")]["references"][0]["confidence"] == ref.confidence  # fmt: skip
    # A rule that did not apply read nothing.
    (quota,) = [f for f in decision.findings if f.rule == "NM25-F-quota-grade1"]
    assert quota.verdict is gr.Verdict.NOT_APPLICABLE and quota.references == ()


def test_the_explanation_says_the_priority_rests_on_a_low_confidence_value(
    steel: tuple[gr.Factory, gr.Decision],
) -> None:
    """Both languages name the value, its level and its source."""
    _, decision = steel
    zh, en = decision.explain("zh"), decision.explain("en")
    value = "转炉工序 工序单位产品能耗（负值=净回收；按废钢比、钢种修正） 标杆水平（kgce/t） = -30"
    assert f"注意：NM2025-2.1.2-b 的优先级依据参考值 {value}，低可信度（来源：" in zh
    value = "basic oxygen furnace steelmaking benchmark (kgce/t) = -30"
    assert f"Caution: NM25-F-benchmark rests on the low-confidence value {value}" in en


def test_the_workbook_indicators_show_a_low_confidence_value(
    tmp_path: Path, steel: tuple[gr.Factory, gr.Decision]
) -> None:
    """The summary's indicators cell adds the value the priority compared with, and how sure."""
    entity, decision = steel
    path = gr.write_summary(tmp_path / "s.xlsx", [decision], [entity], lang="zh")
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = RECOMMEND_SHEET["zh"].format(programme=SHEET_NAMES["zh"][gr.Programme.FACTORY])
    rows = list(book[sheet].iter_rows(values_only=True))
    book.close()
    headers, row = rows[HEADER_ROW - 1], rows[HEADER_ROW]
    assert headers == SUMMARY_HEADERS["zh"]
    cell = row[headers.index("主要指标")]
    product = "转炉工序 工序单位产品能耗（负值=净回收；按废钢比、钢种修正）"
    assert cell.splitlines() == [f"{product}：-31 kgce/t", f"{product} 对比值 -30（低可信度）"]


def test_a_confirmed_value_carries_no_caveat(steel: tuple[gr.Factory, gr.Decision]) -> None:
    """A cross-checked value supplied by a region is read without a caution."""
    entity, _ = steel
    official = [
        {"product": "gb21256.basic-oxygen-furnace-steelmaking", "benchmark": -30, "baseline": -10,
         "unit": "kgce/t", "field_zh": "转炉炼钢", "standard": "GB 21256",
         "source": "official attachment (test)", "confidence": "official"},
    ]  # fmt: skip
    registry = gr.default_registry().with_reference("cn-nm", 2025, "energy_benchmarks", official)
    decision = gr.evaluate(
        entity, tier="province", round=2025, jurisdiction="CN-NM", registry=registry
    )
    assert decision.verdict("NM25-F-benchmark") is gr.Verdict.PASS
    assert "Caution" not in decision.explain("en")
