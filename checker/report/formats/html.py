"""HTML output: one self-contained page a delegate can read offline, opened from disk.

The page has a colour-coded matrix (groups x rules for one draft, drafts x groups of scores for
several), then per draft and group every rule (unmet first, most severe first) with its evidence,
then the text of each draft with every evidence span highlighted and linked both ways.

The draft text keeps its line breaks (a monospace `pre-wrap` block per paragraph, paragraphs split
on blank lines), so the line:col of an evidence item can be found by eye and a draft's layout
(centred titles, symbol blocks) reads as in the file.

The page has no script at all and forbids scripts with a Content-Security-Policy, so text that
escaping missed still could not run; the one control (hide met rules) is a checkbox read by CSS.
Everything taken from the report (draft text, rule text, ids, titles, paths) goes through
`html.escape`; element ids are made from indexes (d1-g2-r3, d1-e12), never from report text.
The output depends only on the report: the same report gives the same bytes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from html import escape
from importlib import resources
from itertools import pairwise

from checker.report.model import (
    DraftResult,
    Evidence,
    GroupResult,
    Report,
    Status,
    Verdict,
    format_score,
)
from checker.ruleset.model import Severity

_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")
# The page loads nothing and runs no script: text that escaping missed still could not run.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass(frozen=True)
class _Citation:
    """One rule citing a span of the draft text: where its entry is and how it ended."""

    anchor: str  # id of the rule's entry, e.g. "d1-g2-r3"
    group: str
    verdict: Verdict


@dataclass(frozen=True)
class _Span:
    """One highlighted span of a draft's text, with every rule citing it."""

    anchor: str  # id of its <mark>, e.g. "d1-e12"
    start: int
    end: int
    citations: tuple[_Citation, ...]

    @property
    def css(self) -> str:
        """Return the classes colouring the span by the worst status of the rules citing it."""
        worst = min(self.citations, key=lambda c: (c.verdict.status.rank,
                                                   c.verdict.severity.rank)).verdict
        return _status_class(worst)

    @property
    def title(self) -> str:
        return "; ".join(f"{c.group}: {c.verdict.rule_id} ({c.verdict.status.value})"
                         for c in self.citations)


def render(report: Report, *, color: bool = False) -> str:
    """Render the report as one HTML5 page (always in colour: `color` is for terminals)."""
    many = len(report.drafts) > 1
    drafts = [_Draft(draft, number) for number, draft in enumerate(report.drafts, 1)]
    count = f"{len(report.drafts)} draft{'s' if many else ''}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="draftcheck {escape(report.version)}">',
        f"<title>draftcheck report: {escape(_names(report))}</title>",
        f"<style>{_css()}</style>",
        "</head>",
        "<body>",
        '<input type="checkbox" id="hide-met" class="toggle">',
        "<header>",
        f'<h1>draftcheck <span class="version">{escape(report.version)}</span></h1>',
        (f"<p>{count} checked against the demands of "
         f"{_plural(len(_group_names(report)), 'group')}.</p>"),
        _contents(drafts),
        '<p class="controls"><label for="hide-met">Hide rules that are met</label></p>',
        "</header>",
        "<main>",
        _overview(report, drafts),
        *(d.html(many) for d in drafts),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


