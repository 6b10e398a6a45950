"""The team store against a colleague who talks to the database directly: nobody acts under a group role,
no record the database accepts is one sop calls damage, evidence is whole or absent, summaries agree with
their records, an administrator copies whole runs only, and no message shows a password or raw English."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from .conftest import MONDAY
from .needs import thorough
from .test_team import env_for, one_line, sop

pytestmark = pytest.mark.usefixtures("english")

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
AT = "2026-11-23T08:00:00+07:00"


@pytest.fixture
def db(team):
    name = team.database()
    yield name
    team.drop(name)


def connect(team, db: str, user: str) -> psycopg.Connection:
    team.login(user)
    return psycopg.connect(team.dsn(db, user), autocommit=True)


def texts(record: dict[str, Any]) -> tuple[str, str, str]:
    """What sop sends for a record: its canonical body, its doc and the SHA-256 of the body."""
    from sopcli.records import canonical

    fields = {k: v for k, v in record.items() if k != "hash"}
    body = canonical(fields).decode()
    return (
        body,
        json.dumps(fields, ensure_ascii=False, separators=(",", ":")),
        hashlib.sha256(body.encode()).hexdigest(),
    )


def records_of(conn: psycopg.Connection, run: str) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT doc, hash FROM sop.records WHERE run_id = %s ORDER BY seq", (run,)).fetchall()
    return [{**json.loads(doc), "hash": digest} for doc, digest in rows]


def following(records: list[dict[str, Any]], by: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    last = records[-1]
    return {
        "seq": last["seq"] + 1,
        "prev": last["hash"],
        "type": kind,
        "at": AT,
        "recorded_at": AT,
        "by": by,
        "login": by,
        "data": data,
    }


def attempt(conn: psycopg.Connection, run: str, record: dict[str, Any], *, keep: bool = False) -> str | None:
    """Offers a record through sop.append_record; None if the database took it (rolled back unless `keep`),
    else the code of its refusal (`sop.<code>`, or the SQLSTATE of an error of another kind)."""
    body, doc, digest = texts(record)

    class Rollback(Exception):
        pass

    try:
        with conn.transaction():
            conn.execute("SELECT sop.append_record(%s, %s, %s, %s)", (run, body, doc, digest))
            if not keep:
                raise Rollback
    except Rollback:
        return None
    except psycopg.Error as err:
        primary = err.diag.message_primary or ""
        return primary.split(":", 1)[0] if primary.startswith("sop.") else str(err.sqlstate)
    return None


def readable(records: list[dict[str, Any]]) -> None:
    """What every command does with a run's records, none of which may fail on records the database took."""
    from sopcli import engine, report
    from sopcli.records import chain_problems, record_hash

    for record in records:
        assert record_hash(record) == record["hash"]
    assert chain_problems(records) == []
    state = engine.fold(records)
    engine.replay(records)
    report.summary(state, NOW)
    report.build(state, NOW)


