"""The plain-text and Markdown readers: a draft's bytes decoded (BOM, UTF-8, or a detected legacy
encoding) into a `Source`; Markdown's markup is dropped, its words kept."""

from __future__ import annotations

import codecs
import re

from checker.document.model import Source, make_source
from checker.errors import DraftError

# Longest first: the UTF-32 LE BOM begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x20), 0x7F])
_SAMPLE = 65536
_MAX_CONTROL_SHARE = 0.05  # drafts have next to no control characters; binary data has ~10%

# Markdown syntax deleted from the text (the words it marks up are kept).
_MARKDOWN = re.compile(r"""
      \\[!-/:-@\[-`{-~]                                  # a backslash escape: drop the backslash
                                                      # next: the "[" (or "![") opening a link
    | !?\[(?=[^\[\]\n]{0,500}\]\([^()\s]{0,2000}(?:\s+"[^"\n]{0,500}")?\))
    | \]\([^()\s]{0,2000}(?:\s+"[^"\n]{0,500}")?\)          # the "](url)" closing a link
    | </?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>          # an inline HTML tag such as <sup>
    | (?P<emphasis>\*{1,3}|_{1,3}|`+)
""", re.VERBOSE)


def read_text(path: str, raw: bytes, *, original: bool = False) -> Source:
    """Read a plain-text draft."""
    return make_source(path, raw, decode(path, raw))


def read_markdown(path: str, raw: bytes, *, original: bool = False) -> Source:
    """Read a markdown draft: emphasis, links and inline HTML tags are dropped, headings kept."""
    text = decode(path, raw)
    return make_source(path, raw, text, _markdown_markup(text))


def decode(path: str, raw: bytes) -> str:
    """Decode a text file's bytes: BOM first, then UTF-8, then a detected legacy encoding."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            text = _decode_as(path, raw, encoding)
            break
    else:
        sample = raw[:_SAMPLE]
        controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
        if b"\x00" in raw or controls > _MAX_CONTROL_SHARE * len(sample):
            raise DraftError.at(path, "not a text file: looks binary")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            text = _decode_legacy(path, raw, error)
    # A file with a byte order mark is only checked once decoded (UTF-16 is full of NUL bytes).
    head = text[:_SAMPLE]
    if len(_CONTROL.findall(head)) > _MAX_CONTROL_SHARE * len(head):
        raise DraftError.at(path, "not a text file: looks binary")
    return text


def _decode_as(path: str, raw: bytes, encoding: str) -> str:
    """Decode with an encoding named by the file's byte order mark."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise DraftError.at(path, f"cannot decode: the file starts with a {encoding} byte order "
                                  f"mark but byte {error.start} is not valid {encoding}") from error


def _decode_legacy(path: str, raw: bytes, utf8_error: UnicodeDecodeError) -> str:
    """Decode a file that is not UTF-8, preferring Windows-1252 when it reads cleanly."""
    # Drafts that are not UTF-8 are mostly Windows-1252 (Word's "plain text"); detection alone
    # guesses wrong on short texts ("Côte d’Ivoire" comes back as cp1125), so try it first: it is
    # only accepted if charset-normalizer finds the result coherent.
    import charset_normalizer  # only for the rare draft that is not UTF-8

    western = charset_normalizer.from_bytes(raw, cp_isolation=["cp1252"]).best()
    if western is not None:
        return str(western)
    best = charset_normalizer.from_bytes(raw).best()
    if best is None:
        # Most likely UTF-8 with a damaged byte: point at the first one.
        line_start = raw.rfind(b"\n", 0, utf8_error.start) + 1
        line = raw.count(b"\n", 0, utf8_error.start) + 1
        column = len(raw[line_start:utf8_error.start].decode("utf-8", "replace")) + 1
        raise DraftError.at(path, f"cannot decode: byte 0x{raw[utf8_error.start]:02x} is not "
                                  "valid UTF-8, and no legacy encoding fits", line, column)
    return str(best)


def _markdown_markup(original: str) -> list[tuple[int, int]]:
    """Return the spans of markdown syntax to delete, in text order."""
    spans = []
    for m in _MARKDOWN.finditer(original):
        if m["emphasis"] is not None and not _is_emphasis(original, m.start(), m.end()):
            continue
        # A backslash escape deletes only the backslash; everything else goes whole.
        end = m.start() + 1 if m[0][0] == "\\" else m.end()
        spans.append((m.start(), end))
    return spans


def _is_emphasis(text: str, start: int, end: int) -> bool:
    """Return True if a run of `*`, `_` or backticks marks up words (not a bullet or "2*3")."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before.isspace() and after.isspace():
        return False  # a bullet, a rule line or a lone symbol
    return not (before.isalnum() and after.isalnum())  # inside a word: snake_case, 2*3
