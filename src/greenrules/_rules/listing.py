"""The installed packs as plain data: the stable shape ``greenrules packs --format json`` prints.

Kept apart from the command line so that the shape, which tools read, is one function with one
test, and fields are only ever added.
"""

from __future__ import annotations

from typing import Any

from greenrules._rules.registry import Registry


def packs_as_data(registry: Registry) -> list[dict[str, Any]]:
    """The stable JSON shape of ``greenrules packs --format json``."""
    out = []
    for pack in registry.packs:
        cited: dict[str, list[str]] = {}
        for rule in pack.rules:
            cited.setdefault(rule.clause, []).append(rule.id)
        out.append(
            {
                "id": pack.id,
                "version": pack.version,
                "jurisdiction": pack.jurisdiction,
                "rounds": list(pack.rounds),
                "tiers": [str(t) for t in pack.tiers],
                "programmes": [str(p) for p in pack.programmes],
                "shared": pack.shared,
                "bases": [str(base) for base in pack.bases],
                # the first base, as before packs could extend several
                "extends": pack.bases[0].pack if pack.bases else None,
                "extends_round": pack.bases[0].round if pack.bases else None,
                "closed": [
                    {
                        "programme": str(c.programme),
                        "tier": str(c.tier),
                        "clause": c.clause,
                        "reason": {"zh": c.reason.zh, "en": c.reason.en},
                    }
                    for c in pack.closed
                ],
                "digest": pack.digest,
                "origin": registry.origin(pack),
                "neutralizes": dict(pack.neutralizes),
                "rules": [
                    {
                        "id": r.id,
                        "clause": r.clause,
                        "strength": str(r.strength),
                        "programme": str(r.programme),
                        "tier": sorted(str(t) for t in r.tiers),
                        "replaces": list(r.replaces),
                        "summary": {"zh": r.summary.zh, "en": r.summary.en},
                    }
                    for r in pack.rules
                ],
                "clauses": [
                    {
                        "id": c.id,
                        "kind": str(c.kind),
                        "section": c.section,
                        "coverage": {
                            "how": str(c.coverage.how),
                            "by": cited.get(c.id, []) + list(c.coverage.by),
                            "note": c.coverage.note,
                        },
                        "summary": {"zh": c.summary.zh, "en": c.summary.en},
                    }
                    for c in pack.clauses
                ],
            }
        )
    return out
