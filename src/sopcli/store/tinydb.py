"""The embedded store: TinyDB files under SOP_HOME, written atomically under one lock, never followed
through a link, and vouched for by an index that catches any record removed, added or changed."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import stat
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from sopcli import evidence, safefs, summaries
from sopcli.errors import Damaged, LockTimeout, NotFound, Refused, StoreError
from sopcli.evidence import Attachment, Staged
from sopcli.i18n import _, os_reason
from sopcli.records import ID_ALPHABET, ID_LENGTH, RUN_REF, chain, chain_problems
from sopcli.store import Build, Record, Summarize, Written

if TYPE_CHECKING:
    from sopcli.queries import Query

FORMAT = 2  # 2: index entries carry a pending row; runs may hold parts of steps in several lanes
LOCK_TIMEOUT = 10.0
MAX_FILE = 64 * 1024 * 1024


class AtomicJSONStorage(Storage):
    """TinyDB storage that rereads the file on every operation (only a regular file, never through a
    link) and replaces it atomically; a file that is not a TinyDB document is damage, left untouched."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = safefs.read_bytes(self.path, MAX_FILE)
        except FileNotFoundError:
            return None
        return parse_document(self.path, raw)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        safefs.atomic_write(self.path, json.dumps(data, ensure_ascii=False).encode())

    def close(self) -> None:
        pass


def parse_document(path: Path, raw: bytes) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise Damaged(
            _("the store file {path} is damaged (not a TinyDB JSON document); it was left untouched", path=path),
            _("restore it from a backup, or move it aside and run `sop store reindex`"),
        )
    return data


def _db(path: Path) -> TinyDB:
    return TinyDB(path, storage=AtomicJSONStorage)


