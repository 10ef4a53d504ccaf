"""``greenrules evaluate`` and ``greenrules demo``: applicants in, ranked decisions out.

A row the targeted pack cannot decide (a park, where the pack has no park rules) is a problem of
that row, listed on stderr like a rejected row: the other rows are evaluated and written, and the
exit code says that some were left out.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

from greenrules._cli import exit_codes
from greenrules._cli.output import need_out, print_problems, write
from greenrules._cli.pack_choice import top_pack
from greenrules._cli.pack_folder import registry_for
from greenrules._cli.report import emit
from greenrules._columnar.api import evaluate_table
from greenrules._decision.decision import Decision
from greenrules._decision.ranking import rank
from greenrules._evaluate import evaluate_many
from greenrules._io.loaders import load_entities
from greenrules._io.problem_sheet import add_problem_sheet
from greenrules._io.progress import ProgressBar, progress_bar
from greenrules._io.template_read import is_template_file, load_template
from greenrules._model.entities import Applicant
from greenrules._rules.packs import Pack
from greenrules._rules.registry import Registry
from greenrules._supplied_tables import with_supplied_tables
from greenrules.exceptions import InputProblem, InvalidInputError

PROGRESS_THRESHOLD = 1000
"""Fewer applicants than this finish before a bar would help."""
COLUMNAR_BYTES = 2_000_000
"""Files at least this large (about ten thousand applicants) go to the columnar engine."""


def run_evaluate(args: argparse.Namespace) -> int:
    """``greenrules evaluate PATH``."""
    registry = registry_for(args)
    pack = top_pack(registry, args.jurisdiction, args.round)
    registry = _supplied(args, pack, registry)
    args.engine = _engine_for(args.engine, args.path, args.format)
    if args.engine == "columnar":
        return _run_columnar(args, pack, registry)
    if is_template_file(args.path):
        loaded = load_template(args.path, lang=args.lang, skip_invalid=args.skip_invalid)
        entities, rejected = list(loaded.entities), list(loaded.rejected)
    elif args.skip_invalid:
        msg = "--skip-invalid reads the input template (greenrules template); fix other files"
        raise InvalidInputError([InputProblem("bad-argument", ("skip-invalid",), msg)])
    else:
        entities, rejected = load_entities(args.path), []
    entities, uncovered = covered(entities, pack)
    rejected += uncovered
    decisions = _evaluate(args, pack, registry, entities)
    if not rejected:
        emit(args, decisions, entities)
        return exit_codes.OK
    print_problems(InvalidInputError(rejected, source=str(args.path)))
    if args.format == "xlsx" and args.out is not None:
        with tempfile.TemporaryDirectory() as folder:  # the summary, then it with the problems
            summary = Path(folder) / "summary.xlsx"
            emit(argparse.Namespace(**{**vars(args), "out": summary}), decisions, entities)
            add_problem_sheet(summary, args.out, rejected, args.lang)
    else:
        emit(args, decisions, entities)
    return exit_codes.PROBLEMS


def run_demo(args: argparse.Namespace) -> int:
    """``greenrules demo``: the example round a pack ships, as a user's file would be."""
    registry = registry_for(args)
    pack = top_pack(registry, args.jurisdiction, args.round, examples=True)
    registry = _supplied(args, pack, registry)
    entities, uncovered = covered(example_applicants(pack), pack)
    emit(args, _evaluate(args, pack, registry, entities), entities)
    if uncovered:
        print_problems(InvalidInputError(uncovered, source="demo"))
        return exit_codes.PROBLEMS
    return exit_codes.OK


def example_applicants(pack: Pack) -> list[Applicant]:
    """The applicants of the example round a pack ships, read as a user's file would be."""
    examples = sorted((pack.folder / "examples").glob("*.json")) if pack.folder else []
    # a round shipped as the input template too is read from it: what analysts fill is demoed
    examples = [p.with_suffix(".xlsx") if p.with_suffix(".xlsx").is_file() else p for p in examples]
    return [e for path in examples for e in load_entities(path)]


def covered(entities: list[Applicant], pack: Pack) -> tuple[list[Applicant], list[InputProblem]]:
    """The entities ``pack`` has rules for, and a ``not-covered`` problem for each other one."""
    kept, problems = [], []
    covers = ", ".join(str(p) for p in pack.programmes)
    for index, entity in enumerate(entities):
        if entity.programme in pack.programmes:
            kept.append(entity)
            continue
        msg = (
            f"{entity.name} ({entity.credit_code}) is a {entity.programme} applicant; "
            f"pack {pack.id} has no rules for it (it covers {covers})"
        )
        problems.append(
            InputProblem("not-covered", (index, "programme"), msg, str(entity.programme))
        )
    return kept, problems


def _supplied(args: argparse.Namespace, pack: Pack, registry: Registry) -> Registry:
    """The registry with the tables given by ``--reference TABLE=FILE`` in place of the pack's."""
    round_ = args.round if args.round is not None else max(pack.rounds)
    return with_supplied_tables(registry, pack.jurisdiction, round_, args.reference)


def _evaluate(
    args: argparse.Namespace, pack: Pack, registry: Registry, entities: list[Applicant]
) -> list[Decision]:
    bar = None
    if len(entities) >= PROGRESS_THRESHOLD:
        bar = progress_bar(len(entities), sys.stderr, quiet=args.quiet)
    decisions = evaluate_many(
        entities,
        tier=args.tier,
        round=args.round if args.round is not None else max(pack.rounds),
        jurisdiction=pack.jurisdiction,
        as_of=args.as_of,
        registry=registry,
        engine="native" if args.engine == "auto" else args.engine,
        progress=bar.update if bar else None,
    )
    if bar:
        bar.close()
    return list(rank(decisions).decisions)


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


def _run_columnar(args: argparse.Namespace, pack: Pack, registry: Registry) -> int:
    """``greenrules evaluate`` with the columnar engine: progress bar, then the output file."""
    bars: list[ProgressBar] = []
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if not bars and total >= PROGRESS_THRESHOLD:
            bar = progress_bar(total, sys.stderr, quiet=args.quiet)
            if bar is None:
                return
            bar.started = started  # the rate counts reading and checking the file too
            bars.append(bar)
        if bars:
            bars[0].update(done)

    result = evaluate_table(
        args.path,
        tier=args.tier,
        round=args.round if args.round is not None else max(pack.rounds),
        jurisdiction=pack.jurisdiction,
        as_of=args.as_of,
        registry=registry,
        progress=progress,
    )
    if bars:
        bars[0].close()
    if args.format in ("table", "xlsx"):
        decisions = list(rank(result.decisions()).decisions)
        emit(args, decisions, [result.entity(d) for d in decisions])
        return exit_codes.OK
    from greenrules._columnar.output import output_frame, write_result

    if args.format == "parquet":
        need_out(args.out, "parquet")
    if args.out is not None:
        write_result(result, args.out, args.format)
    else:
        frame = output_frame(result, args.format)
        text = frame.write_csv() if args.format == "csv" else frame.write_json()
        write(None, text + ("" if text.endswith("\n") else "\n"))
    return exit_codes.OK
