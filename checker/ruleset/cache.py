"""The user's private cache: analysed grammar and compiled rule sets, reused across runs.

Entries are pickles, so they live only in a folder the user owns and nobody else can write
(never a shared temporary folder); a folder that fails that test is not used. Every entry is
keyed by what it was made from, including a fingerprint of draftcheck's own code, and any entry
that cannot be read is simply rebuilt. DRAFTCHECK_NO_CACHE=1 turns the cache off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from checker import __version__
from checker.files import replace_atomically


@functools.cache
def folder() -> Path | None:
    """Return the cache folder, created private (0700), or None if there is no safe one."""
    if os.environ.get("DRAFTCHECK_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "draftcheck"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o022:
        return None
    return path


@functools.cache
def code_fingerprint() -> str:
    """Return a digest of draftcheck's version and source files (their sizes and times)."""
    package = Path(__file__).resolve().parent.parent
    parts = [__version__]
    for source in sorted(package.rglob("*")):
        if source.suffix in (".py", ".lark", ".json"):
            info = source.stat()
            parts.append(f"{source.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def key(*parts: bytes | str) -> str:
    """Return a cache key for what an entry is made from (draftcheck's code always included)."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        digest.update(b"\0" + (part.encode() if isinstance(part, str) else part))
    return digest.hexdigest()[:32]


def path_for(name: str) -> Path | None:
    """Return where an entry of that name is kept, or None without a cache folder."""
    base = folder()
    return None if base is None else base / name


def load(name: str) -> Any:
    """Return a cached object, or None if absent or unreadable."""
    path = path_for(name)
    if path is None or not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # stale, truncated or from another Python: rebuild
        with contextlib.suppress(OSError):
            path.unlink()
        return None


MAX_ENTRIES = 200  # the oldest entries go first: each change of draftcheck makes new keys


def store(name: str, value: Any) -> None:
    """Keep an object (written whole or not at all); failing to cache is never an error."""
    path = path_for(name)
    if path is None:
        return
    _prune(path.parent)
    with contextlib.suppress(Exception):
        replace_atomically(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _prune(base: Path) -> None:
    with contextlib.suppress(OSError):
        entries = sorted(base.iterdir(), key=lambda p: p.stat().st_mtime)
        for old in entries[:max(0, len(entries) - MAX_ENTRIES + 1)]:
            old.unlink(missing_ok=True)
