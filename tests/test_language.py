"""Conformance of the rule language to DESIGN.md §2, through the real CLI.

Every row of the Patterns table and of the Numbers and Bools table has at least one case the
draft meets and one it misses; each case is a one-rule check and a short draft. The expectations
come from DESIGN's wording, not from the engine: when they disagree, the engine is what is wrong.
Run one form with `pytest -k`, e.g. `-k phrase-hyphen` or `-k negated-cue`.
"""

from __future__ import annotations

from pathlib import Path
from string import Formatter

import pytest
from _pytest.mark import ParameterSet
from conftest import ROOT, rule_yaml

MET, UNMET, ERROR = "met", "unmet", "error"


def case(name: str, check: str, text: str, expected: str, **options: object) -> ParameterSet:
    """One conformance case: the check, the draft, the expected status, rule-set options."""
    return pytest.param(check, text, expected, options, id=name)


def assert_status(got: dict, expected: str, check: str, text: str) -> None:
    assert got["status"] == expected, (
        f"check {check!r} on draft {text!r}: expected {expected}, got {got['status']} "
        f"(why: {got['why']})")


COLUMNS = ("check", "text", "expected", "options")


# ---- Patterns: "phrase" ---------------------------------------------------------------------

PHRASE = [
    case("phrase-exact", 'mentions("Programme of Action")',
         "1. States discussed the Programme of Action.\n", MET),
    case("phrase-absent", 'mentions("Programme of Action")',
         "1. States discussed the programme.\n", UNMET),
    case("phrase-words-in-sequence-only", 'mentions("Programme of Action")',
         "1. States discussed the Action of the Programme.\n", UNMET),
    case("phrase-extra-word-breaks-it", 'mentions("Programme of Action")',
         "1. States discussed the Programme of joint Action.\n", UNMET),
    case("phrase-case-insensitive", 'mentions("programme of action")',
         "1. STATES DISCUSSED THE PROGRAMME OF ACTION.\n", MET),
    case("phrase-case-insensitive-acronym", 'mentions("PoA")',
         "1. A POA will be established.\n", MET),
    # Between words: any run of spaces, line breaks or hyphens.
    case("phrase-hyphen", 'mentions("legally binding")',
         "1. States proposed a legally-binding instrument.\n", MET),
    case("phrase-hyphen-linebreak", 'mentions("legally binding")',
         "1. States proposed a legally-\nbinding instrument.\n", MET),
    case("phrase-spaces-linebreak", 'mentions("legally binding")',
         "1. States proposed a legally  \n  binding instrument.\n", MET),
    case("phrase-many-spaces-and-tab", 'mentions("legally binding")',
         "1. States proposed a legally \t  binding instrument.\n", MET),
    case("phrase-hyphen-in-pattern-space-in-draft", 'mentions("legally-binding")',
         "1. States proposed a legally binding instrument.\n", MET),
    case("phrase-spaced-hyphen", 'mentions("legally binding")',
         "1. States proposed a legally - binding instrument.\n", MET),
    # Any other character between the words breaks the phrase.
    case("phrase-comma-breaks", 'mentions("legally binding")',
         "1. States called it legally, binding or not.\n", UNMET),
    case("phrase-full-stop-breaks", 'mentions("legally binding")',
         "1. States spoke legally. binding texts were not discussed.\n", UNMET),
    case("phrase-bracket-breaks", 'mentions("legally binding")',
         "1. States proposed a legally [binding] instrument.\n", UNMET),
    case("phrase-parenthesis-breaks", 'mentions("legally binding")',
         "1. States proposed a legally (binding) instrument.\n", UNMET),
    case("phrase-slash-breaks", 'mentions("legally binding")',
         "1. States proposed a legally/binding instrument.\n", UNMET),
    case("phrase-not-across-sentences", 'mentions("Chair States")',
         "1. The Group thanked the Chair. States agreed.\n", UNMET),
    case("phrase-not-across-sentences-without-punctuation", 'mentions("Overview States")',
         "A. Overview\n\nStates agreed on the overview.\n", UNMET),
    # The words are looked up from the rarest ("States" here): the gap before it counts too.
    case("phrase-punctuation-before-the-rarest-word", 'mentions("Chair States")',
         "1. The Chair, States agreed. The Chair spoke. The Chair left.\n", UNMET),
    case("phrase-rarest-word-last", 'mentions("Chair States")',
         "1. The Chair spoke. The Chair left. The Chair States met.\n", MET),
    case("phrase-not-across-paragraphs", 'mentions("legally binding")',
         "1. States proposed nothing legally\n\n2. binding was not discussed.\n", UNMET),
    case("phrase-within-one-sentence", 'mentions("Chair States")',
         "1. The Group thanked the Chair States for their work.\n", MET),
    # A word split by a hyphen at a line end matches as the whole word.
    case("phrase-line-end-hyphenation", 'mentions("international law")',
         "1. The Group agreed that interna-\ntional law applies.\n", MET),
    # The split word is not the rarest: the match is found from the other word's side.
    case("phrase-line-end-hyphenation-other-word-rarer", 'mentions("international law")',
         "1. The interna-\ntional law applies. International cooperation and international "
         "support.\n", MET),
    case("phrase-line-end-hyphenation-both-sides", 'count("international law") == 2',
         "1. International law and interna-\ntional law apply. International support.\n", MET),
    case("phrase-line-end-hyphenation-miss", 'mentions("international law")',
         "1. The interna-\ntional trade law applies. International support.\n", UNMET),
    case("phrase-line-end-hyphenation-one-word", 'mentions("international")',
         "1. The Group agreed that interna-\ntional law applies.\n", MET),
    case("phrase-mid-line-hyphen-is-no-split-word", 'mentions("international")',
         "1. The Group agreed that interna-tional law applies.\n", UNMET),
    # Typographic quotes, dashes and non-breaking spaces are normalised first.
    case("phrase-typographic-apostrophe", 'mentions("Member States\' views")',
         "1. The report reflects Member States\u2019 views.\n", MET),
    case("phrase-typographic-apostrophe-other-words", 'mentions("Member States\' views")',
         "1. The report reflects Member States\u2019 positions.\n", UNMET),
    case("phrase-en-dash", 'mentions("2021-2025")',
         "1. The Group on ICT security 2021\u20132025 met.\n", MET),
    case("phrase-em-dash", 'mentions("2021-2025")',
         "1. The Group on ICT security 2021\u20142025 met.\n", MET),
    case("phrase-dash-other-years", 'mentions("2021-2025")',
         "1. The Group on ICT security 2021\u20132024 met.\n", UNMET),
    case("phrase-nbsp", 'mentions("Member States")',
         "1. The report reflects Member\u00a0States views.\n", MET),
    case("phrase-typographic-quotes-around", 'mentions("the Group")',
         "1. Hereinafter \u201cthe Group\u201d.\n", MET),
    # Never starts or ends inside a word.
    case("phrase-whole-word", 'mentions("norm")', "1. This is a norm of behaviour.\n", MET),
    case("phrase-not-word-start", 'mentions("norm")', "1. This is normal behaviour.\n", UNMET),
    case("phrase-not-word-end", 'mentions("norm")', "1. This is an enorm task.\n", UNMET),
    case("phrase-not-plural", 'mentions("norm")', "1. These are norms of behaviour.\n", UNMET),
    # A word ending in `*` matches any word with that prefix.
    case("phrase-prefix", 'mentions("develop* norms")',
         "1. States discussed developing norms.\n", MET),
    case("phrase-prefix-empty-rest", 'mentions("develop* norms")',
         "1. States will develop norms.\n", MET),
    case("phrase-prefix-other-words", 'mentions("develop* norms")',
         "1. States discussed the development of norms.\n", UNMET),
    case("phrase-prefix-not-inside-word", 'mentions("develop* norms")',
         "1. States discussed redeveloping norms.\n", UNMET),
    case("phrase-prefix-last-word", 'mentions("norm*")',
         "1. States discussed normative frameworks.\n", MET),
    case("phrase-prefix-last-word-not-inside", 'mentions("norm*")',
         "1. States discussed enormous frameworks.\n", UNMET),
    case("phrase-prefix-with-hyphen", 'mentions("legally bind*")',
         "1. States proposed a legally-binding instrument.\n", MET),
    # Our documented decision: a possessive matches the word.
    case("phrase-possessive", 'mentions("Group")', "1. The Group's work went on.\n", MET),
    case("phrase-possessive-typographic", 'mentions("Group")',
         "1. The Group\u2019s work went on.\n", MET),
    case("phrase-possessive-in-pattern", 'mentions("Group\'s work")',
         "1. The Group\u2019s work went on.\n", MET),
    case("phrase-plural-is-not-possessive", 'mentions("Group")',
         "1. The Groups worked on.\n", UNMET),
]


