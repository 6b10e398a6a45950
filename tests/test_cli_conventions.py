"""A CLI that feels native: --version, -h, shell completion, help that names its values, long lists that
say how to see more."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sopcli import __version__

pytestmark = pytest.mark.usefixtures("english")


def test_version_and_short_help(sop) -> None:
    assert sop("--version").out.strip() == f"sop (sopcli) {__version__}"
    assert sop("-h").out == sop("--help").out and "Usage: sop" in sop("-h").out
    assert sop("done", "-h").out.startswith("Usage: sop done [OPTIONS] STEP")


@pytest.mark.parametrize("command", ["--help", "done --help", "start --help", "attach --help", "validate --help"])
def test_help_names_its_values_and_is_not_cut_off(sop, monkeypatch, command: str) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    out = sop(*command.split()).out
    assert "<list[" not in out and "<int>" not in out and "<str>" not in out and "<Path>" not in out
    assert "..." not in out.replace("FILE...", "").replace("[ARGS]...", "")  # no summary cut off
    if command == "done --help":
        for value in ("--attach FILE", "--input FILE", "--run RUN", "--as PERSON", "--at TIME", "--lane LANE"):
            assert value in out, value
    if command == "start --help":
        assert "--assign ACTOR=PERSON" in out


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_scripts_and_answers(shell: str) -> None:
    env = {**os.environ, "SOP_LANG": "en"}
    # What `sop --show-completion` prints, asked for by name: that flag guesses the shell
    # from the parent process, which a test runner's parent need not be.
    source = {**env, "_SOP_COMPLETE": f"source_{shell}"}
    script = subprocess.run([sys.executable, "-m", "sopcli"], env=source, capture_output=True, text=True)
    assert script.returncode == 0 and "_SOP_COMPLETE" in script.stdout, script.stderr
    if shell == "bash":
        ask = {"_SOP_COMPLETE": "complete_bash", "COMP_WORDS": "sop mon", "COMP_CWORD": "1"}
    elif shell == "zsh":
        ask = {"_SOP_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "sop mon"}
    else:
        ask = {
            "_SOP_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_ARGS": "sop mon",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        }
    answer = subprocess.run([sys.executable, "-m", "sopcli"], env={**env, **ask}, capture_output=True, text=True)
    assert "monitor" in answer.stdout, answer


def test_completion_for_the_shell_named_and_in_the_users_language(sop, monkeypatch, tmp_path) -> None:
    """Typer's flags guess the shell and pass over a name given after them; sop takes the name."""
    assert sop("--show-completion", "zsh").out.startswith("#compdef sop")
    assert "complete --command sop" in sop("--show-completion=fish").out
    assert "_SOP_COMPLETE=complete_bash" in sop("--lang", "en", "--show-completion", "bash").out
    refused = sop("--show-completion", "nosh", ok=False)
    assert refused.code == 2 and refused.err.count("\n") == 1 and "'nosh'" in refused.err
    assert "bash, zsh, fish, powershell" in refused.err
    monkeypatch.setenv("HOME", str(tmp_path))
    said = sop("--install-completion", "fish").out
    installed = tmp_path / ".config" / "fish" / "completions" / "sop.fish"
    assert installed.is_file() and f"installed in {installed}" in said
    monkeypatch.setenv("SOP_LANG", "id")
    from sopcli.i18n import set_language

    set_language("id")
    said = sop("--install-completion", "fish").out
    assert said.startswith("Pelengkapan untuk fish terpasang di") and "installed" not in said
    assert "tidak di 'nosh'" in sop("--show-completion", "nosh", ok=False).err
    # after a command, the flag is that command's (which has none): a usage error, never a script
    assert sop("runs", "--show-completion", "zsh", ok=False).code == 2


def test_runs_shows_the_newest_fifty_and_says_how_to_see_more(sop) -> None:
    for _ in range(52):
        sop("start", "rkt-ii", "-q")
    table = sop("runs").out
    assert "50 of 52 runs shown; --limit N or --all shows more." in table
    assert "2 of 52 runs shown" in sop("runs", "--limit", "2").out
    assert "runs shown" not in sop("runs", "--all").out
    assert len(json.loads(sop("runs", "--format", "json").out)) == 52  # JSON stays complete
    assert sop("runs", "--limit", "0", ok=False).code == 2
