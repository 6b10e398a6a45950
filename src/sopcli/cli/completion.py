"""Shell completion by name and in the user's language: Typer's own flags guess the shell, pass over a name
given after them, and report in English."""

from __future__ import annotations

from collections.abc import Sequence

import typer

from sopcli.i18n import _

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
FLAGS = ("--show-completion", "--install-completion")
_WITH_VALUE = ("--lang",)  # the root's options that take a value


def requested(argv: Sequence[str]) -> tuple[str, str | None] | None:
    """(flag, the shell named after it or None) when the root command is asked for completion; None when it is
    not, or when the flag comes after a command (whose arguments are its own)."""
    index = 0
    while index < len(argv):
        token = argv[index]
        name, equals, value = token.partition("=")
        if name in FLAGS:
            if equals:
                return name, value
            following = argv[index + 1] if index + 1 < len(argv) else None
            return name, following if following is not None and not following.startswith("-") else None
        if token == "--" or not token.startswith("-"):
            return None
        index += 2 if token in _WITH_VALUE else 1
    return None


def run(flag: str, shell: str | None) -> int:
    """Prints or installs the completion script for `shell` (the one running `sop` when none is named)."""
    from typer._completion_shared import _get_shell_name, get_completion_script, install

    shells = ", ".join(SHELLS[:4])
    if shell is None:
        shell = _get_shell_name()
        if shell not in SHELLS:
            typer.echo(
                "sop: "
                + _(
                    "cannot tell which shell this is; name it: sop {flag} {shells}",
                    flag=flag,
                    shells="|".join(SHELLS[:4]),
                ),
                err=True,
            )
            return 2
    if shell not in SHELLS:
        typer.echo("sop: " + _("sop completes in {shells}, not in {shell!r}", shells=shells, shell=shell), err=True)
        return 2
    if flag == "--show-completion":
        typer.echo(get_completion_script(prog_name="sop", complete_var="_SOP_COMPLETE", shell=shell))
        return 0
    try:
        _shell, path = install(shell=shell, prog_name="sop", complete_var="_SOP_COMPLETE")
    except OSError as err:
        from sopcli.i18n import os_reason

        reason = os_reason(err)
        typer.echo(
            "sop: " + _("could not install completion for {shell}: {reason}", shell=shell, reason=reason), err=True
        )
        return 1
    typer.echo(
        _(
            "Completion for {shell} is installed in {path}; it works in the next terminal you open.",
            shell=shell,
            path=path,
        )
    )
    return 0
