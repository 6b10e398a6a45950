"""Commands on the store itself: `sop store info`, `sop store reindex`."""

from __future__ import annotations

import typer

from sopcli.cli import FormatOpt, TableOrJson, app, command, environment, new_app, print_json, say
from sopcli.i18n import N_, _

store_app = new_app(
    name="store", help=N_("The store of runs: where it is, and rebuilding its index."), no_args_is_help=True
)
app.add_typer(store_app, name="store")


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
    }
    for key, value in data.items():
        say(f"{labels.get(key, key):<16} {value}")


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
