"""Regressions found by review: inputs overwritten, verdicts changed by --explain, hostile input."""

from __future__ import annotations

import hashlib
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, rule_yaml

DRAFT = "1. The Group met in Geneva to discuss the repository.\n"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT, "utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text(rule_yaml('mentions("Geneva")'), "utf-8")
    return draft, rules


def test_sarif_for_a_broken_rule_file_never_overwrites_the_draft(cli, files, tmp_path) -> None:
    draft, _ = files
    bad = tmp_path / "bad.yaml"
    bad.write_text(rule_yaml('mentiosn("x")'), "utf-8")
    before = _digest(draft)
    run = cli(draft, "--rules", bad, "--format", "sarif", "-o", draft)
    assert run.code == 2
    assert "refusing to write over an input file" in run.err
    assert _digest(draft) == before


def test_an_included_vocabulary_is_never_overwritten(cli, files, tmp_path) -> None:
    draft, _ = files
    (tmp_path / "vocab.yaml").write_text('terms:\n  City: "Geneva"\n', "utf-8")
    rules = tmp_path / "with_include.yaml"
    rules.write_text("group: g\ntitle: T\ninclude: [vocab.yaml]\nrules:\n  - id: r\n"
                     "    says: S\n    check: City\n", "utf-8")
    before = _digest(tmp_path / "vocab.yaml")
    run = cli(draft, "--rules", rules, "--format", "json", "-o", tmp_path / "vocab.yaml")
    assert run.code == 2
    assert "YAML" in run.err
    assert _digest(tmp_path / "vocab.yaml") == before


def test_explain_never_changes_a_verdict(cli, files, tmp_path) -> None:
    # `and` stops at the false first part; --explain evaluates the second, which divides by 0.
    draft, _ = files
    rules = tmp_path / "div.yaml"
    rules.write_text(rule_yaml('mentions("zzzqqq") and count("the") / 0 > 1'), "utf-8")
    run = cli(draft, "--rules", rules, "--format", "json", "--explain", "--fail-on", "never")
    [rule] = run.json()["drafts"][0]["groups"][0]["rules"]
    assert rule["status"] == "unmet"
    assert any("cannot evaluate" in line for line in rule["explanation"])


def test_a_huge_number_is_a_positioned_rule_error(cli, files, tmp_path) -> None:
    draft, _ = files
    rules = tmp_path / "big.yaml"
    rules.write_text(rule_yaml('near("a", "b", ' + "9" * 400 + ")"), "utf-8")
    run = cli("validate", rules)
    assert run.code == 2
    assert "big.yaml:8:22: error: number 99999999999999999999… is too large" in run.err


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    # A hang would stall CI for an hour: a generous timeout turns it into a failure.
    return subprocess.run([sys.executable, "-m", "checker", *map(str, args)], cwd=ROOT,
                          capture_output="stdout" not in kwargs, text=True, timeout=120,
                          **kwargs)


def test_terms_built_from_terms_do_not_blow_up(tmp_path: Path) -> None:
    # t20 unrolled is 2**20 phrases; as a graph it is 21 nodes, and so it is checked.
    terms = ['  t0: "Geneva"'] + [f"  t{i}: t{i - 1} | t{i - 1}" for i in range(1, 21)]
    rules = tmp_path / "dag.yaml"
    rules.write_text("group: g\ntitle: T\nterms:\n" + "\n".join(terms) +
                     "\nrules:\n  - id: r\n    says: S\n    check: mentions(t20)\n", "utf-8")
    draft = tmp_path / "d.txt"
    draft.write_text(DRAFT, "utf-8")
    result = _run([draft, "--rules", rules, "--format", "json", "--explain"])
    assert result.returncode == 0, result.stderr
    assert '"status": "met"' in result.stdout


@pytest.mark.parametrize("text", ["Intro " + "." * 40000 + " x", "# a" + " " * 40000 + "b",
                                  "!?" * 20000 + " The end."],
                         ids=["dots", "markdown-heading", "exclamations"])
def test_hostile_drafts_are_read_in_linear_time(tmp_path: Path, files, text: str) -> None:
    _, rules = files
    draft = tmp_path / "hostile.md"
    draft.write_text(text, "utf-8")
    result = _run([draft, "--rules", rules, "--format", "json"])
    assert result.returncode in (0, 1), result.stderr


