"""Segmentation: a normalised text into sections, paragraphs, sentences and brackets.

Pass 1 classifies every non-blank line (heading, numbered paragraph, sub-item, text that carries
on the line before); pass 2 assembles paragraphs and splits their sentences; brackets come last.
`build_document` turns a reader's `Source` into a `checker.document.model.Document`.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Iterator
from enum import Enum
from typing import NamedTuple

from checker.document.model import (
    Document,
    Paragraph,
    Section,
    Sentence,
    Source,
    make_source,
    merge_ranges,
)

# ---------------------------------------------------------------------------------------------
# Segmentation, pass 1: classify every non-blank line.

_MAX_HEADING = 120
_LINE = re.compile(r"[^\S\n]*+(\S(?:[^\n]*\S)?)?[^\S\n]*+(?:\n|\Z)")  # group 1: trimmed
_LABELLED = re.compile(r"([A-Z]|[IVXLCDM]{2,})\.\s+(\S.*)")
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_DIGITS = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_MARKDOWN_HEADING = re.compile(r"(#{1,6})[ \t]+(\S.*)")  # closing #s are stripped after
_NUMBERED = re.compile(r"(\d{1,4})[.)](?=\s|$)")
_SUB_ITEM = re.compile(  # (a) (iv) (A) (1) a) iv) - + * and bullets
    r"(?:\((?:[A-Za-z]{1,2}|[ivxlcdm]{1,6}|\d{1,3})\)|(?:[a-z]{1,2}|[ivxlcdm]{1,6})\)"
    r"|[-+*\u2022\u2023\u25e6\u25aa])(?=\s|$)")
_CLOSERS = "\"')]"


class _Kind(Enum):
    """What a line does in the segmentation."""

    HEADING = "heading"  # a section heading, its own sentence
    NUMBERED = "numbered"  # starts a numbered paragraph
    SUB_ITEM = "sub-item"  # starts a run that stays in the current paragraph
    BLOCK = "block"  # starts an unnumbered paragraph
    LINE = "line"  # continues the current run of text


class _Line(NamedTuple):
    start: int  # first non-blank character
    end: int  # just after the last non-blank character
    kind: _Kind
    body: int  # where sentence ends are first looked for (after a "31." prefix)
    number: int | None = None
    heading: tuple[str | None, str, int] | None = None  # label, heading text, level


class _Labels:
    """The labelled headings seen so far, to tell "I." the letter from "I." the numeral."""

    def __init__(self) -> None:
        self.letter: str | None = None  # the last letter label since the last roman heading
        self.roman = 0
        self.seen_letter = False
        self.seen_roman = False

    def is_roman(self, label: str) -> bool:
        """Return True if label, just read, is a roman numeral rather than a letter."""
        if len(label) > 1:
            return True
        if label not in _ROMAN_DIGITS:
            return False
        if self.letter is not None and ord(label) == ord(self.letter) + 1:
            return False  # H. then I.
        if self.seen_roman and _roman_value(label) == self.roman + 1:
            return True  # IV. then V.
        return label == "I" and not self.seen_letter

    def level(self, roman: bool) -> int:
        """Return the level of a labelled plain-text heading."""
        return 2 if not roman and self.seen_roman else 1

    def note(self, label: str, roman: bool) -> None:
        """Record a heading's label."""
        if roman:
            self.roman, self.seen_roman, self.letter = _roman_value(label), True, None
        else:
            self.letter, self.seen_letter = label, True


def _roman_value(numeral: str) -> int:
    """Return the value of a valid roman numeral."""
    values = [_ROMAN_DIGITS[c] for c in numeral]
    return sum(-v if v < nxt else v for v, nxt in zip(values, [*values[1:], 0], strict=True))


def _text_lines(text: str) -> Iterator[tuple[int, int, bool]]:
    """Yield each non-blank line's trimmed span and whether it starts a block."""
    new_block = True
    for m in _LINE.finditer(text):
        start, end = m.span(1)
        if start < 0:
            new_block = True
        else:
            yield start, end, new_block
            new_block = False


def _labelled_heading(text: str, start: int, end: int,
                      labels: _Labels) -> tuple[str | None, str, int] | None:
    """Return (label, heading, level) if the line is a heading like "A. Overview"."""
    if end - start > _MAX_HEADING or text[end - 1] in ".;,:":
        return None
    m = _LABELLED.fullmatch(text, start, end)
    if m is None or not m[2][0].isupper() or (len(m[1]) > 1 and not _ROMAN.fullmatch(m[1])):
        return None
    roman = labels.is_roman(m[1])
    level = labels.level(roman)
    labels.note(m[1], roman)
    return m[1], m[2], level


