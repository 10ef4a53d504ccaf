"""Tests for the public API boundary: what is exported, sorted, documented, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import greenrules

API_DOC = Path(__file__).parents[1] / "docs" / "reference" / "api.md"
PUBLIC_SUBMODULES = {"exceptions", "testing"}


def test_all_is_sorted_and_unique() -> None:
    """__all__ is sorted, so additions show up clearly in review."""
    assert list(greenrules.__all__) == sorted(set(greenrules.__all__))


def test_every_export_exists() -> None:
    """Each name in __all__ is importable from greenrules."""
    for name in greenrules.__all__:
        assert hasattr(greenrules, name), name


def test_nothing_private_leaks() -> None:
    """Every public attribute of the package is exported or a deliberately public submodule."""
    # pytest adds "@py_..." helpers to modules of plug-in distributions; they are not names.
    public = {n for n in dir(greenrules) if n.isidentifier() and not n.startswith("_")}
    leaked = public - set(greenrules.__all__) - PUBLIC_SUBMODULES
    assert not leaked, f"not in __all__: {sorted(leaked)}"


def test_exports_are_defined_by_greenrules() -> None:
    """No export is a re-exported third-party object (pydantic, attrs, ...)."""
    for name in greenrules.__all__:
        module = getattr(getattr(greenrules, name), "__module__", "greenrules")
        assert module.startswith("greenrules"), (name, module)


def test_every_export_is_documented() -> None:
    """docs/reference/api.md has a heading for each export."""
    text = API_DOC.read_text(encoding="utf-8")
    headings = set(re.findall(r"^#{2,4} `?(?:greenrules\.)?([A-Za-z_]+)", text, re.MULTILINE))
    missing = sorted(set(greenrules.__all__) - headings)
    assert not missing, f"undocumented exports: {missing}"


def test_errors_share_one_root() -> None:
    """Every exported exception derives from GreenrulesError."""
    for name in greenrules.__all__:
        obj = getattr(greenrules, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, greenrules.GreenrulesError), name


def test_package_is_typed() -> None:
    """The py.typed marker ships, so type checkers read our annotations."""
    assert (Path(greenrules.__file__).parent / "py.typed").exists()
