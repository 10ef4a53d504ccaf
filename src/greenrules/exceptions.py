"""Every error greenrules raises, rooted at :class:`GreenrulesError`.

Concrete errors also subclass the builtin a caller would naturally catch (``ValueError``,
``LookupError``), so code written before it knew greenrules keeps working. Each input problem
carries a stable ``code`` documented under ``docs/errors.md#<code>``; codes never change meaning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs

__all__ = [
    "EngineUnavailableError",
    "GreenrulesError",
    "InputProblem",
    "InvalidInputError",
    "PackError",
    "PackNotFoundError",
    "PackProblem",
]

DOCS_ERRORS = "docs/errors.md"


class GreenrulesError(Exception):
    """The root of every error greenrules raises on purpose."""


@attrs.frozen
class InputProblem:
    """One thing wrong with an input: where it is, what kind of problem, and what was given.

    Attributes:
        code: a stable slug that programs may key on (see ``docs/errors.md``).
        loc: the path to the offending value, e.g. ``("rows", 3, "energy", 0, "value")``.
        message: a human sentence; wording may improve between releases, ``code`` may not.
        input: the offending value as given, or None when the problem is an absence.
    """

    code: str
    loc: tuple[str | int, ...]
    message: str
    input: Any = None

    @property
    def location(self) -> str:
        """The location written as a dotted path with indexes, e.g. ``energy[0].value``."""
        return format_loc(self.loc)

    @property
    def docs(self) -> str:
        """Where this code is explained."""
        return f"{DOCS_ERRORS}#{self.code}"

    def __str__(self) -> str:
        where = self.location or "(input)"
        return f"{where}: {self.message} [{self.code}]"


def format_loc(loc: Sequence[str | int]) -> str:
    """Render a location tuple as ``a.b[0].c``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class InvalidInputError(GreenrulesError, ValueError):
    """An input (entity, file, table, argument) had one or more problems; all are listed."""

    def __init__(self, problems: Iterable[InputProblem], *, source: str | None = None) -> None:
        self.problems: tuple[InputProblem, ...] = tuple(problems)
        self.source = source
        head = f"{source}: " if source else ""
        count = len(self.problems)
        lines = [f"{head}{count} input problem{'s' if count != 1 else ''}"]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


@attrs.frozen
class PackProblem:
    """One reason a criteria pack was rejected, naming the pack and, where relevant, the rule."""

    code: str
    pack: str
    message: str
    rule: str | None = None

    def __str__(self) -> str:
        where = f"{self.pack}" + (f" rule {self.rule}" if self.rule else "")
        return f"{where}: {self.message} [{self.code}]"


class PackError(GreenrulesError, ValueError):
    """A criteria pack is broken: it failed to load or to validate. Every problem is listed."""

    def __init__(self, problems: Iterable[PackProblem]) -> None:
        self.problems: tuple[PackProblem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class PackNotFoundError(GreenrulesError, LookupError):
    """No registered pack serves the requested jurisdiction, round, tier or programme."""


class EngineUnavailableError(GreenrulesError, RuntimeError):
    """An optional evaluation engine was asked for but cannot run here; the message says why."""
