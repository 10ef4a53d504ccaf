"""The Inner Mongolia round calendar: the notice's deadlines for any round, read from pack data.

The core knows no dates of law, so the dates live in the pack (``reference/annual_deadlines.csv``
of the 2025 round, month and day with the clause each comes from) and this module only turns them
into dates. The notice sets the dynamic-management form (15 April) and the agencies' annual report
(30 April) for every year (每年); the city submission and the review materials (30 May) are the
2025 round's own dates. For another round those two are carried over and marked ``recurring=False``
so a caller knows they are an assumption until that round's notice is encoded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

import greenrules
from greenrules import Applicant

NOTICE_ROUND = 2025
"""The round of the notice the deadline table was read from."""
JURISDICTION = "CN-NM"
REVIEW_CLAUSE = "NM2025-3.3-a"


@attrs.frozen
class Deadline:
    """One deadline of a round: its name, due date, the clause it comes from, who owes what.

    ``recurring`` is True when the notice sets the date for every year (每年). ``assumed`` is
    True when the date is the notice's own round date carried over to another round: right
    until that round's notice says otherwise, but not yet law for it.
    """

    name: str
    due: dt.date
    clause: str
    recurring: bool
    assumed: bool
    who_zh: str
    who_en: str
    what_zh: str
    what_en: str
    source: str

    def is_late(self, day: dt.date) -> bool:
        """Whether something done on ``day`` misses the deadline (the due day is on time)."""
        return day > self.due


def _rows(pack: greenrules.Pack | None) -> Mapping[str, Mapping[str, Any]]:
    if pack is None:
        from . import pack_2025

        pack = pack_2025()
    table = pack.tables["annual_deadlines"]
    return {row[table.key]: row for row in table.rows}


def deadlines(round_: int, *, pack: greenrules.Pack | None = None) -> tuple[Deadline, ...]:
    """Every deadline of ``round_``, earliest first.

    Args:
        round_: the round year, e.g. 2025.
        pack: the pack whose ``annual_deadlines`` table to read (default: the 2025 pack), so a
            table a user supplied through :meth:`greenrules.Pack.with_table` is honoured.

    Raises:
        ValueError: ``round_`` is not a plausible year.
    """
    if type(round_) is not int or not 2000 <= round_ <= 2100:
        raise ValueError(f"expected a round year such as 2025, got round_={round_!r}")
    out = []
    for name, row in _rows(pack).items():
        out.append(
            Deadline(
                name=name,
                due=dt.date(round_, int(row["month"]), int(row["day"])),
                clause=row["clause"],
                recurring=bool(row["recurring"]),
                assumed=not row["recurring"] and round_ != NOTICE_ROUND,
                who_zh=row["who_zh"],
                who_en=row["who_en"],
                what_zh=row["what_zh"],
                what_en=row["what_en"],
                source=row["source"],
            )
        )
    return tuple(sorted(out, key=lambda d: (d.due, d.name)))


def deadline(name: str, round_: int, *, pack: greenrules.Pack | None = None) -> Deadline:
    """The deadline called ``name`` in ``round_``; LookupError naming the known ones if none."""
    found = {d.name: d for d in deadlines(round_, pack=pack)}
    if name not in found:
        raise LookupError(f"no deadline {name!r}; known: {sorted(found)}")
    return found[name]


def review_years(packs: Iterable[greenrules.Pack] | None = None) -> frozenset[int]:
    """The announcement years whose units the round reviews, read from the NM2025-3.3-a rules.

    ``packs`` are the programme packs to read (default: the round's three bundled ones).
    """
    if packs is None:
        from . import factory_2025, park_2025, supply_chain_2025

        packs = (factory_2025(), park_2025(), supply_chain_2025())
    years: set[int] = set()
    for rule in (rule for pack in packs for rule in pack.rules):
        if rule.clause == REVIEW_CLAUSE and rule.applies_if is not None:
            years.update(int(y) for y in rule.constants_compared_with("year"))
    return frozenset(years)


def review_units(
    applicants: Iterable[Applicant], *, registry: greenrules.Registry | None = None
) -> list[Applicant]:
    """The applicants this round reviews (NM2025-3.3-a), in input order.

    The pack's review rules decide who they are (announced by the region or MIIT in a reviewed
    year, in the same programme, still listed; a city listing does not count), so the calendar
    and the decisions cannot disagree. They owe the review materials of the
    ``review_materials`` deadline.

    Args:
        applicants: the units of the round.
        registry: the packs to decide with (default: the installed ones).
    """
    batch = list(applicants)
    decisions = greenrules.evaluate_many(
        batch, tier="province", round=NOTICE_ROUND, jurisdiction=JURISDICTION, registry=registry
    )
    return [
        applicant
        for applicant, decision in zip(batch, decisions, strict=True)
        if any(
            f.clause == REVIEW_CLAUSE and f.verdict is greenrules.Verdict.PASS
            for f in decision.findings
        )
    ]


__all__ = ["Deadline", "deadline", "deadlines", "review_units", "review_years"]
