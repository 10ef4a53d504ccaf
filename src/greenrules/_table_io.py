"""Tables in and out of the columnar engine: read, check, evaluate, and the result table.

A table is checked column by column with vectorised expressions that find every row the entity
models would reject (or might: a number written ``1_000``). Only those rows then go through the
row-wise loader, so the problems raised carry exactly the codes and locations
:func:`~greenrules.load_entities` gives (``line N`` for CSV and XLSX files, the row index for
frames and Parquet), and a row the models accept after all is taken as they read it. List fields
given as JSON text are validated once per distinct text, which is fast on real tables where the
same memberships recur. No polars or pyarrow exception leaves this module.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import json
import operator
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import annotated_types as at
import polars as pl
import pydantic
import pydantic.fields
from pydantic.types import Strict

from . import _loaders as ld
from ._columnar import program_for
from ._credit_code import ALPHABET, WEIGHTS
from ._decision import Decision
from ._entities import ENTITY_TYPES, Applicant
from ._enums import Programme, Tier, Verdict
from ._evaluate import compiled
from ._facts import Kind, fact_schema
from ._polars_backend import (
    PolarsProgram,
    add_predicates,
    field_types,
    frame_schema,
    models_to_frame,
    points_column,
    run_row_wise,
)
from ._registry import Registry, default_registry
from ._values import _check_credit_code, _check_division_code
from .exceptions import InputProblem, InvalidInputError

_ROW = "__row__"
CHUNK = 1 << 18
"""Rows evaluated per step: bounds the working memory and paces the progress bar."""
_TRUE, _FALSE = sorted(ld._TRUE), sorted(ld._FALSE)


# --- reading ---------------------------------------------------------------------------------


class Source:
    """A table read from somewhere, its cells still as given, with how rows are located."""

    def __init__(
        self,
        frame: pl.DataFrame,
        name: str | None,
        text: str | None,
        records: Sequence[Mapping[str, Any]] | None = None,
        offset: int = 0,
    ) -> None:
        self.frame = frame.rename({col: col.strip() for col in frame.columns})
        self.name = name
        self.text = text  # the CSV text, whose rows are located by file line
        self.records = records  # the records a frame was built from: rows as given
        self.offset = offset  # the index of the first row in the whole table (batches)
        self._lines: list[int] | None = None

    def row(self, index: int) -> dict[str, Any]:
        """Row ``index`` as given (a record as it is, tuples as lists), for the models."""
        if self.records is None:
            return self.frame.row(index, named=True)
        return {k: _as_given(v) for k, v in self.records[index].items()}

    def loc(self, row: int) -> str | int:
        """The location prefix of a row, as the loaders write it (only read on problems)."""
        if self.text is None:
            return row + self.offset
        if self._lines is None:
            lines = [line for line, _ in ld._csv_rows(self.text)]
            self._lines = lines if len(lines) == self.frame.height else []
        return f"line {self._lines[row] if self._lines else row + 2}"


def _problem(code: str, msg: str, given: Any = None) -> InvalidInputError:
    return InvalidInputError([InputProblem(code, ("source",), msg, given)])


def read_source(source: Any) -> Source | list[Applicant]:
    """The raw table of ``source``, or validated entities for formats read row by row."""
    if isinstance(source, Source):
        return source
    if isinstance(source, pl.DataFrame):
        return Source(source, None, None)
    if (
        isinstance(source, Sequence)
        and not isinstance(source, str | bytes)
        and all(issubclass(kind, Mapping) for kind in set(map(type, source)))
    ):
        return records_source(source)
    module = type(source).__module__
    try:
        if module.startswith("pandas"):
            return Source(pl.from_pandas(source), None, None)
        if module.startswith("pyarrow"):
            frame = pl.from_arrow(source)
            assert isinstance(frame, pl.DataFrame)
            return Source(frame, None, None)
    except Exception as exc:  # conversion failures of third-party frames
        raise _problem("bad-table", f"cannot read the table: {type(exc).__name__}") from None
    if not isinstance(source, str | Path):
        msg = "expected a DataFrame, a pyarrow Table or a path to a CSV, XLSX or Parquet file"
        raise InvalidInputError(
            [InputProblem("bad-argument", ("source",), msg, type(source).__name__)]
        )
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix in (".json", ".xlsx"):
        return ld.load_entities(path)  # small, human-made files: the loader reads them exactly
    if suffix not in (".csv", ".parquet"):
        raise _problem("bad-format", "expected a .csv, .xlsx, .json or .parquet file", str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _problem("unreadable", f"cannot read the file: {exc.strerror}", str(path)) from None
    if suffix == ".parquet":
        try:
            return Source(pl.read_parquet(io.BytesIO(data)), str(path), None)
        except Exception as exc:  # polars raises several types for a corrupt file
            msg = f"not a readable Parquet file: {type(exc).__name__}"
            raise InvalidInputError(
                [InputProblem("bad-parquet", (), msg)], source=str(path)
            ) from None
    text = ld.decode(data)
    try:
        frame = pl.read_csv(text.encode(), infer_schema=False)
    except Exception as exc:  # malformed quoting and the like
        msg = f"not a readable CSV file: {type(exc).__name__}"
        raise InvalidInputError([InputProblem("bad-csv", (), msg)], source=str(path)) from None
    return Source(frame, str(path), text)


# --- records ---------------------------------------------------------------------------------


def _as_given(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_as_given(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _as_given(v) for k, v in value.items()}
    return value


@functools.cache
def _record_schema() -> dict[str, Any]:
    """Every column any entity model has, with its canonical dtype (equal across models)."""
    out: dict[str, Any] = {}
    for model in ENTITY_TYPES.values():
        out.update(frame_schema(model))
    return out


def _python_types(dtype: Any) -> tuple[type, ...]:
    """The Python types a typed column takes exactly as the strict models do (bool is no int)."""
    if dtype == pl.Boolean:
        return (bool,)
    if dtype == pl.Float64:
        return (float, int)
    if dtype == pl.Int64:
        return (int,)
    if dtype == pl.Date:
        return (dt.date,)
    return (str,)


def _fits(value: Any, dtype: Any) -> bool:
    """Whether one value goes into a column of ``dtype`` as the models would read it."""
    if value is None:
        return True
    if isinstance(dtype, pl.List):
        if not isinstance(value, list | tuple):
            return False
        fields = _fields(dtype)
        return all(
            type(item) is dict
            and item.keys() <= fields.keys()
            and all(_fits(v, fields[k]) for k, v in item.items())
            for item in value
        )
    allowed = _python_types(dtype)
    kind = type(value)
    return kind in allowed or (dtype == pl.String and issubclass(kind, str))


def _column_fits(values: list[Any], dtype: Any) -> bool:
    """Whether every value fits, judged on the set of types (and list items) in bulk."""
    kinds = set(map(type, values)) - {type(None)}
    if not isinstance(dtype, pl.List):
        allowed = _python_types(dtype)
        return all(k in allowed or (dtype == pl.String and issubclass(k, str)) for k in kinds)
    if not kinds <= {list, tuple}:
        return False
    items = [item for value in values if value for item in value]
    if set(map(type, items)) - {dict}:
        return False
    fields = _fields(dtype)
    if set().union(*items) - fields.keys():
        return False
    return all(
        _column_fits(list(map(dict.get, items, itertools.repeat(name))), field)
        for name, field in fields.items()
    )


def records_source(records: Sequence[Mapping[str, Any]]) -> Source:
    """The table of in-memory records (mappings keyed by column name), typed without inference.

    Each column is built by pyarrow with the canonical type of its field, after a check in bulk
    (the set of Python types in the column) that the strict models would read every value as
    it is: pyarrow alone would turn ``3.5`` into ``3`` or ``True`` into ``1.0``. Values that do
    not fit (and unknown keys) become a null or a flag, and their rows go to the models, which
    then read the record as given. Dates written as text are read as a table's text cells.
    """
    import pyarrow as pa  # type: ignore[import-untyped]

    schema = _record_schema()
    given = _record_columns(records)
    columns: dict[str, pl.Series] = {}
    for key in sorted(given, key=lambda k: (k not in schema, k)):
        values = given[key]
        dtype = schema.get(key, pl.String if key == "programme" else None)
        if dtype is None:  # unknown field: the checker flags rows that give it
            columns[key] = pl.Series(key, [_given(v) for v in values], dtype=pl.Boolean)
            continue
        if dtype in (pl.Boolean, pl.String):  # polars refuses here what the models refuse
            try:
                columns[key] = pl.Series(key, values, dtype=dtype, strict=True)
                continue
            except TypeError:
                pass
        if dtype == pl.Date and _column_fits(values, pl.String):
            dtype = pl.String  # ISO text: read as the CSV loader reads it
        if not _column_fits(values, dtype):
            fit = [_fits(v, dtype) for v in values]
            values = [v if ok else None for v, ok in zip(values, fit, strict=True)]
            unfit = [None if ok else True for ok in fit]  # flagged as an unknown column is
            columns[f"__unfit__.{key}"] = pl.Series(f"__unfit__.{key}", unfit, pl.Boolean)
        try:
            if isinstance(dtype, pl.List) or dtype == pl.Date:
                arrow = pl.Series(key, [], dtype=dtype).to_arrow().type
                columns[key] = pl.Series(key, pa.array(values, type=arrow))
            else:
                columns[key] = pl.Series(key, values, dtype=dtype, strict=True)
        except (OverflowError, TypeError, pa.ArrowException, pl.exceptions.PolarsError):
            # e.g. an integer beyond 64 bits: the models judge every row that gives the field
            unfit = [_given(v) for v in values]
            columns[f"__unfit__.{key}"] = pl.Series(f"__unfit__.{key}", unfit, pl.Boolean)
            columns[key] = pl.Series(key, [None] * len(values), dtype=dtype)
    height = pl.Series("__height__", [None] * len(records), dtype=pl.Null)
    frame = pl.DataFrame(list(columns.values()) or [height])
    return Source(frame, None, None, records)


def _record_columns(records: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """The records as columns, read key by key in C when every record has the same keys."""
    if not records:
        return {}
    first = list(records[0])
    if set(map(len, records)) == {len(first)}:
        try:  # as many keys as the first record and all of its keys: the same keys
            return {key: list(map(operator.itemgetter(key), records)) for key in first}
        except KeyError:
            pass
    keys: set[str] = set().union(*records)
    return {key: list(map(_getter(key), records)) for key in keys}


def _getter(key: str) -> Callable[[Mapping[str, Any]], Any]:
    def get(record: Mapping[str, Any]) -> Any:
        return record.get(key)

    return get


def _given(value: Any) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return True


# --- checking, column by column ---------------------------------------------------------------


def _maybe_given(col: pl.Expr, dtype: Any) -> pl.Expr:
    """True where a cell may be given: not null, not empty (a blank cell counts as given, so
    this errs towards sending a row to the models; no string is stripped)."""
    return col.is_not_null() & (col != "") if dtype == pl.String else col.is_not_null()


def _is_empty(col: pl.Expr, dtype: Any) -> pl.Expr:
    if dtype == pl.String:
        return col.is_null() | (col.str.strip_chars() == "")
    return col.is_null()


_CODE_VALUE = pl.Series(
    "value", [ALPHABET.find(chr(b)) if chr(b) in ALPHABET else 31 for b in range(256)], pl.Int16
)
"""Each byte's value in the credit-code alphabet; 31 for any byte outside it."""
_WS = r"[\s\x1c-\x1f]"
_EDGE_WS = f"^{_WS}|{_WS}$"
"""A text cell the models would strip (Python's ``str.strip`` also strips U+001C to U+001F)."""


