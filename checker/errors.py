"""Positioned problems: every user-facing error names a file, a line and a column."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, at a place in a file (line and column are 1-based)."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    source_line: str | None = None  # the text of that line, shown with a caret under the column

    def format(self) -> str:
        """Render as `path:line:col: error: message`, then the source line and a caret.

        What comes from the file is shown, never obeyed: control characters (a terminal's
        escape sequences) and bidirectional overrides are written as escapes, and a long line
        is cut to the part around the column.
        """
        where = _visible(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: error: {_visible(self.message)}"
        if self.source_line is not None and self.line is not None:
            gutter = f"{self.line:>5} | "
            line = self.source_line.rstrip("\r\n").replace("\t", " ")
            column = min(max((self.column or 1) - 1, 0), len(line))
            start = max(0, min(column - SHOWN // 2, len(line) - SHOWN))
            before = ("…" if start else "") + _visible(line[start:column])
            after = _visible(line[column:start + SHOWN]) + ("…" if start + SHOWN < len(line) else "")
            text += f"\n{gutter}{before}{after}"
            if self.column is not None:
                text += "\n" + " " * (len(gutter) - 2) + "| " + " " * len(before) + "^"
        return text


SHOWN = 240  # characters of a source line shown around the column
_HIDDEN = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e"
                     "\u2066-\u2069]")


def _visible(text: str) -> str:
    """Write control characters and bidirectional overrides as escapes (\\x1b, \\u202e)."""
    return _HIDDEN.sub(lambda m: (f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100
                                  else f"\\u{ord(m[0]):04x}"), text)


class DraftcheckError(Exception):
    """One or more problems with the user's input; the CLI prints them and exits with 2."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(p.format() for p in self.problems))

    @classmethod
    def at(cls, path: str, message: str, line: int | None = None, column: int | None = None,
           source_line: str | None = None) -> DraftcheckError:
        """Build an error holding a single problem."""
        return cls([Problem(path, message, line, column, source_line)])


class RuleError(DraftcheckError):
    """A rule file (YAML, schema or rule language) is wrong.

    `partial` holds what could still be built from a file with schema problems (its valid rules
    and terms), so its language can be checked too and every problem reported in one run.
    """

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], partial: object = None
                 ) -> None:
        super().__init__(problems)
        self.partial = partial


class DraftError(DraftcheckError):
    """A draft cannot be read."""


class UsageError(DraftcheckError):
    """The command line asks for something impossible (an unknown rule set, an unwritable -o)."""
