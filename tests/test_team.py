"""The team store on a real PostgreSQL: each person acts as their own login, the database keeps records
append-only and chained, failures are one line, and runs move between the two stores record for record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest

from .conftest import MONDAY

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def db(team):
    name = team.database()
    yield name
    team.drop(name)


def env_for(team, db: str, user: str, home: Path | None = None) -> dict[str, str]:
    team.login(user)
    env = {**os.environ, "SOP_STORE": team.dsn(db, user), "SOP_NOW": MONDAY, "SOP_LANG": "en", "COLUMNS": "100"}
    env.pop("SOP_USER", None)
    if home is not None:
        env["SOP_HOME"] = str(home)
    return env


def sop(team, db: str, user: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """`sop` in-process as the login `user` (a subprocess only where processes themselves matter)."""
    from typer.testing import CliRunner

    from sopcli import cli

    env = {**env_for(team, db, user), **extra}
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        with CliRunner().isolation() as (out, err, _mixed):
            try:
                code = cli.run(list(args))
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            sys.stdout.flush()
            sys.stderr.flush()
            result = subprocess.CompletedProcess(args, code, out.getvalue().decode(), err.getvalue().decode())
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return result


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr.strip()


def test_three_logins_one_run(team, db) -> None:
    """Each completes their own steps, none can complete another's or write in another's name, the inbox
    shows each their waiting step, and the report and verify are the same as on TinyDB."""
    run = sop(
        team,
        db,
        "kabag1",
        "start",
        "rkt-ii",
        "-q",
        "--assign",
        "kabag=kabag1",
        "--assign",
        "kasubbag=kasub1",
        "--assign",
        "pelaksana=staf1",
    ).stdout.strip()
    assert run
    for user in ("kasub1", "staf1"):
        assert sop(team, db, user, "use", run).returncode == 0
    assert "only kabag1 may complete it, not staf1" in one_line(sop(team, db, "staf1", "done", "1"))
    assert "not used with a team store" in one_line(sop(team, db, "staf1", "done", "1", "--as", "kabag1"))
    assert "not used with a team store" in one_line(sop(team, db, "staf1", "note", "1", "x", SOP_USER="kabag1"))
    inbox = json.loads(sop(team, db, "kabag1", "inbox", "--format", "json").stdout)
    assert [(i["run"], i["step"], i["person"]) for i in inbox] == [(run, 1, "kabag1")]
    assert json.loads(sop(team, db, "kasub1", "inbox", "--format", "json").stdout) == []
    assert sop(team, db, "kabag1", "done", "1").returncode == 0
    assert [i["step"] for i in json.loads(sop(team, db, "kasub1", "inbox", "-f", "json").stdout)] == [2]
    assert sop(team, db, "kasub1", "done", "2").returncode == 0
    everyone = json.loads(sop(team, db, "kabag1", "inbox", "--all", "-f", "json").stdout)
    assert [(i["step"], i["person"]) for i in everyone] == [(3, "staf1")]
    log = json.loads(sop(team, db, "staf1", "log", "-f", "json").stdout)
    assert [(r["by"], r["login"]) for r in log] == [("kabag1", "kabag1"), ("kabag1", "kabag1"), ("kasub1", "kasub1")]
    assert "intact and within the rules" in sop(team, db, "staf1", "verify").stdout


def test_force_needs_sop_admin(team, db) -> None:
    run = sop(team, db, "ani", "start", "rkt-ii", "-q", "--assign", "kabag=siti").stdout.strip()
    sop(team, db, "budi", "use", run)
    assert "needs membership of sop_admin" in one_line(sop(team, db, "budi", "done", "1", "--force"))
    assert sop(team, db, "ani", "done", "1", "--force").returncode == 0  # ani is sop_admin in these tests
    assert json.loads(sop(team, db, "ani", "report", "-f", "json").stdout)["steps"][0]["forced"] is True


def test_the_database_binds_each_record_to_its_login(team, db) -> None:
    """Past sop, straight into the database: another's name, a broken chain, an update, a delete."""
    run = sop(team, db, "budi", "start", "rkt-ii", "-q").stdout.strip()
    with psycopg.connect(team.dsn(db, "budi"), autocommit=True) as conn:
        (body, digest) = conn.execute("SELECT doc, hash FROM sop.records WHERE run_id = %s", (run,)).fetchone()
        record = json.loads(body)
        forged = {**record, "seq": 2, "prev": digest, "type": "note", "by": "siti", "data": {"step": 1, "text": "x"}}
        from sopcli.records import canonical, record_hash

        forged["hash"] = record_hash(forged)
        fields = {k: v for k, v in forged.items() if k != "hash"}
        values = [run, canonical(fields).decode(), json.dumps(fields, separators=(",", ":")), forged["hash"]]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            conn.execute(
                "INSERT INTO sop.records (run_id, seq, prev, hash, body, doc, actor, login) "
                "VALUES (%s, 2, %s, %s, %s, %s, 'budi', 'budi')",
                (run, digest, forged["hash"], values[1], values[2]),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="own login"):
            conn.execute("SELECT sop.append_record(%s, %s, %s, %s)", values)
        fields.update(by="budi", login="budi", prev="0" * 64)
        values[1:4] = [canonical(fields).decode(), json.dumps(fields, separators=(",", ":")), record_hash(fields)]
        with pytest.raises(psycopg.errors.CheckViolation, match="continue the chain"):
            conn.execute("SELECT sop.append_record(%s, %s, %s, %s)", values)
        for sql in (
            "UPDATE sop.records SET actor = 'x'",
            "DELETE FROM sop.records",
            "TRUNCATE sop.records",
            "UPDATE sop.blobs SET size = 0",
            "DELETE FROM sop.chunks",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
    with psycopg.connect(team.dsn(db, "postgres"), autocommit=True) as admin:  # even a superuser, by trigger
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            admin.execute("DELETE FROM sop.records")


def test_a_record_changed_by_a_superuser_is_named_by_verify(team, db, tmp_path: Path) -> None:
    run = sop(team, db, "ani", "start", "rkt-ii", "-q").stdout.strip()
    assert sop(team, db, "ani", "done", "1").returncode == 0
    assert sop(team, db, "ani", "note", "2", "asli").returncode == 0
    with psycopg.connect(team.dsn(db, "postgres"), autocommit=True) as admin:
        admin.execute("ALTER TABLE sop.records DISABLE TRIGGER USER")
        admin.execute(
            "UPDATE sop.records SET doc = replace(doc, 'asli', 'palsu'), body = replace(body, 'asli', 'palsu') "
            "WHERE run_id = %s AND seq = 3",
            (run,),
        )
        admin.execute("ALTER TABLE sop.records ENABLE TRIGGER USER")
    result = sop(team, db, "ani", "verify")
    assert result.returncode == 1 and run in result.stderr and "record 3" in result.stderr, result.stderr


@pytest.mark.parametrize(
    "text", ["it's; DROP TABLE sop.records; --", "$$ $tag$ \\x00 '\" ; ", "'); DELETE FROM sop.runs;"]
)
def test_quotes_semicolons_and_dollars_are_stored_verbatim(team, db, tmp_path: Path, text: str) -> None:
    name = tmp_path / "a'b;$$c.pdf"
    name.write_text("isi")
    assert sop(team, db, "ani", "start", "rkt-ii", "-q", "--title", text).returncode == 0
    assert sop(team, db, "ani", "note", "1", text).returncode == 0
    assert sop(team, db, "ani", "done", "1", "--attach", str(name)).returncode == 0
    report = json.loads(sop(team, db, "ani", "report", "-f", "json").stdout)
    assert report["run"]["title"] == text and report["steps"][0]["notes"][0]["text"] == text
    assert report["steps"][0]["artifacts"][0]["name"] == "a'b;$$c.pdf"
    assert one_line(sop(team, db, "ani", "note", "1", "x", "--run", "a';--")).count("not a run id") == 1


def test_the_same_story_gives_the_same_report_on_both_stores(team, db, tmp_path: Path) -> None:
    def story(env: dict[str, str]) -> dict:
        def run(*args: str) -> None:
            done = subprocess.run([sys.executable, "-m", "sopcli", *args], env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr

        env = {**env, "SOP_NOW": "2026-11-23T08:00:00+07:00"}
        run("start", "contoh-surat-masuk", "-q", "--assign", "tu=ani")
        for clock, args in (
            ("08:05", ("done", "1")),
            ("08:20", ("done", "2", "--outcome", "ya")),
            ("09:00", ("done", "3")),
        ):
            env["SOP_NOW"] = f"2026-11-23T{clock}:00+07:00"
            run(*args)
        out = subprocess.run(
            [sys.executable, "-m", "sopcli", "report", "-f", "json"], env=env, capture_output=True, text=True
        )
        data = json.loads(out.stdout)
        data["run"].pop("id")
        return data

    tiny = {**os.environ, "SOP_HOME": str(tmp_path / "home"), "SOP_USER": "ani", "SOP_LANG": "en"}
    tiny.pop("SOP_STORE", None)
    assert story(tiny) == story(env_for(team, db, "ani"))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("dbname=nope", "does not exist"),
        ("user=nobody_here", "no such login"),
        ("host=/nonexistent-socket-dir", "cannot reach the team store"),
    ],
)
def test_a_store_that_cannot_be_reached_or_entered_is_one_line(team, db, change: str, words: str) -> None:
    env = env_for(team, db, "ani")
    env["SOP_STORE"] = env["SOP_STORE"] + " " + change
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "sopcli", "status"], env=env, capture_output=True, text=True)
    assert words in one_line(result)
    assert time.monotonic() - started < 10


