"""Validate rule-file data against the shipped JSON Schemas, each error turned into a message
at the file:line:col of the value it is about."""

from __future__ import annotations

import difflib
import functools
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap

if TYPE_CHECKING:
    from jsonschema import ValidationError

from checker.errors import Problem
from checker.ruleset.source import RuleFile


@functools.cache
def schema(name: str) -> dict:
    """Return a JSON Schema shipped in checker/ruleset/schemas."""
    folder = resources.files("checker.ruleset") / "schemas"
    text = (folder / f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


def schema_problems(file: RuleFile, data: Any, schema_name: str) -> list[Problem]:
    import jsonschema  # only when a file is loaded, not when its compiled form is reused

    validator = jsonschema.Draft202012Validator(schema(schema_name))
    problems = []
    for error in validator.iter_errors(data):
        problems.extend(_describe(file, data, error))
    return sorted(set(problems), key=lambda p: (p.line or 0, p.column or 0, p.message))


def _describe(file: RuleFile, root: Any, error: ValidationError) -> list[Problem]:
    """Turn one schema error into positioned problems, from the validator and its value."""
    path = list(error.absolute_path)
    where = _path_text(path)
    line0, col0 = _position(root, path)
    kind, value, instance = error.validator, error.validator_value, error.instance
    custom = error.schema.get("x-message") if isinstance(error.schema, dict) else None
    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        problems = []
        for key in instance:
            if key not in allowed:
                k_line, k_col = instance.lc.key(key)
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                tip = f" (did you mean '{hint[0]}'?)" if hint else \
                    f" (expected one of: {', '.join(allowed)})"
                problems.append(file.problem(f"{where}unknown key '{key}'{tip}", k_line, k_col))
        return problems
    if kind == "required":
        missing = [k for k in value if k not in instance]
        line0, col0 = _own_position(instance, line0, col0)
        return [file.problem(f"{where}missing required key '{k}'", line0, col0) for k in missing]
    if "propertyNames" in error.schema_path:
        mapping = _node_at(root, path)
        if isinstance(mapping, dict) and instance in mapping:
            line0, col0 = mapping.lc.key(instance)  # point at the bad name, not the mapping
    if custom:
        message = f"{where}{instance!r} is not valid: {custom}"
    elif kind == "type":
        message = f"{where}expected {_type_names(value)}, got {_kind_of(instance)}"
    elif kind == "enum":
        message = f"{where}expected one of {', '.join(map(str, value))}; got {instance!r}"
    elif kind == "exclusiveMinimum":
        message = f"{where}must be greater than {value}, got {instance!r}"
    elif kind == "maximum":
        message = f"{where}must be at most {value}, got {instance!r}"
    elif kind in ("minLength", "minItems"):
        message = f"{where}must not be empty"
    else:
        message = f"{where}{error.message}"
    return [file.problem(message, line0, col0)]


def _path_text(path: list) -> str:
    if not path:
        return ""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text + ": "


def _position(root: Any, path: list) -> tuple[int, int]:
    """Return the 0-based position of the value at a path, through ruamel's `.lc` marks."""
    node, line0, col0 = root, *_own_position(root, 0, 0)
    for part in path:
        try:
            line0, col0 = node.lc.item(part) if isinstance(part, int) else node.lc.value(part)
            node = node[part]
        except (AttributeError, KeyError, IndexError, TypeError):
            break
    return line0, col0


def _node_at(root: Any, path: list) -> Any:
    node = root
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _own_position(node: Any, line0: int, col0: int) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    return (lc.line, lc.col) if lc is not None and lc.line is not None else (line0, col0)


def _type_names(value: str | list[str]) -> str:
    names = {"string": "text", "integer": "a whole number", "number": "a number",
             "array": "a list", "object": "a mapping (key: value)", "boolean": "true or false"}
    values = [value] if isinstance(value, str) else value
    return " or ".join(names.get(v, v) for v in values)


def _kind_of(instance: Any) -> str:
    if isinstance(instance, bool):
        return "true/false"
    if isinstance(instance, (int, float)):
        return f"the number {instance}"
    if isinstance(instance, str):
        return f"text {instance!r}"
    if isinstance(instance, dict):
        return "a mapping"
    if isinstance(instance, list):
        return "a list"
    if instance is None:
        return "nothing (an empty value)"
    return type(instance).__name__  # e.g. a date written without quotes


def valid_parts(data: Any) -> Any:
    """Keep the parts of a rule set that pass the schema on their own: rules, terms, includes."""
    definitions = schema("ruleset")["$defs"]

    def valid(value: Any, ref: str) -> bool:
        return _conforms({"$defs": definitions, "$ref": f"#/$defs/{ref}"}, value)

    kept = CommentedMap()
    kept.lc.line, kept.lc.col = data.lc.line, data.lc.col
    for key in ("group", "negation_cues", "include"):
        if key in data and _conforms(dict(schema("ruleset")["properties"][key]), data[key]):
            kept[key] = data[key]
            kept.lc.add_kv_line_col(key, data.lc.data[key])
    if valid(data.get("terms", {}), "terms") and "terms" in data:
        kept["terms"] = data["terms"]
    items = data.get("rules")
    kept["rules"] = [r for r in items if valid(r, "rule")] if isinstance(items, list) else []
    return kept


def _conforms(part: dict, value: Any) -> bool:
    import jsonschema

    return jsonschema.Draft202012Validator(part).is_valid(value)
