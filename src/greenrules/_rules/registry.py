"""The registry of criteria packs: discovery through entry points, validation, layering.

Like pluggy, a plug-in is checked when it registers and the registry can say which distribution
supplied each pack. A pack that fails to load is an error, never a warning: a missing regional
pack must not silently change decisions.
"""

from __future__ import annotations

import csv
import datetime as dt
import threading
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from greenrules._model.enums import Programme, Tier
from greenrules._rules.overrides import with_params
from greenrules._rules.packs import Closure, Pack
from greenrules._rules.reference import load_table
from greenrules._rules.ruleset import RuleSet, build_ruleset
from greenrules.exceptions import PackError, PackNotFoundError, PackProblem

ENTRY_POINT_GROUP = "greenrules.criteria"


class Registry:
    """A set of validated criteria packs that evaluations resolve against.

    Packs are keyed by id and round: the same id may serve several rounds through separate
    versions, but two packs may never claim the same jurisdiction and round.
    """

    def __init__(self, packs: Iterable[Pack] = ()) -> None:
        self._packs: list[Pack] = []
        self._origins: dict[tuple[str, str], str] = {}
        self._rulesets: dict[tuple[Any, ...], RuleSet] = {}
        self._lock = threading.Lock()
        for pack in packs:
            self.register(pack)
        self.validate()

    @classmethod
    def from_entry_points(cls, group: str = ENTRY_POINT_GROUP) -> Registry:
        """Load every pack installed under the entry-point ``group`` and validate them together."""
        registry = cls()
        problems: list[PackProblem] = []
        for ep in sorted(metadata.entry_points(group=group), key=lambda e: e.name):
            try:
                pack = _load_entry_point(ep)
                registry.register(pack, origin=ep.dist.name if ep.dist else ep.value)
            except PackError as exc:
                problems.extend(exc.problems)
        if problems:
            raise PackError(problems)
        registry.validate()
        return registry

    @property
    def packs(self) -> tuple[Pack, ...]:
        """The registered packs, in registration order."""
        return tuple(self._packs)

    def origin(self, pack: Pack) -> str:
        """The distribution (or object) that supplied ``pack``."""
        return self._origins.get((pack.id, pack.version), "registered directly")

    def register(self, pack: Pack, *, origin: str | None = None) -> None:
        """Add a validated pack; raise :class:`PackError` if it clashes with one already here."""
        if not isinstance(pack, Pack):
            raise PackError([PackProblem("not-a-pack", str(origin), f"got {type(pack).__name__}")])
        for other in self._packs:
            shared = set(other.rounds) & set(pack.rounds)
            if other.id == pack.id and shared:
                msg = f"pack {pack.id} already registered for rounds {sorted(shared)}"
                raise PackError([PackProblem("duplicate-pack", pack.id, msg)])
            if other.jurisdiction == pack.jurisdiction and shared:
                msg = f"{other.id} already serves {pack.jurisdiction} rounds {sorted(shared)}"
                raise PackError([PackProblem("jurisdiction-clash", pack.id, msg)])
        with self._lock:
            self._packs.append(pack)
            self._rulesets.clear()
        if origin:
            self._origins[(pack.id, pack.version)] = origin

    def validate(self) -> None:
        """Check every pack's layering: bases exist and every override names a base rule."""
        problems: list[PackProblem] = []
        for pack in self._packs:
            for round_ in pack.rounds:
                try:
                    self._stack(pack, round_)
                except PackError as exc:
                    problems.extend(p for p in exc.problems if p not in problems)
        if problems:
            raise PackError(problems)

    def get(self, pack_id: str, round: int) -> Pack:
        """The pack ``pack_id`` serving ``round``."""
        for pack in self._packs:
            if pack.id == pack_id and round in pack.rounds:
                return pack
        raise PackNotFoundError(f"no pack {pack_id!r} serves round {round}")

    def resolve(self, jurisdiction: str, round: int) -> tuple[Pack, ...]:
        """The pack stack (base first) for a jurisdiction and round."""
        for pack in self._packs:
            if pack.jurisdiction == jurisdiction and round in pack.rounds:
                return self._stack(pack, round)
        served = sorted({f"{p.jurisdiction} {r}" for p in self._packs for r in p.rounds})
        raise PackNotFoundError(
            f"no pack serves jurisdiction {jurisdiction!r} in round {round}; "
            f"registered: {', '.join(served) or 'none'}"
        )

    def ruleset(
        self,
        *,
        jurisdiction: str,
        round: int,
        tier: Tier | str,
        programme: Programme | str,
        as_of: dt.date | None = None,
    ) -> RuleSet:
        """The flattened rules for one evaluation context (cached)."""
        tier, programme = Tier(tier), Programme(programme)
        stack = self.resolve(jurisdiction, round)
        top = stack[-1]
        if tier not in top.tiers:
            raise PackNotFoundError(f"{top.id} has no rules for tier {tier} (has {top.tiers})")
        if programme not in top.programmes:
            raise PackNotFoundError(
                f"{top.id} does not cover programme {programme} (covers {top.programmes})"
            )
        closure = _closure(stack, round, tier, programme)
        if closure is not None:
            raise PackNotFoundError(
                f"round {round} does not take {programme} at the {tier} tier "
                f"({closure.clause}: {closure.reason.en})"
            )
        day = as_of or top.evaluation_dates[round]
        key = (jurisdiction, round, tier, programme, day)
        cached = self._rulesets.get(key)
        if cached is None:
            cached = build_ruleset(stack, round, tier, programme, day)
            with self._lock:
                self._rulesets[key] = cached
        return cached

    def closure(
        self, *, jurisdiction: str, round: int, tier: Tier | str, programme: Programme | str
    ) -> Closure | None:
        """Why ``programme`` is not open at ``tier`` in ``round``, or None when it is open.

        :meth:`ruleset` refuses a closed context; a caller going through every tier and
        programme (a workbook, a property check) asks here first.
        """
        stack = self.resolve(jurisdiction, round)
        return _closure(stack, round, Tier(tier), Programme(programme))

    def with_reference(
        self,
        pack_id: str,
        round: int,
        table: str,
        source: str | Path | Iterable[Mapping[str, Any]],
    ) -> Registry:
        """A new registry in which ``table`` of a pack is replaced, e.g. by the official one."""
        old = self.get(pack_id, round)
        spec = old.tables.get(table)
        if spec is None:
            msg = f"pack {pack_id} has no reference table {table!r}"
            raise PackError([PackProblem("unknown-table", pack_id, msg)])
        try:
            new_table = load_table(table, spec.key, spec.columns, source)
        except (OSError, ValueError, csv.Error) as exc:
            raise PackError([PackProblem("bad-table", pack_id, str(exc))]) from None
        return self._replacing(old, old.with_table(new_table))

    def with_params(self, pack_id: str, round: int, values: Mapping[str, Any]) -> Registry:
        """A new registry in which parameters of a pack take other values, for a what-if.

        ``values`` maps parameter names to values of their kinds (text is read as the kind, as
        a CSV cell is). The new values keep the periods of the old ones and name the override
        as their source, and the pack's digest changes, so provenance shows the override.

        Raises:
            PackNotFoundError: no pack ``pack_id`` serves ``round``.
            PackError: a name is not a parameter of that pack (``unknown-param``) or a value is
                not of its kind (``param-kind``); every problem names its parameter.
        """
        old = self.get(pack_id, round)
        return self._replacing(old, with_params(old, values))

    def with_pack(self, pack: Pack) -> Registry:
        """A new registry with ``pack`` in place of the packs it clashes with, e.g. a folder.

        A pack under development (``load_pack(folder)``) is used without installing it: any
        registered pack of the same id or jurisdiction in one of its rounds gives way to it,
        and the result is validated (its base packs must be registered).

        Raises:
            PackError: ``pack`` is not a pack, or its layering fails (``missing-base``,
                ``bad-override``...).
        """
        if not isinstance(pack, Pack):
            raise PackError([PackProblem("not-a-pack", "pack", f"got {type(pack).__name__}")])

        def gives_way(other: Pack) -> bool:
            shared = set(other.rounds) & set(pack.rounds)
            return bool(shared) and (other.id == pack.id or other.jurisdiction == pack.jurisdiction)

        dropped = [p for p in self._packs if gives_way(p)]
        kept = [p for p in self._packs if not gives_way(p)]
        return self._derived([*kept, pack], dropped=dropped)

    def _replacing(self, old: Pack, new: Pack) -> Registry:
        """A registry like this one with ``new`` in place of ``old``, origins kept."""
        return self._derived([new if p is old else p for p in self._packs])

    def _derived(self, packs: list[Pack], dropped: Iterable[Pack] = ()) -> Registry:
        """A registry of ``packs`` keeping the origins this registry knows, but ``dropped``'s."""
        registry = Registry(packs)
        gone = {id(p) for p in dropped}
        for pack in self._packs:
            if id(pack) in gone:
                continue
            origin = self._origins.get((pack.id, pack.version))
            if origin:
                registry._origins[(pack.id, pack.version)] = origin
        return registry

    def _stack(self, pack: Pack, round_: int, seen: tuple[str, ...] = ()) -> tuple[Pack, ...]:
        here = f"{pack.id}@{round_}"
        if here in seen:
            chain = " -> ".join((*seen, here))
            raise PackError([PackProblem("cyclic-extends", pack.id, f"extends cycle {chain}")])
        if pack.extends is None:
            return (pack,)
        base_round = round_ if pack.extends_round is None else pack.extends_round
        try:
            base = self.get(pack.extends, base_round)
        except PackNotFoundError:
            msg = f"extends {pack.extends!r}, which is not registered for round {base_round}"
            raise PackError([PackProblem("missing-base", pack.id, msg)]) from None
        stack = self._stack(base, base_round, (*seen, here))
        _check_overrides(pack, stack)
        return (*stack, pack)


