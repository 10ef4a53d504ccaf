"""The rete engine: one test per durable-rules hazard, isolation, determinism, threads, errors."""

from __future__ import annotations

import gc
import json
import threading
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import factory

import greenrules as gr
from greenrules._engines import rete as _rete
from greenrules._engines import rete_compile as _rete_compile

needs_durable = pytest.mark.skipif(
    _rete._IMPORT_ERROR is not None, reason="durable-rules cannot be imported on this Python"
)


def write_pack(
    folder: Path,
    rules: list[dict[str, Any]],
    params: dict[str, Any] | None = None,
    jurisdiction: str = "QQ",
) -> gr.Pack:
    """A one-clause factory pack made of ``rules`` (each gets the clause and a summary)."""
    folder.mkdir(parents=True, exist_ok=True)
    pack = {
        "id": f"test-{jurisdiction.lower()}",
        "version": "1.0.0",
        "jurisdiction": jurisdiction,
        "rounds": [2030],
        "name": {"zh": "测试", "en": "test"},
        "source": {"title": "t", "issuer": "t", "date": "2029-01-01"},
        "evaluation_dates": {2030: "2030-06-30"},
        "programmes": ["factory"],
        "tiers": ["province"],
        "tables": {"t": {"file": "t.csv", "key": "product", "columns": {"v": "number"}}},
    }
    (folder / "t.csv").write_text(
        "product,v,valid_from,valid_to,source,confidence\n"
        "p,1.5,,,synthetic,high\nwidget,100,,,synthetic,high\nnone,,,,synthetic,low\n"
    )
    (folder / "pack.yaml").write_text(yaml.safe_dump(pack))
    clause = {
        "id": "Q-1",
        "kind": "hard",
        "section": "1",
        "summary": {"zh": "测", "en": "t"},
        "coverage": {"how": "rules"},
    }
    (folder / "clauses.yaml").write_text(yaml.safe_dump({"clauses": [clause]}))
    if params:
        (folder / "params.yaml").write_text(yaml.safe_dump({"params": params}))
    (folder / "rules").mkdir(exist_ok=True)
    full = [
        {
            "clause": "Q-1",
            "tiers": ["province"],
            "strength": "mandatory",
            "summary": {"zh": "测", "en": "t"},
            **rule,
        }
        for rule in rules
    ]
    (folder / "rules" / "factory.yaml").write_text(
        yaml.safe_dump({"programme": "factory", "rules": full}, allow_unicode=True)
    )
    return gr.load_pack(folder)


def both(registry: gr.Registry, entities: list[Any], jurisdiction: str = "QQ") -> tuple[Any, Any]:
    """Decisions from the native and the rete engine, as comparable tuples."""
    out = []
    for engine in ("native", "rete"):
        decisions = gr.evaluate_many(
            entities,
            tier="province",
            round=2030,
            jurisdiction=jurisdiction,
            registry=registry,
            engine=engine,
        )
        out.append([(d.status, d.verdicts, d.priority, d.missing) for d in decisions])
    return out[0], out[1]


@pytest.fixture
def one_rule(tmp_path: Path) -> Any:
    """``one_rule(requires, **extra)``: a registry with that single rule."""
    counter = iter(range(1000))

    def make(requires: dict[str, Any], params: dict[str, Any] | None = None) -> gr.Registry:
        rule = {"id": "Q-R", "requires": requires}
        return gr.Registry([write_pack(tmp_path / str(next(counter)), [rule], params)])

    return make


def compiled_definitions(registry: gr.Registry) -> list[dict[str, Any]]:
    """Every durable rule definition of the factory rule set, after one evaluation."""
    gr.evaluate(
        factory(), tier="province", round=2030, jurisdiction="QQ", registry=registry, engine="rete"
    )
    ruleset = registry.ruleset(jurisdiction="QQ", round=2030, tier="province", programme="factory")
    program = ruleset.programs["rete"]
    return [{"all": patterns} for s in program.strata.values() for patterns, _ in s.rules.values()]


