"""Tests of the input template: made from models and packs, filled in Chinese, read back exactly."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import greenrules as gr
from greenrules._cli import main

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "criteria" / "greenrules_cn_nm" / "r2025" / "shared" / "examples"
JSON = EXAMPLES / "round-2025.json"
XLSX = EXAMPLES / "round-2025.xlsx"
CONTEXT = {"tier": "province", "round": 2025, "jurisdiction": "CN-NM"}


def _tool() -> Any:
    spec = importlib.util.spec_from_file_location(
        "build_example_xlsx", ROOT / "tools" / "build_example_xlsx.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _decisions(entities: list[gr.Applicant]) -> list[dict[str, Any]]:
    return [d.to_dict() for d in gr.evaluate_many(entities, **CONTEXT)]


@pytest.fixture(scope="module")
def json_decisions() -> list[dict[str, Any]]:
    return _decisions(gr.load_entities(JSON))


def _edited(tmp_path: Path, edit: Any, name: str = "edited.xlsx") -> Path:
    """A copy of the shipped example with ``edit(book)`` applied."""
    book = openpyxl.load_workbook(XLSX)
    edit(book)
    out = tmp_path / name
    book.save(out)
    return out


def _column(ws: Any, header: str) -> str:
    return next(c.column_letter for c in ws[1] if c.value == header)


def test_a_zh_template_filled_through_its_chinese_headers_gives_the_json_decisions(
    tmp_path: Path, json_decisions: list[dict[str, Any]]
) -> None:
    """Made by the CLI in Chinese, filled by script through the guide, read: same decisions."""
    template = tmp_path / "模板.xlsx"
    assert (
        main(
            [
                "template",
                "--jurisdiction",
                "CN-NM",
                "--round",
                "2025",
                "--lang",
                "zh",
                "--out",
                str(template),
            ]
        )
        == 0
    )
    filled = tmp_path / "filled.xlsx"
    _tool().fill(template, json.loads(JSON.read_text(encoding="utf-8")), filled)
    book = openpyxl.load_workbook(filled)
    assert book["申报单位"]["A2"].value == "绿色工厂"  # labels, not internal values
    assert "是否重点用水企业" in [c.value for c in book["申报单位"][1]]
    entities = gr.load_entities(filled)
    assert entities == gr.load_entities(JSON)
    assert _decisions(entities) == json_decisions


def test_the_shipped_example_workbook_gives_the_json_decisions(
    json_decisions: list[dict[str, Any]],
) -> None:
    """The XLSX the demo reads is the JSON round, decision for decision."""
    assert _decisions(gr.load_entities(XLSX)) == json_decisions


def test_the_demo_reads_the_shipped_workbook(capsys: pytest.CaptureFixture[str]) -> None:
    """``greenrules demo`` evaluates the round as analysts fill it: the XLSX."""
    assert main(["demo", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert len(shown) == len(gr.load_entities(XLSX))


def test_the_template_has_a_sheet_per_list_and_a_guide_naming_clauses(tmp_path: Path) -> None:
    """Sheets by list, headers in the language asked, the guide's clauses read off the rules."""
    out = tmp_path / "t.xlsx"
    gr.write_template(out, jurisdiction="CN-NM", round=2025, lang="zh")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "填表说明", "申报单位", "名单记录", "产品能耗", "园区企业",
        "供应商", "豁免说明", "未正常经营记录", "事故违法记录", "督查问题记录",
        "节能整改记录", "失信被执行记录", "评价机构", "机构年报", "选项",
    ]  # fmt: skip
    assert book["选项"].sheet_state == "hidden"
    guide = {r[2]: r for r in book["填表说明"].iter_rows(min_row=2, values_only=True) if r[2]}
    water = guide["water.key_water_user"]
    assert water[1] == "是否重点用水企业" and water[5] == "是、否"
    assert "NM2025-2.1.1-b" in water[9]
    assert "NM2025-3.2.2" in guide["agencies.blacklisted_on"][9]
    kinds = {dv.type for dv in book["申报单位"].data_validations.dataValidation}
    assert {"list", "date"} <= kinds
    assert all(dv.showErrorMessage for dv in book["申报单位"].data_validations.dataValidation)
    products = [r[0] for r in book["选项"].iter_rows(min_row=1, values_only=True)]
    assert products  # drop-down lists live on the hidden sheet


