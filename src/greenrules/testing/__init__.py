"""greenrules.testing: Hypothesis strategies and property checks for criteria-pack maintainers.

Install it with the ``testing`` extra (``pip install greenrules[testing]``). The strategies
generate valid entities (optionally pinned, with facts left unknown, aimed at a pack's
thresholds); the checks turn the properties every pack must have into one call from a test,
each failing with a readable counter-example. See ``docs/reference/testing.md``.
"""

from ._checks import (
    check_citations,
    check_determinism,
    check_monotonicity,
    check_tier_nesting,
    check_waiver_soundness,
)
from ._coverage import check_no_contradictions, check_reachability
from ._fields import credit_codes
from ._strategies import (
    agencies,
    applicants,
    factories,
    parks,
    rounds,
    supply_chain_enterprises,
)
from ._subject import Subject, applicants_for, subject
from ._targets import Targets, targets
from ._violation import PropertyViolation

__all__ = [
    "PropertyViolation",
    "Subject",
    "Targets",
    "agencies",
    "applicants",
    "applicants_for",
    "check_citations",
    "check_determinism",
    "check_monotonicity",
    "check_no_contradictions",
    "check_reachability",
    "check_tier_nesting",
    "check_waiver_soundness",
    "credit_codes",
    "factories",
    "parks",
    "rounds",
    "subject",
    "supply_chain_enterprises",
    "targets",
]
