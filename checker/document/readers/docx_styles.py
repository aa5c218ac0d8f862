"""Word paragraph properties, styles and automatic numbering, as numbering.xml and styles.xml
define them: what `checker.document.readers.docx` needs to print a paragraph's number ("31.", "(a)")
and to know its heading level.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
MAX_LEVELS = 9


def paragraph_properties(p: Any, original: bool) -> Any:
    """Return the w:pPr in force in this reading (the one before a tracked change if original)."""
    props = p.find(W + "pPr")
    if original and props is not None:
        before = props.find(W + "pPrChange/" + W + "pPr")
        if before is not None:
            return before
    return props


def _val(element: Any, path: str) -> str | None:
    """Return the w:val attribute of the element at path below element, if any."""
    if element is None:
        return None
    found = element.find(path.replace("w:", W))
    return None if found is None else found.get(W + "val")


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


class Styles:
    """The paragraph styles of styles.xml: names, inheritance, numbering, outline levels."""

    def __init__(self, root: Any) -> None:
        self.styles: dict[str, _Style] = {}
        self.default: str | None = None
        if root is None:
            return
        for style in root.iterchildren(W + "style"):
            if style.get(W + "type") != "paragraph":
                continue
            style_id = style.get(W + "styleId", "")
            props = style.find(W + "pPr")
            self.styles[style_id] = _Style(
                (_val(style, "w:name") or style_id).lower(), _val(style, "w:basedOn"),
                _int(_val(props, "w:numPr/w:numId")), _int(_val(props, "w:numPr/w:ilvl")),
                _int(_val(props, "w:outlineLvl")))
            if style.get(W + "default") in ("1", "true", "on"):
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
        return outline + 1 if outline is not None and 0 <= outline < MAX_LEVELS else None


def style_id(props: Any, styles: Styles) -> str | None:
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
    fmt = lvl.find(W + "numFmt")
    if fmt is None:
        fmt = lvl.find(f"{MC}AlternateContent/{MC}Fallback/{W}numFmt")
    text = lvl.find(W + "lvlText")
    legal = lvl.find(W + "isLgl")
    return _Level(
        start=_int(_val(lvl, "w:start")) or 0,  # Word's default start is 0
        format=(fmt.get(W + "val") if fmt is not None else None) or "decimal",
        text=None if text is None else text.get(W + "val"),
        restart=_int(_val(lvl, "w:lvlRestart")),
        legal=legal is not None and legal.get(W + "val", "true") not in ("0", "false", "off"),
        suffix={"space": " ", "nothing": ""}.get(_val(lvl, "w:suff") or "tab", "\t"),
        style=_val(lvl, "w:pStyle"))


class Numbering:
    """numbering.xml: list definitions and the running counters, used once per reading."""

    def __init__(self, root: Any, styles: Styles) -> None:
        self.styles = styles
        self.abstracts: dict[str, Any] = {}
        self.nums: dict[int, Any] = {}
        self.counters: dict[tuple[str, Any], list[int | None]] = {}
        self._cache: dict[int, dict[int, _Level] | None] = {}
        if root is None:
            return
        for abstract in root.iterchildren(W + "abstractNum"):
            self.abstracts[abstract.get(W + "abstractNumId", "")] = abstract
        for num in root.iterchildren(W + "num"):
            num_id = _int(num.get(W + "numId"))
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
        levels = {ilvl: _level(lvl) for lvl in abstract.iterchildren(W + "lvl")
                  if (ilvl := _int(lvl.get(W + "ilvl"))) is not None}
        link = _val(abstract, "w:numStyleLink")
        if not levels and link:  # the definition lives with a numbering style
            linked = self.styles.numbering(link)[0]
            levels = (self._levels(linked, seen) or {}) if linked is not None else {}
        for override in num.iterchildren(W + "lvlOverride"):
            ilvl = _int(override.get(W + "ilvl"))
            if ilvl is None:
                continue
            lvl = override.find(W + "lvl")
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
        if num.find(W + "lvlOverride") is not None:
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
        values = self.counters.setdefault(self.key(num_id), [None] * MAX_LEVELS)
        level = levels[ilvl]
        current = values[ilvl]
        values[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, MAX_LEVELS):
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


def numbering_of(props: Any, style_id: str | None, styles: Styles,
                  numbering: Numbering) -> tuple[int, int] | None:
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
    return num_id, min(max(ilvl, 0), MAX_LEVELS - 1)


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