def with_credit_code_check(frame: pl.LazyFrame, code: pl.Expr, name: str) -> pl.LazyFrame:
    """Add a column ``name``: True where ``code`` (already stripped) is not a valid credit code.

    GB 32100-2015: the code's 18 bytes are read as a fixed-width array (no string is sliced),
    each byte is mapped to its value in the 31-character alphabet by a gather, and the weighted
    sum mod 31 is compared with the check character's value; about 50 ms per million codes on
    two cores. The array is a column of its own first: inside one expression polars would
    recompute it for each of the 18 characters. Null where the code is null.
    """
    assert len(ALPHABET) == 31
    chars = f"{name}.chars"
    fits = code.str.len_bytes() == 18
    text = pl.when(fits).then(code).otherwise(pl.lit("0" * 18))  # no nulls: gathers stay fast
    array = text.cast(pl.Binary).bin.reinterpret(dtype=pl.Array(pl.UInt8, 18))
    values = [pl.lit(_CODE_VALUE).gather(pl.col(chars).arr.get(k)) for k in range(18)]
    total = pl.sum_horizontal([v * w for v, w in zip(values[:17], WEIGHTS, strict=True)])
    good = (pl.max_horizontal(values) < 31) & ((31 - total % 31) % 31 == values[17])
    bad = fits.not_() | good.not_()
    return (
        frame.with_columns(array.alias(chars))
        .with_columns(pl.when(code.is_not_null()).then(bad).alias(name))
        .drop(chars)
    )


