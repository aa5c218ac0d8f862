"""The PDF reader: drafts printed to PDF read as their text does (verdicts, ¶, sections, pages).

The PDFs are made here with fpdf2, from the sample drafts: A4, the document symbol as a running
header and "n/N" as a running footer on every page, paragraphs wrapped by fpdf2 (so line breaks
differ from the .txt), a few millimetres between paragraphs (or none).
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from conftest import ROOT, rule_yaml
from fpdf import FPDF
from PIL import Image
from pypdf import PageObject, PdfReader

from checker.api import check, load_rules
from checker.document.model import Document
from checker.document.read import READERS, read_document
from checker.document.readers.pdf import _clean, read_pdf
from checker.document.segment import build_document
from checker.errors import DraftError

DRAFTS = ROOT / "samples" / "drafts"
RULES = str(ROOT / "rules" / "joint_statement.yaml")
DATA = ROOT / "tests" / "data" / "pdf"

# fpdf2's built-in fonts are Latin-1: print dashes and quotes as ASCII (the matcher folds them).
_ASCII = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'",
                        "\u201c": '"', "\u201d": '"'})
_LINE_END_HYPHEN = re.compile(r"(\w+)-\n\s*(\w+)")
_PREFIXES = {"inter"}  # "inter-⏎national" is one word; "legally-⏎binding" keeps its hyphen
_SUB_ITEM = re.compile(r"^\s*\([a-z]\)\s", re.MULTILINE)
_HEADING = re.compile(r"[A-Z]\. \S")


class _Draft(FPDF):
    """An A4 draft with the document symbol at the top and a footer at the bottom of every page."""

    def __init__(self, symbol: str, footer: Callable[[int], str]) -> None:
        super().__init__(format="A4")
        self.symbol = symbol
        self.footer_text = footer
        self.set_margins(25, 20, 25)
        self.set_auto_page_break(True, margin=25)

    def header(self) -> None:
        self.set_font("Times", size=9)
        self.cell(0, 5, self.symbol, align="R")
        self.ln(10)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Times", size=9)
        self.cell(0, 5, self.footer_text(self.page_no()), align="C")

    def paragraph(self, text: str, indent: float = 0, spacing: float = 3.0) -> None:
        """Print one paragraph, wrapped by fpdf2, with `spacing` mm after it."""
        self.set_font("Times", size=11)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.epw - indent, 5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(spacing)


def n_of_total(page: int) -> str:
    return f"{page}/{{nb}}"


def page_n_of_total(page: int) -> str:
    return f"Page {page} of {{nb}}"


def alternating_with_job(page: int) -> str:
    # As in UN documents: "2/15  23-12345" on even pages, "23-12345  3/15" on odd ones.
    return f"{page}/{{nb}}      23-1234{page % 10}" if page % 2 == 0 else \
        f"23-1234{page % 10}      {page}/{{nb}}"


def _rejoin(m: re.Match[str]) -> str:
    # A soft hyphen: fpdf2 prints "inter-" if it breaks the line there, else "international".
    return m[1] + ("\u00ad" if m[1].lower() in _PREFIXES else "-") + m[2]


@cache
def pdf_from_sample(name: str, spacing: float = 3.0,
                    footer: Callable[[int], str] = n_of_total) -> bytes:
    """Print a sample draft to PDF: title lines as they are, other blocks rewrapped by fpdf2."""
    text = (DRAFTS / f"{name}.txt").read_text(encoding="utf-8")
    text = _LINE_END_HYPHEN.sub(_rejoin, text.translate(_ASCII))
    pdf = _Draft(re.search(r"A/AC\.\S+", text)[0], footer)
    pdf.add_page()
    title = True
    for block in re.split(r"\n[ \t]*\n", text.strip()):
        title = title and not _HEADING.match(block)
        if title:  # the title block: one printed line per line
            for line in block.splitlines():
                pdf.paragraph(" ".join(line.split()), spacing=0)
            pdf.ln(spacing)
            continue
        lead, *items = (" ".join(part.split()) for part in _split_items(block))
        pdf.paragraph(lead, spacing=0 if items else spacing)
        for i, item in enumerate(items, 1):
            pdf.paragraph(item, indent=10, spacing=spacing if i == len(items) else 0)
    return bytes(pdf.output())


def _split_items(block: str) -> list[str]:
    """Split a block at its sub-items "(a)", "(b)", ..."""
    cuts = [0, *(m.start() for m in _SUB_ITEM.finditer(block)), len(block)]
    return [block[a:b] for a, b in itertools.pairwise(cuts) if block[a:b].strip()]


def small_pdf(*pages: list[str], footer: Callable[[int], str] = n_of_total) -> bytes:
    """Print a short draft: each argument is a page, a list of paragraphs."""
    pdf = _Draft("A/AC.292/2023/L.1", footer)
    for paragraphs in pages:
        pdf.add_page()
        for paragraph in paragraphs:
            pdf.paragraph(paragraph)
    return bytes(pdf.output())


def read(raw: bytes, path: str = "draft.pdf") -> Document:
    return build_document(read_pdf(path, raw))


@cache
def rules() -> list:
    return load_rules([RULES])


def statuses(document: Document) -> dict[str, str]:
    report = check([document], rules())
    return {v.rule_id: v.status.value for g in report.drafts[0].groups for v in g.verdicts}


def squeezed(text: str) -> str:
    """Text without spaces, line breaks and hyphens (what line wrapping may change)."""
    return re.sub(r"[\s\-\u00ad]+", "", text)


def paragraphs(document: Document) -> list[tuple[int | None, str]]:
    return [(p.number, squeezed(document.text[p.start:p.end])) for p in document.paragraphs]


def section_titles(document: Document) -> list[tuple[str | None, str, int]]:
    return [(s.label, s.heading, s.level) for s in document.sections]


def text_draft(name: str) -> Document:
    return read_document(str(DRAFTS / f"{name}.txt"))


SAMPLES = [pytest.param(name, spacing, id=f"{name}-{label}")
           for name in ("balanced", "traps")
           for spacing, label in ((3.0, "spaced"), (0.0, "tight"))]


# ---- the sample drafts read as their text does ---------------------------------------------

@pytest.mark.parametrize(("name", "spacing"), SAMPLES)
def test_verdicts_match_the_text_draft(name: str, spacing: float) -> None:
    pdf = read(pdf_from_sample(name, spacing), f"{name}.pdf")
    expected = statuses(text_draft(name))
    assert statuses(pdf) == expected
    assert set(expected.values()) >= {"met", "review"}  # not a vacuous comparison


@pytest.mark.parametrize(("name", "spacing"), SAMPLES)
def test_paragraphs_and_sections_match_the_text_draft(name: str, spacing: float) -> None:
    pdf = read(pdf_from_sample(name, spacing), f"{name}.pdf")
    txt = text_draft(name)
    assert section_titles(pdf) == section_titles(txt)
    assert [n for n, _ in paragraphs(pdf)] == [n for n, _ in paragraphs(txt)]
    assert paragraphs(pdf) == paragraphs(txt)
    # Some paragraph goes on over a page break and still is one paragraph.
    assert any(p.start < page < p.end for page in pdf.source.pages for p in pdf.paragraphs)


def test_without_positions_paragraphs_come_from_line_lengths(monkeypatch) -> None:
    """If pypdf's visitor does not give the text back (positions unknown), lengths still work."""
    extract = PageObject.extract_text
    monkeypatch.setattr(PageObject, "extract_text",
                        lambda page, **options: extract(page))  # the visitor sees nothing
    pdf = read(pdf_from_sample("traps"), "traps.pdf")
    txt = text_draft("traps")
    assert paragraphs(pdf) == paragraphs(txt)
    assert statuses(pdf) == statuses(txt)


