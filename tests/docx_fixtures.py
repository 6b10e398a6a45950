"""Word forms made the way offices make them (not by `sop export`), for the import tests.

Built with python-docx: lanes marked by X, ✓, ●, a picture or a drawn shape; labels in office spellings;
merged cells; and archives that lie about their size."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml import parse_xml
from docx.shared import Mm

from sopcli.symbols import picture

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
)
VML_TYPES = {"flowChartDecision": 110, "flowChartProcess": 109, "flowChartTerminator": 116}


def drawn_shape(preset: str, number: int, connector: bool = False) -> Any:
    """A run holding a DrawingML shape as Word 2010+ writes it, with its VML fallback for old readers."""
    marker = "<wps:cNvCnPr/>" if connector else "<wps:cNvSpPr/>"
    spt = 32 if connector else VML_TYPES.get(preset, 1)
    return parse_xml(
        f'<w:r {NS}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        f'<wp:inline><wp:extent cx="720000" cy="360000"/><wp:docPr id="{number}" name="Shape {number}"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<wps:wsp>{marker}<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="720000" cy="360000"/></a:xfrm>'
        f'<a:prstGeom prst="{preset}"><a:avLst/></a:prstGeom></wps:spPr><wps:bodyPr/></wps:wsp>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing></mc:Choice>"
        f'<mc:Fallback><w:pict><v:shape type="#_x0000_t{spt}" style="width:56pt;height:28pt"/></w:pict>'
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )


def branch_label(text: str, number: int) -> Any:
    """A run holding a text box with the label of a decision's branch (Ya, Tidak) beside its arrow."""
    return parse_xml(
        f"<w:r {NS}><w:drawing>"
        f'<wp:inline><wp:extent cx="360000" cy="180000"/><wp:docPr id="{number}" name="Text Box {number}"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
        f"<wps:txbx><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></wps:txbx>"
        "<wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )


def vml_shape(preset: str) -> Any:
    """A run holding an old-style VML flowchart shape (Word 2007 and earlier)."""
    spt = VML_TYPES[preset]
    return parse_xml(
        f'<w:r {NS}><w:pict><v:shapetype id="_x0000_t{spt}" o:spt="{spt}" coordsize="21600,21600"/>'
        f'<v:shape type="#_x0000_t{spt}" style="width:56pt;height:28pt"/></w:pict></w:r>'
    )


@dataclass
class Row:
    """One step as an office wrote it: `lanes` are lane positions; `mark` says how each lane is marked."""

    no: str
    activity: list[str]
    lanes: list[int]
    requires: str = ""
    time: str = ""
    output: str = ""
    note: str = ""
    mark: str = "X"  # a text mark, or "picture", "diamond-picture", "shape", "decision-shape", "vml", "vml-decision"
    merge_time_with_above: bool = False


@dataclass
class Office:
    """How the office laid its form out."""

    lanes: list[str] = field(default_factory=lambda: ["Kepala Bagian", "Kasubbag Umum", "Staf Pelaksana"])
    blank_lane_column: bool = False  # an unnamed, never-marked column among the lanes
    blank_last_column: bool = False  # an unnamed column after Keterangan
    column_numbers: bool = False  # a row (1) (2) (3) ... under the header
    info_two_columns: bool = True
    flow_labels: tuple[str, ...] = ("No.", "Uraian Kegiatan", "Pelaksana", "Mutu Baku", "Ket.")
    quality_labels: tuple[str, ...] = ("Persyaratan/Kelengkapan", "Waktu", "Output")
    header: dict[str, str] = field(
        default_factory=lambda: {
            "No. SOP": "001/SOP/BU/2024",
            "Tgl. Pembuatan": "Senin, 05 Februari 2024",
            "Tgl. Revisi": "-",
            "Tgl. Efektif": "1 Maret 2024",
            "Judul SOP": "Pelayanan Permohonan Informasi",
        }
    )
    approval: list[str] = field(
        default_factory=lambda: ["Kepala Biro Umum,", "ttd", "Budi Santoso, S.H.", "NIP. 19700101 199503 1 001"]
    )
    units: list[str] = field(default_factory=lambda: ["KEMENTERIAN CONTOH", "BIRO UMUM"])
    info: dict[str, list[str]] = field(
        default_factory=lambda: {
            "Dasar Hukum": [
                "1. Undang-Undang Nomor 14 Tahun 2008",
                "2. Peraturan Menteri Nomor 5 Tahun 2020",
                "tentang Layanan",
            ],
            "Kualifikasi Pelaksana": ["a. Memahami layanan informasi", "b. Mampu berkomunikasi"],
            "Keterkaitan": ["-"],
            "Peralatan / Perlengkapan": ["• Komputer", "• Printer"],
            "Peringatan": ["Permohonan yang tidak dilayani menimbulkan sengketa informasi"],
            "Pencatatan & Pendataan": ["Buku register permohonan"],
        }
    )
    rows: list[Row] = field(default_factory=list)


def build(office: Office, path: Path) -> Path:
    document = Document()
    _header(document, office)
    document.add_paragraph()
    _info(document, office)
    document.add_paragraph()
    _flowchart(document, office)
    document.save(path)
    return path


def _header(document: Any, office: Office) -> None:
    rows = [*office.header.items()]
    rows.insert(4, ("Disahkan Oleh", ""))
    table = document.add_table(rows=len(rows) + 1, cols=3)
    top = table.cell(0, 0).merge(table.cell(0, 2))
    top.text = office.units[0]
    for unit in office.units[1:]:
        top.add_paragraph(unit)
    for i, (label, value) in enumerate(rows, 1):
        table.cell(i, 0).text = label
        table.cell(i, 1).text = ":"
        cell = table.cell(i, 2)
        lines = office.approval if label == "Disahkan Oleh" else [value]
        cell.text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)


