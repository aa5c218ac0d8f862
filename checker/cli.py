"""The command line: thin typer commands that call checker.api and a format (checker.formats).

`draftcheck DRAFT... --rules RULES...` is `draftcheck check ...`. Exit codes: 0 nothing unmet at
or above --fail-on, 1 something is, 2 a usage, input or rule error (message on stderr, never a
traceback). Inputs are never modified; output files are written whole or not at all.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from enum import Enum, IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from checker import __version__, formats
from checker.errors import DraftcheckError, UsageError
from checker.evaluation.forking import cores
from checker.formats import OutputFormat

if TYPE_CHECKING:
    from checker.ruleset.model import Severity


class ExitStatus(IntEnum):
    OK = 0
    UNMET = 1
    ERROR = 2


def _choices(name: str, table: dict[str, OutputFormat]) -> type[Enum]:
    """The --format choices of a command: its table's keys, in the table's order."""
    return Enum(name, {key.upper(): key for key in table}, type=str)


CheckFormat = _choices("CheckFormat", formats.CHECK)
DiffFormat = _choices("DiffFormat", formats.DIFF)
CompareFormat = _choices("CompareFormat", formats.COMPARE)
ConsensusFormat = _choices("ConsensusFormat", formats.CONSENSUS)


class FailOn(str, Enum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    NEVER = "never"

    def threshold(self) -> Severity | None:
        """Return the least severity that makes the command exit 1 (None: never)."""
        from checker.ruleset.model import Severity

        return None if self == FailOn.NEVER else Severity(self.value)


app = typer.Typer(
    name="draftcheck", add_completion=False, no_args_is_help=True,
    pretty_exceptions_enable=False, rich_markup_mode=None,
    help="Check a draft negotiated text against every group's demands, with evidence.\n\n"
         "draftcheck DRAFT... --rules RULES... is the same as draftcheck check ...",
    epilog="Exit codes: 0 nothing unmet at or above --fail-on; 1 something is; "
           "2 a usage, input or rule error.")

def _version(value: bool) -> None:
    if value:
        typer.echo(f"draftcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
          ) -> None:
    """Check a draft negotiated text against every group's demands, with evidence."""


RulesOption = Annotated[list[str], typer.Option(
    "--rules", "-r", metavar="RULES",
    help="A rule file, a folder of *.yaml, or a shipped rule set's name "
         "(looked up in ./rules/, then among the installed ones). Repeatable.")]


@app.command()
def check(
    drafts: Annotated[list[str], typer.Argument(
        metavar="DRAFT...",
        help="Draft files (.txt, .md, .docx, .pdf); '-' reads standard input.")],
    rules: RulesOption,
    fmt: Annotated[CheckFormat, typer.Option("--format", "-f", help="Output format.")
                   ] = CheckFormat.TEXT,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the report to this file instead of standard output.")] = None,
    fail_on: Annotated[FailOn, typer.Option(
        "--fail-on", help="Exit 1 when a rule this severe or worse is unmet.")] = FailOn.MAJOR,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Show each sub-condition's truth value in plain words.")] = False,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=1,
        help="Processes to use: drafts are checked in parallel, and a single draft with 1000 "
             "rules or more has its rules shared out (default: number of cores).")
                    ] = cores(),
    annotate: Annotated[Path | None, typer.Option(
        "--annotate", metavar="OUT.docx",
        help="Also write a copy of the .docx draft with a Word comment on each unmet "
             "demand.")] = None,
    original: Annotated[bool, typer.Option(
        "--original", help="Read .docx drafts as they were before their tracked changes.")
                        ] = False,
) -> None:
    """Check drafts against rule sets and report met and unmet demands with evidence."""
    from checker.api import check_files, load_rules

    form = formats.CHECK[fmt.value]
    _refuse_overwriting(output, drafts, rules)
    if annotate is not None:
        if len(drafts) != 1 or original:
            raise UsageError.at(str(annotate), "--annotate needs exactly one .docx draft, read "
                                               "with its tracked changes accepted (no --original)")
        _refuse_overwriting(annotate, drafts, rules)
    try:
        rulesets = load_rules(rules)  # every rule-file problem surfaces before a draft is read
    except DraftcheckError as error:
        problems = form.render_problems(error.problems)  # code-review tools read them (SARIF)
        if problems is not None:
            _emit(problems, output)
        raise
    with _progress(len(drafts)) as advance:
        batch = check_files(drafts, rulesets, explain=explain, jobs=jobs, progress=advance,
                            original=original, with_text=form.needs_text)
    report = batch.report
    if annotate is not None and report.drafts:
        from checker.report.annotate import annotate_docx

        annotate_docx(drafts[0], report.drafts[0], annotate)
    if report.drafts:  # one bad draft does not stop the others: they are reported
        _emit(_rendered(form, report, output), output)
    if batch.problems:
        raise DraftcheckError(batch.problems)
    if report.has_errors():
        raise typer.Exit(ExitStatus.ERROR)
    raise typer.Exit(ExitStatus.UNMET if report.fails(fail_on.threshold()) else ExitStatus.OK)