def test_libreoffice_pdf_reads_as_its_text() -> None:
    """A PDF made by LibreOffice from a Word file (see tests/data/pdf/README.md)."""
    path = DATA / "traps.pdf"
    pdf = read(path.read_bytes(), str(path))
    txt = text_draft("traps")
    assert statuses(pdf) == statuses(txt)
    assert section_titles(pdf) == section_titles(txt)
    assert paragraphs(pdf) == paragraphs(txt)
    assert len(pdf.source.pages) == 3
    # Running lines and the first page's own footer are gone; the masthead stays.
    assert "23-14567" not in pdf.text
    assert pdf.text.count("A/AC.292/2023/CRP.1/Rev.2") == 1
    assert not re.search(r"^\s*\d+/\d+\s*$", pdf.text, re.MULTILINE)


# ---- pages, lines and columns --------------------------------------------------------------

def page_texts(raw: bytes) -> list[str]:
    return [squeezed(page.extract_text()) for page in PdfReader(io.BytesIO(raw)).pages]


@pytest.mark.parametrize("name", ["balanced", "traps"])
def test_evidence_cites_the_page_line_and_column(name: str) -> None:
    raw = pdf_from_sample(name)
    document = read(raw, f"{name}.pdf")
    pages, lines = page_texts(raw), document.source.original.splitlines()
    seen = set()
    for group in check([document], rules()).drafts[0].groups:
        for verdict in group.verdicts:
            for evidence in verdict.evidence:
                first_word = re.match(r"\w+", document.text[evidence.start:evidence.end])[0]
                assert first_word in pages[evidence.page - 1], (verdict.rule_id, evidence)
                at = lines[evidence.line - 1][evidence.column - 1:]
                assert at.startswith(first_word), (verdict.rule_id, evidence)
                seen.add(evidence.page)
    assert len(seen) >= 2


