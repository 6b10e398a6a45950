"""Tabel 7 of PermenPAN-RB 35/2012, Monitoring Pelaksanaan SOP AP, filled from the runs of a period: per
step the facts and a proposed assessment, the assessor's action and initials left blank."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sopcli.queries import Period
from sopcli.stats import median

ON_TIME_SHARE = 0.8  # the rule: at least 80 % of the period's passes on time, none forced, no input missing


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(0.9 * len(ordered))) - 1]


def build(document: dict[str, Any], rows: list[dict[str, Any]], period: Period, now: datetime) -> dict[str, Any]:
    """The monitoring form of SPEC §11 as plain data, from the index rows of the SOP's runs in the period."""
    from zoneinfo import ZoneInfo

    start, end = period.bounds(ZoneInfo((document.get("calendar") or {}).get("timezone") or "Asia/Jakarta"))
    facts: dict[int, dict[str, Any]] = {s["no"]: _empty(s) for s in document["steps"]}
    for anchor in {s["time_with"] for s in document["steps"] if s.get("time_with")}:
        for no in (anchor, *(s["no"] for s in document["steps"] if s.get("time_with") == anchor)):
            if no in facts:
                facts[no]["shared"] = True  # judged with its group, as `report` and `stats` judge it
    counts = {"total": 0, "completed": 0, "active": 0, "cancelled": 0}
    for row in rows:
        counts["total"] += 1
        counts[row["status"]] = counts.get(row["status"], 0) + 1
        run_end = _when(row.get("finished_at")) or now
        active = row.get("active") or {}
        due = _when(active.get("due_at")) if row["status"] == "active" else None
        overdue = due is not None and due < min(end, now)  # the active step's deadline passed in the period
        for step in row.get("steps") or []:
            fact = facts.get(step["no"])
            if fact is not None:
                late_open = overdue and step["no"] in _group_of(document, active.get("step"))
                _add(fact, step, (start, end, run_end), late_open, row["status"] == "cancelled")
    return {
        "sop": document["id"],
        "number": document["number"],
        "title": document["title"],
        "organization": document.get("organization") or [],
        "period": period.document(),
        "runs": counts,
        "steps": [_finish(fact) for fact in facts.values()],
    }


def _empty(step: dict[str, Any]) -> dict[str, Any]:
    return {
        "no": step["no"],
        "activity": step["activity"],
        "standard_minutes": step.get("standard_minutes"),
        "time_with": step.get("time_with"),
        "runs": 0,
        "passes": 0,
        "rework_passes": 0,
        "elapsed": [],
        "judged": [],
        "forced": 0,
        "missing_inputs": 0,
        "overdue_open": 0,
        "shared": False,
    }


def _group_of(document: dict[str, Any], no: Any) -> set[int]:
    """The steps that share `no`'s time standard (a merged Waktu cell), itself included."""
    steps = {s["no"]: s for s in document["steps"]}
    if no not in steps:
        return set()
    anchor = steps[no].get("time_with") or no
    return {anchor, *(n for n, s in steps.items() if s.get("time_with") == anchor)}


def _add(
    fact: dict[str, Any],
    step: dict[str, Any],
    span: tuple[datetime, datetime, datetime],
    late_open: bool,
    cancelled: bool,
) -> None:
    """One run's step: its passes that were active in the period, with their figures. A pass still open
    counts as late once its deadline has passed (`late_open`, the active step of an active run) or, in a
    cancelled run, once it had run past its standard; otherwise it is not judged yet. `span`: the period's
    start and end and the run's end (now for a run still going)."""
    start, end, run_end = span
    standard = step.get("standard_minutes")
    passes = step.get("passes")
    inside = [
        (i, item)
        for i, item in enumerate(passes if isinstance(passes, list) else [])
        if (opened := _when(item[0])) is not None and opened < end and (_when(item[1]) or run_end) >= start
    ]
    if not inside:
        return
    fact["runs"] += 1
    for index, (_opened, finished, elapsed, forced, received) in inside:
        fact["passes"] += 1
        fact["rework_passes"] += index > 0
        fact["forced"] += bool(forced)
        if finished is None:
            limit = step.get("group_standard_minutes") if fact["shared"] else standard
            if late_open or (cancelled and limit is not None and elapsed > limit):
                fact["overdue_open"] += 1
                fact["judged"].append(False)
            continue
        fact["elapsed"].append(elapsed)
        if fact["shared"]:
            if step.get("on_time") is not None:
                fact["judged"].append(bool(step["on_time"]))  # a step under a shared standard: its group's verdict
        elif standard is not None:
            fact["judged"].append(elapsed <= standard)
        if step.get("requires") and not received:
            fact["missing_inputs"] += 1


def _finish(fact: dict[str, Any]) -> dict[str, Any]:
    values, judged = fact.pop("elapsed"), fact.pop("judged")
    fact.pop("shared")
    share = round(sum(judged) / len(judged), 4) if judged else None
    assessment = None
    if fact["passes"]:
        good = (share is None or share >= ON_TIME_SHARE) and not fact["forced"] and not fact["missing_inputs"]
        assessment = "baik" if good else "tidak_baik"
    late = len(judged) - sum(judged)
    notes = []
    if late:
        notes.append(f"{late} of {len(judged)} passes over the standard")
    if fact["rework_passes"]:
        notes.append(f"{fact['rework_passes']} rework passes")
    if fact["forced"]:
        notes.append(f"{fact['forced']} passes forced past the lane's person")
    if fact["missing_inputs"]:
        notes.append(f"{fact['missing_inputs']} passes without their required inputs")
    if fact["overdue_open"]:
        notes.append(f"{fact['overdue_open']} passes still open past the standard")
    return {
        "no": fact["no"],
        "activity": fact["activity"],
        "assessment": assessment,
        "runs": fact["runs"],
        "passes": fact["passes"],
        "rework_passes": fact["rework_passes"],
        "median_minutes": round(median(values), 1) if values else None,
        "p90_minutes": round(_p90(values), 1) if values else None,
        "standard_minutes": fact["standard_minutes"],
        "on_time_share": share,
        "forced": fact["forced"],
        "missing_inputs": fact["missing_inputs"],
        "overdue_open": fact["overdue_open"],
        "notes": notes,
    }
