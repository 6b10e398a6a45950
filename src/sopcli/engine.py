"""The rules of a run: its records are facts, its state a pure fold over them and the SOP snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sopcli.errors import Refused
from sopcli.plan import END, Plan, PlanStep

Record = dict[str, Any]  # {"seq", "type", "at", "recorded_at", "by", "data", "prev", "hash"}
File = dict[str, Any]  # {"name", "sha256", "size"}


@dataclass
class Pass:
    """One time a step was active: from activation to completion (a decision loop makes more)."""

    index: int
    started_at: datetime
    handed_from: tuple[int, int] | None = None
    finished_at: datetime | None = None
    by: str | None = None
    outcome: str | None = None
    forced: bool = False
    outputs: list[File] = field(default_factory=list)
    inputs: list[File] = field(default_factory=list)


@dataclass
class Note:
    at: datetime
    by: str
    text: str


@dataclass
class StepState:
    plan: PlanStep
    passes: list[Pass] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    forced: bool = False

    @property
    def status(self) -> str:
        if self.passes and self.passes[-1].finished_at is None:
            return "active"
        return "done" if self.passes else "pending"

    @property
    def current(self) -> Pass | None:
        return self.passes[-1] if self.passes else None


@dataclass
class Completion:
    seq: int
    step: int
    target: int | str


@dataclass
class RunState:
    id: str
    plan: Plan
    title: str
    started_at: datetime
    started_by: str
    status: str = "active"
    finished_at: datetime | None = None
    cancel_reason: str | None = None
    assignments: dict[str, str] = field(default_factory=dict)
    steps: dict[int, StepState] = field(default_factory=dict)
    completions: list[Completion] = field(default_factory=list)
    seq: int = 0
    head: str = ""

    @property
    def active(self) -> StepState | None:
        """The step that holds the work; none once the run is completed or cancelled."""
        if self.status != "active":
            return None
        return next((s for s in self.steps.values() if s.status == "active"), None)

    def person(self, step: PlanStep) -> str | None:
        return self.assignments.get(step.actor)


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def fold(records: list[Record]) -> RunState:
    """The state of a run from its records, oldest first; the first record must be `start`."""
    first = records[0]
    data = first["data"]
    plan = Plan.from_snapshot(data["sop"], data.get("closed", []))
    state = RunState(
        id=data["run"],
        plan=plan,
        title=data.get("title") or plan.title,
        started_at=when(first["at"]),
        started_by=first["by"],
        assignments=dict(data.get("assignments") or {}),
        steps={s.no: StepState(s) for s in plan.steps},
    )
    state.steps[plan.steps[0].no].passes.append(Pass(0, state.started_at))
    for record in records:
        _APPLY[record["type"]](state, record)
        state.seq, state.head = record["seq"], record["hash"]
    return state


def _start(state: RunState, record: Record) -> None:
    pass  # applied when the state was made


def _done(state: RunState, record: Record) -> None:
    data, at = record["data"], when(record["at"])
    step = state.steps[data["step"]]
    current = step.passes[data["pass"]]
    current.finished_at, current.by = at, record["by"]
    current.outcome, current.forced = data.get("outcome"), bool(data.get("forced"))
    current.outputs.extend(data.get("outputs", []))
    current.inputs.extend(data.get("inputs", []))
    step.forced = step.forced or current.forced
    if data.get("note"):
        step.notes.append(Note(at, record["by"], data["note"]))
    target = data["target"]
    state.completions.append(Completion(record["seq"], step.plan.no, target))
    if target == END:
        state.status, state.finished_at = "completed", at
    else:
        following = state.steps[target]
        following.passes.append(Pass(len(following.passes), at, (step.plan.no, current.index)))


def _undo(state: RunState, record: Record) -> None:
    last = state.completions.pop()
    if last.target == END:
        state.status, state.finished_at = "active", None
    else:
        state.steps[int(last.target)].passes.pop()
    reopened = state.steps[last.step].passes[-1]
    reopened.finished_at = reopened.by = reopened.outcome = None
    reopened.forced = False  # evidence and notes given with the completion stay: they were produced


def _attach(state: RunState, record: Record) -> None:
    data = record["data"]
    step = state.steps[data["step"]]
    target = step.passes[data["pass"]]
    (target.inputs if data["kind"] == "input" else target.outputs).extend(data["files"])
    step.forced = step.forced or bool(data.get("forced"))


def _note(state: RunState, record: Record) -> None:
    data = record["data"]
    state.steps[data["step"]].notes.append(Note(when(record["at"]), record["by"], data["text"]))


def _assign(state: RunState, record: Record) -> None:
    data = record["data"]
    if data.get("person"):
        state.assignments[data["actor"]] = data["person"]
    else:
        state.assignments.pop(data["actor"], None)


def _cancel(state: RunState, record: Record) -> None:
    state.status, state.finished_at = "cancelled", when(record["at"])
    state.cancel_reason = record["data"]["reason"]


_APPLY = {
    "start": _start,
    "done": _done,
    "undo": _undo,
    "attach": _attach,
    "note": _note,
    "assign": _assign,
    "cancel": _cancel,
}


# ------------------------------------------------------------------ the rules


def _open(state: RunState) -> None:
    if state.status != "active":
        raise Refused(
            f"run {state.id} is {state.status}; nothing more can be recorded on it",
            "start a new run with `sop start SOP`",
        )


def _step(state: RunState, no: int) -> StepState:
    if no not in state.steps:
        numbers = ", ".join(str(n) for n in state.steps)
        raise Refused(f"{state.plan.id} has no step {no}", f"its steps are {numbers}")
    return state.steps[no]


def _lane_person(state: RunState, step: PlanStep, actor: str, force: bool, verb: str) -> bool:
    """True when the action is forced past the lane's assigned person (and so must be recorded)."""
    person = state.person(step)
    if person is None or person == actor:
        return False
    if not force:
        raise Refused(
            f"step {step.no} is in the lane of {state.plan.lane(step)}, assigned to {person}; "
            f"{actor} may not {verb} it",
            f"act as {person} (--as {person}), or use --force to override (the override is recorded)",
        )
    return True