def walk_json(value: Any) -> Any:
    """Every key and leaf of a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from walk_json(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_json(item)
    else:
        yield value


# --- hazards, one test each (docs/explanation/rete-engine.md has the table) ----------------


@needs_durable
def test_every_rule_has_a_positive_anchor_so_negation_cannot_loop(one_rule: Any) -> None:
    """Every durable rule starts with a positive test the session state never has."""
    registry = one_rule({"not": {"known": "water.key_water_user"}})
    for definition in compiled_definitions(registry):
        first = definition["all"][0]
        expression = next(iter(first.values()))
        anchor = expression["$and"][0] if "$and" in expression else expression
        assert set(anchor) & {"_t", "_a"}, definition
        assert all(v >= 1 for v in anchor.values())
    native, rete = both(registry, [factory(water={}), factory(2, water={"key_water_user": True})])
    assert native == rete


@needs_durable
@pytest.mark.parametrize("value", [1e-05, 2.5e-07, 1e16, -1e-300, 5e-324, 1.5e300])
def test_exponent_floats_reach_the_engine_only_as_integers(one_rule: Any, value: float) -> None:
    """Floats Python prints with an exponent compare exactly, as rule constants and as facts."""
    registry = one_rule({"every": "energy", "where": {"fact": "value", "le": value}})
    entities = [
        factory(i, energy=[{"product": "p", "value": v}])
        for i, v in enumerate([value, value * 0.999999, value * 1.000001, -value, 0.0])
    ]
    native, rete = both(registry, entities)
    assert native == rete
    assert native[0][1] == (gr.Verdict.PASS,)


@needs_durable
def test_only_integers_reach_the_engine_so_nothing_is_coerced(one_rule: Any) -> None:
    """Rule constants are all ints (no strings, floats, booleans) in every compiled rule."""
    registry = one_rule(
        {
            "all": [
                {"fact": "report.route", "eq": "self"},
                {"fact": "industry.code", "ge": "43"},
                {"fact": "water.key_water_user", "eq": True},
            ]
        }
    )
    for definition in compiled_definitions(registry):
        for leaf in walk_json(definition):
            assert type(leaf) is int or (isinstance(leaf, str) and leaf.isascii()), leaf
    entities = [
        factory(1, industry={"code": "4210"}),
        factory(2, industry={"code": "43"}),
        factory(3, industry={"code": "430"}),
    ]
    assert both(registry, entities)[0] == both(registry, entities)[1]


@needs_durable
def test_text_order_is_python_order_despite_prefixes_and_control_characters(one_rule: Any) -> None:
    """'a' < 'a b', '\\x1f' order as Python orders them (pydantic rejects lone surrogates)."""
    registry = one_rule(
        {"any": [{"fact": "industry.name", "gt": "a b"}, {"fact": "industry.name", "lt": "\x1f"}]}
    )
    names = ["a", "a b", "a c", "", "\x1f", "\x1e", "a\x1f", "b", "a b\x00"]
    entities = [factory(i, industry={"name": name}) for i, name in enumerate(names)]
    native, rete = both(registry, entities)
    assert native == rete
    assert native[0][1] == (gr.Verdict.FAIL,)  # 'a' > 'a b' is false in Python


@needs_durable
def test_numbers_beyond_two_to_the_53_are_refused_not_rounded(one_rule: Any) -> None:
    """A threshold durable would compare through a double raises a clear error."""
    registry = one_rule({"every": "energy", "where": {"fact": "value", "le": 2**53 + 1}})
    with pytest.raises(gr.EngineUnavailableError, match="2\\*\\*53"):
        both(registry, [factory()])


@needs_durable
def test_more_than_1024_entities_never_hit_the_session_cap(one_rule: Any) -> None:
    """Everything is asserted in one session and retracted, so batches of any size work."""
    registry = one_rule({"fact": "conformity.in_production", "eq": True})
    entities = [factory(i, conformity={"in_production": i % 3 == 0}) for i in range(1300)]
    native, rete = both(registry, entities)
    assert native == rete


@needs_durable
def test_an_exception_in_an_action_raises_and_leaves_the_engine_usable(
    one_rule: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Durable swallows action exceptions into the state; the engine raises them instead."""
    registry = one_rule({"fact": "conformity.in_production", "eq": True})
    both(registry, [factory()])
    ruleset = registry.ruleset(jurisdiction="QQ", round=2030, tier="province", programme="factory")
    stratum = next(iter(ruleset.programs["rete"].strata.values()))

    class Exploding(list):  # type: ignore[type-arg]
        def append(self, item: Any) -> None:
            raise RuntimeError("boom")

    good = stratum.sink
    stratum.sink = Exploding()
    for promise in stratum.ruleset._actions.values():
        monkeypatch.setattr(promise, "_func", _rete._action(stratum.sink, ("seen",)))
    with pytest.raises(gr.EngineUnavailableError, match="boom"):
        gr.evaluate(
            factory(),
            tier="province",
            round=2030,
            jurisdiction="QQ",
            registry=registry,
            engine="rete",
        )
    monkeypatch.undo()
    stratum.sink = good
    entities = [factory(1), factory(2, conformity={"in_production": False})]
    native, rete = both(registry, entities)  # the stored exception and the lease are gone
    assert native == rete


