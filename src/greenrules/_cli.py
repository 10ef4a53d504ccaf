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
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from greenrules._columnar.api import evaluate_table
from greenrules._decision.decision import Decision
from greenrules._decision.ranking import rank
from greenrules._decision.words import PROGRAMME_WORDS, STATUS_WORDS
from greenrules._engines.arguments import ENGINES
from greenrules._evaluate import evaluate_many
from greenrules._io.loaders import entity_json_schema, load_entities
from greenrules._io.output import write_whole
from greenrules._io.progress import ProgressBar
from greenrules._io.workbook import write_summary
from greenrules._model.entities import Applicant
from greenrules._model.enums import Strength, Tier, Verdict
from greenrules._rules.packs import Pack
from greenrules._rules.registry import Registry, default_registry
from greenrules._version import __version__
from greenrules.exceptions import GreenrulesError, InputProblem, InvalidInputError, PackError

EXIT_OK, EXIT_ERROR, EXIT_INPUT = 0, 1, 2
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
    ev.set_defaults(run=_run_evaluate)

    demo = sub.add_parser("demo", help="evaluate the example round bundled with a pack")
    _evaluation_options(demo)
    demo.set_defaults(run=_run_demo)

    packs = sub.add_parser("packs", help="list the installed criteria packs and their rules")
    packs.add_argument("--format", choices=("table", "json"), default="table")
    packs.set_defaults(run=_run_packs)

    schema = sub.add_parser("schema", help="print the JSON Schema of applicant records")
    schema.set_defaults(run=_run_schema)

    check = sub.add_parser("check", help="validate a pack folder or installed pack, report all")
    check.add_argument("pack", help="a pack folder, or an installed pack's id or jurisdiction")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument(
        "--no-analysis", action="store_true", help="skip the reachability/contradiction sampling"
    )
    check.set_defaults(run=_run_check)
    return parser


def _evaluation_options(p: argparse.ArgumentParser) -> None:
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


def _top_pack(
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


def _evaluate(args: argparse.Namespace, entities: list[Applicant]) -> list[Decision]:
    registry = default_registry()
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
        registry = default_registry()
        pack = _top_pack(registry, args.jurisdiction, args.round)
        round_ = args.round if args.round is not None else max(pack.rounds)
        return _run_columnar(args, pack.jurisdiction, round_, registry)
    entities = load_entities(args.path)
    decisions = _evaluate(args, entities)
    _emit(args, decisions, entities)
    return EXIT_OK


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
    pack = _top_pack(default_registry(), args.jurisdiction, args.round, examples=True)
    args.jurisdiction = pack.jurisdiction  # _evaluate resolves the same pack again
    examples = sorted((pack.folder / "examples").glob("*.json")) if pack.folder else []
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
        write_summary(args.out, decisions, entities, lang=args.lang, city_names=names)
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


def _write(out: Path | None, text: str) -> None:
    if out is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as exc:  # a full disk, a closed pipe
            msg = f"cannot write the output: {exc.strerror or exc}"
            raise InvalidInputError([InputProblem("unwritable", ("stdout",), msg)]) from None
        return
    write_whole(out, lambda tmp: tmp.write_text(text, encoding="utf-8"), argument="out")


_HEADERS = {
    "en": (
        "#",
        "status",
        "programme",
        "name",
        "credit code",
        "priority",
        "conditions not met / unknown",
    ),
    "zh": ("序号", "结论", "类别", "名称", "统一社会信用代码", "优先级", "未满足 / 待定条款"),
}
_MARKS = {Verdict.UNKNOWN: "?", Verdict.WAIVED: "~"}


def render_table(decisions: Sequence[Decision], lang: str, *, explain: bool = False) -> str:
    """A plain-text table of ranked decisions for people, optionally with explanations."""
    rows = []
    for n, d in enumerate(decisions, start=1):
        flagged = [
            f.rule + _MARKS.get(f.verdict, "")
            for f in d.findings
            if f.strength is not Strength.PRIORITY
            and f.verdict in (Verdict.FAIL, Verdict.UNKNOWN, Verdict.WAIVED)
        ]
        status = STATUS_WORDS[lang][d.status]
        score = "/".join(f"{s:g}" for s in d.priority.score) or "-"
        rows.append(
            (
                str(n),
                status,
                PROGRAMME_WORDS[lang][d.programme],
                _printable(d.entity_name),
                _printable(d.entity_id),
                score,
                ", ".join(flagged) or "-",
            )
        )
    out = [_format_rows([_HEADERS[lang], *rows])]
    legend = "?=待定 ~=已豁免，需复核" if lang == "zh" else "?=unknown ~=waived, review required"
    out.append(legend)
    if explain:
        out += ["", *(d.explain(lang) + "\n" for d in decisions)]
    return "\n".join(out) + "\n"


def _printable(text: str) -> str:
    """Text with control and format characters shown as escapes, never sent to the terminal.

    A name holding a carriage return or an escape sequence could otherwise move the cursor,
    overprint another row's status or restyle the terminal.
    """
    return "".join(
        ch.encode("unicode_escape").decode() if unicodedata.category(ch)[0] == "C" else ch
        for ch in text
    )


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _format_rows(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def packs_as_data(registry: Registry) -> list[dict[str, Any]]:
    """The stable JSON shape of ``greenrules packs --format json``."""
    out = []
    for pack in registry.packs:
        cited: dict[str, list[str]] = {}
        for rule in pack.rules:
            cited.setdefault(rule.clause, []).append(rule.id)
        out.append(
            {
                "id": pack.id,
                "version": pack.version,
                "jurisdiction": pack.jurisdiction,
                "rounds": list(pack.rounds),
                "tiers": [str(t) for t in pack.tiers],
                "programmes": [str(p) for p in pack.programmes],
                "extends": pack.extends,
                "digest": pack.digest,
                "origin": registry.origin(pack),
                "neutralizes": dict(pack.neutralizes),
                "rules": [
                    {
                        "id": r.id,
                        "clause": r.clause,
                        "strength": str(r.strength),
                        "programme": str(r.programme),
                        "tier": sorted(str(t) for t in r.tiers),
                        "replaces": list(r.replaces),
                        "summary": {"zh": r.summary.zh, "en": r.summary.en},
                    }
                    for r in pack.rules
                ],
                "clauses": [
                    {
                        "id": c.id,
                        "kind": str(c.kind),
                        "section": c.section,
                        "coverage": {
                            "how": str(c.coverage.how),
                            "by": cited.get(c.id, []) + list(c.coverage.by),
                            "note": c.coverage.note,
                        },
                        "summary": {"zh": c.summary.zh, "en": c.summary.en},
                    }
                    for c in pack.clauses
                ],
            }
        )
    return out


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
    _write(None, json.dumps(entity_json_schema(), ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    from greenrules._pack_lint import (
        as_data,
        check_pack,
    )  # the analysis imports hypothesis: only when asked

    report = check_pack(args.pack, analyse=not args.no_analysis)
    if args.format == "json":
        _write(None, json.dumps(as_data(report), ensure_ascii=False, indent=2) + "\n")
    else:
        _write(None, report.render())
    return EXIT_ERROR if report.errors else EXIT_OK
