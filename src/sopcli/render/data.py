"""Reports for scripts and documents: JSON, CSV and Markdown, all drawn from the same plain object.
JSON and CSV keep their keys and values in every language; Markdown is for people and follows it."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sopcli.i18n import _
from sopcli.render import csv_cell, mark_of, markdown_text
from sopcli.render import words as w

SCALARS = (
    "no",
    "activity",
    "actor",
    "actor_name",
    "person",
    "status",
    "passes",
    "standard_minutes",
    "elapsed_minutes",
    "overrun_minutes",
    "on_time",
    "started_at",
    "finished_at",
    "due_at",
    "by",
    "outcome",
    "forced",
)


def to_json(data: Any) -> str:
    """Indented JSON; a list of flat records (runs, the inbox) one record to a line, which reads as well,
    suits line tools, and is written by the C encoder at once where indenting 10,000 runs takes a second."""
    if isinstance(data, list) and data and all(isinstance(r, dict) and _flat(r) for r in data):
        lines = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in data)
        return "[\n" + lines + "\n]\n"
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _flat(record: dict[str, Any]) -> bool:
    return not any(isinstance(v, dict | list) and v for v in record.values())


def rows_csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[csv_cell(v) for v in row] for row in rows])
    return out.getvalue()


def report_csv(report: dict[str, Any]) -> str:
    rows = [
        [
            *(s[k] for k in SCALARS),
            "; ".join(s["actors"]),
            "; ".join(f["name"] for f in s["inputs"]),
            "; ".join(f["name"] for f in s["artifacts"]),
        ]
        for s in report["steps"]
    ]
    return rows_csv([*SCALARS, "actors", "inputs", "artifacts"], rows)


def report_md(report: dict[str, Any]) -> str:
    run, totals = report["run"], report["totals"]
    day = run["day_minutes"]
    md = markdown_text
    started = _("{at} by {person}", at=w.moment(run["started_at"]), person=md(run["started_by"]))
    if run["finished_at"]:
        started += " · " + _("ended {at}", at=w.moment(run["finished_at"]))
    lines = [
        f"# {md(run['number'])} — {md(run['title'])}",
        "",
        _("Run") + f" `{md(run['id'])}` · {w.status(run['status'])} · " + _("Started") + f" {started}",
        "",
        _(
            "{done}/{steps} done · {on_time} on time · {late} late",
            done=totals["done"],
            steps=totals["steps"],
            on_time=totals["on_time"],
            late=totals["late"],
        )
        + " · "
        + _(
            "{elapsed} / {standard} (working time / standard)",
            elapsed=w.minutes(totals["elapsed_minutes"], day),
            standard=w.minutes(totals["standard_minutes"], day),
        ),
        "",
        "| "
        + " | ".join(
            [
                _("No"),
                _("Activity"),
                _("Lane"),
                _("Status"),
                _("By"),
                _("Time"),
                _("Standard"),
                _("On time"),
                _("Requires (Kelengkapan)"),
                _("Output (evidence)"),
            ]
        )
        + " |",
        "|---:|---|---|---|---|---:|---:|---|---|---|",
    ]
    for s in report["steps"]:
        state = _(w.MARK_NAMES[mark_of(s)]) + (" (" + _("forced") + ")" if s["forced"] else "")
        standard = "↑" if s["time_with"] is not None else w.minutes(s["group_standard_minutes"], day)
        output = "; ".join([*s["output"], *(f["name"] for f in s["artifacts"])])
        lines.append(
            "| "
            + " | ".join(
                [
                    str(s["no"]),
                    md(s["activity"]),
                    md(s["actor_name"]),
                    state,
                    md(s["by"] or ""),
                    w.minutes(s["elapsed_minutes"], day) if s["status"] != "pending" else "—",
                    standard,
                    w.yes_no(s["on_time"]),
                    md("; ".join(s["requires"])),
                    md(output),
                ]
            )
            + " |"
        )
    lines += ["", w.day_length(day)]
    return "\n".join(lines) + "\n"


MONITOR_FIELDS = (
    "no",
    "activity",
    "assessment",
    "runs",
    "passes",
    "rework_passes",
    "median_minutes",
    "p90_minutes",
    "standard_minutes",
    "on_time_share",
    "forced",
    "missing_inputs",
)


def monitor_csv(data: dict[str, Any]) -> str:
    """Tabel 7 for spreadsheets: the scalar facts per step, plus the blank columns for the assessor."""
    rows = [[*(s[k] for k in MONITOR_FIELDS), "; ".join(s["notes"]), "", ""] for s in data["steps"]]
    return rows_csv([*MONITOR_FIELDS, "notes", "action", "initials"], rows)


def monitor_md(data: dict[str, Any], day: float) -> str:
    md = markdown_text
    runs = data["runs"]
    lines = [
        "# " + _("Monitoring the application of the SOP") + f": {md(data['number'])} — {md(data['title'])}",
        "",
        f"{_('Period')}: {data['period']['from']} – {data['period']['to']} · "
        + _(
            "{total} active in the period: {completed} completed, {active} active, {cancelled} cancelled",
            total=runs["total"],
            completed=runs["completed"],
            active=runs["active"],
            cancelled=runs["cancelled"],
        ),
        "",
        "| "
        + " | ".join(
            [
                _("No"),
                _("Procedure"),
                _("Assessment"),
                _("Notes of the assessment"),
                _("Action to be taken"),
                _("Initials"),
            ]
        )
        + " |",
        "|---:|---|---|---|---|---|",
    ]
    for s in data["steps"]:
        lines.append(
            f"| {s['no']} | {md(s['activity'])} | {w.assessment(s['assessment'])} | "
            f"{md(w.monitoring_notes(s, day))} |  |  |"
        )
    return "\n".join(lines) + "\n"
