"""The user's private cache: analysed grammar and compiled rule sets, reused across runs.

Entries are pickles, and a pickle runs code when loaded, so nothing is loaded that this user's
draftcheck did not write: every entry carries an HMAC-SHA256 of its bytes under a secret kept in
the cache folder (0600), checked before anything is unpickled; a flipped byte, a truncated
write or a file from elsewhere is a miss, never a verdict. The folder is opened once, refused
if it is a symbolic link, not a directory, not this user's or writable by others, and every
entry is then reached through that open folder (no path is looked up again) with O_NOFOLLOW,
read only if it is a regular file of this user's of bounded size (never a FIFO or a device);
pruning removes only the cache's own entry names. docs/decisions.md has the threat model.
DRAFTCHECK_NO_CACHE=1 turns the cache off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import pickle
import re
import secrets
import stat
import time
from pathlib import Path
from typing import Any

from checker import __version__
from checker.files import read_regular

MAX_ENTRY = 256 << 20  # bytes; a compiled set of 3000 rules is a few MB
MAX_ENTRIES = 200  # the oldest entries go first: each change of draftcheck makes new keys
SECRET = "secret"  # the key's file name, beside the entries
_MAGIC = b"draftcheck-cache-1\n"
_ENTRY = re.compile(r"[a-z]+-[0-9a-f]{32}\.entry")
# The only names pruning may remove: entries, entries of earlier versions, temporary files.
_OURS = re.compile(r"[a-z]+-[0-9a-f]{32}\.(?:entry|pickle|lark-cache)|\.tmp-[0-9a-f]{16}")
_STALE_TEMPORARY = 600  # seconds; a younger temporary file may be another run's entry being written
_NO_FOLLOW = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


@functools.cache
def _folder() -> int | None:
    """Return an open descriptor of the cache folder, created private, or None if unsafe."""
    if os.environ.get("DRAFTCHECK_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "draftcheck"
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
        descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY | _NO_FOLLOW)
    except OSError:  # a symbolic link (O_NOFOLLOW), not a folder, or not ours to create
        return None
    info = os.fstat(descriptor)
    if info.st_uid != os.getuid() or info.st_mode & 0o022:
        os.close(descriptor)
        return None
    return descriptor


@functools.cache
def _secret() -> bytes | None:
    """Return this cache's HMAC key, made on first use (0600, never through a link)."""
    folder = _folder()
    if folder is None:
        return None
    key = _read(SECRET)
    if key is not None and len(key) == 32:
        return key
    key = secrets.token_bytes(32)
    with contextlib.suppress(OSError):
        os.unlink(SECRET, dir_fd=folder)
    try:
        descriptor = os.open(SECRET, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW, 0o600,
                             dir_fd=folder)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
    except OSError:
        return None
    return key


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


def entry_name(kind: str, entry_key: str) -> str:
    """Return the file name of an entry: the only kind of name the cache reads or prunes."""
    name = f"{kind}-{entry_key}.entry"
    if not _ENTRY.fullmatch(name):
        raise ValueError(f"not a cache entry name: {name!r}")
    return name


def load(name: str) -> Any:
    """Return a cached object, or None if absent, not this cache's own, or damaged."""
    secret = _secret()
    data = _read(name) if secret is not None else None
    if data is None or not data.startswith(_MAGIC):
        return None
    tag, payload = data[len(_MAGIC):len(_MAGIC) + 32], data[len(_MAGIC) + 32:]
    if not hmac.compare_digest(tag, hmac.new(secret, payload, hashlib.sha256).digest()):
        _remove(name)
        return None
    try:
        return pickle.loads(payload)  # written by this user's draftcheck (the tag says so)
    except Exception:  # from another version of a library: rebuild
        _remove(name)
        return None


def store(name: str, value: Any) -> None:
    """Keep an object (written whole or not at all); failing to cache is never an error."""
    secret = _secret()
    if secret is None:
        return
    with contextlib.suppress(Exception):
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        tag = hmac.new(secret, payload, hashlib.sha256).digest()
        _prune()
        _write(name, _MAGIC + tag + payload)


def _read(name: str) -> bytes | None:
    """Return an entry's bytes if it is a regular file of this user's, of bounded size."""
    folder = _folder()
    if folder is None:
        return None
    return read_regular(name, MAX_ENTRY, dir_fd=folder, follow=False, owner=os.getuid())


def _write(name: str, data: bytes) -> None:
    """Write an entry through a private temporary file renamed into place, in the folder."""
    folder = _folder()
    if folder is None:
        return
    temporary = f".tmp-{secrets.token_hex(8)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW, 0o600,
                         dir_fd=folder)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise


def _remove(name: str) -> None:
    folder = _folder()
    if folder is not None:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=folder)


def _prune() -> None:
    """Remove the oldest of the cache's own entries (and stale temporary files) past MAX_ENTRIES;
    anything else in the folder is left alone."""
    folder = _folder()
    if folder is None:
        return
    entries = []
    now = time.time()
    for name in os.listdir(folder):
        if not _OURS.fullmatch(name):
            continue
        with contextlib.suppress(OSError):
            info = os.stat(name, dir_fd=folder, follow_symlinks=False)
            if name.startswith(".tmp-"):
                if now - info.st_mtime > _STALE_TEMPORARY:
                    _remove(name)
            elif stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode):
                entries.append((info.st_mtime_ns, name))
    entries.sort()
    for _, old in entries[:max(0, len(entries) - MAX_ENTRIES + 1)]:
        _remove(old)
