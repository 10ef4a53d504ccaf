"""The input template: a workbook a city analyst fills in Excel or WPS, made from models and packs.

Its sheets and columns come from the entity models (:mod:`greenrules._io.template_layout`), its
drop-downs from the closed vocabularies and from the packs in force (energy products, cities,
waivable rules), and its field guide names the clauses whose rules read each column. Nothing
in it is kept by hand, so a new field or a new pack reaches the template by itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from greenrules._io.output import write_whole
from greenrules._io.template_layout import Column, Sheet, template_sheets
from greenrules._io.template_words import (
    CHOICE_WORDS,
    GUIDE_HEADERS,
    KIND_WORDS,
    LANGS,
    REQUIRED_WORDS,
    SHEET_WORDS,
    UNIT_WORDS,
    YES_NO,
)
from greenrules._model.enums import Strength
from greenrules._model.facts import Kind
from greenrules._rules.packs import Pack
from greenrules._rules.registry import Registry
from greenrules.exceptions import InputProblem, InvalidInputError

TEMPLATE_ROWS = 5000
"""Rows below the header that carry the drop-downs and date types."""

PRODUCT_TABLE_KEY = "product"
"""Reference tables keyed by this column list energy products (their rows name the product)."""


@attrs.frozen
class ChoiceList:
    """A drop-down: labels shown to the analyst and the values they stand for, in order."""

    name: str
    labels: tuple[str, ...]
    values: tuple[str, ...]
    closed: bool = True
    """Whether Excel refuses other entries (a stop) or only warns (a new city, a new rule)."""


def text_cell(cell: Any, value: Any) -> None:
    """Write ``value`` to ``cell``; text is typed as a string, so it is data, never a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def product_choices(stack: Sequence[Pack], day: dt.date) -> ChoiceList:
    """The energy products of the reference tables in force, labelled name｜indicator.

    A label that two products would share gets the product key appended, so every label maps
    back to exactly one key on reading.
    """
    names: dict[str, str] = {}
    for pack in stack:
        for table in pack.tables.values():
            if table.key != PRODUCT_TABLE_KEY:
                continue
            for key, row in table.at(day).items():
                name = row.get("product_zh") or row.get("field_zh") or key
                indicator = row.get("indicator_zh")
                names.setdefault(str(key), f"{name}｜{indicator}" if indicator else str(name))
    counts: dict[str, int] = {}
    for label in names.values():
        counts[label] = counts.get(label, 0) + 1
    labels = {k: (v if counts[v] == 1 else f"{v}（{k}）") for k, v in names.items()}
    ordered = sorted(labels.items(), key=lambda kv: kv[1])
    values = tuple(k for k, _ in ordered)
    # a warning, not a stop: a product whose standard is not yet in force is typed as its key
    return ChoiceList("product", tuple(v for _, v in ordered), values, closed=False)


def city_choices(stack: Sequence[Pack], lang: str) -> ChoiceList:
    """Cities from any pack table keyed by division ``code`` with names, labelled code name."""
    rows: dict[str, str] = {}
    for pack in stack:
        for table in pack.tables.values():
            if table.key == "code" and "name_zh" in table.columns:
                for row in table.rows:
                    name = row.get(f"name_{lang}") or row["name_zh"]
                    rows[str(row["code"])] = f"{row['code']} {name}"
    return ChoiceList("city", tuple(rows.values()), tuple(rows), closed=False)


def rule_choices(stack: Sequence[Pack]) -> ChoiceList:
    """The in-principle rules in force, the only ones a waiver can answer."""
    ids = sorted(
        {r.id for p in stack for r in p.rules if r.strength is Strength.IN_PRINCIPLE}
        - {old for p in stack for r in p.rules for old in r.replaces}
    )
    return ChoiceList("rule", tuple(ids), tuple(ids), closed=False)


def vocabulary(column: Column, lang: str) -> ChoiceList | None:
    """The drop-down of a yes/no or closed-vocabulary column, or None."""
    if column.kind is Kind.BOOL:
        yes, no = YES_NO[lang]
        return ChoiceList("yes_no", (yes, no), ("true", "false"))
    if column.choices:
        name = column.field.rpartition(".")[2]
        labels = tuple(CHOICE_WORDS[lang][v] for v in column.choices)
        return ChoiceList(name, labels, column.choices)
    return None


