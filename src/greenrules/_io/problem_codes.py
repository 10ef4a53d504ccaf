"""Pydantic's error types mapped to greenrules' stable problem codes, for every reader.

Programs key on the codes (docs/errors.md), so the flat loaders and the input template must
map a validation error to the same code; this is the one table both read.
"""

PYDANTIC_CODES = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-field",
    "enum": "bad-choice",
    "literal_error": "bad-choice",
    "greater_than": "out-of-range",
    "greater_than_equal": "out-of-range",
    "less_than": "out-of-range",
    "less_than_equal": "out-of-range",
    "string_too_short": "too-short",
    "too_short": "too-short",
    "finite_number": "not-finite",
}
