"""Hostile inputs end in one clear line and exit 1, or in a correct result: escape sequences in every
text that reaches a terminal, bytes that are not UTF-8, impossible dates and times, pipes where files
belong, and files large enough to hold a lock for long."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from .conftest import MONDAY, SEED, run_sop
from .test_loader import ENGLISH

pytestmark = pytest.mark.usefixtures("english")

ESC = "\x1b[31mMERAH\x1b[0m\x07\u202ebalik\x9b2J"
BAD = ("\x1b", "\x07", "\u202e", "\x9b")


def clean(text: str) -> bool:
    return not any(c in text for c in BAD)


def hostile_sop(tmp_path: Path) -> None:
    """An SOP whose every text carries an escape sequence, a bell and a direction override (written as
    YAML double-quoted escapes, the only way a control character gets into an SOP file)."""
    quoted = r"\e[31mMERAH\e[0m\a\u202ebalik\x9b2J"
    text = SEED.read_text().replace("id: rkt-ii", "id: jahat")
    for key, value in (
        ("nama", "Kabag Perencanaan"),
        ("judul", "Penyiapan Bahan Penyusunan Rencana Kinerja Tahunan II"),
        ("kelengkapan", "Arahan Karo PO"),
        ("output", "Disposisi/arahan Kabag"),
    ):
        text = text.replace(f"{key}: {value}", f'{key}: "{value}{quoted}"', 1)
    text = text.replace("      perbaiki: 4", f'      "perbaiki{quoted}": 4', 1)  # an outcome's name is a key
    (tmp_path / "sops").mkdir(exist_ok=True)
    (tmp_path / "sops" / "jahat.yaml").write_text(text)


def test_no_escape_reaches_the_terminal_from_any_text(sop, tmp_path: Path, files, monkeypatch) -> None:
    """Title, person names (--as, --assign), notes, cancel reasons, file names and the SOP's own text,
    through every renderer: table, status, runs, log, list, show, md and csv."""
    hostile_sop(tmp_path)
    assert not clean(json.loads(sop("show", "jahat", "-f", "json").out)["actors"][0]["name"])
    sop("start", "jahat", "--title", f"judul{ESC}", "--assign", f"kasubbag=budi{ESC}", "--as", f"ani{ESC}")
    sop("note", "1", f"catatan{ESC}", "--as", f"rudi{ESC}")
    sop("done", "1", "--attach", files(f"bukti{ESC}.pdf"), "--note", f"selesai{ESC}")
    sop("attach", "1", files(f"lagi{ESC}.pdf"))
    sop("runs")
    for width in ("80", "200"):
        monkeypatch.setenv("COLUMNS", width)
        for args in (
            ("status",),
            ("report",),
            ("report", "-f", "md"),
            ("report", "-f", "csv"),
            ("log",),
            ("runs",),
            ("list",),
            ("show", "jahat"),
            ("show", "jahat", "-f", "mermaid"),
            ("stats", "jahat"),
            ("monitor", "jahat"),
            ("inbox", "--all"),
            ("verify",),
        ):
            result = sop(*args)
            assert clean(result.out) and clean(result.err), args
    result = sop("cancel", "--reason", f"alasan{ESC}")
    assert clean(result.out)
    assert clean(sop("report").out) and clean(sop("note", "1", "x", ok=False).err)
    # the data itself is kept as given: JSON escapes it, it is not changed
    assert json.loads(sop("report", "-f", "json").out)["run"]["title"] == f"judul{ESC}"


def test_csv_cells_cannot_become_formulas(sop, files) -> None:
    sop("start", "rkt-ii", "-q")
    sop("done", "1", "--attach", files("=HYPERLINK(evil).pdf"), "--as", "=cmd|' /C calc'!A0")
    rows = sop("report", "-f", "csv").out.splitlines()
    assert "'=cmd" in rows[1] and "'=HYPERLINK" in rows[1]


@pytest.mark.parametrize(
    "args",
    [
        ("note", "1", "catatan-\udcff"),
        ("done", "1", "--note", "\udcfe"),
        ("done", "1", "--as", "ani\udcff"),
        ("start", "rkt-ii", "--title", "\udcff judul"),
        ("assign", "kabag=siti\udcff"),
        ("cancel", "--reason", "\udcff"),
    ],
)
def test_text_that_is_not_utf8_is_refused_in_one_line(sop, home: Path, files, args: tuple[str, ...]) -> None:
    sop("start", "rkt-ii", "-q")
    extra = ("--attach", str(files("bukti.pdf"))) if args[0] == "done" else ()
    line = sop.fail(*args, *extra)
    assert "not valid UTF-8" in line
    assert len(json.loads(sop("log", "-f", "json").out)) == 1
    blobs = [p for p in (home / "evidence").rglob("*") if p.is_file()]
    assert blobs == [] and list((home / "incoming").iterdir()) == []  # no orphan blob


def test_sop_user_that_is_not_utf8(tmp_path: Path) -> None:
    env = {"SOP_HOME": str(tmp_path), "SOP_NOW": MONDAY, "SOP_LANG": "en"}
    result = subprocess.run(
        [sys.executable, "-m", "sopcli", "start", "rkt-ii"],
        env={**os.environ, **env, "SOP_USER": "x"},
        capture_output=True,
    )
    assert result.returncode == 0
    raw_env = {**{k: v for k, v in os.environb.items()}, **{k.encode(): v.encode() for k, v in env.items()}}
    raw_env[b"SOP_USER"] = b"ani\xff"
    result = subprocess.run([sys.executable, "-m", "sopcli", "note", "1", "x"], env=raw_env, capture_output=True)
    assert result.returncode == 1 and b"SOP_USER" in result.stderr and b"Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("tanggal_pembuatan: 2017-11-01", "tanggal_pembuatan: 2020-02-30"), 15, "not a date that exists"),
        (("tanggal_efektif: 2018-05-02", "tanggal_efektif: 2018-13-01"), 17, "not a date that exists"),
        (("pelaksana:\n  - id: kabag", "kalender:\n  cuti: [2026-13-01]\npelaksana:\n  - id: kabag"), 50, "not a date"),
        (
            ("pelaksana:\n  - id: kabag", "kalender:\n  hari_libur: XX\npelaksana:\n  - id: kabag"),
            50,
            "holidays package",
        ),
        (("pelaksana:\n  - id: kabag", "kalender:\n  hari_libur: ID-ZZ\npelaksana:\n  - id: kabag"), 50, "subdivision"),
        (("pelaksana:\n  - id: kabag", "kalender:\n  kategori_libur: [x]\npelaksana:\n  - id: kabag"), 50, "category"),
        (
            ("pelaksana:\n  - id: kabag", "kalender:\n  hari_libur: 'x y'\npelaksana:\n  - id: kabag"),
            51,
            "country code",
        ),
    ],
)
def test_impossible_dates_and_unknown_holidays_fail_validation_not_start(
    sop, tmp_path: Path, change: tuple[str, str], line: int, words: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SEED.read_text().replace(*change))
    result = sop("validate", str(bad), ok=False)
    assert result.code == 1 and words in result.err and "Traceback" not in result.err, result.err
    assert result.err.startswith(f"{bad}:"), result.err
    assert "Traceback" not in sop("start", str(bad), ok=False).err


@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:00:00+07:00", "9999-12-31T23:59:00+07:00", "1969-12-31T23:00:00+00:00", "2200-01-01T00:00+07:00"],
)
def test_extreme_clocks_are_refused(sop, monkeypatch, moment: str) -> None:
    sop("start", "rkt-ii", "-q")
    line = sop.fail("done", "1", "--at", moment)
    assert "outside the years" in line
    monkeypatch.setenv("SOP_NOW", moment)
    assert "outside the years" in sop.fail("status")


@pytest.mark.parametrize(
    "moment",
    [
        "1970-01-01T00:00+14:00",
        "1970-01-01T05:00+00:00",
        "1970-01-01T23:59-12:00",
        "2199-12-31T23:59+00:00",
        "2199-12-31T12:00-12:00",
        "1970-01-02T00:00+00:00",
        "2199-12-30T23:59+00:00",
    ],
)
def test_a_time_at_the_edge_of_the_years_is_refused_or_kept_readable(sop, monkeypatch, moment: str) -> None:
    """A time accepted is stored in the SOP's timezone; it must never become a record called damaged."""
    for how in ("--at", "SOP_NOW"):
        monkeypatch.delenv("SOP_NOW", raising=False)
        args = ["start", "rkt-ii", "-q", "--at", moment] if how == "--at" else ["start", "rkt-ii", "-q"]
        if how == "SOP_NOW":
            monkeypatch.setenv("SOP_NOW", moment)
        result = sop(*args, ok=None)
        if result.code == 0:
            assert sop("status").code == 0 and sop("verify").code == 0
        else:
            assert result.code == 1 and ("outside the years" in result.err or "in the future" in result.err), result.err


