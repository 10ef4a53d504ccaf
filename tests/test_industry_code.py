"""Tests for GB/T 4754 industry codes: one stored form, a wrong section letter refused."""

from __future__ import annotations

import pydantic
import pytest

import greenrules as gr
from greenrules._model.industry_code import (
    SECTIONS,
    industry_code_problem,
    section_of,
    stored_industry_code,
)


@pytest.mark.parametrize(
    ("written", "stored"),
    [("C4210", "4210"), ("4210", "4210"), ("42", "42"), ("C421", "421"), ("N7724", "7724")],
)
def test_a_code_with_or_without_its_section_letter_is_stored_as_digits(
    written: str, stored: str
) -> None:
    """``C4210`` and ``4210`` are the same class and are kept in one form."""
    assert industry_code_problem(written) is None
    assert stored_industry_code(written) == stored
    assert gr.Industry(code=written).code == stored


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("A4210", "division 42 is in section C, not A"),
        ("00", "no division 00"),
        ("98", "no division 98"),
        ("4", "2 to 4 digits"),
        ("42101", "2 to 4 digits"),
        ("c4210", "2 to 4 digits"),
        ("C", "2 to 4 digits"),
    ],
)
def test_a_code_that_is_not_gbt_4754_is_refused_with_the_reason(written: str, says: str) -> None:
    """A mistyped code is refused as bad-industry-code, never silently stored."""
    assert says in (industry_code_problem(written) or "")
    with pytest.raises(pydantic.ValidationError) as caught:
        gr.Industry(code=written)
    (error,) = caught.value.errors()
    assert error["type"] == "bad-industry-code" and says in error["msg"]


def test_sections_cover_divisions_01_to_97_without_gaps_or_overlaps() -> None:
    """Every division 01..97 is in exactly one section, in order A..T."""
    covered = [d for _, first, last in SECTIONS for d in range(first, last + 1)]
    assert covered == list(range(1, 98))
    assert [letter for letter, _, _ in SECTIONS] == list("ABCDEFGHIJKLMNOPQRST")
    assert section_of(13) == section_of(43) == "C" and section_of(44) == "D"
