"""The document model: readers, normalisation, headings, paragraphs, sentences, brackets, places."""

from __future__ import annotations

import hashlib
import io
import re
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.document.model import Document
from checker.document.read import read_document
from checker.document.readers.text import read_markdown
from checker.document.segment import build_document, parse_document
from checker.errors import DraftError
from checker.evaluation.matchset import Matches, inside

DRAFT = """\
Open-ended working group on security of and in the use of ICTs 2021-2025
Second substantive session

Draft annual progress report

A. Overview

1. The Group met in New York. It adopted its agenda.

2. The Group recommended that States:
(a) continue to exchange views;
(b) consider [further] proposals.

B. Existing and potential threats

3. States noted [an increase in threats. Some States expressed concern.] The Group agreed.

4. States recalled the report [5] of 2021.

A. The Group agreed on the following text.

5) The last paragraph, printed with a parenthesis.
"""


def sentence_texts(doc: Document) -> list[str]:
    return [doc.text[s.start:s.end] for s in doc.sentences]


def paragraph_numbers(doc: Document) -> list[int | None]:
    return [p.number for p in doc.paragraphs]


def sentence_containing(doc: Document, needle: str) -> str:
    s = doc.sentences[doc.sentence_at(doc.text.index(needle))]
    return doc.text[s.start:s.end]


# ---- headings, sections and paragraphs ------------------------------------------------------

def test_lettered_headings_become_sections() -> None:
    doc = parse_document(DRAFT)
    assert [(s.label, s.heading, s.level) for s in doc.sections] == [
        ("A", "Overview", 1), ("B", "Existing and potential threats", 1)]
    overview, threats = doc.sections
    assert overview.title == "A. Overview"
    assert doc.text[overview.start:overview.body_start] == "A. Overview\n"
    assert overview.end == threats.start and threats.end == len(doc.text)


def test_title_block_has_no_section_or_paragraph() -> None:
    doc = parse_document(DRAFT)
    assert sentence_texts(doc)[:3] == [
        "Open-ended working group on security of and in the use of ICTs 2021-2025",
        "Second substantive session", "Draft annual progress report"]
    assert all(s.paragraph is None for s in doc.sentences[:4])
    assert doc.section_at(0) is None and doc.paragraph_at(0) is None


def test_numbered_paragraphs_keep_their_sub_items() -> None:
    doc = parse_document(DRAFT)
    assert paragraph_numbers(doc) == [1, 2, 3, 4, None, 5]
    second = doc.paragraphs[1]
    assert doc.text[second.start:second.end].endswith("(b) consider [further] proposals.")
    assert doc.paragraph_at(doc.text.index("(b) consider")) == 1
    assert [p.section for p in doc.paragraphs] == [0, 0, 1, 1, 1, 1]


def test_sentence_like_lettered_line_is_not_a_heading() -> None:
    doc = parse_document(DRAFT)
    assert "A. The Group agreed on the following text." in sentence_texts(doc)
    assert doc.paragraphs[4].number is None


def test_sub_item_blocks_stay_in_their_paragraph() -> None:
    doc = parse_document("12. The Group recommended:\n\n(a) one thing;\n\n(b) another.\n\n"
                         "Closing words.\n")
    assert paragraph_numbers(doc) == [12, None]
    assert doc.paragraph_at(doc.text.index("another")) == 0
    assert sentence_texts(doc) == ["12. The Group recommended:", "(a) one thing;",
                                   "(b) another.", "Closing words."]


ROMAN = """\
I. Introduction

1. Opening.

II. Context

A. Overview

2. Overview text.

B. Threats

H. Eighth

I. Ninth

3. Text under the letter I.

III. Conclusions

4. The end.
"""


def test_roman_headings_are_level_one_and_letters_nest_under_them() -> None:
    doc = parse_document(ROMAN)
    assert [(s.label, s.level) for s in doc.sections] == [
        ("I", 1), ("II", 1), ("A", 2), ("B", 2), ("H", 2), ("I", 2), ("III", 1)]
    context = doc.sections[1]
    assert context.end == doc.sections[6].start  # includes subsections A..I
    ninth = doc.section_at(doc.text.index("Text under"))
    assert ninth == 5 and doc.sections[ninth].title == "I. Ninth"
    assert doc.paragraphs[2].section == 5


