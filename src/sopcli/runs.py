"""Run operations: read a run, apply the engine's rules, and append one record through the store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sopcli import engine, evidence, summaries
from sopcli import report as reports
from sopcli.calendar import FIRST_YEAR, LAST_YEAR, acceptable
from sopcli.engine import RunState
from sopcli.env import Environment, checked_text
from sopcli.errors import Damaged, NotFound, Refused, StoreError
from sopcli.i18n import _
from sopcli.store import Record, RunStore, open_store

if TYPE_CHECKING:
    from sopcli.model import Sop
    from sopcli.queries import Query

Check = Callable[[RunState, list[dict[str, Any]]], tuple[str, dict[str, Any], datetime]]


def parse_when(text: str, zone: ZoneInfo) -> datetime:
    """`--at`: ISO 8601 (with or without offset) or `YYYY-MM-DD HH:MM` in the SOP's timezone."""
    hint = _("write 2026-12-24T14:00+07:00 or '2026-12-24 14:00'")
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Refused(_("--at {value!r} is not a time", value=text), hint) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=zone)
    if not acceptable(moment):
        raise Refused(
            _("--at {value!r} lies outside the years {first}–{last}", value=text, first=FIRST_YEAR, last=LAST_YEAR),
            hint,
        )
    return moment.replace(microsecond=0)


