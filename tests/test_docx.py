"""Word drafts: the .docx reader (numbering, headings, tables, tracked changes) and --annotate.

Every fixture is built here with python-docx (plus a little raw XML for numbering definitions
and tracked changes), so no binary file is committed.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from checker.api import check, load_rules
from checker.document.model import Document, Location
from checker.document.read import READERS, read_document
from checker.document.readers.docx import docx_position, read_docx
from checker.document.segment import build_document
from checker.errors import DraftError, UsageError
from checker.report.annotate import annotate_docx
from checker.report.model import DraftResult

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "drafts"


# ---- building .docx fixtures ----------------------------------------------------------------

def new_document() -> docx.document.Document:
    return docx.Document()


def saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def element(tag: str, children=(), text: str | None = None, **attrs: str):
    """Build a w: element with w: attributes, children and text."""
    made = OxmlElement(tag, attrs={qn("w:" + k): v for k, v in attrs.items()})
    for child in children:
        made.append(child)
    if text is not None:
        made.text = text
        made.set(qn("xml:space"), "preserve")
    return made


def add_list(document, levels: list[tuple[str, str, int]]) -> str:
    """Add an abstract list definition: one (numFmt, lvlText, start) per level; return its id."""
    numbering = document.part.part_related_by(RT.NUMBERING).element
    abstract_id = str(100 + len(numbering.findall(qn("w:abstractNum"))))
    lvls = [element("w:lvl", [element("w:start", val=str(start)), element("w:numFmt", val=fmt),
                              element("w:lvlText", val=text)], ilvl=str(i))
            for i, (fmt, text, start) in enumerate(levels)]
    abstract = element("w:abstractNum", lvls, abstractNumId=abstract_id)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)  # every abstractNum comes before the first num
    else:
        numbering.append(abstract)
    return abstract_id


def add_num(document, abstract_id: str, start: int | None = None) -> int:
    """Add a list instance of a definition, restarting level 0 at `start` if given."""
    numbering = document.part.part_related_by(RT.NUMBERING).element
    num_id = 1 + max((int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))),
                     default=0)
    children = [element("w:abstractNumId", val=abstract_id)]
    if start is not None:
        children.append(element("w:lvlOverride", [element("w:startOverride", val=str(start))],
                                ilvl="0"))
    numbering.append(element("w:num", children, numId=str(num_id)))
    return num_id


def numbered(paragraph, num_id: int, ilvl: int = 0):
    """Give a paragraph automatic numbering."""
    props = paragraph._p.get_or_add_pPr()
    props.append(element("w:numPr", [element("w:ilvl", val=str(ilvl)),
                                     element("w:numId", val=str(num_id))]))
    return paragraph


def run(text: str, tag: str = "w:t"):
    return element("w:r", [element(tag, text=text)])


def change(kind: str, *runs, change_id: int = 1):
    """Wrap runs in a tracked change: w:ins, w:del, w:moveFrom or w:moveTo."""
    return element(kind, runs, id=str(change_id), author="Delegate",
                   date="2023-07-26T00:00:00Z")


def tracked_paragraph(document, *pieces):
    """Add a paragraph of (kind, text) pieces: kind "" plain, or "w:ins", "w:del", ..."""
    paragraph = document.add_paragraph()
    for i, (kind, text) in enumerate(pieces):
        if not kind:
            paragraph._p.append(run(text))
        elif kind in ("w:del", "w:moveFrom"):
            paragraph._p.append(change(kind, run(text, "w:delText"), change_id=i))
        else:
            paragraph._p.append(change(kind, run(text), change_id=i))
    return paragraph


def delete_paragraph_mark(paragraph) -> None:
    """Mark a paragraph's mark as deleted (a tracked change joining it to the next one)."""
    props = paragraph._p.get_or_add_pPr()
    props.append(element("w:rPr", [element("w:del", id="90", author="Delegate",
                                           date="2023-07-26T00:00:00Z")]))


