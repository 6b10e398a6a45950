"""The plain report of a run: every step's state and working time against its standard."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sopcli.calendar import add_working_minutes, working_minutes
from sopcli.engine import Pass, RunState, StepState, handed_over
from sopcli.plan import PlanStep


def iso(moment: datetime | None, state: RunState) -> str | None:
    """ISO 8601 to the second, in the SOP's timezone."""
    if moment is None:
        return None
    return moment.astimezone(state.plan.calendar.zone).replace(microsecond=0).isoformat()


def _minutes(value: float) -> float:
    return round(value, 1)


def _until(state: RunState, now: datetime) -> datetime:
    return state.finished_at or now


def pass_elapsed(state: RunState, item: Pass, now: datetime) -> float:
    """Working minutes of one pass; an open pass runs until now (or until the run ended)."""
    return working_minutes(state.plan.calendar, item.started_at, item.finished_at or _until(state, now))


def step_elapsed(state: RunState, step: StepState, now: datetime) -> float:
    """Working minutes over all passes of a step."""
    return sum(pass_elapsed(state, p, now) for p in step.passes)


def _inputs(state: RunState, step: StepState) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = []
    for item in step.passes:
        files.extend(handed_over(state, item))
        files.extend({**f, "step": step.plan.no} for f in item.inputs)
    return _unique(files)


def _unique(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[str, str, int]] = set()
    out = []
    for f in files:
        key = (f["sha256"], f["name"], f["step"])
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


class Timing:
    """Each step's verdict against its standard: its own, none, or one shared with its neighbours."""

    def __init__(self, state: RunState, now: datetime) -> None:
        self.state, self.now = state, now
        self.elapsed = {no: step_elapsed(state, s, now) for no, s in state.steps.items()}

    def group(self, plan: PlanStep) -> tuple[tuple[int, ...], float | None]:
        return self.state.plan.group(plan), self.state.plan.group_standard(plan)

    def verdict(self, step: StepState) -> dict[str, Any]:
        members, standard = self.group(step.plan)
        if standard is None:
            return {"on_time": None, "overdue": False, "overrun_minutes": 0, "due_at": None}
        spent = sum(self.elapsed[no] for no in members)
        over = spent > standard
        all_done = all(self.state.steps[no].status == "done" for no in members)
        on_time = (not over) if all_done else (False if over else None)
        if step.status != "done":
            on_time = None
        active = step.status == "active" and self.state.status == "active"
        return {
            "on_time": on_time,
            "overdue": active and over,
            "overrun_minutes": _minutes(max(0.0, spent - standard)),
            "due_at": iso(self._deadline(members, standard), self.state) if active else None,
        }

    def _deadline(self, members: tuple[int, ...], standard: float) -> datetime | None:
        """The instant the group's working time reached (or will reach) its standard, walking its passes."""
        cal = self.state.plan.calendar
        passes = sorted((p for no in members for p in self.state.steps[no].passes), key=lambda p: p.started_at)
        spent = 0.0
        for item in passes:
            end = item.finished_at or self.now
            this = working_minutes(cal, item.started_at, end)
            if item.finished_at is None or spent + this >= standard:
                return add_working_minutes(cal, item.started_at, max(0.0, standard - spent))
            spent += this
        return None


def _parts(state: RunState, step: StepState) -> list[dict[str, Any]]:
    """Each lane of the step's latest pass: done (by whom, when), open, or not needed (`any` done elsewhere)."""
    current = step.current
    done = {p.lane: p for p in current.parts} if current else {}
    out = []
    for lane in step.plan.actors:
        part = done.get(lane)
        if part:
            status = "done"
        elif step.status == "active":
            status = "open"
        elif step.status == "done":
            status = "not_needed"
        else:
            status = "pending"
        out.append(
            {
                "lane": lane,
                "lane_name": state.plan.lane(lane),
                "status": status,
                "person": state.person(lane),
                "by": part.by if part else None,
                "at": iso(part.at, state) if part else None,
                "forced": part.forced if part else False,
            }
        )
    return out


def _history(state: RunState, step: StepState, now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "pass": item.index + 1,
            "started_at": iso(item.started_at, state),
            "finished_at": iso(item.finished_at, state),
            "elapsed_minutes": _minutes(pass_elapsed(state, item, now)),
            "by": item.by,
            "outcome": item.outcome,
            "forced": item.forced,
            "lanes": [part.lane for part in item.parts],
        }
        for item in step.passes
    ]


def step_report(state: RunState, step: StepState, now: datetime, timing: Timing | None = None) -> dict[str, Any]:
    plan = step.plan
    timing = timing or Timing(state, now)
    last = step.current
    status = step.status
    finished = last is not None and status == "done"
    members, group_standard = timing.group(plan)
    return {
        "no": plan.no,
        "activity": plan.activity,
        "actor": plan.actor,
        "actors": list(plan.actors),
        "actor_name": state.plan.lanes(plan),
        "together": plan.together,
        "person": state.person(plan.actor),
        "status": status,
        "passes": len(step.passes),
        "standard_minutes": plan.standard_minutes,
        "time": plan.time,
        "time_with": plan.time_with,
        "shared_with": [no for no in members if no != plan.no] if len(members) > 1 else [],
        "group_standard_minutes": group_standard,
        "elapsed_minutes": _minutes(timing.elapsed[plan.no]),
        **timing.verdict(step),
        "started_at": iso(step.passes[0].started_at, state) if step.passes else None,
        "pass_started_at": iso(last.started_at, state) if last else None,
        "finished_at": iso(last.finished_at, state) if finished and last else None,
        "by": last.by if finished and last else None,
        "outcome": last.outcome if finished and last else None,
        "forced": step.forced,
        "requires": list(plan.requires),
        "output": list(plan.output),
        "note": plan.note,
        "outcomes": dict(plan.outcomes) or None,
        "next": None if plan.outcomes else plan.next,
        "notes": [{"at": iso(n.at, state), "by": n.by, "text": n.text} for n in step.notes],
        "inputs": _inputs(state, step),
        "artifacts": _unique([{**f, "step": plan.no} for p in step.passes for f in p.outputs]),
        "parts": _parts(state, step),
        "history": _history(state, step, now),
    }


