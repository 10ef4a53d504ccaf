"""The columnar engine's vectorised checks equal the models': credit codes, typed columns, records.

Every fast path (a typed column taken as it is, list items checked flat, records typed without
inference) must reject what the entity models reject, with the same codes and locations, and
read what they accept exactly as they read it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import greenrules as gr
from conftest import credit_code, factory
from greenrules._columnar.credit_codes import credit_codes_bad
from greenrules._columnar.schema import models_to_frame
from greenrules._model.credit_code import ALPHABET, credit_code_problem, make_credit_code
from greenrules._model.entities import Factory

ARGS: dict[str, Any] = {"tier": "province", "round": 2025, "jurisdiction": "CN-NM"}

bodies = st.text(alphabet=ALPHABET, min_size=17, max_size=17)
noise = st.text(alphabet=ALPHABET + "IOSVZaz0 \t\u3000é,-", max_size=20)


@st.composite
def codes(draw: st.DrawFn) -> str:
    """Valid codes, codes with a wrong check character, a bad character, a bad length or
    surrounding blanks, and arbitrary text.
    """
    code = make_credit_code(draw(bodies))
    kind = draw(st.sampled_from(["valid", "check", "char", "length", "blank", "noise"]))
    if kind == "check":
        return code[:17] + draw(st.sampled_from(ALPHABET))
    if kind == "char":
        at = draw(st.integers(0, 17))
        return code[:at] + draw(st.sampled_from("IOSVZa-é")) + code[at + 1 :]
    if kind == "length":
        return code[: draw(st.integers(0, 17))] + draw(st.text(ALPHABET, max_size=3))
    if kind == "blank":
        return draw(st.sampled_from([" ", "\t", "\u3000"])) + code + " "
    return code if kind == "valid" else draw(noise)


@settings(max_examples=300, deadline=None)
@given(st.lists(codes(), min_size=1, max_size=40))
def test_vectorised_credit_code_check_equals_the_models(given_codes: list[str]) -> None:
    """The byte-array checksum flags exactly the codes credit_code_problem rejects (stripped)."""
    got = credit_codes_bad(pl.Series(given_codes, dtype=pl.String)).to_list()
    assert got == [credit_code_problem(c.strip()) is not None for c in given_codes]


def test_credit_code_check_on_many_codes_and_nulls() -> None:
    """Every character at every position, and nulls (missing, not bad)."""
    base = make_credit_code("91150000MA1234567")
    variants = [base[:i] + ch + base[i + 1 :] for i in range(18) for ch in ALPHABET + "IOZ"]
    series = pl.Series([*variants, None], dtype=pl.String)
    want = [credit_code_problem(c) is not None for c in variants] + [False]
    assert credit_codes_bad(series).to_list() == want


def _frame(entities: list[gr.Applicant]) -> pl.DataFrame:
    frame = models_to_frame(entities, Factory)
    return frame.with_columns(pl.lit("factory").alias("programme"))


def _problems(source: Any) -> set[tuple[str, tuple[Any, ...]]]:
    with pytest.raises(gr.InvalidInputError) as err:
        gr.evaluate_table(source, **ARGS)
    return {(p.code, p.loc) for p in err.value.problems}


def test_typed_frames_with_bad_cells_raise_the_models_problems() -> None:
    """A typed frame's bad codes, choices, ranges and list items are the models' problems."""
    frame = _frame([factory(1), factory(2), factory(3), factory(4)])
    bad_code = credit_code(2)[:-1] + ("0" if credit_code(2)[-1] != "0" else "1")
    memberships = pl.Series(
        "memberships",
        [
            [{"programme": "factory", "tier": "nowhere", "year": 2024, "valid": True}],
            [{"programme": "factory", "tier": "city", "year": 1999, "valid": True}],
            None,
            [None],
        ],
        dtype=frame.schema["memberships"],
    )
    frame = frame.with_columns(
        pl.Series("credit_code", [credit_code(1), bad_code, credit_code(3), credit_code(4)]),
        pl.Series("report.route", ["self", "self", "by post", "self"]),
        memberships,
    )
    found = _problems(frame)
    assert ("bad-choice", (0, "memberships", 0, "tier")) in found
    assert ("bad-credit-code", (1, "credit_code")) in found
    assert ("out-of-range", (1, "memberships", 0, "year")) in found
    assert ("bad-choice", (2, "report", "route")) in found
    assert any(loc[:2] == (3, "memberships") for _, loc in found)


def test_typed_text_is_read_as_the_models_read_it() -> None:
    """Blanks the models strip (U+3000, U+001F too) and empty texts are read as they read them."""
    entities = [factory(1), factory(2), factory(3)]
    want = gr.evaluate_table(_frame(entities), **ARGS).frame
    frame = _frame(entities).with_columns(
        pl.Series("name", ["\u3000test factory 1", "test factory 2\x1f", "test factory 3"]),
        pl.Series("industry.code", ["", " ", None], dtype=pl.String),
        pl.Series("city", [" 150200", None, None], dtype=pl.String),
    )
    entities[0] = entities[0].model_copy(update={"city": "150200"})
    got = gr.evaluate_table(frame, **ARGS)
    assert got.frame.get_column("name").to_list() == want.get_column("name").to_list()
    assert got.entity(0).city == "150200"
    assert got.entity(1).industry.code is None
    assert got.decision(0).verdicts == gr.evaluate_many(entities, **ARGS)[0].verdicts


def test_industry_codes_are_stored_and_refused_as_the_models_do() -> None:
    """A section letter is dropped as the models drop it; a wrong one is refused as they do.

    C4210 is read as 4210; A4210 gives the models' problem at the models' place.
    """
    entities = [factory(1, industry={"code": "4210"}), factory(2, industry={"code": "3216"})]
    frame = _frame(entities).with_columns(pl.Series("industry.code", ["C4210", "3216"]))
    got = gr.evaluate_table(frame, **ARGS)
    assert [got.entity(i) for i in range(2)] == entities
    bad = frame.with_columns(pl.Series("industry.code", ["A4210", "3216"]))
    assert ("bad-industry-code", (0, "industry", "code")) in _problems(bad)


def test_padded_codes_and_choices_are_judged_by_the_models() -> None:
    """A code or a choice with edge blanks fails its own check, so its row goes to the models
    (no blank test of its own is run for it): a table's cells are stripped as the loaders
    strip them; a list item's choice is not, and is refused.
    """
    agency = {"credit_code": credit_code(7), "name": "agency"}
    entities = [factory(1, report={"route": "third_party", "agency": agency}), factory(2)]
    frame = _frame(entities)
    padded = frame.with_columns(
        pl.Series("credit_code", [f" {credit_code(1)}", f"{credit_code(2)}\u3000"]),
        pl.Series("report.agency.credit_code", [f"{credit_code(7)}\x1c", None], dtype=pl.String),
        pl.Series("report.route", ["third_party\t", " self"]),
    )
    got = gr.evaluate_table(padded, **ARGS)
    assert [got.entity(i) for i in range(2)] == entities
    want = gr.evaluate_many(entities, **ARGS)
    assert [got.decision(i).verdicts for i in range(2)] == [d.verdicts for d in want]
    memberships = frame.get_column("memberships").to_list()
    memberships[1] = [{**memberships[1][0], "tier": "province\x1c"}]
    choices = frame.with_columns(
        pl.Series("memberships", memberships, dtype=frame.schema["memberships"])
    )
    assert _problems(choices) == {("bad-choice", (1, "memberships", 0, "tier"))}


def test_list_items_the_models_fill_or_strip_are_read_as_they_read_them() -> None:
    """A null ``valid`` (default true) and a blank product go through the models' reading."""
    entity = factory(1, energy=[{"product": "cement_clinker", "value": 10.0}])
    frame = _frame([entity]).with_columns(
        pl.Series(
            "memberships",
            [[{"programme": "factory", "tier": "city", "year": 2024, "valid": None}]],
            dtype=_frame([entity]).schema["memberships"],
        ),
        pl.Series(
            "energy",
            [[{"product": " cement_clinker ", "value": 10.0, "unit": None}]],
            dtype=_frame([entity]).schema["energy"],
        ),
    )
    result = gr.evaluate_table(frame, **ARGS)
    read = result.entity(0)
    assert read.memberships is not None and read.memberships[0].valid is True
    assert read.energy is not None and read.energy[0].product == "cement_clinker"
    native = gr.evaluate_many([read], **ARGS)[0]
    assert [v.value for v in native.verdicts] == [result.frame[r][0] for r in native.rule_ids]


