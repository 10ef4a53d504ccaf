"""The flat file's columns: every dotted path a CSV or flat XLSX may head, with its kind.

The JSON Schema describes nested records; a person preparing a CSV needs the column names, one
per line, with what goes in each and which programmes have it. Lists are JSON text in one cell
of a flat file (the input template gives them sheets of their own instead).
"""

from __future__ import annotations

import attrs

from greenrules._model.entities import ENTITY_TYPES
from greenrules._model.enums import Programme
from greenrules._model.facts import Kind, fact_schema


@attrs.frozen
class FlatColumn:
    """One column of a flat file: its dotted path, kind, choices and programmes."""

    path: str
    kind: str
    choices: tuple[str, ...]
    programmes: tuple[Programme, ...]


def flat_columns() -> tuple[FlatColumn, ...]:
    """The columns a flat file may have, ``programme`` first, in the models' field order."""
    found: dict[str, FlatColumn] = {
        "programme": FlatColumn("programme", "text", tuple(p.value for p in Programme), ())
    }
    for programme, model in ENTITY_TYPES.items():
        for spec in fact_schema(model).values():
            if spec.kind is Kind.RECORD and spec.path != "report.agency":
                continue
            if spec.path.startswith("report.agency."):
                continue
            kind = "text (agency credit code)" if spec.path == "report.agency" else spec.kind.value
            kind = "list (JSON text)" if spec.kind is Kind.LIST else kind
            old = found.get(spec.path)
            programmes = (*old.programmes, programme) if old else (programme,)
            found[spec.path] = FlatColumn(spec.path, kind, spec.choices or (), programmes)
    everyone = tuple(Programme)
    return tuple(
        attrs.evolve(c, programmes=everyone) if c.path == "programme" else c for c in found.values()
    )


def flat_columns_text() -> str:
    """The flat columns as text: path, kind, choices and programmes, one column a line."""
    columns = flat_columns()
    width = max(len(c.path) for c in columns) + 2
    lines = []
    for column in columns:
        choices = f" {'|'.join(column.choices)}" if column.choices else ""
        programmes = ",".join(p.value for p in column.programmes)
        kind = f"{column.kind}{choices}"
        lines.append(f"{column.path:<{width}}{kind:<36}{programmes}".rstrip())
    return "\n".join(lines) + "\n"
