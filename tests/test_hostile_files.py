"""Hostile files and faults: nothing the caller gave is lost, run, or silently chosen.

Each test is named after the hazard it closes; each failed on the code before its fix.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import stat
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import greenrules as gr
from conftest import credit_code
from greenrules._cli import main
from greenrules._io.loaders import parse_entities

ARGS = ["--jurisdiction", "CN-NM", "--round", "2025"]
FORMULAS = ['=HYPERLINK("http://example.invalid","x")', "=cmd|' /C calc'!A0", "\t=1+1", "@SUM(1)"]


def applicant(n: int, **over: Any) -> dict[str, Any]:
    return {
        "programme": "factory",
        "credit_code": credit_code(n),
        "name": f"示例工厂{n}（虚构）",
        "report": {"route": "self"},
        "memberships": [{"programme": "factory", "tier": "city", "year": 2024}],
        "water": {"key_water_user": False},
        **over,
    }


def _decide(rows: list[dict[str, Any]]) -> tuple[list[gr.Applicant], list[gr.Decision]]:
    entities = parse_entities(rows)
    decisions = list(
        gr.rank(
            gr.evaluate_many(entities, tier="province", round=2025, jurisdiction="CN-NM")
        ).decisions
    )
    return entities, decisions


# --- formula injection ---------------------------------------------------------------------------


def test_formula_injection_xlsx_text_cells_are_text(tmp_path: Path) -> None:
    """Names and product keys that look like formulas are stored as text, readable as given."""
    rows = [
        applicant(n, name=name, energy=[{"product": name, "value": 1.0}])
        for n, name in enumerate(FORMULAS, start=1)
    ]
    entities, decisions = _decide(rows)
    path = gr.write_summary(tmp_path / "s.xlsx", decisions, entities, lang="en")
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not [n for n in sheets if b"<f>" in z.read(n) or b"<f " in z.read(n)]
    book = openpyxl.load_workbook(path)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    names = {c.value for c in cells}
    assert {name.strip() for name in FORMULAS} <= names
    assert all(c.quotePrefix for c in cells if isinstance(c.value, str) and c.value[0] in "=@")


def test_formula_injection_csv_cells_get_a_leading_quote(tmp_path: Path) -> None:
    """The columnar CSV output prefixes a formula-like text with ' (OWASP), keeping the value."""
    pytest.importorskip("polars")
    names = [*FORMULAS, "+1", "-1", "\r=1"]
    rows = [applicant(n, name=name) for n, name in enumerate(names, start=1)]
    source = tmp_path / "in.json"
    source.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.csv"
    args = ["evaluate", str(source), *ARGS, "--engine", "columnar", "--format", "csv"]
    assert main([*args, "--out", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as f:
        written = {r["name"] for r in csv.DictReader(f)}
    assert written == {"'" + name.strip() for name in names}


@pytest.mark.parametrize("name", ["nul\x00name", "ctrl\x01name"])
def test_illegal_character_in_a_name_is_an_input_problem_not_a_traceback(
    tmp_path: Path, name: str
) -> None:
    """A control character XLSX cannot store names its sheet, row and column; nothing written."""
    entities, decisions = _decide([applicant(1, name=name)])
    with pytest.raises(gr.InvalidInputError) as err:
        gr.write_summary(tmp_path / "s.xlsx", decisions, entities, lang="en")
    (problem,) = err.value.problems
    assert problem.code == "illegal-character"
    # Row 4: the title and filing rows stand above the headings (row 3) on every sheet.
    # The unit is undetermined, so the first sheet that names it is the ask-next sheet.
    assert problem.loc == ("Ask next", "row 4", "Unit") and problem.input == name
    assert list(tmp_path.iterdir()) == []


# --- the output writer ---------------------------------------------------------------------------


def _evaluate_to(tmp_path: Path, out: Path, fmt: str = "json", engine: str = "native") -> int:
    source = tmp_path / "round.json"
    source.write_text(json.dumps([applicant(1)], ensure_ascii=False), encoding="utf-8")
    args = ["evaluate", str(source), *ARGS, "--engine", engine, "--format", fmt]
    return main([*args, "--out", str(out)])


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_out_refuses_a_symlink_and_leaves_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """A symlink given as --out is refused as unwritable; it and its target stay as they were."""
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    link = tmp_path / f"out.{fmt}"
    link.symlink_to(target)
    assert _evaluate_to(tmp_path, link, fmt) == 2
    assert "unwritable" in capsys.readouterr().err
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "keep me"
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"out.{fmt}", "precious.txt", "round.json"]


def test_out_refuses_a_fifo_and_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A FIFO or a folder given as --out is refused, never replaced by a regular file."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    folder = tmp_path / "dir.json"
    folder.mkdir()
    for out in (fifo, folder):
        assert _evaluate_to(tmp_path, out) == 2
        assert "unwritable" in capsys.readouterr().err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and folder.is_dir()


def test_out_temporary_files_are_unique_and_removed_on_interrupt(tmp_path: Path) -> None:
    """Two writers to one target use distinct temporary files; Ctrl-C removes its own."""
    from greenrules._io.output import write_whole

    out = tmp_path / "out.txt"
    seen: list[Path] = []

    def outer(tmp: Path) -> None:
        seen.append(tmp)
        write_whole(out, inner, argument="out")  # a second run writing the same target
        tmp.write_text("outer", encoding="utf-8")

    def inner(tmp: Path) -> None:
        seen.append(tmp)
        tmp.write_text("inner", encoding="utf-8")

    write_whole(out, outer, argument="out")
    assert len(set(seen)) == 2 and out.read_text(encoding="utf-8") == "outer"

    def interrupted(tmp: Path) -> None:
        tmp.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_whole(out, interrupted, argument="out")
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    assert out.read_text(encoding="utf-8") == "outer"


def test_ctrl_c_while_writing_exits_130_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during the write: exit 130, one line on stderr, no temporary file left."""
    import greenrules._io.workbook as workbook

    def interrupt(out: Path, write: Any, *, argument: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(workbook, "write_whole", interrupt)
    out = tmp_path / "s.xlsx"
    assert _evaluate_to(tmp_path, out, "xlsx") == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "interrupted" in err
    assert [p.name for p in tmp_path.iterdir()] == ["round.json"]


# --- XLSX rows ------------------------------------------------------------------------------------


def _xlsx(path: Path, rows: list[list[Any]], edit: Callable[[str], str] | None = None) -> Path:
    """A workbook with ``rows``; ``edit`` rewrites the first sheet's XML as a hostile tool would."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    if edit is not None:
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        name = "xl/worksheets/sheet1.xml"
        parts[name] = edit(parts[name].decode()).encode()
        with zipfile.ZipFile(path, "w") as z:
            for n, data in parts.items():
                z.writestr(n, data)
    return path


def _dimension(ref: str) -> Callable[[str], str]:
    def edit(sheet: str) -> str:
        start = sheet.index("<dimension ref=")
        return sheet[:start] + f'<dimension ref="{ref}"/>' + sheet[sheet.index("/>", start) + 2 :]

    return edit


HEADER = ["programme", "credit_code", "name", "report.route"]


def test_xlsx_rows_vanish_no_more_when_the_dimension_tag_is_too_small(tmp_path: Path) -> None:
    """A sheet whose <dimension> claims A1:D2 while it holds three data rows gives three rows."""
    rows = [HEADER, *[["factory", credit_code(n), f"f{n}", "self"] for n in (1, 2, 3)]]
    path = _xlsx(tmp_path / "a.xlsx", rows, _dimension("A1:D2"))
    assert [e.name for e in gr.load_entities(path)] == ["f1", "f2", "f3"]


def test_xlsx_claiming_the_whole_grid_is_refused_at_the_row_limit(tmp_path: Path) -> None:
    """A small file with one far cell is an over-limit problem, not minutes of empty rows."""
    from greenrules._io.tables import XLSX_MAX_ROWS

    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'

    def edit(sheet: str) -> str:
        return _dimension("A1:XFD1048576")(sheet.replace("</sheetData>", far + "</sheetData>"))

    path = _xlsx(tmp_path / "a.xlsx", [HEADER, ["factory", credit_code(1), "f1", "self"]], edit)
    with pytest.raises(gr.InvalidInputError) as err:
        gr.load_entities(path)
    (problem,) = err.value.problems
    assert problem.code == "over-limit" and problem.loc == ("Sheet", f"line {XLSX_MAX_ROWS + 1}")


def test_xlsx_too_many_columns_is_refused(tmp_path: Path) -> None:
    """A row wider than the column limit is an over-limit problem naming its line."""
    from greenrules._io.tables import XLSX_MAX_COLUMNS

    wide = ["factory", credit_code(1), "f1", "self"] + [None] * XLSX_MAX_COLUMNS + ["x"]
    path = _xlsx(tmp_path / "a.xlsx", [HEADER, wide])
    with pytest.raises(gr.InvalidInputError) as err:
        gr.load_entities(path)
    assert [(p.code, p.loc) for p in err.value.problems] == [("over-limit", ("Sheet", "line 2"))]


def test_xlsx_too_many_cells_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the cell limit (counted over every sheet) the file is an over-limit problem."""
    from greenrules._io import tables

    monkeypatch.setattr(tables, "XLSX_MAX_CELLS", 10)
    rows = [HEADER, *[["factory", credit_code(n), f"f{n}", "self"] for n in (1, 2, 3)]]
    with pytest.raises(gr.InvalidInputError) as err:
        gr.load_entities(_xlsx(tmp_path / "a.xlsx", rows))
    assert [(p.code, p.loc) for p in err.value.problems] == [("over-limit", ("Sheet", "line 3"))]


# --- duplicates ----------------------------------------------------------------------------------


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


DUPLICATED = [
    HEADER,
    ["factory", credit_code(1), "first", "self"],
    ["factory", credit_code(2), "other", "self"],
    ["factory", credit_code(1), "second", "self"],
]


def test_duplicate_credit_code_in_every_loader(tmp_path: Path) -> None:
    """Two applicants with one credit code are one input problem naming both places."""
    json_rows = [dict(zip(HEADER[:3], r[:3], strict=True)) for r in DUPLICATED[1:]]
    sources = {
        _csv(tmp_path / "a.csv", DUPLICATED): "line 2, line 4",
        _xlsx(tmp_path / "a.xlsx", DUPLICATED): "line 2, line 4",
    }
    as_json = tmp_path / "a.json"
    as_json.write_text(json.dumps(json_rows), encoding="utf-8")
    sources[as_json] = "applicants[0], applicants[2]"
    for path, where in sources.items():
        with pytest.raises(gr.InvalidInputError) as err:
            gr.load_entities(path)
        (problem,) = err.value.problems
        assert problem.code == "duplicate-credit-code" and problem.input == credit_code(1)
        assert where in problem.message, path


def test_duplicate_credit_code_in_evaluate_table(tmp_path: Path) -> None:
    """The columnar engine refuses the same tables, with the loaders' code and places."""
    pytest.importorskip("polars")
    import polars as pl

    frame = pl.DataFrame({k: [r[i] for r in DUPLICATED[1:]] for i, k in enumerate(HEADER)})
    for source, where in (
        (_csv(tmp_path / "a.csv", DUPLICATED), "line 2, line 4"),
        (frame, "[0], [2]"),
        (_xlsx(tmp_path / "a.xlsx", DUPLICATED), "line 2, line 4"),
    ):
        with pytest.raises(gr.InvalidInputError) as err:
            gr.evaluate_table(source, tier="province", round=2025, jurisdiction="CN-NM")
        (problem,) = err.value.problems
        assert problem.code == "duplicate-credit-code" and where in problem.message


def test_duplicate_agency_is_an_input_problem(tmp_path: Path) -> None:
    """An agency listed twice is refused: the last copy no longer wins by file order."""
    agency = {"credit_code": credit_code(9), "name": "A", "national_projects": 1}
    doc = {
        "agencies": [agency, {**agency, "national_projects": 9}],
        "applicants": [applicant(1, report={"route": "third_party", "agency": credit_code(9)})],
    }
    path = tmp_path / "a.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(gr.InvalidInputError) as err:
        gr.load_entities(path)
    assert [p.code for p in err.value.problems] == ["duplicate-agency"]
    assert "agencies[0], agencies[1]" in err.value.problems[0].message


def test_duplicate_credit_code_never_mixes_rows_in_the_workbook(tmp_path: Path) -> None:
    """write_summary refuses two applicants (or decisions) with one code instead of mixing them."""
    first = parse_entities([applicant(1, city="150200")])
    second = parse_entities([applicant(1, name="another", city="150100")])
    entities = first + second
    decisions = gr.evaluate_many(entities, tier="province", round=2025, jurisdiction="CN-NM")
    with pytest.raises(gr.InvalidInputError) as err:
        gr.write_summary(tmp_path / "s.xlsx", decisions, entities)
    assert [p.code for p in err.value.problems] == ["duplicate-credit-code"] * 2
    assert list(tmp_path.iterdir()) == []


# --- typed errors instead of tracebacks ----------------------------------------------------------


def _problems(path: Path) -> list[tuple[str, tuple[Any, ...]]]:
    with pytest.raises(gr.InvalidInputError) as err:
        gr.load_entities(path)
    return [(p.code, p.loc) for p in err.value.problems]


def test_typed_errors_for_deep_json_and_huge_numbers(tmp_path: Path) -> None:
    """JSON nested 100,000 deep is over-limit; a 5,000-digit number is bad-json."""
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert _problems(deep) == [("over-limit", ())]
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 40 + "]" * 40, encoding="utf-8")
    assert _problems(nested) == [("over-limit", ())]
    big = tmp_path / "big.json"
    big.write_text(json.dumps([applicant(1)])[:-2] + ', "x": ' + "9" * 5000 + "}]")
    assert _problems(big) == [("bad-json", ())]


