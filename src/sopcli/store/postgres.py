"""The team store: the same runs, records and evidence in a shared PostgreSQL database, where each person
acts as their own database login and the database itself keeps the records append-only and chained."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

from sopcli import evidence
from sopcli.errors import Damaged, NotFound, Refused, SopError, StoreError
from sopcli.i18n import _
from sopcli.queries import LISTED, Query
from sopcli.records import GENESIS, ID_ALPHABET, ID_LENGTH, RUN_REF, canonical, chain, chain_problems
from sopcli.store import Build, Record, Summarize, Written

if TYPE_CHECKING:
    from sopcli.env import Environment
    from sopcli.evidence import Attachment

SCHEMA_VERSION = 1
CHUNK = 1 << 20


def safe_target(url: str) -> str:
    """Where SOP_STORE points, for messages: host, port, database and login, never a password."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(url)
    except Exception:  # noqa: BLE001 - a malformed string is named by the connect error itself
        return "SOP_STORE"
    host = str(info.get("host") or "localhost")
    port = f":{info['port']}" if info.get("port") else ""
    user = f"{info['user']}@" if info.get("user") else ""
    return f"postgresql://{user}{host}{port}/{info.get('dbname') or ''}"


class PostgresStore:
    """SOP_STORE=postgresql://…: runs, records, evidence and summaries in the `sop` schema."""

    kind = "postgresql"

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.url = env.store_url or ""
        self._connection: Any = None

    def location(self) -> str:
        return safe_target(self.url)

    # -- the connection, and the one translation of its errors

    def _connect(self) -> Any:
        if self._connection is not None:
            return self._connection
        import psycopg

        try:
            connection = psycopg.connect(
                self.url, connect_timeout=max(1, round(self.env.connect_timeout)), autocommit=True
            )
        except psycopg.Error as err:
            raise self._failure(err) from None
        with self._errors():
            timeout = max(1, int(self.env.lock_timeout * 1000))
            connection.execute(f"SET lock_timeout = {timeout}")
            connection.execute("SET statement_timeout = 600000")
        self._connection = connection
        return connection

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None

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

        where = self.location()
        text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        lowered = text.lower()
        if isinstance(err, errors.UndefinedTable) or 'schema "sop" does not exist' in lowered:
            return StoreError(
                _("the team store {where} has no sop schema", where=where),
                _("an administrator runs `sop store init` once"),
            )
        if isinstance(err, errors.InsufficientPrivilege):
            if "sop:" in text:
                return Refused(text.split("sop:", 1)[1].strip(), _("ask an administrator"))
            return StoreError(
                _("the login has no right to use the team store {where}", where=where),
                _("an administrator grants it: GRANT sop_user TO your login"),
            )
        if isinstance(err, (errors.CheckViolation, errors.RaiseException)) and "sop:" in text:
            return StoreError(text.split("sop:", 1)[1].strip(), _("`sop verify` checks the run"))
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
                _("cannot reach the team store {where}: {reason}", where=where, reason=text),
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

    def _version(self) -> int:
        """The schema version, refusing a database without the schema or with a newer one."""
        rows = self._query("SELECT value FROM sop.meta WHERE key = 'schema_version'")
        version = int(rows[0][0]) if rows else 0
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
        return version

    # -- administration

    def init(self) -> list[str]:
        """Creates or upgrades the schema and the roles sop_user and sop_admin (idempotent)."""
        sql = resources.files("sopcli.store").joinpath("schema.sql").read_text(encoding="utf-8")
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
            found = connection.execute(
                "SELECT value FROM sop.meta WHERE key = 'schema_version'"
                if connection.execute("SELECT to_regclass('sop.meta')").fetchone()[0]
                else "SELECT NULL WHERE false"
            ).fetchall()
            before = int(found[0][0]) if found else 0
            if before > SCHEMA_VERSION:
                self._version()
            with connection.transaction():
                connection.execute(sql)
                connection.execute(
                    "INSERT INTO sop.meta (key, value) VALUES ('schema_version', %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    (str(SCHEMA_VERSION),),
                )
        if before == SCHEMA_VERSION:
            return [_("the schema is already at version {version}; nothing changed", version=SCHEMA_VERSION)]
        if before:
            return [_("the schema was upgraded from version {old} to {new}", old=before, new=SCHEMA_VERSION)]
        return [
            _(
                "the schema (version {version}) and the roles sop_user and sop_admin were created",
                version=SCHEMA_VERSION,
            )
        ]

    # -- identity

    def login(self) -> str:
        return str(self._query("SELECT current_user")[0][0])

    def may_force(self) -> bool:
        return bool(self._query("SELECT pg_has_role(current_user, 'sop_admin', 'MEMBER')")[0][0])

    # -- the current run, per login

    def current(self) -> str | None:
        self._version()
        rows = self._query("SELECT run_id FROM sop.current WHERE login = current_user")
        return str(rows[0][0]) if rows else None

    def use(self, ref: str) -> str:
        run_id = self.resolve(ref)
        self._set_current(run_id)
        return run_id

    def _set_current(self, run_id: str) -> None:
        self._query(
            "INSERT INTO sop.current (login, run_id) VALUES (current_user, %s) "
            "ON CONFLICT (login) DO UPDATE SET run_id = EXCLUDED.run_id",
            (run_id,),
        )

    # -- runs and their records

    def resolve(self, ref: str) -> str:
        ref = ref.strip().lower()
        if not RUN_REF.match(ref):
            raise NotFound(_("'{ref}' is not a run id", ref=ref), _("run ids are like 7kq2m; `sop runs` lists them"))
        self._version()
        rows = self._query("SELECT id FROM sop.runs WHERE id LIKE %s ORDER BY id LIMIT 6", (ref + "%",))
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
        with self._errors():
            rows = (
                (connection or self._connect())
                .execute("SELECT seq, hash, doc FROM sop.records WHERE run_id = %s ORDER BY seq", (run_id,))
                .fetchall()
            )
        if not rows:
            raise NotFound(_("no run '{run}'", run=run_id), _("`sop runs` lists the runs"))
        records = []
        for _seq, digest, body in rows:
            try:
                record = json.loads(body)
            except ValueError:
                record = None
            if isinstance(record, dict):
                record["hash"] = digest
            records.append(record)
        problems = chain_problems(records)
        if problems:
            raise Damaged(
                _("the run {run} in the team store is damaged: {detail}", run=run_id, detail=problems[0][1]),
                _("an administrator restores it from a backup; `sop verify` checks the rest"),
            )
        return records

    def read(self, run_id: str) -> list[Record]:
        self._version()
        return self._records(run_id)

    def _stage(self, item: Attachment) -> dict[str, Any]:
        """The attachment's hash, read once before the transaction (a large file holds no lock)."""
        sha, size = evidence.hash_file(item.fd)
        return {"name": item.name, "sha256": sha, "size": size}

    def _store_blob(self, connection: Any, item: Attachment, ref: dict[str, Any]) -> None:
        """The file's content in chunks, stored once per SHA-256, re-hashed as it is sent: a file that
        changed since it was hashed is refused, and nothing of it stays."""
        chunks = -(-ref["size"] // CHUNK)
        inserted = connection.execute(
            "INSERT INTO sop.blobs (sha256, size, chunks) VALUES (%s, %s, %s) "
            "ON CONFLICT (sha256) DO NOTHING RETURNING 1",
            (ref["sha256"], ref["size"], chunks),
        ).fetchone()
        if not inserted:
            return
        digest = hashlib.sha256()
        with (
            os.fdopen(os.dup(item.fd), "rb") as handle,
            connection.cursor().copy("COPY sop.chunks (sha256, n, data) FROM STDIN") as copy,
        ):
            handle.seek(0)
            n = 0
            while block := handle.read(CHUNK):
                digest.update(block)
                copy.write_row((ref["sha256"], n, block))
                n += 1
        if digest.hexdigest() != ref["sha256"]:
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
        """One transaction: the evidence (before the run's lock), then the run's row locked, its records
        read, the new record built, inserted with its summary; all of it commits, or none."""
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
                # one writer per run: a transaction-scoped advisory lock (no UPDATE right needed)
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
            if not records:
                connection.execute(
                    "INSERT INTO sop.runs (id, sop) VALUES (%s, %s)", (run_id, fields["data"]["sop"]["id"])
                )
            self._insert(connection, run_id, record)
            self._put_summary(connection, summarize(written))
            if make_current:
                connection.execute(
                    "INSERT INTO sop.current (login, run_id) VALUES (current_user, %s) "
                    "ON CONFLICT (login) DO UPDATE SET run_id = EXCLUDED.run_id",
                    (run_id,),
                )
        return Written(run_id, written, [])

    def _new_run_id(self, connection: Any) -> str:
        while True:
            run_id = "".join(secrets.choice(ID_ALPHABET) for _i in range(ID_LENGTH))
            if not connection.execute("SELECT 1 FROM sop.runs WHERE id = %s", (run_id,)).fetchone():
                return run_id

    def _insert(self, connection: Any, run_id: str, record: Record) -> None:
        fields = {k: v for k, v in record.items() if k != "hash"}
        body = canonical(fields).decode()
        doc = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        connection.execute(
            "INSERT INTO sop.records (run_id, seq, prev, hash, body, doc, actor, login) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (run_id, record["seq"], record["prev"], record["hash"], body, doc, record["by"], record.get("login") or ""),
        )

    def _put_summary(self, connection: Any, row: dict[str, Any]) -> None:
        from psycopg.types.json import Jsonb

        connection.execute(
            "INSERT INTO sop.summaries (run_id, seq, head, sop, number, status, started_at, finished_at, row) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (run_id) DO UPDATE SET "
            "seq = EXCLUDED.seq, head = EXCLUDED.head, status = EXCLUDED.status, "
            "finished_at = EXCLUDED.finished_at, row = EXCLUDED.row",
            (
                row["id"],
                row["seq"],
                row["head"],
                row["sop"],
                row["number"],
                row["status"],
                row["started_at"],
                row["finished_at"],
                Jsonb(row),
            ),
        )

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
            clauses.append("(sop = %s OR lower(number) = %s)")
            params += [query.sop.lower(), query.sop.lower()]
        if query.status is not None:
            clauses.append("status = %s")
            params.append(query.status)
        if query.person is not None:
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

    def rows(self, query: Query | None = None) -> list[dict[str, Any]]:
        self._version()
        where, params = self._where(query)
        sql = f"SELECT row FROM sop.summaries WHERE {where} ORDER BY started_at DESC, run_id DESC"
        return [r[0] for r in self._query(sql, params)]

    def row(self, run_id: str) -> dict[str, Any] | None:
        self._version()
        found = self._query("SELECT row FROM sop.summaries WHERE run_id = %s", (run_id,))
        return found[0][0] if found else None

    def listing(self, query: Query) -> list[dict[str, Any]]:
        """`sop runs` computed in the database: only the listed fields cross the wire."""
        self._version()
        where, params = self._where(query)
        fields = ", ".join(f"'{key}', row->'{key}'" for key in LISTED)
        sql = (
            f"SELECT jsonb_build_object({fields}) FROM sop.summaries WHERE {where} "
            "ORDER BY started_at DESC, run_id DESC"
        )
        return [r[0] for r in self._query(sql, params)]

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
        found = {row[0]: row for row in self._query(sql, [*params, sop_id])}
        completed = self._query(
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

    def unindexed(self) -> list[str]:
        self._version()
        rows = self._query(
            "SELECT r.id FROM sop.runs r LEFT JOIN sop.summaries s ON s.run_id = r.id WHERE s.run_id IS NULL"
        )
        return [str(r[0]) for r in rows]

    def run_ids(self) -> list[str]:
        self._version()
        return [str(r[0]) for r in self._query("SELECT id FROM sop.runs ORDER BY id")]

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
        if digest.hexdigest() != item["sha256"] or size != rows[0][0]:
            return _(
                "evidence {sha} ({name!r}) was changed in the team store", sha=item["sha256"][:12], name=item["name"]
            )
        return None

    def _blocks(self, sha256: str) -> Iterator[bytes]:
        """The chunks of one blob in order, fetched one at a time (memory stays bounded)."""
        with self._errors():
            cursor = self._connect().cursor(name=f"blob_{secrets.token_hex(4)}")
            with self._connect().transaction():
                cursor.execute("SELECT data FROM sop.chunks WHERE sha256 = %s ORDER BY n", (sha256,))
                cursor.itersize = 1
                for (data,) in cursor:
                    yield bytes(data)

    def open_evidence(self, item: dict[str, Any]) -> Iterator[bytes]:
        return self._blocks(item["sha256"])

    # -- verifying, rebuilding and describing

    def verify(self, run_id: str) -> list[str]:
        """The chain and the summary that vouches for it, read in one consistent snapshot."""
        connection = self._connect()
        try:
            with self._errors(), connection.transaction():
                connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                records = self._records(run_id, connection)
                row = connection.execute(
                    "SELECT seq, head, status FROM sop.summaries WHERE run_id = %s", (run_id,)
                ).fetchone()
        except (Damaged, NotFound) as err:
            return [err.message]
        if row is None:
            return [_("run {run} has no summary in the team store; `sop store reindex` rebuilds it", run=run_id)]
        if (row[0], row[1]) != (len(records), records[-1]["hash"]):
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
        runs = self._query("SELECT count(*) FROM sop.runs")[0][0]
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
        return self._records(run_id)

    def import_run(self, run_id: str, records: list[Record], summary: dict[str, Any], blobs: Any) -> None:
        """Copies one whole run in (record for record, the same hashes), with its evidence, in one
        transaction; the database accepts another login's records only from a sop_admin that migrates."""
        connection = self._connect()
        with self._errors(), connection.transaction():
            connection.execute("SET LOCAL sop.migrating = 'on'")
            for item, chunks in blobs:
                self._insert_blob_chunks(connection, item, chunks)
            connection.execute(
                "INSERT INTO sop.runs (id, sop) VALUES (%s, %s)", (run_id, records[0]["data"]["sop"]["id"])
            )
            for record in records:
                self._insert(connection, run_id, record)
            self._put_summary(connection, summary)

    def _insert_blob_chunks(self, connection: Any, item: dict[str, Any], chunks: Iterator[bytes]) -> None:
        count = -(-item["size"] // CHUNK)
        inserted = connection.execute(
            "INSERT INTO sop.blobs (sha256, size, chunks) VALUES (%s, %s, %s) "
            "ON CONFLICT (sha256) DO NOTHING RETURNING 1",
            (item["sha256"], item["size"], count),
        ).fetchone()
        if not inserted:
            return
        digest = hashlib.sha256()
        with connection.cursor().copy("COPY sop.chunks (sha256, n, data) FROM STDIN") as copy:
            n = 0
            buffer = b""
            for block in chunks:
                buffer += block
                while len(buffer) >= CHUNK:
                    piece, buffer = buffer[:CHUNK], buffer[CHUNK:]
                    digest.update(piece)
                    copy.write_row((item["sha256"], n, piece))
                    n += 1
            if buffer:
                digest.update(buffer)
                copy.write_row((item["sha256"], n, buffer))
        if digest.hexdigest() != item["sha256"]:
            raise StoreError(
                _("evidence {sha} does not have its SHA-256; nothing was copied", sha=item["sha256"][:12]), ""
            )


__all__ = ["GENESIS", "PostgresStore", "safe_target"]
