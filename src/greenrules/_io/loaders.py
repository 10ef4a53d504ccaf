"""Loading entities from JSON, CSV and XLSX, and describing them as JSON Schema.

Government spreadsheets arrive as UTF-8 (with or without a byte-order mark) or GB18030, with
dotted column names (``water.key_water_user``) and list fields as JSON text in one cell. A load
is all or nothing: every bad row and field is reported together, and nothing half-loaded leaks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any

import pydantic

from greenrules._bulk import collector_paused
from greenrules._io.encoding import decode
from greenrules._io.problem_codes import PYDANTIC_CODES
from greenrules._io.tables import csv_text, read_csv, read_input, xlsx_sheets
from greenrules._io.template_read import is_template_workbook, read_template
from greenrules._model.entities import ENTITY_TYPES, Applicant, EvaluationAgency
from greenrules._model.enums import Programme
from greenrules._model.facts import Kind, fact_schema
from greenrules._model.values import MAX_INTEGER
from greenrules.exceptions import InputProblem, InvalidInputError, format_loc

TRUE_WORDS = {"true", "yes", "y", "1", "是", "有", "√"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "无", "×"}

_CUSTOM = {
    "bad-credit-code",
    "bad-city-code",
    "bad-industry-code",
    "bad-date",
    "self-route-agency",
    "bad-period",
}


def problems_from(exc: pydantic.ValidationError, prefix: Sequence[str | int]) -> list[InputProblem]:
    """Translate pydantic's errors into greenrules problems with stable codes."""
    out = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        code = kind if kind in _CUSTOM else PYDANTIC_CODES.get(kind, "wrong-type")
        value = None if kind == "missing" else err.get("input")
        loc = (*prefix, *(p for p in err["loc"] if not str(p).startswith("function-")))
        out.append(InputProblem(code, loc, err["msg"], value))
    return out


def parse_entity(data: Any, loc: Sequence[str | int] = ()) -> Applicant:
    """Validate one applicant given as a mapping with a ``programme`` key."""
    problems = entity_problems(data, loc)
    if isinstance(problems, Applicant):
        return problems
    raise InvalidInputError(problems)


def entity_problems(data: Any, loc: Sequence[str | int]) -> Applicant | list[InputProblem]:
    if not isinstance(data, Mapping):
        return [InputProblem("wrong-type", tuple(loc), "an applicant is an object", data)]
    fields = dict(data)
    programme = fields.pop("programme", None)
    try:
        model = ENTITY_TYPES[Programme(programme)]
    except ValueError:
        choices = [p.value for p in Programme]
        msg = f"programme must be one of {choices}"
        code = "missing-field" if programme is None else "bad-choice"
        return [InputProblem(code, (*loc, "programme"), msg, programme)]
    try:
        return model.model_validate(fields)
    except pydantic.ValidationError as exc:
        return problems_from(exc, loc)


def parse_entities(
    rows: Iterable[Any], agencies: Iterable[Any] = (), *, source: str = "", unique: bool = True
) -> list[Applicant]:
    """Validate applicants (mappings) all at once; a report's agency may be a credit code.

    Once every applicant is valid, and ``unique`` is true, a credit code given twice is a
    problem (``duplicate-credit-code``), as it is in every reader.
    """
    problems: list[InputProblem] = []
    known: dict[str, dict[str, Any]] = {}
    agency_places: list[tuple[tuple[str | int, ...], str]] = []
    for i, raw in enumerate(agencies):
        try:
            agency = EvaluationAgency.model_validate(raw)
            known[agency.credit_code] = dict(raw)
            agency_places.append((("agencies", i), agency.credit_code))
        except pydantic.ValidationError as exc:
            problems += problems_from(exc, ("agencies", i))
    problems += duplicates(agency_places, "duplicate-agency", "agency")
    out: list[Applicant] = []
    places: list[tuple[tuple[str | int, ...], str]] = []
    for i, raw in enumerate(rows):
        loc: tuple[str | int, ...] = ("applicants", i)
        if isinstance(raw, Mapping) and "__line__" in raw:
            raw = dict(raw)
            loc = (f"line {raw.pop('__line__')}",)
        raw = resolve_agency(raw, known, loc, problems)
        result = entity_problems(raw, loc)
        if isinstance(result, Applicant):
            out.append(result)
            places.append((loc, result.credit_code))
        else:
            problems += result
    if unique and not problems:
        problems += duplicates(places, "duplicate-credit-code", "applicant")
    if problems:
        raise InvalidInputError(problems, source=source or None)
    return out