def test_a_phrase_on_page_two_is_cited_on_page_two(tmp_path: Path) -> None:
    raw = small_pdf(["Draft report", "A. Overview", "1. The Group met in New York."],
                    ["2. The Group welcomed the zebra crossing initiative.",
                     "3. The Group adopted its report."])
    document = read(raw)
    (evidence,) = evidence_for('mentions("zebra crossing")', document, tmp_path)
    assert (evidence.page, evidence.paragraph, evidence.section) == (2, 2, "A")
    line = document.source.original.splitlines()[evidence.line - 1]
    assert line[evidence.column - 1:].startswith("zebra crossing")
    (first,) = evidence_for('mentions("New York")', document, tmp_path)
    assert (first.page, first.paragraph) == (1, 1)


def evidence_for(check_: str, document: Document, tmp_path: Path) -> tuple:
    path = tmp_path / "rules.yaml"
    path.write_text(rule_yaml(check_), encoding="utf-8")
    (verdict,) = check([document], load_rules([str(path)])).drafts[0].groups[0].verdicts
    assert verdict.status.value == "met", verdict.why
    return verdict.evidence


def test_pages_without_text_keep_the_page_numbers_right(tmp_path: Path) -> None:
    raw = small_pdf([], ["A. Overview", "1. The Group met in New York."], [],
                    ["2. The Group welcomed the zebra crossing initiative."])
    document = read(raw)
    (evidence,) = evidence_for('mentions("zebra crossing")', document, tmp_path)
    assert evidence.page == 4
    (first,) = evidence_for('mentions("New York")', document, tmp_path)
    assert first.page == 2


# ---- running headers and footers -----------------------------------------------------------

@pytest.mark.parametrize("footer", [n_of_total, page_n_of_total, alternating_with_job])
def test_running_headers_and_footers_are_dropped(footer: Callable[[int], str]) -> None:
    document = read(pdf_from_sample("balanced", footer=footer))
    assert len(document.source.pages) >= 3
    # The symbol stays once, in the masthead line "United Nations A/AC.292/...".
    assert document.text.count("A/AC.292/2023/CRP.1/Rev.3") == 1
    assert not re.search(r"\d+/\d+\s*$|Page \d+ of|23-1234", document.text, re.MULTILINE)
    assert paragraphs(document) == paragraphs(text_draft("balanced"))


