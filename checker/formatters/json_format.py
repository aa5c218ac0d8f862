"""JSON output: Report.to_dict(), as published in checker/schemas/report.schema.json."""

from __future__ import annotations

import json
import math
from typing import Any

from checker.report import Report

# Without `indent`, json uses its C encoder; with it, a pure-Python one that took a third of the
# time of checking a 100 KB draft against 3000 rules. So containers of containers are laid out
# here, two spaces a level, and everything else (an evidence item, a list of notes) is written
# by the C encoder on one line: as readable, and diffs show which piece of evidence changed.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))
if json.encoder.c_make_encoder is not None:  # _ONE_LINE.encode, without its set-up per call
    _encode_line = json.encoder.c_make_encoder(
        None, _ONE_LINE.default, json.encoder.encode_basestring, None, ": ", ", ", False,
        False, True)

    def _one_line(value: Any) -> str:
        return "".join(_encode_line(value, 0))
else:  # pragma: no cover (an interpreter without json's C accelerator)
    _one_line = _ONE_LINE.encode
_STRING = json.encoder.encode_basestring  # what _ONE_LINE does to a str, without its set-up
_KEYS: dict[str, str] = {}  # "why" -> '"why": ', encoded once


def render(report: Report, *, color: bool = False) -> str:
    """Render the report as indented JSON with stable key order."""
    out: list[str] = []
    _write(report.to_dict(), 0, out)
    out.append("\n")
    return "".join(out)


def _nested(value: Any) -> bool:
    """Return True for a dict or list holding a non-empty dict or list (laid out on lines)."""
    for item in value.values() if type(value) is dict else value:
        # (a loop: any() with a generator took a third of the layout's time)
        if item and (type(item) is dict or type(item) is list):
            return True
    return False


def _write(value: dict[str, Any] | list[Any], depth: int, out: list[str]) -> None:
    """Append a nested dict or list, one item a line, to out."""
    inner = ",\n" + "  " * (depth + 1)
    is_dict = type(value) is dict
    out.append("{" if is_dict else "[")
    separator = inner[1:]
    for key, item in value.items() if is_dict else enumerate(value):
        out.append(separator)
        separator = inner
        if is_dict:  # (the report's keys are all strings)
            out.append(_KEYS.get(key) or _key(key))
        kind = type(item)
        if kind is str:
            out.append(_STRING(item))
        elif kind is int or (kind is float and math.isfinite(item)):
            out.append(repr(item))  # as json writes them
        elif item is None:
            out.append("null")
        elif (kind is dict or kind is list) and _nested(item):
            _write(item, depth + 1, out)
        else:
            out.append(_one_line(item))
    out.append("\n" + "  " * depth + ("}" if is_dict else "]"))


def _key(key: str) -> str:
    _KEYS[key] = _STRING(key) + ": "
    return _KEYS[key]
