"""Word documents in and out (SPEC §12).

An exported form reads back as the same SOP, a form made in an office imports with every guess marked,
and a file that is not a safe Word document is refused in one line."""

from __future__ import annotations

import functools
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
import yaml
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sopcli import cli
from sopcli.docx_export import export_docx
from sopcli.loader import bundled_dir, load_file, load_text
from sopcli.model import sop_document
from sopcli.yaml_out import flow_list, scalar

from .docx_fixtures import Office, Row, build, with_member, zip_with_declared_sizes

MIB = 1024 * 1024


def document_of(sop, ref: str) -> dict:
    return json.loads(sop("show", ref, "--format", "json").out)


def guesses(err: str, name: str = "<stdout>") -> dict[int, str]:
    return {
        int(m.group(1)): m.group(2)
        for m in re.finditer(rf"^{re.escape(name)}:(\d+): (?:check|periksa): (.*)$", err, re.M)
    }


# ---------------------------------------------------------------- the round trip


@pytest.mark.parametrize(
    ("ref", "written_in", "read_in"),
    [
        ("rkt-ii", "id", "id"),
        ("contoh-surat-masuk", "id", "id"),
        ("contoh-surat-masuk", "en", "id"),
        ("rkt-ii", "id", "en"),
    ],
)
def test_an_exported_form_imports_as_the_same_sop(sop, ref: str, written_in: str, read_in: str) -> None:
    sop("--lang", written_in, "export", ref, "-o", "form.docx")
    result = sop("--lang", read_in, "import", "form.docx", "-o", "back.yaml")
    assert result.err == ""  # nothing guessed, nothing left unread
    assert document_of(sop, "./back.yaml") == document_of(sop, ref)


MANY_LANES = textwrap.dedent(
    """\
    id: banyak-lajur
    number: "X/01 #2: <b>&amp;</b>"
    title: "Uji 'kutip' \\"ganda\\" & <tag> — ya: no"
    organization: ["- bukan daftar", "KEMENTERIAN ✓ ● X"]
    created: 2025-02-28
    revision: {no: 2, date: 2025-03-03}
    effective: 2025-03-10
    approved_by: {name: "no", position: "Kepala: Biro", nip: "007"}
    legal_basis: ["1. sudah bernomor", "Pasal 5 + ayat 2"]
    warning: "baris satu\\nbaris dua"
    calendar:
      timezone: Asia/Makassar
      hours: ["07:30-12:00", "13:00-16:00"]
      holidays: null
      days_off: [2025-01-02, 2025-01-03, 2025-01-06, 2025-01-07, 2025-01-08, 2025-01-09, 2025-01-10, 2025-01-13,
                 2025-01-14, 2025-01-15, 2025-01-16, 2025-01-17, 2025-01-20, 2025-01-21, 2025-01-22, 2025-01-23,
                 2025-01-24, 2025-01-27, 2025-01-28, 2025-01-29, 2025-01-30, 2025-01-31]
    actors:
      - {id: a, name: "Lajur <1> & \\u200fkanan"}
      - {id: B_2, name: "no"}
      - {id: c, name: "- daftar"}
      - {id: d, name: Kabag Perencanaan}
      - {id: e, name: "Kabag Perencanaan (2)"}
      - {id: f, name: "# pagar"}
      - {id: g, name: "Ⅶ ★"}
      - {id: h, name: "'kutip'"}
    steps:
      - {no: 1, activity: "Mulai: <script>alert(1)</script>", actor: [a, h], together: all, time: 1 hari,
         requires: ["a, b", c], output: "yes"}
      - {no: 2, activity: "Periksa # bukan komentar", actor: B_2, time: 30 menit,
         outcomes: {"no": 4, "yes": 3, "kembali ke awal": 1}, note: "ket: satu; dua"}
      - {no: 3, activity: Tiga, actor: c, time: 1 jam, next: 5}
      - {no: 4, activity: Empat, actor: [d, e, f], time_with: 3, note: "- catatan"}
      - {no: 5, activity: Lima, actor: g, time: "-", outcomes: {lanjut: end, ulang: 2}}
    """
)


