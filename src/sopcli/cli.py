"""The `sop` command: parses arguments, calls the core, hands results to a renderer, maps errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import StrEnum
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


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


class ShowFormat(StrEnum):
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
    from sopcli.render.data import to_json

    typer.echo(to_json(data), nl=False)


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

    rows, broken = loader.catalogue(_dirs(environment(ctx)))
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


# ---------------------------------------------------------------- runs

RunOpt = Annotated[str | None, typer.Option("--run", "-r", help="run id or unique prefix; default: the current run")]
AsOpt = Annotated[str | None, typer.Option("--as", help="who is acting; default: SOP_USER, else your login")]
AtOpt = Annotated[str | None, typer.Option("--at", help="when it happened: ISO 8601 or 'YYYY-MM-DD HH:MM'")]
ForceOpt = Annotated[bool, typer.Option("--force", help="act in a lane assigned to someone else (recorded)")]


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


class Status(StrEnum):
    active = "active"
    completed = "completed"
    cancelled = "cancelled"


def _runs(ctx: typer.Context, acting: str | None = None) -> Any:
    from sopcli.runs import Runs

    env = environment(ctx)
    if acting:
        env.user = acting
    runs = Runs(env)

    def warn() -> None:
        for warning in runs.warnings:
            typer.echo(f"sop: warning: {warning}", err=True)

    ctx.call_on_close(warn)
    return runs


def _pairs(items: list[str]) -> dict[str, str]:
    pairs = {}
    for item in items:
        actor, sep, person = item.partition("=")
        if not sep or not actor.strip() or not person.strip():
            raise SopError(f"--assign {item!r} is not ACTOR=PERSON", "e.g. --assign kasubbag=budi")
        pairs[actor.strip()] = person.strip()
    return pairs


def _next_line(runs: Any, state: Any) -> str:
    """What the people running the SOP need after each action: who holds the work now."""
    from sopcli import report
    from sopcli.render.text import handover

    active = state.active
    step = report.step_report(state, active, runs.env.now()) if active else None
    return handover(state.id, state.status, step, state.plan.calendar.day_minutes)


@command("start")
def start(
    ctx: typer.Context,
    sop: Annotated[str, typer.Argument(help="SOP id, Nomor SOP, or path to a YAML file")],
    title: Annotated[str | None, typer.Option("--title", help="a name for this run")] = None,
    assign: Annotated[list[str], typer.Option("--assign", help="ACTOR=PERSON, repeatable")] = [],  # noqa: B006
    at: AtOpt = None,
    acting: AsOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print only the run id")] = False,
    fmt: FormatOpt = TableOrJson.table,
) -> None:
    """Starts a run of an SOP, prints its id and makes it current; step one becomes active."""
    runs = _runs(ctx, acting)
    state = runs.start(_find_sop(runs.env, sop), title=title, assignments=_pairs(assign), at=at)
    if fmt is TableOrJson.json:
        _print_json(runs.report(state.id)["run"])
    elif quiet:
        typer.echo(state.id)
    else:
        typer.echo(f"Started run {state.id}: {state.plan.number} — {state.title}")
        typer.echo(_next_line(runs, state))


@command("runs")
def list_runs(
    ctx: typer.Context,
    sop: Annotated[str | None, typer.Option("--sop", help="only runs of this SOP id")] = None,
    status: Annotated[Status | None, typer.Option("--status")] = None,
    fmt: FormatOpt = TableOrJson.table,
) -> None:
    """The runs, newest first."""
    keys = ("id", "sop", "number", "title", "status", "started_at", "finished_at", "started_by", "active_step")
    rows = [
        {k: row.get(k) for k in keys}
        for row in _runs(ctx).summaries()
        if (sop is None or sop in (row["sop"], row["number"])) and (status is None or row["status"] == status.value)
    ]
    rows.sort(key=lambda r: (r["started_at"], r["id"]), reverse=True)
    if fmt is TableOrJson.json:
        _print_json(rows)
    else:
        from sopcli.render.table import runs_table

        _print_rich(runs_table(rows))


@command("use")
def use(ctx: typer.Context, run: Annotated[str, typer.Argument(help="run id or a unique prefix")]) -> None:
    """Makes RUN the current run."""
    typer.echo(f"Current run: {_runs(ctx).use(run)}")


@command("done")
def done(
    ctx: typer.Context,
    step: Annotated[int, typer.Argument(help="the active step's number")],
    attach: Annotated[list[Path], typer.Option("--attach", "-a", help="output artifact (repeatable)")] = [],  # noqa: B006
    inputs: Annotated[list[Path], typer.Option("--input", "-i", help="input artifact received (repeatable)")] = [],  # noqa: B006
    note: Annotated[str | None, typer.Option("--note", "-n")] = None,
    outcome: Annotated[str | None, typer.Option("--outcome", "-o", help="which way a decision went")] = None,
    at: AtOpt = None,
    force: ForceOpt = False,
    run: RunOpt = None,
    acting: AsOpt = None,
) -> None:
    """Completes the active step, with its evidence; prints what is active next and in whose lane."""
    runs = _runs(ctx, acting)
    state = runs.done(run, step, at=at, outcome=outcome, note=note, outputs=attach, inputs=inputs, force=force)
    from sopcli import report
    from sopcli.render import fmt_minutes

    finished = report.step_report(state, state.steps[step], runs.env.now())
    day = state.plan.calendar.day_minutes
    verdict = "on time" if finished["on_time"] else "late"
    typer.echo(
        f"Step {step} done ({verdict}: {fmt_minutes(finished['elapsed_minutes'], day)} of "
        f"{fmt_minutes(finished['standard_minutes'], day)})."
    )
    typer.echo(_next_line(runs, state))


@command("attach")
def attach(
    ctx: typer.Context,
    step: Annotated[int, typer.Argument()],
    files: Annotated[list[Path], typer.Argument(help="files to add as evidence")],
    as_input: Annotated[bool, typer.Option("--input", help="the files are inputs the step received")] = False,
    force: ForceOpt = False,
    run: RunOpt = None,
    acting: AsOpt = None,
) -> None:
    """Adds output (or, with --input, input) artifacts to an active or done step."""
    _runs(ctx, acting).attach(run, step, files, as_input=as_input, force=force)
    kind = "input" if as_input else "output"
    typer.echo(f"Attached {len(files)} {kind} file(s) to step {step}.")


@command("note")
def note(
    ctx: typer.Context,
    step: Annotated[int, typer.Argument()],
    text: Annotated[str, typer.Argument()],
    run: RunOpt = None,
    acting: AsOpt = None,
) -> None:
    """Adds a note to a step (anyone may; it is recorded under their name)."""
    runs = _runs(ctx, acting)
    runs.note(run, step, text)
    typer.echo(f"Noted on step {step} by {runs.env.user}.")


@command("assign")
def assign(
    ctx: typer.Context,
    pair: Annotated[str, typer.Argument(metavar="ACTOR=PERSON")],
    run: RunOpt = None,
    acting: AsOpt = None,
) -> None:
    """Assigns a lane of the run to a person; only they may then complete its steps."""
    ((actor, person),) = _pairs([pair]).items()
    state = _runs(ctx, acting).assign(run, actor, person)
    typer.echo(f"Lane {state.plan.actors[actor]} is assigned to {person}.")


@command("undo")
def undo(ctx: typer.Context, run: RunOpt = None, acting: AsOpt = None) -> None:
    """Takes back the run's last completion (recorded, not erased)."""
    runs = _runs(ctx, acting)
    state = runs.undo(run)
    typer.echo("Undone: the last completion was taken back.")
    typer.echo(_next_line(runs, state))


