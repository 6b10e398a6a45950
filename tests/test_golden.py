"""The report and the form as people see them, pinned at five widths in both languages without colour,
and no word split at any width from 80 to 250 columns.

The story: a run over Christmas with a rework loop; step 3 is done by andi while its lane is unassigned
(rina is assigned later), step 4 is forced past budi, and step 4's second pass is overdue.

Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, and read the diff."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
WIDTHS = [80, 100, 120, 160, 200]


def scenario(sop, files) -> str:
    sop.at("2026-12-21 08:00")
    run = sop("start", "rkt-ii", "-q", "--assign", "kasubbag=budi").out.strip()
    sop.at("2026-12-21 08:25")
    sop("done", "1", "--input", files("arahan-karo.pdf"), "--attach", files("disposisi.pdf"))
    sop.at("2026-12-21 09:00")
    sop("done", "2", "--as", "budi", "--attach", files("jadwal.pdf"))
    sop.at("2026-12-21 11:00")
    sop("done", "3", "--as", "andi", "--attach", files("telaah.docx"), "--note", "dikirim ke 5 unit kerja")
    sop.at("2026-12-23 15:50")
    sop("done", "4", "--attach", files("bahan-v1.docx"), "--force")
    sop("assign", "pelaksana=rina")
    sop.at("2026-12-28 08:05")
    sop("done", "5", "--as", "rina", "--attach", files("reviu.docx"))
    sop.at("2026-12-28 08:20")
    sop("done", "6", "--outcome", "perbaiki")
    sop.at("2026-12-29 14:00")
    return run


def check(name: str, out: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out)
    assert out == golden.read_text(), name


@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_table(sop, files, monkeypatch, lang: str) -> None:
    run = scenario(sop, files)
    monkeypatch.setenv("SOP_LANG", lang)
    for width in WIDTHS:
        monkeypatch.setenv("COLUMNS", str(width))
        out = sop("report").out.replace(run, "RUNID")
        assert max(len(line) for line in out.splitlines()) <= width
        check(f"report-{lang}-{width}.txt", out)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_show_table(sop, monkeypatch, lang: str) -> None:
    monkeypatch.setenv("SOP_LANG", lang)
    for width in (80, 120, 200):
        monkeypatch.setenv("COLUMNS", str(width))
        out = sop("show", "rkt-ii").out
        assert max(len(line) for line in out.splitlines()) <= width
        check(f"show-{lang}-{width}.txt", out)


def test_the_report_tells_who_did_what_when_it_is_due_and_by_how_much(sop, files, monkeypatch) -> None:
    scenario(sop, files)
    monkeypatch.setenv("COLUMNS", "200")
    data = json.loads(sop("report", "--format", "json").out)
    steps = {s["no"]: s for s in data["steps"]}
    assert steps[3]["by"] == "andi" and data["run"]["assignments"]["pelaksana"] == "rina"
    assert steps[4]["forced"] is True and steps[4]["history"][0]["by"] == "ani"
    assert steps[4]["status"] == "active" and steps[4]["passes"] == 2
    assert steps[4]["pass_started_at"] == "2026-12-28T08:20:00+07:00"
    assert [h["elapsed_minutes"] for h in steps[4]["history"]] == [1250, 820]
    assert steps[4]["overrun_minutes"] == 2070 - 1440 and steps[4]["overdue"] is True
    assert steps[4]["due_at"] == "2026-12-28T11:30:00+07:00"
    assert steps[5]["elapsed_minutes"] == 15  # 23 Dec 15:50 -> 28 Dec 08:05 over Christmas and cuti bersama
    closed = {c["date"]: c["names"]["id"] for c in data["calendar"]["closed"]}
    assert closed == {"2026-12-24": "Cuti Bersama Hari Raya Natal", "2026-12-25": "Hari Raya Natal"}
    out = sop("report").out
    assert "andi" in out and "putaran 2:" in out and "Cuti Bersama Hari Raya Natal" in out
    assert "Tenggat      Sen 28 Des 2026 11:30" in sop("status").out


def test_marks_survive_without_colour(sop, files) -> None:
    scenario(sop, files)
    out = sop("report").out
    for symbol in ("✓", "✗", "‼", "*"):
        assert symbol in out, symbol


def _words(text: str) -> set[str]:
    return {w for part in re.split(r"[\s/]+", text) if (w := part.strip()) and len(w) <= 20}


def _texts(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [t for v in data.values() for t in _texts(v)]
    if isinstance(data, list):
        return [t for v in data for t in _texts(v)]
    return []


def test_no_word_is_split_at_any_width(sop, files) -> None:
    """From 80 to 250 columns every word of the SOP and of the run's steps appears whole on one line."""
    from sopcli.render.charset import UNICODE
    from sopcli.render.views import run_report, sop_view

    scenario(sop, files)
    report = json.loads(sop("report", "--format", "json").out)
    document = json.loads(sop("show", "rkt-ii", "--format", "json").out)
    wanted = set()
    for step in document["steps"]:
        wanted |= _words(step["activity"]) | _words(" ".join(step["requires"] + step["output"]))
    for width in range(80, 251, 3):
        for lines in (run_report(report, width, UNICODE), sop_view(document, width, UNICODE)):
            text = ["".join(t for t, _s in line).replace("\u00a0", " ") for line in lines]
            assert max(len(line) for line in text) <= width, width
            flat = "\n".join(text)
            missing = [w for w in wanted if w not in flat]
            assert not missing, (width, missing[:5])
