"""The team store: the same runs, records and evidence in a shared PostgreSQL database, where each person
acts as their own database login and the database itself keeps the records append-only and chained."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

from sopcli import evidence, summaries
from sopcli.errors import Damaged, NotFound, Refused, SopError, StoreError
from sopcli.i18n import _
from sopcli.queries import LISTED, Query
from sopcli.records import GENESIS, ID_ALPHABET, ID_LENGTH, RUN_REF, canonical, chain, chain_problems
from sopcli.store import Build, Record, Summarize, Written

if TYPE_CHECKING:
    from sopcli.env import Environment
    from sopcli.evidence import Attachment

SCHEMA_VERSION = 2
CHUNK = 1 << 20  # the database refuses larger chunks

# `user:password@` in a URL (also a malformed one), and `password=...` in key=value form, quoted or not
_SECRETS = (
    (re.compile(r"(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'?|\S+)"), r"\1***"),
    (re.compile(r"([^\s:/@'\"=]*):(?!//)[^\s@'\"]*@"), r"\1:***@"),
)


def redact(text: str, url: str = "") -> str:
    """Text derived from a connection string or a libpq error, without any password it might hold."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    secret = _password(url)
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return text


def _password(url: str) -> str | None:
    from psycopg.conninfo import conninfo_to_dict

    try:
        return str(conninfo_to_dict(url).get("password") or "") or None
    except Exception:  # noqa: BLE001 - a string libpq cannot parse has no password we could find
        return None


def safe_target(url: str) -> str:
    """Where SOP_STORE points, for messages: host, port, database and login, never a password."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(url)
    except Exception:  # noqa: BLE001 - a malformed string is reported without being repeated
        return "SOP_STORE"
    host = str(info.get("host") or "localhost")
    port = f":{info['port']}" if info.get("port") else ""
    user = f"{info['user']}@" if info.get("user") else ""
    return redact(f"postgresql://{user}{host}{port}/{info.get('dbname') or ''}", url)


def _utf8(text: str) -> bool:
    """Whether text can reach the database at all (a name given in bytes that are not UTF-8 cannot)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_CODED = re.compile(r"^sop\.([a-z_]+): ")


class _AlreadyStored(Exception):
    """Another session stored the same content while this one was sending it: nothing more to send."""