class Runs:
    """The runs of one store, as the commands act on them."""

    def __init__(self, env: Environment, store: RunStore | None = None) -> None:
        self.env = env
        self.store = store or open_store(env)
        self.warnings: list[str] = []
        self._login: str | None = None

    @property
    def actor(self) -> str:
        """Who acts: on a team store the database login (nobody records work in someone else's name),
        else `--as`, SOP_USER or the OS login."""
        if self.store.kind == "postgresql":
            if self._login is None:
                self._login = self.store.login()
            return self._login
        return self.env.actor

    @property
    def login(self) -> str:
        return self.actor if self.store.kind == "postgresql" else self.env.login

    def _acting(self) -> None:
        """A team store refuses --as and SOP_USER in one line: the database login is the person."""
        if self.store.kind == "postgresql" and self.env.user_given:
            raise Refused(
                _("--as and SOP_USER are not used with a team store: you act as your database login"),
                _("log in as yourself (SOP_STORE's user, PGUSER), or unset SOP_USER"),
            )

    # -- reading

    def run_id(self, ref: str | None) -> str:
        if ref is not None:
            return self.store.resolve(ref)
        current = self.store.current()
        if not current:
            raise NotFound(_("no current run"), _("start one with `sop start SOP`, or pick one with `sop use RUN`"))
        return current

    def fold(self, run_id: str, records: list[Record]) -> RunState:
        """The run's state; a chain that cannot be folded means a run file written outside sop."""
        try:
            return engine.fold(records)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError) as err:
            raise Damaged(
                _(
                    "the run {run} does not make a valid run ({detail}); it was left untouched",
                    run=run_id,
                    detail=type(err).__name__,
                ),
                _("`sop verify` shows the first bad record"),
            ) from None

    def state(self, ref: str | None = None) -> RunState:
        run_id = self.run_id(ref)
        return self.fold(run_id, self.store.read(run_id))

    def records(self, ref: str | None = None) -> list[Record]:
        run_id = self.run_id(ref)
        records = self.store.read(run_id)
        self.fold(run_id, records)
        return records

    def report(self, ref: str | None = None) -> dict[str, Any]:
        return reports.build(self.state(ref), self.env.now())

    def rows(self, query: Query | None = None) -> list[dict[str, Any]]:
        return self.store.rows(query)

    # -- writing

    def _fields(self, kind: str, data: dict[str, Any], at: datetime, zone: ZoneInfo) -> dict[str, Any]:
        """A record's facts: what, when it happened, when it was recorded, by whom, and from which login
        (`--as` or SOP_USER name the person acting; the login is who typed it)."""
        return {
            "type": kind,
            "at": at.astimezone(zone).replace(microsecond=0).isoformat(),
            "recorded_at": self.env.now().astimezone(zone).replace(microsecond=0).isoformat(),
            "by": self.actor,
            "login": self.login,
            "data": data,
        }

    def _moment(self, at: str | None, zone: ZoneInfo) -> datetime:
        now = self.env.now().replace(microsecond=0)
        if at is None:
            return now
        moment = parse_when(at, zone)
        if moment > now:
            raise Refused(
                _("--at {value} lies in the future", value=at), _("record what has happened, at or before now")
            )
        return moment

    def _summarize(self, run_id: str) -> Callable[[list[Record]], dict[str, Any]]:
        return lambda records: reports.summary(self.fold(run_id, records), self.env.now())

    def _write(self, ref: str | None, purpose: str, check: Check, files: Sequence[Path] = ()) -> RunState:
        self._acting()
        run_id = self.run_id(ref)
        attachments = evidence.open_attachments(files)
        try:

            def build(run: str, records: list[Record], refs: list[dict[str, Any]]) -> dict[str, Any]:
                state = self.fold(run, records)
                kind, data, at = check(state, refs)
                return self._fields(kind, data, at, state.plan.calendar.zone)

            written = self.store.append(run_id, build, attachments, self._summarize(run_id), purpose=purpose)
        finally:
            for item in attachments:
                item.close()
        self.warnings += written.warnings
        return engine.fold(written.records)

    def start(self, sop: Sop, *, title: str | None, assignments: dict[str, str], at: str | None) -> RunState:
        from sopcli.calendar import holidays_of
        from sopcli.model import sop_document

        self._acting()
        zone = ZoneInfo(sop.calendar.timezone)
        moment = self._moment(at, zone)
        for actor, person in assignments.items():
            checked_text(person, "--assign")
            if actor not in {a.id for a in sop.actors}:
                raise Refused(
                    _("{sop} has no lane '{lane}'", sop=sop.id, lane=actor),
                    _("lanes are: {known}", known=", ".join(a.id for a in sop.actors)),
                )
        local = moment.astimezone(zone)
        years = range(max(FIRST_YEAR, local.year - 1), min(LAST_YEAR, local.year + 3) + 1)
        cal = sop.calendar
        names = holidays_of(cal.holidays, years, cal.holiday_categories)
        closed = sorted({*names, *cal.days_off})
        document = sop_document(sop)

        def build(run_id: str, records: list[Record], refs: list[dict[str, Any]]) -> dict[str, Any]:
            data = {
                "run": run_id,
                "sop": document,
                "closed": [d.isoformat() for d in closed],
                "holidays": {d.isoformat(): n for d, n in names.items()},
                "title": title,
                "assignments": assignments,
            }
            return self._fields("start", data, moment, zone)

        def summarize(records: list[Record]) -> dict[str, Any]:
            return reports.summary(engine.fold(records), self.env.now())

        written = self.store.append(None, build, [], summarize, purpose="sop start", make_current=True)
        self.warnings += written.warnings
        return engine.fold(written.records)

    def done(
        self,
        ref: str | None,
        step: int,
        *,
        at: str | None = None,
        outcome: str | None = None,
        note: str | None = None,
        outputs: Sequence[Path] = (),
        inputs: Sequence[Path] = (),
        force: bool = False,
        lane: str | None = None,
    ) -> RunState:
        if note is not None:
            checked_text(note, "--note")

        def check(state: RunState, refs: list[dict[str, Any]]) -> tuple[str, dict[str, Any], datetime]:
            moment = self._moment(at, state.plan.calendar.zone)
            data = engine.check_done(state, step, actor=self.actor, at=moment, outcome=outcome, force=force, lane=lane)
            data["note"] = note
            data["outputs"], data["inputs"] = refs[: len(outputs)], refs[len(outputs) :]
            return "done", data, moment

        return self._write(ref, "sop done", check, [*outputs, *inputs])

    def attach(self, ref: str | None, step: int, files: Sequence[Path], *, as_input: bool, force: bool) -> RunState:
        if not files:
            raise Refused(_("no file to attach"), _("name at least one file"))

        def check(state: RunState, refs: list[dict[str, Any]]) -> tuple[str, dict[str, Any], datetime]:
            data = engine.check_attach(state, step, actor=self.actor, force=force)
            data["kind"] = "input" if as_input else "output"
            data["files"] = refs
            return "attach", data, self.env.now()

        return self._write(ref, "sop attach", check, files)

    def note(self, ref: str | None, step: int, text: str) -> RunState:
        if not checked_text(text, _("the note")).strip():
            raise Refused(_("the note is empty"), _("write what should be remembered"))

        def check(state: RunState, refs: list[dict[str, Any]]) -> tuple[str, dict[str, Any], datetime]:
            return "note", {**engine.check_note(state, step), "text": text}, self.env.now()

        return self._write(ref, "sop note", check)

    def assign(self, ref: str | None, actor: str, person: str) -> RunState:
        checked_text(person, _("ACTOR=PERSON"))

        def check(state: RunState, refs: list[dict[str, Any]]) -> tuple[str, dict[str, Any], datetime]:
            engine.check_assign(state, actor)
            return "assign", {"actor": actor, "person": person}, self.env.now()

        return self._write(ref, "sop assign", check)

    def undo(self, ref: str | None, *, force: bool = False) -> tuple[RunState, engine.Completion]:
        """Takes back the last part done; returns the new state and the completion that was taken back."""
        taken: list[engine.Completion] = []

        def check(state: RunState, refs: list[dict[str, Any]]) -> tuple[str, dict[str, Any], datetime]:
            data = engine.check_undo(state, actor=self.actor, force=force)
            taken.append(state.completions[-1])
            return "undo", data, self.env.now()

        return self._write(ref, "sop undo", check), taken[0]

    def cancel(self, ref: str | None, reason: str) -> RunState:
        checked_text(reason, "--reason")

        def check(state: RunState, refs: list[dict[str, Any]]) -> tuple[str, dict[str, Any], datetime]:
            return "cancel", engine.check_cancel(state, reason), self.env.now()

        return self._write(ref, "sop cancel", check)

    def use(self, ref: str) -> str:
        return self.store.use(ref)

    # -- what waits for whom

    def inbox(self, person: str | None = None, everyone: bool = False) -> list[dict[str, Any]]:
        """The active steps of active runs that wait in lanes assigned to `person` (the acting person by
        default), or everyone's with unassigned lanes too; overdue first, then by deadline."""
        who = person or self.actor
        return summaries.diagnosed(self.store.rows(), lambda rows: self._waiting(rows, who, everyone))

    def _waiting(self, rows: list[dict[str, Any]], who: str, everyone: bool) -> list[dict[str, Any]]:
        from sopcli.queries import instant

        now = self.env.now()
        found = []
        for row in rows:
            active = row.get("active")
            if row.get("status") != "active" or not active:
                continue
            assignments = row.get("assignments") or {}
            waiting = [
                lane
                for lane in active.get("open") or active.get("actors") or []
                if everyone or assignments.get(lane) == who
            ]
            if not waiting:
                continue
            try:
                state = self.fold(row["id"], self.store.read(row["id"]))
            except (NotFound, StoreError) as err:  # said, never silently left out: the work waits somewhere
                self.warnings.append(_("run {run} is left out: {problem}", run=row["id"], problem=err.message))
                continue
            step = state.active
            if step is None:
                continue
            item = reports.step_report(state, step, now)
            lanes = [lane for lane in step.open_lanes() if lane in waiting] or waiting[:1]
            if step.plan.together == "any":  # one of the lanes does it: one row per person, however many lanes
                holders = {lane: assignments.get(lane) or f"lane:{lane}" for lane in lanes}
                lanes = [lane for lane in lanes if lane == next(x for x in lanes if holders[x] == holders[lane])]
            for lane in lanes:
                found.append(
                    {
                        "run": state.id,
                        "sop": state.plan.id,
                        "number": state.plan.number,
                        "title": state.title,
                        "step": item["no"],
                        "activity": item["activity"],
                        "actor": lane,
                        "actor_name": state.plan.lane(lane),
                        "person": state.assignments.get(lane),
                        "since": item["pass_started_at"],
                        "standard_minutes": item["group_standard_minutes"],
                        "elapsed_minutes": item["elapsed_minutes"],
                        "due_at": item["due_at"],
                        "overdue": item["overdue"],
                        "inputs": item["inputs"],
                    }
                )
        found.sort(
            key=lambda r: (not r["overdue"], r["due_at"] is None, instant(r["due_at"]), instant(r["since"]), r["run"])
        )
        return found

    # -- verifying

    def verify(self, ref: str | None = None) -> tuple[RunState | None, list[str]]:
        """The run's chain against the index, its records against the rules, and every evidence file."""
        run_id = self.run_id(ref)
        problems = self.store.verify(run_id)
        if problems:
            return None, problems
        try:
            records = self.store.read(run_id)
            state = self.fold(run_id, records)
        except StoreError as err:
            return None, [err.message]
        problems += engine.replay(records)
        problems += self._summary_problems(state, records)
        seen: set[str] = set()
        for record in records:
            data = record["data"]
            for item in [*(data.get("outputs") or []), *(data.get("inputs") or []), *(data.get("files") or [])]:
                if item["sha256"] in seen:
                    continue
                seen.add(item["sha256"])
                issue = self.store.evidence_problem(item)
                if issue:
                    problems.append(_("record {seq}: {issue}", seq=record["seq"], issue=issue))
        return state, problems

    def _summary_problems(self, state: RunState, records: list[Record]) -> list[str]:
        """The index row against the one computed again from the records for the moment it names: a row
        edited by hand (a status, a title, a figure) would mislead listings, the inbox and monitoring."""
        row = self.store.row(state.id)
        if row is None or row.get("seq") != len(records) or row.get("head") != records[-1]["hash"]:
            return []  # no row, or the run moved on since: the store's own check above speaks for that
        wrong = summaries.problem(row)
        if wrong is None:
            fields = summaries.differences(row, reports.summary(state, summaries.as_of(row)))
            if not fields:
                return []
            wrong = _("the index row disagrees with the records in {fields}", fields=", ".join(fields))
        return [
            _(
                "run {run}: {problem}; `sop store reindex` computes it again from the records",
                run=state.id,
                problem=wrong,
            )
        ]

    def verify_all(self) -> tuple[int, list[str]]:
        """Every run of the store, and the index against the run files."""
        problems = self.store.verify_all()
        runs = 0
        for row_id in self.store.run_ids():
            runs += 1
            try:
                _state, found = self.verify(row_id)
            except (NotFound, StoreError) as err:
                found = [err.message]
            problems += [f"{row_id}: {p}" if row_id not in p else p for p in found]
        return runs, list(dict.fromkeys(problems))

    def reindex(self) -> list[str]:
        def summarize(records: list[Record]) -> dict[str, Any]:
            return reports.summary(self.fold(str(records[0]["data"].get("run")), records), self.env.now())

        return self.store.reindex(summarize)
