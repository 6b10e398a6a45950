"""The swimlane report as people see it, pinned at 80 and 200 columns without colour.

Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, and read the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def scenario(sop, files) -> str:
    run = sop("start", "rkt-ii", "-q", "--assign", "kasubbag=budi").out.strip()
    sop.at("2026-11-23 08:25")
    sop("done", "1", "--input", files("memo-karo.pdf"), "--attach", files("disposisi.pdf"))
    sop.at("2026-11-23 09:00")
    sop("done", "2", "--as", "budi", "--attach", files("arahan.pdf"))
    sop.at("2026-11-23 11:00")
    sop("done", "3", "--attach", files("telaah.docx"), "--note", "dikirim ke 5 unit kerja")
    sop.at("2026-11-26 10:00")
    sop("done", "4", "--attach", files("konsep-v1.docx"), "--force")
    sop.at("2026-11-26 11:30")
    sop("done", "5")
    sop.at("2026-11-26 11:40")
    sop("done", "6", "--outcome", "perbaiki")
    sop.at("2026-11-27 14:00")
    return run


@pytest.mark.parametrize("width", [80, 200])
def test_report_table(sop, files, monkeypatch, width: int) -> None:
    run = scenario(sop, files)
    monkeypatch.setenv("COLUMNS", str(width))
    out = sop("report").out.replace(run, "RUNID")
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    golden = GOLDEN / f"report-{width}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out)
    assert out == golden.read_text()


def test_marks_survive_without_colour(sop, files, monkeypatch) -> None:
    scenario(sop, files)
    out = sop("report").out
    for symbol in ("✓", "✗", "‼", "○", "*"):
        assert symbol in out, symbol