def _records(entities: list[gr.Applicant]) -> list[dict[str, Any]]:
    return _frame(entities).to_dicts()


def test_records_evaluate_as_their_table() -> None:
    """A list of records (dense or sparse) gives the result table of the same frame."""
    entities = [factory(1), factory(2, water={"key_water_user": True}), factory(3, energy=[])]
    want = gr.evaluate_table(_frame(entities), **ARGS).frame
    records = _records(entities)
    assert gr.evaluate_table(records, **ARGS).frame.equals(want)
    sparse = [{k: v for k, v in r.items() if v is not None} for r in records]
    assert gr.evaluate_table(sparse, **ARGS).frame.equals(want)
    as_text = [{**r, "submitted_on": str(r["submitted_on"])} for r in sparse]
    assert gr.evaluate_table(as_text, **ARGS).frame.equals(want)
    assert len(gr.evaluate_table([], **ARGS)) == 0


def test_records_are_typed_strictly_as_the_models_type_them() -> None:
    """Pyarrow would read 3.5 as 3 and True as 1.0; the models reject them, and so do records."""
    good = _records([factory(1)])[0]
    cases: list[tuple[dict[str, Any], tuple[str, tuple[Any, ...]]]] = [
        ({"water.key_water_user": 1}, ("wrong-type", (0, "water", "key_water_user"))),
        # polars takes numpy's bools as bools; the models do not.
        ({"water.key_water_user": numpy.True_}, ("wrong-type", (0, "water", "key_water_user"))),
        (
            {"memberships": [{"programme": "factory", "tier": "city", "year": 2024.5}]},
            ("wrong-type", (0, "memberships", 0, "year")),
        ),
        (
            {"energy": [{"product": "p", "value": True}]},
            ("wrong-type", (0, "energy", 0, "value")),
        ),
        (
            {"energy": [{"product": "p", "colour": "red"}]},
            ("unknown-field", (0, "energy", 0, "colour")),
        ),
        ({"bogus": "x"}, ("unknown-field", (0, "bogus"))),
        (  # beyond the one integer range of every engine
            {"report.agency.national_projects": 2**70},
            ("out-of-range", (0, "report", "agency", "national_projects")),
        ),
    ]
    for change, (code, loc) in cases:
        found = _problems([{**good, **change}])
        assert any(c == code and at[: len(loc)] == loc for c, at in found), (change, found)
    # A number for a text is read as its text, a timestamp as its date, as the loaders read a
    # spreadsheet's typed cells.
    numbered = gr.evaluate_table([{**good, "name": 5, "city": 150200}], **ARGS)
    assert (numbered.entity(0).name, numbered.entity(0).city) == ("5", "150200")
    noon = gr.evaluate_table([{**good, "submitted_on": dt.datetime(2025, 5, 1, 12)}], **ARGS)
    assert noon.entity(0).submitted_on == dt.date(2025, 5, 1)


