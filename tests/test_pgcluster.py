"""The throwaway PostgreSQL cluster: reachable only through its socket, quick to clone, never left running."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.needs import missing
from tests.pgcluster import Cluster, ClusterError, find_bindir

pytest_plugins = ["tests.pg_fixtures"]  # the session's pg_cluster fixture

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def bindir() -> Path:
    found = find_bindir()
    if found is None:
        missing("no PostgreSQL server found (initdb); on Debian: apt-get install postgresql", variable="SOP_REQUIRE_PG")
    return found


@pytest.fixture
def no_saved_passwords(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie may wait a while for init to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == str(pid):
            found.add(int(stat.parent.name))
    return found


def wait_until_gone(pids: set[int], timeout: float = 10) -> set[int]:
    deadline = time.monotonic() + timeout
    while (alive := {pid for pid in pids if running(pid)}) and time.monotonic() < deadline:
        time.sleep(0.02)
    return alive


def test_the_server_listens_only_on_its_own_socket_and_skips_durability(pg_cluster: Cluster) -> None:
    names = ["listen_addresses", "unix_socket_directories", "fsync", "synchronous_commit", "full_page_writes"]
    with psycopg.connect(pg_cluster.dsn()) as conn:
        settings = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in names}  # type: ignore[index]
        assert conn.execute("SELECT inet_server_addr(), current_user").fetchone() == (None, "postgres")
    assert settings == {
        "listen_addresses": "",
        "unix_socket_directories": str(pg_cluster.socket_dir),
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
    }


def test_the_server_runs_as_postgres_when_the_tests_run_as_root(pg_cluster: Cluster) -> None:
    assert pg_cluster.pid is not None
    status = Path(f"/proc/{pg_cluster.pid}/status").read_text().splitlines()
    uid = int(next(line for line in status if line.startswith("Uid:")).split()[1])
    assert uid == (pwd.getpwnam("postgres").pw_uid if os.geteuid() == 0 else os.geteuid())


def test_a_database_cloned_from_a_template_has_its_schema_and_rows(pg_cluster: Cluster) -> None:
    pg_cluster.create_database("tpl_runs")
    pg_cluster.psql(
        "CREATE TABLE records (run text, seq int, PRIMARY KEY (run, seq)); INSERT INTO records VALUES ('r1', 1);",
        dbname="tpl_runs",
    )
    timings = []
    for n in range(3):
        began = time.perf_counter()
        pg_cluster.create_database(f"clone_{n}", template="tpl_runs")
        timings.append(time.perf_counter() - began)
    with psycopg.connect(pg_cluster.dsn("clone_2")) as conn:
        assert conn.execute("SELECT run, seq FROM records").fetchall() == [("r1", 1)]
        conn.execute("INSERT INTO records VALUES ('r1', 2)")
    assert pg_cluster.psql("SELECT count(*) FROM records", dbname="tpl_runs") == "1"
    # Measured at about 0.04 s; the bound only catches a slip by an order of magnitude.
    assert sorted(timings)[1] < 1.0, timings


@pytest.mark.usefixtures("no_saved_passwords")
def test_one_role_can_be_made_to_log_in_with_its_password(pg_cluster: Cluster) -> None:
    pg_cluster.create_login("pw_rina", password="rahasia 'ku'")
    pg_cluster.create_login("pw_budi")
    pg_cluster.require_password("pw_rina")
    with pytest.raises(psycopg.OperationalError, match="no password supplied"):
        psycopg.connect(pg_cluster.dsn(user="pw_rina"))
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(pg_cluster.dsn(user="pw_rina", password="salah"))
    with psycopg.connect(pg_cluster.dsn(user="pw_rina", password="rahasia 'ku'")) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("pw_rina",)
    with psycopg.connect(pg_cluster.dsn(user="pw_budi")) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("pw_budi",)


def test_a_killed_postmaster_restarts_on_its_data_and_close_leaves_nothing_running(bindir: Path) -> None:
    # synchronous_commit on: a commit must survive the kill (with it off, the last ~200 ms of commits may not).
    with Cluster(bindir, settings={"synchronous_commit": "on"}) as cluster:
        conn = psycopg.connect(cluster.dsn(), autocommit=True)
        conn.execute("CREATE TABLE kept (n int)")
        conn.execute("INSERT INTO kept VALUES (7)")
        backend = conn.info.backend_pid
        cluster.kill_postmaster()
        assert cluster.pid is None
        assert wait_until_gone({backend}) == set()
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
        conn.close()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(cluster.dsn(), connect_timeout=2)

        cluster.restart()
        assert cluster.psql("SELECT n FROM kept") == "7"
        conn = psycopg.connect(cluster.dsn(), autocommit=True)
        assert cluster.pid is not None
        processes = {cluster.pid, *children(cluster.pid)}
        assert conn.info.backend_pid in processes
        folder = cluster.folder
    conn.close()
    assert wait_until_gone(processes, timeout=0) == set()
    assert not folder.exists()


def test_a_start_that_fails_raises_with_the_server_log_and_leaves_no_folder(bindir: Path) -> None:
    cluster = Cluster(bindir, settings={"shared_buffers": "plenty"})
    with pytest.raises(ClusterError, match="exited with code 1 while starting:(.|\n)*shared_buffers"):
        cluster.start()
    assert cluster.pid is None and cluster.root is None


class NeverReady(Cluster):
    """A cluster whose start times out, remembering the processes and folder it had."""

    def __init__(self, bindir: Path, *, start_timeout: float) -> None:
        super().__init__(bindir, start_timeout=start_timeout)
        self.seen: set[int] = set()
        self.folders: set[Path] = set()

    def _ready(self) -> bool:
        if self.pid is not None and super()._ready():
            self.seen.update({self.pid, *children(self.pid)})
            self.folders.add(self.folder)
        return False


def test_a_start_that_times_out_stops_the_postmaster_it_launched(bindir: Path) -> None:
    cluster = NeverReady(bindir, start_timeout=1)
    with pytest.raises(ClusterError, match="not ready within 1 s"):
        cluster.start()
    assert cluster.seen and cluster.folders  # it did get as far as a running server
    assert wait_until_gone(cluster.seen, timeout=0) == set()
    assert not any(folder.exists() for folder in cluster.folders)


STARTER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from tests.pgcluster import Cluster
cluster = Cluster()
cluster.start()
print(cluster.pid, cluster.folder, flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "sigkill"])
def test_the_postmaster_does_not_outlive_the_test_process(bindir: Path, sig: signal.Signals) -> None:
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(ROOT)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert starter.stdout is not None
    pid, folder = starter.stdout.readline().split()
    starter.send_signal(sig)
    starter.wait(timeout=30)
    assert wait_until_gone({int(pid)}) == set()
    if sig == signal.SIGINT:
        assert not Path(folder).exists()  # atexit closed it
    shutil.rmtree(folder, ignore_errors=True)
