"""Properties of the round status over generated dates and records (Hypothesis)."""

from __future__ import annotations

import datetime as dt
import functools
from importlib.resources import files
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from greenrules._decision.round_status import ItemState, RoundStatus
from greenrules._io.round_records import load_round_records
from greenrules._model.round_records import CitySubmission
from greenrules._round import round_status

EXAMPLE = Path(str(files("greenrules_cn_nm") / "r2025" / "shared" / "round" / "records-2025.json"))
RECORDS = load_round_records(EXAMPLE)
DAYS = st.dates(min_value=dt.date(2025, 3, 1), max_value=dt.date(2025, 8, 31))


@functools.cache
def _example(day: dt.date) -> RoundStatus:
    """The example round's status on ``day`` (the records never change, so it is cached)."""
    return round_status(RECORDS, jurisdiction="CN-NM", round=2025, as_of=day)


def _states(status: RoundStatus) -> dict[tuple[str, str], ItemState]:
    return {(i.subject, i.step): i.state for i in status.items}


@settings(max_examples=30, deadline=None)
@given(DAYS, DAYS)
def test_moving_as_of_forward_keeps_done_done_and_late_late(a: dt.date, b: dt.date) -> None:
    """Later, nothing done becomes undone and nothing late stops being late."""
    early, later = sorted((a, b))
    before, after = _states(_example(early)), _states(_example(later))
    for key, state in before.items():
        if state in (ItemState.DONE, ItemState.LATE):
            assert after[key] is state, (key, early, later)


@settings(max_examples=30, deadline=None)
@given(DAYS, st.sampled_from([c.city for c in RECORDS.cities]), DAYS, st.booleans())
def test_adding_a_record_never_makes_a_known_item_unknown(
    day: dt.date, city: str, sent: dt.date, opinion: bool
) -> None:
    """A city's record removed, then added back with any dates: known items stay known."""
    without = RECORDS.model_copy(
        update={"cities": tuple(c for c in RECORDS.cities if c.city != city)}
    )
    added = CitySubmission(city=city, sent_on=sent, review_opinion_on=sent if opinion else None)
    with_record = without.model_copy(update={"cities": (*without.cities, added)})
    before = _states(round_status(without, jurisdiction="CN-NM", round=2025, as_of=day))
    after = _states(round_status(with_record, jurisdiction="CN-NM", round=2025, as_of=day))
    for key, state in before.items():
        if state is not ItemState.UNKNOWN:
            assert after[key] is not ItemState.UNKNOWN, (key, state)