def test_the_nesting_limit_counts_brackets_outside_strings_only(tmp_path: Path) -> None:
    """Brackets, quotes and backslashes inside text never count toward the nesting limit.

    Real nesting of 32 levels loads as far as the models; 33 levels is over-limit.
    """
    text = '\\"' + "[{" * 40 + '\\\\"'
    named = tmp_path / "named.json"
    named.write_text(json.dumps([{**applicant(1), "name": text}], ensure_ascii=False))
    assert [e.name for e in gr.load_entities(named)] == [text]
    for depth, problems in ((32, [("wrong-type", ("applicants", 0))]), (33, [("over-limit", ())])):
        nested = tmp_path / f"nested-{depth}.json"
        nested.write_text(json.dumps([functools.reduce(lambda x, _: [x], range(depth - 1), 1)]))
        assert _problems(nested) == problems


def test_typed_errors_for_a_device_and_an_empty_csv(tmp_path: Path) -> None:
    """A .json symlink to /dev/zero is unreadable (never read); a zero-byte CSV is bad-csv."""
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    assert _problems(zero) == [("unreadable", ("source",))]
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert _problems(empty) == [("bad-csv", ())]
    pytest.importorskip("polars")
    for source in (zero, empty):
        with pytest.raises(gr.InvalidInputError) as err:
            gr.evaluate_table(source, tier="province", round=2025, jurisdiction="CN-NM")
        assert [p.code for p in err.value.problems] == [_problems(source)[0][0]]


