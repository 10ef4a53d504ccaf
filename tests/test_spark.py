"""evaluate_spark on a local Spark session: Spark's decisions are the native engine's.

``make test-spark`` runs this file in a venv of its own with ``greenrules[spark]``; in the
main venv (no PySpark) only the tests that need no Spark run, and the others skip saying why,
as they do where Java is missing. The Spark session is local (two cores, two shuffle
partitions, no UI, bound to 127.0.0.1). The Python blocks of ``docs/how-to/run-on-spark.md``
run here too, in page order, on the same session.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import greenrules as gr
from greenrules._columnar.schema import models_to_frame
from greenrules._model.entities import ENTITY_TYPES
from greenrules._rules.ruleset import RuleSet
from greenrules.exceptions import EngineUnavailableError, InvalidInputError
from greenrules.testing import applicants
from test_columnar import _break

ROOT = Path(__file__).parents[1]
CONTEXTS = [
    (jurisdiction, 2025, tier, programme)
    for jurisdiction in ("CN-NM", "CN")
    for tier in ("province", "national")
    for programme in ("factory", "park", "supply_chain")
    if not (jurisdiction == "CN" and tier == "province")
    and (tier, programme) != ("national", "supply_chain")  # MIIT takes none nationally in 2025
] + [("CN", 2024, "national", "supply_chain")]


def _why_no_spark() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed: `make test-spark` runs this with greenrules[spark]"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java on PATH or JAVA_HOME: Spark needs Java 17 or 21"
    return None


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    why = _why_no_spark()
    if why:
        pytest.skip(why)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("greenrules-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _population(rs: RuleSet, programme: str, examples: int) -> list[gr.Applicant]:
    """The columnar differential tests' populations, many examples gathered into one table.

    One Spark job per table instead of one per example; entities are kept once per credit code,
    so that Spark's rows are matched to the native decisions by ``entity_id``.
    """
    drawn: list[gr.Applicant] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.lists(applicants(programmes=[programme], aim=rs), max_size=8))
    def draw(entities: list[gr.Applicant]) -> None:
        drawn.extend(entities)

    draw()
    return list({e.credit_code: e for e in drawn}.values())


def _to_spark(spark: Any, entities: list[gr.Applicant], programme: str, path: Path) -> Any:
    models_to_frame(entities, ENTITY_TYPES[gr.Programme(programme)]).write_parquet(path)
    return spark.read.parquet(str(path))


def _differences(rows: list[Any], native: list[gr.Decision]) -> list[str]:
    """Where Spark's rows differ from the native decisions (empty when they agree)."""
    by_id = {r["entity_id"]: r.asDict() for r in rows}
    out = [] if len(by_id) == len(native) else [f"{len(by_id)} rows for {len(native)} entities"]
    for want in native:
        row = by_id.get(want.entity_id)
        if row is None:
            out.append(f"{want.entity_id}: no row")
            continue
        got = (row["status"], row["review_required"], [row[i] for i in want.rule_ids])
        levels = sorted((k for k in row if k.startswith("priority.")), key=lambda k: int(k[9:]))
        expected = (want.status.value, want.review_required, [v.value for v in want.verdicts])
        if got != expected or tuple(row[k] for k in levels) != want.priority.score:
            out.append(f"{want.entity_id}: {got} != {expected}\n{want.explain()}")
    return out


@pytest.mark.parametrize(("jurisdiction", "round_", "tier", "programme"), CONTEXTS)
def test_spark_equals_native_on_generated_populations(
    spark: Any, tmp_path: Path, jurisdiction: str, round_: int, tier: str, programme: str
) -> None:
    """On populations aimed at every threshold (missing facts, waivers), Spark agrees."""
    rs = gr.default_registry().ruleset(
        jurisdiction=jurisdiction, round=round_, tier=tier, programme=programme
    )
    entities = _population(rs, programme, examples=40)
    df = _to_spark(spark, entities, programme, tmp_path / "entities.parquet")
    out = gr.evaluate_spark(
        df, tier=tier, round=round_, jurisdiction=jurisdiction, programme=programme
    )
    native = gr.evaluate_many(entities, tier=tier, round=round_, jurisdiction=jurisdiction)
    assert len(native) >= 20, "the population is too small to say anything"
    assert not _differences(out.collect(), native)


