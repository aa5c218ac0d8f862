"""The rule language's functions: one table, each entry a signature and a small pure function.

A function receives the document index and its evaluated arguments: patterns as Matches, scopes
as sorted (start, end) ranges, literal texts as str, whole numbers as int, ranges as (low, high).
Adding a function is one entry here plus its cases in tests/test_language.py.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from checker.document import merge_ranges
from checker.expr import Type
from checker.matching import DocIndex, Match, Matches, has_break, merge, non_overlapping

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
    long sentence of common words. Token positions and sentences are looked up once per match.
    """
    if not first or not second:
        return ()
    q_starts = [q[0] for q in second]  # Matches are sorted by start
    q_first = [ix.first_token(q[0]) for q in second]
    q_sentence = [ix.sentence_of(q[0]) for q in second]
    by_end = sorted(range(len(second)), key=lambda k: second[k][1])
    q_ends = [second[k][1] for k in by_end]
    out = set()
    for p in first:
        p_first, p_last = ix.first_token(p[0]), ix.last_token(p[1])
        sentence = ix.sentence_of(p[0])
        k = bisect.bisect_left(q_starts, p[1])  # the nearest match starting after p
        if k < len(second) and q_first[k] - p_last - 1 <= words and q_sentence[k] == sentence:
            out.add((p[0], max(p[1], second[k][1])))
        if either_order:
            j = bisect.bisect_right(q_ends, p[0]) - 1  # the nearest match ending before p
            if j >= 0:
                k = by_end[j]
                q = second[k]
                if p_first - ix.last_token(q[1]) - 1 <= words and q_sentence[k] == sentence:
                    out.add((min(p[0], q[0]), p[1]))
    return tuple(sorted(out))


def _near(ix: DocIndex, p: Matches, q: Matches, words: int) -> Matches:
    return _pairs(ix, p, q, words, either_order=True)


def _followed_by(ix: DocIndex, p: Matches, q: Matches, words: int) -> Matches:
    return _pairs(ix, p, q, words, either_order=False)


def _same_sentence(ix: DocIndex, *patterns: Matches) -> Matches:
    sentences = ix.document.sentences
    shared = set.intersection(*({ix.sentence_of(m[0]) for m in p} for p in patterns))
    return tuple(sorted((sentences[i].start, sentences[i].end) for i in shared))


def _same_paragraph(ix: DocIndex, *patterns: Matches) -> Matches:
    doc = ix.document
    shared = set.intersection(*({doc.paragraph_at(m[0]) for m in p} for p in patterns))
    shared.discard(None)
    return tuple(sorted((doc.paragraphs[i].start, doc.paragraphs[i].end) for i in shared))


def negations(ix: DocIndex, matches: Matches, cues: Matches) -> list[Match | None]:
    """Return, for each match, the cue that negates it or None.

    A cue negates a match when it is the nearest cue ending before the match, in the same
    sentence, at most NEGATION_WINDOW words away, with no ';', ':' or "but" in between (a
    farther cue is never closer, nor past fewer breaks).
    """
    by_end = sorted(cues, key=lambda c: (c[1], c[0]))
    ends = [c[1] for c in by_end]
    out: list[Match | None] = []
    for match in matches:
        i = bisect.bisect_right(ends, match[0]) - 1
        cue = by_end[i] if i >= 0 else None
        if cue is not None and (
                ix.sentence_of(cue[0]) != ix.sentence_of(match[0])
                or ix.words_between(cue[1], match[0]) > NEGATION_WINDOW
                or has_break(ix.document.text[cue[1]:match[0]])):
            cue = None
        out.append(cue)
    return out


def _negated(ix: DocIndex, p: Matches, cues: Matches) -> Matches:
    return tuple(m for m, cue in zip(p, negations(ix, p, cues)) if cue is not None)


def _affirmed(ix: DocIndex, p: Matches, cues: Matches) -> Matches:
    return tuple(m for m, cue in zip(p, negations(ix, p, cues)) if cue is None)


def _bracketed(ix: DocIndex, p: Matches) -> Matches:
    return tuple(m for m in p if ix.document.is_bracketed(*m))


def _unbracketed(ix: DocIndex, p: Matches) -> Matches:
    return tuple(m for m in p if not ix.document.is_bracketed(*m))


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
    return merge_ranges([(p.start, p.end) for p in ix.document.paragraphs
                          if p.number is not None and low <= p.number <= high])


def _paragraph(ix: DocIndex, number: int) -> Scope:
    return _paragraphs(ix, (number, number))


def within(matches: Matches, scope: Scope) -> Matches:
    """Return the matches lying wholly inside one range of the scope."""
    starts = [r[0] for r in scope]
    out = []
    for m in matches:
        i = bisect.bisect_right(starts, m[0]) - 1
        if i >= 0 and m[1] <= scope[i][1]:
            out.append(m)
    return tuple(out)


# -- numbers and conditions -------------------------------------------------------------------


def _mentions(ix: DocIndex, p: Matches) -> bool:
    return bool(p)


def _count(ix: DocIndex, p: Matches) -> float:
    return float(len(non_overlapping(p)))


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
