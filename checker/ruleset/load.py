"""Load rule-set YAML files: safe parsing, schema validation, includes, positions for every value.

Rule files are shared between delegations and treated as untrusted: no YAML tags or aliases
(nothing is constructed, no alias bombs), bounded size, includes confined to the rule set's own
folder. Every problem of a file is reported at once, each at its file:line:col.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import json
import math
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionStartEvent, NodeEvent, ScalarEvent
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

if TYPE_CHECKING:
    from jsonschema import ValidationError

from checker.errors import Problem, RuleError
from checker.ruleset.model import (
    MAX_RULE_FILE,
    Expression,
    Origin,
    Positions,
    Rule,
    RuleSet,
    Severity,
)
from checker.text import plan_phrase, shorten

MANUAL = "manual"
_SURROGATE = re.compile("[\ud800-\udfff]")
# A YAML-quoted term or check holding none of these is a phrase, as in `GFCE: "GFCE"`.
_EXPRESSION_CHARS = set("\"'()/|")


# -- reading YAML -----------------------------------------------------------------------------


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


class _File:
    """A YAML file's text, its line starts, and positioned problems about it."""

    def __init__(self, path: Path, shown: str) -> None:
        self.shown = shown
        raw = _read_bounded(path, shown)
        try:
            self.text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, error.start) + 1
            column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
            source = raw.split(b"\n")[line - 1].decode("utf-8", "replace")
            raise RuleError.at(shown, f"not UTF-8 text: byte 0x{raw[error.start]:02x} cannot be "
                               "read (save the rule file as UTF-8)", line, column,
                               source) from None
        # Lines as YAML counts them (its positions are ours): CR alone, NEL and the Unicode line
        # and paragraph separators end a line too.
        breaks = list(_LINE_BREAK.finditer(self.text))
        self.line_starts = [0] + [m.end() for m in breaks]
        ends = [m.start() for m in breaks] + [len(self.text)]
        self.lines = tuple(self.text[a:b] for a, b in zip(self.line_starts, ends, strict=True))

    def problem(self, message: str, line0: int = 0, col0: int = 0) -> Problem:
        """Return a Problem at a 0-based (line, column), as ruamel reports positions."""
        line0 = min(line0, len(self.lines) - 1)
        return Problem(self.shown, message, line0 + 1, col0 + 1, self.lines[line0])

    def problem_at(self, message: str, offset: int) -> Problem:
        """Return a Problem at a character offset of the file's text."""
        line0 = bisect.bisect_right(self.line_starts, offset) - 1
        return self.problem(message, line0, offset - self.line_starts[line0])

    def origin(self, line0: int, col0: int, value: str) -> Origin:
        """Map each character of a scalar's value to its line and column in the file."""
        start = self.line_starts[min(line0, len(self.lines) - 1)] + col0
        offsets = _align(self.text, start, value)
        positions = []
        for offset in offsets:
            line = bisect.bisect_right(self.line_starts, offset) - 1
            positions.append((line + 1, offset - self.line_starts[line] + 1))
        return Origin(self.shown, Positions(positions), self.lines)


def _read_bounded(path: Path, shown: str) -> bytes:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_RULE_FILE + 1)
    except FileNotFoundError:
        raise RuleError.at(shown, "no such rule file") from None
    except IsADirectoryError:
        raise RuleError.at(shown, "is a directory, not a rule file") from None
    except OSError as error:
        raise RuleError.at(shown, f"cannot read: {error.strerror}") from None
    if len(raw) > MAX_RULE_FILE:
        raise RuleError.at(shown, f"rule file is larger than {MAX_RULE_FILE // 1024} KiB")
    return raw


_ESCAPE_LENGTH = {"x": 4, "u": 6, "U": 10}  # YAML double-quoted escapes longer than two characters