def test_markdown_headings(tmp_path: Path) -> None:
    path = tmp_path / "draft.md"
    path.write_text("# Draft report\n\n## A. Overview\n\n1. The **Group** met *informally* at "
                    "[the site](https://example.org) on 5<sup>th</sup> May.\n\n"
                    "## II. Context\n\n2. Text with \\[escaped brackets\\] and snake_case.\n",
                    encoding="utf-8")
    doc = read_document(str(path))
    assert [(s.label, s.heading, s.level) for s in doc.sections] == [
        (None, "Draft report", 1), ("A", "Overview", 2), ("II", "Context", 2)]
    assert doc.sections[0].end == len(doc.text)
    assert "1. The Group met informally at the site on 5th May." in sentence_texts(doc)
    assert "2. Text with [escaped brackets] and snake_case." in sentence_texts(doc)
    assert [doc.text[a:b] for a, b in doc.brackets] == ["escaped brackets"]
    where = doc.location(doc.text.index("May"))
    assert (where.line, where.column) == (5, doc.source.original.splitlines()[4].index("May") + 1)


def test_lines_without_blank_lines_between_them() -> None:
    # Word's "save as text" puts one paragraph per line, with no blank lines.
    doc = parse_document("Draft report\nA. Overview\n1. First.\n2. Second.\nB. Threats\n"
                         "3. Third paragraph,\n4. still the third.\n")
    assert [s.title for s in doc.sections] == ["A. Overview", "B. Threats"]
    assert paragraph_numbers(doc) == [1, 2, 3]


def test_lowercase_block_after_an_unfinished_sentence_continues_it() -> None:
    # As in the seed statement, where a page break split "a UN convention on / international".
    doc = parse_document("2) States should consider a UN convention on\n\ninternational "
                         "information security. It matters.\n\nthe next block stands alone.\n")
    assert paragraph_numbers(doc) == [2, None]
    assert sentence_texts(doc)[0] == ("2) States should consider a UN convention on\n\n"
                                      "international information security.")


def test_numbered_list_inside_a_paragraph_is_not_a_paragraph() -> None:
    doc = parse_document("5. The Group recommended:\n1) first;\n2) second.\n6. Next.\n")
    assert paragraph_numbers(doc) == [5, 6]


# ---- sentences -------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "The U.N. Secretariat will report.",
    "Some States, e.g. Cuba, spoke.",
    "States, i.e. all of them, agreed.",
    "See resolution No. 5 of 2021.",
    "As set out in para. 3 above.",
    "As stated in paras. 3 and 4.",
    "Mr. Smith and Ms. Jones spoke.",
    "The report (A/77/275/Rev. 1) was issued.",
    "Ambassador J. Smith chaired.",
    "See art. 5, vol. 2, pp. 3 and p. 4, cf. Annex.",
    "The Group agreed: States will act; Others will not.",
    "The Group noted\nThe Following line.",
])
def test_no_split_inside_a_sentence(sentence: str) -> None:
    assert sentence_texts(parse_document(sentence)) == [sentence]


def test_paragraph_number_does_not_end_a_sentence() -> None:
    doc = parse_document("31. The Group noted. States agreed!\n")
    assert sentence_texts(doc) == ["31. The Group noted.", "States agreed!"]
    assert all(s.paragraph == 0 for s in doc.sentences)


@pytest.mark.parametrize(("text", "expected"), [
    ("It met in 2022. The Group agreed.", ["It met in 2022.", "The Group agreed."]),
    ("Is it? Yes. 2023 was busy.", ["Is it?", "Yes.", "2023 was busy."]),
    ('He said "No." The Group went on.', ['He said "No."', "The Group went on."]),
    ("States agreed. (They did.) [Others did not.]",
     ["States agreed.", "(They did.)", "[Others did not.]"]),
    ("States agreed.\n(a) first item;\n(b) second.",
     ["States agreed.", "(a) first item;\n(b) second."]),
    ("Seen from the U.N.\n\nA new block", ["Seen from the U.N.", "A new block"]),
])
def test_split_at_real_sentence_ends(text: str, expected: list[str]) -> None:
    assert sentence_texts(parse_document(text)) == expected


def test_line_break_hyphenation_is_kept() -> None:
    doc = parse_document("1. On interna-\ntional law.\n")
    assert doc.text == "1. On interna-\ntional law.\n"
    assert sentence_texts(doc) == ["1. On interna-\ntional law."]