def _info(document: Any, office: Office) -> None:
    table = document.add_table(rows=len(office.info), cols=2)
    for i, (label, lines) in enumerate(office.info.items()):
        table.cell(i, 0).text = label
        value = table.cell(i, 1)
        value.text = lines[0]
        for line in lines[1:]:
            value.add_paragraph(line)


def _flowchart(document: Any, office: Office) -> None:
    lanes = list(office.lanes)
    if office.blank_lane_column:
        lanes.insert(1, "")
    columns = 2 + len(lanes) + 3 + 1 + (1 if office.blank_last_column else 0)
    head = 3 if office.column_numbers else 2
    table = document.add_table(rows=head + len(office.rows), cols=columns)
    table.style = "Table Grid"
    no, activity, actors, quality, notes = office.flow_labels
    quality_at = 2 + len(lanes)
    for column, text in ((0, no), (1, activity), (quality_at + 3, notes)):
        table.cell(0, column).merge(table.cell(1, column)).text = text
    table.cell(0, 2).merge(table.cell(0, quality_at - 1)).text = actors
    for k, name in enumerate(lanes):
        table.cell(1, 2 + k).text = name
    table.cell(0, quality_at).merge(table.cell(0, quality_at + 2)).text = quality
    for k, text in enumerate(office.quality_labels):
        table.cell(1, quality_at + k).text = text
    if office.column_numbers:
        for column in range(columns):
            table.cell(2, column).text = f"({column + 1})"
    lane_column = [2 + lanes.index(name) for name in office.lanes]
    for r, row in enumerate(office.rows, head):
        _row(table, r, row, lane_column, quality_at)
    for r, row in enumerate(office.rows, head):
        if row.merge_time_with_above:
            table.cell(r - 1, quality_at + 1).merge(table.cell(r, quality_at + 1))


def _row(table: Any, r: int, row: Row, lane_column: list[int], quality_at: int) -> None:
    table.cell(r, 0).text = row.no
    cell = table.cell(r, 1)
    cell.text = row.activity[0] if row.activity else ""
    for paragraph in row.activity[1:]:
        cell.add_paragraph(paragraph)
    for lane in row.lanes:
        _mark(table.cell(r, lane_column[lane]), row.mark, r)
    if row.mark == "shape":  # an arrow across another lane, labelled as a branch: no lane mark
        spare = next(c for c in lane_column if c not in [lane_column[k] for k in row.lanes])
        table.cell(r, spare).paragraphs[0]._p.append(drawn_shape("straightConnector1", 900 + r, connector=True))
        table.cell(r, spare).paragraphs[0]._p.append(branch_label("Ya", 950 + r))
    if not row.merge_time_with_above:
        table.cell(r, quality_at + 1).text = row.time
    table.cell(r, quality_at).text = row.requires
    table.cell(r, quality_at + 2).text = row.output
    table.cell(r, quality_at + 3).text = row.note


def _mark(cell: Any, mark: str, r: int) -> None:
    paragraph = cell.paragraphs[0]
    if mark in ("picture", "diamond-picture"):
        shape = paragraph.add_run().add_picture(io.BytesIO(picture("process")), width=Mm(12))
        shape._inline.docPr.set("name", f"Picture {r}")
        if mark == "diamond-picture":
            shape._inline.docPr.set("descr", "belah ketupat")
    elif mark in ("shape", "decision-shape"):
        preset = "flowChartDecision" if mark == "decision-shape" else "flowChartProcess"
        paragraph._p.append(drawn_shape(preset, 100 + r))
    elif mark in ("vml", "vml-decision"):
        paragraph._p.append(vml_shape("flowChartDecision" if mark == "vml-decision" else "flowChartProcess"))
    else:
        paragraph.add_run(mark)


# ---------------------------------------------------------------- archives that are not what they claim


def zip_with_declared_sizes(members: list[tuple[str, bytes, int]]) -> bytes:
    """A zip archive written by hand, each member deflated and declared to inflate to the size given (which
    may be a lie: a zip bomb hides its real size)."""
    local, central = b"", b""
    for name, data, declared in members:
        packed = zlib.compress(data, 9)[2:-4]  # raw deflate
        crc = zlib.crc32(data)
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(packed), declared, len(name), 0)
        central += (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(packed),
                declared,
                len(name),
                0,
                0,
                0,
                0,
                0,
                len(local),
            )
            + name.encode()
        )
        local += header + name.encode() + packed
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0)
    return local + central + end


def with_member(docx: bytes, name: str, data: bytes, compress: int = zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr(name, data, compress_type=compress)
    return out.getvalue()