def read(document, name: str = "draft.docx", **options) -> Document:
    return build_document(read_docx(name, saved(document), **options))


def lines(doc: Document) -> list[str]:
    return doc.source.original.split("\n")


def rules_file(tmp_path: Path, checks: dict[str, str]) -> str:
    body = ["group: test-group", "title: Test rules", "rules:"]
    for rule_id, expression in checks.items():
        body += [f"  - id: {rule_id}", "    says: Test demand.", "    severity: major",
                 f"    check: '{expression}'"]
    path = tmp_path / "rules.yaml"
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return str(path)


def verdicts(doc: Document, rules: str) -> dict:
    report = check([doc], load_rules([rules]))
    return {v.rule_id: v for v in report.drafts[0].groups[0].verdicts}


# ---- headings -------------------------------------------------------------------------------

def test_headings_come_from_styles_and_from_labels() -> None:
    document = new_document()
    document.add_paragraph("Draft annual progress report", style="Title")
    document.add_paragraph("Introduction", style="Heading 1")
    document.add_paragraph("The Group met.")
    document.add_paragraph("A. Overview", style="Heading 2")
    document.add_paragraph("1. States met in New York.")
    document.add_paragraph("B. Existing and potential threats")  # a heading by its text only
    document.add_paragraph("2. States expressed concern.")
    document.add_paragraph("Recommended next steps", style="Heading 3")
    document.add_paragraph("3. States will continue.")
    doc = read(document)
    assert [(s.title, s.level) for s in doc.sections] == [
        ("Draft annual progress report", 1), ("Introduction", 1), ("A. Overview", 1),
        ("B. Existing and potential threats", 1), ("Recommended next steps", 3)]
    paragraph = doc.paragraphs[doc.paragraph_at(doc.text.index("will continue"))]
    assert doc.sections[paragraph.section].heading == "Recommended next steps"
    # The "## " marker is only in the normalised text, never in Word's paragraph.
    assert "### Recommended next steps" in doc.text
    assert lines(doc)[7] == "Recommended next steps"
    assert doc.location(doc.text.index("next steps")) == Location(8, len("Recommended ") + 1)


def test_a_labelled_styled_heading_gets_no_marker() -> None:
    document = new_document()
    document.add_paragraph("G. Regular institutional dialogue", style="Heading 2")
    document.add_paragraph("34. The Group recalled its mandate.")
    doc = read(document)
    assert doc.text.startswith("G. Regular institutional dialogue\n")
    assert doc.sections[0].label == "G"


# ---- automatic numbering --------------------------------------------------------------------

def numbered_draft() -> docx.document.Document:
    """Paragraphs 1-3 with sub-items, a list restarted at 12, then one restarted at 1."""
    document = new_document()
    abstract = add_list(document, [("decimal", "%1.", 1), ("lowerLetter", "(%2)", 1)])
    first = add_num(document, abstract)
    document.add_paragraph("A. Overview", style="Heading 2")
    numbered(document.add_paragraph("The Group met."), first)
    numbered(document.add_paragraph("The Group recommended that States:"), first)
    numbered(document.add_paragraph("continue to exchange views;"), first, 1)
    numbered(document.add_paragraph("share practices on a voluntary basis."), first, 1)
    numbered(document.add_paragraph("States proposed a repository."), first)
    numbered(document.add_paragraph("consider the proposal."), first, 1)
    document.add_paragraph("B. Threats", style="Heading 2")
    twelve = add_num(document, abstract, start=12)
    numbered(document.add_paragraph("States noted threats."), twelve)
    numbered(document.add_paragraph("States noted the repository proposal again."), twelve)
    again = add_num(document, abstract, start=1)
    document.add_paragraph("Annex", style="Heading 1")
    numbered(document.add_paragraph("The annex starts at one."), again)
    return document