@pytest.mark.parametrize(COLUMNS, PHRASE)
def test_phrase(verdict, check: str, text: str, expected: str, options: dict) -> None:
    assert_status(verdict(check, text, **options), expected, check, text)


# ---- Patterns: /regex/ ----------------------------------------------------------------------

REGEX = [
    case("regex-match", "mentions(/States agreed/)", "1. States agreed.\n", MET),
    case("regex-case-kept", "mentions(/States agreed/)", "1. all states agreed.\n", UNMET),
    case("regex-i-ignores-case", "mentions(/states agreed/i)", "1. STATES AGREED.\n", MET),
    case("regex-i-still-needs-text", "mentions(/gfce/i)", "1. The GFC met.\n", UNMET),
    case("regex-no-word-rule", "mentions(/norm/)", "1. This is normal.\n", MET),
    # RE2 syntax: POSIX classes and Unicode classes, which Python's re does not have.
    case("regex-re2-posix-class", r"mentions(/[[:digit:]]+\/[[:digit:]]+/)",
         "1. Recalling resolution 75/240.\n", MET),
    case("regex-re2-posix-class-miss", r"mentions(/[[:digit:]]+\/[[:digit:]]+/)",
         "1. Recalling resolution seventy-five.\n", UNMET),
    case("regex-re2-unicode-class", r"mentions(/\pN{4}/)", "1. The Group met in 2025.\n", MET),
    case("regex-re2-unicode-class-miss", r"mentions(/\pN{4}/)", "1. The Group met in May.\n",
         UNMET),
    # Over the normalised text.
    case("regex-normalised-apostrophe", "mentions(/States' views/)",
         "1. The report reflects Member States\u2019 views.\n", MET),
    case("regex-normalised-dash", "mentions(/2021-2025/)",
         "1. The Group 2021\u20132025 met.\n", MET),
    case("regex-normalised-nbsp", "mentions(/Member States/)",
         "1. The report reflects Member\u00a0States views.\n", MET),
    case("regex-normalised-double-quotes", 'mentions(/"the Group"/)',
         "1. Hereinafter \u201cthe Group\u201d.\n", MET),
]


@pytest.mark.parametrize(COLUMNS, REGEX)
def test_regex(verdict, check: str, text: str, expected: str, options: dict) -> None:
    assert_status(verdict(check, text, **options), expected, check, text)


def test_regex_outside_re2_is_a_rule_error(tmp_path: Path, cli) -> None:
    # A backreference is not RE2: rejected before any draft is read, never run.
    rules = tmp_path / "rules.yaml"
    rules.write_text(rule_yaml(r"mentions(/(a)\1/)"), encoding="utf-8")
    draft = tmp_path / "draft.txt"
    draft.write_text("1. aa\n", encoding="utf-8")
    result = cli(draft, "--rules", rules, "--format", "json")
    assert result.code == 2
    assert "rules.yaml" in result.err and "Traceback" not in result.err


# ---- Patterns: NAME, any(...) and | ---------------------------------------------------------

POA = {"PoA": 'any("Programme of Action", "PoA")'}
# `Outer` uses `Inner`, defined after it: terms may use each other in any order.
FORWARD = {"Outer": 'any(Inner, "GFCE")', "Inner": '"Programme of Action"'}