def duplicates(
    places: Iterable[tuple[tuple[str | int, ...], str]], code: str, what: str
) -> list[InputProblem]:
    """One problem per credit code given more than once, naming every place it is given.

    One code is one legal person: two rows with it would be evaluated, ranked and written
    apart, and which one's facts a reader sees would depend on file order.
    """
    seen: dict[str, list[tuple[str | int, ...]]] = {}
    for loc, credit_code in places:
        seen.setdefault(credit_code, []).append(loc)
    out = []
    for credit_code, locs in seen.items():
        if len(locs) > 1:
            where = ", ".join(format_loc(loc) for loc in locs)
            msg = f"one credit code, {len(locs)} {what} records: {where}"
            out.append(InputProblem(code, (*locs[0], "credit_code"), msg, credit_code))
    return out


def resolve_agency(
    raw: Any, known: Mapping[str, Any], loc: tuple[str | int, ...], problems: list[InputProblem]
) -> Any:
    report = raw.get("report") if isinstance(raw, Mapping) else None
    if not isinstance(report, Mapping) or not isinstance(report.get("agency"), str):
        return raw
    agency = report["agency"]
    if agency not in known:
        msg = "the report names an agency that is not in the agencies list"
        problems.append(InputProblem("unknown-agency", (*loc, "report", "agency"), msg, agency))
        return {**raw, "report": {k: v for k, v in report.items() if k != "agency"}}
    return {**raw, "report": {**report, "agency": known[agency]}}


@collector_paused()
def load_entities(source: str | Path) -> list[Applicant]:
    """Load applicants from a JSON, CSV or XLSX file (the format is taken from the suffix).

    JSON holds a list of applicants, or ``{"agencies": [...], "applicants": [...]}``. CSV has
    one applicant per row; XLSX a sheet ``applicants`` (or the first sheet) and optionally a
    sheet ``agencies``, or it is the input template (read by :func:`load_template`). Raises
    :class:`InvalidInputError` listing every problem.
    """
    if not isinstance(source, str | Path):
        msg = "expected a path to a .json, .csv or .xlsx file"
        raise InvalidInputError([InputProblem("bad-argument", ("source",), msg, repr(source))])
    path = Path(source)
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv", ".xlsx"):
        msg = "expected a .json, .csv or .xlsx file"
        raise InvalidInputError([InputProblem("bad-format", ("source",), msg, name)])
    data = read_input(path)
    if suffix == ".xlsx":
        if is_template_workbook(data):  # the input template: sheets joined by credit code
            return list(read_template(data, name).entities)
        return _load_xlsx(data, name)
    if suffix == ".json":
        return _load_json(decode(data, name), name)
    return _load_rows(read_csv(csv_text(data, name), name), [], name)


MAX_JSON_DEPTH = 32
"""How deeply a JSON document may nest arrays and objects (an applicant needs about six)."""


