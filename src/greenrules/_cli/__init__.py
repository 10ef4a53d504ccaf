"""The ``greenrules`` command line: evaluate files, list packs, print the schema, run the demo.

Errors are one clear line per problem on stderr and an exit code from one table
(:mod:`greenrules._cli.exit_codes`); a traceback means a bug. JSON output shapes are stable and
documented in ``docs/reference/cli.md``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from greenrules._cli import exit_codes
from greenrules._cli.output import print_problems
from greenrules._cli.pack_choice import UsageError
from greenrules._cli.parser import build_parser
from greenrules.exceptions import (
    GreenrulesError,
    InvalidInputError,
    PackError,
    PackNotFoundError,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except InvalidInputError as exc:
        print_problems(exc)
        return exit_codes.USAGE
    except (UsageError, PackNotFoundError) as exc:
        print(f"greenrules: {exc}", file=sys.stderr)
        return exit_codes.USAGE
    except PackError as exc:
        for problem in exc.problems:
            print(f"greenrules: pack error: {problem}", file=sys.stderr)
        return exit_codes.PROBLEMS
    except GreenrulesError as exc:
        print(f"greenrules: {exc}", file=sys.stderr)
        return exit_codes.PROBLEMS
    except KeyboardInterrupt:
        print("greenrules: interrupted; an --out file is left as it was", file=sys.stderr)
        return exit_codes.INTERRUPTED
