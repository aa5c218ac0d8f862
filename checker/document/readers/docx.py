"""Read Word (.docx) drafts into a `Source`, as the draft prints.

The text is Word's, paragraph by paragraph in reading order (a table in its place, row by row,
each cell's paragraphs in turn), with what Word adds when it prints:

- automatic paragraph numbering ("31.", "(a)") from numbering.xml, so that ¶31 in a report is
  ¶31 in Word. The number is not in Word's own text; it is put into both `original` and `text`
  (followed by its tab or space) because the segmenter only sees numbered paragraphs in the text;
- tracked changes accepted (insertions kept, deletions and moved-away text dropped, a paragraph
  whose mark is deleted joined to the next, a deleted table row dropped), or with
  `original=True` the text before them (insertions dropped, deletions kept, and the numbering
  and style before a tracked formatting change);
- headings from the paragraph style (Title, Heading 1-9, or an outline level): a styled heading
  the segmenter would not recognise from its text alone ("Overview" rather than "A. Overview")
  gets a markdown marker ("## ") in `text` only, so the segmenter makes it a heading.

Comments, footnotes, text boxes, drawings, field codes and hidden text are left out.

`original` holds one Word paragraph per line, so an evidence line is the Word paragraph number
(1-based, table-cell paragraphs included) and its column the character in the paragraph as
printed (counting the generated number). A manual line break (w:br) is U+2028 in `original`, so
it does not start a new line there, and a line break in `text`. In `text` the paragraphs are
separated by blank lines, since the segmenter splits blocks on blank lines; anchors map every
normalised offset back to `original`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from checker.document.model import OffsetMap, Source, make_source
from checker.document.readers.docx_styles import (
    Numbering,
    Styles,
    W,
    numbering_of,
    paragraph_properties,
    style_id,
)
from checker.document.segment import parse_document
from checker.errors import DraftError

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LINE_BREAK = "\u2028"  # a manual line break, in `original`
_MARKDOWN_LEVELS = 6


@dataclass
class RunSpan:
    """Where one w:r element's characters are in a Word paragraph's text."""

    run: Any  # the lxml w:r element
    start: int
    length: int

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass
class WordParagraph:
    """One Word paragraph as read: one line of `Source.original`."""

    prefix: str  # the automatic number and its tab or space ("31.\t"), or ""
    text: str  # Word's text in this reading (U+2028 for a manual line break)
    runs: list[RunSpan] = field(default_factory=list)  # offsets into `text`
    elements: list[Any] = field(default_factory=list)  # w:p elements (several when merged)
    heading: int | None = None  # heading level from the paragraph style

    @property
    def printed(self) -> str:
        return self.prefix + self.text


# ---------------------------------------------------------------------------------------------
# Public API.

def read_docx(path: str, raw: bytes, *, original: bool = False) -> Source:
    """Read a .docx draft: tracked changes accepted, or as before them with original=True."""
    return paragraphs_source(path, raw, word_paragraphs(open_word(path, raw), original=original))


def docx_position(source: Source, offset: int) -> tuple[int, int]:
    """Return the 0-based Word paragraph and character (as printed) of a normalised offset."""
    orig = min(source.original_offset(offset), len(source.original))
    paragraph = source.original.count("\n", 0, orig)
    line_start = source.original.rfind("\n", 0, orig) + 1
    return paragraph, orig - line_start


def open_word(path: str, raw: bytes) -> WordDocument:
    """Open a .docx file's bytes with python-docx, or raise DraftError saying what it is."""
    if raw.startswith(_OLE_MAGIC):
        raise DraftError.at(path, "not a .docx file: this is a password-protected Word file or "
                                  "an old binary .doc; save it unprotected as .docx")
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        kind = "an empty file" if not raw.strip() else "not a zip archive"
        raise DraftError.at(path, f"not a .docx file: {kind} (a .docx is a zip archive; "
                                  "was another file renamed .docx?)")
    try:
        names = set(zipfile.ZipFile(io.BytesIO(raw)).namelist())
    except (zipfile.BadZipFile, OSError) as error:
        raise DraftError.at(path, f"not a .docx file: damaged zip archive ({error})") from error
    if "word/document.xml" not in names and "[Content_Types].xml" not in names:
        raise DraftError.at(path, "not a .docx file: a zip archive without word/document.xml")
    try:
        import docx
    except ImportError as error:  # pragma: no cover - python-docx is a dependency
        raise DraftError.at(path, "reading .docx drafts needs python-docx "
                                  "(pip install python-docx)") from error
    try:
        return docx.Document(io.BytesIO(raw))
    except Exception as error:  # python-docx raises many kinds of error on a damaged package
        raise DraftError.at(path, f"not a readable .docx file: {_why(error, names)}"
                            ) from error


