"""The HTML report: one self-contained, well-formed page, deterministic, with every piece of report
text escaped, the matrix, every rule, and every evidence span marked in the draft and linked both
ways. The browser tests open the page in Debian's headless chromium (installed by
.ci/install-browser): skipped when it is missing, failed instead when CI is set."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.api import check, load_rules
from checker.document.read import read_document
from checker.report.formats.html import render
from checker.report.model import DraftResult, Evidence, GroupResult, Report, Status, Verdict
from checker.ruleset.model import Severity

CHROMIUM = Path("/usr/bin/chromium")
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
QUOTED = ATTRIBUTE.replace('"', '\\"')  # inside a YAML double-quoted string
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}

TRICKY_RULES = f"""\
group: tricky
title: "Title <b>bold</b> & {QUOTED}"
rules:
  - id: says-script
    demand: "7<"
    says: "Must not say {SCRIPT} or {QUOTED}"
    severity: critical
    check: mentions("alert")
  - id: welcomed
    says: Mentions that the Group welcomed the work.
    severity: minor
    check: mentions("Group welcomed the work")
  - id: work-of-gfce
    says: Mentions the work of the Global Forum.
    severity: major
    check: mentions("work of the Global Forum")
  - id: unicorn
    says: Mentions a unicorn.
    severity: critical
    check: mentions("unicorn")
  - id: read-it
    says: A person reads the draft.
    severity: minor
    check: manual
"""
TRICKY_PARAGRAPH = f"\n\n99. The text {SCRIPT} and {ATTRIBUTE} must stay text & so on.\n"


# --- a small DOM, enough to check the page (the standard library has no HTML tree) -----------

@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [n for n in self.iter()
                if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)]

    def text(self, skip: Callable[[Node], bool] = lambda n: False) -> str:
        return "".join(c if isinstance(c, str) else ("" if skip(c) else c.text(skip))
                       for c in self.children)

    def by_id(self) -> dict[str, Node]:
        ids: dict[str, Node] = {}
        for node in self.iter():
            if "id" in node.attrs:
                assert node.attrs["id"] not in ids, f"duplicate id {node.attrs['id']}"
                ids[node.attrs["id"]] = node
        return ids


class _Builder(HTMLParser):
    """Build a Node tree; fail on an end tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(page: str) -> Node:
    builder = _Builder()
    builder.feed(page)
    builder.close()
    assert builder.stack == [builder.root], f"unclosed: {[n.tag for n in builder.stack[1:]]}"
    return builder.root


def without_backlinks(node: Node) -> str:
    return node.text(skip=lambda n: n.tag == "sup")


def paragraphs(text: str) -> list[str]:
    """Return the paragraphs the page shows: split on blank lines, blank ones dropped."""
    return [p.rstrip() for p in re.split(r"\n(?:[^\S\n]*\n)+", text) if p.strip()]


# --- reports ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rulesets(tmp_path_factory):
    tricky = tmp_path_factory.mktemp("rules") / "tricky.yaml"
    tricky.write_text(TRICKY_RULES, encoding="utf-8")
    return load_rules([str(ROOT / "rules" / "joint_statement.yaml"), str(tricky)])


@pytest.fixture(scope="module")
def tricky_draft(tmp_path_factory) -> Path:
    """The traps sample with a paragraph of markup that must stay text."""
    draft = tmp_path_factory.mktemp("drafts") / f"a{ATTRIBUTE[:2]}&<b>.txt"
    text = (ROOT / "samples" / "drafts" / "traps.txt").read_text(encoding="utf-8")
    draft.write_text(text + TRICKY_PARAGRAPH, encoding="utf-8")
    return draft


@pytest.fixture(scope="module")
def one(rulesets, tricky_draft) -> Report:
    """One draft, two groups."""
    return check([read_document(str(tricky_draft))], rulesets)


@pytest.fixture(scope="module")
def many(rulesets, tricky_draft) -> Report:
    """Four drafts, two groups."""
    samples = [ROOT / "samples" / "drafts" / n for n in ("traps.txt", "balanced.txt", "lean_poa.txt")]
    return check([read_document(str(p)) for p in [*samples, tricky_draft]], rulesets)


