"""SARIF 2.1.0 for editors and code-review tools: one result per unmet demand.

Rules are `GROUP/RULE`; a result's locations are its evidence (line and column in the draft), or
the draft itself when the demand is unmet for lack of something. Fingerprints hash what a result
is about (group, rule, draft, quoted sentences), not where it is, so they survive renumbering.
Rule-file problems become tool configuration notifications (see `render_problems`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

from checker import __version__
from checker.errors import Problem
from checker.report.formats.json_format import dumps
from checker.report.model import DraftResult, GroupResult, Report, Status, Verdict

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"critical": "error", "major": "warning", "minor": "note"}


def render(report: Report, *, color: bool = False) -> str:
    """Render the report as a SARIF 2.1.0 log with one run."""
    rules = _rules(report)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [_result(draft, group, verdict, index)
               for draft in report.drafts for group in draft.groups
               for verdict in sorted(group.verdicts, key=Verdict.sort_key)
               if verdict.status == Status.UNMET]
    notifications = [_notification(f"{group.group}/{v.rule_id}: {v.why}", "error")
                     for draft in report.drafts for group in draft.groups
                     for v in group.verdicts if v.status == Status.ERROR]
    run = {
        "tool": {"driver": _driver(rules)},
        "artifacts": [{"location": {"uri": _uri(d.path)}, "hashes": {"sha-256": d.sha256}}
                      for d in report.drafts],
        "invocations": [{"executionSuccessful": not notifications,
                         "toolExecutionNotifications": notifications}],
        "results": results,
    }
    return _dump(run)


def render_problems(problems: tuple[Problem, ...]) -> str:
    """Render rule-file (or draft) problems as a SARIF log whose run failed to execute."""
    notifications = [_notification(p.message, "error", p) for p in problems]
    run = {"tool": {"driver": _driver([])},
           "invocations": [{"executionSuccessful": False,
                            "toolConfigurationNotifications": notifications}],
           "results": []}
    return _dump(run)


def _dump(run: dict[str, Any]) -> str:
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return dumps(log)


def _driver(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": "draftcheck", "version": __version__, "semanticVersion": __version__,
            "rules": rules}


def _rules(report: Report) -> list[dict[str, Any]]:
    """Describe every loaded rule once (the first draft's groups carry them all)."""
    seen: dict[str, dict[str, Any]] = {}
    for draft in report.drafts:
        for group in draft.groups:
            for v in group.verdicts:
                rule_id = f"{group.group}/{v.rule_id}"
                seen.setdefault(rule_id, {
                    "id": rule_id, "name": v.rule_id,
                    "shortDescription": {"text": v.says},
                    "fullDescription": {"text": f"{group.title}: {v.says}"},
                    "defaultConfiguration": {"level": _LEVEL[v.severity.value]},
                    "properties": {"group": group.group, "severity": v.severity.value,
                                   "weight": v.weight, "demand": v.demand,
                                   "manual": v.status == Status.REVIEW}})
    return list(seen.values())


def _result(draft: DraftResult, group: GroupResult, verdict: Verdict,
            index: dict[str, int]) -> dict[str, Any]:
    rule_id = f"{group.group}/{verdict.rule_id}"
    uri = _uri(draft.path)
    if verdict.evidence:
        locations = [{"physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": {"startLine": e.line, "startColumn": e.column,
                       "snippet": {"text": e.text}}},
            "message": {"text": e.cite()}} for e in verdict.evidence]
    else:  # unmet for lack of something: the whole draft is the place
        locations = [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]
    about = "\n".join([rule_id, draft.path] + [e.text for e in verdict.evidence])
    return {
        "ruleId": rule_id, "ruleIndex": index[rule_id], "kind": "fail",
        "level": _LEVEL[verdict.severity.value],
        "message": {"text": f"{verdict.says} — {verdict.why}"},
        "locations": locations,
        "partialFingerprints": {"draftcheck/v1": hashlib.sha256(about.encode()).hexdigest()},
    }


def _notification(message: str, level: str, problem: Problem | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"level": level, "message": {"text": message}}
    if problem is not None:
        region = {}
        if problem.line is not None:
            region["startLine"] = problem.line
            if problem.column is not None:
                region["startColumn"] = problem.column
        location: dict[str, Any] = {"artifactLocation": {"uri": _uri(problem.path)}}
        if region:
            location["region"] = region
        out["locations"] = [{"physicalLocation": location}]
    return out


def _uri(path: str) -> str:
    """A path as a URI reference (relative paths stay relative); standard input as "stdin"."""
    return "stdin" if path == "<stdin>" else quote(Path(path).as_posix())
