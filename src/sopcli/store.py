"""The only module that touches SOP_HOME: TinyDB files written atomically under one lock."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from sopcli.errors import LockTimeout, NotFound, StoreError

FORMAT = 1
GENESIS = "0" * 64
LOCK_TIMEOUT = 10.0
ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: ids are read aloud and typed
ID_LENGTH = 5


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(record: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of a record without its own hash."""
    return hashlib.sha256(canonical({k: v for k, v in record.items() if k != "hash"})).hexdigest()


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _io_error(path: Path, err: OSError) -> StoreError:
    reason = err.strerror or str(err)
    if err.errno == errno.ENOSPC:
        reason = "no space left on the device"
    return StoreError(
        f"could not write {path}: {reason}; nothing was changed",
        "free space or fix the permissions, then run the command again",
    )


def atomic_write(path: Path, data: bytes) -> None:
    """Old content or new, never a mix: temp file in the same folder, fsync, rename, fsync the folder."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        raise _io_error(path, err) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    try:
        fsync_dir(path.parent)
    except OSError as err:
        raise StoreError(
            f"wrote {path} but could not confirm it is on disk: {err.strerror}",
            "check the disk; `sop verify` shows what the store holds",
        ) from None


class AtomicJSONStorage(Storage):
    """TinyDB storage that rereads the file on every operation and replaces it atomically."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise StoreError(f"cannot read {self.path}: {err.strerror}", "check its permissions") from None
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise StoreError(
                f"the store file {self.path} is damaged (not a TinyDB JSON document); it was left untouched",
                "restore it from a backup, or move it aside to continue without it",
            )
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        atomic_write(self.path, json.dumps(data, ensure_ascii=False).encode())

    def close(self) -> None:
        pass


def _db(path: Path) -> TinyDB:
    return TinyDB(path, storage=AtomicJSONStorage)


class Store:
    """SOP_HOME: store.json (format, current run), runs/<id>.json (a run's records),
    index/<xx>.json (run summaries, sharded so no write grows with the store), evidence/."""

    def __init__(self, home: Path, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.home = home
        self.lock_timeout = lock_timeout
        self.runs_dir = home / "runs"
        self.index_dir = home / "index"
        self.evidence_dir = home / "evidence"

    # -- set-up and locking

    def _meta(self) -> Any:
        return _db(self.home / "store.json").table("meta")

    def open(self) -> None:
        """Creates the layout on first use; refuses a store written by a newer sopcli."""
        try:
            for folder in (self.home, self.runs_dir, self.index_dir, self.evidence_dir):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(
                f"cannot create the store at {self.home}: {err.strerror}", "set SOP_HOME to a folder you can write"
            ) from None
        meta = self._meta()
        info = meta.get(doc_id=1)
        if info is None:
            meta.insert(Document({"format": FORMAT, "current": None}, doc_id=1))
        elif info.get("format", 0) > FORMAT:
            raise StoreError(
                f"the store at {self.home} has format {info['format']}, newer than this sop understands ({FORMAT})",
                "upgrade sopcli",
            )

    @contextlib.contextmanager
    def lock(self, purpose: str) -> Iterator[None]:
        """One writer at a time across processes (flock: a killed holder releases it at once)."""
        import fcntl

        timeout = self.lock_timeout
        self.home.mkdir(parents=True, exist_ok=True)
        path = self.home / "lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another sop process"
                        raise LockTimeout(
                            f"the store lock {path} is held by {holder} for more than {timeout:g}s",
                            "wait for that command to finish, or stop it",
                        ) from None
                    time.sleep(0.005)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} ({purpose})".encode(), 0)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    # -- current run

    def current(self) -> str | None:
        info = self._meta().get(doc_id=1)
        return info.get("current") if info else None

    def set_current(self, run_id: str) -> None:
        self._meta().update({"current": run_id}, doc_ids=[1])

    # -- runs and their records

    def run_path(self, run_id: str) -> Path:
        return self.runs_dir / f"{run_id}.json"

    def new_run_id(self) -> str:
        import secrets

        while True:
            run_id = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
            if not self.run_path(run_id).exists():
                return run_id

    def resolve(self, ref: str) -> str:
        """A run id from a full id or a unique prefix of one."""
        if ref and self.run_path(ref).is_file():
            return ref
        matches = [p.stem for p in self.runs_dir.glob(f"{glob_escape(ref)}*.json")] if ref else []
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise NotFound(f"run '{ref}' is ambiguous: {', '.join(sorted(matches)[:5])}", "give more of its id")
        raise NotFound(f"no run '{ref}'", "`sop runs` lists the runs")

    def records(self, run_id: str) -> list[dict[str, Any]]:
        path = self.run_path(run_id)
        if not path.exists():
            raise NotFound(f"no run '{run_id}'", "`sop runs` lists the runs")
        docs = _db(path).table("records").all()
        return sorted((dict(d) for d in docs), key=lambda r: r["seq"])

    def append(self, run_id: str, records: list[dict[str, Any]], fields: dict[str, Any]) -> dict[str, Any]:
        """Chains a new record after `records` (the run as just read under the lock) and writes it."""
        previous = records[-1] if records else None
        record = {
            "seq": previous["seq"] + 1 if previous else 1,
            "prev": previous["hash"] if previous else GENESIS,
            **fields,
        }
        record["hash"] = record_hash(record)
        _db(self.run_path(run_id)).table("records").insert(Document(record, doc_id=record["seq"]))
        return record

    # -- index of summaries, for listing and statistics

    def _shard(self, run_id: str) -> Path:
        return self.index_dir / f"{run_id[:2]}.json"

    def summary(self, run_id: str) -> dict[str, Any] | None:
        table = _db(self._shard(run_id)).table("runs")
        return next((dict(d) for d in table.all() if d.get("id") == run_id), None)

    def put_summary(self, summary: dict[str, Any]) -> None:
        table = _db(self._shard(summary["id"])).table("runs")
        existing = next((d.doc_id for d in table.all() if d.get("id") == summary["id"]), None)
        if existing is None:
            table.insert(summary)
        else:
            table.update(summary, doc_ids=[existing])

    def summaries(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for shard in sorted(self.index_dir.glob("*.json")):
            found.extend(dict(d) for d in _db(shard).table("runs").all())
        return found


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)
