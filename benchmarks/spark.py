"""Spark local against the columnar engine: the same factories, the same Parquet file.

``make bench-spark`` runs this in the Spark venv (``python benchmarks/spark.py [rows]``, 100,000
by default). The file is ``benchmarks/columnar.py``'s population (the full Inner Mongolia 2025
province factory rules, facts aimed at the thresholds, every row its own credit code), written
by pyarrow. Printed: the time to start a local Spark session (two cores, UI off), the first
``evaluate_spark`` job on the file (plan compiled, JVM cold), then the best of three warm runs
of each engine over the whole file: Spark writing every decision to its ``noop`` sink (all
columns computed, nothing collected), the columnar engine's ``evaluate_table`` (which also
checks every cell; missing facts not rendered). Both engines' status counts are compared first.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from columnar import JURISDICTION, ROUND, TIER, write_population  # noqa: E402

import greenrules as gr  # noqa: E402


def best(fn: Callable[[], Any], repeat: int = 3) -> float:
    """The best wall time of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(rows: int) -> None:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    import pyspark
    from pyspark.sql import SparkSession

    args = {"tier": TIER, "round": ROUND, "jurisdiction": JURISDICTION}
    with tempfile.TemporaryDirectory() as folder:
        path = write_population(rows, Path(folder))
        start = time.perf_counter()
        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        session = time.perf_counter() - start

        def on_spark() -> None:
            out = gr.evaluate_spark(spark.read.parquet(str(path)), **args)
            out.write.format("noop").mode("overwrite").save()

        first = best(on_spark, repeat=1)
        table = gr.evaluate_table(path, **args)
        spark_counts = dict(
            gr.evaluate_spark(spark.read.parquet(str(path)), **args)
            .groupBy("status")
            .count()
            .collect()
        )
        columnar_counts = Counter(table.outcomes.get_column("status").cast(str).to_list())
        if spark_counts != dict(columnar_counts):
            raise SystemExit(f"the engines disagree: {spark_counts} != {dict(columnar_counts)}")
        spark_s = best(on_spark)
        columnar_s = best(lambda: gr.evaluate_table(path, **args))
        spark.stop()
    print(
        f"Spark local[2] (PySpark {pyspark.__version__}) against the columnar engine, {rows:,} "
        f"factories from Parquet ({TIER} {JURISDICTION} {ROUND}); statuses equal: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(spark_counts.items()))
    )
    print(f"  Spark session start: {session:.1f} s; first job (cold JVM): {first:.1f} s")
    print(f"  Spark local, warm:   {spark_s:.2f} s, {rows / spark_s:>11,.0f} decisions/s")
    print(f"  columnar, warm:      {columnar_s:.2f} s, {rows / columnar_s:>11,.0f} decisions/s")
    print(f"  Spark's overhead:    {spark_s / columnar_s:.1f}x the columnar engine's time")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
