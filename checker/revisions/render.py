"""Output formats of `draftcheck diff`: text, JSON (`Diff.to_dict()`) or Markdown."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from checker.report.formats.json_format import dumps
from checker.report.formats.markdown import escape
from checker.report.model import Evidence, cite, format_score
from checker.revisions.diff import (
    Change,
    Decides,
    Diff,
    GroupDiff,
    MovedEvidence,
    RuleChange,
    WordEdit,
)
from checker.text import shorten

if TYPE_CHECKING:  # rich is imported by the text output only: JSON need not pay for it
    from rich.console import Console
    from rich.text import Text


_QUOTE = 160  # characters of a paragraph quoted in text output
_SHOWN_EDITS = 4




def _scores(group: GroupDiff) -> str:
    text = f"{format_score(group.before)} → {format_score(group.after)}"
    if group.before is not None and group.after is not None:
        text += f" ({group.after - group.before:+g})"
    return text


def _cites(evidence: tuple[Evidence, ...]) -> str:
    cites = dict.fromkeys(cite(e.paragraph, e.line) for e in evidence)
    return ", ".join(cites) or "none"


def _moves(moved: MovedEvidence) -> str:
    if not moved.moves:
        return f"now cites {_cites(moved.after_evidence)} (was {_cites(moved.before_evidence)})"
    return "renumbered " + ", ".join(f"¶{old} → ¶{new}" for old, new in moved.moves)


def _summary(diff: Diff) -> str:
    counts = diff.paragraphs
    return (f"paragraphs matched by text: {counts.added} added, {counts.removed} removed, "
            f"{counts.edited} edited, {counts.renumbered} renumbered")


def render_text(diff: Diff, *, color: bool = False) -> str:
    """Render the diff for a terminal; plain text unless color is True."""
    from rich.text import Text

    from checker.report.formats.text import make_console

    buffer = io.StringIO()
    console = make_console(buffer, color=color)
    console.print(Text(f"{diff.old} → {diff.new}", style="bold underline"))
    console.print(Text(_summary(diff), style="dim"))
    for group in diff.groups:
        header = Text("  ")
        header.append(group.group, style="bold")
        header.append(f" — {group.title}  ")
        header.append(f"score {_scores(group)}", style="bold cyan")
        flips = len(group.changes)
        header.append(f" ({flips} rule{'s' if flips != 1 else ''} changed)")
        console.print(header)
        for change in group.changes:
            _text_change(console, change, color)
        for moved in group.moved or ():
            console.print(Text(f"    = {moved.status.value:<6} {moved.rule_id}: evidence "
                               f"{_moves(moved)}", style="dim"))
    return buffer.getvalue()


def _text_edit(edit: WordEdit, color: bool) -> Text:
    """Show an edit as wdiff does: "…the PoA [-will be-]{+is+} one…" (struck and coloured)."""
    from rich.text import Text

    line = Text("          …" + (edit.words_before + " " if edit.words_before else ""))
    removed, added = shorten(edit.removed, _QUOTE), shorten(edit.added, _QUOTE)
    if edit.removed:
        line.append(removed if color else f"[-{removed}-]", style="red strike")
    if edit.added:
        line.append(" " if edit.removed else "")
        line.append(added if color else f"{{+{added}+}}", style="bold green")
    line.append((" " + edit.words_after if edit.words_after else "") + "…")
    return line


def _text_change(console: Console, change: RuleChange, color: bool) -> None:
    from rich.text import Text

    from checker.report.formats.text import STATUS_STYLE

    line = Text("    ")
    for status, arrow in ((change.before, " → "), (change.after, "  ")):
        mark, style = status.label, STATUS_STYLE[status]
        line.append(mark, style=style)
        line.append(arrow)
    line.append(f"{change.severity.value:<8} ")
    line.append(change.rule_id, style="bold")
    console.print(line)
    console.print(Text(f"        now: {change.why}"))
    console.print(Text(f"        was: {change.why_before}", style="dim"))
    found = change.changed_paragraph
    if found is None:
        console.print(Text("        no single paragraph change flips it", style="yellow"))
    else:
        cited = found.decides is Decides.CITED
        lead = "no single paragraph change flips it; changed and cited: " if cited else ""
        console.print(Text(f"        {lead}{found.cite()}", style="cyan"))
        if found.change is Change.EDITED:
            for edit in found.edits[:_SHOWN_EDITS]:
                console.print(_text_edit(edit, color))
            if len(found.edits) > _SHOWN_EDITS:
                console.print(Text(f"          … {len(found.edits) - _SHOWN_EDITS} more edits"))
        else:
            quoted = found.old_text if found.change is Change.REMOVED else found.new_text
            console.print(Text(f'          "{shorten(quoted or "", _QUOTE)}"'))
        if len(change.paragraphs) > 1:
            others = ", ".join(p.cite() for p in change.paragraphs[1:])
            console.print(Text(f"        also: {others}", style="cyan"))
    console.print(Text(f"        evidence before: {_cites(change.before_evidence)}; "
                       f"after: {_cites(change.after_evidence)}", style="dim"))


def render_json(diff: Diff, *, color: bool = False) -> str:
    """Render the diff as indented JSON: Diff.to_dict()."""
    return dumps(diff.to_dict())


def render_markdown(diff: Diff, *, color: bool = False) -> str:
    """Render the diff as Markdown: a score table, then per group its flips and their paragraphs."""
    title = f"{escape(diff.old)} → {escape(diff.new)}; draftcheck {diff.version}; {_summary(diff)}."
    lines = ["# draftcheck diff", "", title,
             "", "| group | before | after | rules changed |", "|---|---:|---:|---:|"]
    lines += [f"| {escape(g.group)} | {format_score(g.before)} | {format_score(g.after)} "
              f"| {len(g.changes)} |" for g in diff.groups]
    lines.append("")
    for group in diff.groups:
        lines += [f"## {escape(group.group)}: {escape(group.title)}", "",
                  f"**Score {_scores(group)}**", ""]
        if group.changes:
            lines += ["| rule | severity | before | after | paragraph |", "|---|---|---|---|---|"]
            for c in group.changes:
                found = c.changed_paragraph
                lines.append(f"| `{c.rule_id}` | {c.severity.value} | {c.before.label} | "
                             f"{c.after.label} | {escape(found.cite()) if found else '—'} |")
            lines.append("")
            for c in group.changes:
                lines += _md_change(c)
            lines.append("")
        if group.moved:
            lines += ["#### Evidence moved", ""]
            for m in group.moved:
                lines.append(f"- **{m.rule_id}** ({m.status.value}): evidence {_moves(m)}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md_change(change: RuleChange) -> list[str]:
    lines = [(f"- **{change.rule_id}** ({change.before.value} → {change.after.value}): "
              f"{escape(change.why)}"), f"  - was: {escape(change.why_before)}"]
    for found in change.paragraphs:
        lines.append(f"  - {escape(found.cite())}"
                     + (" (cited; no single change flips it)"
                        if found.decides is Decides.CITED else ""))
        if found.edits:
            lines.append("    - edits: " + "; ".join(_md_edit(e) for e in found.edits))
        if found.old_text is not None:
            lines.append(f"    - before: “{escape(found.old_text)}”")
        if found.new_text is not None:
            lines.append(f"    - after: “{escape(found.new_text)}”")
    for label, evidence in (("evidence before", change.before_evidence),
                            ("evidence after", change.after_evidence)):
        for e in evidence:
            lines.append(f"  - {label}: {escape(e.cite())}, line {e.line}: “{escape(e.text)}”")
    return lines


def _md_edit(edit: WordEdit) -> str:
    """Show an edit inline: "…the PoA ~~will be~~ **is** one…"."""
    parts = [f"~~{escape(edit.removed)}~~" if edit.removed else "",
             f"**{escape(edit.added)}**" if edit.added else ""]
    words = (escape(edit.words_before), *parts, escape(edit.words_after))
    return "…" + " ".join(p for p in words if p) + "…"
