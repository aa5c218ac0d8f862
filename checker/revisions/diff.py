"""Compare two revisions of a draft: per group the score before and after, and every rule whose
verdict flipped, with the paragraph whose change made it flip.

Printed numbers shift between revisions, so paragraphs are matched by their text
(`align_paragraphs`): ¶31 of the old draft and ¶33 of the new one are the same paragraph, edited
or not. Which change made a rule flip is found by trial, not guessed from the evidence (which
also cites preconditions such as the ICT context): each changed paragraph is applied alone to the
old draft, or undone alone in the new one, and the rule is checked again with the caller's
`recheck` (`checker.api.check_document`). Evidence only ranks the trials, and names the changed
paragraphs it cites when no single change decides.

`Diff.to_dict()` is the one serialisation point; checker.revisions.render renders text, JSON or
Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import Enum
from typing import Any

from checker import __version__
from checker.document.model import Document
from checker.document.segment import parse_document
from checker.language.compiler import CompiledRuleSet
from checker.report.model import (
    DraftResult,
    Evidence,
    GroupResult,
    Status,
    Verdict,
    cite,
)
from checker.ruleset.model import Severity

CONTEXT = 3  # words shown either side of an edit
SIMILAR = 0.5  # share of words in common above which two paragraphs are one paragraph, edited
BAND = 25  # inside one changed run, paragraphs this far apart are not compared
MAX_TRIALS = 100  # changed paragraphs tried one at a time, those cited as evidence first

_PRINTED_NUMBER = re.compile(r"\d{1,4}[.)]\s*")

Key = tuple[str, str]  # (group, rule id)
Recheck = Callable[[Document, list[CompiledRuleSet]], DraftResult]  # checks one spliced draft


class Change(str, Enum):
    """What happened to a paragraph between the revisions."""

    SAME = "same"  # the same text, perhaps renumbered or moved
    EDITED = "edited"
    ADDED = "added"
    REMOVED = "removed"


class Decides(str, Enum):
    """How a changed paragraph was found to decide a flipped rule."""

    ALONE = "alone"  # applied alone to the old draft, this change flips the rule
    NEEDED = "needed"  # undone alone in the new draft, this change flips the rule back
    CITED = "cited"  # no single change flips it; this changed paragraph is cited as evidence


@dataclass(frozen=True)
class ParagraphPair:
    """A paragraph and its counterpart in the other revision (indices into `paragraphs`)."""

    old: int | None
    new: int | None
    change: Change


@dataclass(frozen=True)
class WordEdit:
    """Words removed and added at one place of an edited paragraph, with the words around."""

    removed: str
    added: str
    words_before: str  # up to CONTEXT words of context, unchanged
    words_after: str

    def to_dict(self) -> dict[str, str]:
        return {"removed": self.removed, "added": self.added,
                "words_before": self.words_before, "words_after": self.words_after}


@dataclass(frozen=True)
class ChangedParagraph:
    """A paragraph added, removed or edited, as printed in each revision (None: not there)."""

    change: Change
    decides: Decides
    old: int | None  # the printed number (None too for an unnumbered paragraph: see the line)
    new: int | None
    old_line: int | None
    new_line: int | None
    old_text: str | None
    new_text: str | None
    edits: tuple[WordEdit, ...] = ()  # for an edited paragraph

    def cite(self) -> str:
        """Cite as "¶36 → ¶37 edited", "¶2 removed" or "¶23 added"."""
        old = cite(self.old, self.old_line)
        new = cite(self.new, self.new_line)
        if self.change is Change.ADDED:
            return f"{new} added"
        if self.change is Change.REMOVED:
            return f"{old} removed"
        return f"{old} → {new} {self.change.value}"

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "change": self.change.value,
                "decides": self.decides.value, "old_line": self.old_line,
                "new_line": self.new_line, "old_text": self.old_text, "new_text": self.new_text,
                "edits": [e.to_dict() for e in self.edits]}


@dataclass(frozen=True)
class RuleChange:
    """A rule whose verdict differs between the revisions; the deciding paragraph first."""

    rule_id: str
    says: str
    severity: Severity
    weight: float
    before: Status
    after: Status
    why_before: str
    why: str
    before_evidence: tuple[Evidence, ...]
    after_evidence: tuple[Evidence, ...]
    paragraphs: tuple[ChangedParagraph, ...] = ()

    @property
    def changed_paragraph(self) -> ChangedParagraph | None:
        """Return the paragraph whose change made the rule flip, if one was found."""
        return self.paragraphs[0] if self.paragraphs else None

    def sort_key(self) -> tuple:
        """New failures first, then most severe first, then by id."""
        return (self.after.rank, self.severity.rank, self.rule_id)

    def to_dict(self) -> dict[str, Any]:
        found = self.changed_paragraph
        return {"id": self.rule_id, "says": self.says, "severity": self.severity.value,
                "weight": self.weight, "before": self.before.value, "after": self.after.value,
                "why": self.why, "why_before": self.why_before,
                "before_evidence": [e.to_dict() for e in self.before_evidence],
                "after_evidence": [e.to_dict() for e in self.after_evidence],
                "changed_paragraph": found.to_dict() if found else None,
                "other_paragraphs": [p.to_dict() for p in self.paragraphs[1:]]}


@dataclass(frozen=True)
class MovedEvidence:
    """A rule with the same verdict in both revisions whose evidence cites other paragraphs."""

    rule_id: str
    status: Status
    before_evidence: tuple[Evidence, ...]
    after_evidence: tuple[Evidence, ...]
    moves: tuple[tuple[int | None, int | None], ...]  # (old ¶, new ¶) of renumbered evidence

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.rule_id, "status": self.status.value,
                "moves": [{"old": old, "new": new} for old, new in self.moves],
                "before_evidence": [e.to_dict() for e in self.before_evidence],
                "after_evidence": [e.to_dict() for e in self.after_evidence]}


@dataclass(frozen=True)
class GroupDiff:
    """One group across two revisions: scores before and after, and the rules that changed."""

    group: str
    title: str
    before: float | None  # the group's score on the old draft
    after: float | None
    changes: tuple[RuleChange, ...]
    moved: tuple[MovedEvidence, ...] | None = None  # None: not asked for

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"group": self.group, "title": self.title, "before": self.before,
                               "after": self.after,
                               "changes": [c.to_dict() for c in self.changes]}
        if self.moved is not None:
            out["moved"] = [m.to_dict() for m in self.moved]
        return out


@dataclass(frozen=True)
class ParagraphCounts:
    """How the paragraphs changed: added, removed, edited, and kept but renumbered."""

    added: int
    removed: int
    edited: int
    renumbered: int

    def to_dict(self) -> dict[str, int]:
        return {"added": self.added, "removed": self.removed, "edited": self.edited,
                "renumbered": self.renumbered}


@dataclass(frozen=True)
class Diff:
    """What `draftcheck diff` found: built by `diff_reports` (through `checker.api.diff_drafts`),
    rendered by checker.revisions.render (`to_dict` for JSON)."""

    version: str
    old: str  # the drafts' paths
    new: str
    old_sha256: str
    new_sha256: str
    paragraphs: ParagraphCounts
    groups: tuple[GroupDiff, ...]
    errors: bool = False  # some rule could not be evaluated on one of the drafts

    def changes(self) -> Iterable[RuleChange]:
        """Yield every flip of every group."""
        for group in self.groups:
            yield from group.changes

    def regressed(self, threshold: Severity | None) -> bool:
        """Return True if a rule at or above the threshold severity went from met to unmet."""
        return any(c.before == Status.MET and c.after == Status.UNMET
                   and c.severity.reaches(threshold) for c in self.changes())

    def has_errors(self) -> bool:
        """Return True if some rule could not be evaluated on either draft."""
        return self.errors

    def to_dict(self) -> dict[str, Any]:
        return {"tool": {"name": "draftcheck", "version": self.version},
                "old": {"path": self.old, "sha256": self.old_sha256},
                "new": {"path": self.new, "sha256": self.new_sha256},
                "paragraphs": self.paragraphs.to_dict(),
                "groups": [g.to_dict() for g in self.groups]}


# -- the public functions ---------------------------------------------------------------------


def diff_reports(old: DraftResult, new: DraftResult, old_doc: Document, new_doc: Document,
                 rulesets: Sequence[CompiledRuleSet], recheck: Recheck, *,
                 moved: bool = False) -> Diff:
    """Compare two revisions' results (checked against `rulesets`); `moved` adds MovedEvidence.

    `recheck` checks a spliced draft, to find which change decides a flip (the caller,
    `checker.api.diff_drafts`, passes its own `check_document`).
    """
    if [g.group for g in old.groups] != [g.group for g in new.groups]:
        raise ValueError("the two drafts were checked against different rule sets")
    pairs = align_paragraphs(old_doc, new_doc)
    flips: dict[Key, tuple[Verdict, Verdict]] = {}
    for before_group, after_group in zip(old.groups, new.groups, strict=True):
        after = {v.rule_id: v for v in after_group.verdicts}
        for verdict in before_group.verdicts:
            if verdict.status != after[verdict.rule_id].status:
                flips[(before_group.group, verdict.rule_id)] = (verdict, after[verdict.rule_id])
    deciding = _find_deciding(old_doc, new_doc, pairs, rulesets, flips, recheck)
    groups = tuple(
        _group_diff(before_group, after_group, flips, deciding, old_doc, new_doc, pairs, moved)
        for before_group, after_group in zip(old.groups, new.groups, strict=True))
    return Diff(version=__version__, old=old.path, new=new.path, old_sha256=old.sha256,
                new_sha256=new.sha256, paragraphs=_counts(old_doc, new_doc, pairs),
                groups=groups, errors=any(v.status == Status.ERROR for draft in (old, new)
                                          for g in draft.groups for v in g.verdicts))


# -- aligning paragraphs by text --------------------------------------------------------------


def paragraph_text(document: Document, index: int) -> str:
    """Return a paragraph's words on one line, without its printed number."""
    paragraph = document.paragraphs[index]
    text = document.text[paragraph.start:paragraph.end]
    if paragraph.number is not None and (printed := _PRINTED_NUMBER.match(text)):
        text = text[printed.end():]
    return " ".join(text.split())


