"""``--pack FOLDER``: a pack under development used without installing it.

The folder is loaded and put in place of the installed pack it would clash with (the same
programme of its jurisdiction and round, or the same id), so ``evaluate``, ``demo`` and
``compare`` run on it exactly as they would once it is installed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from greenrules._rules.packs import Pack, load_pack
from greenrules._rules.registry import Registry, default_registry
from greenrules._rules.stacks import installed_bases
from greenrules.exceptions import InputProblem, InvalidInputError


def add_pack_option(parser: argparse.ArgumentParser) -> None:
    """The ``--pack FOLDER`` option: use a pack folder that is not installed."""
    parser.add_argument(
        "--pack",
        type=Path,
        metavar="FOLDER",
        help="use this pack folder (with pack.yaml) without installing it",
    )


def registry_for(args: argparse.Namespace) -> Registry:
    """The installed packs, with ``args.pack``'s folder in place of its installed twin.

    With a folder, ``args.jurisdiction`` defaults to the folder pack's, so the commands that
    choose a pack by jurisdiction choose it.
    """
    installed = default_registry()
    folder = getattr(args, "pack", None)
    if folder is None:
        return installed
    pack = folder_pack(folder, installed)
    if args.jurisdiction is None:
        args.jurisdiction = pack.jurisdiction
    if any(p is pack for p in installed.packs):
        return installed
    return installed.with_pack(pack)


def folder_pack(folder: Path, installed: Registry) -> Pack:
    """The pack in ``folder``: the installed one if installed from there, else its files.

    An installed pack keeps the Python predicates its plug-in registers.

    Raises:
        InvalidInputError: ``folder`` holds no ``pack.yaml`` (``bad-argument`` at ``pack``).
        PackError: the pack does not load.
    """
    if not (folder / "pack.yaml").is_file():
        msg = "expected a pack folder holding pack.yaml"
        raise InvalidInputError([InputProblem("bad-argument", ("pack",), msg, str(folder))])
    for pack in installed.packs:
        if pack.folder is not None and pack.folder.resolve() == folder.resolve():
            return pack
    return load_pack(folder, bases=installed_bases(folder, installed))
