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
        nested = any(isinstance(v, (dict, list)) and v for v in value.values())
        items = [(_KEYS.get(k) or _KEYS.setdefault(k, _ONE_LINE.encode(k) + ": "), v)
                 for k, v in value.items()]
        brackets = "{}"
    elif isinstance(value, list):
        nested = any(isinstance(v, (dict, list)) for v in value)
        items = [("", v) for v in value]
        brackets = "[]"
    else:
        nested = False
    if not nested:
        return _ONE_LINE.encode(value)
    inner = "  " * (depth + 1)
    lines = ",\n".join(inner + key + _layout(v, depth + 1) for key, v in items)
    return f"{brackets[0]}\n{lines}\n{'  ' * depth}{brackets[1]}"