TERM_AND_ANY = [
    case("term-met", "mentions(PoA)", "1. States discussed the PoA.\n", MET, terms=POA),
    case("term-second-alternative", "mentions(PoA)",
         "1. States discussed the Programme of Action.\n", MET, terms=POA),
    case("term-unmet", "mentions(PoA)", "1. States discussed the programme.\n", UNMET,
         terms=POA),
    case("term-defined-later", "mentions(Outer)",
         "1. States discussed the Programme of Action.\n", MET, terms=FORWARD),
    case("term-defined-later-other-branch", "mentions(Outer)", "1. The GFCE spoke.\n", MET,
         terms=FORWARD),
    case("term-defined-later-unmet", "mentions(Outer)", "1. States discussed the programme.\n",
         UNMET, terms=FORWARD),
    case("any-first", 'mentions(any("PoA", "GFCE", "OEWG"))', "1. The PoA met.\n", MET),
    case("any-last", 'mentions(any("PoA", "GFCE", "OEWG"))', "1. The OEWG met.\n", MET),
    case("any-none", 'mentions(any("PoA", "GFCE", "OEWG"))', "1. The Group met.\n", UNMET),
    case("any-every-match", 'count(any("PoA", "GFCE")) == 2',
         "1. The PoA and the GFCE met.\n", MET),
    case("bar-left", 'mentions("PoA" | "GFCE")', "1. The PoA met.\n", MET),
    case("bar-right", 'mentions("PoA" | "GFCE")', "1. The GFCE met.\n", MET),
    case("bar-none", 'mentions("PoA" | "GFCE")', "1. The Group met.\n", UNMET),
    case("bar-every-match", 'count("PoA" | "GFCE") == 2', "1. The PoA and the GFCE met.\n",
         MET),
    case("bar-every-match-miss", 'count("PoA" | "GFCE") == 2', "1. The PoA met.\n", UNMET),
]


@pytest.mark.parametrize(COLUMNS, TERM_AND_ANY)
def test_term_and_any(verdict, check: str, text: str, expected: str, options: dict) -> None:
    assert_status(verdict(check, text, **options), expected, check, text)


# ---- Patterns: near, followed_by, same_sentence, same_paragraph ------------------------------

NEAR_AND_ORDER = [
    case("near-met", 'mentions(near("repository", "threats", 2))',
         "1. States proposed a repository of threats.\n", MET),
    case("near-either-order", 'mentions(near("repository", "threats", 2))',
         "1. States added threats to a repository.\n", MET),
    case("near-exactly-n-words", 'mentions(near("repository", "threats", 3))',
         "1. States proposed a repository of many grave threats.\n", MET),
    case("near-n-plus-one-words", 'mentions(near("repository", "threats", 3))',
         "1. States proposed a repository of many very grave threats.\n", UNMET),
    case("near-either-order-n-plus-one", 'mentions(near("repository", "threats", 2))',
         "1. States added threats to the new repository.\n", UNMET),
    case("near-zero-words", 'mentions(near("legally binding", "obligations", 0))',
         "1. States proposed legally binding obligations.\n", MET),
    case("near-different-sentences", 'mentions(near("repository", "threats", 6))',
         "1. States proposed a repository. Threats grew.\n", UNMET),
    case("followed-by-met", 'mentions(followed_by("PoA", "established", 3))',
         "1. The PoA will be established.\n", MET),
    case("followed-by-exactly-n-words", 'mentions(followed_by("PoA", "established", 3))',
         "1. The PoA will soon be established.\n", MET),
    case("followed-by-n-plus-one-words", 'mentions(followed_by("PoA", "established", 3))',
         "1. The PoA will very soon be established.\n", UNMET),
    case("followed-by-order-matters", 'mentions(followed_by("PoA", "established", 3))',
         "1. States established the PoA.\n", UNMET),
    case("followed-by-different-sentences", 'mentions(followed_by("PoA", "established", 3))',
         "1. States discussed the PoA. It was established.\n", UNMET),
    case("same-sentence-met", 'mentions(same_sentence("PoA", "established"))',
         "1. The Group agreed that the PoA was established.\n", MET),
    case("same-sentence-across-line", 'mentions(same_sentence("PoA", "established"))',
         "1. The Group agreed that the PoA\nwas established.\n", MET),
    case("same-sentence-two-sentences", 'mentions(same_sentence("PoA", "established"))',
         "1. The PoA was discussed. A mechanism was established.\n", UNMET),
    case("same-sentence-three", 'mentions(same_sentence("PoA", "established", "2025"))',
         "1. The PoA will be established in 2025.\n", MET),
    case("same-sentence-three-miss", 'mentions(same_sentence("PoA", "established", "2025"))',
         "1. The PoA will be established. It will start in 2025.\n", UNMET),
    case("same-paragraph-met", 'mentions(same_paragraph("PoA", "established"))',
         "12. The PoA was discussed. A mechanism was established.\n\n13. Other matters.\n", MET),
    case("same-paragraph-two-paragraphs", 'mentions(same_paragraph("PoA", "established"))',
         "12. The PoA was discussed.\n\n13. A mechanism was established.\n", UNMET),
    case("same-paragraph-sub-items", 'mentions(same_paragraph("PoA", "established"))',
         "12. The Group recommended that:\n(a) the PoA be discussed;\n"
         "(b) a mechanism be established.\n\n13. Other matters.\n", MET),
    case("same-paragraph-sub-items-blank-lines", 'mentions(same_paragraph("PoA", "established"))',
         "12. The Group recommended that:\n\n(a) the PoA be discussed;\n\n"
         "(b) a mechanism be established.\n\n13. Other matters.\n", MET),
    case("same-paragraph-sub-items-next-paragraph",
         'mentions(same_paragraph("PoA", "established"))',
         "12. The Group recommended that:\n(a) the PoA be discussed;\n(b) more talks.\n\n"
         "13. A mechanism was established.\n", UNMET),
]


@pytest.mark.parametrize(COLUMNS, NEAR_AND_ORDER)
def test_near_and_order(verdict, check: str, text: str, expected: str, options: dict) -> None:
    assert_status(verdict(check, text, **options), expected, check, text)


# ---- Patterns: affirmed and negated ----------------------------------------------------------

# Drafts in which "repository" is negated by exactly one built-in cue.
NEGATING_CUES = [
    ("not", "1. The Group did not establish a repository.\n"),
    ("no", "1. There is no repository.\n"),
    ("no-capitalised", "1. No repository was set up.\n"),
    ("not-uppercase", "1. The Group did NOT establish a repository.\n"),
    ("never", "1. States never established a repository.\n"),
    ("nor", "1. Nor was a repository established.\n"),
    ("neither", "1. Neither a repository nor a registry was set up.\n"),
    ("without", "1. States met without a repository.\n"),
    ("cannot", "1. States cannot accept a repository.\n"),
    ("didn't", "1. States didn't accept a repository.\n"),
    ("don't", "1. States don't want a repository.\n"),
    ("won't", "1. States won't accept a repository.\n"),
    ("didn't-typographic", "1. States didn\u2019t accept a repository.\n"),
    ("lack-of", "1. States regretted the lack of a repository.\n"),
    ("rather-than", "1. States chose dialogue rather than a repository.\n"),
    ("instead-of", "1. States chose dialogue instead of a repository.\n"),
    ("refrain-from", "1. States should refrain from creating a repository.\n"),
    ("refrained-from", "1. States refrained from creating a repository.\n"),
    ("refraining-from", "1. States are refraining from creating a repository.\n"),
    ("opposed", "1. Several States opposed a repository.\n"),
    ("opposition", "1. States voiced opposition to a repository.\n"),
    ("rejected", "1. States rejected a repository.\n"),
    ("rejecting", "1. States spoke, rejecting a repository.\n"),
    # Six words between the cue and the match: still inside the window.
    ("six-words-between", "1. The Group did not establish a global voluntary open public "
                          "repository.\n"),
    # "but" is a word: "contribute" contains it and breaks nothing.
    ("but-inside-a-word", "1. States did not contribute to a repository.\n"),
]

