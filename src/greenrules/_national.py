"""National candidates from a region's list, and the fields of the national upload we know.

The region recommends national candidates by uploading them to MIIT's platform. The platform's
own format is not published in any source this project holds, so the export is a plain table of
the fields the sources do name (unit, credit code, programme, region, city, the region-list
membership the national rules require, the decision and the clauses behind it), and
:data:`NATIONAL_FIELDS_UNKNOWN` lists what the platform asks that we cannot fill. Nothing here
invents the platform's columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from greenrules._decision.decision import Decision
from greenrules._decision.ranking import rank
from greenrules._engines.arguments import EngineName
from greenrules._evaluate import evaluate_many
from greenrules._model.entities import Applicant
from greenrules._model.enums import Status, Strength, Tier, Verdict
from greenrules._rules.registry import Registry, default_registry

NATIONAL_FIELDS = (
    "credit_code",
    "name",
    "programme",
    "jurisdiction",
    "city",
    "region_list_year",
    "status",
    "priority",
    "missing_facts",
    "clauses_in_principle_not_met",
)
"""The export's columns: each one a fact the sources name for a national candidate."""

NATIONAL_FIELDS_UNKNOWN = (
    "the platform's own field names and order",
    "the industry classification the platform uses (MIIT 2025: 53 key industries and the rest)",
    "the self-evaluation scores against MIIT's evaluation requirements",
    "the evidence attachments the platform asks for",
)
"""What the platform asks for that no source we hold defines: left out, not guessed."""


def national_candidates(
    applicants: Iterable[Applicant],
    *,
    jurisdiction: str,
    round: int,
    as_of: dt.date | None = None,
    registry: Registry | None = None,
    engine: EngineName = "native",
) -> list[Decision]:
    """The applicants the national-tier rules recommend or cannot yet decide, ranked.

    The national rules of the pack stack decide (for CN-NM, a candidate is already on the
    region list, still valid); the region's list is whatever ``applicants`` holds. An
    undetermined candidate stays in, with the facts it lacks, for the region to complete;
    ineligible units and cultivation objects are left out, and so are the programmes the round
    does not open at the national tier (``Registry.closure``; MIIT took no supply-chain
    enterprises in 2025).
    """
    registry = registry or default_registry()
    open_ = [
        a
        for a in applicants
        if registry.closure(
            jurisdiction=jurisdiction, round=round, tier=Tier.NATIONAL, programme=a.programme
        )
        is None
    ]
    decisions = evaluate_many(
        open_,
        tier=Tier.NATIONAL,
        round=round,
        jurisdiction=jurisdiction,
        as_of=as_of,
        registry=registry,
        engine=engine,
    )
    wanted = (Status.RECOMMEND, Status.UNDETERMINED)
    return [d for d in rank(decisions).decisions if d.status in wanted]


def national_export(
    decisions: Sequence[Decision], applicants: Iterable[Applicant]
) -> list[dict[str, Any]]:
    """One row per national candidate with the :data:`NATIONAL_FIELDS`, in decision order."""
    by_id = {a.credit_code: a for a in applicants}
    rows = []
    for decision in decisions:
        unit = by_id.get(decision.entity_id)
        years = sorted(
            m.year
            for m in (unit.memberships or () if unit else ())
            if m.tier is Tier.PROVINCE and m.programme is decision.programme and m.valid
        )
        rows.append(
            {
                "credit_code": decision.entity_id,
                "name": decision.entity_name,
                "programme": decision.programme.value,
                "jurisdiction": decision.provenance.jurisdiction,
                "city": unit.city if unit else None,
                "region_list_year": years[-1] if years else None,
                "status": decision.status.value,
                "priority": "/".join(f"{s:g}" for s in decision.priority.score) or None,
                "missing_facts": ", ".join(decision.missing) or None,
                "clauses_in_principle_not_met": ", ".join(
                    f.clause
                    for f in decision.findings
                    if f.verdict in (Verdict.FAIL, Verdict.WAIVED)
                    and f.strength is Strength.IN_PRINCIPLE
                )
                or None,
            }
        )
    return rows


__all__ = ["NATIONAL_FIELDS", "NATIONAL_FIELDS_UNKNOWN", "national_candidates", "national_export"]
