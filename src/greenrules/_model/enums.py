"""The closed vocabularies every pack and decision shares.

They are ``str`` enums so that their values are the stable spelling used in pack data, JSON and
tables, and so that a value read from a file compares equal to the member.
"""

from __future__ import annotations

import enum


class Programme(enum.StrEnum):
    """A green manufacturing programme (绿色制造示范类别)."""

    FACTORY = "factory"
    PARK = "park"
    SUPPLY_CHAIN = "supply_chain"


class Tier(enum.StrEnum):
    """A level of green manufacturing list; ``province`` also covers autonomous regions."""

    CITY = "city"
    PROVINCE = "province"
    NATIONAL = "national"


class Strength(enum.StrEnum):
    """How strongly a rule binds: it decides how a failure affects the status."""

    MANDATORY = "mandatory"
    IN_PRINCIPLE = "in_principle"
    PRIORITY = "priority"


class Verdict(enum.StrEnum):
    """What one rule concluded about one entity."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    WAIVED = "waived"
    NOT_APPLICABLE = "not_applicable"


class Status(enum.StrEnum):
    """The overall outcome for one entity at one tier and round."""

    RECOMMEND = "recommend"
    CULTIVATE = "cultivate"
    INELIGIBLE = "ineligible"
    UNDETERMINED = "undetermined"


class Outcome(enum.StrEnum):
    """What a failed mandatory rule makes of the entity (a subset of :class:`Status`)."""

    INELIGIBLE = "ineligible"
    CULTIVATE = "cultivate"
