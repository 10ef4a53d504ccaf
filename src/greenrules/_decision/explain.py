"""Decisions in words: the bilingual messages of findings and the readable explanation.

Kept apart from the decision values so that wording can improve without touching what a
decision is; the words are ours, the clause ids they cite come from the packs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from greenrules._decision.parts import Finding, Priority, Provenance, ReferenceValue
from greenrules._decision.words import (
    CONFIDENCE_WORDS,
    PROGRAMME_WORDS,
    STATUS_WORDS,
    VERDICT_WORDS,
    fact_label,
    priority_reasons,
    round_name,
    tier_word,
)
from greenrules._model.enums import Programme, Status, Strength, Verdict


class Explained(Protocol):
    """What an explanation reads of a decision (kept here so this module needs no Decision)."""

    @property
    def entity_id(self) -> str: ...
    @property
    def entity_name(self) -> str: ...
    @property
    def programme(self) -> Programme: ...
    @property
    def status(self) -> Status: ...
    @property
    def review_required(self) -> bool: ...
    @property
    def missing(self) -> tuple[str, ...]: ...
    @property
    def priority(self) -> Priority: ...
    @property
    def findings(self) -> tuple[Finding, ...]: ...
    @property
    def provenance(self) -> Provenance: ...


def verdict_message(summary_zh: str, summary_en: str, verdict: Verdict) -> tuple[str, str]:
    """The bilingual message of a finding: the verdict in words, then the rule's summary."""
    return (
        f"{VERDICT_WORDS['zh'][verdict]}：{summary_zh}",
        f"{VERDICT_WORDS['en'][verdict]}: {summary_en}",
    )


def weak_references(findings: Iterable[Finding]) -> list[tuple[Finding, ReferenceValue]]:
    """The single-source or low-confidence values a decided priority rests on, in rule order.

    A priority rule that passed or failed ranked the unit by comparing with these values; one
    left unknown or not applicable ranked nothing, so it needs no caveat.
    """
    return [
        (f, ref)
        for f in findings
        if f.strength is Strength.PRIORITY and f.verdict in (Verdict.PASS, Verdict.FAIL)
        for ref in f.references
        if ref.weak and ref.value is not None
    ]


def reliance_line(f: Finding, ref: ReferenceValue, lang: str) -> str:
    """One sentence saying which value a priority rests on, how sure it is, and its source."""
    level = CONFIDENCE_WORDS[lang][ref.level]
    where = f"{fact_label(f'ref:{ref.table}[{ref.key}].{ref.column}', lang)} = {shown(ref.value)}"
    if lang == "zh":  # rule ids are English keys; zh reads the clause
        return f"{f.clause} 的优先级依据参考值 {where}，{level}（来源：{ref.source}）"
    return f"{f.rule} rests on the {level} value {where} (source: {ref.source})"


def shown(value: object) -> str:
    """A reference value as a reader sees it: numbers without a trailing ``.0``."""
    return (
        f"{value:g}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else str(value)
    )


def explain(d: Explained, lang: str) -> str:
    """The explanation of ``d`` in ``lang``, citing clause ids (see Decision.explain)."""
    zh = lang == "zh"
    prov = d.provenance
    status = STATUS_WORDS[lang][d.status]
    tier = tier_word(prov.tier, lang, prov.jurisdiction)
    programme = PROGRAMME_WORDS[lang][d.programme]
    lines = [
        f"{d.entity_name}（{d.entity_id}）：{status}"
        if zh
        else f"{d.entity_name} ({d.entity_id}): {status}",
        (
            f"  {round_name(prov.jurisdiction, prov.round, lang)}，{tier}，{programme}，"
            f"评价日 {prov.as_of}"
            if zh
            else f"  {prov.jurisdiction} round {prov.round}, {tier} tier, {programme}, "
            f"as of {prov.as_of}"
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
        rule = "" if zh else f" {f.rule}:"  # rule ids are English keys; zh reads the clause
        lines.append(f"  [{f.clause}]{rule} {f.message(lang)}{extra}")
    for f, ref in weak_references(d.findings):
        lines.append(("  注意：" if zh else "  Caution: ") + reliance_line(f, ref, lang))
    if d.missing:
        labels = (fact_label(path, lang) for path in d.missing)
        lines.append(("  缺少：" if zh else "  Missing: ") + ("、" if zh else ", ").join(labels))
    if d.priority.reasons:
        score = ", ".join(f"{s:g}" for s in d.priority.score)
        reasons = ("" if zh else " ").join(priority_reasons(d.priority, d.findings, lang))
        lines.append((f"  优先级（{score}）：" if zh else f"  Priority ({score}): ") + reasons)
    packs = ", ".join(f"{p.id} {p.version}" for p in prov.packs)
    lines.append(("  依据：" if zh else "  Packs: ") + packs)
    return "\n".join(lines)
