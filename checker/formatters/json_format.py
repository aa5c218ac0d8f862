"""JSON output: Report.to_dict(), as published in checker/schemas/report.schema.json."""

from __future__ import annotations

import json
from typing import Any

from checker.report import Report

# Without `indent`, json uses its C encoder; with it, a pure-Python one that took a third of the
# time of checking a 100 KB draft against 3000 rules. So containers of containers are laid out
# here, two spaces a level, and everything else (an evidence item, a list of notes) is written
# by the C encoder on one line: as readable, and diffs show which piece of evidence changed.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))
_KEYS: dict[str, str] = {}  # "why" -> '"why": ', encoded once


def render(report: Report, *, color: bool = False) -> str:
    """Render the report as indented JSON with stable key order."""
    return _layout(report.to_dict(), 0) + "\n"


def _layout(value: Any, depth: int) -> str:
    if isinstance(value, dict):
        inside = value.values()
    elif isinstance(value, list):
        inside = value
    else:
        return _ONE_LINE.encode(value)
    for v in inside:
        if v and isinstance(v, (dict, list)):
            break
    else:  # only plain values inside: one line
        return _ONE_LINE.encode(value)
    inner = "  " * (depth + 1)
    if isinstance(value, dict):  # (the report's keys are all strings)
        lines = [inner + (_KEYS.get(k) or _key(k)) + _layout(v, depth + 1)
                 for k, v in value.items()]
        opening, closing = "{", "}"
    else:
        lines = [inner + _layout(v, depth + 1) for v in value]
        opening, closing = "[", "]"
    return opening + "\n" + ",\n".join(lines) + "\n" + "  " * depth + closing


def _key(key: str) -> str:
    _KEYS[key] = _ONE_LINE.encode(key) + ": "
    return _KEYS[key]