def test_a_full_standard_output_is_a_clear_error(files) -> None:
    draft, rules = files
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "checker", draft, "--rules", rules],
                                cwd=ROOT, stdout=full, stderr=subprocess.PIPE, text=True,
                                timeout=120)
    assert result.returncode == 2
    assert "<stdout>: error: cannot write" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_changed_included_vocabulary_is_seen_despite_the_compiled_cache(cli, tmp_path) -> None:
    draft = tmp_path / "d.txt"
    draft.write_text(DRAFT, "utf-8")
    vocab = tmp_path / "vocab.yaml"
    vocab.write_text('terms:\n  City: "Geneva"\n', "utf-8")
    rules = tmp_path / "r.yaml"
    rules.write_text("group: g\ntitle: T\ninclude: [vocab.yaml]\nrules:\n  - id: r\n"
                     "    says: S\n    check: City\n", "utf-8")
    assert cli(draft, "--rules", rules, "--format", "json").code == 0  # met, and now cached
    vocab.write_text('terms:\n  City: "Vienna"\n', "utf-8")
    assert cli(draft, "--rules", rules, "--format", "json").code == 1  # unmet: vocabulary re-read


def test_output_to_a_pipe_or_device_is_written_not_replaced(tmp_path, files) -> None:
    # `-o /dev/null` once replaced the device with a file (a temporary file renamed over it).
    import os
    import threading

    draft, rules = files
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = _run([draft, "--rules", rules, "--format", "json", "-o", fifo])
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert fifo.is_fifo()  # still the pipe, not a file put in its place
    assert b'"status": "met"' in received[0]


def test_several_rule_files_after_one_rules_option(cli, files, tmp_path) -> None:
    draft, rules = files
    other = tmp_path / "other.yaml"
    other.write_text(rule_yaml('mentions("repository")', group="other-group"), "utf-8")
    run = cli(draft, "--rules", rules, other, "--format", "json")
    assert run.code == 0, run.err
    report = run.json()
    assert [d["path"] for d in report["drafts"]] == [str(draft)]
    assert [g["group"] for g in report["drafts"][0]["groups"]] == ["test-group", "other-group"]


def test_same_sentence_on_a_draft_of_white_space_is_unmet(tmp_path: Path) -> None:
    # A draft with no sentence at all (white space only: rule examples can be such) has matches
    # of a white-space regex but no sentence to hold them: unmet, not an IndexError.
    from checker.api import check, load_rules
    from checker.document.segment import parse_document

    rules = tmp_path / "ws.yaml"
    rules.write_text(rule_yaml(r"mentions(same_sentence(/\s/, /\s/))"), "utf-8")
    report = check([parse_document("   \n  ")], load_rules([str(rules)]))
    [verdict] = report.to_dict()["drafts"][0]["groups"][0]["rules"]
    assert verdict["status"] == "unmet"


