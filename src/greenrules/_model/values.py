"""Value types the entities are made of: codes, energy figures, water status, list memberships.

All are frozen pydantic models that reject unknown fields and wrong types. Every fact that a unit
may not know is optional, and None means "not known" (never "no" and never zero): the
evaluator turns a rule that needs it into an ``unknown`` verdict and names it as missing.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from greenrules._model.credit_code import credit_code_problem
from greenrules._model.enums import Programme, Tier
from greenrules._model.industry_code import industry_code_problem, stored_industry_code

MAX_INTEGER = 2**53
"""The largest integer a fact may hold, in every engine: beyond it a float cannot hold it
exactly, so engines comparing as doubles (rete, SQL) would disagree with Python."""

_MODEL_CONFIG = ConfigDict(
    frozen=True,
    extra="forbid",
    allow_inf_nan=False,
    str_strip_whitespace=True,
    validate_default=False,
    revalidate_instances="always",
)
"""``revalidate_instances``: a model passed in where a model is expected (a ``model_construct``
result, a ``model_copy(update=...)``) is validated again, so nothing unvalidated hides inside a
validated entity."""


class StrictModel(BaseModel):
    """Base of every input model: immutable, no unknown fields, no NaN or infinity.

    Scalars are strict (``"1"`` is not a number, ``1`` is not a boolean); containers are lax so
    that JSON lists and objects validate into tuples and models.
    """

    model_config = _MODEL_CONFIG


def check_credit_code(value: str) -> str:
    problem = credit_code_problem(value)
    if problem is not None:
        raise PydanticCustomError(
            "bad-credit-code",
            "not a valid unified social credit code: {problem}",
            {"problem": problem},
        )
    return value


def check_division_code(value: str) -> str:
    if len(value) != 6 or not value.isdigit():
        raise PydanticCustomError(
            "bad-city-code", "a city is written as its 6-digit administrative division code"
        )
    return value


CreditCode = Annotated[StrictStr, AfterValidator(check_credit_code)]
"""An 18-character unified social credit code whose check character is verified."""

DivisionCode = Annotated[StrictStr, AfterValidator(check_division_code)]
"""A 6-digit administrative division code (GB/T 2260), e.g. ``150200`` for Baotou."""


def check_industry_code(value: str) -> str:
    problem = industry_code_problem(value)
    if problem is not None:
        raise PydanticCustomError(
            "bad-industry-code",
            "not a GB/T 4754 industry code: {problem}",
            {"problem": problem},
        )
    return stored_industry_code(value)


IndustryCode = Annotated[StrictStr, AfterValidator(check_industry_code)]
"""A GB/T 4754 division, group or class, stored as digits: ``C4210`` is kept as ``4210``."""


def _to_date(value: object) -> object:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise PydanticCustomError("bad-date", "expected a date written YYYY-MM-DD")


Date = Annotated[dt.date, BeforeValidator(_to_date)]
"""A calendar date; ISO strings (``2025-05-30``) are accepted from JSON and tables."""

Text = Annotated[StrictStr, Field(min_length=1)]


class EvaluationRoute(enum.StrEnum):
    """How the evaluation report was produced: by the applicant itself or by a third party."""

    SELF = "self"
    THIRD_PARTY = "third_party"


class ChainRole(enum.StrEnum):
    """A supply-chain management enterprise's position in its chain."""

    LEADING = "leading"
    CORE = "core"
    MEMBER = "member"


class Industry(StrictModel):
    """The unit's industry: a GB/T 4754 code and name, and whether it is a key energy field."""

    code: IndustryCode | None = None
    name: StrictStr | None = None
    key_field: StrictBool | None = None


class EnergyPerformance(StrictModel):
    """One product's energy consumption per unit of output; lower is better, negatives are real."""

    product: Text
    value: StrictFloat | None = None
    unit: StrictStr | None = None


class WaterStatus(StrictModel):
    """Whether the unit is a key water user and whether it is certified water-saving."""

    key_water_user: StrictBool | None = None
    water_saving_certified: StrictBool | None = None


class ListMembership(StrictModel):
    """A place on a green manufacturing list: programme, tier, year announced, still valid."""

    programme: Programme
    tier: Tier
    year: StrictInt = Field(ge=2000, le=2100)
    valid: StrictBool = True


class Waiver(StrictModel):
    """A written justification for not meeting one in-principle rule, for a reviewer to weigh."""

    rule: Text
    justification: StrictStr = Field(min_length=10)


class AnnualReport(StrictModel):
    """An evaluation agency's annual work report and when it was filed.

    ``year`` is the year the report was due (filed by the deadline of that year), so "did not
    file its 2024 report on time" reads the report with ``year: 2024``.
    """

    year: StrictInt = Field(ge=2000, le=2100)
    filed_on: Date | None = None


