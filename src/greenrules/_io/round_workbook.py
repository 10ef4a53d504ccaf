"""The round status as a workbook: one sheet of duties, one of findings, for a region's desk.

Every text cell is data: a name or message that starts like a formula (``=``, ``+``, ``-``,
``@``) is written as a string cell, so opening the workbook never runs anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from greenrules._decision.round_status import (
    FINDING_HEADERS,
    ITEM_HEADERS,
    RoundStatus,
    finding_rows,
    status_rows,
)
from greenrules._io.output import write_whole
from greenrules.exceptions import InputProblem, InvalidInputError

SHEETS = {"zh": ("办理事项", "核查结论"), "en": ("Duties", "Findings")}
FORMULA_STARTS = ("=", "+", "-", "@")


def write_round_status(path: str | Path, status: RoundStatus, *, lang: str = "zh") -> Path:
    """Write ``status`` to a new ``.xlsx`` file, whole or not at all; returns the path.

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
    book = openpyxl.Workbook()
    duties, findings = book.active, book.create_sheet()
    title = status.render(lang).splitlines()[0]
    for sheet, name, headers, rows in (
        (duties, SHEETS[lang][0], ITEM_HEADERS[lang], status_rows(status, lang)),
        (findings, SHEETS[lang][1], FINDING_HEADERS[lang], finding_rows(status.findings, lang)),
    ):
        sheet.title = name
        _fill(sheet, [[title], list(headers), *rows])
        sheet.freeze_panes = "A3"
    write_whole(path, book.save, argument="path")
    return path


def _fill(sheet: Any, rows: Sequence[Sequence[Any]]) -> None:
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=col, value=value)
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