def test_automatic_numbers_are_printed_as_word_shows_them() -> None:
    doc = read(numbered_draft())
    assert lines(doc) == [
        "A. Overview", "1.\tThe Group met.", "2.\tThe Group recommended that States:",
        "(a)\tcontinue to exchange views;", "(b)\tshare practices on a voluntary basis.",
        "3.\tStates proposed a repository.", "(a)\tconsider the proposal.", "B. Threats",
        "12.\tStates noted threats.", "13.\tStates noted the repository proposal again.",
        "Annex", "1.\tThe annex starts at one."]
    assert [p.number for p in doc.paragraphs] == [1, 2, 3, 12, 13, 1]


def test_evidence_cites_word_numbers_and_word_paragraphs(tmp_path: Path) -> None:
    doc = read(numbered_draft())
    got = verdicts(doc, rules_file(tmp_path, {"no-repository": 'not "repository"'}))
    evidence = got["no-repository"].evidence
    assert [(e.paragraph, e.section, e.line, e.column) for e in evidence] == [
        (3, "A", 6, 1 + len("3.\tStates proposed a ")),
        (13, "B", 10, 1 + len("13.\tStates noted the "))]
    assert evidence[0].text == "3. States proposed a repository."
    assert [docx_position(doc.source, e.start)[0] for e in evidence] == [5, 9]


def test_sub_items_stay_in_their_paragraph() -> None:
    doc = read(numbered_draft())
    paragraph = doc.paragraphs[doc.paragraph_at(doc.text.index("share practices"))]
    assert paragraph.number == 2


def test_number_formats_levels_and_suffixes() -> None:
    document = new_document()
    headings = add_num(document, add_list(document, [("upperRoman", "%1.", 1),
                                                     ("upperLetter", "%2.", 1)]))
    legal = add_num(document, add_list(document, [("decimal", "%1.", 4),
                                                  ("decimal", "%1.%2", 1),
                                                  ("lowerRoman", "(%3)", 1)]))
    numbered(document.add_paragraph("Introduction"), headings)
    numbered(document.add_paragraph("Overview"), headings, 1)
    numbered(document.add_paragraph("Threats"), headings, 1)
    numbered(document.add_paragraph("Conclusions"), headings)
    numbered(document.add_paragraph("Fourth."), legal)
    numbered(document.add_paragraph("Sub one."), legal, 1)
    numbered(document.add_paragraph("Deep one."), legal, 2)
    numbered(document.add_paragraph("Deep two."), legal, 2)
    numbered(document.add_paragraph("Sub two."), legal, 1)
    document.add_paragraph("Bulleted", style="List Bullet")
    document.add_paragraph("Numbered by its style", style="List Number")
    doc = read(document)
    assert [line.split("\t")[0] for line in lines(doc)] == [
        "I.", "A.", "B.", "II.", "4.", "4.1", "(i)", "(ii)", "4.2", "\u2022", "1."]
    assert [s.title for s in doc.sections] == [
        "I. Introduction", "A. Overview", "B. Threats", "II. Conclusions"]


def test_a_deleted_numbered_paragraph_takes_no_number() -> None:
    document = new_document()
    num = add_num(document, add_list(document, [("decimal", "%1.", 1)]))
    numbered(document.add_paragraph("Kept."), num)
    gone = numbered(tracked_paragraph(document, ("w:del", "Deleted paragraph.")), num)
    delete_paragraph_mark(gone)
    numbered(document.add_paragraph("Also kept."), num)
    assert lines(read(document)) == ["1.\tKept.", "2.\tAlso kept."]
    assert lines(read(document, original=True)) == [
        "1.\tKept.", "2.\tDeleted paragraph.", "3.\tAlso kept."]


# ---- tables, comments, places ---------------------------------------------------------------

