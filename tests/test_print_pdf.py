"""The summary workbook as an office printer sees it: rendered to PDF by LibreOffice headless.

Each sheet must print one page wide with its headings on every page, and no cell's text may be
cut or overprinted: the characters on the sheet's pages are exactly those of its cells (plus
the repeated headings, page headers and page numbers), and no two words overlap. Needs
``soffice`` (LibreOffice Calc) and ``pdftotext`` (poppler-utils) and a CJK font;
``make test-print`` installs them where it can.
"""

from __future__ import annotations

import collections
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

import greenrules as gr
from greenrules._io.workbook import RECOMMEND_SHEET, SHEET_NAMES, SHEETS, write_summary
from greenrules._model.credit_code import make_credit_code

EXAMPLE = (
    Path(__file__).parents[1]
    / "criteria/greenrules_cn_nm/r2025/shared/examples"
    / "round-2025.json"
)
ARGS = {"tier": "province", "round": 2025, "jurisdiction": "CN-NM"}
SOFFICE, PDFTOTEXT = shutil.which("soffice"), shutil.which("pdftotext")


def _has_cjk_font() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run([fc_list, ":lang=zh"], capture_output=True, check=False, timeout=60)
    return bool(found.stdout.strip())


MIN_ROWS_PER_PAGE = 8
"""The page-count bound: every printed page of a sheet holds at least this many table rows."""
FACTORIES = RECOMMEND_SHEET["zh"].format(programme=SHEET_NAMES["zh"][gr.Programme.FACTORY])
"""The first sheet: the green factories' recommendation list."""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        SOFFICE is None or PDFTOTEXT is None,
        reason="needs soffice (libreoffice-calc) and pdftotext (poppler-utils): make test-print",
    ),
    pytest.mark.skipif(
        SOFFICE is not None and not _has_cjk_font(),
        reason="needs a CJK font (fonts-wqy-microhei) to print Chinese: make test-print",
    ),
]
_WORD = re.compile(
    r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>'
)
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def _render(xlsx: Path) -> Path:
    """The workbook as LibreOffice prints it, with a profile of its own (runs may overlap)."""
    assert SOFFICE is not None
    profile = (xlsx.parent / "lo-profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(xlsx.parent), str(xlsx)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return xlsx.with_suffix(".pdf")


def _pdftotext(pdf: Path, *options: str) -> str:
    assert PDFTOTEXT is not None
    out = subprocess.run(
        [PDFTOTEXT, *options, str(pdf), "-"], check=True, capture_output=True, timeout=120
    )
    return out.stdout.decode("utf-8")


def _cells(xlsx: Path) -> dict[str, list[list[str]]]:
    book = openpyxl.load_workbook(xlsx)
    return {
        sheet.title: [[str(v) for v in row if v is not None] for row in sheet.values]
        for sheet in book.worksheets
    }


def _chars(text: str) -> collections.Counter[str]:
    return collections.Counter(c for c in text if not c.isspace())


class Printed:
    """A rendered workbook: each page's layout text, words with boxes, and size."""

    def __init__(self, xlsx: Path) -> None:
        pdf = _render(xlsx)
        self.pages = _pdftotext(pdf, "-layout").split("\f")[:-1]
        bbox = _pdftotext(pdf, "-bbox")
        chunks = bbox.split("<page ")[1:]
        self.sizes = [tuple(map(float, _PAGE.findall("<page " + c)[0])) for c in chunks]
        self.words = [
            [(*map(float, w[:4]), w[4]) for w in _WORD.findall(chunk)] for chunk in chunks
        ]
        assert len(self.pages) == len(self.words)

    def of_sheet(self, title: str) -> list[int]:
        """Pages whose page header (the first line) is the sheet's title."""
        return [i for i, page in enumerate(self.pages) if page.strip().split("\n")[0] == title]


def _check_sheet(printed: Printed, title: str, rows: list[list[str]]) -> list[int]:
    """Assert the sheet prints one page wide, headed on every page, nothing cut or overprinted."""
    pages = printed.of_sheet(title)
    assert pages, f"{title}: no page printed"
    headings = rows[2]
    for number in pages:
        width, height = printed.sizes[number]
        assert (round(width), round(height)) == (842, 595), "A4 landscape"
        flat = "".join(printed.pages[number].split())
        for heading in headings:  # a column on another page would leave its heading out here
            assert "".join(heading.split()) in flat, f"{title} page {number + 1}: no {heading}"
    printed_chars = _chars("".join(printed.pages[n] for n in pages))
    total = len(printed.pages)
    repeated = "".join(headings) * (len(pages) - 1) + title * len(pages)
    numbers = "".join(f"第{n + 1}页共{total}页" for n in pages)
    expected = _chars("".join(v for row in rows for v in row) + repeated + numbers)
    assert printed_chars == expected, (
        f"{title}: cut {dict(expected - printed_chars)}, extra {dict(printed_chars - expected)}"
    )
    for number in pages:
        words = printed.words[number]
        width, height = printed.sizes[number]
        for x0, y0, x1, y1, text in words:
            assert min(x0, y0) >= 0 and x1 <= width and y1 <= height, f"{text} off the page"
        _assert_no_overlap(words, f"{title} page {number + 1}")
    body_rows = len(rows) - 5  # title, filing, headings, the body, a blank row, contact
    assert len(pages) <= 1 + body_rows // MIN_ROWS_PER_PAGE, f"{title}: {len(pages)} pages"
    return pages


def _assert_no_overlap(words: list[tuple[float, float, float, float, str]], where: str) -> None:
    """No two words share ink: overprinted lines of a too-short row would."""
    boxes = sorted(words, key=lambda w: w[1])
    for i, (x0, y0, x1, y1, text) in enumerate(boxes):
        for u0, v0, u1, v1, other in boxes[i + 1 :]:
            if v0 >= y1 - 2:  # sorted by top: nothing further down can reach this word
                break
            overlap_x = min(x1, u1) - max(x0, u0)
            overlap_y = min(y1, v1) - max(y0, v0)
            assert overlap_x <= 1 or overlap_y <= 2, f"{where}: {text!r} overprints {other!r}"


def _print_and_check(
    tmp_path: Path, decisions: list[gr.Decision], applicants: list[gr.Applicant]
) -> dict[str, int]:
    xlsx = write_summary(
        tmp_path / "summary.xlsx",
        decisions,
        applicants,
        lang="zh",
        city="示例市",
        unit="示例市工业和信息化局",
        contact="张三",
        phone="0470-0000000",
    )
    cells = _cells(xlsx)
    printed = Printed(xlsx)
    assert list(cells)[-3:] == list(SHEETS["zh"])  # after one recommendation sheet per programme
    counts = {title: len(_check_sheet(printed, title, rows)) for title, rows in cells.items()}
    assert sum(counts.values()) == len(printed.pages), "every page belongs to a sheet"
    first = printed.pages[printed.of_sheet(FACTORIES)[0]]
    assert "填报单位（盖章）：示例市工业和信息化局" in first and "填报日期：2025-05-30" in first
    assert "盟市：示例市" in first
    return counts


def test_the_example_round_prints_one_page_wide_with_nothing_cut(tmp_path: Path) -> None:
    """The bundled example round: every sheet one page wide, headed, nothing cut."""
    entities = gr.load_entities(EXAMPLE)
    decisions = list(gr.rank(gr.evaluate_many(entities, **ARGS)).decisions)
    counts = _print_and_check(tmp_path, decisions, entities)
    print("pages per sheet, example round:", counts)


def test_a_round_of_200_recommended_units_repeats_its_headings_on_every_page(
    tmp_path: Path,
) -> None:
    """200 recommended units, made from the example round's: headings on every page."""
    entities = gr.load_entities(EXAMPLE)
    recommended = [
        e
        for e, d in zip(entities, gr.evaluate_many(entities, **ARGS), strict=True)
        if d.status is gr.Status.RECOMMEND
    ]
    many = [
        type(recommended[n % len(recommended)]).model_validate(
            {
                **recommended[n % len(recommended)].model_dump(),
                "credit_code": make_credit_code(f"91150200MA{n:07d}"),
                "name": f"{recommended[n % len(recommended)].name}第{n + 1}分厂",
            }
        )
        for n in range(200)
    ]
    decisions = list(gr.rank(gr.evaluate_many(many, **ARGS)).decisions)
    assert sum(d.status is gr.Status.RECOMMEND for d in decisions) == 200
    counts = _print_and_check(tmp_path, decisions, many)
    assert counts[FACTORIES] > 1  # so the repeated headings were seen
    print("pages per sheet, 200 recommended units:", counts)
