"""Every command's output formats, one table per command: the CLI's --format choices are the keys.

A format names the function that renders it ("module:function"), imported only when that format
is used: a JSON report never pays for rich's import, and `draftcheck --version` for none of them.
Adding a format to a command is one line in its table plus the module that renders it.
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple


class OutputFormat(NamedTuple):  # not a dataclass: the CLI imports this on every start-up
    """One output format of one command; the CLI reads its attributes, never its name."""

    name: str
    renders: str  # "module:function" taking what the command produces
    colour: bool = False  # coloured on a terminal (never with NO_COLOR, never into a file)
    needs_text: bool = False  # the report must carry each draft's text (the page shows it)
    problems: str | None = None  # "module:function" rendering rule-file problems, if it can

    def render(self, value: Any, **options: Any) -> str:
        """Render what the command produced (a report, a diff, a comparison ...)."""
        return _function(self.renders)(value, **options)

    def render_problems(self, problems: tuple) -> str | None:
        """Render rule-file problems in this format, or None if it has no place for them."""
        return None if self.problems is None else _function(self.problems)(problems)


def _function(target: str) -> Any:
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


def _table(*formats: OutputFormat) -> dict[str, OutputFormat]:
    return {f.name: f for f in formats}


_REPORT = "checker.report.formats"

CHECK = _table(
    OutputFormat("text", f"{_REPORT}.text:render", colour=True),
    OutputFormat("json", f"{_REPORT}.json_format:render"),
    OutputFormat("markdown", f"{_REPORT}.markdown:render"),
    OutputFormat("html", f"{_REPORT}.html:render", needs_text=True),
    OutputFormat("sarif", f"{_REPORT}.sarif:render", problems=f"{_REPORT}.sarif:render_problems"),
)

DIFF = _table(
    OutputFormat("text", "checker.revisions.render:render_text", colour=True),
    OutputFormat("json", "checker.revisions.render:render_json"),
    OutputFormat("markdown", "checker.revisions.render:render_markdown"),
)

COMPARE = _table(  # rendered with the drafts' overview (drafts=) when --drafts is given
    OutputFormat("text", "checker.compare.render:compare_text"),
    OutputFormat("json", "checker.compare.render:compare_json"),
    OutputFormat("markdown", "checker.compare.render:compare_markdown"),
)

CONSENSUS = _table(
    OutputFormat("text", "checker.compare.render:consensus_text"),
    OutputFormat("json", "checker.compare.render:consensus_json"),
    OutputFormat("markdown", "checker.compare.render:consensus_markdown"),
)
