"""Looking back: the list of runs, one run's audit trail, and statistics over completed runs."""

from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.usefixtures("english"), pytest.mark.both_stores]


def complete_run(sop, files, start: str, minutes: list[int], loop: bool = False) -> str:
    """One run of rkt-ii whose steps 1..6 take the given working minutes (same day where possible)."""
    sop.at(start)
    run = sop("start", "rkt-ii", "-q").out.strip()
    clock = [int(start[11:13]) * 60 + int(start[14:16])]
    day = start[:10]

    def advance(by: int) -> None:
        clock[0] += by
        sop.at(f"{day} {clock[0] // 60:02d}:{clock[0] % 60:02d}")

    for step, spent in zip(range(1, 7), minutes, strict=True):
        advance(spent)
        if step == 6 and loop:
            sop("done", "6", "--outcome", "perbaiki")
            advance(5)
            sop("done", "4")
            advance(5)
            sop("done", "5")
            advance(spent)
        sop("done", str(step), *(["--outcome", "sesuai"] if step == 6 else []))
    return run


def test_stats_over_completed_runs(sop, files) -> None:
    complete_run(sop, files, "2026-11-23 08:00", [5, 30, 60, 100, 30, 10])
    complete_run(sop, files, "2026-11-24 08:00", [20, 30, 60, 100, 90, 10])
    complete_run(sop, files, "2026-11-25 08:00", [30, 70, 60, 100, 30, 10], loop=True)
    sop.at("2026-11-26 08:00")
    sop("start", "rkt-ii", "-q")  # active runs are not counted
    data = json.loads(sop("stats", "rkt-ii", "--format", "json").out)
    assert data["sop"] == "rkt-ii" and data["runs"] == 3
    steps = {s["no"]: s for s in data["steps"]}
    assert steps[1] == {
        "no": 1,
        "count": 3,
        "median_minutes": 20,
        "p90_minutes": 30,
        "standard_minutes": 10,
        "on_time_share": round(1 / 3, 4),
        "median_overrun_minutes": 10,
    }
    assert steps[2]["on_time_share"] == round(2 / 3, 4)
    assert steps[4]["median_minutes"] == 100 and steps[4]["p90_minutes"] == 105  # the loop's second pass
    assert steps[6]["on_time_share"] == 1
    assert data["most_late_step"] == 1
    out = sop("stats", "rkt-ii").out
    assert "3 completed runs" in out and "Most late: step 1 (largest median overrun)" in out


def test_stats_with_no_completed_runs(sop) -> None:
    data = json.loads(sop("stats", "rkt-ii", "--format", "json").out)
    assert data["runs"] == 0 and data["most_late_step"] is None
    assert [s["count"] for s in data["steps"]] == [0] * 6


def test_runs_table(sop) -> None:
    assert "No runs here yet" in sop("runs").out
    assert sop("runs", "--format", "json").out.strip() == "[]"
    run = sop("start", "rkt-ii", "-q", "--title", "RKT 2027").out.strip()
    out = sop("runs").out
    assert run in out and "RKT 2027" in out and "active" in out
    assert "no SOP" in sop.fail("stats", "nope")


@pytest.mark.tinydb_only  # on a team store the login is the person: no --as beside a login
def test_log_tells_what_happened_and_when_it_was_recorded(sop, files, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    sop.at("2026-11-23 10:00")
    sop("start", "rkt-ii", "-q", "--at", "2026-11-23 08:00", "--assign", "kabag=siti")
    sop("done", "1", "--as", "siti", "--at", "2026-11-23 09:00", "--attach", files("disposisi.pdf"))
    sop("note", "2", "menunggu Renstra")
    sop("assign", "kasubbag=budi")
    sop("undo", "--as", "siti")
    sop("cancel", "--reason", "ditunda")
    out = sop("log").out
    for text in (
        "started rkt-ii",
        "step 1 done; evidence: disposisi.pdf",
        "(recorded 2026-11-23 10:00)",
        "✎ menunggu Renstra",
        "lane kasubbag → budi",
        "was taken back",
        "run cancelled: ditunda",
    ):
        assert text in out, text
    records = json.loads(sop("log", "--format", "json").out)
    assert [r["by"] for r in records] == ["ani", "siti", "ani", "ani", "siti", "ani"]
    login = records[0]["login"]
    assert login and all(r["login"] == login for r in records)  # who typed it, whatever --as said
    assert f"(login {login})" in out


def test_done_names_what_the_next_step_received(sop, files) -> None:
    sop("start", "rkt-ii", "-q")
    out = sop("done", "1", "--attach", files("disposisi.pdf")).out
    assert "Received: disposisi.pdf (step 1)" in out