def evidence(start: int, end: int, text: str) -> Evidence:
    return Evidence(section=None, heading=None, paragraph=None, line=1, column=start + 1,
                    page=None, text=text[start:end], match=text[start:end], start=start, end=end)


def verdict(rule_id: str, status: Status, spans: list[tuple[int, int]], text: str,
            severity: Severity = Severity.MAJOR) -> Verdict:
    return Verdict(rule_id=rule_id, says=f"Says {rule_id}.", severity=severity, weight=1.0,
                   demand=None, status=status, why=f"why {rule_id}",
                   evidence=tuple(evidence(s, e, text) for s, e in spans))


def handmade(text: str, verdicts: list[Verdict]) -> Report:
    group = GroupResult(group="g", title="G", rules_path="g.yaml", verdicts=tuple(verdicts))
    return Report(version="0.0.0", drafts=(DraftResult("d.txt", "0" * 64, (group,), text),))


# --- pure Python --------------------------------------------------------------------------------

def test_the_page_is_well_formed_and_self_contained(one):
    page = render(one)
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    root = parse(page)
    ids = root.by_id()
    for link in root.all("a"):
        href = link.attrs["href"]
        assert href.startswith("#") and href[1:] in ids, href
    # Nothing is fetched: no script, no external style sheet, image, font or frame.
    assert not root.all("script") and not root.all("link") and not root.all("img")
    assert not root.all("iframe") and "url(" not in page and "@import" not in page
    assert "default-src 'none'" in page


def test_report_text_is_escaped_everywhere(one, tricky_draft):
    root = parse(render(one))
    tags = {node.tag for node in root.iter()}
    assert not tags & {"script", "img", "b"}
    body = root.all("body")[0].text()
    assert SCRIPT in body and ATTRIBUTE in body  # in the rule's says and in the draft text
    assert f"Title <b>bold</b> & {ATTRIBUTE}" in body
    assert str(tricky_draft) in body
    for node in root.iter():  # no attribute made out of report text
        assert not {name for name in node.attrs if name.startswith("on")}, node


def test_same_report_same_bytes(one, rulesets, tricky_draft):
    again = check([read_document(str(tricky_draft))], rulesets)
    assert render(one) == render(again) == render(one, color=True)


def test_matrix_one_row_per_group_one_tile_per_rule(one):
    root = parse(render(one))
    matrix = root.by_id()["matrix"]
    rows = matrix.all("tbody")[0].all("tr")
    groups = one.drafts[0].groups
    assert len(rows) == len(groups)
    for row, group in zip(rows, groups):
        tiles = row.all("li", "rule")
        assert [t.text().split()[1] for t in tiles] == [v.rule_id for v in group.verdicts]
        assert [{"s-met", "s-unmet", "s-review", "s-error"} & t.classes for t in tiles] == [
            {f"s-{v.status.value}"} for v in group.verdicts]
    unicorn = next(t for t in matrix.all("li", "rule") if "unicorn" in t.text())
    assert {"s-unmet", "crit"} <= unicorn.classes and "critical" in unicorn.text()


def test_matrix_of_several_drafts_one_row_per_draft_one_score_per_group(many):
    root = parse(render(many))
    rows = root.by_id()["matrix"].all("tbody")[0].all("tr")
    assert len(rows) == len(many.drafts)
    for row, draft in zip(rows, many.drafts):
        cells = row.all("td", "score")
        assert [c.text().split()[0] for c in cells] == [
            "n/a" if g.score is None else f"{g.score:g}" for g in draft.groups]
        assert all("background:hsl(" in c.attrs.get("style", "")
                   for c, g in zip(cells, draft.groups) if g.score is not None)


def test_every_rule_listed_unmet_and_severe_first(one):
    root = parse(render(one))
    for number, group in enumerate(one.drafts[0].groups, 1):
        section = root.by_id()[f"d1-g{number}"]
        shown = [n.text() for n in section.all("code", "rule-id")]
        assert shown == [v.rule_id for v in sorted(group.verdicts, key=Verdict.sort_key)]
        for item in section.all("li", "verdict"):
            assert item.all("p", "says") and item.all("p", "why")


