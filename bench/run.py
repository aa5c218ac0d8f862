"""Benchmark draftcheck against the cost of reading the text once; see bench/README.md.

    python bench/run.py                     # full matrix: drafts 100KB/1MB/10MB x 30/300/3000 rules
    python bench/run.py --quick             # 100KB x 30 rules, one repetition (used by the tests)
    python bench/run.py --sizes 1MB --rules 300 --repeat 5 --out results.json

Every figure is the wall time of a whole process (interpreter start included), measured with
time.perf_counter() around it, and its peak RSS from os.wait4(). Repetitions are interleaved:
each repetition runs the whole matrix once, and every draftcheck run is preceded by a run of the
floor on the same draft, so machine noise hits both. Figures are medians over the repetitions;
ratios are taken between medians of this one run. Deterministic inputs, no network.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import hashlib
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate as gen  # bench/ is not a package

ROOT = gen.ROOT
DEFAULT_OUT = ROOT / "bench" / "results" / "latest.json"
SHIPPED_RULES = ("rules/joint_statement.yaml", "rules/poa_group.yaml",
                 "rules/development_group.yaml")
TYPICAL_SOURCE = ROOT / "samples" / "drafts" / "balanced.txt"
TYPICAL_COPIES = 7  # balanced.txt is ~4 pages: seven copies make a ~30-page, ~90 KB draft

# The floor: read the file, decode it, tokenise with one compiled regex (the tool's own word
# definition) and build word -> character offsets. Of the variants tried (per-token lower(),
# findall + ordinals, re.split + accumulate, str.find walking, sorted grouping), lowering the
# text once and one finditer loop was the fastest that gives offsets into the text.
FLOOR_CODE = r"""
import re, sys
from collections import defaultdict
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
with open(sys.argv[1], "rb") as f:
    text = f.read().decode("utf-8")
low = text.lower()
index = defaultdict(list)
if len(low) == len(text):
    for m in WORD.finditer(low):
        index[m[0]].append(m.start())
else:  # lowercasing changed some lengths: keep offsets into the original text
    for m in WORD.finditer(text):
        index[m[0].lower()].append(m.start())
print(len(index), sum(map(len, index.values())))
"""

# The naive baseline: no index; per rule, one case-insensitive regex over the whole text,
# alternating all the rule's phrases (terms expanded; written by generate.py).
NAIVE_CODE = r"""
import json, re, sys
with open(sys.argv[1], "rb") as f:
    text = f.read().decode("utf-8")
with open(sys.argv[2], encoding="utf-8") as f:
    rules = json.load(f)["rules"]
found = 0
for rule in rules:
    found += len(re.compile(rule["regex"], re.IGNORECASE).findall(text))
print(len(rules), found)
"""


# -- running one process ---------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """One whole-process measurement."""

    wall_s: float
    peak_mb: float
    exit: int
    error: str = ""
    cpu_s: float = 0.0  # user + system, its child processes included


# Children are started by this small launcher process, not by run.py itself: ru_maxrss counts
# the memory a child shared with its parent before exec, so a child forked from run.py (which
# holds the generated drafts) would report run.py's size as its own peak. The launcher, started
# first, stays at about the size of a bare interpreter. Protocol on its stdin: the byte length
# of the NUL-separated arguments, a newline, the arguments; it answers the child's pid, then
# "exit-code wall-seconds peak-KB cpu-seconds".
LAUNCHER_CODE = r"""
import os, sys, time
requests, answers = sys.stdin.buffer, sys.stdout
out_path, err_path = sys.argv[1], sys.argv[2]
while header := requests.readline():
    args = requests.read(int(header)).decode("utf-8").split("\0")
    out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    empty, closed = os.pipe()
    os.close(closed)
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(empty, 0)
            os.dup2(out, 1)
            os.dup2(err, 2)
            os.execv(args[0], args)
        finally:
            os._exit(127)
    for fd in (out, err, empty):
        os.close(fd)
    answers.write(f"{pid}\n")
    answers.flush()
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime  # (wait4 counts the grandchildren it reaped)
    answers.write(f"{os.waitstatus_to_exitcode(status)} {wall!r} {usage.ru_maxrss} {cpu!r}\n")
    answers.flush()
