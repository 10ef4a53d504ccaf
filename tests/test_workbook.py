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
    ASK_HEADERS,
    CULTIVATION_HEADERS,
    RECOMMEND_SHEET,
    SHEET_NAMES,
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
    decisions = list(
        gr.rank(
            gr.evaluate_many(entities, tier="province", round=2025, jurisdiction="CN-NM")
        ).decisions
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


def _filing(path: Path, sheet: str) -> list[object]:
    """The header block under the title: 盟市, 填报单位 and 填报日期."""
    book = openpyxl.load_workbook(path, read_only=True)
    row = next(book[sheet].iter_rows(min_row=2, max_row=2, values_only=True))
    book.close()
    return [v for v in row if v is not None]


def _recommend_sheet(programme: gr.Programme, lang: str) -> str:
    return RECOMMEND_SHEET[lang].format(programme=SHEET_NAMES[lang][programme])


def test_one_ranked_recommendation_sheet_per_programme(
    tmp_path: Path, round_: tuple[list[gr.Applicant], list[gr.Decision]]
) -> None:
    """Each programme's recommended units on a sheet of their own, numbered 1.. in rank order."""
    entities, decisions = round_
    path = write_summary(tmp_path / "s.xlsx", decisions, entities, lang="zh",
                         city_names={"150200": "包头市"})  # fmt: skip
    book = openpyxl.load_workbook(path, read_only=True)
    names = book.sheetnames
    book.close()
    assert names == [*(_recommend_sheet(p, "zh") for p in ORDER), *SHEETS["zh"]]
    by_id = {e.credit_code: e for e in entities}
    for programme in ORDER:
        rows = _rows(path, _recommend_sheet(programme, "zh"))
        title, legend = str(rows[0][0]).split("\n")
        assert "内蒙古自治区2025年度" in title and "自治区级" in title
        assert title.endswith(_recommend_sheet(programme, "zh"))
        assert legend.startswith("优先级")  # what the score's levels mean
        assert rows[1] == SUMMARY_HEADERS["zh"]
        body = rows[2:]
        expected = [
            d for d in decisions if d.programme is programme and d.status is gr.Status.RECOMMEND
        ]
        assert [r[2] for r in body] == [d.entity_id for d in expected]
        assert [r[0] for r in body] == list(range(1, len(expected) + 1))
        for row, decision in zip(body, expected, strict=True):
            unit = by_id[decision.entity_id]
            assert row[1] == decision.entity_name
            assert row[3] == ("包头市" if unit.city == "150200" else unit.city)
            assert row[4] == "自治区级"
            assert row[5] in ("自评价", "第三方评价")
            assert unit.report is not None
            if unit.report.route == "third_party" and unit.report.agency is not None:
                assert row[6] == unit.report.agency.name
            else:
                assert row[6] is None  # a self-evaluated unit never shows an agency
            assert str(row[9]).startswith("推荐")
    factories = _rows(path, _recommend_sheet(gr.Programme.FACTORY, "zh"))[2:]
    aluminium = next(r for r in factories if "包头示例铝业有限公司" in str(r[1]))
    figure, caveat = str(aluminium[7]).split("\n")
    assert figure == "电解铝（铝液） 铝液交流电耗：12880 kWh/t"  # product, indicator
    assert caveat == "电解铝（铝液） 铝液交流电耗 对比值 13000（单一来源）"  # a weak reference
    assert aluminium[8] == "1"  # the legend under the title says what the score counts


def test_header_block_names_city_unit_and_evaluation_date(
    tmp_path: Path, round_: tuple[list[gr.Applicant], list[gr.Decision]]
) -> None:
    """盟市 from the applicants when they share one (or as given), 填报日期 the evaluation date."""
    entities, decisions = round_
    baotou = [e for e in entities if e.city.startswith("1502")]
    ids = {e.credit_code for e in baotou}
    path = write_summary(tmp_path / "b.xlsx", [d for d in decisions if d.entity_id in ids], baotou,
                         city_names={"150200": "包头市"})  # fmt: skip
    for sheet in SHEETS["zh"]:
        assert _filing(path, sheet) == [
            "盟市：包头市",
            "填报单位（盖章）：",
            "填报日期：2025-05-30",
        ]
    mixed = write_summary(
        tmp_path / "m.xlsx", decisions, entities, city="乌海市", unit="乌海市工信局"
    )
    assert _filing(mixed, SHEETS["zh"][2]) == [
        "盟市：乌海市", "填报单位（盖章）：乌海市工信局", "填报日期：2025-05-30",
    ]  # fmt: skip
    unnamed = write_summary(tmp_path / "u.xlsx", decisions, entities)
    assert _filing(unnamed, SHEETS["zh"][2])[0] == "盟市："  # many cities: filled in by hand


def test_waived_clauses_and_review_show_in_the_summary(
    tmp_path: Path, round_: tuple[list[gr.Applicant], list[gr.Decision]]
) -> None:
    """A unit recommended on a waiver says so and names the waived condition and its clause."""
    entities, decisions = round_
    path = write_summary(tmp_path / "s.xlsx", decisions, entities, lang="en")
    rows = _rows(path, _recommend_sheet(gr.Programme.FACTORY, "en"))
    assert rows[1] == SUMMARY_HEADERS["en"]
    waived = next(r for r in rows[2:] if "乙二醇" in str(r[1]))
    assert waived[9] == "recommend (review required)"
    assert str(waived[10]).startswith("not met, waived with a justification: ")
    assert str(waived[10]).endswith("(NM2025-2.1.2-g)")


def test_cultivation_sheet_says_what_each_unit_must_improve(
    tmp_path: Path, round_: tuple[list[gr.Applicant], list[gr.Decision]]
) -> None:
    """Every cultivation object appears with the conditions it failed and their clauses."""
    entities, decisions = round_
    path = write_summary(tmp_path / "s.xlsx", decisions, entities, lang="zh")
    rows = _rows(path, SHEETS["zh"][0])
    assert rows[1] == CULTIVATION_HEADERS["zh"]
    cultivate = [d for d in decisions if d.status is gr.Status.CULTIVATE]
    assert {r[3] for r in rows[2:]} == {d.entity_id for d in cultivate}
    water = next(r for r in rows[2:] if "非节水型）" in str(r[2]) and r[1] == "绿色工厂")
    assert str(water[5]) == "不符合：重点用水企业原则上应为节水型企业。（NM2025-2.1.2-g）"


def test_ask_next_sheet_has_one_row_per_applicant_and_fact(
    tmp_path: Path, round_: tuple[list[gr.Applicant], list[gr.Decision]]
) -> None:
    """Every open applicant's questions, by the template's header words, most decisive first."""
    entities, decisions = round_
    path = write_summary(tmp_path / "s.xlsx", decisions, entities, lang="zh")
    rows = _rows(path, SHEETS["zh"][1])
    assert rows[1] == ASK_HEADERS["zh"]
    ranking = gr.rank(decisions)
    expected = [
        (e.decision.entity_id, q.fact)
        for e in ranking
        for q in e.decision.ask_next()
        if q.about == "status" or e.rank_uncertain
    ]
    assert len(rows) - 2 == len(expected) and {r[3] for r in rows[2:]} == {i for i, _ in expected}
    undetermined = {d.entity_id for d in decisions if d.status is gr.Status.UNDETERMINED}
    assert undetermined <= {r[3] for r in rows[2:]}
    methanol = [r for r in rows[2:] if "煤制甲醇" in str(r[2])]
    assert [(r[6], r[7], r[8]) for r in methanol] == [
        ("请补充：烟煤制甲醇 单位产品综合能耗 标杆水平（kgce/t）", "可单独确定排序",
         "数据包维护方（参考数据）"),
    ]  # fmt: skip
    assert [r[0] for r in rows[2:]] == list(range(1, len(rows) - 1))
    consultation = [r[6] for r in rows[2:] if "征求意见未完成" in str(r[2])]
    assert "请补充：征求意见部门是否有异议" in consultation
    assert all(str(r[6]).startswith("请补充：") and "." not in str(r[6]) for r in rows[2:])


def test_every_decision_is_on_the_last_sheet(
    tmp_path: Path, round_: tuple[list[gr.Applicant], list[gr.Decision]]
) -> None:
    """No evaluated unit is dropped: ineligible and undetermined ones are listed too."""
    entities, decisions = round_
    path = write_summary(tmp_path / "s.xlsx", decisions, entities, lang="en")
    rows = _rows(path, SHEETS["en"][2])
    assert rows[1] == ALL_HEADERS["en"]
    assert sorted(r[4] for r in rows[2:]) == sorted(d.entity_id for d in decisions)
    ranking = gr.rank(decisions)
    assert [r[2] for r in rows[2:]] == [e.rank for e in ranking]  # the place in its own list
    undetermined = next(r for r in rows[2:] if r[6] == "undetermined")
    assert undetermined[9]  # the missing facts are named


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
    assert _rows(out, SHEETS["en"][2])[1] == ALL_HEADERS["en"]
    demo = tmp_path / "demo.xlsx"
    assert main(["demo", "--format", "xlsx", "--lang", "zh", "--out", str(demo)]) == 0
    rows = _rows(demo, _recommend_sheet(gr.Programme.FACTORY, "zh"))
    assert any(r[3] == "鄂尔多斯市" for r in rows[2:])
    assert main(["demo", "--format", "xlsx"]) == 2


def test_the_sheets_after_the_lists_are_titled_by_the_round_not_a_programme(
    tmp_path: Path, round_: tuple[list[gr.Applicant], list[gr.Decision]]
) -> None:
    """With one pack per programme, the title names the round's shared pack, never the last one."""
    entities, decisions = round_
    path = gr.write_summary(tmp_path / "s.xlsx", decisions, entities, lang="zh")
    book = openpyxl.load_workbook(path)
    title = str(book["培育对象"]["A1"].value)
    book.close()
    assert title == "内蒙古自治区2025年度绿色制造示范单位推荐（自治区级）\u3000培育对象"