# ---- brackets --------------------------------------------------------------------------------

def test_bracketed_text_spans_sentences_and_skips_footnotes() -> None:
    doc = parse_document(DRAFT)
    assert [doc.text[a:b] for a, b in doc.brackets] == [
        "further", "an increase in threats. Some States expressed concern."]
    concern = doc.text.index("concern")
    agreed = doc.text.index("The Group agreed.")
    footnote = doc.text.index("[5]") + 1
    spans = Matches.from_spans([(concern, concern + len("concern")), (agreed, agreed + 3),
                                (footnote, footnote + 1)])
    # bracketed()/unbracketed() ask this of every match: does it lie inside one range?
    assert dict(zip(spans, inside(spans, doc.brackets).tolist())) == {
        (concern, concern + len("concern")): True, (agreed, agreed + 3): False,
        (footnote, footnote + 1): False}


def test_nested_unclosed_and_stray_brackets() -> None:
    doc = parse_document("1. A [b [c] d] e ] f.\n\n2. An [unclosed bracket.\n(a) still inside.\n\n"
                         "3. Not inside.\n")
    assert [doc.text[a:b] for a, b in doc.brackets] == [
        "b [c] d", "unclosed bracket.\n(a) still inside."]


def test_brackets_may_cover_whole_paragraphs() -> None:
    doc = parse_document("[1. First.\n\n2. Second.]\n\n3. Third.\n")
    assert [doc.text[a:b] for a, b in doc.brackets] == ["1. First.\n\n2. Second."]


# ---- normalisation and locations -------------------------------------------------------------

def original_char(doc: Document, offset: int) -> str:
    where = doc.location(offset)
    line = re.split(r"\r\n|\r|\n", doc.source.original)[where.line - 1]
    return line[where.column - 1]


def test_typographic_characters_are_normalised() -> None:
    doc = parse_document("\u201cC\u00f4te d\u2019Ivoire\u201d \u2013 non\u2011binding"
                         "\u00a0text\u2003\u00ablegally\u00bb\tbinding\u200b.\n")
    assert doc.text == "\"C\u00f4te d'Ivoire\" - non-binding text \"legally\" binding.\n"


def test_location_after_crlf_soft_hyphen_and_nbsp() -> None:
    original = ("Title\r\n\r\nA. Overview\r\n\r\n1. The Group, in\u00a0its\u00a0work, "
                "noted a capa\u00adcity gap.\r\nIt agreed.\rDone.\n")
    doc = parse_document(original)
    assert "\r" not in doc.text and "\u00ad" not in doc.text
    for word, line, column in [("Title", 1, 1), ("Overview", 3, 4), ("its", 5, 18),
                               ("city", 5, 41), ("gap", 5, 46), ("agreed", 6, 4), ("Done", 7, 1)]:
        offset = doc.text.index(word)
        where = doc.location(offset)
        assert (where.line, where.column) == (line, column), word
        assert original_char(doc, offset) == doc.text[offset]
    nbsp = doc.text.index(" its")
    assert original_char(doc, nbsp) == "\u00a0" and doc.text[nbsp] == " "
    assert doc.location(0).page is None


# ---- reading files ---------------------------------------------------------------------------

def test_cp1252_file_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("C\u00f4te d\u2019Ivoire \u2013 \u201cquotes\u201d.\n".encode("cp1252"))
    doc = read_document(str(path))
    assert doc.source.original.startswith("C\u00f4te d\u2019Ivoire \u2013 \u201cquotes\u201d")
    assert doc.text == "C\u00f4te d'Ivoire - \"quotes\".\n"


def test_cp1251_file_is_decoded(tmp_path: Path) -> None:
    text = ("\u041f\u0440\u0430\u0432\u0438\u043b\u0430 \u043e\u0442\u0432\u0435\u0442\u0441\u0442"
            "\u0432\u0435\u043d\u043d\u043e\u0433\u043e \u043f\u043e\u0432\u0435\u0434\u0435\u043d"
            "\u0438\u044f \u0433\u043e\u0441\u0443\u0434\u0430\u0440\u0441\u0442\u0432.\n")
    path = tmp_path / "ru.txt"
    path.write_bytes(text.encode("cp1251"))
    assert read_document(str(path)).source.original == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32"])