"""


class Runner:
    """Runs commands as child processes, timing each and reading its peak RSS."""

    def __init__(self, workdir: Path, timeout: float) -> None:
        self.workdir = workdir
        self.timeout = timeout
        self.out, self.err = workdir / "child.out", workdir / "child.err"
        env = {**os.environ, "NO_COLOR": "1"}
        env.pop("FORCE_COLOR", None)
        self.launcher = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER_CODE, str(self.out), str(self.err)], cwd=ROOT,
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=False)

    def close(self) -> None:
        if self.launcher.stdin:
            self.launcher.stdin.close()
        self.launcher.wait()

    def run(self, args: list[str], ok: tuple[int, ...] = (0,)) -> Run:
        request = "\0".join(args).encode("utf-8")
        assert self.launcher.stdin and self.launcher.stdout
        self.launcher.stdin.write(b"%d\n" % len(request) + request)
        self.launcher.stdin.flush()
        pid = int(self.launcher.stdout.readline())
        timer = threading.Timer(self.timeout, _kill, (pid,))
        timer.start()
        code, wall, peak_kb, cpu = self.launcher.stdout.readline().split()
        timer.cancel()
        error = ""
        if int(code) not in ok:
            tail = self.err.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            error = (f"timed out after {self.timeout:.0f} s" if int(code) == -signal.SIGKILL
                     else f"exit {int(code)}: " + " | ".join(tail[-5:]))
        # ru_maxrss is in KB on Linux
        return Run(float(wall), int(peak_kb) / 1024, int(code), error, float(cpu))

    def python(self, *args: str, ok: tuple[int, ...] = (0,)) -> Run:
        return self.run([sys.executable, *args], ok)

    def draftcheck(self, drafts: list[str], rules: list[str], jobs: int | None = None) -> Run:
        """Time the check command; `jobs=None` leaves -j at its default, as users type it."""
        args = ["-m", "checker", "check", *drafts]
        for rule_file in rules:  # --rules takes one value: repeat it
            args += ["--rules", rule_file]
        # A real file, as users write reports: the time includes writing it (atomically).
        args += ["--format", "json", "-o", str(self.workdir / "report.json")]
        if jobs is not None:
            args += ["-j", str(jobs)]
        return self.python(*args, ok=(0, 1))


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended just as the timeout fell
        os.kill(pid, signal.SIGKILL)


def summary(runs: list[Run]) -> dict[str, object]:
    """Median wall time and peak memory of repeated runs (failed runs are reported, not used)."""
    good = [r for r in runs if not r.error]
    out: dict[str, object] = {"runs": len(runs)}
    if good:
        out.update(wall_s=statistics.median(r.wall_s for r in good),
                   cpu_s=statistics.median(r.cpu_s for r in good),
                   peak_mb=max(r.peak_mb for r in good),
                   all_wall_s=[round(r.wall_s, 4) for r in good])
    errors = sorted({r.error for r in runs if r.error})
    if errors:
        out["errors"] = errors
    return out


# -- the matrix ------------------------------------------------------------------------------

@dataclass
class Inputs:
    drafts: dict[str, Path]  # size label -> draft
    sizes: dict[str, int]  # size label -> bytes written
    rules: dict[int, Path]
    naive: dict[int, Path]
    forms: dict[int, dict[str, int]]


def prepare(workdir: Path, sizes: list[int], counts: list[int], seed: int) -> Inputs:
    corpus = gen.harvest()
    inputs = Inputs({}, {}, {}, {}, {})
    for size in sizes:
        label = gen.size_label(size)
        inputs.drafts[label] = path = gen.write_draft(workdir, size, seed, corpus)
        inputs.sizes[label] = path.stat().st_size
    for count in counts:
        inputs.rules[count], inputs.naive[count] = gen.write_ruleset(workdir, count, seed, corpus)
        ids = re.findall(r"^  - id: r\d+-([a-z-]+)$", inputs.rules[count].read_text(),
                         re.MULTILINE)
        inputs.forms[count] = dict(Counter(ids))
    return inputs


def validate(runner: Runner, inputs: Inputs) -> None:
    """Check the generated rule sets once with `draftcheck validate` (also warms the caches)."""
    run = runner.python("-m", "checker", "validate", *map(str, inputs.rules.values()))
    if run.error:
        raise SystemExit(f"generated rule sets do not validate: {run.error}")


Log = Callable[[str], None]


def matrix(runner: Runner, inputs: Inputs, repeat: int, naive_cap: float,
           log: Log) -> dict[str, dict]:
    """Run floor, draftcheck and the naive baseline over every draft x rule set, interleaved."""
    floor: dict[str, list[Run]] = {label: [] for label in inputs.drafts}
    check: dict[str, list[Run]] = {}
    naive: dict[str, list[Run]] = {}
    skipped: dict[str, str] = {}
    known: list[tuple[int, int, float]] = []  # (bytes, rules, seconds) of naive runs done
    for rep in range(repeat):
        for label, draft in inputs.drafts.items():
            for count, rules in inputs.rules.items():
                key = f"{label} x {count}"
                floor[label].append(runner.python("-c", FLOOR_CODE, str(draft)))
                run = runner.draftcheck([str(draft)], [str(rules)])
                check.setdefault(key, []).append(run)
                log(f"  rep {rep + 1}/{repeat}  {key:<14} floor {floor[label][-1].wall_s:7.3f} s"
                    f"  draftcheck {run.wall_s:7.3f} s {run.error}")
                if key in skipped:
                    continue
                estimate = _estimate(known, inputs.sizes[label], count)
                if estimate is not None and estimate > naive_cap:
                    skipped[key] = (f"estimated {estimate:.0f} s > cap {naive_cap:.0f} s "
                                    "(extrapolated from the largest run done)")
                    log(f"  naive {key}: skipped, {skipped[key]}")
                    continue
                if rep > 0 and (estimate or 0) > naive_cap / 4:
                    continue  # slow: one repetition is enough to show the order of magnitude
                run = runner.python("-c", NAIVE_CODE, str(draft), str(inputs.naive[count]))
                naive.setdefault(key, []).append(run)
                if not run.error:
                    known.append((inputs.sizes[label], count, run.wall_s))
                log(f"  rep {rep + 1}/{repeat}  {key:<14} naive {run.wall_s:7.3f} s {run.error}")
    report = {f"{label} x {count}": {"draft": label, "rules": count}
              for label in inputs.drafts for count in inputs.rules}
    for key, row in report.items():
        row["floor"] = summary(floor[row["draft"]])
        row["draftcheck"] = summary(check[key])
        row["naive"] = summary(naive[key]) if key in naive else {"skipped": skipped[key]}
    return report


def _estimate(known: list[tuple[int, int, float]], size: int, count: int) -> float | None:
    """Extrapolate a naive run's time from the largest one done (time ~ bytes x rules)."""
    if not known:
        return None
    done_size, done_count, seconds = max(known, key=lambda k: k[0] * k[1])
    return seconds * (size * count) / (done_size * done_count)


