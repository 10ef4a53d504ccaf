"""The round-records template: written from the models, filled from records, read back exactly."""

from __future__ import annotations

import datetime as dt
import tempfile
from importlib.resources import files
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import greenrules as gr
from greenrules._cli import main
from greenrules._model.values import Event, Spell
from greenrules.testing import agencies, credit_codes

EXAMPLE = Path(str(files("greenrules_cn_nm") / "r2025" / "shared" / "round" / "records-2025.json"))
AS_OF = dt.date(2025, 5, 31)


@pytest.fixture(scope="module")
def records() -> gr.RoundRecords:
    return gr.load_round_records(EXAMPLE)


@pytest.fixture(scope="module")
def filled(records: gr.RoundRecords, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("round") / "records.xlsx"
    gr.write_round_template(out, jurisdiction="CN-NM", round=2025, records=records)
    return out


def _edited(tmp_path: Path, source: Path, edit: Any) -> Path:
    """A copy of ``source`` with ``edit(book)`` applied."""
    book = openpyxl.load_workbook(source)
    edit(book)
    out = tmp_path / "edited.xlsx"
    book.save(out)
    return out


def _cell(ws: Any, header: str, row: int) -> Any:
    letter = next(c.column_letter for c in ws[1] if c.value == header)
    return ws[f"{letter}{row}"]


def _problems(path: Path) -> list[gr.InputProblem]:
    with pytest.raises(gr.InvalidInputError) as caught:
        gr.load_round_records(path)
    return list(caught.value.problems)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_example_records_written_and_read_back_are_equal(
    records: gr.RoundRecords, tmp_path: Path, lang: str
) -> None:
    """Every city, list row, listed unit, form, exclusion record and agency survives the trip."""
    out = tmp_path / f"records-{lang}.xlsx"
    gr.write_round_template(out, jurisdiction="CN-NM", round=2025, lang=lang, records=records)
    assert gr.load_round_records(out, jurisdiction="cn-nm", round=2025) == records


def test_the_filled_template_gives_the_same_round_status(
    records: gr.RoundRecords, filled: Path
) -> None:
    status = gr.round_status(records, jurisdiction="CN-NM", round=2025, as_of=AS_OF)
    again = gr.round_status(
        gr.load_round_records(filled), jurisdiction="CN-NM", round=2025, as_of=AS_OF
    )
    assert again.render("en") == status.render("en")


def test_last_years_register_starts_this_years_file(
    records: gr.RoundRecords, tmp_path: Path
) -> None:
    """The round sheet names the round asked for; the rows are the register's."""
    out = tmp_path / "next.xlsx"
    last_year = records.model_copy(update={"round": 2024})
    gr.write_round_template(out, jurisdiction="CN-NM", round=2025, records=last_year)
    assert gr.load_round_records(out) == records


def test_records_of_another_jurisdiction_are_refused(
    records: gr.RoundRecords, tmp_path: Path
) -> None:
    out = tmp_path / "other.xlsx"
    other = records.model_copy(update={"jurisdiction": "CN-XX"})
    with pytest.raises(gr.InvalidInputError) as caught:
        gr.write_round_template(out, jurisdiction="CN-NM", round=2025, records=other)
    assert [p.code for p in caught.value.problems] == ["bad-argument"]
    assert not out.exists()


def test_the_blank_template_carries_its_round_drop_downs_dates_and_meanings(
    tmp_path: Path,
) -> None:
    out = tmp_path / "blank.xlsx"
    gr.write_round_template(out, jurisdiction="CN-NM", round=2025)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "填表说明" and book["选项"].sheet_state == "hidden"
    for sheet in ("轮次信息", "自治区工作", "盟市报送", "推荐名单", "征求意见部门", "已入选单位"):
        assert sheet in book.sheetnames
    assert [c.value for c in book["轮次信息"][2]][:2] == ["CN-NM", 2025]
    assert gr.load_round_records(out) == gr.RoundRecords(jurisdiction="CN-NM", round=2025)

    def validation(ws: Any, header: str) -> Any:
        letter = _cell(ws, header, 1).column_letter
        return next(v for v in ws.data_validations.dataValidation if letter in str(v.sqref))

    recommended = book["推荐名单"]
    assert validation(recommended, "盟市代码").type == "list"
    assert validation(recommended, "申报类别").type == "list"
    assert validation(recommended, "层级").type == "list"
    assert validation(recommended, "评价报告提交日期").type == "date"
    assert validation(book["征求意见部门"], "征求意见部门").type == "list"
    assert validation(book["盟市报送"], "含电子版").type == "list"
    assert "生态环境部门" in [c.value for row in book["选项"].iter_rows() for c in row]
    assert "送达自治区工信厅" in _cell(book["盟市报送"], "报送日期", 1).comment.text
    guide = {(r[0], r[1]): r for r in book["填表说明"].iter_rows(min_row=2, values_only=True)}
    assert "NM2025-2.2-2d" in guide[("盟市报送", "报送日期")][9]
    assert "NM2025-3.1-c" in guide[("动态管理表", "报送日期")][9]


def test_english_template_reads_with_english_messages(
    records: gr.RoundRecords, tmp_path: Path
) -> None:
    out = tmp_path / "en.xlsx"
    gr.write_round_template(out, jurisdiction="CN-NM", round=2025, lang="en", records=records)

    def edit(book: Any) -> None:
        _cell(book["city submissions"], "sent on", 2).value = "30/5/2025"

    (problem,) = _problems(_edited(tmp_path, out, edit))
    assert problem.code == "bad-date"
    assert problem.loc[:2] == ("city submissions", "row 2") and problem.loc[3] == "sent on"
    assert "2025-05-30" in problem.message


def test_every_text_cell_is_data_and_a_formula_looking_name_reads_back(
    records: gr.RoundRecords, tmp_path: Path
) -> None:
    unit = records.listed_units[0].model_copy(update={"name": '=HYPERLINK("x")'})
    hostile = records.model_copy(update={"listed_units": (unit, *records.listed_units[1:])})
    out = tmp_path / "hostile.xlsx"
    gr.write_round_template(out, jurisdiction="CN-NM", round=2025, records=hostile)
    book = openpyxl.load_workbook(out)
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)
    assert gr.load_round_records(out) == hostile


