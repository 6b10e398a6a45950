"""The flow as the terminal draws it inside the table's lane column: each step's symbol under its lane's
letter, connectors across the lanes through the rules between rows, the decision's branches named, the
loop back at the side; at 80 columns, without colour, and in ASCII where box drawing cannot be written."""

from __future__ import annotations

import json

import pytest

from sopcli.render.charset import ASCII
from sopcli.render.views import run_report, sop_view

from .test_golden import scenario


def flow_parts(table: str) -> tuple[dict[str, int], dict[int, list[str]], list[str]]:
    """The lane letters' columns, each step row's lines of the flow column, and every rule's flow part."""
    lines = table.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("┌────┬"))
    joints = [k for k, ch in enumerate(lines[top]) if ch == "┬"]
    left, right = joints[1] + 1, joints[2]
    header = lines[top + 1][left:right]
    letters = {ch: left + k for k, ch in enumerate(header) if ch.isalpha()}
    rows: dict[int, list[str]] = {}
    rules = []
    current = None
    for line in lines[top + 3 :]:
        if line.startswith("├") or line.startswith("└"):
            rules.append(line[left:right])
            current = None
            continue
        number = line[1:4].strip()
        if number.isdigit():
            current = int(number)
            rows[current] = []
        if current is not None:
            rows[current].append(line[left:right])
    return {ch: pos - left for ch, pos in letters.items()}, rows, rules


@pytest.fixture
def narrow(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")


@pytest.mark.usefixtures("narrow")
def test_each_symbol_stands_in_its_lane_and_the_loop_runs_at_the_side(sop) -> None:
    doc = json.loads(sop("show", "rkt-ii", "--format", "json").out)
    letters, rows, rules = flow_parts(sop("show", "rkt-ii").out)
    lanes = {actor["id"]: letter for actor, letter in zip(doc["actors"], "ABC", strict=True)}
    for step in doc["steps"]:
        shape = "<◆>" if step.get("outcomes") else "[■]"
        block = "\n".join(rows[step["no"]])
        assert block.count(shape) == 1, step["no"]
        line = next(line for line in rows[step["no"]] if shape in line)
        assert line.index(shape) + 1 == letters[lanes[step["actor"]]], step["no"]
    assert rows[1][0].strip() == "( )" and rows[1][1].strip() == "▼"  # the start above step 1
    end = "\n".join(rows[6])
    assert "perbaiki" in end and "sesuai" in end and "( )" in end  # both branches named; the end below
    assert "┌→[■]" in rows[4][0]  # the rework loop comes in at the side of step 4
    assert sum(rule.count("▼") for rule in rules) >= 5  # hand-overs cross the rules into the next symbol


def test_the_run_marks_sit_in_the_symbols(sop, files, monkeypatch) -> None:
    scenario(sop, files)
    monkeypatch.setenv("COLUMNS", "80")
    _letters, rows, _rules = flow_parts(sop("report").out)
    shapes = ("[✓]", "[✗]", "[‼]", "<✓>")
    marks = {no: next(shape for line in block for shape in shapes if shape in line) for no, block in rows.items()}
    assert marks == {1: "[✗]", 2: "[✓]", 3: "[✓]", 4: "[‼]", 5: "[✓]", 6: "<✓>"}
    assert any("[‼]*" in line for line in rows[4])  # step 4's first pass was forced past budi


def test_ascii_where_box_drawing_cannot_be_written(sop, files) -> None:
    scenario(sop, files)
    report = json.loads(sop("report", "--format", "json").out)
    doc = json.loads(sop("show", "contoh-surat-masuk", "--format", "json").out)
    for lines in (run_report(report, 80, ASCII), sop_view(doc, 80, ASCII)):
        text = "".join(text for line in lines for text, _style in line)
        assert not set(text) & set("─│┌┐└┘├┤┬┴┼▼▲→←■◆✓✗‼▶○"), sorted(set(text) & set("─│┌┐└┘├┤┬┴┼▼▲→←■◆"))
        assert "[#]" in text or "[+]" in text


def test_more_lanes_than_the_width_holds_keep_each_mark_in_its_lane(sop, tmp_path, monkeypatch) -> None:
    lines = ["id: lebar", "number: L/1", "title: Empat belas lajur", "actors:"]
    lines += [f"  - {{id: l{i}, name: Lajur nomor {i}}}" for i in range(14)]
    lines.append("steps:")
    lines += [f"  - {{no: {no}, activity: Kegiatan {no}, actor: l{(no * 5) % 14}, time: 1 jam}}" for no in range(1, 15)]
    (tmp_path / "sops").mkdir()
    (tmp_path / "sops" / "lebar.yaml").write_text("\n".join(lines) + "\n")
    for width in (80, 150, 200):
        monkeypatch.setenv("COLUMNS", str(width))
        out = sop("show", "lebar").out
        assert max(len(line) for line in out.splitlines()) <= width, width
        assert out.count("■") == 14
