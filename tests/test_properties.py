"""Properties over arbitrary input: a rule file with any check either loads or fails with positioned
problems (never a crash); any draft text is checked without raising, with statuses and evidence
places that make sense (DESIGN §1, §2 "Static checking", §4, §5 "no traceback")."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from checker.api import check, load_rules
from checker.document.segment import parse_document
from checker.errors import DraftcheckError

RULES = ROOT / "rules" / "joint_statement.yaml"
HEADER = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): error: \S")

# -- arbitrary checks --------------------------------------------------------------------------

FUNCTIONS = ["mentions", "count", "any", "near", "followed_by", "same_sentence", "same_paragraph",
             "affirmed", "negated", "bracketed", "unbracketed", "resolution", "section",
             "paragraphs", "paragraph", "mention", "foo"]
TOKENS = ['"', "'", "(", ")", "|", "/", "/i", "..", ",", " ", "  ", "\n", "\t", "\\", "#", ":",
          "-", "+", "*", "<", "<=", "==", "!=", ">", ">=", "0", "1", "3", "12", "20", "0.5",
          "75/240", "and", "or", "not", "in", "manual", "PoA", "A", "_x", '"a"', '"x y"',
          '"develop* norms"', '""', "/a+/", "/(a/", "/a/i", "[", "]", "{", "}", "&", "!", "%",
          "@", "`", "é", "’", "“", "\u00a0", *FUNCTIONS, *(f + "(" for f in FUNCTIONS)]

token_soup = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=25).map("".join)
spaced_soup = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=25).map(" ".join)


def _calls(children):
    pattern_fn = st.sampled_from(["any", "affirmed", "negated", "bracketed", "unbracketed",
                                  "mentions", "count", "same_sentence", "foo"])
    return st.one_of(
        st.builds(lambda f, args: f"{f}({', '.join(args)})", pattern_fn,
                  st.lists(children, min_size=0, max_size=3)),
        st.builds(lambda f, a, b, n: f"{f}({a}, {b}, {n})",
                  st.sampled_from(["near", "followed_by"]), children, children,
                  st.sampled_from(["0", "3", "8", "1.5", '"x"'])),
        st.builds(lambda a, op, b: f"{a} {op} {b}", children,
                  st.sampled_from(["|", "and", "or", "<", "<=", "==", "+", "-", "*", "/", "in"]),
                  children),
        st.builds(lambda a: f"not {a}", children),
        st.builds(lambda a: f"({a})", children),
        st.builds(lambda a, s: f"{a} in {s}", children, st.sampled_from(
            ['section("G")', "paragraphs(1..3)", "paragraphs(3..1)", "paragraph(2)",
             'section("")', "paragraph(1.5)", '"y"'])),
    )


ATOMS = st.one_of(
    st.sampled_from(['"a"', '"Programme of Action"', '"develop* norms"', "/a+/", "/x/i", "/(a/",
                     "PoA", "Nope", "3", "0.5", 'resolution("75/240")', 'resolution("x")', '""',
                     "count", "12..20"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\\n'),
            max_size=8).map(lambda s: f'"{s}"'),
)
structured = st.recursive(ATOMS, _calls, max_leaves=8)

expressions = st.one_of(st.text(max_size=40), token_soup, spaced_soup, structured)
# YAML's "\\uXXXX" escapes can put lone surrogates into a check: only the escaped style holds them.
surrogate_soup = st.lists(st.one_of(st.sampled_from(TOKENS), st.characters(categories=["Cs"])),
                          min_size=1, max_size=12).map("".join)
checks = st.one_of(
    st.tuples(expressions, st.sampled_from(["block", "quoted", "escaped"])),
    st.tuples(surrogate_soup, st.just("escaped")),
)


def rule_file(expression: str, style: str) -> str:
    """A rule set whose one rule has `expression` as its check, written in a YAML style."""
    head = ("group: g\ntitle: T\nterms:\n  PoA: any(\"Programme of Action\", \"PoA\")\n"
            "rules:\n  - id: r\n    says: S\n")
    if style == "quoted":
        return head + f"    check: {json.dumps(expression, ensure_ascii=False)}\n"
    if style == "escaped":
        return head + f"    check: {json.dumps(expression)}\n"
    body = "".join(f"      {line}\n" for line in expression.split("\n"))
    return head + "    check: |2\n" + body  # the indentation indicator keeps leading spaces


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("properties")


_counter = itertools.count()


def _write(folder: Path, text: str) -> Path:
    path = folder / f"rules{next(_counter)}.yaml"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def assert_positioned(error: DraftcheckError, path: Path, text: str) -> None:
    assert error.problems, "an error without problems"
    lines = text.split("\n")
    for problem in error.problems:
        assert problem.path == str(path), problem
        assert problem.line is not None and problem.column is not None, problem.format()
        assert 1 <= problem.line <= len(lines), problem.format()
        assert problem.column >= 1, problem.format()
        assert problem.message.strip()
        assert HEADER.match(problem.format()), problem.format()


@settings(max_examples=150, deadline=None)
@given(case=checks)
@example(case=('count("x") / count("y") > 1', "block"))
@example(case=("(" * 70 + '"a"' + ")" * 70, "block"))
@example(case=("not " * 200 + '"a"', "block"))
def test_any_check_loads_or_fails_with_positioned_problems(scratch, case):
    expression, style = case
    text = rule_file(expression, style)
    path = _write(scratch, text)
    try:
        load_rules([str(path)])
    except DraftcheckError as error:
        assert_positioned(error, path, text)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=checks)
def test_validate_exits_0_or_2_with_a_message(cli, scratch, draft, case):
    expression, style = case
    text = rule_file(expression, style)
    path = _write(scratch, text)
    run = _guarded(cli, "validate", path)
    assert run.code in (0, 2), run
    assert "Traceback" not in run.err, run.err
    if run.code == 2:
        first = run.err.splitlines()[0]
        assert HEADER.match(first), run.err
        assert first.startswith(str(path)), run.err
        return
    assert run.err == ""
    # A rule set that validates can be checked: a report and exit 0/1 (2 only for a rule error,
    # such as a division by zero), never a crash.
    for fmt in ("text", "json"):
        checked = _guarded(cli, draft, "--rules", path, "--format", fmt)
        assert checked.code in (0, 1, 2), checked
        assert "Traceback" not in checked.err, checked.err
        assert checked.out.strip()


@pytest.fixture(scope="module")
def draft(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("draft") / "draft.txt"
    path.write_text("A. Overview\n\n1. The Group met in Geneva [and New York].\n\n"
                    "2. It did not adopt the Programme of Action (75/240).\n", encoding="utf-8")
    return path


def _guarded(cli, *args):
    """Run the CLI; an exception escaping it is reported as a crash, not a test error."""
    try:
        return cli(*args)
    except Exception as error:  # noqa: BLE001
        return SimpleNamespace(code=-1, out="", err=f"Traceback (crash): {error!r}")


# -- arbitrary drafts --------------------------------------------------------------------------

PHRASES = ["Programme of Action", "PoA", "POA", "repository of threats", "resolution 75/240",
           "A/RES/75/240", "75 / 240", "legally binding obligations", "legally-\nbinding",
           "inter-\nnational information security", "convention", "not", "did not", "n't",
           "rather than", "private sector", "key role", "GFCE", "the main", "intergovernmental",
           "development of norms", "implementation of norms", "dedicated session on the PoA",
           "will be established as the permanent mechanism", "recommends", "[", "]", "(a)", "(b)",
           "\n\n", "\n", "\r\n", "\r", " ", ". ", "; ", ": ", ", ", "but", "e.g.", "U.N.", "¶"]
HEADINGS = ["A. Overview", "G. Regular institutional dialogue", "I. Introduction", "# Title",
            "## Capacity-building", "II. Norms"]
DRAFT_CHARS = st.one_of(
    st.characters(blacklist_categories=("Cs",)),
    st.sampled_from(list("[](){}0123456789.-–—‐\"'“”‘’«»\u00a0\u00ad\u200b\ufeff\t\x0b\x0c\x1c"
                         "\x85\u2028\u2029\x00\x07\x1b#*_`>|")),
)
numbered = st.builds(lambda n, sep: f"\n{n}{sep} ", st.integers(0, 120),
                     st.sampled_from([".", ")"]))
drafts = st.one_of(
    st.text(alphabet=DRAFT_CHARS, max_size=300),
    st.lists(st.one_of(st.sampled_from(PHRASES),
                       st.sampled_from(HEADINGS).map(lambda h: f"\n{h}\n"), numbered,
                       st.text(alphabet=DRAFT_CHARS, max_size=12)),
             max_size=60).map(" ".join),
    st.lists(st.one_of(st.sampled_from(PHRASES), numbered,
                       st.text(alphabet=DRAFT_CHARS, max_size=6)), max_size=80).map("".join),
)


@pytest.fixture(scope="module")
def shipped():
    return load_rules([str(RULES)])


def _lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


@settings(max_examples=60, deadline=None)
@given(text=drafts, explain=st.booleans())
@example(text="", explain=False)
@example(text="[[[[ ]]]] ] [", explain=True)
@example(text="1. The Group did not agree to establish a repository of threats.\r\n"
              "2. The Programme of Action will be established.\rG. X\n", explain=True)
def test_any_draft_is_checked_without_raising(shipped, text, explain):
    report = check([parse_document(text)], shipped, explain=explain)
    lines = _lines(text)
    [draft] = report.to_dict()["drafts"]
    for group in draft["groups"]:
        for verdict in group["rules"]:
            assert verdict["status"] in {"met", "unmet", "review"}, verdict
            assert verdict["why"].strip()
            assert len(verdict["evidence"]) <= 5
            for evidence in verdict["evidence"]:
                line, column = evidence["line"], evidence["column"]
                assert 1 <= line <= len(lines), (evidence, len(lines))
                assert 1 <= column <= len(lines[line - 1]) + 1, (evidence, lines[line - 1])
        score = group["score"]
        assert score is None or 0 <= score <= 100


# -- regexes over non-ASCII text --------------------------------------------------------------

mixed_text = st.lists(st.sampled_from(["a", "b", "ab", " ", "\n", "é", "’", "—", "€", "𝔸", "中",
                                       "1", "."]), max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=mixed_text, pattern=st.sampled_from(["a+", "b", "ab|é", r"\pL+", r"[^ab]", "€ ?1",
                                                  r"\d+\.?", "(?i)AB", "x*", "(?:ab)?"]))
def test_regex_matches_are_character_offsets(text, pattern):
    # RE2 scans the UTF-8 bytes; each match must come back as the same character span that
    # Python's re finds (the patterns mean the same in both), so evidence points at the words.
    from checker.evaluation.index import DocIndex

    document = parse_document(text)
    python = re.compile(pattern.replace(r"\pL", "[^\\W\\d_]"))
    expected = tuple(m.span() for m in python.finditer(document.text) if m.end() > m.start())
    assert DocIndex(document).regex(pattern, ignore_case=False) == expected


@settings(max_examples=100, deadline=None)
@given(text=mixed_text, pattern=st.sampled_from([r"\B", r"\C", r"\C\C", r"(?:a\C)?", "é*"]))
@example(text="Résolution 75/240.", pattern=r"(?:75\/240)?")
def test_regex_matching_inside_characters_never_crashes(text, pattern):
    # RE2 steps one byte after an empty match, and \C matches one byte: such matches may start
    # or end inside a character; they are taken to the character's start, never a crash.
    from checker.evaluation.index import DocIndex

    document = parse_document(text)
    for start, end in DocIndex(document).regex(pattern, ignore_case=False):
        assert 0 <= start < end <= len(document.text)


@settings(max_examples=500, deadline=None)
@given(value=st.lists(st.sampled_from(["a", "b", "é", "中", "1", "İ", "ß", " ", "  ", "'", "*",
                                       "-", ".", "Ⅻ", "_", "\u0301", "\u00a0", "’"]),
                      min_size=1, max_size=8).map("".join))
def test_plain_phrases_are_planned_as_any_phrase(value):
    # Words one space apart take a shortcut; it must plan them as the general splitter does.
    from checker.text import _split_phrase, normalize, plan_phrase

    try:
        planned = plan_phrase.__wrapped__(value)
    except ValueError:
        planned = None
    try:
        general = _split_phrase(normalize(value).lower())
    except ValueError:
        general = None
    assert planned == general


# Words from a small vocabulary, so that phrases match often and any of their words may be
# the rarest; separators that a phrase may cross (spaces, line breaks, hyphens) or not, and
# headings: a sentence break with only line breaks around it.
phrase_text = st.lists(st.sampled_from(["a", "b", "c", "a's", "B", " ", " ", " ", "\n", "\n\n",
                                        " - ", "-", ", ", ". ", "; ", " (", ") ", ".\n\n",
                                        "\n\nA. C\n\n", "\n\nB. A b\n\n"]),
                       max_size=60).map("".join).filter(
    lambda text: not re.search(r"-[ \t]*\n", text))  # (no word split at a line end)


def _phrase_oracle(document, words: list[str]) -> tuple[tuple[int, int], ...]:
    """DESIGN's phrase rule, token by token: each word or its possessive, only spaces, line
    breaks or hyphens between them, all in one sentence."""
    from checker.text import WORD

    lower = document.text.lower()
    tokens = [(m.start(), m.end(), m.group()) for m in WORD.finditer(lower)]
    found = []
    for i in range(len(tokens) - len(words) + 1):
        run = tokens[i:i + len(words)]
        if (all(token in (word, word + "'s") for (_, _, token), word in zip(run, words))
                and not any(lower[a[1]:b[0]].replace("-", "").strip()
                            for a, b in itertools.pairwise(run))
                and document.sentence_at(run[0][0]) == document.sentence_at(run[-1][0])):
            found.append((run[0][0], run[-1][1]))
    return tuple(found)


@settings(max_examples=300, deadline=None)
@given(text=phrase_text, words=st.lists(st.sampled_from(["a", "b", "c"]), min_size=1,
                                        max_size=3))
@example(text="a a c b", words=["a", "b"])  # the rarest word last: the first is checked too
@example(text="a a, b", words=["a", "b"])  # and the gap before the rarest
@example(text="A. A\n\nb a a", words=["a", "b"])  # and the sentence
def test_phrases_match_as_designed_checked_one_by_one_or_as_arrays(text, words):
    # A phrase is looked up from its rarest word; a few candidates are checked one by one,
    # many a whole array at a time. Both must find what the rule says, word by word.
    from checker.evaluation import index
    from checker.text import plan_phrase

    document = parse_document(text)
    expected = _phrase_oracle(document, words)
    plan = plan_phrase(" ".join(words))
    few = index.FEW_CANDIDATES
    try:
        for index.FEW_CANDIDATES in (0, 10**9):
            assert index.DocIndex(document).phrase(plan) == expected
    finally:
        index.FEW_CANDIDATES = few