def test_a_login_without_sop_user_and_a_wrong_password(team, db) -> None:
    team.execute("DO $$ BEGIN CREATE ROLE outsider LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    env = env_for(team, db, "ani")
    env["SOP_STORE"] = team.dsn(db, "outsider")
    result = subprocess.run([sys.executable, "-m", "sopcli", "status"], env=env, capture_output=True, text=True)
    assert "GRANT sop_user" in one_line(result)
    team.execute(
        "DO $$ BEGIN CREATE ROLE sekret LOGIN PASSWORD 'benar'; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    team.execute("GRANT sop_user TO sekret")
    team.cluster.require_password("sekret")
    env["SOP_STORE"] = team.dsn(db, "sekret")
    env["PGPASSWORD"] = "salah"
    result = subprocess.run([sys.executable, "-m", "sopcli", "status"], env=env, capture_output=True, text=True)
    assert "refused the password" in one_line(result) and "salah" not in result.stderr


def test_a_server_that_is_down_fails_within_the_connect_timeout(tmp_path: Path) -> None:
    from tests.pgcluster import Cluster

    with Cluster() as cluster:
        cluster.start()
        url = cluster.dsn("postgres")
        cluster.stop()
        env = {**os.environ, "SOP_STORE": url, "SOP_CONNECT_TIMEOUT": "2", "SOP_LANG": "en"}
        env.pop("SOP_USER", None)
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "sopcli", "runs"], env=env, capture_output=True, text=True)
        assert "cannot reach the team store" in one_line(result)
        assert time.monotonic() - started < 8


