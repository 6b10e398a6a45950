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


class Sop:
    """Drives `sop` in-process, as a user at a terminal would, with the clock under the test's control."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.runner = CliRunner()

    def at(self, moment: str) -> None:
        """Moves the clock: ISO 8601, or 'YYYY-MM-DD HH:MM' in Jakarta."""
        if "T" not in moment:
            moment = moment.replace(" ", "T") + ":00+07:00"
        self.monkeypatch.setenv("SOP_NOW", moment)

    def __call__(self, *args: str, ok: bool | None = True) -> Result:
        with self.runner.isolation() as (out, err, _mixed):
            try:
                code = cli.run([str(a) for a in args])
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            sys.stdout.flush()
            sys.stderr.flush()
            outcome = Result(code, out.getvalue().decode(), err.getvalue().decode())
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
def sop(monkeypatch: pytest.MonkeyPatch) -> Sop:
    return Sop(monkeypatch)


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
