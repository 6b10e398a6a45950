"""The words of figures: durations, dates and states, written so that neither language misreads them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sopcli.i18n import N_, _, _n, language

NBSP = "\u00a0"

DAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))
SHORT_DAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
SHORT_MONTHS = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)
STATUS = {
    "active": N_("active"),
    "completed": N_("completed"),
    "cancelled": N_("cancelled"),
    "done": N_("done"),
    "pending": N_("pending"),
}
MARK_NAMES = {
    "on_time": N_("on time"),
    "late": N_("late"),
    "done": N_("done (no standard)"),
    "active": N_("active"),
    "overdue": N_("overdue"),
    "pending": N_("pending"),
    "not_needed": N_("another lane did it"),
    "forced": N_("forced (--force)"),
}


def minutes(value: float | None, day_minutes: float = 480) -> str:
    """Working minutes as an office reads them: `3 hr 2 jam 30 mnt` / `3d 2h 30m` (a day is one
    working day of the calendar)."""
    if value is None:
        return "—"
    total = round(value)
    sign = "-" if total < 0 else ""
    total = abs(total)
    day = int(day_minutes) or 1440
    days, rest = divmod(total, day)
    hours, mins = divmod(rest, 60)
    parts = [
        _("{n}d", n=days) if days else "",
        _("{n}h", n=hours) if hours else "",
        _("{n}m", n=mins) if mins else "",
    ]
    # a number stays with its unit when a table wraps the figure
    text = " ".join(p.replace(" ", NBSP) for p in parts if p) or _("{n}m", n=0).replace(" ", NBSP)
    return sign + text


def day_length(day_minutes: float) -> str:
    """What one day of the standards means, for legends: `1 hr = 8 jam kerja` / `1d = 8 working hours`."""
    hours = day_minutes / 60
    shown = f"{hours:g}"
    return _("{day} = {hours} working hours", day=_("{n}d", n=1), hours=shown)


def status(word: str | None) -> str:
    return _(STATUS[word]) if word in STATUS else (word or "—")


def short_date(day: date) -> str:
    """`Kamis 10 Des 2026` / `Thu 10 Dec 2026`."""
    return f"{_(SHORT_DAYS[day.weekday()])} {day.day} {_(SHORT_MONTHS[day.month - 1])} {day.year}"


def long_date(day: date | None) -> str:
    """`Rabu, 01 November 2017` / `Wednesday, 01 November 2017`: the form's way of writing a date."""
    if day is None:
        return "—"
    return f"{_(DAYS[day.weekday()])}, {day.day:02d} {_(MONTHS[day.month - 1])} {day.year}"


def moment(value: str | None, with_day: bool = True) -> str:
    """An ISO time of a report in the reader's words: `Kamis 10 Des 2026 13:30`."""
    if not value:
        return "—"
    at = datetime.fromisoformat(value)
    clock = f"{at.hour:02d}:{at.minute:02d}"
    day = at.date().isoformat() if not with_day else short_date(at.date())
    return f"{day.replace(' ', NBSP)} {clock}"  # a date is never broken across lines


def holiday_name(names: dict[str, str] | None, kind: str) -> str:
    if names:
        return names.get(language()) or next(iter(names.values()))
    return _("day off (calendar)") if kind == "day_off" else _("holiday")


def weekdays(codes: list[str]) -> str:
    order = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    idx = [order.index(c) for c in codes if c in order]
    if idx and idx == list(range(idx[0], idx[-1] + 1)) and len(idx) > 2:
        return f"{_(DAYS[idx[0]])}–{_(DAYS[idx[-1]])}"
    return ", ".join(_(DAYS[i]) for i in idx)


def yes_no(value: Any) -> str:
    return {True: _("yes"), False: _("no"), None: ""}[value]


ASSESSMENTS = {
    "baik": N_("Running well"),
    "tidak_baik": N_("Not running well"),
    None: N_("not run in the period"),
}


def assessment(value: str | None) -> str:
    return _(ASSESSMENTS.get(value, ASSESSMENTS[None]))


def monitoring_notes(step: dict[str, Any], day_minutes: float) -> str:
    """Catatan hasil penilaian: the facts of one step of Tabel 7, in the reader's words."""
    if not step["passes"]:
        return "—"
    counted = (
        _n("{count} run", "{count} runs", step["runs"]) + ", " + _n("{count} pass", "{count} passes", step["passes"])
    )
    parts = [counted + " (" + _n("{count} rework", "{count} rework", step["rework_passes"]) + ")"]
    if step["median_minutes"] is not None:
        figures = _(
            "median {median}, p90 {p90}",
            median=minutes(step["median_minutes"], day_minutes),
            p90=minutes(step["p90_minutes"], day_minutes),
        )
        if step["standard_minutes"] is not None:
            figures += " " + _("against {standard}", standard=minutes(step["standard_minutes"], day_minutes))
        parts.append(figures)
    if step["on_time_share"] is not None:
        share = str(round(100 * step["on_time_share"])) + "%"
        parts.append(_("{share} on time", share=share))
    if step["forced"]:
        parts.append(_("{count} forced", count=step["forced"]))
    if step["missing_inputs"]:
        parts.append(_("{count} without the required inputs", count=step["missing_inputs"]))
    if step.get("overdue_open"):
        parts.append(_("{count} still open past the standard", count=step["overdue_open"]))
    return "; ".join(parts)


def lane_name(report: dict[str, Any], actor: str) -> str:
    """The name a report gives a lane id (the id itself for a lane it does not know)."""
    return next((lane["name"] for lane in report["lanes"] if lane["id"] == actor), actor)


def run_facts(report: dict[str, Any]) -> list[tuple[str, str]]:
    """What a run's report opens with, as (label, text): the terminal report and the printed dossier both."""
    run, totals = report["run"], report["totals"]
    day = run["day_minutes"]
    reason = run.get("cancel_reason")
    state = status(run["status"]) + (f" ({' '.join(str(reason).splitlines())})" if reason else "")
    started = _("{at} by {person}", at=moment(run["started_at"]), person=run["started_by"])
    if run["finished_at"]:
        started += " · " + _("ended {at}", at=moment(run["finished_at"]))
    rows = [("SOP", f"{run['number']} — {run['sop_title']}")]
    if run["title"] != run["sop_title"]:
        rows.append((_("Title"), run["title"]))
    rows += [
        (_("Run"), f"{run['id']} · {state}"),
        (_("Started"), started),
        (
            _("Steps"),
            _(
                "{done}/{steps} done · {on_time} on time · {late} late",
                done=totals["done"],
                steps=totals["steps"],
                on_time=totals["on_time"],
                late=totals["late"],
            ),
        ),
        (
            _("Time"),
            _(
                "{elapsed} / {standard} (working time / standard)",
                elapsed=minutes(totals["elapsed_minutes"], day),
                standard=minutes(totals["standard_minutes"], day),
            ),
        ),
    ]
    if run["assignments"]:
        assigned = ", ".join(f"{lane_name(report, a)}: {p}" for a, p in run["assignments"].items())
        rows.append((_("Assigned"), assigned))
    return rows
