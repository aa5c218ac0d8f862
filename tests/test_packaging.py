"""The installed package carries its grammar, schemas and shipped rule sets (not the checkout's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "drafts" / "balanced.txt"


def _run_installed(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run draftcheck from a folder outside the checkout, so only the installed package counts."""
    return subprocess.run([sys.executable, "-m", "checker", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    probe = subprocess.run([sys.executable, "-c", "import checker; print(checker.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True)
    if probe.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail("CI must test the installed package: run .ci/run")
        pytest.skip("draftcheck is not installed in this environment (pip install .)")
    location = Path(probe.stdout.strip()).parent
    assert location != ROOT / "checker", "expected the installed package, not the checkout's"
    return location


def test_wheel_contains_grammar_schemas_and_rules(installed: Path) -> None:
    assert (installed / "grammars" / "draftcheck.lark").is_file()
    for schema in ("ruleset/schemas/ruleset", "ruleset/schemas/terms", "report/report"):
        json.loads((installed / f"{schema}.schema.json").read_text("utf-8"))
    assert (installed / "rules" / "joint_statement.yaml").is_file()
    assert "--unmet" in (installed / "report" / "formats" / "report.css").read_text("utf-8")  # HTML


def test_installed_main_job_finds_shipped_rules_by_bare_name(installed: Path,
                                                            tmp_path: Path) -> None:
    result = _run_installed(tmp_path, str(SAMPLE), "--rules", "joint_statement.yaml",
                            "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    groups = report["drafts"][0]["groups"]
    assert [g["group"] for g in groups] == ["joint-statement"]
    assert {r["id"] for r in groups[0]["rules"]} >= {"mandate-75-240", "no-threat-repository"}