def _not_before(at: datetime, since: datetime, what: str) -> None:
    if at < since:
        raise Refused(
            f"{at.isoformat()} is before {what} ({since.isoformat()})", "give a time at or after that with --at"
        )


def check_done(
    state: RunState, no: int, *, actor: str, at: datetime, outcome: str | None, force: bool
) -> dict[str, Any]:
    """Validates `sop done` against the rules; returns what the record must say."""
    _open(state)
    step = _step(state, no)
    active = state.active
    if step.status != "active" or active is None:
        lane = state.plan.lane(active.plan) if active else "none"
        raise Refused(
            f"step {no} is not active; the active step is {active.plan.no if active else '-'} ({lane})",
            f"complete step {active.plan.no} first" if active else "nothing is active",
        )
    forced = _lane_person(state, step.plan, actor, force, "complete")
    current = step.current
    assert current is not None
    _not_before(at, current.started_at, f"step {no} became active")
    if step.plan.is_decision:
        names = ", ".join(step.plan.outcomes)
        if outcome is None:
            raise Refused(f"step {no} is a decision; say which way it went", f"add --outcome ({names})")
        if outcome not in step.plan.outcomes:
            raise Refused(f"step {no} has no outcome '{outcome}'", f"use one of: {names}")
        target = step.plan.outcomes[outcome]
    elif outcome is not None:
        raise Refused(f"step {no} is not a decision; it takes no --outcome", "leave out --outcome")
    else:
        target = step.plan.next
    return {"step": no, "pass": current.index, "target": target, "outcome": outcome, "forced": forced}


def check_attach(state: RunState, no: int, *, actor: str, force: bool) -> dict[str, Any]:
    _open(state)
    step = _step(state, no)
    if step.status == "pending":
        raise Refused(f"step {no} has not been reached yet", "attach evidence to an active or done step")
    forced = _lane_person(state, step.plan, actor, force, "attach evidence to")
    assert step.current is not None
    return {"step": no, "pass": step.current.index, "forced": forced}


def check_note(state: RunState, no: int) -> dict[str, Any]:
    _open(state)
    _step(state, no)
    return {"step": no}


def check_assign(state: RunState, actor: str) -> None:
    _open(state)
    if actor not in state.plan.actors:
        known = ", ".join(state.plan.actors)
        raise Refused(f"{state.plan.id} has no lane '{actor}'", f"lanes are: {known}")


def check_undo(state: RunState) -> dict[str, Any]:
    if state.status == "cancelled":
        raise Refused(f"run {state.id} is cancelled; nothing can be undone", "start a new run")
    if not state.completions:
        raise Refused("there is no completion to undo", "`sop log` shows the run's records")
    last = state.completions[-1]
    if last.target != END:
        following = state.steps[int(last.target)].current
        assert following is not None
        if following.outputs or following.inputs:
            raise Refused(
                f"step {last.target} already has evidence recorded since step {last.step} was completed",
                "an undo would orphan that evidence; record a note instead",
            )
    return {"undoes": last.seq, "step": last.step}


def check_cancel(state: RunState, reason: str) -> dict[str, Any]:
    _open(state)
    if not reason.strip():
        raise Refused("a cancellation needs a reason", 'add --reason "..."')
    return {"reason": reason.strip()}


def handed_over(state: RunState, item: Pass) -> list[File]:
    """The outputs of the pass that handed the work to `item`: its inputs by right of the flow."""
    if item.handed_from is None:
        return []
    source_no, source_pass = item.handed_from
    source = state.steps[source_no].passes[source_pass]
    return [{**f, "step": source_no} for f in source.outputs]