def test_an_agency_said_to_have_filed_no_report_keeps_saying_so(
    records: gr.RoundRecords, tmp_path: Path
) -> None:
    """确认没有年报记录 = 是 reads as no reports (an empty list), not as reports unknown."""
    agency = records.agencies[0].model_copy(update={"annual_reports": ()})
    none_filed = records.model_copy(update={"agencies": (agency, *records.agencies[1:])})
    out = tmp_path / "none-filed.xlsx"
    gr.write_round_template(out, jurisdiction="CN-NM", round=2025, records=none_filed)
    assert _cell(openpyxl.load_workbook(out)["评价机构"], "确认没有年报记录", 2).value == "是"
    assert gr.load_round_records(out).agencies[0].annual_reports == ()


def test_a_text_no_cell_can_hold_is_refused_and_nothing_is_written(
    records: gr.RoundRecords, tmp_path: Path
) -> None:
    unit = records.listed_units[0].model_copy(update={"name": "bad\x01name"})
    bad = records.model_copy(update={"listed_units": (unit,)})
    out = tmp_path / "bad.xlsx"
    with pytest.raises(gr.InvalidInputError) as caught:
        gr.write_round_template(out, jurisdiction="CN-NM", round=2025, records=bad)
    assert [p.code for p in caught.value.problems] == ["illegal-character"]
    assert caught.value.problems[0].loc[0] == "已入选单位"
    assert not out.exists()


def test_cell_problems_are_typed_and_placed(filled: Path, tmp_path: Path) -> None:
    def edit(book: Any) -> None:
        _cell(book["盟市报送"], "报送日期", 3).value = "5月30日"
        _cell(book["推荐名单"], "申报类别", 2).value = "绿色车间"
        _cell(book["征求意见部门"], "征求意见部门", 2).value = "公安部门"
        _cell(book["已入选单位"], "入选年度", 2).value = "=2018+1"
        book["部门异议"].append(["150300", "91150300MA0000000X"])  # a city with no other problem

    problems = _problems(_edited(tmp_path, filled, edit))
    found = {(p.loc[0], p.loc[1], p.loc[3]): p.code for p in problems}
    assert found == {
        ("盟市报送", "第3行", "报送日期"): "bad-date",
        ("推荐名单", "第2行", "申报类别"): "bad-choice",
        ("征求意见部门", "第2行", "征求意见部门"): "bad-choice",
        ("已入选单位", "第2行", "入选年度"): "wrong-type",
        ("部门异议", "第2行", "有异议单位统一社会信用代码"): "bad-credit-code",
    }
    assert all(p.loc[2].endswith("列") for p in problems)


