"""National criteria packs: MIIT's gradient-cultivation measures, a shared pack and programme packs.

Round 2024 (``miit2024``) encodes the 2024 measures; round 2025 (``miit2025``) amends them with
MIIT's 2025 notice (工信厅节函〔2025〕390号). Each round has a shared pack, ``cn-national`` (the
clauses, parameters and reference tables), and three programme packs, ``cn-national-factory``,
``cn-national-park`` and ``cn-national-supply-chain``, that extend it; a 2025 programme pack also
extends its 2024 pack (``@2024``) and states only what the notice changes. Each registers under
the ``greenrules.criteria`` entry point with its own version and digest.

A regional pack builds on them by extending the national programme pack of its programme, and
loads against the shared packs this module returns (:func:`shared_2024`, :func:`shared_2025`):
it imports them, it never copies them.
"""

from functools import cache
from pathlib import Path

import greenrules

_HERE = Path(__file__).parent


def _load(round_folder: str, part: str, *bases: greenrules.Pack) -> greenrules.Pack:
    return greenrules.load_pack(_HERE / round_folder / part, bases=bases)


@cache
def shared_2024() -> greenrules.Pack:
    """The shared pack of round 2024: the measures' clauses, parameters and reference tables."""
    return _load("miit2024", "shared")


@cache
def shared_2025() -> greenrules.Pack:
    """The shared pack of round 2025: the 2025 notice's clauses, closure and tables."""
    return _load("miit2025", "shared", shared_2024())


def shared_packs(round_: int) -> tuple[greenrules.Pack, ...]:
    """The national shared packs in force in ``round_``, base first: what rules may cite."""
    return {2024: (shared_2024(),), 2025: (shared_2024(), shared_2025())}[round_]


def factory_2024() -> greenrules.Pack:
    """Green factories, round 2024."""
    return _load("miit2024", "factory", *shared_packs(2024))


def park_2024() -> greenrules.Pack:
    """Green industrial parks, round 2024."""
    return _load("miit2024", "park", *shared_packs(2024))


def supply_chain_2024() -> greenrules.Pack:
    """Green supply-chain management enterprises, round 2024."""
    return _load("miit2024", "supply_chain", *shared_packs(2024))


def factory_2025() -> greenrules.Pack:
    """Green factories, round 2025: the 2024 rules as the 2025 notice amends them."""
    return _load("miit2025", "factory", *shared_packs(2025))


def park_2025() -> greenrules.Pack:
    """Green industrial parks, round 2025: the 2024 rules as the 2025 notice amends them."""
    return _load("miit2025", "park", *shared_packs(2025))


def supply_chain_2025() -> greenrules.Pack:
    """Green supply-chain management enterprises, round 2025 (closed at the national tier)."""
    return _load("miit2025", "supply_chain", *shared_packs(2025))
