"""The story of a run of rkt-ii: start, hand the work from lane to lane, loop on a decision, report."""

from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.usefixtures("english"), pytest.mark.both_stores]


def start(sop, *extra: str) -> str:
    return sop("start", "rkt-ii", "--quiet", *extra).out.strip()


def report(sop, *extra: str) -> dict:
    return json.loads(sop("report", "--format", "json", *extra).out)


def test_start_prints_the_id_and_the_active_lane(sop) -> None:
    out = sop("start", "rkt-ii").out
    assert out.startswith("Started run ") and "Active: step 1" in out and "Kabag Perencanaan" in out
    assert "Requires: Arahan Karo PO" in out and "due Mon 23 Nov 2026 08:10" in out
    data = report(sop)
    assert data["run"]["status"] == "active" and data["run"]["started_by"] == "ani"
    assert [s["status"] for s in data["steps"]] == ["active"] + ["pending"] * 5


def test_a_whole_run_with_evidence_and_a_decision_loop(sop, files) -> None:
    memo, telaah, konsep = files("memo.pdf"), files("telaah.docx"), files("konsep-v1.docx")
    run = start(sop, "--assign", "kasubbag=budi")
    sop.at("2026-11-23 08:10")
    out = sop("done", "1", "--input", memo, "--attach", telaah).out
    assert "Step 1 done (on time" in out and "step 2" in out and "Kasubbag PA II (budi)" in out
    sop.at("2026-11-23 09:40")
    sop("done", "2", "--as", "budi")
    sop.at("2026-11-23 11:40")
    sop("done", "3", "--attach", telaah, "--note", "dikirim ke unit kerja")
    sop.at("2026-11-25 11:40")
    sop("done", "4", "--as", "budi", "--attach", konsep)
    sop.at("2026-11-25 12:10")
    sop("done", "5")
    sop.at("2026-11-25 12:20")
    sop("done", "6", "--outcome", "perbaiki")
    sop.at("2026-11-26 12:10")
    sop("done", "4", "--as", "budi", "--attach", files("konsep-v2.docx"))
    sop.at("2026-11-26 12:40")
    sop("done", "5")
    sop.at("2026-11-26 12:50")
    out = sop("done", "6", "--outcome", "sesuai", "--attach", files("bahan-rkt.pdf")).out
    assert f"Run {run} is completed." in out

    data = report(sop)
    steps = {s["no"]: s for s in data["steps"]}
    assert data["run"]["status"] == "completed"
    assert data["run"]["finished_at"] == "2026-11-26T12:50:00+07:00"
    assert [steps[n]["elapsed_minutes"] for n in range(1, 7)] == [10, 90, 120, 960 + 470, 30 + 30, 10 + 10]
    assert steps[4]["passes"] == 2 and steps[6]["passes"] == 2 and steps[6]["outcome"] == "sesuai"
    assert steps[4]["on_time"] is True and steps[6]["on_time"] is True and steps[2]["on_time"] is False
    assert steps[1]["inputs"][0]["name"] == "memo.pdf" and steps[1]["inputs"][0]["step"] == 1
    assert [f["name"] for f in steps[2]["inputs"]] == ["telaah.docx"] and steps[2]["inputs"][0]["step"] == 1
    assert {f["name"] for f in steps[5]["inputs"]} == {"konsep-v1.docx", "konsep-v2.docx"}
    assert [f["name"] for f in steps[4]["artifacts"]] == ["konsep-v1.docx", "konsep-v2.docx"]
    assert steps[3]["notes"][0]["text"] == "dikirim ke unit kerja"
    assert data["totals"] == {
        "steps": 6,
        "done": 6,
        "on_time": 5,
        "late": 1,
        "standard_minutes": 1710,
        "elapsed_minutes": 1730,
    }
    assert f"Run {run}: 10 records intact and within the rules; 5 evidence file(s) match" in sop("verify").out
    assert sop.fail("done", "6").startswith("sop: run ")


def test_only_the_active_step_can_be_completed(sop) -> None:
    start(sop)
    line = sop.fail("done", "3")
    assert "step 3 is not active; the active step is 1 (Kabag Perencanaan)" in line
    assert "no step 9" in sop.fail("done", "9")


def test_a_decision_needs_one_of_its_outcomes(sop) -> None:
    start(sop)
    for step in (1, 2, 3, 4, 5):
        sop("done", str(step))
    assert "add --outcome (sesuai, perbaiki)" in sop.fail("done", "6")
    assert "no outcome 'mungkin'" in sop.fail("done", "6", "--outcome", "mungkin")
    start(sop)
    assert "takes no --outcome" in sop.fail("done", "1", "--outcome", "sesuai")


