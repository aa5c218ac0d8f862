"""The per-document index and the matchers that run on it.

A document is tokenised once into word ids with positions, the kind of gap after each word and
the sentence of each word, all held in numpy arrays; a phrase is found from the positions of its
rarest word, checked against the other words, the gaps and the sentences a whole array at a time
(or one by one, when that word occurs only a few times), so its cost is the number of times that
word occurs, not the length of the draft. Regexes run on RE2 (linear time) over the normalised
text. A match is a (start, end) pair of character offsets into `Document.text`; a pattern's
value is `Matches` (checker.evaluation.matchset), its matches in text order.
"""

from __future__ import annotations

import bisect
import functools
import re

import numpy as np

from checker.document.model import Document
from checker.evaluation.matchset import NO_MATCH, Match, Matches, int_array, member, spans_array
from checker.language.regex import compile_regex
from checker.text import WHITESPACE, WORD, PhrasePlan

_WORD_SPLIT = re.compile(f"({WORD.pattern})")  # split() then alternates gaps and words
_LINE_END_HYPHEN = re.compile(r"-[ \t]*\n[ \t]*")
_BREAKS = re.compile(r"[;:]|\bbut\b", re.IGNORECASE)  # what ends a negation's reach

FEW_CANDIDATES = 16  # a phrase's rarest word occurring this often or less: checked one by one
_AROUND = 64  # characters looked at around a phrase for its leading and trailing punctuation