def test_typed_errors_for_integers_beyond_the_range_of_every_engine(tmp_path: Path) -> None:
    """An integer fact beyond ±2**53 is out-of-range in the models, so in every engine."""
    agency = {"credit_code": credit_code(9), "name": "A", "national_projects": 2**70}
    row = applicant(1, report={"route": "third_party", "agency": agency})
    with pytest.raises(gr.InvalidInputError) as err:
        parse_entities([row])
    assert [p.code for p in err.value.problems] == ["out-of-range"]
    pytest.importorskip("polars")
    big = {"programme": "supply_chain", "credit_code": credit_code(2), "name": "x"}
    for record in (row, {**big, "annual_revenue_cny": 2**1100}):
        with pytest.raises(gr.InvalidInputError):
            gr.evaluate_table([record], tier="national", round=2025, jurisdiction="CN-NM")


def test_typed_errors_for_as_of_out_of_range_and_a_full_disk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--as-of 0001-01-01 is a bad argument; stdout on a full disk is unwritable, one line."""
    source = tmp_path / "round.json"
    source.write_text(json.dumps([applicant(1)]), encoding="utf-8")
    assert main(["evaluate", str(source), *ARGS, "--as-of", "0001-01-01"]) == 2
    assert "as_of" in capsys.readouterr().err
    command = [sys.executable, "-m", "greenrules", "evaluate", str(source), *ARGS]
    with Path("/dev/full").open("w") as full:
        done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "unwritable" in done.stderr


# --- one acceptance rule for both readers --------------------------------------------------------

GOOD = ["factory", credit_code(1), "f1", "self"]
MALFORMED = {
    "duplicate header": [[*HEADER[:3], "name"], GOOD],
    "headers differing by a trailing space": [[*HEADER[:3], "name "], GOOD],
    "surplus cells": [HEADER, [*GOOD, "extra"]],
    "value under an empty header": [[*HEADER, ""], [*GOOD, "orphan"]],
}


def _codes(call: Callable[[], Any]) -> list[str]:
    with pytest.raises(gr.InvalidInputError) as err:
        call()
    return [p.code for p in err.value.problems]


@pytest.mark.parametrize("case", sorted(MALFORMED))
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_one_acceptance_rule_for_native_and_columnar_readers(
    tmp_path: Path, case: str, suffix: str
) -> None:
    """Each malformed file is an input problem, the same from the loader and evaluate_table."""
    pytest.importorskip("polars")
    path = tmp_path / f"in.{suffix}"
    (_csv if suffix == "csv" else _xlsx)(path, MALFORMED[case])
    native = _codes(lambda: gr.load_entities(path))
    table = _codes(
        lambda: gr.evaluate_table(path, tier="province", round=2025, jurisdiction="CN-NM")
    )
    assert native == table and native[0] in {"duplicate-column", "unnamed-column"}, native


def test_one_acceptance_rule_for_a_huge_field(tmp_path: Path) -> None:
    """A field longer than the csv module reads is bad-csv in both readers, whatever the size."""
    pytest.importorskip("polars")
    path = _csv(tmp_path / "in.csv", [HEADER, ["factory", credit_code(1), "x" * 200_000, "self"]])
    table = _codes(
        lambda: gr.evaluate_table(path, tier="province", round=2025, jurisdiction="CN-NM")
    )
    assert _codes(lambda: gr.load_entities(path)) == table == ["bad-csv"]


# --- packs ---------------------------------------------------------------------------------------

BASE_PACK = Path(__file__).parent / "packs" / "base"


def _pack_copy(tmp_path: Path) -> Path:
    import shutil

    folder = tmp_path / "pack"
    shutil.copytree(BASE_PACK, folder)
    return folder


def _pack_codes(folder: Path) -> list[str]:
    with pytest.raises(gr.PackError) as err:
        gr.load_pack(folder)
    return [p.code for p in err.value.problems]


@pytest.mark.parametrize("points", [".nan", ".inf", "-.inf"])
def test_packs_refuse_nan_and_infinite_points(tmp_path: Path, points: str) -> None:
    """``points: .nan`` made scores NaN (rank order then followed input order): refused."""
    folder = _pack_copy(tmp_path)
    rules = folder / "rules" / "factory.yaml"
    rules.write_text(rules.read_text().replace("points: 2", f"points: {points}"))
    with pytest.raises(gr.PackError) as err:
        gr.load_pack(folder)
    first = err.value.problems[0]
    assert first.code == "bad-schema" and ".points" in first.message


@pytest.mark.parametrize("where", ["../outside.csv", "/etc/passwd", "link.csv"])
def test_pack_tables_live_inside_the_pack_folder(tmp_path: Path, where: str) -> None:
    """A table ``file:`` outside the pack (directly or through a symlink) is refused."""
    folder = _pack_copy(tmp_path)
    (tmp_path / "outside.csv").write_text((folder / "reference" / "benchmarks.csv").read_text())
    (folder / "link.csv").symlink_to(tmp_path / "outside.csv")
    pack = folder / "pack.yaml"
    pack.write_text(pack.read_text().replace("reference/benchmarks.csv", where))
    assert _pack_codes(folder)[0] == "bad-table"  # then the rules reading it: unknown table


def test_pack_digest_covers_every_table_file(tmp_path: Path) -> None:
    """A table file of any suffix is in the digest: editing it changes the pack's digest."""
    folder = _pack_copy(tmp_path)
    table = folder / "reference" / "benchmarks.csv"
    renamed = folder / "reference" / "benchmarks.txt"
    table.rename(renamed)
    pack = folder / "pack.yaml"
    pack.write_text(pack.read_text().replace("benchmarks.csv", "benchmarks.txt"))
    before = gr.load_pack(folder).digest
    lines = renamed.read_text().splitlines()
    renamed.write_text("\n".join([lines[0], lines[1].replace(",", ",1", 1), *lines[2:]]) + "\n")
    assert gr.load_pack(folder).digest != before