def test_progress_is_reported_from_the_start_to_the_end() -> None:
    """The progress callback starts at zero (before checking) and ends at the total."""
    seen: list[tuple[int, int]] = []
    gr.evaluate_table(
        _frame([factory(i) for i in range(1, 6)]),
        **ARGS,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[0] == (0, 5)
    assert seen[-1] == (5, 5)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_missing_facts_are_rendered_on_first_use() -> None:
    """Outcomes has no missing column; frame adds it once, equal to the native missing facts."""
    entities = [factory(1, water={}), factory(2, energy=None), factory(3)]
    result = gr.evaluate_table(_frame(entities), **ARGS)
    assert "missing" not in result.outcomes.columns
    native = gr.evaluate_many(entities, **ARGS)
    assert [tuple(m) for m in result.frame["missing"].to_list()] == [d.missing for d in native]
    assert result.frame is result.frame


def test_batches_equal_the_whole_table(tmp_path: Any) -> None:
    """Batches of a Parquet file or a frame concatenate to evaluate_table's result."""
    frame = _frame([factory(i, water={"key_water_user": i % 2 == 0}) for i in range(1, 8)])
    path = tmp_path / "in.parquet"
    frame.write_parquet(path)
    want = gr.evaluate_table(frame, **ARGS).frame
    for source in (path, str(path), frame, frame.to_arrow()):
        batches = list(gr.evaluate_batches(source, **ARGS, rows=3))
        assert [len(b) for b in batches] == [3, 3, 1]
        assert pl.concat([b.frame for b in batches]).equals(want)
        assert batches[1].decision(0).entity_id == want["entity_id"][3]
    (one,) = gr.evaluate_batches(_records([factory(1)]), **ARGS, rows=3)
    assert len(one) == 1


def test_a_bad_row_in_a_later_batch_is_located_in_the_whole_table(tmp_path: Any) -> None:
    """Problems name the row index in the whole table, raised when the batch is reached."""
    frame = _frame([factory(i) for i in range(1, 6)]).with_columns(
        pl.Series("report.route", ["self", "self", "self", "self", "by post"])
    )
    path = tmp_path / "bad.parquet"
    frame.write_parquet(path)
    batches = gr.evaluate_batches(path, **ARGS, rows=2)
    assert len(next(batches)) == 2
    assert len(next(batches)) == 2
    with pytest.raises(gr.InvalidInputError) as err:
        next(batches)
    assert {(p.code, p.loc) for p in err.value.problems} == {("bad-choice", (4, "report", "route"))}
    with pytest.raises(gr.InvalidInputError):
        gr.evaluate_batches(path, **ARGS, rows=0)
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    with pytest.raises(gr.InvalidInputError):
        list(gr.evaluate_batches(tmp_path / "broken.parquet", **ARGS))


def test_repeated_codes_are_checked_once_and_every_bad_row_is_found() -> None:
    """Few distinct agency codes (checked once each): every row giving the bad one is named."""
    good, bad = credit_code(7), credit_code(8)[:-1] + "I"
    agency = [good, bad, None, bad, good, good, bad]
    frame = _frame([factory(i) for i in range(1, 8)]).with_columns(
        pl.Series("report.route", ["third_party"] * 7),
        pl.Series("report.agency.credit_code", agency, dtype=pl.String),
        pl.Series("report.agency.name", ["an agency"] * 7),
    )
    found = _problems(frame)
    rows = {loc[0] for code, loc in found if code == "bad-credit-code"}
    assert rows == {1, 3, 6}


def test_a_programme_the_models_read_after_stripping_keeps_its_row() -> None:
    """``"factory\\x1c"`` is a factory to the models (``str.strip``), so its row is decided, in
    its place, not dropped with the later rows shifted up.
    """
    entities = [factory(1), factory(2), factory(3)]
    frame = _frame(entities).with_columns(
        pl.Series("programme", ["factory", "factory\x1c", "\u3000factory"])
    )
    got = gr.evaluate_table(frame, **ARGS)
    assert got.frame.height == 3
    assert [got.entity(i) for i in range(3)] == entities


@pytest.mark.parametrize("column", ["__row__", "__programme__"])
def test_a_column_named_like_an_internal_one_is_an_unknown_field(column: str) -> None:
    """The models know no such field; the table is refused as the loader refuses it."""
    frame = _frame([factory(1), factory(2)]).with_columns(pl.Series(column, ["x", None]))
    assert _problems(frame) == {("unknown-field", (0, column))}


def test_a_self_evaluation_naming_an_agency_is_the_models_problem() -> None:
    """A row whose route is self and whose agency is given goes to the models, which refuse it."""
    agency = {"credit_code": credit_code(7), "name": "agency"}
    entities = [factory(1, report={"route": "third_party", "agency": agency}), factory(2)]
    frame = _frame(entities).with_columns(
        pl.Series("report.route", ["self", "self"]),
    )
    assert _problems(frame) == {("self-route-agency", (0, "report", "agency"))}
