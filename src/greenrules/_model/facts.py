"""The facts an entity offers to rules: every readable path, with its kind, read off the models.

Rules name facts by dotted attribute paths (``water.key_water_user``, ``report.agency.name``).
This module derives the catalogue of those paths from the pydantic models, so that a pack is
type-checked when it registers and engines know each fact's kind without guessing from data.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from collections.abc import Iterator
from functools import cache
from typing import Any

import attrs
from pydantic import BaseModel


class Kind(enum.StrEnum):
    """The kind of value a fact holds, which decides what it may be compared with."""

    BOOL = "bool"
    NUMBER = "number"
    TEXT = "text"
    DATE = "date"
    LIST = "list"
    RECORD = "record"


@attrs.frozen
class FactSpec:
    """One readable fact: its dotted path, its kind and, for enums, the values it may take.

    A ``LIST`` fact has ``item`` set to the model of its items; rules reach into items only
    through the quantifiers ``some``, ``every`` and ``count``. A ``RECORD`` is a nested model:
    rules may ask whether it is ``known`` and read its fields, but not compare it whole.
    """

    path: str
    kind: Kind
    choices: tuple[str, ...] | None = None
    item: type[BaseModel] | None = None


def unwrap_optional(annotation: Any) -> Any:
    """Strip ``Optional``/``Annotated`` wrappers down to the concrete type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                raise TypeError(f"unsupported union in entity model: {annotation!r}")
            annotation = args[0]
        else:
            return annotation


def _spec(path: str, annotation: Any) -> Iterator[FactSpec]:
    tp = unwrap_optional(annotation)
    origin = typing.get_origin(tp)
    if origin is tuple:
        item = unwrap_optional(typing.get_args(tp)[0])
        yield FactSpec(path, Kind.LIST, item=item)
    elif isinstance(tp, type) and issubclass(tp, BaseModel):
        yield FactSpec(path, Kind.RECORD, item=tp)
        yield from _walk(tp, path + ".")
    elif tp is bool:
        yield FactSpec(path, Kind.BOOL)
    elif tp in (int, float):
        yield FactSpec(path, Kind.NUMBER)
    elif tp is dt.date:
        yield FactSpec(path, Kind.DATE)
    elif isinstance(tp, type) and issubclass(tp, enum.Enum):
        yield FactSpec(path, Kind.TEXT, choices=tuple(str(m.value) for m in tp))
    elif tp is str:
        yield FactSpec(path, Kind.TEXT)
    else:  # pragma: no cover - guards future model changes
        raise TypeError(f"entity field {path} has a type rules cannot read: {tp!r}")


def _walk(model: type[BaseModel], prefix: str) -> Iterator[FactSpec]:
    hints = typing.get_type_hints(model, include_extras=True)
    for name in model.model_fields:
        yield from _spec(prefix + name, hints[name])


@cache
def fact_schema(model: type[BaseModel]) -> dict[str, FactSpec]:
    """Every fact path ``model`` offers, mapped to its spec (lists are not descended into)."""
    return {spec.path: spec for spec in _walk(model, "")}


def resolve(model: type[BaseModel], path: str) -> FactSpec | None:
    """The spec of an absolute path that may pass through lists (``energy.value``), or None."""
    schema = fact_schema(model)
    parts = path.split(".")
    for i in range(1, len(parts)):
        spec = schema.get(".".join(parts[:i]))
        if spec is not None and spec.kind is Kind.LIST and spec.item is not None:
            return resolve(spec.item, ".".join(parts[i:]))
    return schema.get(path)
