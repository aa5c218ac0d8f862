"""Share one large piece of work out between this process and forked copies of it.

A draft checked against thousands of rules is one long loop over the rules, after the draft has
been read and indexed. Forked after the index is built, a child has the index (and everything
else) without copying it, works through its share of the rules and sends back only the results.
Where `os.fork` does not exist, where this process runs other threads (a child would inherit
their locks, held), where a child cannot be started, or when a child fails for any reason, the
work is done here: the outcome never depends on the processes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import BinaryIO, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Work = Callable[[Sequence[Item]], Sequence[Result]]


def cores() -> int:
    """Return how many processors this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def share_out(work: Work, items: Sequence[Item], parts: int) -> list[Result]:
    """Return work(items), computed in up to `parts` processes on consecutive shares of `items`.

    `work` must map a share of the items to one result each, in order, and depend on nothing
    but its argument and what existed before the call (children see this process's memory as it
    was when they were forked). Its results must pickle. No more processes than processors.
    """
    parts = min(parts, len(items), cores())
    if parts < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        return list(work(items))
    size = -(-len(items) // parts)
    shares = [items[i:i + size] for i in range(0, len(items), size)]
    children: list[tuple[int, BinaryIO] | None] = []
    try:
        for share in shares[1:]:
            children.append(_fork(work, share))
        results = list(work(shares[0]))
        for i, share in enumerate(shares[1:]):
            results.extend(_collect(children[i], work, share))
            children[i] = None
        return results
    finally:  # the parent failed or was interrupted: stop and reap the children left
        for child in children:
            if child is not None:
                _stop(child)


def _fork(work: Work, share: Sequence[Item]) -> tuple[int, BinaryIO] | None:
    """Start a child working on a share; return its pid and the pipe its results come by."""
    parent = os.getpid()
    try:
        read, write = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers
        status = 1
        try:
            os.close(read)
            _detach(parent)
            data = pickle.dumps(list(work(share)), protocol=pickle.HIGHEST_PROTOCOL)
            with open(write, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    return pid, open(read, "rb")  # (closed by _collect or _stop)


def _detach(parent: int) -> None:
    """In a child: die with the parent, and keep none of its terminal or output open (a caller
    waiting for the end of draftcheck's output must not wait for an orphan)."""
    if sys.platform == "linux":
        import ctypes

        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before that took effect
        os._exit(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def _collect(child: tuple[int, BinaryIO] | None, work: Work,
             share: Sequence[Item]) -> list[Result]:
    """Return a child's results, or work its share out here if it did not deliver them."""
    if child is None:  # it could not be started
        return list(work(share))
    pid, pipe = child
    with pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status == 0:
        with contextlib.suppress(Exception):
            results = pickle.loads(data)
            if len(results) == len(share):
                return results
    return list(work(share))


def _stop(child: tuple[int, BinaryIO] | None) -> None:
    if child is None:
        return
    pid, pipe = child
    pipe.close()
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)