def count(conn: psycopg.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM sop.{table}").fetchone()[0])


# ------------------------------------------------------------------ 1. who acts


@pytest.mark.parametrize("role", ["sop_user", "sop_admin"])
@pytest.mark.parametrize(
    "args",
    [("store", "info"), ("start", "rkt-ii", "-q"), ("runs",), ("note", "1", "siapa saya?"), ("done", "1", "--force")],
)
def test_a_group_role_never_acts(team, db, role: str, args: tuple[str, ...]) -> None:
    """`options=-c role=...` (and PGOPTIONS) would make the session's current_user a group role: refused in
    one line, nothing written, whatever the command."""
    sop(team, db, "ani", "start", "rkt-ii", "-q")
    with connect(team, db, "postgres") as admin:
        before = count(admin, "records")
        url = team.dsn(db, "ani") + f" options='-c role={role}'"
        result = sop(team, db, "ani", *args, SOP_STORE=url)
        assert f"acts as the role {role}, not as the login ani" in one_line(result)
        result = sop(team, db, "ani", *args, PGOPTIONS=f"-c role={role}")
        assert f"acts as the role {role}" in one_line(result)
        assert count(admin, "records") == before


def test_the_database_names_the_login_whatever_role_the_session_took(team, db) -> None:
    run = sop(team, db, "budi", "start", "rkt-ii", "-q").stdout.strip()
    with connect(team, db, "budi") as conn:
        conn.execute("SET ROLE sop_user")
        assert conn.execute("SELECT current_user::text").fetchone()[0] == "sop_user"
        records = records_of(conn, run)
        as_group = following(records, "sop_user", "note", {"step": 1, "text": "anonim"})
        assert attempt(conn, run, as_group) == "sop.identity"
        assert attempt(conn, run, {**as_group, "by": "budi"}) == "sop.identity"  # login still sop_user
        own = following(records, "budi", "note", {"step": 1, "text": "saya budi"})
        assert attempt(conn, run, own, keep=True) is None
        written = conn.execute("SELECT actor, login, written_by FROM sop.records WHERE run_id = %s AND seq = 2", (run,))
        assert written.fetchone() == ("budi", "budi", "budi")
        forced = following(records_of(conn, run), "budi", "done", {"step": 1, "pass": 0, "target": 2, "forced": True})
        assert attempt(conn, run, forced) == "sop.force"
    with connect(team, db, "ani") as conn:  # an administrator under the group role still acts as ani
        conn.execute("SET ROLE sop_admin")
        records = records_of(conn, run)
        assert attempt(conn, run, following(records, "sop_admin", "note", {"step": 1, "text": "x"})) == "sop.identity"


def test_what_sop_says_names_the_login_not_the_os_user(team, db) -> None:
    """On a team store the person is the login: the confirmation of a note names it (the OS user is root
    or whoever runs the tests, and nobody on the team)."""
    run = sop(team, db, "budi", "start", "rkt-ii", "-q").stdout.strip()
    assert sop(team, db, "budi", "note", "1", "x").stdout.strip() == "Noted on step 1 by budi."
    assert "budi" in sop(team, db, "budi", "store", "info").stdout.splitlines()[-1]
    assert run


# ------------------------------------------------------------------ 2. only records sop can read

VALUES: list[Any] = [
    None,
    "",
    "x",
    "end",
    "input",
    0,
    -1,
    1,
    2,
    3,
    99,
    1.0,
    True,
    [],
    {},
    ["x"],
    [None],
    {"a": 1},
    [{"name": "a", "sha256": "0" * 64, "size": -1}],
    [{"name": "a", "sha256": "A" * 64, "size": 1}],
    AT,
    "1969-12-31T23:00:00+07:00",
    "2200-01-01T00:00:00+07:00",
    "2026-11-23T08:00:00",
    "2026-02-30T08:00:00+07:00",
    10**18,
]
KINDS = ["start", "done", "undo", "attach", "note", "assign", "cancel", "x"]


def mutations(record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The record with each of its fields (and each field of its data) removed, or replaced by each value of
    another kind, and with a field added."""
    found = []
    for key in [*record, "hash", "extra"]:
        if key in record:
            found.append((f"-{key}", {k: v for k, v in record.items() if k != key}))
        for value in VALUES + (KINDS if key == "type" else []):
            found.append((f"{key}={value!r}", {**record, key: value}))
    data = record["data"]
    for key in [*data, "extra"]:
        if key in data:
            found.append((f"-data.{key}", {**record, "data": {k: v for k, v in data.items() if k != key}}))
        for value in VALUES:
            found.append((f"data.{key}={value!r}", {**record, "data": {**data, key: value}}))
    return found


def test_every_record_the_database_takes_is_one_sop_reads(team, db) -> None:
    """Each field of each kind of record, removed or given a value of the wrong kind, offered straight to
    the database by a colleague: what it refuses is refused, and whatever it takes, every command can fold,
    summarise, report and check."""
    run = sop(team, db, "budi", "start", "rkt-ii", "-q", "--assign", "kabag=budi").stdout.strip()
    assert sop(team, db, "budi", "done", "1").returncode == 0
    file = {"name": "a.pdf", "sha256": "a" * 64, "size": 3}
    bases = {
        "note": {"step": 2, "text": "x"},
        "done": {
            "step": 2,
            "pass": 0,
            "lane": "kasubbag",
            "target": 3,
            "outcome": None,
            "forced": False,
            "note": None,
            "outputs": [file],
            "inputs": [],
        },
        "attach": {"step": 2, "pass": 0, "kind": "input", "files": [file], "forced": False},
        "assign": {"actor": "kasubbag", "person": "siti"},
        "cancel": {"reason": "x"},
        "undo": {"undoes": 2, "step": 1, "lane": "kabag", "forced": False},
    }
    taken, refused = 0, 0
    with connect(team, db, "budi") as conn:
        records = records_of(conn, run)
        for kind, data in bases.items():
            base = following(records, "budi", kind, data)
            assert attempt(conn, run, base) is None, kind
            for name, record in mutations(base):
                if attempt(conn, run, record) is None:
                    taken += 1
                    try:
                        readable([*records, {**record, "hash": texts(record)[2]}])
                    except Exception as err:  # noqa: BLE001 - the test names the record the database let in
                        pytest.fail(f"the database took {kind} {name}, which sop cannot read: {err!r}")
                else:
                    refused += 1
    assert taken > 50 and refused > 500, (taken, refused)
    assert sop(team, db, "budi", "verify").returncode == 0


def test_every_start_the_database_takes_is_one_sop_reads(team, db) -> None:
    """The SOP a run starts from, mangled part by part: whatever start the database takes, sop can fold."""
    run = sop(team, db, "budi", "start", "contoh-surat-masuk", "-q").stdout.strip()
    with connect(team, db, "budi") as conn:
        start = records_of(conn, run)[0]
        start.pop("hash")
        document = start["data"]["sop"]
        cases: list[tuple[str, dict[str, Any]]] = []
        # Every day each key meets a third of the wrong kinds (a different third for the next key, so that
        # every kind is tried); SOP_THOROUGH=1 tries them all on every key.
        stride = thorough(3, 1)

        def kinds(position: int) -> list[Any]:
            return VALUES[:18][position % stride :: stride]

        for position, key in enumerate([*document, "extra"]):
            for value in [*kinds(position), "Mars/Olympus", ["mon"], ["08:00-07:00"]]:
                cases.append((f"sop.{key}={value!r}", {**document, key: value}))
        for index in (0, 1):
            step = document["steps"][index]
            for position, key in enumerate([*step, "extra"]):
                for value in kinds(position + index):
                    steps = list(document["steps"])
                    steps[index] = {**step, key: value}
                    cases.append((f"steps[{index}].{key}={value!r}", {**document, "steps": steps}))
        calendar = document.get("calendar") or {}
        for position, key in enumerate([*calendar, "extra"]):
            for value in [*kinds(position), "Mars/Olympus", "posixrules", ["xyz"], ["8-16"], ["25:00-26:00"]]:
                cases.append((f"calendar.{key}={value!r}", {**document, "calendar": {**calendar, key: value}}))
        taken = 0
        from sopcli.records import ID_ALPHABET

        for number, (name, snapshot) in enumerate(cases):
            new = "zz" + "".join(ID_ALPHABET[number // 31**i % 31] for i in range(3))
            record = {**start, "data": {**start["data"], "run": new, "sop": snapshot}}
            if attempt(conn, new, record) is None:
                taken += 1
                try:
                    readable([{**record, "hash": texts(record)[2]}])
                except Exception as err:  # noqa: BLE001
                    pytest.fail(f"the database took a start with {name}, which sop cannot read: {err!r}")
        assert taken > 20, taken
        assert attempt(conn, "zzzzz", {**start, "data": {**start["data"], "run": "zzzzz"}}) is None


def test_a_run_is_never_bare(team, db) -> None:
    """A row in sop.runs without records: refused to a login, and to the owner at commit."""
    sop(team, db, "ani", "start", "rkt-ii", "-q")
    with connect(team, db, "budi") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO sop.runs (id, sop) VALUES ('zzzzz', 'rkt-ii')")
    with connect(team, db, "postgres") as owner, pytest.raises(psycopg.errors.CheckViolation, match="first record"):
        owner.execute("INSERT INTO sop.runs (id, sop) VALUES ('zzzzz', 'rkt-ii')")
    assert sop(team, db, "ani", "verify", "--all").returncode == 0


def test_a_hostile_record_leaves_the_run_working(team, db) -> None:
    """The finding's own example, then a run of others: all refused; status, log, verify and migrate still
    work on the victim's run."""
    run = sop(team, db, "siti", "start", "rkt-ii", "-q", "--title", "victim").stdout.strip()
    with connect(team, db, "budi") as conn:
        records = records_of(conn, run)
        for kind, data in [
            ("x", {}),
            ("done", {"step": 1, "pass": 0, "target": 2, "outputs": None}),
            ("done", {"step": 9, "pass": 0, "target": 2}),
            ("undo", {"undoes": 1, "step": 1}),
            (
                "note",
                {
                    "step": 1,
                    "text": "x",
                    "deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
                },
            ),
        ]:
            assert attempt(conn, run, following(records, "budi", kind, data)) is not None
    assert sop(team, db, "siti", "status", "--run", run).returncode == 0
    assert sop(team, db, "siti", "verify", "--run", run).returncode == 0


def tamper(team, db: str, sql: str, params: tuple[Any, ...] = ()) -> None:
    """What only a superuser could do (triggers off): a run damaged past the database's own checks."""
    with psycopg.connect(team.dsn(db, "postgres"), autocommit=True) as admin:
        admin.execute("SET session_replication_role = replica")
        admin.execute(sql, params)


def test_migrate_from_copies_every_run_but_a_damaged_one(team, db, tmp_path: Path) -> None:
    good = [sop(team, db, "ani", "start", "rkt-ii", "-q").stdout.strip() for _ in range(2)]
    bad = sop(team, db, "ani", "start", "rkt-ii", "-q").stdout.strip()
    sop(team, db, "ani", "note", "1", "asli", "--run", bad)
    tamper(
        team,
        db,
        "UPDATE sop.records SET doc = replace(doc, 'asli', 'palsu'), body = replace(body, 'asli', 'palsu') "
        "WHERE run_id = %s",
        (bad,),
    )
    env = {**env_for(team, db, "ani", tmp_path / "home"), "SOP_STORE": ""}
    result = subprocess.run(
        [sys.executable, "-m", "sopcli", "store", "migrate", "--from", team.dsn(db, "ani")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"run {bad}: not copied" in result.stderr and "record 2" in result.stderr
    assert "2 run(s) copied, 0 already there and identical; 1 not copied: " + bad in result.stdout
    for run in good:
        assert f"run {run}: copied" in result.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "sopcli", "runs", "-f", "json"], env=env, capture_output=True, text=True
    )
    assert sorted(r["id"] for r in json.loads(listed.stdout)) == sorted(good)


# ------------------------------------------------------------------ 3. evidence


def test_nobody_adds_to_or_preempts_a_blob(team, db, tmp_path: Path) -> None:
    """Chunks and blobs only through the database's functions: a stored blob takes no chunk; content that
    does not hash to its name, or is incomplete, never becomes a blob; an upload left half-done by a hostile
    session does not stop the real file from being stored."""
    report = tmp_path / "bahan.docx"
    report.write_bytes(b"laporan rina\n")
    template = tmp_path / "template.pdf"
    template.write_bytes(b"template surat standar v1\n")
    stored = hashlib.sha256(report.read_bytes()).hexdigest()
    later = hashlib.sha256(template.read_bytes()).hexdigest()
    sop(team, db, "rina", "start", "rkt-ii", "-q")
    assert sop(team, db, "rina", "done", "1", "--attach", str(report)).returncode == 0
    with connect(team, db, "siti") as conn:
        for sql, params in [
            ("INSERT INTO sop.chunks (sha256, n, data) VALUES (%s, 1, 'junk')", (stored,)),
            ("INSERT INTO sop.blobs (sha256, size, chunks) VALUES (%s, 26, 1)", (later,)),
        ]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql, params)
        assert conn.execute("SELECT sop.put_chunk(%s, 1, 'junk')", (stored,)).fetchone()[0] is False
        for chunks, size in [([], 26), ([b"template surat standar v2\n"], 26), ([b"template"], 26)]:
            with pytest.raises(psycopg.errors.CheckViolation, match="sop.evidence"), conn.transaction():
                for n, piece in enumerate(chunks):
                    conn.execute("SELECT sop.put_chunk(%s, %s, %s)", (later, n, piece))
                conn.execute("SELECT sop.seal_blob(%s, %s, %s)", (later, size, len(chunks)))
        conn.execute("SELECT sop.put_chunk(%s, 0, 'half an upload, committed')", (later,))  # autocommit
        with pytest.raises(psycopg.errors.CheckViolation, match="sop.evidence"):
            conn.execute("SELECT sop.seal_blob(%s, 26, 1)", (later,))  # that upload was another transaction's
        with pytest.raises(psycopg.errors.CheckViolation, match="sop.evidence"), conn.transaction():
            conn.execute("SELECT sop.put_chunk(%s, 0, %s)", (later, b"x" * (1024 * 1024 + 1)))
        assert conn.execute("SELECT count(*) FROM sop.blobs WHERE sha256 = %s", (later,)).fetchone()[0] == 0
    assert sop(team, db, "rina", "attach", "2", str(template), "--input").returncode == 0
    assert sop(team, db, "rina", "verify").returncode == 0


def test_content_claimed_under_another_files_hash_is_refused_then_set_aside_by_an_administrator(
    team, db, tmp_path: Path
) -> None:
    """A login seals, under the SHA-256 of a file someone will attach, junk over 64 MiB (which the database
    does not hash itself). The attach is refused in one line and records nothing; an administrator's sop
    reads the junk back, finds that it does not hash to its name, and sets it aside; the file then goes in."""
    letter = tmp_path / "surat.pdf"
    letter.write_bytes(b"surat undangan rapat\n")
    sha = hashlib.sha256(letter.read_bytes()).hexdigest()
    mib = 1024 * 1024
    with connect(team, db, "siti") as conn, conn.transaction():
        conn.execute(
            "SELECT sop.put_chunk(%s, g, decode(repeat('41', %s), 'hex')) FROM generate_series(0, 63) g", (sha, mib)
        )
        conn.execute("SELECT sop.put_chunk(%s, 64, 'A')", (sha,))
        assert conn.execute("SELECT sop.seal_blob(%s, %s, 65)", (sha, 64 * mib + 1)).fetchone()[0] is True
    run = sop(team, db, "rina", "start", "rkt-ii", "-q").stdout.strip()
    before = sop(team, db, "rina", "log", "--format", "json").stdout
    refused = one_line(sop(team, db, "rina", "done", "1", "--attach", str(letter)))
    assert "other content under the SHA-256 of 'surat.pdf'" in refused and "siti" in refused
    assert f"set-aside {sha}" in refused
    assert sop(team, db, "rina", "log", "--format", "json").stdout == before  # nothing recorded
    assert "only a member of sop_admin" in one_line(sop(team, db, "budi", "store", "set-aside", sha[:12]))
    assert "set aside" in sop(team, db, "ani", "store", "set-aside", sha[:12]).stdout  # ani is sop_admin here
    assert sop(team, db, "rina", "done", "1", "--attach", str(letter), "--run", run).returncode == 0
    assert sop(team, db, "rina", "verify").returncode == 0
    # content that has its SHA-256 is never set aside, and a bad reference is one line
    assert "has its SHA-256" in one_line(sop(team, db, "ani", "store", "set-aside", sha))
    assert "not the start of a SHA-256" in one_line(sop(team, db, "ani", "store", "set-aside", "xyz"))
    with connect(team, db, "postgres") as admin:
        aside = admin.execute("SELECT created_by, set_aside_by FROM sop.damaged_blobs WHERE sha256 = %s", (sha,))
        assert aside.fetchall() == [("siti", "ani")]
    with connect(team, db, "ani") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="sop.whole"):
        upload = conn.execute("SELECT upload FROM sop.blobs WHERE sha256 = %s", (sha,)).fetchone()[0]
        conn.execute("SELECT sop.set_aside_blob(%s, %s)", (sha, upload))  # past sop: whole content stays


