"""`sop status` and the hand-over lines in plain text: they run many times a day, so they do without
Rich's start-up cost (and go through the same terminal-safe door as every view)."""

from __future__ import annotations

from typing import Any

from sopcli.i18n import _
from sopcli.render import for_terminal, mark_of, one_line
from sopcli.render import words as w
from sopcli.render.charset import UNICODE, Charset


def _who(part: dict[str, Any]) -> str:
    return part["lane_name"] + (f" ({part['person']})" if part["person"] else "")


def _lane_line(step: dict[str, Any]) -> str:
    """The lane (or lanes) that hold the work now: `A (dina) or B (sari)`, `A (dina) and B, each its part`."""
    if len(step["parts"]) == 1:
        return _lanes(step)
    parts = [p for p in step["parts"] if p["status"] in ("open", "pending")] or step["parts"]
    names = [_who(p) for p in parts]
    if step["together"] == "all":
        return _("{lanes}, each its part", lanes=_(" and ").join(names))
    return _(" or ").join(names)


def _lanes(step: dict[str, Any]) -> str:
    parts = step["parts"]
    if len(parts) == 1:
        person = parts[0]["person"]
        return step["actor_name"] + (f" ({person})" if person else " (" + _("not assigned") + ")")
    items = []
    for part in parts:
        state = {"done": _("done by {who}", who=part["by"]), "open": _("open"), "not_needed": _("not needed")}.get(
            part["status"], ""
        )
        person = f" ({part['person']})" if part["person"] else ""
        items.append(f"{part['lane_name']}{person}: {state}")
    rule = _("one lane does it") if step["together"] == "any" else _("each lane does its part")
    return f"{rule} — " + "; ".join(items)


def _time_line(step: dict[str, Any], day: float) -> str:
    standard = step["group_standard_minutes"]
    elapsed = w.minutes(step["elapsed_minutes"], day)
    if standard is None:
        return _("{elapsed} · no time standard", elapsed=elapsed)
    left = standard - step["elapsed_minutes"] if step["time_with"] is None and not step["shared_with"] else None
    text = _("{elapsed} of {standard}", elapsed=elapsed, standard=w.minutes(standard, day))
    if step["shared_with"]:
        text += " (" + _("shared with step {steps}", steps=", ".join(map(str, step["shared_with"]))) + ")"
    if step["overdue"]:
        text += " · " + _("over by {time}", time=w.minutes(step["overrun_minutes"], day))
    elif left is not None:
        text += " · " + _("{time} left", time=w.minutes(left, day))
    return text


def run_status(report: dict[str, Any], cs: Charset = UNICODE) -> str:
    report = for_terminal(report)
    run, totals = report["run"], report["totals"]
    day = run["day_minutes"]
    lines = [f"{run['id']}  {run['number']} — {run['title']}"]
    active = next((s for s in report["steps"] if s["status"] == "active"), None)
    if active is None:
        lines.append(
            f"{w.status(run['status'])} · "
            + _("{done}/{steps} steps", done=totals["done"], steps=totals["steps"])
            + f" · {w.minutes(totals['elapsed_minutes'], day)} / {w.minutes(totals['standard_minutes'], day)}"
        )
        return "\n".join(lines)
    label = lambda text: f"  {text:<13}"  # noqa: E731
    pass_note = " (" + _("pass {n}", n=active["passes"]) + ")" if active["passes"] > 1 else ""
    lines += [
        f"{cs.marks[mark_of(active)]} " + _("Step {no}", no=active["no"]) + f"{pass_note}: {active['activity']}",
        label(_("Lane")) + _lanes(active),
        label(_("Time")) + _time_line(active, day),
        label(_("Active since")) + w.moment(active["pass_started_at"]),
    ]
    if active["due_at"]:
        lines.append(label(_("Due")) + w.moment(active["due_at"]))
    lines.append(label(_("Requires")))
    lines += [f"    {cs.bullet} {item}" for item in active["requires"] or ["—"]]
    if active["inputs"]:
        lines.append(label(_("Received")))
        lines += [
            f"    {cs.received} {one_line(f['name'], 60)} (" + _("step {no}", no=f["step"]) + ")"
            for f in active["inputs"]
        ]
    else:
        lines.append(label(_("Received")) + _("no input evidence yet"))
    if active["artifacts"]:
        lines.append(label(_("Evidence")) + "; ".join(one_line(f["name"], 40) for f in active["artifacts"]))
    return "\n".join(lines)


def handover(run_id: str, status: str, step: dict[str, Any] | None, day_minutes: float) -> str:
    """After start/done/undo: the step that now holds the work, its lane and person, what it needs."""
    if step is None:
        return _("Run {run} is {status}.", run=run_id, status=w.status(status))
    step = for_terminal(step)
    standard = step["group_standard_minutes"]
    lane = _lane_line(step)
    if standard is None:
        where = _("lane {lane} · no time standard", lane=lane)
    else:
        time = w.minutes(standard, day_minutes) + (f" ({step['time']})" if step["time"] else "")
        if step["time_with"] is not None:
            time += " " + _("(shared with step {steps})", steps=step["time_with"])
        where = _("lane {lane} · standard {time}", lane=lane, time=time)
    lines = [_("Active: step {no} — {activity}", no=step["no"], activity=step["activity"]), "  " + where]
    if step["due_at"]:
        lines.append("  " + _("due {at}", at=w.moment(step["due_at"])))
    if step["requires"]:
        lines.append("  " + _("Requires: {items}", items="; ".join(step["requires"])))
    if step["inputs"]:
        received = "; ".join(
            f"{one_line(f['name'], 60)} (" + _("step {no}", no=f["step"]) + ")" for f in step["inputs"]
        )
        lines.append("  " + _("Received: {files}", files=received))
    return "\n".join(lines)