def pack_choices(stack: Sequence[Pack], day: dt.date, lang: str) -> dict[str, ChoiceList]:
    """The drop-downs that come from the packs, by the column path that uses them."""
    return {
        "energy.product": product_choices(stack, day),
        "city": city_choices(stack, lang),
        "waivers.rule": rule_choices(stack),
    }


def clauses_reading(stack: Sequence[Pack], reads: Iterable[str]) -> tuple[str, ...]:
    """The clause ids of the rules that read any of ``reads``, in clause order."""
    wanted = set(reads)
    return tuple(sorted({r.clause for p in stack for r in p.rules if wanted & set(r.reads())}))


def workbook_argument_problems(path: Path, lang: str) -> list[InputProblem]:
    """What is wrong with a template's ``path`` (not .xlsx) and ``lang`` (not zh or en)."""
    problems = []
    if lang not in LANGS:
        problems.append(InputProblem("bad-argument", ("lang",), "expected zh or en", lang))
    if path.suffix.lower() != ".xlsx":
        problems.append(InputProblem("bad-argument", ("path",), "expected a .xlsx file", str(path)))
    return problems


def write_template(
    path: str | Path,
    *,
    jurisdiction: str,
    round: int,
    lang: str = "zh",
    registry: Registry | None = None,
) -> None:
    """Write the input template for the packs in force for ``jurisdiction`` and ``round``.

    Raises:
        InvalidInputError: ``lang`` is not zh or en, or ``path`` does not end in .xlsx
            (``bad-argument``); the file cannot be written (``unwritable``).
        PackNotFoundError: no pack serves the jurisdiction and round.
    """
    from greenrules._rules.registry import default_registry

    out = Path(path)
    problems = workbook_argument_problems(out, lang)
    if problems:
        raise InvalidInputError(problems)
    registry = registry or default_registry()
    top = registry.resolve(jurisdiction, round)[-1]
    every = [p for stack in registry.stacks(jurisdiction, round).values() for p in stack]
    stack = [*{id(p): p for p in every if p is not top}.values(), top]
    book = build_template(stack, round, lang)
    write_whole(out, book.save, argument="path")


def build_template(stack: Sequence[Pack], round_: int, lang: str) -> Any:
    """The template workbook (openpyxl) for a pack stack, not yet saved."""
    import openpyxl

    top = stack[-1]
    day = top.evaluation_dates[round_]
    book = openpyxl.Workbook()
    book.remove(book.active)
    from_packs = pack_choices(stack, day, lang)
    lists: dict[str, ChoiceList] = {}
    sheets = template_sheets()
    for sheet in sheets:
        data_sheet(book, sheet, lang, from_packs, lists)
    guide_sheet(book, sheets, lang, from_packs, lambda _, c: clauses_reading(stack, c.reads))
    about(book[SHEET_WORDS["guide"][lang]], top, round_, day, lang)
    choices_sheet(book, lists, lang)
    return book


def choice_for(
    column: Column, lang: str, from_packs: Mapping[str, ChoiceList]
) -> ChoiceList | None:
    """The drop-down a column carries, from the packs or the vocabularies."""
    return from_packs.get(column.path) or vocabulary(column, lang)


def data_sheet(
    book: Any,
    sheet: Sheet,
    lang: str,
    from_packs: Mapping[str, ChoiceList],
    lists: dict[str, ChoiceList],
) -> None:
    """A data sheet: bold headers with their meaning as a comment, drop-downs and date types.

    ``lists`` gathers the drop-downs for the choices sheet.
    """
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = book.create_sheet(sheet.name(lang))
    ws.freeze_panes = "A2"
    last = TEMPLATE_ROWS + 1
    choices_name = SHEET_WORDS["choices"][lang]
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index)
        text_cell(cell, column.header(lang))
        cell.font = Font(bold=True)
        cell.comment = Comment(column.words[2] if lang == "zh" else column.words[3], "greenrules")
        ws.column_dimensions[letter].width = max(12, min(40, 2 * len(column.header(lang)) + 2))
        area = f"{letter}2:{letter}{last}"
        choice = choice_for(column, lang, from_packs)
        if choice is not None:
            lists.setdefault(choice.name, choice)
            position = list(lists).index(choice.name) + 1
            ref = get_column_letter(2 * position - 1)
            rows = len(lists[choice.name].labels) + 1
            dv = DataValidation(
                type="list",
                formula1=f"'{choices_name}'!${ref}$2:${ref}${rows}",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop" if choice.closed else "warning",
            )
        elif column.kind is Kind.DATE:
            dv = DataValidation(
                type="date",
                operator="greaterThan",
                formula1="36526",
                allow_blank=True,
                showErrorMessage=True,
            )  # after 2000-01-01
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
        elif column.kind is Kind.TEXT:
            # typed as text, so Excel keeps an 18-character code or 0150 as written
            ws.column_dimensions[letter].number_format = "@"
            continue
        else:
            continue
        dv.add(area)
        ws.add_data_validation(dv)


