"""Which installed pack a command targets, from ``--jurisdiction`` and ``--round``."""

from __future__ import annotations

from greenrules._rules.packs import Pack
from greenrules._rules.registry import Registry


class UsageError(Exception):
    """The arguments name something that is not there; the message says what is."""


def installed(registry: Registry) -> str:
    """The installed jurisdictions and rounds, as ``CN-NM 2025, CN 2024, CN 2025``."""
    pairs = dict.fromkeys(f"{p.jurisdiction} {r}" for p in registry.packs for r in p.rounds)
    return ", ".join(pairs) or "none"


def top_pack(
    registry: Registry, jurisdiction: str | None, round_: int | None, *, examples: bool = False
) -> Pack:
    """The round pack an evaluation targets, defaulting to the only jurisdiction no other extends.

    A round's pack is its shared pack (or its only pack): the one with its examples and
    procedure. Jurisdiction codes are compared case-insensitively. When several packs are on top (a
    plug-in pack is installed beside the bundled ones), the default is the one bundled with
    greenrules: installing a plug-in must not change what a bare command evaluates.
    ``examples`` keeps only packs that ship ``examples/*.json``.

    Raises:
        UsageError: no pack, or more than one, matches; the message lists what is installed.
    """
    code = jurisdiction.upper() if jurisdiction is not None else None
    where = {p.id: p.jurisdiction for p in registry.packs}
    bases = {  # jurisdictions that packs of another jurisdiction build on
        where[b.pack]
        for p in registry.packs
        for b in p.bases
        if where.get(b.pack, p.jurisdiction) != p.jurisdiction
    }
    rounds = {
        (p.jurisdiction, r)
        for p in registry.packs
        for r in p.rounds
        if (code is None and p.jurisdiction not in bases) or p.jurisdiction.upper() == code
    }
    candidates = [registry.resolve(*pair)[-1] for pair in sorted(rounds)]
    if round_ is not None:
        candidates = [p for p in candidates if round_ in p.rounds]
    wanted = " ".join(str(x) for x in (code, round_) if x is not None) or "the default"
    if not candidates:
        raise UsageError(f"no pack for {wanted}; installed: {installed(registry)}")
    if examples:
        shipping = [p for p in candidates if p.folder and any(p.folder.glob("examples/*.json"))]
        if not shipping:
            names = ", ".join(p.id for p in candidates)
            raise UsageError(f"no pack for {wanted} ships an example round ({names} do not)")
        candidates = shipping
    if code is None and len(candidates) > 1:
        bundled = [p for p in candidates if registry.origin(p) == "greenrules"]
        candidates = bundled if len(bundled) == 1 else candidates
    if len(candidates) != 1:
        found = ", ".join(f"{p.jurisdiction} {r}" for p in candidates for r in p.rounds)
        raise UsageError(f"several packs for {wanted} ({found}): choose with --jurisdiction")
    return candidates[0]
