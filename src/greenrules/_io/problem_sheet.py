"""The 问题清单 (problems) sheet: the rows a skipping load rejected, with every problem each had.

When bad rows are skipped, the analyst must still see what was left out and why, in the same
workbook the bureau files; the sheet lists each problem on its own row, located as the reader
located it (sheet, row, column, header).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from greenrules._io.output import write_whole
from greenrules._io.template import text_cell
from greenrules._io.template_words import PROBLEM_HEADERS, SHEET_WORDS
from greenrules.exceptions import InputProblem


def add_problem_sheet(
    workbook: Path, out: Path, problems: Sequence[InputProblem], lang: str
) -> None:
    """Write ``workbook`` plus a problems sheet to ``out``, whole or not at all."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.load_workbook(workbook)
    ws = book.create_sheet(SHEET_WORDS["problems"][lang])
    for index, header in enumerate(PROBLEM_HEADERS[lang], start=1):
        text_cell(ws.cell(row=1, column=index), header)
        ws.cell(row=1, column=index).font = Font(bold=True)
    for row, problem in enumerate(problems, start=2):
        where = [str(part) for part in problem.loc][:4]
        where += [""] * (4 - len(where))
        given = "" if problem.input is None else str(problem.input)
        for index, value in enumerate((*where, problem.code, problem.message, given), start=1):
            text_cell(ws.cell(row=row, column=index), value)
    for letter, width in zip("ABCDEFG", (14, 10, 10, 24, 22, 60, 24), strict=True):
        ws.column_dimensions[letter].width = width
    write_whole(out, book.save, argument="out")
