"""Industry codes of GB/T 4754-2017 (国民经济行业分类), in one stored form.

A code is a division (大类, 2 digits), a group (中类, 3) or a class (小类, 4), and may be written
after the letter of its section (门类): ``C4210`` and ``4210`` are the same class. The models
store the digits alone, so rules compare one form; a letter that is not the division's section
is refused rather than dropped, since it means the code was mistyped.
"""

from __future__ import annotations

import re

SECTIONS = (
    ("A", 1, 5),
    ("B", 6, 12),
    ("C", 13, 43),
    ("D", 44, 46),
    ("E", 47, 50),
    ("F", 51, 52),
    ("G", 53, 60),
    ("H", 61, 62),
    ("I", 63, 65),
    ("J", 66, 69),
    ("K", 70, 70),
    ("L", 71, 72),
    ("M", 73, 75),
    ("N", 76, 79),
    ("O", 80, 82),
    ("P", 83, 83),
    ("Q", 84, 85),
    ("R", 86, 90),
    ("S", 91, 96),
    ("T", 97, 97),
)
"""Each section's letter and its first and last division (GB/T 4754-2017)."""

_SHAPE = re.compile(r"([A-T]?)([0-9]{2,4})")


def section_of(division: int) -> str | None:
    """The letter of the section holding ``division``, or None for a division there is not."""
    for letter, first, last in SECTIONS:
        if first <= division <= last:
            return letter
    return None


def industry_code_problem(code: str) -> str | None:
    """Say what is wrong with ``code``, or return None when it is a GB/T 4754 code."""
    match = _SHAPE.fullmatch(code)
    if match is None:
        return "write 2 to 4 digits (division, group or class), optionally after the section letter"
    letter, digits = match.groups()
    section = section_of(int(digits[:2]))
    if section is None:
        return f"there is no division {digits[:2]}"
    if letter and letter != section:
        return f"division {digits[:2]} is in section {section}, not {letter}"
    return None


def stored_industry_code(code: str) -> str:
    """The digits of a valid code, without its section letter (``C4210`` -> ``4210``)."""
    return code.lstrip("ABCDEFGHIJKLMNOPQRST")
