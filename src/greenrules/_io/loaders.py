"""Loading entities from JSON, CSV and XLSX, and describing them as JSON Schema.

Government spreadsheets arrive as UTF-8 (with or without a byte-order mark) or GB18030, with
dotted column names (``water.key_water_user``) and list fields as JSON text in one cell. A load
is all or nothing: every bad row and field is reported together, and nothing half-loaded leaks.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pydantic

from greenrules._model.entities import ENTITY_TYPES, Applicant, EvaluationAgency
from greenrules._model.enums import Programme
from greenrules._model.facts import Kind, fact_schema
from greenrules._model.values import MAX_INTEGER
from greenrules.exceptions import InputProblem, InvalidInputError, format_loc

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
_CUSTOM = {"bad-credit-code", "bad-city-code", "bad-date"}


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
    data = read_input(path)
    if suffix == ".xlsx":
        return _load_xlsx(data, name)
    if suffix == ".json":
        return _load_json(decode(data, name), name)
    return _load_rows(read_csv(csv_text(data, name), name), [], name)


MAX_FILE_BYTES = 2**30
"""The largest input file read (1 GiB): beyond it, or for a file that is not a regular file (a
device such as ``/dev/zero``, a FIFO), the file is refused before a byte is read."""
MAX_JSON_DEPTH = 32
"""How deeply a JSON document may nest arrays and objects (an applicant needs about six)."""


def read_input(path: Path) -> bytes:
    """The bytes of an input file, which must be a regular file within :data:`MAX_FILE_BYTES`.

    Raises:
        InvalidInputError: ``unreadable`` (missing, no permission, not a regular file) or
            ``over-limit`` (too large).
    """
    name = str(path)
    try:
        with path.open("rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                msg = "cannot read the file: it is not a regular file (a device, FIFO or folder)"
                raise InvalidInputError([InputProblem("unreadable", ("source",), msg, name)])
            if info.st_size > MAX_FILE_BYTES:
                msg = f"the file has {info.st_size:,} bytes, past the limit of {MAX_FILE_BYTES:,}"
                raise InvalidInputError([InputProblem("over-limit", ("source",), msg, name)])
            return f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        msg = f"cannot read the file: {exc.strerror}"
        raise InvalidInputError([InputProblem("unreadable", ("source",), msg, name)]) from None


def _load_json(text: str, name: str) -> list[Applicant]:
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
    if _depth(doc) > MAX_JSON_DEPTH:
        raise _too_deep(name)
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


def _depth(doc: Any) -> int:
    """How deeply ``doc`` nests lists and objects, counted without recursion."""
    deepest = 0
    stack = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
    return deepest


def csv_text(data: bytes, name: str) -> str:
    """The text of a CSV file; an empty file (no header even) is ``bad-csv``, not no applicants."""
    text = decode(data, name)
    if not text.strip():
        msg = "the file is empty: a CSV file starts with a header row"
        raise InvalidInputError([InputProblem("bad-csv", (), msg)], source=name)
    return text


def read_csv(text: str, name: str) -> list[tuple[int, dict[str, str]]]:
    """:func:`csv_rows`, with text that is not CSV reported as ``bad-csv``."""
    try:
        return csv_rows(text, name)
    except csv.Error as exc:
        msg = f"not a readable CSV file: {exc}"
        raise InvalidInputError([InputProblem("bad-csv", (), msg)], source=name) from None


def csv_rows(text: str, source: str | None = None) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV text with their file lines, keyed by the (stripped) header.

    Raises:
        InvalidInputError: a header repeated (``duplicate-column``), or a value under no header:
            past the header's last column or under an empty one (``unnamed-column``).
        csv.Error: the text is not CSV (broken quoting, a field past the csv module's limit).
    """
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return []
    names = [h.strip() for h in header]
    problems = header_problems(names, ())
    out = []
    for values in reader:
        if not values:
            continue
        line = reader.line_num
        problems += unnamed_cells(names, values, (f"line {line}",))
        out.append((line, {n: v for n, v in zip(names, values, strict=False) if n}))
    if problems:
        raise InvalidInputError(problems, source=source)
    return out


