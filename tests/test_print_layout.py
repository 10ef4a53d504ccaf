"""The summary workbook's print set-up, header and sign-off blocks, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

import greenrules as gr
from greenrules._cli import main
from greenrules._io.print_layout import HEADER_ROW, text_width, wrapped_lines
from greenrules._io.workbook import SHEETS, write_summary

EXAMPLE = (
    Path(__file__).parents[1]
    / "criteria/greenrules_cn_nm/r2025/shared/examples"
    / "round-2025.json"
)


@pytest.fixture(scope="module")
def round_() -> tuple[list[gr.Applicant], list[gr.Decision]]:
    entities = gr.load_entities(EXAMPLE)
    decisions = list(
        gr.rank(
            gr.evaluate_many(entities, tier="province", round=2025, jurisdiction="CN-NM")
        ).decisions
    )
    return entities, decisions


def test_every_sheet_prints_a4_landscape_one_page_wide_with_repeated_headings(
    tmp_path: Path, round_: tuple[list[gr.Applicant], list[gr.Decision]]
) -> None:
    """Page set-up, print titles, page numbers, frozen headings, borders and fitted rows."""
    entities, decisions = round_
    book = openpyxl.load_workbook(write_summary(tmp_path / "s.xlsx", decisions, entities))
    assert [s.title for s in book.worksheets][-3:] == list(SHEETS["zh"])
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9)  # 9: A4
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert sheet.page_margins.left == sheet.page_margins.right == 0.25
        assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
        table = list(sheet.iter_rows(min_row=HEADER_ROW, max_row=sheet.max_row - 2))
        for row in table:
            assert all(c.border.left.style == "thin" and c.alignment.wrap_text for c in row)
            height = sheet.row_dimensions[row[0].row].height
            widths = [sheet.column_dimensions[c.column_letter].width for c in row]
            lines = max(
                wrapped_lines(str(c.value or ""), w - 1) for c, w in zip(row, widths, strict=True)
            )
            assert height is not None and height >= lines * 12, row[0].row


def test_sign_off_fields_are_written_or_left_blank(
    tmp_path: Path, round_: tuple[list[gr.Applicant], list[gr.Decision]]
) -> None:
    """Given fields follow their labels; missing ones leave the label; the date defaults."""
    entities, decisions = round_
    path = write_summary(
        tmp_path / "s.xlsx",
        decisions,
        entities,
        unit="包头市工业和信息化局",
        contact="张三",
        phone="0472-0000000",
        date=dt.date(2025, 6, 10),
    )
    for sheet in openpyxl.load_workbook(path).worksheets:
        assert [c.value for c in sheet[2] if c.value is not None] == [
            "盟市：", "填报单位（盖章）：包头市工业和信息化局", "填报日期：2025-06-10",
        ]  # fmt: skip
        last = sheet.max_row
        assert [c.value for c in sheet[last] if c.value is not None] == [
            "联系人：张三", "联系电话：0472-0000000",
        ]  # fmt: skip
        assert all(c.value is None for c in sheet[last - 1])  # a blank row above the sign-off
    blank = openpyxl.load_workbook(write_summary(tmp_path / "b.xlsx", decisions, lang="en"))
    sheet = blank.worksheets[0]
    assert [c.value for c in sheet[2] if c.value is not None] == [
        "City: ", "Filing unit (stamp): ", "Date filed: 2025-05-30",  # the evaluation date
    ]  # fmt: skip
    assert sheet.cell(row=sheet.max_row, column=1).value == "Contact: "


def test_bad_sign_off_fields_are_refused_at_their_keyword(tmp_path: Path) -> None:
    """Text that is not one line, or a date that is not a date: nothing is written."""
    with pytest.raises(gr.InvalidInputError) as info:
        write_summary(tmp_path / "s.xlsx", [], unit="a\nb", phone="1\x00",
                      date=dt.datetime(2025, 6, 10, 9, 0))  # type: ignore[arg-type]  # fmt: skip
    assert {(p.code, p.loc) for p in info.value.problems} == {
        ("bad-argument", ("unit",)),
        ("bad-argument", ("phone",)),
        ("bad-argument", ("date",)),
    }
    assert not list(tmp_path.iterdir())


def test_cli_sign_off_options(tmp_path: Path) -> None:
    """--unit, --contact, --phone and --date reach the workbook."""
    out = tmp_path / "s.xlsx"
    argv = ["demo", "--format", "xlsx", "--lang", "zh", "--out", str(out), "--unit", "某局",
            "--contact", "李四", "--phone", "123", "--date", "2025-06-01"]  # fmt: skip
    assert main(argv) == 0
    sheet = openpyxl.load_workbook(out).worksheets[1]
    assert "填报单位（盖章）：某局" in [c.value for c in sheet[2]]
    assert "填报日期：2025-06-01" in [c.value for c in sheet[2]]


def test_widths_count_cjk_double_and_wrap_like_calc() -> None:
    """A CJK character is two units; Latin words move whole; explicit breaks start lines."""
    assert text_width("包头ab") == 6
    assert wrapped_lines("包头市包头市", 6) == 2
    assert wrapped_lines("one two three", 8) == 2
    assert wrapped_lines("a\nb", 10) == 2
    assert wrapped_lines("x" * 25, 10) == 3
