"""The PDF reader: a draft's text layer, page by page, without running headers and footers.

pypdf extracts each page's text in its plain mode, which follows the order of the page's content
stream: for the one-column documents that Word and LibreOffice make of a UN draft that is the
reading order, one output line per printed line, words separated by single spaces (a few more in
justified lines, which phrases still match). Its layout mode was tried and rejected (see
docs/decisions.md, Documents).

PDF text has no blank lines between paragraphs, so the reader puts them back (the segmenter splits
blocks at blank lines) where
- the vertical gap between two lines of a page is clearly wider than the document's usual line
  spacing (positions come from pypdf's text visitor). In a document that sets its paragraphs
  apart this way (UN documents do, with 6 pt), gaps alone decide within a page; otherwise, and
  across page breaks (where no gap can be measured), line lengths decide:
- a line much shorter than a full line is the last line of a paragraph, a heading or a title line
  (but sub-items "(a)" run on in their paragraph's block, as in a text export of the draft);
- a short line without punctuation after a finished clause is a heading.
Numbered paragraphs and labelled headings that follow a full line are found by the segmenter itself
(a line ending in "." may be followed by one), so a paragraph going on over a page break stays one.

Lines that repeat at the top or bottom of most pages (the document symbol, "3/15", "Page 3 of 15",
the job number "23-12345", "GE.23-..."; digits count as wildcards) are running headers and footers:
they are dropped, and so is any line standing as high or as low on its page as they do (the
first page's own footer "GE.23-12345 (E)"). A one-page draft keeps them: nothing repeats.

So `Source.original` is the extracted text as assembled here (running lines dropped, blank lines
added between paragraphs, ligatures spelled out, line ends stripped): evidence line numbers count
lines of that text, not of any page, and `Source.pages` gives the PDF page of every offset.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import pairwise
from statistics import median
from typing import TYPE_CHECKING

from checker.document.model import Source, make_source
from checker.errors import DraftError

if TYPE_CHECKING:
    from pypdf import PageObject

# Readers accept "%PDF-" anywhere in the first KiB, as Acrobat does.
_MAGIC = b"%PDF-"
_MAGIC_WINDOW = 1024
_END = b"%%EOF"  # the last thing in a PDF, give or take a few bytes: its absence means truncated
_RUNNING_DEPTH = 3  # lines looked at, at the top and at the bottom of each page
_RUNNING_SHARE = 0.6  # a running header or footer is on at least this share of pages ...
_RUNNING_MIN_PAGES = 2  # ... and on at least this many
_MARGIN_GAP = 2.0  # font sizes: a running line this far from the text stands in the margin
_MARGIN_SPARE = 1.5  # font sizes: a first-page footer may stand a line above the others
_GAP_FACTOR = 1.25  # a gap this many times the usual line spacing separates paragraphs
_SPACED_SHARE = 0.1  # a document with this share of such gaps sets its paragraphs apart
_MIN_PAIRS = 3  # line pairs needed to measure the usual line spacing
_SHORT_LINE = 0.7  # a line under this share of a full line ends a paragraph (or is a heading)
_FULL_LINE_QUANTILE = 0.8  # the length of a full line: this quantile of all line lengths
_MIN_READABLE = 0.5  # a text layer with fewer letters and digits than this share is not text

_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_MARKER = re.compile(r"\(?(?:\d{1,4}|[A-Za-z]{1,2}|[ivxlcdm]{1,6})[.)]|[-*\u2022]")
_ITEM = re.compile(r"\s*(?:\((?:[A-Za-z]{1,2}|[ivxlcdm]{1,6}|\d{1,3})\)|[-*\u2022])(?=\s|$)")
_ENDS_CLAUSE = re.compile(r"[.!?;:][\"')\]]*$")
_ENDS_PUNCTUATED = re.compile(r"[.!?;:,][\"')\]]*$")
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
              "\ufb05": "st", "\ufb06": "st"}
_CLEAN = re.compile("[" + "".join(_LIGATURES) + r"\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class _Line:
    """One extracted line, with where it stands on its page when pypdf says so."""

    text: str
    y: float | None = None  # baseline height in PDF units (grows upwards)
    size: float | None = None  # font size in PDF units

    @property
    def length(self) -> int:
        """Return the line's length with every run of spaces counted as one."""
        return len(_SPACES.sub(" ", self.text.strip()))


def read_pdf(path: str, raw: bytes, *, original: bool = False) -> Source:
    """Read a PDF draft's text layer; raise DraftError for anything but a readable, text PDF."""
    pages = _extract(path, raw)
    if not any(line.text.strip() for page in pages for line in page):
        raise DraftError.at(path, "no text layer: scanned PDF? run OCR first")
    pages = _drop_running_lines(pages)
    original, starts = _assemble(pages)
    visible = _SPACES.sub("", original)
    if not visible:  # only page numbers and stamps: a scan with a text footer
        raise DraftError.at(path, "no text layer: scanned PDF? run OCR first")
    if sum(c.isalnum() for c in visible) < _MIN_READABLE * len(visible):
        raise DraftError.at(path, "the text layer is not readable text (fonts without a Unicode "
                                  "map?): run OCR on the PDF or export it again")
    return replace(make_source(path, raw, original), pages=starts)


