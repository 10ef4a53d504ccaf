"""A table checked column by column against the entity models, with vectorised expressions.

The checks find every row the entity models would reject (or might: a number written ``1_000``).
Only those rows then go through the row-wise loader (:mod:`greenrules._columnar.canonical`), so the
problems raised carry exactly the codes and locations :func:`~greenrules.load_entities` gives,
and a row the models accept after all is taken as they read it. List fields given as JSON text
are validated once per distinct text, which is fast on real tables where the same memberships
recur. No polars or pyarrow exception leaves this module.
"""

from __future__ import annotations

import functools
import json
import sys
import types
import typing
from collections.abc import Mapping
from typing import Any

import annotated_types as at
import polars as pl
import pydantic
import pydantic.fields
from pydantic.types import Strict

from greenrules._columnar.credit_codes import (
    bad_code_rows,
    credit_codes_bad,
    with_credit_code_check,
)
from greenrules._columnar.schema import field_info, frame_schema, owner_of
from greenrules._columnar.sources import ROW_INDEX, is_struct_list, struct_fields
from greenrules._io import loaders as ld
from greenrules._model.entities import Applicant
from greenrules._model.facts import Kind, fact_schema
from greenrules._model.values import (
    check_credit_code,
    check_division_code,
    check_industry_code,
)

_TRUE, _FALSE = sorted(ld.TRUE_WORDS), sorted(ld.FALSE_WORDS)


def _maybe_given(col: pl.Expr, dtype: Any) -> pl.Expr:
    """True where a cell may be given: not null, not empty.

    A blank cell counts as given, so this errs towards sending a row to the models; no string
    is stripped.
    """
    return col.is_not_null() & (col != "") if dtype == pl.String else col.is_not_null()


def _is_empty(col: pl.Expr, dtype: Any) -> pl.Expr:
    if dtype == pl.String:
        return col.is_null() | (col.str.strip_chars() == "")
    return col.is_null()


PYTHON_WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
"""What ``str.strip`` strips: Unicode white space and also U+001C to U+001F (polars' own
``strip_chars()`` strips only the former)."""


def _would_strip(col: pl.Expr) -> pl.Expr:
    """True where the models would strip a text cell (measured: a third of an edge regex)."""
    return col.str.strip_chars(PYTHON_WHITESPACE).str.len_bytes() != col.str.len_bytes()


def _padding_caught(model: type[pydantic.BaseModel], name: str, choices: Any) -> bool:
    """Whether a text with edge white space fails another check anyway.

    A choice (no choice has any), a credit code, a division code or an industry code (fixed
    shapes, no white space) does.
    """
    codes = (check_credit_code, check_division_code, check_industry_code)
    return choices is not None or any(
        getattr(m, "func", None) in codes for m in _constraints(model, name)
    )


