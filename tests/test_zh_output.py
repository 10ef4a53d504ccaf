"""``--lang zh`` output is Chinese: no English words or internal keys in the table or workbook.

What may stay in Latin letters is what a Chinese bureau writes that way too: credit codes,
clause ids, units, numbers and dates, national-standard numbers (GB/T 4754 and its section
letter) and the Latin letters inside a product's own Chinese name in the packs' tables. One
more: the name of a reference table a rule's summary cites (``盟市表（nm_cities）``), which
every summary must name so that a reader can find the data the rule read.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

import greenrules as gr
from greenrules._cli import main
from greenrules._decision.words import product_rows

CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
STANDARD = re.compile(r"GB(?:/T)? ?\d+(?:[.-]\d+)*|门类[A-Z]")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")


def _allowed() -> list[str]:
    """Clause ids, units and product names of the installed packs, longest first."""
    registry = gr.default_registry()
    keep = {clause.id for pack in registry.packs for clause in pack.clauses}
    keep |= {f"（{name}）" for pack in registry.packs for name in pack.tables}
    for row in product_rows(registry).values():
        keep |= {
            str(row[c]) for c in ("unit", "product_zh", "field_zh", "indicator_zh") if row.get(c)
        }
    factories = [e for e in _entities() if isinstance(e, gr.Factory)]
    keep |= {line.unit for f in factories for line in f.energy or () if line.unit}
    return sorted(keep, key=len, reverse=True)


def _entities() -> list[gr.Applicant]:
    examples = Path(__file__).parents[1] / "criteria/greenrules_cn_nm/r2025/shared/examples"
    return gr.load_entities(examples / "round-2025.json")


def english_words(text: str, allowed: list[str]) -> list[str]:
    """The Latin-letter words of ``text`` that are none of the allowed kinds."""
    text = CREDIT_CODE.sub(" ", text)
    for item in allowed:
        text = text.replace(item, " ")
    text = STANDARD.sub(" ", text)
    return WORD.findall(text)


def test_the_scan_finds_what_it_must() -> None:
    """The scan is not vacuous: raw keys and English words are caught, codes are not."""
    allowed = _allowed()
    assert english_words("缺少：conformity.accepts_energy_supervision", allowed) == [
        "conformity.accepts_energy_supervision"
    ]
    assert english_words("province 级，factory", allowed) == ["province", "factory"]
    assert english_words("91150200MA0000005U NM2025-2.1.2-g 12880 kWh/t GB/T 4754", allowed) == []


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("zh") / "summary.xlsx"
    assert main(["demo", "--lang", "zh", "--format", "xlsx", "--out", str(out)]) == 0
    return out


def test_zh_table_has_no_english_words(capsys: pytest.CaptureFixture[str]) -> None:
    """The demo's ranked lists in zh: every word Chinese, bar codes, ids, units and numbers."""
    assert main(["demo", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    allowed = _allowed()
    found = {line: english_words(line, allowed) for line in out.splitlines()}
    assert {line: words for line, words in found.items() if words} == {}


def test_zh_workbook_has_no_english_words(workbook: Path) -> None:
    """Every cell of every sheet of the zh workbook, and every sheet name."""
    allowed = _allowed()
    book = openpyxl.load_workbook(workbook, read_only=True)
    found = {}
    for sheet in book.worksheets:
        assert english_words(sheet.title, allowed) == []
        for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            for value in row:
                if isinstance(value, str) and english_words(value, allowed):
                    found[(sheet.title, n, value)] = english_words(value, allowed)
    book.close()
    assert found == {}


def test_the_example_round_shows_one_ranked_list_per_programme(workbook: Path) -> None:
    """Three programmes, three lists, each numbered from 1; the methanol plant's place open."""
    book = openpyxl.load_workbook(workbook, read_only=True)
    names = book.sheetnames
    factories = list(book["绿色工厂推荐表"].iter_rows(min_row=4, values_only=True))
    book.close()
    assert names[:3] == ["绿色工厂推荐表", "绿色园区推荐表", "绿色供应链推荐表"]
    methanol = next(r for r in factories if r[1] and "煤制甲醇" in str(r[1]))
    assert "排序待定" in str(methanol[8]) and "烟煤制甲醇" in str(methanol[8])