def credit_codes_bad(codes: pl.Series) -> pl.Series:
    """True where a given code is not a valid credit code (GB 32100-2015), vectorised.

    Codes are stripped first, as the models strip them; a null code is not bad (it is missing).
    """
    frame = pl.LazyFrame({"code": codes.cast(pl.String).str.strip_chars()})
    checked = with_credit_code_check(frame, pl.col("code"), "bad").collect()
    return checked.get_column("bad").fill_null(False)


@functools.cache
def _constraints(model: type[pydantic.BaseModel], name: str) -> list[Any]:
    """The field's constraints, including those inside ``Annotated`` within ``Optional``."""
    found = list(model.model_fields[name].metadata)
    todo = [typing.get_type_hints(model, include_extras=True)[name]]
    while todo:
        tp = todo.pop()
        if typing.get_origin(tp) is typing.Annotated:
            found += list(tp.__metadata__)
            todo.append(typing.get_args(tp)[0])
        elif typing.get_origin(tp) in (typing.Union, types.UnionType):
            todo += list(typing.get_args(tp))
    return found


def _value_bad(
    value: pl.Expr, model: type[pydantic.BaseModel], name: str, code_bad: pl.Expr | None = None
) -> list[pl.Expr]:
    """Where a present, typed value breaks a constraint of the field (range, length, code)."""
    out: list[pl.Expr] = []
    for meta in _constraints(model, name):
        if isinstance(meta, at.Ge):
            out.append(value < meta.ge)
        elif isinstance(meta, at.Le):
            out.append(value > meta.le)
        elif isinstance(meta, at.Gt):
            out.append(value <= meta.gt)
        elif isinstance(meta, at.Lt):
            out.append(value >= meta.lt)
        elif isinstance(meta, at.MinLen):
            out.append(value.str.len_chars() < meta.min_length)
        elif getattr(meta, "func", None) is _check_credit_code:
            if code_bad is not None:  # checked beforehand (items: see _item_codes_bad)
                out.append(code_bad)
        elif getattr(meta, "func", None) is _check_division_code:
            out.append(value.str.contains("^[0-9]{6}$").not_())
        elif isinstance(meta, Strict | pydantic.BeforeValidator | pydantic.fields.FieldInfo):
            continue
        else:  # a constraint this checker does not know: let the models judge every row
            out.append(pl.lit(True))
    return out


def _scalar(
    raw: pl.Expr,
    dtype: Any,
    want: Any,
    kind: Kind,
    choices: tuple[str, ...] | None,
    empty: bool = True,
) -> tuple[pl.Expr, pl.Expr]:
    """The canonical value of a scalar cell and whether the vectorised reading failed.

    ``empty``: whether a text column may hold empty texts (read as missing); without them the
    column is taken as it is.
    """
    given = raw.is_not_null()
    value: pl.Expr
    if dtype == pl.String and kind is Kind.TEXT:
        # No string is copied: a cell the models would strip is sent to them instead.
        given = given & (raw != "")
        value = pl.when(given).then(raw) if empty else raw
        failed = raw.str.contains(_EDGE_WS)
        if choices is not None:
            failed = failed | (given & value.is_in(list(choices)).not_())
        return value, failed.fill_null(False)
    if dtype == pl.String:
        text = raw.str.strip_chars()
        given = text.is_not_null() & (text != "")
        if kind is Kind.BOOL:
            low = text.str.to_lowercase()
            value = (
                pl.when(low.is_in(_TRUE)).then(True).when(low.is_in(_FALSE)).then(False)
            ).otherwise(None)
        elif kind is Kind.NUMBER:
            value = text.str.replace_all(",", "", literal=True).cast(want, strict=False)
        elif kind is Kind.DATE:
            iso = text.str.contains(r"^\d{4}-\d{2}-\d{2}$")
            value = pl.when(iso).then(text.str.to_date("%Y-%m-%d", strict=False)).otherwise(None)
        else:
            value = text
    elif kind is Kind.NUMBER and dtype.is_numeric() and want == pl.Float64:
        value = raw.cast(pl.Float64)
    elif kind is Kind.NUMBER and dtype.is_integer() and want == pl.Int64:
        value = raw.cast(pl.Int64)
    elif kind is Kind.TEXT and dtype.is_integer():
        value = raw.cast(pl.String)
    elif kind is Kind.DATE and isinstance(dtype, pl.Datetime):
        value = raw.dt.date()
    elif dtype == want:
        value = raw.str.strip_chars() if kind is Kind.TEXT else raw
    else:  # a column of another type: the models say what is wrong with each given cell
        return pl.lit(None, dtype=want), given
    value = pl.when(given).then(value).otherwise(None)
    failed = given & value.is_null()
    if kind is Kind.NUMBER and want == pl.Float64:
        failed = failed | value.is_nan() | value.is_infinite()
    if choices is not None:
        failed = failed | value.is_in(list(choices)).not_()
    if kind is Kind.TEXT:
        value = pl.when(value != "").then(value).otherwise(None)
    return value, failed.fill_null(False)


