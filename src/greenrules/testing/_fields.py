"""Strategies read off the entity models field by field, so a new field joins them by itself.

Every field of every entity model gets a strategy from its type and constraints (strict
scalars, enums, dates, nested records, tuples of records, the credit and division codes that
carry their own validators). Pins replace a field's strategy; targets mix in the values the
rules compare with; an optional fact is sometimes left missing (None), because unknown is a
first-class case, not an error. The generated dicts are validated by the models, so an entity
that comes out of a strategy is valid by construction, and a model change that a strategy does
not honour fails loudly at generation instead of producing quietly invalid test data.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import typing
from collections.abc import Mapping
from typing import Any

import annotated_types
import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from pydantic import AfterValidator, BaseModel

from greenrules._model.credit_code import ALPHABET, make_credit_code
from greenrules._model.facts import unwrap_optional
from greenrules._model.values import (
    EvaluationReport,
    EvaluationRoute,
    check_credit_code,
    check_division_code,
)

from ._targets import Targets

MISSING_WEIGHT = 4
"""An optional fact is missing in about one draw out of this many (when missing is allowed)."""

FIRST_DAY, LAST_DAY = dt.date(2015, 1, 1), dt.date(2030, 12, 31)
"""Generated dates fall in this range, plus every date the rules aim at."""

_DIVISIONS = (
    "150100",
    "150200",
    "150300",
    "150400",
    "150500",
    "150600",
    "150700",
    "150781",
    "150202",
    "152900",
    "152921",
    "110000",
    "320500",
    "320583",
    "440300",
    "510100",
)
"""Prefecture codes and county codes under them, inside and outside Inner Mongolia."""
_INDUSTRIES = ("C2511", "C2614", "C3011", "C3110", "C3216", "C3316", "C3825", "C3985", "D4411")
_PRODUCTS = ("电解铝", "水泥熟料", "多晶硅", "烧碱", "primary aluminium", "cement clinker")
_UNITS = ("kgce/t", "kWh/t", "tce/t")
_NAME_HEADS = ("包头", "鄂尔多斯", "呼和浩特", "乌海", "赤峰", "Northern", "Steppe")
_NAME_TAILS = (
    "示例铝业有限公司",
    "示范化工有限公司",
    "绿色硅材料有限公司",
    "产业园区管理委员会",
    " Example Metals Co., Ltd.",
    " Demo Chemicals Co., Ltd.",
)
_WORDS = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz绿色制造示范工厂园区"),
    min_size=1,
    max_size=8,
)


@attrs.frozen
class Options:
    """How one strategy call wants its entities: pins, missing facts, targets and agencies.

    ``pins`` maps paths relative to the model being built (items of lists as ``list.field``)
    to a constant or a strategy. ``agency`` replaces the strategy of every ``report.agency``,
    which is how a round shares a small pool of agencies between its applicants.
    """

    pins: Mapping[str, Any] = attrs.field(factory=dict)
    missing: bool = True
    targets: Targets = attrs.field(factory=Targets)
    agency: st.SearchStrategy[Any] | None = None
    max_items: int = 3


@attrs.frozen
class Avoid:
    """A pin meaning "any value the field would get, except these" (a witness for ``not_in``)."""

    values: frozenset[Any]


def credit_codes() -> st.SearchStrategy[str]:
    """Unified social credit codes with a correct check character (GB 32100-2015)."""
    return st.integers(0, len(ALPHABET) ** 9 - 1).map(_credit_code_from)


def _credit_code_from(number: int) -> str:
    """A credit code from one integer: one draw instead of a dozen keeps generation fast."""
    head = "9" + "123"[number % 3] + _DIVISIONS[number % len(_DIVISIONS)]
    tail = ""
    for _ in range(9):
        number, digit = divmod(number, len(ALPHABET))
        tail = ALPHABET[digit] + tail
    return make_credit_code(head + tail)


def names() -> st.SearchStrategy[str]:
    """Made-up unit names, Chinese or English, never blank."""
    return st.builds(lambda h, t: h + t, st.sampled_from(_NAME_HEADS), st.sampled_from(_NAME_TAILS))


def _text_hint(path: str, targets: Targets) -> st.SearchStrategy[str] | None:
    """Domain-flavoured text for fields whose free text rules look at."""
    last = path.rsplit(".", 1)[-1]
    if path == "industry.code":
        return st.sampled_from(_INDUSTRIES)
    if path == "industry.name":
        return st.sampled_from(("铝冶炼", "水泥制造", "多晶硅制造", "烧碱制造", "dairy products"))
    if last == "product":
        return st.sampled_from(_PRODUCTS)
    if last == "unit":
        return st.sampled_from(_UNITS)
    if last == "name":
        return names()
    if path == "waivers.rule":
        known = (*targets.waivable, *targets.rule_ids) or ("R-1",)
        return st.sampled_from(tuple(dict.fromkeys((*known, "NO-SUCH-RULE"))))
    if last == "justification":
        return st.sampled_from(
            (
                "整改方案已报市级主管部门备案，预计年内完成。",
                "A certified water-saving audit is scheduled before the round closes.",
            )
        )
    return None


def _bounds(field: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in field.metadata:
        if isinstance(item, annotated_types.Ge):
            out["min_value"] = item.ge
        elif isinstance(item, annotated_types.Le):
            out["max_value"] = item.le
        elif isinstance(item, annotated_types.MinLen):
            out["min_size"] = item.min_length
    return out


def _validators(annotation: Any) -> set[Any]:
    """The after-validators anywhere in an annotation (inside Optional and Annotated)."""
    found = set()
    for item in getattr(annotation, "__metadata__", ()):
        if isinstance(item, AfterValidator):
            found.add(item.func)
    for arg in typing.get_args(annotation):
        found |= _validators(arg)
    return found


def _fits(value: Any, tp: Any, bounds: Mapping[str, Any]) -> Any:
    """``value`` converted to the field's type if it fits its type and bounds, else None."""
    if tp is float and isinstance(value, int | float) and not isinstance(value, bool):
        value = float(value)
    elif tp is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            return None
    if type(value) is not tp:
        return None
    low, high = bounds.get("min_value"), bounds.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    if isinstance(value, str) and len(value) < bounds.get("min_size", 1):
        return None
    return value