def test_a_newer_schema_is_refused_and_init_is_idempotent(team, db) -> None:
    assert "already at version" in sop(team, db, "postgres", "store", "init").stdout
    with psycopg.connect(team.dsn(db, "postgres"), autocommit=True) as admin:
        admin.execute("UPDATE sop.meta SET value = '99' WHERE key = 'schema_version'")
    assert "newer than this sop understands" in one_line(sop(team, db, "ani", "runs"))
    assert "newer than this sop understands" in one_line(sop(team, db, "postgres", "store", "init"))


def test_migrate_to_and_from_a_team_store(team, db, tmp_path: Path) -> None:
    home = tmp_path / "home"
    local = {**os.environ, "SOP_HOME": str(home), "SOP_USER": "ani", "SOP_NOW": MONDAY, "SOP_LANG": "en"}
    local.pop("SOP_STORE", None)
    evidence = tmp_path / "bukti.pdf"
    evidence.write_bytes(os.urandom(3 * 1024 * 1024 + 7))  # several chunks

    def here(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sopcli", *args], env=local, capture_output=True, text=True)

    first = here("start", "rkt-ii", "-q").stdout.strip()
    here("done", "1", "--attach", str(evidence), "--as", "budi")
    here("start", "contoh-surat-masuk", "-q")
    url = team.dsn(db, "ani")
    out = here("store", "migrate", "--to", url)
    assert out.returncode == 0 and "2 run(s) copied" in out.stdout, out.stderr
    again = here("store", "migrate", "--to", url)
    assert "0 run(s) copied, 2 already there and identical" in again.stdout
    team_log = json.loads(sop(team, db, "ani", "log", "--run", first, "-f", "json").stdout)
    assert [r["hash"] for r in team_log] == [
        r["hash"] for r in json.loads(here("log", "--run", first, "-f", "json").stdout)
    ]
    assert team_log[1]["by"] == "budi"
    assert "intact" in sop(team, db, "ani", "verify", "--run", first).stdout
    here("note", "1", "only here", "--run", first)
    refused = here("store", "migrate", "--to", url)
    assert refused.returncode == 1 and first in refused.stderr and "differs" in refused.stderr
    back = {**local, "SOP_HOME": str(tmp_path / "other")}
    out = subprocess.run(
        [sys.executable, "-m", "sopcli", "store", "migrate", "--from", url], env=back, capture_output=True, text=True
    )
    assert out.returncode == 0 and "2 run(s) copied" in out.stdout, out.stderr
    verify = subprocess.run(
        [sys.executable, "-m", "sopcli", "verify", "--all"], env=back, capture_output=True, text=True
    )
    assert verify.returncode == 0, verify.stderr


WRITER = textwrap.dedent(
    """
    import sys, time
    from sopcli.env import Environment
    from sopcli.errors import SopError
    from sopcli.runs import Runs
    run, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    pause = float(sys.argv[4]) if len(sys.argv) > 4 else 0
    runs = Runs(Environment.from_os())
    for i in range(count):
        time.sleep(pause)
        try:
            runs.note(run, 1, f"{tag}-{i}")
        except SopError as err:  # what the command would print as its one line, exit 1
            if "\\n" in str(err):
                print("BAD", err, flush=True)
            continue
        print(f"{tag}-{i}", flush=True)
    """
)


def test_sixteen_writers_lose_and_duplicate_nothing(team, db) -> None:
    runs = [sop(team, db, "ani", "start", "rkt-ii", "-q").stdout.strip() for _ in range(8)]
    env = env_for(team, db, "ani")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, runs[0] if i < 8 else runs[i % 8], f"w{i}", "25"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(16)
    ]
    confirmed = []
    for proc in procs:
        out, _err = proc.communicate(timeout=300)
        assert "BAD" not in out
        confirmed += out.split()
    texts = []
    for run in runs:
        log = json.loads(sop(team, db, "ani", "log", "--run", run, "-f", "json").stdout)
        texts += [r["data"]["text"] for r in log if r["type"] == "note"]
        assert sop(team, db, "ani", "verify", "--run", run).returncode == 0
    assert sorted(texts) == sorted(confirmed) and len(texts) == len(set(texts)) == 16 * 25


