"""Parse a rule file's YAML safely, as rule files are shared and untrusted: nothing constructed
from tags, no aliases (no alias bombs), deep nesting bounded; every refused construct and YAML
error is reported at its file:line:col."""

from __future__ import annotations

import functools
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionStartEvent, NodeEvent, ScalarEvent
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from checker.errors import Problem, RuleError
from checker.ruleset.source import RuleFile, ordered
from checker.text import shorten

_SURROGATE = re.compile("[\ud800-\udfff]")


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


def parse_yaml(file: RuleFile) -> Any:
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
        raise RuleError(ordered(problems))
    return data


SHALLOW = 100  # levels of [ ] and { } libyaml is trusted with; a rule set needs three or four
_BRACKET = re.compile(r"[\[\]{}]")


def _deep_brackets(file: RuleFile) -> int | None:
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


def _construct(file: RuleFile, node: Any, problems: list[Problem], seen: set[int]) -> Any:
    """Build plain data from a composed node, with positions; record what is refused."""
    if id(node) in seen or node.tag not in _PLAIN_TAGS:
        found = _unsafe_constructs(file)  # precise places of every alias and tag
        if not found:  # a plain `<<` or `=`, which YAML reads as a merge key or a value key
            found = [file.problem(f"'{node.value}' means something special in YAML: put it in "
                                  "quotes", node.start_mark.line, node.start_mark.column)]
        raise RuleError(ordered(problems + found))
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


def _scalar(file: RuleFile, node: ScalarNode, problems: list[Problem]) -> Any:
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


def _marked_problem(file: RuleFile, error: MarkedYAMLError) -> Problem:
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


def _unsafe_constructs(file: RuleFile) -> list[Problem]:
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