def test_each_evidence_links_to_its_mark_and_each_mark_back(one):
    draft = one.drafts[0]
    root = parse(render(one))
    ids = root.by_id()
    for g, group in enumerate(draft.groups, 1):
        for r, rule in enumerate(group.verdicts, 1):
            entry = ids[f"d1-g{g}-r{r}"]
            links = entry.all("a", "cite")
            assert len(links) == len(rule.evidence)
            for link, item in zip(links, rule.evidence):
                mark = ids[link.attrs["href"][1:]]
                assert mark.tag == "mark"
                shown = " ".join(without_backlinks(mark).split())
                assert shown and " ".join(draft.text[item.start:item.end].split()).startswith(shown)
                pieces = [m for m in root.all("mark") if m.attrs["data-span"] == mark.attrs["id"]]
                assert pieces[0] is mark  # a span split by another: the first piece has the id,
                assert f"#d1-g{g}-r{r}" in {  # the last the links back to the rules
                    a.attrs["href"] for a in pieces[-1].all("sup")[-1].all("a")}
                assert rule.rule_id in mark.attrs["title"]


def test_evidence_quotes_emphasise_the_words_matched(one):
    root = parse(render(one))
    entry = next(n for n in root.all("li", "verdict") if "says-script" in n.text())
    quotes = entry.all("q")
    assert len(quotes) == 2  # "alert" twice in one sentence: each quote marks its own
    sentence = quotes[0].text()
    assert [len(q.children[0]) for q in quotes] == [sentence.index("alert"),
                                                    sentence.rindex("alert")]
    assert [q.all("em")[0].text() for q in quotes] == ["alert", "alert"]


def test_the_draft_text_is_all_there(one):
    text = one.drafts[0].text
    root = parse(render(one))
    assert [without_backlinks(p) for p in root.all("p", "para")] == paragraphs(text)


def test_a_mark_takes_the_worst_status_of_the_rules_citing_it():
    text = "alpha beta gamma"
    report = handmade(text, [verdict("ok", Status.MET, [(0, 5)], text),
                             verdict("bad", Status.UNMET, [(0, 5)], text, Severity.CRITICAL),
                             verdict("look", Status.REVIEW, [(6, 10)], text),
                             verdict("broken", Status.ERROR, [(6, 10)], text)])
    marks = {m.attrs["id"]: m for m in parse(render(report)).all("mark")}
    assert {"s-unmet", "crit"} <= marks["d1-e1"].classes
    assert marks["d1-e1"].attrs["title"] == "g: ok (met); g: bad (unmet)"
    assert "s-error" in marks["d1-e2"].classes


def test_no_text_no_marks_and_no_dangling_links():
    text = "alpha beta"
    report = handmade(text, [verdict("r", Status.MET, [(0, 5), (3, 99)], text)])
    root = parse(render(report))
    assert [a.attrs["href"] for a in root.all("a", "cite")] == ["#d1-e1"]
    bare = Report("0", (replace(report.drafts[0], text=""),))
    root = parse(render(bare))
    assert not root.all("mark") and not root.all("a", "cite")
    assert "does not carry the text" in root.text()


@st.composite
def texts_and_spans(draw):
    text = draw(st.text(alphabet="ab <&\n", min_size=1, max_size=60))
    bounds = st.integers(0, len(text))
    pairs = draw(st.lists(st.tuples(bounds, bounds), max_size=8))
    return text, [(min(p), max(p)) for p in pairs if p[0] != p[1]]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts_and_spans())
def test_any_overlap_of_spans_nests_properly(case):
    text, spans = case
    statuses = list(Status)
    report = handmade(text, [verdict(f"r{n}", statuses[n % 4], [span], text)
                             for n, span in enumerate(spans)])
    root = parse(render(report))  # fails on a badly nested end tag
    ids = root.by_id()
    assert [without_backlinks(p) for p in root.all("p", "para")] == paragraphs(text)
    for link in root.all("a", "cite"):
        mark = ids[link.attrs["href"][1:]]
        assert mark.tag == "mark" and without_backlinks(mark)
    shown = {link.attrs["href"] for link in root.all("a", "cite")}
    marked = {f"#{m.attrs['id']}" for m in root.all("mark") if "id" in m.attrs}
    assert shown == marked


