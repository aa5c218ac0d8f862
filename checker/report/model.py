"""The report model: verdicts with evidence, per group, per draft. Every format reads it.

`Report.to_dict()` is the one serialisation point (builtins only); the JSON format prints it
and its shape is published as checker/report/report.schema.json.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, NamedTuple

from checker.ruleset.model import Severity


class Status(str, Enum):
    """A rule's outcome on a draft: decided by checker.evaluation.verdicts, shown everywhere."""

    MET = "met"
    UNMET = "unmet"
    REVIEW = "review"  # `check: manual`: a person has to read the draft
    ERROR = "error"  # the check could not be evaluated on this draft

    @property
    def glyph(self) -> str:
        """The mark every format shows beside the status (never colour alone)."""
        return {"met": "✓", "unmet": "✗", "review": "?", "error": "!"}[self.value]

    @property
    def label(self) -> str:
        """Glyph and word, e.g. "✗ unmet"."""
        return f"{self.glyph} {self.value}"

    @property
    def rank(self) -> int:
        """Return 0 for unmet, 1 for error, 2 for review, 3 for met (sort order: worst first)."""
        return ("unmet", "error", "review", "met").index(self.value)


def format_score(score: float | None) -> str:
    """A score as every format prints it: "62.5", "100", or "n/a" when nothing was decided."""
    return "n/a" if score is None else f"{score:g}"


def cite(paragraph: int | None, line: int | None, heading: str | None = None, *,
         short: bool = False) -> str:
    """Cite a place in the draft as a diplomat would: "¶31 (G. Regular institutional dialogue)".

    "¶31" alone when short or without a heading; outside numbered paragraphs the heading (None:
    none), else "line 12".
    """
    if paragraph is not None:
        return f"¶{paragraph} ({heading})" if heading and not short else f"¶{paragraph}"
    return heading if heading is not None else f"line {line}"


class Evidence(NamedTuple):
    """A place in the draft behind a verdict: where it is, the sentence, the words matched.

    (A named tuple, not a frozen dataclass like the rest of the report: a report holds
    thousands, and a frozen dataclass's constructor is three times as slow.)
    """

    section: str | None  # label, e.g. "G" (or the heading when the section has no label)
    heading: str | None  # e.g. "G. Regular institutional dialogue"
    paragraph: int | None  # the number printed in the draft
    line: int
    column: int
    page: int | None
    text: str  # the sentence, quoted
    match: str  # the words that matched
    start: int  # offsets in the normalised text, for formats that highlight the draft
    end: int

    def cite(self) -> str:
        """Cite as a diplomat would: "¶31 (G. Regular institutional dialogue)" (see `cite`)."""
        # An empty heading ("## ##") is no heading here: the line is cited.
        return cite(self.paragraph, self.line, self.heading or None)

    def cite_in_full(self) -> str:
        """Cite every part known, for the HTML page: "¶31 · G. … · line 12:5 · p. 2"."""
        parts = [f"¶{self.paragraph}"] if self.paragraph is not None else []
        if self.heading:
            parts.append(self.heading)
        parts.append(f"line {self.line}" if self.column is None
                     else f"line {self.line}:{self.column}")
        if self.page is not None:
            parts.append(f"p. {self.page}")
        return " · ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "heading": self.heading, "paragraph": self.paragraph,
                "line": self.line, "column": self.column, "page": self.page,
                "text": self.text, "match": self.match}


@dataclass(frozen=True)
class Verdict:
    """One rule on one draft (status, why, evidence): built by `checker.evaluation.verdicts`,
    read by every format, the annotated .docx, compare's overview and diff."""

    rule_id: str
    says: str
    severity: Severity
    weight: float
    demand: str | None
    status: Status
    why: str
    evidence: tuple[Evidence, ...] = ()
    explanation: tuple[str, ...] = ()  # with --explain: each sub-condition in plain words
    notes: tuple[str, ...] = ()  # e.g. a scope that names no section of this draft

    def sort_key(self) -> tuple:
        """Unmet first, most severe first; then errors, reviews, met; then by id."""
        return (self.status.rank, self.severity.rank, self.rule_id)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.rule_id, "says": self.says, "severity": self.severity.value,
            "weight": self.weight, "demand": self.demand, "status": self.status.value,
            "why": self.why, "evidence": [e.to_dict() for e in self.evidence]}
        if self.notes:
            out["notes"] = list(self.notes)
        if self.explanation:
            out["explanation"] = list(self.explanation)
        return out


@dataclass(frozen=True)
class GroupResult:
    """One group's verdicts on one draft and their score: built by `checker.api`."""

    group: str
    title: str
    rules_path: str
    verdicts: tuple[Verdict, ...]

    @property
    def score(self) -> float | None:
        """100 x weight met / weight met or unmet; None when no rule is decided."""
        met = sum(v.weight for v in self.verdicts if v.status == Status.MET)
        decided = met + sum(v.weight for v in self.verdicts if v.status == Status.UNMET)
        return round(100 * met / decided, 1) if decided else None

    def count(self, status: Status) -> int:
        """Return how many rules ended with a status."""
        return sum(1 for v in self.verdicts if v.status == status)

    def counts_text(self) -> str:
        """Say how many rules ended how, e.g. "7 met, 4 unmet, 1 review"."""
        return ", ".join(f"{self.count(s)} {s.value}" for s in Status if self.count(s))

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "title": self.title, "rules_file": self.rules_path,
                "score": self.score,
                "counts": {s.value: self.count(s) for s in Status},
                "rules": [v.to_dict() for v in self.verdicts]}


@dataclass(frozen=True)
class DraftResult:
    """One draft against every rule set: built by `checker.api.check_document`."""

    path: str
    sha256: str
    groups: tuple[GroupResult, ...]
    # The normalised draft text, for formats that show the draft (evidence start/end index
    # it); not part of the JSON report.
    text: str = field(default="", repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256,
                "groups": [g.to_dict() for g in self.groups]}


@dataclass(frozen=True)
class Report:
    """What `checker.api.check` returns and every format of `check` renders (`to_dict` is the
    one serialisation point for JSON)."""

    version: str
    drafts: tuple[DraftResult, ...]

    def verdicts(self):
        """Yield every verdict of every group of every draft."""
        for draft in self.drafts:
            for group in draft.groups:
                yield from group.verdicts

    def fails(self, threshold: Severity | None) -> bool:
        """Return True if a rule at or above the threshold severity is unmet (None: never)."""
        return any(v.status == Status.UNMET and v.severity.reaches(threshold)
                   for v in self.verdicts())

    def has_errors(self) -> bool:
        """Return True if some rule could not be evaluated."""
        return any(v.status == Status.ERROR for v in self.verdicts())

    def groups(self) -> list[tuple[str, str]]:
        """Return (group, title) of every group checked, in the order first seen."""
        seen: dict[str, str] = {}
        for draft in self.drafts:
            for group in draft.groups:
                seen.setdefault(group.group, group.title)
        return list(seen.items())

    def matrix(self) -> list[tuple[str, dict[str, float | None]]]:
        """Return the drafts x groups score matrix: (draft path, {group: score}) per draft."""
        return [(d.path, {g.group: g.score for g in d.groups}) for d in self.drafts]

    def to_dict(self) -> dict[str, Any]:
        return {"tool": {"name": "draftcheck", "version": self.version},
                "matrix": {"groups": [g for g, _ in self.groups()],
                           "drafts": [{"path": path, "scores": scores}
                                      for path, scores in self.matrix()]},
                "drafts": [d.to_dict() for d in self.drafts]}
