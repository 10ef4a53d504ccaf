"""The property checks of ``greenrules.testing`` run by ``greenrules check``, each timed.

A pack that passes ``check`` must not then fail its first property test: ``check`` runs the
same checks the kit offers (or the ones named), with fewer examples than a test suite, and
turns each violation into a problem of a few lines naming where it broke, what changed, and
the shrunk counter-example as one line of JSON a case file takes.
"""

from __future__ import annotations

import importlib.util
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from greenrules._rules.packs import Pack
from greenrules._rules.registry import Registry
from greenrules.exceptions import InputProblem, InvalidInputError

PROPERTIES = ("determinism", "monotonicity", "tier-nesting", "waiver-soundness", "citations")
"""The properties ``check`` can run, by the name ``--properties`` takes."""

DETAIL_LINES = 4
"""Lines of a violation's details kept in the report; the rest is in the pack's own tests."""


@attrs.frozen
class PropertyRun:
    """One property run on a pack: its name, how long it took, and how it ended."""

    name: str
    seconds: float
    outcome: str  # "held", "violated" or "skipped"


def property_names(text: str | None) -> tuple[str, ...]:
    """The properties ``--properties`` names (comma-separated, ``all`` or ``none``).

    Raises:
        InvalidInputError: a name that is not a property (``bad-argument`` at ``properties``).
    """
    if text is None or text.strip() == "all":
        return PROPERTIES
    if text.strip() == "none":
        return ()
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in PROPERTIES]
    if unknown or not names:
        msg = f"expected all, none or some of {', '.join(PROPERTIES)}"
        raise InvalidInputError([InputProblem("bad-argument", ("properties",), msg, text)])
    return names


def property_problems(
    pack: Pack, registry: Registry, names: Sequence[str], examples: int
) -> tuple[list[tuple[str, str, str, str]], tuple[PropertyRun, ...]]:
    """Run the named properties on ``pack``: problems as (code, severity, where, message)."""
    if not names:
        return [], ()
    if importlib.util.find_spec("hypothesis") is None:
        msg = "install greenrules[testing] to run the property checks"
        return [("property-skipped", "warning", pack.id, msg)], ()
    from hypothesis import HealthCheck, Verbosity, settings
    from hypothesis.errors import HypothesisException

    from greenrules.testing import PropertyViolation, Subject, subject

    quiet = settings(
        max_examples=examples,
        deadline=None,
        database=None,  # nothing written to the user's folder
        derandomize=True,  # the same pack gets the same report, run after run
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
    )
    try:
        target: Subject = subject(pack, registry=registry)
    except HypothesisException as exc:  # no rules to check in any context
        return [("property-skipped", "warning", pack.id, str(exc))], ()
    problems: list[tuple[str, str, str, str]] = []
    runs = []
    for name in names:
        check = _check(name, target)
        started = time.perf_counter()
        outcome = "held"
        if check is None:
            outcome = "skipped"
        else:
            try:
                check(target, settings=quiet)
            except PropertyViolation as exc:
                outcome = "violated"
                problems.append(_violation(name, pack, exc))
            except HypothesisException as exc:
                outcome = "skipped"
                msg = f"{name} could not run: {type(exc).__name__}: {exc}"
                problems.append(("property-skipped", "warning", pack.id, msg))
        runs.append(PropertyRun(name, time.perf_counter() - started, outcome))
    return problems, tuple(runs)


def _check(name: str, target: Any) -> Callable[..., None] | None:
    """The kit's check of ``name``; None where it does not apply (tier nesting, one tier)."""
    from greenrules import testing

    if name == "tier-nesting" and not any(c.tier.value == "national" for c in target.contexts):
        return None
    check: Callable[..., None] = getattr(testing, "check_" + name.replace("-", "_"))
    return check


def _violation(name: str, pack: Pack, exc: Any) -> tuple[str, str, str, str]:
    details = list(exc.details[:DETAIL_LINES])
    if len(exc.details) > DETAIL_LINES:
        details.append(f"... {len(exc.details) - DETAIL_LINES} more lines")
    if exc.example is not None:
        text = json.dumps(exc.example, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        details.append(f"counter-example: {text}")
    message = "\n      ".join(details)
    return ("property-violated", "error", f"{pack.id} {name} in {exc.context}", message)