def _markdown_heading(text: str, start: int, end: int,
                      labels: _Labels) -> tuple[str | None, str, int] | None:
    """Return (label, heading, level) if the line is a markdown heading like "## A. Overview"."""
    m = _MARKDOWN_HEADING.fullmatch(text, start, end)
    if m is None:
        return None
    title = m[2]
    unclosed = title.rstrip("#")
    if unclosed != title and (not unclosed or unclosed[-1].isspace()):
        title = unclosed.rstrip()  # "## Overview ##": closing hashes are not the title
    inner = _LABELLED.fullmatch(title)
    if inner is None or (len(inner[1]) > 1 and not _ROMAN.fullmatch(inner[1])):
        return None, title, len(m[1])
    labels.note(inner[1], labels.is_roman(inner[1]))
    return inner[1], inner[2], len(m[1])


def _ends_clause(text: str, start: int, end: int) -> bool:
    """Return True if the line ends like a sentence or a clause (so the next line may be new)."""
    i = end - 1
    while i > start and text[i] in _CLOSERS:
        i -= 1
    return text[i] in ".!?;:"


def _classify(text: str) -> tuple[list[_Line], list[tuple[int, int]]]:
    """Classify the non-blank lines of text; also return the blocks (runs of non-blank lines).

    A line that only carries on the sentence of the line above is not a line of its own: it
    lengthens that one (most lines of a draft are such; the segmentation is the same).
    """
    labels = _Labels()
    lines: list[_Line] = []
    blocks: list[list[int]] = []
    previous: _Line | None = None
    previous_end = 0  # where `previous` ends, with the lines that carry it on
    in_title = True  # no heading or numbered paragraph yet: every line may start something new
    number = 0  # of the last numbered paragraph
    for start, end, new_block in _text_lines(text):
        if new_block:
            blocks.append([start, end])
        else:
            blocks[-1][1] = end
            assert previous is not None
            if (not in_title and previous.kind is not _Kind.HEADING and text[start] != "#"
                    and not _ends_clause(text, previous.start, previous_end)):
                previous_end = end
                continue
        if previous is not None and previous_end != previous.end:
            previous = lines[-1] = previous._replace(end=previous_end)
        run_start = new_block or previous is None or previous.kind is _Kind.HEADING
        if run_start and _continues(text, start, previous):
            run_start = False
        # Inside a block (one paragraph per line, as Word saves text) a heading may only follow a
        # finished sentence, and a numbered paragraph must also be the next number.
        fresh = run_start or in_title or (
            previous is not None and _ends_clause(text, previous.start, previous.end))
        line = _classify_line(text, start, end, labels, run_start, fresh)
        if line.kind is _Kind.NUMBERED and not run_start and line.number != number + 1:
            line = line._replace(kind=_Kind.LINE, body=start, number=None)
        number = line.number if line.number is not None else number
        in_title = in_title and line.kind not in (_Kind.HEADING, _Kind.NUMBERED)
        lines.append(line)
        previous, previous_end = line, end
    if previous is not None and previous_end != previous.end:
        lines[-1] = previous._replace(end=previous_end)
    return lines, [(start, end) for start, end in blocks]


def _continues(text: str, start: int, previous: _Line | None) -> bool:
    """Return True if a block goes on with the sentence the previous one left unfinished."""
    # A page break in a converted PDF leaves "... a UN convention on" and "international
    # information security ..." in two blocks; a lowercase start shows they are one sentence.
    return (previous is not None and previous.kind is not _Kind.HEADING
            and text[start].islower() and not _ends_clause(text, previous.start, previous.end)
            and _SUB_ITEM.match(text, start) is None)


def _classify_line(text: str, start: int, end: int, labels: _Labels, run_start: bool,
                   fresh: bool) -> _Line:
    """Classify one trimmed line from its own text and its place in the block."""
    heading = None
    if text[start] == "#":
        heading = _markdown_heading(text, start, end, labels)
    elif fresh:
        heading = _labelled_heading(text, start, end, labels)
    if heading is not None:
        return _Line(start, end, _Kind.HEADING, end, heading=heading)
    number = _NUMBERED.match(text, start, end) if fresh else None
    if number is not None:
        return _Line(start, end, _Kind.NUMBERED, number.end(), number=int(number[1]))
    if not run_start:
        return _Line(start, end, _Kind.LINE, start)
    kind = _Kind.SUB_ITEM if _SUB_ITEM.match(text, start, end) else _Kind.BLOCK
    return _Line(start, end, kind, start)