def test_yaml_alias_bombs_are_capped_per_pack(tmp_path: Path) -> None:
    """Aliases five levels deep (x12 each) are over-limit at load, not minutes of parsing."""
    folder = _pack_copy(tmp_path)
    levels = ["a0: &a0 {fact: conformity.in_production, eq: true}"]
    for n in range(1, 6):
        levels.append(f"a{n}: &a{n} {{all: [{', '.join([f'*a{n - 1}'] * 12)}]}}")
    bomb = "x-anchors:\n" + "\n".join("  " + line for line in levels) + "\n"
    rules = folder / "rules" / "factory.yaml"
    rules.write_text(bomb + rules.read_text().replace(
        "requires: {fact: conformity.in_production, eq: true}", "requires: *a5", 1
    ))  # fmt: skip
    assert "over-limit" in _pack_codes(folder)


# --- low ---------------------------------------------------------------------------------------


def test_the_same_input_gives_the_same_workbook_bytes(tmp_path: Path) -> None:
    """No save time is written: two runs a second apart give identical files."""
    import time

    entities, decisions = _decide([applicant(1), applicant(2)])
    first = gr.write_summary(tmp_path / "a.xlsx", decisions, entities).read_bytes()
    time.sleep(2.1)  # zip entries keep times to two seconds
    assert gr.write_summary(tmp_path / "b.xlsx", decisions, entities).read_bytes() == first