def _closure(
    stack: tuple[Pack, ...], round_: int, tier: Tier, programme: Programme
) -> Closure | None:
    """The first closure of ``programme`` at ``tier`` that a pack serving ``round_`` declares."""
    for pack in stack:
        if round_ in pack.rounds:
            for closure in pack.closed:
                if closure.tier is tier and closure.programme is programme:
                    return closure
    return None


def _check_overrides(pack: Pack, base_stack: tuple[Pack, ...]) -> None:
    base_rules = {rule.id for p in base_stack for rule in p.rules}
    base_names = {
        kind: {n for p in base_stack for n in getattr(p, kind)}
        for kind in ("params", "tables", "predicates")
    }
    problems = []
    for rule in pack.rules:
        for old in rule.replaces:
            if old not in base_rules:
                msg = f"replaces {old}, which no base pack defines"
                problems.append(PackProblem("bad-override", pack.id, msg, rule.id))
        if rule.id in base_rules and rule.id not in rule.replaces:
            msg = "reuses a base rule id without declaring replaces: silent shadowing"
            problems.append(PackProblem("shadowed-rule", pack.id, msg, rule.id))
    for rule_id in pack.neutralizes:
        if rule_id not in base_rules:
            msg = f"neutralizes {rule_id}, which no base pack defines"
            problems.append(PackProblem("bad-override", pack.id, msg, rule_id))
    for kind, names in base_names.items():
        for name in sorted(names & set(getattr(pack, kind))):
            msg = f"{kind[:-1]} {name!r} is already defined by a base pack"
            problems.append(PackProblem("shadowed-name", pack.id, msg))
    if problems:
        raise PackError(problems)


def _load_entry_point(ep: metadata.EntryPoint) -> Pack:
    try:
        obj = ep.load()
        pack = obj() if callable(obj) and not isinstance(obj, Pack) else obj
    except PackError:
        raise
    except Exception as exc:  # a plug-in's own failure, reported with its name
        msg = f"entry point {ep.name} = {ep.value} failed to load: {type(exc).__name__}: {exc}"
        raise PackError([PackProblem("plugin-load", ep.name, msg)]) from exc
    if not isinstance(pack, Pack):
        msg = f"entry point {ep.value} gave {type(pack).__name__}, not a Pack"
        raise PackError([PackProblem("not-a-pack", ep.name, msg)])
    return pack


_default: Registry | None = None
_default_lock = threading.Lock()


def default_registry() -> Registry:
    """The registry of every installed pack, loaded once per process on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Registry.from_entry_points()
        return _default