def test_a_broken_copy_of_one_rule_is_caught(spark: Any, tmp_path: Path) -> None:
    """The same comparison finds one rule's threshold made strict, run inside Spark."""
    from greenrules._columnar.spark import decide

    rs = gr.default_registry().ruleset(
        jurisdiction="CN-NM", round=2025, tier="province", programme="factory"
    )
    entities = _population(rs, "factory", examples=200)
    df = _to_spark(spark, entities, "factory", tmp_path / "entities.parquet")
    native = gr.evaluate_many(entities, tier="province", round=2025, jurisdiction="CN-NM")
    assert not _differences(decide(df, rs).collect(), native)
    assert _differences(decide(df, _break(rs)).collect(), native), "the broken rule was missed"


def test_absent_fact_columns_are_unknown_and_extra_columns_are_refused(
    spark: Any, tmp_path: Path
) -> None:
    """An absent fact column is an unknown fact; unknown and mistyped columns are located."""
    from conftest import factory

    entities = [factory(1), factory(2, water={"key_water_user": True})]
    df = _to_spark(spark, entities, "factory", tmp_path / "entities.parquet")
    partial = df.drop("water.key_water_user", "energy")
    out = gr.evaluate_spark(partial, tier="province", round=2025, jurisdiction="CN-NM")
    stripped = [
        e.model_copy(update={"water": e.water.model_copy(update={"key_water_user": None})})
        for e in entities
    ]
    stripped = [e.model_copy(update={"energy": None}) for e in stripped]
    native = gr.evaluate_many(stripped, tier="province", round=2025, jurisdiction="CN-NM")
    assert not _differences(out.collect(), native)

    bad = df.withColumn("city", df["submitted_on"]).withColumnRenamed("submitted_on", "submitted")
    with pytest.raises(InvalidInputError) as info:
        gr.evaluate_spark(bad.drop("name"), tier="province", round=2025, jurisdiction="CN-NM")
    found = {(p.code, p.loc) for p in info.value.problems}
    assert found == {
        ("unknown-field", ("submitted",)),
        ("wrong-type", ("city",)),
        ("missing-field", ("name",)),
    }


def test_a_row_of_another_programme_fails_the_job(spark: Any, tmp_path: Path) -> None:
    """With a programme column, a park among factories is never decided as a factory."""
    from pyspark.sql import functions as F

    from conftest import factory

    df = _to_spark(spark, [factory(1)], "factory", tmp_path / "entities.parquet")
    good = gr.evaluate_spark(
        df.withColumn("programme", F.lit("factory")),
        tier="province",
        round=2025,
        jurisdiction="CN-NM",
    )
    assert good.count() == 1
    parks = gr.evaluate_spark(
        df.withColumn("programme", F.lit("park")), tier="province", round=2025, jurisdiction="CN-NM"
    )
    with pytest.raises(Exception, match="programme 'factory' was expected, found park"):
        parks.collect()


def test_bad_arguments_are_input_problems(spark: Any) -> None:
    """Not a DataFrame, an unknown programme: InvalidInputError naming the argument."""
    with pytest.raises(InvalidInputError, match="df"):
        gr.evaluate_spark([], tier="province", round=2025, jurisdiction="CN-NM")
    df = spark.createDataFrame([("x", "y")], "credit_code string, name string")
    with pytest.raises(InvalidInputError, match="programme"):
        gr.evaluate_spark(df, tier="province", round=2025, jurisdiction="CN-NM", programme="farm")


def test_without_pyspark_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where PySpark is absent, EngineUnavailableError says which extra to install."""
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real(name, *a)
    )
    with pytest.raises(EngineUnavailableError, match=re.escape("greenrules[spark]")):
        gr.evaluate_spark(object(), tier="province", round=2025, jurisdiction="CN-NM")


def test_import_greenrules_does_not_import_pyspark() -> None:
    """PySpark stays behind the door: importing the library never loads it."""
    code = "import sys, greenrules; print('pyspark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def test_the_spark_page_runs_in_order(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/how-to/run-on-spark.md's Python blocks run as written, in order, in one namespace."""
    page = ROOT / "docs" / "how-to" / "run-on-spark.md"
    blocks = BLOCK.findall(page.read_text(encoding="utf-8"))
    assert blocks, "the page has no example"
    monkeypatch.chdir(tmp_path)  # the page writes its Parquet dataset in the working folder
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(page), "exec"), namespace)  # our own docs