class DocIndex:
    """Tokens of one document as arrays, with an inverted word index.

    Built in a few passes at C speed: one regex split gives the words and the gaps between them,
    their offsets are cumulative lengths, each word and each gap gets an id, and a stable sort of
    the word ids gives every word's positions. A word split by a hyphen at a line end
    ("develop-\nment") is also known joined, and phrases near one are checked word by word.
    """

    def __init__(self, document: Document) -> None:
        self.document = document
        self.text = document.text
        self.lower = _lowercase(self.text)
        parts = _WORD_SPLIT.split(self.lower)  # gap, word, gap, word, ..., gap
        n = self.size = len(parts) // 2
        offsets = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)).cumsum()
        self.starts = offsets[0:2 * n:2]  # a word starts where the gap before it ends
        self.ends = offsets[1:2 * n:2]
        self._ids, self.ids = _numbered(parts[1::2])
        gaps = parts[2:2 * n:2]  # gaps[i] lies between word i and word i + 1
        del parts
        # A phrase compares a gap without its white space: gaps are numbered by that key.
        self._gap_ids, self.gaps = _numbered(gaps, {gap: _gap_key(gap)
                                                    for gap in dict.fromkeys(gaps)})
        del gaps
        plain = [i for key, i in self._gap_ids.items() if key.strip("-") == ""]
        self.plain_gaps = member(self.gaps, int_array(plain))  # only spaces, line breaks, hyphens
        self._sentence_starts = np.array(document.sentence_starts, dtype=np.int64)
        self._sentence_ends = np.array([s.end for s in document.sentences], dtype=np.int64)
        self.sentences = self.sentences_of(self.starts)
        # follow[i]: the word id of token i + 1 if a phrase may go on from token i to it (only
        # spaces, line breaks or hyphens between them, and no sentence break), else -1.
        self.follow = np.full(n, -1, dtype=self.ids.dtype)
        goes_on = self.plain_gaps & (self.sentences[:-1] == self.sentences[1:])
        self.follow[:-1][goes_on] = self.ids[1:][goes_on]
        self._order = self.ids.argsort(kind="stable")  # token positions grouped by word
        self._counts = np.bincount(self.ids, minlength=len(self._ids))
        self._bounds = np.concatenate(([0], self._counts.cumsum()))
        self.joined = self._joined()  # token i + token i+1, split by a hyphen at a line end
        self._joined_words: dict[str, list[int]] = {}
        for i, word in self.joined.items():
            self._joined_words.setdefault(word, []).append(i)
        self._joined_vocabulary = sorted(self._joined_words)
        self._joined_starts = int_array(sorted(self.joined))
        self._words: dict[tuple[str, bool], tuple[np.ndarray, int, list[int]]] = {}
        self._utf8: _Utf8 | None = None

    @functools.cached_property
    def _vocabulary(self) -> list[str]:
        """The document's distinct words, sorted (for prefix words, "develop*")."""
        return sorted(self._ids)

    @functools.cached_property
    def paragraph_spans(self) -> np.ndarray:
        """The (start, end) of every paragraph, as a k x 2 array."""
        return spans_array((p.start, p.end) for p in self.document.paragraphs)

    @functools.cached_property
    def paragraph_numbers(self) -> np.ndarray:
        """The number of every paragraph as printed, -1 for an unnumbered one."""
        return int_array(-1 if p.number is None else p.number for p in self.document.paragraphs)

    @functools.cached_property
    def bracket_spans(self) -> np.ndarray:
        """The bracketed ranges of the document, as a k x 2 array."""
        return spans_array(self.document.brackets)

    def word(self, i: int) -> str:
        """Return token i, lowercased."""
        return self.lower[int(self.starts[i]):int(self.ends[i])]

    def _joined(self) -> dict[int, str]:
        joined = {}
        for m in _LINE_END_HYPHEN.finditer(self.text):
            i = int(self.ends.searchsorted(m.start()))
            if (i + 1 < self.size and self.ends[i] == m.start()
                    and self.starts[i + 1] == m.end()
                    and self.sentences[i] == self.sentences[i + 1]):
                joined[i] = self.word(i) + self.word(i + 1)
        return joined

    # -- looking up words -------------------------------------------------------------------

    def word_info(self, word: tuple[str, bool]) -> tuple[np.ndarray, int, list[int]]:
        """Return what a phrase word (its text, and whether it is a `prefix*`) stands for in the
        document: the ids of the words it accepts (itself and its possessive, "Group's" is
        "Group"; for a prefix, every word starting with it), how many tokens are one of them,
        and the tokens i where token i and token i + 1, joined across a line-end hyphen, are it."""
        found = self._words.get(word)
        if found is None:
            text, prefix = word
            forms = _starting(self._vocabulary, text) if prefix else [text, text + "'s"]
            ids = int_array(sorted(self._ids[f] for f in forms if f in self._ids))
            joined = _starting(self._joined_vocabulary, text) if prefix else [text]
            found = self._words[word] = (ids, int(self._counts[ids].sum()), sorted(
                i for form in joined for i in self._joined_words.get(form, ())))
        return found

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Return the token positions of any of the word ids, in text order."""
        order, bounds = self._order, self._bounds
        if len(ids) == 1:
            return order[bounds[ids[0]]:bounds[ids[0] + 1]]
        return np.sort(np.concatenate([order[bounds[i]:bounds[i + 1]] for i in ids]
                                      or [int_array()]))

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
        if gap is None:
            return bool(self.plain_gaps[i])
        return self.gaps[i] == self._gap_ids.get(gap, -1)

    # -- positions ----------------------------------------------------------------------------

    def first_tokens(self, offsets: np.ndarray) -> np.ndarray:
        """Return the index of the first token ending after each offset."""
        return self.ends.searchsorted(offsets, side="right")

    def last_tokens(self, offsets: np.ndarray) -> np.ndarray:
        """Return the index of the last token starting before each offset."""
        return self.starts.searchsorted(offsets, side="left") - 1

    def sentences_of(self, offsets: np.ndarray) -> np.ndarray:
        """Return the index of the sentence containing each offset (see Document.sentence_at)."""
        return np.maximum(self._sentence_starts.searchsorted(offsets, side="right") - 1, 0)

    def sentence_spans(self, indices: np.ndarray) -> Matches:
        """Return the spans of sentences given by index (none in a draft of white space only,
        where `sentences_of` still says 0)."""
        if not len(self._sentence_starts):
            return NO_MATCH
        return Matches.of(self._sentence_starts[indices], self._sentence_ends[indices])

    def sentence_of(self, offset: int) -> int:
        """Return the index of the sentence containing offset."""
        return self.document.sentence_at(offset)

    def _crosses_sentence(self, start: int, end: int) -> bool:
        """Return True if a sentence starts inside (start, end)."""
        return self.sentence_of(start) != self.sentence_of(end - 1)

    # -- matchers -----------------------------------------------------------------------------

    def phrase(self, plan: PhrasePlan) -> Matches:
        """Return every match of a phrase, found from its rarest word outwards."""
        words = [self.word_info(w) for w in plan.words]
        rank = [0] if len(words) == 1 else sorted(range(len(words)),
                                                  key=lambda k: (words[k][1], k))
        if words[rank[0]][1]:
            starts, ends = self._plain_matches(plan, [ids for ids, _, _ in words], rank)
        else:  # a word of the phrase is nowhere in the draft, unless split at a line end
            starts = ends = int_array()
        found = Matches(starts, ends)  # one match per first token: in order, distinct
        # A word split at a line end ("develop-\nment") that is one of the phrase's words: the
        # candidates near each split are checked one by one.
        if self.joined and any(joined for _, _, joined in words):
            more = self._near_joins(plan, rank[0])
            if more:
                found = Matches.of(np.concatenate((starts, int_array(m[0] for m in more))),
                                   np.concatenate((ends, int_array(m[1] for m in more))))
        if plan.lead or plan.trail:
            found = found.select(np.array([self._punctuation_fits(plan, s, e) for s, e in found],
                                          dtype=bool))
        return found

    def _plain_matches(self, plan: PhrasePlan, accepted: list[np.ndarray],
                       rank: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Return the starts and ends of the matches made of whole tokens, checked from the
        rarest word's positions: first[j] is where a candidate begins.

        Word k and the gap before it are checked in one look-up where that gap may only be
        white space or a hyphen (nearly always): `follow` holds the next token's word id where
        a phrase may go on to it. The words are checked rarest first; word 0 has no gap before
        it, the anchor (the rarest) only its gap.
        """
        size, anchor = len(accepted), rank[0]
        order = [k for k in rank[1:] if k] + ([anchor] if anchor else [])
        positions = self.positions(accepted[anchor])
        if len(positions) <= FEW_CANDIDATES:
            return self._few_matches(plan, accepted, anchor, order, positions.tolist())
        first = positions - anchor
        if size > 1:
            first = first[(first >= 0) & (first <= self.size - size)]
        for k in order:
            found = self._followed(first, k, plan.gaps[k - 1])
            if k == anchor:
                first = first[found >= 0]
            else:
                first = first[member(found, accepted[k])]
        if anchor:
            first = first[member(self.ids[first], accepted[0])]
        return self.starts[first], self.ends[first + size - 1]

    def _followed(self, first: np.ndarray, k: int, gap: str | None) -> np.ndarray:
        """Return the id of word k of each candidate, -1 where the gap before it does not fit."""
        if gap is None:
            return self.follow[first + k - 1]
        fits = ((self.gaps[first + k - 1] == self._gap_ids.get(gap, -1))
                & (self.sentences[first + k - 1] == self.sentences[first + k]))
        return np.where(fits, self.ids[first + k], -1)

    def _few_matches(self, plan: PhrasePlan, accepted: list[np.ndarray], anchor: int,
                     order: list[int], positions: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """`_plain_matches` for a handful of candidates, one by one: an array operation costs
        a microsecond however small its array, and most phrases have a rare word."""
        size = len(accepted)
        words = [set(ids.tolist()) for ids in accepted]
        firsts = []
        for position in positions:
            first = position - anchor
            if first < 0 or first + size > self.size:
                continue
            for k in order:
                gap = plan.gaps[k - 1]
                if gap is None:
                    found = self.follow.item(first + k - 1)
                elif (self.gaps.item(first + k - 1) == self._gap_ids.get(gap, -1)
                      and self.sentences.item(first + k - 1) == self.sentences.item(first + k)):
                    found = self.ids.item(first + k)
                else:
                    found = -1
                if found < 0 or (k != anchor and found not in words[k]):
                    break
            else:
                if not anchor or self.ids.item(first) in words[0]:
                    firsts.append(first)
        first = int_array(firsts)
        return self.starts[first], self.ends[first + size - 1]

    def _near_joins(self, plan: PhrasePlan, anchor: int) -> list[Match]:
        """Return the matches that involve, or may involve, a word joined across a line end."""
        size = len(plan.words)
        ids, count, joined = self.word_info(plan.words[anchor])
        candidates = [(i, i + 1) for i in joined]
        if size > 1 and count:  # anchors within reach of a join: another word may be joined
            plain, joins = self.positions(ids), self._joined_starts
            k = joins.searchsorted(plain - size - 1)
            near = plain[(k < len(joins)) & (joins[np.minimum(k, len(joins) - 1)]
                                              <= plain + size + 1)]
            candidates += [(i, i) for i in near.tolist()]
        out = []
        for first, last in candidates:
            first = self._extend_left(first, plan, anchor)
            last = self._extend_right(last, plan, anchor) if first >= 0 else -1
            if last >= 0:
                start, end = int(self.starts[first]), int(self.ends[last])
                if not self._crosses_sentence(start, end):
                    out.append((start, end))
        return out

    def _punctuation_fits(self, plan: PhrasePlan, start: int, end: int) -> bool:
        """Punctuation around the words, e.g. "(a)" or "U.N.": look only just outside them."""
        if plan.lead and not self.text[max(0, start - _AROUND):start].rstrip().endswith(
                plan.lead):
            return False
        return not plan.trail or self.text[end:end + _AROUND].lstrip(" \t").startswith(
            plan.trail)

    def _extend_right(self, last: int, plan: PhrasePlan, anchor: int) -> int:
        for k in range(anchor + 1, len(plan.words)):
            if last + 1 >= self.size or not self._gap_fits(last, plan.gaps[k - 1]):
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
        if not utf8.ascii:  # (an empty match, or `\C`, may fall inside a character)
            spans = [(utf8.char_offset(start), utf8.char_offset(end)) for start, end in spans]
        return Matches.from_spans(span for span in spans if span[1] > span[0])

    def words_ending(self, suffix: str) -> Matches:
        """Return every word ending in suffix (the "n't" negation cue)."""
        ids = int_array(i for word, i in self._ids.items() if word.endswith(suffix))
        tokens = self.positions(ids)
        return Matches(self.starts[tokens], self.ends[tokens])


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
        """Return the character offset of a byte offset; inside a character, of that character."""
        k = bisect.bisect_right(self._byte_starts, byte) - 1
        if k < 0:
            return byte
        byte_start, byte_end, char_start, run = self._runs[k]
        if byte >= byte_end:
            return char_start + len(run) + (byte - byte_end)
        encoded = run.encode("utf-8", "surrogatepass")[:byte - byte_start]
        try:
            return char_start + len(encoded.decode("utf-8", "surrogatepass"))
        except UnicodeDecodeError as cut:  # inside a character: count the whole ones before it
            return char_start + len(encoded[:cut.start].decode("utf-8", "surrogatepass"))


def _lowercase(text: str) -> str:
    """Lowercase without moving any offset (a few characters, like "İ", lengthen when lowered)."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _same_word(token: str, word: str, prefix: bool, stem: bool = True) -> bool:
    if prefix:
        return token.startswith(word)
    return token == word or (stem and token.endswith("'s") and token[:-2] == word)


def _numbered(items: list[str],
              keys: dict[str, str] | None = None) -> tuple[dict[str, int], np.ndarray]:
    """Number the distinct items (or their keys) in order of appearance; return the numbers
    and, as an array, the number of each item."""
    if keys is None:
        numbers = {item: i for i, item in enumerate(dict.fromkeys(items))}
        of_item = numbers
    else:
        numbers = {key: i for i, key in enumerate(dict.fromkeys(keys.values()))}
        of_item = {item: numbers[key] for item, key in keys.items()}
    return numbers, np.fromiter(map(of_item.__getitem__, items), dtype=np.int32, count=len(items))


def _gap_key(gap: str) -> str:
    """Return what a phrase compares a gap with: its characters other than white space."""
    return WHITESPACE.sub("", gap) if not gap.isspace() else ""


def _starting(vocabulary: list[str], prefix: str) -> list[str]:
    """Return the words of a sorted vocabulary that start with prefix."""
    lo = bisect.bisect_left(vocabulary, prefix)
    hi = bisect.bisect_left(vocabulary, prefix + "\U0010ffff")
    return vocabulary[lo:hi]


def has_break(text: str) -> bool:
    """Return True if a clause break (';', ':' or the word "but") lies in text."""
    return _BREAKS.search(text) is not None