def test_a_record_is_validated_once_its_cells_read(filled: Path, tmp_path: Path) -> None:
    """A row whose cells are fine but whose record is not is placed at the cell at fault."""

    def edit(book: Any) -> None:
        _cell(book["动态管理表"], "应报年度", 3).value = 1999

    (problem,) = _problems(_edited(tmp_path, filled, edit))
    assert (problem.code, problem.loc[0], problem.loc[1]) == ("out-of-range", "动态管理表", "第3行")
    assert problem.loc[3] == "应报年度"


def test_rows_that_cannot_be_joined_are_named(filled: Path, tmp_path: Path) -> None:
    def edit(book: Any) -> None:
        _cell(book["推荐名单"], "盟市代码", 2).value = "150000"  # no such city row
        book["盟市报送"].append(["150100 呼和浩特市"])  # twice
        book["自治区工作"].append([dt.date(2025, 6, 5)])
        book["自治区工作"].append([dt.date(2025, 6, 6)])
        _cell(book["动态管理表"], "所属单位统一社会信用代码", 2).value = "91150100MA00000209"

    problems = _problems(_edited(tmp_path, filled, edit))
    found = {(p.code, p.loc[0], p.loc[1]) for p in problems}
    assert found == {
        ("duplicate-record", "自治区工作", "第3行"),
        ("duplicate-record", "盟市报送", "第2行"),
        ("duplicate-record", "盟市报送", "第14行"),
        ("unlinked-row", "动态管理表", "第2行"),
        ("unlinked-row", "推荐名单", "第2行"),
    }


def test_none_said_and_rows_given_is_a_contradiction(filled: Path, tmp_path: Path) -> None:
    def edit(book: Any) -> None:
        _cell(book["盟市报送"], "确认未征求意见", 2).value = "是"

    (problem,) = _problems(_edited(tmp_path, filled, edit))
    assert problem.code == "conflicting-rows" and "征求意见部门" in problem.message


def test_the_round_sheet_says_which_round_and_a_caller_must_agree(
    filled: Path, tmp_path: Path
) -> None:
    with pytest.raises(gr.InvalidInputError) as caught:
        gr.load_round_records(filled, round=2026)
    assert [p.code for p in caught.value.problems] == ["bad-argument"]

    def edit(book: Any) -> None:
        book["轮次信息"].delete_rows(2)

    (problem,) = _problems(_edited(tmp_path, filled, edit))
    assert (problem.code, problem.loc[:2]) == ("missing-field", ("轮次信息", "第2行"))

    def year(book: Any) -> None:
        _cell(book["轮次信息"], "年度", 2).value = 1999

    (problem,) = _problems(_edited(tmp_path, filled, year))
    assert (problem.code, problem.loc[3]) == ("out-of-range", "年度")