@command("cancel")
def cancel(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option("--reason", help="why the run stops")],
    run: RunOpt = None,
    acting: AsOpt = None,
) -> None:
    """Cancels the run."""
    state = _runs(ctx, acting).cancel(run, reason)
    typer.echo(f"Run {state.id} cancelled.")


@command("status")
def status(ctx: typer.Context, run: RunOpt = None, fmt: FormatOpt = TableOrJson.table) -> None:
    """The current run in a few lines: active step, lane, person, time left, inputs and evidence."""
    data = _runs(ctx).report(run)
    if fmt is TableOrJson.json:
        active = next((s for s in data["steps"] if s["status"] == "active"), None)
        _print_json({"run": data["run"], "active": active, "totals": data["totals"]})
    else:
        from sopcli.render.text import run_status

        typer.echo(run_status(data))


@command("report")
def report_cmd(
    ctx: typer.Context,
    run: RunOpt = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.table,
) -> None:
    """The swimlane report: every step's lane, state, working time against its standard, evidence."""
    data = _runs(ctx).report(run)
    if fmt is ReportFormat.table:
        from sopcli.render.table import console, run_report

        out = console()
        out.print(run_report(data, out.width))
        return
    from sopcli.render import data as formats

    render = {"json": formats.to_json, "csv": formats.report_csv, "md": formats.report_md}[fmt.value]
    typer.echo(render(data), nl=False)


@command("log")
def log(ctx: typer.Context, run: RunOpt = None, fmt: FormatOpt = TableOrJson.table) -> None:
    """The run's audit trail, oldest first."""
    records = _runs(ctx).records(run)
    if fmt is TableOrJson.json:
        _print_json(records)
    else:
        from sopcli.render.table import log_table

        _print_rich(log_table(records))


@command("verify")
def verify(ctx: typer.Context, run: RunOpt = None) -> None:
    """Checks the run's chain of records and every evidence file; exit 1 naming the first problem."""
    state, problems = _runs(ctx).verify(run)
    if problems:
        for problem in problems:
            typer.echo(f"sop: {problem}", err=True)
        raise typer.Exit(1)
    assert state is not None
    files = sum(len(p.outputs) + len(p.inputs) for s in state.steps.values() for p in s.passes)
    typer.echo(f"Run {state.id}: {state.seq} records intact, {files} evidence file(s) match their SHA-256.")


@command("stats")
def stats(
    ctx: typer.Context,
    sop: Annotated[str, typer.Argument(help="SOP id or Nomor SOP")],
    fmt: FormatOpt = TableOrJson.table,
) -> None:
    """Across the SOP's completed runs, per step: count, median, p90, standard, share on time."""
    from sopcli.stats import step_stats

    runs = _runs(ctx)
    found = _find_sop(runs.env, sop)
    standards = {s.no: found.standard_minutes(s) for s in found.steps}
    data = step_stats(found.id, standards, runs.summaries())
    if fmt is TableOrJson.json:
        _print_json(data)
    else:
        from sopcli.render.table import stats_table

        _print_rich(stats_table({**data, "day_minutes": found.calendar.day_minutes}))


def _only(name: str) -> typer.Typer:
    """An app holding just the command being run: Typer builds every registered command at start-up,
    and a short-lived `sop done` should not pay for the other sixteen."""
    single = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    single.callback()(lambda: None)
    single.registered_commands = [c for c in app.registered_commands if c.name == name]
    return single


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    known = {c.name for c in app.registered_commands}
    try:
        (_only(name) if name in known else app)(prog_name="sop")
    except SopError as err:  # raised outside a command, e.g. by a bad SOP_NOW
        typer.echo(f"sop: {err}", err=True)
        sys.exit(1)
