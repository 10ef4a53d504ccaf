"""Decisions in words: the bilingual messages of findings and the readable explanation.

Kept apart from the decision values so that wording can improve without touching what a
decision is; the words are ours, the clause ids they cite come from the packs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from greenrules._model.enums import Status, Verdict

if TYPE_CHECKING:
    from greenrules._decision.decision import Decision

VERDICT_WORDS = {
    "en": {
        Verdict.PASS: "met",
        Verdict.FAIL: "not met",
        Verdict.UNKNOWN: "unknown (facts missing)",
        Verdict.WAIVED: "not met, waived with a justification",
        Verdict.NOT_APPLICABLE: "not applicable",
    },
    "zh": {
        Verdict.PASS: "符合",
        Verdict.FAIL: "不符合",
        Verdict.UNKNOWN: "无法判定（缺少信息）",
        Verdict.WAIVED: "不符合，已附说明申请豁免",
        Verdict.NOT_APPLICABLE: "不适用",
    },
}
STATUS_WORDS = {
    "en": {
        Status.RECOMMEND: "recommend",
        Status.CULTIVATE: "cultivation object",
        Status.INELIGIBLE: "ineligible",
        Status.UNDETERMINED: "undetermined",
    },
    "zh": {
        Status.RECOMMEND: "推荐",
        Status.CULTIVATE: "纳入培育对象",
        Status.INELIGIBLE: "不符合申报条件",
        Status.UNDETERMINED: "待定（信息不全）",
    },
}


def verdict_message(summary_zh: str, summary_en: str, verdict: Verdict) -> tuple[str, str]:
    """The bilingual message of a finding: the verdict in words, then the rule's summary."""
    return (
        f"{VERDICT_WORDS['zh'][verdict]}：{summary_zh}",
        f"{VERDICT_WORDS['en'][verdict]}: {summary_en}",
    )


def explain(d: Decision, lang: str) -> str:
    """The explanation of ``d`` in ``lang``, citing clause ids (see Decision.explain)."""
    zh = lang == "zh"
    prov = d.provenance
    status = STATUS_WORDS[lang][d.status]
    lines = [
        f"{d.entity_name}（{d.entity_id}）：{status}"
        if zh
        else f"{d.entity_name} ({d.entity_id}): {status}",
        (
            f"  {prov.jurisdiction} {prov.round} 年度，{prov.tier} 级，"
            f"{d.programme}，评价日 {prov.as_of}"
            if zh
            else f"  {prov.jurisdiction} round {prov.round}, tier {prov.tier}, "
            f"{d.programme}, as of {prov.as_of}"
        ),
    ]
    if d.review_required:
        lines.append(
            "  需人工复核：有条款以书面说明申请豁免。"
            if zh
            else "  A reviewer must look: a rule was waived on a written justification."
        )
    for f in d.findings:
        if f.verdict is Verdict.NOT_APPLICABLE:
            continue
        extra = f" (+{f.points:g})" if f.points else ""
        lines.append(f"  [{f.clause}] {f.rule}: {f.message(lang)}{extra}")
    if d.missing:
        lines.append(("  缺少：" if zh else "  Missing: ") + ", ".join(d.missing))
    if d.priority.reasons:
        score = ", ".join(f"{s:g}" for s in d.priority.score)
        lines.append(
            ("  优先级 " if zh else "  Priority ") + f"({score}): " + ", ".join(d.priority.reasons)
        )
    packs = ", ".join(f"{p.id} {p.version}" for p in prov.packs)
    lines.append(("  依据：" if zh else "  Packs: ") + packs)
    return "\n".join(lines)