@functools.cache
def _constraints(model: type[pydantic.BaseModel], name: str) -> list[Any]:
    """The field's constraints, including those inside ``Annotated`` within ``Optional``."""
    if "." in name:  # a field of a record inside ``model``, as in a list item's struct
        return _constraints(*owner_of(model, name))
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
            out.append(value < pl.lit(meta.ge))
        elif isinstance(meta, at.Le):
            out.append(value > pl.lit(meta.le))
        elif isinstance(meta, at.Gt):
            out.append(value <= pl.lit(meta.gt))
        elif isinstance(meta, at.Lt):
            out.append(value >= pl.lit(meta.lt))
        elif isinstance(meta, at.MinLen):
            out.append(value.str.len_chars() < meta.min_length)
        elif getattr(meta, "func", None) is check_credit_code:
            if code_bad is not None:  # checked beforehand (items: see _item_codes_bad)
                out.append(code_bad)
        elif getattr(meta, "func", None) is check_division_code:
            out.append(value.str.contains("^[0-9]{6}$").not_())
        elif getattr(meta, "func", None) is check_industry_code:
            # Stored digits pass; a section letter or a bad code goes to the models.
            out.append(value.str.contains("^(0[1-9]|[1-8][0-9]|9[0-7])[0-9]{0,2}$").not_())
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
    padding_caught: bool = False,
) -> tuple[pl.Expr, pl.Expr]:
    """The canonical value of a scalar cell and whether the vectorised reading failed.

    ``empty``: whether a text column may hold empty texts (read as missing); without them the
    column is taken as it is. ``padding_caught``: a text the models would strip fails a code
    check on the unstripped text anyway, so it needs no test of its own.
    """
    given = raw.is_not_null()
    value: pl.Expr
    if dtype == pl.String and kind is Kind.TEXT:
        # No string is copied: a cell the models would strip is sent to them instead.
        given = given & (raw != "")
        value = pl.when(given).then(raw) if empty else raw
        if choices is not None:  # no choice has edge white space: a padded one is no choice
            failed = given & value.is_in(list(choices)).not_()
        else:
            failed = pl.lit(False) if padding_caught else _would_strip(raw)
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
        info = field_info(item, name)
        if name not in fields:
            raw: pl.Expr = pl.lit(None, dtype=want)
            dtype = want
        else:
            raw, dtype = pl.element().struct.field(name), fields[name]
        if spec.kind is Kind.LIST:
            assert spec.item is not None
            inner = struct_fields(dtype) if is_struct_list(dtype) else None
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
        if info.is_required() and "." not in name:
            bad.append(value.is_null())
        elif info.default is not None:
            value = value.fill_null(info.default)
        bad += [b.fill_null(False) for b in _value_bad(value, item, name)]
        parts.append(value.alias(name))
    canonical = items.list.eval(pl.struct(parts))
    flagged = items.list.eval(pl.any_horizontal(bad) if bad else pl.lit(False)).list.any()
    return canonical, flagged.fill_null(False)


def _checks_credit_code(model: type[pydantic.BaseModel], name: str) -> bool:
    return any(getattr(m, "func", None) is check_credit_code for m in _constraints(model, name))


def _item_codes_bad(raw: pl.DataFrame, path: str, item: Any) -> set[int]:
    """Rows of which some list item carries an invalid credit code."""
    out: set[int] = set()
    for name in item.model_fields:
        if not _checks_credit_code(item, name):
            continue
        flat = raw.select(ROW_INDEX, pl.col(path)).explode(path).drop_nulls(path)
        struct: Any = flat.schema[path]
        if name not in [f.name for f in struct.fields]:
            continue
        codes = flat.select(pl.col(path).struct.field(name)).to_series()
        rows = flat.get_column(ROW_INDEX).filter(credit_codes_bad(codes))
        out.update(rows.to_list())
    return out


