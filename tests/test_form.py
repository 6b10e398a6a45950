"""The printed form and the run's dossier as HTML, read as a script would: one self-contained page, the
marks of SPEC §10 on every symbol, lane and arrow, the chosen paper and language, hostile text escaped,
long forms cut into pages with off-page connectors, and clear one-line errors."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from sopcli.layout import flow_steps

from .test_golden import scenario


class Page(HTMLParser):
    """Every element's tag and attributes, and the text, of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    def having(self, attribute: str) -> list[dict[str, str]]:
        return [attrs for _tag, attrs in self.elements if attribute in attrs]

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())


def expected_arrows(doc: dict[str, Any]) -> set[tuple[str, str]]:
    steps = flow_steps(doc["steps"])
    arrows = {("start", str(steps[0].no))}
    for step in steps:
        arrows |= {(str(step.no), str(target)) for target, _label in step.targets}
    return arrows


def check_marks(page: Page, doc: dict[str, Any]) -> None:
    """Every lane header, every step's symbol in each of its lanes, every arrow and outcome (SPEC §10)."""
    lanes = [a["data-lane"] for a in page.having("data-lane")]
    ids = [a["id"] for a in doc["actors"]]
    assert lanes and lanes == ids * (len(lanes) // len(ids))  # the lane headers, on every page of the chart
    symbols = page.having("data-shape")
    for step in doc["steps"]:
        mine = [s for s in symbols if s["data-step"] == str(step["no"]) and s["data-shape"] != "offpage"]
        assert len(mine) == len(step["actors"]), step["no"]
        assert {s["data-shape"] for s in mine} == {"decision" if step.get("outcomes") else "process"}
    ends = [s for s in symbols if s["data-step"] in ("start", "end")]
    assert ends and {s["data-shape"] for s in ends} == {"terminator"}
    arrows = {(a["data-from"], a["data-to"]) for a in page.having("data-from")}
    assert arrows == expected_arrows(doc)
    outcomes = {a["data-outcome"] for a in page.having("data-outcome")}
    assert outcomes == {name for s in doc["steps"] for name in (s.get("outcomes") or {})}


def test_the_seed_form_is_one_self_contained_page_with_every_mark(sop) -> None:
    doc = json.loads(sop("show", "rkt-ii", "--format", "json").out)
    html = sop("show", "rkt-ii", "--format", "html").out
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert not re.search(r"<script|<link|<img|<iframe|url\((?!#)|https?:", html, re.I), "something would be fetched"
    assert "@page { size: 297mm 210mm" in html
    page = Page(html)
    check_marks(page, doc)
    text = page.text
    for words in ("Nomor SOP", "Tanggal Pembuatan", "Disahkan oleh", "Dasar Hukum", "Kualifikasi Pelaksana"):
        assert words in text
    for words in ("Pelaksana", "Mutu Baku", "Kelengkapan", "Waktu", "Output", "Keterangan", "NIP. 195910081983031001"):
        assert words in text
    for step in doc["steps"]:
        assert " ".join(step["activity"].split()) in text


def test_the_example_draws_both_lanes_of_a_step_and_one_merged_waktu_cell(sop) -> None:
    doc = json.loads(sop("show", "contoh-surat-masuk", "--format", "json").out)
    page = Page(sop("show", "contoh-surat-masuk", "--format", "html").out)
    check_marks(page, doc)
    starts = [s for s in page.having("data-shape") if s["data-step"] == "start"]
    assert len(starts) == 2  # step 1 is drawn in two lanes, each with its start
    merged = [a for tag, a in page.elements if tag == "td" and a.get("rowspan") == "2"]
    assert len(merged) == 1 and "class" in merged[0]  # steps 3 and 4 share one Waktu cell


def test_paper_language_and_file(sop, tmp_path: Path) -> None:
    out = tmp_path / "form.html"
    assert sop("show", "rkt-ii", "--format", "html", "--paper", "f4", "-o", out).out == ""
    html = out.read_text()
    assert "@page { size: 330mm 210mm" in html and 'lang="id"' in html
    english = sop("--lang", "en", "show", "rkt-ii", "--format", "html").out
    assert 'lang="en"' in english and "Actors (Pelaksana)" in english and "Quality standard (Mutu Baku)" in english


def test_printed_formats_refuse_what_they_cannot_do(sop, tmp_path: Path, english) -> None:
    missing = sop("show", "rkt-ii", "--format", "pdf", ok=False)
    assert missing.code == 2 and "--format pdf needs -o FILE" in missing.err and len(missing.err.splitlines()) == 1
    misplaced = sop("report", "-o", tmp_path / "x.txt", ok=False)
    assert misplaced.code == 2 and "-o FILE is for --format html or pdf" in misplaced.err
    line = sop.fail("show", "rkt-ii", "--format", "html", "-o", tmp_path / "nowhere" / "form.html")
    assert "the folder" in line and "does not exist" in line
    assert not (tmp_path / "nowhere").exists()


def test_without_a_browser_pdf_says_how_to_get_one(sop, tmp_path: Path, monkeypatch, english) -> None:
    from sopcli import browser

    monkeypatch.setattr(browser, "PLACES", ())
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("SOP_CHROMIUM", raising=False)
    line = sop.fail("show", "rkt-ii", "--format", "pdf", "-o", tmp_path / "form.pdf")
    assert "no Chromium browser was found" in line and "--format html works without a browser" in line
    assert not (tmp_path / "form.pdf").exists()


HOSTILE = """
id: jahat
nomor: "SOP/<b>1</b>&amp;"
judul: "Judul <script>alert(1)</script> \\u202etxet"
pelaksana:
  - {id: a, nama: "<i>Kepala</i> \\u202e\\u200f"}
  - {id: b, nama: "%(long)s"}
prosedur:
  - {nomor: 1, kegiatan: "<img src=x onerror=alert(1)> %(text)s", pelaksana: a, waktu: 10 menit}
  - {nomor: 2, kegiatan: "Memeriksa \\u2067isolat\\u2069", pelaksana: b, waktu: 10 menit,
     pilihan: {"<ya>": 3, "tidak&": 1}}
  - {nomor: 3, kegiatan: "Selesai \\"kutip\\" 'satu'", pelaksana: [a, b], waktu: 5 menit}
"""


def test_hostile_text_is_escaped_and_never_breaks_the_page(sop, tmp_path: Path) -> None:
    (tmp_path / "sops").mkdir()
    long = "Lajur" + "x" * 75
    text = " ".join(["kata"] * 400)
    (tmp_path / "sops" / "jahat.yaml").write_text(HOSTILE % {"long": long, "text": text})
    html = sop("show", "jahat", "--format", "html").out
    assert "<script>" not in html and "<img" not in html and "<i>Kepala" not in html and "<b>1" not in html
    assert not any(mark in html for mark in ("\u202e", "\u200f", "\u2067", "\u2069"))
    assert "&lt;script&gt;" in html and "\\u202e" in html and "&amp;amp;" in html
    page = Page(html)
    assert {a["data-lane"] for a in page.having("data-lane")} == {"a", "b"}
    assert long in page.text and "<ya>" in page.text and "tidak&" in page.text
    assert {a["data-outcome"] for a in page.having("data-outcome")} == {"<ya>", "tidak&"}


def long_sop(steps: int = 60) -> str:
    lines = ["id: panjang", "nomor: P/60", "judul: Enam puluh langkah", "pelaksana:"]
    lines += [f"  - {{id: l{i}, nama: Lajur {i}}}" for i in range(3)]
    lines.append("prosedur:")
    for no in range(1, steps + 1):
        extra = f", pilihan: {{lanjut: {no + 1}, ulang: {no - 5}}}" if no % 9 == 0 and no < steps else ""
        lines.append(f"  - {{nomor: {no}, kegiatan: Kegiatan nomor {no}, pelaksana: l{no % 3}, waktu: 1 jam{extra}}}")
    return "\n".join(lines) + "\n"


def test_sixty_steps_are_printed_on_pages_joined_by_off_page_connectors(sop, tmp_path: Path) -> None:
    (tmp_path / "sops").mkdir()
    (tmp_path / "sops" / "panjang.yaml").write_text(long_sop())
    doc = json.loads(sop("show", "panjang", "--format", "json").out)
    page = Page(sop("show", "panjang", "--format", "html").out)
    check_marks(page, doc)
    sheets = [a for tag, a in page.elements if tag == "section" and "flow" in a.get("class", "")]
    assert len(sheets) >= 3
    connectors = [s for s in page.having("data-shape") if s["data-shape"] == "offpage"]
    assert connectors and all(s["data-step"].isdigit() for s in connectors)
    steps = {str(s["no"]) for s in doc["steps"]}
    assert {s["data-step"] for s in connectors} <= steps
    assert "bersambung ke halaman 2" in page.text and "sambungan dari halaman 1" in page.text


def test_the_dossier_holds_what_an_inspector_asks_for(sop, files) -> None:
    run = scenario(sop, files)
    report = json.loads(sop("report", "--format", "json").out)
    html = sop("report", "--format", "html").out
    page = Page(html)
    text = page.text
    assert run in text and "Jejak audit" in text and "Verifikasi" in text and "rekaman utuh" in text
    for step in report["steps"]:
        for item in step["inputs"] + step["artifacts"]:
            assert item["sha256"] in text and item["name"] in text
        for note in step["notes"]:
            assert note["text"] in text
    states = {(s["data-step"], s.get("data-state")) for s in page.having("data-state")}
    assert ("1", "late") in states and ("4", "overdue") in states and ("6", "on_time") in states
    assert any(s.get("data-forced") for s in page.having("data-state") if s["data-step"] == "4")
    records = json.loads(sop("log", "--format", "json").out)
    trail = [a for tag, a in page.elements if tag == "table" and a.get("class") == "trail"]
    assert trail and all(r["hash"] in text for r in records)
    taken = [a for a in page.having("data-from") if "taken" in a.get("class", "")]
    assert {(a["data-from"], a["data-to"]) for a in taken} >= {("6", "4"), ("3", "4"), ("5", "6")}


def test_commands_that_print_no_form_do_not_load_it(tmp_path: Path) -> None:
    """`sop done`, `note` and `status` run many times a day: the form's code must cost them nothing."""
    import os
    import subprocess
    import sys

    code = (
        "import sys; from sopcli import cli\n"
        "for args in (['status'], ['done', '1'], ['note', '1', 'x']): cli.run(args)\n"
        "print(sorted(m for m in sys.modules if m in ('sopcli.render.html', 'sopcli.layout', 'sopcli.browser')))"
    )
    env = {**os.environ, "SOP_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60).stdout
    assert out.strip().splitlines()[-1] == "[]"
