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
import operator
import re
from array import array
from collections import OrderedDict
from dataclasses import dataclass

import re2

from checker.document import Document, normalize

Match = tuple[int, int]
Matches = tuple[Match, ...]

# A word: letters and digits, with inner apostrophes kept ("didn't", "Group's").
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_SPACE_OR_HYPHEN = re.compile(r"[\s\-]+")
_LINE_END_HYPHEN = re.compile(r"-[ \t]*\n[ \t]*")
_WHITESPACE = re.compile(r"\s+")
_BREAKS = re.compile(r"[;:]|\bbut\b", re.IGNORECASE)  # what ends a negation's reach

POSITION_SET_BUDGET = 1_000_000  # positions kept in sets for phrase pruning (~60 MB at most)
_AROUND = 64  # characters looked at around a phrase for its leading and trailing punctuation
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
        # Compiled as bytes, it runs over the UTF-8 text without the wrapper's per-match
        # conversion of offsets (see DocIndex.regex).
        return re2.compile(pattern.encode("utf-8", "surrogatepass"), options)
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


@functools.lru_cache(maxsize=65536)
def plan_phrase(value: str) -> PhrasePlan:
    """Split a phrase into words and gaps; raise ValueError if it has no word to match."""
    text = normalize(value).lower()
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
    """Tokens of one document with their positions and an inverted word index.

    Built in a few passes at C speed: the words, their start offsets (compact arrays) and a
    word -> token positions dictionary. Everything else (gaps between words, sentences, words
    joined across a line-end hyphen) is looked up only where a candidate match needs it.
    """

    def __init__(self, document: Document) -> None:
        self.document = document
        self.text = document.text
        self.lower = _lowercase(self.text)
        words = _WORD.findall(self.lower)
        self.starts = array("l", [m.start() for m in _WORD.finditer(self.lower)])
        self.ends = array("l", map(operator.add, self.starts, map(len, words)))
        self.by_word = _inverted(words)
        del words  # the lowered text holds every word; the list would double the memory
        self._sentence_starts = document.sentence_starts
        self.joined = self._joined()  # token i + token i+1, split by a hyphen at a line end
        for i, word in self.joined.items():
            self.by_word.setdefault("\0" + word, []).append(i)
        self._vocabulary: list[str] | None = None
        self._occurrences: dict[tuple[str, bool], tuple[list[int], list[int]]] = {}
        self._position_sets: OrderedDict[tuple[str, bool], set[int]] = OrderedDict()
        self._position_set_size = 0
        self._joined_starts = sorted(self.joined)
        self._utf8: _Utf8 | None = None

    def word(self, i: int) -> str:
        """Return token i, lowercased."""
        return self.lower[self.starts[i]:self.ends[i]]

    def _joined(self) -> dict[int, str]:
        joined = {}
        for m in _LINE_END_HYPHEN.finditer(self.text):
            i = bisect.bisect_left(self.ends, m.start())
            if (i + 1 < len(self.starts) and self.ends[i] == m.start()
                    and self.starts[i + 1] == m.end()
                    and self.sentence_of(self.starts[i]) == self.sentence_of(m.end())):
                joined[i] = self.word(i) + self.word(i + 1)
        return joined

    # -- looking up words -------------------------------------------------------------------

    def vocabulary(self) -> list[str]:
        """Return the sorted distinct words of the document (joined words included)."""
        if self._vocabulary is None:
            self._vocabulary = sorted({w.lstrip("\0") for w in self.by_word})
        return self._vocabulary

    def occurrences(self, word: str, prefix: bool) -> tuple[list[int], list[int]]:
        """Return the tokens where a word occurs: (plain, joined) positions in text order;
        a joined occurrence spans token i and i+1 (split by a hyphen at a line end)."""
        key = (word, prefix)
        if key not in self._occurrences:
            forms = self._forms(word) if prefix else [word]
            plain = [self.by_word.get(form, []) for form in forms]
            joined = [self.by_word.get("\0" + form, []) for form in forms]
            self._occurrences[key] = (
                plain[0] if len(plain) == 1 else sorted(i for p in plain for i in p),
                sorted(i for j in joined for i in j))
        return self._occurrences[key]

    def _count(self, word: str, prefix: bool) -> int:
        plain, joined = self.occurrences(word, prefix)
        return len(plain) + len(joined)

    def _forms(self, prefix: str) -> list[str]:
        vocabulary = self.vocabulary()
        lo = bisect.bisect_left(vocabulary, prefix)
        hi = bisect.bisect_left(vocabulary, prefix + "\U0010ffff")
        return vocabulary[lo:hi]

    def _word_at(self, i: int, word: str, prefix: bool) -> int:
        """Return the last token of `word` starting at token i, or -1."""
        if _same_word(self.word(i), word, prefix):
            return i
        joined = self.joined.get(i)
        if joined is not None and _same_word(joined, word, prefix, stem=False):
            return i + 1
        return -1

    def _word_ending_at(self, i: int, word: str, prefix: bool) -> int:
        """Return the first token of `word` ending at token i, or -1."""
        if _same_word(self.word(i), word, prefix):
            return i
        joined = self.joined.get(i - 1)
        if joined is not None and _same_word(joined, word, prefix, stem=False):
            return i - 1
        return -1

    def _gap_fits(self, i: int, gap: str | None) -> bool:
        """Return True if the text between token i and token i+1 is what a phrase allows."""
        between = self.text[self.ends[i]:self.starts[i + 1]]
        if gap is None:
            return _SPACE_OR_HYPHEN.fullmatch(between) is not None
        return _WHITESPACE.sub("", between) == gap

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

    def _crosses_sentence(self, start: int, end: int) -> bool:
        """Return True if a sentence starts inside (start, end)."""
        i = bisect.bisect_right(self._sentence_starts, start)
        return i < len(self._sentence_starts) and self._sentence_starts[i] < end

    def sentence_of(self, offset: int) -> int:
        """Return the index of the sentence containing offset."""
        return self.document.sentence_at(offset)

    # -- matchers -----------------------------------------------------------------------------

    def phrase(self, plan: PhrasePlan) -> Matches:
        """Return every match of a phrase, found from its rarest word outwards."""
        words = plan.words
        starts, ends = self.starts, self.ends
        anchor = self._rarest(words) if len(words) > 1 else 0
        plain, joined = self.occurrences(*words[anchor])
        if len(words) == 1 and not (plan.lead or plan.trail):  # one word: every occurrence
            spans = [(starts[i], ends[i]) for i in plain]
            spans += [(starts[i], ends[i + 1]) for i in joined
                      if not self._crosses_sentence(starts[i], ends[i + 1])]
            return tuple(sorted(spans)) if joined else tuple(spans)
        out: list[Match] = []
        candidates = [(i, i) for i in self._plausible(plain, words, anchor)]
        candidates += [(i, i + 1) for i in joined]
        for first, last in candidates:
            first = self._extend_left(first, plan, anchor)
            last = self._extend_right(last, plan, anchor) if first >= 0 else -1
            if last < 0:
                continue
            start, end = starts[first], ends[last]
            if self._crosses_sentence(start, end):
                continue  # no phrase spans two sentences
            # Punctuation around the words, e.g. "(a)" or "U.N.": look only just outside them.
            before = self.text[max(0, start - _AROUND):start]
            if plan.lead and not before.rstrip().endswith(plan.lead):
                continue
            if plan.trail and not self.text[end:end + _AROUND].lstrip(" \t").startswith(
                    plan.trail):
                continue
            out.append((start, end))
        return tuple(sorted(set(out)))  # in text order already, but for joined-word duplicates

    def _plausible(self, positions: list[int], words: tuple[tuple[str, bool], ...],
                   anchor: int) -> list[int]:
        """Keep the anchor positions where the phrase's second-rarest word stands at the right
        distance too (a set lookup), before the word-by-word check. Near a word joined across a
        line-end hyphen distances shift, so there every position is kept."""
        if len(words) < 2:  # one word with punctuation around it, e.g. "(a)"
            return positions
        other = min((k for k in range(len(words)) if k != anchor),
                    key=lambda k: (self._count(*words[k]), k))
        shift = other - anchor
        at = self._position_set(*words[other])
        joined = self._joined_starts
        if not joined:
            return [i for i in positions if i + shift in at]
        reach = range(-max(0, shift) - 1, -min(0, shift) + 2)  # anchor offsets around a join
        near_join = {j + d for j in joined for d in reach}
        return [i for i in positions if i + shift in at or i in near_join]

    def _position_set(self, word: str, prefix: bool) -> set[int]:
        """Return a word's plain positions as a set, kept within POSITION_SET_BUDGET (LRU)."""
        key = (word, prefix)
        cached = self._position_sets.pop(key, None)
        if cached is None:
            cached = set(self.occurrences(word, prefix)[0])
            self._position_set_size += len(cached)
        self._position_sets[key] = cached  # most recently used last
        while self._position_set_size > POSITION_SET_BUDGET and len(self._position_sets) > 1:
            _, evicted = self._position_sets.popitem(last=False)
            self._position_set_size -= len(evicted)
        return cached

    def _rarest(self, words: tuple[tuple[str, bool], ...]) -> int:
        """Return the position of the phrase word with the fewest occurrences."""
        return min(range(len(words)), key=lambda k: (self._count(*words[k]), k))

    def _extend_right(self, last: int, plan: PhrasePlan, anchor: int) -> int:
        for k in range(anchor + 1, len(plan.words)):
            if last + 1 >= len(self.starts) or not self._gap_fits(last, plan.gaps[k - 1]):
                return -1
            last = self._word_at(last + 1, *plan.words[k])
            if last < 0:
                return -1
        return last

    def _extend_left(self, first: int, plan: PhrasePlan, anchor: int) -> int:
        for k in range(anchor - 1, -1, -1):
            if first < 1 or not self._gap_fits(first - 1, plan.gaps[k]):
                return -1
            first = self._word_ending_at(first - 1, *plan.words[k])
            if first < 0:
                return -1
        return first

    def regex(self, pattern: str, ignore_case: bool) -> Matches:
        """Return every non-empty match of an RE2 regex over the normalised text."""
        compiled = compile_regex(pattern, ignore_case)
        if self._utf8 is None:
            self._utf8 = _Utf8(self.text)
        utf8 = self._utf8
        spans = [m.span() for m in compiled.finditer(utf8.data)]
        if utf8.ascii:
            return tuple(span for span in spans if span[1] > span[0])
        char = utf8.char_offset
        return tuple((char(start), char(end)) for start, end in spans if end > start)

    def words_ending(self, suffix: str) -> Matches:
        """Return every word ending in suffix (the "n't" negation cue)."""
        tokens = sorted(i for word in self.vocabulary() if word.endswith(suffix)
                        for i in self.by_word.get(word, ()))
        return tuple((self.starts[i], self.ends[i]) for i in tokens)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


