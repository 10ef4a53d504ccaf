"""Repackaging the criteria changes no decision: the record taken before the packs were split."""

from __future__ import annotations

import json
from pathlib import Path

import greenrules as gr
from decision_record import fingerprint, record

BEFORE = Path(__file__).parent / "data" / "decisions-before-split.json"


def test_example_round_and_every_case_decide_as_before_the_split() -> None:
    """Each decision of the example round and of every pack case, every field, is unchanged."""
    before = json.loads(BEFORE.read_text(encoding="utf-8"))
    now = fingerprint(record(gr.default_registry()))
    assert len(before["example_round"]) == 120 and len(before["cases"]) == 266
    for part in ("example_round", "cases"):
        changed = {
            key: (value, now[part].get(key))
            for key, value in before[part].items()
            if now[part].get(key) != value
        }
        assert not changed, f"{part}: {len(changed)} decisions differ, e.g. {next(iter(changed))}"
        assert set(now[part]) == set(before[part]), f"{part}: decisions added"
