"""Load a rule set: read its file, parse the YAML safely, validate it against the schema,
resolve includes (confined to the rule set's folder) and build the RuleSet, reporting every
problem of a file at once, each at its file:line:col."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from checker.errors import Problem, RuleError
from checker.ruleset.model import Expression, Origin, Positions, Rule, RuleSet, Severity
from checker.ruleset.safe_yaml import parse_yaml
from checker.ruleset.schema import schema_problems, valid_parts
from checker.ruleset.source import RuleFile, ordered
from checker.text import plan_phrase, shorten

MANUAL = "manual"
# A YAML-quoted term or check holding none of these is a phrase, as in `GFCE: "GFCE"`.
_EXPRESSION_CHARS = set("\"'()/|")


def load_ruleset(path: Path, shown: str | None = None) -> RuleSet:
    """Load and validate one rule-set file; raise RuleError listing every problem in it."""
    shown = shown or str(path)
    file = RuleFile(path, shown)
    data = parse_yaml(file)
    if not isinstance(data, dict):
        raise RuleError([file.problem("a rule set is a mapping with group, title and rules")])
    problems = schema_problems(file, data, "ruleset")
    if problems:
        partial, more = _build(path, file, valid_parts(data))
        duplicates = _duplicate_ids(file, data.get("rules"))
        raise RuleError(ordered(problems + more + duplicates), partial=partial)
    ruleset, problems = _build(path, file, data)
    if problems:
        raise RuleError(ordered(problems))
    return ruleset


def _build(path: Path, file: RuleFile, data: Any) -> tuple[RuleSet, list[Problem]]:
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


def _check_cues(file: RuleFile, cues: Any) -> list[Problem]:
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


def _expression(file: RuleFile, container: Any, key: Any) -> Expression:
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


def _collect_terms(file: RuleFile, mapping: Any, terms: dict[str, Expression]) -> list[Problem]:
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


def _include(path: Path, file: RuleFile, data: Any, name: str,
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
        included = RuleFile(target, shown)
        included_data = parse_yaml(included)
    except RuleError as error:
        return list(error.problems)
    problems = schema_problems(included, included_data, "terms")
    if problems:
        return problems
    return _collect_terms(included, included_data["terms"], terms)


def _duplicate_ids(file: RuleFile, items: Any) -> list[Problem]:
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


def _rules(file: RuleFile, items: Any) -> tuple[list[Rule], list[Problem]]:
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