PROGRESS_FROM = 4  # drafts; fewer finish before a bar would be worth drawing


@contextlib.contextmanager
def _progress(total: int):
    """Yield a callback drawing a progress bar on stderr when it is a terminal (else None)."""
    if total < PROGRESS_FROM or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")))
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("checking drafts", total=total)
        yield lambda done: bar.update(task, completed=done)


@app.command()
def diff(
    old: Annotated[str, typer.Argument(metavar="OLD", help="The earlier revision.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="The later revision.")],
    rules: RulesOption,
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")
                   ] = DiffFormat.TEXT,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the comparison to this file.")] = None,
    moved: Annotated[bool, typer.Option(
        "--moved", help="Also list unchanged verdicts whose evidence moved.")] = False,
    fail_on: Annotated[FailOn, typer.Option(
        "--fail-on", help="Exit 1 when a rule this severe went from met to unmet.")
                       ] = FailOn.NEVER,
) -> None:
    """Compare two revisions: scores before and after, each rule that flipped, and why."""
    from checker.api import diff_files, load_rules

    _refuse_overwriting(output, [old, new], rules)
    rulesets = load_rules(rules)
    result = diff_files(old, new, rulesets, moved=moved)
    _emit(_rendered(formats.DIFF[fmt.value], result, output), output)
    if result.has_errors():
        raise typer.Exit(ExitStatus.ERROR)
    raise typer.Exit(ExitStatus.UNMET if result.regressed(fail_on.threshold()) else ExitStatus.OK)


@app.command()
def compare(
    rules: Annotated[list[str], typer.Argument(metavar="RULES", help="Rule files or folders.")],
    drafts: Annotated[list[str] | None, typer.Option(
        "--drafts", metavar="DRAFT...", help="Also score these drafts for every group.")] = None,
    fmt: Annotated[CompareFormat, typer.Option("--format", "-f", help="Output format.")
                   ] = CompareFormat.TEXT,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")
                      ] = None,
) -> None:
    """Pairs of demands from different groups that agree or that no text can meet together."""
    from checker.api import compare_groups, load_rules

    _refuse_overwriting(output, drafts or [], rules)
    comparison, view, problems = compare_groups(load_rules(rules), drafts or [], jobs=cores())
    _emit(_rendered(formats.COMPARE[fmt.value], comparison, output, drafts=view), output)
    if problems:
        raise DraftcheckError(problems)


@app.command()
def consensus(
    rules: Annotated[list[str], typer.Argument(metavar="RULES", help="Rule files or folders.")],
    fmt: Annotated[ConsensusFormat, typer.Option("--format", "-f", help="Output format.")
                   ] = ConsensusFormat.TEXT,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")
                      ] = None,
) -> None:
    """The largest-weight set of demands one text could meet, and what must give way."""
    from checker.api import load_rules
    from checker.compare.relations import consensus as find_consensus

    _refuse_overwriting(output, [], rules)
    _emit(_rendered(formats.CONSENSUS[fmt.value], find_consensus(load_rules(rules)), output),
          output)


@app.command()
def validate(
    rules: Annotated[list[str], typer.Argument(metavar="RULES", help="Rule files or folders.")],
) -> None:
    """Check rule sets (schema and rule language) without reading any draft."""
    from checker.api import load_rules
    from checker.compare.relations import always_or_never

    for compiled in load_rules(rules):
        ruleset = compiled.ruleset
        manual = sum(1 for r in compiled.rules if r.check is None)
        typer.echo(f"{ruleset.path}: ok — group {ruleset.group}, {len(ruleset.rules)} rules "
                   f"({manual} manual), {len(ruleset.terms)} terms")
        for warning in always_or_never(compiled):  # a check that can never, or always, be met
            typer.echo(warning.message, err=True)


@app.command("test")
def test_examples(
    rules: Annotated[list[str], typer.Argument(metavar="RULES", help="Rule files or folders.")],
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List passing examples too.")
                       ] = False,
) -> None:
    """Run the rules' embedded examples: each `met` text must meet its rule, each `unmet` not."""
    from checker.api import load_rules, run_examples

    results = run_examples(load_rules(rules))
    for result in results:
        if verbose or not result.passed:
            mark = "ok  " if result.passed else "FAIL"
            typer.echo(f"{mark} {result.rules_path} {result.rule_id}: expected "
                       f"{result.expected.value}, got {result.got.value}: {result.text.strip()!r}")
            if not result.passed:
                typer.echo(f"       why: {result.why}")
    failed = sum(1 for r in results if not r.passed)
    rules_run = len({(r.rules_path, r.rule_id) for r in results})
    typer.echo(f"{len(results) - failed} passed, {failed} failed "
               f"({len(results)} examples of {rules_run} rules)")
    raise typer.Exit(ExitStatus.UNMET if failed else ExitStatus.OK)


