"""The entities greenrules evaluates, and the agency they refer to.

These models are the input boundary: they validate strictly, never coerce silently, and are
frozen so the caller's data can be shared with the evaluator without being changed by it.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, StrictBool, StrictFloat

from greenrules._model.enums import Programme
from greenrules._model.values import (
    ChainRole,
    Conformity,
    CreditCode,
    Date,
    DivisionCode,
    EnergyPerformance,
    EvaluationAgency,
    EvaluationReport,
    Industry,
    ListMembership,
    Member,
    Standing,
    StrictModel,
    Text,
    Waiver,
    WaterStatus,
)


class Applicant(StrictModel):
    """What every applicant (factory, park, supply-chain enterprise) declares."""

    programme: ClassVar[Programme]

    credit_code: CreditCode
    name: Text
    city: DivisionCode | None = None
    industry: Industry = Industry()
    water: WaterStatus = WaterStatus()
    memberships: tuple[ListMembership, ...] | None = None
    report: EvaluationReport | None = None
    submitted_on: Date | None = None
    standing: Standing = Standing()
    conformity: Conformity = Conformity()
    waivers: tuple[Waiver, ...] = ()
    dynamic_form_filed_on: Date | None = None
    """When a unit already on a list filed this year's dynamic-management form (None: not
    filed, or not known); listed units file it every year by a date their province sets."""
    department_objection: StrictBool | None = None
    """Whether a department the local authority consulted before fixing its list (ecology
    and environment, emergency management, market regulation) objected to this unit; None
    while the consultation has not been held or its answer is not recorded."""

    @property
    def id(self) -> str:
        """The entity's identity in decisions and tables: its credit code."""
        return self.credit_code


class Factory(Applicant):
    """A green factory applicant (绿色工厂)."""

    programme: ClassVar[Programme] = Programme.FACTORY

    energy: tuple[EnergyPerformance, ...] | None = None
    resource_utilisation: StrictBool | None = None


class IndustrialPark(Applicant):
    """A green industrial park applicant (绿色工业园区); ``water`` describes the park."""

    programme: ClassVar[Programme] = Programme.PARK

    management_body: StrictBool | None = None
    industry_value_added_share: StrictFloat | None = Field(default=None, ge=0, le=1)
    cultivation_plan_published: StrictBool | None = None
    circular_transformation: StrictBool | None = None
    green_microgrid: StrictBool | None = None
    enterprises: tuple[Member, ...] | None = None


class SupplyChainEnterprise(Applicant):
    """A green supply-chain management enterprise applicant (绿色供应链管理企业)."""

    programme: ClassVar[Programme] = Programme.SUPPLY_CHAIN

    chain_role: ChainRole | None = None
    annual_revenue_cny: StrictFloat | None = Field(default=None, ge=0)
    market_share: StrictFloat | None = Field(default=None, ge=0, le=1)
    chain_complete: StrictBool | None = None
    supplier_management_system: StrictBool | None = None
    green_supplier_plan: StrictBool | None = None
    suppliers: tuple[Member, ...] | None = None


ENTITY_TYPES: dict[Programme, type[Applicant]] = {
    Programme.FACTORY: Factory,
    Programme.PARK: IndustrialPark,
    Programme.SUPPLY_CHAIN: SupplyChainEnterprise,
}

__all__ = [
    "ENTITY_TYPES",
    "Applicant",
    "EvaluationAgency",
    "Factory",
    "IndustrialPark",
    "SupplyChainEnterprise",
]
