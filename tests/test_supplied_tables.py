"""Tests for --reference: a region's own table, CSV or XLSX, replaces the pack's for one run."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from greenrules._cli import main

HEADER = ["product", "benchmark", "baseline", "unit", "field_zh", "standard", "source"]
METHANOL = [
    "gb29436.methanol-from-bituminous-coal", 1720, 2000, "kgce/t", "煤制甲醇", "GB 29436",
    "official attachment (test)",
]  # fmt: skip


def _xlsx(path: Path, *rows: list[object]) -> Path:
    book = openpyxl.Workbook()
    for row in (HEADER, *rows):
        book.active.append(row)
    book.save(path)
    return path


def _benchmark_finding(decisions: list[dict], product: str) -> dict:
    for d in decisions:
        for f in d["findings"]:
            if f["rule"] == "NM25-F-benchmark" and any(
                r["key"] == product for r in f["references"]
            ):
                return f
    raise AssertionError(f"no benchmark finding read {product}")


EXAMPLE = Path(__file__).parents[1] / "criteria/greenrules_cn_nm/r2025/shared/examples"
EXAMPLE = EXAMPLE / "round-2025.json"


def test_an_xlsx_table_decides_the_benchmark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The supplied benchmark reaches the findings with the file's source; the pack is marked."""
    path = _xlsx(tmp_path / "official.xlsx", METHANOL)
    assert main(["evaluate", str(EXAMPLE), "--format", "json"]) == 0
    bundled = json.loads(capsys.readouterr().out)
    reference = ["--reference", f"energy_benchmarks={path}"]
    assert main(["evaluate", str(EXAMPLE), *reference, "--format", "json"]) == 0
    supplied = json.loads(capsys.readouterr().out)
    product = "gb29436.methanol-from-bituminous-coal"
    assert _benchmark_finding(bundled, product)["verdict"] == "unknown"
    finding = _benchmark_finding(supplied, product)
    assert finding["verdict"] in ("pass", "fail")
    (ref,) = finding["references"]
    assert (ref["value"], ref["source"]) == (1720, "official attachment (test)")

    def digest(decisions: list[dict]) -> str:
        packs = decisions[0]["provenance"]["packs"]
        return next(p["digest"] for p in packs if p["id"] == "cn-nm")

    assert digest(supplied) != digest(bundled)


def test_a_broken_row_is_refused_naming_the_file_row_and_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A baseline below its benchmark fails the run (exit 1), nothing is evaluated."""
    broken = ["gb21341.ferrosilicon", 1850, 1770, "kgce/t", "铁合金", "GB 21341", "test"]
    path = _xlsx(tmp_path / "official.xlsx", METHANOL, broken)
    assert main(["demo", "--reference", f"energy_benchmarks={path}"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert "[table-invariant]" in line and f"{path}: table energy_benchmarks row 3" in line
    assert "row 3 (gb21341.ferrosilicon), benchmark, baseline" in line


@pytest.mark.parametrize(
    ("spec", "code"),
    [("energy_benchmarks", "bad-argument"), ("colours=x.csv", "bad-argument")],
)
def test_a_bad_spec_names_the_option(
    spec: str, code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--reference takes TABLE=FILE with a table of the pack stack."""
    assert main(["demo", "--reference", spec]) == 2
    err = capsys.readouterr().err
    assert "reference: expected TABLE=FILE" in err and f"[{code}]" in err


def test_an_unreadable_file_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing file or a corrupt workbook exits 2 with the file named."""
    assert main(["demo", "--reference", f"energy_benchmarks={tmp_path / 'none.csv'}"]) == 2
    assert "[unreadable]" in capsys.readouterr().err
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    assert main(["demo", "--reference", f"energy_benchmarks={tmp_path / 'bad.xlsx'}"]) == 2
    assert "[bad-xlsx]" in capsys.readouterr().err
