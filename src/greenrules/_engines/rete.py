"""The rete engine: a rule set compiled into durable-rules rulesets, proven equal to the native one.

This is the only module that imports durable_rules, and it is isolated for four reasons: the
package is an optional extra (``greenrules[rete]``) whose C extension does not import on Python
3.13+; it keeps process-global state (a C handle table, a lease per session); it has hazards that
fail silently or kill the process (``docs/explanation/rete-engine.md`` lists each and how it is
neutralised here); and it is frozen upstream, so everything that touches its internals must sit
in one place that the differential tests pin down.

The rule set is compiled by :mod:`greenrules._engines.rete_compile`, which never imports
durable_rules and whose docstring gives the design (integer codes, three-valued formulas,
joins, strata).
What is done here:

* **A whole batch per assert.** Each stratum asserts the batch's facts in one call, runs the
  matched actions (batched with ``cap``) synchronously in the caller, then retracts them.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import itertools
import json
import threading
import warnings
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from greenrules._engines.rete_compile import FactScope, ReteCompiler, Stratum
from greenrules._engines.rete_encoding import number_key, number_of_key
from greenrules._model.enums import Verdict
from greenrules._rules.ruleset import RuleSet
from greenrules.exceptions import EngineUnavailableError

try:
    _dre: Any = importlib.import_module("durable_rules_engine")
    from durable import engine as _durable
except ImportError as exc:  # e.g. Python 3.13+: undefined symbol PyEval_CallObject
    _IMPORT_ERROR: ImportError | None = exc
else:
    _IMPORT_ERROR = None

BATCH = 256
"""Entities asserted per engine call: large enough to amortise the calls, small enough to stay
under durable's per-message command limits."""

_LOCK = threading.Lock()
"""Serialises every call into durable: its C core holds no locks, its action loop is Python, and
``warnings.catch_warnings`` is process-wide. Threads are safe but get no speed-up."""

_NAMES = itertools.count(1)


def rete_engine() -> ReteEngine:
    """The rete engine, or :class:`EngineUnavailableError` saying why it cannot run here."""
    if _IMPORT_ERROR is not None:
        raise EngineUnavailableError(
            "the rete engine needs durable-rules 2.0.28, which cannot be imported here "
            f"({type(_IMPORT_ERROR).__name__}: {_IMPORT_ERROR}). Its C extension builds and "
            "imports on CPython 3.11 and 3.12 only (3.13 removed PyEval_CallObject). Install it "
            "on 3.11/3.12 with `pip install greenrules[rete]` (a C compiler is needed), or use "
            "engine='native', which gives identical decisions."
        ) from _IMPORT_ERROR
    return ReteEngine()


class ReteEngine:
    """The ``engine="rete"`` evaluator: batches of entities through compiled durable rulesets."""

    name = "rete"

    def run(
        self, ruleset: RuleSet, entities: Sequence[Any]
    ) -> list[tuple[Sequence[Verdict], Sequence[float]]]:
        """Verdicts and priority contributions, one pair per entity, in input order."""
        program = ruleset.programs.get("rete")
        if program is None:
            program = ruleset.programs["rete"] = ReteProgram(ruleset)
        out: list[tuple[Sequence[Verdict], Sequence[float]]] = []
        try:
            for start in range(0, len(entities), BATCH):
                out.extend(program.run_batch(entities[start : start + BATCH]))
                if not gc.isenabled():
                    # durable's action machinery leaves reference cycles behind each batch;
                    # under a bulk call's collector pause they piled up (13 GB at 100k).
                    gc.collect(0)
        except BaseException:
            # A failed call may have dropped the reference rows (the session is reset on any
            # failure): the program must never answer again, so the next call compiles anew.
            if ruleset.programs.get("rete") is program:
                del ruleset.programs["rete"]
            raise
        return out


