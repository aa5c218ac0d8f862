"""Write an output file whole or not at all, never replacing anything but a regular file."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from checker.errors import UsageError


def write_file(path: Path, data: bytes) -> None:
    """Write data to path: a regular file atomically (a temporary file renamed into place, with
    the mode open() would give); a device, pipe or socket (/dev/null, /dev/stdout) directly, as
    renaming over it would replace it."""
    try:
        special = not stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        special = False
    except OSError as error:
        raise UsageError.at(str(path), f"cannot write: {error.strerror or error}") from None
    try:
        if special:
            with path.open("wb") as handle:
                handle.write(data)
            return
        _replace(path, data)
    except OSError as error:
        raise UsageError.at(str(path), f"cannot write: {error.strerror or error}") from None


def _replace(path: Path, data: bytes) -> None:
    folder = path.resolve().parent
    if not folder.is_dir():
        raise UsageError.at(str(path), f"cannot write: no folder {folder}")
    replace_atomically(path, data, mode=0o666)  # as if created by open(), not mkstemp's 0600


def replace_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write data to a temporary file beside path, then rename it over path (whole or not at
    all); the file is private (0600) unless a mode is given, which the umask then narrows."""
    descriptor, temporary = tempfile.mkstemp(dir=path.resolve().parent, prefix=f".{path.name}.",
                                             suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        if mode is not None:
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(temporary, mode & ~mask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_regular(path: str | Path, limit: int, *, dir_fd: int | None = None,
                 follow: bool = True, owner: int | None = None) -> bytes | None:
    """Return a regular file's bytes, or None if it cannot be opened, is not a regular file (a
    FIFO or a device is never read, so never waited on), has another owner, or exceeds limit."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags | (0 if follow else os.O_NOFOLLOW), dir_fd=dir_fd)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if (not stat.S_ISREG(info.st_mode) or info.st_size > limit
                or (owner is not None and info.st_uid != owner)):
            return None
        data = handle.read(limit + 1)
    return data if len(data) <= limit else None
