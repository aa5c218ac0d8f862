"""Shared fixtures: run the CLI in-process, and write small rule sets and drafts to disk."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys, monkeypatch):
    """Return a function running `draftcheck ARGS...` in-process: Run(code, out, err)."""
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def rule_yaml(check: str, *, terms: dict[str, str] | None = None,
              cues: list[str] | None = None, group: str = "test-group",
              severity: str = "major") -> str:
    """Return a one-rule rule set (rule id `r`) whose check is written as a YAML block scalar."""
    lines = [f"group: {group}", "title: Test rules"]
    if cues:
        lines.append("negation_cues: [" + ", ".join(json.dumps(c) for c in cues) + "]")
    if terms:
        lines.append("terms:")
        # json.dumps gives a YAML double-quoted scalar whose value is the expression as written.
        lines += [f"  {name}: {json.dumps(value)}" for name, value in terms.items()]
    lines += ["rules:", "  - id: r", "    says: Test demand.", f"    severity: {severity}",
              "    check: |", *(f"      {line}" for line in check.splitlines())]
    return "\n".join(lines) + "\n"


@pytest.fixture
def verdict(tmp_path, cli):
    """Return a function: verdict(check, draft_text, **rule_yaml options) -> the rule's verdict
    dict from the JSON report (status, why, evidence, ...)."""

    def run(check: str, text: str, **options) -> dict:
        rules = tmp_path / "rules.yaml"
        rules.write_text(rule_yaml(check, **options), encoding="utf-8")
        draft = tmp_path / "draft.txt"
        draft.write_text(text, encoding="utf-8")
        result = cli(draft, "--rules", rules, "--format", "json", "--fail-on", "never")
        assert result.code in (0, 2), result.err
        return result.json()["drafts"][0]["groups"][0]["rules"][0]

    return run
