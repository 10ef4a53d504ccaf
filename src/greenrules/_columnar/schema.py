"""The canonical frame: one column per fact path, typed from the entity models.

Every table the columnar engine evaluates is first brought to this shape: one column per scalar
fact, named by its dotted path, and one ``List(Struct)`` column per list fact (its child table).
The schema is read off the models, so a new field joins it by itself.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from functools import cache
from typing import Any

import polars as pl
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from greenrules._model.enums import Status, Verdict
from greenrules._model.facts import FactSpec, Kind, fact_schema, unwrap_optional

VERDICT = pl.Enum([v.value for v in Verdict])
STATUS = pl.Enum([s.value for s in Status])
MISSING = pl.List(pl.Categorical)
"""The dtype of the ``missing`` column: texts as categories, shared by every table."""
KIND_DTYPE: dict[Kind, Any] = {
    Kind.BOOL: pl.Boolean,
    Kind.NUMBER: pl.Float64,
    Kind.TEXT: pl.String,
    Kind.DATE: pl.Date,
}


# --- the canonical frame -------------------------------------------------------------------


@cache
def field_types(model: type[BaseModel]) -> dict[str, Any]:
    """Each field of ``model`` mapped to its concrete type (Optional and Annotated removed)."""
    hints = typing.get_type_hints(model, include_extras=True)
    return {name: unwrap_optional(hints[name]) for name in model.model_fields}


def owner_of(model: type[BaseModel], path: str) -> tuple[type[BaseModel], str]:
    """The model holding the last field of a dotted ``path``, and that field's name."""
    *parents, leaf = path.split(".")
    owner = model
    for part in parents:
        owner = field_types(owner)[part]
    return owner, leaf


def field_info(model: type[BaseModel], path: str) -> FieldInfo:
    """The field behind a canonical column or struct field (dotted inside nested records)."""
    owner, leaf = owner_of(model, path)
    return owner.model_fields[leaf]


def _leaf_dtype(model: type[BaseModel], path: str, spec: FactSpec) -> Any:
    if spec.kind is Kind.LIST:
        assert spec.item is not None
        return pl.List(pl.Struct(frame_schema(spec.item)))
    owner, leaf = owner_of(model, path)
    if spec.kind is Kind.NUMBER and field_types(owner)[leaf] is int:
        return pl.Int64
    return KIND_DTYPE[spec.kind]


@cache
def frame_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The canonical columns of ``model``: every scalar fact and every list fact, by path.

    The fact schema does not descend into lists: their items are the list column's structs.
    """
    return {
        path: _leaf_dtype(model, path, spec)
        for path, spec in fact_schema(model).items()
        if spec.kind is not Kind.RECORD
    }


def required_leaf(model: type[BaseModel]) -> str | None:
    """A required scalar field of ``model``: its presence tells whether the record is there."""
    for name, info in model.model_fields.items():
        tp = field_types(model)[name]
        nested = isinstance(tp, type) and issubclass(tp, BaseModel)
        if info.is_required() and not nested and typing.get_origin(tp) is not tuple:
            return name
    return None


def record_optional(model: type[BaseModel], path: str) -> bool:
    owner, leaf = owner_of(model, path)
    return owner.model_fields[leaf].default is None and not owner.model_fields[leaf].is_required()


# --- models to frame -------------------------------------------------------------------------


def _leaf_value(value: Any) -> Any:
    if isinstance(value, str):  # str enums: their plain value
        return str(value)
    return value


def item_row(item: BaseModel) -> dict[str, Any]:
    """One list item as its canonical struct value."""
    model = type(item)
    out: dict[str, Any] = {}
    for path in frame_schema(model):
        out[path] = _read(item, path, fact_schema(model)[path].kind)
    return out


def _read(obj: Any, path: str, kind: Kind) -> Any:
    for part in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part)
    if kind is Kind.LIST:
        return None if obj is None else [item_row(i) for i in obj]
    return _leaf_value(obj)


def models_to_frame(entities: Sequence[BaseModel], model: type[BaseModel]) -> pl.DataFrame:
    """The canonical frame of validated entities, one row each, in order."""
    schema = frame_schema(model)
    specs = fact_schema(model)
    columns: dict[str, list[Any]] = {}
    for path in schema:
        kind = specs[path].kind
        if kind is Kind.LIST:
            columns[path] = [_read(e, path, kind) for e in entities]
        elif "." not in path:
            columns[path] = [_leaf_value(getattr(e, path)) for e in entities]
        else:
            columns[path] = [_read(e, path, kind) for e in entities]
    return pl.DataFrame(columns, schema=schema)
