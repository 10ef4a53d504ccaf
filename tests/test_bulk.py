"""Bulk entry points pause the garbage collector while they run and leave it as they found it."""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import greenrules as gr
from greenrules._bulk import collector_paused

EXAMPLE = (
    Path(__file__).parents[1]
    / "criteria/greenrules_cn_nm/r2025/shared/examples"
    / "round-2025.json"
)
ARGS: dict[str, Any] = {"tier": "province", "round": 2025, "jurisdiction": "CN-NM"}


@pytest.fixture(params=[True, False], ids=["gc-on", "gc-off"])
def caller_gc(request: pytest.FixtureRequest) -> Iterator[bool]:
    """The caller's collector switched on or off, and thresholds of its own, put back after."""
    was, thresholds = gc.isenabled(), gc.get_threshold()
    gc.set_threshold(1234, 11, 12)
    (gc.enable if request.param else gc.disable)()
    yield request.param
    gc.set_threshold(*thresholds)
    (gc.enable if was else gc.disable)()


def _factories() -> list[gr.Applicant]:
    return [e for e in gr.load_entities(EXAMPLE) if isinstance(e, gr.Factory)][:3]


def _calls(tmp_path: Path) -> dict[str, Callable[[], object]]:
    good = tmp_path / "round.json"
    good.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"programme": "factory", "credit_code": "x"}]), encoding="utf-8")
    factories = _factories()
    records = [
        {"programme": "factory", "credit_code": f.credit_code, "name": f.name} for f in factories
    ]
    return {
        "evaluate_many": lambda: gr.evaluate_many(factories, **ARGS),
        "evaluate_many raising": lambda: gr.evaluate_many(factories, **{**ARGS, "tier": "x"}),
        "load_entities": lambda: gr.load_entities(good),
        "load_entities raising": lambda: gr.load_entities(bad),
        "evaluate_table": lambda: gr.evaluate_table(records, **ARGS),
        "evaluate_table raising": lambda: gr.evaluate_table([{"programme": 1}], **ARGS),
    }


def test_the_collector_state_is_restored(caller_gc: bool, tmp_path: Path) -> None:
    """After each bulk call, returning or raising, gc is enabled as before, thresholds kept."""
    pytest.importorskip("polars")
    for name, call in _calls(tmp_path).items():
        try:
            call()
        except gr.GreenrulesError:
            assert name.endswith("raising"), name
        else:
            assert not name.endswith("raising"), name
        assert gc.isenabled() is caller_gc, name
        assert gc.get_threshold() == (1234, 11, 12), name
        assert gc.get_freeze_count() == 0, name


def test_objects_the_caller_froze_stay_frozen(tmp_path: Path) -> None:
    """A caller that froze its objects (as a pre-forking server does) finds them frozen."""
    pytest.importorskip("polars")
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        for name, call in _calls(tmp_path).items():
            with contextlib.suppress(gr.GreenrulesError):
                call()
            assert gc.get_freeze_count() == frozen, name
            assert gc.isenabled(), name
    finally:
        gc.unfreeze()


def test_the_collector_is_paused_during_a_batch() -> None:
    """evaluate_many runs with the collector off (progress is called from inside the batch)."""
    seen: list[bool] = []
    gr.evaluate_many(_factories(), **ARGS, progress=lambda done: seen.append(gc.isenabled()))
    assert seen and not any(seen)
    assert gc.isenabled()


def test_a_nested_pause_leaves_the_outer_one_in_charge() -> None:
    """An inner pause neither re-enables nor changes anything; the outer one restores."""
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
