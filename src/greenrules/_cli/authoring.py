"""The pack author's commands: ``new-pack``, and the property checks ``check`` runs.

An author's loop is new-pack, edit, check, test. ``check`` runs the kit's property checks by
default (``--properties`` names a subset or ``none``), so a pack it passes does not then fail
its first property test.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from greenrules._cli import exit_codes
from greenrules._cli.output import write
from greenrules._pack_properties import PROPERTIES, property_names
from greenrules._scaffold import new_pack
from greenrules.exceptions import InputProblem, InvalidInputError

NEW_PACK_HELP = "write a new pack folder to start a jurisdiction from"


def add_new_pack_options(p: argparse.ArgumentParser) -> None:
    """The arguments of ``greenrules new-pack``."""
    p.add_argument("folder", type=Path, help="the folder to create (absent or empty)")
    p.add_argument("--jurisdiction", required=True, help="the province, e.g. CN-NX")
    p.add_argument("--id", help="the pack id (default: the jurisdiction in lower case)")
    p.add_argument("--round", type=int, help="the round (default: the base pack's latest)")
    p.add_argument("--extends", default="cn-national", help="the installed pack it builds on")
    p.set_defaults(run=run_new_pack)


def run_new_pack(args: argparse.Namespace) -> int:
    """Write the folder and say what to run next; 0 on success."""
    folder = new_pack(
        args.folder,
        jurisdiction=args.jurisdiction,
        pack_id=args.id,
        round=args.round,
        extends=args.extends,
    )
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    lines = [f"wrote {folder}:", *(f"  {name}" for name in files)]
    lines += [
        "next:",
        f"  greenrules check {folder}",
        f"  pytest {folder}",
        f"  greenrules evaluate APPLICANTS --pack {folder}",
    ]
    write(None, "\n".join(lines) + "\n")
    return exit_codes.OK


def add_property_options(check: argparse.ArgumentParser) -> None:
    """The options of ``greenrules check`` that choose the property checks and their size."""
    check.add_argument(
        "--properties",
        metavar="NAMES",
        help=f"all (default; none with --no-analysis), none, or some of {', '.join(PROPERTIES)}",
    )
    check.add_argument(
        "--examples",
        type=int,
        default=25,
        help="generated inputs per property check (default 25; the pack's tests run more)",
    )


def property_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """``check_pack``'s property arguments from the command line's options."""
    if args.examples < 1:
        msg = "expected a positive number of examples"
        raise InvalidInputError([InputProblem("bad-argument", ("examples",), msg, args.examples)])
    if args.properties is None and args.no_analysis:  # nothing generated unless asked for
        return {"properties": (), "examples": args.examples}
    return {"properties": property_names(args.properties), "examples": args.examples}
