"""What every stage means by text: normalised characters, words, phrases, shortened quotes.

Drafts and rule files meet here: a draft is normalised (`checker.document.model.make_source`)
and tokenised into WORDs (`checker.evaluation.index`) the same way a rule's phrase is normalised
and planned (`plan_phrase`), so that a phrase pasted from a draft matches the draft.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# Normalisation: one-character replacements keep offsets; deletions are recorded as anchors.

INVISIBLE = re.compile(r"\r(?=\n)|[\u00ad\u200b-\u200d\u2060\ufeff]+")
MAYBE_INVISIBLE = re.compile(r"[\r\u00ad\u200b-\u200d\u2060\ufeff]")  # 4x faster to rule out
_REPLACED = {
    "'": "\u2018\u2019\u201a\u201b\u2032",
    '"': "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb",
    "-": "\u2010\u2011\u2012\u2013\u2014\u2015\u2212",
    " ": "\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
         "\u202f\u205f\u3000",
    "\n": "\r",  # a lone CR (old Mac line end); a CR before LF is deleted instead
}
_TRANSLATION = {c: plain for plain, chars in _REPLACED.items() for c in chars}
# A regex substitution beats str.translate, which is slow on any text that is not pure ASCII.
_TO_REPLACE = re.compile("[" + "".join(_TRANSLATION) + "]")


def plain_characters(text: str) -> str:
    """Replace typographic quotes, dashes and spaces by plain ones, one for one (offsets kept)."""
    return _TO_REPLACE.sub(lambda m: _TRANSLATION[m[0]], text)


def normalize(text: str) -> str:
    """Normalise a short text as drafts are (quotes, dashes, spaces; invisible characters out):
    rule authors paste phrases from drafts."""
    return plain_characters(INVISIBLE.sub("", text))


# A word: letters and digits, with inner apostrophes kept ("didn't", "Group's").
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PhrasePlan:
    """A phrase pattern split into words (each possibly a `prefix*`) and what lies between them."""

    words: tuple[tuple[str, bool], ...]  # (lowercased word, is_prefix)
    gaps: tuple[str | None, ...]  # None: any run of spaces/line breaks/hyphens; else punctuation
    lead: str  # punctuation the match must be preceded by, e.g. "(" in "(a)"
    trail: str  # punctuation that must follow the last word, e.g. "." in "U.N."


@functools.lru_cache(maxsize=65536)
def plan_phrase(value: str) -> PhrasePlan:
    """Split a phrase into words and gaps; raise ValueError if it has no word to match."""
    text = normalize(value).lower()
    plain = text.split(" ")
    if all(plain) and "".join(plain).isalnum():  # words one space apart, the common case
        return PhrasePlan(tuple((word, False) for word in plain), (None,) * (len(plain) - 1),
                          "", "")
    return _split_phrase(text)


def _split_phrase(text: str) -> PhrasePlan:
    """Plan a normalised, lowercased phrase: its words, and the punctuation between them."""
    found = list(WORD.finditer(text))
    if not found:
        raise ValueError("a phrase needs at least one word (letters or digits) to match")
    words, gaps = [], []
    for i, m in enumerate(found):
        after_end = found[i + 1].start() if i + 1 < len(found) else len(text)
        after = text[m.end():after_end]
        prefix = after.startswith("*")
        words.append((m.group(), prefix))
        if i + 1 < len(found):
            gap = WHITESPACE.sub("", after[1:] if prefix else after)
            gaps.append(None if gap.strip("-") == "" else gap)
    trail = text[found[-1].end():].strip().lstrip("*")
    lead = text[: found[0].start()].strip()
    return PhrasePlan(tuple(words), tuple(gaps), lead, WHITESPACE.sub("", trail))


def shorten(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters, ending "…" where it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