def json_document(text: str, name: str) -> Any:
    """A JSON document parsed within the nesting limit, or every problem as a typed error."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise InvalidInputError([InputProblem("bad-json", (), msg)], source=name) from None
    except RecursionError:  # deeper than Python's parser goes, so past the limit too
        raise _too_deep(name) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        msg = f"not valid JSON: {exc}"
        raise InvalidInputError([InputProblem("bad-json", (), msg)], source=name) from None
    if _depth(text) > MAX_JSON_DEPTH:
        raise _too_deep(name)
    return doc


def _load_json(text: str, name: str) -> list[Applicant]:
    doc = json_document(text, name)
    if isinstance(doc, list):
        return parse_entities(doc, source=name)
    if (
        isinstance(doc, Mapping)
        and set(doc) <= {"agencies", "applicants"}
        and isinstance(doc.get("applicants"), list)
        and isinstance(doc.get("agencies", []), list)
    ):
        return parse_entities(doc["applicants"], doc.get("agencies", ()), source=name)
    msg = 'expected a list of applicants or {"agencies": [...], "applicants": [...]}'
    raise InvalidInputError([InputProblem("bad-json", (), msg)], source=name)


def _too_deep(name: str) -> InvalidInputError:
    msg = f"the JSON nests deeper than {MAX_JSON_DEPTH} levels"
    return InvalidInputError([InputProblem("over-limit", (), msg)], source=name)


def _depth(text: str) -> int:
    """How deeply a parsed JSON text nests lists and objects, counted from its brackets.

    Escaped backslashes and quotes go first, then every byte but brackets and quotes; what is
    between two quotes was inside a string. What remains of a valid document is balanced, so
    the deepest running sum of its brackets is its nesting. Every step runs in C: a Python walk
    over the parsed values took as long as validating them. (UTF-8 multi-byte characters never
    contain an ASCII byte, so they cannot fake a bracket.)
    """
    data = text.encode("utf-8", "surrogatepass").replace(b"\\\\", b"").replace(b'\\"', b"")
    outside_strings = b"".join(data.translate(None, _NOT_BRACKET_OR_QUOTE).split(b'"')[::2])
    return max(accumulate(map(_BRACKET_STEP.__getitem__, outside_strings)), default=0)


_NOT_BRACKET_OR_QUOTE = bytes(c for c in range(256) if c not in b'[]{}"')
_BRACKET_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def _load_rows(
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    agency_rows: Sequence[tuple[int, Mapping[str, Any]]],
    name: str,
) -> list[Applicant]:
    problems: list[InputProblem] = []
    applicants = []
    for line, row in rows:
        nested = nest_fields(row, line, problems, programme=row.get("programme"))
        if nested is not None:
            applicants.append({**nested, "__line__": line})
    agencies = []
    for line, row in agency_rows:
        nested = nest_fields(row, line, problems, model=EvaluationAgency)
        if nested is not None:
            agencies.append(nested)
    try:
        loaded = parse_entities(applicants, agencies, source=name, unique=not problems)
    except InvalidInputError as exc:
        problems += exc.problems
        loaded = []
    if problems:
        raise InvalidInputError(problems, source=name)
    return loaded


def nest_fields(
    row: Mapping[str, Any],
    line: int,
    problems: list[InputProblem],
    *,
    programme: Any = None,
    model: type[pydantic.BaseModel] | None = None,
) -> dict[str, Any] | None:
    """Turn a flat row with dotted column names into nested data, typed by the schema."""
    if model is None:
        try:
            model = ENTITY_TYPES[Programme(str(programme).strip())]
        except ValueError:
            choices = [p.value for p in Programme]
            problems.append(
                InputProblem(
                    "bad-choice",
                    (f"line {line}", "programme"),
                    f"programme must be one of {choices}",
                    programme,
                )
            )
            return None
    schema = fact_schema(model)
    out: dict[str, Any] = {}
    if programme is not None:
        out["programme"] = str(programme).strip()
    for column, cell in row.items():
        if column is None or column == "programme":
            continue
        column = column.strip()
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        spec = schema.get(column)
        kind = spec.kind if spec is not None else (Kind.TEXT if column == "report.agency" else None)
        if kind is None:
            msg = "no such field; columns are dotted field names such as water.key_water_user"
            problems.append(InputProblem("unknown-field", (f"line {line}", column), msg))
            continue
        try:
            value = _cell(cell, kind)
        except ValueError as exc:
            problems.append(InputProblem("wrong-type", (f"line {line}", column), str(exc), cell))
            continue
        target = out
        *parents, leaf = column.split(".")
        for part in parents:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                break
        if not isinstance(target, dict) or isinstance(target.get(leaf), dict):
            msg = "this column and another set the same field (e.g. report.agency and its fields)"
            problems.append(InputProblem("conflicting-columns", (f"line {line}", column), msg))
            continue
        target[leaf] = value
    return out


def _cell(cell: Any, kind: Kind) -> Any:
    if kind is Kind.LIST:
        if isinstance(cell, str):
            try:
                return json.loads(cell)
            except json.JSONDecodeError:
                raise ValueError("a list field holds JSON text, e.g. [{...}]") from None
        raise ValueError("a list field holds JSON text")
    if not isinstance(cell, str):  # typed XLSX cells: numbers, booleans, dates
        if kind is Kind.DATE and hasattr(cell, "date"):
            return cell.date().isoformat()
        if kind is Kind.NUMBER and isinstance(cell, float) and abs(cell) <= MAX_INTEGER:
            return int(cell) if cell.is_integer() else cell  # an integral float is an int
        if kind is Kind.TEXT and isinstance(cell, int) and not isinstance(cell, bool):
            return str(cell)
        return cell
    text = cell.strip()
    if kind is Kind.BOOL:
        lowered = text.lower()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        raise ValueError(f"expected true or false (or 是/否), got {text!r}")
    if kind is Kind.NUMBER:
        text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"expected a number, got {text!r}") from None
        # Integral text stays an int, so integer fields load; float fields accept ints.
        return int(text) if text.lstrip("+-").isdigit() else number
    return text


def _load_xlsx(data: bytes, name: str) -> list[Applicant]:
    def pick(titles: Sequence[str]) -> list[str]:
        main = "applicants" if "applicants" in titles else titles[0]
        return list(dict.fromkeys(["agencies", main] if "agencies" in titles else [main]))

    sheets = xlsx_sheets(data, name, pick)
    agencies = sheets.pop("agencies", []) if len(sheets) > 1 else []
    [rows] = sheets.values()
    return _load_rows(rows, agencies, name)


def entity_json_schema() -> dict[str, Any]:
    """The JSON Schema of an applicant document (``programme`` chooses the entity type)."""
    defs: dict[str, Any] = {}
    variants = []
    for programme, model in ENTITY_TYPES.items():
        schema = model.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        schema["properties"] = {"programme": {"const": programme.value}, **schema["properties"]}
        schema["required"] = ["programme", *schema.get("required", [])]
        defs[model.__name__] = schema
        variants.append({"$ref": f"#/$defs/{model.__name__}"})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "greenrules applicant",
        "oneOf": variants,
        "$defs": defs,
    }