def test_names_cannot_drive_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A carriage return or an escape sequence in a name is printed as an escape, not obeyed."""
    source = tmp_path / "round.json"
    rows = [applicant(1, name="a\rrecommended"), applicant(2, name="b\x1b[2Kc\u202ed")]
    source.write_text(json.dumps(rows), encoding="utf-8")
    assert main(["evaluate", str(source), *ARGS]) == 0
    out = capsys.readouterr().out
    assert "\r" not in out and "\x1b" not in out and "\u202e" not in out
    assert "a\\rrecommended" in out and "b\\x1b[2Kc\\u202ed" in out


def test_untyped_arguments_are_bad_arguments(tmp_path: Path) -> None:
    """write_summary([1]), rank([1]) and load_entities(123) name the bad argument."""
    calls = [
        lambda: gr.write_summary(tmp_path / "s.xlsx", [1]),  # type: ignore[list-item]
        lambda: gr.rank([1]),  # type: ignore[list-item]
        lambda: gr.load_entities(123),  # type: ignore[arg-type]
    ]
    for call in calls:
        assert _codes(call) == ["bad-argument"]
    assert list(tmp_path.iterdir()) == []


def test_pack_params_and_tables_are_read_only() -> None:
    """params.clear() changed 36 statuses under the same digest: a pack's mappings are views."""
    pack = gr.load_pack(BASE_PACK)
    with pytest.raises(AttributeError):  # a read-only view has no clear()
        pack.params.clear()  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        pack.tables["benchmarks"] = pack.tables["benchmarks"]  # type: ignore[index]
    with pytest.raises(TypeError):
        pack.tables["benchmarks"].rows[0]["benchmark"] = 0  # type: ignore[index]