def _item_checks(
    items: pl.Expr, item: type[pydantic.BaseModel], fields: Mapping[str, Any]
) -> tuple[pl.Expr, pl.Expr]:
    """Canonical items of a native list-of-struct column and whether any item is bad."""
    schema = frame_schema(item)
    specs = fact_schema(item)
    parts: list[pl.Expr] = []
    bad: list[pl.Expr] = []
    for extra in set(fields) - set(schema):
        bad.append(pl.element().struct.field(extra).is_not_null())
    for name, want in schema.items():
        spec = specs[name]
        info = item.model_fields[name]
        if name not in fields:
            raw: pl.Expr = pl.lit(None, dtype=want)
            dtype = want
        else:
            raw, dtype = pl.element().struct.field(name), fields[name]
        if spec.kind is Kind.LIST:
            assert spec.item is not None
            inner = _fields(dtype) if _is_struct_list(dtype) else None
            if inner is None:
                parts.append(pl.lit(None, dtype=want).alias(name))
                bad.append(raw.is_not_null())
                continue
            value, nested_bad = _item_checks(raw, spec.item, inner)
            parts.append(value.alias(name))
            bad.append(nested_bad)
            continue
        value, failed = _scalar(raw, dtype, want, spec.kind, spec.choices)
        bad.append(failed)
        if info.is_required():
            bad.append(value.is_null())
        elif info.default is not None:
            value = value.fill_null(info.default)
        bad += [b.fill_null(False) for b in _value_bad(value, item, name)]
        parts.append(value.alias(name))
    canonical = items.list.eval(pl.struct(parts))
    flagged = items.list.eval(pl.any_horizontal(bad) if bad else pl.lit(False)).list.any()
    return canonical, flagged.fill_null(False)


def _checks_credit_code(model: type[pydantic.BaseModel], name: str) -> bool:
    return any(getattr(m, "func", None) is _check_credit_code for m in _constraints(model, name))


def _item_codes_bad(raw: pl.DataFrame, path: str, item: Any) -> set[int]:
    """Rows of which some list item carries an invalid credit code."""
    out: set[int] = set()
    for name in item.model_fields:
        if not _checks_credit_code(item, name):
            continue
        flat = raw.select(_ROW, pl.col(path)).explode(path).drop_nulls(path)
        struct: Any = flat.schema[path]
        if name not in [f.name for f in struct.fields]:
            continue
        codes = flat.select(pl.col(path).struct.field(name)).to_series()
        rows = flat.get_column(_ROW).filter(credit_codes_bad(codes))
        out.update(rows.to_list())
    return out


def _exact_list_bad(
    flat: pl.DataFrame, path: str, item: type[pydantic.BaseModel], dtype: Any
) -> set[int] | None:
    """Rows with an item the models would reject or read differently, for a list column
    already of the canonical type (``None`` when it is not, or when a default must be filled).

    The items are checked as one flat table (the list exploded), so nothing is rebuilt: the
    column is taken as it is. An item text the models would strip, an empty item text, a null
    item, a bad choice, range or code: the row is sent to the models. Only when some item is
    bad is the table exploded again with each item's row. Lists inside items (a park's
    enterprises' memberships) are checked the same way, one level down, carrying the row.
    """
    schema = frame_schema(item)
    if dtype != pl.List(pl.Struct(schema)):
        return None
    nested = [n for n in schema if fact_schema(item)[n].kind is Kind.LIST]
    if not nested:
        items = flat.select(pl.col(path).explode(keep_nulls=False))
        found = _item_flags(items, path, item)
        if found is None or not found.get_column("bad").any():
            return None if found is None else set()
    items = flat.select(_ROW, path).explode(path, keep_nulls=False)
    found = _item_flags(items, path, item)
    if found is None:
        return None
    out = set(found.filter(pl.col("bad")).get_column(_ROW).unique().to_list())
    fields = items.select(_ROW, pl.col(path).struct.unnest())
    for name in nested:
        inner = fact_schema(item)[name].item
        assert inner is not None
        deeper = _exact_list_bad(fields.select(_ROW, name), name, inner, schema[name])
        if deeper is None:
            return None
        out |= deeper
    return out


def _item_flags(
    items: pl.DataFrame, path: str, item: type[pydantic.BaseModel]
) -> pl.DataFrame | None:
    """Per item of an exploded list column: ``bad`` (and ``__row__`` when ``items`` has it)."""
    schema = frame_schema(item)
    specs = fact_schema(item)
    row = [pl.col(_ROW)] if _ROW in items.columns else []
    null_item = pl.col(path).is_null().alias("__null_item__")
    fields = items.select(*row, null_item, pl.col(path).struct.unnest())
    bad: list[pl.Expr] = [pl.col("__null_item__")]
    checked = fields.lazy()
    for name, want in schema.items():
        spec, info, col = specs[name], item.model_fields[name], pl.col(name)
        if spec.kind is Kind.LIST:
            continue
        if info.default is not None and fields.get_column(name).null_count():
            return None  # the models fill a default: the column must be rebuilt
        if info.is_required():
            bad.append(col.is_null())
        if spec.kind is Kind.TEXT:
            bad.append(col.str.contains(_EDGE_WS) | (col == ""))
            if spec.choices is not None:
                bad.append(col.is_in(list(spec.choices)).not_())
        elif want == pl.Float64:
            bad.append(col.is_finite().not_())
        code_bad = None
        if _checks_credit_code(item, name):
            code_bad = pl.col(f"__code_bad__.{name}")
            checked = with_credit_code_check(checked, col, f"__code_bad__.{name}")
        bad += _value_bad(col, item, name, code_bad)
    flag = pl.any_horizontal([b.fill_null(False) for b in bad]).alias("bad")
    return checked.select(*row, flag).collect()


