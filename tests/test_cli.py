"""The command line as a user meets it (DESIGN §5): the default command, --rules lookup, several
rule sets and drafts, stdin, exit codes and --fail-on, output files, text output, --explain."""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import ROOT

from checker import __version__

SAMPLES = ROOT / "samples" / "drafts"
BALANCED = SAMPLES / "balanced.txt"
LEAN = SAMPLES / "lean_poa.txt"
SHIPPED = ROOT / "rules" / "joint_statement.yaml"

DRAFT_TEXT = "A. Overview\n\n1. The Group met in Geneva.\n\n2. It adopted its report.\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ruleset(group: str, rules: list[tuple[str, str, str]]) -> str:
    """Return a rule set: rules given as (id, severity, check)."""
    lines = [f"group: {group}", f"title: Rules of {group}", "rules:"]
    for rule_id, severity, check in rules:
        lines += [f"  - id: {rule_id}", f"    says: Demand {rule_id}.", f"    severity: {severity}",
                  "    check: |", f"      {check}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    return write(tmp_path / "draft.txt", DRAFT_TEXT)


def verdicts(run) -> dict[str, str]:
    """Return {rule id: status} over every group of the first draft of a JSON run."""
    report = run.json()
    return {r["id"]: r["status"] for g in report["drafts"][0]["groups"] for r in g["rules"]}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the default command -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_without_the_word_check_is_the_same_as_check(cli, fmt):
    plain = cli(BALANCED, "--rules", "joint_statement.yaml", "--format", fmt)
    checked = cli("check", BALANCED, "--rules", "joint_statement.yaml", "--format", fmt)
    assert plain.code == checked.code == 0, plain.err + checked.err
    assert plain.out == checked.out
    assert plain.out.strip()


def test_default_command_with_options_first(cli):
    plain = cli("--rules", "joint_statement.yaml", BALANCED, "--format", "json")
    checked = cli("check", BALANCED, "--rules", "joint_statement.yaml", "--format", "json")
    assert plain.code == checked.code == 0, plain.err
    assert plain.out == checked.out


# -- --rules -----------------------------------------------------------------------------------


def test_rules_as_a_file(cli):
    run = cli(BALANCED, "--rules", SHIPPED, "--format", "json")
    assert run.code == 0, run.err
    assert [g["group"] for g in run.json()["drafts"][0]["groups"]] == ["joint-statement"]


def test_rules_as_a_folder_loads_every_yaml(cli, tmp_path, draft):
    folder = tmp_path / "sets"
    write(folder / "a.yaml", ruleset("alpha", [("r", "major", 'mentions("Geneva")')]))
    write(folder / "b.yaml", ruleset("beta", [("s", "major", 'mentions("report")')]))
    write(folder / "notes.txt", "not a rule set")
    run = cli(draft, "--rules", folder, "--format", "json")
    assert run.code == 0, run.err
    groups = [g["group"] for g in run.json()["drafts"][0]["groups"]]
    assert sorted(groups) == ["alpha", "beta"]


def test_rules_bare_name_found_in_local_rules_folder(cli, tmp_path, monkeypatch):
    work = tmp_path / "work"
    write(work / "rules" / "x.yaml", ruleset("local-x", [("r", "major", 'mentions("Geneva")')]))
    write(work / "draft.txt", DRAFT_TEXT)
    monkeypatch.chdir(work)
    run = cli("draft.txt", "--rules", "x.yaml", "--format", "json")
    assert run.code == 0, run.err
    assert run.json()["drafts"][0]["groups"][0]["group"] == "local-x"


def test_rules_bare_name_prefers_local_rules_over_installed(cli, tmp_path, monkeypatch):
    work = tmp_path / "work"
    write(work / "rules" / "joint_statement.yaml",
          ruleset("local-override", [("r", "major", 'mentions("Geneva")')]))
    write(work / "draft.txt", DRAFT_TEXT)
    monkeypatch.chdir(work)
    run = cli("draft.txt", "--rules", "joint_statement.yaml", "--format", "json")
    assert run.code == 0, run.err
    assert run.json()["drafts"][0]["groups"][0]["group"] == "local-override"


def test_rules_bare_name_found_among_installed_rule_sets(cli, tmp_path, monkeypatch):
    write(tmp_path / "draft.txt", BALANCED.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)  # no ./rules/ here
    run = cli("draft.txt", "--rules", "joint_statement.yaml", "--format", "json")
    assert run.code == 0, run.err
    assert run.json()["drafts"][0]["groups"][0]["group"] == "joint-statement"


def test_several_rules_options(cli, tmp_path, draft):
    a = write(tmp_path / "a.yaml", ruleset("alpha", [("r", "major", 'mentions("Geneva")')]))
    b = write(tmp_path / "b.yaml", ruleset("beta", [("s", "major", 'mentions("report")')]))
    run = cli(draft, "--rules", a, "--rules", b, "--format", "json")
    assert run.code == 0, run.err
    assert [g["group"] for g in run.json()["drafts"][0]["groups"]] == ["alpha", "beta"]


def test_same_rule_file_twice_is_loaded_once(cli, tmp_path, draft):
    a = write(tmp_path / "a.yaml", ruleset("alpha", [("r", "major", 'mentions("Geneva")')]))
    run = cli(draft, "--rules", a, "--rules", a, "--format", "json")
    assert run.code == 0, run.err
    assert [g["group"] for g in run.json()["drafts"][0]["groups"]] == ["alpha"]


def test_several_drafts(cli):
    run = cli(BALANCED, LEAN, "--rules", "joint_statement.yaml", "--format", "json",
              "--fail-on", "never")
    assert run.code == 0, run.err
    drafts = run.json()["drafts"]
    assert [Path(d["path"]).name for d in drafts] == ["balanced.txt", "lean_poa.txt"]
    scores = [d["groups"][0]["score"] for d in drafts]
    assert scores[0] > scores[1]


def test_several_drafts_text_output_names_each(cli):
    run = cli(BALANCED, LEAN, "--rules", "joint_statement.yaml", "--fail-on", "never")
    assert run.code == 0, run.err
    assert "balanced.txt" in run.out and "lean_poa.txt" in run.out
    assert run.out.index("balanced.txt") < run.out.index("lean_poa.txt")


def test_stdin_is_read_with_a_dash(cli, tmp_path, monkeypatch, draft):
    rules = write(tmp_path / "r.yaml", ruleset("g", [("r", "major", 'mentions("Geneva")')]))
    from_file = cli(draft, "--rules", rules, "--format", "json")
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(DRAFT_TEXT.encode())))
    from_stdin = cli("-", "--rules", rules, "--format", "json")
    assert from_stdin.code == 0, from_stdin.err
    assert verdicts(from_stdin) == verdicts(from_file) == {"r": "met"}
    first = from_stdin.json()["drafts"][0]
    assert first["sha256"] == hashlib.sha256(DRAFT_TEXT.encode()).hexdigest()