def _align(text: str, start: int, value: str) -> list[int]:
    """Find each character of a scalar's value in the file text, from the scalar's start.

    Quotes, escapes, block-scalar indicators, indentation and folded line breaks are skipped,
    so a position inside a multi-line or quoted check still points at the right character.
    """
    p = start
    if p < len(text) and text[p] in "|>":
        p = text.find("\n", p) + 1 or len(text)
    offsets = []
    for char in value:
        q, step = p, 1
        while q < len(text) and text[q] != char and not (char.isspace() and text[q].isspace()):
            if text[q] == "\\" and q + 1 < len(text):
                if text[q + 1] != char:  # an escape such as \u00e9 or \t stands for this char
                    step = _ESCAPE_LENGTH.get(text[q + 1], 2)
                break
            if text[q] not in " \t\r\n\"'":
                q = -1
                break
            q += 1
        if q < 0 or q >= len(text):
            q, step = max(p - 1, start), 1
        offsets.append(q)
        p = q + step
    offsets.append(min(p, len(text)))
    return offsets


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    return yaml


@functools.cache
def _composer() -> YAML:
    """libyaml's composer when installed (ten times faster), else the pure-Python one."""
    try:
        import _ruamel_yaml  # noqa: F401  (the C extension of ruamel.yaml.clib)
        return YAML(typ="safe", pure=False)
    except ImportError:
        return YAML(typ="safe", pure=True)


@functools.cache
def _pure_composer() -> YAML:
    """ruamel's pure-Python composer: slower, but deep nesting ends in RecursionError."""
    return YAML(typ="safe", pure=True)


# Tags that plain YAML gives scalars and collections implicitly; anything else is refused.
_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in
               ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


def _parse_yaml(file: _File) -> Any:
    """Parse YAML into maps, lists and scalars carrying ruamel's `.lc` positions.

    Nothing is constructed from tags and aliases are refused, so a rule file can neither run
    code nor blow up in memory. The fast path composes with libyaml; a file with an alias or a
    tag is scanned again event by event, only to point at each offending place.
    """
    deep = _deep_brackets(file)
    try:  # (libyaml's composer crashes the process on 30,000 levels: deep files get Python's)
        root = (_composer() if deep is None else _pure_composer()).compose(file.text)
        problems: list[Problem] = []
        data = _construct(file, root, problems, seen=set()) if root is not None else None
    except RecursionError:
        message = "invalid YAML: lists or mappings nested too deeply"
        raise RuleError([file.problem_at(message, deep) if deep is not None
                         else Problem(file.shown, message)]) from None
    except ReaderError as error:  # a character YAML does not allow, e.g. a control character
        what = f"U+{error.character:04X}" if isinstance(error.character, int) else "a character"
        raise RuleError([file.problem_at(f"invalid YAML: {what} is not allowed in a rule file",
                                         error.position)]) from None
    except MarkedYAMLError as error:
        raise RuleError([_marked_problem(file, error)]) from None
    except YAMLError as error:
        raise RuleError.at(file.shown, f"invalid YAML: {error}") from None
    if "!" in file.text:  # a tag the composer resolved to a plain one (`!!str r1`, `! r1`)
        problems.extend(_unsafe_constructs(file))
    if problems:
        raise RuleError(_ordered(problems))
    return data


SHALLOW = 100  # levels of [ ] and { } libyaml is trusted with; a rule set needs three or four
_BRACKET = re.compile(r"[\[\]{}]")


def _deep_brackets(file: _File) -> int | None:
    """Return the offset where brackets first nest past SHALLOW levels, or None.

    Brackets are counted wherever they are, in texts too, so a file with many unclosed brackets
    in its texts is only parsed more slowly (by Python's composer), never refused for it.
    """
    depth = 0
    for bracket in _BRACKET.finditer(file.text):
        depth = depth + 1 if bracket[0] in "[{" else max(depth - 1, 0)
        if depth > SHALLOW:
            return bracket.start()
    return None


