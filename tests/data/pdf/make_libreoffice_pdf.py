"""Make a UN-style PDF of a sample draft the way a secretariat would: Word file, then LibreOffice.

Usage (needs python-docx and LibreOffice Writer; the tests need neither):
    python tests/data/pdf/make_libreoffice_pdf.py samples/drafts/traps.txt tests/data/pdf/
which writes traps.docx in a temporary folder and converts it with
    soffice --headless --convert-to pdf --outdir tests/data/pdf/ traps.docx

Layout, as in UN documents: A4, Times New Roman 10 pt on 12 pt with 6 pt after each paragraph;
numbered paragraphs "1.<tab>text" with a hanging indent, justified; sub-items "(a)" indented, one
paragraph each; headings bold. Page 1 has no running header and the footer "GE.23-14567 (E)";
later pages have the document symbol as header and, in the footer, "n/N" and the job number
"23-14567", swapped on even and odd pages. Words broken at line ends in the .txt
("inter-⏎national") get a soft hyphen, so LibreOffice prints "inter-" only if it breaks there.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from itertools import pairwise
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

JOB = "23-14567"
SUB_ITEM = re.compile(r"^\s*\([a-z]\)\s", re.MULTILINE)
NUMBERED = re.compile(r"(\d+)\. (.*)", re.DOTALL)
HEADING = re.compile(r"[A-Z]\. \S")


def field(paragraph, code: str) -> None:
    """Append a field such as PAGE or NUMPAGES to a paragraph."""
    run = paragraph.add_run()
    for kind in ("begin", "instr", "end"):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.text = f" {code} "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def footer(part, page_first: bool) -> None:
    """Write "n/N<tab>23-14567" (even pages) or "23-14567<tab>n/N" (odd pages)."""
    paragraph = part.paragraphs[0]
    if not page_first:
        paragraph.add_run(JOB + "\t\t")
    field(paragraph, "PAGE")
    paragraph.add_run("/")
    field(paragraph, "NUMPAGES")
    if page_first:
        paragraph.add_run("\t\t" + JOB)


def build(text: str, out: Path) -> None:
    text = re.sub(r"(\w+)-\n\s*(\w+)",
                  lambda m: m[1] + ("\u00ad" if m[1].lower() == "inter" else "-") + m[2], text)
    symbol = re.search(r"A/AC\.\S+", text)[0]
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.left_margin = section.right_margin = Cm(2.5)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = Pt(12)
    section.different_first_page_header_footer = True
    doc.settings.odd_and_even_pages_header_footer = True
    section.first_page_footer.paragraphs[0].text = f"GE.{JOB} (E)"
    for header, align in ((section.header, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_header, WD_ALIGN_PARAGRAPH.LEFT)):
        header.paragraphs[0].text = symbol
        header.paragraphs[0].alignment = align
    footer(section.footer, page_first=False)
    footer(section.even_page_footer, page_first=True)
    title = True
    for block in re.split(r"\n[ \t]*\n", text.strip()):
        title = title and not HEADING.match(block)
        if title:
            for line in block.splitlines():
                doc.add_paragraph(re.sub(r" {2,}", "\t", line.strip()))
            continue
        cuts = [0, *(m.start() for m in SUB_ITEM.finditer(block)), len(block)]
        lead, *items = (" ".join(block[a:b].split()) for a, b in pairwise(cuts))
        numbered = NUMBERED.fullmatch(lead)
        if numbered:
            paragraph = doc.add_paragraph(f"{numbered[1]}.\t{numbered[2]}")
            paragraph.paragraph_format.first_line_indent = Cm(-1)
            paragraph.paragraph_format.left_indent = Cm(1)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        else:
            doc.add_paragraph().add_run(lead).bold = True
        for item in items:
            paragraph = doc.add_paragraph(item)
            paragraph.paragraph_format.left_indent = Cm(2)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    doc.save(out)


def main(source: str, outdir: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        docx = Path(tmp) / (Path(source).stem + ".docx")
        build(Path(source).read_text(encoding="utf-8"), docx)
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", outdir,
                        str(docx)], check=True, capture_output=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
