"""The commands that inspect rather than evaluate: packs, schema, template, check and round."""

from __future__ import annotations

import argparse
import json

from greenrules._cli import exit_codes
from greenrules._cli.authoring import property_arguments
from greenrules._cli.output import need_out, write
from greenrules._cli.pack_choice import top_pack
from greenrules._io.columns import flat_columns_text
from greenrules._io.loaders import entity_json_schema
from greenrules._io.round_records import load_round_records
from greenrules._io.round_template import write_round_template
from greenrules._io.round_workbook import write_round_status
from greenrules._io.template import write_template
from greenrules._round import example_records, round_status
from greenrules._rules.listing import pack_tree, packs_as_data
from greenrules._rules.registry import default_registry
from greenrules._rules.table_coverage import (
    coverage_as_data,
    pack_coverage,
    read_columns,
    render_coverage,
)
from greenrules.exceptions import InputProblem, InvalidInputError


def run_packs(args: argparse.Namespace) -> int:
    """``greenrules packs``: the installed packs and their rules, or their tables' coverage."""
    if args.coverage:
        registry = default_registry()
        read = read_columns(registry.packs)
        reports = [r for pack in registry.packs for r in pack_coverage(pack, read)]
        json_text = json.dumps(coverage_as_data(reports), ensure_ascii=False, indent=2) + "\n"
        write(None, json_text if args.format == "json" else render_coverage(reports))
        return exit_codes.OK
    registry = default_registry()
    data = packs_as_data(registry)
    if args.format == "json":
        write(None, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return exit_codes.OK
    lines = []
    for jurisdiction, rounds in pack_tree(registry).items():
        lines.append(jurisdiction)
        for round_, stacks in rounds.items():
            lines.append(f"  {round_}")
            for programme, stack in stacks.items():
                lines.append(f"    {programme}")
                lines += [f"      {p.id} {p.version}  ({registry.origin(p)})" for p in stack]
    for pack in data:
        lines.append(
            f"{pack['id']} {pack['version']}  {pack['jurisdiction']} rounds {pack['rounds']}  "
            f"tiers {', '.join(pack['tiers'])}  ({len(pack['rules'])} rules, "
            f"{len(pack['clauses'])} clauses, digest {pack['digest'][:12]})"
        )
        for rule in pack["rules"]:
            lines.append(f"  {rule['id']:<32} {rule['clause']:<20} {rule['strength']}")
    write(None, "\n".join(lines) + "\n")
    return exit_codes.OK


def run_schema(args: argparse.Namespace) -> int:
    """``greenrules schema``: the JSON Schema of a record, or the flat file's columns."""
    if args.columns:
        write(None, flat_columns_text())
    else:
        write(None, json.dumps(entity_json_schema(), ensure_ascii=False, indent=2) + "\n")
    return exit_codes.OK


def run_round(args: argparse.Namespace) -> int:
    """``greenrules round``: the status of a round at a date."""
    registry = default_registry()
    pack = top_pack(registry, args.jurisdiction, args.round)
    round_ = args.round if args.round is not None else max(pack.rounds)
    path = args.records or example_records(pack)
    status = round_status(
        load_round_records(path, jurisdiction=pack.jurisdiction, round=round_),
        jurisdiction=pack.jurisdiction,
        round=round_,
        as_of=args.as_of,
        registry=registry,
    )
    if args.format == "xlsx":
        write_round_status(need_out(args.out, "xlsx"), status, lang=args.lang)
    elif args.format == "json":
        write(args.out, json.dumps(status.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        write(args.out, status.render(args.lang))
    return exit_codes.OK


def run_template(args: argparse.Namespace) -> int:
    """``greenrules template``: the input workbook analysts fill in."""
    registry = default_registry()
    pack = top_pack(registry, args.jurisdiction, args.round)
    round_ = args.round if args.round is not None else max(pack.rounds)
    if not args.records:
        if args.fill_from is not None:
            msg = "--from fills the round-records workbook: add --records"
            raise InvalidInputError([InputProblem("bad-argument", ("from",), msg)])
        write_template(
            args.out,
            jurisdiction=pack.jurisdiction,
            round=round_,
            lang=args.lang,
            registry=registry,
        )
        return exit_codes.OK
    records = None
    if args.fill_from is not None:  # a JSON file or the template states its own round
        table = args.fill_from.suffix.lower() == ".csv"
        records = load_round_records(
            args.fill_from, jurisdiction=pack.jurisdiction, round=round_ if table else None
        )
    write_round_template(
        args.out,
        jurisdiction=pack.jurisdiction,
        round=round_,
        lang=args.lang,
        records=records,
        registry=registry,
    )
    return exit_codes.OK


def run_check(args: argparse.Namespace) -> int:
    """``greenrules check``: every problem of a pack."""
    from greenrules._pack_lint import as_data, check_pack  # imports hypothesis: only when asked

    report = check_pack(args.pack, analyse=not args.no_analysis, **property_arguments(args))
    if args.format == "json":
        write(None, json.dumps(as_data(report), ensure_ascii=False, indent=2) + "\n")
    else:
        write(None, report.render())
    return exit_codes.PROBLEMS if report.errors else exit_codes.OK