class PostgresStore:
    """SOP_STORE=postgresql://…: runs, records, evidence and summaries in the `sop` schema."""

    kind = "postgresql"

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.url = env.store_url or ""
        self._connection: Any = None
        self._schema: int | None = None
        self._initialising = False
        self._summaries = False
        self.summaries_removed: list[str] = []  # by the last upgrade; `sop store reindex` rebuilds them

    def location(self) -> str:
        return safe_target(self.url)

    # -- the connection, and the one translation of its errors

    def _connect(self) -> Any:
        if self._connection is not None:
            return self._connection
        import psycopg

        connection = self._open()
        try:
            session, role = connection.execute(
                "SELECT session_user::text, current_user::text, set_config('lock_timeout', %s, false), "
                "set_config('statement_timeout', '600000', false)",
                (str(max(1, int(self.env.lock_timeout * 1000))),),
            ).fetchone()[:2]
        except psycopg.Error as err:
            with contextlib.suppress(Exception):
                connection.close()
            raise self._failure(err) from None
        if session != role:
            connection.close()
            raise Refused(
                _(
                    "this session acts as the role {role}, not as the login {login}: "
                    "sop records work only under a person's own login",
                    role=role,
                    login=session,
                ),
                _("remove SET ROLE, or options=-c role=…, from SOP_STORE and PGOPTIONS"),
            )
        self._connection = connection
        return connection

    def _open(self) -> Any:
        """A connection within SOP_CONNECT_TIMEOUT for the whole attempt, however many hosts SOP_STORE names
        and however many addresses they have (libpq's own timeout counts each of them afresh)."""
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        try:
            conninfo_to_dict(self.url)
        except psycopg.Error:
            # libpq quotes the string in its complaint, password and all: say what is wrong without it
            raise StoreError(
                _("SOP_STORE is not a connection string sop can read"),
                _(
                    "write it like postgresql://login@host/database, or as key=value pairs; "
                    "keep the password in PGPASSWORD or ~/.pgpass"
                ),
            ) from None
        budget = self.env.connect_timeout
        outcome: dict[str, Any] = {}
        finished = threading.Event()
        guard = threading.Lock()

        def attempt() -> None:
            try:
                connection = psycopg.connect(self.url, connect_timeout=max(2, int(budget) + 1), autocommit=True)
            except Exception as err:  # noqa: BLE001 - handed to the waiting thread, translated there
                with guard:
                    outcome["error"] = err
            else:
                with guard:
                    if outcome.get("abandoned"):
                        connection.close()
                    else:
                        outcome["connection"] = connection
            finally:
                finished.set()

        threading.Thread(target=attempt, name="sop-connect", daemon=True).start()
        finished.wait(budget)
        with guard:
            if "connection" in outcome:
                return outcome["connection"]
            if "error" in outcome:
                raise self._failure(outcome["error"]) from None
            outcome["abandoned"] = True
        raise StoreError(
            _(
                "cannot reach the team store {where} within {seconds:g}s",
                where=self.location(),
                seconds=budget,
            ),
            _("check that the server runs and SOP_STORE is right; nothing was recorded"),
        )

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None
        self._schema = None

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        import psycopg

        try:
            yield
        except psycopg.Error as err:
            self.close()
            raise self._failure(err) from None

    def _failure(self, err: Any) -> SopError:
        """One line for every way the team store can fail, naming what to do; never the password."""
        import psycopg
        from psycopg import errors

        diag = getattr(err, "diag", None)
        coded = _CODED.match(getattr(diag, "message_primary", None) or "")
        if coded:
            try:
                detail = json.loads(getattr(diag, "message_detail", None) or "{}")
            except ValueError:
                detail = {}
            return _refusal(coded.group(1), detail if isinstance(detail, dict) else {})
        where = self.location()
        text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        text = redact(text, self.url)
        lowered = text.lower()
        if self._summaries and isinstance(err, errors.DataError):
            return Damaged(
                _(
                    "a summary in the team store {where} is damaged ({reason}); it was left untouched",
                    where=where,
                    reason=text,
                ),
                _("`sop verify --all` names the run; after checking, run `sop store reindex`"),
            )
        if isinstance(err, errors.UndefinedTable) or 'schema "sop" does not exist' in lowered:
            return StoreError(
                _("the team store {where} has no sop schema", where=where),
                _("an administrator runs `sop store init` once"),
            )
        if isinstance(err, errors.InsufficientPrivilege):
            if self._initialising:
                return StoreError(
                    _("this login may not create or upgrade the sop schema of {where}", where=where),
                    _("run `sop store init` as the owner of the database (with CREATEROLE) or a superuser"),
                )
            return StoreError(
                _("the login has no right to use the team store {where}", where=where),
                _("an administrator grants it: GRANT sop_user TO your login"),
            )
        if isinstance(err, errors.LockNotAvailable):
            return StoreError(
                _(
                    "another command holds this run in the team store for more than {seconds:g}s",
                    seconds=self.env.lock_timeout,
                ),
                _("wait for it to finish, then run the command again"),
            )
        if "password authentication failed" in lowered or "no password supplied" in lowered:
            return StoreError(
                _("the team store {where} refused the password", where=where),
                _("check PGPASSWORD or ~/.pgpass for your login"),
            )
        if "does not exist" in lowered and "database" in lowered:
            return StoreError(
                _("the database of {where} does not exist", where=where),
                _("check the database name in SOP_STORE, or ask an administrator to create it"),
            )
        if "role" in lowered and "does not exist" in lowered:
            return StoreError(
                _("the team store {where} has no such login", where=where),
                _("ask an administrator to create your login"),
            )
        if isinstance(err, psycopg.OperationalError):
            return StoreError(
                _("cannot reach the team store {where}: {reason}", where=where, reason=_libpq_reason(text)),
                _("check that the server runs and SOP_STORE is right; nothing was recorded"),
            )
        return StoreError(
            _("the team store {where} failed: {reason}", where=where, reason=text),
            _("nothing was recorded; run the command again, or `sop verify`"),
        )

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._errors():
            cursor = self._connect().execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def _summary_query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """A query over the summaries, where a value the SQL cannot read (a row changed past the database's
        own checks) is reported as damage."""
        self._summaries = True
        try:
            return self._query(sql, params)
        finally:
            self._summaries = False

    def _found_version(self, connection: Any) -> int:
        """The schema version sop.meta records (0: no schema); a value that is not a number is damage."""
        if not connection.execute("SELECT to_regclass('sop.meta')").fetchone()[0]:
            return 0
        rows = connection.execute("SELECT value FROM sop.meta WHERE key = 'schema_version'").fetchall()
        if not rows:
            return 0
        found = str(rows[0][0]).strip()
        if re.fullmatch(r"[0-9]{1,9}", found):
            return int(found)
        raise Damaged(
            _(
                "the team store {where} records its schema version as {value!r}, which is not a number; "
                "it was left untouched",
                where=self.location(),
                value=str(rows[0][0])[:40],
            ),
            _("an administrator restores sop.meta from a backup"),
        )

    def _version(self) -> int:
        """The schema version, refusing a database without the schema, with an older one or a newer one."""
        if self._schema is not None:
            return self._schema
        connection = self._connect()
        with self._errors():
            version = self._found_version(connection)
        if version > SCHEMA_VERSION:
            raise StoreError(
                _(
                    "the team store {where} has schema {version}, newer than this sop understands ({mine})",
                    where=self.location(),
                    version=version,
                    mine=SCHEMA_VERSION,
                ),
                _("upgrade sopcli"),
            )
        if version == 0:
            raise StoreError(
                _("the team store {where} has no sop schema", where=self.location()),
                _("an administrator runs `sop store init` once"),
            )
        if version < SCHEMA_VERSION:
            raise StoreError(
                _(
                    "the team store {where} has schema {version}; this sop needs schema {mine}",
                    where=self.location(),
                    version=version,
                    mine=SCHEMA_VERSION,
                ),
                _("an administrator runs `sop store init` once to upgrade it in place"),
            )
        self._schema = version
        return version

    # -- administration

    def init(self) -> list[str]:
        """Creates or upgrades the schema and the roles sop_user and sop_admin (idempotent). Upgrading from
        schema 1 sets aside blobs whose chunks do not hash to their SHA-256 and drops summaries that disagree
        with their records; it says which."""
        sql = resources.files("sopcli.store").joinpath("schema.sql").read_text(encoding="utf-8")
        aside: list[str] = []
        dropped: list[str] = []
        self._initialising = True
        try:
            connection = self._connect()
            with self._errors():
                encoding = connection.execute("SHOW server_encoding").fetchone()[0]
                if encoding.upper() not in ("UTF8", "UTF-8"):
                    raise StoreError(
                        _(
                            "the database of {where} is encoded in {encoding}; sop needs UTF8",
                            where=self.location(),
                            encoding=encoding,
                        ),
                        _("create the database with ENCODING 'UTF8'"),
                    )
                before = self._found_version(connection)
                if before > SCHEMA_VERSION:
                    self._version()
                with connection.transaction():
                    connection.execute(sql)
                    connection.execute(
                        "INSERT INTO sop.meta (key, value) VALUES ('schema_version', %s) "
                        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                        (str(SCHEMA_VERSION),),
                    )
                    if 0 < before < SCHEMA_VERSION:
                        aside = [r[0] for r in connection.execute("SELECT sop.set_aside_damaged_blobs()")]
                        dropped = [r[0] for r in connection.execute("SELECT sop.drop_disagreeing_summaries()")]
        finally:
            self._initialising = False
        self._schema = None
        self.summaries_removed = dropped
        if before == SCHEMA_VERSION:
            return [_("the schema is already at version {version}; nothing changed", version=SCHEMA_VERSION)]
        if not before:
            return [
                _(
                    "the schema (version {version}) and the roles sop_user and sop_admin were created",
                    version=SCHEMA_VERSION,
                )
            ]
        lines = [_("the schema was upgraded from version {old} to {new}", old=before, new=SCHEMA_VERSION)]
        lines += [
            _(
                "evidence {sha} did not have its SHA-256 and was set aside (sop.damaged_blobs); "
                "attaching the file again stores it whole",
                sha=sha[:12],
            )
            for sha in aside
        ]
        lines += [_("the summary of run {run} disagreed with its records and was removed", run=run) for run in dropped]
        return lines

    # -- identity

    def login(self) -> str:
        return str(self._query("SELECT session_user::text")[0][0])

    def may_force(self) -> bool:
        return bool(self._query("SELECT pg_has_role(session_user, 'sop_admin', 'MEMBER')")[0][0])

    # -- the current run, per login

    def current(self) -> str | None:
        self._version()
        rows = self._query("SELECT run_id FROM sop.current WHERE login = session_user")
        return str(rows[0][0]) if rows else None

    def use(self, ref: str) -> str:
        run_id = self.resolve(ref)
        self._set_current(self._connect(), run_id)
        return run_id

    def _set_current(self, connection: Any, run_id: str) -> None:
        with self._errors():
            connection.execute(
                "INSERT INTO sop.current (login, run_id) VALUES (session_user, %s) "
                "ON CONFLICT (login) DO UPDATE SET run_id = EXCLUDED.run_id",
                (run_id,),
            )

    # -- runs and their records

    def resolve(self, ref: str) -> str:
        ref = ref.strip().lower()
        if not RUN_REF.match(ref):
            raise NotFound(_("'{ref}' is not a run id", ref=ref), _("run ids are like 7kq2m; `sop runs` lists them"))
        self._version()
        rows = self._query(
            "SELECT id FROM sop.runs r WHERE id LIKE %s "
            "AND EXISTS (SELECT 1 FROM sop.records WHERE run_id = r.id) ORDER BY id LIMIT 6",
            (ref + "%",),
        )
        ids = [str(r[0]) for r in rows]
        if ref in ids:
            return ref
        if len(ids) == 1:
            return ids[0]
        if ids:
            raise NotFound(
                _("run '{ref}' is ambiguous: {ids}", ref=ref, ids=", ".join(ids[:5])), _("give more of its id")
            )
        raise NotFound(_("no run '{ref}'", ref=ref), _("`sop runs` lists the runs"))

    def _records(self, run_id: str, connection: Any = None) -> list[Record]:
        """The run's records: their values from the body (what the hash is over, in the form the database
        checked), their mappings in the order the doc gives them."""
        with self._errors():
            rows = (
                (connection or self._connect())
                .execute("SELECT seq, hash, body, doc FROM sop.records WHERE run_id = %s ORDER BY seq", (run_id,))
                .fetchall()
            )
        if not rows:
            raise NotFound(_("no run '{run}'", run=run_id), _("`sop runs` lists the runs"))
        records = []
        edited = None
        for seq, digest, body, doc in rows:
            try:
                values, written = json.loads(body), json.loads(doc)
                record = _ordered(values, written)
            except (ValueError, RecursionError):
                values = written = record = None
            if values != written and edited is None:
                edited = seq  # the doc says something else than the body the hash is over
            if isinstance(record, dict):
                record["hash"] = digest
            records.append(record)
        problems = chain_problems(records)
        if edited is not None and not problems:
            problems = [
                (edited, _("record {seq}: content does not match its hash (the record was edited)", seq=edited))
            ]
        if problems:
            raise Damaged(
                _("the run {run} in the team store is damaged: {detail}", run=run_id, detail=problems[0][1]),
                _("an administrator restores it from a backup; `sop verify` checks the rest"),
            )
        return records

    def read(self, run_id: str) -> list[Record]:
        self._version()
        return self._records(run_id)

    def provenance(self, run_id: str) -> dict[str, Any]:
        """Who made the run and, for a run copied in by `sop store migrate`, which login copied it."""
        self._version()
        rows = self._query("SELECT created_by, created_at, migrated_by FROM sop.runs WHERE id = %s", (run_id,))
        if not rows:
            raise NotFound(_("no run '{run}'", run=run_id), _("`sop runs` lists the runs"))
        created_by, created_at, migrated_by = rows[0]
        return {"created_by": created_by, "created_at": created_at.isoformat(), "migrated_by": migrated_by}

    def _stage(self, item: Attachment) -> dict[str, Any]:
        """The attachment's hash, read once before the transaction (a large file holds no lock)."""
        sha, size = evidence.hash_file(item.fd)
        return {"name": item.name, "sha256": sha, "size": size}

    def _upload(self, connection: Any, sha: str, size: int, blocks: Iterable[bytes], name: str) -> str:
        """Sends content in chunks, then asks the database to make it a blob, which it does only once the
        chunks add up to `size` (and, up to 64 MiB, hash to `sha`). Returns the SHA-256 of what was sent (the
        caller compares: a file that changed while it was sent is refused). Content stored already under `sha`
        is not sent again, but compared chunk by chunk with what would have been sent (the database does not
        hash a file over 64 MiB itself, so what it holds might not be this file): other content is refused."""
        if connection.execute("SELECT 1 FROM sop.blobs WHERE sha256 = %s", (sha,)).fetchone():
            digest, pieces = hashlib.sha256(), hashlib.sha256()
            for piece in _rechunk(blocks):
                digest.update(piece)
                pieces.update(hashlib.sha256(piece).digest())
            if digest.hexdigest() == sha:
                self._same_as_stored(connection, sha, size, pieces.hexdigest(), name)
            return digest.hexdigest()
        digest, pieces = hashlib.sha256(), hashlib.sha256()
        chunks = _rechunk(blocks)
        try:
            with connection.transaction():  # a savepoint: chunks of an upload someone else finished first go
                n = 0
                for piece in chunks:
                    digest.update(piece)
                    pieces.update(hashlib.sha256(piece).digest())
                    if not connection.execute("SELECT sop.put_chunk(%s, %s, %b)", (sha, n, piece)).fetchone()[0]:
                        raise _AlreadyStored
                    n += 1
                if digest.hexdigest() != sha:
                    return digest.hexdigest()
                if not connection.execute("SELECT sop.seal_blob(%s, %s, %s)", (sha, size, n)).fetchone()[0]:
                    raise _AlreadyStored  # another session sealed it first: its copy stays, ours goes
        except _AlreadyStored:
            for piece in chunks:  # the rest of the file, to know what it holds
                digest.update(piece)
                pieces.update(hashlib.sha256(piece).digest())
            if digest.hexdigest() == sha:
                self._same_as_stored(connection, sha, size, pieces.hexdigest(), name)
        return digest.hexdigest()

    def _same_as_stored(self, connection: Any, sha: str, size: int, pieces: str, name: str) -> None:
        """Refuses when the blob stored under `sha` is not this content: its size or the SHA-256 of its chunks'
        own SHA-256s (which the database computes one chunk at a time) differ from this file's."""
        found = connection.execute(
            "SELECT b.size, b.created_by, encode(sha256(string_agg(sha256(c.data), ''::bytea ORDER BY c.n)), 'hex') "
            "FROM sop.blobs b JOIN sop.chunks c ON c.sha256 = b.sha256 AND c.upload = b.upload AND c.n < b.chunks "
            "WHERE b.sha256 = %s GROUP BY b.size, b.created_by",
            (sha,),
        ).fetchone()
        stored_size, by, stored = found if found else (0, "?", hashlib.sha256().hexdigest())
        if stored_size != size or stored != pieces:
            raise Damaged(
                _(
                    "the team store holds other content under the SHA-256 of {name!r} (evidence {sha}, stored by "
                    "{login}); nothing was recorded",
                    name=name,
                    sha=sha[:12],
                    login=by,
                ),
                _("an administrator checks it and sets it aside: sop store set-aside {sha}", sha=sha),
            )

    def _store_blob(self, connection: Any, item: Attachment, ref: dict[str, Any]) -> None:
        with os.fdopen(os.dup(item.fd), "rb") as handle:
            handle.seek(0)
            blocks = iter(lambda: handle.read(CHUNK), b"")
            sent = self._upload(connection, ref["sha256"], ref["size"], blocks, ref["name"])
        if sent != ref["sha256"]:
            raise Refused(
                _("{name!r} changed while it was being stored; nothing was recorded", name=ref["name"]),
                _("attach it again once it no longer changes"),
            )

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
        """One transaction: the evidence (before the run's lock), then the run's records read under its lock,
        the new record built and appended with its summary through the database's own functions (which
        check both); all of it commits, or none."""
        self._version()
        refs = [self._stage(item) for item in files]
        connection = self._connect()
        with self._errors(), connection.transaction():
            for item, ref in zip(files, refs, strict=True):
                self._store_blob(connection, item, ref)
            if run_id is None:
                run_id = self._new_run_id(connection)
                records: list[Record] = []
            else:
                # one writer per run: a transaction-scoped advisory lock (the database takes it again on insert)
                connection.execute("SELECT pg_advisory_xact_lock(hashtextextended('sop.run.' || %s, 0))", (run_id,))
                records = self._records(run_id, connection)
            fields = build(run_id, records, refs)
            if fields.get("data", {}).get("forced") and not self.may_force():
                raise Refused(
                    _("an override (--force) needs membership of sop_admin"),
                    _("ask the lane's person to act, or an administrator to grant sop_admin"),
                )
            record = chain(records[-1] if records else None, fields)
            written = [*records, record]
            self._insert(connection, run_id, record)
            self._put_summary(connection, summarize(written))
            if make_current:
                self._set_current(connection, run_id)
        return Written(run_id, written, [])

    def _new_run_id(self, connection: Any) -> str:
        while True:
            run_id = "".join(secrets.choice(ID_ALPHABET) for _i in range(ID_LENGTH))
            if not connection.execute("SELECT 1 FROM sop.runs WHERE id = %s", (run_id,)).fetchone():
                return run_id

    @staticmethod
    def _texts(record: Record) -> tuple[str, str]:
        """The record's canonical body (what its hash is over) and its doc (its mappings in their own order)."""
        fields = {k: v for k, v in record.items() if k != "hash"}
        return canonical(fields).decode(), json.dumps(fields, ensure_ascii=False, separators=(",", ":"))

    def _insert(self, connection: Any, run_id: str, record: Record) -> None:
        _storable(record)
        body, doc = self._texts(record)
        connection.execute("SELECT sop.append_record(%s, %s, %s, %s)", (run_id, body, doc, record["hash"]))

    def _put_summary(self, connection: Any, row: dict[str, Any]) -> None:
        from psycopg.types.json import Jsonb

        connection.execute("SELECT sop.put_summary(%s)", (Jsonb(row),))

    # -- listing

    def _where(self, query: Query | None) -> tuple[str, list[Any]]:
        """The query as SQL over sop.summaries: the SOP, status, person, overdue and period in the database."""
        if query is None:
            return "true", []
        from datetime import datetime

        now = query.now or datetime.now().astimezone()
        clauses: list[str] = ["true"]
        params: list[Any] = []
        if query.sop is not None:
            if not _utf8(query.sop):
                return "false", []  # no SOP has such a name (the embedded store answers the same)
            clauses.append("(sop = %s OR lower(number) = %s)")
            params += [query.sop.lower(), query.sop.lower()]
        if query.status is not None:
            clauses.append("status = %s")
            params.append(query.status)
        if query.person is not None:
            if not _utf8(query.person):
                return "false", []
            clauses.append(
                "(row->'people' ? %s OR row->>'started_by' = %s "
                "OR EXISTS (SELECT 1 FROM jsonb_each_text(row->'assignments') a WHERE a.value = %s))"
            )
            params += [query.person] * 3
        if query.overdue:
            clauses.append("status = 'active' AND (row->'active'->>'due_at')::timestamptz < %s")
            params.append(now)
        if query.period is not None:
            zone = "coalesce(row->>'timezone', 'Asia/Jakarta')"
            clauses.append(
                "EXISTS (SELECT 1 FROM jsonb_array_elements(row->'steps') s, jsonb_array_elements(s->'passes') p "
                f"WHERE (p->>0)::timestamptz < ((%s::date + 1)::timestamp AT TIME ZONE {zone}) "
                f"AND coalesce((p->>1)::timestamptz, finished_at, %s) >= (%s::date::timestamp AT TIME ZONE {zone}))"
            )
            params += [query.period.last, now, query.period.first]
        return " AND ".join(clauses), params

    def _checked(self, run_id: str, row: Any, keys: Sequence[str] | None = None) -> dict[str, Any]:
        """A summary row every reader can use, else damage naming its run (never a crash further on)."""
        problem = summaries.wrong_field(row, keys)
        if problem is not None:
            raise Damaged(
                _(
                    "the summary of run {run} in the team store is damaged (its '{key}' field); it was left untouched",
                    run=run_id,
                    key=problem,
                ),
                _("after checking, run `sop store reindex`"),
            )
        return dict(row)

    def rows(self, query: Query | None = None) -> list[dict[str, Any]]:
        self._version()
        where, params = self._where(query)
        sql = f"SELECT run_id, row FROM sop.summaries WHERE {where} ORDER BY started_at DESC, run_id DESC"
        return [self._checked(run, row) for run, row in self._summary_query(sql, params)]

    def row(self, run_id: str) -> dict[str, Any] | None:
        self._version()
        found = self._query("SELECT row FROM sop.summaries WHERE run_id = %s", (run_id,))
        return found[0][0] if found else None

    def listing(self, query: Query) -> list[dict[str, Any]]:
        """`sop runs` computed in the database: only the listed fields cross the wire, newest first by the
        instant each run started (whatever offset its SOP keeps time in)."""
        self._version()
        where, params = self._where(query)
        fields = ", ".join(f"'{key}', row->'{key}'" for key in LISTED)
        sql = (
            f"SELECT run_id, jsonb_build_object({fields}) FROM sop.summaries WHERE {where} "
            "ORDER BY started_at DESC, run_id DESC"
        )
        return [self._checked(run, row, LISTED) for run, row in self._summary_query(sql, params)]

    def step_stats(self, sop_id: str, standards: dict[int, float | None], query: Query) -> dict[str, Any]:
        """`sop stats` computed in the database: median (percentile_cont), nearest-rank p90 (percentile_disc),
        on-time share and median overrun per step over the SOP's completed runs."""
        self._version()
        where, params = self._where(query)
        sql = f"""
            WITH runs AS (SELECT row FROM sop.summaries WHERE {where} AND sop = %s AND status = 'completed'),
            steps AS (
                SELECT (s->>'no')::int AS no, (s->>'elapsed_minutes')::float8 AS elapsed,
                       s->'standard_minutes' AS standard,
                       coalesce(s->'group_standard_minutes', s->'standard_minutes') AS limited,
                       s->'on_time' AS on_time, (s->>'overrun_minutes')::float8 AS overrun
                FROM runs, jsonb_array_elements(row->'steps') s
                WHERE jsonb_array_length(s->'passes') > 0
            )
            SELECT no, count(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY elapsed),
                   percentile_disc(0.9) WITHIN GROUP (ORDER BY elapsed),
                   avg(CASE WHEN on_time = 'true'::jsonb THEN 1.0 ELSE 0.0 END)
                       FILTER (WHERE jsonb_typeof(limited) = 'number'),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY overrun) FILTER (WHERE jsonb_typeof(limited) = 'number'),
                   max(standard::text)
            FROM steps GROUP BY no ORDER BY no"""
        found = {row[0]: row for row in self._summary_query(sql, [*params, sop_id])}
        completed = self._summary_query(
            f"SELECT count(*) FROM sop.summaries WHERE {where} AND sop = %s AND status = 'completed'", [*params, sop_id]
        )[0][0]
        numbers = sorted(set(standards) | set(found))
        rows = []
        for no in numbers:
            hit = found.get(no)
            standard = standards.get(no, json.loads(hit[6]) if hit and hit[6] else None)
            rows.append(
                {
                    "no": no,
                    "count": int(hit[1]) if hit else 0,
                    "median_minutes": round(float(hit[2]), 1) if hit else None,
                    "p90_minutes": round(float(hit[3]), 1) if hit else None,
                    "standard_minutes": standard,
                    "on_time_share": round(float(hit[4]), 4) if hit and hit[4] is not None else None,
                    "median_overrun_minutes": round(float(hit[5]), 1) if hit and hit[5] is not None else None,
                }
            )
        worst, largest = None, 0.0
        for row in rows:
            if row["median_overrun_minutes"] and row["median_overrun_minutes"] > largest:
                worst, largest = row["no"], row["median_overrun_minutes"]
        return {"sop": sop_id, "runs": int(completed), "steps": rows, "most_late_step": worst}

    # A run is a run once it has records: a row in sop.runs without any (possible only before schema 2) is
    # nobody's run, and neither listed, checked nor copied.
    _RUNS = "SELECT id FROM sop.runs r WHERE EXISTS (SELECT 1 FROM sop.records WHERE run_id = r.id)"

    def unindexed(self) -> list[str]:
        self._version()
        rows = self._query(
            f"SELECT id FROM ({self._RUNS}) r WHERE NOT EXISTS (SELECT 1 FROM sop.summaries WHERE run_id = r.id) "
            "ORDER BY id"
        )
        return [str(r[0]) for r in rows]

    def run_ids(self) -> list[str]:
        self._version()
        return [str(r[0]) for r in self._query(f"{self._RUNS} ORDER BY id")]

    # -- evidence

    def evidence_problem(self, item: dict[str, Any]) -> str | None:
        rows = self._query("SELECT size, chunks FROM sop.blobs WHERE sha256 = %s", (item["sha256"],))
        if not rows:
            return _(
                "evidence {sha} ({name!r}) is missing from the team store", sha=item["sha256"][:12], name=item["name"]
            )
        digest, size = hashlib.sha256(), 0
        for block in self._blocks(item["sha256"]):
            digest.update(block)
            size += len(block)
        if digest.hexdigest() != item["sha256"] or size != rows[0][0] or size != item["size"]:
            return _(
                "evidence {sha} ({name!r}) was changed in the team store", sha=item["sha256"][:12], name=item["name"]
            )
        return None

    def _blocks(self, sha256: str, upload: str | None = None) -> Iterator[bytes]:
        """The chunks of one blob in order (those of the upload that proved whole, as many as it counts; of
        `upload` only, if given), fetched one at a time (memory stays bounded)."""
        with self._errors():
            connection = self._connect()
            cursor = connection.cursor(name=f"blob_{secrets.token_hex(4)}")
            with connection.transaction():
                cursor.execute(
                    "SELECT c.data FROM sop.blobs b JOIN sop.chunks c "
                    "ON c.sha256 = b.sha256 AND c.upload = b.upload AND c.n < b.chunks "
                    "WHERE b.sha256 = %s AND (%s::text IS NULL OR b.upload = %s) ORDER BY c.n",
                    (sha256, upload, upload),
                )
                cursor.itersize = 1
                for (data,) in cursor:
                    yield bytes(data)

    def open_evidence(self, item: dict[str, Any]) -> Iterator[bytes]:
        return self._blocks(item["sha256"])

    def set_aside(self, ref: str) -> str:
        """Sets aside the stored content of evidence `ref` (a SHA-256 or a unique start of one) once this
        process has read it back and found that it does not hash to its SHA-256; returns the full SHA-256.
        Only a member of sop_admin may; the chunks stay in the database."""
        self._version()
        if not re.fullmatch(r"[0-9a-f]{6,64}", ref):
            raise Refused(
                _("{ref!r} is not the start of a SHA-256", ref=ref[:70]),
                _("give at least its first 6 hexadecimal digits, as `sop verify` names it"),
            )
        found = self._query("SELECT sha256, upload FROM sop.blobs WHERE sha256 LIKE %s LIMIT 2", (ref + "%",))
        if len(found) != 1:
            raise NotFound(
                _("no single evidence {ref} in the team store", ref=ref)
                if not found
                else _("{ref} names more than one evidence; give more of its digits", ref=ref),
                _("`sop verify` names evidence by the first 12 digits of its SHA-256"),
            )
        sha, upload = found[0]
        if not self.may_force():  # the database refuses it too; saying so first spares reading the file back
            raise _refusal("admin", {})
        digest = hashlib.sha256()
        for block in self._blocks(sha, upload):
            digest.update(block)
        if digest.hexdigest() == sha:
            raise Refused(
                _("the content stored for evidence {sha} has its SHA-256; nothing was set aside", sha=sha[:12]),
                _("`sop verify` names evidence that was changed"),
            )
        with self._errors(), self._connect().transaction():
            done = self._connect().execute("SELECT sop.set_aside_blob(%s, %s)", (sha, upload)).fetchone()[0]
        if not done:  # set aside meanwhile, or the file attached again: what was read back is gone
            raise Refused(
                _("evidence {sha} changed while it was read back; nothing was set aside", sha=sha[:12]),
                _("run the command again"),
            )
        return sha

    # -- verifying, rebuilding and describing

    def verify(self, run_id: str) -> list[str]:
        """The chain and the summary that vouches for it, read in one consistent snapshot."""
        import psycopg

        connection = self._connect()
        try:
            idle = connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            with self._errors(), connection.transaction():
                if idle:  # else (a migration checking its copy before it commits) it reads its own transaction
                    connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                records = self._records(run_id, connection)
                row = connection.execute("SELECT row FROM sop.summaries WHERE run_id = %s", (run_id,)).fetchone()
        except (Damaged, NotFound) as err:
            return [err.message]
        if row is None:
            return [_("run {run} has no summary in the team store; `sop store reindex` rebuilds it", run=run_id)]
        problem = summaries.wrong_field(row[0])
        if problem is not None:
            return [
                _(
                    "the summary of run {run} in the team store is damaged (its '{key}' field); it was left untouched",
                    run=run_id,
                    key=problem,
                )
            ]
        if (row[0]["seq"], row[0]["head"]) != (len(records), records[-1]["hash"]):
            return [_("the summary of run {run} disagrees with its records", run=run_id)]
        return []

    def verify_all(self) -> list[str]:
        return [
            _("run {run} has no summary in the team store; `sop store reindex` rebuilds it", run=r)
            for r in self.unindexed()
        ]

    def reindex(self, summarize: Summarize) -> list[str]:
        changes = []
        connection = self._connect()
        for run_id in self.run_ids():
            try:
                records = self._records(run_id)
            except (Damaged, NotFound) as err:
                changes.append(_("run {run} was not indexed: {reason}", run=run_id, reason=err.message))
                continue
            row = summarize(records)
            old = self._query("SELECT seq, head, row FROM sop.summaries WHERE run_id = %s", (run_id,))
            if old and old[0][2] == json.loads(json.dumps(row)):
                continue
            with self._errors(), connection.transaction():
                self._put_summary(connection, row)
            if not old:
                changes.append(_("run {run}: added to the index ({seq} records)", run=run_id, seq=row["seq"]))
            else:
                changes.append(
                    _("run {run}: index row rebuilt ({was} → {seq} records)", run=run_id, was=old[0][0], seq=row["seq"])
                )
        return changes

    def info(self) -> dict[str, Any]:
        version = self._version()
        runs = self._query(f"SELECT count(*) FROM ({self._RUNS}) r")[0][0]
        files, size = self._query("SELECT count(*), coalesce(sum(size), 0) FROM sop.blobs")[0]
        return {
            "store": "postgresql",
            "location": self.location(),
            "format": version,
            "runs": int(runs),
            "evidence_files": int(files),
            "evidence_bytes": int(size),
            "login": self.login(),
        }

    # -- moving runs between stores

    def export_run(self, run_id: str) -> list[Record]:
        self._version()
        return self._records(run_id)

    def import_run(
        self,
        run_id: str,
        records: list[Record],
        summary: dict[str, Any],
        blobs: Iterable[tuple[dict[str, Any], Iterator[bytes]]],
        check: Callable[[str], list[str]] | None = None,
    ) -> None:
        """Copies one whole run in (record for record, the same hashes), with its evidence, in one
        transaction, checked by `check` before it commits: a run that does not verify here is not copied.
        The database takes records in other people's names only from a member of sop_admin, only as a whole
        run into an id not yet taken, and marks them as copied by this login."""
        from psycopg.types.json import Jsonb

        self._version()
        connection = self._connect()
        with self._errors(), connection.transaction():
            for item, chunks in blobs:
                if self._upload(connection, item["sha256"], item["size"], chunks, item["name"]) != item["sha256"]:
                    raise StoreError(
                        _("evidence {sha} does not have its SHA-256", sha=item["sha256"][:12]),
                        _("`sop verify --run {run}` in the store it comes from names the file", run=run_id),
                    )
            for record in records:
                _storable(record)
            texts = [self._texts(record) for record in records]
            connection.execute(
                "SELECT sop.import_run(%s, %s, %s, %s, %s)",
                (
                    run_id,
                    [body for body, _doc in texts],
                    [doc for _body, doc in texts],
                    [record["hash"] for record in records],
                    Jsonb(summary),
                ),
            )
            problems = check(run_id) if check else []
            if problems:
                raise Refused(
                    _("it does not verify in the team store: {problem}", problem=problems[0]),
                    _("`sop verify --run {run}` in the store it comes from shows why", run=run_id),
                )


