"""National criteria pack: MIIT's 2024 gradient-cultivation measures and the national exclusions.

Registered under the ``greenrules.criteria`` entry point as ``cn-national-2024``; regional packs
build on it with ``extends: cn-national``.
"""

from importlib.resources import files

import greenrules


def pack_2024() -> greenrules.Pack:
    """The national pack serving the 2024 and 2025 rounds."""
    return greenrules.load_pack(str(files(__name__) / "miit2024"))