def model_strategy(
    model: type[BaseModel], options: Options, pin_prefix: str = "", aim_prefix: str = ""
) -> st.SearchStrategy[Any]:
    """A strategy of valid ``model`` instances; paths in pins and targets carry the prefixes."""
    hints = _hints(model)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, field in model.model_fields.items():
        pin_path, aim_path = pin_prefix + name, aim_prefix + name
        fields[name] = _field(model, field, hints[name], options, pin_path, aim_path)
    drawn = st.fixed_dictionaries(fields)
    agency_pinned = any(p.startswith(pin_prefix + "agency") for p in options.pins)
    if model is EvaluationReport and not agency_pinned:
        drawn = drawn.map(_self_evaluation_without_agency)
    ordered = getattr(model, "ordered_fields", None)
    if ordered is not None:
        pinned = frozenset(n for n in ordered if pin_prefix + n in options.pins)
        drawn = drawn.map(functools.partial(_in_order, ordered, pinned))
    built = drawn.map(model.model_validate)
    return built if pin_prefix else _named(built, model.__name__)


def _self_evaluation_without_agency(report: dict[str, Any]) -> dict[str, Any]:
    """A report as the model accepts it: a self-evaluation names no agency.

    A pinned agency is kept, so pinning one beside ``route: self`` fails loudly.
    """
    if report.get("route") is EvaluationRoute.SELF or report.get("route") == "self":
        return {**report, "agency": None}
    return report


def _in_order(
    names: tuple[str, str], pinned: frozenset[str], draw: dict[str, Any]
) -> dict[str, Any]:
    """``draw`` with the two fields a model keeps in order put in order.

    A pinned field keeps its value (a witness or a caller chose it) and the other one moves to
    meet it; when neither is pinned the two are swapped. Two pins out of order are left for the
    model to refuse: that is the caller's mistake, not a draw to repair.
    """
    first, second = names
    low, high = draw.get(first), draw.get(second)
    if low is None or high is None or low <= high or len(pinned) == 2:
        return draw
    if pinned == {first}:
        return {**draw, second: low}
    if pinned == {second}:
        return {**draw, first: high}
    return {**draw, first: high, second: low}


def _named(strategy: st.SearchStrategy[Any], name: str) -> st.SearchStrategy[Any]:
    """``strategy`` behind a composite that prints as ``name()``.

    The full tree of an entity strategy prints to tens of kB, which Hypothesis warns about (an
    error under pytest's ``-W error``) whenever it prints one, e.g. when a filter rejects draws.
    """

    def draw_entity(draw: Any) -> Any:
        return draw(strategy)

    draw_entity.__name__ = draw_entity.__qualname__ = name
    return st.composite(draw_entity)()


@functools.cache
def _hints(model: type[BaseModel]) -> dict[str, Any]:
    return typing.get_type_hints(model, include_extras=True)