class _Draft:
    """One draft's part of the page: its spans are numbered once, then rendered twice."""

    def __init__(self, draft: DraftResult, number: int) -> None:
        self.draft = draft
        self.prefix = f"d{number}"
        self.spans = _collect_spans(draft, self.prefix)
        self.text_html, shown = _draft_text(draft.text, list(self.spans.values()))
        # An evidence item links to its mark only when the mark is on the page.
        self.links = {key: span.anchor for key, span in self.spans.items()
                      if span.anchor in shown}

    def rule_anchor(self, group: int, rule: int) -> str:
        return f"{self.prefix}-g{group}-r{rule}"

    def html(self, many: bool) -> str:
        """Return the draft's section: its groups, then its text."""
        draft = self.draft
        out = [f'<section class="draft" id="{self.prefix}">',
               f"<h2>{_draft_label(self.prefix)}: {escape(draft.path)}</h2>",
               f'<p class="meta">sha256 <code>{escape(draft.sha256)}</code></p>']
        if many:
            out.append(_rule_matrix(self, caption="Rules of each group on this draft"))
        out += [self._group(index, group) for index, group in enumerate(draft.groups, 1)]
        out.append(f'<section class="text" id="{self.prefix}-text">'
                   f"<h3>Text of the draft</h3>")
        if self.text_html:
            out.append('<p class="meta">As read by draftcheck (normalised), line breaks kept. '
                       "Highlights are coloured by the worst status of the rules citing them; "
                       "the glyph after each links back to the rule.</p>")
            out.append(f'<div class="draft-text">{self.text_html}</div>')
        else:
            out.append('<p class="meta">The report does not carry the text of this draft.</p>')
        out.append("</section>")
        out.append("</section>")
        return "\n".join(out)

    def _group(self, index: int, group: GroupResult) -> str:
        """Return a group's section: score, counts, then each rule, unmet and severe first."""
        counts = group.counts_text()
        out = [f'<section class="group" id="{self.prefix}-g{index}">',
               (f'<h3>{escape(group.group)} <span class="title">{escape(group.title)}</span> '
                f"{_score_badge(group.score)}</h3>"),
               (f'<p class="meta">{escape(counts)} · rules from <code>'
                f"{escape(group.rules_path)}</code></p>"),
               '<ol class="verdicts">']
        numbered = sorted(enumerate(group.verdicts, 1), key=lambda item: item[1].sort_key())
        out += [self._verdict(self.rule_anchor(index, rule), verdict)
                for rule, verdict in numbered]
        out += ["</ol>", "</section>"]
        return "\n".join(out)

    def _verdict(self, anchor: str, verdict: Verdict) -> str:
        """Return one rule's entry: status, severity, id, demand, says, why, notes, evidence."""
        status = verdict.status
        demand = (f' <span class="demand">demand {escape(verdict.demand)}</span>'
                  if verdict.demand else "")
        out = [f'<li class="verdict {_status_class(verdict)}" id="{anchor}">',
               (f'<p class="head"><span class="badge {_status_class(verdict)}">'
                f"{status.glyph} {status.value}</span> "
                f'<span class="severity sev-{verdict.severity.value}">'
                f"{verdict.severity.value}</span> "
                f'<code class="rule-id">{escape(verdict.rule_id)}</code>{demand} '
                f'<span class="weight">weight {verdict.weight:g}</span></p>'),
               f'<p class="says">{escape(verdict.says)}</p>',
               f'<p class="why"><span class="label">Why:</span> {escape(verdict.why)}</p>']
        out += [f'<p class="note"><span class="label">Note:</span> {escape(note)}</p>'
                for note in verdict.notes]
        if verdict.evidence:
            out.append('<ol class="evidence">')
            out += [self._evidence(item) for item in verdict.evidence]
            out.append("</ol>")
        if verdict.explanation:
            out.append('<details class="explanation"><summary>Explanation</summary><pre>'
                       + escape("\n".join(verdict.explanation)) + "</pre></details>")
        out.append("</li>")
        return "\n".join(out)

    def _evidence(self, item: Evidence) -> str:
        """Return one evidence item: where (linked to its highlight) and the quoted sentence."""
        where = escape(item.cite_in_full())
        target = self.links.get((item.start, item.end))
        cite = (f'<a class="cite" href="#{target}">{where}</a>' if target
                else f'<span class="cite">{where}</span>')
        return f'<li>{cite} <q>{_quote(item, self.draft.text)}</q></li>'


def _collect_spans(draft: DraftResult, prefix: str) -> dict[tuple[int, int], _Span]:
    """Number the distinct evidence spans of a draft in text order, with the rules citing each."""
    cited: dict[tuple[int, int], list[_Citation]] = {}
    for g, group in enumerate(draft.groups, 1):
        for r, verdict in enumerate(group.verdicts, 1):
            citation = _Citation(f"{prefix}-g{g}-r{r}", group.group, verdict)
            for item in verdict.evidence:
                if 0 <= item.start < item.end <= len(draft.text):
                    citing = cited.setdefault((item.start, item.end), [])
                    if citation not in citing:
                        citing.append(citation)
    ordered = sorted(cited, key=lambda key: (key[0], -key[1]))
    return {key: _Span(f"{prefix}-e{n}", key[0], key[1], tuple(cited[key]))
            for n, key in enumerate(ordered, 1)}


