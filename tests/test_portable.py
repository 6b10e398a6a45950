"""What Windows takes, proved on Linux: no POSIX-only module at import time, the store's guarantees with
the portable code paths forced (no folder fsync, no O_NOFOLLOW, os.replace retried), names NTFS accepts,
and a legacy console (cp1252) that gets distinct ASCII marks instead of a crash."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sopcli import safefs

from .conftest import MONDAY, ROOT

pytestmark = pytest.mark.usefixtures("english")
POSIX_ONLY = {"fcntl", "pwd", "grp", "termios", "resource", "posix"}


def test_no_module_imports_a_posix_only_module_at_import_time() -> None:
    """Read from the source: POSIX-only modules may be imported only inside a function (and filelock,
    which picks fcntl or msvcrt itself, is imported only where the lock is taken)."""
    found = []
    for path in (ROOT / "src" / "sopcli").rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in POSIX_ONLY | {"filelock", "msvcrt"}]
    assert not found, found


BLOCKED = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"fcntl", "pwd", "grp", "termios"}:
                raise ImportError(f"{name} is not on Windows")
    sys.meta_path.insert(0, Block())
    import sopcli
    for info in pkgutil.walk_packages(sopcli.__path__, "sopcli."):
        if info.name != "sopcli.__main__":
            importlib.import_module(info.name)
    sys.argv = ["sop", *sys.argv[1:]]
    from sopcli.cli import main
    main()
    """
)


@pytest.mark.parametrize(
    "args", [("list",), ("show", "rkt-ii"), ("validate", "sops/ot01-02-015-097.yaml"), ("--help",)]
)
def test_every_module_imports_and_reading_commands_run_without_posix_modules(args: tuple[str, ...]) -> None:
    env = {**os.environ, "SOP_LANG": "en", "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-c", BLOCKED, *args], env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def windows_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The store's Windows code paths, forced: no folder fsync, no O_NOFOLLOW (links are caught by lstat
    and by comparing the opened file with the one looked at), and os.replace that meets a sharing
    violation on its first tries, as a virus scanner causes."""
    monkeypatch.setattr(safefs, "WINDOWS", True)
    monkeypatch.setattr(safefs, "O_NOFOLLOW", 0)
    monkeypatch.setattr(safefs.time, "sleep", lambda seconds: None)
    real = os.replace
    tries: list[str] = []

    def busy(source, target):
        tries.append(str(target))
        if len(tries) % 3:
            raise PermissionError(13, "The process cannot access the file because it is being used by another process")
        return real(source, target)

    monkeypatch.setattr(os, "replace", busy)
    return tries


def test_the_store_keeps_its_guarantees_on_the_portable_paths(sop, home: Path, files, windows_paths) -> None:
    run = sop("start", "rkt-ii", "-q").out.strip()
    sop("done", "1", "--attach", files("bukti.pdf"))
    sop("note", "2", "catatan")
    assert windows_paths, "os.replace was used"
    assert "intact" in sop("verify").out
    path = home / "runs" / f"{run}.json"
    data = json.loads(path.read_text())
    data["records"].pop("3")
    path.write_text(json.dumps(data))
    assert "removed from the end" in sop.fail("note", "2", "x")
    os.unlink(home / "lock")
    os.symlink(home / "store.json", home / "lock")
    assert "not a regular file" in sop.fail("note", "1", "x")


def test_nothing_the_store_writes_has_a_name_ntfs_refuses(sop, home: Path, files) -> None:
    sop("start", "rkt-ii", "-q")
    sop("done", "1", "--attach", files("con.pdf"), "--attach", files("a:b?.pdf"))
    sop("store", "reindex")
    (home / "damaged").mkdir(exist_ok=True)
    names = [p.name for p in home.rglob("*")]
    assert names and all(safefs.portable_name(name) for name in names), [
        n for n in names if not safefs.portable_name(n)
    ]


def test_portable_names() -> None:
    for name in ("CON", "nul.txt", "a:b", "x?", "trailing.", "com1.json", ""):
        assert not safefs.portable_name(name), name
    for name in ("runs", "7kq2m.json", "ab", ".123-4.tmp", "index"):
        assert safefs.portable_name(name), name


@pytest.mark.parametrize("command", [("report",), ("status",), ("show", "rkt-ii"), ("log",), ("runs",)])
def test_a_legacy_console_gets_distinct_ascii_marks(tmp_path: Path, command: tuple[str, ...]) -> None:
    env = {**os.environ, "SOP_HOME": str(tmp_path), "SOP_USER": "ani", "SOP_NOW": MONDAY, "SOP_LANG": "en"}
    env.update(PYTHONIOENCODING="cp1252", COLUMNS="100")
    for args in (("start", "rkt-ii", "-q", "--assign", "kabag=siti"), ("done", "1", "--force")):
        subprocess.run([sys.executable, "-m", "sopcli", *args], env=env, check=True, capture_output=True)
    done = subprocess.run([sys.executable, "-m", "sopcli", *command], env=env, capture_output=True)
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("cp1252")
    assert "Traceback" not in done.stderr.decode("cp1252", errors="replace")
    assert not any(c in text for c in "✓✗▶‼○●┼│─"), "box drawing or marks the console cannot show"
    if command == ("report",):
        assert "[+]*" in text and ">" in text and "+-" in text  # on time and forced, active, an ASCII frame
