"""Commands on SOP definitions: list, show, validate, schema."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from sopcli.cli import (
    FormatOpt,
    OutputOpt,
    Paper,
    PaperOpt,
    TableOrJson,
    check_output,
    command,
    environment,
    print_document,
    print_json,
    print_lines,
    say,
    warn,
)
from sopcli.env import Environment
from sopcli.i18n import N_, _, _n

SopArg = Annotated[str, typer.Argument(metavar="SOP", help=N_("SOP id, Nomor SOP, or path to a YAML file"))]


class ShowFormat(StrEnum):
    table = "table"
    json = "json"
    mermaid = "mermaid"
    html = "html"
    pdf = "pdf"


def dirs(env: Environment) -> list[tuple[Path, str]]:
    from sopcli import loader

    return loader.search_dirs(env.sop_path, env.cwd)


def find_sop(env: Environment, ref: str, *, deep: bool = False) -> Any:
    from sopcli import loader

    return loader.find(ref, dirs(env), env.cwd, deep=deep)


@command(
    "list", help=N_("The SOPs that can be found: id, number, title, steps, total standard, and where each came from.")
)
def list_sops(ctx: typer.Context, fmt: FormatOpt = TableOrJson.table) -> None:
    from sopcli import loader

    rows, broken = loader.catalogue(dirs(environment(ctx)))
    for err in broken:
        warn("sop: " + _("skipped {problem}", problem=err.problems[0]))
    if fmt is TableOrJson.json:
        print_json(rows)
        return
    from sopcli.render.views import sop_list

    print_lines(lambda width, cs: sop_list(rows, width, cs))


@command(
    "show",
    help=N_("The whole SOP as its paper form: header, then the flowchart with one column per lane and the Mutu Baku."),
)
def show(
    ctx: typer.Context,
    sop: SopArg,
    fmt: Annotated[
        ShowFormat, typer.Option("--format", "-f", metavar="FORMAT", help=N_("table, json, mermaid, html or pdf"))
    ] = ShowFormat.table,
    output: OutputOpt = None,
    paper: PaperOpt = Paper.a4,
) -> None:
    from sopcli.model import sop_document

    check_output(fmt.value, output)
    found = find_sop(environment(ctx), sop)
    if fmt in (ShowFormat.html, ShowFormat.pdf):
        from sopcli.render.html import sop_form

        print_document(sop_form(sop_document(found), paper.value), fmt.value, output, paper.value)
    elif fmt is ShowFormat.json:
        print_json(sop_document(found))
    elif fmt is ShowFormat.mermaid:
        from sopcli.render.mermaid import sop_mermaid

        typer.echo(sop_mermaid(sop_document(found)), nl=False)
    else:
        from sopcli.render.views import sop_view

        document = sop_document(found)
        print_lines(lambda width, cs: sop_view(document, width, cs))


@command(
    "validate",
    help=N_("Checks SOP files: exit 0 if all are valid, else 1 and every problem of every file as file:line: message."),
)
def validate(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help=N_("SOP YAML files to check"))],
) -> None:
    from sopcli import loader
    from sopcli.errors import InvalidSop

    failed = False
    for path in files:
        try:
            sop = loader.load_file(path, deep=True)
        except InvalidSop as err:
            failed = True
            for problem in err.problems:
                warn(problem)
        else:
            say(f"{path}: " + _n("ok ({id}, {count} step)", "ok ({id}, {count} steps)", len(sop.steps), id=sop.id))
    if failed:
        raise typer.Exit(1)


@command("schema", help=N_("The JSON Schema of the SOP file format, for editors."))
def schema() -> None:
    from sopcli.model import json_schema

    print_json(json_schema())
