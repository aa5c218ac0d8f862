"""What the rule language's functions do on a draft: one small pure function per builtin.

The signatures are in `checker.language.signatures`; `RUN` maps each name there to its function
here. A function receives the document index and its evaluated arguments: patterns as Matches,
scopes as sorted (start, end) ranges, literal texts as str, whole numbers as int, ranges as
(low, high).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from checker.document.model import merge_ranges
from checker.evaluation.index import DocIndex, has_break
from checker.evaluation.matchset import (
    NO_MATCH,
    Matches,
    count_non_overlapping,
    distinct,
    inside,
    member,
    merge,
)
from checker.language.signatures import NEGATION_WINDOW, resolution_regex

Scope = tuple[tuple[int, int], ...]


# -- patterns ---------------------------------------------------------------------------------


def _any(ix: DocIndex, *patterns: Matches) -> Matches:
    """Every match of any of the patterns."""
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
    """A match of each in one sentence, either order, at most N words between."""
    return _pairs(ix, p, q, words, either_order=True)


def _followed_by(ix: DocIndex, p: Matches, q: Matches, words: int) -> Matches:
    """A match of the first, then of the second, in one sentence, at most N words between."""
    return _pairs(ix, p, q, words, either_order=False)


def _shared(found: list[np.ndarray]) -> np.ndarray:
    shared = distinct(found[0])
    for other in found[1:]:
        shared = shared[member(shared, distinct(other))]
    return shared


def _same_sentence(ix: DocIndex, *patterns: Matches) -> Matches:
    """Sentences containing a match of every pattern."""
    if not all(patterns):
        return NO_MATCH
    return ix.sentence_spans(_shared([ix.sentences_of(p.starts) for p in patterns]))


def _same_paragraph(ix: DocIndex, *patterns: Matches) -> Matches:
    """Paragraphs containing a match of every pattern."""
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
    """Matches in a negated context."""
    return p.select(negations(ix, p, cues) >= 0)


def _affirmed(ix: DocIndex, p: Matches, cues: Matches) -> Matches:
    """Matches not in a negated context."""
    return p.select(negations(ix, p, cues) < 0)


def _bracketed(ix: DocIndex, p: Matches) -> Matches:
    """Matches inside square brackets (unagreed text)."""
    return p.select(inside(p, ix.bracket_spans))


def _unbracketed(ix: DocIndex, p: Matches) -> Matches:
    """Matches outside square brackets."""
    return p.select(~inside(p, ix.bracket_spans))


def _resolution(ix: DocIndex, symbol: str) -> Matches:
    """References to a UN resolution symbol such as "75/240"."""
    return ix.regex(resolution_regex(symbol), ignore_case=True)


# -- scopes -----------------------------------------------------------------------------------


def heading_key(text: str) -> str:
    """Fold a heading for comparison: case, hyphens and runs of spaces do not matter."""
    return " ".join(re.sub(r"[\s\-]+", " ", text).lower().split())


def _section(ix: DocIndex, text: str) -> Scope:
    """Sections whose heading contains the text, or whose label equals it."""
    # A label wins: section("C") is the section labelled C, not every heading with a "c" in it.
    sections = ix.document.sections
    label = text.strip().lower()
    chosen = [s for s in sections if (s.label or "").lower() == label]
    if not chosen:
        key = heading_key(text)
        chosen = [s for s in sections if key in heading_key(s.heading)]
    return merge_ranges([(s.body_start, s.end) for s in chosen])


def _paragraphs(ix: DocIndex, numbers: tuple[int, int]) -> Scope:
    """Numbered paragraphs in a range, by the numbers printed in the draft."""
    low, high = numbers
    chosen = ix.paragraph_spans[(ix.paragraph_numbers >= max(low, 0))
                                & (ix.paragraph_numbers <= high)]
    return merge_ranges(map(tuple, chosen.tolist()))


def _paragraph(ix: DocIndex, number: int) -> Scope:
    """The paragraph with that number as printed in the draft."""
    return _paragraphs(ix, (number, number))


def within(matches: Matches, scope: Scope) -> Matches:
    """Return the matches lying wholly inside one range of the scope."""
    return matches.select(inside(matches, scope))


# -- numbers and conditions -------------------------------------------------------------------


def _mentions(ix: DocIndex, p: Matches) -> bool:
    """True if the pattern has at least one match."""
    return bool(p)


def _count(ix: DocIndex, p: Matches) -> float:
    """The number of non-overlapping matches."""
    return float(count_non_overlapping(p))


RUN: dict[str, Callable] = {
    "any": _any,
    "near": _near,
    "followed_by": _followed_by,
    "same_sentence": _same_sentence,
    "same_paragraph": _same_paragraph,
    "affirmed": _affirmed,
    "negated": _negated,
    "bracketed": _bracketed,
    "unbracketed": _unbracketed,
    "resolution": _resolution,
    "section": _section,
    "paragraphs": _paragraphs,
    "paragraph": _paragraph,
    "mentions": _mentions,
    "count": _count,
}
