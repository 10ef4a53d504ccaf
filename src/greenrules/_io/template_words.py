"""The input template's words: sheet names, column headers and meanings, in Chinese and English.

The template's layout is read off the entity models; its words are written here, and the words
of each field path (headers and meanings) in :mod:`greenrules._model.field_words`, which every
output naming a fact shares.
"""

from __future__ import annotations

from greenrules._decision.words import PROGRAMME_WORDS, ROLE_WORDS, ROUTE_WORDS, TIER_WORDS
from greenrules._io.round_template_words import DEPARTMENT_WORDS
from greenrules._model.field_words import LIST_NOUNS

LANGS = ("zh", "en")

SHEET_WORDS: dict[str, dict[str, str]] = {
    "applicants": {"zh": "申报单位", "en": "applicants"},
    "agencies": {"zh": "评价机构", "en": "agencies"},
    "memberships": {"zh": "名单记录", "en": "memberships"},
    "energy": {"zh": "产品能耗", "en": "energy"},
    "enterprises": {"zh": "园区企业", "en": "park enterprises"},
    "suppliers": {"zh": "供应商", "en": "suppliers"},
    "annual_reports": {"zh": "机构年报", "en": "agency annual reports"},
    "waivers": {"zh": "豁免说明", "en": "waivers"},
    "standing.abnormal_operation": {"zh": "未正常经营记录", "en": "abnormal operation"},
    "standing.incidents": {"zh": "事故违法记录", "en": "incidents"},
    "standing.inspection_findings": {"zh": "督查问题记录", "en": "supervision findings"},
    "standing.energy_rectification": {"zh": "节能整改记录", "en": "energy rectification"},
    "standing.dishonest_debtor": {"zh": "失信被执行记录", "en": "dishonest debtor"},
    "guide": {"zh": "填表说明", "en": "field guide"},
    "choices": {"zh": "选项", "en": "choices"},
    "problems": {"zh": "问题清单", "en": "problems"},
}
"""Every sheet of the template by key; ``problems`` is the sheet rejected rows are written to."""

OWNER_WORDS: dict[str, tuple[str, str, str, str]] = {
    "applicants": (
        "申报单位统一社会信用代码",
        "applicant credit code",
        "本行所属申报单位的统一社会信用代码（须在申报单位表中）",
        "the credit code of the applicant this row belongs to (on the applicants sheet)",
    ),
    "agencies": (
        "所属机构统一社会信用代码",
        "agency credit code",
        "本行所属评价机构的统一社会信用代码（须在评价机构表中）",
        "the credit code of the agency this row belongs to (on the agencies sheet)",
    ),
    "owner": (
        "所属单位统一社会信用代码",
        "unit credit code",
        "名单所属单位（申报单位、园区企业或供应商）的统一社会信用代码",
        "the credit code of the unit on the list (an applicant, park enterprise or supplier)",
    ),
}
"""The words of the column linking a list row to its owner, by the owner's sheet key."""

UNIT_WORDS: dict[str, dict[str, str]] = {
    "annual_revenue_cny": {"zh": "元", "en": "CNY"},
    "industry_value_added_share": {"zh": "比例，0–1", "en": "share, 0–1"},
    "market_share": {"zh": "比例，0–1", "en": "share, 0–1"},
    "energy.value": {"zh": "见计量单位列", "en": "see the unit column"},
    "city": {"zh": "6位代码", "en": "6 digits"},
}

CHOICE_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        **{str(k): v for k, v in PROGRAMME_WORDS["zh"].items()},
        **{str(k): v for k, v in TIER_WORDS["zh"].items()},
        **ROUTE_WORDS["zh"],
        **ROLE_WORDS["zh"],
        **DEPARTMENT_WORDS["zh"],
    },
    "en": {
        **{str(k): v for k, v in PROGRAMME_WORDS["en"].items()},
        **{str(k): v for k, v in TIER_WORDS["en"].items()},
        **ROUTE_WORDS["en"],
        **ROLE_WORDS["en"],
        **DEPARTMENT_WORDS["en"],
    },
}
"""The label of every closed-vocabulary value (their values are unique across vocabularies)."""

YES_NO = {"zh": ("是", "否"), "en": ("yes", "no")}
YES_WORDS = frozenset({"是", "yes", "y", "true", "1", "√"})
NO_WORDS = frozenset({"否", "no", "n", "false", "0", "×"})

KIND_WORDS = {
    "zh": {"bool": "是/否", "number": "数字", "text": "文本", "date": "日期", "choice": "下拉选择"},
    "en": {
        "bool": "yes/no",
        "number": "number",
        "text": "text",
        "date": "date",
        "choice": "choice",
    },
}

GUIDE_HEADERS = {
    "zh": (
        "工作表",
        "列名",
        "字段路径",
        "含义",
        "类型",
        "可选值",
        "单位",
        "是否必填",
        "适用类别",
        "相关条款",
    ),
    "en": (
        "sheet",
        "column",
        "field path",
        "meaning",
        "type",
        "allowed values",
        "unit",
        "required",
        "applies to",
        "clauses",
    ),
}
REQUIRED_WORDS = {
    "zh": {"yes": "必填", "no": "选填", "group": "填写同组其他列时必填"},
    "en": {"yes": "required", "no": "optional", "group": "required when its group is filled"},
}
PROBLEM_HEADERS = {
    "zh": ("工作表", "行", "列", "列名", "问题代码", "问题说明", "填写内容"),
    "en": ("sheet", "row", "column", "header", "code", "problem", "given"),
}


def none_flag_words(list_key: str) -> tuple[str, str, str, str]:
    """Words of the column in which a row says its list is known to be empty."""
    noun = LIST_NOUNS[list_key]
    sheet = SHEET_WORDS[list_key]
    return (
        f"确认没有{noun['zh']}",
        f"no {noun['en']}",
        f"填“是”表示确认没有{noun['zh']}；留空且“{sheet['zh']}”表中没有本单位的行表示情况不详",
        f"yes: known to have no {noun['en']}; empty with no rows on '{sheet['en']}': not known",
    )