def test_assigned_lanes_and_force(sop) -> None:
    start(sop, "--assign", "kabag=siti")
    line = sop.fail("done", "1")
    assert "assigned to siti: only siti may complete it, not ani" in line and "--force is recorded" in line
    assert "--as" not in line  # never advice to act in someone else's name
    sop("note", "1", "menunggu Kabag")  # anyone may note
    sop("done", "1", "--force")
    data = report(sop)
    assert data["steps"][0]["forced"] is True and data["steps"][0]["by"] == "ani"
    assert data["steps"][0]["notes"][0]["by"] == "ani"
    assert "[forced]" in sop("log").out
    sop("assign", "pelaksana=rudi")
    assert report(sop)["run"]["assignments"] == {"kabag": "siti", "pelaksana": "rudi"}
    assert "no lane 'boss'" in sop.fail("assign", "boss=x")
    malformed = sop("assign", "kabag", ok=False)
    assert malformed.code == 2 and "ACTOR=PERSON" in malformed.err


def test_at_is_checked_against_now_and_activation(sop) -> None:
    sop.at("2026-11-23 10:00")
    start(sop, "--at", "2026-11-23 09:00")
    assert "lies in the future" in sop.fail("done", "1", "--at", "2026-11-23 11:00")
    assert "before step 1 became active" in sop.fail("done", "1", "--at", "2026-11-23T08:00:00+07:00")
    assert "not a time" in sop.fail("done", "1", "--at", "kemarin")
    sop("done", "1", "--at", "2026-11-23T02:30:00Z")
    step = report(sop)["steps"][0]
    assert step["finished_at"] == "2026-11-23T09:30:00+07:00" and step["elapsed_minutes"] == 30
    record = json.loads(sop("log", "--format", "json").out)[-1]
    assert record["at"] == "2026-11-23T09:30:00+07:00" and record["recorded_at"] == "2026-11-23T10:00:00+07:00"


def test_undo_takes_back_the_last_completion_as_a_record(sop) -> None:
    start(sop)
    sop.at("2026-11-23 08:05")
    sop("done", "1")
    sop.at("2026-11-23 08:30")
    out = sop("undo").out
    assert "step 1" in out
    data = report(sop)
    assert [s["status"] for s in data["steps"][:2]] == ["active", "pending"]
    assert data["steps"][0]["elapsed_minutes"] == 30  # runs on from when it first became active
    assert data["steps"][0]["passes"] == 1
    kinds = [r["type"] for r in json.loads(sop("log", "--format", "json").out)]
    assert kinds == ["start", "done", "undo"]
    assert "no completion to undo" in sop.fail("undo")


def test_undo_refuses_to_orphan_evidence(sop, files) -> None:
    start(sop)
    sop("done", "1")
    sop("attach", "2", files("arahan.pdf"))
    assert "would orphan" in sop.fail("undo")


def test_cancel_needs_a_reason_and_closes_the_run(sop) -> None:
    start(sop)
    sop("cancel", "--reason", "RKT ditunda")
    data = report(sop)
    assert data["run"]["status"] == "cancelled" and data["run"]["cancel_reason"] == "RKT ditunda"
    assert "cancelled" in sop.fail("done", "1")
    assert "cancelled" in sop.fail("cancel", "--reason", "lagi")
    assert "cancelled" in sop.fail("note", "1", "terlambat dicatat")


def test_attach_inputs_and_outputs_later(sop, files) -> None:
    start(sop)
    assert "has not been reached" in sop.fail("attach", "2", files("x.pdf"))
    sop("attach", "1", files("memo.pdf"), "--input")
    sop("done", "1")
    sop("attach", "1", files("disposisi.pdf"))
    step1, step2 = report(sop)["steps"][:2]
    assert [f["name"] for f in step1["inputs"]] == ["memo.pdf"]
    assert [f["name"] for f in step1["artifacts"]] == ["disposisi.pdf"]
    assert [f["name"] for f in step2["inputs"]] == ["disposisi.pdf"]


@pytest.mark.parametrize("bad", ["missing.pdf", "docs", "/dev/null"])
def test_bad_attachments_are_refused_before_anything_is_recorded(sop, files, bad) -> None:
    files("real.pdf")
    start(sop)
    before = sop("log", "--format", "json").out
    assert sop.fail("done", "1", "--attach", files("ok.pdf"), "--attach", bad).startswith("sop: ")
    assert sop("log", "--format", "json").out == before


def test_runs_use_and_current(sop) -> None:
    first = start(sop)
    sop.at("2026-11-23 09:00")
    second = start(sop, "--title", "RKT 2027")
    rows = json.loads(sop("runs", "--format", "json").out)
    assert [r["id"] for r in rows] == [second, first]
    assert set(rows[0]) == {
        "id",
        "sop",
        "number",
        "title",
        "status",
        "started_at",
        "finished_at",
        "started_by",
        "active_step",
    }
    assert rows[0]["title"] == "RKT 2027" and rows[0]["active_step"] == 1
    sop("use", first[:3] if not second.startswith(first[:3]) else first)
    assert report(sop)["run"]["id"] == first
    sop("done", "1", "--run", second)
    assert json.loads(sop("runs", "--status", "active", "-f", "json").out)[0]["active_step"] == 2
    assert "no run 'zzzzz'" in sop.fail("use", "zzzzz")


