"""Where the command line's results go: stdout or an ``--out`` file, all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path

from greenrules._io.output import write_whole
from greenrules.exceptions import InputProblem, InvalidInputError


def write(out: Path | None, text: str) -> None:
    """Write ``text`` to ``out`` whole, or to stdout when ``out`` is None.

    Raises:
        InvalidInputError: ``unwritable``: stdout or the file cannot take the text.
    """
    if out is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as exc:  # a full disk, a closed pipe
            msg = f"cannot write the output: {exc.strerror or exc}"
            raise InvalidInputError([InputProblem("unwritable", ("stdout",), msg)]) from None
        return
    write_whole(out, lambda tmp: tmp.write_text(text, encoding="utf-8"), argument="out")


def need_out(out: Path | None, fmt: str) -> Path:
    """``out``, which a file format needs.

    Raises:
        InvalidInputError: ``bad-argument``: no ``--out`` was given.
    """
    if out is None:
        msg = f"--format {fmt} writes a file: give its path with --out FILE.{fmt}"
        raise InvalidInputError([InputProblem("bad-argument", ("out",), msg)])
    return out


def print_problems(exc: InvalidInputError) -> None:
    """Every problem of ``exc`` as one line on stderr."""
    head = f"{exc.source}: " if exc.source else ""
    for problem in exc.problems:
        given = "" if problem.input is None else f" (given {problem.input!r})"
        print(f"greenrules: {head}{problem}{given}", file=sys.stderr)
