"""A new pack folder that passes ``greenrules check`` and its own tests before anything is edited.

A new pack author starts from something that works and changes it one step at a time, checking
after each. The scaffold is a province pack on the national pack: one clause (the submission
deadline every notice sets), one rule per programme citing it, the deadline as a dated parameter
whose source says it is the scaffold's and must be replaced, two cases, and a test file calling
every property check of ``greenrules.testing`` on the folder, installed or not.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from greenrules._io.output import write_whole
from greenrules._model.credit_code import make_credit_code
from greenrules._model.enums import Programme
from greenrules._rules.packs import load_pack
from greenrules._rules.registry import Registry, default_registry
from greenrules.exceptions import InputProblem, InvalidInputError, PackError

LETTER = {Programme.FACTORY: "F", Programme.PARK: "P", Programme.SUPPLY_CHAIN: "S"}
PROGRAMME_ZH = {
    Programme.FACTORY: "绿色工厂",
    Programme.PARK: "绿色工业园区",
    Programme.SUPPLY_CHAIN: "绿色供应链管理企业",
}
JURISDICTION = re.compile(r"^CN-([A-Z]{2})$")
PACK_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

PACK_YAML = """\
# The {jurisdiction} {round} recommendation round, layered on the national packs {extends}.
# Made by `greenrules new-pack`: replace the name and the source with the notice's own.
id: {pack_id}
version: "{round}.0.1"
jurisdiction: {jurisdiction}
rounds: [{round}]
name:
  zh: {jurisdiction} {round}年度绿色制造示范单位推荐
  en: {jurisdiction} {round} green manufacturing recommendation round
source:
  title: {jurisdiction} {round}年度绿色制造示范单位推荐工作通知（以通知标题替换）
  issuer: {jurisdiction} 工业和信息化主管部门（以发文单位替换）
  date: {date}
evaluation_dates:
  {round}: {date}
programmes: [factory, park, supply_chain]
tiers: [province, national]
extends: {extends}
"""

CLAUSES_YAML = """\
# The notice's clauses, one entry each, paraphrased in our own words (zh and en). Add one
# per obligation, each with its kind and how it is covered (docs/reference/pack-format.md).
clauses:
  - id: {prefix}{round}-deadline
    kind: deadline
    section: "三"
    summary:
      zh: 申报材料于截止日期前报送。
      en: Applications are submitted by the deadline.
    coverage: {{how: rules}}
"""

PARAMS_YAML = """\
# Dated parameters: every value with the period it is in force and where it comes from.
params:
  submission_deadline:
    kind: date
    description: The last day applications of this round are accepted ({prefix}{round}-deadline).
    values:
      - value: {date}
        from: {round}-01-01
        to: {round}-12-31
        source: >-
          greenrules new-pack scaffold: the evaluation date, standing in until the notice's
          deadline is transcribed here with its section
        confidence: scaffold value, not the notice's
"""

RULES_YAML = """\
# {programme_en} rules of the round. Each cites a clause of clauses.yaml; the national rules of
# {extends} apply too, except where a rule here says `replaces`.
programme: {programme}
rules:
  - id: {prefix}{short}-{letter}-on-time
    clause: {prefix}{round}-deadline
    tiers: [province, national]
    strength: mandatory
    on_fail: ineligible
    requires: {{fact: submitted_on, le: {{param: submission_deadline}}}}
    monotone: {{submitted_on: lower_is_better}}
    summary:
      zh: {programme_zh}申报材料按期报送。
      en: The application was submitted by the deadline.
"""

CASES_YAML = """\
# Worked cases: an applicant and the decision it must get (docs/reference/cases.md). pytest runs
# them as tests. Add one per rule at its boundary.
cases:
  - name: submitted on the deadline is on time
    tier: province
    entity: &on_time
      programme: factory
      credit_code: {credit_code}
      name: 示例工厂（虚构）
      submitted_on: {date}
    expect:
      status: undetermined
      verdicts: {{{prefix}{short}-F-on-time: pass}}

  - name: submitted a day late is ineligible, whatever else is unknown
    tier: province
    entity: {{<<: *on_time, submitted_on: {late}}}
    expect:
      status: ineligible
      verdicts: {{{prefix}{short}-F-on-time: fail}}
      clauses: [{prefix}{round}-deadline]
"""

TEST_PY = '''\
"""Property tests of the pack in this folder, with greenrules.testing; run them with pytest.