def _construct(file: _File, node: Any, problems: list[Problem], seen: set[int]) -> Any:
    """Build plain data from a composed node, with positions; record what is refused."""
    if id(node) in seen or node.tag not in _PLAIN_TAGS:
        found = _unsafe_constructs(file)  # precise places of every alias and tag
        if not found:  # a plain `<<` or `=`, which YAML reads as a merge key or a value key
            found = [file.problem(f"'{node.value}' means something special in YAML: put it in "
                                  "quotes", node.start_mark.line, node.start_mark.column)]
        raise RuleError(_ordered(problems + found))
    seen.add(id(node))  # an alias is the same node met twice
    if isinstance(node, MappingNode):
        mapping = CommentedMap()
        mapping.lc.line, mapping.lc.col = node.start_mark.line, node.start_mark.column
        for key_node, value_node in node.value:
            key = _construct(file, key_node, problems, seen)
            if isinstance(key, (dict, list)):
                problems.append(file.problem("a key must be a name or a text, not a list or a "
                                             "mapping", key_node.start_mark.line,
                                             key_node.start_mark.column))
                continue
            if key in mapping:
                problems.append(file.problem(f"duplicate key '{key}'", key_node.start_mark.line,
                                             key_node.start_mark.column))
                continue
            mapping[key] = _construct(file, value_node, problems, seen)
            mapping.lc.add_kv_line_col(key, [key_node.start_mark.line, key_node.start_mark.column,
                                             value_node.start_mark.line,
                                             value_node.start_mark.column])
        return mapping
    if isinstance(node, SequenceNode):
        items = CommentedSeq()
        items.lc.line, items.lc.col = node.start_mark.line, node.start_mark.column
        for index, item in enumerate(node.value):
            items.append(_construct(file, item, problems, seen))
            items.lc.add_kv_line_col(index, [item.start_mark.line, item.start_mark.column])
        return items
    return _scalar(file, node, problems)


def _scalar(file: _File, node: ScalarNode, problems: list[Problem]) -> Any:
    if node.tag.endswith(":str"):
        bad = _SURROGATE.search(node.value)
        if bad:
            origin = file.origin(node.start_mark.line, node.start_mark.column, node.value)
            problems.append(origin.problem(
                "invalid text: an escape such as \\ud83d stands for half a character",
                bad.start()))
        quoted = {'"': DoubleQuotedScalarString, "'": SingleQuotedScalarString}.get(node.style)
        return quoted(node.value) if quoted else node.value
    try:
        return _composer().constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError) as error:  # a 5,000-digit number, a 30th of February
        problems.append(file.problem(f"cannot read '{shorten(node.value, 40)}': {error} (put it "
                                     "in quotes to make it a text)", node.start_mark.line,
                                     node.start_mark.column))
        return node.value