def test_the_cli_writes_the_records_template_and_reads_it_filled(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blank = tmp_path / "blank.xlsx"
    assert main(["template", "--records", "--lang", "en", "--out", str(blank)]) == 0
    assert "city submissions" in openpyxl.load_workbook(blank).sheetnames
    capsys.readouterr()
    assert main(["round", str(filled), "--as-of", "2025-05-31"]) == 0
    from_template = capsys.readouterr().out
    assert main(["round", str(EXAMPLE), "--as-of", "2025-05-31"]) == 0
    assert from_template == capsys.readouterr().out


def test_the_cli_fills_the_records_template_from_a_register(
    records: gr.RoundRecords, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--from`` writes a register into the workbook; read back, it gives the same records."""
    out = tmp_path / "register.xlsx"
    assert main(["template", "--records", "--from", str(EXAMPLE), "--out", str(out)]) == 0
    assert gr.load_round_records(out) == records
    refilled = tmp_path / "again.xlsx"  # the filled workbook is itself a register to start from
    assert main(["template", "--records", "--from", str(out), "--out", str(refilled)]) == 0
    assert gr.load_round_records(refilled) == records


def test_the_cli_refuses_from_without_records_and_foreign_registers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misuse is a usage error naming the option, and nothing is written."""
    out = tmp_path / "t.xlsx"
    assert main(["template", "--from", str(EXAMPLE), "--out", str(out)]) == 2
    assert "--from fills the round-records workbook: add --records" in capsys.readouterr().err
    other = tmp_path / "other.json"
    other.write_text(EXAMPLE.read_text(encoding="utf-8").replace('"CN-NM"', '"CN-XZ"'), "utf-8")
    assert main(["template", "--records", "--from", str(other), "--out", str(out)]) == 2
    assert "CN-XZ" in capsys.readouterr().err
    assert not out.exists()


NAMES = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=12
).filter(lambda text: text == text.strip())
"""Names as a cell keeps them: a cell's surrounding spaces are not read (as for applicants)."""
DATES = st.none() | st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31))
YEARS = st.integers(min_value=2015, max_value=2030)
CITIES = st.sampled_from(["150100", "150200", "150300", "150600", "152900"])


def _unique(items: st.SearchStrategy[Any], key: Any) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.lists(items, max_size=3, unique_by=key).map(tuple)


EVENTS = st.none() | st.lists(st.builds(Event, happened_on=st.dates()), max_size=2).map(tuple)
SPELLS = st.none() | st.lists(st.builds(Spell, start=st.dates(), end=st.none()), max_size=2).map(
    tuple
)
CITY = st.builds(
    gr.CitySubmission,
    city=CITIES,
    consulted=st.none() | st.lists(st.sampled_from(list(gr.Department)), max_size=4).map(tuple),
    objections=st.lists(credit_codes(), max_size=2).map(tuple),
    review_opinion_on=DATES,
    sent_on=DATES,
    copies=st.none() | st.integers(min_value=0, max_value=9),
    electronic=st.none() | st.booleans(),
    recommended=_unique(
        st.builds(
            gr.Recommendation,
            credit_code=credit_codes(),
            name=NAMES,
            programme=st.sampled_from(list(gr.Programme)),
            tier=st.sampled_from(list(gr.Tier)),
            report_submitted_on=DATES,
        ),
        lambda r: r.credit_code,
    ),
)
UNIT = st.builds(
    gr.ListedUnit,
    credit_code=credit_codes(),
    name=NAMES,
    city=st.none() | CITIES,
    programme=st.sampled_from(list(gr.Programme)),
    tier=st.sampled_from(list(gr.Tier)),
    year=YEARS,
    removed_on=DATES,
    removal_announced_on=DATES,
    forms=st.lists(st.builds(gr.FormFiling, year=YEARS, filed_on=DATES), max_size=2).map(tuple),
    review_materials_on=DATES,
    standing=st.builds(
        gr.Standing,
        abnormal_operation=SPELLS,
        incidents=EVENTS,
        removed_from_list=st.none() | st.booleans(),
        removed_on=DATES,
        inspection_findings=EVENTS,
        energy_rectification=SPELLS,
        dishonest_debtor=SPELLS,
        major_accident=st.none() | st.booleans(),
    ),
)
REGION = st.none() | st.builds(gr.RegionRecord, material_review_on=st.dates(), published_on=DATES)
ROUNDS = st.builds(
    gr.RoundRecords,
    jurisdiction=st.just("CN-NM"),
    round=st.just(2025),
    source=st.none() | NAMES,
    cities=_unique(CITY, lambda c: c.city),
    region=REGION,
    listed_units=_unique(UNIT, lambda u: u.credit_code),
    agencies=_unique(agencies(), lambda a: a.credit_code),
)


@settings(
    max_examples=10,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as drawn: a trip is slow
    suppress_health_check=[HealthCheck.too_slow],
)
@given(ROUNDS)
def test_any_records_written_and_read_back_are_equal(records: gr.RoundRecords) -> None:
    """Whatever a register holds (formula-like names, unknown and empty lists) comes back."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "records.xlsx"
        gr.write_round_template(out, jurisdiction="CN-NM", round=2025, records=records)
        assert gr.load_round_records(out) == records
