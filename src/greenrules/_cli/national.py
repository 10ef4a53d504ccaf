"""``greenrules national``: the region list's national candidates, in the upload's known fields.

The platform's own format is not published in any source we hold, so the command writes the
fields :data:`~greenrules._national.NATIONAL_FIELDS` names and says on stderr which the
platform asks for that no source defines.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys

from greenrules._cli import exit_codes
from greenrules._cli.evaluation import example_applicants
from greenrules._cli.output import write
from greenrules._cli.pack_choice import top_pack
from greenrules._io.cells import csv_text
from greenrules._io.loaders import load_entities
from greenrules._national import (
    NATIONAL_FIELDS,
    NATIONAL_FIELDS_UNKNOWN,
    national_candidates,
    national_export,
)
from greenrules._rules.registry import default_registry


def run_national(args: argparse.Namespace) -> int:
    """Put the region list (a file, or the pack's example round) to the national-tier rules."""
    registry = default_registry()
    pack = top_pack(registry, args.jurisdiction, args.round, examples=args.path is None)
    round_ = args.round if args.round is not None else max(pack.rounds)
    region_list = load_entities(args.path) if args.path else example_applicants(pack)
    candidates = national_candidates(
        region_list,
        jurisdiction=pack.jurisdiction,
        round=round_,
        as_of=args.as_of,
        registry=registry,
    )
    rows = national_export(candidates, region_list)
    if args.format == "json":
        write(args.out, json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(NATIONAL_FIELDS)
        for row in rows:
            writer.writerow([csv_text(row[field]) for field in NATIONAL_FIELDS])
        write(args.out, buffer.getvalue())
    if not args.quiet:
        unknown = "; ".join(NATIONAL_FIELDS_UNKNOWN)
        print(f"greenrules: not in the export (no source defines them): {unknown}", file=sys.stderr)
    return exit_codes.OK