def _bad_code_rows(raw: pl.DataFrame, code: pl.Expr) -> set[int]:
    """Rows whose given credit code is not valid, checking each distinct code once.

    Codes repeat (the few evaluation agencies of a whole population): when fewer than half of
    the given codes are distinct, only the distinct ones are checked and the bad ones found
    back by membership; otherwise every code is checked.
    """
    given = raw.lazy().select(_ROW, code.alias("code")).drop_nulls("code").collect()
    codes = given.get_column("code")
    distinct = codes.unique()
    if 2 * len(distinct) < len(codes):
        checked = pl.LazyFrame({"code": distinct})
        found = with_credit_code_check(checked, pl.col("code"), "bad").filter(pl.col("bad"))
        bad = found.collect().get_column("code")
        if bad.is_empty():
            return set()
        rows = given.filter(pl.col("code").is_in(bad.implode())).get_column(_ROW)
        return set(rows.to_list())
    flagged = with_credit_code_check(given.lazy(), pl.col("code"), "bad").filter(pl.col("bad"))
    return set(flagged.select(_ROW).collect().get_column(_ROW).to_list())


def _fields(dtype: Any) -> dict[str, Any]:
    return {field.name: field.dtype for field in dtype.inner.fields}


def _is_struct_list(dtype: Any) -> bool:
    return isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)


class Checked:
    """The canonical frame of one programme's rows and the rows the models must look at."""

    def __init__(self, frame: pl.DataFrame, suspects: list[int]) -> None:
        self.frame = frame
        self.suspects = suspects


def check_columns(raw: pl.DataFrame, model: type[Applicant]) -> Checked:
    """Read every column of ``raw`` into the canonical frame, flagging rows to re-check."""
    schema = frame_schema(model)
    specs = fact_schema(model)
    types = dict(raw.schema)
    columns: list[pl.Expr] = []
    bad: list[pl.Expr] = []
    json_lists: list[str] = []
    exact_lists: set[str] = set()
    suspects: set[int] = set()
    for column, dtype in types.items():
        if column in (_ROW, "programme") or column in schema:
            continue
        bad.append(_maybe_given(pl.col(column), dtype))  # unknown field (or report.agency)
    for path, want in schema.items():
        spec = specs[path]
        owner, leaf = _owner(model, path)
        info = owner.model_fields[leaf]
        if path not in types:
            value: pl.Expr = pl.lit(None, dtype=want)
            if info.is_required() and "." not in path:
                bad.append(pl.lit(True))
            columns.append(value.alias(path))
            continue
        dtype = types[path]
        if spec.kind is Kind.LIST:
            assert spec.item is not None
            if dtype == pl.String:
                json_lists.append(path)
                continue
            if not _is_struct_list(dtype):
                columns.append(pl.lit(None, dtype=want).alias(path))
                bad.append(pl.col(path).is_not_null())
                continue
            exact = _exact_list_bad(raw.select(_ROW, path), path, spec.item, dtype)
            if exact is not None:  # already canonical: kept as it is, items checked flat
                columns.append(pl.col(path))
                exact_lists.add(path)
                suspects |= exact
                continue
            value, flagged = _item_checks(pl.col(path), spec.item, _fields(dtype))
            columns.append(value.alias(path))
            bad.append(flagged)
            continue
        empty = dtype != pl.String or bool(raw.get_column(path).eq("").any())
        value, failed = _scalar(pl.col(path), dtype, want, spec.kind, spec.choices, empty)
        bad.append(failed)
        if info.is_required() and "." not in path:
            bad.append(value.is_null())
        if _checks_credit_code(owner, leaf):
            suspects |= _bad_code_rows(raw, value)  # the checksum apart: see _bad_code_rows
        bad += [b.fill_null(False) for b in _value_bad(value, owner, leaf)]
        columns.append(value.alias(path))
    if path_required := _required_in_records(model, schema, types):
        bad += path_required
    flag = pl.any_horizontal(bad) if bad else pl.lit(False)
    # Each step reads only the columns it needs: the streaming engine would otherwise carry
    # every column of the table (list columns included) through each step.
    rows = raw.lazy().select(pl.col(_ROW).filter(flag)).collect()
    suspects |= set(rows.get_column(_ROW).to_list())
    keep = [pl.col(p) for p in json_lists]
    out = raw.select([*columns, *keep, pl.col(_ROW)])
    for path in schema:
        spec = specs[path]
        if path in exact_lists:
            continue
        if spec.kind is Kind.LIST and path in types and _is_struct_list(types[path]):
            suspects |= _item_codes_bad(raw, path, spec.item)
    for path in json_lists:
        out, from_json = _json_list(out, path, specs[path].item, schema[path])
        suspects |= from_json
    return Checked(out, sorted(suspects))


def _owner(model: type[pydantic.BaseModel], path: str) -> tuple[type[pydantic.BaseModel], str]:
    *parents, leaf = path.split(".")
    owner = model
    for part in parents:
        owner = field_types(owner)[part]
    return owner, leaf


