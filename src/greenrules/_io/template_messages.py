"""The input template reader's messages, in Chinese and English, keyed by what went wrong.

A problem's code is stable and the same in both languages; its message is the sentence an analyst
reads, naming what to do (pick from the drop-down, copy the code from the licence).
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails

from greenrules._io.problem_codes import PYDANTIC_CODES

MESSAGES: dict[str, dict[str, str]] = {
    "unknown-header": {
        "zh": "无法识别的列名“{given}”，是不是“{guess}”？",
        "en": "unknown column {given!r}; did you mean {guess!r}?",
    },
    "unknown-header-no-guess": {
        "zh": "无法识别的列名“{given}”；可用的列名见“{guide}”表",
        "en": "unknown column {given!r}; the columns are listed on the sheet {guide!r}",
    },
    "unnamed-column": {
        "zh": "这一列没有列名，但填了内容",
        "en": "this column has no header but holds data",
    },
    "same-column": {
        "zh": "与第{other}列是同一字段，只能保留一列",
        "en": "the same field as column {other}; keep one of them",
    },
    "unknown-sheet": {
        "zh": "无法识别的工作表“{given}”，是不是“{guess}”？",
        "en": "unknown sheet {given!r}; did you mean {guess!r}?",
    },
    "unknown-sheet-no-guess": {
        "zh": "无法识别的工作表“{given}”；模板的工作表是：{names}",
        "en": "unknown sheet {given!r}; the template's sheets are: {names}",
    },
    "no-sheet": {
        "zh": "工作簿中没有“{sheet}”表",
        "en": "the workbook has no sheet {sheet!r}",
    },
    "one-row": {
        "zh": "本表只填一行，第{rows}行已经填写",
        "en": "this sheet holds one row; row {rows} holds it already",
    },
    "no-round-row": {
        "zh": "请在本表第2行填写地区和年度",
        "en": "fill in the jurisdiction and round on row 2 of this sheet",
    },
    "duplicate-city": {
        "zh": "盟市代码与第{rows}行重复；每个盟市只填一行",
        "en": "the city is also on row {rows}; one row per city",
    },
    "formula": {
        "zh": "这是公式，请直接填写数值或文字",
        "en": "this is a formula; type the value itself",
    },
    "bool": {"zh": "应填“是”或“否”", "en": "expected yes or no (是/否)"},
    "number": {"zh": "应填数字", "en": "expected a number"},
    "text": {"zh": "应填文字", "en": "expected text"},
    "bad-date": {
        "zh": "无法识别的日期；请用日期格式的单元格，或写成 2025-05-30、2025/5/30、2025年5月30日",
        "en": "not a date; use a date cell or write 2025-05-30, 2025/5/30 or 2025年5月30日",
    },
    "bad-choice": {
        "zh": "不是可选的值，请从下拉列表中选择（{labels}）",
        "en": "not one of the choices; pick one from the drop-down ({labels})",
    },
    "bad-choice-long": {
        "zh": "不是可选的值，请从下拉列表中选择",
        "en": "not one of the choices; pick one from the drop-down",
    },
    "missing-field": {"zh": "必填，不能为空", "en": "required; this cell must not be empty"},
    "missing-column": {
        "zh": "必填，但表中没有这一列",
        "en": "required, but the sheet has no such column",
    },
    "not-for-programme": {
        "zh": "这一项不适用于{programme}，请留空",
        "en": "this does not apply to a {programme}; leave it empty",
    },
    "bad-credit-code": {
        "zh": "不是有效的统一社会信用代码；请从营业执照上复制完整的18位代码",
        "en": "not a valid unified social credit code; copy all 18 characters from the licence",
    },
    "bad-city-code": {
        "zh": "盟市应填6位行政区划代码，如 150200",
        "en": "a city is its 6-digit division code, e.g. 150200",
    },
    "out-of-range": {"zh": "超出允许范围（{bound}）", "en": "out of range ({bound})"},
    "too-short": {"zh": "内容太短（至少{min}个字）", "en": "too short (at least {min} characters)"},
    "not-finite": {"zh": "应填有限的数字", "en": "expected a finite number"},
    "wrong-type": {"zh": "类型不对", "en": "wrong type"},
    "unknown-agency": {
        "zh": "“{sheet}”表中没有这家评价机构",
        "en": "no such agency on the sheet {sheet!r}",
    },
    "bad-agency": {
        "zh": "这家评价机构在“{sheet}”表第{row}行填写有误，见该行的问题",
        "en": "this agency's row {row} on {sheet!r} has problems; see them",
    },
    "unlinked-row": {
        "zh": "“{sheet}”表中没有这个统一社会信用代码",
        "en": "no row on {sheet!r} has this credit code",
    },
    "conflicting-rows": {
        "zh": "这里填了“是”（确认没有），但“{sheet}”表中有本单位的{count}行",
        "en": "says there are none, but {sheet!r} has {count} rows for this unit",
    },
    "duplicate-credit-code": {
        "zh": "统一社会信用代码与第{rows}行重复；每个单位只填一行",
        "en": "the credit code is also on row {rows}; one row per unit",
    },
    "duplicate-agency": {
        "zh": "机构的统一社会信用代码与第{rows}行重复；每家机构只填一行",
        "en": "the agency's credit code is also on row {rows}; one row per agency",
    },
}
"""Every message the template reader writes, in both languages; codes stay the same in both."""

BOUNDS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}


def say(key: str, lang: str, **params: Any) -> str:
    """The message ``key`` in ``lang`` with its parameters filled in."""
    return MESSAGES[key][lang].format(**params)


def model_message(
    err: ErrorDetails, lang: str, programme: str | None, in_column: bool
) -> tuple[str, str, Any]:
    """The code, message and given value of one model error, for an analyst.

    ``programme`` is the row's programme in words (an unknown field then means a column that
    does not apply to it); ``in_column`` says whether the sheet has the field's column.
    """
    kind = err["type"]
    ctx = err.get("ctx") or {}
    code = kind if kind in MESSAGES else PYDANTIC_CODES.get(kind, "wrong-type")
    given = None if kind == "missing" else err.get("input")
    if code == "missing-field" and not in_column:
        return code, say("missing-column", lang), given
    if code == "unknown-field" and programme is not None:
        given = None if isinstance(given, list | dict) else given
        return code, say("not-for-programme", lang, programme=programme), given
    if code == "out-of-range":
        bound = ", ".join(f"{BOUNDS[k]} {v}" for k, v in ctx.items() if k in BOUNDS)
        return code, say(code, lang, bound=bound), given
    if code == "too-short":
        return code, say(code, lang, min=ctx.get("min_length", "")), given
    return code, say(code, lang), given
