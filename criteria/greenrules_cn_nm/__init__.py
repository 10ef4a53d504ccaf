"""Inner Mongolia (CN-NM) criteria packs: per recommendation round, a shared and programme packs.

Round 2025 registers under the ``greenrules.criteria`` entry point as ``cn-nm-2025`` (the shared
pack ``cn-nm``: the notice's clauses, parameters, reference tables, calendar data and procedure)
and ``cn-nm-factory-2025``, ``cn-nm-park-2025``, ``cn-nm-supply-chain-2025`` (the programme
packs). Each programme pack extends the national programme pack of its programme and the shared
pack; the national shared packs are imported from :mod:`greenrules_cn_national`, not copied.
"""

from functools import cache
from pathlib import Path

import greenrules
import greenrules_cn_national as national

_ROUND_2025 = Path(__file__).parent / "r2025"


@cache
def pack_2025() -> greenrules.Pack:
    """The shared pack of the 2025 notice (内蒙古自治区工业和信息化厅, 2025-04-29)."""
    return greenrules.load_pack(_ROUND_2025 / "shared", bases=national.shared_packs(2025))


def _programme_2025(part: str) -> greenrules.Pack:
    bases = (*national.shared_packs(2025), pack_2025())
    return greenrules.load_pack(_ROUND_2025 / part, bases=bases)


def factory_2025() -> greenrules.Pack:
    """Green factories in the 2025 round."""
    return _programme_2025("factory")


def park_2025() -> greenrules.Pack:
    """Green industrial parks in the 2025 round."""
    return _programme_2025("park")


def supply_chain_2025() -> greenrules.Pack:
    """Green supply-chain management enterprises in the 2025 round."""
    return _programme_2025("supply_chain")
