"""The printed form measured in a real browser (the machine's headless Chromium) and in the PDF it prints:
each symbol inside its lane's column and its step's row, the right shapes, an arrow for every hand-over and
outcome, nothing overlapping, long and hostile forms still whole. Screenshots of every page measured are
kept in SOP_SCREENSHOTS (default artifacts/screenshots) for a person to look at."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sopcli.layout import flow_steps
from sopcli.loader import load_file
from sopcli.model import sop_document
from sopcli.render.html import sop_form

from .conftest import ROOT
from .needs import missing
from .test_form import expected_arrows, long_sop
from .test_golden import scenario

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytest_plugins = ["tests.browser_fixtures"]

SHOTS = Path(os.environ.get("SOP_SCREENSHOTS") or ROOT / "artifacts" / "screenshots")

LOOP = """
id: dua-keputusan
nomor: UJI/DK/02
judul: Dua keputusan dan satu putaran ulang
pelaksana:
  - {id: staf, nama: Staf Pelaksana}
  - {id: kasubbag, nama: Kasubbag Umum}
  - {id: kabag, nama: Kabag Tata Usaha}
prosedur:
  - {nomor: 1, kegiatan: Menyusun konsep surat, pelaksana: staf, waktu: 1 jam, output: Konsep surat}
  - nomor: 2
    kegiatan: Memeriksa konsep surat
    pelaksana: kasubbag
    waktu: 30 menit
    pilihan: {sesuai: 3, perbaiki: 1}
  - nomor: 3
    kegiatan: Menyetujui dan menandatangani surat
    pelaksana: kabag
    waktu: 30 menit
    pilihan: {setuju: 4, tolak: 1}
  - {nomor: 4, kegiatan: Mengirim surat dan mengarsipkannya, pelaksana: [staf, kasubbag], bersama: all, waktu: 1 jam}
"""

HOSTILE = """
id: panjang-aneh
nomor: "UJI/<b>&amp;/\\u202e03"
judul: "Teks <script>alert(1)</script> yang \\u202ebalik"
pelaksana:
  - {id: a, nama: "%(lane)s"}
  - {id: b, nama: "Bagian <i>Umum</i> \\u200f"}
prosedur:
  - {nomor: 1, kegiatan: "%(long)s", pelaksana: a, waktu: 1 jam}
  - {nomor: 2, kegiatan: "Memeriksa <img src=x> \\u2067isi\\u2069", pelaksana: b, waktu: 1 jam,
     pilihan: {"<ya>": 3, "ulang&": 1}}
  - {nomor: 3, kegiatan: Menutup berkas, pelaksana: a, waktu: 10 menit}
"""

MEASURE = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; };
  const all = q => [...document.querySelectorAll(q)];
  return {
    lanes: all('th[data-lane]').map(e => ({lane: e.dataset.lane, ...box(e)})),
    rows: all('tr[data-row]').map(e => ({step: e.dataset.row, ...box(e)})),
    connectorRows: all('tr.connector').map(box),
    symbols: all('[data-shape]').map(e => ({shape: e.dataset.shape, step: e.dataset.step, ...box(e)})),
    arrows: all('[data-from]').map(e => [e.dataset.from, e.dataset.to]),
    labels: all('[data-outcome]').map(e => ({name: e.dataset.outcome, ...box(e)})),
    cells: all('table.chart td:not(.lanes)').filter(e => e.textContent.trim()).map(box),
    width: document.documentElement.scrollWidth,
  };
}"""


def inside(inner: dict[str, float], outer: dict[str, float], slack: float = 1.0) -> bool:
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + slack
        and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + slack
    )


def overlap(a: dict[str, float], b: dict[str, float]) -> float:
    dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return max(0.0, dx) * max(0.0, dy)


def lane_at(found: dict[str, Any], symbol: dict[str, float]) -> str:
    middle = symbol["x"] + symbol["w"] / 2
    return next(lane["lane"] for lane in found["lanes"] if lane["x"] <= middle <= lane["x"] + lane["w"])