def _exact_list_bad(
    flat: pl.DataFrame, path: str, item: type[pydantic.BaseModel], dtype: Any
) -> set[int] | None:
    """Rows with an item the models would reject or read differently, in a canonical list column.

    ``None`` when the column is not of the canonical type, or when a default must be filled.

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
    items = flat.select(ROW_INDEX, path).explode(path, keep_nulls=False)
    found = _item_flags(items, path, item)
    if found is None:
        return None
    out = set(found.filter(pl.col("bad")).get_column(ROW_INDEX).unique().to_list())
    fields = items.select(ROW_INDEX, pl.col(path).struct.unnest())
    for name in nested:
        inner = fact_schema(item)[name].item
        assert inner is not None
        deeper = _exact_list_bad(fields.select(ROW_INDEX, name), name, inner, schema[name])
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
    row = [pl.col(ROW_INDEX)] if ROW_INDEX in items.columns else []
    null_item = pl.col(path).is_null().alias("__null_item__")
    fields = items.select(*row, null_item, pl.col(path).struct.unnest())
    bad: list[pl.Expr] = [pl.col("__null_item__")]
    checked = fields.lazy()
    for name, want in schema.items():
        spec, info, col = specs[name], field_info(item, name), pl.col(name)
        if spec.kind is Kind.LIST:
            continue
        if info.default is not None and fields.get_column(name).null_count():
            return None  # the models fill a default: the column must be rebuilt
        if info.is_required() and "." not in name:
            bad.append(col.is_null())
        if spec.kind is Kind.TEXT:
            bad.append(col == "")
            if not _padding_caught(item, name, spec.choices):
                bad.append(_would_strip(col))
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
        if column in (ROW_INDEX, "programme") or column in schema:
            continue
        bad.append(_maybe_given(pl.col(column), dtype))  # unknown field (or report.agency)
    for path, want in schema.items():
        spec = specs[path]
        owner, leaf = owner_of(model, path)
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
            if not is_struct_list(dtype):
                columns.append(pl.lit(None, dtype=want).alias(path))
                bad.append(pl.col(path).is_not_null())
                continue
            exact = _exact_list_bad(raw.select(ROW_INDEX, path), path, spec.item, dtype)
            if exact is not None:  # already canonical: kept as it is, items checked flat
                columns.append(pl.col(path))
                exact_lists.add(path)
                suspects |= exact
                continue
            value, flagged = _item_checks(pl.col(path), spec.item, struct_fields(dtype))
            columns.append(value.alias(path))
            bad.append(flagged)
            continue
        empty = dtype != pl.String or bool(raw.get_column(path).eq("").any())
        caught = _padding_caught(owner, leaf, spec.choices)
        value, failed = _scalar(pl.col(path), dtype, want, spec.kind, spec.choices, empty, caught)
        bad.append(failed)
        if info.is_required() and "." not in path:
            bad.append(value.is_null())
        if _checks_credit_code(owner, leaf):
            suspects |= bad_code_rows(raw, value)  # the checksum apart: see bad_code_rows
        bad += [b.fill_null(False) for b in _value_bad(value, owner, leaf)]
        columns.append(value.alias(path))
    if path_required := _required_in_records(model, schema, types):
        bad += path_required
    agency_given = _agency_beside_another_route(types)
    if agency_given is not None:
        bad.append(agency_given)
    flag = pl.any_horizontal(bad) if bad else pl.lit(False)
    # Each step reads only the columns it needs: the streaming engine would otherwise carry
    # every column of the table (list columns included) through each step.
    rows = raw.lazy().select(pl.col(ROW_INDEX).filter(flag)).collect()
    suspects |= set(rows.get_column(ROW_INDEX).to_list())
    keep = [pl.col(p) for p in json_lists]
    out = raw.select([*columns, *keep, pl.col(ROW_INDEX)])
    for path in schema:
        spec = specs[path]
        if path in exact_lists:
            continue
        if spec.kind is Kind.LIST and path in types and is_struct_list(types[path]):
            suspects |= _item_codes_bad(raw, path, spec.item)
    for path in json_lists:
        out, from_json = _json_list(out, path, specs[path].item, schema[path])
        suspects |= from_json
    return Checked(out, sorted(suspects))


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


def _agency_beside_another_route(types: Mapping[str, Any]) -> pl.Expr | None:
    """Rows naming an agency whose route is not plainly ``third_party``: the models decide.

    A self-evaluation naming an agency is refused by the report model, so such rows (and, to
    err on the safe side, any route written differently) must reach it.
    """
    agency = [p for p in types if p == "report.agency" or p.startswith("report.agency.")]
    if not agency:
        return None
    given = pl.any_horizontal([_maybe_given(pl.col(p), types[p]) for p in agency])
    if "report.route" not in types:
        return given
    third_party = pl.col("report.route").cast(pl.String) == "third_party"
    return given & third_party.fill_null(False).not_()


def _json_list(
    frame: pl.DataFrame, path: str, item: Any, want: Any
) -> tuple[pl.DataFrame, set[int]]:
    """Validate a list column of JSON text once per distinct text, then join the values back."""
    adapter = pydantic.TypeAdapter(tuple[item, ...])
    texts = frame.get_column(path).str.strip_chars()
    distinct = texts.drop_nulls().unique().to_list()
    keys, values, bad_texts = [], [], set()
    from greenrules._columnar.schema import item_row

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
        set(frame.filter(texts.is_in(list(bad_texts))).get_column(ROW_INDEX).to_list())
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
