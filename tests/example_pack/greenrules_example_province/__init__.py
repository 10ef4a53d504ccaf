"""Xiping (西平省, CN-XP): a made-up province's criteria pack, the worked example of the guide.

Registered under the ``greenrules.criteria`` entry point as ``cn-xp-2025``; it builds on the
national pack ``cn-national`` shipped with greenrules. Nothing here is law: Xiping does not
exist, and its notice, clause ids and figures are invented to show how a pack is written.
"""

from importlib.resources import files

import greenrules


def pack_2025() -> greenrules.Pack:
    """The pack of Xiping's (invented) 2025 recommendation notice."""
    return greenrules.load_pack(str(files(__name__) / "r2025"))
