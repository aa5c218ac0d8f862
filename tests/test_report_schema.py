"""The JSON report (DESIGN §6): every report validates against the published schema, carries the
minimum fields, a score recomputed from its rules and the draft's sha256; and each sample draft's
verdicts equal its hand labels."""

from __future__ import annotations

import copy
import hashlib
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, rule_yaml

import checker

SAMPLES = sorted((ROOT / "samples" / "drafts").glob("*.txt"))
RULES = ROOT / "rules" / "joint_statement.yaml"


@pytest.fixture(scope="module")
def schema() -> dict:
    text = (resources.files("checker.report") / "report.schema.json").read_text("utf-8")
    return json.loads(text)


@pytest.fixture(scope="module")
def validator(schema) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema)


def assert_valid(validator, report: dict) -> None:
    errors = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def report_of(cli, *args) -> dict:
    run = cli(*args, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.err
    return run.json()


# -- the schema --------------------------------------------------------------------------------


def test_schema_is_a_valid_2020_12_schema(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


SHIPPED_SCHEMAS = {"report": ("checker.report", "report.schema.json"),
                   "ruleset": ("checker.ruleset", "schemas/ruleset.schema.json"),
                   "terms": ("checker.ruleset", "schemas/terms.schema.json")}


@pytest.mark.parametrize("name", sorted(SHIPPED_SCHEMAS))
def test_every_shipped_schema_is_valid(name):
    package, where = SHIPPED_SCHEMAS[name]
    text = resources.files(package).joinpath(where).read_text("utf-8")
    jsonschema.Draft202012Validator.check_schema(json.loads(text))


def test_every_schema_in_the_package_is_listed():
    package = Path(checker.__file__).parent
    found = {p.name.removesuffix(".schema.json") for p in package.rglob("*.schema.json")}
    assert found == set(SHIPPED_SCHEMAS)


@pytest.mark.parametrize("explain", [False, True], ids=["plain", "explain"])
@pytest.mark.parametrize("draft", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_reports_validate(cli, validator, draft, explain):
    report = report_of(cli, draft, "--rules", RULES, *(["--explain"] if explain else []))
    assert_valid(validator, report)
    rules = report["drafts"][0]["groups"][0]["rules"]
    if explain:
        assert any(r.get("explanation") for r in rules)


def test_report_over_several_drafts_and_groups_validates(cli, validator, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(rule_yaml('mentions("Programme of Action")', group="other-group"), "utf-8")
    report = report_of(cli, *SAMPLES, "--rules", RULES, "--rules", other, "--explain")
    assert_valid(validator, report)
    assert len(report["drafts"]) == len(SAMPLES)
    assert all(len(d["groups"]) == 2 for d in report["drafts"])


def test_broken_reports_are_rejected(cli, validator):
    good = report_of(cli, SAMPLES[0], "--rules", RULES)
    assert_valid(validator, good)

    def broken(change) -> dict:
        report = copy.deepcopy(good)
        change(report)
        return report

    first_rule = lambda r: r["drafts"][0]["groups"][0]["rules"][0]  # noqa: E731
    cases = [
        broken(lambda r: first_rule(r).update(status="maybe")),
        broken(lambda r: first_rule(r).update(severity="blocker")),
        broken(lambda r: first_rule(r).update(weight=0)),
        broken(lambda r: first_rule(r).pop("why")),
        broken(lambda r: r["drafts"][0].update(sha256="not-a-hash")),
        broken(lambda r: r["drafts"][0]["groups"][0].update(score=150)),
        broken(lambda r: r["tool"].update(name="other")),
        broken(lambda r: r.pop("drafts")),
        broken(lambda r: first_rule(r).update(evidence=[{"line": 0}])),
    ]
    for case in cases:
        assert not validator.is_valid(case), json.dumps(case)[:300]


# -- the minimum of DESIGN §6 -----------------------------------------------------------------


@pytest.mark.parametrize("draft", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_report_has_the_minimum_fields(cli, draft):
    report = report_of(cli, draft, "--rules", RULES)
    assert report["tool"]["name"] == "draftcheck"
    assert isinstance(report["tool"]["version"], str) and report["tool"]["version"]
    [entry] = report["drafts"]
    assert {"path", "sha256", "groups"} <= set(entry)
    assert Path(entry["path"]).name == draft.name
    [group] = entry["groups"]
    assert {"group", "title", "score", "rules"} <= set(group)
    assert group["group"] == "joint-statement"
    for rule in group["rules"]:
        assert {"id", "says", "severity", "weight", "status", "why", "evidence"} <= set(rule)
        assert rule["status"] in {"met", "unmet", "review", "error"}
        assert rule["why"].strip()
        for evidence in rule["evidence"]:
            assert {"section", "paragraph", "line", "column", "text"} <= set(evidence)
        assert len(rule["evidence"]) <= 5


def test_rules_carry_the_rule_file_values(cli):
    report = report_of(cli, SAMPLES[0], "--rules", RULES)
    rules = {r["id"]: r for r in report["drafts"][0]["groups"][0]["rules"]}
    assert rules["mandate-75-240"]["severity"] == "critical"
    assert rules["mandate-75-240"]["weight"] == 3
    assert rules["outside-mandate"]["status"] == "review"
    assert rules["equal-treatment"]["weight"] == 2


@pytest.mark.parametrize("draft", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_score_is_recomputed_from_the_rules(cli, draft):
    group = report_of(cli, draft, "--rules", RULES)["drafts"][0]["groups"][0]
    met = sum(r["weight"] for r in group["rules"] if r["status"] == "met")
    unmet = sum(r["weight"] for r in group["rules"] if r["status"] == "unmet")
    assert met + unmet > 0
    assert group["score"] == pytest.approx(100 * met / (met + unmet), abs=0.05)


def test_score_with_weights(cli, tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text(
        "group: g\ntitle: T\nrules:\n"
        "  - id: heavy-met\n    says: S\n    weight: 3\n    check: mentions(\"Geneva\")\n"
        "  - id: light-unmet\n    says: S\n    weight: 1\n    check: mentions(\"Vienna\")\n"
        "  - id: manual\n    says: S\n    weight: 5\n    check: manual\n", "utf-8")
    draft = tmp_path / "d.txt"
    draft.write_text("1. The Group met in Geneva.\n", "utf-8")
    group = report_of(cli, draft, "--rules", rules)["drafts"][0]["groups"][0]
    assert group["score"] == pytest.approx(75.0)  # manual rules do not count


@pytest.mark.parametrize("draft", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sha256_is_the_drafts_bytes(cli, draft):
    entry = report_of(cli, draft, "--rules", RULES)["drafts"][0]
    assert entry["sha256"] == hashlib.sha256(draft.read_bytes()).hexdigest()


def test_sha256_of_a_legacy_encoded_draft_is_of_its_bytes(cli, tmp_path):
    draft = tmp_path / "d.txt"
    draft.write_bytes("1. C\u00f4te d\u2019Ivoire welcomed the report.\n".encode("cp1252"))
    entry = report_of(cli, draft, "--rules", RULES)["drafts"][0]
    assert entry["sha256"] == hashlib.sha256(draft.read_bytes()).hexdigest()


def test_evidence_points_into_the_draft(cli):
    for draft in SAMPLES:
        lines = draft.read_text(encoding="utf-8").splitlines()
        report = report_of(cli, draft, "--rules", RULES)
        for rule in report["drafts"][0]["groups"][0]["rules"]:
            for evidence in rule["evidence"]:
                assert 1 <= evidence["line"] <= len(lines)
                assert 1 <= evidence["column"] <= len(lines[evidence["line"] - 1]) + 1
                if evidence.get("match"):
                    line = lines[evidence["line"] - 1]
                    # The match starts at that column (compared loosely: case and spacing).
                    start = line[evidence["column"] - 1:].lower()
                    assert start.startswith(evidence["match"].lower().split()[0][:3]), (
                        rule["id"], evidence)


def test_rule_error_still_gives_a_valid_report(cli, validator, tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text(rule_yaml('count("x") / count("y") > 1'), "utf-8")
    draft = tmp_path / "d.txt"
    draft.write_text("1. The Group met in Geneva.\n", "utf-8")
    run = cli(draft, "--rules", rules, "--format", "json")
    assert "Traceback" not in run.err
    report = run.json()
    assert_valid(validator, report)
    [verdict] = report["drafts"][0]["groups"][0]["rules"]
    assert verdict["status"] == "error"
    assert "zero" in verdict["why"]


def test_rule_error_alongside_other_rules_does_not_count_in_the_score(cli, validator, tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text(
        "group: g\ntitle: T\nrules:\n"
        "  - id: broken\n    says: S\n    check: count(\"x\") / count(\"y\") > 1\n"
        "  - id: ok\n    says: S\n    check: mentions(\"Geneva\")\n", "utf-8")
    draft = tmp_path / "d.txt"
    draft.write_text("1. The Group met in Geneva.\n", "utf-8")
    run = cli(draft, "--rules", rules, "--format", "json")
    assert "Traceback" not in run.err
    report = run.json()
    assert_valid(validator, report)
    group = report["drafts"][0]["groups"][0]
    assert {r["id"]: r["status"] for r in group["rules"]} == {"broken": "error", "ok": "met"}
    assert group["score"] == pytest.approx(100.0)
