"""Build the example round as the input template: ``examples/round-2025.xlsx`` from its JSON.

Run from the repository root: ``python tools/build_example_xlsx.py``. The workbook is the
template ``greenrules template --lang zh`` writes, filled the way an analyst's script would fill
it: each value goes to the column the field guide names for its field path, as the label its
drop-down shows (是/否, 绿色工厂, 150200 包头市, a product's name), dates as date cells.
A test checks that the result gives exactly the JSON's decisions.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openpyxl

EXAMPLES = Path("criteria/greenrules_cn_nm/r2025/shared/examples")
OWNER_PATHS = ("owner.credit_code", "applicants.credit_code", "agencies.credit_code")


class Filler:
    """Writes records into a template through its field guide and its choices sheet."""

    def __init__(self, book: Any) -> None:
        self.book = book
        guide = book.worksheets[0]  # the field guide comes first
        self.columns: dict[str, dict[str, tuple[int, str]]] = {}  # sheet -> path -> (col, type)
        for row in guide.iter_rows(min_row=2, values_only=True):
            if not row[0] or not row[2]:
                continue
            sheet, header, path, kind = row[0], row[1], row[2], row[4]
            head = [c.value for c in book[sheet][1]]
            self.columns.setdefault(sheet, {})[path] = (head.index(header) + 1, kind)
        choices = book.worksheets[-1]
        self.labels: dict[str, str] = {}
        for col in range(1, choices.max_column + 1, 2):
            for row in range(2, choices.max_row + 1):
                label = choices.cell(row=row, column=col).value
                value = choices.cell(row=row, column=col + 1).value
                if label is not None:
                    self.labels[str(value)] = str(label)
        self.next_row = {sheet: 2 for sheet in self.columns}

    def sheet_of(self, path: str) -> str:
        """The sheet whose columns include ``path``."""
        return next(s for s, cols in self.columns.items() if path in cols)

    def add(self, sheet: str, values: Mapping[str, Any]) -> None:
        """Append one row of ``values`` (by field path) to ``sheet``."""
        row = self.next_row[sheet]
        self.next_row[sheet] += 1
        for path, value in values.items():
            col, kind = self.columns[sheet][path]
            cell = self.book[sheet].cell(row=row, column=col)
            cell.value = self.shown(value, kind)
            if isinstance(cell.value, str):
                cell.data_type = "s"

    def shown(self, value: Any, kind: str) -> Any:
        """A value as the analyst writes it: a drop-down label, a date cell, a number."""
        if isinstance(value, bool):
            return self.labels["true" if value else "false"]
        if kind in ("日期", "date") and isinstance(value, str):
            return dt.date.fromisoformat(value)
        if isinstance(value, str):
            return self.labels.get(value, value)
        return value

    def record(self, data: Mapping[str, Any], sheet: str, prefix: str, owner: Any = None) -> None:
        """One record and, on their own sheets, its lists (an empty list says "none")."""
        values: dict[str, Any] = {}
        if owner is not None:
            values[next(p for p in OWNER_PATHS if p in self.columns[sheet])] = owner
        code = data.get("credit_code")
        lists = []
        for path, value in _flat(data):
            if isinstance(value, list):
                if not value:
                    values[f"{prefix}{path}.none"] = True
                lists.append((path, value))
            else:
                values[prefix + path] = value
        self.add(sheet, values)
        for name, items in lists:
            target = self.sheet_of(next(iter(_item_paths(self, name))))
            for item in items:
                self.record(item, target, f"{name}.", owner=code)


def _item_paths(filler: Filler, name: str) -> list[str]:
    return [
        p
        for cols in filler.columns.values()
        for p in cols
        if p.startswith(f"{name}.") and not p.endswith(".none")
    ]


def _flat(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            out += _flat(value, f"{prefix}{key}.")
        else:
            out.append((prefix + key, value))
    return out


def fill(template: Path, doc: Mapping[str, Any], out: Path) -> None:
    """Fill ``template`` with a JSON round (``{"agencies": [...], "applicants": [...]}``)."""
    book = openpyxl.load_workbook(template)
    filler = Filler(book)
    applicants = filler.sheet_of("programme")
    agencies = filler.sheet_of("agencies.credit_code")
    for agency in doc.get("agencies", []):
        filler.record(agency, agencies, "agencies.")
    for applicant in doc["applicants"]:
        filler.record(applicant, applicants, "")
    book.save(out)


def main() -> int:
    """Build the shipped example workbook next to its JSON."""
    from greenrules import write_template

    source = EXAMPLES / "round-2025.json"
    out = EXAMPLES / "round-2025.xlsx"
    template = out.with_name("template.partial.xlsx")
    write_template(template, jurisdiction="CN-NM", round=2025, lang="zh")
    try:
        fill(template, json.loads(source.read_text(encoding="utf-8")), out)
    finally:
        template.unlink()
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
