"""The plain report of a run: every step's state and working time against its standard."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sopcli.calendar import working_minutes
from sopcli.engine import RunState, StepState, handed_over


def _iso(moment: datetime | None, state: RunState) -> str | None:
    return moment.astimezone(state.plan.calendar.zone).isoformat() if moment else None


def _minutes(value: float) -> float:
    return round(value, 1)


def step_elapsed(state: RunState, step: StepState, now: datetime) -> float:
    """Working minutes over all passes; an open pass runs until now (or until the run ended)."""
    until = state.finished_at or now
    return sum(working_minutes(state.plan.calendar, p.started_at, p.finished_at or until) for p in step.passes)


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


def step_report(state: RunState, step: StepState, now: datetime) -> dict[str, Any]:
    plan = step.plan
    elapsed = step_elapsed(state, step, now)
    last = step.current
    status = step.status
    return {
        "no": plan.no,
        "activity": plan.activity,
        "actor": plan.actor,
        "actor_name": state.plan.lane(plan),
        "person": state.person(plan),
        "status": status,
        "passes": len(step.passes),
        "standard_minutes": plan.standard_minutes,
        "elapsed_minutes": _minutes(elapsed),
        "on_time": (elapsed <= plan.standard_minutes) if status == "done" else None,
        "overdue": status == "active" and elapsed > plan.standard_minutes,
        "started_at": _iso(step.passes[0].started_at, state) if step.passes else None,
        "finished_at": _iso(last.finished_at, state) if last and status == "done" else None,
        "by": last.by if last and status == "done" else None,
        "outcome": last.outcome if last and status == "done" else None,
        "forced": step.forced,
        "time": plan.time,
        "requires": list(plan.requires),
        "output": list(plan.output),
        "notes": [{"at": _iso(n.at, state), "by": n.by, "text": n.text} for n in step.notes],
        "inputs": _inputs(state, step),
        "artifacts": _unique([{**f, "step": plan.no} for p in step.passes for f in p.outputs]),
    }


def build(state: RunState, now: datetime) -> dict[str, Any]:
    """The report of SPEC §5 as plain data; every renderer draws from this one object."""
    steps = [step_report(state, s, now) for s in state.steps.values()]
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
            "started_at": _iso(state.started_at, state),
            "finished_at": _iso(state.finished_at, state),
            "started_by": state.started_by,
            "assignments": dict(state.assignments),
            "active_step": active.plan.no if active else None,
            "cancel_reason": state.cancel_reason,
            "day_minutes": state.plan.calendar.day_minutes,
        },
        "lanes": [{"id": actor, "name": name} for actor, name in state.plan.actors.items()],
        "steps": steps,
        "totals": {
            "steps": len(steps),
            "done": len(done),
            "on_time": sum(1 for s in done if s["on_time"]),
            "late": sum(1 for s in done if s["on_time"] is False),
            "standard_minutes": sum(s["standard_minutes"] for s in steps),
            "elapsed_minutes": _minutes(sum(s["elapsed_minutes"] for s in steps)),
        },
    }


def summary(state: RunState) -> dict[str, Any]:
    """The run's line in the index: what `sop runs` lists and `sop stats` counts, without a fold."""
    active = state.active
    row: dict[str, Any] = {
        "id": state.id,
        "sop": state.plan.id,
        "number": state.plan.number,
        "title": state.title,
        "status": state.status,
        "started_at": _iso(state.started_at, state),
        "finished_at": _iso(state.finished_at, state),
        "started_by": state.started_by,
        "active_step": active.plan.no if active else None,
        "seq": state.seq,
        "head": state.head,
    }
    if state.status == "completed":
        assert state.finished_at is not None
        row["steps"] = [
            {
                "no": s.plan.no,
                "elapsed_minutes": _minutes(step_elapsed(state, s, state.finished_at)),
                "standard_minutes": s.plan.standard_minutes,
                "passes": len(s.passes),
            }
            for s in state.steps.values()
        ]
    return row