# Drafts in which "repository" is mentioned and not negated.
AFFIRMING = [
    ("no-cue", "1. States established a repository.\n"),
    ("noted-is-not-no", "1. States noted a repository.\n"),
    ("another-is-not-not", "1. Another repository was proposed.\n"),
    ("seven-words-between", "1. The Group did not establish a new global voluntary open public "
                            "repository.\n"),
    ("cue-after-match", "1. A repository was not established.\n"),
    ("semicolon-breaks", "1. States did not agree; a repository was established.\n"),
    ("colon-breaks", "1. States did not say this: a repository is needed.\n"),
    ("but-breaks", "1. States did not object but set up a repository.\n"),
    ("other-sentence", "1. States did not agree. A repository was established.\n"),
    ("rule-set-cue-not-added", "1. States declined a repository.\n"),
]

DECLINED = {"cues": ["declined"]}

NEGATION = [
    *(case(f"negated-cue-{name}", 'mentions(negated("repository"))', text, MET)
      for name, text in NEGATING_CUES),
    *(case(f"affirmed-cue-{name}", 'mentions(affirmed("repository"))', text, UNMET)
      for name, text in NEGATING_CUES),
    *(case(f"negated-not-{name}", 'mentions(negated("repository"))', text, UNMET)
      for name, text in AFFIRMING),
    *(case(f"affirmed-not-{name}", 'mentions(affirmed("repository"))', text, MET)
      for name, text in AFFIRMING),
    case("negated-rule-set-cue", 'mentions(negated("repository"))',
         "1. States declined a repository.\n", MET, **DECLINED),
    case("affirmed-rule-set-cue", 'mentions(affirmed("repository"))',
         "1. States declined a repository.\n", UNMET, **DECLINED),
    case("negated-rule-set-cue-keeps-built-ins", 'mentions(negated("repository"))',
         "1. States did not accept a repository.\n", MET, **DECLINED),
    case("negated-absent", 'mentions(negated("repository"))', "1. States met.\n", UNMET),
    case("affirmed-absent", 'mentions(affirmed("repository"))', "1. States met.\n", UNMET),
    case("affirmed-one-of-two", 'mentions(affirmed("repository"))',
         "1. States did not want a repository. Others proposed a repository.\n", MET),
    case("negated-one-of-two", 'mentions(negated("repository"))',
         "1. States did not want a repository. Others proposed a repository.\n", MET),
    case("negated-near", 'mentions(negated(near("repository", "threats", 3)))',
         "1. States did not want a repository of threats.\n", MET),
    case("affirmed-near", 'mentions(affirmed(near("repository", "threats", 3)))',
         "1. States did not want a repository of threats.\n", UNMET),
]


@pytest.mark.parametrize(COLUMNS, NEGATION)
def test_negation(verdict, check: str, text: str, expected: str, options: dict) -> None:
    assert_status(verdict(check, text, **options), expected, check, text)


# ---- Patterns: bracketed, unbracketed, resolution -------------------------------------------

ACROSS = "1. States met. [The Group agreed. A repository was proposed.] Others disagreed.\n"
PARTLY = "1. States agreed on a [voluntary] repository.\n"

BRACKETS_AND_RESOLUTIONS = [
    case("bracketed-met", 'mentions(bracketed("repository"))',
         "1. States agreed on [a repository of threats].\n", MET),
    case("bracketed-unmet", 'mentions(bracketed("repository"))',
         "1. States agreed on a repository of threats.\n", UNMET),
    case("unbracketed-met", 'mentions(unbracketed("repository"))',
         "1. States agreed on a repository of threats.\n", MET),
    case("unbracketed-unmet", 'mentions(unbracketed("repository"))',
         "1. States agreed on [a repository of threats].\n", UNMET),
    case("bracketed-across-sentences", 'mentions(bracketed("repository"))', ACROSS, MET),
    case("unbracketed-across-sentences", 'mentions(unbracketed("repository"))', ACROSS, UNMET),
    case("bracketed-neighbour-word", 'mentions(bracketed("repository"))', PARTLY, UNMET),
    case("unbracketed-neighbour-word", 'mentions(unbracketed("repository"))', PARTLY, MET),
    case("bracketed-the-bracketed-word", 'mentions(bracketed("voluntary"))', PARTLY, MET),
    *(case(f"resolution-{name}", 'mentions(resolution("75/240"))', f"1. Recalling {said}, "
           "the Group met.\n", MET)
      for name, said in [("bare", "75/240"), ("resolution", "resolution 75/240"),
                         ("ga-resolution", "General Assembly resolution 75/240"),
                         ("symbol", "A/RES/75/240"), ("spaced", "75 / 240"),
                         ("symbol-spaced", "A / RES / 75 / 240")]),
    case("resolution-at-sentence-end", 'mentions(resolution("75/240"))',
         "1. The Group met under resolution 75/240.\n", MET),
    *(case(f"resolution-not-{name}", 'mentions(resolution("75/240"))', f"1. Recalling {said}, "
           "the Group met.\n", UNMET)
      for name, said in [("longer-number", "75/2401"), ("longer-session", "175/240"),
                         ("document-75-2401", "document A/75/2401"),
                         ("shorter-number", "75/24"), ("other-session", "76/240"),
                         ("other-number", "resolution 75/241")]),
]


@pytest.mark.parametrize(COLUMNS, BRACKETS_AND_RESOLUTIONS)
def test_brackets_and_resolutions(verdict, check: str, text: str, expected: str,
                                  options: dict) -> None:
    assert_status(verdict(check, text, **options), expected, check, text)


# ---- Patterns: P in SCOPE -------------------------------------------------------------------

LETTERED = """\
A. Overview

1. The Group met.

B. {heading}

2. States praised the GFCE.

C. Conclusions

3. The end.
"""

CAPACITY = LETTERED.format(heading="Capacity-building")
CAPACITY_SPACED = LETTERED.format(heading="Capacity building")

