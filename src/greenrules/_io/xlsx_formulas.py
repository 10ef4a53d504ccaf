"""Formula cells whose result was never saved, found so that they are not read as empty cells.

The loaders read a workbook's saved results (openpyxl's ``data_only``). A formula written by a
program that does not calculate (a script, some exporters) has no saved result, and would read
as an empty cell: a fact silently unknown. Files without formulas cost one byte search; files
with them get a second, formula-view read of the sheets that were loaded.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from typing import Any

from greenrules.exceptions import InputProblem

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def uncached_formulas(data: bytes, titles: Iterable[str]) -> list[InputProblem]:
    """``formula-without-value`` for each formula cell without a saved result in ``titles``."""
    if not _has_formulas(data):
        return []
    import openpyxl

    formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    results = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [
            problem
            for title in titles
            for problem in _sheet_problems(formulas[title], results[title])
        ]
    finally:
        formulas.close()
        results.close()


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet holds a formula tag, read in chunks (a sheet may inflate hugely)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            with archive.open(info) as sheet:
                tail = b""
                while chunk := sheet.read(1 << 20):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-64:]  # a tag cut by the chunk's end is found with the next
    return False


def _sheet_problems(formulas: Any, results: Any) -> list[InputProblem]:
    formulas.reset_dimensions()
    results.reset_dimensions()
    header: list[str] = []
    problems = []
    rows = zip(formulas.iter_rows(), results.iter_rows(values_only=True), strict=False)
    for line, (cells, values) in enumerate(rows, start=1):
        if line == 1:
            header = [str(v).strip() if v is not None else "" for v in values]
        for number, (cell, value) in enumerate(zip(cells, values, strict=False), start=1):
            if getattr(cell, "data_type", None) == "f" and value is None:
                named = number <= len(header) and header[number - 1]
                column = header[number - 1] if named else f"column {number}"
                msg = (
                    f"the cell holds a formula ({cell.value}) whose result was never saved: "
                    "open and save the file in Excel or WPS, or type the value"
                )
                loc = (formulas.title, f"line {line}", column)
                problems.append(InputProblem("formula-without-value", loc, msg, cell.value))
    return problems
