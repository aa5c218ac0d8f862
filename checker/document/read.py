"""Reading a draft: `read_document` picks the reader by the file's suffix (unknown suffixes are
read as plain text), and every reader turns a file's bytes into a `Source`; a new input format
is one reader in checker/document/readers/ plus one line in `READERS`.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

from checker.document.model import Document, Source
from checker.document.readers.text import read_markdown, read_text
from checker.document.segment import build_document
from checker.errors import DraftError

STDIN = "-"
STDIN_NAME = "<stdin>"


def read_document(path: str, *, original: bool = False) -> Document:
    """Read a draft file ("-" for standard input); `original`: a .docx before tracked changes."""
    shown, raw = _read_bytes(path)
    if not raw.strip():
        raise DraftError.at(shown, "draft is empty")
    reader = READERS.get(Path(path).suffix.lower(), read_text)
    source = reader(shown, raw, original=original)
    if not source.text.strip():
        raise DraftError.at(shown, "draft is empty")
    return build_document(source)


def _imported(module: str, name: str) -> Callable[..., Source]:
    """A reader imported when first used: .docx and .pdf need libraries a .txt draft does not,
    and every check starts faster without them.

    Their objects refer to each other (a PDF's pages to the document), and the command runs
    without the automatic garbage collector (see `cli.run`): the cycles are collected here,
    after each draft, so that a batch of thousands of PDFs keeps only what it needs.
    """
    def read(path: str, raw: bytes, *, original: bool = False) -> Source:
        reader = getattr(importlib.import_module(module), name)
        try:
            return reader(path, raw, original=original)  # type: ignore[no-any-return]
        finally:
            gc.collect(0)
    return read


# A reader takes the shown path, the raw bytes and `original` (read a .docx as it was before its
# tracked changes; formats without tracked changes ignore it) and returns a Source.
READERS: dict[str, Callable[..., Source]] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".docx": _imported("checker.document.readers.docx", "read_docx"),
    ".pdf": _imported("checker.document.readers.pdf", "read_pdf"),
}


def _read_bytes(path: str) -> tuple[str, bytes]:
    """Return the name to show for path and its bytes."""
    if path == STDIN:
        try:
            return STDIN_NAME, sys.stdin.buffer.read()
        except (AttributeError, OSError, ValueError) as error:
            raise DraftError.at(STDIN_NAME, f"cannot read standard input: {error}") from error
    try:
        return path, Path(path).read_bytes()
    except FileNotFoundError as error:
        raise DraftError.at(path, "no such file") from error
    except IsADirectoryError as error:
        raise DraftError.at(path, "is a directory, not a draft file") from error
    except PermissionError as error:
        raise DraftError.at(path, "cannot read: permission denied") from error
    except OSError as error:
        raise DraftError.at(path, f"cannot read: {error.strerror or error}") from error
