"""JSON output: Report.to_dict(), as published in checker/report/report.schema.json.

Every JSON draftcheck writes goes through `dumps`: indented two spaces, non-ASCII as is, laid
out as `json.dumps(value, indent=2, ensure_ascii=False)` lays it out (only floats below 1e-4
are written differently, as the same numbers: 1e-7 for 1e-07, 0.00001 for 1e-05). orjson
writes it (docs/decisions.md, Dependencies and speed, says why).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from checker.report.model import Report


def render(report: Report, *, color: bool = False) -> str:
    """Render the report as indented JSON with stable key order."""
    return dumps(report.to_dict())


def dumps(value: Any) -> str:
    """Return value as indented JSON text, ending with a newline."""
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()
    except TypeError:  # orjson refuses a lone surrogate in a string and integers over 64 bits
        return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