def header_problems(names: Sequence[str], loc: tuple[str | int, ...]) -> list[InputProblem]:
    """A header naming one column twice (after stripping spaces): which value wins is a guess."""
    seen: dict[str, list[int]] = {}
    for number, name in enumerate(names, start=1):
        if name:
            seen.setdefault(name, []).append(number)
    return [
        InputProblem(
            "duplicate-column",
            (*loc, name),
            f"columns {', '.join(map(str, numbers))} are all named {name!r}",
        )
        for name, numbers in seen.items()
        if len(numbers) > 1
    ]


def unnamed_cells(
    names: Sequence[str], values: Sequence[Any], loc: tuple[str | int, ...]
) -> list[InputProblem]:
    """A value under an empty header cell, or past the header's last column, is never dropped."""
    out = []
    for number, value in enumerate(values, start=1):
        named = number <= len(names) and names[number - 1]
        if named or value is None or (isinstance(value, str) and not value.strip()):
            continue
        msg = "a value in a column without a header (a surplus cell, or an empty header)"
        out.append(InputProblem("unnamed-column", (*loc, f"column {number}"), msg, value))
    return out


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


XLSX_MAX_ROWS = 200_000
"""Rows a worksheet may have, header included: beyond it the file is refused (``over-limit``)."""
XLSX_MAX_COLUMNS = 1_000
"""Columns a worksheet may have (every entity has far fewer fields)."""
XLSX_MAX_CELLS = 5_000_000
"""Non-empty cells all sheets of one workbook may have together."""


def _load_xlsx(data: bytes, name: str) -> list[Applicant]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        msg = f"not a readable XLSX workbook: {type(exc).__name__}"
        raise InvalidInputError([InputProblem("bad-xlsx", (), msg)], source=name) from None
    sheets = {ws.title: ws for ws in book.worksheets}
    main = sheets.get("applicants") or book.worksheets[0]
    cells = [0]  # non-empty cells read so far, over every sheet
    try:  # read-only workbooks parse each sheet lazily, so a corrupt sheet fails here
        agencies = _sheet_rows(sheets["agencies"], cells) if "agencies" in sheets else []
        rows = _sheet_rows(main, cells)
    except InvalidInputError as exc:
        raise InvalidInputError(exc.problems, source=name) from None
    except Exception as exc:
        msg = f"a worksheet cannot be read: {type(exc).__name__}"
        raise InvalidInputError([InputProblem("bad-xlsx", (), msg)], source=name) from None
    finally:
        book.close()
    return _load_rows(rows, agencies, name)


def _sheet_rows(ws: Any, cells: list[int]) -> list[tuple[int, dict[str, Any]]]:
    """The rows a sheet holds, read to its last row whatever its ``<dimension>`` tag claims.

    The tag is written by whatever made the file and may be wrong either way: too small, and
    openpyxl's read-only mode drops the rows past it; too large, and it pads millions of empty
    rows. The reader ignores it and stops at the limits instead.
    """
    ws.reset_dimensions()
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return []
    names = [str(h).strip() if h is not None else "" for h in header]
    problems = header_problems(names, (ws.title,))
    out = []
    for line, values in enumerate(itertools.chain([header], rows), start=1):
        if line > XLSX_MAX_ROWS:
            raise _over_limit(ws.title, f"more than {XLSX_MAX_ROWS:,} rows", f"line {line}")
        if len(values) > XLSX_MAX_COLUMNS:
            what = f"more than {XLSX_MAX_COLUMNS:,} columns"
            raise _over_limit(ws.title, what, f"line {line}")
        filled = sum(v is not None for v in values)
        cells[0] += filled
        if cells[0] > XLSX_MAX_CELLS:
            raise _over_limit(ws.title, f"more than {XLSX_MAX_CELLS:,} cells", f"line {line}")
        if line == 1 or not filled:
            continue
        problems += unnamed_cells(names, values, (ws.title, f"line {line}"))
        out.append((line, {n: v for n, v in zip(names, values, strict=False) if n}))
    if problems:
        raise InvalidInputError(problems)
    return out


def _over_limit(sheet: str, what: str, where: str) -> InvalidInputError:
    msg = f"the worksheet has {what}, past the limit for one file"
    return InvalidInputError([InputProblem("over-limit", (sheet, where), msg)])


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
