"""Every decision the bundled packs make, as plain data: the example round and every pack case.

The record leaves out what names packs (a decision's provenance lists pack ids, versions and
digests, which a change of packaging changes on purpose) and keeps everything a decision says:
status, findings with their verdicts and read facts, priority, missing facts. Comparing two
records shows that repackaging the criteria changed no decision.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

import greenrules as gr
from greenrules._cases import read_cases, run_case

ROOT = Path(__file__).resolve().parent.parent
CASE_ROOTS = (ROOT / "criteria", ROOT / "tests" / "example_pack")
EXAMPLE_ROUND = ROOT / "criteria" / "greenrules_cn_nm"


def decision_data(decision: gr.Decision) -> dict[str, Any]:
    """What a decision says, without the packs that said it."""
    data = decision.to_dict()
    prov = data.pop("provenance")
    data["context"] = {k: prov[k] for k in ("jurisdiction", "round", "tier", "as_of")}
    return data


def example_round(registry: gr.Registry) -> dict[str, Any]:
    """Every decision of the bundled example round, at every tier and programme it opens."""
    (path,) = sorted(EXAMPLE_ROUND.rglob("examples/round-2025.json"))
    entities = gr.load_entities(path)
    out: dict[str, Any] = {}
    for tier in gr.Tier:
        for entity in entities:
            if registry.closure(
                jurisdiction="CN-NM", round=2025, tier=tier, programme=entity.programme
            ):
                continue
            try:
                decision = gr.evaluate(
                    entity, tier=tier, round=2025, jurisdiction="CN-NM", registry=registry
                )
            except gr.PackNotFoundError as exc:  # a tier the round's packs do not serve
                out[f"{tier}|{entity.credit_code}"] = {"refused": type(exc).__name__}
                continue
            out[f"{tier}|{entity.credit_code}"] = decision_data(decision)
    return out


def _jurisdiction(folder: Path) -> tuple[str, int]:
    meta = yaml.safe_load((folder / "pack.yaml").read_text(encoding="utf-8"))
    return meta["jurisdiction"], meta["rounds"][0]


def pack_cases(registry: gr.Registry) -> dict[str, Any]:
    """Every case of every pack folder, keyed by jurisdiction, round, file and case name."""
    out: dict[str, Any] = {}
    for root in CASE_ROOTS:
        for path in sorted(root.rglob("cases/*.yaml")):
            folder = path.parent.parent
            jurisdiction, first_round = _jurisdiction(folder)
            pack = next(p for p in registry.packs if p.folder and p.folder.resolve() == folder)
            for number, case in enumerate(read_cases(path)):
                round_ = case.round if case.round is not None else first_round
                key = f"{jurisdiction}|{round_}|{path.name}|{number}|{case.name}"
                result = run_case(case, pack, registry)
                out[key] = {"passed": result.passed, "decision": decision_data(result.decision)}
    return out


def record(registry: gr.Registry) -> dict[str, Any]:
    """The example round's decisions and every case's decision, as JSON-ready data."""
    return {"example_round": example_round(registry), "cases": pack_cases(registry)}


def fingerprint(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each recorded decision as its status and the SHA-256 of its whole content (canonical JSON).

    Small enough to keep in the repository, and still a comparison of every field.
    """
    out: dict[str, dict[str, str]] = {}
    for part, decisions in data.items():
        out[part] = {}
        for key, value in decisions.items():
            text = json.dumps(value, ensure_ascii=False, sort_keys=True)
            status = value.get("refused") or value.get("status") or value["decision"]["status"]
            out[part][key] = f"{status} {hashlib.sha256(text.encode()).hexdigest()}"
    return out