LABELS = """\
A. Overview

1. The Group met.

B. Threats

2. States met.

C. Norms

3. The GFCE spoke.
"""

LABEL_G = """\
A. Overview

1. The Group met. {a}

G. Regular institutional dialogue

2. States met. {g}
"""

ROMAN = """\
I. Introduction

1. Opening.

II. Recommendations

A. Norms

2. States praised the GFCE.

B. Capacity

3. More.

III. Conclusions

4. The end.
"""

NUMBERED = "11. The Group met. {p11}\n\n12. States spoke. {p12}\n\n20. Others spoke. {p20}\n\n" \
           "21. The end. {p21}\n"
FROM_30 = "30. The Group met. {p30}\n\n31. States spoke. {p31}\n\n32. The end. {p32}\n"


def numbered(template: str, where: str) -> str:
    """Fill a numbered draft, mentioning the GFCE in one paragraph only."""
    names = [field for _, field, _, _ in Formatter().parse(template) if field]
    return template.format(**{n: "The GFCE spoke." if n == where else "" for n in names})


SCOPES = [
    case("section-heading", 'mentions("GFCE" in section("Capacity-building"))', CAPACITY, MET),
    case("section-heading-case-insensitive", 'mentions("GFCE" in section("CAPACITY-BUILDING"))',
         CAPACITY, MET),
    case("section-heading-contains", 'mentions("GFCE" in section("capacity"))', CAPACITY, MET),
    case("section-heading-space-for-hyphen", 'mentions("GFCE" in section("Capacity building"))',
         CAPACITY, MET),
    case("section-heading-hyphen-for-space", 'mentions("GFCE" in section("Capacity-building"))',
         CAPACITY_SPACED, MET),
    case("section-heading-other", 'mentions("GFCE" in section("Overview"))', CAPACITY, UNMET),
    case("section-heading-absent", 'mentions("GFCE" in section("Threats"))', CAPACITY, UNMET),
    # A label equal to the text names its section; only when no label matches do headings
    # containing the text count.
    case("section-label", 'mentions("GFCE" in section("C"))', LABELS, MET),
    case("section-label-other", 'mentions("GFCE" in section("B"))', LABELS, UNMET),
    # Our decision: a label that names a section wins over headings containing the letter.
    case("section-label-wins-over-letter-in-heading", 'mentions("GFCE" in section("C"))',
         CAPACITY, UNMET),
    case("section-label-g", 'mentions("GFCE" in section("G"))',
         LABEL_G.format(a="", g="The GFCE spoke."), MET),
    case("section-label-g-outside", 'mentions("GFCE" in section("G"))',
         LABEL_G.format(a="The GFCE spoke.", g=""), UNMET),
    case("section-includes-subsections", 'mentions("GFCE" in section("Recommendations"))',
         ROMAN, MET),
    case("section-roman-label-includes-subsections", 'mentions("GFCE" in section("II"))',
         ROMAN, MET),
    case("section-subsection-itself", 'mentions("GFCE" in section("Norms"))', ROMAN, MET),
    case("section-sibling-subsection", 'mentions("GFCE" in section("Capacity"))', ROMAN, UNMET),
    case("section-roman-before", 'mentions("GFCE" in section("Introduction"))', ROMAN, UNMET),
    case("section-roman-after", 'mentions("GFCE" in section("III"))', ROMAN, UNMET),
    case("paragraphs-first", 'mentions("GFCE" in paragraphs(12..20))',
         numbered(NUMBERED, "p12"), MET),
    case("paragraphs-last", 'mentions("GFCE" in paragraphs(12..20))',
         numbered(NUMBERED, "p20"), MET),
    case("paragraphs-before", 'mentions("GFCE" in paragraphs(12..20))',
         numbered(NUMBERED, "p11"), UNMET),
    case("paragraphs-after", 'mentions("GFCE" in paragraphs(12..20))',
         numbered(NUMBERED, "p21"), UNMET),
    case("paragraph-printed-number", 'mentions("GFCE" in paragraph(31))',
         numbered(FROM_30, "p31"), MET),
    case("paragraph-printed-number-other", 'mentions("GFCE" in paragraph(31))',
         numbered(FROM_30, "p32"), UNMET),
    case("paragraph-printed-number-previous", 'mentions("GFCE" in paragraph(31))',
         numbered(FROM_30, "p30"), UNMET),
    case("paragraph-not-by-position", 'mentions("GFCE" in paragraph(1))',
         numbered(FROM_30, "p30"), UNMET),
    case("paragraph-sub-items", 'mentions("GFCE" in paragraph(31))',
         "30. The Group met.\n\n31. The Group recommended:\n(a) more talks;\n"
         "(b) support for the GFCE.\n\n32. The end.\n", MET),
    case("scope-with-term", 'mentions(PoA in section("B"))',
         LETTERED.format(heading="Dialogue").replace("GFCE", "Programme of Action"), MET,
         terms=POA),
    case("scope-with-term-outside", 'mentions(PoA in section("Overview"))',
         LETTERED.format(heading="Dialogue").replace("GFCE", "Programme of Action"), UNMET,
         terms=POA),
]


@pytest.mark.parametrize(COLUMNS, SCOPES)
def test_scope(verdict, check: str, text: str, expected: str, options: dict) -> None:
    assert_status(verdict(check, text, **options), expected, check, text)


MARKDOWN = """\
# Draft report

## A. Overview

1. The Group met.

## B. Capacity-building

### Training

2. States praised the GFCE.

## C. Conclusions

3. The end.
"""


@pytest.mark.parametrize(("scope", "expected"), [
    pytest.param('section("Capacity-building")', MET, id="markdown-section-includes-subsection"),
    pytest.param('section("Training")', MET, id="markdown-subsection"),
    pytest.param('section("Draft report")', MET, id="markdown-top-section-includes-all"),
    pytest.param('section("B")', MET, id="markdown-label"),
    pytest.param('section("Conclusions")', UNMET, id="markdown-later-section"),
    pytest.param('section("Overview")', UNMET, id="markdown-earlier-section"),
])
def test_markdown_sections(tmp_path: Path, cli, scope: str, expected: str) -> None:
    check = f'mentions("GFCE" in {scope})'
    rules = tmp_path / "rules.yaml"
    rules.write_text(rule_yaml(check), encoding="utf-8")
    draft = tmp_path / "draft.md"
    draft.write_text(MARKDOWN, encoding="utf-8")
    result = cli(draft, "--rules", rules, "--format", "json", "--fail-on", "never")
    got = result.json()["drafts"][0]["groups"][0]["rules"][0]
    assert_status(got, expected, check, MARKDOWN)