MINIMAL = """\
id: kecil
nomor: "1"
judul: Satu langkah
pelaksana: [{id: x, nama: Staf}]
prosedur: [{nomor: 1, kegiatan: Menulis, pelaksana: x}]
"""


@pytest.mark.parametrize("source", [MANY_LANES, MINIMAL], ids=["many-lanes", "minimal"])
def test_sops_with_many_lanes_hostile_text_or_nothing_but_the_required_survive_the_round_trip(
    sop, tmp_path: Path, source: str
) -> None:
    (tmp_path / "sop.yaml").write_text(source)
    sop("export", "./sop.yaml", "-o", "sop.docx")
    result = sop("import", "sop.docx")
    assert result.err == ""
    assert "\u200f" not in result.out  # a direction mark is written as an escape, never raw
    assert load_text(result.out) == load_text(source)


def test_control_characters_that_xml_cannot_hold_are_replaced(sop, tmp_path: Path) -> None:
    source = MANY_LANES.replace("activity: Tiga", 'activity: "Ti\\x07ga\\x1b[31m"')
    (tmp_path / "many.yaml").write_text(source)
    sop("export", "./many.yaml", "-o", "many.docx")
    back = load_text(sop("import", "many.docx").out)
    assert back.step(3).activity == "Ti\ufffdga\ufffd[31m"


# ---------------------------------------------------------------- the exported document


def test_the_exported_form_is_a_landscape_word_document_with_the_symbols_in_their_lanes(sop) -> None:
    sop("export", "contoh-surat-masuk", "-o", "form.docx", "--paper", "f4")
    document = Document("form.docx")
    section = document.sections[0]
    assert round(section.page_width.mm) == 330 and section.page_width > section.page_height
    header, info, flow = document.tables
    assert [c.text for c in header.columns[1].cells] == [
        "Nomor SOP",
        "Tanggal Pembuatan",
        "Tanggal Revisi",
        "Tanggal Efektif",
        "Disahkan oleh",
        "Nama SOP",
    ]
    assert (
        info.cell(0, 0).text == "Dasar Hukum"
        and info.cell(1, 0).text == "1. Contoh peraturan tentang tata naskah dinas"
    )
    top, lanes = (list(dict.fromkeys(c.text for c in flow.rows[r].cells)) for r in (0, 1))
    assert top == ["No", "Kegiatan", "Pelaksana", "Mutu Baku", "Keterangan"]
    assert lanes[2:-1] == [
        "Tata Usaha",
        "Sekretaris Biro",
        "Kepala Biro",
        "Bagian Teknis",
        "Bagian Administrasi",
        "Kelengkapan",
        "Waktu",
        "Output",
    ]
    step = {int(row.cells[0].text): row for row in flow.rows[2:]}
    names = [p.get("name") for p in step[1]._tr.iter("{*}docPr")]
    assert names == ["sop-process-1", "sop-process-1"]  # drawn in two lanes: Tata Usaha and Sekretaris
    assert [bool(step[2].cells[c]._tc.xpath(".//wp:docPr")) for c in range(2, 7)] == [False, True, False, False, False]
    assert step[2].cells[10].text == "ya → 3; tidak → 9"
    assert step[8].cells[10].text.splitlines() == ["setiap lajur mengerjakan bagiannya", "→ selesai"]
    assert step[4].cells[8]._tc is step[3].cells[8]._tc  # one merged Waktu cell for steps 3 and 4
    assert step[1].cells[8].text == "-"
    assert document.core_properties.subject == "CONTOH/UM.01.01/001/2026"
    custom = zipfile.ZipFile("form.docx").read("docProps/custom.xml").decode()
    assert 'name="sop.id"><vt:lpwstr>contoh-surat-masuk<' in custom and 'name="sop.lane.tu"' in custom


