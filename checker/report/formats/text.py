"""Terminal output: per draft and group, unmet demands first (most severe first), with evidence."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from checker.report.model import GroupResult, Report, Status, Verdict, format_score

STATUS_STYLE = {Status.UNMET: "bold red", Status.ERROR: "bold magenta", Status.REVIEW: "yellow",
                Status.MET: "green"}
_SEVERITY_STYLE = {"critical": "bold red", "major": "red", "minor": "dim"}


def make_console(buffer: io.StringIO, *, color: bool) -> Console:
    """Return a 100-column rich Console printing into buffer: plain text unless color is True."""
    return Console(file=buffer, force_terminal=color, no_color=not color, color_system=
                   "standard" if color else None, width=100, soft_wrap=True, highlight=False)


def render(report: Report, *, color: bool = False) -> str:
    """Render the report for a terminal; plain text unless color is True."""
    buffer = io.StringIO()
    console = make_console(buffer, color=color)
    for draft in report.drafts:
        console.print(Text(draft.path, style="bold underline"))
        for group in draft.groups:
            _group(console, group)
        console.print()
    if len(report.drafts) > 1:
        _matrix(console, report)
    return buffer.getvalue()


def _group(console: Console, group: GroupResult) -> None:

    header = Text("  ")
    header.append(group.group, style="bold")
    header.append(f" — {group.title}  ")
    header.append(f"score {format_score(group.score)}", style="bold cyan")
    header.append(f" ({group.counts_text()})")
    console.print(header)
    for verdict in sorted(group.verdicts, key=Verdict.sort_key):
        _verdict(console, verdict)


def _verdict(console: Console, verdict: Verdict) -> None:
    line = Text("    ")
    line.append(f"{verdict.status.label:<8}", style=STATUS_STYLE[verdict.status])
    line.append(f" {verdict.severity.value:<8} ", style=_SEVERITY_STYLE[verdict.severity.value])
    line.append(verdict.rule_id, style="bold")
    if verdict.demand:
        line.append(f" (demand {verdict.demand})", style="dim")
    console.print(line)
    detailed = verdict.status != Status.MET
    if detailed:
        console.print(Text(f"        {verdict.says}", style="italic"))
    console.print(Text(f"        why: {verdict.why}"))
    for note in verdict.notes:
        console.print(Text(f"        note: {note}", style="yellow"))
    for evidence in verdict.evidence if detailed else verdict.evidence[:1]:
        where = Text(f"        {evidence.cite()} {evidence.line}:{evidence.column}", style="cyan")
        if evidence.page is not None:
            where.append(f" p. {evidence.page}")
        where.append(f'  "{evidence.text}"', style="default")
        console.print(where)
    for explained in verdict.explanation:
        console.print(Text(f"        | {explained}", style="dim"))


def _matrix(console: Console, report: Report) -> None:
    groups = [group for group, _ in report.groups()]
    width = max(len(d.path) for d in report.drafts)
    console.print(Text("Scores (drafts × groups)", style="bold"))
    console.print(Text(" " * (width + 2) + "  ".join(f"{g:>16}" for g in groups)))
    for path, scores in report.matrix():
        cells = [format_score(scores.get(g)) for g in groups]
        # Text, never a markup string: a file named "APR [red].txt" is printed as it is.
        console.print(Text(f"{path:<{width}}  " + "  ".join(f"{c:>16}" for c in cells)))
