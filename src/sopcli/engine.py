"""The rules of a run: its records are facts, its state a pure fold over them and the SOP snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sopcli.errors import Refused
from sopcli.i18n import _
from sopcli.plan import END, Plan, PlanStep

Record = dict[str, Any]  # {"seq", "type", "at", "recorded_at", "by", "login", "data", "prev", "hash"}
File = dict[str, Any]  # {"name", "sha256", "size"}


@dataclass
class Part:
    """One lane's share of a pass: who did it, when, and whether it overrode the lane's person."""

    lane: str
    at: datetime
    by: str
    forced: bool = False
    outcome: str | None = None


@dataclass
class Pass:
    """One time a step was active: from activation to completion (a decision loop makes more)."""

    index: int
    started_at: datetime
    handed_from: tuple[int, int] | None = None
    finished_at: datetime | None = None
    by: str | None = None
    outcome: str | None = None
    parts: list[Part] = field(default_factory=list)
    outputs: list[File] = field(default_factory=list)
    inputs: list[File] = field(default_factory=list)

    @property
    def forced(self) -> bool:
        return any(p.forced for p in self.parts)

    def done_lanes(self) -> list[str]:
        return [p.lane for p in self.parts]


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
    forced_attach: bool = False

    @property
    def status(self) -> str:
        if self.passes and self.passes[-1].finished_at is None:
            return "active"
        return "done" if self.passes else "pending"

    @property
    def current(self) -> Pass | None:
        return self.passes[-1] if self.passes else None

    @property
    def forced(self) -> bool:
        return self.forced_attach or any(p.forced for p in self.passes)

    def open_lanes(self) -> list[str]:
        """The lanes whose part of the active pass is still to do (none once the step is done)."""
        if self.status != "active" or self.current is None:
            return []
        done = set(self.current.done_lanes())
        return [lane for lane in self.plan.actors if lane not in done]


@dataclass
class Completion:
    """One `done` record: a lane's part of a pass; `target` is where the work went if it completed the step."""

    seq: int
    step: int
    pass_index: int
    lane: str
    by: str
    recorded_at: str
    target: int | str | None


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

    def person(self, lane: str) -> str | None:
        return self.assignments.get(lane)


