"""The recommendation summary workbook: ranked decisions as the table a local bureau files.

A local authority hands its list upward as a spreadsheet, one row per recommended unit with the
columns it fills by hand today (unit, credit code, city, programme, tier, evaluation route and
agency, key indicators, status, clauses not met or waived). This module writes that table from
decisions, plus a sheet of cultivation objects with what each must improve and a sheet with
every decision, so nothing evaluated is silently dropped. It knows no law: headings are generic
labels, city names come from the caller, and every clause shown is one a decision cited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from greenrules._decision.decision import Decision, check_decisions
from greenrules._decision.explain import shown, weak_references
from greenrules._decision.words import CONFIDENCE_WORDS, PROGRAMME_WORDS, STATUS_WORDS, TIER_WORDS
from greenrules._io.cells import append_row
from greenrules._io.loaders import duplicates
from greenrules._io.output import write_whole
from greenrules._io.print_layout import HEADER_ROW, SignOff, lay_out, sign_off_problems
from greenrules._io.xlsx import save_workbook
from greenrules._model.entities import Applicant, Factory, IndustrialPark, SupplyChainEnterprise
from greenrules._model.enums import Programme, Status, Strength, Verdict
from greenrules._model.values import EvaluationRoute
from greenrules.exceptions import InputProblem, InvalidInputError

SHEETS = {
    "zh": ("推荐汇总表", "培育对象", "全部结论"),
    "en": ("Recommendations", "Cultivation", "All decisions"),
}
"""Sheet titles by language: the summary, the cultivation objects, every decision."""

_ROUTE = {
    "zh": {"self": "自评价", "third_party": "第三方评价"},
    "en": {"self": "self-evaluation", "third_party": "third-party evaluation"},
}
_ROLE = {
    "zh": {"leading": "链主", "core": "核心企业", "member": "成员企业"},
    "en": {"leading": "chain leader", "core": "core enterprise", "member": "member"},
}
_VERDICT = {
    "zh": {Verdict.FAIL: "不符合", Verdict.WAIVED: "已豁免", Verdict.UNKNOWN: "待定"},
    "en": {Verdict.FAIL: "not met", Verdict.WAIVED: "waived", Verdict.UNKNOWN: "unknown"},
}
SUMMARY_HEADERS = {
    "zh": (
        "序号", "类别", "单位名称", "统一社会信用代码", "所在地区", "申报级别", "评价方式",
        "评价机构", "主要指标", "优先级", "结论", "未满足或豁免的条款",
    ),
    "en": (
        "No.", "Programme", "Unit", "Credit code", "City", "Tier applied for", "Evaluation route",
        "Agency", "Key indicators", "Priority", "Status", "Clauses not met or waived",
    ),
}  # fmt: skip
CULTIVATION_HEADERS = {
    "zh": ("序号", "类别", "单位名称", "统一社会信用代码", "所在地区", "需改进的方面", "涉及条款"),
    "en": ("No.", "Programme", "Unit", "Credit code", "City", "Must improve", "Clauses"),
}
ALL_HEADERS = {
    "zh": (
        "序号",
        "类别",
        "单位名称",
        "统一社会信用代码",
        "所在地区",
        "结论",
        "优先级",
        "缺少的信息",
    ),
    "en": ("No.", "Programme", "Unit", "Credit code", "City", "Status", "Priority", "Missing"),
}
_ORDER = (Programme.FACTORY, Programme.PARK, Programme.SUPPLY_CHAIN)


def write_summary(
    path: str | Path,
    decisions: Sequence[Decision],
    applicants: Iterable[Applicant] = (),
    *,
    lang: str = "zh",
    city_names: Mapping[str, str] | None = None,
    unit: str | None = None,
    contact: str | None = None,
    phone: str | None = None,
    date: dt.date | None = None,
) -> Path:
    """Write the summary workbook of ``decisions`` (already ranked) to ``path`` and return it.

    Rows keep the order of ``decisions`` within each programme, programmes in the order factory,
    park, supply chain, so pass the output of :func:`greenrules.rank`. ``applicants`` supplies
    the columns a decision does not carry (city, route, agency, indicators); a decision whose
    applicant is not given still gets its row, with those cells empty. The file is written
    whole or not at all.

    Every sheet prints on A4 landscape, one page wide, under a header block naming the filing
    ``unit`` (where it stamps) and the filing ``date``, and over a sign-off block with the
    ``contact`` and ``phone``. Those not given are left blank to be filled in by hand, except
    the date, which defaults to the decisions' evaluation date.

    Raises:
        InvalidInputError: ``lang`` is not ``zh`` or ``en``, ``path`` does not end in .xlsx, a
            sign-off field is not one line of text or ``date`` is not a date (``bad-argument``),
            two applicants or two decisions share a credit code (``duplicate-credit-code``: a
            row would show another unit's facts), or the file cannot be written (``unwritable``).
    """
    import openpyxl

    path = Path(path)
    sign_off = SignOff(unit or None, contact or None, phone or None, date)
    problems = sign_off_problems(sign_off)
    if lang not in ("zh", "en"):
        problems.append(InputProblem("bad-argument", ("lang",), "expected zh or en", lang))
    if path.suffix.lower() != ".xlsx":
        problems.append(InputProblem("bad-argument", ("path",), "expected a .xlsx file", str(path)))
    decisions = check_decisions(decisions, "decisions")
    applicants = list(applicants)
    problems += duplicates(
        [(("applicants", i), a.credit_code) for i, a in enumerate(applicants)],
        "duplicate-credit-code",
        "applicant",
    )
    problems += duplicates(
        [(("decisions", i), d.entity_id) for i, d in enumerate(decisions)],
        "duplicate-credit-code",
        "decision",
    )
    if problems:
        raise InvalidInputError(problems)
    by_id = {a.credit_code: a for a in applicants}
    names = dict(city_names or {})
    grouped = [d for programme in _ORDER for d in decisions if d.programme is programme]
    book = openpyxl.Workbook()
    summary, cultivation, everything = (
        book.active,
        book.create_sheet(),
        book.create_sheet(),
    )
    for sheet, title in zip((summary, cultivation, everything), SHEETS[lang], strict=True):
        sheet.title = title
    _fill(
        summary,
        SUMMARY_HEADERS[lang],
        [
            _summary_row(n, d, by_id.get(d.entity_id), names, lang)
            for n, d in enumerate((d for d in grouped if d.status is Status.RECOMMEND), start=1)
        ],
    )
    _fill(
        cultivation,
        CULTIVATION_HEADERS[lang],
        [
            _cultivation_row(n, d, by_id.get(d.entity_id), names, lang)
            for n, d in enumerate((d for d in grouped if d.status is Status.CULTIVATE), start=1)
        ],
    )
    _fill(
        everything,
        ALL_HEADERS[lang],
        [
            _all_row(n, d, by_id.get(d.entity_id), names, lang)
            for n, d in enumerate(grouped, start=1)
        ],
    )
    context = _context(decisions, lang)
    evaluated_on = decisions[0].provenance.as_of if decisions else None
    for sheet, title in zip((summary, cultivation, everything), SHEETS[lang], strict=True):
        separator = "：" if lang == "zh" else ": "
        lay_out(
            sheet,
            title=title + separator + context,
            lang=lang,
            sign_off=sign_off,
            evaluated_on=evaluated_on,
        )
    write_whole(path, lambda tmp: save_workbook(book, tmp), argument="path")
    return path


def _context(decisions: Sequence[Decision], lang: str) -> str:
    """What the titles say: jurisdiction, round, tier and evaluation date of the decisions."""
    if not decisions:
        return "（无结论）" if lang == "zh" else "(no decisions)"
    prov = decisions[0].provenance
    tier = TIER_WORDS[lang][prov.tier]
    if lang == "zh":
        return f"{prov.jurisdiction} {prov.round}年度，{tier}，评价日 {prov.as_of}"
    return f"{prov.jurisdiction} round {prov.round}, {tier} tier, as of {prov.as_of}"


def _fill(sheet: Any, headers: Sequence[str], rows: list[list[Any]]) -> None:
    """The table: headings at the layout's header row, then one row per decision.

    Every text goes through :func:`append_row`, so it is stored as text, never as a formula.
    """
    for _ in range(HEADER_ROW - 1):
        sheet.append([])  # the title and filing rows, filled in by the layout
    append_row(sheet, list(headers))
    for row in rows:
        append_row(sheet, row, headers)


def _base(
    n: int, d: Decision, unit: Applicant | None, names: Mapping[str, str], lang: str
) -> list[Any]:
    city = unit.city if unit is not None else None
    place = names.get(city, city) if city else None
    return [n, PROGRAMME_WORDS[lang][d.programme], d.entity_name, d.entity_id, place]


def _summary_row(
    n: int, d: Decision, unit: Applicant | None, names: Mapping[str, str], lang: str
) -> list[Any]:
    route = agency = None
    if unit is not None and unit.report is not None:
        route = _ROUTE[lang].get(str(unit.report.route))
        if unit.report.route is EvaluationRoute.THIRD_PARTY and unit.report.agency is not None:
            agency = unit.report.agency.name  # a self-evaluated unit has no agency to show
    status = STATUS_WORDS[lang][d.status]
    if d.review_required:
        status += "（需复核）" if lang == "zh" else " (review required)"
    return [
        *_base(n, d, unit, names, lang),
        TIER_WORDS[lang][d.provenance.tier],
        route,
        agency,
        _with_caveats(_indicators(unit, lang), d, lang),
        _priority(d),
        status,
        _flagged(d, lang),
    ]


def _cultivation_row(
    n: int, d: Decision, unit: Applicant | None, names: Mapping[str, str], lang: str
) -> list[Any]:
    improve = []
    clauses = []
    for f in d.findings:
        if f.strength is Strength.PRIORITY or f.verdict is not Verdict.FAIL:
            continue
        improve.append(f.message(lang).split("：" if lang == "zh" else ": ", 1)[-1])
        clauses.append(f"{f.clause}（{f.rule}）" if lang == "zh" else f"{f.clause} ({f.rule})")
    return [*_base(n, d, unit, names, lang), "\n".join(improve), "\n".join(clauses)]


def _all_row(
    n: int, d: Decision, unit: Applicant | None, names: Mapping[str, str], lang: str
) -> list[Any]:
    return [
        *_base(n, d, unit, names, lang),
        STATUS_WORDS[lang][d.status],
        _priority(d),
        ", ".join(d.missing) or None,
    ]


def _priority(d: Decision) -> str | None:
    if not d.priority.score:
        return None
    score = "/".join(f"{s:g}" for s in d.priority.score)
    return f"{score} ({', '.join(d.priority.reasons)})" if d.priority.reasons else score


def _flagged(d: Decision, lang: str) -> str | None:
    """Every non-priority rule that failed, was waived or is unknown, with its clause."""
    out = []
    for f in d.findings:
        if f.strength is Strength.PRIORITY or f.verdict not in _VERDICT[lang]:
            continue
        out.append(f"{f.clause} {f.rule}: {_VERDICT[lang][f.verdict]}")
    return "\n".join(out) or None


def _with_caveats(indicators: str | None, d: Decision, lang: str) -> str | None:
    """The indicators, then a line per single-source or low-confidence value a priority used."""
    caveats = [
        f"{ref.key} 对比值 {shown(ref.value)}（{CONFIDENCE_WORDS[lang][ref.level]}）"
        if lang == "zh"
        else f"{ref.key} compared with {shown(ref.value)} ({CONFIDENCE_WORDS[lang][ref.level]})"
        for _, ref in weak_references(d.findings)
    ]
    return "\n".join([*([indicators] if indicators else []), *caveats]) or None


def _indicators(unit: Applicant | None, lang: str) -> str | None:
    """The figures a reader weighs first: energy lines, green factories inside, chain facts."""
    zh = lang == "zh"
    if isinstance(unit, Factory) and unit.energy:
        return "\n".join(
            f"{e.product}: {'?' if e.value is None else f'{e.value:g}'} {e.unit or ''}".rstrip()
            for e in unit.energy
        )
    if isinstance(unit, IndustrialPark) and unit.enterprises is not None:
        green = sum(
            1
            for m in unit.enterprises
            if m.memberships
            and any(x.programme is Programme.FACTORY and x.valid for x in m.memberships)
        )
        total = len(unit.enterprises)
        return (
            f"区内绿色工厂 {green}/{total} 家" if zh else f"green factories inside: {green}/{total}"
        )
    if isinstance(unit, SupplyChainEnterprise):
        parts = []
        if unit.chain_role is not None:
            parts.append(_ROLE[lang][str(unit.chain_role)])
        if unit.annual_revenue_cny is not None:
            yi = unit.annual_revenue_cny / 1e8
            parts.append(f"营业收入 {yi:g} 亿元" if zh else f"revenue CNY {yi:g} hundred million")
        if unit.market_share is not None:
            parts.append(f"{'市场占有率' if zh else 'market share'} {unit.market_share:.0%}")
        return "\n".join(parts) or None
    return None
