"""Tables read for the columnar engine: frames, Arrow tables, records, CSV and Parquet files.

A :class:`Source` keeps a table's cells as given, with how its rows are located in problems
(``line N`` for a CSV file, the row index for frames, records and Parquet). JSON and XLSX files
are small and human-made, so the loader reads them row by row. In-memory records are typed
column by column without inference, so no value the models would refuse is silently converted.
No polars or pyarrow exception leaves this module.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import operator
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from greenrules._columnar.schema import frame_schema
from greenrules._io import loaders as ld
from greenrules._io import tables
from greenrules._model.entities import ENTITY_TYPES, Applicant
from greenrules.exceptions import InputProblem, InvalidInputError

ROW_INDEX = "__row__"


# --- reading -------------------------------------------------------------------------------------


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
            lines = [line for line, _ in tables.csv_rows(self.text)]
            self._lines = lines if len(lines) == self.frame.height else []
        return f"line {self._lines[row] if self._lines else row + 2}"


def unreadable_parquet(exc: Exception, name: str) -> InvalidInputError:
    """The error for a Parquet file polars cannot read (it raises several types for one)."""
    msg = f"not a readable Parquet file: {type(exc).__name__}"
    return InvalidInputError([InputProblem("bad-parquet", (), msg)], source=name)


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
    data = tables.read_input(path)
    if suffix == ".parquet":
        try:
            return Source(pl.read_parquet(io.BytesIO(data)), str(path), None)
        except Exception as exc:
            raise unreadable_parquet(exc, str(path)) from None
    text = tables.csv_text(data, str(path))
    return Source(_csv_frame(text, str(path)), str(path), text)


def _csv_frame(text: str, name: str) -> pl.DataFrame:
    """The frame of a CSV text, accepted or refused exactly as the loader's reader would.

    polars reads the file; wherever it could differ from the loader (it fails; a header is
    empty or repeated; a field is longer than the csv module reads), the loader's own reader
    judges the text, so that every malformed file gets the same problems from both readers
    whatever its size, and only files both accept are read.
    """
    header = next(csv.reader(io.StringIO(text)), [])
    try:
        frame = pl.read_csv(text.encode(), infer_schema=False)
    except Exception:  # malformed quoting, surplus cells and the like
        tables.read_csv(text, name)  # raises the loader's problems
        msg = "not a readable CSV file"
        raise InvalidInputError([InputProblem("bad-csv", (), msg)], source=name) from None
    names = [h.strip() for h in header]
    lengths = frame.select(pl.col(pl.String).str.len_bytes().max())
    longest = lengths.max_horizontal().item() if lengths.width else 0
    if len(set(names)) < len(names) or "" in names or (longest or 0) > csv.field_size_limit():
        tables.read_csv(text, name)
    return frame


# --- records -------------------------------------------------------------------------------------


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
        fields = struct_fields(dtype)
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
    items = list(itertools.chain.from_iterable(filter(None, values)))
    if set(map(type, items)) - {dict}:
        return False
    fields = struct_fields(dtype)
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
        if dtype in (pl.Boolean, pl.String) and _column_fits(values, dtype):
            try:  # every value's type checked first: polars takes numpy's bools as bools
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
    if len(first) > 1 and set(map(len, records)) == {len(first)}:
        try:  # as many keys as the first record and all of its keys: the same keys
            rows = map(operator.itemgetter(*first), records)  # one tuple per record, in C
            return dict(zip(first, map(list, zip(*rows, strict=True)), strict=True))
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


# --- typed columns and cells ---------------------------------------------------------------------


def struct_fields(dtype: Any) -> dict[str, Any]:
    return {field.name: field.dtype for field in dtype.inner.fields}


def is_struct_list(dtype: Any) -> bool:
    return isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)


def python_cell(value: Any) -> Any:
    """A cell as the models read it, nested again.

    A struct's dotted field names (a record inside a list item, as in ``standing.incidents``)
    become nested mappings.
    """
    if isinstance(value, list):
        return [python_cell(v) for v in value]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if item is None:
                continue
            target = out
            *parents, leaf = key.split(".")
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = python_cell(item)
        return out
    return value