def _required_in_records(
    model: type[Applicant], schema: Mapping[str, Any], types: Mapping[str, Any]
) -> list[pl.Expr]:
    """A record given at all must have its required fields (a report needs its route)."""
    out = []
    for path, spec in fact_schema(model).items():
        if spec.kind is not Kind.RECORD or spec.item is None:
            continue
        leaves = [p for p in schema if p.startswith(path + ".") and p in types]
        if path == "report" and "report.agency" in types:
            leaves.append("report.agency")
        if not leaves:
            continue
        # A blank cell counts as given here: at worst the models look at the row.
        given = pl.any_horizontal([_maybe_given(pl.col(p), types[p]) for p in leaves])
        for name, info in spec.item.model_fields.items():
            full = f"{path}.{name}"
            kind = fact_schema(model)[full].kind
            if info.is_required() and kind is not Kind.RECORD:
                if full not in types:
                    missing = pl.lit(True)
                elif kind is Kind.TEXT:  # a blank text is flagged by the text check already
                    missing = _maybe_given(pl.col(full), types[full]).not_()
                else:
                    missing = _is_empty(pl.col(full), types[full])
                out.append(given & missing)
    return out


def _json_list(
    frame: pl.DataFrame, path: str, item: Any, want: Any
) -> tuple[pl.DataFrame, set[int]]:
    """Validate a list column of JSON text once per distinct text, then join the values back."""
    adapter = pydantic.TypeAdapter(tuple[item, ...])
    texts = frame.get_column(path).str.strip_chars()
    distinct = texts.drop_nulls().unique().to_list()
    keys, values, bad_texts = [], [], set()
    from ._polars_backend import item_row

    for text in distinct:
        if text == "":
            continue
        try:
            parsed = adapter.validate_python(json.loads(text))
        except (json.JSONDecodeError, pydantic.ValidationError, RecursionError):
            bad_texts.add(text)
            continue
        keys.append(text)
        values.append([item_row(i) for i in parsed])
    lookup = pl.DataFrame(
        {"__text__": pl.Series(keys, dtype=pl.String), path: pl.Series(values, dtype=want)}
    )
    flagged = (
        set(frame.filter(texts.is_in(list(bad_texts))).get_column(_ROW).to_list())
        if bad_texts
        else set()
    )
    joined = (
        frame.with_columns(texts.alias("__text__"))
        .drop(path)
        .join(lookup, on="__text__", how="left", maintain_order="left")
        .drop("__text__")
    )
    return joined, flagged


# --- the models' verdict on suspect rows --------------------------------------------------------


def _python_cell(value: Any) -> Any:
    if isinstance(value, list):
        return [_python_cell(v) for v in value]
    if isinstance(value, dict):
        return {k: _python_cell(v) for k, v in value.items() if v is not None}
    return value


def _nest_row(
    row: Mapping[str, Any], loc: str | int, problems: list[InputProblem]
) -> dict[str, Any] | None:
    """A raw row as the nested data the models validate, as the loaders build it."""
    if isinstance(loc, str):  # a file row: exactly the loader's reading of its cells
        line = int(loc.split()[1])
        return ld._nest(row, line, problems, programme=row.get("programme"))
    cells: dict[str, Any] = {}
    for column, cell in row.items():
        if isinstance(cell, list):  # native list values: pass them to the models as they are
            cells[column] = json.dumps(_python_cell(cell), default=str)
        elif isinstance(cell, float | int | bool | dt.date) or cell is None:
            cells[column] = cell
        else:
            cells[column] = cell
    found: list[InputProblem] = []
    nested = ld._nest(cells, 0, found, programme=row.get("programme"))
    problems += [InputProblem(p.code, (loc, *p.loc[1:]), p.message, p.input) for p in found]
    return nested


def judge_rows(
    source: Source, rows: Sequence[int]
) -> tuple[dict[int, Applicant], list[InputProblem]]:
    """Validate ``rows`` with the entity models: the entities they accept, or every problem.

    As in the loaders, every cell problem of every row comes first, then the models' problems.
    """
    cells: list[InputProblem] = []
    models: list[InputProblem] = []
    accepted: dict[int, Applicant] = {}
    for index in sorted(rows):
        row = source.row(index)
        loc = source.loc(index)
        found: list[InputProblem] = []
        nested = _nest_row(row, loc, found)
        cells += found
        if nested is None:
            continue
        before = len(models)
        nested = ld._resolve_agency(nested, {}, (loc,), models)
        result = ld._entity_problems(nested, (loc,))
        if isinstance(result, Applicant):
            if not found and len(models) == before:
                accepted[index] = result
        else:
            models += result
    return accepted, cells + models


def canonical_frames(source: Source) -> tuple[dict[Programme, pl.DataFrame], list[InputProblem]]:
    """The canonical frame of each programme in the table (with each row's index in ``__row__``)."""
    raw = source.frame.with_row_index(_ROW)
    known = [p.value for p in Programme]
    if "programme" in raw.columns:
        programme = raw.get_column("programme").cast(pl.String, strict=False).str.strip_chars()
    else:
        programme = pl.Series([None] * raw.height, dtype=pl.String)
    raw = raw.with_columns(programme.alias("__programme__"))
    bad = raw.filter(pl.col("__programme__").is_in(known).not_().fill_null(True))
    suspects = set(bad.get_column(_ROW).to_list())
    checked: dict[Programme, Checked] = {}
    present = set(programme.unique().to_list())
    for value in known:
        if value not in present:
            continue
        if present == {value}:  # the usual table of one programme: no copy
            part = raw.drop("__programme__")
        else:
            part = raw.filter(pl.col("__programme__") == value).drop("__programme__")
        if part.height:
            checked[Programme(value)] = found = check_columns(part, ENTITY_TYPES[Programme(value)])
            suspects.update(found.suspects)
    accepted, problems = judge_rows(source, sorted(suspects)) if suspects else ({}, [])
    if problems:
        return {}, problems
    frames: dict[Programme, pl.DataFrame] = {}
    for kind, found in checked.items():
        frame = found.frame
        mine = {i: e for i, e in accepted.items() if i in set(found.suspects)}
        if mine:
            patch = models_to_frame(list(mine.values()), ENTITY_TYPES[kind]).with_columns(
                pl.Series(_ROW, list(mine), dtype=frame.schema[_ROW])
            )
            kept = frame.filter(pl.col(_ROW).is_in(list(mine)).not_())
            frame = pl.concat([kept, patch.select(frame.columns)]).sort(_ROW)
        frames[kind] = frame
    return frames, problems