def test_every_text_cell_written_is_data(tmp_path: Path) -> None:
    """No string cell of the template is a formula, whatever the packs' words start with."""
    out = tmp_path / "t.xlsx"
    gr.write_template(out, jurisdiction="CN-NM", round=2025, lang="en")
    book = openpyxl.load_workbook(out)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert cells and all(c.data_type != "f" for c in cells)


def test_english_headers_and_field_paths_are_accepted(
    tmp_path: Path, json_decisions: list[dict[str, Any]]
) -> None:
    """A header in English or the field path names the same column."""

    def edit(book: Any) -> None:
        ws = book["申报单位"]
        for cell in ws[1]:
            if cell.value == "是否重点用水企业":
                cell.value = "water.key_water_user"
            elif cell.value == "单位名称":
                cell.value = "name"
            elif cell.value == "申报类别":
                cell.value = "Programme"

    assert _decisions(gr.load_entities(_edited(tmp_path, edit))) == json_decisions


def test_a_mistyped_header_is_reported_once_with_the_closest_field(tmp_path: Path) -> None:
    """One problem for the column, not one per row, with a guess in the language asked."""

    def edit(book: Any) -> None:
        ws = book["申报单位"]
        ws[_column(ws, "是否重点用水企业") + "1"].value = "是否重点用水"

    path = _edited(tmp_path, edit)
    with pytest.raises(gr.InvalidInputError) as caught:
        gr.load_template(path, lang="zh")
    (problem,) = caught.value.problems
    assert problem.code == "unknown-field"
    assert problem.loc == ("申报单位", "第1行", "H列", "是否重点用水")
    assert problem.message == "无法识别的列名“是否重点用水”，是不是“是否重点用水企业”？"
    with pytest.raises(gr.InvalidInputError) as english:
        gr.load_template(path, lang="en")
    assert english.value.problems[0].message == (
        "unknown column '是否重点用水'; did you mean 'key water user'?"
    )
    with pytest.raises(gr.InvalidInputError):  # skipping rows cannot place the column's data
        gr.load_template(path, skip_invalid=True)


def test_dates_are_date_cells_or_three_written_forms(tmp_path: Path) -> None:
    """2025-05-12, 2025/5/12 and 2025年5月12日 are the same day; anything else is bad-date."""
    forms = ["2025-05-12", "2025/5/12", "2025年5月12日"]

    def edit(book: Any) -> None:
        ws = book["申报单位"]
        col = _column(ws, "申报材料报送日期")
        for row, text in enumerate(forms, start=2):
            ws[f"{col}{row}"].value = text
            ws[f"{col}{row}"].data_type = "s"
        ws[f"{col}5"].value = "12/5/2025"

    with pytest.raises(gr.InvalidInputError) as caught:
        gr.load_template(_edited(tmp_path, edit), lang="en")
    (problem,) = caught.value.problems
    assert problem.code == "bad-date" and problem.loc[:2] == ("申报单位", "row 5")
    assert all(form in problem.message for form in ("2025-05-30", "2025/5/30", "2025年5月30日"))
    load = gr.load_template(_edited(tmp_path, edit), skip_invalid=True)
    import datetime as dt

    assert {e.submitted_on for e in load.entities[:3]} == {dt.date(2025, 5, 12)}


def test_a_bad_credit_code_says_to_copy_it_from_the_licence(tmp_path: Path) -> None:
    """The message does not invite fixing the check character."""

    def edit(book: Any) -> None:
        book["申报单位"]["B3"].value = "91150600MA0000006X"

    with pytest.raises(gr.InvalidInputError) as caught:
        gr.load_template(_edited(tmp_path, edit), lang="zh")
    codes = {p.code for p in caught.value.problems}
    assert "bad-credit-code" in codes
    bad = next(p for p in caught.value.problems if p.code == "bad-credit-code")
    assert bad.loc[:3] == ("申报单位", "第3行", "B列") and "营业执照" in bad.message
    assert "unlinked-row" in codes  # its list rows now name a code no applicant has


