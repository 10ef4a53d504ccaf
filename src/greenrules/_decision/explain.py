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
    TIER_WORDS,
    VERDICT_WORDS,
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
    where = f"{ref.table}[{ref.key}].{ref.column} = {shown(ref.value)}"
    if lang == "zh":
        return f"{f.rule} 的优先级依据参考值 {where}，{level}（来源：{ref.source}）"
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
    tier = TIER_WORDS[lang][prov.tier]
    programme = PROGRAMME_WORDS[lang][d.programme]
    lines = [
        f"{d.entity_name}（{d.entity_id}）：{status}"
        if zh
        else f"{d.entity_name} ({d.entity_id}): {status}",
        (
            f"  {prov.jurisdiction} {prov.round} 年度，{tier}，{programme}，评价日 {prov.as_of}"
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
        lines.append(f"  [{f.clause}] {f.rule}: {f.message(lang)}{extra}")
    for f, ref in weak_references(d.findings):
        lines.append(("  注意：" if zh else "  Caution: ") + reliance_line(f, ref, lang))
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
