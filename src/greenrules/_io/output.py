"""Output files written whole or not at all, with an unwritable path reported as input.

Every writer (the CLI's text, the columnar result table, the summary workbook) writes to a
``.partial`` file beside the target and renames it over the target only once it is complete:
no half-written file is ever left under the real name.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from greenrules.exceptions import InputProblem, InvalidInputError


def write_whole(out: Path, write: Callable[[Path], object], *, argument: str) -> None:
    """Run ``write`` on a temporary path beside ``out``, then rename it to ``out``.

    An operating-system failure (a missing folder, no permission, a full disk) removes the
    temporary file and raises :class:`~greenrules.exceptions.InvalidInputError` with the code
    ``unwritable``, located at ``argument`` (the parameter or option that named ``out``).
    """
    tmp = out.with_name(out.name + ".partial")
    try:
        write(tmp)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        msg = f"cannot write the output: {exc.strerror or exc}"
        raise InvalidInputError([InputProblem("unwritable", (argument,), msg, str(out))]) from None
