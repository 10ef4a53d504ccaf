"""``greenrules new-pack``: a new pack folder that passes ``check`` and its tests at once."""

from __future__ import annotations

import argparse
from pathlib import Path

from greenrules._cli_common import write_text
from greenrules._scaffold import new_pack


def add_new_pack_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``greenrules new-pack`` on the command line's subparsers."""
    p = sub.add_parser("new-pack", help="write a new pack folder to start a jurisdiction from")
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
    write_text(None, "\n".join(lines) + "\n")
    return 0
