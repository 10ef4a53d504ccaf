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
from greenrules._decision.questions import Question
from greenrules._decision.ranking import Ranked, Ranking, rank
from greenrules._decision.words import (
    CONFIDENCE_WORDS,
    PROGRAMME_WORDS,
    ROLE_WORDS,
    ROUTE_WORDS,
    STATUS_WORDS,
    VERDICT_WORDS,
    fact_label,
    legend_text,
    priority_reasons,
    product_label,
    product_unit,
    rank_note,
    round_name,
    score_text,
    summary_of,
    tier_word,
)
from greenrules._io.cells import append_row
from greenrules._io.loaders import duplicates
from greenrules._io.output import write_whole
from greenrules._io.print_layout import HEADER_ROW, SignOff, lay_out, sign_off_problems
from greenrules._io.xlsx import save_workbook
from greenrules._model.entities import Applicant, Factory, IndustrialPark, SupplyChainEnterprise
from greenrules._model.enums import Programme, Status, Strength, Verdict
from greenrules._model.values import EvaluationRoute
from greenrules.exceptions import InputProblem, InvalidInputError

RECOMMEND_SHEET = {"zh": "{programme}推荐表", "en": "Recommended {programme}"}
"""One recommendation sheet per programme: its own ranked list, its own indicators."""
SHEETS = {
    "zh": ("培育对象", "补充材料清单", "全部结论"),
    "en": ("Cultivation", "Ask next", "All decisions"),
}
"""Titles of the sheets after the recommendation sheets: cultivation, what to ask, everything."""
SHEET_NAMES = {
    "zh": {
        Programme.FACTORY: "绿色工厂",
        Programme.PARK: "绿色园区",
        Programme.SUPPLY_CHAIN: "绿色供应链",
    },
    "en": {
        Programme.FACTORY: "factories",
        Programme.PARK: "parks",
        Programme.SUPPLY_CHAIN: "supply chains",
    },
}
"""Short programme names for sheet tabs (31 characters at most)."""

SUMMARY_HEADERS = {
    "zh": (
        "序号", "单位名称", "统一社会信用代码", "所在地区", "申报级别", "评价方式",
        "评价机构", "主要指标", "优先级", "结论", "未满足或豁免的条件（条款）",
    ),
    "en": (
        "No.", "Unit", "Credit code", "City", "Tier applied for", "Evaluation route",
        "Agency", "Key indicators", "Priority", "Status", "Conditions not met or waived (clause)",
    ),
}  # fmt: skip
CULTIVATION_HEADERS = {
    "zh": ("序号", "类别", "单位名称", "统一社会信用代码", "所在地区", "需改进的方面（条款）"),
    "en": ("No.", "Programme", "Unit", "Credit code", "City", "Must improve (clause)"),
}
ASK_HEADERS = {
    "zh": ("序号", "类别", "单位名称", "统一社会信用代码", "所在地区", "结论", "请补充",
           "作用", "提供方", "涉及条款"),
    "en": ("No.", "Programme", "Unit", "Credit code", "City", "Status", "Please supply",
           "Decides", "Supplied by", "Clauses"),
}  # fmt: skip
_DECIDES = {
    "zh": {
        ("status", True): "可单独判定结论",
        ("status", False): "有助于判定结论",
        ("rank", True): "可单独确定排序",
        ("rank", False): "有助于确定排序",
    },
    "en": {
        ("status", True): "settles the status",
        ("status", False): "narrows the status",
        ("rank", True): "settles the rank",
        ("rank", False): "narrows the rank",
    },
}
_SUPPLIER = {
    "zh": {"applicant": "申报单位", "pack": "数据包维护方（参考数据）"},
    "en": {"applicant": "the applicant", "pack": "the pack's maintainers (reference data)"},
}
ALL_HEADERS = {
    "zh": (
        "序号", "类别", "排名", "单位名称", "统一社会信用代码", "所在地区", "结论", "优先级",
        "未满足、豁免或待定的条件（条款）", "缺少的信息",
    ),
    "en": (
        "No.", "Programme", "Rank", "Unit", "Credit code", "City", "Status", "Priority",
        "Conditions not met, waived or unknown (clause)", "Missing",
    ),
}  # fmt: skip
_ORDER = (Programme.FACTORY, Programme.PARK, Programme.SUPPLY_CHAIN)


