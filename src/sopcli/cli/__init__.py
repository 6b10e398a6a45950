"""The `sop` command: one Typer app whose commands live by group in this package; this module chooses
the language, builds only the command being run, and turns every error into one line and an exit code."""

from __future__ import annotations

import functools
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from sopcli import __version__
from sopcli.env import Environment
from sopcli.errors import InvalidSop, SopError, Usage
from sopcli.i18n import LANGUAGES, N_, UnknownLanguage, _, bind_framework, choose, os_reason, set_language

F = TypeVar("F", bound=Callable[..., Any])

# Which module holds each command: a command imports only its own group.
GROUPS = {
    "list": "definitions",
    "show": "definitions",
    "validate": "definitions",
    "schema": "definitions",
    "start": "acting",
    "use": "acting",
    "done": "acting",
    "attach": "acting",
    "note": "acting",
    "assign": "acting",
    "undo": "acting",
    "cancel": "acting",
    "status": "reading",
    "report": "reading",
    "log": "reading",
    "verify": "reading",
    "runs": "reading",
    "stats": "reading",
    "inbox": "reading",
    "monitor": "reading",
    "store": "store",
    "export": "documents",
    "import": "documents",
}


def _usage(command: Any, ctx: Any, formatter: Any) -> None:
    formatter.write_usage(ctx.command_path, " ".join(command.collect_usage_pieces(ctx)), prefix=_("Usage:") + " ")


def _help_option(option: Any) -> Any:
    if option is not None:
        option.help = _("Show this message and exit.")
    return option


class Command(TyperCommand):
    """A command whose usage line and help option speak the chosen language."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _usage(self, ctx, formatter)

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))


class Group(TyperGroup):
    """The app and `sop store`, speaking the chosen language like each command."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _usage(self, ctx, formatter)

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))


SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 120}


def new_app(**options: Any) -> typer.Typer:
    return typer.Typer(
        cls=Group,
        context_settings=SETTINGS,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        **options,
    )


app = new_app(
    name="sop",
    help=N_("Run SOP Administrasi Pemerintahan (PermenPAN-RB 35/2012) as executable, auditable checklists."),
    no_args_is_help=True,
    add_completion=True,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sop (sopcli) {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    lang: Annotated[
        str | None, typer.Option("--lang", metavar="id|en", help=N_("language of everything sop prints: id or en"))
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_version, help=N_("print the version and exit"))
    ] = False,
) -> None:
    """The language was chosen before the command was built (see `language_of`); nothing to do here."""


# ---------------------------------------------------------------- shared by the groups


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


FormatOpt = Annotated[
    TableOrJson, typer.Option("--format", "-f", metavar="FORMAT", help=N_("table for people, json for scripts"))
]
RunOpt = Annotated[
    str | None,
    typer.Option("--run", "-r", metavar="RUN", help=N_("run id or a unique prefix; default: the current run")),
]
AsOpt = Annotated[
    str | None,
    typer.Option("--as", metavar="PERSON", help=N_("who is acting; default: SOP_USER, else your login")),
]


class Paper(StrEnum):
    a4 = "a4"
    f4 = "f4"


PaperOpt = Annotated[
    Paper,
    typer.Option("--paper", metavar="a4|f4", help=N_("paper of the printed form, landscape: a4, or f4 (210 × 330 mm)")),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE", help=N_("write the html or pdf to FILE (pdf needs it)")),
]
PRINTED = ("html", "pdf")


def check_output(fmt: str, output: Path | None) -> None:
    """-o belongs to the printed formats, and a PDF has nowhere to go but a file: bad usage, before any work."""
    if output is not None and fmt not in PRINTED:
        raise Usage(_("-o FILE is for --format html or pdf"), _("other formats go to standard output"))
    if fmt == "pdf" and output is None:
        raise Usage(_("--format pdf needs -o FILE"), _("or use --format html to write the page to standard output"))
    if output is not None and not output.parent.is_dir():
        raise SopError(
            _("cannot write {path}: the folder {folder} does not exist", path=output, folder=output.parent),
            _("create the folder first, or choose another file"),
        )


