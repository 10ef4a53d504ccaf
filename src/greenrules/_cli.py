"""The ``greenrules`` command line: evaluate files, list packs, print the schema, run the demo.

Errors are one clear line per problem on stderr and a non-zero exit; a traceback means a bug.
JSON output shapes are stable and documented in ``docs/reference/cli.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from greenrules._cli_authoring import add_new_pack_command, add_property_options, property_arguments
from greenrules._cli_common import add_pack_option, registry_for
from greenrules._cli_common import top_pack as _top_pack
from greenrules._cli_common import write_text as _write
from greenrules._cli_compare import add_compare_command
from greenrules._columnar.api import evaluate_table
from greenrules._decision.decision import Decision
from greenrules._decision.ranking import rank
from greenrules._engines.arguments import ENGINES
from greenrules._evaluate import evaluate_many
from greenrules._io.columns import flat_columns_text
from greenrules._io.loaders import entity_json_schema, load_entities
from greenrules._io.problem_sheet import add_problem_sheet
from greenrules._io.progress import ProgressBar
from greenrules._io.round_records import load_round_records
from greenrules._io.round_workbook import write_round_status
from greenrules._io.template import write_template
from greenrules._io.template_read import is_template_file, load_template
from greenrules._io.terminal import render_table
from greenrules._io.workbook import write_summary
from greenrules._model.entities import Applicant
from greenrules._model.enums import Tier
from greenrules._round import example_records, round_status
from greenrules._rules.listing import packs_as_data
from greenrules._rules.registry import Registry, default_registry
from greenrules._version import __version__
from greenrules.exceptions import GreenrulesError, InputProblem, InvalidInputError, PackError

EXIT_OK, EXIT_ERROR, EXIT_INPUT, EXIT_REJECTED = 0, 1, 2, 3
EXIT_INTERRUPTED = 130
"""Ctrl-C: the shell's code for SIGINT (128 + 2), after one line and no partial output."""
PROGRESS_THRESHOLD = 1000


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except InvalidInputError as exc:
        _print_problems(exc)
        return EXIT_INPUT
    except PackError as exc:
        for problem in exc.problems:
            print(f"greenrules: pack error: {problem}", file=sys.stderr)
        return EXIT_ERROR
    except GreenrulesError as exc:
        print(f"greenrules: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("greenrules: interrupted; an --out file is left as it was", file=sys.stderr)
        return EXIT_INTERRUPTED


def _print_problems(exc: InvalidInputError) -> None:
    head = f"{exc.source}: " if exc.source else ""
    for problem in exc.problems:
        given = "" if problem.input is None else f" (given {problem.input!r})"
        print(f"greenrules: {head}{problem}{given}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="greenrules", description="Green manufacturing criteria as executable rules."
    )
    parser.add_argument("--version", action="version", version=f"greenrules {__version__}")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    ev = sub.add_parser("evaluate", help="evaluate the applicants in a JSON, CSV or XLSX file")
    ev.add_argument("path", type=Path)
    _evaluation_options(ev)
    ev.add_argument(
        "--skip-invalid",
        action="store_true",
        help="input template only: evaluate the valid rows, list the rejected ones (exit 3)",
    )
    ev.set_defaults(run=_run_evaluate)

    demo = sub.add_parser("demo", help="evaluate the example round bundled with a pack")
    _evaluation_options(demo)
    demo.set_defaults(run=_run_demo)

    packs = sub.add_parser("packs", help="list the installed criteria packs and their rules")
    packs.add_argument("--format", choices=("table", "json"), default="table")
    packs.set_defaults(run=_run_packs)

    schema = sub.add_parser("schema", help="print the JSON Schema of applicant records")
    schema.add_argument(
        "--columns", action="store_true", help="print the flat file's columns instead"
    )
    schema.set_defaults(run=_run_schema)

    template = sub.add_parser("template", help="write the input workbook analysts fill in")
    template.add_argument("--jurisdiction", help="e.g. CN-NM (default: the only regional pack)")
    template.add_argument("--round", type=int, help="the round year (default: the pack's latest)")
    template.add_argument("--lang", choices=("zh", "en"), default="zh")
    template.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    template.set_defaults(run=_run_template)

    check = sub.add_parser("check", help="validate a pack folder or installed pack, report all")
    check.add_argument("pack", help="a pack folder, or an installed pack's id or jurisdiction")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument(
        "--no-analysis", action="store_true", help="skip the reachability/contradiction sampling"
    )
    add_property_options(check)
    check.set_defaults(run=_run_check)

    round_ = sub.add_parser("round", help="the status of a round at a date, from its records")
    round_.add_argument("records", type=Path, nargs="?", help="default: the pack's example round")
    round_.add_argument("--jurisdiction", help="e.g. CN-NM (default: the only regional pack)")
    round_.add_argument("--round", type=int, help="the round year (default: the pack's latest)")
    round_.add_argument(
        "--as-of", type=dt.date.fromisoformat, required=True, help="status date, YYYY-MM-DD"
    )
    round_.add_argument("--format", choices=("text", "json", "xlsx"), default="text")
    round_.add_argument("--lang", choices=("zh", "en"), default="en")
    round_.add_argument("--out", type=Path, help="write to this file (needed for xlsx)")
    round_.set_defaults(run=_run_round)
    add_compare_command(sub)
    add_new_pack_command(sub)
    return parser


def _evaluation_options(p: argparse.ArgumentParser) -> None:
    add_pack_option(p)
    p.add_argument("--jurisdiction", help="e.g. CN-NM (default: the only regional pack)")
    p.add_argument("--round", type=int, help="the round year (default: the pack's latest)")
    p.add_argument("--tier", choices=[t.value for t in Tier], default=Tier.PROVINCE.value)
    p.add_argument("--as-of", type=dt.date.fromisoformat, help="evaluation date, YYYY-MM-DD")
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
    p.add_argument("--lang", choices=("zh", "en"), default="en")
    p.add_argument("--explain", action="store_true", help="print each decision's explanation")
    p.add_argument("--out", type=Path, help="write the output to this file instead of stdout")
    signed = p.add_argument_group("sign-off of the xlsx workbook (blank to fill in by hand)")
    signed.add_argument("--unit", help="the filing unit, 填报单位")
    signed.add_argument("--contact", help="the contact person, 联系人")
    signed.add_argument("--phone", help="the contact's telephone, 联系电话")
    signed.add_argument(
        "--date",
        type=dt.date.fromisoformat,
        help="the filing date, 填报日期, YYYY-MM-DD (default: the evaluation date)",
    )


def _evaluate(args: argparse.Namespace, entities: list[Applicant]) -> list[Decision]:
    registry = registry_for(args)
    pack = _top_pack(registry, args.jurisdiction, args.round)
    round_ = args.round if args.round is not None else max(pack.rounds)
    bar = ProgressBar(len(entities), sys.stderr) if len(entities) >= PROGRESS_THRESHOLD else None
    decisions = evaluate_many(
        entities,
        tier=args.tier,
        round=round_,
        jurisdiction=pack.jurisdiction,
        as_of=args.as_of,
        registry=registry,
        engine="native" if args.engine == "auto" else args.engine,
        progress=bar.update if bar else None,
    )
    if bar:
        bar.close()
    return rank(decisions)


def _run_evaluate(args: argparse.Namespace) -> int:
    args.engine = _engine_for(args.engine, args.path, args.format)
    if args.engine == "columnar":
        registry = registry_for(args)
        pack = _top_pack(registry, args.jurisdiction, args.round)
        round_ = args.round if args.round is not None else max(pack.rounds)
        return _run_columnar(args, pack.jurisdiction, round_, registry)
    if is_template_file(args.path):
        loaded = load_template(args.path, lang=args.lang, skip_invalid=args.skip_invalid)
        entities, rejected = list(loaded.entities), loaded.rejected
    elif args.skip_invalid:
        msg = "--skip-invalid reads the input template (greenrules template); fix other files"
        raise InvalidInputError([InputProblem("bad-argument", ("skip-invalid",), msg)])
    else:
        entities, rejected = load_entities(args.path), ()
    decisions = _evaluate(args, entities)
    if not rejected:
        _emit(args, decisions, entities)
        return EXIT_OK
    _print_problems(InvalidInputError(rejected, source=str(args.path)))
    if args.format == "xlsx" and args.out is not None:
        with tempfile.TemporaryDirectory() as folder:  # the summary, then it with the problems
            summary = Path(folder) / "summary.xlsx"
            _emit(argparse.Namespace(**{**vars(args), "out": summary}), decisions, entities)
            add_problem_sheet(summary, args.out, rejected, args.lang)
    else:
        _emit(args, decisions, entities)
    return EXIT_REJECTED


COLUMNAR_BYTES = 2_000_000
"""Files at least this large (about ten thousand applicants) go to the columnar engine."""


def _engine_for(requested: str, path: Path, fmt: str) -> str:
    """The engine ``--engine auto`` uses for ``path``: columnar for large tables, if installed."""
    if requested != "auto":
        return requested
    suffix = path.suffix.lower()
    size = path.stat().st_size if path.is_file() else 0
    large = (
        suffix == ".parquet"
        or fmt in ("csv", "parquet")
        or (suffix == ".csv" and size >= COLUMNAR_BYTES)
    )
    if large and importlib.util.find_spec("polars") is not None:
        return "columnar"
    return "native"


def _run_columnar(
    args: argparse.Namespace, jurisdiction: str, round_: int, registry: Registry
) -> int:
    """``greenrules evaluate`` with the columnar engine: progress bar, then the output file."""
    import sys

    from greenrules._decision.ranking import rank
    from greenrules._io.progress import ProgressBar

    bars: list[ProgressBar] = []
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if not bars and total >= 1000:
            bar = ProgressBar(total, sys.stderr)
            bar.started = started  # the rate counts reading and checking the file too
            bars.append(bar)
        if bars:
            bars[0].update(done)

    result = evaluate_table(
        args.path,
        tier=args.tier,
        round=round_,
        jurisdiction=jurisdiction,
        as_of=args.as_of,
        registry=registry,
        progress=progress,
    )
    if bars:
        bars[0].close()
    if args.format in ("table", "xlsx"):
        decisions = rank(result.decisions())
        _emit(args, decisions, [result.entity(d) for d in decisions])
        return 0
    from greenrules._columnar.output import output_frame, write_result

    if args.out is not None:
        write_result(result, args.out, args.format)
    elif args.format == "parquet":
        msg = "--format parquet writes a file: give its path with --out FILE.parquet"
        raise InvalidInputError([InputProblem("bad-argument", ("out",), msg)])
    else:
        frame = output_frame(result, args.format)
        text = frame.write_csv() if args.format == "csv" else frame.write_json()
        _write(None, text + ("" if text.endswith("\n") else "\n"))
    return EXIT_OK


def _run_demo(args: argparse.Namespace) -> int:
    pack = _top_pack(registry_for(args), args.jurisdiction, args.round, examples=True)
    args.jurisdiction = pack.jurisdiction  # _evaluate resolves the same pack again
    examples = sorted((pack.folder / "examples").glob("*.json")) if pack.folder else []
    # a round shipped as the input template too is read from it: what analysts fill is demoed
    examples = [p.with_suffix(".xlsx") if p.with_suffix(".xlsx").is_file() else p for p in examples]
    if not examples:
        raise GreenrulesError(f"pack {pack.id} ships no examples/*.json")
    entities = [e for path in examples for e in load_entities(path)]
    _emit(args, _evaluate(args, entities), entities)
    return EXIT_OK


def _emit(args: argparse.Namespace, decisions: list[Decision], entities: list[Applicant]) -> None:
    if args.format == "xlsx":
        if args.out is None:
            msg = "--format xlsx writes a workbook: give its path with --out FILE.xlsx"
            raise InvalidInputError([InputProblem("bad-argument", ("out",), msg)])
        names = _division_names(default_registry())
        write_summary(
            args.out,
            decisions,
            entities,
            lang=args.lang,
            city_names=names,
            unit=args.unit,
            contact=args.contact,
            phone=args.phone,
            date=args.date,
        )
        return
    if args.format in ("csv", "parquet"):
        msg = f"--format {args.format} is the columnar engine's result table: use --engine columnar"
        raise InvalidInputError([InputProblem("bad-argument", ("format",), msg, args.engine)])
    if args.format == "json":
        text = json.dumps([d.to_dict() for d in decisions], ensure_ascii=False, indent=2) + "\n"
    else:
        text = render_table(decisions, args.lang, explain=args.explain)
    _write(args.out, text)


def _division_names(registry: Registry) -> dict[str, str]:
    """City names from any pack table keyed by division ``code`` with a ``name_zh`` column."""
    names: dict[str, str] = {}
    for pack in registry.packs:
        for table in pack.tables.values():
            if table.key == "code" and "name_zh" in table.columns:
                names.update({str(r["code"]): str(r["name_zh"]) for r in table.rows})
    return names


def _run_packs(args: argparse.Namespace) -> int:
    data = packs_as_data(default_registry())
    if args.format == "json":
        _write(None, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    lines = []
    for pack in data:
        lines.append(
            f"{pack['id']} {pack['version']}  {pack['jurisdiction']} rounds {pack['rounds']}  "
            f"tiers {', '.join(pack['tiers'])}  ({len(pack['rules'])} rules, "
            f"{len(pack['clauses'])} clauses, from {pack['origin']})"
        )
        for rule in pack["rules"]:
            lines.append(f"  {rule['id']:<32} {rule['clause']:<20} {rule['strength']}")
    _write(None, "\n".join(lines) + "\n")
    return EXIT_OK


def _run_schema(args: argparse.Namespace) -> int:
    if args.columns:
        _write(None, flat_columns_text())
        return EXIT_OK
    _write(None, json.dumps(entity_json_schema(), ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def _run_round(args: argparse.Namespace) -> int:
    registry = default_registry()
    pack = _top_pack(registry, args.jurisdiction, args.round)
    round_ = args.round if args.round is not None else max(pack.rounds)
    path = args.records or example_records(pack)
    status = round_status(
        load_round_records(path),
        jurisdiction=pack.jurisdiction,
        round=round_,
        as_of=args.as_of,
        registry=registry,
    )
    if args.format == "xlsx":
        if args.out is None:
            msg = "--format xlsx writes a workbook: give its path with --out FILE.xlsx"
            raise InvalidInputError([InputProblem("bad-argument", ("out",), msg)])
        write_round_status(args.out, status, lang=args.lang)
    elif args.format == "json":
        _write(args.out, json.dumps(status.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        _write(args.out, status.render(args.lang))
    return EXIT_OK


def _run_template(args: argparse.Namespace) -> int:
    registry = default_registry()
    pack = _top_pack(registry, args.jurisdiction, args.round)
    round_ = args.round if args.round is not None else max(pack.rounds)
    write_template(
        args.out, jurisdiction=pack.jurisdiction, round=round_, lang=args.lang, registry=registry
    )
    return EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    from greenrules._pack_lint import (
        as_data,
        check_pack,
    )  # the analysis imports hypothesis: only when asked

    report = check_pack(args.pack, analyse=not args.no_analysis, **property_arguments(args))
    if args.format == "json":
        _write(None, json.dumps(as_data(report), ensure_ascii=False, indent=2) + "\n")
    else:
        _write(None, report.render())
    return EXIT_ERROR if report.errors else EXIT_OK