def test_content_is_cut_into_chunks_one_way_only(team, db, tmp_path: Path) -> None:
    """The right bytes cut another way (or an empty file given an empty chunk) would make the same content
    look like other content to sop, which compares chunk by chunk: the database seals only 1 MiB chunks, the
    last one shorter, none for an empty file. So a file whose bytes a login has cannot be blocked."""
    mib = 1024 * 1024
    content = bytes(range(256)) * (mib // 256) * 2 + b"tail"  # 2 MiB and 4 bytes
    empty, letter = tmp_path / "kosong.txt", tmp_path / "surat.bin"
    empty.write_bytes(b"")
    letter.write_bytes(content)
    nothing, sha = hashlib.sha256(b"").hexdigest(), hashlib.sha256(content).hexdigest()
    with connect(team, db, "siti") as conn:
        for cuts, target, size in [
            ([b""], nothing, 0),
            ([content[:100], content[100 : 100 + mib], content[100 + mib :]], sha, len(content)),
            ([content[:mib], content[mib : 2 * mib], content[2 * mib :], b""], sha, len(content)),
        ]:
            with pytest.raises(psycopg.errors.CheckViolation, match="sop.evidence"), conn.transaction():
                for n, piece in enumerate(cuts):
                    conn.execute("SELECT sop.put_chunk(%s, %s, %s)", (target, n, piece))
                conn.execute("SELECT sop.seal_blob(%s, %s, %s)", (target, size, len(cuts)))
        with conn.transaction():  # the one way: taken, and then the same as anyone's file
            for n, start in enumerate(range(0, len(content), mib)):
                conn.execute("SELECT sop.put_chunk(%s, %s, %s)", (sha, n, content[start : start + mib]))
            assert conn.execute("SELECT sop.seal_blob(%s, %s, 3)", (sha, len(content))).fetchone()[0] is True
    sop(team, db, "rina", "start", "rkt-ii", "-q")
    assert sop(team, db, "rina", "done", "1", "--attach", str(empty), "--attach", str(letter)).returncode == 0
    assert sop(team, db, "rina", "verify").returncode == 0


def test_an_unreachable_target_stops_a_migration_at_once(tmp_path: Path) -> None:
    """One question to the target before any run: not one connection attempt (and one line) per run."""
    home = tmp_path / "home"
    local = {**os.environ, "SOP_HOME": str(home), "SOP_USER": "ani", "SOP_NOW": MONDAY, "SOP_LANG": "en"}
    local.pop("SOP_STORE", None)
    for _ in range(4):
        subprocess.run([sys.executable, "-m", "sopcli", "start", "rkt-ii", "-q"], env=local, check=True)
    with socket.socket() as listener:  # takes connections and never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        url = f"host=127.0.0.1 port={listener.getsockname()[1]} dbname=sop user=ani sslmode=disable gssencmode=disable"
        result = subprocess.run(
            [sys.executable, "-m", "sopcli", "store", "migrate", "--to", url],
            env={**local, "SOP_CONNECT_TIMEOUT": "1"},
            capture_output=True,
            text=True,
        )
        listener.settimeout(0.2)
        attempts = 0
        with contextlib.suppress(OSError):
            while True:
                listener.accept()[0].close()
                attempts += 1
    assert "cannot reach the team store" in one_line(result)
    assert attempts == 1, attempts  # four runs, one attempt


def test_an_attachment_that_changes_while_it_is_sent_stores_nothing(team, db, tmp_path: Path, monkeypatch) -> None:
    from sopcli.env import Environment
    from sopcli.errors import Refused
    from sopcli.runs import Runs

    sop(team, db, "ani", "start", "rkt-ii", "-q")
    target = tmp_path / "changing.bin"
    target.write_bytes(b"a" * 3_000_000)
    monkeypatch.setenv("SOP_STORE", team.dsn(db, "ani"))
    monkeypatch.delenv("SOP_USER", raising=False)
    runs = Runs(Environment.from_os())
    from sopcli import evidence

    real = evidence.hash_file

    def lying(fd: int) -> tuple[str, int]:
        found = real(fd)
        target.write_bytes(b"b" * 3_000_000)  # changes right after it was hashed
        return found

    monkeypatch.setattr(evidence, "hash_file", lying)
    with pytest.raises(Refused, match="changed while it was being stored"):
        runs.done(None, 1, outputs=[target])
    runs.store.close()
    with connect(team, db, "postgres") as admin:
        assert count(admin, "blobs") == 0


# ------------------------------------------------------------------ 4. summaries


def test_a_summary_agrees_with_its_records_or_is_refused(team, db) -> None:
    run = sop(team, db, "siti", "start", "rkt-ii", "-q", "--assign", "kabag=siti").stdout.strip()
    with connect(team, db, "budi") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE sop.summaries SET status = 'cancelled'")
        (row,) = conn.execute("SELECT row FROM sop.summaries WHERE run_id = %s", (run,)).fetchone()
        conn.execute("SELECT sop.put_summary(%s)", (json.dumps(row),))  # sop's own row: taken again
        for change in [
            {"status": "cancelled"},
            {"status": "completed", "finished_at": AT},
            {"title": "FORGED"},
            {"assignments": {}},
            {"people": ["siti", "budi"]},
            {"started_by": "budi"},
            {"active_step": 3},
            {"active": {**row["active"], "step": 5}},
            {"active": 5},
            {"steps": row["steps"][1:]},
            {"steps": [{**row["steps"][0], "passes": []}, *row["steps"][1:]]},
            {"seq": 2},
            {"head": "0" * 64},
            {"started_at": "2026-01-01T00:00:00+07:00"},
            {"sop": "contoh-surat-masuk"},
            {"timezone": "Asia/Jayapura"},
            {"steps": "x"},
            {"elapsed": 10**20},
        ]:
            with pytest.raises(psycopg.errors.CheckViolation, match="sop.summary"):
                conn.execute("SELECT sop.put_summary(%s)", (json.dumps({**row, **change}),))
    assert [r["status"] for r in json.loads(sop(team, db, "siti", "runs", "-f", "json").stdout)] == ["active"]
    assert sop(team, db, "siti", "verify", "--all").returncode == 0


@pytest.mark.parametrize(
    "change",
    [
        "jsonb_set(row, '{active}', '5')",
        "jsonb_set(row, '{steps}', '\"x\"')",
        "jsonb_set(row, '{people}', '[1]')",
        "jsonb_set(row, '{started_at}', '\"gestern\"')",
        "jsonb_set(row, '{steps,0,passes,0,0}', '\"gestern\"')",
        "'[]'::jsonb",
    ],
)
def test_a_malformed_summary_is_named_as_damage(team, db, change: str) -> None:
    """A summary row made malformed past the database's checks (triggers off): every reader either does
    without the field or says which run is damaged, in one line, never an unexpected error further on."""
    run = sop(team, db, "siti", "start", "rkt-ii", "-q").stdout.strip()
    tamper(team, db, f"UPDATE sop.summaries SET row = {change} WHERE run_id = %s", (run,))
    message = one_line(sop(team, db, "siti", "inbox", "--all"))
    assert f"summary of run {run}" in message and "damaged" in message, message
    for args in (("runs",), ("runs", "--period", "2026"), ("stats", "rkt-ii"), ("monitor", "rkt-ii")):
        result = sop(team, db, "siti", *args)
        if result.returncode != 0:
            message = one_line(result)
            assert "damaged" in message and "unexpected" not in message, (args, message)
    assert "summary of run" in sop(team, db, "siti", "verify", "--all").stderr


# ------------------------------------------------------------------ 5. what an administrator can do


def test_an_administrator_copies_whole_runs_only(team, db) -> None:
    """The old `SET LOCAL sop.migrating` does nothing; a record in another's name goes in only as part of a
    whole run copied into an id not yet taken, marked as copied by that administrator."""
    run = sop(team, db, "budi", "start", "rkt-ii", "-q", "--assign", "kabag=budi").stdout.strip()
    with connect(team, db, "ani") as conn:
        records = records_of(conn, run)
        forged = following(records, "budi", "done", {"step": 1, "pass": 0, "target": 2, "note": "forged by ani"})
        with conn.transaction():
            conn.execute("SET LOCAL sop.migrating = 'on'")
            assert attempt(conn, run, forged) == "sop.identity"
        body, doc, digest = texts(forged)
        (row,) = conn.execute("SELECT row FROM sop.summaries WHERE run_id = %s", (run,)).fetchone()
        with pytest.raises(psycopg.errors.UniqueViolation, match="sop.exists"):
            conn.execute(
                "SELECT sop.import_run(%s, %s, %s, %s, %s)",
                (
                    run,
                    [*[texts(r)[0] for r in records], body],
                    [*[texts(r)[1] for r in records], doc],
                    [*[r["hash"] for r in records], digest],
                    json.dumps(row),
                ),
            )
    with connect(team, db, "postgres") as owner:  # even the owner cannot mark a record copied into a live run
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="sop.import"):
            owner.execute(
                "INSERT INTO sop.records (run_id, seq, prev, hash, body, doc, actor, login, migrated_by) "
                "VALUES (%s, %s, %s, %s, %s, %s, '', '', 'postgres')",
                (run, forged["seq"], forged["prev"], digest, body, doc),
            )
    assert len(json.loads(sop(team, db, "budi", "log", "--run", run, "-f", "json").stdout)) == 1


