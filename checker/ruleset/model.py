"""Rule sets as draftcheck holds them: rules, terms and where each expression stands in its file.

Reading them from YAML is `checker.ruleset.load`; a compiled rule set reused from the cache needs
only these classes (and so no YAML library).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from checker.errors import Problem, RuleError

MAX_RULE_FILE = 1 << 20  # bytes; a rule set is a page or two of YAML


class Severity(str, Enum):
    """How much an unmet demand matters to its group: the rule file says; --fail-on reads it."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"

    @property
    def rank(self) -> int:
        """Return 0 for critical, 1 for major, 2 for minor (sort order: most severe first)."""
        return list(Severity).index(self)

    def reaches(self, threshold: Severity | None) -> bool:
        """Return True if this severity is at or above the threshold (None: nothing reaches)."""
        return threshold is not None and self.rank <= threshold.rank


class Positions:
    """The (line, column) of each character of an expression, as two compact arrays: compiled
    rule sets are cached, and a tuple of pairs per character was most of a cached file."""

    __slots__ = ("columns", "lines")

    def __init__(self, pairs: Iterable[tuple[int, int]]) -> None:
        pairs = list(pairs)
        self.lines = array("i", [line for line, _ in pairs])
        self.columns = array("i", [column for _, column in pairs])

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, i: int) -> tuple[int, int]:
        return self.lines[i], self.columns[i]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.lines, self.columns)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Positions):
            return NotImplemented
        return self.lines == other.lines and self.columns == other.columns

    def __hash__(self) -> int:
        return hash((self.lines.tobytes(), self.columns.tobytes()))


@dataclass(frozen=True)
class Origin:
    """Where an expression stands in its file: the (line, column) of each of its characters."""

    path: str
    positions: Positions  # one per character, plus one past the end
    lines: tuple[str, ...]  # the file's lines, for the caret display

    def problem(self, message: str, offset: int) -> Problem:
        """Return a Problem at a character offset of the expression."""
        line, column = self.positions[min(max(offset, 0), len(self.positions) - 1)]
        return Problem(self.path, message, line, column, self.lines[line - 1])


@dataclass(frozen=True)
class Expression:
    """The source of a check or a term, and where it stands."""

    text: str
    origin: Origin


@dataclass(frozen=True)
class Rule:
    """One demand as written in a rule file: built by `checker.ruleset.load`, compiled by
    `checker.language.compiler` (kept as `CompiledRule.written`), quoted in every report."""

    id: str
    says: str
    check: Expression | None  # None for `check: manual`
    severity: Severity
    weight: float
    demand: str | None
    examples_met: tuple[str, ...]
    examples_unmet: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class RuleSet:
    """One group's rule file, loaded and schema-checked but not yet compiled: built by
    `checker.ruleset.load`, read by the compiler (and kept as `CompiledRuleSet.ruleset`)."""

    path: str
    group: str
    title: str
    source: str | None
    members: tuple[str, ...]
    terms: dict[str, Expression]
    negation_cues: tuple[str, ...]
    rules: tuple[Rule, ...]
    group_problem: Problem  # where `group:`'s value stands, to point at in later problems
    included: tuple[Path, ...] = ()  # the vocabulary files this rule set includes (resolved)


def check_unique_groups(rulesets: list[RuleSet]) -> None:
    """Raise RuleError if two loaded rule sets share a group name."""
    first: dict[str, RuleSet] = {}
    problems = []
    for ruleset in rulesets:
        if ruleset.group in first:
            where = first[ruleset.group].group_problem
            problems.append(replace(ruleset.group_problem, message=(
                f"group '{ruleset.group}' is already defined by {where.path}:{where.line}")))
        else:
            first[ruleset.group] = ruleset
    if problems:
        raise RuleError(problems)
