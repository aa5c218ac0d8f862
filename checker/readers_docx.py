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
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from checker.document import Source, make_source
from checker.errors import DraftError
from checker.segment import parse_document

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LINE_BREAK = "\u2028"  # a manual line break, in `original`
_MAX_LEVELS = 9
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


def docx_paragraph_index(source: Source, offset: int) -> int:
    """Return the 0-based Word paragraph (line of `original`) of a normalised offset."""
    return docx_position(source, offset)[0]


def docx_position(source: Source, offset: int) -> tuple[int, int]:
    """Return the 0-based Word paragraph and character (as printed) of a normalised offset."""
    orig = _map(source.anchors, min(max(offset, 0), len(source.text)))
    orig = min(orig, len(source.original))
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
    styles = _Styles(_part_element(document, "styles"))
    numbering = _Numbering(_part_element(document, "numbering"), styles)
    paragraphs = []
    for parts in _merged(_blocks(document.element.body, original), original):
        props = _properties(parts[-1], original)  # the surviving paragraph mark's properties
        style = _style_id(props, styles)
        level = _numbering_of(props, style, styles, numbering)
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

class _Anchors:
    """A piecewise map of offsets: (from, to) pairs, slope 1 between them."""

    def __init__(self, anchors: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> None:
        self.anchors = anchors
        self.sources = [a for a, _ in anchors]
        self.targets = [b for _, b in anchors]

    def map(self, offset: int) -> int:
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


def _map(anchors: tuple[tuple[int, int], ...], offset: int) -> int:
    """Map an offset through anchor pairs."""
    return _Anchors(anchors).map(offset)


def _compose(outer: tuple[tuple[int, int], ...],
             inner: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Compose text->expanded anchors with expanded->original anchors into text->original."""
    # Both maps have slope 1 between their anchors, so the composition changes only at outer
    # anchors and at the first text offset reaching each inner anchor.
    first, second = _Anchors(outer), _Anchors(inner)
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
        if tag == _W + "p":
            yield child
        elif tag == _W + "tbl":
            for row in _children(child, "tr"):
                if _removed(row.find(_W + "trPr"), original):
                    continue
                for cell in _children(row, "tc"):
                    yield None
                    yield from _blocks(cell, original)
                    yield None
        elif tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _blocks(content, original)
        elif tag == _W + "customXml":
            yield from _blocks(child, original)


def _children(element: Any, tag: str) -> Iterator[Any]:
    """Yield the w:tr or w:tc children of a table or row, also inside content controls."""
    for child in element:
        if child.tag == _W + tag:
            yield child
        elif child.tag == _W + "sdt" and child.find(_W + "sdtContent") is not None:
            yield from _children(child.find(_W + "sdtContent"), tag)
        elif child.tag == _W + "customXml":
            yield from _children(child, tag)


def _removed(properties: Any, original: bool) -> bool:
    """Return True if a tracked change in these properties (w:trPr, w:pPr/w:rPr) removes it."""
    if properties is None:
        return False
    gone = ("ins", "moveTo") if original else ("del", "moveFrom")
    return any(properties.find(_W + tag) is not None for tag in gone)


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
        mark = p.find(_W + "pPr/" + _W + "rPr")
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


_RECURSE = frozenset(_W + tag for tag in ("hyperlink", "smartTag", "customXml", "fldSimple",
                                          "dir", "bdo", "sdtContent"))


def _runs(container: Any, original: bool) -> Iterator[Any]:
    """Yield the w:r elements of a paragraph that this reading keeps, in order."""
    inserted = (_W + "ins", _W + "moveTo")
    deleted = (_W + "del", _W + "moveFrom")
    for child in container:
        tag = child.tag
        if tag == _W + "r":
            if not _hidden(child):
                yield child
        elif tag in _RECURSE or (tag in inserted and not original) or (
                tag in deleted and original):
            yield from _runs(child, original)
        elif tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _runs(content, original)


def _hidden(run: Any) -> bool:
    """Return True if the run is hidden text (w:vanish set directly on it)."""
    vanish = run.find(_W + "rPr/" + _W + "vanish")
    return vanish is not None and vanish.get(_W + "val", "true") not in ("0", "false", "off")


_BREAK = LINE_BREAK
_CHARACTERS = {
    _W + "tab": "\t", _W + "ptab": "\t", _W + "br": _BREAK, _W + "cr": _BREAK,
    _W + "noBreakHyphen": "\u2011", _W + "softHyphen": "\u00ad",
}


def child_text(child: Any, original: bool) -> str:
    """Return the characters one child of a w:r contributes in this reading."""
    tag = child.tag
    if tag == _W + "t" or (tag == _W + "delText" and original):
        # A line end inside w:t is not a paragraph: Word shows a space.
        return (child.text or "").replace("\r", " ").replace("\n", " ")
    if tag == _W + "sym":
        try:
            return chr(int(child.get(_W + "char", ""), 16))
        except ValueError:
            return ""
    return _CHARACTERS.get(tag, "")


# ---------------------------------------------------------------------------------------------
# Paragraph properties and styles.

def _properties(p: Any, original: bool) -> Any:
    """Return the w:pPr in force in this reading (the one before a tracked change if original)."""
    props = p.find(_W + "pPr")
    if original and props is not None:
        before = props.find(_W + "pPrChange/" + _W + "pPr")
        if before is not None:
            return before
    return props


def _val(element: Any, path: str) -> str | None:
    """Return the w:val attribute of the element at path below element, if any."""
    if element is None:
        return None
    found = element.find(path.replace("w:", _W))
    return None if found is None else found.get(_W + "val")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class _Style:
    name: str
    based_on: str | None
    num_id: int | None
    ilvl: int | None
    outline: int | None


class _Styles:
    """The paragraph styles of styles.xml: names, inheritance, numbering, outline levels."""

    def __init__(self, root: Any) -> None:
        self.styles: dict[str, _Style] = {}
        self.default: str | None = None
        if root is None:
            return
        for style in root.iterchildren(_W + "style"):
            if style.get(_W + "type") != "paragraph":
                continue
            style_id = style.get(_W + "styleId", "")
            props = style.find(_W + "pPr")
            self.styles[style_id] = _Style(
                (_val(style, "w:name") or style_id).lower(), _val(style, "w:basedOn"),
                _int(_val(props, "w:numPr/w:numId")), _int(_val(props, "w:numPr/w:ilvl")),
                _int(_val(props, "w:outlineLvl")))
            if style.get(_W + "default") in ("1", "true", "on"):
                self.default = style_id

    def chain(self, style_id: str | None) -> Iterator[_Style]:
        """Yield the style and the styles it is based on, nearest first."""
        seen: set[str] = set()
        while style_id is not None and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            yield self.styles[style_id]
            style_id = self.styles[style_id].based_on

    def numbering(self, style_id: str | None) -> tuple[int | None, int | None]:
        """Return the (numId, ilvl) a paragraph style gives, nearest definition first."""
        for style in self.chain(style_id):
            if style.num_id is not None:
                return style.num_id, style.ilvl
        return None, None

    def heading(self, style_id: str | None, props: Any) -> int | None:
        """Return the heading level of a paragraph from its style or outline level, or None."""
        chain = list(self.chain(style_id))
        if chain:
            m = re.fullmatch(r"heading ([1-9])", chain[0].name)
            if m:
                return int(m[1])
            if chain[0].name == "title":
                return 1
        outline = _int(_val(props, "w:outlineLvl"))
        if outline is None:
            outline = next((s.outline for s in chain if s.outline is not None), None)
        return outline + 1 if outline is not None and 0 <= outline < _MAX_LEVELS else None


def _style_id(props: Any, styles: _Styles) -> str | None:
    return _val(props, "w:pStyle") or styles.default


# ---------------------------------------------------------------------------------------------
# Automatic numbering.

@dataclass(frozen=True)
class _Level:
    start: int
    format: str  # numFmt: decimal, lowerLetter, upperRoman, bullet, none, ...
    text: str | None  # lvlText, e.g. "%1." or "(%2)"
    restart: int | None  # lvlRestart: restart after a level below this one-based index
    legal: bool  # isLgl: show every level as decimal
    suffix: str  # what follows the number: a tab, a space or nothing
    style: str | None  # the paragraph style linked to this level


def _level(lvl: Any) -> _Level:
    fmt = lvl.find(_W + "numFmt")
    if fmt is None:
        fmt = lvl.find(f"{_MC}AlternateContent/{_MC}Fallback/{_W}numFmt")
    text = lvl.find(_W + "lvlText")
    legal = lvl.find(_W + "isLgl")
    return _Level(
        start=_int(_val(lvl, "w:start")) or 0,  # Word's default start is 0
        format=(fmt.get(_W + "val") if fmt is not None else None) or "decimal",
        text=None if text is None else text.get(_W + "val"),
        restart=_int(_val(lvl, "w:lvlRestart")),
        legal=legal is not None and legal.get(_W + "val", "true") not in ("0", "false", "off"),
        suffix={"space": " ", "nothing": ""}.get(_val(lvl, "w:suff") or "tab", "\t"),
        style=_val(lvl, "w:pStyle"))


class _Numbering:
    """numbering.xml: list definitions and the running counters, used once per reading."""

    def __init__(self, root: Any, styles: _Styles) -> None:
        self.styles = styles
        self.abstracts: dict[str, Any] = {}
        self.nums: dict[int, Any] = {}
        self.counters: dict[tuple[str, Any], list[int | None]] = {}
        self._cache: dict[int, dict[int, _Level] | None] = {}
        if root is None:
            return
        for abstract in root.iterchildren(_W + "abstractNum"):
            self.abstracts[abstract.get(_W + "abstractNumId", "")] = abstract
        for num in root.iterchildren(_W + "num"):
            num_id = _int(num.get(_W + "numId"))
            if num_id is not None:
                self.nums[num_id] = num

    def levels(self, num_id: int) -> dict[int, _Level] | None:
        """Return a list instance's levels (abstract definition plus the instance's overrides)."""
        if num_id not in self._cache:
            self._cache[num_id] = self._levels(num_id, set())
        return self._cache[num_id]

    def _levels(self, num_id: int, seen: set[int]) -> dict[int, _Level] | None:
        num = self.nums.get(num_id)
        if num is None or num_id in seen:
            return None
        seen.add(num_id)
        abstract = self.abstracts.get(_val(num, "w:abstractNumId") or "")
        if abstract is None:
            return None
        levels = {ilvl: _level(lvl) for lvl in abstract.iterchildren(_W + "lvl")
                  if (ilvl := _int(lvl.get(_W + "ilvl"))) is not None}
        link = _val(abstract, "w:numStyleLink")
        if not levels and link:  # the definition lives with a numbering style
            linked = self.styles.numbering(link)[0]
            levels = (self._levels(linked, seen) or {}) if linked is not None else {}
        for override in num.iterchildren(_W + "lvlOverride"):
            ilvl = _int(override.get(_W + "ilvl"))
            if ilvl is None:
                continue
            lvl = override.find(_W + "lvl")
            if lvl is not None:
                levels[ilvl] = _level(lvl)
            start = _int(_val(override, "w:startOverride"))
            if start is not None and ilvl in levels:
                levels[ilvl] = replace(levels[ilvl], start=start)
        return levels

    def key(self, num_id: int) -> tuple[str, Any]:
        """Return whose counters a list instance uses."""
        # Instances of one definition continue one another's numbering, unless an instance
        # overrides a level (the usual way Word restarts a list): then it counts on its own.
        num = self.nums[num_id]
        if num.find(_W + "lvlOverride") is not None:
            return ("num", num_id)
        return ("abstract", _val(num, "w:abstractNumId"))

    def style_level(self, num_id: int, style_id: str | None) -> int:
        """Return the level linked to a paragraph style in a list definition, else 0."""
        levels = self.levels(num_id) or {}
        return next((i for i, lvl in sorted(levels.items()) if lvl.style == style_id), 0)

    def label(self, num_id: int, ilvl: int) -> str:
        """Count one paragraph at a list level and return its number as printed, with suffix."""
        levels = self.levels(num_id)
        if not levels or ilvl not in levels:
            return ""
        values = self.counters.setdefault(self.key(num_id), [None] * _MAX_LEVELS)
        level = levels[ilvl]
        current = values[ilvl]
        values[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, _MAX_LEVELS):
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or ilvl < restart:  # None: after any higher level; 0: never
                values[deeper] = None
        if level.format == "bullet":
            return "\u2022" + level.suffix
        if not level.text:
            return ""

        def shown(m: re.Match[str]) -> str:
            k = int(m[1]) - 1
            lvl = levels.get(k)
            value = values[k] if values[k] is not None else (lvl.start if lvl else 1)
            fmt = "decimal" if level.legal and lvl and lvl.format != "none" else (
                lvl.format if lvl else "decimal")
            return _format_number(value, fmt)

        return re.sub(r"%([1-9])", shown, level.text) + level.suffix


def _numbering_of(props: Any, style_id: str | None, styles: _Styles,
                  numbering: _Numbering) -> tuple[int, int] | None:
    """Return the (numId, ilvl) of a paragraph, direct formatting first, then its style."""
    num_id = _int(_val(props, "w:numPr/w:numId"))
    ilvl = _int(_val(props, "w:numPr/w:ilvl"))
    style_num, style_ilvl = styles.numbering(style_id)
    if num_id is None:
        num_id, ilvl = style_num, ilvl if ilvl is not None else style_ilvl
    if not num_id:  # none, or numId 0: numbering switched off
        return None
    if ilvl is None:
        ilvl = numbering.style_level(num_id, style_id)
    return num_id, min(max(ilvl, 0), _MAX_LEVELS - 1)


_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _roman(value: int) -> str:
    out = []
    for size, numeral in _ROMAN:
        count, value = divmod(value, size)
        out.append(numeral * count)
    return "".join(out)


def _format_number(value: int, fmt: str) -> str:
    """Render a counter value in a Word number format (decimal for formats not covered)."""
    if fmt == "none":
        return ""
    if fmt in ("lowerLetter", "upperLetter") and value > 0:
        # Word's letters go a..z, then aa..zz, then aaa...
        letters = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letters if fmt == "lowerLetter" else letters.upper()
    if fmt in ("lowerRoman", "upperRoman") and 0 < value < 4000:
        numeral = _roman(value)
        return numeral if fmt == "lowerRoman" else numeral.upper()
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)