def test_a_migration_is_marked_and_needs_sop_admin_for_other_peoples_records(team, db, tmp_path: Path) -> None:
    home = tmp_path / "home"
    local = {**os.environ, "SOP_HOME": str(home), "SOP_USER": "budi", "SOP_NOW": MONDAY, "SOP_LANG": "en"}
    local.pop("SOP_STORE", None)

    def here(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        env = {**local, **extra}
        return subprocess.run([sys.executable, "-m", "sopcli", *args], env=env, capture_output=True, text=True)

    run = here("start", "rkt-ii", "-q").stdout.strip()
    team.login("budi")
    refused = here("store", "migrate", "--to", team.dsn(db, "budi"))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    login = json.loads(here("log", "-f", "json").stdout)[0]["login"]
    assert f"needs membership of sop_admin: its record 1 is by budi (login {login}), not by budi" in refused.stderr
    assert f"run {run}: not copied" in refused.stderr and "0 run(s) copied" in refused.stdout
    copied = here("store", "migrate", "--to", team.dsn(db, "ani"))
    assert copied.returncode == 0, copied.stderr
    from sopcli.env import Environment
    from sopcli.store.postgres import PostgresStore

    store = PostgresStore(Environment(home=tmp_path, user="", cwd=tmp_path, store_url=team.dsn(db, "budi")))
    try:
        assert store.provenance(run)["migrated_by"] == "ani"
        assert store.provenance(run)["created_by"] == "budi"
    finally:
        store.close()
    with connect(team, db, "budi") as conn:
        assert conn.execute("SELECT DISTINCT migrated_by FROM sop.records").fetchall() == [("ani",)]


# ------------------------------------------------------------------ 6. the password is never printed

PASSWORDS = ["Rahasia123", "Sek%ZZret", "Sekret99", "Sekret 99", "p@ss:w/rd", "'quoted pw'"]


URLS = [
    "postgresql:/budi:Rahasia123@db.kantor.go.id/sop",
    "postgresql//budi:Rahasia123@db.kantor.go.id/sop",
    "postgresql://ani:Sek%ZZret@/sop?host=/tmp",
    "postgres://ani:Sekret99@[::1/sop",
    "host=/tmp password=Sekret 99 dbname=sop",
    "host=/tmp password='Sekret 99 dbname=sop",
    "postgresql://ani:Sekret99@/sop?host=/nonexistent-dir&sslmode=bogus",
    "postgresql://ani:Sekret99@/sop?host=/nonexistent-dir&port=notaport",
    "postgresql://ani:Sekret99@/sop?host=/nonexistent-dir",
    "host=/nonexistent-dir user=ani password=Sekret99 dbname=sop",
    "host=/nonexistent-dir user=ani password='p@ss:w/rd' dbname=sop",
    "postgresql://ani:p%40ss%3Aw%2Frd@/sop?host=/nonexistent-dir&connect_timeout=zz",
    "host=budi:Rahasia123@db dbname=sop",
    "postgresql://ani:Sekret99@/sop?host=/tmp&options=-c%20x",
    "postgresql://ani:'quoted pw'@/sop?host=/tmp&bad",
]
COMMANDS = [("runs",), ("store", "info"), ("store", "init")]


# Each URL through one of the three ways in, in turn (every way meets several URLs); SOP_THOROUGH=1: all three.
@pytest.mark.parametrize("url, first", [(url, n % len(COMMANDS)) for n, url in enumerate(URLS)])
def test_no_message_shows_the_password(url: str, first: int, tmp_path: Path) -> None:
    env = {**os.environ, "SOP_STORE": url, "SOP_LANG": "en", "SOP_HOME": str(tmp_path), "SOP_CONNECT_TIMEOUT": "2"}
    env.pop("SOP_USER", None)
    for args in (COMMANDS[first:] + COMMANDS[:first])[: thorough(1, len(COMMANDS))]:
        result = subprocess.run([sys.executable, "-m", "sopcli", *args], env=env, capture_output=True, text=True)
        message = one_line(result)
        for secret in PASSWORDS:
            assert secret not in message and secret.replace(" ", "") not in message, message
        assert "Sek" not in message and "Rahasia" not in message and "quoted" not in message, message


def test_redaction_covers_every_form() -> None:
    from sopcli.store.postgres import redact

    for text, url in [
        ('missing "=" after "postgresql:/budi:Rahasia123@db/sop" in connection info string', ""),
        ('invalid percent-encoded token: "Sek%ZZret"', "postgresql://ani:Sek%25ZZret@/sop"),
        ("password=Sekret99 host=x", ""),
        ("password = 'Sekret 99' host=x", ""),
        ("PASSWORD=Sekret99", ""),
        ("could not connect as ani:Sekret99@host", ""),
        ("server said Sekret99", "postgresql://ani:Sekret99@/sop"),
    ]:
        shown = redact(text, url)
        assert "Rahasia" not in shown and "Sekret" not in shown and "ZZret" not in shown, shown


# ------------------------------------------------------------------ 7. migration, verified on both sides


def test_a_damaged_source_run_is_named_and_the_others_are_copied(team, db, tmp_path: Path) -> None:
    home = tmp_path / "home"
    local = {**os.environ, "SOP_HOME": str(home), "SOP_USER": "ani", "SOP_NOW": MONDAY, "SOP_LANG": "en"}
    local.pop("SOP_STORE", None)

    def here(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sopcli", *args], env=local, capture_output=True, text=True)

    evidence = tmp_path / "bukti.pdf"
    evidence.write_bytes(b"bukti asli")
    tampered = here("start", "rkt-ii", "-q").stdout.strip()
    here("done", "1", "--attach", str(evidence))
    fine = here("start", "contoh-surat-masuk", "-q").stdout.strip()
    blob = next(p for p in (home / "evidence").rglob("*") if p.is_file())
    blob.chmod(0o644)
    blob.write_bytes(b"tampered")
    url = team.dsn(db, "ani")
    result = here("store", "migrate", "--to", url)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"run {tampered}: not copied" in result.stderr and "changed" in result.stderr
    assert f"run {fine}: copied" in result.stdout
    assert f"1 run(s) copied, 0 already there and identical; 1 not copied: {tampered}" in result.stdout
    ids = [r["id"] for r in json.loads(sop(team, db, "ani", "runs", "-f", "json").stdout)]
    assert ids == [fine]
    assert sop(team, db, "ani", "verify", "--all").returncode == 0


def test_a_run_that_does_not_verify_in_the_team_store_is_not_committed(team, db, tmp_path: Path) -> None:
    from sopcli.env import Environment
    from sopcli.errors import Refused
    from sopcli.store.postgres import PostgresStore

    sop(team, db, "ani", "start", "rkt-ii", "-q")
    source = PostgresStore(Environment(home=tmp_path, user="", cwd=tmp_path, store_url=team.dsn(db, "ani")))
    other = team.database()
    target = PostgresStore(Environment(home=tmp_path, user="", cwd=tmp_path, store_url=team.dsn(other, "ani")))
    try:
        (run,) = source.run_ids()
        records = source.export_run(run)
        (row,) = source.rows()
        with pytest.raises(Refused, match="does not verify in the team store: imagined problem"):
            target.import_run(run, records, row, [], check=lambda r: ["imagined problem"])
        assert target.run_ids() == []
        target.import_run(run, records, row, [], check=lambda r: target.verify(r))
        assert target.run_ids() == [run]
    finally:
        source.close()
        target.close()
        team.drop(other)


# ------------------------------------------------------------------ 8. newest first, whatever the offset

PAPUA = """\
id: papua
nomor: PAPUA/01
judul: Uji zona waktu
kalender: {timezone: Asia/Jayapura, mode: continuous}
pelaksana:
  - {id: a, nama: Lajur A}
  - {id: b, nama: Lajur B}
prosedur:
  - {nomor: 1, kegiatan: Satu, pelaksana: a, waktu: 1 jam}
  - {nomor: 2, kegiatan: Dua, pelaksana: b, waktu: 1 jam}
"""


def test_runs_are_listed_by_the_instant_they_started(team, db, tmp_path: Path) -> None:
    (tmp_path / "sops").mkdir()
    (tmp_path / "sops" / "papua.yaml").write_text(PAPUA)
    path = str(tmp_path / "sops")
    papua = sop(team, db, "ani", "start", "papua", "-q", SOP_PATH=path, SOP_NOW="2026-07-06T11:00+09:00")
    rkt = sop(team, db, "ani", "start", "rkt-ii", "-q", SOP_PATH=path, SOP_NOW="2026-07-06T10:50+07:00")
    listed = json.loads(sop(team, db, "ani", "runs", "-f", "json", SOP_PATH=path).stdout)
    assert [r["id"] for r in listed] == [rkt.stdout.strip(), papua.stdout.strip()]
    limited = sop(team, db, "ani", "runs", "--limit", "1", SOP_PATH=path).stdout
    assert rkt.stdout.strip() in limited and papua.stdout.strip() not in limited


# ------------------------------------------------------------------ 9. bytes and the schema version


@pytest.mark.parametrize("option", ["--person", "--sop"])
def test_names_that_are_not_utf8_match_nothing(team, db, option: str) -> None:
    sop(team, db, "ani", "start", "rkt-ii", "-q")
    odd = b"\xff\xfe".decode("utf-8", "surrogateescape")
    result = sop(team, db, "ani", "runs", option, odd)
    assert result.returncode == 0 and "No run matches." in result.stdout, result


@pytest.mark.parametrize("value", ["abc", "", "2.5", "١"])
def test_a_corrupt_schema_version_is_one_line_of_damage(team, db, value: str) -> None:
    sop(team, db, "ani", "start", "rkt-ii", "-q")
    with connect(team, db, "postgres") as admin:
        admin.execute("UPDATE sop.meta SET value = %s WHERE key = 'schema_version'", (value,))
    for args in (("runs",), ("status",), ("store", "init")):
        message = one_line(sop(team, db, "postgres" if args[0] == "store" else "ani", *args))
        assert "schema version" in message or "no sop schema" in message or "schema 1" in message, message


# ------------------------------------------------------------------ 10. messages in the user's language


@pytest.mark.parametrize(
    ("change", "english", "indonesian"),
    [
        ({"at": "1969-12-31T17:00:00+07:00"}, "refuses record 2: it has no valid 'at' field", "isian 'at'"),
        (
            {"type": "note", "data": {"step": 99, "text": "x"}},
            "refuses record 2 (note): the SOP has no such step",
            "langkah",
        ),
        (
            {"data": {"step": 1, "pass": 7, "target": 2}},
            "refuses record 2 (done): that step is not open there",
            "rekaman 2",
        ),
    ],
)
def test_a_refusal_by_the_database_is_in_the_users_language(
    team, db, tmp_path: Path, change, english, indonesian
) -> None:
    """A record the database refuses (written by a sop that checks less than it) is one line from the
    catalogue, in each language, and nothing is recorded."""
    from sopcli import i18n
    from sopcli.env import Environment
    from sopcli.errors import SopError
    from sopcli.store.postgres import PostgresStore

    run = sop(team, db, "ani", "start", "rkt-ii", "-q").stdout.strip()
    store = PostgresStore(Environment(home=tmp_path, user="", cwd=tmp_path, store_url=team.dsn(db, "ani")))

    def build(run_id: str, records: list[dict[str, Any]], refs: list[dict[str, Any]]) -> dict[str, Any]:
        fields = {"type": "done", "at": AT, "recorded_at": AT, "by": "ani", "login": "ani"}
        return {**fields, "data": {"step": 1, "pass": 0, "target": 2}, **change}

    try:
        for language, words in (("en", english), ("id", indonesian)):
            i18n.set_language(language)
            with pytest.raises(SopError) as refused:
                store.append(run, build, [], lambda records: {}, purpose="test")
            assert words in str(refused.value) and "\n" not in str(refused.value), str(refused.value)
            if language == "id":
                assert "refuses" not in str(refused.value) and "record" not in str(refused.value)
    finally:
        i18n.set_language("en")
        store.close()
    assert len(json.loads(sop(team, db, "ani", "log", "--run", run, "-f", "json").stdout)) == 1


@pytest.mark.parametrize(
    ("where", "indonesian"),
    [
        ("host=/nonexistent-socket-dir dbname=sop user=ani", "tidak ada soket server di sana"),
        ("host=no-such-host.invalid dbname=sop user=ani", "nama host tidak dikenal"),
    ],
)
def test_why_a_connection_failed_is_said_in_the_users_language(tmp_path: Path, where: str, indonesian: str) -> None:
    env = {**os.environ, "SOP_STORE": where, "SOP_LANG": "id", "SOP_HOME": str(tmp_path), "SOP_CONNECT_TIMEOUT": "3"}
    env.pop("SOP_USER", None)
    result = subprocess.run([sys.executable, "-m", "sopcli", "runs"], env=env, capture_output=True, text=True)
    message = one_line(result)
    assert indonesian in message and "No such file" not in message and "translate" not in message, message


@pytest.mark.parametrize(
    "args",
    [
        ("note", "1", "a\x00b"),
        ("cancel", "--reason", "\x00"),
        ("assign", "kabag=bu\x00di"),
        ("start", "rkt-ii", "--title", "judul\x00"),
    ],
)
def test_text_with_a_nul_is_refused_in_one_line(team, db, args: tuple[str, ...]) -> None:
    """PostgreSQL keeps no NUL character: the team store refuses such text in one line, nothing written."""
    sop(team, db, "ani", "start", "rkt-ii", "-q")
    with connect(team, db, "postgres") as admin:
        before = count(admin, "records")
        message = one_line(sop(team, db, "ani", *args))
        assert "NUL character" in message, message
        assert count(admin, "records") == before


def test_init_without_the_right_says_who_may_run_it(team, db) -> None:
    """A login that has sop_user (but owns nothing) is not told to get sop_user."""
    message = one_line(sop(team, db, "budi", "store", "init"))
    assert "may not create or upgrade the sop schema" in message and "GRANT" not in message


# ------------------------------------------------------------------ 11. the connect timeout bounds the whole attempt


def test_the_connect_timeout_bounds_every_host_together(tmp_path: Path) -> None:
    """Four hosts that accept and never answer: one line within SOP_CONNECT_TIMEOUT, not four times it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    hosts = ",".join(["127.0.0.1"] * 4)
    ports = ",".join([str(port)] * 4)
    env = {
        **os.environ,
        "SOP_STORE": f"host={hosts} port={ports} dbname=sop user=ani sslmode=disable",
        "SOP_CONNECT_TIMEOUT": "3",
        "SOP_LANG": "en",
        "SOP_HOME": str(tmp_path),
    }
    env.pop("SOP_USER", None)
    try:
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "sopcli", "runs"], env=env, capture_output=True, text=True)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
        for item in held:
            item.close()
        listener.close()
    assert "cannot reach the team store" in one_line(result) and "within 3s" in result.stderr
    assert elapsed < 9, elapsed  # four hosts at 3 s each would take 12 s


# ------------------------------------------------------------------ the upgrade from schema 1

SCHEMA_1 = Path(__file__).parent / "fixtures" / "team-schema-1" / "schema.sql"


def schema_1_store(team, tmp_path: Path) -> tuple[str, dict[str, str], dict[str, bytes]]:
    """A database with schema 1 (as the previous release made it) holding three runs copied from TinyDB the
    way that release copied them, plus what a colleague could do to it then: a chunk added to a stored
    blob, a blob row without chunks ahead of a file, a bare run, a forged and a malformed summary."""
    from psycopg.types.json import Jsonb

    from sopcli.store.tinydb import TinyStore

    home = tmp_path / "home"
    local = {**os.environ, "SOP_HOME": str(home), "SOP_USER": "ani", "SOP_NOW": MONDAY, "SOP_LANG": "en"}
    local.pop("SOP_STORE", None)

    def here(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "sopcli", *args], env=local, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    files = {"bahan.docx": b"laporan rina\n", "template.pdf": b"template surat standar v1\n"}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    runs = {}
    runs["extra_chunk"] = here("start", "rkt-ii", "-q")
    here("done", "1", "--attach", str(tmp_path / "bahan.docx"))
    runs["preempted"] = here("start", "rkt-ii", "-q")
    here("done", "1", "--attach", str(tmp_path / "template.pdf"))
    runs["forged"] = here("start", "contoh-surat-masuk", "-q")
    tiny = TinyStore(home)
    name = team.database()
    team.drop(name)
    team.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8'")
    with psycopg.connect(team.dsn(name, "postgres"), autocommit=True) as admin:
        admin.execute(SCHEMA_1.read_text())
        admin.execute("INSERT INTO sop.meta VALUES ('schema_version', '1')")
        rows = {row["id"]: row for row in tiny.rows()}
        for run in runs.values():
            records = tiny.export_run(run)
            with admin.transaction():
                admin.execute("SET LOCAL sop.migrating = 'on'")
                admin.execute("INSERT INTO sop.runs (id, sop) VALUES (%s, %s)", (run, records[0]["data"]["sop"]["id"]))
                for record in records:
                    body, doc, digest = texts(record)
                    admin.execute(
                        "INSERT INTO sop.records (run_id, seq, prev, hash, body, doc, actor, login) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                        (run, record["seq"], record["prev"], digest, body, doc, record["by"], record["login"]),
                    )
                admin.execute(
                    "INSERT INTO sop.summaries (run_id, seq, head, sop, number, status, started_at, finished_at, row) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (
                        run,
                        rows[run]["seq"],
                        rows[run]["head"],
                        rows[run]["sop"],
                        rows[run]["number"],
                        rows[run]["status"],
                        rows[run]["started_at"],
                        None,
                        Jsonb(rows[run]),
                    ),
                )
        good = hashlib.sha256(files["bahan.docx"]).hexdigest()
        admin.execute(
            "INSERT INTO sop.blobs (sha256, size, chunks) VALUES (%s, %s, 1)", (good, len(files["bahan.docx"]))
        )
        admin.execute("INSERT INTO sop.chunks (sha256, n, data) VALUES (%s, 0, %s)", (good, files["bahan.docx"]))
        admin.execute("INSERT INTO sop.chunks (sha256, n, data) VALUES (%s, 1, 'junk')", (good,))  # added later
        lost = hashlib.sha256(files["template.pdf"]).hexdigest()
        admin.execute("INSERT INTO sop.blobs (sha256, size, chunks) VALUES (%s, 26, 1)", (lost,))  # no chunks
        admin.execute("INSERT INTO sop.runs (id, sop) VALUES ('zzzzz', 'rkt-ii')")  # bare
        admin.execute(
            "UPDATE sop.summaries SET status = 'cancelled', row = jsonb_set(row, '{status}', '\"cancelled\"') "
            "WHERE run_id = %s",
            (runs["forged"],),
        )
        admin.execute(
            "UPDATE sop.summaries SET row = jsonb_set(row, '{active}', '5') WHERE run_id = %s", (runs["extra_chunk"],)
        )
    return name, runs, files


def test_a_store_of_schema_1_is_upgraded_in_place(team, tmp_path: Path) -> None:
    name, runs, files = schema_1_store(team, tmp_path)
    try:
        assert "has schema 1; this sop needs schema 2" in one_line(sop(team, name, "ani", "runs"))
        upgrade = sop(team, name, "postgres", "store", "init")
        assert upgrade.returncode == 0, upgrade.stderr
        lost = hashlib.sha256(files["template.pdf"]).hexdigest()
        assert "upgraded from version 1 to 2" in upgrade.stdout
        assert f"evidence {lost[:12]} did not have its SHA-256 and was set aside" in upgrade.stdout
        for run in (runs["forged"], runs["extra_chunk"]):
            assert f"the summary of run {run} disagreed with its records and was removed" in upgrade.stdout
            assert f"run {run}: added to the index" in upgrade.stdout
        assert "already at version 2" in sop(team, name, "postgres", "store", "init").stdout
        listed = {r["id"]: r["status"] for r in json.loads(sop(team, name, "ani", "runs", "-f", "json").stdout)}
        assert listed == {run: "active" for run in runs.values()}  # the bare run is nobody's; the forgery is gone
        broken = sop(team, name, "ani", "verify", "--all")
        assert broken.returncode == 1 and f"evidence {lost[:12]}" in broken.stderr and "missing" in broken.stderr
        assert runs["extra_chunk"] not in broken.stderr and "zzzzz" not in broken.stderr
        again = tmp_path / "again" / "template.pdf"
        again.parent.mkdir()
        again.write_bytes(files["template.pdf"])
        assert sop(team, name, "ani", "attach", "2", str(again), "--run", runs["preempted"]).returncode == 0
        assert sop(team, name, "ani", "note", "2", "after the upgrade", "--run", runs["extra_chunk"]).returncode == 0
        healed = sop(team, name, "ani", "verify", "--all")
        assert healed.returncode == 0 and "3 runs checked" in healed.stdout, healed.stderr
    finally:
        team.drop(name)


def test_a_doc_that_says_something_else_than_its_body_is_damage(team, db) -> None:
    run = sop(team, db, "ani", "start", "rkt-ii", "-q").stdout.strip()
    sop(team, db, "ani", "note", "1", "asli")
    tamper(team, db, "UPDATE sop.records SET doc = replace(doc, 'asli', 'palsu') WHERE run_id = %s", (run,))
    result = sop(team, db, "ani", "verify")
    assert result.returncode == 1 and "record 2: content does not match its hash" in result.stderr


# ------------------------------------------------------------------ and nothing sop writes is refused


def _team_env(url: str, folder: Path, clock: Any) -> Any:
    from sopcli.env import Environment

    return Environment(home=folder / "home", user="", cwd=folder, store_url=url, now=clock)


def test_the_database_takes_every_run_sop_writes(team, db) -> None:
    """The rule-based story of test_state_machine (decision loops, undo, evidence, notes, cancellation) on
    the team store: every action sop allows, the database takes, its summary included, and verify passes."""
    import shutil

    from hypothesis import settings
    from hypothesis import strategies as st
    from hypothesis.stateful import rule, run_state_machine_as_test

    from sopcli.errors import Refused
    from sopcli.runs import Runs

    from .test_state_machine import RunModel

    url = team.dsn(db, "ani")

    class TeamRunModel(RunModel):
        def connect(self) -> Runs:
            return Runs(_team_env(url, self.folder, lambda: self.clock))

        def teardown(self) -> None:
            self.runs.store.close()  # type: ignore[attr-defined]
            shutil.rmtree(self.folder, ignore_errors=True)

        @rule(step=st.integers(1, 6), text=st.text(min_size=1, max_size=30).filter(str.strip))
        def note(self, step: int, text: str) -> None:
            if "\x00" in text and self.status == "active":  # PostgreSQL keeps no NUL: refused, nothing written
                with pytest.raises(Refused, match="NUL character"):
                    self.runs.note(self.run, step, text)
                return
            RunModel.note(self, step, text)

    run_state_machine_as_test(
        TeamRunModel, settings=settings(max_examples=thorough(6, 60), stateful_step_count=20, deadline=None)
    )


def test_the_database_takes_every_part_sop_writes_in_several_lanes(team, db) -> None:
    """The lanes story of test_state_machine on the team store, each person as their own login."""
    import shutil

    from hypothesis import settings
    from hypothesis.stateful import run_state_machine_as_test

    from sopcli.runs import Runs

    from .test_state_machine import PEOPLE, LaneModel

    for person in PEOPLE:
        team.login(person)

    class TeamLaneModel(LaneModel):
        def connect(self) -> Runs:
            self.people = {p: Runs(_team_env(team.dsn(db, p), self.folder, lambda: self.clock)) for p in PEOPLE}
            return self.people["ani"]

        def act(self, person: str, action: Any) -> Any:
            saved, self.runs = self.runs, self.people[person]
            try:
                return action()
            finally:
                self.runs = saved

        def teardown(self) -> None:
            for runs in self.people.values():
                runs.store.close()  # type: ignore[attr-defined]
            shutil.rmtree(self.folder, ignore_errors=True)

    run_state_machine_as_test(
        TeamLaneModel, settings=settings(max_examples=thorough(5, 50), stateful_step_count=20, deadline=None)
    )
