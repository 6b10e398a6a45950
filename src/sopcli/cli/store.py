"""Commands on the store itself: init, info, migrate, reindex, set-aside."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from sopcli.cli import FormatOpt, TableOrJson, app, command, environment, new_app, print_json, say, warn
from sopcli.errors import Refused, SopError, Usage
from sopcli.i18n import N_, _

store_app = new_app(
    name="store",
    help=N_("The store of runs: creating the team store, where runs are, moving them, rebuilding the index."),
    no_args_is_help=True,
)
app.add_typer(store_app, name="store")

URL = Annotated[str | None, typer.Option(metavar="URL", help=N_("a PostgreSQL connection string"))]


@command(
    "init",
    help=N_("Creates or upgrades the team store's schema and the roles sop_user and sop_admin (SOP_STORE)."),
    app=store_app,
)
def init(ctx: typer.Context) -> None:
    from sopcli.store import open_store

    store: Any = open_store(environment(ctx))
    if store.kind != "postgresql":
        store._prepare()
        say(_("The embedded store at {home} is ready (it is created on first use).", home=store.location()))
        return
    lines = store.init()
    for line in lines:
        say(line)
    if store.summaries_removed:  # an upgrade removed summaries that disagreed with their records
        from sopcli.runs import Runs

        for change in Runs(environment(ctx), store=store).reindex():
            say(change)


@command("info", help=N_("Which store, its format, and how many runs and evidence files it holds."), app=store_app)
def info(ctx: typer.Context, fmt: FormatOpt = TableOrJson.table) -> None:
    from sopcli.store import open_store

    data = open_store(environment(ctx)).info()
    if fmt is TableOrJson.json:
        print_json(data)
        return
    labels = {
        "store": _("store"),
        "location": _("location"),
        "format": _("format"),
        "runs": _("runs"),
        "evidence_files": _("evidence files"),
        "evidence_bytes": _("evidence bytes"),
        "login": _("login"),
    }
    for key, value in data.items():
        say(f"{labels.get(key, key):<16} {value}")


@command(
    "migrate",
    help=N_("Copies the runs of SOP_HOME into a team store (--to URL) or back (--from URL), record for record."),
    app=store_app,
)
def migrate(
    ctx: typer.Context,
    to: URL = None,
    source: Annotated[
        str | None, typer.Option("--from", metavar="URL", help=N_("a PostgreSQL connection string"))
    ] = None,
) -> None:
    from dataclasses import replace

    from sopcli import migrate as moving
    from sopcli import report
    from sopcli.engine import fold
    from sopcli.runs import Runs
    from sopcli.store.postgres import PostgresStore
    from sopcli.store.tinydb import TinyStore

    if bool(to) == bool(source):
        raise Usage(_("say where to: --to URL or --from URL"), _("e.g. sop store migrate --to postgresql://host/sop"))
    env = environment(ctx)
    local = TinyStore(env.home, env.lock_timeout)
    from sopcli.store import _opened

    team = PostgresStore(replace(env, store_url=to or source))
    _opened.append(team)
    origin, target = (local, team) if to else (team, local)
    before, after = Runs(env, store=origin), Runs(env, store=target)

    def summarize(records: list[dict[str, Any]]) -> dict[str, Any]:
        return report.summary(fold(records), env.now())

    def checker(runs: Runs) -> Any:
        def check(run_id: str) -> list[str]:
            try:
                return runs.verify(run_id)[1]
            except SopError as err:
                return [err.message]

        return check

    done = moving.migrate(origin, target, summarize, checker(before), checker(after), progress=say)
    say(done.lines[-1])  # the count; each run's line was said as it was copied
    for run_id, reason in done.failed.items():
        warn("sop: " + _("run {run}: not copied: {reason}", run=run_id, reason=reason))
    if done.failed:
        raise typer.Exit(1)


@command("reindex", help=N_("Rebuilds the index of runs from the run files, and says what it changed."), app=store_app)
def reindex(ctx: typer.Context) -> None:
    from sopcli.runs import Runs

    changes = Runs(environment(ctx)).reindex()
    for change in changes:
        say(change)
    say(
        _("The index agrees with the run files.")
        if not changes
        else _("Index rebuilt: {count} change(s).", count=len(changes))
    )


@command(
    "set-aside",
    help=N_(
        "Sets aside evidence whose stored content does not have its SHA-256 (team store, sop_admin), "
        "so that attaching the file again stores it whole."
    ),
    app=store_app,
)
def set_aside(
    ctx: typer.Context,
    sha: Annotated[str, typer.Argument(metavar="SHA256", help=N_("the evidence's SHA-256, or its first digits"))],
) -> None:
    from sopcli.store import open_store

    store: Any = open_store(environment(ctx))
    if store.kind != "postgresql":
        raise Refused(
            _("set-aside is for a team store; the embedded store sets damaged evidence aside by itself"),
            _("set SOP_STORE to the team store"),
        )
    full = store.set_aside(sha.strip().lower())
    say(
        _(
            "Evidence {sha} set aside (its chunks stay in the database); attaching the file again stores it whole.",
            sha=full[:12],
        )
    )
