"""Plain-text tables for a terminal: ranked decisions in columns that line up in zh and en.

Chinese characters take two columns on a terminal, so widths are counted as the print layout
counts them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from greenrules._decision.decision import Decision
from greenrules._decision.ranking import rank
from greenrules._decision.words import (
    PROGRAMME_WORDS,
    STATUS_WORDS,
    legend_text,
    rank_note,
    score_text,
    summary_of,
)
from greenrules._io.print_layout import text_width
from greenrules._model.enums import Strength, Verdict

HEADERS = {
    "en": ("rank", "status", "name", "credit code", "priority", "conditions not met / unknown"),
    "zh": ("排名", "结论", "名称", "统一社会信用代码", "优先级", "未满足 / 待定条款"),
}
MARKS = {Verdict.UNKNOWN: "?", Verdict.WAIVED: "~"}
LEGEND = {
    "zh": "?=待定 ~=不符合但已说明豁免，需复核 *=排序待定；条款说明见各表下",
    "en": "?=unknown ~=waived, review required *=rank not settled; clauses explained below",
}


def render_table(decisions: Sequence[Decision], lang: str, *, explain: bool = False) -> str:
    """Decisions as one ranked plain-text table per programme, optionally with explanations.

    Each programme's list is ranked on its own (:func:`greenrules.rank`), numbered from 1, its
    score levels explained above it. Flagged conditions are shown by clause id, each clause
    explained once under its table, and an entry whose place is not settled is marked with
    the facts that would settle it.
    """
    zh = lang == "zh"
    ranking = rank(decisions)
    out = []
    for programme in ranking.programmes:
        entries = ranking.of(programme)
        name = PROGRAMME_WORDS[lang][programme]
        out.append(f"{name}（{len(entries)}家）" if zh else f"{name} ({len(entries)})")
        legend = legend_text(ranking.legend(programme), lang)
        if legend:
            out.append(legend)
        rows: list[tuple[str, ...]] = []
        notes: dict[str, str] = {}
        moves: list[str] = []
        for entry in entries:
            d = entry.decision
            flagged = []
            for f in d.findings:
                if f.strength is Strength.PRIORITY or f.verdict not in FLAGGED:
                    continue
                flagged.append(f.clause + MARKS.get(f.verdict, ""))
                notes.setdefault(f.clause, summary_of(f.message(lang), f.verdict, lang))
            place = str(entry.rank)
            if entry.rank_uncertain:
                place += "*"
                facts = [q.fact for q in d.ask_next() if q.about == "rank"]
                moves.append(
                    f"  {entry.rank}* {printable(d.entity_name)}："
                    if zh
                    else f"  {entry.rank}* {printable(d.entity_name)}: "
                )
                moves[-1] += rank_note(entry.best_rank, facts, lang)
            rows.append(
                (
                    place,
                    STATUS_WORDS[lang][d.status],
                    printable(d.entity_name),
                    printable(d.entity_id),
                    score_text(d.priority) or "-",
                    ", ".join(dict.fromkeys(flagged)) or "-",
                )
            )
        out.append(format_rows([HEADERS[lang], *rows]))
        out += moves
        out += [f"  {clause}{'：' if zh else ': '}{text}" for clause, text in notes.items()]
        out.append("")
    out.append(LEGEND[lang])
    if explain:
        out += ["", *(d.explain(lang) + "\n" for d in ranking.decisions)]
    return "\n".join(out) + "\n"


FLAGGED = (Verdict.FAIL, Verdict.UNKNOWN, Verdict.WAIVED)
"""The verdicts a table flags: what keeps a unit off the list or needs a reviewer's eye."""


def format_rows(rows: Sequence[Sequence[str]]) -> str:
    """Rows padded to aligned columns, two spaces apart, trailing blanks trimmed."""
    widths = [max(text_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell + " " * (w - text_width(cell)) for cell, w in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def printable(text: str) -> str:
    """Text with control and format characters shown as escapes, never sent to the terminal.

    A name holding a carriage return or an escape sequence could otherwise move the cursor,
    overprint another row's status or restyle the terminal.
    """
    return "".join(
        ch.encode("unicode_escape").decode() if unicodedata.category(ch)[0] == "C" else ch
        for ch in text
    )
