"""Real forms: a step drawn in several lanes (one of them does it, or each does its part), a step with
no time standard, two steps under one merged Waktu cell. The bundled example SOP walks every path."""

from __future__ import annotations

import json
import textwrap

import pytest

from sopcli.errors import InvalidSop
from sopcli.loader import load_text

from .conftest import ROOT

pytestmark = [pytest.mark.usefixtures("english"), pytest.mark.both_stores]

EXAMPLE = "contoh-surat-masuk"


def start(sop, *extra: str) -> str:
    sop.at("2026-11-23 08:00")
    return sop("start", EXAMPLE, "-q", "--assign", "tu=dina", "--assign", "sekretaris=sari", *extra).out.strip()


def report(sop) -> dict:
    return json.loads(sop("report", "--format", "json").out)


def steps(sop) -> dict[int, dict]:
    return {s["no"]: s for s in report(sop)["steps"]}


def row_of(table: str, no: int) -> str:
    """The lines of a step's row in a table (from its number to the rule under it)."""
    lines = table.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(f"│{no:>3} │"))
    last = next(i for i in range(first + 1, len(lines)) if not lines[i].startswith("│ "))
    return "\n".join(lines[first:last])


def test_the_example_validates_and_shows_every_lane_a_step_is_drawn_in(sop) -> None:
    assert "ok (contoh-surat-masuk, 9 steps)" in sop("validate", str(ROOT / "sops" / f"{EXAMPLE}.yaml")).out
    doc = json.loads(sop("show", EXAMPLE, "--format", "json").out)
    first, fourth, eighth = doc["steps"][0], doc["steps"][3], doc["steps"][7]
    assert first["actors"] == ["tu", "sekretaris"] and first["actor"] == "tu" and first["together"] == "any"
    assert first["time"] is None and first["standard_minutes"] is None
    assert fourth["time_with"] == 3 and fourth["standard_minutes"] is None
    assert eighth["together"] == "all"
    assert all(isinstance(s["actors"], list) for s in doc["steps"])
    table = sop("show", EXAMPLE).out
    row1 = row_of(table, 1)
    assert row1.count("[■]") == 2 and row1.count("( )") == 2  # its symbol and a start in both lanes
    row3 = row_of(table, 3)
    assert "(steps" in row3 and "3–4)" in row3  # one merged Waktu cell for steps 3 and 4


def test_whoever_received_the_letter_enters_it(sop) -> None:
    """Step 1 (any of Tata Usaha, Sekretaris): the person's own lane is chosen; an outsider must say which."""
    start(sop)
    out = sop("done", "1", "--as", "sari").out
    assert "Step 1 done (0m; no time standard)" in out and "Active: step 2" in out
    step1 = steps(sop)[1]
    assert [(p["lane"], p["status"], p["by"]) for p in step1["parts"]] == [
        ("tu", "not_needed", None),
        ("sekretaris", "done", "sari"),
    ]
    assert step1["on_time"] is None and step1["overdue"] is False and step1["due_at"] is None
    sop("undo", "--as", "sari")
    line = sop.fail("done", "1", "--as", "budi")
    assert "only dina or sari may complete it, not budi" in line and "--force is recorded" in line


def test_an_unassigned_multi_lane_step_asks_which_part(sop) -> None:
    sop.at("2026-11-23 08:00")
    sop("start", EXAMPLE, "-q")
    assert "say which part you are doing" in sop.fail("done", "1")
    assert "not in the lane 'karo'" in sop.fail("done", "1", "--lane", "karo")
    sop("done", "1", "--lane", "tu")
    assert steps(sop)[1]["parts"][0]["by"] == "ani"