def guide_sheet(
    book: Any,
    sheets: Sequence[Sheet],
    lang: str,
    from_packs: Mapping[str, ChoiceList],
    clauses: Callable[[Sheet, Column], Iterable[str]],
) -> None:
    """The field guide, first in the book: every column's meaning, kind, choices and clauses."""
    from openpyxl.styles import Alignment, Font

    ws = book.create_sheet(SHEET_WORDS["guide"][lang], 0)
    ws.freeze_panes = "A2"
    for index, header in enumerate(GUIDE_HEADERS[lang], start=1):
        text_cell(ws.cell(row=1, column=index), header)
        ws.cell(row=1, column=index).font = Font(bold=True)
    programme_words = CHOICE_WORDS[lang]
    sep = "、" if lang == "zh" else ", "
    row = 2
    for sheet in sheets:
        for column in sheet.columns:
            choice = choice_for(column, lang, from_packs)
            if choice is None:
                allowed = ""
            elif len(choice.labels) <= 12:
                allowed = sep.join(choice.labels)
            else:
                count = len(choice.labels)
                allowed = (
                    f"下拉选择（{count}项）" if lang == "zh" else f"drop-down ({count} entries)"
                )
            kind = "choice" if choice is not None and column.kind is not Kind.BOOL else column.kind
            values = (
                sheet.name(lang),
                column.header(lang),
                column.path,
                column.words[2] if lang == "zh" else column.words[3],
                KIND_WORDS[lang][str(kind)],
                allowed,
                UNIT_WORDS.get(column.path, {}).get(lang, ""),
                REQUIRED_WORDS[lang][column.required],
                sep.join(programme_words[p] for p in column.programmes),
                sep.join(clauses(sheet, column)),
            )
            for index, value in enumerate(values, start=1):
                text_cell(ws.cell(row=row, column=index), value)
                ws.cell(row=row, column=index).alignment = Alignment(wrap_text=True)
            row += 1
    widths = (12, 24, 30, 50, 10, 30, 10, 12, 24, 30)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[chr(64 + index)].width = width


def about(ws: Any, top: Pack, round_: int, day: dt.date, lang: str) -> None:
    """Where the template came from, below the guide: the pack, its version and the date."""
    from greenrules._version import __version__

    row = ws.max_row + 2
    if lang == "zh":
        lines = (
            f"规则包：{top.id} {top.version}（{top.jurisdiction}，{round_}年度，评价日期 {day}）",
            f"由 greenrules {__version__} 生成。日期可填日期格式单元格，或写成 2025-05-30、"
            "2025/5/30、2025年5月30日。",
        )
    else:
        lines = (
            f"Pack: {top.id} {top.version} ({top.jurisdiction}, round {round_}, as of {day})",
            f"Made by greenrules {__version__}. Dates: date cells, or text 2025-05-30, "
            "2025/5/30 or 2025年5月30日.",
        )
    for offset, line in enumerate(lines):
        text_cell(ws.cell(row=row + offset, column=1), line)


def choices_sheet(book: Any, lists: Mapping[str, ChoiceList], lang: str) -> None:
    """Every drop-down's labels and the values they stand for, in a hidden sheet.

    The reader maps a label back through this sheet, so a label means what the workbook that
    offered it says (an energy product's key, a city's code).
    """
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(SHEET_WORDS["choices"][lang])
    ws.sheet_state = "hidden"
    for position, choice in enumerate(lists.values(), start=1):
        label_col, value_col = 2 * position - 1, 2 * position
        text_cell(ws.cell(row=1, column=label_col), choice.name)
        text_cell(ws.cell(row=1, column=value_col), f"{choice.name}.value")
        for row, (label, value) in enumerate(zip(choice.labels, choice.values, strict=True), 2):
            text_cell(ws.cell(row=row, column=label_col), label)
            text_cell(ws.cell(row=row, column=value_col), value)
        ws.column_dimensions[get_column_letter(label_col)].width = 30