def when(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time without an offset: {text!r}")
    return moment


def begin(first: Record) -> RunState:
    """The state right after a run's `start` record."""
    if first["type"] != "start":
        raise ValueError("the first record is not a start")
    data = first["data"]
    plan = Plan.from_snapshot(data["sop"], data.get("closed") or [], data.get("holidays"))
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
    state.seq, state.head = first["seq"], first["hash"]
    return state


def apply(state: RunState, record: Record) -> None:
    """Folds one more record into the state."""
    _APPLY[record["type"]](state, record)
    state.seq, state.head = record["seq"], record["hash"]


def fold(records: list[Record]) -> RunState:
    """The state of a run from its records, oldest first; the first record must be `start`."""
    state = begin(records[0])
    for record in records[1:]:
        apply(state, record)
    return state


def replay(records: list[Record]) -> list[str]:
    """Every record after the start checked against the rules as they stood when it was made: a
    completion in someone else's lane without a recorded override, a time before the step was active
    or after the record was written, an undo of the wrong completion. Names each record that breaks one."""
    problems: list[str] = []
    state = begin(records[0])
    for record in records[1:]:
        try:
            _check_record(state, record)
        except Refused as err:
            problems.append(
                _(
                    "record {seq} ({kind} by {by}) breaks the rules: {reason}",
                    seq=record["seq"],
                    kind=record["type"],
                    by=record["by"],
                    reason=err.message,
                )
            )
        apply(state, record)
    return problems


def _check_record(state: RunState, record: Record) -> None:
    data, kind, by, at = record["data"], record["type"], record["by"], when(record["at"])
    if at > when(record["recorded_at"]):
        raise Refused(_("it happened after it was recorded"))
    forced = bool(data.get("forced"))
    expected: dict[str, Any] = {}
    if kind == "done":
        lane = data.get("lane") if "lane" in data else None
        expected = check_done(
            state, data["step"], actor=by, at=at, outcome=data.get("outcome"), force=forced, lane=lane
        )
    elif kind == "undo":
        if "lane" in data:  # undo followed the lane rule from the version that records the lane
            expected = check_undo(state, actor=by, force=forced)
        elif state.completions:
            expected = {"undoes": state.completions[-1].seq, "step": state.completions[-1].step}
    elif kind == "attach":
        expected = check_attach(state, data["step"], actor=by, force=forced)
    elif kind == "note":
        expected = check_note(state, data["step"])
    elif kind == "assign":
        check_assign(state, data["actor"])
    elif kind == "cancel":
        expected = check_cancel(state, data["reason"])
    for key, value in expected.items():
        # an override recorded where none was needed harms no one; records of older versions have no lane
        if key == "forced" or (key == "lane" and key not in data):
            continue
        if data.get(key) != value:
            raise Refused(
                _("its '{key}' is {got!r} where the rules give {want!r}", key=key, got=data.get(key), want=value)
            )


def _done(state: RunState, record: Record) -> None:
    data, at = record["data"], when(record["at"])
    step = state.steps[data["step"]]
    current = step.passes[data["pass"]]
    if current.finished_at is not None:
        raise ValueError(f"step {step.plan.no} pass {current.index} is already done")
    lane = data.get("lane") or step.plan.actor
    if lane not in step.plan.actors or lane in current.done_lanes():
        raise ValueError(f"lane {lane!r} cannot complete a part of step {step.plan.no}")
    current.parts.append(Part(lane, at, record["by"], bool(data.get("forced")), data.get("outcome")))
    current.outputs.extend(data.get("outputs", []))
    current.inputs.extend(data.get("inputs", []))
    if data.get("note"):
        step.notes.append(Note(at, record["by"], data["note"]))
    target = data.get("target")
    state.completions.append(
        Completion(record["seq"], step.plan.no, current.index, lane, record["by"], record["recorded_at"], target)
    )
    if target is None:
        return
    current.finished_at, current.by, current.outcome = at, record["by"], data.get("outcome")
    if target == END:
        state.status, state.finished_at = "completed", at
    else:
        following = state.steps[target]
        following.passes.append(Pass(len(following.passes), at, (step.plan.no, current.index)))


def _undo(state: RunState, record: Record) -> None:
    last = state.completions.pop()
    if last.target == END:
        state.status, state.finished_at = "active", None
    elif last.target is not None:
        state.steps[int(last.target)].passes.pop()
    reopened = state.steps[last.step].passes[last.pass_index]
    reopened.parts.pop()
    reopened.finished_at = reopened.by = reopened.outcome = None
    # evidence and notes given with the completion stay: they were produced


def _attach(state: RunState, record: Record) -> None:
    data = record["data"]
    step = state.steps[data["step"]]
    target = step.passes[data["pass"]]
    (target.inputs if data["kind"] == "input" else target.outputs).extend(data["files"])
    step.forced_attach = step.forced_attach or bool(data.get("forced"))


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


_APPLY = {"done": _done, "undo": _undo, "attach": _attach, "note": _note, "assign": _assign, "cancel": _cancel}
KINDS = ("start", *_APPLY)


# ------------------------------------------------------------------ the rules


def _open(state: RunState) -> None:
    if state.status != "active":
        raise Refused(
            _("run {run} is {status}; nothing more can be recorded on it", run=state.id, status=_(state.status)),
            _("start a new run with `sop start SOP`"),
        )


def _step(state: RunState, no: int) -> StepState:
    if no not in state.steps:
        numbers = ", ".join(str(n) for n in state.steps)
        raise Refused(
            _("{sop} has no step {no}", sop=state.plan.id, no=no), _("its steps are {numbers}", numbers=numbers)
        )
    return state.steps[no]


def _lane_refusal(state: RunState, no: int, lanes: list[str], actor: str, verb: str) -> Refused:
    """Who may act, and that an override is recorded; never advice to act in someone else's name."""
    people = list(dict.fromkeys(str(state.person(lane)) for lane in lanes))
    person = _(" or ").join(people)
    if len(lanes) == 1:
        message = _(
            "step {no} is in the lane of {lane}, assigned to {person}: only {person} may {verb} it, not {actor}",
            no=no,
            lane=state.plan.lane(lanes[0]),
            person=person,
            verb=verb,
            actor=actor,
        )
    else:
        message = _(
            "step {no} is in the lanes of {lanes}: only {person} may {verb} it, not {actor}",
            no=no,
            lanes=", ".join(f"{state.plan.lane(lane)} ({state.person(lane)})" for lane in lanes),
            person=person,
            verb=verb,
            actor=actor,
        )
    hint = _("ask {person} to do it; an override with --force is recorded under your name", person=person)
    return Refused(message, hint)


def _choose_lane(
    state: RunState, step: StepState, actor: str, asked: str | None, force: bool, verb: str
) -> tuple[str, bool]:
    """The lane whose part `actor` is doing, and whether that overrides the lane's person."""
    plan, open_lanes = step.plan, step.open_lanes()
    names = ", ".join(plan.actors)
    if asked is not None:
        if asked not in plan.actors:
            raise Refused(
                _("step {no} is not in the lane '{lane}'", no=plan.no, lane=asked),
                _("its lanes are {names}", names=names),
            )
        if asked not in open_lanes:
            raise Refused(
                _("the lane {lane} has already done its part of step {no}", lane=state.plan.lane(asked), no=plan.no),
                _("the parts still open: {open}", open=", ".join(open_lanes) or "—"),
            )
        candidates = [asked]
    else:
        mine = [lane for lane in open_lanes if state.person(lane) == actor]
        free = [lane for lane in open_lanes if state.person(lane) is None]
        candidates = mine or free or open_lanes
        if not (mine or free) and not force:
            raise _lane_refusal(state, plan.no, open_lanes, actor, verb)
        if len(candidates) > 1:
            raise Refused(
                _(
                    "step {no} is open in several lanes ({lanes}); say which part you are doing",
                    no=plan.no,
                    lanes=", ".join(candidates),
                ),
                _("add --lane LANE"),
            )
    lane = candidates[0]
    person = state.person(lane)
    if person is None or person == actor:
        return lane, False
    if not force:
        raise _lane_refusal(state, plan.no, [lane], actor, verb)
    return lane, True


def _not_before(at: datetime, since: datetime, what: str) -> None:
    if at < since:
        raise Refused(
            _("{at} is before {what} ({since})", at=at.isoformat(), what=what, since=since.isoformat()),
            _("give a time at or after that with --at"),
        )


def check_done(
    state: RunState,
    no: int,
    *,
    actor: str,
    at: datetime,
    outcome: str | None,
    force: bool,
    lane: str | None = None,
) -> dict[str, Any]:
    """Validates `sop done` against the rules; returns what the record must say."""
    _open(state)
    step = _step(state, no)
    active = state.active
    if step.status != "active" or active is None:
        if active is None:
            raise Refused(_("step {no} is not active; nothing is active", no=no), _("`sop status` shows the run"))
        raise Refused(
            _(
                "step {no} is not active; the active step is {active} ({lane})",
                no=no,
                active=active.plan.no,
                lane=state.plan.lanes(active.plan),
            ),
            _("complete step {active} first", active=active.plan.no),
        )
    part_lane, forced = _choose_lane(state, step, actor, lane, force, _("complete"))
    current = step.current
    assert current is not None
    _not_before(at, current.started_at, _("step {no} became active", no=no))
    if current.parts:
        _not_before(at, current.parts[-1].at, _("the last part of step {no} was done", no=no))
    completes = step.plan.together == "any" or len(step.open_lanes()) == 1
    plan = step.plan
    target: int | str | None = None
    if plan.is_decision and completes:
        names = ", ".join(plan.outcomes)
        if outcome is None:
            raise Refused(
                _("step {no} is a decision; say which way it went", no=no), _("add --outcome ({names})", names=names)
            )
        if outcome not in plan.outcomes:
            raise Refused(
                _("step {no} has no outcome '{outcome}'", no=no, outcome=outcome), _("use one of: {names}", names=names)
            )
        target = plan.outcomes[outcome]
    elif outcome is not None:
        if plan.is_decision:
            raise Refused(
                _("step {no} waits for other lanes; the lane that completes it gives the outcome", no=no),
                _("leave out --outcome"),
            )
        raise Refused(_("step {no} is not a decision; it takes no --outcome", no=no), _("leave out --outcome"))
    elif completes:
        target = plan.next
    return {
        "step": no,
        "pass": current.index,
        "lane": part_lane,
        "target": target,
        "outcome": outcome,
        "forced": forced,
    }


def check_attach(state: RunState, no: int, *, actor: str, force: bool) -> dict[str, Any]:
    _open(state)
    step = _step(state, no)
    if step.status == "pending":
        raise Refused(_("step {no} has not been reached yet", no=no), _("attach evidence to an active or done step"))
    people = [state.person(lane) for lane in step.plan.actors]
    forced = False
    if all(person is not None and person != actor for person in people):
        if not force:
            raise _lane_refusal(state, no, list(step.plan.actors), actor, _("attach evidence to"))
        forced = True
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
        raise Refused(
            _("{sop} has no lane '{lane}'", sop=state.plan.id, lane=actor), _("lanes are: {known}", known=known)
        )


def check_undo(state: RunState, *, actor: str, force: bool) -> dict[str, Any]:
    """`undo` takes back the last part done; the person who did it or the lane's person may, else --force."""
    if state.status == "cancelled":
        raise Refused(_("run {run} is cancelled; nothing can be undone", run=state.id), _("start a new run"))
    if not state.completions:
        raise Refused(_("there is no completion to undo"), _("`sop log` shows the run's records"))
    last = state.completions[-1]
    person = state.person(last.lane)
    forced = False
    if actor not in (last.by, person):
        if not force:
            may = last.by if person is None or person == last.by else f"{last.by} / {person}"
            raise Refused(
                _(
                    "the last completion (step {no}, by {by}) may be taken back only by {may}, not {actor}",
                    no=last.step,
                    by=last.by,
                    may=may,
                    actor=actor,
                ),
                _("ask them to undo it; an override with --force is recorded under your name"),
            )
        forced = True
    if last.target not in (None, END):
        following = state.steps[int(last.target)].current
        assert following is not None
        if following.outputs or following.inputs or following.parts:
            raise Refused(
                _(
                    "step {target} already has evidence recorded since step {no} was completed",
                    target=last.target,
                    no=last.step,
                ),
                _("an undo would orphan that evidence; record a note instead"),
            )
    return {"undoes": last.seq, "step": last.step, "lane": last.lane, "forced": forced}


def check_cancel(state: RunState, reason: str) -> dict[str, Any]:
    _open(state)
    if not reason.strip():
        raise Refused(_("a cancellation needs a reason"), _('add --reason "..."'))
    return {"reason": reason.strip()}


def handed_over(state: RunState, item: Pass) -> list[File]:
    """The outputs of the pass that handed the work to `item`: its inputs by right of the flow."""
    if item.handed_from is None:
        return []
    source_no, source_pass = item.handed_from
    source = state.steps[source_no].passes[source_pass]
    return [{**f, "step": source_no} for f in source.outputs]