def _storable(record: Record) -> None:
    """PostgreSQL keeps no NUL character in text (nor in JSON): a record holding one is refused in one line
    here, where the embedded store would keep it."""
    todo: list[Any] = [record]
    while todo:
        item = todo.pop()
        if isinstance(item, str) and "\x00" in item:
            raise Refused(
                _("the team store cannot keep text with a NUL character (U+0000); nothing was recorded"),
                _("write the text without it"),
            )
        if isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)


def _ordered(value: Any, like: Any) -> Any:
    """`value` with its mappings in the order of the same mappings in `like` (where they have the same keys)."""
    if isinstance(value, dict):
        order = list(like) if isinstance(like, dict) and like.keys() == value.keys() else list(value)
        return {k: _ordered(value[k], like.get(k) if isinstance(like, dict) else None) for k in order}
    if isinstance(value, list):
        same = isinstance(like, list) and len(like) == len(value)
        return [_ordered(v, like[i] if same else None) for i, v in enumerate(value)]
    return value


def _rechunk(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """Pieces of exactly CHUNK bytes (the last one shorter) from blocks of any size."""
    buffer = bytearray()
    for block in blocks:
        buffer += block
        while len(buffer) >= CHUNK:
            yield bytes(buffer[:CHUNK])
            del buffer[:CHUNK]
    if buffer:
        yield bytes(buffer)


def _libpq_reason(text: str) -> str:
    """Why libpq could not connect, in the user's language where it is one of the usual reasons (libpq
    says them in English only); else its own words, without any password."""
    lowered = text.lower()
    for words, reason in (
        (
            ("could not translate host name", "name or service not known", "nodename nor servname"),
            _("the host name is not known"),
        ),
        (("connection refused",), _("the server refuses connections there (is it running?)")),
        (("no such file or directory",), _("there is no server socket there (is it running?)")),
        (("timeout expired", "timed out"), _("the server did not answer in time")),
        (("network is unreachable", "no route to host"), _("the network does not reach the server")),
        (
            ("server closed the connection", "terminating connection", "connection reset"),
            _("the server closed the connection"),
        ),
        (
            ("the database system is starting up", "the database system is shutting down"),
            _("the server is starting or stopping"),
        ),
    ):
        if any(w in lowered for w in words):
            return reason
    return text


def _problem(detail: dict[str, Any]) -> str:
    """What is wrong with a record's shape, in the words sop's own check uses (records.shape_problem)."""
    key, kind = str(detail.get("key", "")), str(detail.get("kind", ""))
    return {
        "record": lambda: _("is not a record (a mapping of fields)"),
        "field": lambda: _("has no valid '{key}' field", key=key),
        "missing": lambda: _("'{kind}' record has no '{key}'", kind=kind, key=key),
        "invalid": lambda: _("'{kind}' record has an invalid '{key}'", kind=kind, key=key),
        "depth": lambda: _("is nested deeper than any record sop writes"),
        "hash": lambda: _("does not have the SHA-256 it names"),
    }.get(str(detail.get("problem")), lambda: _("is not in the form sop writes"))()


def _rule(code: str) -> str:
    return {
        "closed": lambda: _("the run is closed"),
        "step": lambda: _("the SOP has no such step"),
        "pass": lambda: _("that step is not open there"),
        "lane": lambda: _("the lane is not the step's, or has done its part already"),
        "target": lambda: _("the work cannot go to that step"),
        "undo": lambda: _("it is not the undo of the last completion"),
        "start": lambda: _("a run starts once, with its first record"),
        "run": lambda: _("it names another run"),
    }.get(code, lambda: code)()


def _refusal(code: str, detail: dict[str, Any]) -> SopError:
    """A refusal raised by the database (`sop.<code>:` with its particulars as JSON), in the user's language."""
    run, seq = str(detail.get("run", "")), detail.get("seq", "?")
    if code == "identity":
        return Refused(
            _(
                "the team store refuses a record in another name: it says {by} (login {login}), "
                "the session is {session}",
                by=detail.get("by"),
                login=detail.get("login"),
                session=detail.get("session"),
            ),
            _("sop records work only under your own login"),
        )
    if code == "force":
        return Refused(
            _("an override (--force) needs membership of sop_admin"),
            _("ask the lane's person to act, or an administrator to grant sop_admin"),
        )
    if code == "import":
        return Refused(
            _(
                "copying run {run} needs membership of sop_admin: its record {seq} is by {by} (login {login}), "
                "not by {session}",
                run=run,
                seq=seq,
                by=detail.get("by"),
                login=detail.get("login"),
                session=detail.get("session"),
            ),
            _("an administrator (a member of sop_admin) runs the migration"),
        )
    if code == "exists":
        return StoreError(
            _("run {run} is in the team store already", run=run), _("`sop store migrate` skips identical runs")
        )
    if code == "chain":
        return StoreError(
            _("run {run} changed in the team store while this command ran; nothing was recorded", run=run),
            _("run the command again"),
        )
    if code == "shape":
        return Refused(
            _(
                "the team store refuses record {seq}: it {problem}; nothing was recorded",
                seq=seq,
                problem=_problem(detail),
            ),
            _("`sop verify` checks the run"),
        )
    if code == "rule":
        return Refused(
            _(
                "the team store refuses record {seq} ({kind}): {reason}; nothing was recorded",
                seq=seq,
                kind=detail.get("type", "?"),
                reason=_rule(str(detail.get("rule"))),
            ),
            _("`sop status` shows the run"),
        )
    if code == "damaged":
        return Damaged(
            _("the run {run} in the team store is damaged: its records do not make a run", run=run),
            _("an administrator restores it from a backup; `sop verify` checks the rest"),
        )
    if code == "evidence":
        return StoreError(
            _(
                "the content sent for evidence {sha} does not have its SHA-256; nothing was recorded",
                sha=str(detail.get("sha256", ""))[:12],
            ),
            _("attach it again once the file no longer changes"),
        )
    if code == "summary":
        return StoreError(
            _("the team store refuses a summary of run {run} that disagrees with its records", run=run),
            _("`sop verify --run {run}` shows why", run=run),
        )
    if code == "whole":
        return Refused(
            _(
                "the content stored for evidence {sha} has its SHA-256; nothing was set aside",
                sha=str(detail.get("sha256", ""))[:12],
            ),
            _("`sop verify` names evidence that was changed"),
        )
    if code == "admin":
        return Refused(
            _("only a member of sop_admin sets evidence aside"),
            _("ask an administrator"),
        )
    if code == "append_only":
        return Refused(
            _("{table} of the team store is append-only; nothing was changed", table=detail.get("table", "?")),
            _("record a correction as a new record instead"),
        )
    return StoreError(_("the team store refused the command ({code})", code=code), _("`sop verify` checks the run"))


__all__ = ["GENESIS", "PostgresStore", "redact", "safe_target"]
