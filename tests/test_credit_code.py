"""Tests for the unified social credit code check (GB 32100-2015)."""

from __future__ import annotations

import pytest

from greenrules._model.credit_code import (
    ALPHABET,
    check_character,
    credit_code_problem,
    make_credit_code,
)

# Published codes of real companies, used only to prove the checksum matches the standard.
REAL_CODES = ["91350100M000100Y43", "91110000600037341L", "911100001000128855"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    """Codes issued by the registration authorities pass the check."""
    assert credit_code_problem(code) is None


def test_changed_check_character_is_reported() -> None:
    """A wrong final character is named, with the expected one."""
    problem = credit_code_problem("91350100M000100Y44")
    assert problem is not None and "expected '3'" in problem


def test_wrong_length_and_alphabet_are_reported() -> None:
    """Length and characters outside the alphabet (I, O, S, V, Z) are reported."""
    assert "18 characters" in (credit_code_problem("9135") or "")
    assert "alphabet" in (credit_code_problem("91350100M000100YO3") or "")


def test_every_single_character_typo_is_caught() -> None:
    """Changing any one of the first 17 characters breaks the checksum."""
    code = REAL_CODES[0]
    for i in range(17):
        for ch in ALPHABET:
            if ch != code[i]:
                typo = code[:i] + ch + code[i + 1 :]
                assert credit_code_problem(typo) is not None


def test_make_credit_code_completes_a_body() -> None:
    """make_credit_code appends the check character."""
    assert make_credit_code("91350100M000100Y4") == "91350100M000100Y43"
    assert check_character("91110000600037341") == "L"
