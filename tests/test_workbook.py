"""The summary workbook, read back: ranked recommended units by programme, cultivation, all."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import greenrules as gr
from greenrules._cli import main
from greenrules._io.print_layout import HEADER_ROW
from greenrules._io.workbook import (
    ALL_HEADERS,
    CULTIVATION_HEADERS,
    SHEETS,
    SUMMARY_HEADERS,
    write_summary,
)

EXAMPLE = (
    Path(__file__).parents[1]
    / "criteria/greenrules_cn_nm/r2025/shared/examples"
    / "round-2025.json"
)
ORDER = [gr.Programme.FACTORY, gr.Programme.PARK, gr.Programme.SUPPLY_CHAIN]


@pytest.fixture(scope="module")
def round_() -> tuple[list[gr.Applicant], list[gr.Decision]]:
    entities = gr.load_entities(EXAMPLE)
    decisions = gr.rank(
        gr.evaluate_many(entities, tier="province", round=2025, jurisdiction="CN-NM")
    )
    return entities, decisions


def _rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    """The title, then the table: its headings and its rows, without the blocks around it."""
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    book.close()
    table = rows[HEADER_ROW - 1 :]
    end = next((i for i, r in enumerate(table) if not any(v is not None for v in r)), len(table))
    return [rows[0][:1], *table[:end]]


def test_summary_lists_recommended_units_in_rank_order_grouped_by_programme(
    tmp_path: Path, round_: tuple[list[gr.Applicant], list[gr.Decision]]
) -> None:
    """One row per recommended unit: factories, then parks, then supply chains, each ranked."""
    entities, decisions = round_
    path = write_summary(tmp_path / "s.xlsx", decisions, entities, lang="zh",
                         city_names={"150200": "包头市"})  # fmt: skip
    rows = _rows(path, SHEETS["zh"][0])
    assert "2025" in str(rows[0][0]) and "CN-NM" in str(rows[0][0])
    assert rows[1] == SUMMARY_HEADERS["zh"]
    body = rows[2:]
    expected = [
        d for p in ORDER for d in decisions if d.programme is p and d.status is gr.Status.RECOMMEND
    ]
    assert [r[3] for r in body] == [d.entity_id for d in expected]
    assert [r[0] for r in body] == list(range(1, len(expected) + 1))
    by_id = {e.credit_code: e for e in entities}
    for row, decision in zip(body, expected, strict=True):
        unit = by_id[decision.entity_id]
        assert row[2] == decision.entity_name
        assert row[4] == ("包头市" if unit.city == "150200" else unit.city)
        assert row[5] == "省级（自治区级）"
        assert row[6] in ("自评价", "第三方评价")
        assert unit.report is not None
        if unit.report.route == "third_party" and unit.report.agency is not None:
            assert row[7] == unit.report.agency.name
        else:
            assert row[7] is None  # a self-evaluated unit never shows an agency
        assert str(row[10]).startswith("推荐")
    aluminium = next(r for r in body if "包头示例铝业有限公司" in str(r[2]))
    assert "gb21346.primary-aluminium-liquid: 12880 kWh/t" in str(aluminium[8])
    assert str(aluminium[9]).startswith("1 (NM25-F-benchmark")


def test_waived_clauses_and_review_show_in_the_summary(
    tmp_path: Path, round_: tuple[list[gr.Applicant], list[gr.Decision]]
) -> None:
    """A unit recommended on a waiver says so and names the waived clause."""
    entities, decisions = round_
    path = write_summary(tmp_path / "s.xlsx", decisions, entities, lang="en")
    rows = _rows(path, SHEETS["en"][0])
    assert rows[1] == SUMMARY_HEADERS["en"]
    waived = next(r for r in rows[2:] if "乙二醇" in str(r[2]))
    assert waived[10] == "recommend (review required)"
    assert "NM2025-2.1.2-g NM25-F-water-saving: waived" in str(waived[11])


def test_cultivation_sheet_says_what_each_unit_must_improve(
    tmp_path: Path, round_: tuple[list[gr.Applicant], list[gr.Decision]]
) -> None:
    """Every cultivation object appears with the conditions it failed and their clauses."""
    entities, decisions = round_
    path = write_summary(tmp_path / "s.xlsx", decisions, entities, lang="zh")
    rows = _rows(path, SHEETS["zh"][1])
    assert rows[1] == CULTIVATION_HEADERS["zh"]
    cultivate = [d for d in decisions if d.status is gr.Status.CULTIVATE]
    assert {r[3] for r in rows[2:]} == {d.entity_id for d in cultivate}
    water = next(r for r in rows[2:] if "非节水型）" in str(r[2]) and r[1] == "绿色工厂")
    assert "节水型企业" in str(water[5])
    assert "NM2025-2.1.2-g" in str(water[6])


def test_every_decision_is_on_the_last_sheet(
    tmp_path: Path, round_: tuple[list[gr.Applicant], list[gr.Decision]]
) -> None:
    """No evaluated unit is dropped: ineligible and undetermined ones are listed too."""
    entities, decisions = round_
    path = write_summary(tmp_path / "s.xlsx", decisions, entities, lang="en")
    rows = _rows(path, SHEETS["en"][2])
    assert rows[1] == ALL_HEADERS["en"]
    assert sorted(r[3] for r in rows[2:]) == sorted(d.entity_id for d in decisions)
    undetermined = next(r for r in rows[2:] if r[5] == "undetermined")
    assert undetermined[7]  # the missing facts are named


def test_bad_arguments_are_refused_without_writing(tmp_path: Path) -> None:
    """A wrong language or suffix raises InvalidInputError and leaves no file."""
    with pytest.raises(gr.InvalidInputError) as info:
        write_summary(tmp_path / "s.csv", [], lang="fr")
    assert {p.loc for p in info.value.problems} == {("lang",), ("path",)}
    assert not list(tmp_path.iterdir())


def test_an_unwritable_path_is_an_input_problem(tmp_path: Path) -> None:
    """A folder that does not exist is ``unwritable`` at ``path``, and nothing is left behind."""
    with pytest.raises(gr.InvalidInputError) as info:
        write_summary(tmp_path / "missing" / "s.xlsx", [])
    assert [(p.code, p.loc) for p in info.value.problems] == [("unwritable", ("path",))]
    assert not list(tmp_path.iterdir())


def test_cli_writes_the_workbook_for_evaluate_and_demo(tmp_path: Path) -> None:
    """`--format xlsx --out` writes a workbook; without --out it is an input error."""
    out = tmp_path / "evaluate.xlsx"
    assert main(["evaluate", str(EXAMPLE), "--format", "xlsx", "--out", str(out)]) == 0
    assert _rows(out, SHEETS["en"][0])[1] == SUMMARY_HEADERS["en"]
    demo = tmp_path / "demo.xlsx"
    assert main(["demo", "--format", "xlsx", "--lang", "zh", "--out", str(demo)]) == 0
    rows = _rows(demo, SHEETS["zh"][0])
    assert any(r[4] == "鄂尔多斯市" for r in rows[2:])
    assert main(["demo", "--format", "xlsx"]) == 2
