"""Tests that every signature written in docs/reference/api.md is the code's signature."""

from __future__ import annotations

import ast
import contextlib
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

import greenrules

API_DOC = Path(__file__).parents[1] / "docs" / "reference" / "api.md"
CALL = re.compile(r"`((?:greenrules\.)?[A-Za-z_][\w.]*)\(([^`]*?)\)(?: -> [^`]*)?`")
HEADING = re.compile(r"^#{2,4} `greenrules\.([A-Za-z_]+)", re.MULTILINE)


def documented_calls() -> list[tuple[int, str, str, str | None]]:
    """(line, name, arguments, class of the section) for each call written in the page."""
    out = []
    section: str | None = None
    for number, line in enumerate(API_DOC.read_text(encoding="utf-8").splitlines(), start=1):
        heading = HEADING.match(line)
        if heading:
            obj = getattr(greenrules, heading.group(1), None)
            section = heading.group(1) if isinstance(obj, type) else None
        for match in CALL.finditer(line):
            out.append((number, match.group(1), match.group(2), section))
    return out


def resolve(name: str, section: str | None) -> Any:
    """The object a documented name refers to, or None if it is not ours to check."""
    parts = name.removeprefix("greenrules.").split(".")
    if hasattr(greenrules, parts[0]):
        obj: Any = greenrules
    elif section is not None:
        obj = getattr(greenrules, section)
    else:
        return None
    for part in parts:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def parameters(obj: Any) -> list[str]:
    """The signature as the page writes it: ``name``, ``name=default``, ``*``."""
    out = []
    sig = inspect.signature(obj.__init__ if isinstance(obj, type) else obj)
    star = False
    for p in sig.parameters.values():
        if p.name in ("self", "cls"):
            continue
        if p.kind is p.KEYWORD_ONLY and not star:
            out.append("*")
            star = True
        default = "" if p.default is p.empty else "=" + _literal(p.default)
        out.append(p.name + default)
    return out


def _literal(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def written(arguments: str) -> list[str] | None:
    """The page's argument list, normalised; None for ``...`` (deliberately elided)."""
    if arguments.strip() == "...":
        return None
    out = []
    for raw in (a.strip() for a in arguments.split(",") if a.strip()):
        name, eq, default = raw.partition("=")
        if eq:
            first = default.split("|")[0]
            with contextlib.suppress(ValueError, SyntaxError):
                first = _literal(ast.literal_eval(first))
            out.append(f"{name.strip()}={first}")
        else:
            out.append(name.strip())
    return out


CALLS = documented_calls()


def test_the_page_writes_signatures() -> None:
    """The page is read: it has calls to check (so the test below cannot pass vacuously)."""
    assert len([c for c in CALLS if resolve(c[1], c[3]) is not None]) >= 15


@pytest.mark.parametrize(("line", "name", "arguments", "section"), CALLS)
def test_documented_signature_matches_code(
    line: int, name: str, arguments: str, section: str | None
) -> None:
    """A call written in the API page names the parameters the code has, in order."""
    obj = resolve(name, section)
    expected = written(arguments)
    if obj is None or expected is None or not callable(obj):
        pytest.skip(f"line {line}: {name} is not a greenrules callable or is elided")
    assert expected == parameters(obj), f"docs/reference/api.md line {line}: {name}"