def test_unicode_files_with_byte_order_marks(tmp_path: Path, encoding: str) -> None:
    text = "A. Overview\n\n1. C\u00f4te d\u2019Ivoire spoke.\n"
    raw = text.encode(encoding)
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw
    path = tmp_path / "draft.txt"
    path.write_bytes(raw)
    doc = read_document(str(path))
    assert doc.source.original == text
    assert doc.sections[0].label == "A" and doc.paragraphs[0].number == 1


def test_stdin_is_read_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"1. From stdin.\n")))
    doc = read_document("-")
    assert doc.path == "<stdin>" and doc.paragraphs[0].number == 1


@pytest.mark.parametrize(("content", "message"), [
    (b"", "draft is empty"),
    (b"  \r\n\t\n", "draft is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks binary"),
    (bytes(range(1, 9)) * 40, "looks binary"),
])
def test_unreadable_drafts_raise_draft_error(tmp_path: Path, content: bytes,
                                             message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(DraftError, match=message) as caught:
        read_document(str(path))
    assert str(path) in str(caught.value)


def test_damaged_utf8_names_the_place(tmp_path: Path) -> None:
    path = tmp_path / "damaged.txt"
    path.write_bytes("C\u00f4te d\u2019Ivoire \u2013 \u201cok\u201d.\n".encode() * 30
                     + b"Bad \xff byte.\n")
    with pytest.raises(DraftError, match="not valid UTF-8") as caught:
        read_document(str(path))
    problem = caught.value.problems[0]
    assert (problem.path, problem.line, problem.column) == (str(path), 31, 5)


@pytest.mark.parametrize("name", ["missing.txt", "."])
def test_missing_file_or_directory_raises_draft_error(tmp_path: Path, name: str) -> None:
    path = str(tmp_path / name)
    with pytest.raises(DraftError) as caught:
        read_document(path)
    assert caught.value.problems[0].path == path


def test_checksum_is_of_the_raw_bytes() -> None:
    doc = parse_document("1. Text.\n")
    assert doc.sha256 == hashlib.sha256(b"1. Text.\n").hexdigest()


# ---- any text at all -------------------------------------------------------------------------

draft_text = st.text(
    alphabet=st.one_of(st.sampled_from(list("[](). \n\r\t#*-;:!?\"'\u00a0\u00ad\u2019\u201c")),
                       st.sampled_from(list("AaBIVXiv0123456789")),
                       st.characters()),
    max_size=300)


@settings(max_examples=150, deadline=None)
@given(draft_text)
def test_any_text_segments_consistently(text: str) -> None:
    doc = parse_document(text)
    size = len(doc.text)
    previous_end = 0
    for s in doc.sentences:
        assert previous_end <= s.start < s.end <= size
        assert not doc.text[s.start].isspace() and not doc.text[s.end - 1].isspace()
        previous_end = s.end
    covered = set()
    for s in doc.sentences:
        covered.update(range(s.start, s.end))
    assert all(i in covered for i, c in enumerate(doc.text) if not c.isspace())
    for p in doc.paragraphs:
        assert 0 <= p.start < p.end <= size
        assert p.section is None or doc.sections[p.section].start <= p.start
    for section in doc.sections:
        assert 0 <= section.start < section.body_start <= section.end <= size
    assert all(0 <= a <= b <= size for a, b in doc.brackets)
    assert all(first[1] < second[0] for first, second in pairwise(doc.brackets))
    for offset in range(0, size + 1, 7):
        where = doc.location(offset)
        assert where.line >= 1 and where.column >= 1
        doc.sentence_at(offset), doc.paragraph_at(offset), doc.section_at(offset)


@settings(max_examples=100, deadline=None)
@given(draft_text)
def test_any_markdown_reads_or_raises_draft_error(text: str) -> None:
    try:
        source = read_markdown("any.md", text.encode("utf-8", "surrogatepass"))
    except DraftError:
        return
    doc = build_document(source)
    lines = re.split(r"\r\n|\r|\n", doc.source.original)
    for offset, char in enumerate(doc.text):
        where = doc.location(offset)
        line = lines[where.line - 1]
        shown = line[where.column - 1] if where.column <= len(line) else "\n"
        assert char == shown or char in " \"'-\n", (offset, char, shown)
