"""Commands that read runs: status, report, log, verify, runs, stats."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from sopcli.cli import (
    FormatOpt,
    OutputOpt,
    Paper,
    PaperOpt,
    RunOpt,
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
from sopcli.cli.definitions import find_sop
from sopcli.i18n import N_, _, _n

DEFAULT_LIMIT = 50


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    html = "html"
    pdf = "pdf"


# `report` and `monitor`: the same formats, for a run and for a period
DocumentFormatOpt = Annotated[
    ReportFormat, typer.Option("--format", "-f", metavar="FORMAT", help=N_("table, json, csv, md, html or pdf"))
]


class Status(StrEnum):
    active = "active"
    completed = "completed"
    cancelled = "cancelled"


def runs_of(ctx: typer.Context) -> Any:
    from sopcli.runs import Runs

    return Runs(environment(ctx))


@command(
    "status", help=N_("The current run in a few lines: active step, lane, person, time left, due, inputs and evidence.")
)
def status(ctx: typer.Context, run: RunOpt = None, fmt: FormatOpt = TableOrJson.table) -> None:
    data = runs_of(ctx).report(run)
    if fmt is TableOrJson.json:
        active = next((s for s in data["steps"] if s["status"] == "active"), None)
        print_json({"run": data["run"], "active": active, "totals": data["totals"]})
        return
    import sys

    from sopcli.render.charset import Charset
    from sopcli.render.text import run_status

    say(run_status(data, Charset.for_encoding(getattr(sys.stdout, "encoding", None))))


@command(
    "report",
    help=N_("The swimlane report: every step's lane, who did it, working time against its standard, evidence."),
)
def report_cmd(
    ctx: typer.Context,
    run: RunOpt = None,
    fmt: DocumentFormatOpt = ReportFormat.table,
    output: OutputOpt = None,
    paper: PaperOpt = Paper.a4,
) -> None:
    check_output(fmt.value, output)
    runs = runs_of(ctx)
    data = runs.report(run)
    if fmt in (ReportFormat.html, ReportFormat.pdf):
        from sopcli.render.dossier import run_dossier

        page = run_dossier(data, runs.records(run), verification(runs, run), paper.value)
        print_document(page, fmt.value, output, paper.value)
        return
    if fmt is ReportFormat.table:
        from sopcli.render.views import run_report

        print_lines(lambda width, cs: run_report(data, width, cs))
        return
    from sopcli.render import data as formats

    render = {"json": formats.to_json, "csv": formats.report_csv, "md": formats.report_md}[fmt.value]
    typer.echo(render(data), nl=False)


@command("log", help=N_("The run's audit trail, oldest first."))
def log(ctx: typer.Context, run: RunOpt = None, fmt: FormatOpt = TableOrJson.table) -> None:
    records = runs_of(ctx).records(run)
    if fmt is TableOrJson.json:
        print_json(records)
        return
    from sopcli.render.views import log_table

    print_lines(lambda width, cs: log_table(records, width, cs))


@command(
    "verify",
    help=N_(
        "Checks the run's chain of records against the index and the rules, and every evidence file; "
        "exit 1 naming each problem."
    ),
)
def verify(
    ctx: typer.Context,
    run: RunOpt = None,
    every: Annotated[
        bool, typer.Option("--all", help=N_("every run of the store, and the index against the run files"))
    ] = False,
) -> None:
    runs = runs_of(ctx)
    if every:
        count, problems = runs.verify_all()
        for problem in problems:
            warn(f"sop: {problem}")
        if problems:
            raise typer.Exit(1)
        say(
            _n(
                "{count} run checked: every chain, index row and evidence file is intact.",
                "{count} runs checked: every chain, index row and evidence file is intact.",
                count,
            )
        )
        return
    found = verification(runs, run)
    if found["problems"]:
        for problem in found["problems"]:
            warn(f"sop: {problem}")
        raise typer.Exit(1)
    say(
        _(
            "Run {run}: {records} records intact and within the rules; {files} evidence file(s) match their SHA-256.",
            run=found["run"],
            records=found["records"],
            files=found["files"],
        )
    )


PeriodOpt = Annotated[
    str | None,
    typer.Option(
        "--period", metavar="PERIOD", help=N_("a year, half, quarter or month: 2026, 2026-H2, 2026-Q4, 2026-12")
    ),
]
FromOpt = Annotated[str | None, typer.Option("--from", metavar="DATE", help=N_("the first day (YYYY-MM-DD)"))]
ToOpt = Annotated[str | None, typer.Option("--to", metavar="DATE", help=N_("the last day (YYYY-MM-DD), included"))]


def query_of(runs: Any, *, period: str | None, since: str | None, until: str | None, **fields: Any) -> Any:
    from sopcli.queries import Query, parse_period

    return Query(period=parse_period(period, since, until), now=runs.env.now(), **fields)


def verification(runs: Any, run: str | None) -> dict[str, Any]:
    """What `sop verify` finds for a run: its problems, else how many records and evidence files it vouched for."""
    state, problems = runs.verify(run)
    if state is None or problems:
        return {"run": run, "problems": problems, "records": 0, "files": 0}
    files = len({f["sha256"] for s in state.steps.values() for p in s.passes for f in [*p.outputs, *p.inputs]})
    return {"run": state.id, "problems": [], "records": state.seq, "files": files}


@command("runs", help=N_("The runs, newest first (the newest 50 unless --limit or --all)."))
def list_runs(
    ctx: typer.Context,
    sop: Annotated[
        str | None, typer.Option("--sop", metavar="SOP", help=N_("only runs of this SOP id or number"))
    ] = None,
    status: Annotated[
        Status | None, typer.Option("--status", metavar="STATUS", help=N_("active, completed or cancelled"))
    ] = None,
    period: PeriodOpt = None,
    since: FromOpt = None,
    until: ToOpt = None,
    person: Annotated[
        str | None,
        typer.Option("--person", metavar="PERSON", help=N_("runs this person started, holds a lane in, or acted in")),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help=N_("runs whose active step is past its deadline"))] = False,
    limit: Annotated[
        int, typer.Option("--limit", metavar="N", min=1, help=N_("show at most N runs in the table"))
    ] = DEFAULT_LIMIT,
    every: Annotated[bool, typer.Option("--all", help=N_("show every run in the table"))] = False,
    fmt: FormatOpt = TableOrJson.table,
) -> None:
    runs = runs_of(ctx)
    query = query_of(
        runs,
        period=period,
        since=since,
        until=until,
        sop=sop,
        status=status.value if status else None,
        person=person,
        overdue=overdue,
    )
    unindexed = runs.store.unindexed()
    if unindexed:
        text = _(
            "run files not in the index (not listed): {ids}; after checking, run `sop store reindex`",
            ids=", ".join(unindexed[:10]),
        )
        warn("sop: " + _("warning: {text}", text=text))
    rows = runs.store.listing(query)
    if fmt is TableOrJson.json:
        print_json(rows)
        return
    if not rows:
        filtered = any((sop, status, query.period, person, overdue))
        say(_("No run matches.") if filtered else _("No runs here yet; start one with `sop start SOP`."))
        return
    shown = rows if every else rows[:limit]
    from sopcli.render.views import runs_table

    print_lines(lambda width, cs: runs_table(shown, width, cs))
    if len(shown) < len(rows):
        say(_("{shown} of {total} runs shown; --limit N or --all shows more.", shown=len(shown), total=len(rows)))


@command("inbox", help=N_("What waits for you: the active steps in your lanes across all runs, overdue first."))
def inbox(
    ctx: typer.Context,
    person: Annotated[
        str | None, typer.Option("--person", metavar="PERSON", help=N_("what waits for this person"))
    ] = None,
    everyone: Annotated[bool, typer.Option("--all", help=N_("what waits for everyone, unassigned lanes too"))] = False,
    fmt: FormatOpt = TableOrJson.table,
) -> None:
    runs = runs_of(ctx)
    rows = runs.inbox(person, everyone)
    for warning in runs.warnings:
        warn("sop: " + _("warning: {text}", text=warning))
    if fmt is TableOrJson.json:
        print_json([{k: v for k, v in row.items() if k != "inputs"} for row in rows])
        return
    if not rows:
        say(_("Nothing waits here."))
        return
    from sopcli.render.views import inbox_table

    print_lines(lambda width, cs: inbox_table(rows, width, cs))


@command(
    "stats",
    help=N_("Across the SOP's completed runs, per step: count, median, p90, standard, median overrun, share on time."),
)
def stats(
    ctx: typer.Context,
    sop: Annotated[str, typer.Argument(metavar="SOP", help=N_("SOP id or Nomor SOP"))],
    period: PeriodOpt = None,
    since: FromOpt = None,
    until: ToOpt = None,
    fmt: FormatOpt = TableOrJson.table,
) -> None:
    runs = runs_of(ctx)
    found = find_sop(runs.env, sop)
    query = query_of(runs, period=period, since=since, until=until)
    standards = {s.no: found.standard_minutes(s) for s in found.steps}
    data = runs.store.step_stats(found.id, standards, query)
    if query.period is not None:
        data["period"] = query.period.document()
    if fmt is TableOrJson.json:
        print_json(data)
        return
    if query.period is not None and not data["runs"]:
        say(_("No completed run of {sop} in this period.", sop=found.id))
        return
    from sopcli.render.views import stats_table

    day = found.calendar.day_minutes
    print_lines(lambda width, cs: stats_table({**data, "day_minutes": day}, width, cs))


@command(
    "monitor",
    help=N_("Tabel 7, Monitoring Pelaksanaan SOP AP: per step the facts of a period's runs and a proposed assessment."),
)
def monitor(
    ctx: typer.Context,
    sop: Annotated[str, typer.Argument(metavar="SOP", help=N_("SOP id or Nomor SOP"))],
    period: PeriodOpt = None,
    since: FromOpt = None,
    until: ToOpt = None,
    fmt: DocumentFormatOpt = ReportFormat.table,
    output: OutputOpt = None,
    paper: PaperOpt = Paper.a4,
) -> None:
    from zoneinfo import ZoneInfo

    from sopcli import monitor as monitoring
    from sopcli import summaries
    from sopcli.model import sop_document
    from sopcli.queries import Query, parse_period

    check_output(fmt.value, output)
    runs = runs_of(ctx)
    found = find_sop(runs.env, sop)
    zone = ZoneInfo(found.calendar.timezone)
    chosen = parse_period(period, since, until) or _this_half(runs.env.now().astimezone(zone))
    query = Query(sop=found.id, period=chosen, now=runs.env.now())
    document = sop_document(found)
    data = summaries.diagnosed(runs.rows(query), lambda rows: monitoring.build(document, rows, chosen, runs.env.now()))
    if fmt is ReportFormat.json:
        print_json(data)
        return
    if fmt is ReportFormat.csv:
        from sopcli.render.data import monitor_csv

        typer.echo(monitor_csv(data), nl=False)
        return
    if not data["runs"]["total"]:  # for people one line; json and csv above stay data with their zeros
        say(_("No run of {sop} was active from {first} to {last}.", sop=found.id, first=chosen.first, last=chosen.last))
        return
    if fmt is ReportFormat.md:
        from sopcli.render.data import monitor_md

        typer.echo(monitor_md(data, found.calendar.day_minutes), nl=False)
        return
    if fmt in (ReportFormat.html, ReportFormat.pdf):
        from sopcli.render.tabel7 import monitor_form

        form = monitor_form(data, found.calendar.day_minutes, paper.value)
        print_document(form, fmt.value, output, paper.value)
        return
    from sopcli.render.views import monitor_table

    day = found.calendar.day_minutes
    print_lines(lambda width, cs: monitor_table(data, day, width, cs))


def _this_half(now: Any) -> Any:
    """Without a period: the half-year that holds today in the SOP's timezone (monitoring is six-monthly)."""
    from sopcli.queries import parse_period

    return parse_period(f"{now.year}-H{1 if now.month <= 6 else 2}")
