"""Share one large piece of work out between this process and forked copies of it.

A draft checked against thousands of rules is one long loop over the rules, after the draft has
been read and indexed. Forked after the index is built, a child has the index (and everything
else) without copying it, works through its share of the rules and sends back only the results.
Where `os.fork` does not exist, or a child fails for any reason, the work is done here: the
outcome never depends on the processes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def share_out(work: Callable[[Sequence[Item]], Sequence[Result]], items: Sequence[Item],
              parts: int) -> list[Result]:
    """Return work(items), computed in `parts` processes on consecutive shares of `items`.

    `work` must map a share of the items to one result each, in order, and depend on nothing
    but its argument and what existed before the call (children see this process's memory as it
    was when they were forked). Its results must pickle.
    """
    parts = min(parts, len(items))
    if parts < 2 or not hasattr(os, "fork"):
        return list(work(items))
    size = -(-len(items) // parts)
    shares = [items[i:i + size] for i in range(0, len(items), size)]
    children = [_fork(work, share) for share in shares[1:]]
    results = list(work(shares[0]))
    for share, (pid, pipe) in zip(shares[1:], children, strict=True):
        results.extend(_collect(pid, pipe, work, share))
    return results


def _fork(work: Callable[[Sequence[Item]], Sequence[Result]],
          share: Sequence[Item]) -> tuple[int, int]:
    """Start a child working on a share; return its pid and the pipe its results come by."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers
        status = 1
        try:
            os.close(read)
            data = pickle.dumps(list(work(share)), protocol=pickle.HIGHEST_PROTOCOL)
            with open(write, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    return pid, read


def _collect(pid: int, pipe: int, work: Callable[[Sequence[Item]], Sequence[Result]],
             share: Sequence[Item]) -> list[Result]:
    """Return a child's results, or work its share out here if it did not deliver them."""
    with open(pipe, "rb") as handle:
        data = handle.read()
    _, status = os.waitpid(pid, 0)
    if status == 0:
        with contextlib.suppress(Exception):
            results = pickle.loads(data)
            if len(results) == len(share):
                return results
    return list(work(share))
