"""The document model: one normalised text with sections, paragraphs, sentences and brackets.

Every reader (one per input format, see `checker.document.read`) produces a `Source`;
`checker.document.segment.build_document` turns it into a `Document`. The rest of draftcheck never
knows the input format. All offsets are character offsets into `Document.text`, the normalised text;
`Document.location` maps any offset back to the line and column (and page, for PDF) of the
original file.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from checker.text import INVISIBLE, MAYBE_INVISIBLE, plain_characters

_LINE_BREAK = re.compile(r"\r\n?|\n")


@dataclass(frozen=True)
class Location:
    """A place in the original draft file: 1-based line and column (characters), page if paged."""

    line: int
    column: int
    page: int | None = None


@dataclass(frozen=True)
class Section:
    """A headed part of the draft. `end` covers its subsections too."""

    label: str | None  # "G", "II", or None for a heading without a label
    heading: str  # the heading text without its label, e.g. "Regular institutional dialogue"
    level: int  # 1 for top level; deeper headings have larger numbers
    start: int  # offset of the heading line
    body_start: int  # offset just after the heading line
    end: int  # offset where the next section of the same or a higher level starts (or text end)

    @property
    def title(self) -> str:
        """The heading as printed, e.g. "G. Regular institutional dialogue"."""
        return f"{self.label}. {self.heading}" if self.label else self.heading


@dataclass(frozen=True)
class Paragraph:
    """A numbered paragraph (number as printed) or an unnumbered block of text."""

    number: int | None
    start: int
    end: int
    section: int | None  # index into Document.sections of the innermost enclosing section


@dataclass(frozen=True)
class Sentence:
    """A sentence; headings and title lines are sentences too (with paragraph None)."""

    start: int
    end: int
    paragraph: int | None  # index into Document.paragraphs


class OffsetMap:
    """A piecewise map of offsets given by sorted (from, to) anchor pairs, slope 1 between them."""

    def __init__(self, anchors: Sequence[tuple[int, int]]) -> None:
        self.sources = [a for a, _ in anchors]
        self.targets = [b for _, b in anchors]

    def map(self, offset: int) -> int:
        """Return where an offset goes: as far past its anchor's target as it is past the anchor."""
        i = bisect_right(self.sources, offset) - 1
        if i < 0:
            return offset
        return self.targets[i] + (offset - self.sources[i])

    def first_reaching(self, target: int) -> int:
        """Return the smallest offset mapped to `target` or beyond (the map only increases)."""
        j = max(bisect_right(self.targets, target) - 1, 0)
        offset = self.sources[j] + (target - self.targets[j])
        if j + 1 < len(self.sources):
            offset = min(offset, self.sources[j + 1])  # target was deleted: the next kept one
        return offset


@dataclass(frozen=True)
class Source:
    """What a reader hands over: the original text and the normalised text with its offset map."""

    path: str
    raw: bytes
    original: str  # the decoded text, before normalisation
    text: str  # normalised text
    # Sorted (normalised offset, original offset) anchor pairs: between anchors the two advance
    # together, so the original offset of n is orig + (n - norm) for the last anchor with norm <= n.
    anchors: tuple[tuple[int, int], ...] = ((0, 0),)
    pages: tuple[int, ...] = ()  # original offsets where pages 2, 3, ... start (PDF only)

    @cached_property
    def _to_original(self) -> OffsetMap:
        return OffsetMap(self.anchors)

    def original_offset(self, offset: int) -> int:
        """Return the offset in `original` of an offset in `text` (clamped to the text)."""
        return self._to_original.map(min(max(offset, 0), len(self.text)))


@dataclass(frozen=True)
class Document:
    """A draft, read and segmented once, shared by every rule set checked against it."""

    path: str
    sha256: str
    text: str
    sections: tuple[Section, ...]
    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[Sentence, ...]
    brackets: tuple[tuple[int, int], ...]  # sorted, non-overlapping ranges inside "[ ... ]"
    source: Source = field(repr=False)

    # The lookup tables below are derived data, built on first use. cached_property writes to
    # the instance __dict__ directly, so it works on this frozen (non-slots) dataclass and adds
    # no field.

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0, *(m.end() for m in _LINE_BREAK.finditer(self.source.original))]

    @cached_property
    def sentence_starts(self) -> list[int]:
        """Return the start offset of every sentence, in order (for bisect)."""
        return [s.start for s in self.sentences]

    @cached_property
    def _paragraph_starts(self) -> list[int]:
        return [p.start for p in self.paragraphs]

    @cached_property
    def _section_starts(self) -> list[int]:
        return [s.start for s in self.sections]

    def original_offset(self, offset: int) -> int:
        """Return the offset in the original (decoded) text of a normalised offset."""
        return self.source.original_offset(offset)

    def location(self, offset: int) -> Location:
        """Return the original line/column (and page) of a normalised offset."""
        orig = self.original_offset(offset)
        line = bisect_right(self._line_starts, orig)
        column = orig - self._line_starts[line - 1] + 1
        page = bisect_right(self.source.pages, orig) + 1 if self.source.pages else None
        return Location(line, column, page)

    def sentence_at(self, offset: int) -> int:
        """Return the index of the sentence containing offset (else the nearest one before it)."""
        # Before the first sentence (leading blank space) the first sentence is the nearest.
        return max(bisect_right(self.sentence_starts, offset) - 1, 0)

    def paragraph_at(self, offset: int) -> int | None:
        """Return the index of the paragraph containing offset, or None outside paragraphs."""
        i = bisect_right(self._paragraph_starts, offset) - 1
        return i if i >= 0 and offset < self.paragraphs[i].end else None

    def section_at(self, offset: int) -> int | None:
        """Return the index of the innermost section containing offset, or None before any."""
        # The last heading at or before offset is the innermost section: sections nest, and a
        # section only ends where a later heading starts.
        i = bisect_right(self._section_starts, offset) - 1
        return i if i >= 0 and offset < self.sections[i].end else None


def make_source(path: str, raw: bytes, original: str,
                markup: Iterable[tuple[int, int]] = ()) -> Source:
    """Normalise decoded text into a Source, also deleting markup spans (original offsets)."""
    deleted = INVISIBLE.finditer(original) if MAYBE_INVISIBLE.search(original) else ()
    spans = heapq.merge(sorted(markup), (m.span() for m in deleted))
    kept, anchors = _delete(original, spans)
    text = plain_characters(kept)
    return Source(path, raw, original, text, anchors)


def _delete(original: str,
            spans: Iterable[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Remove sorted (possibly overlapping) spans; return the rest and its anchors."""
    parts: list[str] = []
    anchors = [(0, 0)]
    pos = kept = 0
    for start, end in spans:
        if end <= pos:
            continue
        start = max(start, pos)
        parts.append(original[pos:start])
        kept += start - pos
        pos = end
        # Adjacent deletions share one change point.
        if anchors[-1][0] == kept:
            anchors[-1] = (kept, end)
        else:
            anchors.append((kept, end))
    parts.append(original[pos:])
    return "".join(parts), tuple(anchors)


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Merge (start, end) ranges into sorted ones of which none overlaps or contains another."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)
