"""Loading entities from JSON, CSV and XLSX, and describing them as JSON Schema.

Government spreadsheets arrive as UTF-8 (with or without a byte-order mark) or GB18030, with
dotted column names (``water.key_water_user``) and list fields as JSON text in one cell. A load
is all or nothing: every bad row and field is reported together, and nothing half-loaded leaks.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pydantic

from greenrules._bulk import collector_paused
from greenrules._model.entities import ENTITY_TYPES, Applicant, EvaluationAgency
from greenrules._model.enums import Programme
from greenrules._model.facts import Kind, fact_schema
from greenrules.exceptions import InputProblem, InvalidInputError

TRUE_WORDS = {"true", "yes", "y", "1", "是", "有", "√"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "无", "×"}

_CODES = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-field",
    "enum": "bad-choice",
    "literal_error": "bad-choice",
    "greater_than": "out-of-range",
    "greater_than_equal": "out-of-range",
    "less_than": "out-of-range",
    "less_than_equal": "out-of-range",
    "string_too_short": "too-short",
    "too_short": "too-short",
    "finite_number": "not-finite",
}
_CUSTOM = {"bad-credit-code", "bad-city-code", "bad-industry-code", "bad-date", "self-route-agency"}


def problems_from(exc: pydantic.ValidationError, prefix: Sequence[str | int]) -> list[InputProblem]:
    """Translate pydantic's errors into greenrules problems with stable codes."""
    out = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        code = kind if kind in _CUSTOM else _CODES.get(kind, "wrong-type")
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
    rows: Iterable[Any], agencies: Iterable[Any] = (), *, source: str = ""
) -> list[Applicant]:
    """Validate applicants (mappings) all at once; a report's agency may be a credit code."""
    problems: list[InputProblem] = []
    known: dict[str, dict[str, Any]] = {}
    for i, raw in enumerate(agencies):
        try:
            agency = EvaluationAgency.model_validate(raw)
            known[agency.credit_code] = dict(raw)
        except pydantic.ValidationError as exc:
            problems += problems_from(exc, ("agencies", i))
    out: list[Applicant] = []
    for i, raw in enumerate(rows):
        loc: tuple[str | int, ...] = ("applicants", i)
        if isinstance(raw, Mapping) and "__line__" in raw:
            raw = dict(raw)
            loc = (f"line {raw.pop('__line__')}",)
        raw = resolve_agency(raw, known, loc, problems)
        result = entity_problems(raw, loc)
        if isinstance(result, Applicant):
            out.append(result)
        else:
            problems += result
    if problems:
        raise InvalidInputError(problems, source=source or None)
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


def decode(data: bytes, name: str) -> str:
    """Text from bytes in UTF-8 or, failing that, GB18030 (a byte-order mark is dropped).

    Raises:
        InvalidInputError: ``bad-encoding``, the bytes are neither (e.g. UTF-16 "Unicode text"
            from Excel); ``name`` is the file's.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030").removeprefix("\ufeff")
    except UnicodeDecodeError:
        msg = "the text is neither UTF-8 nor GB18030 (save it as UTF-8)"
        raise InvalidInputError([InputProblem("bad-encoding", (), msg)], source=name) from None


@collector_paused()
def load_entities(source: str | Path) -> list[Applicant]:
    """Load applicants from a JSON, CSV or XLSX file (the format is taken from the suffix).

    JSON holds a list of applicants, or ``{"agencies": [...], "applicants": [...]}``. CSV has
    one applicant per row; XLSX a sheet ``applicants`` (or the first sheet) and optionally a
    sheet ``agencies``. Raises :class:`InvalidInputError` listing every problem.
    """
    path = Path(source)
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv", ".xlsx"):
        msg = "expected a .json, .csv or .xlsx file"
        raise InvalidInputError([InputProblem("bad-format", ("source",), msg, name)])
    try:
        data = path.read_bytes()
    except OSError as exc:
        msg = f"cannot read the file: {exc.strerror}"
        raise InvalidInputError([InputProblem("unreadable", ("source",), msg, name)]) from None
    if suffix == ".xlsx":
        return _load_xlsx(data, name)
    text = decode(data, name)
    if suffix == ".json":
        return _load_json(text, name)
    try:
        rows = csv_rows(text)
    except csv.Error as exc:
        msg = f"not a readable CSV file: {exc}"
        raise InvalidInputError([InputProblem("bad-csv", (), msg)], source=name) from None
    return _load_rows(rows, [], name)


def _load_json(text: str, name: str) -> list[Applicant]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise InvalidInputError([InputProblem("bad-json", (), msg)], source=name) from None
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


def csv_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    return [(reader.line_num, row) for row in reader]


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
        loaded = parse_entities(applicants, agencies, source=name)
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
        if kind is Kind.NUMBER and isinstance(cell, int | float) and not isinstance(cell, bool):
            integral = float(cell).is_integer() and abs(cell) < 2**63  # engines hold 64-bit ints
            return int(cell) if integral else float(cell)
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
        plain = number.is_integer() and text.lstrip("+-").isdigit()
        return int(number) if plain else number
    return text


def _load_xlsx(data: bytes, name: str) -> list[Applicant]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        msg = f"not a readable XLSX workbook: {type(exc).__name__}"
        raise InvalidInputError([InputProblem("bad-xlsx", (), msg)], source=name) from None
    sheets = {ws.title: ws for ws in book.worksheets}
    main = sheets.get("applicants") or book.worksheets[0]
    try:  # read-only workbooks parse each sheet lazily, so a corrupt sheet fails here
        agencies = _sheet_rows(sheets["agencies"]) if "agencies" in sheets else []
        rows = _sheet_rows(main)
    except Exception as exc:
        msg = f"a worksheet cannot be read: {type(exc).__name__}"
        raise InvalidInputError([InputProblem("bad-xlsx", (), msg)], source=name) from None
    finally:
        book.close()
    return _load_rows(rows, agencies, name)


def _sheet_rows(ws: Any) -> list[tuple[int, dict[str, Any]]]:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return []
    names = [str(h).strip() if h is not None else None for h in header]
    out = []
    for line, values in enumerate(rows, start=2):
        if all(v is None for v in values):
            continue
        out.append((line, {n: v for n, v in zip(names, values, strict=False) if n}))
    return out


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
