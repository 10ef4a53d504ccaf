"""Criteria per programme: each programme pack installs, resolves and clashes on its own.

The environments here are built from the packs' folders, as a user installing only some of
them would have them: the shared packs are loaded once and handed to the programme packs that
extend them (``load_pack(..., bases=...)``), never copied.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import greenrules as gr
from decision_record import decision_data
from greenrules._pack_lint import check_pack

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "criteria" / "greenrules_cn_national"
NM = ROOT / "criteria" / "greenrules_cn_nm" / "r2025"
EXAMPLE = NM / "shared" / "examples" / "round-2025.json"


def _factory_only() -> list[gr.Pack]:
    """The Inner Mongolia factory pack and what it extends, loaded from their folders."""
    shared_2024 = gr.load_pack(NATIONAL / "miit2024" / "shared")
    shared_2025 = gr.load_pack(NATIONAL / "miit2025" / "shared", bases=[shared_2024])
    national = (shared_2024, shared_2025)
    nm = gr.load_pack(NM / "shared", bases=national)
    return [
        shared_2024,
        gr.load_pack(NATIONAL / "miit2024" / "factory", bases=national[:1]),
        shared_2025,
        gr.load_pack(NATIONAL / "miit2025" / "factory", bases=national),
        nm,
        gr.load_pack(NM / "factory", bases=(*national, nm)),
    ]


@pytest.fixture(scope="module")
def factory_only() -> gr.Registry:
    return gr.Registry(_factory_only())


def _applicants(programme: gr.Programme) -> list[gr.Applicant]:
    return [e for e in gr.load_entities(EXAMPLE) if e.programme is programme]


def test_the_factory_pack_alone_decides_factories_as_the_full_install(
    factory_only: gr.Registry,
) -> None:
    """With only the factory pack (and its bases), factories decide exactly as with all packs."""
    factories = _applicants(gr.Programme.FACTORY)
    assert len(factories) >= 10
    full = gr.default_registry()
    for entity in factories:
        kw = {"tier": "province", "round": 2025, "jurisdiction": "CN-NM"}
        alone = gr.evaluate(entity, registry=factory_only, **kw)
        assert decision_data(alone) == decision_data(gr.evaluate(entity, registry=full, **kw))
        assert alone.provenance.packs == gr.evaluate(entity, registry=full, **kw).provenance.packs


def test_a_park_without_its_programme_pack_is_refused_naming_it(
    factory_only: gr.Registry,
) -> None:
    """A park in CN-NM 2025 is refused with PackNotFoundError naming the missing park pack."""
    (park, *_) = _applicants(gr.Programme.PARK)
    with pytest.raises(gr.PackNotFoundError) as info:
        gr.evaluate(park, tier="province", round=2025, jurisdiction="CN-NM", registry=factory_only)
    message = str(info.value)
    assert message.startswith("the park pack of CN-NM round 2025 is not installed")
    assert "cn-nm-factory 2025.4.0 (factory)" in message  # what is installed there instead


def test_provenance_lists_exactly_the_packs_of_the_programme_stack() -> None:
    """A factory decision names the factory stack's packs, no park or supply-chain pack."""
    (factory, *_) = _applicants(gr.Programme.FACTORY)
    decision = gr.evaluate(factory, tier="province", round=2025, jurisdiction="CN-NM")
    assert [(p.id, p.version) for p in decision.provenance.packs] == [
        ("cn-national", "2024.4.0"),
        ("cn-national-factory", "2024.4.0"),
        ("cn-national", "2025.2.0"),
        ("cn-national-factory", "2025.2.0"),
        ("cn-nm", "2025.4.0"),
        ("cn-nm-factory", "2025.4.0"),
    ]
    stack = gr.default_registry().resolve("CN-NM", 2025, "factory")
    assert [p.digest for p in stack] == [p.digest for p in decision.provenance.packs]


def _renamed(tmp_path: Path, programme: str, new_id: str) -> Path:
    folder = tmp_path / new_id
    shutil.copytree(NM / programme, folder)
    meta = folder / "pack.yaml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text.replace(f"id: cn-nm-{programme}", f"id: {new_id}"), encoding="utf-8")
    return folder


def test_a_second_park_pack_clashes_and_another_programme_coexists(tmp_path: Path) -> None:
    """A park pack beside the factory pack coexists and parks then decide; a second CN-NM
    2025 park pack is a registration error naming both.
    """
    packs = _factory_only()
    national, nm = (packs[0], packs[2]), packs[4]
    parks = [
        gr.load_pack(NATIONAL / "miit2024" / "park", bases=national[:1]),
        gr.load_pack(NATIONAL / "miit2025" / "park", bases=national),
        gr.load_pack(_renamed(tmp_path, "park", "cn-nm-park-alt"), bases=(*national, nm)),
    ]
    registry = gr.Registry([*packs, *parks])
    (entity, *_) = _applicants(gr.Programme.PARK)
    kw = {"tier": "province", "round": 2025, "jurisdiction": "CN-NM"}
    decision = gr.evaluate(entity, registry=registry, **kw)
    assert decision.provenance.packs[-1].id == "cn-nm-park-alt"
    assert decision_data(decision) == decision_data(gr.evaluate(entity, **kw))
    second = gr.load_pack(NM / "park", bases=(*national, nm))
    with pytest.raises(gr.PackError) as info:
        registry.register(second)
    (problem,) = info.value.problems
    assert problem.code == "programme-clash"
    assert "cn-nm-park 2025.4.0 and cn-nm-park-alt 2025.4.0 both serve park" in problem.message


def test_check_validates_a_programme_pack_alone_and_the_whole_stack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`greenrules check` passes the factory pack alone; the shared pack's whole stack, with
    the park and supply-chain packs missing, fails naming them, the clauses left bare and the
    example round that cannot run.
    """
    assert check_pack("cn-nm-factory", analyse=False).errors == ()
    assert check_pack("CN-NM", analyse=False).errors == ()
    monkeypatch.setattr(
        "greenrules._pack_lint.default_registry", lambda: gr.Registry(_factory_only())
    )
    alone = check_pack(NM / "factory", analyse=False)
    assert alone.errors == ()
    whole = check_pack(NM / "shared", analyse=False)
    codes = {p.code for p in whole.errors}
    # the example round holds parks and chains too: it cannot be run either
    assert codes == {"missing-programme-pack", "uncovered-clause", "procedure-example"}
    missing = sorted(p.where for p in whole.errors if p.code == "missing-programme-pack")
    assert missing == ["cn-nm programme park", "cn-nm programme supply_chain"]