def calendar_info(state: RunState, now: datetime) -> dict[str, Any]:
    """The calendar in force and the closed days that fell inside the run, for the report's footer."""
    cal, plan = state.plan.calendar, state.plan
    settings = plan.document.get("calendar") or {}
    first = state.started_at.astimezone(cal.zone).date()
    last = _until(state, now).astimezone(cal.zone).date()
    days_off = set(plan.days_off)
    closed = []
    day = first
    while day <= last and day - first < timedelta(days=3660):
        key = day.isoformat()
        if day in cal.closed:
            names = plan.holidays.get(key, {})
            kind = "day_off" if key in days_off and not names else "holiday"
            closed.append({"date": key, "kind": kind, "names": names})
        day += timedelta(days=1)
    return {
        "timezone": settings.get("timezone", "Asia/Jakarta"),
        "workdays": settings.get("workdays", ["mon", "tue", "wed", "thu", "fri"]),
        "hours": settings.get("hours", ["08:00-16:00"]),
        "mode": settings.get("mode", "working"),
        "day_minutes": cal.day_minutes,
        "closed": closed,
    }


def build(state: RunState, now: datetime) -> dict[str, Any]:
    """The report of SPEC §5 as plain data; every renderer draws from this one object."""
    timing = Timing(state, now)
    steps = [step_report(state, s, now, timing) for s in state.steps.values()]
    done = [s for s in steps if s["status"] == "done"]
    active = state.active
    return {
        "run": {
            "id": state.id,
            "sop": state.plan.id,
            "number": state.plan.number,
            "title": state.title,
            "sop_title": state.plan.title,
            "status": state.status,
            "started_at": iso(state.started_at, state),
            "finished_at": iso(state.finished_at, state),
            "started_by": state.started_by,
            "assignments": dict(state.assignments),
            "active_step": active.plan.no if active else None,
            "cancel_reason": state.cancel_reason,
            "day_minutes": state.plan.calendar.day_minutes,
            "now": iso(now, state),
        },
        "lanes": [{"id": actor, "name": name} for actor, name in state.plan.actors.items()],
        "steps": steps,
        "totals": {
            "steps": len(steps),
            "done": len(done),
            "on_time": sum(1 for s in done if s["on_time"]),
            "late": sum(1 for s in done if s["on_time"] is False),
            "standard_minutes": sum(s["standard_minutes"] or 0 for s in steps),
            "elapsed_minutes": _minutes(sum(s["elapsed_minutes"] for s in steps)),
        },
        "calendar": calendar_info(state, now),
    }


def summary(state: RunState, now: datetime) -> dict[str, Any]:
    """The run's line in the index: what `sop runs`, `stats`, `monitor` and `inbox` read, without a fold.

    Each pass is kept with its own figures (start, finish, working minutes, forced, whether its step
    received any input), so a period's monitoring is computed from the index alone. `as_of` is the moment
    it was computed for (to the second), so `sop verify` can compute it again and compare."""
    now = now.replace(microsecond=0)
    timing = Timing(state, now)
    active = state.active
    people = {state.started_by, *state.assignments.values()}
    steps = []
    for step in state.steps.values():
        verdict = timing.verdict(step)
        people.update(p.by for item in step.passes for p in item.parts)
        steps.append(
            {
                "no": step.plan.no,
                "standard_minutes": step.plan.standard_minutes,
                "group_standard_minutes": state.plan.group_standard(step.plan),
                "elapsed_minutes": _minutes(timing.elapsed[step.plan.no]),
                "on_time": verdict["on_time"],
                "overrun_minutes": verdict["overrun_minutes"],
                "requires": len(step.plan.requires),
                "passes": [
                    [
                        iso(item.started_at, state),
                        iso(item.finished_at, state),
                        _minutes(pass_elapsed(state, item, now)),
                        item.forced,
                        bool(item.inputs or handed_over(state, item)),
                    ]
                    for item in step.passes
                ],
            }
        )
    row: dict[str, Any] = {
        "id": state.id,
        "sop": state.plan.id,
        "number": state.plan.number,
        "title": state.title,
        "status": state.status,
        "started_at": iso(state.started_at, state),
        "finished_at": iso(state.finished_at, state),
        "started_by": state.started_by,
        "active_step": active.plan.no if active else None,
        "timezone": str(state.plan.calendar.zone),
        "people": sorted(people),
        "assignments": dict(state.assignments),
        "seq": state.seq,
        "head": state.head,
        "as_of": iso(now, state),
        "steps": steps,
    }
    if active is not None:
        verdict = timing.verdict(active)
        row["active"] = {
            "step": active.plan.no,
            "activity": active.plan.activity,
            "actors": list(active.plan.actors),
            "open": active.open_lanes(),
            "since": iso(active.current.started_at if active.current else None, state),
            "standard_minutes": state.plan.group_standard(active.plan),
            "due_at": verdict["due_at"],
        }
    return row