def _marked_problem(file: _File, error: MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    reason = (error.problem or error.context or "invalid YAML").strip()
    context = error.context_mark
    if error.context and context is not None and context is not mark:
        reason += f" ({error.context} at line {context.line + 1}, column {context.column + 1})"
    if mark is None:
        return Problem(file.shown, f"invalid YAML: {reason}")
    line = file.lines[min(mark.line, len(file.lines) - 1)]
    char = line[mark.column] if mark.column < len(line) else ""
    column = mark.column
    if "escape" in reason and "\\" in line[:column]:
        column = line.rindex("\\", 0, column)  # where the escape starts, not its digits
    elif char == "\t":
        reason = "a tab character cannot indent YAML: use spaces"
    elif "character" in reason and char and repr(char) not in reason:
        reason += f": {char!r}"  # libyaml does not name it
    return file.problem(f"invalid YAML: {reason}", mark.line, column)


def _unsafe_constructs(file: _File) -> list[Problem]:
    """Scan the events of a file for aliases, anchors and explicit tags, each at its place."""
    problems = []
    for event in _yaml().parse(file.text):
        mark = event.start_mark
        if isinstance(event, AliasEvent):
            problems.append(file.problem(
                f"YAML aliases (*{event.anchor}) are not allowed in rule files",
                mark.line, mark.column))
        elif isinstance(event, NodeEvent) and event.anchor is not None:
            problems.append(file.problem(
                f"YAML anchors (&{event.anchor}) are not allowed in rule files",
                mark.line, mark.column))
        elif isinstance(event, (ScalarEvent, CollectionStartEvent)) and _explicit_tag(event):
            problems.append(file.problem(
                f"YAML tags ({event.tag}) are not allowed in rule files",
                mark.line, mark.column))
    return problems


def _explicit_tag(event: NodeEvent) -> bool:
    tag = getattr(event, "tag", None)
    if tag is None:
        return False
    if tag == "!":  # the non-specific tag, written out (`! r1`)
        return True
    implicit = getattr(event, "implicit", None)
    if isinstance(implicit, tuple):  # a scalar: tag may be implied by its plain or quoted form
        return not any(implicit)
    return not implicit


# -- schema validation ------------------------------------------------------------------------


@functools.cache
def schema(name: str) -> dict:
    """Return a JSON Schema shipped in checker/ruleset/schemas."""
    text = (resources.files("checker.ruleset") / "schemas" / f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


def _schema_problems(file: _File, data: Any, schema_name: str) -> list[Problem]:
    import jsonschema  # only when a file is loaded, not when its compiled form is reused

    validator = jsonschema.Draft202012Validator(schema(schema_name))
    problems = []
    for error in validator.iter_errors(data):
        problems.extend(_describe(file, data, error))
    return sorted(set(problems), key=lambda p: (p.line or 0, p.column or 0, p.message))


def _describe(file: _File, root: Any, error: ValidationError) -> list[Problem]:
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


# -- building rule sets -----------------------------------------------------------------------


def load_ruleset(path: Path, shown: str | None = None) -> RuleSet:
    """Load and validate one rule-set file; raise RuleError listing every problem in it."""
    shown = shown or str(path)
    file = _File(path, shown)
    data = _parse_yaml(file)
    if not isinstance(data, dict):
        raise RuleError([file.problem("a rule set is a mapping with group, title and rules")])
    problems = _schema_problems(file, data, "ruleset")
    if problems:
        partial, more = _build(path, file, _valid_parts(data))
        duplicates = _duplicate_ids(file, data.get("rules"))
        raise RuleError(_ordered(problems + more + duplicates), partial=partial)
    ruleset, problems = _build(path, file, data)
    if problems:
        raise RuleError(_ordered(problems))
    return ruleset


def _ordered(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.column or 0, p.message))


def _build(path: Path, file: _File, data: Any) -> tuple[RuleSet, list[Problem]]:
    """Build a rule set from schema-valid data, with the problems schemas cannot see."""
    terms: dict[str, Expression] = {}
    problems = _collect_terms(file, data.get("terms") or {}, terms)
    included = []
    for name in data.get("include") or []:
        problems += _include(path, file, data, name, terms)
        target = _resolved(path.parent, name)
        if target is not None:
            included.append(target)
    problems += _check_cues(file, data.get("negation_cues") or [])
    rules, rule_problems = _rules(file, data.get("rules") or [])
    group_at = data.lc.value("group") if "group" in data else (0, 0)
    ruleset = RuleSet(
        path=file.shown, group=str(data.get("group", "")), title=str(data.get("title", "")),
        source=data.get("source"), members=tuple(map(str, data.get("members") or ())),
        terms=terms, negation_cues=tuple(map(str, data.get("negation_cues") or ())),
        rules=tuple(rules), group_problem=file.problem("", *group_at), included=tuple(included))
    return ruleset, problems + rule_problems


def _valid_parts(data: Any) -> Any:
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


def _check_cues(file: _File, cues: Any) -> list[Problem]:
    """Refuse negation cues with nothing to match (they would never negate anything)."""
    problems = []
    for index, cue in enumerate(cues):
        try:
            plan_phrase(str(cue))
        except ValueError:
            line0, col0 = cues.lc.item(index)
            problems.append(file.problem(
                f"negation_cues[{index}]: {str(cue)!r} has no word to match (letters or digits)",
                line0, col0))
    return problems


def _expression(file: _File, container: Any, key: Any) -> Expression:
    """Return a check's or term's source with its origin; a quoted plain phrase stays a phrase."""
    value = str(container[key])
    line0, col0 = container.lc.value(key)
    origin = file.origin(line0, col0, value)
    quoted = isinstance(container[key], (DoubleQuotedScalarString, SingleQuotedScalarString))
    if quoted and not (_EXPRESSION_CHARS & set(value)):
        # `GFCE: "GFCE"` means the phrase GFCE: keep the quotes the YAML author wrote.
        text = '"' + value + '"'
        first, last = origin.positions[0], origin.positions[-1]
        origin = Origin(origin.path, Positions(((first[0], max(1, first[1] - 1)),
                                                *origin.positions, (last[0], last[1] + 1))),
                        origin.lines)
        return Expression(text, origin)
    return Expression(value, origin)


def _collect_terms(file: _File, mapping: Any, terms: dict[str, Expression]) -> list[Problem]:
    problems = []
    for name in mapping:
        if name in terms:
            line0, col0 = mapping.lc.key(name)
            first = terms[name].origin
            problems.append(file.problem(
                f"term '{name}' is defined twice (first in {first.path}:{first.positions[0][0]})",
                line0, col0))
            continue
        terms[str(name)] = _expression(file, mapping, name)
    return problems


def _resolved(folder: Path, name: str) -> Path | None:
    """Return where an include points, or None for a name the file system refuses (a NUL
    character, a name too long, a loop of links)."""
    try:
        return (folder / name).resolve()
    except (ValueError, OSError, RuntimeError):
        return None


def _include(path: Path, file: _File, data: Any, name: str,
             terms: dict[str, Expression]) -> list[Problem]:
    index = list(data["include"]).index(name)
    line0, col0 = data["include"].lc.item(index)
    root = path.resolve().parent
    target = _resolved(path.parent, name)
    if target is None:
        return [file.problem(f"include '{shorten(name, 60)}': the file system refuses this name",
                             line0, col0)]
    if not target.is_relative_to(root):
        return [file.problem(f"include '{name}' is outside the rule set's folder ({root})",
                             line0, col0)]
    if not target.is_file():
        return [file.problem(f"include '{name}': no such file", line0, col0)]
    shown = str(Path(file.shown).parent / name)
    try:
        included = _File(target, shown)
        included_data = _parse_yaml(included)
    except RuleError as error:
        return list(error.problems)
    problems = _schema_problems(included, included_data, "terms")
    if problems:
        return problems
    return _collect_terms(included, included_data["terms"], terms)


def _duplicate_ids(file: _File, items: Any) -> list[Problem]:
    """Return a problem for every rule whose id an earlier rule of the file already has."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        line0, col0 = item.lc.value("id")
        if item["id"] in seen:
            problems.append(file.problem(
                f"duplicate rule id '{item['id']}' (first defined on line {seen[item['id']]})",
                line0, col0))
        else:
            seen[item["id"]] = line0 + 1
    return problems


def _rules(file: _File, items: Any) -> tuple[list[Rule], list[Problem]]:
    rules, problems = [], _duplicate_ids(file, items)
    taken = set()
    for item in items:
        line0 = item.lc.value("id")[0]
        if item["id"] in taken:
            continue
        taken.add(item["id"])
        is_manual = str(item["check"]).strip() == MANUAL
        examples = item.get("examples") or {}
        weight = float(item.get("weight", 1))
        if not math.isfinite(weight):  # .nan passes the schema's bounds (comparisons are false)
            problems.append(file.problem(f"weight must be a finite number, not {weight}",
                                         *item.lc.value("weight")))
        rules.append(Rule(
            id=str(item["id"]), says=str(item["says"]),
            check=None if is_manual else _expression(file, item, "check"),
            severity=Severity(item.get("severity", "major")),
            weight=weight,
            demand=str(item["demand"]) if item.get("demand") is not None else None,
            examples_met=tuple(map(str, examples.get("met") or ())),
            examples_unmet=tuple(map(str, examples.get("unmet") or ())),
            line=line0 + 1))
    return rules, problems
