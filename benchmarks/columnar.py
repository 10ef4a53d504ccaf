"""Columnar engine benchmark: whole populations through the Inner Mongolia 2025 packs.

Run alone (``python benchmarks/columnar.py [sizes...]``) or as a section of ``benchmarks/run.py``.
For each size, a child process (so that peak memory is its own) reads a Parquet file of
synthetic factories (written by pyarrow, each with its own credit code and name) and evaluates
it with :func:`greenrules.evaluate_table`: status, review
flag, priority, every verdict and the missing facts. Printed per size: full decisions/s from
the file, time to the first decision, peak memory over the input table's in-memory size; then
decisions/s from in-memory records (a list of dicts given to ``evaluate_table`` as they are,
typed by the models' schema) and, on the smaller sizes, the native engine on the same entities
for comparison. Each figure is the median of three fresh processes. At the largest size it also
prints where the time goes (read, check, rules) and the rate on the same rows written by polars.

Targets (this 2-core machine): >= 2,000,000 decisions/s at 1M from Parquet, every cell checked
in <= 0.14 s per million; >= 1.5x OpenFisca's rate from in-memory records
(``benchmarks/openfisca.py`` measures OpenFisca on this decision and these records); peak
memory < 3x the input table; first result < 1 s.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

JURISDICTION, ROUND, TIER = "CN-NM", 2025, "province"
POOL = 2_000


def _pool(seed: int = 7) -> list[Any]:
    """Distinct valid factories, aimed at the packs' thresholds (reused by larger tables)."""
    import greenrules
    from greenrules._io.loaders import parse_entities
    from greenrules._model.credit_code import ALPHABET, make_credit_code
    from greenrules.testing import targets

    rs = greenrules.default_registry().ruleset(
        jurisdiction=JURISDICTION, round=ROUND, tier=TIER, programme="factory"
    )
    aimed = targets(rs).values
    rng = random.Random(seed)

    def pick(path: str, fallback: list[Any]) -> Any:
        """A value aimed at a threshold (mostly) or one of ``fallback``; missing one time in ten."""
        options = list(aimed.get(path, ()))
        if not options or rng.random() < 0.2:
            options = fallback
        value = rng.choice(options) if rng.random() > 0.1 else None
        return value.isoformat() if hasattr(value, "isoformat") else value

    rows = []
    for i in range(POOL):
        body = f"91150{i:05d}" + "".join(rng.choice(ALPHABET[:10]) for _ in range(7))
        row: dict[str, Any] = {
            "programme": "factory",
            "credit_code": make_credit_code(body),
            "name": f"factory {i}",
        }
        for group, fields in (
            ("water", ("key_water_user", "water_saving_certified")),
            (
                "standing",
                ("removed_from_list", "major_accident", "falsified_materials", "material_change"),
            ),
            (
                "conformity",
                (
                    "legal_entity",
                    "in_production",
                    "management_systems",
                    "beats_industry_average",
                    "accepts_energy_supervision",
                    "meets_evaluation_standard",
                ),
            ),
        ):
            row[group] = {f: pick(f"{group}.{f}", [True, False]) for f in fields}
        for name, field in (
            ("incidents", "happened_on"),
            ("inspection_findings", "happened_on"),
            ("abnormal_operation", "start"),
            ("energy_rectification", "start"),
            ("dishonest_debtor", "start"),
        ):
            dated = pick(f"standing.{name}.{field}", ["2023-06-01"])
            record = [{field: dated}] if dated is not None else None  # an unknown record
            row["standing"][name] = [] if rng.random() < 0.8 else record
        row["industry"] = {
            "key_field": pick("industry.key_field", [True, False]),
            "code": pick("industry.code", ["13", "30", "44"]),
        }
        row["department_objection"] = pick("department_objection", [True, False])
        row["dynamic_form_filed_on"] = pick("dynamic_form_filed_on", ["2025-03-01"])
        row["city"] = pick("city", ["150200", "150100", "150600"])
        row["resource_utilisation"] = pick("resource_utilisation", [True, False])
        row["submitted_on"] = pick("submitted_on", ["2025-05-20"])
        row["memberships"] = (
            [
                {
                    "programme": "factory",
                    "tier": rng.choice(["city", "province", "national"]),
                    "year": rng.choice([2019, 2021, 2023, 2024]),
                    "valid": rng.random() < 0.9,
                }
                for _ in range(rng.randrange(3))
            ]
            if rng.random() > 0.1
            else None
        )
        products = list(aimed.get("energy.product", ())) or ["cement_clinker"]
        row["energy"] = (
            [
                {
                    "product": rng.choice(products),
                    "value": pick("energy.value", [round(rng.uniform(-5, 200), 2)]),
                }
                for _ in range(rng.randrange(3))
            ]
            if rng.random() > 0.1
            else None
        )
        route = rng.choice(["self", "third_party"])
        report: dict[str, Any] = {
            "route": route,
            "issued_on": pick("report.issued_on", ["2025-05-01"]),
        }
        if route == "third_party" and rng.random() > 0.2:
            report["agency"] = {
                "credit_code": make_credit_code("91110000MA" + "1234567"),
                "name": "agency",
                "blacklisted_on": (
                    pick("report.agency.blacklisted_on", ["2020-01-01"])
                    if rng.random() < 0.2
                    else None
                ),
                "annual_reports": [
                    {
                        "year": rng.choice([2023, 2024, 2025]),
                        "filed_on": pick("report.agency.annual_reports.filed_on", ["2024-06-30"]),
                    }
                    for _ in range(rng.randrange(3))
                ],
            }
        row["report"] = report
        if rng.random() < 0.1:
            row["waivers"] = [
                {"rule": rng.choice(list(rs.rule_ids)), "justification": "a written justification"}
            ]
        rows.append(_drop_none(row))
    return parse_entities(rows)


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def write_population(size: int, folder: Path, writer: str = "pyarrow") -> Path:
    """A Parquet file of ``size`` factories: facts drawn from the pool, identity their own.

    Every row gets a distinct credit code and name, as in a real population (repeated codes
    would let the checksum run once per distinct code). ``writer`` is ``"pyarrow"`` (snappy,
    what pandas, Spark and DuckDB users mostly hand over) or ``"polars"`` (zstd).
    """
    import polars as pl
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    from greenrules._columnar.schema import models_to_frame
    from greenrules._model.credit_code import make_credit_code
    from greenrules._model.entities import Factory

    pool = models_to_frame(_pool(), Factory).with_columns(pl.lit("factory").alias("programme"))
    frame = pool.sample(size, with_replacement=True, seed=1).with_columns(
        pl.Series("credit_code", [make_credit_code(f"9115{i:013d}") for i in range(size)]),
        pl.format("factory {}", pl.int_range(pl.len())).alias("name"),
    )
    path = folder / f"factories-{size}-{writer}.parquet"
    if writer == "pyarrow":
        pq.write_table(frame.to_arrow(), path)
    else:
        frame.write_parquet(path)
    return path


