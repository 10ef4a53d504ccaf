"""Which packs a check reads: a programme pack's stack, a shared pack's round, a folder's bases.

``greenrules check`` validates one programme pack alone, on the packs it extends, or a shared
pack with every programme pack of its round on it; these say which packs those are.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from greenrules._rules.packs import Pack
from greenrules._rules.registry import Registry
from greenrules.exceptions import GreenrulesError


def stack_of(pack: Pack, registry: Registry | None) -> tuple[Pack, ...]:
    """The stack ``pack`` tops in its latest round; a shared pack (or no registry): itself."""
    if registry is None or pack.shared:
        return (pack,)
    return registry.resolve(pack.jurisdiction, max(pack.rounds), pack.programmes[0])


def whole_stack(pack: Pack, registry: Registry) -> tuple[Pack, ...]:
    """``pack`` alone, or for a shared pack, it and the programme packs of its rounds on it."""
    if not pack.shared:
        return (pack,)
    on_top = [
        p
        for p in registry.packs
        if not p.shared
        and p.jurisdiction == pack.jurisdiction
        and set(p.rounds) & set(pack.rounds)
        and any(base is pack for base in stack_of(p, registry))
    ]
    return (pack, *on_top)


def installed_bases(folder: Path, registry: Registry) -> tuple[Pack, ...]:
    """The installed packs a pack folder's ``extends`` names, with their stacks, base first.

    What a folder not yet installed is loaded against, so that its rules may use the names of
    the packs it extends. A base that is not installed is left out: the registry names it.
    """
    try:
        meta = yaml.safe_load((folder / "pack.yaml").read_text(encoding="utf-8"))
        names = meta.get("extends") or []
        default = meta.get("extends_round") or min(meta["rounds"])
    except (OSError, ValueError, yaml.YAMLError, AttributeError, KeyError, TypeError):
        return ()  # load_pack reports what is wrong with the file
    out: dict[int, Pack] = {}
    for name in [names] if isinstance(names, str) else names:
        pack_id, _, round_ = str(name).partition("@")
        try:
            base = registry.get(pack_id, int(round_) if round_.isdigit() else default)
            stack = stack_of(base, registry) if not base.shared else _shared_stack(base, registry)
        except GreenrulesError:
            continue
        out.update({id(p): p for p in stack})
    return tuple(out.values())


def _shared_stack(pack: Pack, registry: Registry) -> tuple[Pack, ...]:
    return registry.resolve(pack.jurisdiction, max(pack.rounds))
