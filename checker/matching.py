"""The per-document index and the matchers that run on it.

A document is tokenised once into words with positions and sentence ids; phrases are looked up
in an inverted index (word -> token positions) instead of scanning the text, so the cost of a
phrase is the number of times its first word occurs, not the length of the draft. Regexes run on
RE2 (linear time) over the normalised text. A match is a (start, end) pair of character offsets
into `Document.text`; a pattern's value is a sorted tuple of distinct matches.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import defaultdict
from dataclasses import dataclass

import re2

from checker.document import Document

Match = tuple[int, int]
Matches = tuple[Match, ...]

# A word: letters and digits, with inner apostrophes kept ("didn't", "Group's").
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_SPACE_OR_HYPHEN = re.compile(r"[\s\-]+")
_LINE_END_HYPHEN = re.compile(r"-[ \t]*\n[ \t]*")
_WHITESPACE = re.compile(r"\s+")
_BREAKS = re.compile(r"[;:]")

# Typographic characters a rule author may paste into a phrase; documents get the same treatment.
_PATTERN_CHARS = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
})

REGEX_MAX_MEM = 8 << 20  # bytes of RE2 program memory per regex


class RegexError(ValueError):
    """A regex RE2 cannot compile."""


@functools.lru_cache(maxsize=4096)
def compile_regex(pattern: str, ignore_case: bool) -> re2._Regexp:
    """Compile a regex with RE2 (linear time, bounded memory); raise RegexError if invalid."""
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False
    options.max_mem = REGEX_MAX_MEM
    try:
        return re2.compile(pattern, options)
    except re2.error as error:
        reason = error.args[0] if error.args else "invalid regex"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise RegexError(str(reason)) from None


@dataclass(frozen=True)
class PhrasePlan:
    """A phrase pattern split into words (each possibly a `prefix*`) and what lies between them."""

    words: tuple[tuple[str, bool], ...]  # (lowercased word, is_prefix)
    gaps: tuple[str | None, ...]  # None: any run of spaces/line breaks/hyphens; else punctuation
    lead: str  # punctuation the match must be preceded by, e.g. "(" in "(a)"
    trail: str  # punctuation that must follow the last word, e.g. "." in "U.N."


def plan_phrase(value: str) -> PhrasePlan:
    """Split a phrase into words and gaps; raise ValueError if it has no word to match."""
    text = value.translate(_PATTERN_CHARS).lower()
    found = list(_WORD.finditer(text))
    if not found:
        raise ValueError("a phrase needs at least one word (letters or digits) to match")
    words, gaps = [], []
    for i, m in enumerate(found):
        after_end = found[i + 1].start() if i + 1 < len(found) else len(text)
        after = text[m.end():after_end]
        prefix = after.startswith("*")
        words.append((m.group(), prefix))
        if i + 1 < len(found):
            gap = _WHITESPACE.sub("", after[1:] if prefix else after)
            gaps.append(None if gap.strip("-") == "" else gap)
    trail = text[found[-1].end():].strip().lstrip("*")
    lead = text[: found[0].start()].strip()
    return PhrasePlan(tuple(words), tuple(gaps), lead, _WHITESPACE.sub("", trail))


class DocIndex:
    """Tokens of one document with positions, sentence ids and an inverted word index."""

    def __init__(self, document: Document) -> None:
        self.document = document
        text = document.text
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.words: list[str] = []
        for m in _WORD.finditer(text):
            self.starts.append(m.start())
            self.ends.append(m.end())
            self.words.append(m.group().lower())
        self.sentence: list[int] = self._sentence_ids()
        self.space_gap: list[bool] = []  # the gap after token i joins a phrase (same sentence)
        self.by_word: dict[str, list[int]] = defaultdict(list)
        self.joined: dict[int, str] = {}  # token i + token i+1, split by a hyphen at a line end
        self._index_words(text)
        self._vocabulary: list[str] | None = None
        self._sentence_starts = [s.start for s in document.sentences]

    def _sentence_ids(self) -> list[int]:
        sentences = self.document.sentences
        ids, current = [], 0
        for start in self.starts:
            while current + 1 < len(sentences) and sentences[current + 1].start <= start:
                current += 1
            ids.append(current)
        return ids

    def _index_words(self, text: str) -> None:
        count = len(self.words)
        for i, word in enumerate(self.words):
            self.by_word[word].append(i)
            if word.endswith("'s"):
                self.by_word[word[:-2]].append(i)  # "the Group's" also matches "Group"
            if i + 1 == count:
                self.space_gap.append(False)
                break
            gap = text[self.ends[i]:self.starts[i + 1]]
            same = self.sentence[i] == self.sentence[i + 1]
            self.space_gap.append(same and _SPACE_OR_HYPHEN.fullmatch(gap) is not None)
            if same and _LINE_END_HYPHEN.fullmatch(gap):
                self.joined[i] = word + self.words[i + 1]
        for i, word in self.joined.items():
            self.by_word["\0" + word].append(i)

    # -- looking up words -------------------------------------------------------------------

    def vocabulary(self) -> list[str]:
        """Return the sorted distinct words of the document (joined words included)."""
        if self._vocabulary is None:
            self._vocabulary = sorted(w.lstrip("\0") for w in self.by_word)
        return self._vocabulary

    def occurrences(self, word: str, prefix: bool) -> list[tuple[int, int]]:
        """Return (first token, last token) of every occurrence of a word, in text order."""
        forms = self._forms(word) if prefix else [word]
        found: list[tuple[int, int]] = []
        for form in forms:
            found.extend((i, i) for i in self.by_word.get(form, ()))
            found.extend((i, i + 1) for i in self.by_word.get("\0" + form, ()))
        found.sort()
        return found

    def _forms(self, prefix: str) -> list[str]:
        vocabulary = self.vocabulary()
        lo = bisect.bisect_left(vocabulary, prefix)
        hi = bisect.bisect_left(vocabulary, prefix + "\U0010ffff")
        return list(dict.fromkeys(vocabulary[lo:hi]))

    def _word_at(self, i: int, word: str, prefix: bool) -> int:
        """Return the last token of `word` starting at token i, or -1."""
        token = self.words[i]
        stem = token.removesuffix("'s")
        if (token.startswith(word) if prefix else word in (token, stem)):
            return i
        joined = self.joined.get(i)
        if joined is not None and (joined.startswith(word) if prefix else joined == word):
            return i + 1
        return -1

    # -- positions ----------------------------------------------------------------------------

    def first_token(self, offset: int) -> int:
        """Return the index of the first token ending after offset."""
        return bisect.bisect_right(self.ends, offset)

    def last_token(self, offset: int) -> int:
        """Return the index of the last token starting before offset."""
        return bisect.bisect_left(self.starts, offset) - 1

    def words_between(self, end: int, start: int) -> int:
        """Return how many words lie between offset `end` and a later offset `start`."""
        return max(0, self.first_token(start) - self.last_token(end) - 1)

    def sentence_of(self, offset: int) -> int:
        """Return the index of the sentence containing offset."""
        return max(0, bisect.bisect_right(self._sentence_starts, offset) - 1)

    # -- matchers -----------------------------------------------------------------------------

    def phrase(self, plan: PhrasePlan) -> Matches:
        """Return every match of a phrase."""
        text = self.document.text
        out: list[Match] = []
        for first, last in self.occurrences(*plan.words[0]):
            last = self._extend(first, last, plan)
            if last < 0:
                continue
            start, end = self.starts[first], self.ends[last]
            if plan.lead and not text[:start].rstrip().endswith(plan.lead):
                continue
            if plan.trail and not text[end:].lstrip(" \t").startswith(plan.trail):
                continue
            out.append((start, end))
        return tuple(sorted(set(out)))

    def _extend(self, first: int, last: int, plan: PhrasePlan) -> int:
        text = self.document.text
        for (word, prefix), gap in zip(plan.words[1:], plan.gaps):
            nxt = last + 1
            if nxt >= len(self.words) or self.sentence[nxt] != self.sentence[first]:
                return -1
            if gap is None:
                if not self.space_gap[last]:
                    return -1
            elif _WHITESPACE.sub("", text[self.ends[last]:self.starts[nxt]]) != gap:
                return -1
            last = self._word_at(nxt, word, prefix)
            if last < 0:
                return -1
        return last

    def regex(self, pattern: str, ignore_case: bool) -> Matches:
        """Return every non-empty match of an RE2 regex over the normalised text."""
        compiled = compile_regex(pattern, ignore_case)
        return tuple(m.span() for m in compiled.finditer(self.document.text) if m.end() > m.start())

    def words_ending(self, suffix: str) -> Matches:
        """Return every word ending in suffix (the "n't" negation cue)."""
        return tuple((self.starts[i], self.ends[i])
                     for i, w in enumerate(self.words) if w.endswith(suffix))


def merge(*groups: Matches) -> Matches:
    """Return the sorted union of several match sets."""
    return tuple(sorted(set().union(*groups)))


def non_overlapping(matches: Matches) -> Matches:
    """Return matches left to right, skipping any that overlap one already taken."""
    out: list[Match] = []
    end = -1
    for match in matches:
        if match[0] >= end:
            out.append(match)
            end = match[1]
    return tuple(out)


def has_break(text: str) -> bool:
    """Return True if a clause break (';', ':' or the word "but") lies in text."""
    return _BREAKS.search(text) is not None or re.search(r"\bbut\b", text, re.IGNORECASE) is not None
