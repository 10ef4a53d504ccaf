"""A comparison as a workbook: transitions, moved rules and changed entities, one sheet each.

A policy desk reads what-if results in Excel or WPS. Every text cell is data (names come from
applicants), and the file is written whole or not at all, byte for byte the same each time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from greenrules._columnar.comparison import Comparison, move_line, status_word, verdict_word
from greenrules._decision.words import PROGRAMME_WORDS
from greenrules._io.cells import append_row
from greenrules._io.output import write_whole
from greenrules._io.xlsx import save_workbook
from greenrules.exceptions import InputProblem, InvalidInputError

SHEETS = {
    "en": ("Status changes", "Rules moved", "Entities changed"),
    "zh": ("状态变化", "判定变化的规则", "变化的单位"),
}
HEADERS = {
    "en": (
        ("status before", "status after", "entities"),
        ("rule", "verdict before", "verdict after", "entities"),
        (
            "credit code",
            "name",
            "programme",
            "status before",
            "status after",
            "priority before",
            "priority after",
            "rank before",
            "rank after",
            "rules moved, facts read",
        ),
    ),
    "zh": (
        ("变更前状态", "变更后状态", "单位数"),
        ("规则", "变更前判定", "变更后判定", "单位数"),
        (
            "统一社会信用代码",
            "名称",
            "类别",
            "变更前状态",
            "变更后状态",
            "变更前优先级",
            "变更后优先级",
            "变更前排名",
            "变更后排名",
            "变化的规则及所读信息",
        ),
    ),
}


def write_comparison(path: str | Path, comparison: Comparison, *, lang: str = "zh") -> Path:
    """Write ``comparison`` to a new ``.xlsx`` file, whole or not at all; returns the path.

    Raises:
        InvalidInputError: ``lang`` is not zh or en, the path is not ``.xlsx``, or the file
            cannot be written.
    """
    import openpyxl

    path = Path(path)
    problems = []
    if lang not in ("zh", "en"):
        problems.append(InputProblem("bad-argument", ("lang",), "expected zh or en", lang))
    if path.suffix.lower() != ".xlsx":
        problems.append(InputProblem("bad-argument", ("path",), "expected a .xlsx file", str(path)))
    if problems:
        raise InvalidInputError(problems)
    transitions = [
        [status_word(a, lang), status_word(b, lang), n]
        for (a, b), n in comparison.transitions.items()
    ]
    rules = [
        [rule, verdict_word(a, lang), verdict_word(b, lang), n]
        for (rule, a, b), n in comparison.rule_moves.items()
    ]
    entities = [
        [
            c.entity_id,
            c.name,
            PROGRAMME_WORDS[lang][c.programme],
            status_word(c.status_before, lang),
            status_word(c.status_after, lang),
            "/".join(f"{s:g}" for s in c.priority_before),
            "/".join(f"{s:g}" for s in c.priority_after),
            c.rank_before,
            c.rank_after,
            "\n".join(move_line(m, lang) for m in c.moves),
        ]
        for c in comparison.changes
    ]
    book = openpyxl.Workbook()
    sheets = [book.active, book.create_sheet(), book.create_sheet()]
    for sheet, name, headers, rows in zip(
        sheets, SHEETS[lang], HEADERS[lang], (transitions, rules, entities), strict=True
    ):
        sheet.title = name
        _fill(sheet, headers, rows)
    write_whole(path, lambda tmp: save_workbook(book, tmp), argument="path")
    return path


def _fill(sheet: Any, headers: tuple[str, ...], rows: list[list[Any]]) -> None:
    append_row(sheet, list(headers), headers)
    for row in rows:
        append_row(sheet, row, headers)
    sheet.freeze_panes = "A2"