@needs_durable
def test_no_background_threads_are_started(one_rule: Any) -> None:
    """Compiling and evaluating start no thread: every action runs in the caller."""
    before = threading.active_count()
    registry = one_rule({"fact": "conformity.in_production", "eq": True})
    both(registry, [factory(i) for i in range(50)])
    assert threading.active_count() == before


@needs_durable
def test_no_arithmetic_reaches_the_engine_so_division_cannot_kill_the_process(
    one_rule: Any,
) -> None:
    """Compiled rules use comparisons, existence and joins only: no $div, $add, $sub, $mul."""
    registry = one_rule(
        {"value": {"count": "energy", "where": {"fact": "value", "gt": 0.0}}, "ge": 2}
    )
    allowed = {"$and", "$or", "$ex", "$nex", "$neq", "$lt", "$lte", "$gt", "$gte", "$m"}
    for definition in compiled_definitions(registry):
        for leaf in walk_json(definition):
            if isinstance(leaf, str) and leaf.startswith("$"):
                assert leaf in allowed


@needs_durable
def test_two_registries_in_one_process_are_isolated(tmp_path: Path) -> None:
    """Two registries with the same pack ids and different thresholds keep their own rules."""
    rule = {"id": "Q-R", "requires": {"every": "energy", "where": {"fact": "value", "le": 1.0}}}
    loose = {**rule, "requires": {"every": "energy", "where": {"fact": "value", "le": 9.0}}}
    strict_reg = gr.Registry([write_pack(tmp_path / "a", [rule])])
    loose_reg = gr.Registry([write_pack(tmp_path / "b", [loose])])
    entity = factory(energy=[{"product": "p", "value": 5.0}])
    for _ in range(2):
        assert both(strict_reg, [entity])[1][0][1] == (gr.Verdict.FAIL,)
        assert both(loose_reg, [entity])[1][0][1] == (gr.Verdict.PASS,)
    import durable.lang

    assert durable.lang._rulesets == {}  # the DSL's global registry is never used


