"""Markdown: a report to paste into an e-mail or a wiki (GitHub-flavoured tables)."""

from __future__ import annotations

import re

from checker.report.model import GroupResult, Report, Verdict, format_score


def render(report: Report, *, color: bool = False) -> str:
    """Render the report as Markdown: matrix, then per draft and group a table and evidence."""
    lines = ["# draftcheck report", "",
             f"draftcheck {report.version}; {len(report.drafts)} draft(s), "
             f"{len(report.groups())} group(s).", ""]
    if len(report.drafts) > 1:
        lines += _matrix(report)
    for draft in report.drafts:
        lines += [f"## {escape(draft.path)}", ""]
        for group in draft.groups:
            lines += _group(group)
    return "\n".join(lines).rstrip() + "\n"


def _matrix(report: Report) -> list[str]:
    groups = [group for group, _ in report.groups()]
    lines = ["## Scores (drafts × groups)", "",
             "| draft | " + " | ".join(escape(g) for g in groups) + " |",
             "|---|" + "---:|" * len(groups)]
    for path, scores in report.matrix():
        cells = [format_score(scores.get(g)) for g in groups]
        lines.append(f"| {escape(path)} | " + " | ".join(cells) + " |")
    return lines + [""]


def _group(group: GroupResult) -> list[str]:
    verdicts = sorted(group.verdicts, key=Verdict.sort_key)
    lines = [f"### {escape(group.group)}: {escape(group.title)}", "",
             f"**Score {format_score(group.score)}** ({group.counts_text()})", "",
             "| status | rule | severity | demand | says | why |",
             "|---|---|---|---|---|---|"]
    for v in verdicts:
        lines.append(f"| {v.status.label} | `{v.rule_id}` | {v.severity.value} | "
                     f"{escape(v.demand or '')} | {escape(v.says)} | {escape(v.why)} |")
    lines.append("")
    cited = [v for v in verdicts if v.evidence or v.notes]
    if cited:
        lines += ["#### Evidence", ""]
        for v in cited:
            lines.append(f"- **{v.rule_id}** ({v.status.value})")
            for note in v.notes:
                lines.append(f"  - note: {escape(note)}")
            for e in v.evidence:
                page = f", p. {e.page}" if e.page is not None else ""
                lines.append(f"  - {escape(e.cite())}, line {e.line}{page}: "
                             f"“{escape(e.text)}”")
        lines.append("")
    return lines


def escape(text: str) -> str:
    """Escape what Markdown would read as markup (pipes too, for table cells); one line."""
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text.replace("\n", " "))

