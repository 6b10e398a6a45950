"""The `sop` command: parses arguments, calls the core, hands results to a renderer, maps errors."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from sopcli.env import Environment
from sopcli.errors import InvalidSop, SopError

app = typer.Typer(
    name="sop",
    help="Run SOP Administrasi Pemerintahan as executable, auditable checklists.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


class TableOrJson(str, Enum):
    table = "table"
    json = "json"


class ShowFormat(str, Enum):
    table = "table"
    json = "json"
    mermaid = "mermaid"


FormatOpt = Annotated[TableOrJson, typer.Option("--format", "-f", help="table for people, json for scripts")]


def _fail(message: str) -> None:
    typer.echo(f"sop: {message}", err=True)
    raise typer.Exit(1)


def command(name: str | None = None, **options: Any) -> Callable[[F], F]:
    """Registers a command whose SopErrors become one line on stderr and exit 1: the only translation."""

    def register(fn: F) -> F:
        @functools.wraps(fn)
        def translated(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except InvalidSop as err:
                for problem in err.problems:
                    typer.echo(problem, err=True)
                raise typer.Exit(1) from None
            except SopError as err:
                _fail(str(err))

        app.command(name, **options)(translated)
        return fn

    return register


def environment(ctx: typer.Context) -> Environment:
    if not isinstance(ctx.obj, Environment):
        ctx.obj = Environment.from_os()
    return ctx.obj


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _print_rich(renderable: Any) -> None:
    from sopcli.render.table import console

    console().print(renderable)


def _dirs(env: Environment) -> list[Path]:
    from sopcli import loader

    return loader.search_dirs(env.sop_path, env.cwd)


def _find_sop(env: Environment, ref: str) -> Any:
    from sopcli import loader

    return loader.find(ref, _dirs(env), env.cwd)


# ---------------------------------------------------------------- definitions


@command("list")
def list_sops(ctx: typer.Context, fmt: FormatOpt = TableOrJson.table) -> None:
    """The SOPs that can be found: id, number, title, steps, total standard."""
    from sopcli import loader

    found, broken = loader.discover(_dirs(environment(ctx)))
    rows = [
        {"id": sop.id, "number": sop.number, "title": sop.title, "steps": len(sop.steps),
         "standard_minutes": sum(sop.standard_minutes(s) for s in sop.steps),
         "day_minutes": sop.calendar.day_minutes, "path": str(source.path)}
        for source, sop in found
    ]
    for err in broken:
        typer.echo(f"sop: skipped {err.problems[0]}", err=True)
    if fmt is TableOrJson.json:
        _print_json(rows)
    else:
        from sopcli.render.table import sop_list

        _print_rich(sop_list(rows))


@command("show")
def show(
    ctx: typer.Context,
    sop: Annotated[str, typer.Argument(help="SOP id, Nomor SOP, or path to a YAML file")],
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f")] = ShowFormat.table,
) -> None:
    """The whole SOP: its header, then the flowchart with one column per lane and the Mutu Baku."""
    found = _find_sop(environment(ctx), sop)
    if fmt is ShowFormat.json:
        from sopcli.model import sop_document

        _print_json(sop_document(found))
    elif fmt is ShowFormat.mermaid:
        from sopcli.render.mermaid import sop_mermaid

        typer.echo(sop_mermaid(found), nl=False)
    else:
        from sopcli.render.table import console, sop_view

        out = console()
        out.print(sop_view(found, out.width))


@command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="SOP YAML files to check")],
) -> None:
    """Checks SOP files: exit 0 if all are valid, else 1 and every problem as file:line: message."""
    from sopcli import loader

    failed = False
    for path in files:
        try:
            sop = loader.load_file(path)
        except InvalidSop as err:
            failed = True
            for problem in err.problems:
                typer.echo(problem, err=True)
        else:
            typer.echo(f"{path}: ok ({sop.id}, {len(sop.steps)} steps)")
    if failed:
        raise typer.Exit(1)


@command("schema")
def schema() -> None:
    """The JSON Schema of the SOP file format, for editors."""
    from sopcli.model import json_schema

    _print_json(json_schema())


def main() -> None:
    try:
        app(prog_name="sop")
    except SopError as err:  # raised outside a command, e.g. by a bad SOP_NOW
        typer.echo(f"sop: {err}", err=True)
        sys.exit(1)