@pytest.fixture(scope="module")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def measure(browser: Browser, shots: Path) -> Iterator[Any]:
    """Loads a page in the browser, keeps its screenshot, and returns its boxes and marks."""
    tab = browser.new_page(viewport={"width": 1200, "height": 900})

    def load(html: str, name: str) -> dict[str, Any]:
        tab.set_content(html, wait_until="load")
        tab.emulate_media(media="print")
        tab.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        found: dict[str, Any] = tab.evaluate(MEASURE)
        return found

    yield load
    tab.close()


def check_geometry(found: dict[str, Any], doc: dict[str, Any]) -> None:
    """Symbols in their lane and row with the right shape, an arrow for every hand-over and outcome, and
    nothing overlapping a symbol: no other symbol, no outcome's name, no text of the table."""
    steps = {str(s["no"]): s for s in doc["steps"]}
    rows = {row["step"]: row for row in found["rows"]}
    first = str(doc["steps"][0]["no"])
    ending = {str(s.no) for s in flow_steps(doc["steps"]) if any(t == "end" for t, _l in s.targets)}
    for symbol in found["symbols"]:
        step = symbol["step"]
        if symbol["shape"] == "offpage":
            assert any(inside(symbol, row) for row in found["connectorRows"]), symbol
            continue
        if step == "start":
            assert symbol["shape"] == "terminator" and inside(symbol, rows[first]), symbol
            continue
        if step == "end":
            assert symbol["shape"] == "terminator" and any(inside(symbol, rows[s]) for s in ending), symbol
            continue
        assert inside(symbol, rows[step]), symbol
        assert symbol["shape"] == ("decision" if steps[step].get("outcomes") else "process"), symbol
        assert lane_at(found, symbol) in steps[step]["actors"], symbol
    for step in doc["steps"]:
        drawn = {
            lane_at(found, s) for s in found["symbols"] if s["step"] == str(step["no"]) and s["shape"] != "offpage"
        }
        assert drawn == set(step["actors"]), step["no"]
    assert {tuple(arrow) for arrow in found["arrows"]} == expected_arrows(doc)
    assert {label["name"] for label in found["labels"]} == {n for s in doc["steps"] for n in (s.get("outcomes") or {})}
    symbols = found["symbols"]
    for i, a in enumerate(symbols):
        for b in symbols[i + 1 :]:
            assert overlap(a, b) < 1, (a, b)
        for other in found["labels"] + found["cells"]:
            assert overlap(a, other) < 1, (a, other)
    assert found["width"] <= 1200, "the page is wider than the window: something broke out of its cell"


