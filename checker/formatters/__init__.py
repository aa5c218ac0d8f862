"""Output formats: one table from format name to a function rendering a Report as text."""

from __future__ import annotations

from collections.abc import Callable

from checker.formatters import html, json_format, markdown, sarif, text
from checker.report import Report

Formatter = Callable[..., str]

FORMATTERS: dict[str, Formatter] = {
    "text": text.render,
    "json": json_format.render,
    "markdown": markdown.render,
    "html": html.render,
    "sarif": sarif.render,
}


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """Render a report in a format (see FORMATTERS)."""
    return FORMATTERS[fmt](report, color=color)
