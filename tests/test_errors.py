"""Bad input: every problem exits 2 with `path:line:col: error: message`, a caret, no traceback,
and nothing written (DESIGN §1 "Every error names the file, line and column", §2 "Every error
points at the rule file's line and column of the offending token, with a caret under it", §5
"2 a usage, input or rule error (message on stderr, no traceback). Inputs are never modified.")."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, Run, rule_yaml

DRAFT_TEXT = "1. The Group met in Geneva.\n"


# -- reading diagnostics ----------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int | None
    column: int | None
    message: str
    source: str | None  # the quoted source line, without its gutter
    caret: int | None  # the 1-based column the caret stands under, in the quoted source line


_HEADER = re.compile(r"^(?P<path>.+?):(?P<line>\d+)(?::(?P<col>\d+))?: error: (?P<msg>.*)$")
_SOURCE = re.compile(r"^(?P<gutter> *\d+ \| )(?P<text>.*)$")
_CARET = re.compile(r"^ *\| *\^$")


def diagnostics(err: str) -> list[Diagnostic]:
    """Parse stderr into diagnostics: header, source line with gutter, caret line."""
    lines = err.splitlines()
    found = []
    for i, text in enumerate(lines):
        header = _HEADER.match(text)
        if not header:
            continue
        source = caret = None
        quoted = _SOURCE.match(lines[i + 1]) if i + 1 < len(lines) else None
        if quoted:
            source = quoted["text"]
            if i + 2 < len(lines) and _CARET.match(lines[i + 2]):
                # The caret's column is counted from where the quoted text starts.
                caret = lines[i + 2].index("^") - len(quoted["gutter"]) + 1
        found.append(Diagnostic(header["path"], int(header["line"]),
                                int(header["col"]) if header["col"] else None,
                                header["msg"], source, caret))
    return found


def position(text: str, token: str, nth: int = 1, after: str | None = None) -> tuple[int, int]:
    """Return the 1-based (line, column) of the nth occurrence of token in text
    (counted from the first occurrence of `after`, if given)."""
    at = text.index(after) - 1 if after else -1
    for _ in range(nth):
        at = text.index(token, at + 1)
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return line, column


def assert_clean_failure(run: Run) -> None:
    assert run.code == 2, f"expected exit 2, got {run.code}\nstdout:\n{run.out}\nstderr:\n{run.err}"
    assert "Traceback" not in run.err, run.err
    assert run.err.strip(), "expected a message on stderr"


def assert_error_at(run: Run, name: str, line: int, column: int | None = None, *,
                    says: tuple[str, ...] = (), token: str | None = None) -> Diagnostic:
    """Assert exit 2 and a diagnostic in file `name` at line:column whose message holds `says`,
    with the source line quoted and a caret under the column (and under `token`, if given)."""
    assert_clean_failure(run)
    candidates = [d for d in diagnostics(run.err)
                  if Path(d.path).name == name and d.line == line
                  and (column is None or d.column == column)
                  and all(s in d.message for s in says)]
    where = f"{name}:{line}" + (f":{column}" if column else "")
    assert candidates, f"expected an error at {where} saying {says}; got:\n{run.err}"
    found = candidates[0]
    assert found.column is not None, f"the error names no column:\n{run.err}"
    assert found.source is not None, f"the source line is not shown:\n{run.err}"
    assert found.caret == found.column, f"the caret is not under column {found.column}:\n{run.err}"
    if token is not None:
        assert found.source[found.column - 1:].startswith(token), (
            f"the caret is not under {token!r}:\n{run.err}")
    return found


# -- running a bad rule file both ways ---------------------------------------------------------


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    path = tmp_path / "draft.txt"
    path.write_text(DRAFT_TEXT, encoding="utf-8")
    return path


@pytest.fixture
def both(cli, tmp_path: Path, draft: Path):
    """Return a function running `validate RULES` and `check DRAFT --rules RULES -o out.json`;
    each must fail with exit 2, print nothing on stdout and write no report."""

    def run(*rules: Path | str) -> list[Run]:
        out = tmp_path / "out.json"
        runs = [cli("validate", *rules)]
        checked = cli("check", draft, *[a for r in rules for a in ("--rules", r)], "-o", out)
        assert not out.exists(), "a report was written although the rule file is wrong"
        runs.append(checked)
        for r in runs:
            assert_clean_failure(r)
            assert r.out == "", r.out
        return runs

    return run


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


GOOD_RULE = "  - id: r\n    says: S\n    check: mentions(\"x\")\n"


# -- YAML --------------------------------------------------------------------------------------


def test_unclosed_flow_sequence_points_at_the_bracket_or_its_end(both, tmp_path):
    text = "group: g\ntitle: T\nmembers: [Belarus, China\nrules:\n" + GOOD_RULE
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        found = [d for d in diagnostics(run.err) if d.path.endswith("rules.yaml")]
        assert found and found[0].column is not None and found[0].caret == found[0].column
        # Either the header is on the bracket's line, or the message names where it opened.
        assert found[0].line in (3, 4) or "line 3" in found[0].message, run.err


def test_unclosed_bracket_at_end_of_file_names_where_it_opened(both, tmp_path):
    text = "group: g\ntitle: T\nrules:\n  - id: r\n    says: S\n    check: [mentions(\"x\")\n"
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, "[")
    for run in both(rules):
        found = [d for d in diagnostics(run.err) if d.path.endswith("rules.yaml")]
        assert found and found[0].column is not None, run.err
        assert "invalid YAML" in found[0].message
        assert (found[0].line, found[0].column) == (line, column) or \
            f"line {line}, column {column}" in found[0].message, run.err


def test_bad_indentation(both, tmp_path):
    text = "group: g\ntitle: T\nrules:\n  - id: r\n     says: S\n    check: mentions(\"x\")\n"
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", 5, says=("invalid YAML",))


def test_tab_indentation(both, tmp_path):
    text = "group: g\ntitle: T\nrules:\n\t- id: r\n    says: S\n    check: mentions(\"x\")\n"
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        found = assert_error_at(run, "rules.yaml", 4, 1)
        assert "\\t" in found.message or "tab" in found.message.lower()


def billion_laughs(levels: int = 9) -> str:
    lines = ["group: g", "title: T", 'lol0: &lol0 "lol"']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    lines += ["rules:", "  - id: r", "    says: S", "    check: mentions(\"x\")"]
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_rejected_fast_at_the_alias(both, tmp_path):
    text = billion_laughs()
    rules = write(tmp_path, "rules.yaml", text)
    started = time.monotonic()
    runs = both(rules)
    assert time.monotonic() - started < 2 * len(runs)
    line, column = position(text, "*lol0")
    for run in runs:
        assert_error_at(run, "rules.yaml", line, column, says=("alias",), token="*lol0")


def test_alias_bomb_in_a_term_value_is_rejected(both, tmp_path):
    text = ("group: g\ntitle: T\nterms:\n  A: &a \"x\"\n  B: *a\nrules:\n" + GOOD_RULE)
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, "*a")
    for run in both(rules):
        assert_error_at(run, "rules.yaml", line, column, says=("alias",))


def test_python_object_tag_is_refused_and_nothing_runs(both, tmp_path):
    marker = tmp_path / "pwned"
    text = ("group: g\ntitle: T\nrules:\n  - id: r\n"
            f"    says: !!python/object/apply:os.system [\"touch {marker}\"]\n"
            "    check: mentions(\"x\")\n")
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, "!!python")
    for run in both(rules):
        assert_error_at(run, "rules.yaml", line, column, says=("tag",), token="!!python")
    assert not marker.exists()


def test_python_object_tag_on_a_scalar(both, tmp_path):
    text = ("group: g\ntitle: T\nrules:\n  - id: r\n"
            "    says: !!python/object:collections.OrderedDict S\n    check: mentions(\"x\")\n")
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, "!!python")
    for run in both(rules):
        assert_error_at(run, "rules.yaml", line, column, says=("tag",))


@pytest.mark.parametrize("text", ["- a\n- b\n", "hello\n", "", "# only a comment\n"],
                         ids=["list", "scalar", "empty", "comment"])
def test_not_a_mapping(both, tmp_path, text):
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", 1, 1, says=("mapping",))


# -- schema ------------------------------------------------------------------------------------


def test_missing_required_keys_says_and_check(both, tmp_path):
    text = "group: g\ntitle: T\nrules:\n  - id: r\n    severity: minor\n"
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        for key in ("says", "check"):
            assert_error_at(run, "rules.yaml", 4, says=("missing", f"'{key}'"))


def test_missing_top_level_keys(both, tmp_path):
    text = "group: g\nrules:\n" + GOOD_RULE
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        found = [d for d in diagnostics(run.err) if "title" in d.message and "missing" in d.message]
        assert found and found[0].line is not None and found[0].column is not None, run.err


def test_unknown_key_did_you_mean(both, tmp_path):
    text = "group: g\ntitle: T\nrules:\n  - id: r\n    says: S\n    chek: mentions(\"x\")\n"
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, "chek")
    for run in both(rules):
        assert_error_at(run, "rules.yaml", line, column,
                        says=("chek", "did you mean 'check'"), token="chek")


def test_unknown_top_level_key_did_you_mean(both, tmp_path):
    text = "group: g\ntitle: T\ntemrs:\n  A: \"a\"\nrules:\n" + GOOD_RULE
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, "temrs")
    for run in both(rules):
        assert_error_at(run, "rules.yaml", line, column, says=("did you mean 'terms'",))


@pytest.mark.parametrize("field, value, fragment", [
    ("weight", "heavy", "number"),
    ("severity", "high", "critical"),
    ("weight", "0", "greater than 0"),
    ("weight", "-2", "greater than 0"),
    ("weight", ".inf", "at most 1000000"),  # a score of inf / inf would be NaN,
    ("weight", "1e308", "at most 1000000"),  # and so would 1e308 + 1e308
    ("weight", ".nan", "finite number"),  # and NaN is not JSON
    ("severity", "Critical", "critical"),
    ("says", "[a, b]", "text"),
    ("check", "42", "text"),
])
def test_wrong_types(both, tmp_path, field, value, fragment):
    fields = {"says": "S", "check": 'mentions("x")', field: value}
    text = "group: g\ntitle: T\nrules:\n  - id: r\n" + "".join(
        f"    {k}: {v}\n" for k, v in fields.items())
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, f"{field}: {value}")
    for run in both(rules):
        assert_error_at(run, "rules.yaml", line, column + len(field) + 2, says=(fragment,),
                        token=value)


@pytest.mark.parametrize("text, token", [
    ("group: Bad_Group\ntitle: T\nrules:\n" + GOOD_RULE, "Bad_Group"),
    ("group: -lead\ntitle: T\nrules:\n" + GOOD_RULE, "-lead"),
    ("group: g\ntitle: T\nrules:\n" + GOOD_RULE.replace("id: r", "id: Rule_1"), "Rule_1"),
    ("group: g\ntitle: T\nrules:\n" + GOOD_RULE.replace("id: r", 'id: "rule 2"'), '"rule 2"'),
    ("group: g\ntitle: T\nterms:\n  2fast: \"x\"\nrules:\n" + GOOD_RULE, "2fast"),
], ids=["group-case", "group-dash", "id-case", "id-space", "term-name"])
def test_bad_names(both, tmp_path, text, token):
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, token)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", line, column, says=("not valid",), token=token)


def test_duplicate_rule_ids(both, tmp_path):
    text = ("group: g\ntitle: T\nrules:\n"
            "  - id: same\n    says: S\n    check: mentions(\"x\")\n"
            "  - id: other\n    says: S\n    check: mentions(\"y\")\n"
            "  - id: same\n    says: S\n    check: mentions(\"z\")\n")
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, "same", 2)
    for run in both(rules):
        found = assert_error_at(run, "rules.yaml", line, column, says=("same",), token="same")
        assert "first defined on line 4" in found.message


def test_duplicate_group_names_across_two_files(both, tmp_path):
    text = "group: same\ntitle: T\nrules:\n" + GOOD_RULE
    folder = tmp_path / "sets"
    write(folder, "a.yaml", text)
    write(folder, "b.yaml", text.replace("title: T", "title: Other"))
    for runs in (both(folder / "a.yaml", folder / "b.yaml"), both(folder)):
        for run in runs:
            found = assert_error_at(run, "b.yaml", 1, says=("same",))
            assert "a.yaml" in found.message, run.err


def test_all_schema_problems_of_a_file_are_reported_at_once(both, tmp_path):
    text = ("group: Bad_Group\ntitle: T\nrules:\n"
            "  - id: r\n    says: S\n    check: mentions(\"x\")\n    weight: heavy\n"
            "  - id: s\n    says: S\n    check: mentions(\"y\")\n    severity: high\n")
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", 1, says=("Bad_Group",))
        assert_error_at(run, "rules.yaml", *position(text, "heavy"), says=("weight",))
        assert_error_at(run, "rules.yaml", *position(text, "high"), says=("severity",))


def test_all_language_problems_of_a_file_are_reported_at_once(both, tmp_path):
    text = ("group: g\ntitle: T\nterms:\n  A: mentoins(\"a\")\nrules:\n"
            "  - id: r\n    says: S\n    check: count(3) > 1\n"
            "  - id: s\n    says: S\n    check: /(a/\n"
            "  - id: t\n    says: S\n    check: nera(\"a\", \"b\", 3)\n")
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", *position(text, "mentoins"), token="mentoins")
        assert_error_at(run, "rules.yaml", *position(text, "3)"), token="3")
        assert_error_at(run, "rules.yaml", *position(text, "/(a/"), token="/(a/")
        assert_error_at(run, "rules.yaml", *position(text, "nera"), says=("did you mean 'near'",))


def test_schema_and_language_problems_of_one_file_are_reported_at_once(both, tmp_path):
    # ruleset.py: "Every problem of a file is reported at once, each at its file:line:col."
    text = ("group: g\ntitle: T\nrules:\n"
            "  - id: r\n    says: S\n    check: mentions(\"x\")\n    weight: heavy\n"
            "  - id: r\n    says: S\n    check: mentions(\"y\")\n"
            "  - id: s\n    says: S\n    check: mention(\"z\")\n")
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", *position(text, "heavy"), says=("weight",))
        assert_error_at(run, "rules.yaml", *position(text, "r\n", 2), says=("duplicate",))
        assert_error_at(run, "rules.yaml", *position(text, "mention("),
                        says=("did you mean 'mentions'",))


# -- characters YAML cannot hold -----------------------------------------------------------------


def run_guarded(cli, *args) -> Run:
    """Run the CLI; an exception escaping it becomes a Run whose stderr holds the traceback."""
    try:
        return cli(*args)
    except Exception as error:  # noqa: BLE001 - the point is to report any crash as a failure
        return Run(-1, "", f"Traceback (crash): {type(error).__name__}: {error}")


@pytest.mark.parametrize("char", ["\x07", "\x1f", "\x7f"], ids=["bell", "unit-sep", "delete"])
def test_control_character_in_a_rule_file_is_located(both, tmp_path, char):
    text = rule_yaml(f'mentions("a{char}b")')
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, char)
    for run in both(rules):
        found = [d for d in diagnostics(run.err) if d.path.endswith("rules.yaml")]
        assert found, run.err
        assert (found[0].line, found[0].column) == (line, column), run.err
        assert found[0].caret == found[0].column


def test_rule_file_not_in_utf8_is_read_or_located(cli, tmp_path, draft):
    rules = tmp_path / "rules.yaml"
    text = rule_yaml("mentions(\"C\u00f4te d'Ivoire\")")
    rules.write_bytes(text.encode("cp1252"))
    run = cli("validate", rules)
    assert run.code in (0, 2) and "Traceback" not in run.err
    if run.code == 2:
        assert_error_at(run, "rules.yaml", *position(text, "\u00f4"))


SURROGATE_CHECKS = {
    "regex": r'check: "/\ud83d/"',
    "phrase": r'check: "mentions(\"a\ud83d\")"',
    "says": "check: mentions(\"a\")\n    says: \"S \\ud83d\"",
}


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("where", list(SURROGATE_CHECKS))
def test_lone_surrogate_escape_never_crashes(cli, tmp_path, draft, where, fmt):
    # YAML's "\ud83d" escape yields a lone surrogate, which no UTF-8 output can hold.
    says = "" if where == "says" else "    says: S\n"
    text = f"group: g\ntitle: T\nrules:\n  - id: r\n{says}    {SURROGATE_CHECKS[where]}\n"
    rules = write(tmp_path, "rules.yaml", text)
    for run in (run_guarded(cli, "validate", rules),
                run_guarded(cli, draft, "--rules", rules, "--format", fmt, "--fail-on", "never")):
        assert "Traceback" not in run.err, run.err
        assert run.code in (0, 2), run
        if run.code == 2:
            assert_error_at(run, "rules.yaml", *position(text, "\\ud83d"))


# -- includes and terms ------------------------------------------------------------------------


def ruleset_including(name: str) -> str:
    return f"group: g\ntitle: T\ninclude:\n  - {name}\nrules:\n" + GOOD_RULE


@pytest.mark.parametrize("how", ["parent", "absolute", "symlink", "nested-parent"])
def test_include_outside_the_folder_is_refused_at_its_line(both, tmp_path, how):
    outside = write(tmp_path, "vocab.yaml", 'terms:\n  A: "a"\n')
    folder = tmp_path / "sets"
    folder.mkdir()
    write(folder, "sub/inner.yaml", 'terms:\n  B: "b"\n')
    if how == "parent":
        name = "../vocab.yaml"
    elif how == "absolute":
        name = str(outside)
    elif how == "nested-parent":
        name = "sub/../../vocab.yaml"
    else:
        (folder / "link.yaml").symlink_to(outside)
        name = "link.yaml"
    text = ruleset_including(name)
    rules = write(folder, "rules.yaml", text)
    line, column = position(text, name)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", line, column, says=("outside",), token=name)


def test_include_inside_the_folder_is_fine(cli, tmp_path):
    folder = tmp_path / "sets"
    write(folder, "vocab/oewg.yaml", 'terms:\n  PoA: any("Programme of Action", "PoA")\n')
    text = ("group: g\ntitle: T\ninclude: [vocab/oewg.yaml]\nrules:\n"
            "  - id: r\n    says: S\n    check: mentions(PoA)\n")
    rules = write(folder, "rules.yaml", text)
    run = cli("validate", rules)
    assert run.code == 0, run.err


def test_include_of_a_missing_file(both, tmp_path):
    text = ruleset_including("missing.yaml")
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, "missing.yaml")
    for run in both(rules):
        assert_error_at(run, "rules.yaml", line, column, says=("missing.yaml",))


def test_included_file_with_rules_is_refused_at_its_own_position(both, tmp_path):
    write(tmp_path, "vocab.yaml", 'terms:\n  A: "a"\nrules: []\n')
    rules = write(tmp_path, "rules.yaml", ruleset_including("vocab.yaml"))
    for run in both(rules):
        assert_error_at(run, "vocab.yaml", 3, 1, says=("rules",))


def test_term_defined_in_the_file_and_in_an_included_vocabulary(both, tmp_path):
    vocab = 'terms:\n  PoA: "Programme of Action"\n'
    write(tmp_path, "vocab.yaml", vocab)
    text = ("group: g\ntitle: T\ninclude: [vocab.yaml]\nterms:\n  PoA: any(\"PoA\")\nrules:\n"
            "  - id: r\n    says: S\n    check: mentions(PoA)\n")
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        found = [d for d in diagnostics(run.err) if "PoA" in d.message]
        assert found, run.err
        d = found[0]
        at = (Path(d.path).name, d.line, d.column)
        assert at in {("rules.yaml", *position(text, "PoA:")),
                      ("vocab.yaml", *position(vocab, "PoA:"))}, run.err
        assert d.caret == d.column


def test_term_defined_twice_in_one_file(both, tmp_path):
    text = ("group: g\ntitle: T\nterms:\n  A: \"a\"\n  A: \"b\"\nrules:\n"
            "  - id: r\n    says: S\n    check: mentions(A)\n")
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", *position(text, "A:", 2), token="A")


def test_term_cycle(both, tmp_path):
    text = ("group: g\ntitle: T\nterms:\n  A: any(\"a\", B)\n  B: any(\"b\", A)\nrules:\n"
            "  - id: r\n    says: S\n    check: mentions(A)\n")
    rules = write(tmp_path, "rules.yaml", text)
    references = {position(text, "B)"), position(text, "A)")}
    for run in both(rules):
        found = [d for d in diagnostics(run.err) if "cycle" in d.message]
        assert found, run.err
        assert (found[0].line, found[0].column) in references, run.err
        assert found[0].caret == found[0].column


def test_term_referring_to_itself(both, tmp_path):
    text = ("group: g\ntitle: T\nterms:\n  C: near(C, \"x\", 3)\nrules:\n"
            "  - id: r\n    says: S\n    check: mentions(C)\n")
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", *position(text, "C, "), says=("cycle",), token="C")


# -- the rule language -------------------------------------------------------------------------

LANGUAGE_ERRORS = [
    # (id, check, token under the caret, nth occurrence of the token, words in the message)
    ("unknown-function", 'mention("x")', "mention(", 1, ("did you mean 'mentions'",)),
    ("unknown-name", 'mentions("a") or foo', "foo", 1, ("foo",)),
    ("wrong-arity", 'near("a", "b")', "near(", 1, ("argument",)),
    ("count-of-number", "count(3) > 1", "3)", 1, ("pattern",)),
    ("mentions-of-count", 'mentions(count("x"))', "count(", 1, ("pattern",)),
    ("pattern-compared", '"a" < 3', '"a"', 1, ("number",)),
    ("bad-regex", "/(a/", "/(a/", 1, ("regex",)),
    ("backwards-range", '"x" in paragraphs(20..12)', "20..12", 1, ()),
    ("bad-resolution", 'resolution("abc")', '"abc"', 1, ("abc",)),
    ("in-a-phrase", '"x" in "y"', '"y"', 1, ("scope",)),
    ("unclosed-paren", 'mentions("x"', "(", 1, ("unclosed",)),
    ("unclosed-quote", 'mentions("x)', '"x)', 1, ("quote",)),
    ("chained-comparison", "1 < 2 < 3", "< 3", 1, ("chain",)),
    ("number-as-condition", 'count("x")', "count(", 1, ()),
    ("term-called", 'mentions(PoA("x"))', "PoA(", 1, ("term",)),
]


@pytest.mark.parametrize("check, token, nth, says",
                         [case[1:] for case in LANGUAGE_ERRORS],
                         ids=[case[0] for case in LANGUAGE_ERRORS])
def test_language_error_points_at_the_token(both, tmp_path, check, token, nth, says):
    text = rule_yaml(check, terms={"PoA": '"Programme of Action"'})
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, token, nth, after="check: |")
    for run in both(rules):
        assert_error_at(run, "rules.yaml", line, column, says=says, token=token)


def test_error_on_second_line_of_a_block_scalar(both, tmp_path):
    text = rule_yaml('mentions("a") and\n  mentoins("b")')
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, "mentoins")
    assert line == text.count("\n")  # the last line of the file, indented inside the block
    for run in both(rules):
        assert_error_at(run, "rules.yaml", line, column, says=("did you mean 'mentions'",),
                        token="mentoins")


def test_error_in_a_folded_scalar(both, tmp_path):
    text = ("group: g\ntitle: T\nrules:\n  - id: r\n    says: S\n    check: >\n"
            "      mentions(\"a\") and\n      near(\"b\", \"c\")\n")
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", *position(text, "near("), token="near(")


def test_error_in_a_plain_multiline_scalar(both, tmp_path):
    text = ("group: g\ntitle: T\nrules:\n  - id: r\n    says: S\n    check: mentions(\"a\") and\n"
            "      mentoins(\"b\")\n")
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", *position(text, "mentoins"), token="mentoins")


@pytest.mark.parametrize("check_line, token", [
    (r'check: "mentions(\"x\""', "("),
    (r'check: "mentions(\"x\") and menti(\"y\")"', "menti("),
    (r'check: "mentions(\"caf\u00e9\") and mentoins(\"y\")"', "mentoins("),
    (r'check: "mentions(\"a\tb\") and mentoins(\"y\")"', "mentoins("),
    ("check: 'mentions(''x'') and mentoins(''y'')'", "mentoins("),
], ids=["unclosed", "escaped-quotes", "unicode-escape", "tab-escape", "single-quoted"])
def test_error_inside_a_quoted_yaml_check(both, tmp_path, check_line, token):
    text = f"group: g\ntitle: T\nrules:\n  - id: r\n    says: S\n    {check_line}\n"
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, token)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", line, column, token=token)


def test_error_inside_a_term_points_into_the_terms(both, tmp_path):
    text = rule_yaml("mentions(A)", terms={"A": 'any("a", mentoins("b"))'})
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", *position(text, "mentoins"), token="mentoins")


def test_validate_accepts_the_shipped_rule_set_and_folder(cli):
    for target in (ROOT / "rules" / "joint_statement.yaml", ROOT / "rules"):
        run = cli("validate", target)
        assert run.code == 0, run.err
        assert "joint-statement" in run.out
        assert run.err == ""


# -- drafts ------------------------------------------------------------------------------------

GOOD_RULES = rule_yaml('mentions("Geneva")')


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    return write(tmp_path, "rules.yaml", GOOD_RULES)


def _bad_draft(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"bad-{kind}.txt"
    if kind == "missing":
        return path
    if kind == "directory":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "whitespace":
        path.write_bytes(b"  \n\t\n\r\n   ")
    elif kind == "png":
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))
    elif kind == "nul":
        path.write_bytes(b"1. The Group met.\x00\x00\x00 in Geneva.\n")
    return path


@pytest.mark.parametrize("kind", ["missing", "directory", "empty", "whitespace", "png", "nul"])
def test_unreadable_draft(cli, tmp_path, rules_file, kind):
    bad = _bad_draft(tmp_path, kind)
    out = tmp_path / "out.json"
    run = cli(bad, "--rules", rules_file, "-o", out)
    assert_clean_failure(run)
    assert f"{bad}: error:" in run.err, run.err
    assert not out.exists()
    assert run.out == ""


def test_one_bad_draft_does_not_stop_the_others(cli, tmp_path, rules_file, draft):
    # Batch contract (issue 6): the good drafts are reported, the bad one is named, exit 2.
    out = tmp_path / "out.json"
    run = cli(draft, tmp_path / "missing.txt", draft, "--rules", rules_file, "-o", out,
              "--format", "json", "-j", "2")
    assert_clean_failure(run)
    assert "missing.txt" in run.err
    report = json.loads(out.read_text("utf-8"))
    assert [d["path"] for d in report["drafts"]] == [str(draft), str(draft)]


def test_only_bad_drafts_write_nothing(cli, tmp_path, rules_file):
    out = tmp_path / "out.json"
    run = cli(tmp_path / "missing.txt", "--rules", rules_file, "-o", out)
    assert_clean_failure(run)
    assert not out.exists()


WESTERN = ("1. The Group welcomed C\u00f4te d\u2019Ivoire and \u201cquotes\u201d \u2013 "
           "with a dash.\n")
IVORY_RULES = rule_yaml("mentions(\"C\u00f4te d'Ivoire\")\n"
                        "and /Ivoire and \"quotes\" - with/")


@pytest.mark.parametrize("encoding, bom", [
    ("cp1252", b""), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-8", codecs.BOM_UTF8),
], ids=["windows-1252", "utf-16-le", "utf-16-be", "utf-8-bom"])
def test_legacy_and_bom_encodings_are_read_correctly(cli, tmp_path, encoding, bom):
    draft = tmp_path / "draft.txt"
    draft.write_bytes(bom + WESTERN.encode(encoding))
    rules = write(tmp_path, "rules.yaml", IVORY_RULES)
    run = cli(draft, "--rules", rules, "--format", "json")
    assert run.code == 0, run.err
    verdict = run.json()["drafts"][0]["groups"][0]["rules"][0]
    assert verdict["status"] == "met", verdict["why"]
    assert any("C\u00f4te d'Ivoire" in e["text"] for e in verdict["evidence"]), verdict


@pytest.mark.parametrize("text, regex", [
    ("a" * (1 << 20) + "!\n", "/(a+)+$/"),
    ("x" * (1 << 20) + "\n", "/(x+x+)+y/"),
    ("a" * (1 << 20) + "\n", "/(a|aa)+b/"),
], ids=["nested-plus", "x-x-y", "alternation"])
def test_catastrophic_regex_on_a_large_draft_finishes(cli, tmp_path, text, regex):
    draft = tmp_path / "big.txt"
    draft.write_text(text, encoding="utf-8")
    rules = write(tmp_path, "rules.yaml", rule_yaml(regex))
    started = time.monotonic()
    run = cli(draft, "--rules", rules, "--format", "json")
    assert time.monotonic() - started < 5
    assert run.code == 1, run.err
    assert run.json()["drafts"][0]["groups"][0]["rules"][0]["status"] == "unmet"


# -- usage -------------------------------------------------------------------------------------


def test_unknown_option(cli, draft):
    run = cli(draft, "--rules", "joint_statement.yaml", "--bogus")
    assert_clean_failure(run)
    assert "--bogus" in run.err
    assert run.out == ""


def test_missing_rules(cli, draft):
    run = cli(draft)
    assert_clean_failure(run)
    assert "--rules" in run.err


def test_unknown_format(cli, draft, tmp_path):
    out = tmp_path / "out.xml"
    run = cli(draft, "--rules", "joint_statement.yaml", "--format", "xml", "-o", out)
    assert_clean_failure(run)
    assert "xml" in run.err
    assert not out.exists()


def test_unknown_fail_on(cli, draft):
    run = cli(draft, "--rules", "joint_statement.yaml", "--fail-on", "blocker")
    assert_clean_failure(run)
    assert "blocker" in run.err


def test_rules_naming_nothing_lists_the_shipped_rule_sets(cli, draft, tmp_path):
    out = tmp_path / "out.json"
    run = cli(draft, "--rules", "no_such_rules.yaml", "-o", out)
    assert_clean_failure(run)
    assert "no_such_rules.yaml" in run.err
    assert "joint_statement.yaml" in run.err
    assert not out.exists()


def test_rules_folder_without_rule_files(cli, draft, tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    run = cli(draft, "--rules", empty)
    assert_clean_failure(run)
    assert "nothing" in run.err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("target", ["draft", "rules", "draft-via-dotdot", "draft-via-symlink",
                                    "rules-in-folder"])
def test_output_over_an_input_is_refused(cli, tmp_path, draft, rules_file, target):
    (tmp_path / "sub").mkdir()
    if target == "draft":
        output, rules_arg = draft, rules_file
    elif target == "rules":
        output, rules_arg = rules_file, rules_file
    elif target == "draft-via-dotdot":
        output, rules_arg = tmp_path / "sub" / ".." / "draft.txt", rules_file
    elif target == "draft-via-symlink":
        output, rules_arg = tmp_path / "sub" / "alias.txt", rules_file
        output.symlink_to(draft)
    else:
        output, rules_arg = rules_file, tmp_path  # the folder holding rules.yaml
    before = {p: _digest(p) for p in (draft, rules_file)}
    run = cli(draft, "--rules", rules_arg, "-o", output)
    assert_clean_failure(run)
    assert "Traceback" not in run.err
    assert {p: _digest(p) for p in before} == before
    if target == "draft-via-symlink":
        assert output.is_symlink()


def test_failed_run_leaves_an_existing_output_file_alone(cli, tmp_path, draft):
    out = write(tmp_path, "out.json", "previous report\n")
    bad = write(tmp_path, "rules.yaml", rule_yaml("mention(\"x\")"))
    for args in ((draft, "--rules", bad), (tmp_path / "missing.txt", "--rules", bad),
                 (draft, "--rules", "no_such_rules.yaml")):
        run = cli(*args, "-o", out)
        assert_clean_failure(run)
        assert out.read_text(encoding="utf-8") == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.txt", "out.json", "rules.yaml"]


def _unwritable_output(tmp_path: Path, where: str) -> Path:
    import os
    import sys
    if where == "read-only-folder":
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            pytest.skip("root can write into a read-only folder")
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
        return folder / "out.json"
    if not sys.platform.startswith("linux") or not Path("/proc/self").is_dir():
        pytest.skip("needs Linux /proc, a folder where no file can be created")
    return Path("/proc/draftcheck-report.json")


@pytest.mark.parametrize("where", ["read-only-folder", "proc"])
def test_unwritable_output_is_a_usage_error(cli, tmp_path, draft, rules_file, where):
    out = _unwritable_output(tmp_path, where)
    run = run_guarded(cli, draft, "--rules", rules_file, "-o", out)
    assert_clean_failure(run)
    assert str(out) in run.err, run.err


# -- hostile or careless rule files (a probe found each of these; none may pass silently, crash,
# or print a traceback) --------------------------------------------------------------------------


@pytest.mark.parametrize("text, token", [
    ("group: g\ntitle: T\nrules:\n  - id: r\n    says: =\n    check: mentions(\"x\")\n", "="),
    ("group: g\ntitle: T\nterms:\n  <<: {A: '\"a\"'}\nrules:\n" + GOOD_RULE, "<<"),
], ids=["value-key", "merge-key"])
def test_yaml_special_keys_are_refused_not_dropped(both, tmp_path, text, token):
    # YAML reads a plain `=` or `<<` as a value or merge key: the rule set was dropped, exit 0.
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", *position(text, token), says=("put it in quotes",))


@pytest.mark.parametrize("text, token, says", [
    ("group: g\ntitle: T\nterms:\n  [a, b]: '\"a\"'\nrules:\n" + GOOD_RULE, "[a, b]",
     "a key must be a name or a text"),
    ("group: g\ntitle: T\nrules:\n" + GOOD_RULE + "    demand: " + "9" * 5000 + "\n", "9" * 40,
     "cannot read '9999"),
    ("group: g\ntitle: T\nrules:\n" + GOOD_RULE + "    demand: 2001-02-30\n", "2001-02-30",
     "cannot read '2001-02-30': day is out of range"),
    ("group: g\ntitle: T\nmembers: " + "[" * 3000 + "]" * 3000 + "\nrules:\n" + GOOD_RULE,
     "[" * 10, "lists or mappings nested too deeply"),
], ids=["list-as-key", "5000-digit-number", "30th-of-february", "3000-levels"])
def test_values_yaml_cannot_build_are_errors_at_their_place(both, tmp_path, text, token, says):
    rules = write(tmp_path, "rules.yaml", text)
    line, column = position(text, token)
    if token == "[" * 10:
        column += 100  # past the levels libyaml is trusted with
    for run in both(rules):
        if token == "[" * 10:  # (a line of 6,000 brackets is shown cut: no caret check)
            assert_clean_failure(run)
            assert f"rules.yaml:{line}:{column}: error: invalid YAML: {says}" in run.err
            continue
        assert_error_at(run, "rules.yaml", line, column, says=(says,))


def test_brackets_nested_thirty_thousand_deep_do_not_crash_the_parser(tmp_path):
    # libyaml's composer ended the process with a segmentation fault (exit 139, no message).
    rules = write(tmp_path, "rules.yaml", "group: g\ntitle: T\nmembers: " + "[" * 30_000 +
                  "]" * 30_000 + "\nrules:\n" + GOOD_RULE)
    done = subprocess.run([sys.executable, "-m", "checker", "validate", str(rules)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr[-500:]
    assert "rules.yaml:3:110: error: invalid YAML: lists or mappings nested too deeply" \
        in done.stderr


def test_an_include_the_file_system_refuses_is_an_error_at_its_place(both, tmp_path):
    text = 'group: g\ntitle: T\ninclude: ["v\\0.yaml"]\nrules:\n' + GOOD_RULE
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", *position(text, '"v'),
                        says=("the file system refuses this name",))
        assert "\x00" not in run.err


def test_what_a_rule_file_says_is_shown_not_obeyed_by_the_terminal(both, tmp_path):
    # An escape sequence in the file (clear the screen, set the window title) is echoed as text,
    # and a very long line is cut to the part around the column.
    text = ("group: g\ntitle: T\nrules:\n  - id: r\n    says: S" + "x" * 5000 +
            "\x1b[2J\x1b]0;PWNED\x07\n    check: mentions(\"x\")\n")
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_clean_failure(run)
        assert "\x1b" not in run.err and "\x07" not in run.err
        assert "\\x1b[2J" in run.err
        assert max(len(line) for line in run.err.splitlines()) < 300


def test_many_unclosed_brackets_in_texts_are_no_error(cli, tmp_path):
    # Brackets in texts count towards the nesting that sends a file to the slower parser;
    # they never make a valid rule set invalid.
    rules = "".join(f"  - id: r{i}\n    says: see [{i}\n    check: /\\[{i}/\n" for i in range(150))
    path = write(tmp_path, "rules.yaml", "group: g\ntitle: T\nrules:\n" + rules)
    run = cli("validate", path)
    assert run.code == 0, run.err


def test_a_windows_rule_file_is_quoted_without_its_line_ends(both, tmp_path):
    # Control characters in a quoted line are written as escapes: a CR line end is not one.
    text = ("group: g\ntitle: T\nrules:\n  - id: r\n    says: S\n"
            "    check: '\"a\" and nera(\"b\")'\n").replace("\n", "\r\n")
    path = tmp_path / "rules.yaml"
    path.write_bytes(text.encode())
    for run in both(path):
        assert_error_at(run, "rules.yaml", 6, 21, says=("did you mean 'near'",), token="nera")
        assert "\\x0d" not in run.err and "\r" not in run.err


@pytest.mark.parametrize("text, token", [
    ('group: "g1\\n"\ntitle: T\nrules:\n' + GOOD_RULE, '"g1'),
    ('group: g\ntitle: T\nrules:\n' + GOOD_RULE.replace("id: r", 'id: "r1\\n"'), '"r1'),
    ('group: g\ntitle: T\nterms:\n  "A\\n": \'"a"\'\nrules:\n' + GOOD_RULE, '"A'),
], ids=["group", "rule-id", "term-name"])
def test_a_name_ending_in_a_line_break_is_refused(both, tmp_path, text, token):
    # Python's `$` also matches before a final line break: "g1\n" passed as a group name.
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", *position(text, token), says=("is not valid",))


@pytest.mark.parametrize("line_break", ["\r", "\x85", "\u2028"], ids=["old-mac-cr", "nel", "ls"])
def test_positions_count_the_line_breaks_yaml_counts(both, tmp_path, line_break):
    # YAML ends a line at a lone CR, a NEL or U+2028 too: a position on line 6 was shown on
    # line 1 (CR) or on an empty line (NEL, U+2028).
    lines = ["group: g", "title: T", "rules:", "  - id: r", "    says: S",
             "    check: '\"a\" and nera(\"b\")'", ""]
    path = tmp_path / "rules.yaml"
    path.write_text(line_break.join(lines), encoding="utf-8", newline="")
    for run in both(path):
        assert_error_at(run, "rules.yaml", 6, 21, says=("did you mean 'near'",), token="nera")


@pytest.mark.parametrize("tagged", ["!!str r", "! r"])
def test_a_tag_that_names_a_plain_type_is_refused_too(both, tmp_path, tagged):
    # docs/rulesets.md refuses every tag, `!!str` included; these passed, as they build text.
    text = "group: g\ntitle: T\nrules:\n" + GOOD_RULE.replace("id: r", f"id: {tagged}")
    rules = write(tmp_path, "rules.yaml", text)
    for run in both(rules):
        assert_error_at(run, "rules.yaml", *position(text, "!"), says=("tags",))


def test_an_exclamation_mark_in_a_text_is_no_tag(cli, tmp_path):
    text = "group: g\ntitle: T\nrules:\n" + GOOD_RULE.replace("says: S", "says: Never again!")
    run = cli("validate", write(tmp_path, "rules.yaml", text))
    assert run.code == 0, run.err