def form(text: str, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    path = tmp_path / "form.yaml"
    path.write_text(textwrap.dedent(text))
    doc = sop_document(load_file(path))
    return sop_form(doc), doc


def test_the_seed_form_in_a_browser(measure, tmp_path: Path) -> None:
    doc = sop_document(load_file(ROOT / "sops" / "ot01-02-015-097.yaml"))
    found = measure(sop_form(doc), "seed-form")
    check_geometry(found, doc)
    assert len(found["lanes"]) == 3 and len(found["rows"]) == 6


def test_two_decisions_and_a_rework_loop_in_a_browser(measure, tmp_path: Path) -> None:
    html, doc = form(LOOP, tmp_path)
    found = measure(html, "two-decisions-form")
    check_geometry(found, doc)
    back = [a for a in found["arrows"] if a in (["2", "1"], ["3", "1"])]
    assert len(back) >= 2


def test_the_example_with_steps_in_two_lanes_in_a_browser(measure) -> None:
    doc = sop_document(load_file(ROOT / "sops" / "contoh-surat-masuk.yaml"))
    check_geometry(measure(sop_form(doc), "example-form"), doc)


def test_long_texts_long_lanes_and_hostile_marks_stay_in_their_cells(measure, tmp_path: Path) -> None:
    lane = "Bagian" + "X" * 74  # 80 characters, no place to break
    long = " ".join(f"kata{i}" for i in range(700))
    html, doc = form(HOSTILE % {"lane": lane, "long": long}, tmp_path)
    found = measure(html, "hostile-form")
    check_geometry(found, doc)
    header = next(cell for cell in found["lanes"] if cell["lane"] == "a")
    assert header["w"] < 200  # the long name wrapped inside its column


def test_sixty_steps_in_a_browser(measure, tmp_path: Path) -> None:
    html, doc = form(long_sop(), tmp_path)
    found = measure(html, "sixty-steps-form")
    check_geometry(found, doc)
    assert found["connectorRows"]


def test_the_dossier_of_a_run_in_a_browser(sop, files, measure) -> None:
    import json

    scenario(sop, files)
    doc = json.loads(sop("show", "rkt-ii", "--format", "json").out)
    found = measure(sop("report", "--format", "html").out, "seed-dossier")
    check_geometry(found, doc)


# ------------------------------------------------------------------ the PDF


@pytest.fixture
def poppler() -> None:
    if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
        missing(
            "pdfinfo and pdftotext not found; on Debian: apt-get install poppler-utils", variable="SOP_REQUIRE_BROWSER"
        )


def pdf_facts(path: Path) -> tuple[int, tuple[float, float], str]:
    """Pages, the first page's size in millimetres, and the text with its whitespace folded."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    found = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert found, info
    size = (round(float(found.group(1)) * 25.4 / 72), round(float(found.group(2)) * 25.4 / 72))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return pages, size, " ".join(text.split())


@pytest.mark.usefixtures("poppler", "browser")
def test_the_seed_prints_as_its_form_on_two_a4_pages(sop, tmp_path: Path) -> None:
    import json

    doc = json.loads(sop("show", "rkt-ii", "--format", "json").out)
    out = tmp_path / "rkt-ii.pdf"
    began = time.monotonic()
    sop("show", "rkt-ii", "--format", "pdf", "-o", out)
    seconds = time.monotonic() - began
    pages, size, text = pdf_facts(out)
    assert pages == 2 and size == (297, 210)  # the identity page, then the flowchart, on A4 landscape
    assert doc["number"] in text and "Nomor SOP" in text
    for step in doc["steps"]:
        assert " ".join(step["activity"].split()) in text, step["no"]
    assert seconds < 30


@pytest.mark.usefixtures("poppler", "browser")
def test_sixty_steps_print_one_page_per_sheet_of_the_chart(sop, tmp_path: Path) -> None:
    (tmp_path / "sops").mkdir()
    (tmp_path / "sops" / "panjang.yaml").write_text(long_sop())
    sheets = sop("show", "panjang", "--format", "html", "--paper", "f4").out.count('class="sheet flow"')
    out = tmp_path / "panjang.pdf"
    sop("show", "panjang", "--format", "pdf", "--paper", "f4", "-o", out)
    pages, size, text = pdf_facts(out)
    assert pages == 1 + sheets and size == (330, 210)
    assert all(f"Kegiatan nomor {no}" in text for no in range(1, 61))


@pytest.mark.usefixtures("poppler", "browser")
def test_tabel_7_prints_with_every_procedure_and_the_assessors_columns(sop, tmp_path: Path) -> None:
    import json

    sop.at("2026-08-03 08:00")
    sop("start", "rkt-ii", "-q")
    for step, clock in ((1, "08:05"), (2, "08:40"), (3, "09:50")):
        sop.at(f"2026-08-03 {clock}")
        sop("done", str(step), "--force")
    sop.at("2026-12-31 10:00")
    data = json.loads(sop("monitor", "rkt-ii", "--period", "2026-H2", "--format", "json").out)
    out = tmp_path / "tabel7.pdf"
    sop("monitor", "rkt-ii", "--period", "2026-H2", "--format", "pdf", "-o", out)
    pages, size, text = pdf_facts(out)
    assert pages >= 1 and size == (297, 210)
    assert "MONITORING PELAKSANAAN SOP AP" in text and "Paraf penilai" in text and "Tindakan" in text
    assert "Berjalan dengan baik" in text and "Tidak berjalan dengan baik" in text

    def packed(words: str) -> str:  # a narrow column breaks words across lines, bahan-bahan at its hyphen
        return "".join(words.split()).replace("-", "")

    for step in data["steps"]:
        assert packed(step["activity"]) in packed(text), step["no"]