def test_stdin_sample_gives_the_same_verdicts_as_the_file(cli, monkeypatch):
    from_file = cli(LEAN, "--rules", "joint_statement.yaml", "--format", "json")
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(LEAN.read_bytes())))
    from_stdin = cli("-", "--rules", "joint_statement.yaml", "--format", "json")
    assert from_stdin.code == from_file.code == 1
    assert verdicts(from_stdin) == verdicts(from_file)


# -- exit codes --------------------------------------------------------------------------------

FAIL_ON_CASES = [
    # (severity of the one unmet rule, {--fail-on value or None for the default: exit code})
    ("minor", {None: 0, "critical": 0, "major": 0, "minor": 1, "never": 0}),
    ("major", {None: 1, "critical": 0, "major": 1, "minor": 1, "never": 0}),
    ("critical", {None: 1, "critical": 1, "major": 1, "minor": 1, "never": 0}),
]


@pytest.mark.parametrize("severity, expected", FAIL_ON_CASES, ids=[c[0] for c in FAIL_ON_CASES])
def test_exit_code_follows_fail_on(cli, tmp_path, draft, severity, expected):
    rules = write(tmp_path / "r.yaml", ruleset("g", [
        ("unmet-one", severity, 'mentions("New York")'),
        ("met-critical", "critical", 'mentions("Geneva")'),
        ("met-minor", "minor", 'not mentions("New York")')]))
    for fail_on, code in expected.items():
        extra = () if fail_on is None else ("--fail-on", fail_on)
        run = cli(draft, "--rules", rules, *extra)
        assert run.code == code, (fail_on, run.err)


