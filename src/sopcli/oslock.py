"""One writer at a time across processes: a lock the OS holds for us, released at once when its holder dies."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import time
from pathlib import Path

from sopcli import safefs

WINDOWS = sys.platform == "win32"
POLL = 0.05  # seconds between two tries while another process holds the lock
_BUSY = {errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK, getattr(errno, "EDEADLOCK", errno.EDEADLK)}


class Busy(Exception):
    """The lock was held by another process for the whole time we were willing to wait."""


def acquire(path: Path, timeout: float) -> int:
    """Takes an exclusive lock on `path` (created if absent, never followed if a link, never waited on if a
    pipe) and returns the open file that holds it: `flock` on POSIX, `msvcrt.locking` on Windows. Both are
    tied to the open file, so a process killed while holding it frees it for the next one. Raises Busy after
    `timeout` seconds, OSError when the file cannot be opened or locked at all."""
    flags = os.O_RDWR | os.O_CREAT | safefs.O_NOFOLLOW | safefs.O_NONBLOCK | safefs.O_BINARY | safefs.O_CLOEXEC
    fd = os.open(path, flags, 0o644)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL), str(path))
        deadline = time.monotonic() + timeout
        while not _try(fd):
            if time.monotonic() >= deadline:
                raise Busy(str(path))
            time.sleep(POLL)
    except BaseException:
        os.close(fd)
        raise
    return fd


def release(fd: int) -> None:
    """Gives the lock up and closes its file."""
    try:
        _unlock(fd)
    finally:
        os.close(fd)


def _try(fd: int) -> bool:
    """True when the lock was taken, False when another process holds it."""
    try:
        if WINDOWS:
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        if err.errno in _BUSY:
            return False
        raise
    return True


def _unlock(fd: int) -> None:
    with contextlib.suppress(OSError):  # closing the file releases it in any case
        if WINDOWS:
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)