def test_a_killed_server_loses_nothing_that_was_confirmed(tmp_path: Path) -> None:
    """The postmaster is killed (-9) in the middle of a burst and restarted: every command either
    exited 0 and is recorded whole, or exited 1 with one line; verify passes after."""
    from sopcli.env import Environment
    from sopcli.store.postgres import PostgresStore
    from tests.pgcluster import Cluster

    with Cluster(settings={"synchronous_commit": "on"}) as cluster:
        cluster.start()
        cluster.psql("CREATE DATABASE burst ENCODING 'UTF8'")
        url = cluster.dsn("burst")
        store = PostgresStore(Environment(home=tmp_path, user="", cwd=tmp_path, store_url=url))
        store.init()
        store.close()
        env = {**os.environ, "SOP_STORE": url, "SOP_NOW": MONDAY, "SOP_LANG": "en", "SOP_CONNECT_TIMEOUT": "2"}
        env.pop("SOP_USER", None)
        run = subprocess.run(
            [sys.executable, "-m", "sopcli", "start", "rkt-ii", "-q"], env=env, capture_output=True, text=True
        ).stdout.strip()
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, run, "k", "150", "0.02"], env=env, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        before = [proc.stdout.readline().strip() for _ in range(40)]  # the burst is under way
        cluster.kill_postmaster()
        time.sleep(0.3)
        cluster.start()
        out, _err = proc.communicate(timeout=300)
        out = "\n".join(before) + "\n" + out
        assert "BAD" not in out
        confirmed = out.split()
        assert "k-0" in confirmed and "k-149" in confirmed and len(confirmed) < 150  # before, after, lost ones
        log = subprocess.run(
            [sys.executable, "-m", "sopcli", "log", "--run", run, "-f", "json"], env=env, capture_output=True, text=True
        )
        assert log.returncode == 0, log.stderr
        texts = [r["data"]["text"] for r in json.loads(log.stdout) if r["type"] == "note"]
        assert set(confirmed) <= set(texts) and len(texts) == len(set(texts))
        verify = subprocess.run([sys.executable, "-m", "sopcli", "verify", "--run", run], env=env, capture_output=True)
        assert verify.returncode == 0


MEMORY = textwrap.dedent(
    """
    import resource, sys
    from sopcli.cli import main
    sys.argv = ["sop", *sys.argv[1:]]
    try:
        main()
    except SystemExit as done:
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
        raise
    """
)


def test_evidence_goes_in_chunks_and_memory_stays_flat(team, db, tmp_path: Path) -> None:
    small, large = tmp_path / "small.bin", tmp_path / "large.bin"
    small.write_bytes(os.urandom(1024 * 1024))
    with large.open("wb") as handle:
        for _ in range(96):
            handle.write(os.urandom(1024 * 1024))
    env = env_for(team, db, "ani")
    subprocess.run([sys.executable, "-m", "sopcli", "start", "rkt-ii", "-q"], env=env, check=True, capture_output=True)

    def peak(*args: str) -> int:
        done = subprocess.run([sys.executable, "-c", MEMORY, *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return int(done.stderr.strip().splitlines()[-1])

    small_kb = peak("attach", "1", str(small))
    large_kb = peak("attach", "1", str(large))
    assert large_kb - small_kb < 30 * 1024, (small_kb, large_kb)
    assert peak("verify") - small_kb < 30 * 1024
    peak("attach", "1", str(large))  # the same content again: stored once
    with psycopg.connect(team.dsn(db, "postgres")) as admin:
        assert admin.execute("SELECT count(*) FROM sop.blobs").fetchone()[0] == 2
