"""The entities greenrules evaluates, and the agency they refer to.

These models are the input boundary: they validate strictly, never coerce silently, and are
frozen so the caller's data can be shared with the evaluator without being changed by it.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any, ClassVar, Self, cast

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    StrictFloat,
    model_serializer,
    model_validator,
)

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

_UNVALIDATED: dict[int, weakref.ref[Applicant]] = {}
"""Applicants pydantic did not validate (``model_construct``, ``model_copy(update=...)``), by
identity; an entry goes when its applicant does. Every other applicant was validated."""


def unvalidated(entity: Applicant) -> bool:
    """Whether pydantic skipped validating ``entity``: a dict lookup, never a validation."""
    return id(entity) in _UNVALIDATED


def _remember_unvalidated(entity: Applicant) -> None:
    key = id(entity)
    _UNVALIDATED[key] = weakref.ref(entity, lambda _: _UNVALIDATED.pop(key, None))


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

    @model_validator(mode="before")
    @classmethod
    def _drop_own_programme(cls, data: Any) -> Any:
        """Accept the ``programme`` key ``model_dump`` writes, when it names this model's."""
        if isinstance(data, dict) and data.get("programme", None) == cls.programme:
            return {k: v for k, v in data.items() if k != "programme"}
        return data

    @model_serializer(mode="wrap")
    def _with_programme(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The fields and the programme: what ``load_entities`` needs to read the dump back."""
        return {"programme": self.programme.value, **handler(self)}

    @classmethod  # type: ignore[no-redef]  # over the pydantic plugin's synthesised one
    def model_construct(  # type: ignore[override]
        cls, _fields_set: set[str] | None = None, **values: Any
    ) -> Self:
        """Pydantic's unvalidated construction, remembered: evaluation validates it first."""
        made = cast(Self, super().model_construct(_fields_set, **values))
        _remember_unvalidated(made)
        return made

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """Pydantic's copy; a copy with ``update`` is unvalidated, and remembered as such."""
        made = super().model_copy(update=update, deep=deep)
        if update:
            _remember_unvalidated(made)
        return made

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