class ReteProgram(ReteCompiler):
    """A rule set compiled to durable rulesets: strata of classification rules, then verdicts."""

    def __init__(self, ruleset: RuleSet) -> None:
        super().__init__(ruleset)
        self._build()

    def _build(self) -> None:
        host = _SyncHost()
        handles: list[Any] = []
        weakref.finalize(self, _delete_rulesets, handles)  # first: a failed build frees too
        self.broken: str | None = None
        self.row_ids: set[int] = {_fnv1a_32(_STATE_ID)}
        _identify(self.rows, set(), self.row_ids)
        for level in self.order:
            stratum = self.strata[level]
            stratum.name = f"greenrules_rete_{next(_NAMES)}"
            stratum.ruleset = _Ruleset(stratum, host)
            handles.append(stratum.ruleset._handle)
            if self.rows:  # reference rows stay asserted for the program's life
                with _LOCK:
                    _call(stratum.ruleset, "assert_facts", json.dumps(self.rows))
                    stratum.sink.clear()

    # -- evaluation -----------------------------------------------------------------------

    def run_batch(self, entities: Sequence[Any]) -> list[tuple[list[Verdict], list[float]]]:
        """Assert the batch stratum by stratum, collect the matches, retract, build verdicts."""
        with _LOCK:
            _reap()
            if self.broken is not None:
                raise EngineUnavailableError(f"this rete program failed before: {self.broken}")
            records: dict[int, list[dict[str, int]]] = {s.id: [] for s in self.scopes}
            keys = [self._records(self.entity_scope, entity, None, records) for entity in entities]
            batch_ids: set[int] = set()
            for scope_records in records.values():
                _identify(scope_records, self.row_ids, batch_ids)
            synth: dict[int, dict[str, int]] = {}
            by_depth = sorted(self.scopes, key=lambda s: -s.depth)
            top: list[tuple[tuple[Any, ...], list[dict[str, Any]]]] = []
            try:
                for level in self.order:
                    stratum = self.strata[level]
                    facts = [
                        {**rec, **synth[rec["_k"]]} if rec["_k"] in synth else rec
                        for scope in by_depth
                        if scope.id in stratum.scopes
                        for rec in records[scope.id]
                    ]
                    matches = self._run_stratum(stratum, facts)
                    if level == self.top:
                        top = matches
                    else:
                        _apply(matches, synth)
            except BaseException as exc:
                self.broken = f"{type(exc).__name__}: {exc}"
                raise
        return self._verdicts(keys, top, [getattr(e, "waivers", ()) for e in entities])

    def _records(
        self,
        scope: FactScope,
        obj: Any,
        parent: int | None,
        records: dict[int, list[dict[str, int]]],
    ) -> int:
        key = next(self._keys)
        fact = {"_a": 1, "_t": scope.id, "_k": key}
        if parent is not None:
            fact["_p"] = parent
        for name, get, enc in scope.fields.values():
            raw = get(obj)
            if raw is not None:
                fact[name] = enc(raw)
        for name, fn in scope.predicates:
            result = fn(obj)
            if result is True or result is False:
                fact[name] = int(result)
        records[scope.id].append(fact)
        for child in scope.children:
            for item in child.items(obj) or ():
                self._records(child, item, key, records)
        return key

    def _run_stratum(
        self, stratum: Stratum, facts: list[dict[str, int]]
    ) -> list[tuple[tuple[Any, ...], list[dict[str, Any]]]]:
        if not facts:  # durable segfaults on an empty assert_facts; nothing to match anyway
            return []
        sink = stratum.sink
        sink.clear()
        try:
            _call(stratum.ruleset, "assert_facts", json.dumps(facts))
            matches = [m for m in sink if m[0][0] != "seen"]
            seen = sum(len(frames) for tag, frames in sink if tag[0] == "seen")
            if seen != len(facts):
                raise EngineUnavailableError(
                    f"durable saw {seen} of {len(facts)} facts asserted; refusing a partial result"
                )
            return matches
        finally:
            sink.clear()
            # parents first: retracting an item under a live parent would fire its negated join
            _call(stratum.ruleset, "retract_facts", json.dumps(facts[::-1]))
            sink.clear()

    def _verdicts(
        self,
        keys: list[int],
        top: list[tuple[tuple[Any, ...], list[dict[str, Any]]]],
        waivers: list[Any],
    ) -> list[tuple[list[Verdict], list[float]]]:
        found: dict[int, dict[tuple[str, int], Any]] = {k: {} for k in keys}
        for tag, frames in top:
            kind, index = tag[0], tag[1]
            for frame in frames:
                fact = frame["e"]
                found[fact["_k"]][(kind, index)] = fact[tag[2]] if kind == "s" else tag[2]
        out = []
        for key, waived_models in zip(keys, waivers, strict=True):
            seen = found[key]
            waived = {w.rule for w in waived_models} if waived_models else ()
            verdicts: list[Verdict] = []
            points: list[float] = []
            for index, (has_applies, score, waivable, priority, rule_id, gain) in enumerate(
                self.verdict_plan
            ):
                a = seen.get(("a", index)) if has_applies else True
                if a is False:
                    verdicts.append(Verdict.NOT_APPLICABLE)
                    points.append(0.0)
                    continue
                if score is not None:
                    code = score.const if score.field is None else seen.get(("s", index))
                    s = number_of_key(code) if (a and code is not None) else None
                    verdicts.append(Verdict.UNKNOWN if s is None else Verdict.PASS)
                    points.append(0.0 if s is None else s)
                    continue
                r = seen.get(("r", index))
                if priority:
                    v = (
                        Verdict.PASS
                        if (a and r)
                        else Verdict.FAIL
                        if (a and r is False)
                        else Verdict.UNKNOWN
                    )
                    verdicts.append(v)
                    points.append(gain if v is Verdict.PASS else 0.0)
                elif r is True:
                    verdicts.append(Verdict.PASS)
                    points.append(0.0)
                elif r is False and a is True:
                    verdicts.append(
                        Verdict.WAIVED if waivable and rule_id in waived else Verdict.FAIL
                    )
                    points.append(0.0)
                else:
                    verdicts.append(Verdict.UNKNOWN)
                    points.append(0.0)
            out.append((verdicts, points))
        return out


