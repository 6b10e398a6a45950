"""The bundled seed SOP is a signed legal document: held cell by cell against the text of its paper form."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from sopcli.loader import load_file

from .conftest import SEED

FORM = Path(__file__).parent / "fixtures" / "seed-form-ot01-02-015-097.txt"
GOLDEN = Path(__file__).parent / "golden" / "show-rkt-ii.json"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def form_text() -> str:
    return squash(FORM.read_text())


def form_rows() -> dict[int, dict[str, str]]:
    """The flowchart table of the form: per row its Kegiatan and the three Mutu Baku cells."""
    rows = {}
    for line in FORM.read_text().splitlines():
        cells = line.split("\t")
        if cells[0].isdigit() and len(cells) >= 8:
            filled = [c for c in cells[2:] if c.strip() and not c.startswith("<pre>")]
            requires, time, output = filled[:3]
            rows[int(cells[0])] = {"activity": cells[1], "requires": requires, "time": time, "output": output}
    return rows


def cell(items: list[str]) -> str:
    """A Mutu Baku cell as the form writes it: parts joined with `+`."""
    return " + ".join(items)


@pytest.fixture(scope="module")
def seed():
    return load_file(SEED)


def test_every_step_is_the_forms_row_word_for_word(seed) -> None:
    rows = form_rows()
    assert sorted(rows) == [s.no for s in seed.steps] == [1, 2, 3, 4, 5, 6]
    for step in seed.steps:
        row = rows[step.no]
        assert squash(step.activity) == squash(row["activity"]), step.no
        assert cell(step.requires) == squash(row["requires"]), step.no
        assert step.time == row["time"], step.no
        assert cell(step.output) == squash(row["output"]), step.no
        assert step.note is None, "the form's Ket column is empty"


def test_the_header_and_info_block_are_the_forms_text(seed) -> None:
    text = form_text()
    for value in [
        *seed.organization,
        seed.number,
        seed.title,
        seed.approved_by.name,
        seed.approved_by.position,
        f"NIP. {seed.approved_by.nip}",
        *seed.legal_basis,
        *seed.qualifications,
        *seed.related,
        *seed.equipment,
        seed.warning,
        seed.records,
    ]:
        assert squash(value) in text, value
    numbered = {
        "Dasar Hukum": seed.legal_basis,
        "Kualifikasi Pelaksana": seed.qualifications,
        "Peralatan/perlengkapan": seed.equipment,
    }
    for label, items in numbered.items():
        listed = " ".join(f"{i}. {item}" for i, item in enumerate(items, 1))
        assert f"{label} : {listed}" in text, label
    assert f"Keterkaitan : 1. {seed.related[0]}" in text
    assert [a.name for a in seed.actors] == ["Kabag Perencanaan", "Kasubbag PA II", "Pelaksana (JP/JFT)"]
    assert all(len(s.actor) == 1 and s.time_with is None for s in seed.steps)
    assert "\t".join(a.name for a in seed.actors) in FORM.read_text()


def test_the_dates_are_the_forms_with_their_day_names(seed) -> None:
    text = form_text()
    days = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
    months = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September")
    months += ("Oktober", "November", "Desember")
    for moment in (seed.created, seed.effective):
        written = f"{days[moment.weekday()]}, {moment.day:02d} {months[moment.month - 1]} {moment.year}"
        assert written in text
    assert seed.revision is None and "Revisi ke" in text


def test_the_flow_is_the_one_the_flowchart_draws(seed) -> None:
    """Every edge of the form's graph is a hand-over between consecutive steps, and nothing more."""
    graph = re.search(r"<pre>(.*?)</pre>", FORM.read_text(), re.S).group(1)
    lane_of_node = {"K1": "kabag", "K3": "kabag", "K2": "kasubbag", "P1": "pelaksana"}
    drawn = {
        (lane_of_node.get(a, a), lane_of_node.get(b, b))
        for a, b in re.findall(r"(\w+)(?:\(\[[^\]]*\]\)|\[[^\]]*\])?\s*-->\s*(\w+)", graph)
    }
    lane = {s.no: s.actor[0] for s in seed.steps}
    walked = {("Start", lane[1])}
    for i, step in enumerate(seed.steps):
        for target in seed.successors(i):
            walked.add((step.actor[0], "End" if target == "end" else lane[target]))
    assert walked == drawn
    decision = seed.step(6)
    assert decision.outcomes == {"sesuai": "end", "perbaiki": 4}
    assert [s.no for s in seed.steps if s.outcomes] == [6]


def test_show_json_is_pinned(sop) -> None:
    """The transcription cannot drift unnoticed: `sop show rkt-ii --format json` is golden."""
    out = sop("show", "rkt-ii", "--format", "json").out
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(out)
    assert json.loads(out) == json.loads(GOLDEN.read_text())