def test_export_writes_id_docx_by_default_and_does_not_overwrite_a_file_it_was_not_told_to(sop, tmp_path: Path) -> None:
    assert "rkt-ii.docx" in sop("export", "rkt-ii").out
    first = (tmp_path / "rkt-ii.docx").read_bytes()
    line = sop.fail("export", "rkt-ii")
    assert "rkt-ii.docx" in line and "-o" in line
    (tmp_path / "named.docx").write_text("old")
    sop("export", "rkt-ii", "-o", "named.docx")
    assert (tmp_path / "named.docx").read_bytes()[:2] == b"PK" and first[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary file left


def test_export_to_standard_output() -> None:
    runner = CliRunner()  # the bytes of the document as written to stdout (the `sop` fixture decodes text)
    with runner.isolation() as (out, _err, _mixed):
        assert cli.run(["export", "rkt-ii", "-o", "-"]) == 0
        sys.stdout.flush()
        data = out.getvalue()
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None


# ---------------------------------------------------------------- forms made in an office


def office_rows(mark: str = "X") -> list[Row]:
    return [
        Row(
            "1",
            ["Menerima permohonan informasi", "dari pemohon melalui loket"],
            [2],
            "Formulir permohonan",
            "10 Menit",
            "Register permohonan",
            mark=mark,
        ),
        Row(
            "2",
            ["Memeriksa kelengkapan permohonan (Ya/Tidak)"],
            [1],
            "Register permohonan",
            "15 Menit",
            "Permohonan lengkap",
            mark=mark,
        ),
        Row("3", ["Menyiapkan jawaban"], [2], "Permohonan lengkap", "1 Jam", "Konsep jawaban", mark=mark),
        Row(
            "4",
            ["Menandatangani jawaban"],
            [0],
            "Konsep jawaban",
            "",
            "Surat jawaban",
            mark=mark,
            merge_time_with_above=True,
        ),
        Row(
            "5",
            ["Menyampaikan jawaban kepada pemohon"],
            [1, 2],
            "Surat jawaban + salinan",
            "-",
            "Tanda terima",
            mark=mark,
        ),
    ]


@pytest.mark.usefixtures("english")
def test_an_office_form_with_x_marks_blank_columns_and_merged_cells_imports_with_its_guesses_marked(
    sop, tmp_path: Path
) -> None:
    office = Office(blank_lane_column=True, blank_last_column=True, column_numbers=True, rows=office_rows())
    build(office, tmp_path / "office.docx")
    result = sop("import", "office.docx")
    lines = result.out.splitlines()
    marked = guesses(result.err)
    assert marked and all(message in lines[n - 1] and "#" in lines[n - 1] for n, message in marked.items())
    imported = load_text(result.out)
    assert imported.id == "pelayanan-permohonan-informasi" and imported.number == "001/SOP/BU/2024"
    assert imported.organization == ["KEMENTERIAN CONTOH", "BIRO UMUM"]
    assert (
        str(imported.created) == "2024-02-05" and imported.revision is None and str(imported.effective) == "2024-03-01"
    )
    assert imported.approved_by is not None
    assert imported.approved_by.model_dump() == {
        "name": "Budi Santoso, S.H.",
        "position": "Kepala Biro Umum,",
        "nip": "197001011995031001",
    }
    assert imported.legal_basis == [
        "Undang-Undang Nomor 14 Tahun 2008",
        "Peraturan Menteri Nomor 5 Tahun 2020 tentang Layanan",
    ]
    assert imported.qualifications == ["Memahami layanan informasi", "Mampu berkomunikasi"]
    assert imported.related == [] and imported.equipment == ["Komputer", "Printer"]
    assert imported.records == "Buku register permohonan"
    assert [a.name for a in imported.actors] == ["Kepala Bagian", "Kasubbag Umum", "Staf Pelaksana"]
    steps = {s.no: s for s in imported.steps}
    assert steps[1].activity == "Menerima permohonan informasi dari pemohon melalui loket"
    assert [steps[n].actor for n in range(1, 6)] == [
        ["staf-pelaksana"],
        ["kasubbag-umum"],
        ["staf-pelaksana"],
        ["kepala-bagian"],
        ["kasubbag-umum", "staf-pelaksana"],
    ]
    assert steps[2].outcomes == {"ya": 3, "tidak": 1}  # from the words Ya/Tidak, targets guessed
    assert steps[4].time_with == 3 and steps[4].time is None and steps[5].time is None
    assert steps[5].together == "any" and steps[5].requires == ["Surat jawaban", "salinan"]
    assert sorted(marked.values()) == sorted(
        [
            "made from the Nama SOP; it is the name used on the command line, change it freely",
            "the form names no target for 'ya'; guessed the next row (3)",
            "the form names no target for 'tidak'; guessed the step before (1), where work goes back",
            "the form does not say whether one of these lanes does it (any) or each does its part (all)",
        ]
    )


@pytest.mark.parametrize(
    ("mark", "decision_mark"),
    [("✓", "◆"), ("●", "●"), ("picture", "diamond-picture"), ("shape", "decision-shape"), ("vml", "vml-decision")],
)
def test_lanes_marked_by_ticks_dots_pictures_or_drawn_shapes(
    sop, tmp_path: Path, mark: str, decision_mark: str
) -> None:
    rows = [
        Row("1", ["Menerima berkas"], [0], time="5 Menit", mark=mark),
        Row(
            "2.", ["Memeriksa berkas"], [1], time="10 Menit", note="Lengkap → 3; Tidak lengkap → 1", mark=decision_mark
        ),
        Row("3", ["Mengarsipkan berkas"], [2], time="5 Menit", note="→ selesai", mark=mark),
    ]
    build(Office(rows=rows), tmp_path / "form.docx")
    result = sop("import", "form.docx", "-o", "form.yaml")
    assert guesses(result.err, "form.yaml").keys() == {4}  # only the id was guessed
    steps = load_text((tmp_path / "form.yaml").read_bytes()).steps
    assert [s.actor for s in steps] == [["kepala-bagian"], ["kasubbag-umum"], ["staf-pelaksana"]]
    assert steps[1].outcomes == {"Lengkap": 3, "Tidak lengkap": 1} and steps[2].next == "end"


def test_a_decision_drawn_as_a_diamond_without_targets_gets_guessed_ones(sop, tmp_path: Path) -> None:
    rows = [
        Row("1", ["Menerima berkas"], [0], time="5 Menit"),
        Row("2", ["Memeriksa berkas"], [1], time="10 Menit", note="sesuai → selesai", mark="decision-shape"),
        Row("3", ["Memperbaiki berkas"], [2], time="5 Menit", note="→ 2"),
    ]
    build(Office(rows=rows), tmp_path / "form.docx")
    steps = load_text(sop("import", "form.docx").out).steps
    assert steps[1].outcomes == {"sesuai": "end", "tidak": 3}
    assert steps[2].next == 2


def test_english_labels_and_office_spellings_of_the_form(sop, tmp_path: Path) -> None:
    office = Office(
        flow_labels=("NO", "Activity", "Actors", "Quality standard", "Ket"),
        quality_labels=("Requires", "Waktu (Menit)", "Output/Hasil"),
        header={
            "Nomor SOP": "A-1",
            "Tanggal Pembuatan": "2024-01-31",
            "Tanggal Revisi": "Revisi ke-2, 15/02/2024",
            "Tanggal Efektif": "01-03-2024",
            "Judul SOP Mikro": "Uji Label",
        },
        rows=[
            Row("1", ["Satu"], [0], time="1 Hari", output="Surat"),
            Row("", ["lanjutan kalimat"], []),
            Row("2", ["Dua"], [1], time="45"),
        ],
    )
    build(office, tmp_path / "form.docx")
    imported = load_text(sop("import", "form.docx").out)
    assert (imported.number, imported.title) == ("A-1", "Uji Label")
    assert imported.revision is not None and (imported.revision.no, str(imported.revision.date)) == (2, "2024-02-15")
    assert str(imported.effective) == "2024-03-01"
    assert [s.activity for s in imported.steps] == ["Satu lanjutan kalimat", "Dua"]
    assert [s.time for s in imported.steps] == ["1 Hari", "45 Menit"] and imported.steps[0].output == ["Surat"]


@pytest.mark.usefixtures("english")
def test_an_import_that_does_not_validate_says_what_to_fix_and_exits_1(sop, tmp_path: Path) -> None:
    rows = [
        Row("1", ["Satu"], [0], time="kira-kira sebentar"),
        Row("2", ["Dua"], [1], time="1-2 Hari"),
    ]
    build(Office(rows=rows), tmp_path / "form.docx")
    result = sop("import", "form.docx", "-o", "form.yaml", ok=False)
    assert result.code == 1
    assert "form.docx: step 1: the Waktu 'kira-kira sebentar' is not a time standard" in result.err
    written = (tmp_path / "form.yaml").read_text().splitlines()
    problems = re.findall(r"^form\.yaml:(\d+): (?!check: )(.*)$", result.err, re.M)
    assert problems and all("waktu" in written[int(n) - 1] for n, _m in problems)
    assert any("read as 2 Hari" in message for message in guesses(result.err, "form.yaml").values())
    assert sop("validate", "form.yaml", ok=False).code == 1


# ---------------------------------------------------------------- refusals


@functools.cache
def exported() -> bytes:
    """The seed's form, made once for the tests that damage it."""
    return export_docx(sop_document(load_file(bundled_dir() / "ot01-02-015-097.yaml")))


def no_table(path: Path) -> None:
    document = Document()
    document.add_paragraph("Hanya teks, tanpa tabel alur")
    document.add_table(rows=2, cols=2).cell(0, 0).text = "Nomor SOP"
    document.save(path)


BAD = {
    "not-a-zip": (lambda good: b"Ini bukan dokumen Word", "not a Word document"),
    "old-doc": (lambda good: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Word 97-2003"),
    "damaged": (lambda good: good[: len(good) // 2], "damaged"),
    "plain-zip": (lambda good: zip_with_declared_sizes([("readme.txt", b"halo", 4)]), "not a Word document"),
    "spreadsheet": (
        lambda good: _replace_member(
            good, "[Content_Types].xml", b"wordprocessingml.document.main", b"spreadsheetml.sheet.main"
        ),
        "not a Word document",
    ),
    "doctype": (
        lambda good: _replace_member(
            good, "word/document.xml", b"<w:document", b'<!DOCTYPE x [<!ENTITY a "b">]><w:document'
        ),
        "damaged",
    ),
    "bomb": (lambda good: with_member(good, "word/media/zero.bin", bytes(65 * MIB), zipfile.ZIP_DEFLATED), "zip bomb"),
    "lying-bomb": (
        lambda good: zip_with_declared_sizes(
            [("[Content_Types].xml", b"<Types/>", 8), ("word/document.xml", bytes(70 * MIB), 900)]
        ),
        "damaged",
    ),
    "huge": (lambda good: with_member(good, "word/media/big.bin", os.urandom(20 * MIB)), "at most 16 MiB"),
}


def _replace_member(docx: bytes, name: str, old: bytes, new: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item.filename, data.replace(old, new, 1) if item.filename == name else data)
    return out.getvalue()


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_file_that_is_not_a_safe_word_document_is_refused_in_one_line_writing_nothing(
    sop, tmp_path: Path, kind: str
) -> None:
    make, words = BAD[kind]
    (tmp_path / "bad.docx").write_bytes(make(exported()))
    line = sop.fail("import", "bad.docx", "-o", "out.yaml")
    assert words in line and "bad.docx" in line
    assert not (tmp_path / "out.yaml").exists()


@pytest.mark.usefixtures("english")
def test_a_document_without_a_flowchart_table_a_folder_and_a_missing_file_are_refused(sop, tmp_path: Path) -> None:
    no_table(tmp_path / "letter.docx")
    assert "no flowchart table in letter.docx" in sop.fail("import", "letter.docx", "-o", "out.yaml")
    (tmp_path / "folder.docx").mkdir()
    assert "not a Word document" in sop.fail("import", "folder.docx", "-o", "out.yaml")
    assert "no file at" in sop.fail("import", "missing.docx", "-o", "out.yaml")
    assert not (tmp_path / "out.yaml").exists()


# ---------------------------------------------------------------- the parts underneath


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_is_written_as_a_yaml_scalar_that_reads_back_unchanged(text: str) -> None:
    written = scalar(text)
    assert "\n" not in written and "\u202e" not in written
    assert yaml.safe_load(f"key: {written}  # comment\n") == {"key": text}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=12) | st.integers() | st.dates(), max_size=5))
def test_a_short_list_on_one_line_reads_back_unchanged_or_is_left_to_a_block(items: list) -> None:
    written = flow_list(items)
    assert written is None or yaml.safe_load(f"key: {written}\n") == {"key": items}


def test_sop_done_and_the_import_command_do_not_load_python_docx_until_they_need_it() -> None:
    code = (
        "import sys; from sopcli.cli import build; build(['done']); build(['import']); build(['export']);"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('docx', 'lxml')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == "[]\n"


def test_a_pelaksana_column_that_names_the_role_in_each_row_gives_the_lanes(sop, tmp_path: Path) -> None:
    document = Document()
    rows = [
        ("No", "Kegiatan", "Pelaksana", "Kelengkapan", "Waktu", "Output", "Keterangan"),
        ("1", "Menerima surat", "Sekretaris", "Surat", "5 menit", "Agenda", ""),
        ("2", "Mendisposisi surat", "Kepala Biro", "Agenda", "1 hari", "Disposisi", ""),
        ("3", "Mengarsipkan surat", "Sekretaris", "Disposisi", "10 menit", "Arsip", ""),
    ]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, texts in enumerate(rows):
        for c, text in enumerate(texts):
            table.cell(r, c).text = text
    header = document.add_table(rows=2, cols=2)
    for r, (label, value) in enumerate((("Nomor SOP", "S-1"), ("Nama SOP", "Surat Masuk"))):
        header.cell(r, 0).text, header.cell(r, 1).text = label, value
    document.save(tmp_path / "plain.docx")
    imported = load_text(sop("import", "plain.docx").out)
    assert [(a.id, a.name) for a in imported.actors] == [("sekretaris", "Sekretaris"), ("kepala-biro", "Kepala Biro")]
    assert [s.actor for s in imported.steps] == [["sekretaris"], ["kepala-biro"], ["sekretaris"]]


def test_a_flowchart_continued_in_a_table_without_a_header_on_the_next_page(sop, tmp_path: Path) -> None:
    build(Office(rows=office_rows()[:3]), tmp_path / "form.docx")
    document = Document(tmp_path / "form.docx")
    flow = document.tables[-1]
    document.add_page_break()
    more = document.add_table(rows=1, cols=len(flow.columns))
    for column, text in enumerate(["4", "Menandatangani jawaban", "X", "", "", "Konsep jawaban", "1 Jam", "Surat"]):
        more.cell(0, column).text = text
    document.save(tmp_path / "form.docx")
    steps = load_text(sop("import", "form.docx").out).steps
    assert [(s.no, s.actor) for s in steps][2:] == [(3, ["staf-pelaksana"]), (4, ["kepala-bagian"])]