def write_summary(
    path: str | Path,
    decisions: Sequence[Decision] | Ranking,
    applicants: Iterable[Applicant] = (),
    *,
    lang: str = "zh",
    city_names: Mapping[str, str] | None = None,
    city: str | None = None,
    unit: str | None = None,
    contact: str | None = None,
    phone: str | None = None,
    date: dt.date | None = None,
) -> Path:
    """Write the summary workbook of ``decisions`` to ``path`` and return it.

    One recommendation sheet per programme present (factory, park, supply chain), its
    recommended units numbered in their programme's ranked order (:func:`greenrules.rank`;
    ties keep the order of ``decisions``), its score levels explained under the title and an
    entry whose place is not settled marked 排序待定 with the facts that would settle it; then
    the cultivation objects with what each must improve, the facts to ask each open applicant
    for (``Decision.ask_next``), and every decision. ``decisions`` may be a
    :class:`greenrules.Ranking`. ``applicants`` supplies the columns a decision does not carry
    (city, route, agency, indicators); a decision whose
    applicant is not given still gets its rows, with those cells empty. The file is written
    whole or not at all.

    Every sheet prints on A4 landscape, one page wide, under a title and a header block naming
    the ``city`` (盟市; by default the applicants' city when they all share one), the filing
    ``unit`` (where it stamps) and the filing ``date``, and over a sign-off block with the
    ``contact`` and ``phone``. Those not given are left blank to be filled in by hand, except
    the date, which defaults to the decisions' evaluation date (never the clock).

    Raises:
        InvalidInputError: ``lang`` is not ``zh`` or ``en``, ``path`` does not end in .xlsx, a
            header or sign-off field is not one line of text or ``date`` is not a date
            (``bad-argument``), two applicants or two decisions share a credit code
            (``duplicate-credit-code``: a row would show another unit's facts), or the file
            cannot be written (``unwritable``).
    """
    import openpyxl

    path = Path(path)
    applicants = list(applicants)
    names = dict(city_names or {})
    if city is None:
        city = _shared_city(applicants, names)
    sign_off = SignOff(unit or None, contact or None, phone or None, date, city or None)
    problems = sign_off_problems(sign_off)
    if lang not in ("zh", "en"):
        problems.append(InputProblem("bad-argument", ("lang",), "expected zh or en", lang))
    if path.suffix.lower() != ".xlsx":
        problems.append(InputProblem("bad-argument", ("path",), "expected a .xlsx file", str(path)))
    decisions = check_decisions(
        (d.decision if isinstance(d, Ranked) else d for d in decisions), "decisions"
    )
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
    rows = RowWords(by_id, names, lang)
    ranking = rank(decisions)
    present = list(ranking.programmes) or [_ORDER[0]]
    book = openpyxl.Workbook()
    sheets: list[tuple[Any, str, str]] = []
    for programme in present:
        title = RECOMMEND_SHEET[lang].format(programme=SHEET_NAMES[lang][programme])
        recommended = [e for e in ranking.of(programme) if e.decision.status is Status.RECOMMEND]
        body = [rows.summary(n, e) for n, e in enumerate(recommended, start=1)]
        legend = legend_text(ranking.legend(programme), lang)
        sheets.append((_sheet(book, title, SUMMARY_HEADERS[lang], body), title, legend))
    cultivate = [e.decision for e in ranking if e.decision.status is Status.CULTIVATE]
    asks = [(e.decision, q) for e in ranking for q in _asked(e)]
    bodies = (
        [rows.cultivation(n, d) for n, d in enumerate(cultivate, start=1)],
        [rows.ask(n, d, q) for n, (d, q) in enumerate(asks, start=1)],
        [rows.everything(n, e) for n, e in enumerate(ranking, start=1)],
    )
    headers = (CULTIVATION_HEADERS[lang], ASK_HEADERS[lang], ALL_HEADERS[lang])
    for title, head, body in zip(SHEETS[lang], headers, bodies, strict=True):
        sheets.append((_sheet(book, title, head, body), title, ""))
    book.remove(book.worksheets[0])
    context = _context(decisions, lang)
    evaluated_on = decisions[0].provenance.as_of if decisions else None
    for sheet, title, legend in sheets:
        separator = "　" if lang == "zh" else " — "
        lay_out(
            sheet,
            title=context + separator + title + (f"\n{legend}" if legend else ""),
            lang=lang,
            sign_off=sign_off,
            evaluated_on=evaluated_on,
        )
    write_whole(path, lambda tmp: save_workbook(book, tmp), argument="path")
    return path


