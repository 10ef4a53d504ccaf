"""Plain-text tables for a terminal: ranked decisions in columns that line up in zh and en.

Chinese characters take two columns on a terminal, so widths are counted as the print layout
counts them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from greenrules._decision.decision import Decision
from greenrules._decision.words import PROGRAMME_WORDS, STATUS_WORDS
from greenrules._io.print_layout import text_width
from greenrules._model.enums import Strength, Verdict

HEADERS = {
    "en": (
        "#",
        "status",
        "programme",
        "name",
        "credit code",
        "priority",
        "conditions not met / unknown",
    ),
    "zh": ("序号", "结论", "类别", "名称", "统一社会信用代码", "优先级", "未满足 / 待定条款"),
}
MARKS = {Verdict.UNKNOWN: "?", Verdict.WAIVED: "~"}


def render_table(decisions: Sequence[Decision], lang: str, *, explain: bool = False) -> str:
    """A plain-text table of ranked decisions for people, optionally with explanations."""
    rows = []
    for n, d in enumerate(decisions, start=1):
        flagged = [
            f.rule + MARKS.get(f.verdict, "")
            for f in d.findings
            if f.strength is not Strength.PRIORITY
            and f.verdict in (Verdict.FAIL, Verdict.UNKNOWN, Verdict.WAIVED)
        ]
        status = STATUS_WORDS[lang][d.status]
        score = "/".join(f"{s:g}" for s in d.priority.score) or "-"
        rows.append(
            (
                str(n),
                status,
                PROGRAMME_WORDS[lang][d.programme],
                printable(d.entity_name),
                printable(d.entity_id),
                score,
                ", ".join(flagged) or "-",
            )
        )
    out = [format_rows([HEADERS[lang], *rows])]
    legend = "?=待定 ~=已豁免，需复核" if lang == "zh" else "?=unknown ~=waived, review required"
    out.append(legend)
    if explain:
        out += ["", *(d.explain(lang) + "\n" for d in decisions)]
    return "\n".join(out) + "\n"


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
