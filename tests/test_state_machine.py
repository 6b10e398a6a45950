"""Hypothesis drives start/done/undo/attach/note/cancel against a tiny model of the rules:
the fold, the store and the model always agree, and `verify` always passes."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sopcli import loader
from sopcli.env import Environment
from sopcli.errors import Refused
from sopcli.runs import Runs

from .conftest import SEED
from .needs import thorough

pytestmark = pytest.mark.usefixtures("english")

SOP = loader.load_file(SEED)
FLOW = {1: 2, 2: 3, 3: 4, 4: 5, 5: 6}
DECISION = {"sesuai": "end", "perbaiki": 4}


class RunModel(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.folder = Path(tempfile.mkdtemp())
        self.clock = datetime.fromisoformat("2026-11-23T08:00:00+07:00")
        self.runs = self.connect()
        self.run = self.runs.start(SOP, title=None, assignments={}, at=None).id
        self.evidence = self.folder / "bukti.pdf"
        self.evidence.write_text("bukti")
        self.status, self.active, self.records = "active", 1, 1
        self.passes = {n: 0 for n in range(1, 7)} | {1: 1}
        self.completions: list[tuple[int, int | str]] = []
        self.with_evidence: set[tuple[int, int]] = set()

    def connect(self) -> Runs:
        """The store the story runs on (the team-store suite runs the same story on PostgreSQL)."""
        return Runs(Environment(home=self.folder / "home", user="ani", cwd=self.folder, now=lambda: self.clock))

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def tick(self, minutes: int) -> None:
        self.clock += timedelta(minutes=minutes)

    @rule(minutes=st.integers(0, 600), outcome=st.sampled_from(["sesuai", "perbaiki"]))
    def done(self, minutes: int, outcome: str) -> None:
        self.tick(minutes)
        if self.status != "active":
            self._refused(lambda: self.runs.done(self.run, 1))
            return
        step = self.active
        target = DECISION[outcome] if step == 6 else FLOW[step]
        self.runs.done(self.run, step, outcome=outcome if step == 6 else None)
        self.records += 1
        self.completions.append((step, target))
        if target == "end":
            self.status, self.active = "completed", None
        else:
            self.passes[target] += 1
            self.active = target

    @rule(step=st.integers(1, 6))
    def done_a_step_that_is_not_active(self, step: int) -> None:
        if step != self.active:
            self._refused(lambda: self.runs.done(self.run, step, outcome="sesuai" if step == 6 else None))

    @rule(minutes=st.integers(0, 60))
    def undo(self, minutes: int) -> None:
        self.tick(minutes)
        if self.status == "cancelled" or not self.completions:
            self._refused(lambda: self.runs.undo(self.run))
            return
        step, target = self.completions[-1]
        if target != "end" and (target, self.passes[target] - 1) in self.with_evidence:
            self._refused(lambda: self.runs.undo(self.run))
            return
        self.runs.undo(self.run)
        self.records += 1
        self.completions.pop()
        if target != "end":
            self.passes[target] -= 1
        self.status, self.active = "active", step

    @rule(step=st.integers(1, 6))
    def attach(self, step: int) -> None:
        if self.status != "active" or self.passes[step] == 0:
            self._refused(lambda: self.runs.attach(self.run, step, [self.evidence], as_input=False, force=False))
            return
        self.runs.attach(self.run, step, [self.evidence], as_input=False, force=False)
        self.records += 1
        self.with_evidence.add((step, self.passes[step] - 1))

    @rule(step=st.integers(1, 6), text=st.text(min_size=1, max_size=30).filter(str.strip))
    def note(self, step: int, text: str) -> None:
        if self.status != "active":
            self._refused(lambda: self.runs.note(self.run, step, text))
            return
        self.runs.note(self.run, step, text)
        self.records += 1

    @precondition(lambda self: self.status == "active")
    @rule()
    def cancel(self) -> None:
        self.runs.cancel(self.run, "dihentikan")
        self.records += 1
        self.status, self.active = "cancelled", None

    def _refused(self, action) -> None:
        try:
            action()
        except Refused:
            return
        raise AssertionError("the rules should have refused this")

    @invariant()
    def fold_store_and_model_agree(self) -> None:
        state = self.runs.state(self.run)
        assert state.status == self.status
        assert (state.active.plan.no if state.active else None) == self.active
        assert {no: len(s.passes) for no, s in state.steps.items()} == self.passes
        assert state.seq == self.records
        (summary,) = [row for row in self.runs.rows() if row["id"] == self.run]
        assert summary["seq"] == self.records and summary["status"] == self.status

    @invariant()
    def verify_passes(self) -> None:
        _, problems = self.runs.verify(self.run)
        assert problems == []


RunModel.TestCase.settings = settings(max_examples=thorough(20, 200), stateful_step_count=30, deadline=None)
TestRunModel = RunModel.TestCase


EXAMPLE = loader.load_file(SEED.parent / "contoh-surat-masuk.yaml")
ASSIGNED = {"tu": "dina", "sekretaris": "sari"}
PEOPLE = ["dina", "sari", "ani"]


class LaneModel(RuleBasedStateMachine):
    """The example SOP's steps in several lanes: parts by lane, `any` and `all`, the lane rule per
    lane, outcomes from the completing part, and undo of the last part, against a model of the rules."""

    @initialize()
    def start(self) -> None:
        self.folder = Path(tempfile.mkdtemp())
        self.clock = datetime.fromisoformat("2026-11-23T08:00:00+07:00")
        self.runs = self.connect()
        self.run = self.runs.start(EXAMPLE, title=None, assignments=dict(ASSIGNED), at=None).id
        self.steps = {s.no: s for s in EXAMPLE.steps}
        self.status, self.active, self.parts = "active", 1, []
        self.passes = {n: 0 for n in self.steps} | {1: 1}
        self.completions: list[tuple[int, str, str, int | str | None, list[str]]] = []

    def connect(self) -> Runs:
        """The store the story runs on, as ani (the team-store suite gives each person their own login)."""
        self.env = Environment(home=self.folder / "home", user="ani", cwd=self.folder, now=lambda: self.clock)
        return Runs(self.env)

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def act(self, person: str, action):
        self.env.user = person
        try:
            return action()
        finally:
            self.env.user = "ani"

    def expected_lane(self, person: str, lane: str | None) -> str | None:
        step = self.steps[self.active]
        open_lanes = [a for a in step.actor if a not in self.parts]
        if lane is not None:
            if lane not in open_lanes or ASSIGNED.get(lane) not in (None, person):
                return None
            return lane
        mine = [a for a in open_lanes if ASSIGNED.get(a) == person]
        free = [a for a in open_lanes if a not in ASSIGNED]
        candidates = mine or free
        return candidates[0] if len(candidates) == 1 else None

    def following(self, no: int) -> int | str:
        step = self.steps[no]
        if step.next is not None:
            return step.next
        numbers = sorted(self.steps)
        i = numbers.index(no)
        return numbers[i + 1] if i + 1 < len(numbers) else "end"

    @rule(
        person=st.sampled_from(PEOPLE),
        lane=st.sampled_from([None, "tu", "sekretaris", "karo", "teknis", "administrasi"]),
        pick=st.integers(0, 1),
        minutes=st.integers(0, 240),
    )
    def done(self, person: str, lane: str | None, pick: int, minutes: int) -> None:
        self.clock += timedelta(minutes=minutes)
        if self.status != "active":
            self._refused(lambda: self.act(person, lambda: self.runs.done(self.run, 1)))
            return
        step = self.steps[self.active]
        chosen = self.expected_lane(person, lane)
        open_lanes = [a for a in step.actor if a not in self.parts]
        completes = step.together == "any" or len(open_lanes) == 1
        outcome = list(step.outcomes)[pick] if step.outcomes and completes else None
        call = lambda: self.runs.done(self.run, self.active, outcome=outcome, lane=lane)  # noqa: E731
        if chosen is None:
            self._refused(lambda: self.act(person, call))
            return
        self.act(person, call)
        target = (step.outcomes[outcome] if outcome else self.following(step.no)) if completes else None
        self.completions.append((step.no, chosen, person, target, list(self.parts)))
        self.parts.append(chosen)
        if target is None:
            return
        self.parts = []
        if target == "end":
            self.status, self.active = "completed", None
        else:
            self.passes[target] += 1
            self.active = target

    @rule(person=st.sampled_from(PEOPLE))
    def undo(self, person: str) -> None:
        if not self.completions:
            self._refused(lambda: self.act(person, lambda: self.runs.undo(self.run)))
            return
        no, lane, by, target, parts_before = self.completions[-1]
        if person not in (by, ASSIGNED.get(lane)):
            self._refused(lambda: self.act(person, lambda: self.runs.undo(self.run)))
            return
        self.act(person, lambda: self.runs.undo(self.run))
        self.completions.pop()
        if target not in (None, "end"):
            self.passes[target] -= 1
        self.status, self.active, self.parts = "active", no, parts_before

    def _refused(self, action) -> None:
        try:
            action()
        except Refused:
            return
        raise AssertionError("the rules should have refused this")

    @invariant()
    def fold_and_model_agree(self) -> None:
        state = self.runs.state(self.run)
        assert state.status == self.status
        assert (state.active.plan.no if state.active else None) == self.active
        assert {no: len(s.passes) for no, s in state.steps.items()} == self.passes
        if state.active:
            assert state.active.current.done_lanes() == self.parts
        _, problems = self.runs.verify(self.run)
        assert problems == []


LaneModel.TestCase.settings = settings(max_examples=thorough(15, 150), stateful_step_count=30, deadline=None)
TestLaneModel = LaneModel.TestCase
