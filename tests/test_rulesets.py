"""Shipped rule sets: well-formed, examples that include traps, and verdicts a delegate agrees with.

Every sample draft has hand labels (`<draft>.expected.yaml`, one `rule-id: status` per rule,
written by someone reading the draft as the group's delegate would); the held-out drafts in
samples/drafts/heldout/ were written and labelled without seeing the rules.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT
from ruamel.yaml import YAML

from checker.api import check, load_rules
from checker.document.read import read_document
from checker.language.signatures import NEGATION_CUES

RULE_FILES = sorted((ROOT / "rules").glob("*.yaml"))
DRAFTS = sorted(d for d in (ROOT / "samples" / "drafts").rglob("*.txt")
                if d.with_suffix(".expected.yaml").is_file())  # the hand-labelled ones
UNRELATED = {"unrelated.txt", "h6_other_forum.txt"}  # drafts about another subject

# What makes an example a trap for naive phrase matching.
_TRAPS = {
    "a negation": re.compile(r"\b(" + "|".join(c.replace("*", r"\w*") for c in NEGATION_CUES)
                             + r"|\w+n't)\b", re.I),
    "square brackets": re.compile(r"\[.*\]", re.S),
    "a word split at a line end": re.compile(r"\w-\n\s*\w"),
    "a proposal attributed to some States": re.compile(r"\b(some|several|other) States\b", re.I),
    "a sentence break": re.compile(r"[.;]\s+[A-Z]"),
    "another forum": re.compile(r"\b(small arms|outer space|arms trade|space)\b", re.I),
}


def _labels(draft: Path) -> dict[str, str]:
    return dict(YAML(typ="safe").load(draft.with_suffix(".expected.yaml")))


def _examples(rule_file: Path) -> list[tuple[str, dict]]:
    data = YAML(typ="safe").load(rule_file)
    return [(rule["id"], rule.get("examples") or {}) for rule in data["rules"]
            if rule["check"] != "manual"]


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: p.name)
def test_every_rule_has_two_met_and_two_unmet_examples_with_a_trap(rule_file: Path) -> None:
    problems = []
    for rule_id, examples in _examples(rule_file):
        met, unmet = examples.get("met") or [], examples.get("unmet") or []
        if len(met) < 2 or len(unmet) < 2:
            problems.append(f"{rule_id}: {len(met)} met and {len(unmet)} unmet examples")
        if not any(trap.search(text) for text in met + unmet for trap in _TRAPS.values()):
            problems.append(f"{rule_id}: no example with {', '.join(_TRAPS)}")
    assert not problems, "\n".join(problems)


def test_draftcheck_test_passes_on_shipped_rules(cli) -> None:
    result = cli("test", ROOT / "rules")
    assert result.code == 0, result.out
    assert re.search(r"^\d+ passed, 0 failed", result.out, re.M)


def test_draftcheck_test_reports_a_failing_example(cli, tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text("group: g\ntitle: t\nrules:\n  - id: needs-poa\n    says: s\n"
                     "    check: mentions(\"Programme of Action\")\n"
                     "    examples:\n      met: [\"The PoA was discussed.\"]\n"
                     "      unmet: [\"Nothing here.\"]\n", encoding="utf-8")
    result = cli("test", rules)
    assert result.code == 1
    assert "FAIL" in result.out and "needs-poa" in result.out
    assert "'The PoA was discussed.'" in result.out
    assert "1 passed, 1 failed" in result.out


@pytest.fixture(scope="module")
def verdicts() -> dict[str, dict[str, dict]]:
    """Check every sample draft once against the shipped rule sets."""
    rulesets = load_rules([str(ROOT / "rules" / "joint_statement.yaml")])
    report = check([read_document(str(d)) for d in DRAFTS], rulesets)
    return {Path(d.path).name: {v.rule_id: v for v in d.groups[0].verdicts}
            for d in report.drafts}


@pytest.mark.parametrize("draft", DRAFTS, ids=lambda p: str(p.relative_to(ROOT / "samples")))
def test_sample_draft_verdicts_match_hand_labels(draft: Path, verdicts) -> None:
    got = verdicts[draft.name]
    wrong = [f"{rule}: got {got[rule].status.value}, labelled {want}; why: {got[rule].why}"
             for rule, want in _labels(draft).items() if got[rule].status.value != want]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("draft", [d for d in DRAFTS if d.name in UNRELATED], ids=lambda p: p.name)
def test_no_requiring_demand_is_met_by_a_draft_on_another_subject(draft: Path, verdicts) -> None:
    requiring = ("mandate-75-240", "norms-balance", "legally-binding", "convention-concept",
                 "private-actor-accountability", "intergovernmental")
    met = [rule for rule in requiring if verdicts[draft.name][rule].status.value == "met"]
    assert not met


def test_every_labelled_draft_covers_every_rule() -> None:
    ids = {rule_id for rule_id, _ in _examples(ROOT / "rules" / "joint_statement.yaml")}
    for draft in DRAFTS:
        assert ids <= set(_labels(draft)), draft


def test_cli_gives_the_same_verdicts_as_the_api(cli, verdicts) -> None:
    draft = ROOT / "samples" / "drafts" / "traps.txt"
    report = cli(draft, "--rules", "joint_statement.yaml", "--format", "json").json()
    got = {r["id"]: r["status"] for r in report["drafts"][0]["groups"][0]["rules"]}
    assert got == {rule: v.status.value for rule, v in verdicts[draft.name].items()}
