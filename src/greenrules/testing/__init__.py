"""greenrules.testing: Hypothesis strategies and property checks for criteria-pack maintainers.

Install it with the ``testing`` extra (``pip install greenrules[testing]``). The strategies
generate valid entities (optionally pinned, with facts left unknown, aimed at a pack's
thresholds); the checks turn the properties every pack must have into one call from a test,
each failing with a readable counter-example. See ``docs/reference/testing.md``.
"""

from ._fields import credit_codes
from ._strategies import (
    agencies,
    applicants,
    factories,
    parks,
    rounds,
    supply_chain_enterprises,
)
from ._targets import Targets, targets

__all__ = [
    "Targets",
    "agencies",
    "applicants",
    "credit_codes",
    "factories",
    "parks",
    "rounds",
    "supply_chain_enterprises",
    "targets",
]
