"""Speed where users meet it: decisions from the records and files users hold, never from models.

Run alone (``python benchmarks/records.py``) or as sections of ``benchmarks/run.py``. The
population is the example round's applicants (``examples/round-2025.json``) repeated, each copy
with credit codes of its own, as a city bureau's file of many applicants would be. Printed:

- dicts: ``evaluate_many`` on factory records (mappings as a JSON file holds them, the agency
  inline), validation included, at 10k, 50k and 100k, each in a fresh process, best and median
  of three; then the two phases apart (validation, evaluation) and the RSS after each of five
  batches of 20k in one process (memory flat across batches);
- files: ``load_entities`` and then ``evaluate_many`` on the round repeated to 50,000
  applicants, written as JSON and as a flat XLSX (dotted column names, list fields as JSON
  text, the agencies on their own sheet): read time and rows/s beside decision time.

Every line carries the load average: the machine is shared, so a figure is only as good as
the load it was taken under.
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

JURISDICTION, ROUND, TIER = "CN-NM", 2025, "province"
EXAMPLE = (
    Path(__file__).resolve().parents[1]
    / "criteria/greenrules_cn_nm/r2025/shared/examples"
    / "round-2025.json"
)
DICT_SIZES = (10_000, 50_000, 100_000)
FILE_SIZE = 50_000
REPEATS = 3


def load() -> str:
    """The 1-minute load average, as printed beside every figure."""
    return f"load {os.getloadavg()[0]:.2f}"


def example() -> dict[str, Any]:
    """The example round: ``{"agencies": [...], "applicants": [...]}``."""
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _recoded(applicant: dict[str, Any], copy_index: int, index: int) -> dict[str, Any]:
    """A copy of ``applicant`` with a credit code of its own (a valid check character)."""
    from greenrules._model.credit_code import make_credit_code

    out = copy.deepcopy(applicant)
    out["credit_code"] = make_credit_code(f"9115{copy_index:06d}{index:07d}")
    return out


def repeated(n: int, programmes: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The example round's applicants repeated to ``n`` (distinct credit codes), agencies once."""
    doc = example()
    base = [a for a in doc["applicants"] if programmes is None or a["programme"] in programmes]
    applicants = [_recoded(base[i % len(base)], i // len(base), i) for i in range(n)]
    return {"agencies": doc["agencies"], "applicants": applicants}


def factory_records(n: int) -> list[dict[str, Any]]:
    """``n`` factory records as ``evaluate_many`` takes them: the agency inline, not by code."""
    doc = repeated(n, ("factory",))
    agencies = {a["credit_code"]: a for a in doc["agencies"]}
    out = []
    for record in doc["applicants"]:
        report = record.get("report")
        if isinstance(report, dict) and isinstance(report.get("agency"), str):
            record["report"] = {**report, "agency": agencies[report["agency"]]}
        out.append(record)
    return out


def evaluate(batch: Any) -> list[Any]:
    import greenrules

    return greenrules.evaluate_many(batch, tier=TIER, round=ROUND, jurisdiction=JURISDICTION)


def seconds(fn: Callable[[], Any]) -> float:
    """Wall-clock seconds of ``fn()``."""
    return timed(fn)[0]


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``fn()``: on a shared machine the second is the steadier."""
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu


# --- child processes ----------------------------------------------------------------------------


def child_dicts(n: int) -> dict[str, Any]:
    """In a fresh process: ``evaluate_many`` from ``n`` factory records, validation included."""
    records = factory_records(n)
    evaluate(records[:50])  # compile the rule set
    wall, cpu = timed(lambda: evaluate(records))
    return {"seconds": wall, "cpu": cpu, "load": os.getloadavg()[0]}


def child_phases(n: int, batches: int) -> dict[str, Any]:
    """Validation and evaluation apart, then RSS after each of ``batches`` batches of ``n``."""
    from greenrules._bulk import collector_paused
    from greenrules._evaluate import applicants

    records = factory_records(n)
    evaluate(records[:50])
    with collector_paused():
        validate = timed(lambda: applicants(records))[1]
        models = applicants(records)
    decide = timed(lambda: evaluate(models))[1]
    rss = []
    for _ in range(batches):
        evaluate(records)
        rss.append(_rss_mib())
    return {"validate": validate, "decide": decide, "rss": rss, "load": os.getloadavg()[0]}


def child_file(path: str) -> dict[str, Any]:
    """In a fresh process: ``load_entities`` then ``evaluate_many`` on one file."""
    import greenrules

    evaluate(greenrules.load_entities(EXAMPLE))  # compile every programme's rule set
    start, cpu = time.perf_counter(), time.process_time()
    entities = greenrules.load_entities(path)
    read, read_cpu = time.perf_counter() - start, time.process_time() - cpu
    decide, decide_cpu = timed(lambda: evaluate(entities))
    return {
        "rows": len(entities),
        "read": read,
        "decide": decide,
        "read_cpu": read_cpu,
        "decide_cpu": decide_cpu,
        "load": os.getloadavg()[0],
    }


def _rss_mib() -> float:
    import resource

    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _child(kind: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, f"--{kind}", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# --- files ---------------------------------------------------------------------------------------


def flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A record as one flat row: dotted column names, list fields as JSON text."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat(value, f"{name}."))
        elif isinstance(value, list):
            out[name] = json.dumps(value, ensure_ascii=False)
        else:
            out[name] = value
    return out


def write_files(n: int, folder: Path) -> dict[str, Path]:
    """The round repeated to ``n`` applicants, as JSON and as a flat XLSX."""
    import openpyxl

    doc = repeated(n)
    paths = {"JSON": folder / f"round-{n}.json", "XLSX": folder / f"round-{n}.xlsx"}
    paths["JSON"].write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    # A regular workbook, not write_only: its shared strings and <dimension> are what Excel
    # writes (write_only writes inline strings, which openpyxl reads several times slower).
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in (("applicants", doc["applicants"]), ("agencies", doc["agencies"])):
        sheet = book.create_sheet(title)
        flats = [flat(r) for r in rows]
        header = list(dict.fromkeys(k for r in flats for k in r))
        sheet.append(header)
        for r in flats:
            sheet.append([r.get(h) for h in header])
    book.save(paths["XLSX"])
    return paths


# --- sections ------------------------------------------------------------------------------------


def section_dicts(bare_rate: float | None = None) -> dict[str, float]:
    """Target 1: ``evaluate_many`` from dicts, 10k-100k, validation included; memory by batch."""
    print(
        f"\n== evaluate_many from dicts (CN-NM factories, validation included; fresh process "
        f"per run, {REPEATS} runs) =="
    )
    rates: dict[str, float] = {}
    for n in DICT_SIZES:
        runs = [_child("dicts", str(n)) for _ in range(REPEATS)]
        per_s = [n / r["seconds"] for r in runs]
        per_cpu_s = [n / r["cpu"] for r in runs]
        loads = ", ".join(f"{r['load']:.2f}" for r in runs)
        rates[str(n)] = statistics.median(per_s)
        yard = f"; {rates[str(n)] / bare_rate:.2f}x the bare predicates' rate" if bare_rate else ""
        print(
            f"{n:>8,} records: median {statistics.median(per_s):>7,.0f}/s, best "
            f"{max(per_s):>7,.0f}/s; per CPU-second median {statistics.median(per_cpu_s):>7,.0f}"
            f" (load {loads}){yard}"
        )
    flat_ratio = rates[str(DICT_SIZES[-1])] / rates[str(DICT_SIZES[0])]
    phases = _child("phases", "20000", "5")
    print(
        f"phases at 20,000 (one process, {load()}; per CPU-second): validation "
        f"{20_000 / phases['validate']:,.0f}/s, evaluation {20_000 / phases['decide']:,.0f}/s; "
        "RSS after each of 5 batches of 20,000 (MiB): "
        + " ".join(f"{s:.0f}" for s in phases["rss"])
        + f" (growth after the first: {phases['rss'][-1] - phases['rss'][0]:+.1f} MiB)"
    )
    print(
        f"target 1 (>= 50,000/s, 100k no slower than 10k): median "
        f"{rates[str(DICT_SIZES[-1])]:,.0f}/s at 100k, {rates[str(DICT_SIZES[0])]:,.0f}/s at 10k "
        f"(100k/10k = {flat_ratio:.2f}): "
        + ("met" if rates[str(DICT_SIZES[-1])] >= 50_000 and flat_ratio >= 0.95 else "NOT met")
    )
    return rates


def section_files() -> None:
    """Target 2: ``load_entities`` + ``evaluate_many`` from JSON and XLSX, 50,000 applicants."""
    print(
        f"\n== load_entities + evaluate_many, the example round repeated to {FILE_SIZE:,} "
        f"applicants (fresh process per run, {REPEATS} runs, medians) =="
    )
    with tempfile.TemporaryDirectory() as folder:
        paths = write_files(FILE_SIZE, Path(folder))
        xlsx_rate = 0.0
        for kind, path in paths.items():
            runs = [_child("file", str(path)) for _ in range(REPEATS)]
            read = statistics.median(r["read"] for r in runs)
            decide = statistics.median(r["decide"] for r in runs)
            read_cpu = statistics.median(r["read_cpu"] for r in runs)
            decide_cpu = statistics.median(r["decide_cpu"] for r in runs)
            loads = ", ".join(f"{r['load']:.2f}" for r in runs)
            print(
                f"{kind:>4}: read {read:.2f} s ({FILE_SIZE / read:,.0f} rows/s), decide "
                f"{decide:.2f} s ({FILE_SIZE / decide:,.0f}/s), whole "
                f"{FILE_SIZE / (read + decide):,.0f}/s; CPU: read {read_cpu:.2f} s "
                f"({FILE_SIZE / read_cpu:,.0f} rows/CPU-s), decide {decide_cpu:.2f} s "
                f"(load {loads})"
            )
            if kind == "XLSX":
                xlsx_rate = FILE_SIZE / read
    print(
        f"target 2 (XLSX read >= 20,000 rows/s): {xlsx_rate:,.0f} rows/s: "
        + ("met" if xlsx_rate >= 20_000 else "NOT met")
    )


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--dicts":
        print(json.dumps(child_dicts(int(argv[1]))))
    elif argv and argv[0] == "--phases":
        print(json.dumps(child_phases(int(argv[1]), int(argv[2]))))
    elif argv and argv[0] == "--file":
        print(json.dumps(child_file(argv[1])))
    else:
        section_dicts()
        section_files()


if __name__ == "__main__":
    main(sys.argv[1:])
