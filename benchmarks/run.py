"""The engines benchmark: `make bench` runs this; it prints numbers and is not part of the suite.

Each section is one function call in :func:`main`; a section prints its own lines. Sizes and
peak memory are measured in a fresh child process per (engine, size), so one engine's memory
does not count against another's, and durable's C allocations (invisible to tracemalloc) count.
The last line printed is the native-to-rete speed ratio.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from population import population  # noqa: E402

import greenrules as gr  # noqa: E402

JURISDICTION, ROUND, TIER = "CN-NM", 2025, "province"
SIZES = (1_000, 10_000, 100_000)
WAIVABLE = ("NM25-F-city-list", "NM25-F-water-saving", "NM25-F-consultation")
RESULTS: dict[str, Any] = {}


def rss_mib() -> float:
    """The current resident set size, in MiB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def peak_mib() -> float:
    """The peak resident set size of this process so far, in MiB (VmHWM: ``ru_maxrss`` would
    carry over the parent's peak across exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def evaluate(entities: list[Any], engine: str) -> list[gr.Decision]:
    """The full Inner Mongolia 2025 province packs, every programme."""
    return gr.evaluate_many(
        entities, tier=TIER, round=ROUND, jurisdiction=JURISDICTION, engine=engine
    )


def rate(fn: Callable[[], Any], n: int, repeat: int = 3) -> float:
    """Entities per second: the best of ``repeat`` runs (1 run for 100k)."""
    best = float("inf")
    for _ in range(repeat if n < 100_000 else 1):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return n / best


# --- child process: one (engine, size) --------------------------------------------------------


def child(engine: str, n: int) -> None:
    """Measure one engine on ``n`` entities and print a JSON line (run in a fresh process)."""
    entities = population(n, seed=1, waiver_rules=WAIVABLE)
    evaluate(entities[:50], engine)  # compile the rule sets
    base = rss_mib()
    per_s = rate(lambda: evaluate(entities, engine), n, repeat=1 if engine == "rete" else 3)
    print(json.dumps({"rate": per_s, "peak_mib": peak_mib(), "base_mib": base}))


def in_child(*args: str) -> dict[str, Any]:
    """Run :func:`child` (or a one-liner) in a fresh interpreter and parse its last line."""
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def first_decision(engine: str) -> None:
    """Import greenrules, load the installed packs and decide one entity (in a fresh process)."""
    start = time.perf_counter()
    from population import population as make

    import greenrules

    one = make(1, seed=3, programmes=["factory"], products=["widget"])
    greenrules.evaluate(one[0], tier=TIER, round=ROUND, jurisdiction=JURISDICTION, engine=engine)
    print(json.dumps({"seconds": time.perf_counter() - start}))


# --- sections ----------------------------------------------------------------------------------


def section_header() -> None:
    """What ran, where."""
    import importlib.metadata as md

    try:
        durable = md.version("durable-rules")
    except md.PackageNotFoundError:
        durable = "not installed"
    print(
        f"greenrules {gr.__version__} engines benchmark: Python {platform.python_version()} "
        f"on {platform.machine()}, durable-rules {durable}, 1 process; {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (the machine is shared: "
        "read every figure beside the load it was taken under)"
    )
    print(
        f"packs: {JURISDICTION} {ROUND} {TIER}, every programme (population: 70% factories, "
        "15% parks, 15% supply-chain enterprises, seeded)"
    )


def section_first_decision() -> None:
    """Time to first decision: import, pack loading and compiling, one entity."""
    for engine in ("native", "rete"):
        try:
            seconds = in_child("--first", engine)["seconds"]
        except subprocess.CalledProcessError as exc:
            print(f"time to first decision, {engine}: unavailable ({exc.stderr.splitlines()[-1]})")
            continue
        print(
            f"time to first decision, {engine}: {seconds * 1000:.0f} ms "
            "(import + pack loading + compile + 1 entity)"
        )


def section_bare_predicates() -> None:
    """Native vs hand-written predicates over the same factory facts, checked equal first."""
    import bare
    import columnar

    entities = population(20_000, seed=2, programmes=["factory"], waiver_rules=WAIVABLE)
    registry = gr.default_registry()
    ruleset = registry.ruleset(
        jurisdiction=JURISDICTION, round=ROUND, tier=TIER, programme="factory"
    )
    run = bare.make_factory_rules(ruleset)
    aimed = columnar._pool()  # values at the packs' thresholds, unlisted products too
    for checked in (entities, aimed):
        decisions = evaluate(checked, "native")
        for entity, decision in zip(checked, decisions, strict=True):
            verdicts, points = run(entity)
            if verdicts != list(decision.verdicts) or points != list(decision._source.points):
                raise SystemExit(f"bare predicates disagree with the native engine on {entity}")
    print(
        f"agreement, bare predicates: {len(entities):,} population and {len(aimed):,} "
        "threshold-aimed factories equal native"
    )
    n = len(entities)
    bare_rate = rate(lambda: [run(e) for e in entities], n)
    native_rate = rate(lambda: evaluate(entities, "native"), n)
    findings_rate = rate(lambda: [d.findings for d in evaluate(entities, "native")], n)
    RESULTS["native_factory"] = native_rate
    RESULTS["bare_factory"] = bare_rate
    print(f"bare Python predicates (factory rules, verdicts only): {bare_rate:,.0f} /s")
    print(
        f"native, factory rules, full decisions: {native_rate:,.0f} /s "
        f"({native_rate / bare_rate:.2f}x the bare predicates' rate)"
    )
    print(f"native, factory rules, every Finding materialised: {findings_rate:,.0f} /s")


def section_engines() -> None:
    """Decisions/s and peak memory, native and rete, 1k/10k/100k, each in a fresh process."""
    for n in SIZES:
        row = {}
        for engine in ("native", "rete"):
            try:
                row[engine] = in_child("--child", engine, str(n))
            except subprocess.CalledProcessError as exc:
                print(f"{engine} {n:>7,}: unavailable ({exc.stderr.splitlines()[-1]})")
                continue
            r = row[engine]
            print(
                f"{engine:>6} {n:>7,} entities: {r['rate']:>9,.0f} decisions/s, "
                f"peak RSS {r['peak_mib']:.0f} MiB (population and imports: {r['base_mib']:.0f})"
            )
        if len(row) == 2:
            ratio = row["native"]["rate"] / row["rete"]["rate"]
            RESULTS[f"ratio_{n}"] = ratio
            print(f"        {n:>7,} entities: native is {ratio:.1f}x rete")


def section_repeated_batches() -> None:
    """RSS after each of 10 batches of 1,000 (rete): memory must not grow with batches done."""
    try:
        from greenrules._engines.rete import rete_engine

        rete_engine()
    except gr.EngineUnavailableError:
        print("rete repeated batches: unavailable")
        return
    batches = [population(1_000, seed=10 + i, waiver_rules=WAIVABLE) for i in range(10)]
    evaluate(batches[0][:50], "rete")
    sizes = []
    for batch in batches:
        evaluate(batch, "rete")
        gc.collect()
        sizes.append(rss_mib())
    print(
        "rete RSS after each of 10 batches of 1,000 (MiB): "
        + " ".join(f"{s:.0f}" for s in sizes)
        + f" (growth after the first: {sizes[-1] - sizes[0]:+.1f} MiB)"
    )


def comparable(decision: gr.Decision) -> tuple[Any, ...]:
    """What every engine must agree on: status, review flag, verdicts, priority, missing facts."""
    return (
        decision.status,
        decision.review_required,
        tuple(decision.verdicts),
        tuple(decision.priority.score),
        tuple(decision.missing),
    )


def section_agreement() -> None:
    """Every engine and every input route decides as native on the same population, or exit 1.

    Routes: models through rete and columnar; the same applicants as records (dicts with a
    ``programme`` key, as a JSON file holds them) through ``evaluate_many`` and, for the
    factories, through ``evaluate_table``.
    """
    entities = population(3_000, seed=4, waiver_rules=WAIVABLE)
    records = [
        {"programme": str(e.programme), **e.model_dump(mode="json", exclude_none=True)}
        for e in entities
    ]
    native = [comparable(d) for d in evaluate(entities, "native")]
    routes: dict[str, Callable[[], list[gr.Decision]]] = {
        "rete": lambda: evaluate(entities, "rete"),
        "columnar": lambda: evaluate(entities, "columnar"),
        "native from records": lambda: gr.evaluate_many(
            records, tier=TIER, round=ROUND, jurisdiction=JURISDICTION
        ),
    }
    factories = [i for i, r in enumerate(records) if r["programme"] == "factory"]
    table = gr.evaluate_table(
        [records[i] for i in factories], tier=TIER, round=ROUND, jurisdiction=JURISDICTION
    )
    failed = []
    for route, run in routes.items():
        try:
            got = [comparable(d) for d in run()]
        except gr.EngineUnavailableError as exc:
            print(f"agreement, {route}: unavailable ({exc})")
            continue
        bad = sum(a != b for a, b in zip(got, native, strict=True))
        print(f"agreement, {route}: {len(got) - bad:,} of {len(got):,} decisions equal native")
        failed += [route] if bad else []
    bad = sum(comparable(table.decision(j)) != native[i] for j, i in enumerate(factories))
    print(
        f"agreement, evaluate_table from records: {len(factories) - bad:,} of "
        f"{len(factories):,} factory decisions equal native"
    )
    failed += ["evaluate_table from records"] if bad else []
    if failed:
        raise SystemExit(f"engines disagree with native: {', '.join(failed)}")


def section_records() -> None:
    """Decisions from the dicts and files users hold (benchmarks/records.py)."""
    import records

    records.section_dicts(RESULTS.get("bare_factory"))
    records.section_files()


def section_columnar() -> None:
    """The columnar engine on 10k, 100k and 1M factories from Parquet (benchmarks/columnar.py)."""
    import columnar

    columnar.section()


SECTIONS: list[Callable[[], None]] = [
    section_header,
    section_agreement,
    section_first_decision,
    section_bare_predicates,
    section_records,
    section_engines,
    section_repeated_batches,
    section_columnar,
]
"""Sections in order; another engine's section is one more function added before the ratio."""


def main() -> None:
    for section in SECTIONS:
        section()
    ratio = RESULTS.get("ratio_100000") or RESULTS.get("ratio_10000")
    print(
        f"native-to-rete speed ratio: {ratio:.1f}x"
        if ratio
        else "native-to-rete speed ratio: n/a (rete unavailable)"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ["--first"]:
        first_decision(sys.argv[2])
    else:
        main()
