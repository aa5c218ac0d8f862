"""Processes: one draft against many rules with -j N has its rules shared out between forked
processes, and several drafts are checked in a pool of them. The report is the same, byte for
byte, whatever happens to the processes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import ROOT

from checker import api
from checker.evaluation import forking

BALANCED = ROOT / "samples" / "drafts" / "balanced.txt"
LEAN = ROOT / "samples" / "drafts" / "lean_poa.txt"
TRAPS = ROOT / "samples" / "drafts" / "traps.txt"
SHIPPED = ["joint_statement.yaml", "poa_group.yaml", "development_group.yaml"]


@pytest.fixture
def forks(monkeypatch):
    """Share out from two rules on (the shipped sets have ~60), and count the forks."""
    monkeypatch.setattr(api, "SHARE_FROM", 2)
    started = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            started.append(pid)
        return pid

    monkeypatch.setattr(forking.os, "fork", counted)
    monkeypatch.setattr(forking, "cores", lambda: 4)
    return started


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_one_draft_gets_the_same_report_from_one_two_or_three_processes(cli, forks, fmt):
    outputs = {}
    for jobs in (1, 2, 3):
        run = cli(BALANCED, "--rules", *SHIPPED, "--format", fmt, "--explain", "-j", jobs)
        assert run.code == 1, run.err
        outputs[jobs] = run.out
        assert len(forks) == jobs - 1
        forks.clear()
    assert outputs[2] == outputs[1]
    assert outputs[3] == outputs[1]
    assert "✗ unmet" in outputs[1] or '"status": "unmet"' in outputs[1]


def test_few_rules_are_checked_in_one_process(cli, forks, monkeypatch):
    monkeypatch.setattr(api, "SHARE_FROM", 1000)
    run = cli(BALANCED, "--rules", *SHIPPED, "--format", "json", "-j", "2")
    assert run.code == 1, run.err
    assert forks == []


def test_no_more_processes_than_processors(cli, forks, monkeypatch):
    monkeypatch.setattr(forking, "cores", lambda: 2)
    run = cli(BALANCED, "--rules", *SHIPPED, "--format", "json", "-j", "8")
    assert run.code == 1, run.err
    assert len(forks) == 1


def test_a_child_that_cannot_be_started_leaves_the_work_to_the_parent(cli, forks, monkeypatch):
    expected = cli(BALANCED, "--rules", *SHIPPED, "--format", "json", "-j", "1").out

    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(forking.os, "fork", no_fork)
    run = cli(BALANCED, "--rules", *SHIPPED, "--format", "json", "-j", "2")
    assert (run.code, run.out) == (1, expected), run.err


def test_a_parent_that_fails_stops_and_reaps_its_children(monkeypatch):
    monkeypatch.setattr(forking, "cores", lambda: 4)
    parent = os.getpid()

    def work(share):
        if os.getpid() == parent:
            raise KeyError("the parent's own share failed")
        time.sleep(60)  # a child still at work
        return share

    started = time.monotonic()
    with pytest.raises(KeyError):
        forking.share_out(work, list(range(9)), 3)
    assert time.monotonic() - started < 30
    with pytest.raises(ChildProcessError):  # no child left running, and no zombie
        os.waitpid(-1, os.WNOHANG)


def _square_in_parent(parent: int, fail_with):
    def work(share):
        if os.getpid() != parent:
            fail_with()
        return [n * n for n in share]
    return work


def _raise():
    raise MemoryError


def _die():
    os._exit(3)


def _lie():  # a child whose results are not what was asked (cannot happen; must not matter)
    os._exit(0)


@pytest.mark.parametrize("failure", [_raise, _die, _lie], ids=["raises", "dies", "no data"])
def test_a_failed_child_share_is_worked_out_in_the_parent(failure, monkeypatch):
    monkeypatch.setattr(forking, "cores", lambda: 4)
    items = list(range(10))
    work = _square_in_parent(os.getpid(), failure)
    assert forking.share_out(work, items, 3) == [n * n for n in items]


def test_shares_come_back_in_order(monkeypatch):
    monkeypatch.setattr(forking, "cores", lambda: 4)
    items = list(range(101))
    assert forking.share_out(lambda share: [f"<{n}>" for n in share], items, 4) == [
        f"<{n}>" for n in items]


ORPHAN_SCRIPT = """
import os, sys, time
from checker.evaluation import forking
forking.cores = lambda: 4
folder = sys.argv[1]

def work(share):
    if os.getpid() != parent:
        open(os.path.join(folder, str(os.getpid())), "w").close()
        print("a child writing to its parent's output", flush=True)
    time.sleep(60)
    return share

parent = os.getpid()
forking.share_out(work, list(range(3)), 3)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
def test_children_die_with_their_parent_and_keep_none_of_its_output(tmp_path):
    # A caller's timeout kills draftcheck's process, not its children: they must not go on
    # working, nor keep the caller waiting for the end of draftcheck's output.
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN_SCRIPT, str(tmp_path)], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    children = [int(p.name) for p in tmp_path.iterdir()]
    assert len(children) == 2
    parent.kill()
    out, _ = parent.communicate(timeout=10)  # no child holds the pipe open
    assert out == b""
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in children)


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _stdin(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(path.read_bytes())))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_standard_input_in_a_batch_is_read_once_and_checked(cli, monkeypatch, jobs):
    # Pool workers would find standard input empty ("<stdin>: draft is empty"), and so would a
    # second "-": it is read once, before any worker starts.
    _stdin(monkeypatch, LEAN)
    run = cli("-", TRAPS, "-", "--rules", *SHIPPED, "--format", "json", "-j", jobs)
    assert run.code == 1, run.err
    drafts = run.json()["drafts"]
    assert [d["path"] for d in drafts] == ["<stdin>", str(TRAPS), "<stdin>"]
    alone = cli(LEAN, "--rules", *SHIPPED, "--format", "json").json()["drafts"][0]
    assert drafts[0]["groups"] == drafts[2]["groups"] == alone["groups"]


def _dies_checking_traps(path: str):
    if path.endswith("traps.txt"):
        os._exit(9)  # as a worker killed for its memory would
    return api._check_file(path, api._WORKER["rulesets"], **api._WORKER["options"])


def test_drafts_of_a_worker_that_died_are_checked_in_the_parent(cli, monkeypatch):
    drafts = [BALANCED, TRAPS, LEAN, BALANCED, TRAPS]
    expected = cli(*drafts, "--rules", *SHIPPED, "--format", "json", "-j", "1")
    monkeypatch.setattr(api, "_check_in_worker", _dies_checking_traps)
    run = cli(*drafts, "--rules", *SHIPPED, "--format", "json", "-j", "2")
    assert (run.code, run.out) == (expected.code, expected.out), run.err
