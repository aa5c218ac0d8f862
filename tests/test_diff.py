"""`draftcheck diff`: paragraphs matched by text, exactly the flips the hand labels predict (each
with the paragraph that decides it), and the text, JSON and Markdown outputs.

samples/drafts/revisions/expected_flips.yaml was written by reading rev1.txt and rev2.txt.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, rule_yaml
from ruamel.yaml import YAML

from checker import formats
from checker.api import diff_drafts, diff_files, load_rules
from checker.document.model import Document
from checker.document.read import read_document
from checker.document.segment import parse_document
from checker.errors import DraftError, UsageError
from checker.revisions.diff import Change, Decides, align_paragraphs, word_edits
from checker.ruleset.model import Severity

REVISIONS = ROOT / "samples" / "drafts" / "revisions"
LABELS = YAML(typ="safe").load(REVISIONS / "expected_flips.yaml")
OLD, NEW = REVISIONS / LABELS["old"], REVISIONS / LABELS["new"]


@pytest.fixture(scope="module")
def rulesets():
    return load_rules([str(ROOT / "rules" / LABELS["rules"])])


@pytest.fixture(scope="module")
def diff(rulesets):
    return diff_files(str(OLD), str(NEW), rulesets, moved=True)


def _rules(tmp_path: Path, check: str) -> list:
    path = tmp_path / "rules.yaml"
    path.write_text(rule_yaml(check), encoding="utf-8")
    return load_rules([str(path)])


def _draft(*paragraphs: str, heading: str = "A. Overview") -> str:
    numbered = [f"{n}. {text}" for n, text in enumerate(paragraphs, 1)]
    return "\n\n".join([heading, *numbered]) + "\n"


def _pairs(old: Document, new: Document) -> set[tuple[int | None, int | None, Change]]:
    """Return the alignment as (old ¶, new ¶, change), with printed numbers."""
    def number(doc: Document, i: int | None) -> int | None:
        return None if i is None else doc.paragraphs[i].number
    return {(number(old, p.old), number(new, p.new), p.change)
            for p in align_paragraphs(old, new)}


# -- the hand-labelled revisions ---------------------------------------------------------------


def test_the_flips_are_exactly_the_hand_labelled_ones(diff) -> None:
    for group in diff.groups:
        labelled = LABELS["groups"][group.group]["flips"]
        got = {c.rule_id: {"before": c.before.value, "after": c.after.value,
                           "old": c.changed_paragraph.old if c.changed_paragraph else "none",
                           "new": c.changed_paragraph.new if c.changed_paragraph else "none",
                           "change": c.changed_paragraph.change.value
                           if c.changed_paragraph else "none"}
               for c in group.changes}
        assert got == labelled


def test_scores_before_and_after_match_the_labels(diff) -> None:
    for group in diff.groups:
        labelled = LABELS["groups"][group.group]
        assert (group.before, group.after) == (labelled["before"], labelled["after"])


def test_each_labelled_paragraph_flips_its_rule_alone(diff) -> None:
    for change in diff.changes():
        assert [p.decides for p in change.paragraphs] == [Decides.ALONE], change.rule_id


def test_the_revisions_renumbered_paragraphs_are_matched_as_the_same() -> None:
    pairs = _pairs(read_document(str(OLD)), read_document(str(NEW)))
    # ¶4 (stakeholders "full partners") and ¶17 (the private sector's "key role") are unchanged;
    # ¶9 (current conflicts) was deleted; ¶35 and ¶36 (other proposals, principles) are new.
    assert {(4, 3, Change.SAME), (17, 15, Change.SAME), (40, 41, Change.SAME),
            (9, None, Change.REMOVED), (None, 35, Change.ADDED), (None, 36, Change.ADDED),
            (13, 11, Change.EDITED)} <= pairs


def test_moved_evidence_is_reported_only_when_asked(diff, rulesets) -> None:
    moved = {m.rule_id: m for m in diff.groups[0].moved}
    assert (4, 3) in moved["private-sector-role"].moves
    assert not {c.rule_id for c in diff.changes()} & set(moved)
    plain = diff_files(str(OLD), str(NEW), rulesets)
    assert plain.groups[0].moved is None
    assert "moved" not in plain.to_dict()["groups"][0]


def test_regressed_means_a_rule_went_from_met_to_unmet(diff) -> None:
    assert diff.regressed(Severity.CRITICAL)  # mandate-75-240
    assert not diff.regressed(None)
    assert not diff.has_errors()


# -- paragraph alignment ------------------------------------------------------------------------


def test_renumbered_but_unchanged_paragraphs_are_the_same() -> None:
    old = parse_document(_draft("The Group met.", "States spoke.", "The Chair closed."))
    new = parse_document(_draft("A new opening.", "The Group met.", "States spoke.",
                                "The Chair closed."))
    assert _pairs(old, new) == {(None, 1, Change.ADDED), (1, 2, Change.SAME),
                                (2, 3, Change.SAME), (3, 4, Change.SAME)}


def test_an_edited_paragraph_is_paired_with_its_new_number() -> None:
    old = parse_document(_draft("The Group met.", "The Group agreed that the PoA will be "
                                "established as the single permanent mechanism.", "End."))
    new = parse_document(_draft("Opening.", "The Group met.", "The Group noted that the PoA is "
                                "one of several proposals for the permanent mechanism.", "End."))
    assert (2, 3, Change.EDITED) in _pairs(old, new)
    [edit] = word_edits("so the PoA will be established as the single mechanism",
                        "so the PoA is one proposal")
    assert (edit.words_before, edit.removed, edit.added, edit.words_after) == (
        "so the PoA", "will be established as the single mechanism", "is one proposal", "")


def test_a_rewritten_paragraph_is_removed_and_another_added() -> None:
    old = parse_document(_draft("The Group met.", "States discussed capacity-building needs."))
    new = parse_document(_draft("The Group met.", "A repository of threats was proposed."))
    assert _pairs(old, new) == {(1, 1, Change.SAME), (2, None, Change.REMOVED),
                                (None, 2, Change.ADDED)}


def test_a_moved_paragraph_is_matched() -> None:
    old = parse_document(_draft("Alpha paragraph here.", "Beta paragraph here.",
                                "Gamma paragraph here.", "Delta paragraph here."))
    new = parse_document(_draft("Delta paragraph here.", "Alpha paragraph here.",
                                "Beta paragraph here.", "Gamma paragraph here."))
    assert {change for _, _, change in _pairs(old, new)} == {Change.SAME}


# -- the paragraph that made a rule flip ------------------------------------------------------


def test_deleting_a_forbidden_sentence_points_at_the_old_paragraph(tmp_path: Path) -> None:
    rules = _rules(tmp_path, 'not mentions("repository")')
    old = parse_document(_draft("The Group met.", "States may share threats. A repository of "
                                "threats will be kept.", "End of the report."), "old.txt")
    new = parse_document(_draft("Opening.", "The Group met.", "States may share threats.",
                                "End of the report."), "new.txt")
    [change] = diff_drafts(old, new, rules).groups[0].changes
    assert (change.before.value, change.after.value) == ("unmet", "met")
    found = change.changed_paragraph
    assert (found.old, found.new, found.change, found.decides) == (2, 3, Change.EDITED,
                                                                    Decides.ALONE)
    assert [e.removed for e in found.edits] == ["A repository of threats will be kept."]
    assert change.before_evidence[0].paragraph == 2 and not change.after_evidence


def test_an_added_paragraph_is_tried_in_its_own_section(tmp_path: Path) -> None:
    rules = _rules(tmp_path, 'mentions("convention" in section("law"))')
    old = parse_document("A. Overview\n\n1. The Group met.\n\nB. International law\n\n"
                         "2. International law applies.\n")
    new = parse_document("A. Overview\n\n1. The Group met.\n\nB. International law\n\n"
                         "2. Some States proposed a convention.\n\n3. International law applies.\n")
    [change] = diff_drafts(old, new, rules).groups[0].changes
    found = change.changed_paragraph
    assert (found.old, found.new, found.change, found.decides) == (None, 2, Change.ADDED,
                                                                    Decides.ALONE)


def test_a_flip_that_needs_several_changes_names_each(tmp_path: Path) -> None:
    rules = _rules(tmp_path, 'mentions("75/240")')
    old = parse_document(_draft("Under resolution 75/240 the Group met.", "States spoke.",
                                "Resolution 75/240 applies."))
    new = parse_document(_draft("The Group met.", "States spoke.", "The Chair closed."))
    [change] = diff_drafts(old, new, rules).groups[0].changes
    assert [(p.old, p.decides) for p in change.paragraphs] == [(1, Decides.NEEDED),
                                                               (3, Decides.NEEDED)]


def test_identical_drafts_have_no_changes(rulesets) -> None:
    document = read_document(str(OLD))
    same = diff_drafts(document, document, rulesets)
    assert not list(same.changes())
    assert same.groups[0].before == same.groups[0].after == LABELS["groups"][
        "joint-statement"]["before"]
    assert same.paragraphs.to_dict() == {"added": 0, "removed": 0, "edited": 0, "renumbered": 0}


# -- inputs and outputs -----------------------------------------------------------------------


def test_a_draft_that_cannot_be_read_is_a_draft_error(rulesets, tmp_path: Path) -> None:
    with pytest.raises(DraftError) as raised:
        diff_files(str(tmp_path / "missing.txt"), str(tmp_path / "gone.txt"), rulesets)
    assert [p.path for p in raised.value.problems] == [str(tmp_path / "missing.txt"),
                                                       str(tmp_path / "gone.txt")]
    with pytest.raises(UsageError):
        diff_files("-", "-", rulesets)


def test_json_has_the_published_minimum_shape(diff) -> None:
    data = json.loads(formats.DIFF["json"].render(diff))
    assert data == json.loads(json.dumps(diff.to_dict()))
    assert data["old"]["path"] == str(OLD) and data["new"]["path"] == str(NEW)
    [group] = data["groups"]
    assert (group["group"], group["before"], group["after"]) == ("joint-statement", 36.0, 48.0)
    change = next(c for c in group["changes"] if c["id"] == "no-poa-bias")
    assert {k: change[k] for k in ("before", "after")} == {"before": "unmet", "after": "met"}
    assert isinstance(change["why"], str) and change["why"]
    assert {"paragraph", "text"} <= set(change["before_evidence"][0])
    assert isinstance(change["after_evidence"], list)
    paragraph = change["changed_paragraph"]
    assert {k: paragraph[k] for k in ("old", "new", "change")} == {
        "old": 36, "new": 37, "change": "edited"}
    assert paragraph["old_text"].startswith("36. The Group agreed that the PoA will be")
    assert paragraph["new_text"].startswith("37. The Group noted that the PoA is one of several")
    removed = next(c for c in group["changes"] if c["id"] == "mandate-75-240")
    assert removed["changed_paragraph"]["new_text"] is None


def test_text_and_markdown_show_scores_before_and_after(diff) -> None:
    text = formats.DIFF["text"].render(diff)
    assert "score 36 → 48 (+12)" in text
    assert "¶36 → ¶37 edited" in text and "¶2 removed" in text and "¶23 added" in text
    assert "[-will be established as the single permanent mechanism-]" in text
    assert "\x1b[" not in text and "\x1b[" in formats.DIFF["text"].render(diff, color=True)
    markdown = formats.DIFF["markdown"].render(diff)
    assert "**Score 36 → 48 (+12)**" in markdown
    assert "| joint-statement | 36 | 48 | 9 |" in markdown
    assert "| `no-poa-bias` | critical | ✗ unmet | ✓ met | ¶36 → ¶37 edited |" in markdown


def test_an_unknown_format_is_a_usage_error(cli) -> None:
    result = cli("diff", str(OLD), str(NEW), "--rules", "joint_statement.yaml", "-f", "sarif")
    assert result.code == 2
    assert "'sarif' is not one of 'text', 'json', 'markdown'" in result.err