def test_everything_met_exits_0_even_with_fail_on_minor(cli, tmp_path, draft):
    rules = write(tmp_path / "r.yaml", ruleset("g", [("r", "minor", 'mentions("Geneva")')]))
    assert cli(draft, "--rules", rules, "--fail-on", "minor").code == 0


def test_manual_rules_do_not_fail_the_run(cli, tmp_path, draft):
    rules = write(tmp_path / "r.yaml", ruleset("g", [("r", "critical", "manual")]))
    run = cli(draft, "--rules", rules, "--fail-on", "minor", "--format", "json")
    assert run.code == 0, run.err
    assert verdicts(run) == {"r": "review"}


def test_samples_exit_codes(cli):
    assert cli(BALANCED, "--rules", "joint_statement.yaml").code == 0
    assert cli(LEAN, "--rules", "joint_statement.yaml").code == 1
    assert cli(LEAN, "--rules", "joint_statement.yaml", "--fail-on", "never").code == 0


# -- version and help -------------------------------------------------------------------------


def test_version(cli):
    run = cli("--version")
    assert run.code == 0
    assert __version__ in run.out
    assert run.out.strip() == f"draftcheck {__version__}"


def test_help_lists_the_commands(cli):
    run = cli("--help")
    assert run.code == 0
    for command in ("check", "validate"):
        assert re.search(rf"^\s+{command}\b", run.out, re.M), run.out


def test_check_help_lists_the_options(cli):
    run = cli("check", "--help")
    assert run.code == 0
    for option in ("--rules", "--format", "--fail-on", "--explain", "--output"):
        assert option in run.out


# -- output ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_file_gets_the_report_and_stdout_stays_empty(cli, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    printed = cli(LEAN, "--rules", "joint_statement.yaml", "--format", fmt)
    written = cli(LEAN, "--rules", "joint_statement.yaml", "--format", fmt, "-o", out)
    assert written.code == printed.code == 1
    assert written.out == ""
    assert out.read_text(encoding="utf-8") == printed.out


def test_output_file_is_replaced_whole(cli, tmp_path):
    out = write(tmp_path / "report.json", "old contents " * 10_000)
    run = cli(BALANCED, "--rules", "joint_statement.yaml", "--format", "json", "-o", out)
    assert run.code == 0, run.err
    json.loads(out.read_text(encoding="utf-8"))
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left


def _rule_order(text: str, ids: list[str]) -> list[str]:
    where = {}
    for rule_id in ids:
        match = re.search(rf"\b{re.escape(rule_id)}\b", text)
        assert match, f"{rule_id} not in output:\n{text}"
        where[rule_id] = match.start()
    return sorted(ids, key=where.__getitem__)


def test_text_lists_unmet_before_met_and_critical_before_minor(cli, tmp_path, draft):
    rules = write(tmp_path / "r.yaml", ruleset("g", [
        ("a-minor-unmet", "minor", 'mentions("New York")'),
        ("b-critical-met", "critical", 'mentions("Geneva")'),
        ("c-critical-unmet", "critical", 'mentions("Vienna")'),
        ("d-major-unmet", "major", 'mentions("Nairobi")'),
        ("e-minor-met", "minor", 'mentions("report")'),
    ]))
    run = cli(draft, "--rules", rules)
    assert run.code == 1
    order = _rule_order(run.out, ["a-minor-unmet", "b-critical-met", "c-critical-unmet",
                                  "d-major-unmet", "e-minor-met"])
    assert order[:3] == ["c-critical-unmet", "d-major-unmet", "a-minor-unmet"]
    assert set(order[3:]) == {"b-critical-met", "e-minor-met"}
    assert order.index("b-critical-met") < order.index("e-minor-met")


def test_text_shows_demand_why_and_evidence_for_unmet(cli):
    run = cli(LEAN, "--rules", "joint_statement.yaml")
    assert "no-threat-repository" in run.out
    assert "¶11" in run.out  # evidence cited as a diplomat would
    assert "why:" in run.out


