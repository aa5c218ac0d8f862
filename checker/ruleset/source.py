"""A rule file as text: read bounded, decoded as UTF-8, split into lines as YAML counts them,
with each value's characters mapped back to their line and column."""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from checker.errors import Problem, RuleError
from checker.ruleset.model import MAX_RULE_FILE, Origin, Positions

_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


class RuleFile:
    """A rule file's text and lines: built by load, read by safe_yaml and schema for positions."""

    def __init__(self, path: Path, shown: str) -> None:
        self.shown = shown
        raw = _read_bounded(path, shown)
        try:
            self.text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, error.start) + 1
            column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
            source = raw.split(b"\n")[line - 1].decode("utf-8", "replace")
            raise RuleError.at(shown, f"not UTF-8 text: byte 0x{raw[error.start]:02x} cannot be "
                               "read (save the rule file as UTF-8)", line, column,
                               source) from None
        # Lines as YAML counts them (its positions are ours): CR alone, NEL and the Unicode line
        # and paragraph separators end a line too.
        breaks = list(_LINE_BREAK.finditer(self.text))
        self.line_starts = [0] + [m.end() for m in breaks]
        ends = [m.start() for m in breaks] + [len(self.text)]
        self.lines = tuple(self.text[a:b] for a, b in zip(self.line_starts, ends, strict=True))

    def problem(self, message: str, line0: int = 0, col0: int = 0) -> Problem:
        """Return a Problem at a 0-based (line, column), as ruamel reports positions."""
        line0 = min(line0, len(self.lines) - 1)
        return Problem(self.shown, message, line0 + 1, col0 + 1, self.lines[line0])

    def problem_at(self, message: str, offset: int) -> Problem:
        """Return a Problem at a character offset of the file's text."""
        line0 = bisect.bisect_right(self.line_starts, offset) - 1
        return self.problem(message, line0, offset - self.line_starts[line0])

    def origin(self, line0: int, col0: int, value: str) -> Origin:
        """Map each character of a scalar's value to its line and column in the file."""
        start = self.line_starts[min(line0, len(self.lines) - 1)] + col0
        offsets = _align(self.text, start, value)
        positions = []
        for offset in offsets:
            line = bisect.bisect_right(self.line_starts, offset) - 1
            positions.append((line + 1, offset - self.line_starts[line] + 1))
        return Origin(self.shown, Positions(positions), self.lines)


def _read_bounded(path: Path, shown: str) -> bytes:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_RULE_FILE + 1)
    except FileNotFoundError:
        raise RuleError.at(shown, "no such rule file") from None
    except IsADirectoryError:
        raise RuleError.at(shown, "is a directory, not a rule file") from None
    except OSError as error:
        raise RuleError.at(shown, f"cannot read: {error.strerror}") from None
    if len(raw) > MAX_RULE_FILE:
        raise RuleError.at(shown, f"rule file is larger than {MAX_RULE_FILE // 1024} KiB")
    return raw


_ESCAPE_LENGTH = {"x": 4, "u": 6, "U": 10}  # YAML double-quoted escapes longer than two characters


def _align(text: str, start: int, value: str) -> list[int]:
    """Find each character of a scalar's value in the file text, from the scalar's start.

    Quotes, escapes, block-scalar indicators, indentation and folded line breaks are skipped,
    so a position inside a multi-line or quoted check still points at the right character.
    """
    p = start
    if p < len(text) and text[p] in "|>":
        p = text.find("\n", p) + 1 or len(text)
    offsets = []
    for char in value:
        q, step = p, 1
        while q < len(text) and text[q] != char and not (char.isspace() and text[q].isspace()):
            if text[q] == "\\" and q + 1 < len(text):
                if text[q + 1] != char:  # an escape such as \u00e9 or \t stands for this char
                    step = _ESCAPE_LENGTH.get(text[q + 1], 2)
                break
            if text[q] not in " \t\r\n\"'":
                q = -1
                break
            q += 1
        if q < 0 or q >= len(text):
            q, step = max(p - 1, start), 1
        offsets.append(q)
        p = q + step
    offsets.append(min(p, len(text)))
    return offsets


def ordered(problems: list[Problem]) -> list[Problem]:
    """Return problems once each, by file, line, column and message."""
    return sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.column or 0, p.message))