def test_output_to_a_full_device_is_one_line(tmp_path: Path) -> None:
    env = {"SOP_HOME": str(tmp_path / "h"), "SOP_USER": "ani", "SOP_NOW": MONDAY, "SOP_LANG": "en"}
    assert run_sop("start", "rkt-ii", "-q", env=env).returncode == 0
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "sopcli", "log"],
            env={**os.environ, **env},
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "could not write the output" in result.stderr


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    env = {**os.environ, "SOP_HOME": str(tmp_path / "h"), "SOP_USER": "ani", "SOP_NOW": MONDAY, "COLUMNS": "80"}
    subprocess.run([sys.executable, "-m", "sopcli", "start", "rkt-ii", "-q"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sopcli", "show", "rkt-ii"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read() if proc.stderr else b""
    proc.wait(timeout=30)
    assert b"Traceback" not in err


def test_validate_on_a_fifo_does_not_hang(sop, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = sop("validate", str(fifo), ok=False)
    assert "not a regular file" in result.err and time.monotonic() - started < 10
    (tmp_path / "sops").mkdir()
    os.mkfifo(tmp_path / "sops" / "pipe.yaml")
    assert "rkt-ii" in sop("list").out


def test_every_validation_problem_in_one_pass_and_the_step_named_right(sop, tmp_path: Path) -> None:
    """Issues #9.4 and #10.15: a bad duration, an unknown key, an unknown actor and an outcome to a
    missing step, all at once; an outcome to step 1, which exists but has its own problem, is fine."""
    bad = tmp_path / "bad.yaml"
    text = ENGLISH.replace("time: 1,5 jam", "time: sebentar\n    colour: red").replace("actor: b", "actor: q")
    bad.write_text(text.replace("outcomes: {yes: end, no: 1}", "outcomes: {yes: end, no: 1, maybe: 7}"))
    lines = sop("validate", str(bad), ok=False).err.strip().splitlines()
    joined = "\n".join(lines)
    for words in ("not a duration", "unknown key 'colour'", "unknown actor 'q'", "outcome 'maybe' goes to step 7"):
        assert words in joined, (words, lines)
    assert "step 1, which does not exist" not in joined


def test_lookup_by_id_loads_only_the_matching_file(sop, tmp_path: Path, monkeypatch) -> None:
    """Issue #10.13: a huge SOP elsewhere in ./sops is not parsed to start rkt-ii."""
    from sopcli import loader

    (tmp_path / "sops").mkdir()
    steps = "".join(f"  - no: {i}\n    activity: a\n    actor: a\n    time: 1 menit\n" for i in range(1, 8001))
    (tmp_path / "sops" / "besar.yaml").write_text(
        f"id: besar\nnumber: B\ntitle: B\nactors: [{{id: a, name: A}}]\nsteps:\n{steps}"
    )
    loaded: list[str] = []
    real = loader.load_text

    def spy(raw, name="<sop>", **kw):
        loaded.append(Path(name).name)
        return real(raw, name, **kw)

    monkeypatch.setattr(loader, "load_text", spy)
    sop("start", "rkt-ii", "-q")
    assert loaded == ["ot01-02-015-097.yaml"]


def test_validation_is_linear_in_the_number_of_steps(tmp_path: Path) -> None:
    """Counts the work, not the seconds: each step's number is looked up a bounded number of times."""
    from sopcli import model

    calls = {"n": 0}
    real = model._get

    def counting(data, key):
        calls["n"] += 1
        return real(data, key)

    def work(n: int) -> int:
        calls["n"] = 0
        steps = [{"no": i, "activity": "a", "actor": "a", "time": "1 menit"} for i in range(1, n + 1)]
        model._get = counting
        try:
            assert model.cross_problems({"actors": [{"id": "a", "name": "A"}], "steps": steps}) == []
        finally:
            model._get = real
        return calls["n"]

    assert work(4000) <= 2.2 * work(2000)


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from sopcli.store.tinydb import TinyStore
    store = TinyStore(Path(sys.argv[1]))
    with store.lock("long attach"):
        print("held", flush=True)
        time.sleep(60)
    """
)


def test_the_lock_timeout_names_the_holder_as_it_is_now(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"SOP_HOME": str(home), "SOP_USER": "ani", "SOP_NOW": MONDAY, "SOP_LANG": "en", "SOP_LOCK_TIMEOUT": "0.3"}
    assert run_sop("start", "rkt-ii", "-q", env=env).returncode == 0
    (home / "lock.holder").write_text("1 a stale note of a process long gone")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(home)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout and holder.stdout.readline().strip() == "held"
        result = run_sop("note", "1", "x", env=env)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1 and f"pid {holder.pid} (long attach)" in result.stderr, result.stderr


SLOW_ATTACH = textwrap.dedent(
    """
    import sys, time
    from sopcli import evidence
    from sopcli.cli import main
    real = evidence._chunks
    def slow(fd):
        for chunk in real(fd):
            time.sleep(0.5)
            yield chunk
    evidence._chunks = slow
    evidence.CHUNK = 1024
    sys.argv = ["sop", *sys.argv[1:]]
    main()
    """
)


def test_a_large_attachment_does_not_block_other_runs(tmp_path: Path) -> None:
    """Issue #10.12: hashing and copying happen before the lock; another run's note goes through."""
    home = tmp_path / "home"
    env = {"SOP_HOME": str(home), "SOP_USER": "ani", "SOP_NOW": MONDAY, "SOP_LANG": "en", "SOP_LOCK_TIMEOUT": "2"}
    first = run_sop("start", "rkt-ii", "-q", env=env).stdout.strip()
    second = run_sop("start", "rkt-ii", "-q", env=env).stdout.strip()
    big = tmp_path / "besar.bin"
    big.write_bytes(os.urandom(10 * 1024))  # ten slow chunks: five seconds of copying
    slow = subprocess.Popen(
        [sys.executable, "-c", SLOW_ATTACH, "attach", "1", str(big), "--run", first],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.5)
        assert slow.poll() is None  # still copying
        result = run_sop("note", "1", "sementara", "--run", second, env=env)
        assert result.returncode == 0, result.stderr
    finally:
        out, err = slow.communicate(timeout=60)
    assert slow.returncode == 0, err
    assert run_sop("verify", "--run", first, env=env).returncode == 0