def _sheet(book: Any, title: str, headers: Sequence[str], rows: list[list[Any]]) -> Any:
    sheet = book.create_sheet(title)
    _fill(sheet, headers, rows)
    return sheet


def _shared_city(applicants: Sequence[Applicant], names: Mapping[str, str]) -> str | None:
    """The city (盟市) of the applicants when they all lie in one, by its name if known."""
    cities = {a.city[:4] + "00" for a in applicants if a.city}
    if len(cities) != 1:
        return None
    code = cities.pop()
    return names.get(code, code)


def _asked(entry: Ranked) -> tuple[Question, ...]:
    """What to ask about an entry: its open status, and its place when that is not settled."""
    return tuple(
        q for q in entry.decision.ask_next() if q.about == "status" or entry.rank_uncertain
    )


def _context(decisions: Sequence[Decision], lang: str) -> str:
    """What the titles start with: the round's name (or its jurisdiction and year) and tier."""
    if not decisions:
        return "（无结论）" if lang == "zh" else "(no decisions)"
    prov = decisions[0].provenance
    tier = tier_word(prov.tier, lang, prov.jurisdiction)
    name = round_name(prov.jurisdiction, prov.round, lang)
    if lang == "zh":
        return f"{name}（{tier}）"
    return f"{name} ({tier} tier)"


def _fill(sheet: Any, headers: Sequence[str], rows: list[list[Any]]) -> None:
    """The table: headings at the layout's header row, then one row per decision.

    Every text goes through :func:`append_row`, so it is stored as text, never as a formula.
    """
    for _ in range(HEADER_ROW - 1):
        sheet.append([])  # the title and filing rows, filled in by the layout
    append_row(sheet, list(headers))
    for row in rows:
        append_row(sheet, row, headers)