def test_a_single_page_keeps_its_header() -> None:
    document = read(small_pdf(["A. Overview", "1. The Group met in New York."]))
    # Nothing repeats, so nothing is dropped: the header stays in the title, "1/1" at the end.
    assert "A/AC.292/2023/L.1" in document.text
    assert document.text.rstrip().endswith("1/1")
    assert [p.number for p in document.paragraphs if p.number] == [1]


# ---- words broken at line ends -------------------------------------------------------------

def test_a_word_hyphenated_at_a_line_end_still_matches(tmp_path: Path) -> None:
    pdf = _Draft("A/AC.292/2023/L.1", n_of_total)
    pdf.add_page()
    pdf.set_font("Times", size=11)
    lead = "1. States referred to the concept of a convention on inter-"
    pdf.multi_cell(pdf.get_string_width(lead) + 2, 5,
                   "1. States referred to the concept of a convention on inter\u00adnational "
                   "information security.")
    document = read(bytes(pdf.output()))
    assert "inter-\nnational" in document.source.original
    (evidence,) = evidence_for('mentions("convention on international information security")',
                               document, tmp_path)
    assert evidence.paragraph == 1


def test_clean_spells_out_ligatures_and_shows_a_soft_hyphen_at_a_line_end() -> None:
    assert _clean("con\ufb01dence-building inter\u00ad  ") == "confidence-building inter-"
    assert _clean("a\x00b\tc") == "ab\tc"


# ---- files that are not readable PDFs ------------------------------------------------------

def _encrypted(user_password: str) -> bytes:
    pdf = _Draft("A/AC.292/2023/L.1", n_of_total)
    pdf.set_encryption(owner_password="chair", user_password=user_password)
    pdf.add_page()
    pdf.paragraph("1. The Group met in New York.")
    return bytes(pdf.output())


def _scanned(pages: int = 1, stamp: str = "") -> bytes:
    """Pages holding only a picture (and maybe a stamped text line, as scanners add)."""
    pdf = FPDF(format="A4")
    for _ in range(pages):
        pdf.add_page()
        pdf.image(Image.new("L", (40, 20), 200), x=20, y=20, w=100)
        if stamp:
            pdf.set_font("Helvetica", size=8)
            pdf.text(20, 280, stamp)
    return bytes(pdf.output())


def _blank() -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_page()
    return bytes(pdf.output())


BAD_FILES = {
    "renamed-text": (lambda: (DRAFTS / "balanced.txt").read_bytes(), "not a PDF file"),
    "empty": (lambda: b"", "not a PDF file"),
    "truncated": (lambda: pdf_from_sample("balanced")[:6000], "truncated"),
    "damaged": (lambda: pdf_from_sample("balanced")[:3000] + b"\n%%EOF\n",
                "cannot read the PDF"),
    "encrypted": (lambda: _encrypted("secret"), "encrypted and needs a password"),
    "blank": (_blank, "no text layer: scanned PDF? run OCR first"),
    "scanned": (_scanned, "no text layer: scanned PDF? run OCR first"),
    "scanned-stamped": (lambda: _scanned(3, "GE.23-12345"), "no text layer"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_unreadable_files_raise_draft_error_naming_the_file(kind: str, tmp_path: Path) -> None:
    make, message = BAD_FILES[kind]
    path = tmp_path / f"{kind}.pdf"
    with pytest.raises(DraftError) as error:
        read_pdf(str(path), make())
    assert str(error.value).startswith(f"{path}: error: ")
    assert message in str(error.value)


def test_a_pdf_protected_only_against_editing_reads() -> None:
    document = read(_encrypted(""))
    assert [p.number for p in document.paragraphs if p.number] == [1]


@pytest.mark.skipif(".pdf" not in READERS, reason="read_pdf is not in READERS yet")
def test_read_document_reads_pdf_files(tmp_path: Path) -> None:
    path = tmp_path / "draft.pdf"
    path.write_bytes(pdf_from_sample("balanced"))
    assert paragraphs(read_document(str(path))) == paragraphs(text_draft("balanced"))
    renamed = tmp_path / "renamed.pdf"
    renamed.write_bytes(b"1. The Group met.\n")
    with pytest.raises(DraftError, match="not a PDF file"):
        read_document(str(renamed))