# ---- Numbers and Bools ----------------------------------------------------------------------

TWO_NORMS = "1. States discussed norms. Other norms were noted.\n"
THREE_NORMS = "1. States discussed norms. Other norms were noted. More norms came.\n"
NORMS_AND_RULE = "1. States discussed norms and rules. Other norms were noted.\n"
POA_ONLY = "1. States discussed the PoA.\n"

COMPARISONS = [(op, met_rhs, miss_rhs) for op, met_rhs, miss_rhs in [
    ("==", 2, 3), ("!=", 3, 2), ("<", 3, 2), ("<=", 2, 1), (">", 1, 2), (">=", 2, 3)]]

NUMBERS_AND_BOOLS = [
    case("mentions-met", 'mentions("norms")', TWO_NORMS, MET),
    case("mentions-unmet", 'mentions("norms")', POA_ONLY, UNMET),
    case("count-met", 'count("norms") == 3', THREE_NORMS, MET),
    case("count-unmet", 'count("norms") == 3', TWO_NORMS, UNMET),
    case("count-non-overlapping-same-phrase", 'count("norms norms") == 1',
         "1. States said norms norms norms.\n", MET),
    case("count-non-overlapping-near", 'count(near("PoA", "GFCE", 3)) == 1',
         "1. The PoA, the GFCE and the PoA met.\n", MET),
    case("count-zero", 'count("norms") == 0', POA_ONLY, MET),
    case("count-non-overlapping", 'count(any("Programme of Action", "Action")) == 1',
         "1. States discussed the Programme of Action.\n", MET),
    case("count-non-overlapping-two", 'count(any("Programme of Action", "Action")) == 1',
         "1. The Programme of Action is a plan of action.\n", UNMET),
    case("number-decimal", 'count("norms") == 0.5 * 4', TWO_NORMS, MET),
    case("number-decimal-miss", 'count("norms") == 0.5 * 4', THREE_NORMS, UNMET),
    case("number-decimal-compare", 'count("norms") > 1.5', TWO_NORMS, MET),
    case("number-decimal-compare-miss", 'count("norms") > 2.5', TWO_NORMS, UNMET),
    case("arith-plus", 'count("norms") + count("rules") == 3', NORMS_AND_RULE, MET),
    case("arith-plus-miss", 'count("norms") + count("rules") == 3', TWO_NORMS, UNMET),
    case("arith-minus", 'count("norms") - count("rules") == 1', NORMS_AND_RULE, MET),
    case("arith-minus-miss", 'count("norms") - count("rules") == 1', TWO_NORMS, UNMET),
    case("arith-times", 'count("norms") * 3 == 6', TWO_NORMS, MET),
    case("arith-times-miss", 'count("norms") * 3 == 6', THREE_NORMS, UNMET),
    case("arith-divide-fraction", 'count("norms") / 2 == 1.5', THREE_NORMS, MET),
    case("arith-divide-fraction-miss", 'count("norms") / 2 == 1.5', TWO_NORMS, UNMET),
    *(case(f"compare-{op}-met", f'count("norms") {op} {rhs}', TWO_NORMS, MET)
      for op, rhs, _ in COMPARISONS),
    *(case(f"compare-{op}-unmet", f'count("norms") {op} {rhs}', TWO_NORMS, UNMET)
      for op, _, rhs in COMPARISONS),
    case("not-met", 'not mentions("GFCE")', POA_ONLY, MET),
    case("not-unmet", 'not mentions("PoA")', POA_ONLY, UNMET),
    case("and-met", 'mentions("PoA") and mentions("States")', POA_ONLY, MET),
    case("and-unmet", 'mentions("PoA") and mentions("GFCE")', POA_ONLY, UNMET),
    case("or-met", 'mentions("GFCE") or mentions("PoA")', POA_ONLY, MET),
    case("or-unmet", 'mentions("GFCE") or mentions("threats")', POA_ONLY, UNMET),
    case("parentheses-met", '(mentions("GFCE") or mentions("PoA")) and mentions("States")',
         POA_ONLY, MET),
    case("parentheses-unmet", '(mentions("PoA") or mentions("GFCE")) and mentions("threats")',
         POA_ONLY, UNMET),
    case("parentheses-not", 'not (mentions("PoA") and mentions("GFCE"))', POA_ONLY, MET),
    case("parentheses-not-unmet", 'not (mentions("PoA") or mentions("GFCE"))', POA_ONLY, UNMET),
    case("pattern-as-bool-met", '"PoA"', POA_ONLY, MET),
    case("pattern-as-bool-unmet", '"GFCE"', POA_ONLY, UNMET),
    case("pattern-as-bool-not", 'not "GFCE"', POA_ONLY, MET),
    case("pattern-as-bool-not-unmet", 'not "PoA"', POA_ONLY, UNMET),
    case("pattern-as-bool-and", '"PoA" and "States"', POA_ONLY, MET),
    case("pattern-as-bool-and-unmet", '"PoA" and "GFCE"', POA_ONLY, UNMET),
    case("pattern-as-bool-call", 'near("PoA", "States", 3)', POA_ONLY, MET),
    case("pattern-as-bool-call-unmet", 'near("PoA", "threats", 3)', POA_ONLY, UNMET),
    case("division-by-zero-is-error", 'count("norms") / count("PoA") > 1', TWO_NORMS, ERROR),
    case("division-by-nonzero-is-fine", 'count("norms") / count("PoA") > 1',
         "1. States discussed norms, norms and the PoA.\n", MET),
]


@pytest.mark.parametrize(COLUMNS, NUMBERS_AND_BOOLS)
def test_numbers_and_bools(verdict, check: str, text: str, expected: str,
                           options: dict) -> None:
    assert_status(verdict(check, text, **options), expected, check, text)


def test_division_by_zero_says_why(verdict) -> None:
    got = verdict('count("norms") / count("PoA") > 1', TWO_NORMS)
    assert got["status"] == ERROR
    assert "division by zero" in got["why"].lower()


