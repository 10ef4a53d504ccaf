"""A pytest plug-in that runs every pack's ``cases/*.yaml`` as test items.

It is registered under pytest's ``pytest11`` entry point, so any pack, ours or a third party's,
gets its cases run by plain ``pytest`` once greenrules is installed. A case file is collected
when it sits in ``cases/`` beside a ``pack.yaml``. An installed pack is used as registered; a
pack folder not installed yet is loaded and layered on the installed packs as it will be.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from greenrules._cases import Case, read_cases, run_case
from greenrules._rules.packs import Pack, load_pack
from greenrules._rules.registry import Registry, default_registry
from greenrules.exceptions import InvalidInputError


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    """Collect ``<pack>/cases/*.yaml`` files."""
    if (
        file_path.suffix == ".yaml"
        and file_path.parent.name == "cases"
        and (file_path.parent.parent / "pack.yaml").exists()
    ):
        return CaseFileItem.from_parent(parent, path=file_path)
    return None


def _installed_pack(folder: Path) -> tuple[Pack, Registry]:
    """The pack of ``folder`` as users get it: installed, or loaded and put in its place."""
    registry = default_registry()
    for pack in registry.packs:
        if pack.folder is not None and pack.folder.resolve() == folder.resolve():
            return pack, registry
    pack = load_pack(folder)  # a pack being written, not installed yet
    return pack, registry.with_pack(pack)


class CaseFileItem(pytest.File):
    """One case file; each case in it is a test item."""

    def collect(self) -> Iterator[pytest.Item]:
        try:
            cases = read_cases(self.path)
        except InvalidInputError as exc:  # one readable error per problem, not a traceback
            raise self.CollectError(str(exc)) from None
        for case in cases:
            yield CaseItem.from_parent(self, name=case.name, case=case)


class CaseItem(pytest.Item):
    """One pack case run as a test."""

    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        pack, registry = _installed_pack(self.path.parent.parent)
        result = run_case(self.case, pack, registry)
        if not result.passed:
            raise CaseMismatch(result.differences)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseMismatch):
            head = "case does not match (- expected, + actual):"
            return "\n".join([head, *("  " + line for line in excinfo.value.args[0])])
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"case: {self.name}"


class CaseMismatch(AssertionError):
    """A case's decision differs from its expectation."""
