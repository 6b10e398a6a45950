"""Every test runs against its own SOP_HOME, a fixed clock, a pinned terminal and no colour."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sopcli import cli

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "sops" / "ot01-02-015-097.yaml"
MONDAY = "2026-11-23T08:00:00+07:00"  # a working Monday in Jakarta


@dataclass
class Result:
    code: int
    out: str
    err: str


pytest_plugins = ["tests.pg_fixtures", "tests.teamstore"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Stories marked `both_stores` run on TinyDB and on a real PostgreSQL; the rest on TinyDB."""
    if "store_kind" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_stores")
        only = metafunc.definition.get_closest_marker("tinydb_only")
        metafunc.parametrize("store_kind", ["tinydb", "postgresql"] if both and not only else ["tinydb"])


class Sop:
    """Drives `sop` in-process, as a user at a terminal would, with the clock under the test's control.

    On the team store, the person acting is the database login: `--as NAME` (or SOP_USER) in a story
    becomes a connection as the login NAME, so one story tells what each person does on either store."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, team: object | None = None) -> None:
        self.monkeypatch = monkeypatch
        self.runner = CliRunner()
        self.team = team
        self.database = team.database() if team else None  # type: ignore[attr-defined]
        self.person: str | None = None

    def _as_login(self, args: list[str]) -> list[str]:
        """On the team store: `--as NAME` and SOP_USER become the login NAME (created if needed)."""
        if self.team is None:
            return args
        user = os.environ.get("SOP_USER") or "ani"
        if "--as" in args:
            at = args.index("--as")
            user = args[at + 1]
            args = args[:at] + args[at + 2 :]
        self.team.login(user)  # type: ignore[attr-defined]
        if self.person and user != self.person:
            self.team.hand_current(self.database, self.person, user)  # type: ignore[attr-defined]
        self.person = user
        self.monkeypatch.setenv("SOP_STORE", self.team.dsn(self.database, user))  # type: ignore[attr-defined]
        return args

    def close(self) -> None:
        if self.team is not None:
            self.team.drop(self.database)  # type: ignore[attr-defined]

    def at(self, moment: str) -> None:
        """Moves the clock: ISO 8601, or 'YYYY-MM-DD HH:MM' in Jakarta."""
        if "T" not in moment:
            moment = moment.replace(" ", "T") + ":00+07:00"
        self.monkeypatch.setenv("SOP_NOW", moment)

    def __call__(self, *args: str, ok: bool | None = True) -> Result:
        argv = self._as_login([str(a) for a in args])
        person = os.environ.pop("SOP_USER", None) if self.team is not None else None
        with self.runner.isolation() as (out, err, _mixed):
            try:
                code = cli.run(argv)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            sys.stdout.flush()
            sys.stderr.flush()
            outcome = Result(code, out.getvalue().decode(), err.getvalue().decode())
        if person is not None:
            os.environ["SOP_USER"] = person
        if ok is True:
            assert outcome.code == 0, f"sop {' '.join(args)} failed: {outcome.err}{outcome.out}"
        elif ok is False:
            assert outcome.code != 0, f"sop {' '.join(args)} should have failed: {outcome.out}"
        return outcome

    def fail(self, *args: str) -> str:
        """Runs a command that must be refused: exit 1, one line on stderr, no traceback."""
        outcome = self(*args, ok=False)
        assert outcome.code == 1, outcome
        lines = outcome.err.strip().splitlines()
        assert len(lines) == 1, outcome.err
        assert "Traceback" not in outcome.err
        return lines[0]


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    store = tmp_path / "home"
    monkeypatch.setenv("SOP_HOME", str(store))
    monkeypatch.setenv("SOP_USER", "ani")
    monkeypatch.setenv("SOP_NOW", MONDAY)
    monkeypatch.setenv("SOP_DEBUG", "1")  # a bug in a test shows its traceback
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("SOP_PATH", raising=False)
    monkeypatch.delenv("SOP_STORE", raising=False)
    for name in ("SOP_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANGUAGE", "id")  # restored after each test: `sop` sets it for the framework
    monkeypatch.chdir(tmp_path)
    return store


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch):
    """Core messages in English (their catalogue ids), for tests that read them."""
    from sopcli.i18n import set_language

    monkeypatch.setenv("SOP_LANG", "en")
    set_language("en")
    yield
    set_language("id")


@pytest.fixture
def sop(monkeypatch: pytest.MonkeyPatch, store_kind: str, request: pytest.FixtureRequest):
    driver = Sop(monkeypatch, request.getfixturevalue("team") if store_kind == "postgresql" else None)
    yield driver
    driver.close()


@pytest.fixture
def files(tmp_path: Path):
    """Makes small evidence files: files('telaah.docx') -> Path."""

    def make(name: str, content: str | None = None) -> Path:
        path = tmp_path / "docs" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(content if content is not None else f"isi {name}\n")
        return path

    return make


def run_sop(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`sop` in a real process (for crashes, concurrency, and start-up)."""
    return subprocess.run(
        [sys.executable, "-m", "sopcli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