def _rss(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def measure_file(path: str) -> dict[str, Any]:
    """In this process: evaluate a Parquet file, with time, first result and peak memory.

    ``seconds`` is the full decision of every row (read, check, every verdict, status, review
    flag, priority) and the first row's :class:`~greenrules.Decision`; ``missing_seconds`` adds
    the rendering of every row's missing facts (``result.frame``). Peak memory covers both.
    ``first_result`` is the first row's decision from :func:`greenrules.evaluate_batches`.
    """
    import polars as pl

    import greenrules

    greenrules.default_registry()
    table = pl.read_parquet(path)
    input_bytes = table.estimated_size()
    records = table.head(min(table.height, 100_000)).to_dicts()
    del table
    greenrules.evaluate_table(records[:100], tier=TIER, round=ROUND, jurisdiction=JURISDICTION)
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak
    base = _rss("VmRSS")
    start = time.perf_counter()
    result = greenrules.evaluate_table(path, tier=TIER, round=ROUND, jurisdiction=JURISDICTION)
    result.decision(0)
    elapsed = time.perf_counter() - start
    assert result.outcomes.get_column("status").null_count() == 0
    frame = result.frame
    with_missing = time.perf_counter() - start
    peak = _rss("VmHWM") - base
    del frame, result
    start = time.perf_counter()
    batches = greenrules.evaluate_batches(path, tier=TIER, round=ROUND, jurisdiction=JURISDICTION)
    next(batches).decision(0)
    first_batch = time.perf_counter() - start
    del batches
    start = time.perf_counter()
    greenrules.evaluate_table(records, tier=TIER, round=ROUND, jurisdiction=JURISDICTION)
    from_records = len(records) / (time.perf_counter() - start)
    rows = pl.scan_parquet(path).select(pl.len()).collect().item()
    return {
        "rows": rows,
        "rules": len(
            greenrules.default_registry()
            .ruleset(jurisdiction=JURISDICTION, round=ROUND, tier=TIER, programme="factory")
            .rules
        ),
        "seconds": elapsed,
        "per_second": rows / elapsed,
        "first_result": first_batch,
        "first_of_table": elapsed,
        "missing_seconds": with_missing,
        "peak_bytes": peak,
        "input_bytes": input_bytes,
        "records_per_second": from_records,
        "records": len(records),
    }


def measure_native(path: str, limit: int) -> dict[str, Any]:
    """The native engine and bare attribute reads on the same factories (first ``limit`` rows)."""
    import polars as pl

    import greenrules
    from greenrules._columnar.result import entity_from_row
    from greenrules._model.entities import Factory

    rows = pl.read_parquet(path).head(limit).iter_rows(named=True)
    entities = [entity_from_row(r, Factory) for r in rows]
    start = time.perf_counter()
    greenrules.evaluate_many(entities, tier=TIER, round=ROUND, jurisdiction=JURISDICTION)
    native = len(entities) / (time.perf_counter() - start)
    start = time.perf_counter()
    greenrules.evaluate_many(
        entities, tier=TIER, round=ROUND, jurisdiction=JURISDICTION, engine="columnar"
    )
    columnar_models = len(entities) / (time.perf_counter() - start)
    return {"native": native, "columnar_from_models": columnar_models, "rows": len(entities)}


def measure_phases(path: str) -> dict[str, Any]:
    """Where the time of one table goes: reading, checking every cell, running the rules.

    Each phase is timed on its own through the modules :func:`greenrules.evaluate_table`
    calls, and ``whole`` is ``evaluate_table`` itself; every figure is the best of three runs
    after a warm-up, so they compare with each other (not with the cold medians of the table).
    """
    import greenrules
    from greenrules._columnar.canonical import canonical_frames
    from greenrules._columnar.program import program_for
    from greenrules._columnar.sources import read_source
    from greenrules._model.entities import Factory
    from greenrules._model.enums import Programme

    program = program_for(
        greenrules.default_registry().ruleset(
            jurisdiction=JURISDICTION, round=ROUND, tier=TIER, programme="factory"
        ),
        Factory,
    )
    best = dict.fromkeys(("read", "check", "rules", "whole"), float("inf"))
    for run in range(4):
        start = time.perf_counter()
        source = read_source(path)
        read = time.perf_counter()
        frames, _ = canonical_frames(source)  # type: ignore[arg-type]
        checked = time.perf_counter()
        program.outcomes(frames[Programme.FACTORY])
        done = time.perf_counter()
        greenrules.evaluate_table(path, tier=TIER, round=ROUND, jurisdiction=JURISDICTION)
        whole = time.perf_counter()
        spans = (read - start, checked - read, done - checked, whole - done)
        for phase, seconds in zip(best, spans, strict=True):
            best[phase] = min(best[phase], seconds) if run else best[phase]
    return best


def _child(kind: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, f"--{kind}", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def section(sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000), repeats: int = 3) -> None:
    """Print the columnar figures for each size (the section ``benchmarks/run.py`` runs).

    Every figure is the median of ``repeats`` fresh processes: the machine is shared.
    """
    print(f"\n== columnar engine (greenrules.evaluate_table, polars; medians of {repeats}) ==")
    print(
        f"{'entities':>10} {'rules':>5} {'decisions/s':>12} {'+missing/s':>11} "
        f"{'first result':>13} {'peak / input':>13} {'from records/s':>15} {'native/s':>9}"
    )
    last: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = write_population(size, Path(folder))
            got = _median([_child("file", str(path)) for _ in range(repeats)])
            native = (
                _child("native", str(path), str(min(size, 20_000))) if size <= 100_000 else None
            )
            ratio = got["peak_bytes"] / max(got["input_bytes"], 1)
            print(
                f"{size:>10,} {got['rules']:>5.0f} {got['per_second']:>12,.0f} "
                f"{got['rows'] / got['missing_seconds']:>11,.0f} "
                f"{got['first_result']:>12.3f}s {ratio:>12.2f}x "
                f"{got['records_per_second']:>15,.0f} "
                f"{native['native'] if native else float('nan'):>9,.0f}"
            )
            last = got
        phases = _child("phases", str(path))
        zstd = write_population(sizes[-1], Path(folder), writer="polars")
        other = _median([_child("file", str(zstd)) for _ in range(repeats)])
    print(
        f"at {sizes[-1]:,}, warm (best of 3 after a warm-up): read {phases['read']:.3f} s, "
        f"check every cell {phases['check']:.3f} s, rules and status {phases['rules']:.3f} s; "
        f"evaluate_table {phases['whole']:.3f} s "
        f"({sizes[-1] / phases['whole']:,.0f}/s); the same rows written by polars (zstd): "
        f"{other['per_second']:,.0f} decisions/s"
    )
    print(
        f"targets at {sizes[-1]:,}: >= 2,000,000/s from Parquet, every cell checked in <= 0.14 s "
        f"per million (got {last['per_second']:,.0f}/s, checks {phases['check']:.3f} s; "
        f"{last['rows'] / last['missing_seconds']:,.0f} with every missing fact rendered); "
        f"1.5x OpenFisca from records (got {last['records_per_second']:,.0f}/s on "
        f"{last['records']:,.0f} records, one cold run; `make bench-openfisca` times OpenFisca "
        f"beside greenrules on the same records); peak < 3x input "
        f"(got {last['peak_bytes'] / max(last['input_bytes'], 1):.2f}x); first result < 1 s "
        f"(got {last['first_result']:.3f} s batch by batch, {last['first_of_table']:.3f} s "
        f"for the whole table)"
    )


def main(argv: list[str]) -> None:
    """Entry point: a section over the sizes given, or one measurement in a child process."""
    if argv and argv[0] == "--file":
        print(json.dumps(measure_file(argv[1])))
    elif argv and argv[0] == "--phases":
        print(json.dumps(measure_phases(argv[1])))
    elif argv and argv[0] == "--native":
        print(json.dumps(measure_native(argv[1], int(argv[2]))))
    else:
        sizes = tuple(int(a) for a in argv) or (10_000, 100_000, 1_000_000)
        section(sizes)


if __name__ == "__main__":
    os.environ.setdefault("POLARS_MAX_THREADS", "2")
    main(sys.argv[1:])