def test_division_by_zero_lets_the_run_go_on(tmp_path: Path, cli) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "group: test-group\ntitle: Test rules\nrules:\n"
        "  - id: divides\n    says: Divides by zero.\n"
        "    check: count(\"norms\") / count(\"PoA\") > 1\n"
        "  - id: mentions-norms\n    says: Mentions norms.\n"
        "    check: mentions(\"norms\")\n"
        "  - id: mentions-gfce\n    says: Mentions the GFCE.\n"
        "    check: mentions(\"GFCE\")\n", encoding="utf-8")
    draft = tmp_path / "draft.txt"
    draft.write_text(TWO_NORMS, encoding="utf-8")
    result = cli(draft, "--rules", rules, "--format", "json", "--fail-on", "never")
    assert "Traceback" not in result.err
    verdicts = {r["id"]: r for r in result.json()["drafts"][0]["groups"][0]["rules"]}
    assert verdicts["divides"]["status"] == ERROR
    assert "division by zero" in verdicts["divides"]["why"].lower()
    assert verdicts["mentions-norms"]["status"] == MET
    assert verdicts["mentions-gfce"]["status"] == UNMET


# ---- precedence -----------------------------------------------------------------------------

G_WITH_POA_OUTSIDE = LABEL_G.format(a="States discussed the PoA.", g="")
G_WITH_GFCE_OUTSIDE = LABEL_G.format(a="States discussed the GFCE.", g="")
G_WITH_GFCE_INSIDE = LABEL_G.format(a="", g="States discussed the GFCE.")

PRECEDENCE = [
    # `in` binds tighter than `|`: "PoA" anywhere, or "GFCE" inside section G.
    case("precedence-in-over-bar-left-anywhere", '"PoA" | "GFCE" in section("G")',
         G_WITH_POA_OUTSIDE, MET),
    case("precedence-in-over-bar-right-inside", '"PoA" | "GFCE" in section("G")',
         G_WITH_GFCE_INSIDE, MET),
    case("precedence-in-over-bar-right-outside", '"PoA" | "GFCE" in section("G")',
         G_WITH_GFCE_OUTSIDE, UNMET),
    case("precedence-parenthesised-union-in-scope", '("PoA" | "GFCE") in section("G")',
         G_WITH_POA_OUTSIDE, UNMET),
    # `not` binds tighter than `and`: (not "PoA") and "GFCE".
    case("precedence-not-over-and-met", 'not "PoA" and "GFCE"', "1. The GFCE met.\n", MET),
    case("precedence-not-over-and-neither", 'not "PoA" and "GFCE"', "1. The Group met.\n",
         UNMET),
    case("precedence-not-over-and-both", 'not "PoA" and "GFCE"', "1. The GFCE and PoA met.\n",
         UNMET),
    # `and` binds tighter than `or`.
    case("precedence-and-over-or", '"GFCE" or "PoA" and "threats"', "1. The GFCE met.\n", MET),
    case("precedence-and-over-or-miss", '"PoA" or "GFCE" and "threats"', "1. The GFCE met.\n",
         UNMET),
    # Comparisons bind tighter than `not`.
    case("precedence-comparison-over-not", "not 1 == 2", "1. The Group met.\n", MET),
    case("precedence-comparison-over-not-miss", "not 2 == 2", "1. The Group met.\n", UNMET),
    # `* /` bind tighter than `+ -`.
    case("precedence-times-over-plus", "1 + 2 * 3 == 7", "1. The Group met.\n", MET),
    case("precedence-times-over-plus-miss", "1 + 2 * 3 == 9", "1. The Group met.\n", UNMET),
    case("precedence-parentheses-first", "(1 + 2) * 3 == 9", "1. The Group met.\n", MET),
    case("precedence-times-before-minus", "2 * 3 - 1 == 5", "1. The Group met.\n", MET),
    case("precedence-times-before-minus-miss", "2 * 3 - 1 == 4", "1. The Group met.\n", UNMET),
    case("precedence-divide-over-plus", "1 + 4 / 2 == 3", "1. The Group met.\n", MET),
    # `|` binds tighter than arithmetic and comparisons.
    case("precedence-bar-inside-count", 'count("PoA" | "GFCE") + 1 == 3',
         "1. The PoA and the GFCE met.\n", MET),
]


@pytest.mark.parametrize(COLUMNS, PRECEDENCE)
def test_precedence(verdict, check: str, text: str, expected: str, options: dict) -> None:
    assert_status(verdict(check, text, **options), expected, check, text)


# ---- the five examples in DESIGN §2 ---------------------------------------------------------

NORMS_SECTION = """\
A. Overview

1. States wish to implement norms, implement rules and implement principles.

C. Rules, norms and principles of responsible State behaviour

2. States will implement the norms and implementation continues. States will develop norms.
{extra}
"""

EXAMPLE_BALANCE = ('count("implement*" in section("norms")) <= '
                   '2 * count("develop*" in section("norms"))')
EXAMPLE_GFCE = ('not near("GFCE" | "Global Forum on Cyber Expertise", '
                'any("main", "primary", "leading", "central"), 8)')
EXAMPLE_POA = ('not affirmed(followed_by(PoA, any("will be established", '
               '"should be established", "as the mechanism"), 10))')

EXAMPLES = [
    case("example-resolution-met", 'mentions(resolution("75/240"))',
         "1. Pursuant to General Assembly resolution 75/240, the Group met.\n", MET),
    case("example-resolution-unmet", 'mentions(resolution("75/240"))',
         "1. The Group met, see document A/75/2401.\n", UNMET),
    case("example-repository-met-negated", 'not affirmed(near("repository", "threat*", 6))',
         "1. The Group did not agree on a repository of threats.\n", MET),
    case("example-repository-met-absent", 'not affirmed(near("repository", "threat*", 6))',
         "1. The Group agreed on confidence-building measures.\n", MET),
    case("example-repository-unmet", 'not affirmed(near("repository", "threat*", 6))',
         "1. The Group recommended a voluntary repository of threats.\n", UNMET),
    case("example-balance-met", EXAMPLE_BALANCE, NORMS_SECTION.format(extra=""), MET),
    case("example-balance-unmet", EXAMPLE_BALANCE,
         NORMS_SECTION.format(extra="\n3. Implementing them matters.\n"), UNMET),
    case("example-gfce-met", EXAMPLE_GFCE, "1. The GFCE and other bodies contributed.\n", MET),
    case("example-gfce-met-other-sentence", EXAMPLE_GFCE,
         "1. The GFCE contributed. The main work was done by States.\n", MET),
    case("example-gfce-unmet", EXAMPLE_GFCE,
         "1. The Global Forum on Cyber Expertise is the leading platform.\n", UNMET),
    case("example-gfce-unmet-acronym", EXAMPLE_GFCE,
         "1. States called the GFCE the main platform.\n", UNMET),
    case("example-poa-met-negated", EXAMPLE_POA,
         "1. States did not agree that a PoA should be established.\n", MET, terms=POA),
    case("example-poa-met-other-sentence", EXAMPLE_POA,
         "1. The PoA was discussed. A mechanism will be established.\n", MET, terms=POA),
    case("example-poa-unmet", EXAMPLE_POA,
         "1. The Programme of Action will be established in 2025.\n", UNMET, terms=POA),
]


