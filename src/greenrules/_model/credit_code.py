"""The unified social credit code (统一社会信用代码) and its check character (GB 32100-2015).

Every legal person in China carries one 18-character code; the last character is a weighted
mod-31 checksum of the first 17, so a typo is almost always caught at the input boundary.
"""

from __future__ import annotations

from operator import mul

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_ALLOWED = frozenset(ALPHABET)


def check_character(body: str) -> str:
    """Return the check character for the first 17 characters of a code."""
    if len(body) != len(WEIGHTS):
        raise ValueError(f"a code body has {len(WEIGHTS)} characters, not {len(body)}")
    return ALPHABET[-sum(map(mul, map(_VALUE.__getitem__, body), WEIGHTS)) % 31]


def credit_code_problem(code: str) -> str | None:
    """Say what is wrong with ``code``, or return None when it is a valid credit code.

    Runs once per code of every record loaded, so the valid case is a few C-level calls.
    """
    if len(code) != 18:
        return f"must have 18 characters, has {len(code)}"
    if not _ALLOWED.issuperset(code):
        bad = sorted(set(code) - _ALLOWED)
        return f"contains characters outside GB 32100's alphabet: {''.join(bad)}"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, expected {expected!r}"
    return None


def make_credit_code(body: str) -> str:
    """Complete a 17-character body with its check character (for examples and test data)."""
    return body + check_character(body)
