"""The rule language's functions: one table of signatures, read by the compiler to check calls.

What each function does on a draft is in `checker.evaluation.functions` (one implementation per
name here; a test fails when either side is missing). Adding a function is one entry here, its
implementation there, its section in docs/language.md and its cases in tests/test_language.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from checker.language.syntax import Type

NEGATION_WINDOW = 6  # words allowed between a negation cue and what it negates
NEGATION_CUES = ("not", "no", "never", "nor", "neither", "without", "cannot", "lack of",
                 "rather than", "instead of", "refrain* from", "oppos*", "reject*")
NEGATION_SUFFIX = "n't"  # "didn't", "don't", "won't": any word ending so is a cue too
RESOLUTION_SYMBOL = re.compile(r"(?:A\s*/\s*RES\s*/\s*)?(\d{1,4})\s*/\s*(\d{1,5})", re.IGNORECASE)


@dataclass(frozen=True)
class Builtin:
    """A language function's signature: parameter types and result type."""

    name: str
    params: tuple[Type, ...]
    returns: Type
    variadic: bool = False  # the last parameter may repeat (at least once)
    takes_cues: bool = False  # the compiler passes the rule set's negation cues as a last argument
    check_literal: Callable[[str], object] | None = None  # raises ValueError for a bad text arg

    def param(self, position: int) -> Type:
        """Return the type of the argument at a 0-based position (the cues come last)."""
        if self.takes_cues and position == len(self.params):
            return Type.CUES
        return self.params[min(position, len(self.params) - 1)]

    def signature(self) -> str:
        """Describe the parameters for arity messages, e.g. "pattern, pattern, whole number"."""
        names = [p.value for p in self.params]
        if self.variadic:
            names.append("...")
        return ", ".join(names)


def resolution_regex(symbol: str) -> str:
    """Return the RE2 regex for references to a UN resolution symbol such as "75/240"."""
    m = RESOLUTION_SYMBOL.fullmatch(symbol.strip())
    if m is None:
        raise ValueError(f"{symbol!r} is not a resolution symbol such as \"75/240\"")
    session, number = m.groups()
    # \b on both sides: "175/240" and "75/2401" are other resolutions.
    return (r"(?:\bA\s*/\s*RES\s*/\s*|\bresolutions?\s+(?:No\.\s*)?)?"
            rf"\b{int(session)}\s*/\s*{int(number)}\b")


P, N, B, S = Type.PATTERN, Type.NUMBER, Type.BOOL, Type.SCOPE

BUILTINS: dict[str, Builtin] = {b.name: b for b in (
    Builtin("any", (P,), P, variadic=True),
    Builtin("near", (P, P, Type.INTEGER), P),
    Builtin("followed_by", (P, P, Type.INTEGER), P),
    Builtin("same_sentence", (P, P), P, variadic=True),
    Builtin("same_paragraph", (P, P), P, variadic=True),
    Builtin("affirmed", (P,), P, takes_cues=True),
    Builtin("negated", (P,), P, takes_cues=True),
    Builtin("bracketed", (P,), P),
    Builtin("unbracketed", (P,), P),
    Builtin("resolution", (Type.TEXT,), P, check_literal=resolution_regex),
    Builtin("section", (Type.TEXT,), S),
    Builtin("paragraphs", (Type.RANGE,), S),
    Builtin("paragraph", (Type.INTEGER,), S),
    Builtin("mentions", (P,), B),
    Builtin("count", (P,), N),
)}
