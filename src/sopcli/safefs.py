"""Files inside SOP_HOME opened the safe way: no symbolic link followed, only regular files read,
folders checked to be real folders, every replacement atomic and durable, on POSIX and Windows."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
import time
from pathlib import Path

from sopcli.errors import Damaged, StoreError
from sopcli.i18n import _, os_reason

O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
O_BINARY = getattr(os, "O_BINARY", 0)
O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
WINDOWS = sys.platform == "win32"
_REPARSE_POINT = 0x400  # FILE_ATTRIBUTE_REPARSE_POINT: a symbolic link or junction on NTFS
REPLACE_RETRIES = 20  # a virus scanner holding a file open briefly makes os.replace fail on Windows


def is_link(info: os.stat_result) -> bool:
    """A symbolic link, or on Windows any reparse point (junctions included)."""
    return stat.S_ISLNK(info.st_mode) or bool(getattr(info, "st_file_attributes", 0) & _REPARSE_POINT)


def io_error(path: Path, err: OSError, writing: bool = True) -> StoreError:
    reason = os_reason(err)
    if writing:
        return StoreError(
            _("could not write {path}: {reason}; nothing was changed", path=path, reason=reason),
            _("free space or fix the permissions, then run the command again"),
        )
    return StoreError(_("cannot read {path}: {reason}", path=path, reason=reason), _("check its permissions"))


def real_dir(path: Path, create: bool = False) -> Path:
    """`path` as a real folder (not a link, not a file); created when asked. Anything else is damage."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        if not create:
            raise
        try:
            os.mkdir(path, 0o755)
        except FileExistsError:
            pass
        except OSError as err:
            raise io_error(path, err) from None
        info = os.lstat(path)
    except OSError as err:
        raise io_error(path, err, writing=False) from None
    if is_link(info) or not stat.S_ISDIR(info.st_mode):
        raise Damaged(
            _("{path} should be a folder of the store but is a link or a file; it was left untouched", path=path),
            _("move it aside, then run the command again"),
        )
    return path


def open_regular(path: Path, flags: int = os.O_RDONLY) -> int:
    """A descriptor of a regular file inside the store, opened without following links or blocking."""
    try:
        before = os.lstat(path)
    except FileNotFoundError:
        raise
    except OSError as err:
        raise io_error(path, err, writing=False) from None
    if is_link(before) or not stat.S_ISREG(before.st_mode):
        raise Damaged(
            _("{path} is not a regular file (a link, a folder, a pipe or a device); it was left untouched", path=path),
            _("move it aside, then run `sop verify`"),
        )
    try:
        fd = os.open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_BINARY | O_CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise Damaged(
                _("{path} is a symbolic link; it was left untouched", path=path), _("move it aside")
            ) from None
        raise io_error(path, err, writing=False) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or (WINDOWS and (info.st_ino, info.st_dev) != (before.st_ino, before.st_dev)):
        os.close(fd)
        raise Damaged(_("{path} is not a regular file; it was left untouched", path=path), _("move it aside"))
    return fd


def regular_or_absent(path: Path) -> None:
    """Nothing, or a regular file: a link, folder, pipe or device where a store file belongs is damage."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as err:
        raise io_error(path, err, writing=False) from None
    if is_link(info) or not stat.S_ISREG(info.st_mode):
        raise Damaged(
            _("{path} is not a regular file (a link, a folder, a pipe or a device); it was left untouched", path=path),
            _("move it aside, then run the command again"),
        )


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The whole content of a regular file of the store (FileNotFoundError when it is absent)."""
    return read_changed(path, limit)[1] or b""


Version = tuple[int, int, int, int]  # inode, device, size, modification time: a file as it stands


def read_changed(path: Path, limit: int | None = None, known: Version | None = None) -> tuple[Version, bytes | None]:
    """The file's version and its content, or None for the content when it is still the `known` version
    (judged on the opened file, so a file replaced meanwhile is read afresh)."""
    fd = open_regular(path)
    try:
        info = os.fstat(fd)
        version = (info.st_ino, info.st_dev, info.st_size, info.st_mtime_ns)
        if known is not None and version == known:
            return version, None
        chunks = []
        size = 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size > limit:
                raise Damaged(
                    _("{path} is larger than any store file should be; it was left untouched", path=path),
                    _("move it aside"),
                )
        return version, b"".join(chunks)
    except OSError as err:
        raise io_error(path, err, writing=False) from None
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Makes a rename durable where the platform lets a folder be fsynced (not on Windows)."""
    if WINDOWS:
        return
    fd = os.open(path, os.O_RDONLY | O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace(source: str | Path, target: Path) -> None:
    """os.replace, retried briefly where Windows reports a sharing violation (a scanner holds the file)."""
    for attempt in range(REPLACE_RETRIES):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if not WINDOWS or attempt == REPLACE_RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


def atomic_write(path: Path, data: bytes) -> None:
    """Old content or new, never a mix: temp file in the same folder, fsync, rename, fsync the folder."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        replace(tmp, path)
        tmp = None
    except OSError as err:
        raise io_error(path, err) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    try:
        fsync_dir(path.parent)
    except OSError as err:
        raise StoreError(
            _("wrote {path} but could not confirm it is on disk: {reason}", path=path, reason=os_reason(err)),
            _("check the disk; `sop verify` shows what the store holds"),
        ) from None


def portable_name(name: str) -> bool:
    """True for a name that every file system sop runs on accepts (NTFS forbids : * ? and CON, NUL, ...)."""
    reserved = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
    stem = name.split(".")[0].lower()
    return bool(name) and not any(c in name for c in '<>:"/\\|?*') and stem not in reserved and name[-1] not in ". "
