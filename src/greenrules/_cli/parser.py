"""The command line's arguments: every one with its help and its default, and the exit codes."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from greenrules._cli import authoring, commands, compare, evaluation, exit_codes, national
from greenrules._cli.pack_folder import add_pack_option
from greenrules._engines.arguments import ENGINES
from greenrules._model.enums import Tier
from greenrules._version import __version__


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help that shows each argument's default and keeps the exit-code table as written.

    A default that says nothing (off, none) is not shown; an option whose default is worked
    out at run time says so in its own help.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        silent = action.default in (None, False, argparse.SUPPRESS) or "default" in text
        if silent or not action.option_strings:
            return text
        return text + " (default: %(default)s)"


def _sub(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, text: str
) -> argparse.ArgumentParser:
    return sub.add_parser(
        name, help=text, description=text, epilog=exit_codes.TABLE, formatter_class=HelpFormatter
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``greenrules`` parser with its commands."""
    parser = argparse.ArgumentParser(
        prog="greenrules",
        description="Green manufacturing criteria as executable rules.",
        epilog=exit_codes.TABLE,
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"greenrules {__version__}", help="print the version"
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    ev = _sub(sub, "evaluate", "evaluate the applicants in a JSON, CSV, XLSX or Parquet file")
    ev.add_argument("path", type=Path, help="the applicants file")
    _evaluation_options(ev)
    ev.add_argument(
        "--skip-invalid",
        action="store_true",
        help="input template only: evaluate the valid rows, list the rejected ones (exit 1)",
    )
    ev.set_defaults(run=evaluation.run_evaluate)

    demo = _sub(sub, "demo", "evaluate the example round bundled with a pack")
    _evaluation_options(demo)
    demo.set_defaults(run=evaluation.run_demo)

    packs = _sub(
        sub, "packs", "list the installed packs as a tree (jurisdiction, round, programme, stack)"
    )
    packs.add_argument("--format", choices=("table", "json"), default="table", help="output form")
    packs.add_argument(
        "--coverage",
        action="store_true",
        help="per round and table, the keys with a value in force on its evaluation date",
    )
    packs.set_defaults(run=commands.run_packs)

    schema = _sub(sub, "schema", "print the JSON Schema of applicant records")
    schema.add_argument(
        "--columns", action="store_true", help="print the flat file's columns instead"
    )
    schema.set_defaults(run=commands.run_schema)

    template = _sub(sub, "template", "write the input workbook analysts fill in")
    _pack_options(template)
    template.add_argument("--lang", choices=("zh", "en"), default="zh", help="header language")
    template.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    template.add_argument(
        "--records", action="store_true", help="the round-records workbook a region keeps instead"
    )
    template.add_argument(
        "--from",
        dest="fill_from",
        type=Path,
        metavar="RECORDS",
        help="with --records: fill it from round records (.json, .csv, .xlsx), e.g. last year's",
    )
    template.set_defaults(run=commands.run_template)

    check = _sub(sub, "check", "validate a pack folder or installed pack, report all")
    check.add_argument("pack", help="a pack folder, or an installed pack's id or jurisdiction")
    check.add_argument("--format", choices=("text", "json"), default="text", help="output form")
    check.add_argument(
        "--no-analysis", action="store_true", help="skip the reachability/contradiction sampling"
    )
    authoring.add_property_options(check)
    check.set_defaults(run=commands.run_check)

    nat = _sub(sub, "national", "the region list's national candidates, in the upload's fields")
    nat.add_argument(
        "path", type=Path, nargs="?", help="the region list's applicants (default: the example)"
    )
    _pack_options(nat)
    nat.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        help="evaluation date, YYYY-MM-DD (default: the pack's evaluation date)",
    )
    nat.add_argument("--format", choices=("csv", "json"), default="csv", help="output form")
    nat.add_argument("--out", type=Path, help="write to this file (default: stdout)")
    nat.add_argument("--quiet", action="store_true", help="no note of the fields left out")
    nat.set_defaults(run=national.run_national)

    round_ = _sub(sub, "round", "the status of a round at a date, from its records")
    round_.add_argument(
        "records",
        type=Path,
        nargs="?",
        help="round records: .json, .csv, .xlsx or the records template (default: the example)",
    )
    _pack_options(round_)
    round_.add_argument(
        "--as-of", type=dt.date.fromisoformat, required=True, help="status date, YYYY-MM-DD"
    )
    round_.add_argument(
        "--format", choices=("text", "json", "xlsx"), default="text", help="xlsx needs --out"
    )
    round_.add_argument("--lang", choices=("zh", "en"), default="en", help="output language")
    round_.add_argument("--out", type=Path, help="write to this file instead of stdout")
    round_.set_defaults(run=commands.run_round)

    compare.add_compare_options(_sub(sub, "compare", compare.COMPARE_HELP))
    authoring.add_new_pack_options(_sub(sub, "new-pack", authoring.NEW_PACK_HELP))
    return parser


def _pack_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--jurisdiction",
        help="e.g. CN-NM, any case (default: the only regional pack)",
    )
    p.add_argument("--round", type=int, help="the round year (default: the pack's latest)")


def _evaluation_options(p: argparse.ArgumentParser) -> None:
    add_pack_option(p)
    _pack_options(p)
    p.add_argument(
        "--tier",
        choices=[t.value for t in Tier],
        default=Tier.PROVINCE.value,
        help="the tier applied for",
    )
    p.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        help="evaluation date, YYYY-MM-DD (default: the pack's evaluation date)",
    )
    p.add_argument(
        "--engine",
        choices=("auto", *ENGINES),
        default="auto",
        help="auto: columnar for Parquet or large files (when installed), else native",
    )
    p.add_argument(
        "--format",
        choices=("table", "json", "xlsx", "csv", "parquet"),
        default="table",
        help="xlsx writes the summary workbook and needs --out",
    )
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="output language")
    p.add_argument("--explain", action="store_true", help="print each decision's explanation")
    p.add_argument(
        "--reference",
        action="append",
        default=[],
        metavar="TABLE=FILE",
        help="replace a reference table by a CSV or XLSX file in its columns (repeatable)",
    )
    p.add_argument("--out", type=Path, help="write to this file (default: stdout)")
    p.add_argument("--quiet", action="store_true", help="no progress bar; only problems on stderr")
    signed = p.add_argument_group("header and sign-off of the xlsx workbook (blank to fill in)")
    signed.add_argument(
        "--city", help="the city, 盟市 (default: the applicants' city when they share one)"
    )
    signed.add_argument("--unit", help="the filing unit, 填报单位")
    signed.add_argument("--contact", help="the contact person, 联系人")
    signed.add_argument("--phone", help="the contact's telephone, 联系电话")
    signed.add_argument(
        "--date",
        type=dt.date.fromisoformat,
        help="the filing date, 填报日期, YYYY-MM-DD (default: the evaluation date)",
    )
