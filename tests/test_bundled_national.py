"""The bundled national pack read against the national texts: thresholds, citations, rounds."""

from __future__ import annotations

import pytest

import greenrules as gr

NATIONAL = "cn-national"


@pytest.fixture(scope="module")
def registry() -> gr.Registry:
    return gr.default_registry()


def test_removal_for_accidents_names_the_measures_threshold(registry: gr.Registry) -> None:
    """Removal for accidents says major (重大) and level II, never the 2020 notice's 较大."""
    pack = registry.get(NATIONAL, 2024)
    rules = [r for r in pack.rules if r.clause == "MIIT2024-ch4-rm-a"]
    assert {r.reads() for r in rules} == {
        ("memberships", "memberships.valid", "standing.major_accident")
    }
    for text in [pack.clause("MIIT2024-ch4-rm-a").summary, *(r.summary for r in rules)]:
        assert "重大" in text.zh and "Ⅱ级" in text.zh and "较大" not in text.zh
        assert "major" in text.en and "level-II" in text.en
