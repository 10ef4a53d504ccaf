"""The schema of a pack's data files, checked strictly: an unknown key is an error, not ignored.

A pack folder holds ``pack.yaml`` (identity and layering), ``clauses.yaml`` (the catalogue of
its source document), optional ``params.yaml`` (dated parameters), ``rules/*.yaml`` (one file
per programme), the reference tables ``pack.yaml`` names, and ``cases/*.yaml``. See
``docs/reference/pack-format.md``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from greenrules._model.enums import Outcome, Programme, Strength, Tier
from greenrules._model.facts import Kind
from greenrules._rules.rules import ClauseKind, CoverageHow, Direction


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BilingualData(_File):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class PeriodData(_File):
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None


class SourceData(_File):
    title: str
    issuer: str
    date: dt.date
    document: str | None = None


class TableData(_File):
    file: str
    key: str
    columns: dict[str, Kind]
    description: str = ""
    invariants: list[dict[str, Any]] = []


class NeutralizeData(_File):
    rule: str
    reason: str = Field(min_length=10)


class ClosedData(_File):
    programme: Programme
    tier: Tier
    clause: str
    reason: BilingualData


BaseName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*(@[0-9]{4})?$")]
"""A base pack as ``pack.yaml`` names it: its id, optionally ``@round`` when not the pack's own."""


class PackData(_File):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str
    jurisdiction: str = Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
    rounds: list[int] = Field(min_length=1)
    name: BilingualData
    source: SourceData
    evaluation_dates: dict[int, dt.date]
    programmes: list[Programme] = Field(min_length=1)
    tiers: list[Tier] = Field(min_length=1)
    shared: bool = False
    extends: BaseName | list[BaseName] | None = None
    extends_round: int | None = None
    neutralizes: list[NeutralizeData] = []
    closed: list[ClosedData] = []
    tables: dict[str, TableData] = {}


class CoverageData(_File):
    how: CoverageHow
    note: str = ""
    by: list[str] = []


class ClauseData(_File):
    id: str
    kind: ClauseKind
    section: str
    summary: BilingualData
    coverage: CoverageData


class ClauseFile(_File):
    clauses: list[ClauseData] = Field(min_length=1)


class DatedValueData(_File):
    value: Any
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None
    source: str = Field(min_length=1)
    confidence: str = ""


class ParamData(_File):
    kind: Kind
    description: str = ""
    values: list[DatedValueData] = Field(min_length=1)


class ParamFile(_File):
    params: dict[str, ParamData]


class RuleData(_File):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    clause: str
    tiers: list[Tier] = Field(min_length=1)
    strength: Strength
    summary: BilingualData
    requires: dict[str, Any] | None = None
    applies_if: dict[str, Any] | None = None
    on_fail: Outcome | None = None
    score: dict[str, Any] | None = None
    points: float = Field(default=1.0, allow_inf_nan=False)
    order: int = 0
    effective: PeriodData = PeriodData()
    replaces: list[str] = []
    monotone: dict[str, Direction] = {}


class RuleFile(_File):
    programme: Programme
    priority_levels: dict[int, BilingualData] = {}
    rules: list[RuleData] = Field(min_length=1)