def _title_end(lines: list[_Line]) -> int:
    """Return how many leading lines form the title block (none if the draft has no headings)."""
    if not any(line.kind is _Kind.HEADING for line in lines):
        return 0
    return next(i for i, line in enumerate(lines) if line.kind in (_Kind.HEADING, _Kind.NUMBERED))


# ---------------------------------------------------------------------------------------------
# Segmentation, pass 2: sections, paragraphs and runs of sentences.

# The lookahead is a cheap first filter (most full stops inside sentences precede a lowercase
# word); `_opens_sentence` then decides exactly.
# Possessive quantifiers and the lookbehind: a run of 40,000 dots must not be retried at every
# dot (quadratic), only matched once. The character class comes first so that the regex engine
# can skip ahead to the next ".", "!" or "?" (3x faster than starting with the lookbehind).
_TERMINATOR = re.compile(r"[.!?](?<![.!?][.!?])[.!?]*+[\"')\]]*+(?=\s+(?:[^a-z\s]|[a-z]{1,6}\)))")
_GAP = re.compile(r"\s+")
_OPENERS = "\"'(["
_ABBREVIATIONS = frozenset({
    "u.n.", "e.g.", "i.e.", "no.", "nos.", "para.", "paras.", "art.", "arts.", "mr.", "ms.",
    "mrs.", "dr.", "rev.", "vol.", "p.", "pp.", "cf.", "viz.", "st.", "jr.",
})
_INITIALS = re.compile(r"[A-Z]\.|(?:[A-Za-z]\.){2,}")
# A stop after this many letters in a row ends no abbreviation and no initial.
_TOO_MANY_LETTERS = 1 + max(len(part) for word in _ABBREVIATIONS for part in word.split("."))
_LONGEST_ABBREVIATION = 12