def test_commands_without_a_run(sop) -> None:
    assert "no current run" in sop.fail("status")
    assert "no current run" in sop.fail("done", "1")


def test_status_shows_lane_time_left_and_evidence(sop, files) -> None:
    start(sop, "--assign", "kasubbag=budi")
    sop("done", "1", "--attach", files("disposisi.pdf"))
    sop.at("2026-11-23 08:20")
    out = sop("status").out.replace("\u00a0", " ")
    assert "Step 2" in out and "Kasubbag PA II (budi)" in out
    assert "20m of 1h · 40m left" in out and "Due          Mon 23 Nov 2026 09:00" in out
    assert "Disposisi/arahan Kabag" in out and "disposisi.pdf (step 1)" in out
    sop.at("2026-11-23 10:00")
    assert "over by 1h" in sop("status").out
    active = json.loads(sop("status", "--format", "json").out)["active"]
    assert active["no"] == 2 and active["overdue"] is True


def test_json_csv_and_md_agree(sop, files) -> None:
    import csv
    import io

    start(sop)
    sop.at("2026-11-23 08:45")
    sop("done", "1", "--attach", files("d.pdf"))
    data = report(sop)
    rows = list(csv.DictReader(io.StringIO(sop("report", "--format", "csv").out)))
    md = sop("report", "--format", "md").out
    assert len(rows) == 6 and md.count("\n| ") == 7
    for step, row in zip(data["steps"], rows, strict=True):
        assert float(row["elapsed_minutes"]) == step["elapsed_minutes"]
        assert float(row["standard_minutes"]) == step["standard_minutes"]
        assert row["status"] == step["status"]
        assert f"\n| {step['no']} | " in md
    assert rows[0]["on_time"] == "false" and rows[0]["artifacts"] == "d.pdf" and rows[0]["overrun_minutes"] == "35.0"
    assert "| 1 | Mempelajari" in md and "| late | ani | 45m | 10m | no |" in md


def test_lanes_keep_the_sop_order_whatever_the_steps_order(sop, tmp_path, monkeypatch) -> None:
    from .test_loader import ENGLISH

    (tmp_path / "sops").mkdir()
    flipped = ENGLISH.replace("    actor: a\n", "    actor: X\n").replace("    actor: b\n", "    actor: a\n")
    (tmp_path / "sops" / "mini.yaml").write_text(flipped.replace("    actor: X\n", "    actor: b\n"))
    sop("start", "mini", "-q")
    assert [lane["id"] for lane in report(sop)["lanes"]] == ["a", "b"]
    monkeypatch.setenv("COLUMNS", "200")
    header = next(line for line in sop("report").out.splitlines() if "Activity" in line)
    assert header.index("Lane A") < header.index("Lane B")


PAPUA = """\
id: papua
nomor: PAPUA/01
judul: Uji zona waktu
kalender: {timezone: Asia/Jayapura, mode: continuous}
pelaksana:
  - {id: a, nama: Lajur A}
prosedur:
  - {nomor: 1, kegiatan: Satu, pelaksana: a, waktu: 1 jam}
  - {nomor: 2, kegiatan: Dua, pelaksana: a, waktu: 1 jam}
"""


@pytest.mark.both_stores
def test_newest_first_and_deadlines_are_instants_across_timezones(sop, monkeypatch, tmp_path) -> None:
    """Times are kept in each SOP's own offset (WIB +07, WIT +09); ordering follows the instants."""
    (tmp_path / "sops").mkdir()
    (tmp_path / "sops" / "papua.yaml").write_text(PAPUA)
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "sops"))
    sop.at("2026-07-06T11:00+09:00")  # 02:00 UTC, due 03:00 UTC
    papua = sop("start", "papua", "-q", "--assign", "a=ani").out.strip()
    sop.at("2026-07-06T10:50+07:00")  # 03:50 UTC: the newer run, though "10:50" < "11:00" as text
    lanes = ("--assign", "kabag=ani", "--assign", "kasubbag=ani", "--assign", "pelaksana=ani")
    rkt = sop("start", "rkt-ii", "-q", *lanes).out.strip()
    sop.at("2026-07-06T05:00+00:00")
    assert [r["id"] for r in json.loads(sop("runs", "--format", "json").out)] == [rkt, papua]
    newest = sop("runs", "--limit", "1").out
    assert rkt in newest and papua not in newest
    sop.at("2026-07-06T02:30+00:00")
    due = [r["run"] for r in json.loads(sop("inbox", "--person", "ani", "--format", "json").out)]
    assert due == [papua, rkt]  # papua's step is due at 03:00 UTC, rkt's later