# -- CLI end to end and batches --------------------------------------------------------------

def typical_draft(workdir: Path) -> Path:
    """balanced.txt's body seven times, paragraphs renumbered: a ~30-page draft."""
    text = TYPICAL_SOURCE.read_text(encoding="utf-8")
    head, sep, body = text.partition("\nA. Overview\n")
    numbers = [int(n) for n in re.findall(r"(?m)(?<=\n\n)(\d{1,4})\. ", body)]
    last = max(numbers) if numbers else 0
    copies = []
    for k in range(TYPICAL_COPIES):
        copies.append(re.sub(r"(?m)(?<=\n\n)(\d{1,4})\. ",
                             lambda m, k=k: f"{int(m[1]) + k * last}. ", sep + body))
    path = workdir / "typical_30_pages.txt"
    path.write_text(head + "\n".join(c.rstrip("\n") + "\n" for c in copies), encoding="utf-8")
    return path


def cli(runner: Runner, workdir: Path, runs: int, log: Log) -> dict[str, object]:
    """The CLI end to end on a typical draft with the three shipped rule sets."""
    draft = typical_draft(workdir)
    runner.draftcheck([str(draft)], list(SHIPPED_RULES))  # warm-up: the grammar cache exists
    timed: dict[str, list[Run]] = {"check": [], "version": [], "python": []}
    for _ in range(runs):  # interleaved with the two references, for the lead's breakdown
        timed["python"].append(runner.python("-c", "pass"))
        timed["version"].append(runner.python("-m", "checker", "--version"))
        timed["check"].append(runner.draftcheck([str(draft)], list(SHIPPED_RULES)))
    log(f"  CLI: {[round(r.wall_s, 3) for r in timed['check']]}")
    return {"draft": draft.name, "draft_bytes": draft.stat().st_size,
            "rules": list(SHIPPED_RULES), **summary(timed["check"]),
            "python_startup": summary(timed["python"]),
            "version_command": summary(timed["version"])}


