"""A throwaway PostgreSQL cluster for tests: its own temporary folder, a unix socket only, gone when the tests end.

The server runs as the `postgres` OS user when the tests run as root (PostgreSQL refuses root), else as the
current user. It listens on no TCP port (`listen_addresses = ''`), only on a socket in its own folder, with
fsync, synchronous commit and full-page writes off: speed over durability, which a throwaway cluster affords.
Local logins are trusted; `require_password(role)` makes one role log in with scram-sha-256.

Nothing outlives the test process: `close()` runs from the context manager, from `atexit`, and on a failed
start (which raises with the tail of the server log); the postmaster also gets SIGQUIT (immediate shutdown)
if the process that started it dies, even by SIGKILL, and Ctrl-C reaches it as SIGINT (fast shutdown).

With synchronous_commit off, a commit returns before its WAL is written, so `kill_postmaster()` may lose the
last ~200 ms of commits. A fault test that checks that committed work survives a crash passes
`settings={"synchronous_commit": "on"}` (fsync off is harmless there: the kernel keeps what was written).

The cluster lives in /dev/shm when that has 1 GiB free, else in TMPDIR. Measured on the development machine
(2 cores, Debian 12, PostgreSQL 15.18, medians of 5 clusters): initdb 0.71 s (0.9-1.0 s on disk); start until it
accepts connections 0.035 s; fast stop 0.11 s; `create_database(x, template=t)` with t holding 12 tables and
their indexes 0.04 s, psql's own start included (on disk 0.04 s, but up to 0.25 s while the kernel is still
writing back initdb's files). A fresh database per test, cloned from a template with the schema, is cheap.
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

SUPERUSER = "postgres"
OWNER = "postgres"  # the OS user the server runs as when we are root
PSQL_OPTIONS = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]  # no psqlrc, quiet, bare rows, stop at an error
SOCKET_PATH_MAX = 107  # sun_path is 108 bytes on Linux, one for the terminating NUL


class ClusterError(RuntimeError):
    """The cluster could not be created, started or asked something; the message carries the server's words."""


