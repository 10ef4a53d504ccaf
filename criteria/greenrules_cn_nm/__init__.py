"""Inner Mongolia (CN-NM) criteria packs, one per annual recommendation round.

Registered under the ``greenrules.criteria`` entry point as ``cn-nm-2025``; it builds on the
national pack ``cn-national``.
"""

from importlib.resources import files

import greenrules


def pack_2025() -> greenrules.Pack:
    """The pack of the 2025 notice (内蒙古自治区工业和信息化厅, 2025-04-29)."""
    return greenrules.load_pack(str(files(__name__) / "r2025"))
