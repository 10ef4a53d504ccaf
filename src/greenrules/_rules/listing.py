"""The installed packs as plain data (``greenrules packs --format json``) and as a tree.

Kept apart from the command line so that the shape, which tools read, is one function with one
test, and fields are only ever added.
"""

from __future__ import annotations

from typing import Any

from greenrules._rules.packs import Pack
from greenrules._rules.registry import Registry
from greenrules._rules.stacks import whole_stack


def packs_as_data(registry: Registry) -> list[dict[str, Any]]:
    """The stable JSON shape of ``greenrules packs --format json``."""
    out = []
    for pack in registry.packs:
        cited: dict[str, list[str]] = {}  # a shared pack's clauses: by its programme packs' rules
        for rule in (r for member in whole_stack(pack, registry) for r in member.rules):
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


def pack_tree(registry: Registry) -> dict[str, dict[int, dict[str, tuple[Pack, ...]]]]:
    """Jurisdiction, round, programme, and the pack stack (base first) that serves it.

    A round's shared pack is listed under ``shared``, with what it extends; a programme whose
    pack is not installed is absent.
    """
    tree: dict[str, dict[int, dict[str, tuple[Pack, ...]]]] = {}
    pairs = sorted({(p.jurisdiction, r) for p in registry.packs for r in p.rounds})
    for jurisdiction, round_ in pairs:
        stacks: dict[str, tuple[Pack, ...]] = {
            str(programme): stack
            for programme, stack in registry.stacks(jurisdiction, round_).items()
        }
        top = registry.resolve(jurisdiction, round_)
        if top[-1].shared:
            stacks = {"shared": top, **stacks}
        tree.setdefault(jurisdiction, {})[round_] = stacks
    return tree