def batch(runner: Runner, workdir: Path, count: int, size: int, repeat: int,
          log: Log) -> dict[str, object]:
    """`count` drafts in one command, -j 1 against -j 2, interleaved."""
    drafts = [str(p) for p in gen.batch_drafts(workdir / "batch", count, size)]
    timed: dict[int, list[Run]] = {1: [], 2: []}
    for _ in range(repeat):
        for jobs in (1, 2):
            timed[jobs].append(runner.draftcheck(drafts, list(SHIPPED_RULES), jobs))
        log(f"  batch: -j 1 {timed[1][-1].wall_s:.3f} s  -j 2 {timed[2][-1].wall_s:.3f} s "
            f"{timed[1][-1].error} {timed[2][-1].error}")
    return {"drafts": count, "draft_bytes": size, "rules": list(SHIPPED_RULES),
            "j1": summary(timed[1]), "j2": summary(timed[2])}


# -- textlint (optional) ---------------------------------------------------------------------

TEXTLINT_LARGEST = 1_000_000  # bytes; at 10 MB a run would take minutes (1 MB: ~30 s)


def textlint(runner: Runner, inputs: Inputs, executable: Path, count: int,
             log: Log) -> dict[str, dict]:
    """textlint with the prh rule, one pattern per rule (the naive baseline's regexes), once.

    prh reports a match of a pattern that differs from its `expected` text; with an `expected`
    no draft contains, it reports the matches, though fewer than there are: it keeps one of
    matches that overlap (across rules too), and it reads a .txt draft line by line, so a
    phrase split over two lines is not found. Every pattern still scans the whole text. A run
    that reports nothing (no prh beside textlint, say: textlint then also exits 1) is an error.
    """
    rules = json.loads(inputs.naive[count].read_text(encoding="utf-8"))["rules"]
    folder = runner.workdir / f"textlint-{count}"
    folder.mkdir(exist_ok=True)
    lines = ["version: 1", "rules:"]
    for rule in rules:  # (prh compiles with the u flag, which allows `\-` only in a class)
        pattern = "/" + rule["regex"].replace("\\-", "-") + "/i"
        lines += [f"  - expected: '@@{rule['id']}'", f"    pattern: {json.dumps(pattern)}"]
    (folder / "prh.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = folder / "textlintrc.json"
    config.write_text(json.dumps({"rules": {"prh": {"rulePaths": [str(folder / "prh.yml")]}}}),
                      encoding="utf-8")
    out: dict[str, dict] = {}
    for label, draft in inputs.drafts.items():
        if inputs.sizes[label] > TEXTLINT_LARGEST * 1.01:
            continue
        run = runner.run([str(executable), "--config", str(config), "--format", "json",
                          str(draft)], ok=(0, 1))
        reported = _textlint_messages(runner.out) if not run.error else 0
        if not run.error and not reported:
            run = replace(run, error="textlint reported nothing: is textlint-rule-prh installed "
                                     "beside it?")
        out[f"{label} x {count}"] = {**summary([run]), "reported": reported}
        log(f"  textlint {label} x {count}: {run.wall_s:.3f} s, {reported} matches reported "
            f"{run.error}")
    return out


def _textlint_messages(output: Path) -> int:
    """Count the problems in textlint's JSON output (0 if it is not that)."""
    try:
        files = json.loads(output.read_text(encoding="utf-8"))
        return sum(len(f["messages"]) for f in files)
    except (OSError, ValueError, TypeError, KeyError):
        return 0


# -- ratios and targets ----------------------------------------------------------------------

def _wall(section: dict | None) -> float | None:
    return section.get("wall_s") if section else None


def ratios(report: dict[str, dict], cli_result: dict, batch_result: dict) -> list[dict]:
    """The issue's targets, PASS/FAIL, plus informative ratios; None where not measured."""
    out: list[dict] = []

    def add(name: str, value: float | None, target: float | None, unit: str = "x") -> None:
        status = ("not measured" if value is None else "info" if target is None else
                  "PASS" if value <= target else "FAIL")
        out.append({"name": name, "value": value, "target": target, "unit": unit,
                    "status": status})

    def cell(label: str, count: int) -> dict | None:
        return report.get(f"{label} x {count}")

    big = cell("10MB", 300)
    add("10MB x 300 rules / floor(10MB)", _ratio(_wall(big and big["draftcheck"]),
                                                _wall(big and big["floor"])), 3)
    labels = sorted({row["draft"] for row in report.values()}, key=gen.parse_size)
    for label in labels:
        many, few = cell(label, 3000), cell(label, 300)
        add(f"{label}: 3000 rules / 300 rules",
            _ratio(_wall(many and many["draftcheck"]), _wall(few and few["draftcheck"])), 3)
        add(f"{label}: 3000 rules / 300 rules, CPU time of all processes",  # (informative)
            _ratio((many or {}).get("draftcheck", {}).get("cpu_s"),
                   (few or {}).get("draftcheck", {}).get("cpu_s")), None)
    ten, one = cell("10MB", 300), cell("1MB", 300)
    add("300 rules: 10MB / 1MB", _ratio(_wall(ten and ten["draftcheck"]),
                                        _wall(one and one["draftcheck"])), 11)
    peaks = [row["draftcheck"].get("peak_mb") for row in report.values()
             if row["draft"] == "10MB"]
    add("peak memory, 10MB draft (any rule set)", max(p for p in peaks if p) if any(peaks)
        else None, 500, "MB")
    add("CLI, typical draft x 3 rule sets", cli_result.get("wall_s"), 0.5, "s")
    add(f"batch of {batch_result['drafts']}: -j 2 / -j 1",
        _ratio(_wall(batch_result["j2"]), _wall(batch_result["j1"])), 0.65)
    for row in report.values():  # informative: how far each cell is from the floor and naive
        key = f"{row['draft']} x {row['rules']}"
        add(f"{key}: draftcheck / floor",
            _ratio(_wall(row["draftcheck"]), _wall(row["floor"])), None)
        add(f"{key}: naive / draftcheck",
            _ratio(_wall(row["naive"]), _wall(row["draftcheck"])), None)
    for count in sorted({row["rules"] for row in report.values()} - {300}):
        ten_c, one_c = cell("10MB", count), cell("1MB", count)
        if ten_c and one_c:
            add(f"{count} rules: 10MB / 1MB",
                _ratio(_wall(ten_c["draftcheck"]), _wall(one_c["draftcheck"])), None)
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


# -- the machine and the output --------------------------------------------------------------

def machine() -> dict[str, object]:
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in
                    Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
                   "")
    except OSError:
        pass
    memory = ""
    try:
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    except (OSError, IndexError):
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "checker"], cwd=ROOT,
                           text=True, capture_output=True, check=False).stdout.strip()
    return {"cpu": cpu or platform.processor(), "cores": os.cpu_count(),
            "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count(), "memory": memory, "python": platform.python_version(),
            "platform": platform.platform(), "git": commit + (" (checker/ modified)" if dirty
                                                              else ""),
            "load_before": os.getloadavg(),
            # without bytecode caches every run compiles checker/ from source
            "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", "")}


