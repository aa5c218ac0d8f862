"""JSON output: Report.to_dict(), as published in checker/schemas/report.schema.json."""

from __future__ import annotations

import json

from checker.report import Report


def render(report: Report, *, color: bool = False) -> str:
    """Render the report as indented JSON with stable key order."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