def find_bindir(environ: Mapping[str, str] | None = None) -> Path | None:
    """The newest of Debian's versioned PostgreSQL bin folders, else the folder of `initdb` on PATH."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: _version(p.parent.parent.name))
    if versions:
        return versions[-1].parent
    path = (os.environ if environ is None else environ).get("PATH")
    found = shutil.which("initdb", path=path)
    return Path(found).parent if found else None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name))


class Cluster:
    """One PostgreSQL cluster in a temporary folder: created on the first `start()`, removed by `close()`."""

    def __init__(
        self,
        bindir: Path | None = None,
        *,
        port: int = 5432,
        start_timeout: float = 30,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        found = bindir or find_bindir()
        if found is None:
            raise ClusterError("no PostgreSQL server found (initdb); on Debian: apt-get install postgresql")
        self.bindir = found
        self.port = port  # only names the socket file: the folder is ours, so no port can clash
        self.start_timeout = start_timeout
        self.settings = dict(settings or {})  # postgresql.conf lines, over ours
        self.root: Path | None = None  # holds data/, the socket and server.log
        self._postmaster: subprocess.Popen[bytes] | None = None

    # --- where things are -------------------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        if self.root is None:
            raise ClusterError("the cluster is not there: not started yet, or closed")
        return self.root

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def socket_dir(self) -> Path:
        return self.folder

    @property
    def log_path(self) -> Path:
        return self.folder / "server.log"

    @property
    def hba_path(self) -> Path:
        """pg_hba.conf: edit it, then call `reload()`."""
        return self.data / "pg_hba.conf"

    @property
    def pid(self) -> int | None:
        """The postmaster's process id while it runs."""
        if self._postmaster is None or self._postmaster.poll() is not None:
            return None
        return self._postmaster.pid

    def dsn(self, dbname: str = "postgres", user: str = SUPERUSER, password: str | None = None) -> str:
        """A libpq connection string to this cluster's socket."""
        parts = {"host": str(self.socket_dir), "port": str(self.port), "dbname": dbname, "user": user}
        if password is not None:
            parts["password"] = password
        return " ".join(f"{key}={_libpq_value(value)}" for key, value in parts.items())

    # --- life cycle ---------------------------------------------------------------------------------------

    def start(self) -> None:
        """Creates the cluster on first use, starts the postmaster, and returns once it accepts connections."""
        if self.pid is not None:
            return
        atexit.register(self.close)
        try:
            if self.root is None:
                self._create()
            self._launch()
        except BaseException:
            self.close()  # a failed start leaves nothing running and no folder behind
            raise

    def stop(self) -> None:
        """Shuts the server down (fast: clients are disconnected) and keeps its data for a later `start()`."""
        proc = self._postmaster
        self._postmaster = None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._postmaster = proc
            self.kill_postmaster()

    def restart(self) -> None:
        """Stops the server if it runs (after `kill_postmaster()` it does not) and starts it again on the same data."""
        self.stop()
        self.start()

    def kill_postmaster(self) -> None:
        """SIGKILLs the postmaster, as a crash would, and waits until its orphaned backends have let go of it."""
        proc = self._postmaster
        if proc is None or proc.poll() is not None:
            raise ClusterError("the postmaster is not running")
        segment = self._shared_memory_id()
        proc.kill()
        proc.wait()
        self._postmaster = None
        # A new postmaster refuses to start while any old backend is still attached to the old segment.
        deadline = time.monotonic() + 15
        while segment is not None and _attachments(segment) > 0:
            if time.monotonic() > deadline:
                raise ClusterError(f"backends of the killed postmaster still hold shared memory segment {segment}")
            time.sleep(0.01)

    def close(self) -> None:
        """Stops the server and removes the cluster's folder; safe to call more than once."""
        atexit.unregister(self.close)
        try:
            self.stop()
        finally:
            if self.root is not None:
                shutil.rmtree(self.root, ignore_errors=True)
                self.root = None

    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # --- asking it things ------------------------------------------------------------------------------

    def psql(self, sql: str, *, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        """Runs SQL through `psql` (each statement in its own transaction) and returns its rows as `a|b` lines."""
        argv = [str(self.bindir / "psql"), *PSQL_OPTIONS, "-d", self.dsn(dbname, user)]
        done = subprocess.run(argv, input=sql, capture_output=True, text=True, env=_clean_env(), timeout=60)
        if done.returncode != 0:
            raise ClusterError(f"psql failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout.rstrip("\n")

    def create_database(self, name: str, template: str | None = None) -> None:
        """A new database, copied from `template` if given (which must have no open connections)."""
        source = f" TEMPLATE {quote_ident(template)}" if template else ""
        self.psql(f"CREATE DATABASE {quote_ident(name)}{source};")

    def create_login(self, name: str, password: str | None = None) -> None:
        """A role that can log in; with a password it can also pass scram-sha-256 (see `require_password`)."""
        secret = f" PASSWORD {quote_literal(password)}" if password is not None else ""
        self.psql(f"CREATE ROLE {quote_ident(name)} LOGIN{secret};")

    def require_password(self, role: str) -> None:
        """From now on `role` logs in only with its password (scram-sha-256); every other role is still trusted."""
        rules = self.hba_path.read_text()
        self.hba_path.write_text(f"local all {quote_ident(role)} scram-sha-256\n{rules}")
        self.reload()

    def reload(self) -> None:
        """Makes the server reread its configuration and pg_hba.conf, and returns once new sessions see it."""
        before = self.psql("SELECT pg_conf_load_time()")
        self.psql("SELECT pg_reload_conf()")
        deadline = time.monotonic() + 10
        while self.psql("SELECT pg_conf_load_time()") == before:
            if time.monotonic() > deadline:
                raise ClusterError("the server did not reload its configuration within 10 s")
            time.sleep(0.01)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except (OSError, ClusterError):
            return "(no server log)"

    # --- inside ------------------------------------------------------------------------------------------

    def _create(self) -> None:
        root = Path(tempfile.mkdtemp(prefix="sop-pg-", dir=_memory_folder()))
        self.root = root
        socket = root / f".s.PGSQL.{self.port}"
        if len(str(socket)) > SOCKET_PATH_MAX:
            raise ClusterError(f"socket path {socket} is too long for a unix socket; set TMPDIR to a shorter folder")
        if os.geteuid() == 0:
            owner = _owner()
            os.chown(root, owner.pw_uid, owner.pw_gid)
        initdb = [str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust"]
        initdb += ["--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C.UTF-8"]
        done = subprocess.run(_as_owner(initdb), cwd=root, capture_output=True, text=True, env=_clean_env())
        if done.returncode != 0:
            raise ClusterError(f"initdb failed ({done.returncode}): {(done.stderr or done.stdout).strip()}")
        settings = {
            "listen_addresses": "",
            "unix_socket_directories": str(root),
            "port": str(self.port),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            **self.settings,
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n# sopcli tests\n")
            conf.writelines(f"{key} = {quote_literal(value)}\n" for key, value in settings.items())

    def _launch(self) -> None:
        argv = _as_owner([str(self.bindir / "postgres"), "-D", str(self.data)], pdeathsig=True)
        with self.log_path.open("ab") as log:
            self._postmaster = subprocess.Popen(
                argv, cwd=self.folder, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=_clean_env()
            )
        deadline = time.monotonic() + self.start_timeout
        while not self._ready():
            code = self._postmaster.poll()
            if code is not None:
                raise ClusterError(f"the postmaster exited with code {code} while starting:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise ClusterError(f"the postmaster was not ready within {self.start_timeout} s:\n{self.log_tail()}")
            time.sleep(0.01)

    def _lock_file(self) -> list[str]:
        try:
            return (self.data / "postmaster.pid").read_text().splitlines()
        except OSError:
            return []

    def _ready(self) -> bool:
        # postmaster.pid: line 1 the pid, line 7 the shared memory key and id, line 8 the status.
        lines = self._lock_file()
        ours = self._postmaster is not None and lines[:1] == [str(self._postmaster.pid)]
        return ours and len(lines) >= 8 and lines[7].strip() == "ready"

    def _shared_memory_id(self) -> int | None:
        lines = self._lock_file()
        fields = lines[6].split() if len(lines) >= 7 else []
        return int(fields[1]) if len(fields) == 2 else None


def _memory_folder() -> str | None:
    """/dev/shm when it has room (a container's may have 64 MiB): no disk writeback to wait behind."""
    try:
        room = os.statvfs("/dev/shm")
    except OSError:
        return None
    enough = room.f_bavail * room.f_frsize >= 1 << 30 and os.access("/dev/shm", os.W_OK)
    return "/dev/shm" if enough else None


def _owner() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(OWNER)
    except KeyError:
        raise ClusterError(f"PostgreSQL refuses to run as root and there is no '{OWNER}' OS user") from None


def _as_owner(argv: list[str], *, pdeathsig: bool = False) -> list[str]:
    """The command run as the server's owner, and (for the postmaster) told to quit when its parent dies."""
    options = []
    if os.geteuid() == 0:
        owner = _owner()
        options += [f"--reuid={owner.pw_uid}", f"--regid={owner.pw_gid}", "--clear-groups"]
    if pdeathsig:
        options.append("--pdeathsig=SIGQUIT")  # setpriv execs, so the postmaster itself gets it
    if not options:
        return argv
    if shutil.which("setpriv") is None:
        if os.geteuid() == 0:
            raise ClusterError("tests that run as root need setpriv (Debian package util-linux) to start PostgreSQL")
        return argv  # no death signal then; close() from atexit and the context manager still stops it
    return ["setpriv", *options, *argv]


def _clean_env() -> dict[str, str]:
    # PGHOST, PGPASSWORD, PGOPTIONS and friends of the caller's own database must not leak in.
    return {key: value for key, value in os.environ.items() if not key.startswith("PG")}


def _attachments(segment: int) -> int:
    """How many processes are attached to a System V shared memory segment (0 once it is gone)."""
    with open("/proc/sysvipc/shm") as table:
        header = table.readline().split()
        for line in table:
            row = dict(zip(header, line.split(), strict=False))
            if row.get("shmid") == str(segment):
                return int(row["nattch"])
    return 0


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _libpq_value(value: str) -> str:
    if value and re.fullmatch(r"[\w./@:+-]+", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