def test_no_ansi_escapes_under_no_color(cli, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")  # NO_COLOR wins
    run = cli(LEAN, "--rules", "joint_statement.yaml", "--explain")
    assert run.out.strip()
    assert "\x1b" not in run.out
    assert "\x1b" not in run.err


def test_no_ansi_escapes_in_an_output_file(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    out = tmp_path / "report.txt"
    cli(LEAN, "--rules", "joint_statement.yaml", "-o", out)
    assert "\x1b" not in out.read_text(encoding="utf-8")


def test_explain_adds_sub_condition_lines(cli, tmp_path, draft):
    rules = write(tmp_path / "r.yaml", ruleset("g", [
        ("both", "major", 'mentions("Geneva") and not mentions("New York")'),
        ("missing", "minor", 'mentions("Vienna") or mentions("Nairobi")'),
    ]))
    plain = cli(draft, "--rules", rules)
    explained = cli(draft, "--rules", rules, "--explain")
    assert plain.code == explained.code == 0
    extra = [line for line in explained.out.splitlines() if line not in plain.out.splitlines()]
    assert extra, explained.out
    assert any(re.search(r'"Geneva"\)?: yes', line) for line in extra), extra
    assert any(re.search(r'"New York"\)?: no', line) for line in extra), extra
    assert any(re.search(r'"Vienna"\)?: no', line) for line in extra), extra
    assert not any(": yes" in line or ": no" in line for line in plain.out.splitlines()
                   if "why:" not in line)


def test_explain_in_json(cli, tmp_path, draft):
    rules = write(tmp_path / "r.yaml", ruleset("g", [
        ("both", "major", 'mentions("Geneva") and not mentions("New York")')]))
    plain = cli(draft, "--rules", rules, "--format", "json").json()
    explained = cli(draft, "--rules", rules, "--format", "json", "--explain").json()
    assert "explanation" not in plain["drafts"][0]["groups"][0]["rules"][0]
    lines = explained["drafts"][0]["groups"][0]["rules"][0]["explanation"]
    assert any("yes" in line for line in lines) and any("no" in line for line in lines)


# -- inputs and determinism --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_inputs_are_never_modified(cli, tmp_path, fmt):
    draft = write(tmp_path / "draft.txt", LEAN.read_text(encoding="utf-8"))
    rules = write(tmp_path / "rules" / "js.yaml", SHIPPED.read_text(encoding="utf-8"))
    before = (digest(draft), digest(rules), draft.stat().st_mtime_ns, rules.stat().st_mtime_ns)
    cli(draft, "--rules", rules, "--format", fmt, "--explain", "-o", tmp_path / "out")
    cli(draft, "--rules", rules.parent, "--format", fmt)
    cli("validate", rules)
    after = (digest(draft), digest(rules), draft.stat().st_mtime_ns, rules.stat().st_mtime_ns)
    assert after == before
    assert sorted(p.name for p in (tmp_path / "rules").iterdir()) == ["js.yaml"]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_is_deterministic(cli, fmt):
    args = (BALANCED, LEAN, SAMPLES / "traps.txt", "--rules", "joint_statement.yaml",
            "--format", fmt, "--explain")
    first, second = cli(*args), cli(*args)
    assert first.code == second.code
    assert first.out == second.out
    assert first.out.strip()


def test_validate_prints_one_line_per_rule_set(cli, tmp_path):
    a = write(tmp_path / "a.yaml", ruleset("alpha", [("r", "major", 'mentions("x")')]))
    b = write(tmp_path / "b.yaml", ruleset("beta", [("s", "major", "manual")]))
    run = cli("validate", a, b)
    assert run.code == 0, run.err
    assert "alpha" in run.out and "beta" in run.out
    assert len(run.out.strip().splitlines()) == 2


@pytest.mark.parametrize("name", ["APR [Rev.1].txt", "APR [red].txt", "APR [/b].txt",
                                  "APR :smile:.txt"], ids=["rev", "style", "closing-tag", "emoji"])
def test_draft_names_are_printed_verbatim(cli, tmp_path, draft, name):
    # File names are data, not terminal markup: "[red]" or ":smile:" must print as written.
    odd = tmp_path / name
    odd.parent.mkdir(parents=True, exist_ok=True)
    odd.write_text(DRAFT_TEXT, encoding="utf-8")
    rules = write(tmp_path / "r.yaml", ruleset("g", [("r", "major", 'mentions("Geneva")')]))
    try:
        run = cli(draft, odd, "--rules", rules)
    except Exception as error:  # noqa: BLE001 - a crash is the failure being tested
        pytest.fail(f"draftcheck crashed on the draft name {name!r}: {error!r}")
    assert run.code == 0, run.err
    lines_naming = [line for line in run.out.splitlines() if str(odd) in line]
    assert len(lines_naming) >= 2, run.out  # the draft's own heading and its row of scores
