"""The input template's layout: its sheets and columns, read off the entity models.

Applicants fill one sheet, one row each; every list field (memberships, energy, park
enterprises, suppliers, waivers, an agency's annual reports) becomes a sheet of its own whose
rows name their owner by credit code, so no cell holds JSON. A list that may be unknown gets a
yes/no column on its owner's sheet saying it is known to be empty, since "no rows" alone cannot
tell "none" from "not known".
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Iterator, Mapping
from functools import cache

import attrs
from pydantic import BaseModel

from greenrules._io.template_words import OWNER_WORDS, SHEET_WORDS, none_flag_words
from greenrules._model.entities import ENTITY_TYPES, EvaluationAgency
from greenrules._model.enums import Programme
from greenrules._model.facts import Kind, fact_schema, unwrap_optional
from greenrules._model.field_words import FIELD_WORDS

Words = tuple[str, str, str, str]

NONE_FLAG = "none"
"""The last part of a none-flag column's path: ``memberships.none``."""
ITEM = "item"
"""The last part of the value column's path on the sheet of a list of plain values
(``consulted.item``): such a list's rows hold one value each."""

STANDING_LISTS = (
    "standing.abnormal_operation",
    "standing.incidents",
    "standing.inspection_findings",
    "standing.energy_rectification",
    "standing.dishonest_debtor",
)
"""The dated exclusion records: an applicant's, a park resident's or a supplier's."""
APPLICANT_LISTS = ("memberships", "energy", "enterprises", "suppliers", "waivers", *STANDING_LISTS)
"""The list sheets whose rows belong to an applicant (or, for the shared ones, a member)."""
SHARED_LISTS = ("memberships", *STANDING_LISTS)
"""Lists that applicants and their related enterprises both have: one sheet each, rows naming
their owner by credit code, whichever sheet the owner is on."""


@attrs.frozen
class Column:
    """One column of a template sheet.

    Attributes:
        path: the column's field path, accepted as a header alias (``water.key_water_user``).
        field: where its value goes in the sheet's record (``water.key_water_user``, ``year``).
        kind: the fact kind of the value; ``choices`` lists a closed vocabulary's values.
        role: ``field`` for a model field, ``owner`` for the owner's key, ``none`` for
            the flag saying the list ``field`` is known to be empty, ``agency`` for a report's
            agency given by credit code.
        required: ``yes``, ``no`` or ``group`` (required once its record is given at all).
        reads: the fact paths rules read this column's value as.
        programmes: the programmes the column applies to (applicants' sheet only).
        words: zh header, en header, zh meaning, en meaning.
    """

    path: str
    field: str
    kind: Kind
    role: str
    required: str
    reads: tuple[str, ...]
    words: tuple[str, str, str, str]
    choices: tuple[str, ...] | None = None
    programmes: tuple[Programme, ...] = ()

    def header(self, lang: str) -> str:
        """The header written in ``lang``."""
        return self.words[0] if lang == "zh" else self.words[1]


@attrs.frozen
class Sheet:
    """One data sheet of the template: its key, columns, and the sheet its rows belong to.

    ``model`` is the record a row is (a list sheet's item; a plain value for a list of values);
    ``titles`` names the sheet in zh and en when its key is not one of the applicants' sheets.
    """

    key: str
    columns: tuple[Column, ...]
    owner: str | None = None
    model: type | None = None
    titles: tuple[str, str] | None = None

    def name(self, lang: str) -> str:
        """The sheet's name in ``lang``."""
        if self.titles is not None:
            return self.titles[0] if lang == "zh" else self.titles[1]
        return SHEET_WORDS[self.key][lang]

    @property
    def owner_path(self) -> str | None:
        """The path of the column naming the record a row belongs to, if it belongs to one."""
        return next((c.path for c in self.columns if c.role == "owner"), None)


def _required(model: type[BaseModel], name: str) -> str:
    return "yes" if model.model_fields[name].is_required() else "no"


