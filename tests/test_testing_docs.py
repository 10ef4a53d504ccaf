"""Tests that greenrules.testing's public API is exactly what its reference documents."""

from __future__ import annotations

import re
from pathlib import Path

import greenrules.testing

ROOT = Path(__file__).parents[1]
REFERENCE = ROOT / "docs" / "reference" / "testing.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def test_all_is_sorted_public_and_importable() -> None:
    """__all__ is sorted, names nothing private, and every name exists."""
    names = greenrules.testing.__all__
    assert names == sorted(names)
    assert not [n for n in names if n.startswith("_")]
    assert all(hasattr(greenrules.testing, n) for n in names)


def test_nothing_public_is_left_out_of_all() -> None:
    """Every public attribute of the package is listed in __all__ (private modules aside)."""
    public = {n for n in vars(greenrules.testing) if not n.startswith(("_", "@"))}  # @: pytest
    assert public - {"annotations"} == set(greenrules.testing.__all__)


def test_every_export_has_a_reference_heading() -> None:
    """Each export has a `### name` heading in docs/reference/testing.md, and nothing else does."""
    headings = set(re.findall(r"^### `([A-Za-z_]+)`$", REFERENCE.read_text(encoding="utf-8"), re.M))
    assert headings == set(greenrules.testing.__all__)


def test_the_reference_examples_run() -> None:
    """The Python examples of the reference run as written, in order."""
    namespace: dict[str, object] = {}
    for block in BLOCK.findall(REFERENCE.read_text(encoding="utf-8")):
        # An <angle-bracket> name: inspect must not read the Markdown file as Python source.
        exec(compile(block, f"<{REFERENCE.name}>", "exec"), namespace)  # our own documentation
