"""Loading a round's records (city submissions, the region's steps, listed units, agencies).

The records file is JSON, one object with the fields of
:class:`~greenrules._model.round_records.RoundRecords`; every problem is reported at once with
its place, in the same codes as the applicant loaders.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic

from greenrules._io.encoding import decode
from greenrules._io.loaders import json_document, problems_from
from greenrules._io.tables import read_input
from greenrules._model.round_records import RoundRecords
from greenrules.exceptions import InputProblem, InvalidInputError


def load_round_records(source: str | Path | Mapping[str, Any]) -> RoundRecords:
    """Round records from a ``.json`` file or an already-parsed mapping.

    Raises:
        InvalidInputError: the file cannot be read or parsed, or a record is invalid; every
            problem names its place (``cities[3].sent_on``).
    """
    if isinstance(source, Mapping):
        return parse_round_records(source)
    path = Path(source)
    name = str(path)
    if path.suffix.lower() != ".json":
        msg = "round records are read from a .json file"
        raise InvalidInputError([InputProblem("bad-format", ("source",), msg, name)])
    doc = json_document(decode(read_input(path), name), name)
    try:
        return parse_round_records(doc)
    except InvalidInputError as exc:
        raise InvalidInputError(exc.problems, source=name) from None


def parse_round_records(data: Any) -> RoundRecords:
    """Validate parsed JSON as round records; InvalidInputError lists every problem."""
    if not isinstance(data, Mapping):
        problem = InputProblem("wrong-type", (), "round records are an object", type(data).__name__)
        raise InvalidInputError([problem])
    try:
        return RoundRecords.model_validate(data)
    except pydantic.ValidationError as exc:
        raise InvalidInputError(problems_from(exc, ())) from None
