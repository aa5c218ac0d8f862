"""The public API: load rule sets, check drafts, get a Report. The CLI and the tests use it.

The stages are chained here and nowhere else: load -> compile (every rule-file problem surfaces
before any draft is read) -> read each draft once -> evaluate every rule set on it -> verdicts.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from checker import __version__
from checker.document.model import Document
from checker.document.read import STDIN, read_document
from checker.document.segment import parse_document
from checker.errors import DraftcheckError, DraftError, Problem, RuleError, UsageError
from checker.evaluation.evaluator import Evaluator
from checker.evaluation.forking import share_out
from checker.evaluation.verdicts import judge, judge_all
from checker.files import read_regular
from checker.language.compiler import CompiledRuleSet, compile_ruleset
from checker.report.model import DraftResult, GroupResult, Report
from checker.ruleset import cache
from checker.ruleset.model import MAX_RULE_FILE, check_unique_groups

if TYPE_CHECKING:
    from checker.compare.overview import Overview
    from checker.compare.relations import Comparison
    from checker.evaluation.examples import ExampleResult
    from checker.revisions.diff import Diff

RULE_SUFFIXES = (".yaml", ".yml")


def installed_rules_dir() -> Path:
    """Return the folder of rule sets shipped with the package (or the checkout's rules/)."""
    packaged = resources.files("checker") / "rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[1] / "rules"


def find_rule_files(spec: str) -> list[Path]:
    """Resolve a --rules argument: a file, a folder of *.yaml, or a bare name of a shipped set."""
    path = Path(spec)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in RULE_SUFFIXES and p.is_file())
        if not files:
            raise UsageError.at(spec, "no rule files (*.yaml) in this folder")
        return files
    if path.is_file():
        return [path]
    if path.parent == Path(".") and not path.is_absolute():
        for folder in (Path("rules"), installed_rules_dir()):
            for name in (spec, spec + ".yaml"):
                if (folder / name).is_file():
                    return [folder / name]
    shipped = sorted(p.name for p in installed_rules_dir().glob("*.yaml"))
    hint = f" (shipped rule sets: {', '.join(shipped)})" if shipped else ""
    raise UsageError.at(spec, f"no such rule file or folder{hint}")


def load_rules(specs: Iterable[str]) -> list[CompiledRuleSet]:
    """Load and compile every rule set named; raise RuleError listing every problem found."""
    problems: list[Problem] = []
    compiled: list[CompiledRuleSet] = []
    files = list(dict.fromkeys(p for spec in specs for p in find_rule_files(spec)))
    for file in files:
        try:
            compiled.append(_compiled(file))
        except RuleError as error:  # (never without a problem: a file is never dropped quietly)
            problems.extend(error.problems or [Problem(str(file), "cannot be read as a rule set")])
            if error.partial is not None:  # check the language of what the schema let through
                try:
                    compile_ruleset(error.partial)
                except RuleError as more:
                    problems.extend(p for p in more.problems if p not in error.problems)
    if problems:
        raise RuleError(problems)
    check_unique_groups([c.ruleset for c in compiled])
    return compiled


def _compiled(file: Path) -> CompiledRuleSet:
    """Load and compile a rule file, or reuse its compiled form from an earlier run.

    Parsing thousands of checks costs more than most drafts: a compiled rule set is cached,
    keyed by the file's bytes, its place (the same file in two checkouts includes different
    vocabularies) and shown path, and draftcheck's code; the content of every file it includes
    is checked on every use.
    """
    shown = _shown(file)
    try:
        with file.open("rb") as handle:
            raw = handle.read(MAX_RULE_FILE + 1)  # (a huge file is refused, never held whole)
    except OSError:
        return _read_and_compile(file, shown)  # the loader says what is wrong
    if len(raw) > MAX_RULE_FILE:
        return _read_and_compile(file, shown)
    name = cache.entry_name("rules", cache.key(str(file.resolve()), shown, raw))
    entry = cache.load(name)
    if entry is not None:
        ruleset, includes = entry
        if all(_digest(path) == digest for path, digest in includes):
            return ruleset
    ruleset = _read_and_compile(file, shown)
    cache.store(name, (ruleset, [(p, _digest(p)) for p in ruleset.ruleset.included]))
    return ruleset


