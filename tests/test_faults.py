"""I/O errors at every write, fsync and rename: a clear message, the old state intact, no temp files."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("english")


class Faults:
    """Makes the n-th call of an OS function fail with an errno, counting calls from zero."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str, fail_at: int, code: int) -> None:
        self.calls = 0
        real = getattr(os, name)

        def failing(*args, **kwargs):
            self.calls += 1
            if self.calls == fail_at:
                raise OSError(code, os.strerror(code))
            return real(*args, **kwargs)

        monkeypatch.setattr(os, name, failing)


class FailingWrites:
    """Makes the n-th write to a file opened with os.fdopen (every store and evidence write) fail."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail_at: int, code: int) -> None:
        self.calls = 0
        real = os.fdopen
        outer = self

        class Handle:
            def __init__(self, inner) -> None:
                self.inner = inner

            def write(self, data):
                outer.calls += 1
                if outer.calls == fail_at:
                    raise OSError(code, os.strerror(code))
                return self.inner.write(data)

            def __getattr__(self, name):
                return getattr(self.inner, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.inner.close()

        monkeypatch.setattr(os, "fdopen", lambda *a, **k: Handle(real(*a, **k)))


def temp_files(home: Path) -> list[Path]:
    return [p for p in home.rglob("*") if p.name.endswith(".tmp")]


def snapshot(home: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in home.rglob("*.json")}


@pytest.mark.parametrize("call", ["write", "fsync", "replace"])
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO])
@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
def test_a_failing_write_changes_nothing_or_is_fully_recorded(
    sop, home: Path, files, monkeypatch, call: str, code: int, fail_at: int
) -> None:
    sop("start", "rkt-ii", "-q")
    evidence = files("telaah.docx")
    before = snapshot(home)
    with monkeypatch.context() as patch:
        if call == "write":
            FailingWrites(patch, fail_at, code)
        else:
            Faults(patch, call, fail_at, code)
        result = sop("done", "1", "--attach", evidence, ok=None)
    assert "Traceback" not in result.err
    records = json.loads(sop("log", "--format", "json").out)
    if result.code == 1 and "could not confirm" in result.err:
        assert len(records) in (1, 2)  # renamed into place, durability unconfirmed: said so
    elif result.code == 1:
        assert os.strerror(code).lower() in result.err.lower() or "no space" in result.err
        assert "nothing was" in result.err
        assert len(records) == 1
        assert {k: v for k, v in snapshot(home).items() if "/runs/" in k} == {
            k: v for k, v in before.items() if "/runs/" in k
        }
    else:
        assert result.code == 0 and len(records) == 2
    assert temp_files(home) == []
    assert sop("verify").code == 0
    sop("note", "1", "setelah gangguan")  # the store keeps working, and the index catches up
    assert json.loads(sop("runs", "--format", "json").out)[0]["active_step"] == (2 if len(records) == 2 else 1)


def test_a_failing_temp_file_creation(sop, home: Path, monkeypatch) -> None:
    import tempfile

    sop("start", "rkt-ii", "-q")

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(tempfile, "mkstemp", no_space)
        line = sop.fail("note", "1", "x")
    assert "no space left" in line and "nothing was changed" in line
    assert len(json.loads(sop("log", "--format", "json").out)) == 1


def test_an_unreadable_attachment_is_refused_before_anything_is_recorded(sop, files, monkeypatch) -> None:
    import os

    secret = files("rahasia.pdf")
    sop("start", "rkt-ii", "-q")
    real_open = os.open

    def guarded(path, *args, **kwargs):
        if str(path) == str(secret):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    with monkeypatch.context() as patch:  # root reads any file, so the refusal is simulated
        patch.setattr(os, "open", guarded)
        line = sop.fail("done", "1", "--attach", str(secret))
    assert "cannot read" in line and "permission denied" in line
    assert len(json.loads(sop("log", "--format", "json").out)) == 1
