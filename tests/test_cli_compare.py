"""Tests of ``greenrules compare`` and of ``--pack FOLDER`` (a pack used without installing it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

import greenrules as gr
from greenrules._cli import main

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "criteria/greenrules_cn_nm/r2025/shared/examples/round-2025.json"
NM_PACK = ROOT / "criteria/greenrules_cn_nm/r2025/shared"  # its parameters
SHARE = "sc_market_share_min"
ENTERPRISE = "91150600MA0000082F"  # the example's enterprise with a 3% market share


def _folder_at_three_percent(tmp_path: Path) -> Path:
    """A copy of the cn-nm pack folder whose market-share line is 3%, not installed."""
    folder = tmp_path / "cn-nm-draft"
    shutil.copytree(NM_PACK, folder)
    params = folder / "params.yaml"
    text = params.read_text(encoding="utf-8")
    assert "{value: 0.05, from: 2025-01-01" in text
    params.write_text(text.replace("{value: 0.05, from", "{value: 0.03, from"), encoding="utf-8")
    return folder


def test_compare_with_a_parameter_lists_who_moved_and_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The example round at a 3% line: the enterprise, the rule, the fact and the counts."""
    assert main(["compare", str(EXAMPLE), "--with-param", f"{SHARE}=0.03"]) == 0
    out = capsys.readouterr().out
    assert f"cn-nm {SHARE}: 0.05 -> 0.03" in out
    assert "NM25-S-influence: not met -> met: 1" in out
    assert "entities whose status changed (0)" in out
    assert ENTERPRISE in out and "market_share = 0.03" in out


def test_compare_json_and_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """JSON is the documented shape; the workbook is written in Chinese to --out."""
    args = ["compare", str(EXAMPLE), "--with-param", f"{SHARE}=0.03"]
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["entity_id"] for c in data["changes"]] == [ENTERPRISE]
    assert data["rule_moves"] == [
        {"rule": "NM25-S-influence", "before": "fail", "after": "pass", "count": 1}
    ]
    out = tmp_path / "what-if.xlsx"
    assert main([*args, "--format", "xlsx", "--lang", "zh", "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["状态变化", "判定变化的规则", "变化的单位"]
    assert book["变化的单位"]["A2"].value == ENTERPRISE


def test_compare_with_a_pack_folder_equals_the_parameter_override(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--with-pack FOLDER (next version, not installed) moves the same entities and rules."""
    folder = _folder_at_three_percent(tmp_path)
    assert main(["compare", str(EXAMPLE), "--with-pack", str(folder), "--format", "json"]) == 0
    by_pack = json.loads(capsys.readouterr().out)
    assert main(["compare", str(EXAMPLE), "--with-param", f"{SHARE}=0.03", "--format", "json"]) == 0
    by_param = json.loads(capsys.readouterr().out)
    assert by_pack["changes"] == by_param["changes"]
    assert by_pack["transitions"] == by_param["transitions"]


def test_compare_refuses_nothing_to_change_and_bad_overrides(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each mistake is one line naming the option or parameter, never a traceback."""
    assert main(["compare", str(EXAMPLE)]) == 2
    assert "--with-param NAME=VALUE" in capsys.readouterr().err
    assert main(["compare", str(EXAMPLE), "--with-param", "sc_market_share_min"]) == 2
    assert "expected NAME=VALUE" in capsys.readouterr().err
    assert main(["compare", str(EXAMPLE), "--with-param", "nope=1"]) == 1
    assert "no pack of this context has a parameter 'nope'" in capsys.readouterr().err
    assert main(["compare", str(EXAMPLE), "--with-param", f"{SHARE}=abc"]) == 1
    assert f"parameter {SHARE}: 'abc' is not a number" in capsys.readouterr().err
    assert main(["compare", str(EXAMPLE), "--with-param", f"{SHARE}=1", "--format", "xlsx"]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["compare", str(EXAMPLE), "--with-pack", str(tmp_path)]) == 2
    assert "pack.yaml" in capsys.readouterr().err


def test_evaluate_with_a_pack_folder_uses_it_without_installing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--pack FOLDER: the folder's rules decide, in place of the installed pack."""
    folder = _folder_at_three_percent(tmp_path)
    for extra in ([], ["--pack", str(folder)]):
        assert main(["evaluate", str(EXAMPLE), "--format", "json", *extra]) == 0
        decisions = {d["entity"]["id"]: d for d in json.loads(capsys.readouterr().out)}
        verdicts = {f["rule"]: f["verdict"] for f in decisions[ENTERPRISE]["findings"]}
        assert verdicts["NM25-S-influence"] == ("pass" if extra else "fail")
    assert main(["demo", "--pack", str(folder), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)
    assert main(["evaluate", str(EXAMPLE), "--pack", str(tmp_path / "none")]) == 2
    assert "expected a pack folder holding pack.yaml" in capsys.readouterr().err


def test_a_registry_with_a_folder_pack_replaces_its_installed_twin(tmp_path: Path) -> None:
    """Registry.with_pack puts the folder's pack in place of the same id and jurisdiction."""
    installed = gr.default_registry()
    draft = gr.load_pack(_folder_at_three_percent(tmp_path))
    registry = installed.with_pack(draft)
    assert registry.get("cn-nm", 2025) is draft
    assert registry.origin(draft) == "registered directly"
    assert len(registry.packs) == len(installed.packs)
    with pytest.raises(gr.PackError):
        installed.with_pack("not a pack")  # type: ignore[arg-type]
