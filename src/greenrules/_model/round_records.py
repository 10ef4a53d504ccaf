"""Records of a round as it is run: what each city sent, what the region did, the listed units.

A rule decides one applicant; a round also has duties with dates (a city's list by 30 May, a
listed unit's annual form by 15 April). These models are what a region department writes down
about those duties, validated as strictly as the applicants: frozen, no unknown field, no
coercion. A date left out (None) means "no record of it": the round status reads that as not
done, and calls it unknown until the duty's deadline has passed.
"""

from __future__ import annotations

import enum

from pydantic import Field, StrictBool, StrictInt

from greenrules._model.enums import Programme, Tier
from greenrules._model.values import (
    CreditCode,
    Date,
    DivisionCode,
    EvaluationAgency,
    Standing,
    StrictModel,
    Text,
)


class Actor(enum.StrEnum):
    """Who acts in a round's procedure; each kind of actor has one kind of record."""

    APPLICANT = "applicant"
    CITY_BUREAU = "city_bureau"
    REGION_DEPARTMENT = "region_department"
    AGENCY = "agency"
    LISTED_UNIT = "listed_unit"


class Department(enum.StrEnum):
    """A department a local industry bureau consults before it fixes its recommendation list."""

    ECOLOGY_ENVIRONMENT = "ecology_environment"
    EMERGENCY_MANAGEMENT = "emergency_management"
    MARKET_REGULATION = "market_regulation"
    OTHER = "other"


class Recommendation(StrictModel):
    """One unit on a city's recommendation list, and when it gave the bureau its report."""

    credit_code: CreditCode
    name: Text
    programme: Programme
    tier: Tier = Tier.PROVINCE
    report_submitted_on: Date | None = None


class CitySubmission(StrictModel):
    """What one city (league) bureau did and sent in the round, as the region recorded it.

    ``sent_on`` is the day the list, the review opinion and the applicants' materials reached
    the region department; the products of that step have their own fields, so a submission
    that arrived without its review opinion says so.
    """

    city: DivisionCode
    consulted: tuple[Department, ...] | None = None
    """The departments the bureau consulted before fixing its list (None: not recorded)."""
    objections: tuple[CreditCode, ...] = ()
    """Units a consulted department objected to."""
    review_opinion_on: Date | None = None
    sent_on: Date | None = None
    copies: StrictInt | None = Field(default=None, ge=0)
    electronic: StrictBool | None = None
    recommended: tuple[Recommendation, ...] = ()


class RegionRecord(StrictModel):
    """What the region department did: reviews, publicity, the published list, the upload."""

    material_review_on: Date | None = None
    expert_review_on: Date | None = None
    publicity_from: Date | None = None
    published_on: Date | None = None
    national_upload_on: Date | None = None


class FormFiling(StrictModel):
    """A listed unit's annual dynamic-management form: the year it was due and when filed."""

    year: StrictInt = Field(ge=2000, le=2100)
    filed_on: Date | None = None


class ListedUnit(StrictModel):
    """A unit already on a green manufacturing list, between rounds.

    ``forms`` lists the dynamic-management forms by the year they were due; ``standing`` is
    the same record an applicant carries, so the removal conditions are the applicant rules.
    """

    credit_code: CreditCode
    name: Text
    city: DivisionCode | None = None
    programme: Programme
    tier: Tier
    year: StrictInt = Field(ge=2000, le=2100)
    """The year the unit was announced."""
    removed_on: Date | None = None
    removal_announced_on: Date | None = None
    forms: tuple[FormFiling, ...] = ()
    review_materials_on: Date | None = None
    standing: Standing = Standing()


class RoundRecords(StrictModel):
    """Everything recorded about one round of one jurisdiction, as of the day it was written."""

    jurisdiction: Text
    round: StrictInt = Field(ge=2000, le=2100)
    source: Text | None = None
    """Where the records come from (a register, a date, or that they are an example)."""
    cities: tuple[CitySubmission, ...] = ()
    region: RegionRecord | None = None
    listed_units: tuple[ListedUnit, ...] = ()
    agencies: tuple[EvaluationAgency, ...] = ()


RECORD_TYPES: dict[Actor, type[StrictModel]] = {
    Actor.APPLICANT: Recommendation,
    Actor.CITY_BUREAU: CitySubmission,
    Actor.REGION_DEPARTMENT: RegionRecord,
    Actor.AGENCY: EvaluationAgency,
    Actor.LISTED_UNIT: ListedUnit,
}
"""The record each actor's duties are read from; a procedure's evidence names its fields."""

__all__ = [
    "RECORD_TYPES",
    "Actor",
    "CitySubmission",
    "Department",
    "FormFiling",
    "ListedUnit",
    "Recommendation",
    "RegionRecord",
    "RoundRecords",
]