def _draft_text(text: str, spans: list[_Span]) -> tuple[str, set[str]]:
    """Render the text as paragraphs with spans marked; return it and the mark ids it holds."""
    blocks = _blocks(text)
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    out: list[str] = []
    shown: set[str] = set()
    inside: list[_Span] = []  # the spans reaching into the block: a sweep, not a search per block
    waiting = 0
    for index, (start, end) in enumerate(blocks):
        after = blocks[index + 1][0] if index + 1 < len(blocks) else len(text)
        while waiting < len(ordered) and ordered[waiting].start < end:
            inside.append(ordered[waiting])
            waiting += 1
        inside = [s for s in inside if s.end > start]
        out.append(f'<p class="para">{_marked(text, start, end, after, inside, shown)}</p>')
    return "\n".join(out), shown


def _blocks(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each paragraph of the text: runs of lines between blank ones."""
    blocks, position = [], 0
    for blank in _BLANK_LINES.finditer(text):
        blocks.append((position, blank.start()))
        position = blank.end()
    blocks.append((position, len(text)))
    # A paragraph keeps its indent but not white space at its end (nor the final line break).
    return [(start, start + len(text[start:end].rstrip())) for start, end in blocks
            if text[start:end].strip()]


def _marked(text: str, start: int, end: int, after: int, spans: list[_Span],
            shown: set[str]) -> str:
    """Render text[start:end] with <mark>s nested properly however the spans overlap.

    The block is cut at every span boundary; each piece is covered by some spans, outermost
    first. Going from piece to piece, marks no longer wanted (and those inside them) close and
    reopen, so a span crossing another is split into several marks: the first carries the id,
    the last the links back to the rules. `after` is where the next block starts: a span ending
    between the two blocks ends here.
    """
    cuts = sorted({start, end, *(min(max(p, start), end) for s in spans for p in (s.start, s.end))})
    out: list[str] = []
    stack: list[_Span] = []
    for a, b in pairwise(cuts):
        wanted = sorted((s for s in spans if s.start <= a and s.end >= b),
                        key=lambda s: (s.start, -s.end, s.anchor))
        keep = 0
        while keep < min(len(stack), len(wanted)) and stack[keep] is wanted[keep]:
            keep += 1
        _close(out, stack, keep, a, end, after)
        for span in wanted[keep:]:
            out.append(_open(span, first=span.anchor not in shown))
            shown.add(span.anchor)
            stack.append(span)
        out.append(escape(text[a:b]))
    _close(out, stack, 0, end, end, after)
    return "".join(out)


def _open(span: _Span, *, first: bool) -> str:
    ident = f' id="{span.anchor}"' if first else ""
    more = "" if first else " cont"
    return (f'<mark{ident} class="{span.css}{more}" data-span="{span.anchor}" '
            f'title="{escape(span.title)}">')


def _close(out: list[str], stack: list[_Span], keep: int, at: int, end: int,
           after: int) -> None:
    """Close the marks above `keep` on the stack; a span ending here gets its links back.

    A span ends here when `at` is its end, or the block's end with the span ending before the
    next block starts (in the blank lines between).
    """
    while len(stack) > keep:
        span = stack.pop()
        if at == span.end or (at == end and span.end <= after):
            out.append(_backlinks(span))
        out.append("</mark>")


def _backlinks(span: _Span) -> str:
    links = "".join(
        f'<a href="#{c.anchor}" title="{escape(c.group)}: {escape(c.verdict.rule_id)} '
        f'({c.verdict.status.value})" class="{_status_class(c.verdict)}">'
        f"{c.verdict.status.glyph}</a>" for c in span.citations)
    return f'<sup class="back">{links}</sup>'


def _quote(item: Evidence, text: str) -> str:
    """Return the quoted sentence, escaped, with the matched words emphasised.

    The sentence is found again in the draft text around the match, so the very words matched
    are emphasised even when they occur twice in it; a sentence shortened with "…" may not reach
    the match, which is then shown after it.
    """
    sentence = item.text.removesuffix("…")
    cut = "…" if len(sentence) < len(item.text) else ""
    found = _around(sentence, text, item.start, item.end)
    if found is not None:
        start, end = found
        return (_squeeze(text[start:item.start]) + '<em class="match">'
                + _squeeze(text[item.start:item.end]) + "</em>" + _squeeze(text[item.end:end])
                + cut)
    words = _words(item.match)
    found_in = re.search(words, item.text) if words else None
    if found_in is None:
        tail = f' <em class="match">[{escape(item.match)}]</em>' if item.match else ""
        return escape(item.text) + tail
    return (escape(item.text[:found_in.start()]) + '<em class="match">'
            + escape(found_in.group()) + "</em>" + escape(item.text[found_in.end():]))


def _around(sentence: str, text: str, start: int, end: int) -> tuple[int, int] | None:
    """Return where the sentence stands in the text around [start, end), or None."""
    words = _words(sentence)
    if not words or not 0 <= start < end <= len(text):
        return None
    # The draft may spread the sentence over indented lines: look well before the match.
    reach = 8 * len(sentence) + 200
    low = max(0, start - reach)
    for found in re.finditer(words, text[low:end + reach]):
        if found.start() + low <= start and found.end() + low >= end:
            return found.start() + low, found.end() + low
    return None


def _words(phrase: str) -> str:
    """Return a pattern matching the words of a phrase with any white space between them."""
    return r"\s+".join(re.escape(word) for word in phrase.split())


def _squeeze(part: str) -> str:
    """Return text escaped, with each run of white space (line breaks, indents) as one space."""
    return escape(re.sub(r"\s+", " ", part))


def _overview(report: Report, drafts: list[_Draft]) -> str:
    """Return the matrix at the top of the page, with its legend."""
    out = ['<section id="overview">', "<h2>Overview</h2>", _status_legend()]
    if len(drafts) == 1:
        out.append(_rule_matrix(drafts[0], caption="Rules of each group on the draft",
                                ident="matrix"))
    else:
        out += [_score_legend(), _score_matrix(report, drafts)]
    out.append("</section>")
    return "\n".join(out)


def _rule_matrix(draft: _Draft, *, caption: str, ident: str = "") -> str:
    """Return groups x rules: one row per group, one tile per rule (in the rule file's order).

    The tiles of a row wrap on a grid of fixed columns rather than run off the page: a rule set
    may have dozens of rules, and the columns stay aligned from one group to the next.
    """
    ident = f' id="{ident}"' if ident else ""
    out = [f'<table{ident} class="matrix rules">', f"<caption>{caption}</caption>",
           ('<thead><tr><th scope="col">Group</th><th scope="col">Score</th>'
            '<th scope="col">Rules, as in the rule file</th></tr></thead>'), "<tbody>"]
    for g, group in enumerate(draft.draft.groups, 1):
        tiles = "".join(_rule_tile(draft.rule_anchor(g, r), v)
                        for r, v in enumerate(group.verdicts, 1))
        out.append(f'<tr><th scope="row"><a href="#{draft.prefix}-g{g}">'
                   f"{escape(group.group)}</a></th>{_score_cell(group.score)}"
                   f'<td class="tiles"><ol>{tiles}</ol></td></tr>')
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _rule_tile(anchor: str, verdict: Verdict) -> str:
    critical = ' <span class="crit-tag">critical</span>' if _critical(verdict) else ""
    title = f"{verdict.rule_id}: {verdict.status.value}, {verdict.severity.value}. {verdict.says}"
    return (f'<li class="rule {_status_class(verdict)}"><a href="#{anchor}" '
            f'title="{escape(title)}"><span class="glyph">{verdict.status.glyph}</span> '
            f"{escape(verdict.rule_id)}{critical}</a></li>")


def _score_matrix(report: Report, drafts: list[_Draft]) -> str:
    """Return drafts x groups: one row per draft, one score cell per group."""
    groups = _group_names(report)
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in groups)
    out = ['<div class="scroll"><table id="matrix" class="matrix scores">',
           ("<caption>Score of each draft for each group (100 × weight met / weight decided)"
            "</caption>"),
           f'<thead><tr><th scope="col">Draft</th>{head}</tr></thead>', "<tbody>"]
    for draft in drafts:
        index = {g.group: (i, g) for i, g in enumerate(draft.draft.groups, 1)}
        cells = []
        for name in groups:
            if name in index:
                i, group = index[name]
                cells.append(_score_cell(group.score, f"#{draft.prefix}-g{i}", group))
            else:
                cells.append('<td class="score none">—</td>')
        out.append(f'<tr><th scope="row"><a href="#{draft.prefix}">{_draft_label(draft.prefix)}'
                   f"</a> {escape(draft.draft.path)}</th>{''.join(cells)}</tr>")
    out += ["</tbody>", "</table></div>"]
    return "\n".join(out)


def _score_cell(score: float | None, href: str = "", group: GroupResult | None = None) -> str:
    """Return a score cell coloured on a red (0) to green (100) scale; grey when no score."""
    shown = format_score(score)
    if href:
        unmet = f' <span class="sub">{group.count(Status.UNMET)} unmet</span>' if group else ""
        shown = f'<a href="{href}">{shown}{unmet}</a>'
    if score is None:
        return f'<td class="score none">{shown}</td>'
    return f'<td class="score" style="background:{_score_colour(score)}">{shown}</td>'


def _score_badge(score: float | None) -> str:
    if score is None:
        return '<span class="score-badge none">score n/a</span>'
    return (f'<span class="score-badge" style="background:{_score_colour(score)}">'
            f"score {score:g}</span>")


def _score_colour(score: float) -> str:
    """Return a light colour from red (0) through amber to green (100); dark text reads on it."""
    hue = round(1.2 * max(0.0, min(100.0, score)))
    return f"hsl({hue} 70% 78%)"


def _status_legend() -> str:
    items = [("s-met", Status.MET, "met"), ("s-unmet", Status.UNMET, "unmet"),
             ("s-unmet crit", Status.UNMET, "unmet, critical rule"),
             ("s-review", Status.REVIEW, "review: a person must read the draft"),
             ("s-error", Status.ERROR, "error: the rule could not be evaluated")]
    cells = "".join(f'<li><span class="swatch {css}">{status.glyph}</span> {label}</li>'
                    for css, status, label in items)
    return f'<ul class="legend" aria-label="Legend of statuses">{cells}</ul>'


def _score_legend() -> str:
    stops = "".join(f'<span style="background:{_score_colour(s)}">{s}</span>'
                    for s in (0, 25, 50, 75, 100))
    return (f'<p class="legend scale">Score: {stops} '
            '<span class="none">n/a</span> no rule decided</p>')


def _contents(drafts: list[_Draft]) -> str:
    """Return the list of drafts checked, each linked to its section and its text."""
    items = "".join(
        f'<li><a href="#{d.prefix}">{escape(d.draft.path)}</a> '
        f'<code title="sha256 {escape(d.draft.sha256)}">{escape(d.draft.sha256[:12])}</code> · '
        f'<a href="#{d.prefix}-text">text</a></li>' for d in drafts)
    return f'<ol class="contents">{items}</ol>'


def _status_class(verdict: Verdict) -> str:
    return f"s-{verdict.status.value}" + (" crit" if _critical(verdict) else "")


def _critical(verdict: Verdict) -> bool:
    return verdict.status == Status.UNMET and verdict.severity == Severity.CRITICAL


def _group_names(report: Report) -> list[str]:
    return list(dict.fromkeys(g.group for d in report.drafts for g in d.groups))


def _names(report: Report) -> str:
    return ", ".join(d.path for d in report.drafts)


def _draft_label(prefix: str) -> str:
    return f"Draft {prefix[1:]}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@functools.cache
def _css() -> str:
    """The page's style sheet (report.css, beside this module)."""
    return resources.files(__package__).joinpath("report.css").read_text(encoding="utf-8").strip()