def _why(error: Exception, names: set[str]) -> str:
    """Say why python-docx could not open a package, without its internal object names."""
    from lxml import etree

    if "word/document.xml" not in names:
        return "no word/document.xml in the archive"
    if isinstance(error, etree.XMLSyntaxError):
        return f"damaged XML inside the archive ({error.msg})"
    # "file '<_io.BytesIO object at 0x...>' is not a Word file, content type is '...'"
    return re.sub(r"^file '<[^']*>' ", "the file ", str(error)) or type(error).__name__


def word_paragraphs(document: WordDocument, *, original: bool = False) -> list[WordParagraph]:
    """Return the document's paragraphs in reading order, numbered, in the chosen reading."""
    styles = Styles(_part_element(document, "styles"))
    numbering = Numbering(_part_element(document, "numbering"), styles)
    paragraphs = []
    for parts in _merged(_blocks(document.element.body, original), original):
        props = paragraph_properties(parts[-1], original)  # the surviving mark's properties
        style = style_id(props, styles)
        level = numbering_of(props, style, styles, numbering)
        prefix = numbering.label(*level) if level else ""
        paragraph = WordParagraph(prefix, "", elements=parts, heading=styles.heading(style, props))
        for p in parts:
            _add_content(paragraph, p, original)
        paragraphs.append(paragraph)
    return paragraphs


def paragraphs_source(path: str, raw: bytes, paragraphs: list[WordParagraph]) -> Source:
    """Build the Source: one paragraph a line in `original`, blank lines between in `text`."""
    original_parts: list[str] = []
    expanded_parts: list[str] = []
    anchors: list[tuple[int, int]] = []  # expanded offset -> original offset
    orig = expanded = 0
    for i, paragraph in enumerate(paragraphs):
        if i:
            original_parts.append("\n")
            expanded_parts.append("\n\n")
            orig, expanded = orig + 1, expanded + 2
        anchors.append((expanded, orig))
        printed = paragraph.printed
        marker = _heading_marker(paragraph)
        if marker:
            expanded_parts.append(marker)
            expanded += len(marker)
            anchors.append((expanded, orig))
        original_parts.append(printed)
        expanded_parts.append(printed.replace(LINE_BREAK, "\n"))
        orig += len(printed)
        expanded += len(printed)
    normalised = make_source(path, raw, "".join(expanded_parts))
    return Source(path, raw, "".join(original_parts), normalised.text,
                  _compose(normalised.anchors, tuple(anchors)))


# ---------------------------------------------------------------------------------------------
# Anchors.

