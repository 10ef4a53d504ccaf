"""What durable-rules sees of a rule set: integer keys for values, and formulas as patterns.

Only integers reach the engine: numbers become order-preserving 64-bit keys of their IEEE bits,
dates their ordinals, booleans 0/1, and text its rank among the rule set's text constants.
Comparisons are then exact ``long`` comparisons (no float exponents, no string coercion). Every
condition becomes a pair of formulas over one fact, one for "true" and one for "false"; unknown is
neither. This module holds both encodings and never imports durable_rules.
"""

from __future__ import annotations

import bisect
import struct
from collections.abc import Sequence
from typing import Any

from greenrules._model.facts import Kind
from greenrules._rules import conditions as c
from greenrules.exceptions import EngineUnavailableError

_MAX_EXACT_INT = 2**53  # the largest integer a float holds exactly

# --- encoding: everything durable sees is an int -------------------------------------------

_DOUBLE = struct.Struct("<d")
_INT64 = struct.Struct("<q")
_SIGN = 0x7FFF_FFFF_FFFF_FFFF


def number_key(value: Any) -> int:
    """An int whose order and equality are exactly those of the number (an IEEE-754 bit key)."""
    if type(value) is int and not -_MAX_EXACT_INT <= value <= _MAX_EXACT_INT:
        raise EngineUnavailableError(
            f"the rete engine compares numbers as doubles; {value} is beyond ±2**53 and would "
            "compare inexactly. Use engine='native'."
        )
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise EngineUnavailableError(f"the rete engine cannot compare {number!r}")
    bits = int(_INT64.unpack(_DOUBLE.pack(number))[0])
    return bits if bits >= 0 else -(bits & _SIGN)


def number_of_key(key: int) -> float:
    """The number a :func:`number_key` encodes."""
    bits = key if key >= 0 else (-key) | ~_SIGN
    (number,) = _DOUBLE.unpack(_INT64.pack(bits))
    return float(number)


class TextCodes:
    """Text as ints: rank among the rule set's sorted text constants, exact against any of them.

    A constant at sorted position ``i`` is ``2i+1``; text between constants ``i-1`` and ``i`` is
    ``2i``. Equality and order against a constant are therefore exactly Python's. Two texts that
    are not constants may share a code, so two free text facts are never compared (checked when
    compiling).
    """

    def __init__(self, constants: set[str]) -> None:
        self.sorted = sorted(constants)

    def __call__(self, text: str) -> int:
        i = bisect.bisect_left(self.sorted, text)
        return 2 * i + 1 if i < len(self.sorted) and self.sorted[i] == text else 2 * i


def kind_of(value: Any) -> Kind:
    return c.literal_kind(value)


# --- formulas: the true/false case of a condition over one fact ------------------------------

Formula = Any  # True | False | ("ex"|"nex", field) | ("cmp", op, field, rhs) | ("and"|"or", parts)
NEGATED = {"eq": "ne", "ne": "eq", "lt": "ge", "ge": "lt", "le": "gt", "gt": "le"}
FLIP = {"eq": "eq", "ne": "ne", "lt": "gt", "gt": "lt", "le": "ge", "ge": "le"}
_DURABLE_OP = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


def conj(parts: Sequence[Formula]) -> Formula:
    """Conjunction, simplified: False absorbs, True vanishes."""
    kept = []
    for part in parts:
        if part is False:
            return False
        if part is not True:
            kept.append(part)
    if not kept:
        return True
    return kept[0] if len(kept) == 1 else ("and", tuple(kept))


def disj(parts: Sequence[Formula]) -> Formula:
    """Disjunction, simplified: True absorbs, False vanishes."""
    kept = []
    for part in parts:
        if part is True:
            return True
        if part is not False:
            kept.append(part)
    if not kept:
        return False
    return kept[0] if len(kept) == 1 else ("or", tuple(kept))


def negate(f: Formula) -> Formula:
    """The two-valued negation of a formula (absent fields make a comparison false)."""
    if f is True or f is False:
        return not f
    tag = f[0]
    if tag == "ex":
        return ("nex", f[1])
    if tag == "nex":
        return ("ex", f[1])
    if tag == "and":
        return disj([negate(p) for p in f[1]])
    if tag == "or":
        return conj([negate(p) for p in f[1]])
    _, op, field, rhs = f
    absent = [("nex", field)] + ([("nex", rhs[1])] if rhs[0] == "f" else [])
    return disj([*absent, ("cmp", NEGATED[op], field, rhs)])


def to_durable(f: Formula) -> list[dict[str, Any]]:
    """The durable expression list (to AND with the anchor) for a formula that is not constant."""
    tag = f[0]
    if tag == "ex":
        return [{"$ex": {f[1]: 1}}]
    if tag == "nex":
        return [{"$nex": {f[1]: 1}}]
    if tag in ("and", "or"):
        parts = [_one(p) for p in f[1]]
        return parts if tag == "and" else [{"$or": parts}]
    _, op, field, rhs = f
    right: Any = rhs[1] if rhs[0] == "c" else {"$m": rhs[1]} if rhs[0] == "f" else {rhs[1]: rhs[2]}
    test = {field: right} if op == "eq" else {_DURABLE_OP[op]: {field: right}}
    present = [{"$ex": {field: 1}}] + ([{"$ex": {rhs[1]: 1}}] if rhs[0] == "f" else [])
    return [*present, test]


def _one(f: Formula) -> dict[str, Any]:
    parts = to_durable(f)
    return parts[0] if len(parts) == 1 else {"$and": parts}