def _rendered(form: OutputFormat, value: object, output: Path | None, **options: object) -> str:
    """Render a command's result; in colour only on a terminal, for a format that has colour."""
    if form.colour:
        options["color"] = output is None and _wants_color()
    return form.render(value, **options)


def _refuse_overwriting(output: Path | None, drafts: list[str], rule_specs: list[str]) -> None:
    """Refuse an output path that is a draft, a rule file, or any YAML file (an included
    vocabulary is YAML too, and is not known before its rule set loads)."""
    if output is None:
        return
    from checker.api import find_rule_files

    if output.suffix.lower() in (".yaml", ".yml"):
        raise UsageError.at(str(output), "refusing to write a report over a YAML file "
                                         "(rule files are YAML)")
    inputs = [Path(d) for d in drafts if d != "-"]
    for spec in rule_specs:
        with contextlib.suppress(DraftcheckError):  # an unknown rule set is reported later
            inputs += find_rule_files(spec)
    target = output.resolve()
    for path in inputs:
        if path.exists() and path.resolve() == target:
            raise UsageError.at(str(output), "refusing to write over an input file")


def _wants_color() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _emit(text: str, output: Path | None) -> None:
    """Print, or write the file whole (see checker.files.write_file)."""
    if output is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:  # `draftcheck ... | head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError as error:
            raise UsageError.at("<stdout>", f"cannot write: {error.strerror or error}") from None
        return
    from checker.files import write_file

    write_file(output, text.encode("utf-8"))


def _expand_lists(args: list[str]) -> list[str]:
    """Let an option take several values, as DESIGN writes them: `--rules A.yaml B.yaml` and
    `compare RULES --drafts A B` become repeated options (a click option takes one value).

    After --rules/-r only rule sets are taken (*.yaml, *.yml, folders), so a draft named next is
    still a draft; after --drafts every value that is not an option.
    """
    out: list[str] = []
    taking: str | None = None
    for arg in args:
        if arg in ("--rules", "-r") or (arg == "--drafts" and args[:1] == ["compare"]):
            taking = "--rules" if arg == "-r" else arg
        elif taking and not arg.startswith("-") and (taking == "--drafts" or _rule_set(arg)):
            out += [taking, arg]
        else:
            taking = None
            out.append(arg)
    return out


def _rule_set(arg: str) -> bool:
    return arg.endswith((".yaml", ".yml")) or Path(arg).is_dir() or "." not in Path(arg).name


def main(argv: list[str] | None = None) -> None:
    """Entry point: `draftcheck DRAFT... --rules ...` runs `check`; errors exit 2 on stderr."""
    args = list(sys.argv[1:] if argv is None else argv)
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    if args and args[0] not in commands and args[0] not in ("--help", "-h", "--version"):
        args.insert(0, "check")
    args = _expand_lists(args)
    try:
        app(args=args, prog_name="draftcheck")  # typer reports usage errors itself (exit 2)
    except DraftcheckError as error:
        sys.stderr.write(str(error) + "\n")
        sys.exit(ExitStatus.ERROR)
    except Exception as error:  # a bug of ours: say so in one line; the traceback on request
        if os.environ.get("DRAFTCHECK_DEBUG"):
            raise
        sys.stderr.write(f"draftcheck: internal error: {type(error).__name__}: {error}\n"
                         "(a bug in draftcheck; run with DRAFTCHECK_DEBUG=1 to see where, "
                         "and please report it)\n")
        sys.exit(ExitStatus.ERROR)


def run() -> None:
    """The `draftcheck` command: `main`, then a quick exit, output flushed and files closed.

    It runs without the automatic garbage collector and with numpy's BLAS on one thread, and
    exits without freeing its objects one by one: docs/decisions.md (Dependencies and speed)
    says why, with the measures.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported
    gc.disable()
    try:
        main()
        status = 0
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            status = done.code or 0
        else:  # sys.exit("message"), done as Python does it: the message, then status 1
            if sys.stderr is not None:
                sys.stderr.write(f"{done.code}\n")
            status = 1
    for stream in (sys.stdout, sys.stderr):  # None when started with the descriptor closed
        with contextlib.suppress(OSError, ValueError, AttributeError):  # a closed pipe
            stream.flush()  # type: ignore[union-attr]
    os._exit(status)