class _Utf8:
    """The text encoded as UTF-8 (what RE2 scans), and byte offsets mapped back to characters.

    Drafts are mostly ASCII: only the runs of other characters are recorded, and an offset is
    converted with one bisection instead of decoding the text up to it.
    """

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8", "surrogatepass")
        self.ascii = len(self.data) == len(text)
        self._byte_starts: list[int] = []
        self._runs: list[tuple[int, int, int, str]] = []  # byte start, byte end, char start, run
        extra = 0  # bytes beyond one per character before the current run
        for m in [] if self.ascii else _NON_ASCII.finditer(text):
            size = len(m[0].encode("utf-8", "surrogatepass"))
            self._byte_starts.append(m.start() + extra)
            self._runs.append((m.start() + extra, m.end() + extra + size - len(m[0]),
                               m.start(), m[0]))
            extra += size - len(m[0])

    def char_offset(self, byte: int) -> int:
        """Return the character offset of a byte offset (at a character boundary)."""
        k = bisect.bisect_right(self._byte_starts, byte) - 1
        if k < 0:
            return byte
        byte_start, byte_end, char_start, run = self._runs[k]
        if byte >= byte_end:
            return char_start + len(run) + (byte - byte_end)
        encoded = run.encode("utf-8", "surrogatepass")[:byte - byte_start]
        return char_start + len(encoded.decode("utf-8", "surrogatepass"))


def _lowercase(text: str) -> str:
    """Lowercase without moving any offset (a few characters, like "İ", lengthen when lowered)."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _inverted(words: list[str]) -> dict[str, list[int]]:
    """Return word -> positions; "the Group's" is also filed under "group"."""
    index: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        positions = index.get(word)
        if positions is None:
            index[word] = [i]
        else:
            positions.append(i)
    for word in [w for w in index if w.endswith("'s")]:
        stem = word[:-2]
        index[stem] = sorted(index.get(stem, []) + index[word])
    return index


def _same_word(token: str, word: str, prefix: bool, stem: bool = True) -> bool:
    if prefix:
        return token.startswith(word)
    return token == word or (stem and token.endswith("'s") and token[:-2] == word)


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
    return _BREAKS.search(text) is not None