class EvaluationAgency(StrictModel):
    """A third-party evaluation agency (第三方评价机构) and its standing with the authorities.

    ``national_projects`` counts the national-level evaluation projects that this agency and
    every agency sharing its legal representative carry in the round's year: national rules
    cap that number, and the cap is pack data, so the agency record carries only the count.
    """

    credit_code: CreditCode
    name: Text
    registered_on: Date | None = None
    """When the agency was registered (established): an annual report falling due before it
    was not owed."""
    blacklisted_on: Date | None = None
    annual_reports: tuple[AnnualReport, ...] | None = None
    national_projects: StrictInt | None = Field(default=None, ge=0, le=MAX_INTEGER)


class EvaluationReport(StrictModel):
    """The evaluation report an applicant submits: route, agency (if third party) and date."""

    route: EvaluationRoute
    agency: EvaluationAgency | None = None
    issued_on: Date | None = None

    @field_validator("agency")
    @classmethod
    def _no_agency_on_self_evaluation(
        cls, agency: EvaluationAgency | None, info: ValidationInfo
    ) -> EvaluationAgency | None:
        """A self-evaluation has no agency: naming one is a contradiction, never ignored."""
        if agency is not None and info.data.get("route") is EvaluationRoute.SELF:
            raise PydanticCustomError(
                "self-route-agency",
                "a self-evaluated report (route self) names no evaluation agency",
            )
        return agency


class Event(StrictModel):
    """Something that happened to a unit on one day: an accident, a penalty, a finding."""

    happened_on: Date


class Spell(StrictModel):
    """A stretch of time a unit was in some state, from ``start`` to ``end`` (both inclusive).

    ``end`` is None while the state lasts. An end before the start is refused (``bad-period``).
    """

    ordered_fields: ClassVar[tuple[str, str]] = ("start", "end")
    """The two dates that must not be out of order; generated test data honours it too."""

    start: Date
    end: Date | None = None

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Spell:
        if self.end is not None and self.end < self.start:
            raise PydanticCustomError(
                "bad-period",
                "the spell ends ({end}) before it starts ({start})",
                {"start": self.start.isoformat(), "end": self.end.isoformat()},
            )
        return self


class Standing(StrictModel):
    """The unit's record that exclusion and removal rules ask about.

    The exclusions count what happened in the three years before the evaluation date, so each
    is dated: an :class:`Event` on the day it happened, a :class:`Spell` over the period it
    covers. An empty tuple says there was none; None says the record is not known.
    """

    abnormal_operation: tuple[Spell, ...] | None = None
    """Spells of not operating normally: deregistered (from that day, no end), production
    stopped for 12 months or more in a row, or on the market regulator's abnormal-operation
    list until taken off it."""
    incidents: tuple[Event, ...] | None = None
    """Safety (network and data security included), quality or environmental-pollution
    accidents, and illegal acts such as tax evasion, on the public credit record, each on the
    day it happened."""
    removed_from_list: StrictBool | None = None
    """Whether dynamic management ever removed the unit from a green-manufacturing list."""
    removed_on: Date | None = None
    """When the unit's latest removal was announced (公告), the day the removal exclusion's
    three years run from; read when ``removed_from_list`` is true."""
    inspection_findings: tuple[Event, ...] | None = None
    """Serious problems found in supervision by the State Council and the ministries
    concerned, each on the day it was found."""
    energy_rectification: tuple[Spell, ...] | None = None
    """Spells on the industrial energy-saving supervision rectification list without having
    rectified as required, from the listing until rectification was completed."""
    dishonest_debtor: tuple[Spell, ...] | None = None
    """Spells on the list of dishonest judgment debtors, from the listing to the removal."""
    major_accident: StrictBool | None = None
    """A major (or larger) production-safety or quality accident, or a major (or larger)
    environmental emergency, since the unit was listed: the ground for removal from a list."""
    falsified_materials: StrictBool | None = None
    """Materials or data the unit gave the authorities were found falsified."""
    material_change: StrictBool | None = None
    """The unit's name, scope, site or boundary changed materially (investment, merger) since
    it was listed, so that its conformity has to be judged again."""


class Conformity(StrictModel):
    """The programme conditions an evaluation report attests to."""

    legal_entity: StrictBool | None = None
    """A legal person, or an independently accounted unit treated as one
    (视同法人的独立核算单位)."""
    in_production: StrictBool | None = None
    management_systems: StrictBool | None = None
    beats_industry_average: StrictBool | None = None
    accepts_energy_supervision: StrictBool | None = None
    meets_evaluation_standard: StrictBool | None = None


class Member(StrictModel):
    """A related enterprise (a park's resident, a chain's supplier), its lists and its record.

    A park's exclusions include the enterprises inside it, so a resident's ``standing`` is read
    by the park's exclusion rules.
    """

    credit_code: CreditCode
    name: Text
    memberships: tuple[ListMembership, ...] | None = None
    standing: Standing = Standing()
