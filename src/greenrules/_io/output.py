"""Output files written whole or not at all, with an unwritable path reported as input.

Every writer (the CLI's text, the columnar result table, the summary workbook) writes to a
temporary file of its own beside the target and renames it over the target only once it is
complete: no half-written file is ever left under the real name, and two runs writing the same
target never share a temporary file. The target must be absent or a regular file: a symlink, a
folder, a FIFO or a device node given as the output is refused, never replaced.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from greenrules.exceptions import InputProblem, InvalidInputError


def write_whole(out: Path, write: Callable[[Path], object], *, argument: str) -> None:
    """Run ``write`` on a new temporary path beside ``out``, then rename it to ``out``.

    The temporary file is removed on every way out (an error, Ctrl-C), and the interruption
    itself is raised on. An operating-system failure (a missing folder, no permission, a full
    disk) and a target that is not a regular file raise
    :class:`~greenrules.exceptions.InvalidInputError` with the code ``unwritable``, located at
    ``argument`` (the parameter or option that named ``out``).
    """
    try:
        kind = os.lstat(out).st_mode
    except FileNotFoundError:
        kind = None
    except OSError as exc:
        raise _unwritable(out, argument, exc.strerror or str(exc)) from None
    if kind is not None and not stat.S_ISREG(kind):
        what = "a symlink" if stat.S_ISLNK(kind) else "not a regular file"
        raise _unwritable(out, argument, f"the path is {what}; it is never replaced") from None
    tmp: Path | None = None
    try:
        tmp = _new_temporary(out)
        write(tmp)
        tmp.replace(out)
    except OSError as exc:
        raise _unwritable(out, argument, exc.strerror or str(exc)) from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _new_temporary(out: Path) -> Path:
    """A file created empty beside ``out`` under a name no other run holds (mode from umask)."""
    while True:
        tmp = out.with_name(f".{out.name}.{secrets.token_hex(6)}.partial")
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        return tmp


def _unwritable(out: Path, argument: str, reason: str) -> InvalidInputError:
    msg = f"cannot write the output: {reason}"
    return InvalidInputError([InputProblem("unwritable", (argument,), msg, str(out))])