class LayoutBuilder:
    """Collects sheets while walking the models, merging what two owners share.

    Args:
        words: the words of each column by its path; a path without words falls back to the
            field's own path, so a record reused under a prefix keeps its words.
        owners: the words of the column linking a list row to its owner, by owner sheet.
        keys: the field an owner sheet's rows are known by (default ``credit_code``).
        shared: lists that several owner sheets share as one sheet with an ``owner`` column.
    """

    def __init__(
        self,
        words: Mapping[str, Words] = FIELD_WORDS,
        owners: Mapping[str, Words] = OWNER_WORDS,
        keys: Mapping[str, str] | None = None,
        shared: tuple[str, ...] = SHARED_LISTS,
    ) -> None:
        self.columns: dict[str, dict[str, Column]] = {}
        self.owners: dict[str, str] = {}
        self.models: dict[str, type] = {}
        self.words = words
        self.owner_words = owners
        self.keys = keys or {}
        self.shared = shared

    def add(self, sheet: str, column: Column) -> None:
        columns = self.columns.setdefault(sheet, {})
        old = columns.get(column.path)
        if old is None:
            columns[column.path] = column
            return
        reads = tuple(dict.fromkeys((*old.reads, *column.reads)))
        programmes = tuple(dict.fromkeys((*old.programmes, *column.programmes)))
        columns[column.path] = attrs.evolve(old, reads=reads, programmes=programmes)

    def walk(
        self,
        model: type[BaseModel],
        sheet: str,
        prefix: str,
        reads_prefix: str,
        programmes: tuple[Programme, ...],
        *,
        skip: tuple[str, ...] = (),
    ) -> None:
        """Add ``model``'s fields to ``sheet``; ``prefix`` starts their paths (``agencies.``)."""
        hints = typing.get_type_hints(model, include_extras=True)
        specs = fact_schema(model)
        for spec in specs.values():
            if (
                spec.path in skip
                or spec.kind is Kind.RECORD
                or spec.path.startswith("report.agency")
            ):
                continue
            if spec.kind is Kind.LIST:
                self.list_field(model, hints, spec.path, sheet, prefix, reads_prefix, programmes)
                continue
            parent, _, leaf = spec.path.rpartition(".")
            owner_model = specs[parent].item if parent else model
            assert owner_model is not None
            required = _required(owner_model, leaf)
            if parent and required == "yes" and not model.model_fields[parent].is_required():
                required = "group"
            path = prefix + spec.path
            reads = (reads_prefix + spec.path,)
            words = self.words[path] if path in self.words else self.words[spec.path]
            column = Column(
                path, spec.path, spec.kind, "field", required, reads, words, spec.choices
            )
            self.add(sheet, attrs.evolve(column, programmes=programmes))
            if spec.path == "report.route":
                self.add(sheet, _agency_column(reads_prefix, programmes))

    def list_field(
        self,
        model: type[BaseModel],
        hints: dict[str, typing.Any],
        name: str,
        sheet: str,
        prefix: str,
        reads_prefix: str,
        programmes: tuple[Programme, ...],
    ) -> None:
        parent, _, leaf = name.rpartition(".")
        holder = fact_schema(model)[parent].item if parent else model  # a list inside a record
        assert holder is not None
        hint = hints[name] if holder is model else typing.get_type_hints(holder)[leaf]
        item = unwrap_optional(typing.get_args(unwrap_optional(hint))[0])
        reads = (reads_prefix + name,)
        if holder.model_fields[leaf].default is None:
            flag_path = f"{prefix}{name}.{NONE_FLAG}"
            flag = Column(
                flag_path,
                name,
                Kind.BOOL,
                "none",
                "no",
                reads,
                self.words.get(flag_path) or none_flag_words(name),
                programmes=programmes,
            )
            self.add(sheet, flag)
        owner = "owner" if name in self.shared else sheet
        self.owners[name] = owner
        self.models[name] = item
        path = f"{owner}.{self.keys.get(owner, 'credit_code')}"
        column = Column(path, path, Kind.TEXT, "owner", "yes", reads, self.owner_words[owner])
        self.add(name, column)
        if isinstance(item, type) and issubclass(item, BaseModel):
            self.walk(item, name, f"{name}.", f"{reads_prefix}{name}.", programmes)
            return
        # a list of plain values: one value column, a closed vocabulary if the values are one
        choices = None
        if isinstance(item, enum.EnumMeta):
            members: list[enum.Enum] = list(item)
            choices = tuple(str(member.value) for member in members)
        value_path = f"{name}.{ITEM}"
        value = Column(value_path, ITEM, Kind.TEXT, "field", "yes", reads, self.words[value_path])
        self.add(name, attrs.evolve(value, choices=choices, programmes=programmes))


def _agency_column(reads_prefix: str, programmes: tuple[Programme, ...]) -> Column:
    path = "report.agency"
    reads = (reads_prefix + path,)
    words = FIELD_WORDS[path]
    return Column(path, path, Kind.TEXT, "agency", "no", reads, words, programmes=programmes)


@cache
def template_sheets() -> tuple[Sheet, ...]:
    """The template's data sheets, applicants first, in the order they are written."""
    builder = LayoutBuilder()
    for programme, model in ENTITY_TYPES.items():
        builder.walk(model, "applicants", "", "", (programme,), skip=("credit_code", "name"))
    builder.walk(EvaluationAgency, "agencies", "agencies.", "report.agency.", ())
    order = ["applicants", "memberships", "energy", "enterprises", "suppliers", "waivers"]
    order += [*STANDING_LISTS, "agencies", "annual_reports"]
    if set(builder.columns) != set(order):  # a new list field needs a place and words
        raise LookupError(f"template sheets {sorted(builder.columns)} differ from {order}")
    return tuple(
        Sheet(
            key,
            tuple(_ordered(key, builder.columns[key])),
            builder.owners.get(key),
            builder.models.get(key, EvaluationAgency if key == "agencies" else None),
        )
        for key in order
    )


def _programme_column() -> Column:
    return Column(
        "programme",
        "programme",
        Kind.TEXT,
        "field",
        "yes",
        (),
        FIELD_WORDS["programme"],
        tuple(p.value for p in Programme),
        tuple(Programme),
    )


def _ordered(key: str, columns: dict[str, Column]) -> Iterator[Column]:
    """Identity first (owner, programme, credit code, name), then the model's order."""
    first = ["owner.credit_code", "applicants.credit_code", "agencies.credit_code", "programme"]
    if key == "applicants":
        yield from (_programme_column(), _identity("credit_code"), _identity("name"))
    for path in first:
        if path in columns and path != "programme":
            yield columns[path]
    for path, column in columns.items():
        if path not in first:
            yield column


def _identity(name: str) -> Column:
    return Column(
        name, name, Kind.TEXT, "field", "yes", (name,), FIELD_WORDS[name], None, tuple(Programme)
    )
