"""What the greenrules subcommands share: the pack they target and text written out whole.

A pack under development is used without installing it: ``--pack FOLDER`` loads the folder and
puts it in place of any installed pack of the same id or jurisdiction in its rounds, so
``evaluate``, ``demo`` and ``compare`` run on it exactly as they would once it is installed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from greenrules._io.output import write_whole
from greenrules._rules.packs import Pack, load_pack
from greenrules._rules.registry import Registry, default_registry
from greenrules.exceptions import GreenrulesError, InputProblem, InvalidInputError


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
    return load_pack(folder)


def top_pack(
    registry: Registry, jurisdiction: str | None, round_: int | None, *, examples: bool = False
) -> Pack:
    """The pack an evaluation targets, defaulting to the only pack no other pack extends.

    When several packs are on top (a plug-in pack is installed beside the bundled ones), the
    default is the one bundled with greenrules: installing a plug-in must not change what a
    bare command evaluates. ``examples`` keeps only packs that ship ``examples/*.json``.
    """
    bases = {p.extends for p in registry.packs}
    candidates = [
        p
        for p in registry.packs
        if (jurisdiction is None and p.id not in bases) or p.jurisdiction == jurisdiction
    ]
    if round_ is not None:
        candidates = [p for p in candidates if round_ in p.rounds]
    if examples:
        shipping = [p for p in candidates if p.folder and any(p.folder.glob("examples/*.json"))]
        if candidates and not shipping:
            names = ", ".join(p.id for p in candidates)
            raise GreenrulesError(f"no matching pack ships examples/*.json ({names})")
        candidates = shipping
    if jurisdiction is None and len(candidates) > 1:
        bundled = [p for p in candidates if registry.origin(p) == "greenrules"]
        candidates = bundled if len(bundled) == 1 else candidates
    if len(candidates) != 1:
        found = ", ".join(f"{p.jurisdiction} {list(p.rounds)}" for p in candidates) or "none"
        raise GreenrulesError(
            f"choose a pack with --jurisdiction and --round (matching packs: {found})"
        )
    return candidates[0]


def write_text(out: Path | None, text: str) -> None:
    """Write ``text`` to ``out`` whole, or to stdout; a failure is an ``unwritable`` problem."""
    if out is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as exc:  # a full disk, a closed pipe
            msg = f"cannot write the output: {exc.strerror or exc}"
            raise InvalidInputError([InputProblem("unwritable", ("stdout",), msg)]) from None
        return
    write_whole(out, lambda tmp: tmp.write_text(text, encoding="utf-8"), argument="out")
