"""Attached files, read once from one opened handle and kept by their SHA-256, so one content is stored
once, no name can escape the store, and memory stays flat whatever the size."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sopcli import safefs
from sopcli.errors import Damaged, Refused, StoreError
from sopcli.i18n import _, os_reason

CHUNK = 1 << 20
STALE_SECONDS = 3600


@dataclass
class Attachment:
    """A user's file, opened once and checked to be a regular file; read only through `fd`."""

    path: Path
    fd: int
    size: int

    @property
    def name(self) -> str:
        return display_name(self.path)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


@dataclass
class Staged:
    """A file hashed and copied into the store's incoming folder, ready to be linked under the lock."""

    name: str
    sha256: str
    size: int
    temp: Path | None = None

    def ref(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "size": self.size}


def display_name(path: Path) -> str:
    """The file's name as valid text: bytes that are not UTF-8 are shown as \\xNN, never dropped."""
    return os.fsencode(path.name).decode("utf-8", "backslashreplace")


def open_attachments(paths: Sequence[Path]) -> list[Attachment]:
    """Opens every file before anything is recorded; refuses a missing, unreadable, folder or special file.
    A FIFO or a device is never read (opened without blocking, checked on the open handle)."""
    opened: list[Attachment] = []
    try:
        for path in paths:
            opened.append(_open(path))
    except BaseException:
        for item in opened:
            item.close()
        raise
    return opened


def _open(path: Path) -> Attachment:
    shown = repr(display_name(path)) if path.name else repr(str(path))
    flags = os.O_RDONLY | safefs.O_NONBLOCK | safefs.O_BINARY | safefs.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise Refused(_("no file {name} to attach", name=shown), _("check the path")) from None
    except IsADirectoryError:
        raise Refused(
            _("{name} is a folder, not a file", name=shown), _("attach the files in it, or a zip of it")
        ) from None
    except OSError as err:
        if err.errno == 13 and os.path.isdir(path):  # Windows opens no folder
            raise Refused(
                _("{name} is a folder, not a file", name=shown), _("attach the files in it, or a zip of it")
            ) from None
        raise Refused(
            _("cannot read {name}: {reason}", name=shown, reason=os_reason(err)), _("check the path and permissions")
        ) from None
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        os.close(fd)
        raise Refused(_("{name} is a folder, not a file", name=shown), _("attach the files in it, or a zip of it"))
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise Refused(_("{name} is not a regular file", name=shown), _("attach an ordinary file"))
    return Attachment(path, fd, info.st_size)


def _chunks(fd: int) -> Iterator[memoryview]:
    """The file's bytes, read into one reused buffer: the memory used does not grow with the file."""
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with os.fdopen(os.dup(fd), "rb", buffering=0) as handle:
        handle.seek(0)
        while True:
            count = handle.readinto(buffer)
            if not count:
                return
            yield view[:count]


def stage(incoming: Path, item: Attachment) -> Staged:
    """Hashes and copies an opened attachment into `incoming` (outside the store lock: a large file
    never blocks other runs). The temp file is fsynced; linking it is `commit`'s job."""
    digest = hashlib.sha256()
    size = 0
    tmp: Path | None = None
    try:
        safefs.real_dir(incoming, create=True)
        tmp = incoming / f".{os.getpid()}-{time.monotonic_ns()}.tmp"
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | safefs.O_NOFOLLOW | safefs.O_BINARY, 0o644)
        try:
            for chunk in _chunks(item.fd):
                digest.update(chunk)
                written = 0
                while written < len(chunk):
                    written += os.write(out, chunk[written:])
                size += len(chunk)
            os.fsync(out)
        finally:
            os.close(out)
    except OSError as err:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise StoreError(
            _(
                "could not store the evidence {name!r}: {reason}; nothing was recorded",
                name=item.name,
                reason=os_reason(err),
            ),
            _("free space or fix the permissions, then run the command again"),
        ) from None
    return Staged(item.name, digest.hexdigest(), size, tmp)


def stage_chunks(incoming: Path, item: dict[str, Any], chunks: Iterator[bytes]) -> Staged:
    """Like `stage`, from the chunks of another store's copy; the content must have its SHA-256."""
    digest = hashlib.sha256()
    safefs.real_dir(incoming, create=True)
    tmp = incoming / f".{os.getpid()}-{time.monotonic_ns()}.tmp"
    try:
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | safefs.O_NOFOLLOW | safefs.O_BINARY, 0o644)
        try:
            for chunk in chunks:
                digest.update(chunk)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(out, view) :]
            os.fsync(out)
        finally:
            os.close(out)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise StoreError(
            _(
                "could not store the evidence {name!r}: {reason}; nothing was recorded",
                name=item["name"],
                reason=os_reason(err),
            ),
            _("free space or fix the permissions, then run the command again"),
        ) from None
    if digest.hexdigest() != item["sha256"]:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise StoreError(_("evidence {sha} does not have its SHA-256; nothing was copied", sha=item["sha256"][:12]), "")
    return Staged(item["name"], item["sha256"], item["size"], tmp)


def hash_file(fd: int) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in _chunks(fd):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def blob_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def commit(home: Path, root: Path, item: Staged) -> str | None:
    """Links a staged file as its blob (under the lock). An existing blob is kept only if its content
    still has its hash; a damaged one is moved aside to SOP_HOME/damaged and reported, never overwritten."""
    assert item.temp is not None
    final = blob_path(root, item.sha256)
    warning = None
    try:
        safefs.real_dir(root, create=True)
        safefs.real_dir(final.parent, create=True)
        try:
            info = os.lstat(final)
        except FileNotFoundError:
            info = None
        if info is not None and problem(root, item.ref()) is None:
            os.unlink(item.temp)
            return None
        if info is not None:
            aside = safefs.real_dir(home / "damaged", create=True) / f"{item.sha256}.{time.time_ns()}"
            safefs.replace(final, aside)
            warning = _(
                "the stored evidence {blob} was damaged; it was moved to {aside} and stored again from {name!r}",
                blob=final,
                aside=aside,
                name=item.name,
            )
        safefs.replace(item.temp, final)
        safefs.fsync_dir(final.parent)
    except OSError as err:
        raise StoreError(
            _(
                "could not store the evidence {name!r}: {reason}; nothing was recorded",
                name=item.name,
                reason=os_reason(err),
            ),
            _("free space or fix the permissions, then run the command again"),
        ) from None
    return warning


def discard(items: Sequence[Staged]) -> None:
    for item in items:
        if item.temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(item.temp)


def sweep(incoming: Path, now: float | None = None) -> int:
    """Removes temp files of attaches killed long ago (older than an hour); returns how many."""
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(incoming))
    except OSError:
        return 0
    for entry in entries:
        try:
            if (
                entry.is_file(follow_symlinks=False)
                and now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS
            ):
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def problem(root: Path, item: dict[str, Any]) -> str | None:
    """None if the stored file is a regular file that still has its hash and size, else what is wrong."""
    path = blob_path(root, item["sha256"])
    try:
        fd = safefs.open_regular(path)
    except FileNotFoundError:
        return _("evidence file {path} ({name!r}) is missing", path=path, name=item["name"])
    except Damaged as err:
        return err.message
    except StoreError as err:
        return err.message
    try:
        sha, _size = hash_file(fd)
    except OSError as err:
        return _("evidence file {path} cannot be read: {reason}", path=path, reason=os_reason(err))
    finally:
        os.close(fd)
    if sha != item["sha256"]:
        return _(
            "evidence file {path} ({name!r}) was changed: its content no longer has that SHA-256",
            path=path,
            name=item["name"],
        )
    return None
