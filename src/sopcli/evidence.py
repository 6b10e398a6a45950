"""Attached files, kept by their SHA-256 so one content is stored once and no name can escape."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sopcli.errors import Refused, StoreError
from sopcli.store import fsync_dir

CHUNK = 1024 * 1024


def check_files(paths: Sequence[Path]) -> None:
    """Refuses, before anything is recorded, a file that is missing, not regular, or unreadable."""
    for path in paths:
        shown = repr(str(path))
        try:
            info = os.stat(path)
        except FileNotFoundError:
            raise Refused(f"no file {shown} to attach", "check the path") from None
        except OSError as err:
            raise Refused(f"cannot read {shown}: {err.strerror}", "check the path and permissions") from None
        if stat.S_ISDIR(info.st_mode):
            raise Refused(f"{shown} is a folder, not a file", "attach the files in it, or a zip of it")
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{shown} is not a regular file", "attach an ordinary file")
        try:
            with open(path, "rb") as handle:
                handle.read(1)
        except OSError as err:
            raise Refused(f"cannot read {shown}: {err.strerror}", "check its permissions") from None


def blob_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def put(root: Path, source: Path) -> dict[str, Any]:
    """Streams `source` into the evidence store; returns {name, sha256, size}."""
    digest = hashlib.sha256()
    size = 0
    folder = root / "incoming"
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as out, open(source, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        final = blob_path(root, sha)
        final.parent.mkdir(exist_ok=True)
        if final.exists() and final.stat().st_size == size:
            os.unlink(tmp)
        else:
            os.replace(tmp, final)
            fsync_dir(final.parent)
        tmp = None
    except OSError as err:
        raise StoreError(
            f"could not store the evidence {source.name!r}: {err.strerror}; nothing was recorded",
            "free space or fix the permissions, then run the command again",
        ) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return {"name": source.name, "sha256": sha, "size": size}


def check_blob(root: Path, item: dict[str, Any]) -> str | None:
    """None if the stored file still has its hash and size, else what is wrong with it."""
    path = blob_path(root, item["sha256"])
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return f"evidence file {path} ({item['name']!r}) is missing"
    except OSError as err:
        return f"evidence file {path} cannot be read: {err.strerror}"
    if digest.hexdigest() != item["sha256"]:
        return f"evidence file {path} ({item['name']!r}) was changed: its content no longer has that SHA-256"
    return None