def align_paragraphs(old: Document, new: Document) -> tuple[ParagraphPair, ...]:
    """Match the paragraphs of two revisions by text, in the new draft's order.

    Runs of identical paragraphs are found first (difflib over whole paragraph texts, printed
    numbers left out); inside each run that differs, paragraphs are paired by word similarity,
    the rest were added or removed; a removed paragraph found verbatim elsewhere was moved.
    """
    a = [paragraph_text(old, i) for i in range(len(old.paragraphs))]
    b = [paragraph_text(new, j) for j in range(len(new.paragraphs))]
    pairs: list[ParagraphPair] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            pairs += [ParagraphPair(i, j, Change.SAME)
                      for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
        else:
            pairs += _pair_similar(a, b, range(i1, i2), range(j1, j2))
    return _in_order(_pair_moved(pairs, a, b), len(a), len(b))


def _pair_similar(a: list[str], b: list[str], olds: range, news: range) -> list[ParagraphPair]:
    """Pair the paragraphs of one changed run, most similar first; the rest are added/removed."""
    scored: list[tuple[float, int, int]] = []
    matcher = SequenceMatcher(None, autojunk=False)
    for i in olds:
        matcher.set_seq2(a[i].split())  # difflib caches what it learns about the second sequence
        for j in news:
            if abs((i - olds.start) - (j - news.start)) > BAND:
                continue
            matcher.set_seq1(b[j].split())
            if (matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR
                    and (ratio := matcher.ratio()) >= SIMILAR):
                scored.append((ratio, i, j))
    pairs: list[ParagraphPair] = []
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for _, i, j in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if i not in taken_old and j not in taken_new:
            pairs.append(ParagraphPair(i, j, Change.EDITED))
            taken_old.add(i)
            taken_new.add(j)
    pairs += [ParagraphPair(i, None, Change.REMOVED) for i in olds if i not in taken_old]
    pairs += [ParagraphPair(None, j, Change.ADDED) for j in news if j not in taken_new]
    return pairs


def _pair_moved(pairs: list[ParagraphPair], a: list[str], b: list[str]) -> list[ParagraphPair]:
    """Pair a removed paragraph with an added one of the same text: it was moved."""
    added: dict[str, list[int]] = {}
    for pair in pairs:
        if pair.change is Change.ADDED and pair.new is not None:
            added.setdefault(b[pair.new], []).append(pair.new)
    moved: set[int] = set()
    out: list[ParagraphPair] = []
    for pair in pairs:
        if pair.change is Change.REMOVED and pair.old is not None and added.get(a[pair.old]):
            j = added[a[pair.old]].pop(0)
            moved.add(j)
            out.append(ParagraphPair(pair.old, j, Change.SAME))
        else:
            out.append(pair)
    return [p for p in out if not (p.change is Change.ADDED and p.new in moved)]


def _in_order(pairs: list[ParagraphPair], old_count: int,
              new_count: int) -> tuple[ParagraphPair, ...]:
    """Sort pairs in the new draft's order, each removed paragraph where it used to be."""
    new_of = {p.old: p.new for p in pairs if p.old is not None and p.new is not None}
    next_new, anchor = [0] * old_count, new_count
    for i in reversed(range(old_count)):
        next_new[i] = anchor
        anchor = new_of.get(i, anchor)

    def key(pair: ParagraphPair) -> tuple[int, int, int]:
        if pair.new is not None:
            return (pair.new, 1, 0)
        assert pair.old is not None
        return (next_new[pair.old], 0, pair.old)

    return tuple(sorted(pairs, key=key))


def _counts(old: Document, new: Document, pairs: Iterable[ParagraphPair]) -> ParagraphCounts:
    pairs = list(pairs)
    renumbered = sum(1 for p in pairs if p.change is Change.SAME and p.old is not None
                     and p.new is not None
                     and old.paragraphs[p.old].number != new.paragraphs[p.new].number)
    return ParagraphCounts(
        added=sum(1 for p in pairs if p.change is Change.ADDED),
        removed=sum(1 for p in pairs if p.change is Change.REMOVED),
        edited=sum(1 for p in pairs if p.change is Change.EDITED), renumbered=renumbered)


# -- which change made a rule flip ------------------------------------------------------------


def _find_deciding(old: Document, new: Document, pairs: tuple[ParagraphPair, ...],
                   rulesets: Sequence[CompiledRuleSet],
                   flips: dict[Key, tuple[Verdict, Verdict]], recheck: Recheck
                   ) -> dict[Key, list[tuple[ParagraphPair, Decides]]]:
    """Find, per flipped rule, the changed paragraphs that decide it (see `Decides`)."""
    changed = [p for p in pairs if p.change is not Change.SAME]
    cited = {key: _cited(old, new, changed, *verdicts) for key, verdicts in flips.items()}
    everywhere = {p for found in cited.values() for p in found}
    candidates = sorted(changed, key=lambda p: p not in everywhere)[:MAX_TRIALS]
    new_to_old = {p.new: p.old for p in pairs if p.new is not None and p.old is not None}
    old_to_new = {old_i: new_i for new_i, old_i in new_to_old.items()}
    found: dict[Key, list[tuple[ParagraphPair, Decides]]] = {key: [] for key in flips}
    pending = list(flips)
    for decides in (Decides.ALONE, Decides.NEEDED):
        if not pending:
            break
        subset = _only(rulesets, set(pending))
        for pair in candidates:
            if decides is Decides.ALONE:  # the old draft with this change alone
                statuses = _trial(old, new, pair.old, pair.new, new_to_old, subset, recheck)
            else:  # the new draft without this change
                statuses = _trial(new, old, pair.new, pair.old, old_to_new, subset, recheck)
            for key in pending:
                target = flips[key][1 if decides is Decides.ALONE else 0].status
                if statuses.get(key) == target:
                    found[key].append((pair, decides))
        pending = [key for key in pending if not found[key]]
    position = {p: n for n, p in enumerate(pairs)}
    for key in flips:
        if not found[key]:
            found[key] = [(p, Decides.CITED) for p in cited[key]]
        found[key].sort(key=lambda item: position[item[0]])
    return found


def _cited(old: Document, new: Document, changed: list[ParagraphPair], before: Verdict,
           after: Verdict) -> list[ParagraphPair]:
    """Return the changed paragraphs that a verdict's evidence cites, on either side."""
    old_cited = {old.paragraph_at(e.start) for e in before.evidence}
    new_cited = {new.paragraph_at(e.start) for e in after.evidence}
    return [p for p in changed if (p.old is not None and p.old in old_cited)
            or (p.new is not None and p.new in new_cited)]


def _only(rulesets: Sequence[CompiledRuleSet], keys: set[Key]) -> list[CompiledRuleSet]:
    """Return the rule sets cut down to the rules named (a group with none is left out)."""
    out = []
    for compiled in rulesets:
        rules = tuple(r for r in compiled.rules if (compiled.ruleset.group, r.written.id) in keys)
        if rules:
            out.append(CompiledRuleSet(compiled.ruleset, rules))
    return out


def _trial(base: Document, other: Document, base_i: int | None, other_i: int | None,
           counterpart: dict[int, int], rulesets: list[CompiledRuleSet], recheck: Recheck
           ) -> dict[Key, Status]:
    """Check `base` with one paragraph replaced by, or removed for, or added from `other`."""
    text = _splice(base, other, base_i, other_i, counterpart)
    result = recheck(parse_document(text, base.path), rulesets)
    return {(g.group, v.rule_id): v.status for g in result.groups for v in g.verdicts}


def _splice(base: Document, other: Document, base_i: int | None, other_i: int | None,
            counterpart: dict[int, int]) -> str:
    """Return base's text with one paragraph change from `other` applied.

    `counterpart` maps other's paragraphs to base's; an added paragraph goes after the
    counterpart of the paragraph before it in its section (else before that of the one after).
    """
    text = base.text
    body = "" if other_i is None else other.text[other.paragraphs[other_i].start:
                                                 other.paragraphs[other_i].end]
    if base_i is not None:
        paragraph = base.paragraphs[base_i]
        return text[:paragraph.start] + body + text[paragraph.end:]
    assert other_i is not None
    at = _insertion_point(base, other, other_i, counterpart)
    return text[:at] + "\n\n" + body + "\n\n" + text[at:]


def _insertion_point(base: Document, other: Document, j: int, counterpart: dict[int, int]) -> int:
    section = other.paragraphs[j].section
    before = range(j - 1, -1, -1)
    after = range(j + 1, len(other.paragraphs))
    for same_section in (True, False):
        for k in before:
            if same_section and other.paragraphs[k].section != section:
                break
            if k in counterpart:
                return base.paragraphs[counterpart[k]].end
        for k in after:
            if same_section and other.paragraphs[k].section != section:
                break
            if k in counterpart:
                return base.paragraphs[counterpart[k]].start
    return len(base.text)


# -- building the diff ------------------------------------------------------------------------


def _group_diff(before: GroupResult, after: GroupResult,
                flips: dict[Key, tuple[Verdict, Verdict]],
                deciding: dict[Key, list[tuple[ParagraphPair, Decides]]], old: Document,
                new: Document, pairs: tuple[ParagraphPair, ...], moved: bool) -> GroupDiff:
    changes = []
    for verdict in before.verdicts:
        key = (before.group, verdict.rule_id)
        if key in flips:
            was, now = flips[key]
            changes.append(RuleChange(
                rule_id=was.rule_id, says=now.says, severity=now.severity, weight=now.weight,
                before=was.status, after=now.status, why_before=was.why, why=now.why,
                before_evidence=was.evidence, after_evidence=now.evidence,
                paragraphs=tuple(_described(old, new, pair, decides)
                                 for pair, decides in deciding[key])))
    moves = None
    if moved:
        old_to_new = {p.old: p.new for p in pairs if p.old is not None and p.new is not None}
        now_by_id = {v.rule_id: v for v in after.verdicts}
        found = (_moved(old, new, v, now_by_id[v.rule_id], old_to_new) for v in before.verdicts
                 if (before.group, v.rule_id) not in flips)
        moves = tuple(m for m in found if m is not None)
    return GroupDiff(group=before.group, title=before.title, before=before.score,
                     after=after.score, changes=tuple(sorted(changes, key=RuleChange.sort_key)),
                     moved=moves)


def _described(old: Document, new: Document, pair: ParagraphPair,
               decides: Decides) -> ChangedParagraph:
    old_p = old.paragraphs[pair.old] if pair.old is not None else None
    new_p = new.paragraphs[pair.new] if pair.new is not None else None
    edits: tuple[WordEdit, ...] = ()
    if pair.old is not None and pair.new is not None:
        edits = word_edits(paragraph_text(old, pair.old), paragraph_text(new, pair.new))
    return ChangedParagraph(
        change=pair.change, decides=decides,
        old=old_p.number if old_p else None, new=new_p.number if new_p else None,
        old_line=old.location(old_p.start).line if old_p else None,
        new_line=new.location(new_p.start).line if new_p else None,
        old_text=" ".join(old.text[old_p.start:old_p.end].split()) if old_p else None,
        new_text=" ".join(new.text[new_p.start:new_p.end].split()) if new_p else None,
        edits=edits)


def word_edits(old: str, new: str) -> tuple[WordEdit, ...]:
    """Return each place where words were removed or added between two texts, in order."""
    a, b = old.split(), new.split()
    return tuple(WordEdit(removed=" ".join(a[i1:i2]), added=" ".join(b[j1:j2]),
                          words_before=" ".join(a[max(i1 - CONTEXT, 0):i1]),
                          words_after=" ".join(a[i2:i2 + CONTEXT]))
                 for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False)
                 .get_opcodes() if tag != "equal")


def _moved(old: Document, new: Document, before: Verdict, after: Verdict,
           old_to_new: dict[int | None, int | None]) -> MovedEvidence | None:
    """Say where a kept verdict's evidence went, if it cites other paragraph numbers now."""
    if [e.paragraph for e in before.evidence] == [e.paragraph for e in after.evidence]:
        return None
    moves = []
    for i in dict.fromkeys(old.paragraph_at(e.start) for e in before.evidence):
        j = old_to_new.get(i)
        if i is not None and j is not None:
            numbers = (old.paragraphs[i].number, new.paragraphs[j].number)
            if numbers[0] != numbers[1]:
                moves.append(numbers)
    return MovedEvidence(rule_id=before.rule_id, status=after.status,
                         before_evidence=before.evidence, after_evidence=after.evidence,
                         moves=tuple(moves))