def _compose(outer: tuple[tuple[int, int], ...],
             inner: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Compose text->expanded anchors with expanded->original anchors into text->original."""
    # Both maps have slope 1 between their anchors, so the composition changes only at outer
    # anchors and at the first text offset reaching each inner anchor.
    first, second = OffsetMap(outer), OffsetMap(inner)
    breaks = set(first.sources) | {first.first_reaching(e) for e in second.sources}
    return tuple((t, second.map(first.map(t))) for t in sorted(breaks))


def _heading_marker(paragraph: WordParagraph) -> str:
    """Return the "## " that makes a styled heading a heading, or "" if none is needed."""
    if paragraph.heading is None:
        return ""
    first_line = paragraph.printed.split(LINE_BREAK, 1)[0].strip()
    if not first_line or parse_document(first_line).sections:
        return ""  # nothing to head, or already a heading by its text ("A. Overview")
    return "#" * min(paragraph.heading, _MARKDOWN_LEVELS) + " "


# ---------------------------------------------------------------------------------------------
# Walking the XML: blocks, paragraphs, runs, characters.

def _part_element(document: WordDocument, name: str) -> Any:
    """Return the root element of the document's styles or numbering part, or None."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    reltype = {"styles": RT.STYLES, "numbering": RT.NUMBERING}[name]
    try:
        part = document.part.part_related_by(reltype)
    except KeyError:
        return None
    return getattr(part, "element", None)


def _blocks(container: Any, original: bool) -> Iterator[Any]:
    """Yield w:p elements in reading order; None marks where a table cell starts or ends."""
    for child in container:
        tag = child.tag
        if tag == W + "p":
            yield child
        elif tag == W + "tbl":
            for row in _children(child, "tr"):
                if _removed(row.find(W + "trPr"), original):
                    continue
                for cell in _children(row, "tc"):
                    yield None
                    yield from _blocks(cell, original)
                    yield None
        elif tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _blocks(content, original)
        elif tag == W + "customXml":
            yield from _blocks(child, original)


def _children(element: Any, tag: str) -> Iterator[Any]:
    """Yield the w:tr or w:tc children of a table or row, also inside content controls."""
    for child in element:
        if child.tag == W + tag:
            yield child
        elif child.tag == W + "sdt" and child.find(W + "sdtContent") is not None:
            yield from _children(child.find(W + "sdtContent"), tag)
        elif child.tag == W + "customXml":
            yield from _children(child, tag)


def _removed(properties: Any, original: bool) -> bool:
    """Return True if a tracked change in these properties (w:trPr, w:pPr/w:rPr) removes it."""
    if properties is None:
        return False
    gone = ("ins", "moveTo") if original else ("del", "moveFrom")
    return any(properties.find(W + tag) is not None for tag in gone)


def _merged(blocks: Iterator[Any], original: bool) -> Iterator[list[Any]]:
    """Group paragraphs whose paragraph mark the reading removes with the next paragraph."""
    pending: list[Any] = []
    for p in blocks:
        if p is None:  # a paragraph never merges across a table cell's edge
            if pending:
                yield pending
            pending = []
            continue
        pending.append(p)
        mark = p.find(W + "pPr/" + W + "rPr")
        if not _removed(mark, original):
            yield pending
            pending = []
    if pending:
        yield pending


def _add_content(paragraph: WordParagraph, p: Any, original: bool) -> None:
    """Append a w:p's runs (in this reading) to a WordParagraph."""
    for run in _runs(p, original):
        text = "".join(child_text(child, original) for child in run)
        if text:
            paragraph.runs.append(RunSpan(run, len(paragraph.text), len(text)))
            paragraph.text += text


_RECURSE = frozenset(W + tag for tag in ("hyperlink", "smartTag", "customXml", "fldSimple",
                                          "dir", "bdo", "sdtContent"))


def _runs(container: Any, original: bool) -> Iterator[Any]:
    """Yield the w:r elements of a paragraph that this reading keeps, in order."""
    inserted = (W + "ins", W + "moveTo")
    deleted = (W + "del", W + "moveFrom")
    for child in container:
        tag = child.tag
        if tag == W + "r":
            if not _hidden(child):
                yield child
        elif tag in _RECURSE or (tag in inserted and not original) or (
                tag in deleted and original):
            yield from _runs(child, original)
        elif tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _runs(content, original)


def _hidden(run: Any) -> bool:
    """Return True if the run is hidden text (w:vanish set directly on it)."""
    vanish = run.find(W + "rPr/" + W + "vanish")
    return vanish is not None and vanish.get(W + "val", "true") not in ("0", "false", "off")


_BREAK = LINE_BREAK
_CHARACTERS = {
    W + "tab": "\t", W + "ptab": "\t", W + "br": _BREAK, W + "cr": _BREAK,
    W + "noBreakHyphen": "\u2011", W + "softHyphen": "\u00ad",
}


def child_text(child: Any, original: bool) -> str:
    """Return the characters one child of a w:r contributes in this reading."""
    tag = child.tag
    if tag == W + "t" or (tag == W + "delText" and original):
        # A line end inside w:t is not a paragraph: Word shows a space.
        return (child.text or "").replace("\r", " ").replace("\n", " ")
    if tag == W + "sym":
        try:
            return chr(int(child.get(W + "char", ""), 16))
        except ValueError:
            return ""
    return _CHARACTERS.get(tag, "")