def _apply(
    matches: list[tuple[tuple[Any, ...], list[dict[str, Any]]]], synth: dict[int, dict[str, int]]
) -> None:
    """Turn a stratum's matches into fields of the parent facts for the next stratum."""
    known: set[tuple[str, int]] = set()
    unknown: set[tuple[str, int]] = set()
    trues: dict[tuple[str, int], set[int]] = {}
    for tag, frames in matches:
        kind, name = tag[0], tag[1]
        for frame in frames:
            parent = frame["e"]["_k"]
            if kind == "bool":
                synth.setdefault(parent, {})[name] = tag[2]
            elif kind == "value":
                synth.setdefault(parent, {})[name] = frame["r"][tag[2]]
            elif kind == "count_known":
                known.add((name, parent))
            elif kind == "count_true":
                trues.setdefault((name, parent), set()).add(frame["i"]["_k"])
            else:
                unknown.add((name, parent))
    # Rete has no aggregation: a count is the number of distinct true items, if none is unknown.
    for name, parent in known - unknown:
        synth.setdefault(parent, {})[name] = number_key(len(trues.get((name, parent), ())))


_ORPHANS: list[Any] = []
"""Handles of collected programs, deleted at the next engine call: a finalizer may run inside
an evaluation (gc runs anywhere), where taking the lock again would deadlock."""


def _delete_rulesets(handles: list[Any]) -> None:
    _ORPHANS.extend(handles)  # list.extend is atomic; no lock taken here


def _reap() -> None:
    """Delete the rulesets of collected programs; call with the lock held.

    durable's ``delete_ruleset`` frees the ruleset but not its session: the session's message,
    frame and result pools (about 3 MB per stratum, the reference rows among them) stay
    allocated for ever unless the session is deleted first.
    """
    while _ORPHANS:
        handle = _ORPHANS.pop()
        with contextlib.suppress(Exception):  # no session: nothing was ever asserted
            _dre.delete_state(handle, "0")
        _dre.delete_ruleset(handle)


_STATE_ID = "sid-0"
"""The id of the session's own state document, which durable stores beside the facts."""


def _fnv1a_32(text: str) -> int:
    """The ``fnv1Hash32`` of durable: the 32-bit FNV-1a hash by which it stores a fact's id."""
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _identify(facts: list[dict[str, Any]], rows: set[int], batch: set[int]) -> None:
    """Give each fact an ``id`` whose 32-bit hash no other live fact of the session has.

    durable identifies a stored fact by the 32-bit hash of its id (of a 64-bit hash of its
    content when it has none) and never compares the ids themselves: two distinct facts whose
    hashes collide make the second "already asserted" (even odds at about 77,000 facts). So
    every fact gets an id chosen here, its key, suffixed until its hash is unused among the
    reference rows (``rows``) and the batch (``batch``, both updated).
    """
    for fact in facts:
        base = name = str(fact["_k"])
        suffix = 0
        value = _fnv1a_32(name)
        while value in rows or value in batch:
            suffix += 1
            name = f"{base}~{suffix}"
            value = _fnv1a_32(name)
        batch.add(value)
        fact["id"] = name


def _call(ruleset: Any, method: str, text: str) -> None:
    """One engine call and its actions, run synchronously here; every failure raises.

    Warnings are silenced around it: on Python 3.12+ durable warns (DeprecationWarning) on every
    action, and a warning raised as an error inside its action loop would leave the session's
    action lease held, so that later evaluations silently match nothing.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            result = getattr(_dre, method)(ruleset._handle, text)
            if result[0] in (1, 2):
                what = "matched no rule" if result[0] == 1 else "was already asserted"
                raise EngineUnavailableError(f"durable: a fact {what}")
            outcome: list[tuple[Any, Any]] = []
            ruleset.do_actions(
                0 if result[0] == 3 else result[1], lambda e, state: outcome.append((e, state))
            )
            error, state = outcome[-1] if outcome else ("the action loop did not finish", None)
            if error is None and isinstance(state, dict) and "exception" in state:
                error = state["exception"]
            if error is not None:
                raise EngineUnavailableError(f"durable failed during {method}: {error}")
        except BaseException:
            _dre.delete_state(ruleset._handle, "0")  # drop the stored exception and the lease
            raise


if _IMPORT_ERROR is None:

    class _SyncHost(_durable.Host):  # type: ignore[misc]
        """A Host without the two self-re-arming timer threads: actions run only in the caller."""

        def _run(self) -> None:
            pass

    class _Ruleset(_durable.Ruleset):  # type: ignore[misc]
        """A durable ruleset created from our own JSON text (durable's json.dumps is bypassed)."""

        def __init__(self, stratum: Stratum, host: Any) -> None:
            self._name = stratum.name
            self._host = host
            self._definition = None
            self._actions = {}
            definition = {}
            for rule_name, (patterns, tag) in stratum.rules.items():
                self._actions[rule_name] = _durable.Promise(_action(stratum.sink, tag))
                definition[rule_name] = {"all": patterns, "cap": 1_000_000}
            self._handle = _dre.create_ruleset(stratum.name, json.dumps(definition))


def _action(sink: list[Any], tag: tuple[Any, ...]) -> Callable[[Any], None]:
    def action(closure: Any) -> None:  # one argument: durable runs it synchronously
        sink.append((tag, [frame._d for frame in closure.m]))

    return action