def code_fingerprint() -> str:
    """A hash of the code under test (checker/ and grammars/), to notice it changing mid-run."""
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("checker/**/*.py"), *ROOT.glob("grammars/*")]):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def table(report: dict[str, dict]) -> str:
    """The results table, in Markdown (also readable as text)."""
    head = ("| draft | rules | floor s | draftcheck s | draftcheck CPU s | × floor | naive s "
            "| naive / draftcheck | draftcheck peak MB | floor peak MB |")
    lines = [head, "|" + " --- |" * 10]
    for row in report.values():
        floor, check, naive = row["floor"], row["draftcheck"], row["naive"]
        naive_text = (f"{naive['wall_s']:.2f}" + (" (1 run)" if naive["runs"] == 1 else "")
                      if "wall_s" in naive else "skipped" if "skipped" in naive else "failed")
        lines.append(
            f"| {row['draft']} | {row['rules']} | {_fmt(floor.get('wall_s'))} "
            f"| {_fmt(check.get('wall_s'))} | {_fmt(check.get('cpu_s'))} "
            f"| {_fmt(_ratio(check.get('wall_s'), floor.get('wall_s')), 1)} | {naive_text} "
            f"| {_fmt(_ratio(naive.get('wall_s'), check.get('wall_s')), 1)} "
            f"| {_fmt(check.get('peak_mb'), 0)} | {_fmt(floor.get('peak_mb'), 0)} |")
    return "\n".join(lines)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def ratio_lines(items: list[dict]) -> list[str]:
    out = []
    for item in items:
        if item["target"] is None:  # informative: in the JSON and the table only
            continue
        value = "—" if item["value"] is None else (
            f"{item['value']:.2f}{'x' if item['unit'] == 'x' else ' ' + item['unit']}")
        target = f"{item['target']}{'x' if item['unit'] == 'x' else ' ' + item['unit']}"
        out.append(f"{item['name']}: {value} (target <= {target}) {item['status']}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="100KB x 30 rules, one repetition, small CLI and batch parts")
    parser.add_argument("--sizes", nargs="+", type=gen.parse_size,
                        help="draft sizes (default 100KB 1MB 10MB)")
    parser.add_argument("--rules", nargs="+", type=int, help="rule counts (default 30 300 3000)")
    parser.add_argument("--repeat", type=int, help="interleaved repetitions (default 3)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--seed", type=int, default=gen.SEED)
    parser.add_argument("--naive-cap", type=float, default=120,
                        help="skip a naive run estimated to take longer (seconds)")
    parser.add_argument("--timeout", type=float, default=1800, help="per process (seconds)")
    parser.add_argument("--textlint", type=Path, metavar="EXECUTABLE",
                        help="also time this textlint (with textlint-rule-prh installed beside "
                             "it) on the drafts up to 1MB with 300 rules (or the fewest "
                             "asked for), once")
    parser.add_argument("--workdir", type=Path,
                        help="write the generated inputs here and keep them (default: a "
                             "temporary folder, removed)")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([100_000] if args.quick else [100_000, 1000_000, 10_000_000])
    counts = args.rules or ([30] if args.quick else [30, 300, 3000])
    repeat = args.repeat or (1 if args.quick else 3)
    cli_runs, batch_count, batch_size = (1, 4, 10_000) if args.quick else (5, 50, 30_000)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    code_before = code_fingerprint()
    host = machine()
    with tempfile.TemporaryDirectory(prefix="draftcheck-bench-") as temporary:
        workdir = args.workdir or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        workdir = workdir.resolve()
        runner = Runner(workdir, args.timeout)  # first, while this process is still small
        # Byte-compile the checker as `pip install` does: otherwise, with PYTHONDONTWRITEBYTECODE
        # set (as on the machines we measure), every run would compile it from source again.
        compileall.compile_dir(ROOT / "checker", quiet=1)
        try:
            log(f"generating inputs in {workdir} ...")
            inputs = prepare(workdir, sizes, counts, args.seed)
            validate(runner, inputs)
            log("matrix (floor, draftcheck, naive):")
            report = matrix(runner, inputs, repeat, args.naive_cap, log)
            textlint_result = {}
            if args.textlint:
                log("textlint:")
                textlint_result = textlint(runner, inputs, args.textlint.resolve(),
                                           300 if 300 in counts else min(counts), log)
            log("CLI end to end:")
            cli_result = cli(runner, workdir, cli_runs, log)
            log("batch:")
            batch_result = batch(runner, workdir, batch_count, batch_size, repeat, log)
        finally:
            runner.close()
    checks = ratios(report, cli_result, batch_result)
    code_after = code_fingerprint()
    results = {
        "machine": {**host, "load_after": os.getloadavg()},
        "code": {"before": code_before, "after": code_after,
                 "changed_during_run": code_before != code_after},
        "options": {"sizes": sizes, "rules": counts, "repeat": repeat, "seed": args.seed,
                    "quick": args.quick, "naive_cap_s": args.naive_cap},
        "elapsed_s": time.perf_counter() - started,
        "drafts": {label: {"bytes": inputs.sizes[label]} for label in inputs.drafts},
        "rule_sets": {str(count): {"rules": count, "forms": inputs.forms[count]}
                      for count in counts},
        "matrix": report,
        "cli": cli_result,
        "batch": batch_result,
        "textlint": textlint_result,
        "ratios": checks,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(report))
    print()
    print(f"CLI, {cli_result['draft']} ({cli_result['draft_bytes'] // 1000} KB) x 3 rule sets: "
          f"{_fmt(cli_result.get('wall_s'))} s (python startup "
          f"{_fmt(cli_result['python_startup'].get('wall_s'))} s, `checker --version` "
          f"{_fmt(cli_result['version_command'].get('wall_s'))} s)")
    print(f"batch of {batch_result['drafts']} x {batch_result['draft_bytes'] // 1000} KB: "
          f"-j 1 {_fmt(_wall(batch_result['j1']))} s, -j 2 {_fmt(_wall(batch_result['j2']))} s")
    for key, run in textlint_result.items():
        check = report[key]["draftcheck"]
        print(f"textlint (prh), {key} rules: {_fmt(run.get('wall_s'))} s, "
              f"{_fmt(_ratio(run.get('wall_s'), check.get('wall_s')), 1)}x draftcheck's "
              f"{_fmt(check.get('wall_s'))} s ({run['reported']} matches reported) "
              f"{'; '.join(run.get('errors', []))}")
    for line in ratio_lines(checks):
        print(line)
    print(f"\n{results['elapsed_s']:.0f} s in all; results written to {args.out}")
    if code_before != code_after:
        print("warning: checker/ or grammars/ changed during the run: the figures mix versions",
              file=sys.stderr)
    failed = [key for key, row in report.items()
              if any("errors" in row[part] for part in ("floor", "draftcheck", "naive"))]
    failed += [part for part in ("j1", "j2") if "errors" in batch_result[part]]
    failed += ["cli"] if "errors" in cli_result else []
    failed += [f"textlint {key}" for key, run in textlint_result.items() if "errors" in run]
    if failed:
        print(f"some runs failed: {', '.join(failed)} (see {args.out})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