# --- the result table ------------------------------------------------------------------------


class ResultTable:
    """The decisions of a whole table: one row per entity, in input order.

    ``frame`` holds ``entity_id``, ``name``, ``programme``, ``status``, ``review_required``,
    ``priority.<order>`` per priority level, one verdict column per rule (named by rule id,
    null where the rule is not of the row's programme) and ``missing``. Any row becomes the
    :class:`~greenrules.Decision` the native engine gives with :meth:`decision`; nothing is
    built for rows nobody looks at. Status, priority and verdicts are computed by
    :func:`~greenrules.evaluate_table`; the ``missing`` lists are rendered on the first use of
    :attr:`frame` (about as long again on large tables), :attr:`outcomes` leaves them out.
    """

    def __init__(
        self,
        frame: pl.DataFrame,
        parts: Mapping[Programme, tuple[PolarsProgram, pl.DataFrame]],
        row_wise: tuple[str, ...],
    ) -> None:
        self.outcomes = frame
        """The result without the ``missing`` column: status, priority and verdicts."""
        self._frame: pl.DataFrame | None = None
        self._parts = parts
        self.row_wise = row_wise
        """Rules that ran row by row with the native engine (a predicate without a twin)."""

    @property
    def frame(self) -> pl.DataFrame:
        """The whole result, with each row's sorted ``missing`` facts (rendered once, here)."""
        if self._frame is None:
            self._frame = self._with_missing()
        return self._frame

    def _with_missing(self) -> pl.DataFrame:
        if not self._parts:
            return self.outcomes
        found = []
        for program, canonical in self._parts.values():
            for start in range(0, max(canonical.height, 1), CHUNK):  # bounded working memory
                part = canonical.slice(start, CHUNK)
                rows = part.get_column(_ROW)
                found.append(pl.DataFrame([rows, program.missing_column(part)]))
        if len(found) == 1:
            missing = found[0].get_column("missing")
        else:
            missing = pl.concat(found).sort(_ROW).get_column("missing")
        return self.outcomes.with_columns(missing)

    def __len__(self) -> int:
        return self.outcomes.height

    def __repr__(self) -> str:
        return f"<ResultTable {len(self)} rows, {len(self.rule_ids)} rules>"

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every rule with a verdict column, in column order."""
        seen: dict[str, None] = {}
        for program, _ in self._parts.values():
            for rule_id in program.ruleset.rule_ids:
                seen.setdefault(rule_id, None)
        return tuple(seen)

    def decision(self, index: int) -> Decision:
        """Row ``index`` as the decision the native engine gives (findings, provenance)."""
        if not isinstance(index, int) or not -len(self) <= index < len(self):
            msg = f"expected a row index below {len(self)}"
            raise InvalidInputError([InputProblem("bad-argument", ("index",), msg, index)])
        index %= len(self)
        programme = Programme(self.outcomes.get_column("programme")[index])
        program, canonical = self._parts[programme]
        position = canonical.get_column(_ROW).search_sorted(index)
        row = canonical.row(int(position), named=True)
        entity = entity_from_row(row, ENTITY_TYPES[programme])
        ids = program.ruleset.rule_ids
        by_value = {v.value: v for v in Verdict}
        verdicts = [by_value[row[rule_id]] for rule_id in ids]
        points = [float(row.get(points_column(rule_id)) or 0.0) for rule_id in ids]
        return compiled(program.ruleset).decide(entity, verdicts, points, "columnar")

    def entity(self, which: int | Decision) -> Applicant:
        """The validated entity of a row (by index, or the row a decision was made from)."""
        if isinstance(which, Decision):
            entity = getattr(which._basis, "entity", None)
            if isinstance(entity, Applicant):
                return entity
            raise InvalidInputError(
                [InputProblem("bad-argument", ("which",), "a decision of this table", which)]
            )
        decision = self.decision(which)
        return self.entity(decision)

    def decisions(self) -> list[Decision]:
        """Every row's decision (builds them all: prefer :meth:`decision` on large tables)."""
        return [self.decision(i) for i in range(len(self))]

    def to_polars(self) -> pl.DataFrame:
        """The result as a polars DataFrame."""
        return self.frame

    def to_arrow(self) -> Any:
        """The result as a pyarrow Table."""
        return self.frame.to_arrow()


def entity_from_row(row: Mapping[str, Any], model: type[Applicant]) -> Applicant:
    """Rebuild the validated entity of one canonical row."""
    data: dict[str, Any] = {}
    for path in frame_schema(model):
        value = row.get(path)
        if value is None:
            continue
        target = data
        *parents, leaf = path.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = _python_cell(value)
    return model.model_validate(data)


def evaluate_batches(
    source: Any,
    *,
    rows: int,
    tier: Tier,
    round_: int,
    jurisdiction: str,
    as_of: dt.date | None,
    registry: Registry | None,
) -> Iterator[ResultTable]:
    """Evaluate a table batch by batch; see :func:`greenrules.evaluate_batches`."""
    args: dict[str, Any] = {
        "tier": tier,
        "round_": round_,
        "jurisdiction": jurisdiction,
        "as_of": as_of,
        "registry": registry,
        "progress": None,
    }
    name = str(source) if isinstance(source, str | Path) else None
    if name is not None and Path(source).suffix.lower() == ".parquet":
        try:
            scan = pl.scan_parquet(Path(source))
            total = scan.select(pl.len()).collect().item()
        except Exception as exc:  # polars raises several types for a missing or corrupt file
            msg = f"not a readable Parquet file: {type(exc).__name__}"
            raise InvalidInputError([InputProblem("bad-parquet", (), msg)], source=name) from None
        for start in range(0, max(total, 1), rows):
            try:
                frame = scan.slice(start, rows).collect()
            except Exception as exc:
                msg = f"not a readable Parquet file: {type(exc).__name__}"
                raise InvalidInputError(
                    [InputProblem("bad-parquet", (), msg)], source=name
                ) from None
            yield evaluate_frame(Source(frame, name, None, offset=start), source_name=name, **args)
        return
    read = read_source(source)
    if isinstance(read, list) or read.text is not None or read.records is not None:
        yield evaluate_frame(read, source_name=name, **args)  # small or row-read sources
        return
    for start in range(0, max(read.frame.height, 1), rows):
        batch = Source(read.frame.slice(start, rows), read.name, None, offset=start)
        yield evaluate_frame(batch, source_name=name, **args)


