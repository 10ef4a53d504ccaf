"""The command line's exit codes, in one table that ``--help`` prints and every command keeps."""

from __future__ import annotations

OK = 0
"""Done: everything asked for was evaluated and written."""
PROBLEMS = 1
"""Done with problems: some rows were rejected or could not be decided, a pack is broken, or
``check`` found errors. What was written is listed on stderr."""
USAGE = 2
"""Usage or input error: bad arguments or a bad input file; nothing was written."""
INTERRUPTED = 130
"""Ctrl-C: the shell's code for SIGINT (128 + 2), after one line and no partial output."""

TABLE = f"""exit codes:
  {OK:<4} done
  {PROBLEMS:<4} some rows rejected or not decided, a pack problem, or check found errors
  {USAGE:<4} usage or input error (nothing written)
  {INTERRUPTED:<4} interrupted (Ctrl-C; an --out file is left as it was)"""
"""The exit-code table shown at the end of every ``--help``."""