class TinyStore:
    """SOP_HOME: store.json (format, current run), runs/<id>.json (a run's records), index/<xx>.json
    (run summaries, sharded so no write grows with the store), evidence/<ab>/<sha256>, incoming/."""

    kind = "tinydb"

    def __init__(self, home: Path, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.home = home
        self.lock_timeout = lock_timeout
        self.runs_dir = home / "runs"
        self.index_dir = home / "index"
        self._shards: dict[Path, tuple[safefs.Version, list[dict[str, Any]]]] = {}
        self.evidence_dir = home / "evidence"
        self.incoming = home / "incoming"

    def location(self) -> str:
        return str(self.home)

    # -- set-up and locking

    def _meta(self) -> dict[str, Any] | None:
        path = self.home / "store.json"
        try:
            doc = AtomicJSONStorage(path).read()
        except FileNotFoundError:
            return None
        if doc is None:
            return None
        info = doc.get("meta", {}).get("1")
        valid = (
            isinstance(info, dict)
            and isinstance(info.get("format"), int)
            and (info.get("current") is None or (isinstance(info["current"], str) and RUN_REF.match(info["current"])))
        )
        if not valid:
            raise Damaged(
                _(
                    "the store file {path} is damaged (its format or current run is not valid); it was left untouched",
                    path=path,
                ),
                _("restore it from a backup, or move it aside"),
            )
        assert isinstance(info, dict)
        if info["format"] > FORMAT:
            raise StoreError(
                _(
                    "the store at {home} has format {format}, newer than this sop understands ({mine})",
                    home=self.home,
                    format=info["format"],
                    mine=FORMAT,
                ),
                _("upgrade sopcli"),
            )
        return info

    def _prepare(self) -> None:
        """Creates the layout on first use (each folder a real folder) and moves an older format forward."""
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(
                _("cannot create the store at {home}: {reason}", home=self.home, reason=os_reason(err)),
                _("set SOP_HOME to a folder you can write"),
            ) from None
        for folder in (self.runs_dir, self.index_dir, self.evidence_dir, self.incoming):
            safefs.real_dir(folder, create=True)

    def _ensure_format(self, summarize: Summarize | None = None) -> None:
        """Under the lock, before any write: a damaged store.json or a newer format stops everything;
        a new store gets its format; an older one is moved forward: its run files are read as they are,
        and its index rows, written before runs kept each pass's figures, are rebuilt from them."""
        info = self._meta()
        if info is not None and info["format"] < FORMAT and summarize is not None:
            for run_id in self._run_ids():
                with contextlib.suppress(StoreError, NotFound):
                    self._put_entry(run_id, summarize(self._records(run_id)), None)
        if info is None or info["format"] < FORMAT:
            self._write_meta()

    def _write_meta(self, **changes: Any) -> None:
        info = self._meta() or {"format": FORMAT, "current": None}
        info = {**info, **changes, "format": FORMAT}
        _db(self.home / "store.json").table("meta").upsert(Document(info, doc_id=1))

    @contextlib.contextmanager
    def lock(self, purpose: str) -> Iterator[None]:
        """One writer at a time across processes (an OS lock through filelock: a killed holder releases
        it at once, on POSIX and Windows); the holder is written beside it so a wait can name it."""
        from filelock import FileLock, Timeout

        self._prepare()
        path = self.home / "lock"
        safefs.regular_or_absent(path)  # a link, folder or pipe in its place is damage
        safefs.regular_or_absent(self.home / "lock.holder")
        lock = FileLock(str(path), timeout=self.lock_timeout, preserve_lock_file=True, fallback_to_soft=False)
        try:
            lock.acquire()
        except Timeout:
            raise LockTimeout(
                _(
                    "the store lock {path} is held by {holder} for more than {seconds:g}s",
                    path=path,
                    holder=self._holder(path),
                    seconds=self.lock_timeout,
                ),
                _("wait for that command to finish, or stop it"),
            ) from None
        except OSError as err:
            raise safefs.io_error(path, err) from None
        try:
            self._note_holder(purpose)
            yield
        finally:
            lock.release()

    def _note_holder(self, purpose: str) -> None:
        """Best effort: a note that cannot be written only makes a wait name the holder less well. Opened
        without blocking and written only when it is a regular file, so a pipe swapped in never hangs."""
        flags = os.O_WRONLY | os.O_CREAT | safefs.O_NOFOLLOW | safefs.O_NONBLOCK | safefs.O_CLOEXEC
        with contextlib.suppress(OSError):
            fd = os.open(self.home / "lock.holder", flags, 0o644)
            try:
                if stat.S_ISREG(os.fstat(fd).st_mode):
                    os.ftruncate(fd, 0)
                    os.write(fd, f"{os.getpid()} {purpose}".encode(errors="replace"))
            finally:
                os.close(fd)

    def _holder(self, path: Path) -> str:
        """Who holds the lock now: the pid the kernel names (Linux), checked against the note the holder
        left; never a stale note of a process that has gone."""
        noted: tuple[int, str] | None = None
        with contextlib.suppress(OSError, ValueError, Damaged):
            pid, _sep, purpose = (
                safefs.read_bytes(self.home / "lock.holder", 4096).decode(errors="replace").partition(" ")
            )
            noted = (int(pid), purpose)
        holder = _flock_holder(path)
        if holder is not None:
            if noted and noted[0] == holder:
                return _("pid {pid} ({purpose})", pid=holder, purpose=noted[1])
            return _("pid {pid}", pid=holder)
        if noted and _alive(noted[0]):
            return _("pid {pid} ({purpose})", pid=noted[0], purpose=noted[1])
        return _("another process")

    # -- the current run

    def current(self) -> str | None:
        info = self._meta()
        return info.get("current") if info else None

    def use(self, ref: str) -> str:
        with self.lock("sop use"):
            self._ensure_format()
            run_id = self.resolve(ref)
            self._write_meta(current=run_id)
        return run_id

    # -- runs and their records

    def run_path(self, run_id: str) -> Path:
        return self.runs_dir / f"{run_id}.json"

    def _run_ids(self) -> list[str]:
        try:
            names = os.listdir(self.runs_dir)
        except FileNotFoundError:
            return []
        except OSError as err:
            raise safefs.io_error(self.runs_dir, err, writing=False) from None
        return sorted(n[:-5] for n in names if n.endswith(".json") and RUN_REF.match(n[:-5]))

    def _new_run_id(self) -> str:
        while True:
            run_id = "".join(secrets.choice(ID_ALPHABET) for _i in range(ID_LENGTH))
            if not os.path.lexists(self.run_path(run_id)):
                return run_id

    def resolve(self, ref: str) -> str:
        """A run id from a full id or a unique prefix of one; only ids of the id alphabet, never a path."""
        ref = ref.strip().lower()
        if not RUN_REF.match(ref):
            raise NotFound(_("'{ref}' is not a run id", ref=ref), _("run ids are like 7kq2m; `sop runs` lists them"))
        matches = [run_id for run_id in self._run_ids() if run_id.startswith(ref)]
        if ref in matches:
            return ref
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise NotFound(
                _("run '{ref}' is ambiguous: {ids}", ref=ref, ids=", ".join(matches[:5])), _("give more of its id")
            )
        indexed = [e["id"] for e in self._entries() if e["id"].startswith(ref)]
        if len(indexed) == 1:
            raise Damaged(
                _(
                    "the index knows run {run} but its file {path} is missing",
                    run=indexed[0],
                    path=self.run_path(indexed[0]),
                ),
                _("restore it from a backup; `sop verify --all` checks the whole store"),
            )
        raise NotFound(_("no run '{ref}'", ref=ref), _("`sop runs` lists the runs"))

    def _records(self, run_id: str) -> list[Record]:
        """The run's records, each of the right shape, in one unbroken chain; else the file is damaged."""
        path = self.run_path(run_id)
        try:
            raw = safefs.read_bytes(path, MAX_FILE)
        except FileNotFoundError:
            raise NotFound(_("no run '{run}'", run=run_id), _("`sop runs` lists the runs")) from None
        doc = parse_document(path, raw)
        table = doc.get("records")
        if set(doc) - {"records"} or not isinstance(table, dict) or not all(k.isdigit() for k in table):
            raise Damaged(
                _("the run file {path} is damaged (not a table of records); it was left untouched", path=path),
                _("`sop verify` shows what is wrong"),
            )
        records = [table[k] for k in sorted(table, key=int)]
        problems = chain_problems(records)
        if problems or any(str(r["seq"]) != k for r, k in zip(records, sorted(table, key=int), strict=True)):
            detail = problems[0][1] if problems else _("a record is filed under another number")
            raise Damaged(
                _("the run file {path} is damaged: {detail}; it was left untouched", path=path, detail=detail),
                _("restore it from a backup; `sop verify` checks the rest"),
            )
        return records

    def read(self, run_id: str) -> list[Record]:
        """The run's records as its index vouches for them, read consistently without the lock: the index
        entry is read before and after the run file, and the pair is taken only when it did not move."""
        for _attempt in range(20):
            before = self._entry(run_id)
            records = self._records(run_id)
            if self._entry(run_id) == before:
                break
            time.sleep(0.01)
        disagreement = agreement(records, before)
        if disagreement and disagreement != HEALABLE:
            raise Damaged(
                _(
                    "the run file {path} disagrees with the index: {detail}; it was left untouched",
                    path=self.run_path(run_id),
                    detail=disagreement,
                ),
                _("restore it from a backup, or after checking run `sop store reindex`"),
            )
        return records

    def _read_locked(self, run_id: str) -> list[Record]:
        """Under the lock: the run's records, its index entry healed if a crash left it one write behind."""
        records = self._records(run_id)
        entry = self._entry(run_id)
        disagreement = agreement(records, entry)
        if disagreement == HEALABLE:
            assert entry is not None
            pending = entry.get("pending")
            row = pending if pending and pending["seq"] == len(records) else entry.get("row")
            self._put_entry(run_id, row, None)
        elif disagreement:
            raise Damaged(
                _(
                    "the run file {path} disagrees with the index: {detail}; it was left untouched",
                    path=self.run_path(run_id),
                    detail=disagreement,
                ),
                _("restore it from a backup, or after checking run `sop store reindex`"),
            )
        return records

    def append(
        self,
        run_id: str | None,
        build: Build,
        files: Sequence[Attachment],
        summarize: Summarize,
        *,
        purpose: str,
        make_current: bool = False,
    ) -> Written:
        """Stages the files (hash and copy, outside the lock), then under the lock: reads the run, builds
        the record, links the evidence, and writes index (pending), run file and index (final)."""
        staged: list[Staged] = []
        try:
            self._prepare()
            staged = [evidence.stage(self.incoming, item) for item in files]
            with self.lock(purpose):
                self._ensure_format(summarize)
                evidence.sweep(self.incoming)
                if run_id is None:
                    run_id, records = self._new_run_id(), []
                else:
                    records = self._read_locked(run_id)
                fields = build(run_id, records, [s.ref() for s in staged])
                warnings = [w for s in staged if (w := evidence.commit(self.home, self.evidence_dir, s))]
                record = chain(records[-1] if records else None, fields)
                written = [*records, record]
                row = summarize(written)
                previous = self._entry(run_id)
                self._put_entry(run_id, previous.get("row") if previous else None, row)
                _db(self.run_path(run_id)).table("records").insert(Document(record, doc_id=record["seq"]))
                try:
                    self._put_entry(run_id, row, None)
                except StoreError as err:
                    warnings.append(
                        _(
                            "recorded, but the run index was not updated ({reason}); "
                            "it catches up on the next command on this run",
                            reason=err.message,
                        )
                    )
                if make_current:
                    try:
                        self._write_meta(current=run_id)
                    except StoreError as err:
                        warnings.append(
                            _(
                                "run {run} started, but it could not be made current ({reason}); use `sop use {run}`",
                                run=run_id,
                                reason=err.message,
                            )
                        )
            return Written(run_id, written, warnings)
        finally:
            evidence.discard(staged)

    # -- the index of summaries, for listing and statistics

    def _shard(self, run_id: str) -> Path:
        return self.index_dir / f"{run_id[:2]}.json"

    def _shard_entries(self, shard: Path) -> list[dict[str, Any]]:
        """The entries of one index shard (each {id, row, pending}); rows of the wrong shape are damage.
        A shard read before and unchanged since is not parsed again (a listing reads every shard)."""
        known = self._shards.get(shard)
        try:
            version, raw = safefs.read_changed(shard, MAX_FILE, known[0] if known else None)
        except FileNotFoundError:
            return []
        if raw is None and known is not None:
            return known[1]
        doc = parse_document(shard, raw or b"")
        entries = []
        for item in doc.get("runs", {}).values():
            entry = _entry_of(item)
            if entry is None:
                raise Damaged(
                    _(
                        "the index file {path} is damaged ({detail}); it was left untouched",
                        path=shard,
                        detail=_row_detail(item),
                    ),
                    _("after checking, run `sop store reindex`"),
                )
            entries.append(entry)
        self._shards[shard] = (version, entries)
        return entries

    def _entries(self) -> list[dict[str, Any]]:
        try:
            shards = sorted(p for p in os.listdir(self.index_dir) if p.endswith(".json"))
        except FileNotFoundError:
            return []
        except OSError as err:
            raise safefs.io_error(self.index_dir, err, writing=False) from None
        found: list[dict[str, Any]] = []
        for name in shards:
            found.extend(self._shard_entries(self.index_dir / name))
        return found

    def _entry(self, run_id: str) -> dict[str, Any] | None:
        return next((e for e in self._shard_entries(self._shard(run_id)) if e["id"] == run_id), None)

    def _put_entry(self, run_id: str, row: dict[str, Any] | None, pending: dict[str, Any] | None) -> None:
        safefs.real_dir(self.index_dir, create=True)
        table = _db(self._shard(run_id)).table("runs")
        entry = {"id": run_id, "row": row, "pending": pending}
        existing = next((d.doc_id for d in table.all() if d.get("id") == run_id), None)
        if row is None and pending is None:
            if existing is not None:
                table.remove(doc_ids=[existing])
        elif existing is None:
            table.insert(entry)
        else:

            def replace(doc: Any) -> None:
                doc.clear()
                doc.update(entry)

            table.update(replace, doc_ids=[existing])

    def rows(self, query: Query | None = None) -> list[dict[str, Any]]:
        """The runs' summaries (the confirmed row, or the pending one where the run file already has it)
        that the query covers, filtered here in Python."""
        from sopcli.queries import matches

        def covered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [row for row in rows if query is None or matches(row, query)]

        every = [row for entry in self._entries() if (row := self._current_row(entry)) is not None]
        return summaries.diagnosed(every, covered)

    def row(self, run_id: str) -> dict[str, Any] | None:
        """None too for a row of the first format (the first write rebuilds it): it holds too little to be
        computed again and compared."""
        entry = self._entry(run_id)
        row = self._current_row(entry) if entry else None
        return row if row is not None and "as_of" in row else None

    def _current_row(self, entry: dict[str, Any]) -> dict[str, Any] | None:
        """The confirmed row, or the pending one where the run file already has it."""
        row, pending = entry.get("row"), entry.get("pending")
        if pending is not None and (row is None or self._length(entry["id"]) == pending.get("seq")):
            return pending
        return row

    def listing(self, query: Query) -> list[dict[str, Any]]:
        from sopcli.queries import listing

        return summaries.diagnosed(self.rows(query), listing)

    def step_stats(self, sop_id: str, standards: dict[int, float | None], query: Query) -> dict[str, Any]:
        from sopcli.stats import step_stats

        return summaries.diagnosed(self.rows(query), lambda rows: step_stats(sop_id, standards, rows))

    def unindexed(self) -> list[str]:
        """Run files that have no row in the index (an index removed, or a file added outside sop)."""
        known = {entry["id"] for entry in self._entries()}
        return [run_id for run_id in self._run_ids() if run_id not in known]

    def run_ids(self) -> list[str]:
        """Every run the store knows of: its run files and its index rows."""
        return sorted(set(self._run_ids()) | {entry["id"] for entry in self._entries()})

    def _length(self, run_id: str) -> int | None:
        with contextlib.suppress(StoreError, NotFound):
            return len(self._records(run_id))
        return None

    # -- evidence

    def evidence_problem(self, item: dict[str, Any]) -> str | None:
        return evidence.problem(self.evidence_dir, item)

    def open_evidence(self, item: dict[str, Any]) -> Iterator[bytes]:
        """The stored file's content in chunks (memory stays flat)."""
        fd = safefs.open_regular(evidence.blob_path(self.evidence_dir, item["sha256"]))
        try:
            for chunk in evidence._chunks(fd):
                yield bytes(chunk)
        finally:
            os.close(fd)

    # -- identity

    def login(self) -> str:
        return ""

    def may_force(self) -> bool:
        return True

    # -- moving runs between stores

    def export_run(self, run_id: str) -> list[Record]:
        return self.read(run_id)

    def import_run(self, run_id: str, records: list[Record], summary: dict[str, Any], blobs: Any) -> None:
        """Copies one whole run in (the same records, the same hashes) with its evidence, under the lock."""
        self._prepare()
        with self.lock("sop store migrate"):
            self._ensure_format()
            if os.path.lexists(self.run_path(run_id)):
                raise Refused(_("run {run} is already in {home}", run=run_id, home=self.home), "")
            for item, chunks in blobs:
                staged = evidence.stage_chunks(self.incoming, item, chunks)
                try:
                    evidence.commit(self.home, self.evidence_dir, staged)
                finally:
                    evidence.discard([staged])
            table = {str(r["seq"]): r for r in records}
            safefs.atomic_write(self.run_path(run_id), json.dumps({"records": table}, ensure_ascii=False).encode())
            self._put_entry(run_id, summary, None)

    # -- verifying and rebuilding the index

    def verify(self, run_id: str) -> list[str]:
        """Chain and index agreement of one run (read consistently); evidence is checked by the caller."""
        path = self.run_path(run_id)
        try:
            with self._maybe_locked("sop verify") as locked:
                records = self._read_locked(run_id) if locked else self._records(run_id)
                entry = self._entry(run_id)
        except (Damaged, NotFound) as err:
            return [err.message]
        disagreement = agreement(records, entry)
        if disagreement and disagreement != HEALABLE:
            return [_("{path}: {detail}", path=path, detail=disagreement)]
        return []

    @contextlib.contextmanager
    def _maybe_locked(self, purpose: str) -> Iterator[bool]:
        """The lock where the store can take it (a consistent pair of run file and index, healed where a
        crash left the index a write behind); a store this user cannot write is read as it is."""
        with contextlib.ExitStack() as stack:
            locked = os.access(self.home, os.W_OK)
            if locked:
                stack.enter_context(self.lock(purpose))
            yield locked

    def verify_all(self) -> list[str]:
        """Every run file against the index and the index against the run files."""
        problems = []
        try:
            with self._maybe_locked("sop verify --all"):
                ids = set(self._run_ids())
                entries = {e["id"]: e for e in self._entries()}
        except StoreError as err:
            return [err.message]
        for run_id in sorted(entries.keys() - ids):
            problems.append(
                _("the index knows run {run} but its file {path} is missing", run=run_id, path=self.run_path(run_id))
            )
        return problems

    def reindex(self, summarize: Summarize) -> list[str]:
        """Rebuilds every index row from the run files, under the lock; says what it changed."""
        changes: list[str] = []
        with self.lock("sop store reindex"):
            entries = {}
            for shard in sorted(self.index_dir.glob("*.json")):
                try:
                    entries.update({e["id"]: e for e in self._shard_entries(shard)})
                except Damaged:
                    changes.append(_("the damaged index file {path} was moved aside", path=shard))
                    safefs.replace(shard, shard.with_suffix(f".damaged-{time.time_ns()}"))
            for run_id in self._run_ids():
                entry = entries.pop(run_id, None)
                try:
                    records = self._records(run_id)
                    row = summarize(records)
                except (Damaged, StoreError) as err:
                    changes.append(_("run {run} was not indexed: {reason}", run=run_id, reason=err.message))
                    continue
                old = entry.get("row") if entry else None
                if entry is None:
                    changes.append(_("run {run}: added to the index ({seq} records)", run=run_id, seq=row["seq"]))
                elif (
                    old is None
                    or (old.get("seq"), old.get("head")) != (row["seq"], row["head"])
                    or entry.get("pending")
                ):
                    was = old.get("seq") if old else "—"
                    changes.append(
                        _("run {run}: index row rebuilt ({was} → {seq} records)", run=run_id, was=was, seq=row["seq"])
                    )
                elif old == row:
                    continue
                self._put_entry(run_id, row, None)
            for run_id in sorted(entries):
                self._put_entry(run_id, None, None)
                changes.append(_("run {run}: removed from the index (its run file is missing)", run=run_id))
        return changes

    def info(self) -> dict[str, Any]:
        blobs = [p for p in self.evidence_dir.glob("??/*") if p.is_file()] if self.evidence_dir.is_dir() else []
        meta = self._meta() or {}
        return {
            "store": "tinydb",
            "location": str(self.home),
            "format": meta.get("format"),
            "runs": len(self._run_ids()),
            "evidence_files": len(blobs),
            "evidence_bytes": sum(p.stat().st_size for p in blobs),
        }


HEALABLE = "healable"


def _row_detail(raw: Any) -> str:
    """Which run's row is wrong, and how, for the damage message."""
    run = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    found = None
    if isinstance(raw, dict) and ("row" in raw or "pending" in raw):
        problems = [summaries.problem(raw[k]) for k in ("row", "pending") if raw.get(k) is not None]
        found = next((p for p in problems if p), None)
    found = found or _("a row of the wrong shape")
    return _("run {run}: {problem}", run=run, problem=found) if run and RUN_REF.match(run) else found


def _entry_of(raw: Any) -> dict[str, Any] | None:
    """An index entry in today's shape ({id, row, pending}) from a row as it is stored; a row written by
    format 1 (the summary itself) is read as a confirmed row. None when the shape is wrong."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not RUN_REF.match(raw["id"]):
        return None
    if "row" in raw or "pending" in raw:
        row, pending = raw.get("row"), raw.get("pending")
    else:
        row, pending = raw, None
    for item in (row, pending):
        if item is not None and not (
            isinstance(item, dict)
            and isinstance(item.get("seq"), int)
            and isinstance(item.get("head"), str)
            and isinstance(item.get("status"), str)
            and isinstance(item.get("sop"), str)
            and isinstance(item.get("started_at"), str)
        ):
            return None
    return {"id": raw["id"], "row": row, "pending": pending}


def agreement(records: list[Record], entry: dict[str, Any] | None) -> str | None:
    """None when the index vouches for exactly these records; HEALABLE when a crash left the index one
    write behind or ahead (provably: the pending row names the run's last hash, or the run has not moved);
    else what disagrees."""
    count, head = len(records), records[-1]["hash"]
    if entry is None:
        return _("the run file has no row in the index (the index was removed or the file was added outside sop)")
    row, pending = entry.get("row"), entry.get("pending")
    if pending is not None:
        crashed_after_run = pending["seq"] == count and pending["head"] == head
        if crashed_after_run and (
            row is None or (row["seq"] == count - 1 and records[count - 2]["hash"] == row["head"])
        ):
            return HEALABLE
        if row is not None and pending["seq"] == count + 1 and row["seq"] == count and row["head"] == head:
            return HEALABLE
    if row is None:
        return _("the run file has no row in the index (the index was removed or the file was added outside sop)")
    if row["seq"] == count and row["head"] == head:
        return HEALABLE if pending is not None else None
    if count < row["seq"]:
        return _(
            "the index vouches for {seq} records but the run has {count} (records were removed from the end)",
            seq=row["seq"],
            count=count,
        )
    if count > row["seq"]:
        return _(
            "the run has {count} records but the index vouches for {seq} (records were added outside sop)",
            count=count,
            seq=row["seq"],
        )
    return _("record {seq} differs from the one the index vouches for", seq=count)


def _flock_holder(path: Path) -> int | None:
    """The pid holding an flock on `path`, from /proc/locks (Linux only; elsewhere None)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        info = os.stat(path)
        wanted = f":{info.st_ino} "
        with open("/proc/locks", encoding="ascii", errors="replace") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) > 5 and parts[1] == "FLOCK" and (parts[5] + " ").endswith(wanted) and parts[4].isdigit():
                    return int(parts[4])
    except OSError:
        return None
    return None


def _alive(pid: int) -> bool:
    if sys.platform == "win32":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError as err:
        return err.errno == errno.EPERM
    return True
