"""The registry of criteria packs: discovery through entry points, validation, layering.

Like pluggy, a plug-in is checked when it registers and the registry can say which distribution
supplied each pack. A pack that fails to load is an error, never a warning: a missing regional
pack must not silently change decisions.

Packs are resolved per programme: the stack of (jurisdiction, round, programme) is the one pack
serving that programme there with every pack it extends, so a province can ship its factory
rules alone, on top of the national packs, and a park evaluation there is refused rather than
answered by some other programme's rules.
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
from greenrules._rules.packs import Base, Closure, Pack
from greenrules._rules.reference import load_table
from greenrules._rules.ruleset import RuleSet, build_ruleset
from greenrules.exceptions import PackError, PackNotFoundError, PackProblem

ENTRY_POINT_GROUP = "greenrules.criteria"


class Registry:
    """A set of validated criteria packs that evaluations resolve against.

    Packs are keyed by id and round: the same id may serve several rounds through separate
    versions. Two packs may never serve the same programme for one jurisdiction and round, nor
    be the shared pack of one jurisdiction and round; packs of different programmes coexist.
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
            problem = clash(pack, other)
            if problem is not None:
                raise PackError([problem])
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

    def resolve(
        self, jurisdiction: str, round: int, programme: Programme | str | None = None
    ) -> tuple[Pack, ...]:
        """The pack stack (base first) for a jurisdiction, round and programme.

        Without ``programme``, the round's stack: its shared pack with what that extends (the
        clauses, tables and procedure of the round), or its only pack when it has no shared one.
        """
        here = [p for p in self._packs if p.jurisdiction == jurisdiction and round in p.rounds]
        if not here:
            served = sorted({f"{p.jurisdiction} {r}" for p in self._packs for r in p.rounds})
            raise PackNotFoundError(
                f"no pack serves jurisdiction {jurisdiction!r} in round {round}; "
                f"registered: {', '.join(served) or 'none'}"
            )
        if programme is None:
            top = [p for p in here if p.shared] or here
        else:
            programme = Programme(programme)
            top = [p for p in here if not p.shared and programme in p.programmes]
            if not top:
                installed = "; ".join(f"{p.id} {p.version} ({_serves(p)})" for p in here)
                raise PackNotFoundError(
                    f"the {programme} pack of {jurisdiction} round {round} is not installed: "
                    f"no pack serves {programme} there (installed there: {installed})"
                )
        if len(top) > 1:
            names = ", ".join(p.id for p in top)
            raise PackNotFoundError(
                f"{jurisdiction} round {round} has one pack per programme ({names}): "
                "name the programme"
            )
        return self._stack(top[0], round)

    def stacks(self, jurisdiction: str, round: int) -> dict[Programme, tuple[Pack, ...]]:
        """The stack of every programme installed for a jurisdiction and round, by programme.

        A programme whose pack is not installed is left out (:meth:`resolve` names it).
        """
        served = {
            programme
            for p in self._packs
            if p.jurisdiction == jurisdiction and round in p.rounds and not p.shared
            for programme in p.programmes
        }
        return {p: self.resolve(jurisdiction, round, p) for p in Programme if p in served}

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
        stack = self.resolve(jurisdiction, round, programme)
        top = stack[-1]
        if tier not in top.tiers:
            has = ", ".join(str(t) for t in top.tiers)
            raise PackNotFoundError(f"{top.id} has no rules for tier {tier} (has {has})")
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
        stack = self.resolve(jurisdiction, round, programme)
        return _closure(stack, round, Tier(tier), Programme(programme))

    def with_reference(
        self,
        pack_id: str,
        round: int,
        table: str,
        source: str | Path | Iterable[Mapping[str, Any]],
    ) -> Registry:
        """A new registry in which ``table`` of a pack is replaced, e.g. by the official one.

        The new table is held to the invariants the pack declares for the old one: a shifted
        column or two rows of one key in force together is a ``table-invariant`` problem per
        row, and nothing is replaced.
        """
        old = self.get(pack_id, round)
        spec = old.tables.get(table)
        if spec is None:
            msg = f"pack {pack_id} has no reference table {table!r}"
            raise PackError([PackProblem("unknown-table", pack_id, msg)])
        try:
            new_table = load_table(table, spec.key, spec.columns, source, spec.invariants)
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
        registered pack of the same id, or one it would clash with (the same programme of the
        same jurisdiction and round, or the round's other shared pack), gives way to it, and
        the result is validated (its base packs must be registered).

        Raises:
            PackError: ``pack`` is not a pack, or its layering fails (``missing-base``,
                ``bad-override``...).
        """
        if not isinstance(pack, Pack):
            raise PackError([PackProblem("not-a-pack", "pack", f"got {type(pack).__name__}")])

        def gives_way(other: Pack) -> bool:
            return other.id == pack.id or clash(pack, other) is not None

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
        """``pack`` on its bases' stacks, in the order it names them, each pack once."""
        here = f"{pack.id}@{round_}"
        if here in seen:
            chain = " -> ".join((*seen, here))
            raise PackError([PackProblem("cyclic-extends", pack.id, f"extends cycle {chain}")])
        stack: dict[tuple[str, str], Pack] = {}
        for base in pack.bases:
            base_round = round_ if base.round is None else base.round
            for below in self._stack(self._base(pack, base, base_round), base_round, (*seen, here)):
                stack.setdefault((below.id, below.version), below)
        _check_overrides(pack, tuple(stack.values()))
        _check_dates(pack, round_, tuple(stack.values()))
        return (*stack.values(), pack)

    def _base(self, pack: Pack, base: Base, round_: int) -> Pack:
        try:
            return self.get(base.pack, round_)
        except PackNotFoundError:
            msg = f"extends {base.pack!r}, which is not registered for round {round_}"
            raise PackError([PackProblem("missing-base", pack.id, msg)]) from None


def clash(pack: Pack, other: Pack) -> PackProblem | None:
    """Why ``pack`` cannot be registered beside ``other``, or None when both can.

    The same id may not serve a round twice; in a jurisdiction and round, two packs may not
    serve one programme, nor both be its shared pack.
    """
    rounds = sorted(set(other.rounds) & set(pack.rounds))
    if other.id == pack.id and rounds:
        msg = f"pack {pack.id} already registered for rounds {rounds}"
        return PackProblem("duplicate-pack", pack.id, msg)
    if other.jurisdiction != pack.jurisdiction or not rounds:
        return None
    both = f"{pack.id} {pack.version} and {other.id} {other.version}"
    if other.shared and pack.shared:
        msg = f"{both} are both the shared pack of {pack.jurisdiction} rounds {rounds}"
        return PackProblem("jurisdiction-clash", pack.id, msg)
    programmes = [str(p) for p in pack.programmes if p in other.programmes]
    if programmes and not (other.shared or pack.shared):
        msg = f"{both} both serve {', '.join(programmes)} for {pack.jurisdiction} rounds {rounds}"
        return PackProblem("programme-clash", pack.id, msg)
    return None


def _serves(pack: Pack) -> str:
    programmes = ", ".join(str(p) for p in pack.programmes)
    return f"shared by {programmes}" if pack.shared else programmes


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


def _check_dates(pack: Pack, round_: int, base_stack: tuple[Pack, ...]) -> None:
    """A round's packs of one jurisdiction (shared and programme packs) share its date."""
    day = pack.evaluation_dates.get(round_)
    for base in base_stack:
        other = base.evaluation_dates.get(round_)
        if base.jurisdiction == pack.jurisdiction and other is not None and other != day:
            msg = f"evaluation date of round {round_} is {day}, but {base.id}'s is {other}"
            raise PackError([PackProblem("evaluation-date", pack.id, msg)])


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