The pack is loaded from the folder and layered on the installed packs it builds on, as users
get it once installed. A failing check raises PropertyViolation with a shrunk counter-example
that can be pasted into a case file.
"""

from pathlib import Path

import pytest
from hypothesis import settings

import greenrules
from greenrules.testing import (
    Subject,
    check_citations,
    check_determinism,
    check_monotonicity,
    check_no_contradictions,
    check_reachability,
    check_tier_nesting,
    check_waiver_soundness,
    subject,
)

PACK = Path(__file__).parents[1]
CHECKS = settings(max_examples=20, deadline=None)


@pytest.fixture(scope="module")
def this_pack() -> Subject:
    return subject(greenrules.load_pack(PACK))


def test_determinism(this_pack: Subject) -> None:
    check_determinism(this_pack, settings=CHECKS)


def test_monotonicity(this_pack: Subject) -> None:
    check_monotonicity(this_pack, settings=CHECKS)


def test_tier_nesting(this_pack: Subject) -> None:
    check_tier_nesting(this_pack, settings=CHECKS)


def test_waiver_soundness(this_pack: Subject) -> None:
    check_waiver_soundness(this_pack, settings=CHECKS)


def test_citations(this_pack: Subject) -> None:
    check_citations(this_pack, settings=CHECKS)


def test_every_rule_can_pass_and_fail(this_pack: Subject) -> None:
    check_reachability(this_pack)


def test_no_two_rules_contradict(this_pack: Subject) -> None:
    check_no_contradictions(this_pack)
'''


def _writer(text: str) -> Callable[[Path], object]:
    return lambda tmp: tmp.write_text(text, encoding="utf-8")


def new_pack(
    folder: str | Path,
    *,
    jurisdiction: str,
    pack_id: str | None = None,
    round: int | None = None,
    extends: str = "cn-national",
    registry: Registry | None = None,
) -> Path:
    """Write a new pack folder for ``jurisdiction`` (``CN-XX``) that passes ``greenrules check``.

    ``round`` defaults to the latest round ``extends`` serves, so the layering resolves. The
    folder must not exist or be empty: nothing of the caller's is overwritten.

    Raises:
        InvalidInputError: a bad jurisdiction, id or round, a folder holding files, or a base
            pack that does not serve the round (``bad-argument``, naming the option).
    """
    folder = Path(folder)
    registry = registry if registry is not None else default_registry()
    problems = []
    code = JURISDICTION.match(jurisdiction or "")
    if code is None:
        msg = "expected a province code of ISO 3166-2:CN, e.g. CN-NX"
        problems.append(InputProblem("bad-argument", ("jurisdiction",), msg, jurisdiction))
    pack_id = pack_id or jurisdiction.lower()
    if not PACK_ID.match(pack_id):
        msg = "expected lower-case letters, digits and hyphens, e.g. cn-nx"
        problems.append(InputProblem("bad-argument", ("id",), msg, pack_id))
    served = sorted({r for p in registry.packs if p.id == extends for r in p.rounds})
    if not served:
        msg = f"no installed pack {extends!r} to build on"
        problems.append(InputProblem("bad-argument", ("extends",), msg, extends))
    round_ = round if round is not None else (served[-1] if served else 0)
    if served and round_ not in served:
        msg = f"{extends} serves rounds {served}; a new pack builds on one of them"
        problems.append(InputProblem("bad-argument", ("round",), msg, round_))
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        msg = "the folder exists and is not empty; new-pack never overwrites files"
        problems.append(InputProblem("bad-argument", ("folder",), msg, str(folder)))
    if problems:
        raise InvalidInputError(problems)
    assert code is not None  # for the type checker: a problem above otherwise
    day = dt.date(round_, 5, 31)
    values = {
        "jurisdiction": jurisdiction,
        "pack_id": pack_id,
        "round": round_,
        "short": str(round_)[-2:],
        "prefix": code.group(1),
        "date": day.isoformat(),
        "late": (day + dt.timedelta(days=1)).isoformat(),
        "credit_code": make_credit_code("91110000MA0000001"),
        "extends": "[" + ", ".join(_bases(registry, extends, round_)) + "]",
    }
    files = {
        "pack.yaml": PACK_YAML.format(**values),
        "clauses.yaml": CLAUSES_YAML.format(**values),
        "params.yaml": PARAMS_YAML.format(**values),
        "cases/factory.yaml": CASES_YAML.format(**values),
        "tests/test_pack.py": TEST_PY,
    }
    for programme in Programme:
        files[f"rules/{programme.value}.yaml"] = RULES_YAML.format(
            **values,
            programme=programme.value,
            programme_en=programme.value.replace("_", "-").capitalize(),
            programme_zh=PROGRAMME_ZH[programme],
            letter=LETTER[programme],
        )
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(path, _writer(text), argument="folder")
    try:
        load_pack(folder)  # what was written must load: a failure here is a bug of the scaffold
    except PackError as exc:
        raise AssertionError(f"greenrules new-pack wrote a pack that does not load: {exc}") from exc
    return folder


def _bases(registry: Registry, extends: str, round_: int) -> list[str]:
    """What the new pack extends: a shared pack's programme packs of the round, or ``extends``.

    Criteria come per programme: a shared pack (``cn-national``) holds no programme's rules,
    so a pack covering all three programmes builds on the programme packs that extend it.
    """
    named = [p for p in registry.packs if p.id == extends and round_ in p.rounds]
    if not named or not named[0].shared:
        return [extends]
    on_it = {
        p.programmes[0]: p.id
        for p in registry.packs
        if not p.shared and round_ in p.rounds and any(b.pack == extends for b in p.bases)
    }
    return [on_it[programme] for programme in Programme if programme in on_it] or [extends]
