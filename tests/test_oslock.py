"""The store's lock on both of its branches: flock here, and msvcrt's through a stand-in that behaves as Windows'."""

from __future__ import annotations

import errno
import fcntl
import os
import sys
import types
from pathlib import Path

import pytest

from sopcli import oslock


def windows_msvcrt() -> types.ModuleType:
    """msvcrt as Windows has it for what the lock uses: LK_NBLCK on one byte at the file's position, which
    fails with EDEADLOCK while another open file holds it; LK_UNLCK."""
    module = types.ModuleType("msvcrt")
    module.LK_NBLCK, module.LK_UNLCK = 2, 0  # type: ignore[attr-defined]

    def locking(fd: int, mode: int, nbytes: int) -> None:
        assert nbytes == 1 and os.lseek(fd, 0, os.SEEK_CUR) == 0, "the lock is on the file's first byte"
        if mode == module.LK_UNLCK:  # type: ignore[attr-defined]
            fcntl.flock(fd, fcntl.LOCK_UN)
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OSError(36, "Resource deadlock avoided") from None

    module.locking = locking  # type: ignore[attr-defined]
    return module


@pytest.fixture(params=["posix", "windows"])
def platform(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "windows":
        monkeypatch.setattr(oslock, "WINDOWS", True)
        monkeypatch.setitem(sys.modules, "msvcrt", windows_msvcrt())
        monkeypatch.setattr(oslock, "_BUSY", {*oslock._BUSY, 36})  # Windows' EDEADLOCK
    monkeypatch.setattr(oslock, "POLL", 0.01)
    return str(request.param)


def test_one_holder_at_a_time_and_the_next_one_after_it(tmp_path: Path, platform: str) -> None:
    path = tmp_path / "lock"
    first = oslock.acquire(path, timeout=1)
    with pytest.raises(oslock.Busy):
        oslock.acquire(path, timeout=0.05)
    oslock.release(first)
    second = oslock.acquire(path, timeout=0.05)
    oslock.release(second)
    assert path.is_file(), "the lock file stays for the next holder"


def test_what_is_not_a_regular_file_is_refused_not_waited_on(tmp_path: Path, platform: str) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(OSError) as raised:
        oslock.acquire(pipe, timeout=5)
    assert raised.value.errno == errno.EINVAL
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OSError):
        oslock.acquire(link, timeout=5)
    assert not (tmp_path / "elsewhere").exists(), "a link is never followed"


def test_a_failure_other_than_busy_is_not_mistaken_for_a_wait(
    tmp_path: Path, platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(fd: int) -> bool:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(oslock, "_try", broken)
    with pytest.raises(OSError) as raised:
        oslock.acquire(tmp_path / "lock", timeout=5)
    assert raised.value.errno == errno.ENOLCK