def test_the_technical_path_with_a_shared_standard_and_parts_of_all_lanes(sop, files) -> None:
    run = start(sop, "--assign", "karo=kb", "--assign", "teknis=tek")
    sop.at("2026-11-23 08:05")
    sop("done", "1", "--as", "dina", "--input", files("surat.pdf"))
    sop.at("2026-11-23 08:12")
    sop("done", "2", "--as", "sari", "--outcome", "ya")
    sop.at("2026-11-23 08:14")
    out = sop("done", "3", "--as", "sari").out
    assert "judged with step 4" in out and "shared with step 3" in out
    sop.at("2026-11-23 08:16")
    sop("done", "4", "--as", "kb", "--outcome", "teknis")
    data = steps(sop)
    assert data[3]["on_time"] is True and data[4]["on_time"] is True  # 2m + 2m of the shared 5m
    sop.at("2026-11-24 10:00")
    sop("done", "5", "--as", "tek", "--attach", files("hasil.pdf"))
    sop.at("2026-11-24 10:10")
    sop("done", "7", "--as", "tek")
    # step 8: each of Tata Usaha and Sekretaris archives; the run ends with the last part
    sop.at("2026-11-24 10:20")
    out = sop("done", "8", "--as", "dina").out
    assert "Your part of step 8 is done; it waits for: Sekretaris Biro" in out
    status = sop("status").out
    assert "Sekretaris Biro (sari): open" in status and "Tata Usaha (dina): done by dina" in status
    assert "the lane Tata Usaha has already done its part" in sop.fail("done", "8", "--as", "dina", "--lane", "tu")
    sop.at("2026-11-24 10:25")
    out = sop("done", "8", "--as", "sari").out
    assert f"Run {run} is completed." in out
    data = steps(sop)
    assert [p["by"] for p in data[8]["parts"]] == ["dina", "sari"]
    assert data[8]["finished_at"] == "2026-11-24T10:25:00+07:00" and data[8]["elapsed_minutes"] == 15
    assert data[6]["status"] == "pending"
    assert sop("verify").code == 0


def test_a_shared_standard_is_judged_together(sop) -> None:
    start(sop, "--assign", "karo=kb")
    sop.at("2026-11-23 08:01")
    sop("done", "1", "--as", "sari")
    sop("done", "2", "--as", "sari", "--outcome", "ya")
    sop.at("2026-11-23 08:04")
    sop("done", "3", "--as", "sari")  # 3m of the shared 5m
    sop.at("2026-11-23 08:07")
    assert steps(sop)[4]["overdue"] is True  # the two together: 6m
    sop("done", "4", "--as", "kb", "--outcome", "administratif")
    data = steps(sop)
    assert data[3]["on_time"] is False and data[4]["on_time"] is False
    assert data[3]["overrun_minutes"] == 1 and data[4]["overrun_minutes"] == 1
    assert report(sop)["totals"]["standard_minutes"] == 5 + 10 + 960 + 480 + 15 + 30 + 480
    tabel = json.loads(sop("monitor", EXAMPLE, "--period", "2026-11", "--format", "json").out)
    third, fourth = tabel["steps"][2], tabel["steps"][3]
    assert (third["on_time_share"], third["assessment"]) == (0.0, "tidak_baik")  # 3m alone kept 5m; not together
    assert (fourth["on_time_share"], fourth["assessment"]) == (0.0, "tidak_baik")


def test_the_incomplete_letter_path(sop) -> None:
    start(sop)
    sop("done", "1", "--as", "dina")
    sop("done", "2", "--as", "sari", "--outcome", "tidak")
    out = sop("done", "9", "--as", "sari").out
    assert "is completed" in out
    assert [s["status"] for s in report(sop)["steps"]] == ["done", "done"] + ["pending"] * 6 + ["done"]


def test_undo_takes_back_the_last_part_and_the_outcome_comes_from_the_completing_part(sop) -> None:
    start(sop)
    for step, person, extra in (("1", "dina", ()), ("2", "sari", ("--outcome", "ya")), ("3", "sari", ())):
        sop("done", step, "--as", person, *extra)
    sop("done", "4", "--outcome", "administratif", "--force")
    sop("done", "6", "--force")
    sop("done", "7", "--lane", "administrasi")
    sop("done", "8", "--as", "sari")
    out = sop("undo", "--as", "sari").out
    assert "Taken back: the completion of step 8 by sari" in out
    assert [p["status"] for p in steps(sop)[8]["parts"]] == ["open", "open"]
    assert "taken back only by" in sop.fail("undo", "--as", "dina")  # step 7's part was ani's
    sop("undo")  # ani took step 7's part
    assert steps(sop)[7]["status"] == "active"


