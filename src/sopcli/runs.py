"""Run operations: read a run under the lock, apply the engine's rules, store evidence, append a record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sopcli import engine, evidence
from sopcli import report as reports
from sopcli.engine import RunState
from sopcli.env import Environment
from sopcli.errors import NotFound, Refused, SopError, StoreError
from sopcli.store import GENESIS, Store, record_hash

if TYPE_CHECKING:
    from sopcli.model import Sop


def parse_when(text: str, zone: ZoneInfo) -> datetime:
    """`--at`: ISO 8601 (with or without offset) or `YYYY-MM-DD HH:MM` in the SOP's timezone."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Refused(f"--at {text!r} is not a time", "write 2026-12-24T14:00+07:00 or '2026-12-24 14:00'") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


class Runs:
    """The runs in one SOP_HOME, as the commands act on them."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.store = Store(env.home, env.lock_timeout)
        self.warnings: list[str] = []

    # -- reading

    def run_id(self, ref: str | None) -> str:
        if ref:
            return self.store.resolve(ref)
        current = self.store.current() if (self.env.home / "store.json").exists() else None
        if not current:
            raise NotFound("no current run", "start one with `sop start SOP`, or pick one with `sop use RUN`")
        return current

    def state(self, ref: str | None = None) -> RunState:
        run_id = self.run_id(ref)
        return self._fold(run_id, self.store.records(run_id))

    def _fold(self, run_id: str, records: list[dict[str, Any]]) -> RunState:
        """The run's state; records that cannot be folded mean a damaged or hand-edited run file."""
        try:
            return engine.fold(records)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as err:
            raise StoreError(
                f"the run file {self.store.run_path(run_id)} does not make a valid run ({err!r}); "
                "it was left untouched",
                "`sop verify` shows the first bad record",
            ) from None

    def records(self, ref: str | None = None) -> list[dict[str, Any]]:
        return self.store.records(self.run_id(ref))

    def report(self, ref: str | None = None) -> dict[str, Any]:
        return reports.build(self.state(ref), self.env.now())

    def summaries(self) -> list[dict[str, Any]]:
        return self.store.summaries()

    # -- writing

    def _record(self, kind: str, data: dict[str, Any], at: datetime, zone: ZoneInfo) -> dict[str, Any]:
        """A record's facts: what, when it happened, when it was recorded, by whom, and from which login
        (`--as` or SOP_USER name the person acting; the login is who typed it)."""
        return {
            "type": kind,
            "at": at.astimezone(zone).isoformat(),
            "recorded_at": self.env.now().astimezone(zone).isoformat(),
            "by": self.env.user,
            "login": self.env.login,
            "data": data,
        }

    def _moment(self, at: str | None, zone: ZoneInfo) -> datetime:
        now = self.env.now()
        if at is None:
            return now
        moment = parse_when(at, zone)
        if moment > now:
            raise Refused(f"--at {at} lies in the future", "record what has happened, at or before now")
        return moment

    def _write(
        self, ref: str | None, purpose: str, build: Callable[[RunState], tuple[str, dict[str, Any], datetime]]
    ) -> RunState:
        self.store.open()
        with self.store.lock(purpose):
            run_id = self.run_id(ref)
            records = self.store.records(run_id)
            state = self._fold(run_id, records)
            kind, data, at = build(state)
            zone = state.plan.calendar.zone
            record = self.store.append(run_id, records, self._record(kind, data, at, zone))
            state = engine.fold([*records, record])
            self._index(state)
        return state

    def _index(self, state: RunState) -> None:
        """The run file is the record; the index row is rewritten whole after every write, so one
        missed by a crash or an I/O error is caught up by the next write to that run."""
        try:
            self.store.put_summary(reports.summary(state))
        except SopError as err:
            self.warnings.append(
                f"recorded, but the run index was not updated ({err.message}); "
                "it catches up on the next change to this run"
            )

    def start(self, sop: Sop, *, title: str | None, assignments: dict[str, str], at: str | None) -> RunState:
        from sopcli.calendar import public_holidays
        from sopcli.model import sop_document

        zone = ZoneInfo(sop.calendar.timezone)
        moment = self._moment(at, zone)
        for actor in assignments:
            if actor not in {a.id for a in sop.actors}:
                raise Refused(f"{sop.id} has no lane '{actor}'", f"lanes are: {', '.join(a.id for a in sop.actors)}")
        local = moment.astimezone(zone)
        years = range(local.year - 1, local.year + 3)
        closed = sorted({*public_holidays(sop.calendar.holidays, years), *sop.calendar.days_off})
        self.store.open()
        with self.store.lock("sop start"):
            run_id = self.store.new_run_id()
            data = {
                "run": run_id,
                "sop": sop_document(sop),
                "closed": [d.isoformat() for d in closed],
                "title": title,
                "assignments": assignments,
            }
            record = self.store.append(run_id, [], self._record("start", data, moment, zone))
            state = engine.fold([record])
            self._index(state)
            try:
                self.store.set_current(run_id)
            except SopError as err:
                self.warnings.append(
                    f"run {run_id} started, but it could not be made current ({err.message}); use `sop use {run_id}`"
                )
        return state

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
    ) -> RunState:
        evidence.check_files([*outputs, *inputs])

        def build(state: RunState) -> tuple[str, dict[str, Any], datetime]:
            moment = self._moment(at, state.plan.calendar.zone)
            data = engine.check_done(state, step, actor=self.env.user, at=moment, outcome=outcome, force=force)
            data["note"] = note
            data["outputs"] = [evidence.put(self.store.evidence_dir, p) for p in outputs]
            data["inputs"] = [evidence.put(self.store.evidence_dir, p) for p in inputs]
            return "done", data, moment

        return self._write(ref, "sop done", build)

    def attach(self, ref: str | None, step: int, files: Sequence[Path], *, as_input: bool, force: bool) -> RunState:
        if not files:
            raise Refused("no file to attach", "name at least one file")
        evidence.check_files(files)

        def build(state: RunState) -> tuple[str, dict[str, Any], datetime]:
            data = engine.check_attach(state, step, actor=self.env.user, force=force)
            data["kind"] = "input" if as_input else "output"
            data["files"] = [evidence.put(self.store.evidence_dir, p) for p in files]
            return "attach", data, self.env.now()

        return self._write(ref, "sop attach", build)

    def note(self, ref: str | None, step: int, text: str) -> RunState:
        if not text.strip():
            raise Refused("the note is empty", "write what should be remembered")

        def build(state: RunState) -> tuple[str, dict[str, Any], datetime]:
            return "note", {**engine.check_note(state, step), "text": text}, self.env.now()

        return self._write(ref, "sop note", build)

    def assign(self, ref: str | None, actor: str, person: str) -> RunState:
        def build(state: RunState) -> tuple[str, dict[str, Any], datetime]:
            engine.check_assign(state, actor)
            return "assign", {"actor": actor, "person": person}, self.env.now()

        return self._write(ref, "sop assign", build)

    def undo(self, ref: str | None) -> RunState:
        return self._write(ref, "sop undo", lambda s: ("undo", engine.check_undo(s), self.env.now()))

    def cancel(self, ref: str | None, reason: str) -> RunState:
        return self._write(ref, "sop cancel", lambda s: ("cancel", engine.check_cancel(s, reason), self.env.now()))

    def use(self, ref: str) -> str:
        self.store.open()
        with self.store.lock("sop use"):
            run_id = self.store.resolve(ref)
            self.store.set_current(run_id)
        return run_id

    # -- verifying

    def verify(self, ref: str | None = None) -> tuple[RunState | None, list[str]]:
        """Rechecks the chain of records and every evidence file; returns the problems, first first."""
        run_id = self.run_id(ref)
        path = self.store.run_path(run_id)
        try:
            records = self.store.records(run_id)
        except SopError as err:
            return None, [err.message]
        problems: list[str] = []
        prev = GENESIS
        for position, record in enumerate(records, 1):
            where = f"{path}: record {record.get('seq', '?')}"
            if record.get("seq") != position:
                problems.append(f"{where}: expected sequence number {position} (a record was removed or reordered)")
                break
            if record.get("prev") != prev:
                problems.append(f"{where}: does not follow record {position - 1} (chain broken)")
                break
            if record_hash(record) != record.get("hash"):
                problems.append(f"{where}: content does not match its hash (the record was edited)")
                break
            prev = record["hash"]
        row = self.store.summary(run_id)
        if not problems and row and records and row.get("seq", 0) > records[-1]["seq"]:
            problems.append(
                f"{path}: the index knows {row['seq']} records but the run has "
                f"{records[-1]['seq']} (records were removed from the end)"
            )
        if (
            not problems
            and row
            and records
            and row.get("seq") == records[-1]["seq"]
            and row.get("head") != records[-1]["hash"]
        ):
            problems.append(f"{path}: record {records[-1]['seq']} differs from the one the index vouches for")
        state = None
        if not problems:
            try:
                state = engine.fold(records)
            except (KeyError, IndexError, TypeError, ValueError) as err:
                problems.append(f"{path}: the records do not make a valid run ({err!r})")
        for record in records:
            data = record.get("data") or {}
            for item in [*data.get("outputs", []), *data.get("inputs", []), *data.get("files", [])]:
                issue = evidence.check_blob(self.store.evidence_dir, item)
                if issue:
                    problems.append(f"record {record.get('seq')}: {issue}")
        return state, problems