def test_decision_from_dict_is_strict_about_scalars() -> None:
    """``"round": "2025"`` (or a review flag of 1) is refused, not coerced, on restore."""
    _, (decision,) = _decide([applicant(1)])
    data = decision.to_dict()
    assert gr.Decision.from_dict(data).to_dict() == data
    for change in ({"provenance": {**data["provenance"], "round": "2025"}},
                   {"review_required": 1}):  # fmt: skip
        assert _codes(lambda c=change: gr.Decision.from_dict({**data, **c})) == ["bad-decision"]


# --- encodings and unsaved formulas ---------------------------------------------------------------


def test_a_csv_mixing_utf8_and_gb18030_is_refused_with_both_lines(tmp_path: Path) -> None:
    """A GB18030 CSV with a row pasted in UTF-8 would decode to mojibake without an error."""
    header = ",".join(HEADER) + "\n"
    gb = f"factory,{credit_code(1)},内蒙古示例化工有限公司,self\n".encode("gb18030")
    utf8 = f"factory,{credit_code(2)},鄂尔多斯示例煤化工有限公司,self\n".encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(header.encode() + gb + utf8)
    with pytest.raises(gr.InvalidInputError) as info:
        gr.load_entities(path)
    [problem] = info.value.problems
    assert problem.code == "bad-encoding"
    assert "UTF-8 (line 3)" in problem.message and "GB18030 (line 2)" in problem.message