# --- in the browser -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium() -> str:
    """Return the chromium to run: skip without one, but fail on CI, which installs it."""
    if not CHROMIUM.exists():
        if "CI" in os.environ:
            pytest.fail(f"CI is set and {CHROMIUM} is missing: run .ci/install-browser first")
        pytest.skip(f"{CHROMIUM} is missing (install it with .ci/install-browser)")
    return str(CHROMIUM)


@dataclass(frozen=True)
class Loaded:
    dom: Node
    console: list[str]  # every message the page wrote on the console


def open_page(chromium: str, page: Path, *options: str) -> tuple[str, list[str]]:
    """Open a page in headless chromium; return its stdout and the console messages logged."""
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={page.parent / 'profile'}",
               "--enable-logging=stderr", "--v=0", *options, page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    # chromium logs each console message as `...:INFO:CONSOLE:12] "message", source: ...`
    console = re.findall(r":CONSOLE(?::\d+|\(\d+\))\] (.*)", done.stderr)
    return done.stdout, console


def load(chromium: str, page: Path) -> Loaded:
    """Return the DOM of a page once loaded, and its console messages."""
    dom, console = open_page(chromium, page, "--dump-dom")
    return Loaded(parse(dom), console)


def test_console_messages_are_caught(chromium, tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><title>x</title><script>throw new Error('boom')</script>")
    assert any("Uncaught Error: boom" in m for m in load(chromium, page).console)


def test_the_browser_shows_the_report_as_written(chromium, one, tmp_path):
    page = tmp_path / "report.html"
    written = render(one)
    page.write_text(written, encoding="utf-8")
    loaded = load(chromium, page)
    assert loaded.console == []  # no error, and no script refused by the page's policy
    dom, source = loaded.dom, parse(written)
    # The browser kept the page's structure: nothing re-parented or dropped.
    for tag in ("section", "table", "tr", "td", "li", "p", "a", "mark", "sup", "q", "em"):
        assert len(dom.all(tag)) == len(source.all(tag)), tag
    ids = dom.by_id()
    rows = ids["matrix"].all("tbody")[0].all("tr")
    assert [len(r.all("li", "rule")) for r in rows] == [
        len(g.verdicts) for g in one.drafts[0].groups]
    shown = {n.text() for n in dom.all("code", "rule-id")}
    assert shown == {v.rule_id for v in one.verdicts()}
    for link in dom.all("a"):
        assert link.attrs["href"][1:] in ids, link.attrs["href"]
    cited = {(e.start, e.end) for v in one.verdicts() for e in v.evidence}
    assert len(dom.all("mark", None)) >= len(cited) == len([m for m in dom.all("mark")
                                                            if "id" in m.attrs])
    assert not dom.all("script") and not dom.all("img")
    body = dom.all("body")[0].text()
    assert SCRIPT in body and ATTRIBUTE in body


def test_the_browser_shows_the_score_matrix_of_several_drafts(chromium, many, tmp_path):
    page = tmp_path / "many.html"
    page.write_text(render(many), encoding="utf-8")
    loaded = load(chromium, page)
    assert loaded.console == []
    rows = loaded.dom.by_id()["matrix"].all("tbody")[0].all("tr")
    assert [len(r.all("td", "score")) for r in rows] == [2] * len(many.drafts)


def test_screenshot(chromium, one, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render(one), encoding="utf-8")
    shot = tmp_path / "report.png"
    open_page(chromium, page, f"--screenshot={shot}", "--window-size=1280,2000",
              "--hide-scrollbars")
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1280, 2000)
    assert len(png) > 50_000  # a blank or unstyled page compresses to far less
    if os.environ.get("DRAFTCHECK_SCREENSHOT"):  # keep a copy to look at
        shutil.copy(shot, os.environ["DRAFTCHECK_SCREENSHOT"])