def evaluate_frame(
    source: Any,
    *,
    tier: Tier,
    round_: int,
    jurisdiction: str,
    as_of: dt.date | None,
    registry: Registry | None,
    progress: Callable[[int, int], None] | None,
    source_name: str | None,
) -> ResultTable:
    """Read, check and evaluate a table; see :func:`greenrules.evaluate_table`."""
    read = read_source(source)
    registry = registry or default_registry()
    if isinstance(read, list):
        frames = {}
        for programme in Programme:
            members = [e for e in read if e.programme is programme]
            if members:  # a JSON or XLSX file, read row by row by the loader
                model = ENTITY_TYPES[programme]
                frame = models_to_frame(members, model)
                rows = [i for i, e in enumerate(read) if e.programme is programme]
                frames[programme] = frame.with_columns(pl.Series(_ROW, rows, dtype=pl.UInt32))
        total = len(read)
    else:
        total = read.frame.height
        if progress is not None:
            progress(0, total)  # the bar shows from the start, while the table is checked
        frames, problems = canonical_frames(read)
        if problems:
            raise InvalidInputError(problems, source=read.name or source_name)
    parts: dict[Programme, tuple[PolarsProgram, pl.DataFrame]] = {}
    outputs = []
    done = 0
    row_wise: list[str] = []
    for programme, frame in frames.items():
        ruleset = registry.ruleset(
            jurisdiction=jurisdiction, round=round_, tier=tier, programme=programme, as_of=as_of
        )
        program: PolarsProgram = program_for(ruleset, ENTITY_TYPES[programme])
        frame = add_predicates(program, frame)
        if program.row_wise:
            entities = [
                entity_from_row(r, ENTITY_TYPES[programme]) for r in frame.iter_rows(named=True)
            ]
            frame = run_row_wise(program, frame, entities)
            row_wise += program.row_wise
        chunks = []
        for start in range(0, max(frame.height, 1), CHUNK):
            chunks.append(program.outcomes(frame.slice(start, CHUNK)))
            if progress is not None:
                progress(done + min(start + CHUNK, frame.height), total)
        new = chunks[0] if len(chunks) == 1 else pl.concat(chunks, rechunk=True)
        out = frame.hstack(new.get_columns())  # the table's own columns are not copied
        keep = [_ROW, *program.result_columns(missing=False), *program.point_columns()]
        facts = [c for c in frame_schema(program.model) if c not in keep]
        parts[programme] = (program, _columns(out, [*keep, *facts]))
        named = pl.repeat(programme.value, out.height, dtype=pl.String, eager=True)
        outputs.append(
            pl.DataFrame(
                [
                    out.get_column(_ROW),
                    out.get_column("credit_code").alias("entity_id"),
                    out.get_column("name"),
                    named.alias("programme"),
                    *_columns(out, program.result_columns(missing=False)).get_columns(),
                ]
            )
        )
        done += frame.height
    if not outputs:
        result = pl.DataFrame(
            {"entity_id": [], "name": [], "programme": []},
            schema={"entity_id": pl.String, "name": pl.String, "programme": pl.String},
        )
    elif len(outputs) == 1:
        result = outputs[0].drop(_ROW)
    else:
        result = pl.concat(outputs, how="diagonal_relaxed").sort(_ROW).drop(_ROW)
    if progress is not None and done < total:
        progress(total, total)
    return ResultTable(result, parts, tuple(row_wise))


def _columns(frame: pl.DataFrame, names: Sequence[str]) -> pl.DataFrame:
    """Columns of ``frame`` as they are: an eager ``select`` would copy a column in chunks."""
    return pl.DataFrame([frame.get_column(name) for name in names])


_STATUS_RANK = {"recommend": 0, "undetermined": 1, "cultivate": 2, "ineligible": 3}


def ranked(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in recommendation order: status, then priority level by level; ties keep order."""
    order = pl.col("status").cast(pl.String).replace_strict(_STATUS_RANK, return_dtype=pl.Int8)
    levels = [pl.col(c) for c in frame.columns if c.startswith("priority.")]
    if frame.height == 0:
        return frame
    return frame.sort(
        [order, *levels], descending=[False] + [True] * len(levels), maintain_order=True
    )


def write_result(result: ResultTable, out: Path | None, fmt: str) -> None:
    """Write the ranked result table as Parquet, CSV or JSON rows, all or nothing."""
    import sys

    frame = ranked(result.frame)
    if fmt == "parquet" and out is None:
        msg = "--format parquet writes a file: give its path with --out FILE.parquet"
        raise InvalidInputError([InputProblem("bad-argument", ("out",), msg)])
    if fmt == "csv":
        frame = frame.with_columns(
            pl.col(pl.Enum).cast(pl.String),
            pl.col("missing").cast(pl.List(pl.String)).list.join("; "),
        )
    if out is None:
        text = frame.write_csv() if fmt == "csv" else frame.write_json()
        sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))
        return
    tmp = out.with_name(out.name + ".partial")
    if fmt == "parquet":
        frame.write_parquet(tmp)
    elif fmt == "csv":
        frame.write_csv(tmp)
    else:
        frame.write_json(tmp)
    tmp.replace(out)