@pytest.mark.parametrize(COLUMNS, EXAMPLES)
def test_design_examples(verdict, check: str, text: str, expected: str, options: dict) -> None:
    assert_status(verdict(check, text, **options), expected, check, text)


# ---- every row of the two tables has a meet and a miss --------------------------------------

FORMS = {
    '"phrase"': ["phrase-"], "/regex/": ["regex-"], "NAME": ["term-"],
    "any / |": ["any-", "bar-"], "near": ["near-"], "followed_by": ["followed-by-"],
    "same_sentence": ["same-sentence-"], "same_paragraph": ["same-paragraph-"],
    "affirmed": ["affirmed-"], "negated": ["negated-"],
    "bracketed": ["bracketed-"], "unbracketed": ["unbracketed-"],
    "resolution": ["resolution-"], "in section": ["section-"],
    "in paragraphs": ["paragraphs-"], "in paragraph": ["paragraph-"],
    "mentions": ["mentions-"], "count": ["count-"], "number literals": ["number-"],
    "+ - * /": ["arith-"], "comparisons": ["compare-"],
    "not, and, or, ( )": ["not-", "and-", "or-", "parentheses-"],
    "pattern as Bool": ["pattern-as-bool-"], "precedence": ["precedence-"],
    "examples": ["example-"],
}
ALL_CASES = [*PHRASE, *REGEX, *TERM_AND_ANY, *NEAR_AND_ORDER, *NEGATION,
             *BRACKETS_AND_RESOLUTIONS, *SCOPES, *NUMBERS_AND_BOOLS, *PRECEDENCE, *EXAMPLES]


@pytest.mark.parametrize("form", FORMS)
def test_every_form_has_a_meet_and_a_miss(form: str) -> None:
    statuses = {c.values[2] for c in ALL_CASES if c.id.startswith(tuple(FORMS[form]))}
    assert {MET, UNMET} <= statuses


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in ALL_CASES]
    assert len(ids) == len(set(ids))


# ---- evidence -------------------------------------------------------------------------------

EVIDENCE_LINES = [
    "Draft report",                                          # line 1
    "",
    "A. Overview",                                           # line 3
    "",
    "1. The Group met.",                                     # line 5
    "",
    "G. Regular institutional dialogue",                     # line 7
    "",
    "30. States met.",                                       # line 9
    "",
    "31. States spoke at length. The Group welcomed the",    # line 11
    "   \u201cProgramme of Action\u201d proposal. It ended.",  # line 12
]


@pytest.mark.parametrize("newline", [pytest.param("\n", id="lf"), pytest.param("\r\n", id="crlf")])
def test_evidence_places_the_match(verdict, newline: str) -> None:
    text = newline.join(EVIDENCE_LINES) + newline
    got = verdict('mentions("Programme of Action")', text)
    assert got["status"] == MET
    first = got["evidence"][0]
    assert first["paragraph"] == 31
    assert first["section"] == "G"
    assert "Regular institutional dialogue" in first["heading"]
    assert first["line"] == 12
    assert first["column"] == EVIDENCE_LINES[11].index("Programme") + 1  # 1-based: 5
    assert " ".join(first["text"].split()) == \
        'The Group welcomed the "Programme of Action" proposal.'
    assert first["match"] == "Programme of Action"


def test_evidence_column_is_in_the_original_line(verdict) -> None:
    # Non-breaking spaces and typographic characters before the match keep their columns.
    line = "1. Member\u00a0States\u2019 views on the Programme of Action differ."
    got = verdict('mentions("Programme of Action")', f"Title\n\n{line}\n")
    first = got["evidence"][0]
    assert (first["line"], first["column"]) == (3, line.index("Programme") + 1)
    assert first["paragraph"] == 1 and first["section"] is None


def test_evidence_is_at_most_five(verdict) -> None:
    text = "".join(f"{n}. States discussed norms.\n\n" for n in range(1, 21))
    got = verdict('mentions("norms")', text)
    assert got["status"] == MET
    assert 1 <= len(got["evidence"]) <= 5
    assert all(e["match"] == "norms" for e in got["evidence"])


# ---- why ------------------------------------------------------------------------------------

def test_why_names_the_paragraph_of_a_forbidden_match(verdict) -> None:
    got = verdict('not "repository"', "30. States met.\n\n31. States proposed a repository.\n")
    assert got["status"] == UNMET
    assert "¶31" in got["why"]


def test_why_says_a_required_pattern_has_no_match(verdict) -> None:
    got = verdict('mentions(resolution("75/240"))', "1. The Group met.\n")
    assert got["status"] == UNMET
    assert "no match" in got["why"]


@pytest.mark.parametrize(("cue", "text"), [
    ("rejected", "1. States rejected a repository.\n"),
    ("never", "1. States never wanted a repository.\n"),
    ("without", "1. States met without a repository.\n"),
])
def test_why_names_the_cue_of_a_negated_only_mention(verdict, cue: str, text: str) -> None:
    got = verdict('mentions(affirmed("repository"))', text)
    assert got["status"] == UNMET
    assert cue in got["why"]


def test_one_word_with_punctuation_around_it(verdict) -> None:
    # Found by the property test: "(a)" is one word with a lead and a trail.
    assert verdict('"(a)"', "1. The Group agreed on the following:\n(a) a list;")["status"] == "met"
    assert verdict('"(a)"', "1. The Group agreed on a list.")["status"] == "unmet"


def test_every_builtin_has_an_implementation_a_docstring_and_a_section_in_the_docs() -> None:
    # A builtin's signature (checked by the compiler) and what it does (run by the evaluator)
    # live in two stages; a function added to one table only must fail here, not on a draft.
    from checker.evaluation.functions import RUN
    from checker.language.signatures import BUILTINS

    assert set(RUN) == set(BUILTINS)
    assert [name for name, run in RUN.items() if not (run.__doc__ or "").strip()] == []
    docs = (ROOT / "docs" / "language.md").read_text("utf-8")
    assert [name for name in BUILTINS if f"`{name}`" not in docs and f"`{name}(" not in docs] == []