def test_a_gb18030_csv_of_short_names_is_not_taken_for_a_mix(tmp_path: Path) -> None:
    """Short GB18030 texts can be valid UTF-8 bytes ('通知'); they read as GB18030, not a mix."""
    names = ["通知", "水平", "专业水平", "内蒙古示例化工有限公司", "平台"]
    lines = [",".join(HEADER)] + [
        f"factory,{credit_code(n)},{name},self" for n, name in enumerate(names, start=1)
    ]
    path = tmp_path / "gb.csv"
    path.write_bytes("\n".join(lines).encode("gb18030"))
    assert [e.name for e in gr.load_entities(path)] == names


def test_an_xlsx_formula_without_a_saved_result_is_refused_not_read_as_empty(
    tmp_path: Path,
) -> None:
    """A script-written formula has no result: the water fact would silently become unknown."""
    rows = [
        [*HEADER, "water.key_water_user"],
        ["factory", credit_code(1), "f1", "self", False],
        ["factory", credit_code(2), "f2", "self", "=1=2"],
    ]
    path = _xlsx(tmp_path / "a.xlsx", rows)
    with pytest.raises(gr.InvalidInputError) as info:
        gr.load_entities(path)
    [problem] = info.value.problems
    assert problem.code == "formula-without-value"
    assert problem.loc == ("Sheet", "line 3", "water.key_water_user")


def test_an_xlsx_formula_with_a_saved_result_reads_as_that_result(tmp_path: Path) -> None:
    """What Excel saved is what the bureau saw: a calculated cell reads as its result."""
    rows = [[*HEADER, "water.key_water_user"], ["factory", credit_code(1), "f1", "self", "=1=2"]]

    def saved(sheet: str) -> str:
        unsaved, calculated = (
            '<c r="E2"><f>1=2</f><v /></c>',
            '<c r="E2" t="b"><f>1=2</f><v>0</v></c>',
        )
        return sheet.replace(unsaved, calculated)

    path = _xlsx(tmp_path / "a.xlsx", rows, saved)
    [entity] = gr.load_entities(path)
    assert entity.water is not None and entity.water.key_water_user is False
