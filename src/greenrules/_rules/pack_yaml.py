"""Reading a pack's YAML files safely: a bounded size, every problem gathered, never a traceback.

Every problem of one pack is collected in :class:`Problems`, so that one load reports them all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
import yaml

from greenrules.exceptions import PackError, PackProblem


class Problems:
    """Collects pack problems so that one load reports all of them at once."""

    def __init__(self, pack: str) -> None:
        self.pack = pack
        self.items: list[PackProblem] = []
        self.nodes = MAX_PACK_NODES  # what the pack's YAML files may still hold

    def add(self, code: str, message: str, rule: str | None = None) -> None:
        self.items.append(PackProblem(code, self.pack, message, rule))

    def raise_if_any(self) -> None:
        if self.items:
            raise PackError(self.items)


MAX_PACK_NODES = 100_000
"""Values (mappings, lists, keys, scalars) all YAML files of one pack may hold, every alias
counted at each place it is used: the bundled packs hold about 3,000. YAML aliases can make a
small file expand exponentially (a 1.7 KB file of five alias levels), so past this the pack is
refused (``over-limit``) before any condition is parsed."""


def read_yaml(path: Path, problems: Problems) -> Any:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.add("missing-file", f"{path.name} not found in {path.parent}")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add("bad-yaml", f"{path.name} cannot be read as UTF-8 text: {exc}")
    except yaml.YAMLError as exc:
        problems.add("bad-yaml", f"{path.name} is not valid YAML: {exc}".replace("\n", " "))
    else:
        problems.nodes = _within(data, problems.nodes)
        if problems.nodes >= 0:
            return data
        msg = f"{path.name}: the pack's YAML holds more than {MAX_PACK_NODES:,} values"
        problems.add("over-limit", msg + " (aliases counted where used)")
    return None


def _within(data: Any, budget: int) -> int:
    """``budget`` less the values in ``data``; negative (and no more counting) past it."""
    stack = [data]
    while stack:
        value = stack.pop()
        budget -= 1
        if budget < 0:
            return budget
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return budget


def parse_file(model: type[pydantic.BaseModel], data: Any, name: str, problems: Problems) -> Any:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            problems.add("bad-schema", f"{name}: {where}: {err['msg']}")
    return None
