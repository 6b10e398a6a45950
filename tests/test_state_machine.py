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

pytestmark = pytest.mark.usefixtures("english")

SOP = loader.load_file(SEED)
FLOW = {1: 2, 2: 3, 3: 4, 4: 5, 5: 6}
DECISION = {"sesuai": "end", "perbaiki": 4}


class RunModel(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.folder = Path(tempfile.mkdtemp())
        self.clock = datetime.fromisoformat("2026-11-23T08:00:00+07:00")
        env = Environment(home=self.folder / "home", user="ani", cwd=self.folder, now=lambda: self.clock)
        self.runs = Runs(env)
        self.run = self.runs.start(SOP, title=None, assignments={}, at=None).id
        self.evidence = self.folder / "bukti.pdf"
        self.evidence.write_text("bukti")
        self.status, self.active, self.records = "active", 1, 1
        self.passes = {n: 0 for n in range(1, 7)} | {1: 1}
        self.completions: list[tuple[int, int | str]] = []
        self.with_evidence: set[tuple[int, int]] = set()

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


RunModel.TestCase.settings = settings(max_examples=50, stateful_step_count=30, deadline=None)
TestRunModel = RunModel.TestCase