def _field(
    model: type[BaseModel], field: Any, annotation: Any, options: Options, pin: str, aim: str
) -> st.SearchStrategy[Any]:
    if pin in options.pins:
        value = options.pins[pin]
        if isinstance(value, Avoid):
            unpinned = attrs.evolve(options, pins={}, missing=False)
            base = _value(field, annotation, unpinned, pin, aim, needed=False)
            return base.filter(lambda v: v not in value.values)
        return value if isinstance(value, st.SearchStrategy) else st.just(value)
    below = any(p.startswith(pin + ".") for p in options.pins)
    optional = not field.is_required() and field.default is None
    may_miss = optional and options.missing and not below
    tp = unwrap_optional(annotation)
    if tp is bool or (isinstance(tp, type) and issubclass(tp, enum.Enum)):
        choices = _choices(tp, options.targets.values.get(aim, ()))
        # One draw per fact, None first so that counter-examples shrink towards unknown.
        return st.sampled_from(((None,) if may_miss else ()) + choices * (MISSING_WEIGHT - 1))
    base = _value(field, annotation, options, pin, aim, needed=below)
    if may_miss:
        return st.one_of(st.none(), *[base] * (MISSING_WEIGHT - 1))
    return base


def _choices(tp: Any, aimed: tuple[Any, ...]) -> tuple[Any, ...]:
    """The values of a boolean or enum fact; every one is a threshold, so aiming changes nothing."""
    return (False, True) if tp is bool else tuple(tp)


def _value(
    field: Any, annotation: Any, options: Options, pin: str, aim: str, needed: bool
) -> st.SearchStrategy[Any]:
    tp = unwrap_optional(annotation)
    bounds = _bounds(field)
    if typing.get_origin(tp) is tuple:
        item = unwrap_optional(typing.get_args(tp)[0])
        return _items(item, options, pin, aim, needed)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if aim == "report.agency" and options.agency is not None and not needed:
            return options.agency
        return model_strategy(tp, options, pin + ".", aim + ".")
    base = _scalar(tp, bounds, annotation, options.targets, aim)
    aimed = [
        v
        for v in (_fits(v, tp, bounds) for v in options.targets.values.get(aim, ()))
        if v is not None
    ]
    if aimed:
        return st.one_of(st.sampled_from(aimed), base)
    return base


def _scalar(
    tp: Any, bounds: Mapping[str, Any], annotation: Any, targets: Targets, aim: str
) -> st.SearchStrategy[Any]:
    validators = _validators(annotation)
    if check_credit_code in validators:
        return credit_codes()
    if check_division_code in validators:
        return st.sampled_from(_DIVISIONS)
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(bounds.get("min_value", -1000), bounds.get("max_value", 1_000_000))
    if tp is float:
        return st.floats(
            min_value=float(bounds.get("min_value", -1e6)),
            max_value=float(bounds.get("max_value", 1e9)),
            allow_nan=False,
            allow_infinity=False,
        )
    if tp is dt.date:
        return st.dates(FIRST_DAY, LAST_DAY)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if tp is str:
        hint = _text_hint(aim, targets)
        if hint is not None:
            return hint
        size = bounds.get("min_size", 1)
        return _WORDS if size <= 1 else st.text(alphabet="abcdefgh绿色制造", min_size=size)
    raise InvalidArgument(f"greenrules.testing cannot generate {aim} of type {tp!r}")


def _items(
    item: Any, options: Options, pin: str, aim: str, needed: bool
) -> st.SearchStrategy[tuple[Any, ...]]:
    if isinstance(item, type) and issubclass(item, BaseModel):
        element = model_strategy(item, options, pin + ".", aim + ".")
    else:  # pragma: no cover - every list in the models holds records today
        element = _scalar(item, {}, item, options.targets, aim)
    sizes = options.targets.sizes.get(aim, ())
    largest = max((options.max_items, *(s for s in sizes)))
    low = 1 if needed else 0
    lists = st.lists(element, min_size=low, max_size=largest)
    if sizes:
        exact = st.sampled_from([s for s in sizes if s >= low] or [low]).flatmap(
            lambda n: st.lists(element, min_size=n, max_size=n)
        )
        lists = st.one_of(lists, exact)
    return lists.map(tuple)


def schema_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every path of ``model``, descending into the items of lists (as ``list.field``)."""
    out = []
    for name in model.model_fields:
        path = prefix + name
        out.append(path)
        tp = unwrap_optional(_hints(model)[name])
        if typing.get_origin(tp) is tuple:
            tp = unwrap_optional(typing.get_args(tp)[0])
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            out.extend(schema_paths(tp, path + "."))
    return out


def check_pins(
    models: tuple[type[BaseModel], ...], pins: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The pins as a dict, or InvalidArgument naming the first path no model has."""
    if pins is None:
        return {}
    if not isinstance(pins, Mapping):
        raise InvalidArgument(f"Expected a mapping of fact paths but got pin={pins!r}")
    known = {p for model in models for p in schema_paths(model)}
    for path in pins:
        if path not in known:
            names = ", ".join(m.__name__ for m in models)
            raise InvalidArgument(f"pin={{{path!r}: ...}} names no field of {names}")
    return dict(pins)
