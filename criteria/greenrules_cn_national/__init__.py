"""National criteria packs: MIIT's gradient-cultivation measures, one pack per national round.

``miit2024`` (round 2024) encodes the 2024 measures; ``miit2025`` (round 2025) amends it with
MIIT's 2025 notice (工信厅节函〔2025〕390号) by ``extends_round: 2024``. Both register under the
``greenrules.criteria`` entry point (``cn-national-2024``, ``cn-national-2025``); regional packs
build on them with ``extends: cn-national``, which resolves to the national pack of their round.
"""

from importlib.resources import files

import greenrules


def pack_2024() -> greenrules.Pack:
    """The national pack of round 2024: the 2024 measures."""
    return greenrules.load_pack(str(files(__name__) / "miit2024"))


def pack_2025() -> greenrules.Pack:
    """The national pack of round 2025: the 2024 measures as MIIT's 2025 notice amends them."""
    return greenrules.load_pack(str(files(__name__) / "miit2025"))
