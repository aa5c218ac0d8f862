"""Output formats: one table from format name to the function rendering a Report as text.

Each formatter is imported when it is used: JSON output should not pay for rich's import.
"""

from __future__ import annotations

import importlib

from checker.report.model import Report

FORMATTERS: dict[str, str] = {  # format -> module in checker.report.formats with render()
    "text": "text",
    "json": "json_format",
    "markdown": "markdown",
    "html": "html",
    "sarif": "sarif",
}


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """Render a report in a format (see FORMATTERS)."""
    module = importlib.import_module(f"checker.report.formats.{FORMATTERS[fmt]}")
    return module.render(report, color=color)