def test_tables_are_read_cell_by_cell_in_reading_order() -> None:
    document = new_document()
    document.add_paragraph("1. Before the table.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Proposal"
    table.cell(0, 1).text = "Status"
    table.cell(1, 0).text = "Repository"
    table.cell(1, 1).paragraphs[0].text = "Not agreed."
    table.cell(1, 1).add_paragraph("To be discussed.")
    document.add_paragraph("2. After the table.")
    doc = read(document)
    assert lines(doc) == ["1. Before the table.", "Proposal", "Status", "Repository",
                          "Not agreed.", "To be discussed.", "2. After the table."]
    assert doc.location(doc.text.index("discussed")).line == 6


def test_word_comments_are_not_read() -> None:
    document = new_document()
    paragraph = document.add_paragraph("1. The Group met in New York.")
    plain = read(document).text
    document.add_comment(paragraph.runs, text="Delete this paragraph.", author="A")
    doc = read(document)
    assert doc.text == plain
    assert "Delete" not in doc.source.original


def test_line_is_the_word_paragraph_and_column_the_character() -> None:
    document = new_document()
    document.add_paragraph("Title")
    document.add_paragraph("")
    paragraph = document.add_paragraph("1. The ")
    paragraph.add_run("Group").bold = True
    paragraph.add_run("\tmet\u00ad again.")
    doc = read(document)
    assert doc.location(doc.text.index("Group")).line == 3
    before = len("1. The Group\tmet\u00ad ")  # the soft hyphen counts: Word has it
    assert doc.location(doc.text.index("again")).column == before + 1
    assert docx_position(doc.source, doc.text.index("again")) == (2, before)


def test_a_manual_line_break_stays_in_its_paragraph() -> None:
    document = new_document()
    paragraph = document.add_paragraph("18. The Group recommended that States:")
    paragraph.add_run().add_break()
    paragraph.add_run("(a) Continue to exchange views.")
    document.add_paragraph("19. States met.")
    doc = read(document)
    assert doc.location(doc.text.index("Continue")).line == 1
    assert doc.location(doc.text.index("States met")).line == 2
    assert "States:\n(a) Continue" in doc.text
    assert [p.number for p in doc.paragraphs] == [18, 19]


# ---- tracked changes ------------------------------------------------------------------------

def tracked_draft() -> docx.document.Document:
    document = new_document()
    tracked_paragraph(document, ("", "1. The Group "), ("w:ins", "warmly "), ("", "welcomed "),
                      ("w:del", "the repository and "), ("", "the PoA."))
    tracked_paragraph(document, ("", "2. States "), ("w:moveFrom", "firmly "),
                      ("", "agreed"), ("w:moveTo", " in principle"), ("", "."))
    return document


def test_tracked_changes_are_read_as_accepted() -> None:
    assert lines(read(tracked_draft())) == [
        "1. The Group warmly welcomed the PoA.", "2. States agreed in principle."]


def test_original_reads_the_text_before_tracked_changes() -> None:
    assert lines(read(tracked_draft(), original=True)) == [
        "1. The Group welcomed the repository and the PoA.", "2. States firmly agreed."]


def test_tracked_row_deletion_drops_the_row() -> None:
    document = new_document()
    table = document.add_table(rows=2, cols=1)
    table.cell(0, 0).text = "Kept row"
    table.cell(1, 0).text = "Deleted row"
    row_props = table.rows[1]._tr.get_or_add_trPr()
    row_props.append(element("w:del", id="7", author="Delegate", date="2023-07-26T00:00:00Z"))
    assert lines(read(document)) == ["Kept row"]
    assert lines(read(document, original=True)) == ["Kept row", "Deleted row"]


def test_original_numbering_is_the_one_before_a_tracked_formatting_change() -> None:
    document = new_document()
    num = add_num(document, add_list(document, [("decimal", "%1.", 1)]))
    paragraph = numbered(document.add_paragraph("Newly numbered."), num)
    paragraph._p.pPr.append(element("w:pPrChange", [element("w:pPr")], id="5",
                                    author="Delegate", date="2023-07-26T00:00:00Z"))
    assert lines(read(document)) == ["1.\tNewly numbered."]
    assert lines(read(document, original=True)) == ["Newly numbered."]


def test_content_controls_and_links_are_read_but_hidden_text_is_not() -> None:
    document = new_document()
    paragraph = document.add_paragraph("1. States ")
    paragraph._p.append(element("w:sdt", [element("w:sdtContent", [run("welcomed ")])]))
    paragraph._p.append(element("w:hyperlink", [run("the PoA")]))
    hidden = run(" secretly")
    hidden.insert(0, element("w:rPr", [element("w:vanish")]))
    paragraph._p.append(hidden)
    paragraph.add_run(".")
    document.element.body.insert(0, element("w:sdt", [element("w:sdtContent", [
        element("w:p", [run("Draft report")])])]))
    assert lines(read(document)) == ["Draft report", "1. States welcomed the PoA."]


# ---- files that are not Word drafts ---------------------------------------------------------

def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(("raw", "says"), [
    (b"1. The Group met.\n", "not a zip archive"),
    (b"", "empty file"),
    (zipped({"notes.txt": "hello"}), "without word/document.xml"),
    (zipped({"[Content_Types].xml": "<Types/>", "word/other.xml": "<x/>"}),
     "no word/document.xml"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "password-protected"),
], ids=["text-renamed", "empty", "zip-without-document", "package-without-document", "ole"])
def test_files_that_are_not_docx_raise_a_draft_error_naming_them(raw: bytes, says: str) -> None:
    with pytest.raises(DraftError) as caught:
        read_docx("drafts/rev3.docx", raw)
    assert caught.value.problems[0].path == "drafts/rev3.docx"
    assert says in caught.value.problems[0].message


def rewritten(raw: bytes, name: str, edit) -> bytes:
    """Return a copy of a zip archive with one member's bytes passed through edit."""
    source, buffer = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in source.namelist():
            data = source.read(member)
            archive.writestr(member, edit(data) if member == name else data)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "edit", "says"), [
    ("word/document.xml", lambda data: data[:300], "damaged XML"),
    ("[Content_Types].xml", lambda data: data.replace(b"wordprocessingml.document.main",
                                                      b"spreadsheetml.sheet.main"),
     "the file is not a Word file"),
], ids=["damaged-xml", "spreadsheet"])
def test_a_damaged_package_raises_a_draft_error(name: str, edit, says: str) -> None:
    raw = rewritten(saved(numbered_draft()), name, edit)
    with pytest.raises(DraftError) as caught:
        read_docx("rev3.docx", raw)
    assert caught.value.problems[0].path == "rev3.docx"
    assert says in caught.value.problems[0].message
    assert "BytesIO" not in caught.value.problems[0].message


