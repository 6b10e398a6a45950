"""Commands that record what happened in a run: start, use, done, attach, note, assign, undo, cancel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sopcli.cli import AsOpt, FormatOpt, RunOpt, TableOrJson, command, environment, print_json, say, warn
from sopcli.cli.definitions import SopArg, find_sop
from sopcli.errors import Usage
from sopcli.i18n import N_, _, _n

AtOpt = Annotated[
    str | None,
    typer.Option(
        "--at", metavar="TIME", help=N_("when it happened: ISO 8601 or 'YYYY-MM-DD HH:MM' (not in the future)")
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help=N_("act in a lane assigned to someone else (the override is recorded)"))
]
StepArg = Annotated[int, typer.Argument(metavar="STEP", help=N_("the step's number"))]
Files = Annotated[list[Path], typer.Option(metavar="FILE")]


def runs_for(ctx: typer.Context, acting: str | None = None) -> Any:
    """The run operations for this command, acting as `--as` when given; warnings are printed at the end."""
    from sopcli.env import checked_text
    from sopcli.runs import Runs

    env = environment(ctx)
    if acting is not None:
        if not checked_text(acting, "--as").strip():
            raise Usage(_("--as needs a name"), _("e.g. --as budi"))
        env.user, env.user_given = acting.strip(), True
    runs = Runs(env)

    def flush_warnings() -> None:
        for warning in runs.warnings:
            warn("sop: " + _("warning: {text}", text=warning))

    ctx.call_on_close(flush_warnings)
    return runs


def pairs(items: list[str]) -> dict[str, str]:
    found = {}
    for item in items:
        actor, sep, person = item.partition("=")
        if not sep or not actor.strip() or not person.strip():
            raise Usage(_("--assign {value!r} is not ACTOR=PERSON", value=item), _("e.g. --assign kasubbag=budi"))
        found[actor.strip()] = person.strip()
    return found


def next_line(runs: Any, state: Any) -> str:
    """What the people running the SOP need after each action: who holds the work now."""
    from sopcli import report
    from sopcli.render.text import handover

    active = state.active
    step = report.step_report(state, active, runs.env.now()) if active else None
    return handover(state.id, state.status, step, state.plan.calendar.day_minutes)


@command("start", help=N_("Starts a run of an SOP, prints its id and makes it current; the first step becomes active."))
def start(
    ctx: typer.Context,
    sop: SopArg,
    title: Annotated[str | None, typer.Option("--title", metavar="TEXT", help=N_("a name for this run"))] = None,
    assign: Annotated[
        list[str], typer.Option("--assign", metavar="ACTOR=PERSON", help=N_("assign a lane to a person (repeatable)"))
    ] = [],  # noqa: B006
    at: AtOpt = None,
    acting: AsOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=N_("print only the run id"))] = False,
    fmt: FormatOpt = TableOrJson.table,
) -> None:
    from sopcli.env import checked_text

    runs = runs_for(ctx, acting)
    if title is not None:
        checked_text(title, "--title")
    state = runs.start(find_sop(runs.env, sop, deep=True), title=title, assignments=pairs(assign), at=at)
    if fmt is TableOrJson.json:
        print_json(runs.report(state.id)["run"])
    elif quiet:
        say(state.id)
    else:
        say(_("Started run {run}: {number} — {title}", run=state.id, number=state.plan.number, title=state.title))
        say(next_line(runs, state))


@command("use", help=N_("Makes RUN the current run."))
def use(
    ctx: typer.Context, run: Annotated[str, typer.Argument(metavar="RUN", help=N_("run id or a unique prefix"))]
) -> None:
    say(_("Current run: {run}", run=runs_for(ctx).use(run)))


@command(
    "done",
    help=N_(
        "Completes the active step (or your lane's part of it), with its evidence; "
        "prints what is active next and in whose lane."
    ),
)
def done(
    ctx: typer.Context,
    step: StepArg,
    attach: Annotated[
        list[Path], typer.Option("--attach", "-a", metavar="FILE", help=N_("an output the step produced (repeatable)"))
    ] = [],  # noqa: B006
    inputs: Annotated[
        list[Path], typer.Option("--input", "-i", metavar="FILE", help=N_("an input the step received (repeatable)"))
    ] = [],  # noqa: B006
    note: Annotated[
        str | None, typer.Option("--note", "-n", metavar="TEXT", help=N_("a note kept with the completion"))
    ] = None,
    outcome: Annotated[
        str | None, typer.Option("--outcome", "-o", metavar="NAME", help=N_("which way a decision went"))
    ] = None,
    lane: Annotated[
        str | None,
        typer.Option(
            "--lane", metavar="LANE", help=N_("the lane whose part you are doing, when you could act in several")
        ),
    ] = None,
    at: AtOpt = None,
    force: ForceOpt = False,
    run: RunOpt = None,
    acting: AsOpt = None,
) -> None:
    runs = runs_for(ctx, acting)
    state = runs.done(
        run, step, at=at, outcome=outcome, note=note, outputs=attach, inputs=inputs, force=force, lane=lane
    )
    from sopcli import report
    from sopcli.render import words as w

    finished = report.step_report(state, state.steps[step], runs.env.now())
    day = state.plan.calendar.day_minutes
    if finished["status"] != "done":
        open_lanes = ", ".join(p["lane_name"] for p in finished["parts"] if p["status"] == "open")
        say(_("Your part of step {no} is done; it waits for: {lanes}.", no=step, lanes=open_lanes))
        return
    if finished["group_standard_minutes"] is None:
        verdict = _(
            "Step {no} done ({time}; no time standard).", no=step, time=w.minutes(finished["elapsed_minutes"], day)
        )
    elif finished["on_time"] is None:
        verdict = _(
            "Step {no} done ({time}; judged with step {steps}).",
            no=step,
            time=w.minutes(finished["elapsed_minutes"], day),
            steps=", ".join(map(str, finished["shared_with"])),
        )
    else:
        word = _("on time") if finished["on_time"] else _("late")
        verdict = _(
            "Step {no} done ({verdict}: {elapsed} of {standard}).",
            no=step,
            verdict=word,
            elapsed=w.minutes(finished["elapsed_minutes"], day),
            standard=w.minutes(finished["group_standard_minutes"], day),
        )
    say(verdict)
    say(next_line(runs, state))


@command("attach", help=N_("Adds output (or, with --input, input) evidence to an active or done step."))
def attach(
    ctx: typer.Context,
    step: StepArg,
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help=N_("files to add as evidence"))],
    as_input: Annotated[bool, typer.Option("--input", help=N_("the files are inputs the step received"))] = False,
    force: ForceOpt = False,
    run: RunOpt = None,
    acting: AsOpt = None,
) -> None:
    runs_for(ctx, acting).attach(run, step, files, as_input=as_input, force=force)
    if as_input:
        say(
            _n(
                "Attached {count} input file to step {no}.",
                "Attached {count} input files to step {no}.",
                len(files),
                no=step,
            )
        )
    else:
        say(
            _n(
                "Attached {count} output file to step {no}.",
                "Attached {count} output files to step {no}.",
                len(files),
                no=step,
            )
        )


@command("note", help=N_("Adds a note to a step (anyone may; it is recorded under their name)."))
def note(
    ctx: typer.Context,
    step: StepArg,
    text: Annotated[str, typer.Argument(metavar="TEXT", help=N_("the note"))],
    run: RunOpt = None,
    acting: AsOpt = None,
) -> None:
    runs = runs_for(ctx, acting)
    runs.note(run, step, text)
    say(_("Noted on step {no} by {person}.", no=step, person=runs.actor))


@command("assign", help=N_("Assigns a lane of the run to a person; only they may then complete its steps."))
def assign(
    ctx: typer.Context,
    pair: Annotated[str, typer.Argument(metavar="ACTOR=PERSON", help=N_("the lane's id and the person"))],
    run: RunOpt = None,
    acting: AsOpt = None,
) -> None:
    ((actor, person),) = pairs([pair]).items()
    state = runs_for(ctx, acting).assign(run, actor, person)
    say(_("Lane {lane} is assigned to {person}.", lane=state.plan.actors[actor], person=person))


@command(
    "undo",
    help=N_(
        "Takes back the run's last completion (recorded, not erased): the person who made it or the lane's person may."
    ),
)
def undo(ctx: typer.Context, force: ForceOpt = False, run: RunOpt = None, acting: AsOpt = None) -> None:
    from sopcli.render import words as w

    runs = runs_for(ctx, acting)
    state, taken = runs.undo(run, force=force)
    say(
        _(
            "Taken back: the completion of step {no} by {person}, recorded {at}.",
            no=taken.step,
            person=taken.by,
            at=w.moment(taken.recorded_at),
        )
    )
    say(next_line(runs, state))


@command("cancel", help=N_("Cancels the run; nothing more can be recorded on it."))
def cancel(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help=N_("why the run stops"))],
    run: RunOpt = None,
    acting: AsOpt = None,
) -> None:
    state = runs_for(ctx, acting).cancel(run, reason)
    say(_("Run {run} cancelled.", run=state.id))