# ---------------------------------------------------------------------------------------------
# Extraction.

def _extract(path: str, raw: bytes) -> list[list[_Line]]:
    """Return the lines of every page; raise DraftError if the file is not a readable PDF."""
    if _MAGIC not in raw[:_MAGIC_WINDOW]:
        raise DraftError.at(path, "not a PDF file (it does not start with %PDF-); a text draft "
                                  "needs a .txt or .md suffix")
    if _END not in raw[-_MAGIC_WINDOW:]:
        raise DraftError.at(path, "the PDF is truncated (no %%EOF at its end): download or "
                                  "export it again")
    # Imported here: pypdf takes a tenth of a second to import, which text drafts need not pay.
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    with _quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(raw))
            if reader.is_encrypted and not reader.decrypt(""):
                raise DraftError.at(path, "the PDF is encrypted and needs a password: save a copy "
                                          "without password protection first")
            return [_page_lines(path, number, page) for number, page in enumerate(reader.pages, 1)]
        except DependencyError as error:  # AES needs the cryptography package
            raise DraftError.at(path, f"cannot decrypt the PDF ({error}): install "
                                      "pypdf[crypto], or save a copy without protection") from error
        except FileNotDecryptedError as error:
            raise DraftError.at(path, f"cannot decrypt the PDF: {error}") from error
        except DraftError:
            raise
        # pypdf reports damaged files with its own errors but also with ValueError, KeyError,
        # TypeError, ... from deep inside its parser: any of them means "cannot read this PDF".
        except Exception as error:
            raise DraftError.at(path, f"cannot read the PDF (damaged or truncated?): "
                                      f"{type(error).__name__}: {error}") from error


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Silence pypdf's warnings ("EOF marker not found"): the CLI's stderr is for our messages."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _page_lines(path: str, number: int, page: PageObject) -> list[_Line]:
    """Return a page's lines, each with its height and font size if the visitor gave them."""
    chunks: list[tuple[str, list[float], list[float], float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        chunks.append((text, cm, tm, size))

    try:
        text = page.extract_text(visitor_text=visit)
    except Exception as error:  # as in _extract: pypdf fails on bad content in many ways
        raise DraftError.at(path, f"cannot extract the text of page {number} (damaged PDF?): "
                                  f"{type(error).__name__}: {error}") from error
    # Positions are only trusted if the visitor saw exactly the text returned, on a page that is
    # not turned sideways (where "down the page" is no longer down the y axis).
    if "".join(chunk[0] for chunk in chunks) != text or page.rotation % 180:
        return [_Line(_clean(line)) for line in text.split("\n")]
    lines: list[_Line] = []
    parts: list[str] = []
    y = size = None
    for chunk, cm, tm, font_size in chunks:
        for i, piece in enumerate(chunk.split("\n")):
            if i:
                lines.append(_Line(_clean("".join(parts)), y, size))
                parts, y, size = [], None, None
            parts.append(piece)
            if y is None and piece.strip():
                y, size = _placement(cm, tm, font_size)
    lines.append(_Line(_clean("".join(parts)), y, size))
    # With positions known, paragraph breaks come from the gaps: pypdf's own empty lines go.
    return [line for line in lines if line.text]


def _placement(cm: list[float], tm: list[float], font_size: float) -> tuple[float, float]:
    """Return the baseline height and the rendered font size of text at matrices tm x cm."""
    c = tm[2] * cm[0] + tm[3] * cm[2]
    d = tm[2] * cm[1] + tm[3] * cm[3]
    y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
    return y, abs(font_size) * math.hypot(c, d)


def _clean(line: str) -> str:
    """Strip a line's end, spell out ligatures, drop control characters, show a soft hyphen."""
    line = _CLEAN.sub(lambda m: _LIGATURES.get(m[0], ""), line.rstrip())
    # A word broken at a soft hyphen: the hyphen is printed, and the matcher joins "inter-⏎
    # national" only if it is there (the normaliser deletes soft hyphens).
    return line[:-1] + "-" if line.endswith("\u00ad") else line


# ---------------------------------------------------------------------------------------------
# Running headers and footers.

def _drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Drop running headers and footers, and whatever else stands where they stand."""
    edges = [_edge_lines(page) for page in pages]
    counts = Counter(sig for page, edge in zip(pages, edges, strict=True)
                     for sig in {_signature(page[i].text) for i in edge})
    needed = max(_RUNNING_MIN_PAGES, math.ceil(_RUNNING_SHARE * len(pages)))
    running = {sig for sig, n in counts.items() if n >= needed}
    marks = [[i in edge and _signature(line.text) in running for i, line in enumerate(page)]
             for page, edge in zip(pages, edges, strict=True)]
    footer, header = _margins(pages, marks)
    return [[line for line, mark in zip(page, marked, strict=True)
             if not (mark or (line.y is not None and not footer < line.y < header))]
            for page, marked in zip(pages, marks, strict=True)]


def _margins(pages: list[list[_Line]], marks: list[list[bool]]) -> tuple[float, float]:
    """Return the heights below and above which running lines stand (with a line to spare).

    A line there on any page is page furniture too: the "GE.23-12345 (E)" footer of a UN draft's
    first page only, which would otherwise cut the paragraph that goes on to page 2.
    """
    footer, header = -math.inf, math.inf
    for page, marked in zip(pages, marks, strict=True):
        body = [line.y for line, mark in zip(page, marked, strict=True)
                if not mark and line.y is not None]
        for line, mark in zip(page, marked, strict=True):
            if not (mark and body and line.y is not None and line.size):
                continue
            # Only lines well clear of the text mark a margin: a body line taken for a running
            # one (a line at the foot of the text) must not take the foot of every page with it.
            if line.y < min(body) - _MARGIN_GAP * line.size:
                footer = max(footer, line.y + _MARGIN_SPARE * line.size)
            elif line.y > max(body) + _MARGIN_GAP * line.size:
                header = min(header, line.y - _MARGIN_SPARE * line.size)
    return footer, header


def _edge_lines(page: list[_Line]) -> set[int]:
    """Return the indices of the first and last few non-blank lines of a page."""
    filled = [i for i, line in enumerate(page) if line.text.strip()]
    return set(filled[:_RUNNING_DEPTH] + filled[-_RUNNING_DEPTH:])


def _signature(text: str) -> str:
    """Return what a running line keeps from page to page: its words, numbers as wildcards."""
    # Sorted words: UN documents swap "2/15  23-12345" and "23-12345  3/15" on even/odd pages.
    return " ".join(sorted(_DIGITS.sub("#", text).split()))


# ---------------------------------------------------------------------------------------------
# Paragraph breaks and page starts.

@dataclass(frozen=True)
class _Layout:
    """What the whole document says about its lines, to tell where paragraphs end."""

    spacing: float | None  # the usual distance between lines, in font sizes (None: unknown)
    spaced: bool  # paragraphs are set apart by wider gaps, so gaps alone decide within a page
    full: int  # the length of a full line of text

    @classmethod
    def of(cls, pages: list[list[_Line]]) -> _Layout:
        pairs = [(a, b) for page in pages for a, b in pairwise(page) if _measured(a, b)]
        ratios = [(a.y - b.y) / max(a.size, b.size) for a, b in pairs if a.y > b.y]
        spacing = median(ratios) if len(ratios) >= _MIN_PAIRS else None
        wide = spacing is not None and sum(_gap(a, b, spacing) for a, b in pairs) >= (
            _SPACED_SHARE * len(pairs))
        lengths = sorted(line.length for page in pages for line in page if line.text.strip())
        full = lengths[int(_FULL_LINE_QUANTILE * (len(lengths) - 1))] if lengths else 0
        return cls(spacing, wide, full)


def _assemble(pages: list[list[_Line]]) -> tuple[str, tuple[int, ...]]:
    """Join the pages' lines into one text; return it and the offsets where pages 2... start."""
    layout = _Layout.of(pages)
    out: list[str] = []
    starts: list[int] = []
    offset = 0
    previous: _Line | None = None
    for number, page in enumerate(pages):
        for i, line in enumerate(page):
            if previous is not None and _breaks(previous, line, i > 0, layout):
                out.append("")
                offset += 1
            if i == 0 and number > 0:
                starts.append(offset)
            out.append(line.text)
            offset += len(line.text) + 1
            previous = line
        if not page and number > 0:  # a page with no text: it starts (and ends) here
            starts.append(offset)
    return "\n".join(out), tuple(starts)


def _measured(a: _Line, b: _Line) -> bool:
    """Return True if both lines have a known height and font size."""
    return a.y is not None and b.y is not None and bool(a.size) and bool(b.size)


def _gap(line: _Line, after: _Line, spacing: float) -> bool:
    """Return True if the vertical gap between two measured lines separates paragraphs."""
    assert line.y is not None and after.y is not None
    size = max(line.size or 0, after.size or 0)
    drop = line.y - after.y
    # A jump up the page (a second column, a footnote drawn before the text) starts a new block.
    return drop > _GAP_FACTOR * spacing * size or drop < -size


def _breaks(line: _Line, after: _Line, same_page: bool, layout: _Layout) -> bool:
    """Return True if a paragraph ends between two consecutive lines of the draft."""
    text = line.text.strip()
    if not text or not after.text.strip() or _MARKER.fullmatch(text):
        return False  # pypdf's own empty line already breaks; "12." alone is followed by its text
    if same_page and layout.spacing is not None and _measured(line, after):
        if _gap(line, after, layout.spacing):
            return True
        if layout.spaced:
            return False  # a short line with no gap after it is a line broken by hand
    short = _SHORT_LINE * layout.full
    # The last line of a paragraph, a heading or a title line; but sub-items "(a)" run on in their
    # paragraph's block, as in a text export of the draft.
    if line.length < short and not _ITEM.match(after.text):
        return True
    # A short line without punctuation after a finished clause: a heading.
    return (after.length < short and _ENDS_CLAUSE.search(text) is not None
            and _ENDS_PUNCTUATED.search(after.text) is None)