def _read_and_compile(file: Path, shown: str) -> CompiledRuleSet:
    from checker.ruleset.load import load_ruleset  # YAML is read only when the cache has no copy

    return compile_ruleset(load_ruleset(file, shown))


def _digest(path: Path) -> str | None:
    """Return the sha256 of an included file, or None if it is not a readable regular file."""
    data = read_regular(path, MAX_RULE_FILE)
    return None if data is None else hashlib.sha256(data).hexdigest()


def _shown(path: Path) -> str:
    """Show a path relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


SHARE_FROM = 1000  # rules; with fewer, forking a second process costs about what it saves


def check_document(document: Document, rulesets: list[CompiledRuleSet],
                   explain: bool = False, with_text: bool = True, jobs: int = 1) -> DraftResult:
    """Check one document against every rule set, sharing one evaluator between them.

    With `jobs` > 1 and at least SHARE_FROM rules, the rules are shared out between up to
    `jobs` processes (shares of at least SHARE_FROM / 2 rules, no more processes than
    processors), forked once the draft is indexed (see checker.evaluation.forking): the same
    verdicts, sooner.
    """
    evaluator = Evaluator(document)
    rules = [rule for rs in rulesets for rule in rs.rules]
    shares = min(jobs, len(rules) // (SHARE_FROM // 2)) if len(rules) >= SHARE_FROM else 1
    verdicts = iter(share_out(lambda share: judge_all(share, evaluator, explain), rules, shares))
    groups = tuple(
        GroupResult(group=rs.ruleset.group, title=rs.ruleset.title, rules_path=rs.ruleset.path,
                    verdicts=tuple(itertools.islice(verdicts, len(rs.rules))))
        for rs in rulesets)
    return DraftResult(path=document.path, sha256=document.sha256, groups=groups,
                       text=document.text if with_text else "")


def check(drafts: Iterable[Document], rulesets: list[CompiledRuleSet],
          explain: bool = False) -> Report:
    """Check drafts against rule sets and return the report."""
    return Report(version=__version__,
                  drafts=tuple(check_document(d, rulesets, explain) for d in drafts))


def diff_files(old: str, new: str, rulesets: Sequence[CompiledRuleSet], *,
               moved: bool = False) -> Diff:
    """Read two drafts ("-" for standard input, once) and compare them; DraftError lists both."""
    if old == STDIN and new == STDIN:
        raise UsageError.at(STDIN, "only one of OLD and NEW can be read from standard input")
    documents, problems = [], []
    for path in (old, new):
        try:
            documents.append(read_document(path))
        except DraftcheckError as error:
            problems.extend(error.problems)
    if problems:
        raise DraftError(problems)
    return diff_drafts(documents[0], documents[1], rulesets, moved=moved)


def diff_drafts(old: Document, new: Document, rulesets: Sequence[CompiledRuleSet], *,
                moved: bool = False) -> Diff:
    """Check two revisions against the same rule sets and compare the verdicts."""
    from checker.revisions.diff import diff_reports

    report = check([old, new], list(rulesets))
    return diff_reports(report.drafts[0], report.drafts[1], old, new, rulesets, check_document,
                        moved=moved)


def compare_groups(rulesets: list[CompiledRuleSet], drafts: Sequence[str] = (), *, jobs: int = 1
                   ) -> tuple[Comparison, Overview | None, tuple[Problem, ...]]:
    """Compare the groups' demands and, given drafts, what each draft gives every group; the
    problems are those of drafts that could not be read (the others are still compared)."""
    from checker.compare.overview import overview
    from checker.compare.relations import compare

    comparison = compare(rulesets)
    if not drafts:
        return comparison, None, ()
    batch = check_files(list(drafts), rulesets, jobs=jobs)
    return comparison, overview(batch.report), batch.problems


def run_examples(rulesets: list[CompiledRuleSet]) -> list[ExampleResult]:
    """Check each rule against each of its examples, as a one-paragraph draft of its own."""
    from checker.evaluation.examples import ExampleResult, examples

    results = []
    for ruleset, rule, expected, text in examples(rulesets):
        document = parse_document(text, path=f"{ruleset.path}#{rule.written.id}")
        verdict = judge(rule, Evaluator(document))
        results.append(ExampleResult(ruleset.path, ruleset.group, rule.written.id, expected,
                                     verdict.status, text, verdict.why))
    return results


@dataclass(frozen=True)
class Batch:
    """The outcome of checking draft files: a report of those read, problems of the others."""

    report: Report
    problems: tuple[Problem, ...]


def check_files(paths: list[str], rulesets: list[CompiledRuleSet], *, explain: bool = False,
                jobs: int = 1, progress: Callable[[int], None] | None = None,
                original: bool = False, with_text: bool = True) -> Batch:
    """Read and check draft files, in `jobs` processes; keep the order of `paths`.

    Several drafts are checked in parallel; a single draft has its rules shared out instead
    (`check_document`).

    A draft that cannot be read is reported in `problems` and the others are still checked;
    a draft whose worker process died is checked again in this one.
    `progress(n)` is called each time another draft is done. `with_text=False` leaves the draft
    text out of the results (only a report showing the draft needs it; workers send less back).
    """
    options = {"explain": explain, "original": original, "with_text": with_text}
    outcomes: list[DraftResult | DraftcheckError | None] = [None] * len(paths)
    done = 0

    def finish(i: int, outcome: DraftResult | DraftcheckError) -> None:
        nonlocal done
        outcomes[i] = outcome
        done += 1
        if progress:
            progress(done)

    # Standard input is read here, and once: a worker process would find it empty, and a
    # second "-" would too.
    stdin = [i for i, path in enumerate(paths) if path == STDIN]
    files = [i for i, path in enumerate(paths) if path != STDIN]
    if stdin:  # (every "-" is the same text: checked once)
        outcome = _checked(_read(STDIN, original), rulesets, explain, with_text, jobs)
        for i in stdin:
            finish(i, outcome)
    if jobs > 1 and len(files) > 1:
        import multiprocessing  # only batches of drafts need processes
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        context = multiprocessing.get_context("fork" if "fork" in
                                              multiprocessing.get_all_start_methods() else None)
        lost = []  # drafts whose worker died (killed, out of memory): checked here instead
        with ProcessPoolExecutor(max_workers=min(jobs, len(files)), mp_context=context,
                                 initializer=_start_worker,
                                 initargs=(rulesets, options)) as pool:
            futures = {pool.submit(_check_in_worker, paths[i]): i for i in files}
            for future in as_completed(futures):
                try:
                    finish(futures[future], future.result())
                except BrokenProcessPool:
                    lost.append(futures[future])
        for i in sorted(lost):
            finish(i, _check_file(paths[i], rulesets, **options))
    else:
        for i in files:
            finish(i, _check_file(paths[i], rulesets, **options, jobs=jobs))  # one at a time
    drafts = tuple(o for o in outcomes if isinstance(o, DraftResult))
    problems = tuple(p for o in outcomes if isinstance(o, DraftcheckError) for p in o.problems)
    return Batch(Report(version=__version__, drafts=drafts), problems)


def _read(path: str, original: bool) -> Document | DraftcheckError:
    """Read one draft; a draft that cannot be read is returned as its error."""
    try:
        return read_document(path, original=original)
    except DraftcheckError as error:
        return error


def _check_file(path: str, rulesets: list[CompiledRuleSet], *, explain: bool, original: bool,
                with_text: bool, jobs: int = 1) -> DraftResult | DraftcheckError:
    """Read and check one draft; a draft that cannot be read is returned as its error."""
    return _checked(_read(path, original), rulesets, explain, with_text, jobs)


def _checked(read: Document | DraftcheckError, rulesets: list[CompiledRuleSet], explain: bool,
             with_text: bool, jobs: int) -> DraftResult | DraftcheckError:
    """Check a draft read, or pass on the error that reading it gave."""
    if isinstance(read, DraftcheckError):
        return read
    return check_document(read, rulesets, explain, with_text, jobs)


# A worker process receives the compiled rule sets once, when it starts, not with every draft.
_WORKER: dict[str, object] = {}


def _start_worker(rulesets: list[CompiledRuleSet], options: dict[str, bool]) -> None:
    _WORKER.update(rulesets=rulesets, options=options)


def _check_in_worker(path: str) -> DraftResult | DraftcheckError:
    return _check_file(path, _WORKER["rulesets"], **_WORKER["options"])  # type: ignore[arg-type]


__all__ = ["Batch", "DraftcheckError", "check", "check_document", "check_files",
           "compare_groups", "diff_drafts", "diff_files", "find_rule_files",
           "installed_rules_dir", "load_rules", "run_examples"]