@pytest.mark.parametrize("closed", [">&-", "2>&-"], ids=["stdout-closed", "stderr-closed"])
def test_a_closed_standard_stream_keeps_the_exit_code(files, tmp_path: Path, closed: str) -> None:
    # Daemons and some CI runners start commands with a descriptor closed (Python then has
    # sys.stdout or sys.stderr None): the report is still written and the status is the check's.
    draft, rules = files
    out = tmp_path / "report.json"
    command = (f"{shlex.quote(sys.executable)} -m checker check {shlex.quote(str(draft))} "
               f"--rules {shlex.quote(str(rules))} -o {shlex.quote(str(out))} --format json "
               f"--fail-on never {closed}")
    result = subprocess.run(["sh", "-c", command], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(out.read_text("utf-8"))["drafts"][0]["groups"]


def _one_rule(cli, tmp_path: Path, check: str, text: str, **options) -> tuple[int, dict]:
    """Check a one-rule rule set on a draft; return the exit code and the rule's verdict."""
    rules, draft = tmp_path / "one.yaml", tmp_path / "draft.txt"
    rules.write_text(rule_yaml(check, **options), "utf-8")
    draft.write_text(text, "utf-8")
    run = cli(draft, "--rules", rules, "--format", "json")
    assert run.code in (0, 1), run.err
    [verdict] = run.json()["drafts"][0]["groups"][0]["rules"]
    return run.code, verdict


@pytest.mark.parametrize("depth", [150, 400])
def test_a_check_nested_deeper_than_python_recursion_is_evaluated(cli, tmp_path: Path,
                                                                  depth: int) -> None:
    # Evaluating recursed, so a check this deep could be evaluated only if other rules had
    # left its inner terms in the cache: its verdict depended on the rules before it, and on
    # how -j shared the rules out between processes. Now it never does.
    terms = {"t0": '"foo"', **{f"t{i}": f'any(t{i - 1}, "y{i}")' for i in range(1, depth)}}
    code, verdict = _one_rule(cli, tmp_path, f"mentions(t{depth - 1})", "1. The foo is here.\n",
                              terms=terms)
    assert (code, verdict["status"]) == (0, "met"), verdict["why"]
    assert verdict["evidence"][0]["match"] == "foo"


def test_a_scope_label_without_letters_is_unmet_not_an_error(cli, tmp_path: Path) -> None:
    code, verdict = _one_rule(cli, tmp_path, '"foo" in section("—")', "1. The foo is here.\n")
    assert (code, verdict["status"]) == (1, "unmet")


def test_near_misses_quote_each_rule_as_written(cli, tmp_path: Path) -> None:
    # Two rules with the same structure written differently: values are shared between them,
    # but each `why` quotes its own rule.
    rules = tmp_path / "two.yaml"
    rules.write_text("group: g\ntitle: T\nrules:\n"
                     "  - id: a\n    says: A.\n    check: '\"foo\" in section(\"G\")'\n"
                     "  - id: b\n    says: B.\n    check: '\"foo\" in section( \"G\" )'\n",
                     "utf-8")
    draft = tmp_path / "draft.txt"
    draft.write_text("A. Overview\n\n1. The foo is here.\n\nG. Dialogue\n\n2. Nothing.\n", "utf-8")
    run = cli(draft, "--rules", rules, "--format", "json")
    whys = {v["id"]: v["why"] for v in run.json()["drafts"][0]["groups"][0]["rules"]}
    assert 'found only outside section("G"): ¶1' in whys["a"]
    assert 'found only outside section( "G" ): ¶1' in whys["b"]


def test_expression_keys_tell_structures_apart() -> None:
    # The evaluator shares values between expressions with one key: equal structures written
    # differently share it, different structures never do.
    from checker.language import syntax as ex
    from checker.language.parser import parse

    assert ex.key(parse('any("a", "b")')) == ex.key(parse('any( "a","b" )'))
    assert ex.key(ex.Number(2)) == ex.key(ex.Number(2.0))  # equal, so one key (and hash)
    assert ex.key(ex.Number(0.0)) == ex.key(ex.Number(-0.0))
    assert hash(parse('"a" | "b"')) == hash(parse('"a"|"b"'))
    distinct = [ex.Cues(("a,b",)), ex.Cues(("a", "b")), ex.Phrase("a"), ex.Regex("a", False),
                ex.Regex("a", True), ex.Number(2.0), ex.Phrase("2"), parse('any("a", "b")'),
                parse('any("a,b")'), parse('any("b", "a")'), parse('"a" | "b"')]
    assert len({ex.key(node) for node in distinct}) == len(distinct)


def test_terms_used_twice_in_terms_used_twice_do_not_hang_the_comparisons(tmp_path: Path) -> None:
    # Each term lists the next one twice: flattening the alternatives afresh at every use
    # doubled the work per level, so `validate`, `compare` and `consensus` never finished on
    # 60 of them (2^60 steps); `check` shares values between uses and was fine.
    terms = "".join(f"  T{i}: 'any(T{i + 1}, T{i + 1})'\n" for i in range(60))
    rules = tmp_path / "doubling.yaml"
    rules.write_text("group: g\ntitle: T\nterms:\n" + terms + "  T60: '\"x\"'\nrules:\n"
                     "  - id: r\n    says: S.\n    check: mentions(T0)\n", "utf-8")
    for command in (["validate", str(rules)], ["consensus", str(rules), "joint_statement.yaml"]):
        done = subprocess.run([sys.executable, "-m", "checker", *command], cwd=ROOT,
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr[-1000:]
