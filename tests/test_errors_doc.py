"""Tests that every error code the library can raise is documented in docs/errors.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
SOURCE = ROOT / "src" / "greenrules"
DOC = ROOT / "docs" / "errors.md"

RAISED = re.compile(r'(?:InputProblem|PackProblem|problems\.add|_problem)\(\s*"([a-z][a-z-]*)"')


def documented() -> set[str]:
    return set(re.findall(r"^### ([a-z][a-z-]*)$", DOC.read_text(encoding="utf-8"), re.M))


def raised() -> set[str]:
    codes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        codes |= set(RAISED.findall(path.read_text(encoding="utf-8")))
    from greenrules._io import loaders as _loaders
    from greenrules._io.problem_codes import PYDANTIC_CODES

    codes |= set(PYDANTIC_CODES.values()) | _loaders._CUSTOM
    return codes


def test_every_raised_code_has_a_heading() -> None:
    """A code used in the source without a docs heading fails the build."""
    missing = sorted(raised() - documented())
    assert not missing, f"undocumented error codes: {missing}"


def test_every_pack_code_with_an_example_folder_is_documented() -> None:
    """Each broken-pack example folder is named after a documented code."""
    folders = {p.name for p in (ROOT / "tests" / "broken_packs").iterdir()}
    assert folders <= documented()
