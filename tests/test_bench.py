"""The benchmark script runs on its smallest size, so that it does not rot."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "bench" / "run.py"


# Stands in for textlint (node is not needed): keeps the prh dictionary it was given, and
# reports one problem per pattern (or none, as textlint does without the prh rule) as JSON.
FAKE_TEXTLINT = """#!{python}
import json, pathlib, shutil, sys
config = json.loads(pathlib.Path(sys.argv[sys.argv.index("--config") + 1]).read_text())
prh = pathlib.Path(config["rules"]["prh"]["rulePaths"][0])
shutil.copy(prh, pathlib.Path(__file__).with_name("prh.yml"))
found = {report}
messages = [{{"ruleId": "prh"}} for line in prh.read_text().splitlines() if "pattern:" in line]
print(json.dumps([{{"filePath": sys.argv[-1], "messages": messages if found else []}}]))
sys.exit(1)  # textlint's exit when it reports problems, and when no rule is found
"""


def _fake_textlint(folder: Path, report: bool) -> Path:
    fake = folder / "textlint"
    fake.write_text(FAKE_TEXTLINT.format(python=sys.executable, report=report), encoding="utf-8")
    fake.chmod(0o755)
    return fake


@pytest.fixture(scope="module")
def textlint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _fake_textlint(tmp_path_factory.mktemp("textlint"), report=True)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, textlint: Path) -> dict:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    done = subprocess.run([sys.executable, str(RUN), "--quick", "--out", str(out),
                           "--textlint", str(textlint)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "100KB" in done.stdout and "target <=" in done.stdout
    return json.loads(out.read_text(encoding="utf-8"))


def test_results_have_every_part(results: dict) -> None:
    assert {"machine", "code", "options", "drafts", "rule_sets", "matrix", "cli", "batch",
            "ratios"} <= results.keys()
    assert results["options"]["quick"] is True
    assert results["drafts"]["100KB"]["bytes"] >= 100_000


def test_matrix_figures_are_positive(results: dict) -> None:
    row = results["matrix"]["100KB x 30"]
    for part in ("floor", "draftcheck", "naive"):
        assert "errors" not in row[part], row[part]
        assert row[part]["wall_s"] > 0
        assert row[part]["peak_mb"] > 0


def test_cli_and_batch_figures_are_positive(results: dict) -> None:
    assert results["cli"]["wall_s"] > 0
    assert results["cli"]["python_startup"]["wall_s"] > 0
    for jobs in ("j1", "j2"):
        assert results["batch"][jobs]["wall_s"] > 0


def test_every_target_is_listed(results: dict) -> None:
    names = [r["name"] for r in results["ratios"]]
    for expected in ("10MB x 300 rules / floor(10MB)", "300 rules: 10MB / 1MB",
                     "peak memory, 10MB draft (any rule set)", "CLI, typical draft x 3 rule sets"):
        assert expected in names
    for ratio in results["ratios"]:
        assert ratio["status"] in {"PASS", "FAIL", "info", "not measured"}
        if ratio["value"] is not None:
            assert ratio["value"] > 0


def test_rule_sets_use_every_form(results: dict) -> None:
    forms = results["rule_sets"]["30"]["forms"]
    assert sum(forms.values()) == 30
    for form in ("phrase", "wildcard", "near", "followed-by", "count-arith", "section",
                 "paragraphs", "affirmed", "negated", "same-sentence", "unbracketed", "terms",
                 "resolution", "regex"):
        assert forms.get(form), form


def test_generators_are_deterministic() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    corpus = generate.harvest()
    assert generate.make_draft(20_000, corpus=corpus) == generate.make_draft(20_000, corpus=corpus)
    assert generate.make_ruleset(30, corpus=corpus) == generate.make_ruleset(30, corpus=corpus)


def test_textlint_gets_one_prh_pattern_per_rule(results: dict, textlint: Path) -> None:
    assert results["textlint"]["100KB x 30"]["wall_s"] > 0
    assert results["textlint"]["100KB x 30"]["reported"] == 30
    patterns = re.findall(r'^    pattern: "/(.*)/i"$', textlint.with_name("prh.yml").read_text(),
                          re.MULTILINE)
    assert len(patterns) == 30
    for pattern in patterns:
        re.compile(json.loads(f'"{pattern}"'))  # (the same syntax, for these patterns)


def test_a_textlint_that_reports_nothing_is_a_failed_run(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, str(RUN), "--quick", "--out", str(out), "--textlint",
                           str(_fake_textlint(tmp_path, report=False))], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "textlint reported nothing" in done.stdout + done.stderr
    run = json.loads(out.read_text(encoding="utf-8"))["textlint"]["100KB x 30"]
    assert run["reported"] == 0 and run["errors"]
