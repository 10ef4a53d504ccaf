"""Tests for pack cases: the YAML format is strict, and a failing case shows a readable diff."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

import greenrules
from greenrules._cases import Expectation, compare, read_cases, run_case

pytest_plugins = ["pytester"]

KIT = Path(__file__).parent / "kit_packs"
GOOD_CASE = """
cases:
  - name: a factory in a key field with no energy data
    tier: province
    entity:
      programme: factory
      credit_code: 91990100MA0XP0001D
      name: 示例工厂
      industry: {key_field: true}
      report: {route: self, issued_on: 2025-01-10}
      energy: []
    expect:
      status: recommend
      verdicts: {T-F-share: pass, T-F-report-date: pass}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cases.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_valid_case_file_reads(tmp_path: Path) -> None:
    """A well-formed case file gives one Case per entry, optional keys defaulted."""
    (case,) = read_cases(write(tmp_path, GOOD_CASE))
    assert case.tier is greenrules.Tier.PROVINCE and case.round is None
    assert case.expect.verdicts == {"T-F-share": "pass", "T-F-report-date": "pass"}


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (("    tier: province", "    tier: province\n    tire: city"), ("cases", 0, "tire")),
        (
            ("      status: recommend", "      status: recommend\n      verdict: {}"),
            ("cases", 0, "expect", "verdict"),
        ),
        (("      status: recommend", "      status: maybe"), ("cases", 0, "expect", "status")),
    ],
)
def test_unknown_keys_and_bad_values_are_errors(
    tmp_path: Path, change: tuple[str, str], where: tuple[object, ...]
) -> None:
    """A misspelt key or a value outside the vocabulary is a bad-case problem at its place."""
    with pytest.raises(greenrules.InvalidInputError) as caught:
        read_cases(write(tmp_path, GOOD_CASE.replace(*change)))
    (problem,) = caught.value.problems
    assert problem.code == "bad-case" and problem.loc == where


def test_repeated_names_and_bad_yaml_are_errors(tmp_path: Path) -> None:
    """Two cases with one name, or text that is not YAML, are refused with a code."""
    twice = GOOD_CASE + GOOD_CASE.split("cases:\n", 1)[1]
    with pytest.raises(greenrules.InvalidInputError, match="case names repeat"):
        read_cases(write(tmp_path, twice))
    with pytest.raises(greenrules.InvalidInputError) as caught:
        read_cases(write(tmp_path, "cases: [\n"))
    assert caught.value.problems[0].code == "bad-yaml"


@pytest.fixture(scope="module")
def aimed() -> tuple[greenrules.Pack, greenrules.Registry]:
    pack = greenrules.load_pack(KIT / "aimed")
    return pack, greenrules.Registry([pack])


def test_a_matching_case_has_no_differences(
    tmp_path: Path, aimed: tuple[greenrules.Pack, greenrules.Registry]
) -> None:
    """A case whose decision matches its expectation passes with an empty diff."""
    (case,) = read_cases(write(tmp_path, GOOD_CASE))
    result = run_case(case, *aimed)
    assert result.passed and result.differences == ()


def test_a_failing_case_shows_a_diff_with_the_facts_read(
    tmp_path: Path, aimed: tuple[greenrules.Pack, greenrules.Registry]
) -> None:
    """Expected and actual appear as - and + lines, held expectations as context, then facts."""
    text = GOOD_CASE.replace("key_field: true", "key_field: false").replace(
        "T-F-report-date: pass}", "T-F-report-date: pass, T-F-nope: pass}"
    )
    (case,) = read_cases(write(tmp_path, text))
    diff = list(run_case(case, *aimed).differences)
    assert diff[:7] == [
        "- status: recommend",
        "+ status: ineligible",
        "- verdict T-F-share: pass",
        "+ verdict T-F-share: fail",
        "  verdict T-F-report-date: pass",
        "- verdict T-F-nope: pass",
        "+ verdict T-F-nope: (no such rule in this rule set)",
    ]
    assert "findings of the rules involved:" in diff
    assert "  [T-1] T-F-share: fail (read industry.key_field=False)" in diff


def test_optional_expectations_are_compared_exactly(
    aimed: tuple[greenrules.Pack, greenrules.Registry],
) -> None:
    """missing, review_required, priority and clauses are compared only when given."""
    pack, registry = aimed
    entity = greenrules.Factory(credit_code="91990100MA0XP0001D", name="示例工厂")
    decision = greenrules.evaluate(
        entity, tier="province", round=2025, jurisdiction=pack.jurisdiction, registry=registry
    )
    assert compare(Expectation(status=decision.status), decision) == []
    wrong = Expectation(
        status=decision.status, missing=[], review_required=True, priority=[9.0], clauses=["T-9"]
    )
    diff = compare(wrong, decision)
    assert "- missing: []" in diff and "- review_required: True" in diff
    assert "- priority: [9.0]" in diff and "- cites: T-9" in diff
    assert diff[-1].startswith("missing facts: ")


def test_the_plugin_reports_a_diff_and_a_bad_file_cleanly(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    """Run as pytest items, a failing case prints its diff and a bad file one line per problem."""
    pack = pytester.path / "pack"
    shutil.copytree(KIT / "aimed", pack)
    (pack / "cases").mkdir()
    (pack / "cases" / "good.yaml").write_text(
        GOOD_CASE.replace("status: recommend", "status: cultivate"), encoding="utf-8"
    )
    (pack / "cases" / "bad.yaml").write_text(GOOD_CASE.replace("tier:", "tire:"), encoding="utf-8")
    pytester.makeconftest(
        """
        import greenrules
        from greenrules import _case_plugin

        def installed(folder):
            pack = greenrules.load_pack(folder)
            return pack, greenrules.Registry([pack])

        _case_plugin._installed_pack = installed
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--continue-on-collection-errors", str(pack)
    )
    result.assert_outcomes(failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*cases[[]0[]].tire: Extra inputs are not permitted [[]bad-case[]]*",
            "*case does not match (- expected, + actual):*",
            "*- status: cultivate*",
            "*+ status: recommend*",
        ]
    )
