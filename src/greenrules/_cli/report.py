"""Ranked decisions as the command line shows them: a table, JSON or the summary workbook."""

from __future__ import annotations

import argparse
import json

from greenrules._cli.output import need_out, write
from greenrules._decision.decision import Decision
from greenrules._io.terminal import render_table
from greenrules._io.workbook import write_summary
from greenrules._model.entities import Applicant
from greenrules._rules.registry import Registry, default_registry
from greenrules.exceptions import InputProblem, InvalidInputError


def emit(args: argparse.Namespace, decisions: list[Decision], entities: list[Applicant]) -> None:
    """Write ``decisions`` (ranked) in ``args.format`` to ``args.out`` or stdout."""
    if args.format == "xlsx":
        write_summary(
            need_out(args.out, "xlsx"),
            decisions,
            entities,
            lang=args.lang,
            city_names=division_names(default_registry()),
            city=args.city,
            unit=args.unit,
            contact=args.contact,
            phone=args.phone,
            date=args.date,
        )
        return
    if args.format in ("csv", "parquet"):
        msg = f"--format {args.format} is the columnar engine's result table: use --engine columnar"
        raise InvalidInputError([InputProblem("bad-argument", ("format",), msg, args.engine)])
    if args.format == "json":
        text = json.dumps([d.to_dict() for d in decisions], ensure_ascii=False, indent=2) + "\n"
    else:
        text = render_table(decisions, args.lang, explain=args.explain)
    write(args.out, text)


def division_names(registry: Registry) -> dict[str, str]:
    """City names from any pack table keyed by division ``code`` with a ``name_zh`` column."""
    names: dict[str, str] = {}
    for pack in registry.packs:
        for table in pack.tables.values():
            if table.key == "code" and "name_zh" in table.columns:
                names.update({str(r["code"]): str(r["name_zh"]) for r in table.rows})
    return names
