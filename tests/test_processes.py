"""Real processes: many writers at once, writers killed mid-write, a lock held too long."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import MONDAY, run_sop
from .needs import thorough

WRITER = """
import sys
from sopcli.env import Environment
from sopcli.runs import Runs
runs = Runs(Environment.from_os())
tag, count = sys.argv[1], int(sys.argv[2])
targets = sys.argv[3:]
print("ready", flush=True)
for i in range(count):
    runs.note(targets[i % len(targets)], 1, f"{tag}-{i}")
    print(i, flush=True)
"""


def env_for(home: Path) -> dict[str, str]:
    return {"SOP_HOME": str(home), "SOP_USER": "ani", "SOP_NOW": MONDAY}


def start_runs(home: Path, n: int) -> list[str]:
    return [run_sop("start", "rkt-ii", "-q", env=env_for(home)).stdout.strip() for _ in range(n)]


def notes(home: Path, run: str) -> list[dict]:
    out = run_sop("log", "--run", run, "--format", "json", env=env_for(home))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def writer(home: Path, tag: str, count: int, runs: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, tag, str(count), *runs],
        env={**os.environ, **env_for(home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_parallel_writers_lose_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    runs = start_runs(home, 2)
    procs = [writer(home, f"p{i}", 15, runs if i % 2 else [runs[0]]) for i in range(6)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    texts: list[str] = []
    for run in runs:
        records = notes(home, run)
        assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
        texts += [r["data"]["text"] for r in records if r["type"] == "note"]
        assert run_sop("verify", "--run", run, env=env_for(home)).returncode == 0
    assert sorted(texts) == sorted(f"p{i}-{k}" for i in range(6) for k in range(15))


def test_a_writer_killed_at_random_moments_never_breaks_the_store(tmp_path: Path) -> None:
    """SIGKILLs (40; 200 with SOP_THOROUGH=1), each at a random instant of many writes (in the lock, in fsync)."""
    home = tmp_path / "home"
    (run,) = start_runs(home, 1)
    rng = random.Random(7)
    confirmed = 0
    kills = thorough(40, 200)
    for attempt in range(kills):
        proc = writer(home, f"k{attempt}", 1000, [run])
        assert proc.stdout and proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0, 0.03))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        confirmed += len(out.split())
    records = notes(home, run)
    assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
    assert confirmed <= len(records) - 1 <= confirmed + kills  # confirmed writes all there, at most one more each
    assert all(isinstance(r["data"]["text"], str) for r in records[1:])
    assert run_sop("verify", "--run", run, env=env_for(home)).returncode == 0
    assert run_sop("note", "1", "after the storm", env=env_for(home)).returncode == 0


HOLDER = """
import sys, time
from pathlib import Path
from sopcli.store.tinydb import TinyStore
with TinyStore(Path(sys.argv[1])).lock("holder test"):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("kill", [False, True])
def test_a_held_lock_gives_a_clear_error_and_a_dead_holder_none(tmp_path: Path, kill: bool) -> None:
    home = tmp_path / "home"
    start_runs(home, 1)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(home)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout and holder.stdout.readline().strip() == "held"
        if kill:
            holder.send_signal(signal.SIGKILL)
            holder.wait()
        result = run_sop("note", "1", "x", env={**env_for(home), "SOP_LOCK_TIMEOUT": "0.5"})
    finally:
        holder.kill()
        holder.wait()
    if kill:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 1
        assert "lock" in result.stderr and str(home / "lock") in result.stderr and "holder test" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["lock", "lock.holder"])
@pytest.mark.parametrize("kind", ["fifo", "folder", "link"])
def test_a_lock_file_that_is_not_a_file_is_damage_and_never_hangs(tmp_path: Path, name: str, kind: str) -> None:
    home = tmp_path / "home"
    (run,) = start_runs(home, 1)
    path = home / name
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        (tmp_path / "elsewhere").write_text("keep")
        path.symlink_to(tmp_path / "elsewhere")
    for args in (["note", "1", "x"], ["use", run]):
        result = run_sop(*args, env={**env_for(home), "SOP_LANG": "en"}, timeout=20)
        assert result.returncode == 1 and "not a regular file" in result.stderr, (args, result.stderr)
    assert len(notes(home, run)) == 1
    if kind == "link":
        assert (tmp_path / "elsewhere").read_text() == "keep"
