"""Ordering candidates: one list per programme, status first, then what priority is known.

Scores of different programmes count different things (green factories inside a park, a supply
chain's strengths), so each programme is ranked on its own and the lists come in a fixed order.
Within a list, a unit whose priority is a range is placed by the score it surely reaches; when
its missing facts could still lift it past the unit above, its place is marked as not settled.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

import attrs

from greenrules._decision.decision import Decision, check_decisions
from greenrules._model.enums import Programme, Status
from greenrules._rules.rules import PriorityLevel

STATUS_ORDER = {
    Status.RECOMMEND: 0,
    Status.UNDETERMINED: 1,
    Status.CULTIVATE: 2,
    Status.INELIGIBLE: 3,
}
PROGRAMME_ORDER = tuple(Programme)
"""The order of the lists: green factories, green industrial parks, supply-chain enterprises."""


def rank_key(decision: Decision) -> tuple[int, tuple[float, ...]]:
    """The sort key in a programme: status order, then the score surely reached, highest first."""
    return STATUS_ORDER[decision.status], tuple(-s for s in decision.priority.low)


@attrs.frozen
class Ranked:
    """One decision's place in its programme's list.

    Attributes:
        decision: the decision placed.
        rank: its place in its programme's list, from 1, by status and then by the score it
            surely reaches (``priority.low``); ties keep their input order.
        best_rank: the best place its own missing priority facts could still give it, among
            the units of its status; equal to ``rank`` when its place is settled, and for an
            ineligible unit (no priority lifts it, and none is asked for).
    """

    decision: Decision
    rank: int
    best_rank: int

    @property
    def programme(self) -> Programme:
        """The programme whose list this entry is in."""
        return self.decision.programme

    @property
    def rank_uncertain(self) -> bool:
        """Whether its missing facts could move it up (排序待定): see ``Decision.ask_next``."""
        return self.best_rank < self.rank


class Ranking(Sequence[Ranked]):
    """Decisions ranked per programme: the lists one after another, in a fixed programme order.

    Iterating gives every :class:`Ranked` entry, programme by programme; :meth:`of` gives one
    programme's list and :meth:`legend` what its score levels mean.
    """

    def __init__(self, lists: dict[Programme, tuple[Ranked, ...]]) -> None:
        self._lists = lists
        self._entries = tuple(entry for entries in lists.values() for entry in entries)

    @property
    def programmes(self) -> tuple[Programme, ...]:
        """The programmes with a list, in list order."""
        return tuple(self._lists)

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """Every decision in ranked order, programme by programme."""
        return tuple(entry.decision for entry in self._entries)

    def of(self, programme: Programme | str) -> tuple[Ranked, ...]:
        """The ranked list of one programme (empty when no decision is of it)."""
        return self._lists.get(Programme(programme), ())

    def legend(self, programme: Programme | str) -> tuple[PriorityLevel, ...]:
        """What each score level of a programme's list means, most significant first.

        Read from the decisions (each carries its levels' words from the packs); when the list
        mixes decisions of different rule sets, the levels of its first entry are given.
        """
        entries = self.of(programme)
        return entries[0].decision.priority.levels if entries else ()

    @overload
    def __getitem__(self, index: int) -> Ranked: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Ranked]: ...
    def __getitem__(self, index: int | slice) -> Ranked | Sequence[Ranked]:
        return self._entries[index]

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Ranked]:
        return iter(self._entries)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{p.value}={len(e)}" for p, e in self._lists.items())
        return f"<Ranking {sizes}>"


def rank(decisions: Iterable[Decision]) -> Ranking:
    """Rank decisions for recommendation lists, one list per programme.

    Within a programme, recommended units come first, then undetermined, cultivation objects and
    ineligible ones; within a status, higher priority first, level by level, by the score each
    unit surely reaches (``priority.low``). The sort is stable: equal keys keep their input
    order, so a tie never depends on chance. A unit whose priority is still a range gets the
    best place it could reach as ``best_rank``.

    Raises:
        InvalidInputError: an item is not a decision (``bad-argument``).
    """
    by_programme: dict[Programme, list[tuple[int, Decision]]] = {}
    for index, decision in enumerate(check_decisions(decisions, "decisions")):
        by_programme.setdefault(decision.programme, []).append((index, decision))
    lists = {
        programme: _placed(sorted(by_programme[programme], key=lambda item: rank_key(item[1])))
        for programme in PROGRAMME_ORDER
        if programme in by_programme
    }
    return Ranking(lists)


def _placed(ordered: list[tuple[int, Decision]]) -> tuple[Ranked, ...]:
    """Ranked entries of one programme's sorted decisions, with the best place each could reach.

    A unit can only be lifted by its own missing facts (the others are placed by what they
    surely reach), so its best place is just below the units of its status that surely stay
    ahead: those whose surely reached score beats its highest, or equals it and came earlier
    in the input (a tie keeps input order).
    """
    out = []
    start = 0
    while start < len(ordered):
        status = ordered[start][1].status
        end = start
        while end < len(ordered) and ordered[end][1].status is status:
            end += 1
        group = ordered[start:end]
        keys = [tuple(-s for s in d.priority.low) for _, d in group]  # ascending, as sorted
        indexes = [index for index, _ in group]  # ascending within a run of equal keys
        for offset, (index, decision) in enumerate(group):
            if status is Status.INELIGIBLE:  # no priority lifts it: its place is final
                out.append(Ranked(decision, start + offset + 1, start + offset + 1))
                continue
            ceiling = tuple(-s for s in decision.priority.high)
            ahead = bisect.bisect_left(keys, ceiling, hi=offset)
            tied = bisect.bisect_right(keys, ceiling, lo=ahead, hi=offset)
            ahead = bisect.bisect_left(indexes, index, lo=ahead, hi=tied)  # earlier ties stay
            out.append(Ranked(decision, start + offset + 1, start + ahead + 1))
        start = end
    return tuple(out)
