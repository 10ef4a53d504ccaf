"""Decisions inside Spark: the SQL plan run on a Spark DataFrame, nothing collected to the driver.

A population on a cluster is a Spark DataFrame with the canonical columns of one programme
(:func:`~greenrules._columnar.schema.frame_schema`). Its schema is checked against the models
before anything runs (metadata only: no row is read), so an unknown or mistyped column is an
:class:`~greenrules.exceptions.InvalidInputError` naming the column, not an analysis error
from deep inside Spark. The decisions are the :mod:`~greenrules._columnar.sql` plan of the
programme's rule set, run by Spark over the DataFrame: the result is another, lazy, DataFrame.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import polars as pl
from pydantic import BaseModel

from greenrules._columnar.schema import frame_schema
from greenrules._columnar.sql import quote, spark_sql
from greenrules._model.entities import ENTITY_TYPES
from greenrules._model.enums import Programme, Tier
from greenrules._rules.registry import Registry, default_registry
from greenrules._rules.ruleset import RuleSet
from greenrules.exceptions import InputProblem, InvalidInputError

_VIEW = "__greenrules_entities__"
"""The plan's table name, replaced by the DataFrame itself when Spark formats the query."""

_NUMBERS = {"ByteType", "ShortType", "IntegerType", "LongType", "FloatType", "DoubleType"}
_SPARK_TYPES: dict[Any, set[str]] = {
    pl.Boolean: {"BooleanType"},
    pl.Float64: _NUMBERS | {"DecimalType"},
    pl.Int64: _NUMBERS - {"FloatType", "DoubleType"},
    pl.String: {"StringType", "VarcharType", "CharType"},
    pl.Date: {"DateType"},
}


def _type_problems(want: Any, got: Any, loc: tuple[str, ...]) -> list[InputProblem]:
    """Where a Spark type ``got`` cannot hold the canonical polars dtype ``want``."""
    from pyspark.sql.types import ArrayType, StructType

    if isinstance(want, pl.List):
        if not (isinstance(got, ArrayType) and isinstance(got.elementType, StructType)):
            return [_wrong(loc, "an array of structs", got)]
        fields = {f.name: f.dataType for f in got.elementType.fields}
        assert isinstance(want.inner, pl.Struct)  # canonical lists are lists of structs
        return _schema_problems(dict(want.inner.to_schema()), fields, loc)
    if type(got).__name__ in _SPARK_TYPES[want if isinstance(want, type) else type(want)]:
        return []
    return [_wrong(loc, str(want), got)]


def _wrong(loc: tuple[str, ...], want: str, got: Any) -> InputProblem:
    msg = f"expected a column of {want}, found {got.simpleString()}"
    return InputProblem("wrong-type", loc, msg, got.simpleString())


def _schema_problems(
    want: Mapping[str, Any], got: Mapping[str, Any], loc: tuple[str, ...] = ()
) -> list[InputProblem]:
    """Each struct field of a list item absent from ``got`` or of a type it cannot hold."""
    problems: list[InputProblem] = []
    for name, dtype in want.items():
        here = (*loc, name)
        if name not in got:
            msg = f"the list item field {name!r} is missing"
            problems.append(InputProblem("missing-field", here, msg, None))
        else:
            problems.extend(_type_problems(dtype, got[name], here))
    return problems


def check_schema(df: Any, model: type[BaseModel]) -> None:
    """Raise InvalidInputError naming every column the models do not have or cannot read.

    A canonical column may be absent (its fact is unknown, as in a table given to the columnar
    engine); ``credit_code`` and ``name`` may not, and a ``programme`` column is allowed.
    """
    want = frame_schema(model)
    problems: list[InputProblem] = []
    for field in df.schema.fields:
        if field.name in want:
            problems.extend(_type_problems(want[field.name], field.dataType, (field.name,)))
        elif field.name != "programme":
            msg = f"{field.name!r} is not a column of a {model.__name__}"
            problems.append(InputProblem("unknown-field", (field.name,), msg, None))
    for name in ("credit_code", "name"):
        if name not in df.columns:
            problems.append(InputProblem("missing-field", (name,), "a required column", None))
    if problems:
        raise InvalidInputError(problems)


def spark_type(dtype: Any) -> str:
    """The Spark SQL type (DDL) of a canonical polars dtype, for a column that is absent."""
    if isinstance(dtype, pl.List):
        assert isinstance(dtype.inner, pl.Struct)  # canonical lists are lists of structs
        items = dtype.inner.to_schema().items()
        fields = ", ".join(f"{quote(n)}: {spark_type(t)}" for n, t in items)
        return f"array<struct<{fields}>>"
    base = dtype if isinstance(dtype, type) else type(dtype)
    names: dict[Any, str] = {
        pl.Boolean: "boolean",
        pl.Float64: "double",
        pl.Int64: "bigint",
        pl.Date: "date",
    }
    return names.get(base, "string")


def decide(df: Any, ruleset: RuleSet) -> Any:
    """The rule set's SQL plan over ``df`` (already checked), as a lazy Spark DataFrame.

    Absent canonical columns are added as typed nulls (unknown facts). Rows of another
    programme (by a ``programme`` column, where the DataFrame has one) make the first action
    that reaches them fail with a message naming the programme: never decided under the wrong
    rules.
    """
    from pyspark.sql import functions as F

    model = ENTITY_TYPES[ruleset.programme]
    absent = {n: t for n, t in frame_schema(model).items() if n not in df.columns}
    if absent:
        df = df.withColumns({n: F.lit(None).cast(spark_type(t)) for n, t in absent.items()})
    if "programme" in df.columns:
        wanted = ruleset.programme.value
        msg = F.concat(
            F.lit(f"greenrules.evaluate_spark: a row of programme {wanted!r} was expected, found "),
            F.coalesce(F.col("programme").cast("string"), F.lit("none")),
        )
        df = df.where(F.when(F.col("programme") == wanted, True).otherwise(F.raise_error(msg)))
    sql = spark_sql(ruleset, model, _VIEW)
    # Spark formats the query with str.format: our braces are text, the table is the DataFrame.
    query = sql.replace("{", "{{").replace("}", "}}").replace(quote(_VIEW), "{entities}")
    return df.sparkSession.sql(query, entities=df)


def evaluate_spark_frame(
    df: Any,
    *,
    tier: Tier,
    round_: int,
    jurisdiction: str,
    as_of: dt.date | None,
    registry: Registry | None,
    programme: Programme,
) -> Any:
    """Check ``df``'s schema, pick the rule set, and return the lazy DataFrame of decisions."""
    from pyspark.sql import DataFrame

    if not isinstance(df, DataFrame):
        msg = f"expected a Spark DataFrame, got {type(df).__name__}"
        raise InvalidInputError([InputProblem("bad-argument", ("df",), msg, type(df).__name__)])
    check_schema(df, ENTITY_TYPES[programme])
    ruleset = (registry or default_registry()).ruleset(
        jurisdiction=jurisdiction, round=round_, tier=tier, programme=programme, as_of=as_of
    )
    return decide(df, ruleset)
