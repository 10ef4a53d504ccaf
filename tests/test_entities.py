"""Tests for the entity models at the input boundary."""

from __future__ import annotations

import datetime as dt

import pydantic
import pytest

import greenrules as gr
from conftest import credit_code, factory


def test_entities_are_immutable() -> None:
    """Assigning to a field of an entity raises: the caller's data cannot change under it."""
    f = factory()
    with pytest.raises(pydantic.ValidationError):
        f.name = "other"  # type: ignore[misc]


def test_unknown_fields_are_rejected() -> None:
    """A misspelt field is an error, not silently dropped."""
    with pytest.raises(pydantic.ValidationError, match="extra"):
        gr.Factory(credit_code=credit_code(1), name="x", colour="green")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("water", {"key_water_user": "yes"}),  # a string is not a boolean
        ("water", {"key_water_user": 1}),  # nor is a number
        ("energy", [{"product": "widget", "value": "95"}]),  # a string is not a number
        ("energy", [{"product": "widget", "value": float("nan")}]),  # NaN is not a value
        ("submitted_on", 20300501),  # a number is not a date
        ("submitted_on", "2030-13-01"),  # nor is a bad date
        ("city", "15020"),  # a division code has 6 digits
    ],
)
def test_wrong_types_are_rejected(field: str, value: object) -> None:
    """Scalars are strict: no coercion from text or numbers."""
    with pytest.raises(pydantic.ValidationError):
        factory(**{field: value})


def test_missing_optional_facts_are_none() -> None:
    """Facts nobody supplied are None (unknown), never False or zero."""
    f = gr.Factory(credit_code=credit_code(1), name="bare")
    assert f.water.key_water_user is None
    assert f.energy is None
    assert f.report is None


def test_dates_accept_iso_text_and_dates() -> None:
    """Dates come as ISO text from files or as date objects from code."""
    assert factory(submitted_on="2030-05-01").submitted_on == dt.date(2030, 5, 1)
    assert factory(submitted_on=dt.date(2030, 5, 1)).submitted_on == dt.date(2030, 5, 1)


def test_datetime_is_not_a_date() -> None:
    """A datetime carries a time of day and a zone question: it is refused."""
    with pytest.raises(pydantic.ValidationError):
        factory(submitted_on=dt.datetime(2030, 5, 1, 12, 0))


def test_input_data_is_not_mutated() -> None:
    """Validating a dict leaves the caller's dict exactly as it was."""
    data = {"credit_code": credit_code(2), "name": "x", "energy": [{"product": "w", "value": 1}]}
    snapshot = repr(data)
    gr.Factory.model_validate(data)
    assert repr(data) == snapshot


def test_negative_energy_values_are_kept() -> None:
    """Negative consumption is real (energy exported) and is not altered."""
    assert factory(energy=[{"product": "gadget", "value": -35.0}]).energy[0].value == -35.0  # type: ignore[index]


def test_waiver_needs_a_justification() -> None:
    """A waiver without a written justification of some substance is refused."""
    with pytest.raises(pydantic.ValidationError):
        gr.Waiver(rule="B-F-water", justification="ok")


def test_programme_is_fixed_per_type() -> None:
    """Each entity type knows its programme."""
    assert gr.Factory.programme is gr.Programme.FACTORY
    assert gr.IndustrialPark.programme is gr.Programme.PARK
    assert gr.SupplyChainEnterprise.programme is gr.Programme.SUPPLY_CHAIN


def test_entity_id_is_the_credit_code() -> None:
    """The entity's id in decisions is its credit code."""
    assert factory(3).id == credit_code(3)