class RowWords:
    """A decision's rows in words: each sheet's columns, from the decision and its applicant."""

    def __init__(self, by_id: Mapping[str, Applicant], names: Mapping[str, str], lang: str) -> None:
        self.by_id, self.names, self.lang = by_id, names, lang

    def _place(self, d: Decision) -> str | None:
        unit = self.by_id.get(d.entity_id)
        city = unit.city if unit is not None else None
        return self.names.get(city, city) if city else None

    def _base(self, n: int, d: Decision) -> list[Any]:
        programme = PROGRAMME_WORDS[self.lang][d.programme]
        return [n, programme, d.entity_name, d.entity_id, self._place(d)]

    def summary(self, n: int, entry: Ranked) -> list[Any]:
        """A row of a programme's recommendation sheet."""
        d = entry.decision
        lang, unit = self.lang, self.by_id.get(d.entity_id)
        route = agency = None
        if unit is not None and unit.report is not None:
            route = ROUTE_WORDS[lang].get(str(unit.report.route))
            if unit.report.route is EvaluationRoute.THIRD_PARTY and unit.report.agency is not None:
                agency = unit.report.agency.name  # a self-evaluated unit has no agency to show
        status = STATUS_WORDS[lang][d.status]
        if d.review_required:
            status += "（需复核）" if lang == "zh" else " (review required)"
        prov = d.provenance
        return [
            n,
            d.entity_name,
            d.entity_id,
            self._place(d),
            tier_word(prov.tier, lang, prov.jurisdiction),
            route,
            agency,
            _with_caveats(_indicators(unit, lang), d, lang),
            self.priority(entry, reasons=False),
            status,
            self.conditions(d, (Verdict.FAIL, Verdict.WAIVED)),
        ]

    def cultivation(self, n: int, d: Decision) -> list[Any]:
        """A row of the cultivation sheet: what the unit must improve, with the clauses."""
        return [*self._base(n, d), self.conditions(d, (Verdict.FAIL,))]

    def ask(self, n: int, d: Decision, q: Question) -> list[Any]:
        """A row of the ask-next sheet: one fact to ask about one applicant."""
        lang = self.lang
        asked = fact_label(q.fact, lang)
        request = f"请补充：{asked}" if lang == "zh" else f"please supply: {asked}"
        return [
            *self._base(n, d),
            STATUS_WORDS[lang][d.status],
            request,
            _DECIDES[lang][(q.about, q.settles)],
            _SUPPLIER[lang].get(q.asks, q.asks),
            ("、" if lang == "zh" else ", ").join(q.clauses) or None,
        ]

    def everything(self, n: int, entry: Ranked) -> list[Any]:
        """A row of the sheet of every decision, with its place in its programme's list."""
        d = entry.decision
        sep = "、" if self.lang == "zh" else ", "
        missing = sep.join(fact_label(m, self.lang) for m in d.missing)
        number, programme, *rest = self._base(n, d)
        return [
            number,
            programme,
            entry.rank,
            *rest,
            STATUS_WORDS[self.lang][d.status],
            self.priority(entry),
            self.conditions(d, (Verdict.FAIL, Verdict.WAIVED, Verdict.UNKNOWN)),
            missing or None,
        ]

    def priority(self, entry: Ranked, *, reasons: bool = True) -> str | None:
        """The score (a range where open), the rules that gave it, and an unsettled place.

        The recommendation sheets leave the rules out (``reasons=False``): the legend under
        their title says what the score counts, and a list must stay short enough to print.
        """
        d, lang = entry.decision, self.lang
        if not d.priority.score:
            return None
        text = score_text(d.priority)
        given = priority_reasons(d.priority, d.findings, lang) if reasons else []
        if given:
            text += ("：" if lang == "zh" else ": ") + "\n".join(given)
        if entry.rank_uncertain:
            facts = [q.fact for q in d.ask_next() if q.about == "rank"]
            text += "\n" + rank_note(entry.best_rank, facts, lang)
        return text

    def conditions(self, d: Decision, verdicts: tuple[Verdict, ...]) -> str | None:
        """Every non-priority rule with one of ``verdicts``, as its summary and clause."""
        out = []
        for f in d.findings:
            if f.strength is Strength.PRIORITY or f.verdict not in verdicts:
                continue
            summary = summary_of(f.message(self.lang), f.verdict, self.lang)
            word = VERDICT_WORDS[self.lang][f.verdict]
            if self.lang == "zh":
                out.append(f"{word}：{summary}（{f.clause}）")
            else:
                out.append(f"{word}: {summary} ({f.clause})")
        return "\n".join(out) or None


def _with_caveats(indicators: str | None, d: Decision, lang: str) -> str | None:
    """The indicators, then a line per single-source or low-confidence value a priority used."""
    caveats = [
        f"{product_label(ref.key, lang)} 对比值 {shown(ref.value)}"
        f"（{CONFIDENCE_WORDS[lang][ref.level]}）"
        if lang == "zh"
        else f"{product_label(ref.key, lang)} compared with {shown(ref.value)}"
        f" ({CONFIDENCE_WORDS[lang][ref.level]})"
        for _, ref in weak_references(d.findings)
    ]
    return "\n".join([*([indicators] if indicators else []), *caveats]) or None


def _indicators(unit: Applicant | None, lang: str) -> str | None:
    """The figures a reader weighs first: energy lines, green factories inside, chain facts."""
    zh = lang == "zh"
    if isinstance(unit, Factory) and unit.energy:
        lines = []
        for e in unit.energy:
            value = "?" if e.value is None else f"{e.value:g}"
            figure = f"{value} {e.unit or product_unit(e.product) or ''}".rstrip()
            lines.append(f"{product_label(e.product, lang)}{'：' if zh else ': '}{figure}")
        return "\n".join(lines)
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
            parts.append(ROLE_WORDS[lang][str(unit.chain_role)])
        if unit.annual_revenue_cny is not None:
            yi = unit.annual_revenue_cny / 1e8
            parts.append(f"营业收入 {yi:g} 亿元" if zh else f"revenue CNY {yi:g} hundred million")
        if unit.market_share is not None:
            parts.append(f"{'市场占有率' if zh else 'market share'} {unit.market_share:.0%}")
        return "\n".join(parts) or None
    return None