def test_the_report_marks_every_lane_of_a_step(sop, monkeypatch) -> None:
    start(sop)
    sop("done", "1", "--as", "sari")
    monkeypatch.setenv("COLUMNS", "100")
    out = sop("report").out
    row = row_of(out, 1)
    assert "[–]" in row and "[●]" in row  # not needed in Tata Usaha; done without a standard in Sekretaris
    md = sop("report", "-f", "md").out
    assert "Tata Usaha, Sekretaris Biro" in md
    csv = sop("report", "-f", "csv").out
    assert "tu; sekretaris" in csv


BASE = """
id: x
number: X
title: X
actors: [{id: a, name: A}, {id: b, name: B}]
steps:
"""


def problems(steps: str) -> list[str]:
    with pytest.raises(InvalidSop) as err:
        load_text(BASE + textwrap.dedent(steps), "x.yaml")
    return err.value.problems


@pytest.mark.parametrize(
    ("steps", "line", "words"),
    [
        ("  - {no: 1, activity: a, actor: [a, c], time: 1 menit}\n", 7, "unknown actor 'c'"),
        ("  - {no: 1, activity: a, actor: [a, a], time: 1 menit}\n", 7, "listed twice"),
        ("  - {no: 1, activity: a, actor: a, together: all, time: 1 menit}\n", 7, "only for a step in several lanes"),
        ("  - {no: 1, activity: a, actor: [a, b], together: some, time: 1 menit}\n", 7, "not one of the allowed"),
        (
            "  - {no: 1, activity: a, actor: a, time: 1 menit}\n  - {no: 2, activity: b, actor: b, time_with: 9}\n",
            8,
            "does not exist",
        ),
        (
            "  - {no: 1, activity: a, actor: a}\n  - {no: 2, activity: b, actor: b, time_with: 1}\n",
            8,
            "has no time of its own to share",
        ),
        (
            "  - {no: 1, activity: a, actor: a, time: 1 menit}\n  - {no: 2, activity: b, actor: b, time: 1 jam}\n"
            "  - {no: 3, activity: c, actor: a, time_with: 1}\n",
            9,
            "only of an adjacent step",
        ),
        (
            "  - {no: 1, activity: a, actor: a, time: 1 menit}\n"
            "  - {no: 2, activity: b, actor: b, time: 2 menit, time_with: 1}\n",
            8,
            "has no time of its own; drop 'time'",
        ),
    ],
)
def test_the_format_refuses_what_a_form_cannot_mean(steps: str, line: int, words: str) -> None:
    found = problems(steps)
    assert any(p.startswith(f"x.yaml:{line}: ") and words in p for p in found), found


def test_steps_in_several_lanes_in_indonesian_keys() -> None:
    sop = load_text(
        BASE.replace("steps:", "prosedur:").replace("actors:", "pelaksana:")
        + "  - {nomor: 1, kegiatan: a, pelaksana: [a, b], bersama: all, waktu: '-'}\n"
        + "  - {nomor: 2, kegiatan: b, pelaksana: b, waktu: 5 menit}\n"
        + "  - {nomor: 3, kegiatan: c, pelaksana: a, waktu_bersama: 2}\n"
    )
    assert sop.steps[0].actor == ["a", "b"] and sop.steps[0].together == "all" and sop.steps[0].time is None
    assert sop.steps[2].time_with == 2


def test_the_schema_describes_the_new_keys(sop) -> None:
    step = json.loads(sop("schema").out)["$defs"]["Step"]["properties"]
    assert {"together", "bersama", "time_with", "waktu_bersama"} <= set(step)
    assert any(option.get("type") == "array" for option in step["actor"]["anyOf"])


def test_the_inbox_shows_a_step_one_of_whose_lanes_does_it_once_per_person(sop) -> None:
    sop.at("2026-11-23 08:00")
    sop("start", EXAMPLE, "-q", "--assign", "tu=dina", "--assign", "sekretaris=dina")
    rows = json.loads(sop("inbox", "--person", "dina", "--format", "json").out)
    assert [(r["step"], r["actor"]) for r in rows] == [(1, "tu")]  # two lanes, one person: one piece of work
    sop("start", EXAMPLE, "-q", "--assign", "tu=dina", "--assign", "sekretaris=sari")
    everyone = json.loads(sop("inbox", "--all", "--format", "json").out)
    pairs = sorted((r["person"], r["actor"]) for r in everyone)
    assert pairs == [("dina", "tu"), ("dina", "tu"), ("sari", "sekretaris")]