def print_document(html: str, fmt: str, output: Path | None, paper: str) -> None:
    """The printed form: HTML to standard output or to FILE (whole or not at all), PDF through the browser."""
    if fmt == "pdf" and output is not None:
        from sopcli.browser import print_pdf

        print_pdf(html, output, paper=paper)
    elif output is not None:
        from sopcli.safefs import atomic_write

        atomic_write(output, html.encode("utf-8"))
    else:
        typer.echo(html, nl=False)


def command(name: str, help: str, **options: Any) -> Callable[[F], F]:  # noqa: A002 - Typer's own word
    """Registers a command whose SopErrors become one line on stderr and exit 1: the only translation."""

    def register(fn: F) -> F:
        @functools.wraps(fn)
        def translated(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except InvalidSop as err:
                for problem in err.problems:
                    warn(problem)
                raise typer.Exit(1) from None
            except Usage as err:
                fail(str(err), code=2)
            except SopError as err:
                fail(str(err))

        target = options.pop("app", app)
        target.command(name, help=help, cls=Command, **options)(translated)
        return fn

    return register


def say(text: str = "", *, nl: bool = True) -> None:
    """A line for people on stdout, terminal-safe whatever user text it carries."""
    from sopcli.render import terminal_text

    typer.echo(terminal_text(text), nl=nl)


def warn(text: str) -> None:
    from sopcli.render import terminal_text

    typer.echo(terminal_text(text), err=True)


def fail(message: str, code: int = 1) -> None:
    from sopcli.render import one_line

    typer.echo(f"sop: {one_line(message)}", err=True)
    raise typer.Exit(code)


def environment(ctx: typer.Context) -> Environment:
    if not isinstance(ctx.obj, Environment):
        ctx.obj = Environment.from_os()
    return ctx.obj


def print_json(data: Any) -> None:
    from sopcli.render.data import to_json

    typer.echo(to_json(data), nl=False)


def print_lines(make: Callable[[int, Any], list[Any]]) -> None:
    """Draws a view at the terminal's width with the characters its encoding can write."""
    from sopcli.render.terminal import charset, console, emit

    out = console()
    emit(make(out.width, charset(out)), out)


# ---------------------------------------------------------------- building and running


def language_of(argv: Sequence[str], environ: Any = None) -> str:
    """`--lang` (wherever it stands before `--`), else SOP_LANG, else the locale, else Indonesian."""
    asked = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            asked = argv[i + 1]
        elif arg.startswith("--lang="):
            asked = arg.split("=", 1)[1]
    return choose(asked, os.environ if environ is None else environ)


def _fallback_language() -> str:
    """The language to refuse an unknown one in: the locale's, else Indonesian."""
    try:
        return choose(None, {k: v for k, v in os.environ.items() if k != "SOP_LANG"})
    except UnknownLanguage:
        return "id"


def _command_name(argv: Sequence[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--lang":
            skip = True
            continue
        if not arg.startswith("-"):
            return arg
    return None


def build(argv: Sequence[str]) -> Any:
    """The click command for this invocation, in the chosen language: only the named command's group
    is imported (Typer builds every registered command, and `sop done` should not pay for the rest)."""
    name = _command_name(argv)
    completing = any(key.startswith("_SOP_COMPLETE") for key in os.environ)
    if name in GROUPS and not completing:
        importlib.import_module(f"sopcli.cli.{GROUPS[name]}")
        single = new_app(name="sop", add_completion=False)
        single.callback()(_global)
        single.registered_commands = [c for c in app.registered_commands if c.name == name]
        single.registered_groups = [g for g in app.registered_groups if g.name == name]
        chosen = single
    else:
        for module in sorted(set(GROUPS.values())):
            importlib.import_module(f"sopcli.cli.{module}")
        chosen = app
    command = typer.main.get_command(chosen)
    _translate(command)
    return command


def _translate(command: Any) -> None:
    """Every help text of the command tree in the chosen language (they are written as msgids)."""
    if command.help:
        command.help = _(command.help)
        command.short_help = command.help.split("\n")[0]
    if getattr(command, "options_metavar", None):
        command.options_metavar = _("[OPTIONS]")
    if getattr(command, "subcommand_metavar", None):
        command.subcommand_metavar = _("COMMAND [ARGS]...")
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _(param.help)
        if getattr(param, "metavar", None):
            param.metavar = _(param.metavar)
        if getattr(param, "param_type_name", "") == "argument":
            # arguments are named by their metavar (STEP, FILE...), not by a Python type or {braces}
            param.display_type_rich = lambda ctx: None
            param._usage_display_name = lambda p=param: p.display_name_raw + ("" if p.required else "?")
    for sub in getattr(command, "commands", {}).values():
        _translate(sub)


def run(argv: Sequence[str]) -> int:
    """Runs `sop` with these arguments; returns the exit code (0, 1 refused, 2 bad usage)."""
    from typer import _click
    from typer.exceptions import Abort

    try:
        language = language_of(argv)
    except UnknownLanguage as err:
        set_language(_fallback_language())
        names = " / ".join(LANGUAGES)
        message = _("unknown language {value!r}; sop speaks {names} (--lang id|en)", value=err.args[0], names=names)
        typer.echo(f"sop: {message}", err=True)
        return 2
    set_language(language)
    bind_framework()
    from sopcli.cli import completion

    asked = completion.requested(argv)
    if asked is not None:
        return completion.run(*asked)
    try:
        command = build(argv)
        code = command.main(args=list(argv), prog_name="sop", standalone_mode=False)
    except _click.exceptions.UsageError as err:
        _usage_error(err)
        return 2
    except (Abort, KeyboardInterrupt):
        typer.echo(_("Aborted."), err=True)
        return 130
    except SopError as err:  # raised outside a command, e.g. by a bad SOP_NOW
        from sopcli.render import one_line

        typer.echo(f"sop: {one_line(str(err))}", err=True)
        return 1
    except Exception as err:  # a bug: one line for the user, the details with SOP_DEBUG=1
        if os.environ.get("SOP_DEBUG"):
            raise
        from sopcli.render import one_line

        reason = one_line(f"{type(err).__name__}: {err}", 200)
        typer.echo("sop: " + _("unexpected error ({reason}); nothing more was done", reason=reason), err=True)
        typer.echo("     " + _("please report it; SOP_DEBUG=1 shows the details"), err=True)
        return 1
    finally:
        if "sopcli.store" in sys.modules:
            sys.modules["sopcli.store"].close_all()
    return code if isinstance(code, int) else 0


def _usage_error(err: Any) -> None:
    from sopcli.cli.usage import describe
    from sopcli.render import one_line

    hint = ""
    if err.ctx is not None:
        hint = " — " + _("see '{command} --help'", command=err.ctx.command_path)
    typer.echo(f"sop: {one_line(describe(err))}{hint}", err=True)


def main() -> None:
    """The console script: exit codes as `run` says; output closed early (`| head`) or full ends quietly."""
    for stream in (sys.stdout, sys.stderr):
        # a legacy console (cp1252) shows `?` for what it cannot write, never a crash; the views pick
        # ASCII marks there by themselves, so the marks stay distinct
        if (getattr(stream, "encoding", "") or "").lower().replace("-", "") not in ("utf8", "utf_8"):
            try:
                stream.reconfigure(errors="replace")  # type: ignore[union-attr]
            except (AttributeError, ValueError):
                pass
    try:
        code = run(sys.argv[1:])
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = 0
    except OSError as err:  # e.g. `sop log > /dev/full`
        _silence_stdout()
        sys.stderr.write("sop: " + _("could not write the output: {reason}", reason=os_reason(err)) + "\n")
        code = 1
    sys.exit(code)


def _silence_stdout() -> None:
    """Points stdout at /dev/null so that Python's own flush at exit cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
