"""A scripted year of runs of rkt-ii, each command on its own clock, whose Tabel 7 (monitoring), statistics
and listings are asserted exactly per period and per format, on both stores."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

pytestmark = [pytest.mark.usefixtures("english"), pytest.mark.both_stores]


def walk(sop, files, day: str, plan: list[tuple], assign: tuple[str, ...] = (), until: str | None = None) -> str:
    """One run started at 08:00 on `day`; each (step, minutes, *extra) is done `minutes` after the last."""
    sop.at(f"{day} 08:00")
    run = sop("start", "rkt-ii", "-q", *assign).out.strip()
    clock = 8 * 60
    for step, minutes, *extra in plan:
        clock += minutes
        sop.at(f"{day} {clock // 60:02d}:{clock % 60:02d}")
        args = [a if a != "FILE" else str(files(f"{run}-{step}-{clock}.pdf")) for a in extra]
        sop("done", str(step), "--run", run, *args)
    return run


OUT = ("--attach", "FILE")
IN = ("--input", "FILE")


@pytest.fixture
def year(sop, files) -> dict[str, str]:
    runs = {
        "A": walk(
            sop,
            files,
            "2026-02-02",
            [
                (1, 5, *IN, *OUT),
                (2, 30, *OUT),
                (3, 60, *OUT),
                (4, 100, *OUT),
                (5, 30, *OUT),
                (6, 10, "--outcome", "sesuai"),
            ],
        ),
        "B": walk(
            sop,
            files,
            "2026-05-04",
            [
                (1, 15, *IN, *OUT),
                (2, 90, *OUT),
                (3, 60, *OUT),
                (4, 100, *OUT),
                (5, 30, *OUT),
                (6, 10, "--outcome", "perbaiki", *OUT),
                (4, 50, *OUT),
                (5, 20, *OUT),
                (6, 10, "--outcome", "sesuai"),
            ],
        ),
        "C": walk(
            sop,
            files,
            "2026-08-03",
            [
                (1, 5, "--force", *OUT),
                (2, 30, *OUT),
                (3, 60, *OUT),
                (4, 100, *OUT),
                (5, 30, *OUT),
                (6, 10, "--outcome", "sesuai", "--as", "siti"),
            ],
            assign=("--assign", "kabag=siti"),
        ),
        "D": walk(sop, files, "2026-11-02", [(1, 5, *IN, *OUT), (2, 30, *OUT)]),
        "E": walk(sop, files, "2026-10-05", [(1, 5, *IN, *OUT)]),
    }
    sop.at("2026-10-05 08:10")
    sop("cancel", "--reason", "ditunda", "--run", runs["E"])
    sop.at("2026-12-31 10:00")
    return runs


def monitor(sop, period: str) -> dict:
    return json.loads(sop("monitor", "rkt-ii", "--period", period, "--format", "json").out)


def facts(data: dict) -> dict[int, tuple]:
    keys = ("assessment", "runs", "passes", "rework_passes", "median_minutes", "p90_minutes", "on_time_share")
    return {s["no"]: tuple(s[k] for k in (*keys, "forced", "missing_inputs")) for s in data["steps"]}


def test_the_first_half_year(sop, year) -> None:
    data = monitor(sop, "2026-H1")
    assert data["period"] == {"from": "2026-01-01", "to": "2026-06-30"}
    assert data["runs"] == {"total": 2, "completed": 2, "active": 0, "cancelled": 0}
    assert facts(data) == {
        1: ("tidak_baik", 2, 2, 0, 10, 15, 0.5, 0, 0),
        2: ("tidak_baik", 2, 2, 0, 60, 90, 0.5, 0, 0),
        3: ("baik", 2, 2, 0, 60, 60, 1.0, 0, 0),
        4: ("baik", 2, 3, 1, 100, 100, 1.0, 0, 0),
        5: ("baik", 2, 3, 1, 30, 30, 1.0, 0, 0),
        6: ("baik", 2, 3, 1, 10, 10, 1.0, 0, 0),
    }
    assert data["steps"][0]["notes"] == ["1 of 2 passes over the standard"]


def test_the_second_half_year_with_an_override_a_missing_input_and_a_cancelled_run(sop, year) -> None:
    data = monitor(sop, "2026-H2")
    assert data["runs"] == {"total": 3, "completed": 1, "active": 1, "cancelled": 1}
    assert facts(data) == {
        1: ("tidak_baik", 3, 3, 0, 5, 5, 1.0, 1, 1),
        2: ("baik", 3, 3, 0, 30, 30, 1.0, 0, 0),
        3: ("tidak_baik", 2, 2, 0, 60, 60, 0.5, 0, 0),  # run D has held step 3 since 2 November: overdue
        4: ("baik", 1, 1, 0, 100, 100, 1.0, 0, 0),
        5: ("baik", 1, 1, 0, 30, 30, 1.0, 0, 0),
        6: ("baik", 1, 1, 0, 10, 10, 1.0, 0, 0),
    }
    third = data["steps"][2]
    assert third["overdue_open"] == 1 and third["notes"] == [
        "1 of 2 passes over the standard",
        "1 passes still open past the standard",
    ]
    assert "1 still open past the standard" in sop("monitor", "rkt-ii", "--period", "2026-H2", "-f", "md").out
    # Before the deadline of 2 November 10:35 the open pass is not judged yet
    sop.at("2026-11-02 10:00")
    early = monitor(sop, "2026-H2")["steps"][2]
    assert (early["assessment"], early["on_time_share"], early["overdue_open"]) == ("baik", 1.0, 0)


def test_a_quarter_a_month_and_an_empty_period(sop, year) -> None:
    quarter = monitor(sop, "2026-Q4")
    assert quarter["runs"] == {"total": 2, "completed": 0, "active": 1, "cancelled": 1}
    assert facts(quarter)[1] == ("baik", 2, 2, 0, 5, 5, 1.0, 0, 0)
    november = monitor(sop, "2026-11")
    assert november["period"] == {"from": "2026-11-01", "to": "2026-11-30"} and november["runs"]["total"] == 1
    assert facts(november)[4][0] is None  # not run in the period: not assessed
    by_dates = json.loads(sop("monitor", "rkt-ii", "--from", "2026-11-01", "--to", "2026-11-30", "-f", "json").out)
    assert facts(by_dates) == facts(november)
    empty = sop("monitor", "rkt-ii", "--period", "2025")
    assert empty.code == 0 and len(empty.out.strip().splitlines()) == 1 and "No run of rkt-ii" in empty.out


@pytest.mark.parametrize("bad", ["2026-H3", "2026-13", "26", "2026-Q5", "last year", "2026-1-1"])
def test_a_malformed_period_names_the_accepted_forms(sop, bad: str) -> None:
    result = sop("monitor", "rkt-ii", "--period", bad, ok=False)
    assert result.code == 2 and "2026-H2" in result.err and len(result.err.strip().splitlines()) == 1
    assert sop("runs", "--period", bad, ok=False).code == 2
    assert sop("runs", "--from", "2026-02-30", ok=False).code == 2


def test_every_format_of_tabel_7(sop, year, monkeypatch) -> None:
    rows = list(csv.DictReader(io.StringIO(sop("monitor", "rkt-ii", "--period", "2026-H1", "-f", "csv").out)))
    assert [r["assessment"] for r in rows] == ["tidak_baik", "tidak_baik", "baik", "baik", "baik", "baik"]
    assert rows[3]["rework_passes"] == "1" and rows[0]["action"] == "" and rows[0]["initials"] == ""
    md = sop("monitor", "rkt-ii", "--period", "2026-H1", "-f", "md").out
    assert "| Not running well |" in md and "| Running well |" in md and "Action to be taken" in md
    monkeypatch.setenv("COLUMNS", "160")
    table = sop("monitor", "rkt-ii", "--period", "2026-H1").out
    assert "Running well" in table and "2 runs, 3 passes (1 rework)" in table
    monkeypatch.setenv("SOP_LANG", "id")
    monkeypatch.setenv("COLUMNS", "220")
    table = sop("monitor", "rkt-ii", "--period", "2026-H1").out
    assert "Berjalan dengan baik" in table and "Tidak berjalan dengan baik" in table and "Paraf" in table


def test_stats_and_runs_take_the_period_person_and_overdue(sop, year) -> None:
    stats = json.loads(sop("stats", "rkt-ii", "--period", "2026-H1", "-f", "json").out)
    assert stats["runs"] == 2 and stats["period"] == {"from": "2026-01-01", "to": "2026-06-30"}
    steps = {s["no"]: s for s in stats["steps"]}
    assert steps[1]["median_minutes"] == 10 and steps[4]["median_minutes"] == 125  # a run's passes add up
    assert json.loads(sop("stats", "rkt-ii", "--period", "2026-Q4", "-f", "json").out)["runs"] == 0

    def ids(*args: str) -> list[str]:
        return [r["id"] for r in json.loads(sop("runs", "--format", "json", *args).out)]

    assert ids("--period", "2026-H1") == [year["B"], year["A"]]
    assert ids("--period", "2026-Q4") == [year["D"], year["E"]]
    assert ids("--from", "2026-08-01", "--to", "2026-08-31") == [year["C"]]
    assert ids("--person", "siti") == [year["C"]]
    assert ids("--overdue") == [year["D"]]
    assert ids("--overdue", "--period", "2026-H1") == []
    assert ids("--period", "2025") == [] and sop("runs", "--period", "2025").out.strip() == "No run matches."


def test_the_default_half_year_is_the_sops_not_the_clocks(sop) -> None:
    for clock in ("2026-06-30T22:00+00:00", "2026-07-01T05:00+07:00"):  # the same instant: 1 July in Jakarta
        sop.at(clock)
        data = json.loads(sop("monitor", "rkt-ii", "--format", "json").out)
        assert data["period"] == {"from": "2026-07-01", "to": "2026-12-31"}, clock


def test_tabel_7_as_a_printed_page(sop, year, tmp_path) -> None:
    data = monitor(sop, "2026-H2")
    page = sop("monitor", "rkt-ii", "--period", "2026-H2", "--format", "html").out
    assert page.startswith("<!DOCTYPE html>") and "Monitoring the application of the SOP" in page
    found = dict(re.findall(r'data-step="(\d+)" data-assessment="(\w*)"', page))
    assert found == {str(s["no"]): s["assessment"] or "" for s in data["steps"]}
    assert page.count('<td class="blank"></td><td class="blank"></td>') == len(data["steps"])  # for the assessor
    out = tmp_path / "tabel7.html"
    sop("monitor", "rkt-ii", "--period", "2026-H2", "--format", "html", "-o", out, "--paper", "f4")
    assert out.read_text().startswith("<!DOCTYPE html>") and "330mm 210mm" in out.read_text()
    assert sop("monitor", "rkt-ii", "--format", "pdf", ok=False).code == 2  # a PDF needs -o FILE
    assert sop("monitor", "rkt-ii", "-o", out, ok=False).code == 2  # -o is for html and pdf