def test_a_truncated_docx_raises_a_draft_error() -> None:
    raw = saved(numbered_draft())
    with pytest.raises(DraftError, match=r"rev3\.docx"):
        read_docx("rev3.docx", raw[: len(raw) // 2])


# ---- the same draft as .txt and .docx -------------------------------------------------------

_SUB_ITEM = re.compile(r"\(([a-z])\)\s+(.*)", re.DOTALL)
_NUMBER = re.compile(r"(\d+)\.\s+(.*)", re.DOTALL)
_HEADING = re.compile(r"(?:[A-Z]|[IVX]{2,})\.\s+\S.{0,100}")


def docx_from_text(text: str, automatic: bool) -> bytes:
    """Turn a plain-text draft into Word: one paragraph a block or sub-item, labelled headings
    as Heading 2, and the paragraph numbers typed or made by Word's automatic numbering."""
    document = new_document()
    abstract = add_list(document, [("decimal", "%1.", 1), ("lowerLetter", "(%2)", 1)])
    num, expected = None, None
    for block in re.split(r"\n\s*\n", text):
        items: list[list[str]] = []
        for line in filter(None, (raw.strip() for raw in block.splitlines())):
            if not items or _SUB_ITEM.fullmatch(line):
                items.append([])
            items[-1].append(line)
        for item in (_joined(words) for words in items):
            number, sub_item = _NUMBER.fullmatch(item), _SUB_ITEM.fullmatch(item)
            if _HEADING.fullmatch(item) and item[-1] not in ".;,:":
                document.add_paragraph(item, style="Heading 2")
            elif automatic and number:
                if int(number[1]) != expected:  # a gap or the first number: restart the list
                    num = add_num(document, abstract, start=int(number[1]))
                numbered(document.add_paragraph(number[2]), num)
                expected = int(number[1]) + 1
            elif automatic and sub_item and num is not None:
                numbered(document.add_paragraph(sub_item[2]), num, 1)
            else:
                document.add_paragraph(item)
    return saved(document)


def _joined(lines: list[str]) -> str:
    """Join a block's wrapped lines with spaces, but keep a line break after a hyphen
    ("inter-" / "national"): python-docx makes "\n" a manual line break (w:br)."""
    return re.sub(r"(?<=[a-z]-) (?=[a-z])", "\n", " ".join(lines))


@pytest.fixture(scope="module")
def shipped_rules():
    return load_rules([str(ROOT / "rules" / "joint_statement.yaml")])


def outcome(result: DraftResult) -> dict:
    return {v.rule_id: (v.status, [(e.paragraph, e.section, e.match) for e in v.evidence])
            for group in result.groups for v in group.verdicts}


@pytest.mark.parametrize("automatic", [False, True], ids=["typed-numbers", "word-numbering"])
@pytest.mark.parametrize("sample", ["balanced.txt", "traps.txt"])
def test_a_draft_gets_the_same_verdicts_as_txt_and_as_docx(sample: str, automatic: bool,
                                                            shipped_rules) -> None:
    path = SAMPLES / sample
    as_word = build_document(read_docx("draft.docx", docx_from_text(
        path.read_text(encoding="utf-8"), automatic)))
    as_text = read_document(str(path))
    report = check([as_text, as_word], shipped_rules)
    text_outcome, word_outcome = (outcome(d) for d in report.drafts)
    assert word_outcome == text_outcome
    assert [p.number for p in as_word.paragraphs if p.number] == [
        p.number for p in as_text.paragraphs if p.number]


# ---- annotate -------------------------------------------------------------------------------

@pytest.fixture
def annotated(tmp_path: Path):
    """Check numbered_draft() against three rules and annotate it; return what is needed."""
    draft = tmp_path / "draft.docx"
    draft.write_bytes(saved(numbered_draft()))
    rules = rules_file(tmp_path, {"no-repository": 'not "repository"',
                                  "needs-convention": 'mentions("legally binding convention")',
                                  "met-rule": 'mentions("New York") or "Group"'})
    report = check([read_document_docx(draft)], load_rules([rules]))
    out = tmp_path / "annotated.docx"
    before = draft.read_bytes()
    count = annotate_docx(draft, report.drafts[0], out)
    return draft, before, out, count, report.drafts[0]


def read_document_docx(path: Path) -> Document:
    return build_document(read_docx(str(path), path.read_bytes()))


def comments_by_paragraph(path: Path) -> dict[int, list[tuple[str, str]]]:
    """Return, per Word paragraph index, the (comment text, commented words) anchored there."""
    document = docx.Document(str(path))
    texts = {c.comment_id: c.text for c in document.comments}
    paragraphs = list(document.element.body.iter(qn("w:p")))
    found: dict[int, list[tuple[str, str]]] = {}
    for index, p in enumerate(paragraphs):
        for start in p.iter(qn("w:commentRangeStart")):
            comment_id = start.get(qn("w:id"))
            words, inside = [], False
            for node in p.iter(qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:t")):
                if node.tag != qn("w:t"):
                    if node.get(qn("w:id")) == comment_id:
                        inside = node.tag == qn("w:commentRangeStart")
                elif inside:
                    words.append(node.text)
            found.setdefault(index, []).append((texts[int(comment_id)], "".join(words)))
    return found


def test_annotate_comments_each_piece_of_evidence_on_its_words(annotated) -> None:
    _, _, out, count, result = annotated
    found = comments_by_paragraph(out)
    assert count == 3
    assert [words for _, words in found[5]] == ["repository"]
    assert [words for _, words in found[9]] == ["repository"]
    why = next(v.why for v in result.groups[0].verdicts if v.rule_id == "no-repository")
    assert found[5][0][0] == f"test-group / no-repository: {why}"


def test_annotate_lists_missing_demands_at_the_top(annotated) -> None:
    _, _, out, _, _ = annotated
    [(text, words)] = comments_by_paragraph(out)[0]
    assert words == "A. Overview"
    assert text.startswith("draftcheck: unmet demands not found in the draft:")
    assert "test-group / needs-convention:" in text
    assert "met-rule" not in text and "no-repository" not in text


def test_annotate_keeps_the_draft_and_the_text(annotated) -> None:
    draft, before, out, _, _ = annotated
    assert draft.read_bytes() == before
    assert read_docx("a.docx", out.read_bytes()).text == read_docx("d.docx", before).text


def test_annotate_refuses_to_write_over_the_draft(annotated) -> None:
    draft, before, _, _, result = annotated
    with pytest.raises(UsageError, match="over the draft"):
        annotate_docx(draft, result, draft.parent / "." / draft.name)
    assert draft.read_bytes() == before


def test_annotate_refuses_a_draft_changed_since_the_check(annotated, tmp_path: Path) -> None:
    draft, _, _, _, result = annotated
    document = docx.Document(str(draft))
    document.add_paragraph("14. A new paragraph.")
    document.save(str(draft))
    with pytest.raises(DraftError, match="changed"):
        annotate_docx(draft, result, tmp_path / "again.docx")
    assert not (tmp_path / "again.docx").exists()


def test_annotate_splits_runs_only_at_the_match(tmp_path: Path) -> None:
    document = new_document()
    paragraph = document.add_paragraph("1. States proposed ")
    paragraph.add_run("a global repository of threats").italic = True
    paragraph.add_run(".")
    draft = tmp_path / "draft.docx"
    draft.write_bytes(saved(document))
    rules = rules_file(tmp_path, {"no-repository": 'not "repository"'})
    report = check([read_document_docx(draft)], load_rules([rules]))
    annotate_docx(draft, report.drafts[0], tmp_path / "out.docx")
    [[(_, words)]] = comments_by_paragraph(tmp_path / "out.docx").values()
    assert words == "repository"
    runs = [r for r in docx.Document(str(tmp_path / "out.docx")).paragraphs[0].runs if r.text]
    assert [r.text for r in runs] == [
        "1. States proposed ", "a global ", "repository", " of threats", "."]
    assert [bool(r.italic) for r in runs] == [False, True, True, True, False]


# ---- wiring (skipped until the lead adds .docx to READERS and --annotate to the CLI) ----------

@pytest.mark.skipif(".docx" not in READERS, reason=".docx is not in READERS yet")
def test_read_document_reads_docx(tmp_path: Path) -> None:
    draft = tmp_path / "draft.docx"
    draft.write_bytes(saved(numbered_draft()))
    assert read_document(str(draft)).text == read_document_docx(draft).text


def test_cli_annotates_a_docx_draft(cli, tmp_path: Path) -> None:
    if "--annotate" not in cli("check", "--help").out:
        pytest.skip("the CLI has no --annotate option yet")
    draft = tmp_path / "draft.docx"
    draft.write_bytes(saved(numbered_draft()))
    rules = rules_file(tmp_path, {"no-repository": 'not "repository"'})
    result = cli(draft, "--rules", rules, "--annotate", tmp_path / "out.docx", "--fail-on", "never")
    assert result.code == 0, result.err
    assert len(comments_by_paragraph(tmp_path / "out.docx")) == 2
    refused = cli(draft, "--rules", rules, "--annotate", draft)
    assert refused.code == 2 and "refusing" in refused.err
