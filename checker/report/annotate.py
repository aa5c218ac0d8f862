"""Annotate a .docx draft: a copy with a Word comment on each piece of evidence of an unmet demand.

The comments are anchored on the matched words (runs are split at the match's edges; the text
is unchanged), or on the whole Word paragraph when the match lies in generated text such as an
automatic number. Unmet demands with no evidence (something missing from the draft) are listed
in one comment on the first paragraph. The draft is read with tracked changes accepted, as
`draftcheck check` reads it; the input file is never written, and the copy is written whole or
not at all.
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.document.readers.docx import (
    RunSpan,
    WordParagraph,
    child_text,
    docx_position,
    open_word,
    paragraphs_source,
    word_paragraphs,
)
from checker.document.readers.docx_styles import W
from checker.errors import DraftError, UsageError
from checker.files import write_file
from checker.report.model import DraftResult, Evidence, Status

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

AUTHOR = "draftcheck"
INITIALS = "DC"
_PRESERVE = "{http://www.w3.org/XML/1998/namespace}space"


def annotate_docx(draft_path: str | os.PathLike[str], report_draft: DraftResult,
                  out_path: str | os.PathLike[str], *, group_titles: bool = False) -> int:
    """Write a copy of a .docx draft commented with the report's unmet demands; return how many
    comments it has. Comments say "group / rule-id: why" (the group's title with group_titles).
    """
    draft, out = Path(draft_path), Path(out_path)
    _check_paths(draft, out)
    raw = _read(draft)
    if hashlib.sha256(raw).hexdigest() != report_draft.sha256:
        raise DraftError.at(str(draft), "the draft changed after it was checked; check it again "
                                        "before annotating")
    document = open_word(str(draft), raw)
    paragraphs = word_paragraphs(document)
    source = paragraphs_source(str(draft), raw, paragraphs)
    if report_draft.text and report_draft.text != source.text:
        raise UsageError.at(str(out), "the report was not made from this draft with tracked "
                                      "changes accepted (was it checked with --original?)")
    count = 0
    missing: list[str] = []
    for group in report_draft.groups:
        label = group.title if group_titles else group.group
        for verdict in group.verdicts:
            if verdict.status is not Status.UNMET:
                continue
            note = f"{label} / {verdict.rule_id}: {verdict.why}"
            if not verdict.evidence:
                missing.append(note)
            for evidence in verdict.evidence:
                runs = _anchor_runs(paragraphs, source, evidence)
                if runs:
                    _comment(document, runs, note)
                    count += 1
                else:
                    missing.append(f"{note} (at {evidence.cite()})")
    if missing:
        top = next((p for p in paragraphs if p.runs), None)
        if top is not None:
            text = "draftcheck: unmet demands not found in the draft:\n" + "\n".join(
                f"- {note}" for note in missing)
            _comment(document, [top.runs[0], top.runs[-1]], text)
            count += 1
    _write(document, out)
    return count


def _check_paths(draft: Path, out: Path) -> None:
    """Refuse what cannot work: a draft that is not .docx, or writing over the draft."""
    if draft.suffix.lower() != ".docx":
        raise UsageError.at(str(draft), "only .docx drafts can be annotated")
    if out.suffix.lower() != ".docx":
        raise UsageError.at(str(out), "the annotated copy must be a .docx file")
    same = out.resolve() == draft.resolve()
    if not same and out.exists() and draft.exists():
        try:
            same = os.path.samefile(out, draft)
        except OSError:
            same = False
    if same:
        raise UsageError.at(str(out), "refusing to write the annotated copy over the draft")


def _read(draft: Path) -> bytes:
    try:
        return draft.read_bytes()
    except OSError as error:
        raise DraftError.at(str(draft), f"cannot read: {error.strerror or error}") from error


def _anchor_runs(paragraphs: list[WordParagraph], source: Any,
                 evidence: Evidence) -> list[RunSpan]:
    """Return the first and last run to comment for a piece of evidence (split to fit)."""
    index, column = docx_position(source, evidence.start)
    end_index, end_column = docx_position(source, max(evidence.end - 1, evidence.start))
    paragraph = paragraphs[index]
    if not paragraph.runs:
        return []
    start = column - len(paragraph.prefix)
    end = end_column + 1 - len(paragraph.prefix) if end_index == index else len(paragraph.text)
    start, end = max(start, 0), min(end, len(paragraph.text))
    if start >= end:  # the match is in generated text (a number): take the whole paragraph
        return [paragraph.runs[0], paragraph.runs[-1]]
    _split_at(paragraph, start)
    _split_at(paragraph, end)
    inside = [span for span in paragraph.runs if start <= span.start and span.end <= end]
    return [inside[0], inside[-1]] if inside else [paragraph.runs[0], paragraph.runs[-1]]


def _split_at(paragraph: WordParagraph, offset: int) -> None:
    """Split the run that straddles a character offset into two runs meeting there."""
    for i, span in enumerate(paragraph.runs):
        if span.start < offset < span.end:
            right = _split_run(span.run, offset - span.start)
            paragraph.runs[i:i + 1] = [RunSpan(span.run, span.start, offset - span.start),
                                       RunSpan(right, offset, span.end - offset)]
            return


def _split_run(run: Any, at: int) -> Any:
    """Split a w:r after `at` characters; return the new run holding the rest (placed after)."""
    right = copy.deepcopy(run)
    _keep(run, 0, at)
    _keep(right, at, None)
    run.addnext(right)
    return right


def _keep(run: Any, start: int, end: int | None) -> None:
    """Keep only the characters [start, end) of a run (end None: to the end)."""
    pos = 0
    for child in list(run):
        if child.tag == W + "rPr":
            continue
        size = len(child_text(child, False))
        lo, hi = pos, pos + size
        pos = hi
        keep_from, keep_to = max(start, lo), hi if end is None else min(end, hi)
        if size == 0:
            inside = start <= lo and (end is None or lo < end)
            if not inside:
                run.remove(child)
        elif keep_from >= keep_to:
            run.remove(child)
        elif (keep_from, keep_to) != (lo, hi):  # only w:t holds more than one character
            child.text = child.text[keep_from - lo:keep_to - lo]
            child.set(_PRESERVE, "preserve")


def _comment(document: WordDocument, runs: list[RunSpan], text: str) -> None:
    from docx.text.run import Run

    first, last = (Run(span.run, document) for span in (runs[0], runs[-1]))
    document.add_comment([first, last], text=text, author=AUTHOR, initials=INITIALS)


def _write(document: WordDocument, out: Path) -> None:
    """Save the document whole (see checker.files.write_file)."""
    buffer = io.BytesIO()
    document.save(buffer)
    write_file(out, buffer.getvalue())
