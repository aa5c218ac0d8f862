"""The rule language's functions: one table, each entry a signature and a small pure function.

A function receives the document index and its evaluated arguments: patterns as Matches, scopes
as sorted (start, end) ranges, literal texts as str, whole numbers as int, ranges as (low, high).
Adding a function is one entry here plus its cases in tests/test_language.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from checker.document.model import merge_ranges
from checker.language.syntax import Type
from checker.evaluation.matchset import (
    NO_MATCH,
    Matches,
    count_non_overlapping,
    distinct,
    inside,
    member,
    merge,
)
from checker.evaluation.index import DocIndex, has_break

Scope = tuple[tuple[int, int], ...]

NEGATION_WINDOW = 6  # words allowed between a negation cue and what it negates
NEGATION_CUES = ("not", "no", "never", "nor", "neither", "without", "cannot", "lack of",
                 "rather than", "instead of", "refrain* from", "oppos*", "reject*")
NEGATION_SUFFIX = "n't"  # "didn't", "don't", "won't": any word ending so is a cue too
RESOLUTION_SYMBOL = re.compile(r"(?:A\s*/\s*RES\s*/\s*)?(\d{1,4})\s*/\s*(\d{1,5})", re.IGNORECASE)


@dataclass(frozen=True)
class Builtin:
    """A language function: parameter types, result type, implementation, one-line doc."""

    name: str
    params: tuple[Type, ...]
    returns: Type
    run: Callable
    doc: str
    variadic: bool = False  # the last parameter may repeat (at least once)
    takes_cues: bool = False  # the compiler passes the rule set's negation cues as a last argument
    check_literal: Callable[[str], object] | None = None  # raises ValueError for a bad text arg

    def param(self, position: int) -> Type:
        """Return the type of the argument at a 0-based position (the cues come last)."""
        if self.takes_cues and position == len(self.params):
            return Type.CUES
        return self.params[min(position, len(self.params) - 1)]

    def signature(self) -> str:
        """Describe the parameters for arity messages, e.g. "pattern, pattern, whole number"."""
        names = [p.value for p in self.params]
        if self.variadic:
            names.append("...")
        return ", ".join(names)


# -- patterns ---------------------------------------------------------------------------------


def _any(ix: DocIndex, *patterns: Matches) -> Matches:
    return merge(*patterns)


def _pairs(ix: DocIndex, first: Matches, second: Matches, words: int, either_order: bool) -> Matches:
    """Spans covering a match of `first` and the nearest match of `second` after it (and, with
    either_order, before it) in the same sentence, at most `words` words apart.

    Only the nearest partner counts: if any partner is close enough the nearest is, so mentions
    are unchanged, spans are the tightest, and the work stays linear even on a draft that is one
    long sentence of common words. Every match is handled at once, as arrays.
    """
    if not first or not second:
        return NO_MATCH
    ps, pe, qs, qe = first.starts, first.ends, second.starts, second.ends
    sentence = ix.sentences_of(ps)
    q_sentence = ix.sentences_of(qs)
    # The nearest match of `second` starting at or after the end of p (Matches are by start).
    k = np.minimum(qs.searchsorted(pe, side="left"), len(qs) - 1)
    after = ((qs[k] >= pe) & (ix.first_tokens(qs[k]) - ix.last_tokens(pe) - 1 <= words)
             & (q_sentence[k] == sentence))
    starts, ends = [ps[after]], [np.maximum(pe, qe[k])[after]]
    if either_order:  # the nearest match ending at or before the start of p
        by_end = qe.argsort(kind="stable")
        j = qe[by_end].searchsorted(ps, side="right") - 1
        k = by_end[np.maximum(j, 0)]
        before = ((j >= 0) & (ix.first_tokens(ps) - ix.last_tokens(qe[k]) - 1 <= words)
                  & (q_sentence[k] == sentence))
        starts.append(np.minimum(ps, qs[k])[before])
        ends.append(pe[before])
    return Matches.of(np.concatenate(starts), np.concatenate(ends))


def _near(ix: DocIndex, p: Matches, q: Matches, words: int) -> Matches:
    return _pairs(ix, p, q, words, either_order=True)


def _followed_by(ix: DocIndex, p: Matches, q: Matches, words: int) -> Matches:
    return _pairs(ix, p, q, words, either_order=False)


def _shared(found: list[np.ndarray]) -> np.ndarray:
    shared = distinct(found[0])
    for other in found[1:]:
        shared = shared[member(shared, distinct(other))]
    return shared


def _same_sentence(ix: DocIndex, *patterns: Matches) -> Matches:
    if not all(patterns):
        return NO_MATCH
    return ix.sentence_spans(_shared([ix.sentences_of(p.starts) for p in patterns]))


def _same_paragraph(ix: DocIndex, *patterns: Matches) -> Matches:
    bounds = ix.paragraph_spans
    if not len(bounds) or not all(patterns):
        return NO_MATCH
    found = []
    for p in patterns:
        i = bounds[:, 0].searchsorted(p.starts, side="right") - 1
        found.append(i[(i >= 0) & (p.starts < bounds[np.maximum(i, 0), 1])])
    shared = _shared(found)
    return Matches.of(bounds[shared, 0], bounds[shared, 1])


def negations(ix: DocIndex, matches: Matches, cues: Matches) -> np.ndarray:
    """Return, for each match, the index in `cues` of the cue that negates it, or -1.

    A cue negates a match when it is the nearest cue ending before the match, in the same
    sentence, at most NEGATION_WINDOW words away, with no ';', ':' or "but" in between (a
    farther cue is never closer, nor past fewer breaks).
    """
    if not cues or not matches:
        return np.full(len(matches), -1)
    by_end = np.lexsort((cues.starts, cues.ends))
    i = cues.ends[by_end].searchsorted(matches.starts, side="right") - 1
    cue = by_end[np.maximum(i, 0)]
    cue_start, cue_end = cues.starts[cue], cues.ends[cue]
    near = ((i >= 0) & (ix.sentences_of(cue_start) == ix.sentences_of(matches.starts))
            & (ix.first_tokens(matches.starts) - ix.last_tokens(cue_end) - 1 <= NEGATION_WINDOW))
    text = ix.document.text
    for k in np.flatnonzero(near).tolist():
        if has_break(text[cue_end[k]:matches.starts[k]]):
            near[k] = False
    return np.where(near, cue, -1)


def _negated(ix: DocIndex, p: Matches, cues: Matches) -> Matches:
    return p.select(negations(ix, p, cues) >= 0)


def _affirmed(ix: DocIndex, p: Matches, cues: Matches) -> Matches:
    return p.select(negations(ix, p, cues) < 0)


def _bracketed(ix: DocIndex, p: Matches) -> Matches:
    return p.select(inside(p, ix.bracket_spans))


def _unbracketed(ix: DocIndex, p: Matches) -> Matches:
    return p.select(~inside(p, ix.bracket_spans))


def resolution_regex(symbol: str) -> str:
    """Return the RE2 regex for references to a UN resolution symbol such as "75/240"."""
    m = RESOLUTION_SYMBOL.fullmatch(symbol.strip())
    if m is None:
        raise ValueError(f"{symbol!r} is not a resolution symbol such as \"75/240\"")
    session, number = m.groups()
    # \b on both sides: "175/240" and "75/2401" are other resolutions.
    return (r"(?:\bA\s*/\s*RES\s*/\s*|\bresolutions?\s+(?:No\.\s*)?)?"
            rf"\b{int(session)}\s*/\s*{int(number)}\b")


def _resolution(ix: DocIndex, symbol: str) -> Matches:
    return ix.regex(resolution_regex(symbol), ignore_case=True)


# -- scopes -----------------------------------------------------------------------------------


def heading_key(text: str) -> str:
    """Fold a heading for comparison: case, hyphens and runs of spaces do not matter."""
    return " ".join(re.sub(r"[\s\-]+", " ", text).lower().split())


def _section(ix: DocIndex, text: str) -> Scope:
    # A label wins: section("C") is the section labelled C, not every heading with a "c" in it.
    sections = ix.document.sections
    label = text.strip().lower()
    chosen = [s for s in sections if (s.label or "").lower() == label]
    if not chosen:
        key = heading_key(text)
        chosen = [s for s in sections if key in heading_key(s.heading)]
    return merge_ranges([(s.body_start, s.end) for s in chosen])


def _paragraphs(ix: DocIndex, numbers: tuple[int, int]) -> Scope:
    low, high = numbers
    chosen = ix.paragraph_spans[(ix.paragraph_numbers >= max(low, 0))
                                & (ix.paragraph_numbers <= high)]
    return merge_ranges(map(tuple, chosen.tolist()))


def _paragraph(ix: DocIndex, number: int) -> Scope:
    return _paragraphs(ix, (number, number))


def within(matches: Matches, scope: Scope) -> Matches:
    """Return the matches lying wholly inside one range of the scope."""
    return matches.select(inside(matches, scope))


# -- numbers and conditions -------------------------------------------------------------------


def _mentions(ix: DocIndex, p: Matches) -> bool:
    return bool(p)


def _count(ix: DocIndex, p: Matches) -> float:
    return float(count_non_overlapping(p))


P, N, B, S = Type.PATTERN, Type.NUMBER, Type.BOOL, Type.SCOPE

BUILTINS: dict[str, Builtin] = {b.name: b for b in (
    Builtin("any", (P,), P, _any, "every match of any of the patterns", variadic=True),
    Builtin("near", (P, P, Type.INTEGER), P, _near,
            "a match of each in one sentence, either order, at most N words between"),
    Builtin("followed_by", (P, P, Type.INTEGER), P, _followed_by,
            "a match of the first, then of the second, in one sentence, at most N words between"),
    Builtin("same_sentence", (P, P), P, _same_sentence,
            "sentences containing a match of every pattern", variadic=True),
    Builtin("same_paragraph", (P, P), P, _same_paragraph,
            "paragraphs containing a match of every pattern", variadic=True),
    Builtin("affirmed", (P,), P, _affirmed, "matches not in a negated context", takes_cues=True),
    Builtin("negated", (P,), P, _negated, "matches in a negated context", takes_cues=True),
    Builtin("bracketed", (P,), P, _bracketed, "matches inside square brackets (unagreed text)"),
    Builtin("unbracketed", (P,), P, _unbracketed, "matches outside square brackets"),
    Builtin("resolution", (Type.TEXT,), P, _resolution,
            "references to a UN resolution symbol such as \"75/240\"",
            check_literal=resolution_regex),
    Builtin("section", (Type.TEXT,), S, _section,
            "sections whose heading contains the text, or whose label equals it"),
    Builtin("paragraphs", (Type.RANGE,), S, _paragraphs,
            "numbered paragraphs in a range, by the numbers printed in the draft"),
    Builtin("paragraph", (Type.INTEGER,), S, _paragraph,
            "the paragraph with that number as printed in the draft"),
    Builtin("mentions", (P,), B, _mentions, "true if the pattern has at least one match"),
    Builtin("count", (P,), N, _count, "the number of non-overlapping matches"),
)}
