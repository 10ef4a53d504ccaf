"""``greenrules compare``: what a parameter or another pack version does to a file of entities.

The base is the installed packs (or ``--pack FOLDER``); the other side is the base with
``--with-param NAME=VALUE`` overrides and/or ``--with-pack FOLDER`` in place of its installed
twin. Each parameter is looked up in the pack stack of the context, top pack first, so a name
needs no pack id.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

from greenrules._cli import exit_codes
from greenrules._cli.output import write
from greenrules._cli.pack_choice import top_pack
from greenrules._cli.pack_folder import add_pack_option, folder_pack, registry_for
from greenrules._model.enums import Tier
from greenrules._rules.packs import Pack
from greenrules._rules.registry import Registry
from greenrules.exceptions import InputProblem, InvalidInputError, PackError, PackProblem

COMPARE_HELP = "what a parameter or pack change does to the entities in a file"


def add_compare_options(p: argparse.ArgumentParser) -> None:
    """The arguments of ``greenrules compare``."""
    p.add_argument(
        "path",
        type=Path,
        nargs="?",
        help="entities: JSON, CSV, XLSX or Parquet (default: the pack's example round)",
    )
    p.add_argument(
        "--with-param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="give a pack parameter another value (repeatable)",
    )
    p.add_argument(
        "--with-pack", type=Path, metavar="FOLDER", help="compare with this pack folder's rules"
    )
    add_pack_option(p)
    p.add_argument("--jurisdiction", help="e.g. CN-NM, any case (default: the only regional pack)")
    p.add_argument("--round", type=int, help="the round year (default: the pack's latest)")
    p.add_argument(
        "--tier", choices=[t.value for t in Tier], default=Tier.PROVINCE.value, help="the tier"
    )
    p.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        help="evaluation date, YYYY-MM-DD (default: the pack's evaluation date)",
    )
    p.add_argument(
        "--format", choices=("text", "json", "xlsx"), default="text", help="xlsx needs --out"
    )
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="output language")
    p.add_argument("--out", type=Path, help="write to this file (default: stdout)")
    p.set_defaults(run=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    """Decide the file under both sides and write the comparison; 0 on success."""
    from greenrules._columnar.api import compare, round_packs
    from greenrules._columnar.comparison_workbook import write_comparison

    if not args.with_param and args.with_pack is None:
        msg = "say what to change: --with-param NAME=VALUE (repeatable) or --with-pack FOLDER"
        raise InvalidInputError([InputProblem("bad-argument", ("with-param",), msg)])
    if args.format == "xlsx" and args.out is None:
        msg = "--format xlsx writes a workbook: give its path with --out FILE.xlsx"
        raise InvalidInputError([InputProblem("bad-argument", ("out",), msg)])
    overrides = parse_overrides(args.with_param)
    base = registry_for(args)
    pack = top_pack(base, args.jurisdiction, args.round)
    round_ = args.round if args.round is not None else max(pack.rounds)
    other = base
    if args.with_pack is not None:
        other = other.with_pack(folder_pack(args.with_pack, base))
    if overrides:
        other = with_overrides(other, round_packs(other, pack.jurisdiction, round_), overrides)
    comparison = compare(
        args.path or example_round(pack),
        base,
        other,
        tier=args.tier,
        round=round_,
        jurisdiction=pack.jurisdiction,
        as_of=args.as_of,
    )
    if args.format == "xlsx":
        write_comparison(args.out, comparison, lang=args.lang)
    elif args.format == "json":
        text = json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2) + "\n"
        write(args.out, text)
    else:
        write(args.out, comparison.render(args.lang))
    return exit_codes.OK


def example_round(pack: Pack) -> Path:
    """The one ``examples/*.json`` file the pack ships, compared when no file is given."""
    found = sorted(pack.folder.glob("examples/*.json")) if pack.folder else []
    if len(found) != 1:
        msg = f"pack {pack.id} ships {len(found)} examples/*.json files: give the file to compare"
        raise InvalidInputError([InputProblem("bad-argument", ("path",), msg)])
    return found[0]


def parse_overrides(items: Sequence[str]) -> dict[str, str]:
    """``NAME=VALUE`` options as a mapping; a malformed or repeated one is a bad argument."""
    out: dict[str, str] = {}
    problems = []
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            msg = "expected NAME=VALUE, e.g. sc_market_share_min=0.03"
            problems.append(InputProblem("bad-argument", ("with-param",), msg, item))
        elif name.strip() in out:
            msg = f"{name.strip()} is given twice"
            problems.append(InputProblem("bad-argument", ("with-param",), msg, item))
        else:
            out[name.strip()] = value.strip()
    if problems:
        raise InvalidInputError(problems)
    return out


def with_overrides(
    registry: Registry, stack: tuple[Pack, ...], overrides: dict[str, str]
) -> Registry:
    """``registry`` with each parameter overridden in the top-most pack of ``stack`` defining it.

    Raises:
        PackError: a name no pack of the stack defines (``unknown-param``), or a bad value.
    """
    by_pack: dict[int, tuple[Pack, dict[str, str]]] = {}
    problems = []
    for name, value in overrides.items():
        owner = next((p for p in reversed(stack) if name in p.params), None)
        if owner is None:
            known = ", ".join(sorted({n for p in stack for n in p.params})) or "none"
            msg = f"no pack of this context has a parameter {name!r} (they have: {known})"
            problems.append(PackProblem("unknown-param", stack[-1].id, msg))
        else:
            by_pack.setdefault(id(owner), (owner, {}))[1][name] = value
    if problems:
        raise PackError(problems)
    for owner, values in by_pack.values():  # a base pack may serve another round than the context
        registry = registry.with_params(owner.id, owner.rounds[0], values)
    return registry
