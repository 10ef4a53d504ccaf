"""Shared fixtures: the synthetic test packs and small entity builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import greenrules as gr
from greenrules._model.credit_code import make_credit_code

PACKS = Path(__file__).parent / "packs"

# No per-example deadline: the first example of a run compiles rule sets, and CI machines are
# shared. Speed is measured by `make bench`, never asserted by tests.
settings.register_profile("greenrules", deadline=None)
settings.load_profile("greenrules")


def credit_code(n: int) -> str:
    """A valid credit code distinct for each ``n``."""
    return make_credit_code(f"91150000MA{n:07d}")


def factory(n: int = 1, **fields: Any) -> gr.Factory:
    """A factory that passes every rule of the test packs unless ``fields`` say otherwise."""
    base: dict[str, Any] = {
        "credit_code": credit_code(n),
        "name": f"test factory {n}",
        "conformity": {"in_production": True},
        "report": {"route": "self"},
        "water": {"key_water_user": False, "water_saving_certified": True},
        "energy": [{"product": "widget", "value": 95.0}],
        "submitted_on": "2030-05-01",
        "memberships": [{"programme": "factory", "tier": "province", "year": 2028}],
    }
    base.update(fields)
    return gr.Factory.model_validate(base)


@pytest.fixture(scope="session")
def base_pack() -> gr.Pack:
    return gr.load_pack(PACKS / "base")


@pytest.fixture(scope="session")
def region_pack() -> gr.Pack:
    return gr.load_pack(PACKS / "region")


@pytest.fixture(scope="session")
def registry(base_pack: gr.Pack, region_pack: gr.Pack) -> gr.Registry:
    return gr.Registry([base_pack, region_pack])


@pytest.fixture
def evaluate(registry: gr.Registry) -> Any:
    """``evaluate(entity, tier=..., jurisdiction=...)`` against the test packs, round 2030."""

    def run(entity: Any, *, tier: str = "province", jurisdiction: str = "ZZ", **kw: Any) -> Any:
        kw.setdefault("round", 2030)
        return gr.evaluate(entity, tier=tier, jurisdiction=jurisdiction, registry=registry, **kw)

    return run
