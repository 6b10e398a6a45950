"""Commands that carry SOPs to and from Word documents: export, import."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sopcli.cli import command, environment, say, warn
from sopcli.cli.definitions import SopArg, find_sop
from sopcli.errors import SopError
from sopcli.i18n import N_, _

STDOUT = "-"


class ExportFormat(StrEnum):
    docx = "docx"


class Paper(StrEnum):
    a4 = "a4"
    f4 = "f4"


@command(
    "export",
    help=N_("Writes the SOP's form as a Word document (.docx) that partners can edit and `sop import` reads back."),
)
def export(
    ctx: typer.Context,
    sop: SopArg,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", metavar="FORMAT", help=N_("docx (a Word document)"))
    ] = ExportFormat.docx,
    out: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help=N_("where to write it (- for standard output); default: ID.docx")
        ),
    ] = None,
    paper: Annotated[Paper, typer.Option("--paper", metavar="a4|f4", help=N_("paper size, landscape"))] = Paper.a4,
) -> None:
    from sopcli.docx_export import export_docx
    from sopcli.model import sop_document

    env = environment(ctx)
    found = find_sop(env, sop)
    data = export_docx(sop_document(found), paper=paper.value)
    if out is not None and str(out) == STDOUT:
        sys.stdout.buffer.write(data)
        return
    target = out if out is not None else env.cwd / f"{found.id}.docx"
    if out is None and target.exists():
        raise SopError(
            _("{path} exists already; it was left as it is", path=target.name),
            _("name the file to write with -o FILE"),
        )
    write_file(target, data)
    say(_("wrote {path}", path=target))


@command(
    "import",
    help=N_(
        "Reads an SOP AP form from a Word document (.docx) and writes it as SOP YAML: exit 0 when the YAML "
        "validates, else 1 and what to fix."
    ),
)
def import_(
    file: Annotated[Path, typer.Argument(metavar="FILE.docx", help=N_("the Word document of the form"))],
    out: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help=N_("the YAML file to write; default: standard output")),
    ] = None,
) -> None:
    from sopcli.docx_import import import_docx

    imported = import_docx(file)
    name = str(out) if out is not None else "<stdout>"
    for unread in imported.unread:
        warn(f"{file.name}: {unread}")
    for line, guess in imported.guesses:
        warn(f"{name}:{line}: " + _("check: {guess}", guess=guess))
    if out is None:
        typer.echo(imported.yaml, nl=False)
    else:
        write_file(out, imported.yaml.encode("utf-8"))
    problems = _validate(imported.yaml, name)
    for problem in problems:
        warn(problem)
    if problems:
        raise typer.Exit(1)
    if out is not None:
        say(f"{out}: " + _("written and valid"))


def write_file(path: Path, data: bytes) -> None:
    """Old content or new, never a part: a temporary file beside it, then a rename."""
    from sopcli.safefs import atomic_write

    atomic_write(path, data)


def _validate(text: str, name: str) -> list[str]:
    from sopcli import loader
    from sopcli.errors import InvalidSop

    try:
        loader.load_text(text, name, deep=True)
    except InvalidSop as err:
        return err.problems
    return []
