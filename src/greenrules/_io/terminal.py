"""Plain-text tables for a terminal: ranked decisions in columns that line up in zh and en.

Chinese characters take two columns on a terminal, so widths are counted as the print layout
counts them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from greenrules._decision.decision import Decision
from greenrules._decision.words import PROGRAMME_WORDS, STATUS_WORDS, summary_of
from greenrules._io.print_layout import text_width
from greenrules._model.enums import Programme, Strength, Verdict

HEADERS = {
    "en": ("#", "status", "name", "credit code", "priority", "conditions not met / unknown"),
    "zh": ("序号", "结论", "名称", "统一社会信用代码", "优先级", "未满足 / 待定条款"),
}
MARKS = {Verdict.UNKNOWN: "?", Verdict.WAIVED: "~"}
LEGEND = {
    "zh": "?=待定 ~=不符合但已说明豁免，需复核；条款说明见表下",
    "en": "?=unknown ~=waived, review required; clauses explained below each table",
}
_ORDER = (Programme.FACTORY, Programme.PARK, Programme.SUPPLY_CHAIN)


def render_table(decisions: Sequence[Decision], lang: str, *, explain: bool = False) -> str:
    """Ranked decisions as one plain-text table per programme, optionally with explanations.

    Each table lists its programme's decisions in the order given, numbered from 1; flagged
    conditions are shown by clause id, and each clause is explained once under its table.
    """
    zh = lang == "zh"
    out = []
    for programme in _ORDER:
        group = [d for d in decisions if d.programme is programme]
        if not group:
            continue
        name = PROGRAMME_WORDS[lang][programme]
        out.append(f"{name}（{len(group)}家）" if zh else f"{name} ({len(group)})")
        rows, notes = [], {}
        for n, d in enumerate(group, start=1):
            flagged = []
            for f in d.findings:
                if f.strength is Strength.PRIORITY or f.verdict not in FLAGGED:
                    continue
                flagged.append(f.clause + MARKS.get(f.verdict, ""))
                notes.setdefault(f.clause, summary_of(f.message(lang), f.verdict, lang))
            score = "/".join(f"{s:g}" for s in d.priority.score) or "-"
            rows.append(
                (
                    str(n),
                    STATUS_WORDS[lang][d.status],
                    printable(d.entity_name),
                    printable(d.entity_id),
                    score,
                    ", ".join(dict.fromkeys(flagged)) or "-",
                )
            )
        out.append(format_rows([HEADERS[lang], *rows]))
        out += [f"  {clause}{'：' if zh else ': '}{text}" for clause, text in notes.items()]
        out.append("")
    out.append(LEGEND[lang])
    if explain:
        out += ["", *(d.explain(lang) + "\n" for d in decisions)]
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
