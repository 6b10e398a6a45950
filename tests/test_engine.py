"""The fold is pure: records in, state out; undo and decision loops behave as the SPEC says."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from sopcli.engine import check_done, check_undo, fold
from sopcli.errors import Refused
from sopcli.loader import load_file
from sopcli.model import sop_document

from .conftest import SEED

pytestmark = pytest.mark.usefixtures("english")

DOC = sop_document(load_file(SEED))


class Trail:
    """Builds records by hand, the way the store would keep them (hashes are the store's business)."""

    def __init__(self) -> None:
        self.records: list[dict] = []
        self.add("start", "08:00", run="r1", sop=DOC, closed=[], title=None, assignments={})

    def add(self, kind: str, hhmm: str, **data) -> None:
        seq = len(self.records) + 1
        self.records.append(
            {
                "seq": seq,
                "type": kind,
                "at": f"2026-11-23T{hhmm}:00+07:00",
                "recorded_at": f"2026-11-23T{hhmm}:00+07:00",
                "by": "ani",
                "data": data,
                "prev": "",
                "hash": f"h{seq}",
            }
        )

    def through_step_five(self) -> None:
        for step, at in ((1, "08:10"), (2, "08:20"), (3, "08:30"), (4, "09:00"), (5, "09:10")):
            self.done(step, at)

    def done(self, step: int, hhmm: str, outcome: str | None = None) -> None:
        state = fold(self.records)
        at = datetime.fromisoformat(f"2026-11-23T{hhmm}:00+07:00")
        self.add("done", hhmm, **check_done(state, step, actor="ani", at=at, outcome=outcome, force=False))


def test_a_new_run_has_step_one_active() -> None:
    state = fold(Trail().records)
    assert state.active and state.active.plan.no == 1
    assert [s.status for s in state.steps.values()] == ["active"] + ["pending"] * 5


def test_a_decision_loop_times_every_pass() -> None:
    trail = Trail()
    trail.through_step_five()
    trail.done(6, "09:30", "perbaiki")
    trail.done(4, "10:00")
    state = fold(trail.records)
    four = state.steps[4]
    assert [(p.started_at.hour, p.started_at.minute, p.finished_at.minute) for p in four.passes] == [
        (8, 30, 0),
        (9, 30, 0),
    ]
    assert state.steps[5].status == "active" and len(state.steps[5].passes) == 2
    assert state.steps[5].passes[1].handed_from == (4, 1)


def test_undo_reopens_and_removes_the_next_pass() -> None:
    trail = Trail()
    trail.done(1, "08:10")
    trail.add("undo", "08:15", **check_undo(fold(trail.records), actor="ani", force=False))
    state = fold(trail.records)
    assert state.steps[1].status == "active" and state.steps[1].passes[0].started_at.minute == 0
    assert state.steps[2].status == "pending" and state.completions == []


def test_undo_of_the_last_step_reopens_a_completed_run() -> None:
    trail = Trail()
    trail.through_step_five()
    trail.done(6, "09:20", "sesuai")
    assert fold(trail.records).status == "completed"
    trail.add("undo", "09:30", **check_undo(fold(trail.records), actor="ani", force=False))
    state = fold(trail.records)
    assert state.status == "active" and state.finished_at is None and state.active.plan.no == 6


def test_fold_is_pure() -> None:
    trail = Trail()
    trail.done(1, "08:10")
    before = [dict(r) for r in trail.records]
    assert fold(trail.records) == fold(trail.records)
    assert trail.records == before


def test_rules_refuse_without_recording() -> None:
    trail = Trail()
    with pytest.raises(Refused):
        trail.done(2, "08:10")
    assert len(trail.records) == 1


def test_snapshot_is_kept_in_the_run(tmp_path: Path, sop, monkeypatch) -> None:
    local = tmp_path / "sops"
    local.mkdir()
    (local / "rkt.yaml").write_text(SEED.read_text())
    sop("start", "rkt-ii")
    (local / "rkt.yaml").write_text(SEED.read_text().replace("waktu: 10 Menit", "waktu: 99 Menit"))
    import json

    steps = json.loads(sop("report", "-f", "json").out)["steps"]
    assert steps[0]["standard_minutes"] == 10