@needs_durable
def test_deprecation_warnings_as_errors_do_not_strand_the_session(
    one_rule: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On 3.12+ durable warns on every action; as an error that would hold the lease."""
    import durable.engine

    real = durable.engine._unix_now

    def warns() -> float:
        warnings.warn("utcfromtimestamp is deprecated", DeprecationWarning, stacklevel=1)
        return float(real())

    monkeypatch.setattr(durable.engine, "_unix_now", warns)
    registry = one_rule({"fact": "conformity.in_production", "eq": True})
    entities = [factory(1), factory(2, conformity={"in_production": False})]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        first = both(registry, entities)
        second = both(registry, entities)
    assert first == second and first[0] == first[1]


@needs_durable
def test_a_fact_no_rule_matches_does_not_fail_the_batch(one_rule: Any) -> None:
    """An entity every classification misses (all unknown) is still counted and decided."""
    registry = one_rule({"fact": "conformity.in_production", "eq": True})
    native, rete = both(registry, [factory(1, conformity={}), factory(2)])
    assert native == rete
    assert rete[0][1] == (gr.Verdict.UNKNOWN,)


@needs_durable
def test_identical_entities_in_one_batch_are_distinct_facts(one_rule: Any) -> None:
    """Two equal entities would be one durable fact without a unique key each."""
    registry = one_rule({"fact": "conformity.in_production", "eq": True})
    native, rete = both(registry, [factory(1)] * 3)
    assert native == rete and len(rete) == 3


@needs_durable
def test_nothing_stays_asserted_after_a_batch(one_rule: Any) -> None:
    """Facts are retracted after each batch: memory does not grow with batches evaluated."""
    lookup = {"lookup": "t", "key": {"fact": "product"}, "column": "v"}
    registry = one_rule({"every": "energy", "where": {"fact": "value", "le": lookup}})
    both(registry, [factory(i) for i in range(300)])
    ruleset = registry.ruleset(jurisdiction="QQ", round=2030, tier="province", programme="factory")
    program = ruleset.programs["rete"]
    for stratum in program.strata.values():
        facts = json.loads(_rete._dre.get_facts(stratum.ruleset._handle, "0"))
        assert [f for f in facts if f.get("_t", 0) < 10_000] == []  # only reference rows remain


@needs_durable
def test_no_garbage_piles_up_under_the_bulk_collector_pause(one_rule: Any) -> None:
    """Each rete batch collects the reference cycles durable leaves behind, even when paused.

    Under a bulk call's collector pause they were kept to the end of the call: 13 GB of RSS
    at 100,000 entities.
    """
    registry = one_rule({"fact": "conformity.in_production", "eq": True})
    entities = [factory(i, conformity={"in_production": i % 2 == 0}) for i in range(3 * 256)]
    both(registry, entities[:1])  # compile outside the measured call
    gc.collect()
    gc.disable()
    try:
        gr.evaluate_many(
            entities,
            tier="province",
            round=2030,
            jurisdiction="QQ",
            registry=registry,
            engine="rete",
        )
        left = gc.collect()
    finally:
        gc.enable()
    assert left < 1_000  # without the per-batch collection: about 200 per entity


@needs_durable
def test_compiled_rulesets_are_freed_with_their_program(one_rule: Any) -> None:
    """Durable never frees a ruleset itself; a collected program's rulesets are deleted."""
    registry = one_rule({"fact": "conformity.in_production", "eq": True})
    ruleset = registry.ruleset(jurisdiction="QQ", round=2030, tier="province", programme="factory")
    program = _rete.ReteProgram(ruleset)
    handles = [s.ruleset._handle for s in program.strata.values()]
    del program
    gc.collect()
    assert set(handles) <= set(_rete._ORPHANS)
    both(registry, [factory()])  # the next evaluation deletes them
    assert not set(handles) & set(_rete._ORPHANS)


@needs_durable
def test_too_many_facts_per_fact_are_refused_at_compile_time(
    one_rule: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Durable rejects facts of more than 252 properties; compiling checks the count first."""
    monkeypatch.setattr(_rete_compile, "_MAX_FIELDS", 1)
    registry = one_rule(
        {
            "all": [
                {"fact": "conformity.in_production", "eq": True},
                {"fact": "standing.major_accident", "eq": False},
            ]
        }
    )
    with pytest.raises(gr.EngineUnavailableError, match="per fact"):
        both(registry, [factory()])


# --- behaviour ------------------------------------------------------------------------------


@needs_durable
def test_same_entity_twice_gives_the_same_decision(registry: gr.Registry) -> None:
    """Evaluation is deterministic and leaves no state behind."""
    entity = factory(energy=[{"product": "widget", "value": 101.0}])
    runs = [
        gr.evaluate(
            entity, tier="province", round=2030, jurisdiction="ZZ", registry=registry, engine="rete"
        ).to_dict()
        for _ in range(3)
    ]
    assert runs[0] == runs[1] == runs[2]
    assert runs[0]["provenance"]["engine"] == "rete"


@needs_durable
def test_threads_evaluating_at_once_get_the_serial_answers(registry: gr.Registry) -> None:
    """Concurrent use is safe: a process-wide lock serialises every call into durable."""
    entities = [
        factory(i, energy=[{"product": "widget", "value": 90.0 + i % 20}]) for i in range(60)
    ]

    def run() -> list[Any]:
        decisions = gr.evaluate_many(
            entities,
            tier="province",
            round=2030,
            jurisdiction="ZZ",
            registry=registry,
            engine="rete",
        )
        return [(d.status, d.verdicts) for d in decisions]

    expected = run()
    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(run())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


def test_unavailable_engine_says_why_and_what_to_do(
    registry: gr.Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without durable-rules (e.g. Python 3.13), asking for rete raises a GreenrulesError."""
    if _rete._IMPORT_ERROR is None:
        monkeypatch.setattr(
            _rete, "_IMPORT_ERROR", ImportError("undefined symbol: PyEval_CallObject")
        )
    with pytest.raises(gr.EngineUnavailableError) as info:
        gr.evaluate(
            factory(),
            tier="province",
            round=2030,
            jurisdiction="ZZ",
            registry=registry,
            engine="rete",
        )
    assert isinstance(info.value, gr.GreenrulesError)
    assert "pip install greenrules[rete]" in str(info.value)
    assert "3.11" in str(info.value) and "engine='native'" in str(info.value)


# --- faults: identity collisions, failed calls, memory --------------------------------------

COLLIDING_KEYS = (42638, 179322)
"""Two keys whose facts ``{"_a": 1, "_t": 1, "_k": key}`` durable stores under one 32-bit hash
(found by asserting keys 1 to 400,000 into a scratch ruleset)."""


def _table_rule(tmp_path: Path, rows: int) -> gr.Registry:
    """The one-rule lookup pack with a reference table of ``rows`` rows."""
    lookup = {"lookup": "t", "key": {"fact": "product"}, "column": "v"}
    rule = {"id": "Q-R", "requires": {"every": "energy", "where": {"fact": "value", "le": lookup}}}
    write_pack(tmp_path, [rule])
    body = "".join(f"p{i},{i % 97}.5,,,synthetic,high\n" for i in range(rows))
    (tmp_path / "t.csv").write_text("product,v,valid_from,valid_to,source,confidence\n" + body)
    return gr.Registry([gr.load_pack(tmp_path)])


@needs_durable
def test_colliding_fact_ids_are_impossible(one_rule: Any) -> None:
    """Facts whose content hashes collide in durable are still two facts, never "already
    asserted": every fact carries an id whose 32-bit hash no live fact has.
    """
    registry = one_rule({"fact": "conformity.in_production", "eq": True})
    bare = [gr.Factory.model_validate({"credit_code": factory(n).credit_code, "name": "x"})
            for n in (1, 2)]  # fmt: skip
    both(registry, bare)
    ruleset = registry.ruleset(jurisdiction="QQ", round=2030, tier="province", programme="factory")
    program = ruleset.programs["rete"]
    program._keys = iter(COLLIDING_KEYS)  # the two entities' facts get the colliding keys
    native, rete = both(registry, bare)
    assert native == rete


@needs_durable
def test_fact_ids_are_unique_by_their_32_bit_hash() -> None:
    """Ids are suffixed until their hash is free among the rows and the batch."""
    facts = [{"_k": k} for k in range(1, 30_000)]
    rows: set[int] = set()
    _rete._identify(facts[:10_000], set(), rows)
    batch: set[int] = set()
    _rete._identify(facts[10_000:], rows, batch)
    hashes = [_rete._fnv1a_32(f["id"]) for f in facts]
    assert len(set(hashes)) == len(facts) and not rows & batch


@needs_durable
def test_a_call_after_a_failed_call_answers_as_native_with_a_10000_row_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed engine call resets durable's session (the reference rows go with it), so the
    program is dropped: the next call compiles anew and agrees with native on every entity.
    """
    registry = _table_rule(tmp_path, 10_000)
    entities = [
        factory(n, energy=[{"product": f"p{n * 37 % 10_000}", "value": float(n % 90)}])
        for n in range(300)
    ]
    native, rete = both(registry, entities)
    assert native == rete
    real = _rete._dre.assert_facts
    calls = iter(range(10**9))

    def failing_once(handle: Any, text: str) -> Any:
        result = real(handle, text)
        return (1, *result[1:]) if next(calls) == 0 else result

    monkeypatch.setattr(_rete._dre, "assert_facts", failing_once)
    with pytest.raises(gr.EngineUnavailableError):
        both(registry, entities)
    monkeypatch.undo()
    native, rete = both(registry, entities)
    assert native == rete


@needs_durable
def test_compiled_program_sessions_are_freed_with_their_rulesets(
    one_rule: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``delete_ruleset`` leaves the session's pools allocated (about 3 MB per stratum, never
    released); reaping a program deletes each ruleset's session first.
    """
    registry = one_rule({"fact": "conformity.in_production", "eq": True})
    ruleset = registry.ruleset(jurisdiction="QQ", round=2030, tier="province", programme="factory")
    program = _rete.ReteProgram(ruleset)
    program.run_batch([factory()])
    handles = [s.ruleset._handle for s in program.strata.values()]
    calls: list[tuple[str, Any]] = []
    for name in ("delete_state", "delete_ruleset"):
        real = getattr(_rete._dre, name)
        monkeypatch.setattr(
            _rete._dre, name, lambda h, *a, _n=name, _f=real: (calls.append((_n, h)), _f(h, *a))[1]
        )
    del program
    gc.collect()
    with _rete._LOCK:
        _rete._reap()
    for handle in handles:
        assert calls.index(("delete_state", handle)) < calls.index(("delete_ruleset", handle))