class _Assembler:
    """Turns classified lines into sections, paragraphs and sentences (used once per build)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.headings: list[tuple[str | None, str, int, int, int]] = []
        self.paragraphs: list[list[int | None]] = []  # [number, start, end, section]
        self.sentences: list[Sentence] = []
        self.run: list[int] | None = None  # [start, end, body] of the text being gathered
        self.open: int | None = None  # index of the paragraph lines are being added to

    def add(self, line: _Line, title: bool) -> None:
        """Place one classified line."""
        if title or line.kind is _Kind.HEADING:
            self._flush()
            self.open = None
            if line.kind is _Kind.HEADING:
                self._heading(line)
                self.sentences.append(Sentence(line.start, line.end, None))
            else:
                self._split(line.start, line.end, line.start, None)
        elif line.kind is _Kind.NUMBERED:
            self._start_paragraph(line, line.number)
        elif line.kind is _Kind.BLOCK or self.open is None:
            self._start_paragraph(line, None)
        elif line.kind is _Kind.SUB_ITEM:
            self._flush()
            self.run = [line.start, line.end, line.body]
        else:
            assert self.run is not None
            self.run[1] = line.end
        if self.open is not None:
            self.paragraphs[self.open][2] = line.end

    def _start_paragraph(self, line: _Line, number: int | None) -> None:
        self._flush()
        section = len(self.headings) - 1 if self.headings else None
        self.paragraphs.append([number, line.start, line.end, section])
        self.open = len(self.paragraphs) - 1
        self.run = [line.start, line.end, line.body]

    def _heading(self, line: _Line) -> None:
        assert line.heading is not None
        label, heading, level = line.heading
        newline = self.text.find("\n", line.end)
        body_start = len(self.text) if newline < 0 else newline + 1
        self.headings.append((label, heading, level, line.start, body_start))

    def _flush(self) -> None:
        if self.run is not None:
            start, end, body = self.run
            self._split(start, end, body, self.open)
            self.run = None

    def _split(self, start: int, end: int, body: int, paragraph: int | None) -> None:
        """Add the sentences of one run of text (a sentence never leaves its run)."""
        text, pos = self.text, start
        for m in _TERMINATOR.finditer(text, body, end):
            gap = _GAP.match(text, m.end(), end)
            if gap is None or gap.end() >= end or not _opens_sentence(text, gap):
                continue
            # "No." before a closing quote is an answer, not the start of "No. 5".
            if m[0] == "." and _is_abbreviation(text, m.start()):
                continue
            self.sentences.append(Sentence(pos, m.end(), paragraph))
            pos = gap.end()
        self.sentences.append(Sentence(pos, end, paragraph))

    def finish(self) -> tuple[tuple[Section, ...], tuple[Paragraph, ...], tuple[Sentence, ...]]:
        """Close the last run and return the sections, paragraphs and sentences."""
        self._flush()
        paragraphs = tuple(Paragraph(*p) for p in self.paragraphs)  # type: ignore[arg-type]
        return _sections(self.headings, len(self.text)), paragraphs, tuple(self.sentences)


def _opens_sentence(text: str, gap: re.Match[str]) -> bool:
    """Return True if the text after a full stop and gap can start a new sentence."""
    c = text[gap.end()]
    if c.isupper() or c.isdigit() or c in _OPENERS:
        return True
    # A list line ("a) ...", "- ...") after a finished sentence starts a new one.
    return "\n" in gap[0] and _SUB_ITEM.match(text, gap.end()) is not None


def _is_abbreviation(text: str, stop: int) -> bool:
    """Return True if the full stop at `stop` ends an abbreviation or an initial ("J.")."""
    if stop >= _TOO_MANY_LETTERS and text[stop - _TOO_MANY_LETTERS:stop].isalpha():
        return False  # the common case, a stop after a longer word, decided at once
    first = stop
    while first > 0 and stop - first < _LONGEST_ABBREVIATION and (
            text[first - 1].isalpha() or text[first - 1] == "."):
        first -= 1
    if first > 0 and (text[first - 1].isalpha() or text[first - 1] == "."):
        return False  # a long word, not an abbreviation
    word = text[first:stop + 1]
    return word.lower() in _ABBREVIATIONS or _INITIALS.fullmatch(word) is not None


def _sections(headings: list[tuple[str | None, str, int, int, int]],
              size: int) -> tuple[Section, ...]:
    """Build sections; each ends where the next heading of the same or a higher level starts."""
    ends = [size] * len(headings)
    open_: list[int] = []  # indices of sections not yet ended, levels increasing
    for i, (_, _, level, start, _) in enumerate(headings):
        while open_ and headings[open_[-1]][2] >= level:
            ends[open_.pop()] = start
        open_.append(i)
    return tuple(Section(label, heading, level, start, body, end)
                 for (label, heading, level, start, body), end in zip(headings, ends, strict=True))


# ---------------------------------------------------------------------------------------------
# Brackets.

_BRACKET = re.compile(r"[\[\]]")
_FOOTNOTE = re.compile(r"[\d,\s]*")


def _brackets(text: str, limits: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Find the outermost "[ ... ]" ranges; an unclosed "[" closes at the end of its paragraph.

    `limits` are the sorted, non-overlapping (start, end) spans an unclosed bracket may not leave.
    """
    ranges, opened = [], []
    for m in _BRACKET.finditer(text):
        if m[0] == "[":
            opened.append(m.start())
        elif opened:  # a stray "]" is ignored
            ranges.append((opened.pop() + 1, m.start()))
    starts = [start for start, _ in limits]
    for position in opened:
        i = bisect_right(starts, position) - 1
        end = limits[i][1] if i >= 0 and position < limits[i][1] else len(text)
        ranges.append((position + 1, end))
    return merge_ranges(r for r in ranges if not _FOOTNOTE.fullmatch(text, *r))


def _bracket_limits(paragraphs: tuple[Paragraph, ...],
                    blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the spans an unclosed bracket closes at: paragraphs, else blocks outside them."""
    spans = [(p.start, p.end) for p in paragraphs]
    starts = [p.start for p in paragraphs]
    for start, end in blocks:
        i = bisect_right(starts, start) - 1
        if i < 0 or start >= spans[i][1]:
            spans.append((start, end))
    return sorted(spans)


# ---------------------------------------------------------------------------------------------

def build_document(source: Source) -> Document:
    """Segment a normalised source into sections, paragraphs, sentences and brackets."""
    text = source.text
    lines, blocks = _classify(text)
    assembler = _Assembler(text)
    title_end = _title_end(lines)
    for i, line in enumerate(lines):
        assembler.add(line, i < title_end)
    sections, paragraphs, sentences = assembler.finish()
    brackets = _brackets(text, _bracket_limits(paragraphs, blocks))
    return Document(source.path, hashlib.sha256(source.raw).hexdigest(), text, sections,
                    paragraphs, sentences, brackets, source)


def parse_document(text: str, path: str = "<text>") -> Document:
    """Build a Document from text already in memory (used by rule examples and tests)."""
    # surrogatepass: text from anywhere (even lone surrogates) must never make this raise.
    return build_document(make_source(path, text.encode("utf-8", "surrogatepass"), text))