def test_skip_invalid_keeps_the_good_rows_and_lists_the_rejected(tmp_path: Path) -> None:
    """The API keeps 41 of 42 applicants; the CLI writes 问题清单 and exits 3."""

    def edit(book: Any) -> None:
        ws = book["申报单位"]
        ws[_column(ws, "是否重点用水企业") + "5"].value = "也许"

    path = _edited(tmp_path, edit)
    load = gr.load_template(path, skip_invalid=True)
    assert len(load.entities) == len(gr.load_entities(JSON)) - 1
    assert [p.code for p in load.rejected] == ["wrong-type"]
    out = tmp_path / "summary.xlsx"
    argv = ["evaluate", str(path), "--lang", "zh", "--format", "xlsx", "--out", str(out)]
    assert main(argv) == 2 and not out.exists()  # without the flag: refused, nothing written
    assert main([*argv, "--skip-invalid"]) == 1  # written, but some rows were left out
    sheet = openpyxl.load_workbook(out)["问题清单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:5] == ("申报单位", "第5行", "H列", "是否重点用水企业", "wrong-type")
    assert main(["evaluate", str(JSON), "--skip-invalid"]) == 2  # flat files: refused, say why


def test_none_said_and_rows_given_is_a_contradiction(tmp_path: Path) -> None:
    """确认没有名单记录 = 是 with rows on 名单记录 is reported, not resolved silently."""

    def edit(book: Any) -> None:
        ws = book["申报单位"]
        ws[_column(ws, "确认没有名单记录") + "2"].value = "是"

    with pytest.raises(gr.InvalidInputError) as caught:
        gr.load_template(_edited(tmp_path, edit))
    assert [p.code for p in caught.value.problems] == ["conflicting-rows"]


def test_a_column_for_another_programme_is_named(tmp_path: Path) -> None:
    """A park-only value on a factory row says the column does not apply to it."""

    def edit(book: Any) -> None:
        ws = book["申报单位"]
        ws[_column(ws, "是否设有园区管理机构") + "2"].value = "是"

    with pytest.raises(gr.InvalidInputError) as caught:
        gr.load_template(_edited(tmp_path, edit), lang="zh")
    (problem,) = caught.value.problems
    assert problem.code == "unknown-field" and "不适用于绿色工厂" in problem.message


def test_schema_columns_prints_the_flat_columns(capsys: pytest.CaptureFixture[str]) -> None:
    """One line per column a flat CSV may have, lists marked as JSON text."""
    assert main(["schema", "--columns"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[0] == "programme"
    assert any(line.split()[:2] == ["water.key_water_user", "bool"] for line in lines)
    assert any(line.startswith("energy ") and "JSON" in line for line in lines)


@pytest.mark.slow
def test_libreoffice_opens_the_shipped_example(tmp_path: Path) -> None:
    """LibreOffice headless opens the example workbook and converts it (first sheet) to CSV."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed here")
    done = subprocess.run(
        [soffice, "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(XLSX)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "round-2025.csv").read_text(encoding="utf-8", errors="replace")
    assert text.strip()


def test_a_formula_and_a_renamed_sheet_are_refused_by_name(tmp_path: Path) -> None:
    """A formula is not a value; a renamed sheet's rows cannot be placed, so it is named."""

    def formula(book: Any) -> None:
        ws = book["申报单位"]
        ws[_column(ws, "年营业收入") + "40"].value = "=1+1"

    with pytest.raises(gr.InvalidInputError) as caught:
        gr.load_template(_edited(tmp_path, formula), lang="zh")
    (problem,) = caught.value.problems
    assert problem.code == "wrong-type" and "公式" in problem.message

    def rename(book: Any) -> None:
        book["名单记录"].title = "名单"

    with pytest.raises(gr.InvalidInputError) as renamed:
        gr.load_template(_edited(tmp_path, rename, "renamed.xlsx"), lang="zh")
    assert [p.code for p in renamed.value.problems] == ["unknown-sheet"]
    assert "名单记录" in renamed.value.problems[0].message


def test_evaluate_table_reads_the_template(json_decisions: list[dict[str, Any]]) -> None:
    """The columnar engine reads the workbook through the same reader."""
    pytest.importorskip("polars")
    result = gr.evaluate_table(XLSX, **CONTEXT)
    statuses = [d.status.value for d in result.decisions()]
    assert statuses == [d["status"] for d in json_decisions]
