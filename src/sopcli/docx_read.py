"""Reads what an SOP AP form in a Word document says into plain data, refusing unsafe files first.

The header, the info block and the flowchart table are found by their labels as offices spell them
(the vocabulary lives here). A file that is not a Word document or could harm the machine (a damaged
archive, a zip bomb, a huge file) is refused in one line before anything is parsed."""

from __future__ import annotations

import functools
import io
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sopcli.docx_tables import PROCESS, TERMINATOR, Cell, Grid, grids
from sopcli.errors import SopError
from sopcli.i18n import _, os_reason

MIB = 1024 * 1024
MAX_FILE = 16 * MIB
MAX_INFLATED = 64 * MIB
MAX_PARTS = 10_000
CHUNK = 1 << 16
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003, and password-protected .docx
EMPTY_MARKS = {"", "-", "–", "—", "--", "n/a", "tidak ada", "none"}
LIST_JOIN = " + "
SOP_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
ACTOR_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
PROPERTY_PREFIX = "sop."

# The labels of the form as offices write them, normalised by `words` (lower case, no punctuation).
HEADER_LABELS = {
    "number": ("nomor sop", "no sop", "nomor", "nomor sop ap", "sop number", "number"),
    "created": ("tanggal pembuatan", "tgl pembuatan", "tanggal dibuat", "date made", "date created", "created"),
    "revision": ("tanggal revisi", "tgl revisi", "revisi", "revisi ke", "date revised", "revision", "revised"),
    "effective": (
        "tanggal efektif",
        "tgl efektif",
        "tanggal berlaku",
        "tanggal pemberlakuan",
        "date effective",
        "effective date",
        "effective",
    ),
    "approved": ("disahkan oleh", "disahkan", "pengesahan", "ditetapkan oleh", "approved by"),
    "title": (
        "nama sop",
        "judul sop",
        "judul sop mikro",
        "judul sop makro",
        "nama sop mikro",
        "nama sop makro",
        "judul",
        "sop name",
        "sop title",
        "title",
    ),
    "legal_basis": ("dasar hukum", "legal basis"),
    "qualifications": ("kualifikasi pelaksana", "kualifikasi", "qualifications of the actors", "qualifications"),
    "related": ("keterkaitan", "keterkaitan sop", "sop terkait", "related sops", "related"),
    "equipment": (
        "peralatan perlengkapan",
        "peralatan dan perlengkapan",
        "peralatan",
        "perlengkapan",
        "equipment",
    ),
    "warning": ("peringatan", "warning"),
    "records": ("pencatatan dan pendataan", "pencatatan pendataan", "pencatatan", "records and data", "records"),
}
FLOW_LABELS = {
    "no": ("no", "nomor", "no urut"),
    "activity": ("kegiatan", "uraian kegiatan", "uraian prosedur", "prosedur", "aktivitas", "uraian", "activity"),
    "actors": ("pelaksana", "actors", "actor", "lanes"),
    "quality": ("mutu baku", "quality standard"),
    "requires": ("kelengkapan", "persyaratan", "persyaratan kelengkapan", "kelengkapan dokumen", "requires", "input"),
    "time": ("waktu", "time", "durasi", "waktu penyelesaian"),
    "output": ("output", "keluaran", "hasil", "output keluaran"),
    "notes": ("keterangan", "ket", "notes", "note", "catatan", "remarks"),
}
HEADER_NAMES = {  # how a missing field is named to people: the form's own label
    "number": "Nomor SOP",
    "created": "Tanggal Pembuatan",
    "revision": "Tanggal Revisi",
    "effective": "Tanggal Efektif",
    "approved": "Disahkan oleh",
    "title": "Nama SOP",
    "legal_basis": "Dasar Hukum",
    "qualifications": "Kualifikasi Pelaksana",
    "related": "Keterkaitan",
    "equipment": "Peralatan/Perlengkapan",
    "warning": "Peringatan",
    "records": "Pencatatan dan Pendataan",
}
LIST_KEYS = {
    "legal_basis": "dasar_hukum",
    "qualifications": "kualifikasi_pelaksana",
    "related": "keterkaitan",
    "equipment": "peralatan_perlengkapan",
}
TEXT_KEYS = {"warning": "peringatan", "records": "pencatatan_pendataan"}
NOT_UNITS = {"logo", "sop", "sop ap", "standar operasional prosedur", "standard operating procedure"}
SIGNATURE_WORDS = {"ttd", "dto", "cap", "tanda tangan"}

MONTHS = {
    **dict.fromkeys(("jan",), 1),
    "feb": 2,
    "mar": 3,
    "apr": 4,
    **dict.fromkeys(("mei", "may"), 5),
    "jun": 6,
    "jul": 7,
    **dict.fromkeys(("agu", "ags", "agt", "aug"), 8),
    "sep": 9,
    **dict.fromkeys(("okt", "oct"), 10),
    **dict.fromkeys(("nov", "nop"), 11),
    **dict.fromkeys(("des", "dec"), 12),
}
ARROW = r"(?:→|->|=>|⇒|➔|➜|⟶)"
FLOW_PIECE = re.compile(rf"^\s*(?P<name>[^→]*?)\s*{ARROW}\s*(?P<target>.+?)\s*$")
END_WORDS = {"selesai", "end", "akhir", "finish", "stop", "done", "tamat"}
TARGET = re.compile(r"^(?:(?:ke\s+)?(?:langkah|step|no|nomor|kegiatan)\s+)?(\d{1,6})$")
# Short ways of writing how several lanes share a step; the sentences sop export writes are added from
# the catalogue (see `spellings`).
TOGETHER_PHRASES = {"bersama any": "any", "bersama all": "all", "together any": "any", "together all": "all"}
TOGETHER_WORDS = (
    ("any", re.compile(r"\b(salah satu|either|one of)\b", re.I)),
    ("all", re.compile(r"\b(semua|setiap|masing-masing|bersama-sama|each|every|all)\b", re.I)),
)
OUTCOME_WORDS = re.compile(r"\b([a-z][\w-]*)\s*/\s*((?:tidak|belum|bukan|not)\s+\1|tidak|belum|bukan|no)\b", re.I)
NEGATIVE = re.compile(r"^(tidak|belum|bukan|no|not|perbaiki|tolak|ditolak|kembali)\b", re.I)
ITEM_MARKER = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|\(?[a-z][.)]|[-•·▪●○*–])\s+")
TIME_WITH_UNIT = re.compile(r"^\s*(\w+)\s*\(\s*([A-Za-z]+)\s*\)\s*$")
STEP_NUMBER = re.compile(r"^\(?(\d{1,6})[.)]?$")
COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2})\)?$")
DURATION_IN_TEXT = re.compile(
    r"(\d+(?:[.,]\d+)?)(?:\s*(?:-|–|s\.?\s?d\.?|sampai|to)\s*(\d+(?:[.,]\d+)?))?\s*([A-Za-z]+)"
)


def words(text: str) -> str:
    """A label as a key: lower case, `&` as `dan`, punctuation as spaces, single spaces."""
    text = text.lower().replace("&", " dan ")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _vocabulary(labels: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {spelling: key for key, spellings in labels.items() for spelling in spellings}


@functools.cache
def spellings() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The header labels, the flowchart labels and the lane-sharing sentences the importer knows: the
    offices' spellings above, and what `sop export` writes in either language (read from the catalogue,
    so that a form exported in one language is read back whatever language sop import speaks)."""
    import gettext

    from sopcli.docx_export import LABELS, TOGETHER
    from sopcli.i18n import DOMAIN, LOCALE_DIR

    indonesian = gettext.translation(DOMAIN, LOCALE_DIR, languages=["id"], fallback=True)

    def both(msgid: str) -> set[str]:
        return {words(msgid), words(indonesian.gettext(msgid))}

    header, flow = _vocabulary(HEADER_LABELS), _vocabulary(FLOW_LABELS)
    for key, msgid in LABELS.items():
        target = header if key in HEADER_LABELS else flow
        target.update(dict.fromkeys(both(msgid), key))
    together = dict(TOGETHER_PHRASES)
    for key, msgid in TOGETHER.items():
        together.update(dict.fromkeys(both(msgid), key))
    return header, flow, together


# ---------------------------------------------------------------- opening safely


def open_document(path: Path) -> Any:
    """The python-docx Document of `path`, after the file and its archive passed every check."""
    data = _read_limited(path)
    _check_archive(data, path.name)
    from docx import Document

    try:
        return Document(io.BytesIO(data))
    except ValueError:  # python-docx: the main part is not a Word document (a spreadsheet, a template)
        raise _not_word(path.name) from None
    except Exception:  # noqa: BLE001 - any failure to parse an archive that passed the checks is damage
        raise _damaged(path.name) from None


def _read_limited(path: Path) -> bytes:
    """The file's bytes, its size checked before reading (and while reading: it may grow meanwhile)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SopError(_("no file at {path}", path=path), _("check the path")) from None
    except OSError as err:
        raise SopError(_("cannot read {path}: {reason}", path=path, reason=os_reason(err))) from None
    if not stat.S_ISREG(info.st_mode):
        raise _not_word(path.name)
    if info.st_size > MAX_FILE:
        raise _too_big(path.name, info.st_size)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE + 1)
    except OSError as err:
        raise SopError(_("cannot read {path}: {reason}", path=path, reason=os_reason(err))) from None
    if len(data) > MAX_FILE:
        raise _too_big(path.name, len(data))
    return data


def _check_archive(data: bytes, name: str) -> None:
    """A .docx is a zip archive: refuse anything else, a damaged one, and one that inflates past
    MAX_INFLATED, judged by the sizes the archive declares and by the bytes actually inflated."""
    if data.startswith(OLE_MAGIC):
        raise SopError(
            _("{file} is an old Word 97-2003 document (.doc) or a password-protected one", file=name),
            _("open it in Word, save it as a Word Document (.docx) without a password, and import that file"),
        )
    if not data.startswith(b"PK\x03\x04"):
        raise _not_word(name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _damaged(name) from None
    if len(members) > MAX_PARTS or sum(m.file_size for m in members) > MAX_INFLATED:
        raise _bomb(name)
    if "[Content_Types].xml" not in archive.namelist():
        raise _not_word(name)
    inflated = 0
    for member in members:
        inflated = _inflate(archive, member, inflated, name)


def _inflate(archive: zipfile.ZipFile, member: zipfile.ZipInfo, inflated: int, name: str) -> int:
    """Reads one member to its end, counting what it really inflates to; XML with a DTD is refused (Word
    never writes one, and entity tricks live there)."""
    markup = member.filename.endswith((".xml", ".rels"))
    tail = b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK):
                inflated += len(chunk)
                if inflated > MAX_INFLATED:
                    raise _bomb(name)
                if markup and b"<!DOCTYPE" in (tail + chunk).upper():
                    raise _damaged(name)
                tail = chunk[-16:]
    except SopError:
        raise
    except Exception:  # noqa: BLE001 - a corrupt member fails in zipfile, zlib, bz2 or lzma, each its own way
        raise _damaged(name) from None
    return inflated


def _not_word(name: str) -> SopError:
    return SopError(
        _("{file} is not a Word document (.docx)", file=name),
        _("save the form from Word as a Word Document (.docx) and import that file"),
    )


def _damaged(name: str) -> SopError:
    return SopError(
        _("{file} is a damaged Word document: its archive cannot be read", file=name),
        _("open it in Word, save it again as .docx, and import that file"),
    )


def _bomb(name: str) -> SopError:
    return SopError(
        _("{file} would inflate to more than {limit} MiB; refused as a possible zip bomb", file=name, limit=64),
        _("a Word form of an SOP is far smaller; check where the file came from"),
    )


def _too_big(name: str, size: int) -> SopError:
    return SopError(
        _(
            "{file} is {size} MiB; a Word document to import may be at most {limit} MiB",
            file=name,
            size=round(size / MIB, 1),
            limit=16,
        ),
        _("remove large pictures from the document, or save the form alone"),
    )


# ---------------------------------------------------------------- reading the form


@dataclass
class Lane:
    name: str
    columns: range
    marked: bool = False


@dataclass
class Row:
    """One body row of the flowchart table, as read."""

    number: str
    activity: list[str]
    activity_new: bool
    marks: dict[int, list[str]]  # lane index -> kinds of mark
    named: dict[int, str]  # lane index -> the words written in a lane cell that holds no mark
    requires: list[str]
    time: str | None  # None: the Waktu cell runs on from a row above (merged)
    output: list[str]
    notes: list[str]


@dataclass
class Flowchart:
    lanes: list[Lane]
    rows: list[Row]
    time_origin: dict[int, int]  # row index -> index of the row whose Waktu cell it shares
    time_unit: str = ""


@dataclass
class StepRead:
    no: int | None
    activity: list[str]
    marks: dict[int, list[str]]
    requires: list[str]
    time: str | None
    output: list[str]
    notes: list[str]
    shares_with: int | None = None  # index of the step whose Waktu cell this one shares


@dataclass
class Form:
    """What was read from the document, before it is turned into YAML."""

    fields: dict[str, list[str]]
    units: list[str]
    lanes: list[Lane]
    steps: list[StepRead]
    properties: dict[str, str]
    core_title: str
    unread: list[str] = field(default_factory=list)
    time_unit: str = ""  # the unit a Waktu heading names, for cells that hold a bare number


def read_form(document: Any, name: str) -> Form:
    tables = grids(document.element.body)
    layouts = {id(grid): flow_layout(grid) for grid in tables}
    found = [(i, layout) for i, grid in enumerate(tables) if (layout := layouts[id(grid)]) is not None]
    if not found:
        raise SopError(
            _("no flowchart table in {file}", file=name),
            _("the form needs a table whose header names the columns No, Kegiatan and Pelaksana"),
        )
    first, layout = found[0]
    grid = tables[first]
    flowchart, used, unread = _whole_flowchart(tables[first:], layout, layouts)
    regions = [(g, range(len(g.rows))) for g in tables if id(g) not in used]
    fields, units = read_labelled([(grid, range(layout.first_header)), *regions])
    if not any(lane.marked for lane in flowchart.lanes) and any(row.named for row in flowchart.rows):
        flowchart = lanes_by_name(flowchart)
    lanes = [lane for lane in flowchart.lanes if lane.name or lane.marked]
    steps = steps_of(flowchart, {id(lane): i for i, lane in enumerate(lanes)})
    if not steps:
        raise SopError(
            _("the flowchart table in {file} has no numbered steps", file=name),
            _("number the rows of the table 1, 2, 3, ... in its No column"),
        )
    core_title = document.core_properties.title or ""
    return Form(fields, units, lanes, steps, custom_properties(document), core_title, unread, flowchart.time_unit)


def _whole_flowchart(
    tables: list[Grid], layout: Layout, layouts: dict[int, Layout | None]
) -> tuple[Flowchart, set[int], list[str]]:
    """The flowchart table, with the tables that continue it on later pages: with its header written
    again (and the same lanes), or without a header but with the same columns and numbered rows. Also
    the ids of the tables used, and what was left out."""
    head = tables[0]
    flowchart = read_flowchart(head, layout)
    used, unread = {id(head)}, []
    for table in tables[1:]:
        own = layouts[id(table)]
        if own is None and table.width == head.width and _starts_with_a_step(table, layout):
            own = Layout(0, 0, layout.columns, layout.lanes)
        if own is None:
            continue
        used.add(id(table))
        if [lane.name for lane in own.lanes] != [lane.name for lane in flowchart.lanes]:
            unread.append(_("a second flowchart table with other Pelaksana columns was left out"))
            continue
        more = read_flowchart(table, own)
        offset = len(flowchart.rows)
        flowchart.rows += more.rows
        flowchart.time_origin |= {offset + r: offset + o for r, o in more.time_origin.items()}
        for lane, other in zip(flowchart.lanes, more.lanes, strict=True):
            lane.marked = lane.marked or other.marked
    return flowchart, used, unread


def _starts_with_a_step(table: Grid, layout: Layout) -> bool:
    if "no" not in layout.columns or not table.rows:
        return False
    cell = table.at(0, layout.columns["no"][0])
    return cell is not None and STEP_NUMBER.match(cell.text.strip()) is not None


# ------------------------------------------------ labels: the header and the info block


def label_of(cell: Cell, vocabulary: dict[str, str]) -> tuple[str, list[str]] | None:
    """(key, the value written in the same cell after the label) when the cell starts with a label."""
    paragraphs = cell.paragraphs
    if not paragraphs:
        return None
    first = paragraphs[0]
    key = vocabulary.get(words(first))
    if key:
        return key, paragraphs[1:]
    match = re.match(r"^([^:]{2,60}?)\s*:\s*(.*)$", first, re.S)
    if match and (key := vocabulary.get(words(match.group(1)))):
        return key, [p for p in (match.group(2).strip(), *paragraphs[1:]) if p]
    return None


def read_labelled(regions: list[tuple[Grid, range]]) -> tuple[dict[str, list[str]], list[str]]:
    """Each label's value (in the same cell after it, else the cell to its right, else the one below),
    and the unit lines: the other text of the tables that hold header labels."""
    fields: dict[str, list[str]] = {}
    units: list[str] = []
    for grid, rows in regions:
        labels = {
            id(cell.top): (cell, found)
            for r in rows
            for cell in grid.rows[r]
            if not cell.continued and (found := label_of(cell, spellings()[0]))
        }
        used = set(labels)
        for cell, (key, rest) in labels.values():
            value = rest if rest else _value_cell(grid, cell, labels, used)
            fields.setdefault(key, value)
        if any(key in ("number", "title", "created", "approved") for _c, (key, _r) in labels.values()):
            units += _units(grid, rows, used)
    return fields, units


def _value_cell(grid: Grid, cell: Cell, labels: dict[int, Any], used: set[int]) -> list[str]:
    right = _right_of(grid, cell)
    if right is not None and id(right.top) not in labels:
        used.add(id(right.top))
        return right.paragraphs
    below = grid.at(cell.row + 1, cell.col)
    if below is not None and below.top is not cell.top and id(below.top) not in labels:
        used.add(id(below.top))
        return below.paragraphs
    return []


def _right_of(grid: Grid, cell: Cell) -> Cell | None:
    """The next cell to the right in the row, skipping cells that hold only a colon."""
    col = cell.col + cell.span
    while (right := grid.at(cell.row, col)) is not None:
        if right.text.strip() != ":":
            return right
        col = right.col + right.span
    return None


def _units(grid: Grid, rows: range, used: set[int]) -> list[str]:
    lines: list[str] = []
    seen: set[int] = set()
    for r in rows:
        for cell in grid.rows[r]:
            key = id(cell.top)
            if key in used or key in seen:
                continue
            seen.add(key)
            lines += [p for p in cell.paragraphs if words(p) not in NOT_UNITS and p.strip() != ":"]
    return lines


# ------------------------------------------------ the flowchart table


@dataclass
class Layout:
    first_header: int
    first_body: int
    columns: dict[str, tuple[int, int]]  # key -> (first grid column, span)
    lanes: list[Lane]
    time_unit: str = ""  # "Waktu (Menit)": the unit of bare numbers in the Waktu column


def flow_label(text: str) -> str | None:
    """The flowchart column a header cell names: its words, else one of its parts around a slash
    (`Output/Hasil`), else a Waktu heading with its unit in brackets (`Waktu (Menit)`)."""
    vocabulary = spellings()[1]
    for candidate in (text, *text.split("/")):
        key = vocabulary.get(words(candidate))
        if key:
            return key
    match = TIME_WITH_UNIT.match(text)
    return "time" if match and vocabulary.get(words(match.group(1))) == "time" else None


def flow_layout(grid: Grid) -> Layout | None:
    """Where the header of the flowchart table is, which columns hold what, and the Pelaksana lanes."""
    start = next((r for r, row in enumerate(grid.rows) if _is_flow_header(row)), None)
    if start is None:
        return None
    end = start + 1
    while end < len(grid.rows) and _continues_header(grid, end, start):
        end += 1
    columns: dict[str, tuple[int, int]] = {}
    actors_cell = None
    for r in range(start, end):
        for cell in grid.rows[r]:
            key = None if cell.continued else flow_label(cell.text)
            if key and key not in columns:
                columns[key] = (cell.col, cell.span)
                actors_cell = cell if key == "actors" else actors_cell
    lanes = _lanes(grid, end - 1, columns, actors_cell)
    if not lanes:
        return None
    first_body = end + 1 if end < len(grid.rows) and _numbers_columns(grid.rows[end]) else end
    return Layout(start, first_body, columns, lanes, _time_unit(grid, columns))


def _time_unit(grid: Grid, columns: dict[str, tuple[int, int]]) -> str:
    if "time" not in columns:
        return ""
    for row in grid.rows:
        for cell in row:
            match = TIME_WITH_UNIT.match(cell.text) if cell.col == columns["time"][0] else None
            if match:
                return match.group(2).strip()
    return ""


def _is_flow_header(row: list[Cell]) -> bool:
    keys = {flow_label(cell.text) for cell in row}
    return "activity" in keys and ("no" in keys or "actors" in keys)


def _continues_header(grid: Grid, r: int, start: int) -> bool:
    """A header row below the first: it holds a label, or its first cells run on from the header above."""
    row = grid.rows[r]
    if any(flow_label(cell.text) for cell in row if not cell.continued):
        return True
    return bool(row) and row[0].continued and start <= row[0].top.row < r


def _numbers_columns(row: list[Cell]) -> bool:
    """The row some forms put under the header numbering the columns: (1) (2) (3) ..."""
    texts = [cell.text for cell in row if cell.text]
    numbers = [int(m.group(1)) for t in texts if (m := COLUMN_NUMBER.match(t))]
    return len(texts) >= 3 and len(numbers) == len(texts) and numbers == list(range(1, len(numbers) + 1))


def _lanes(grid: Grid, deepest: int, columns: dict[str, tuple[int, int]], actors: Cell | None) -> list[Lane]:
    """The lane columns: under the Pelaksana heading, else between Kegiatan and the Mutu Baku columns;
    each named by the header cell in the deepest header row."""
    if actors is not None and (actors.span > 1 or grid.at(deepest, actors.col) is not actors.top):
        first, stop = actors.col, actors.col + actors.span
    elif "activity" in columns:
        first = sum(columns["activity"])
        later = [col for key, (col, _s) in columns.items() if key not in ("no", "activity", "actors") and col >= first]
        stop = min(later, default=grid.width)
    else:
        return []
    lanes: list[Lane] = []
    col = first
    while col < stop:
        cell = grid.at(deepest, col)
        if cell is None:
            col += 1
            continue
        name = "" if actors is not None and cell.top is actors.top else cell.text
        lanes.append(Lane(name, range(max(cell.col, first), min(cell.col + cell.span, stop))))
        col = cell.col + cell.span
    return lanes


def read_flowchart(grid: Grid, layout: Layout) -> Flowchart:
    rows: list[Row] = []
    time_origin: dict[int, int] = {}
    row_of: dict[int, int] = {}  # grid row -> index in rows
    for r in range(layout.first_body, len(grid.rows)):
        if _is_flow_header(grid.rows[r]):
            continue  # the header written again on a later page
        row = _read_row(grid, r, layout)
        if row is None:
            continue
        row_of[r] = len(rows)
        waktu = _cell(grid, r, layout, "time")
        if waktu is not None and waktu.continued and waktu.top.row in row_of:
            time_origin[len(rows)] = row_of[waktu.top.row]
        rows.append(row)
    return Flowchart(layout.lanes, rows, time_origin, layout.time_unit)


def lanes_by_name(flowchart: Flowchart) -> Flowchart:
    """A form whose Pelaksana column names the role in each row instead of marking a lane column: the
    lanes are the names, in the order they first appear."""
    names = list(dict.fromkeys(name for row in flowchart.rows for name in row.named.values()))
    lanes = [Lane(name, range(0), marked=True) for name in names]
    for row in flowchart.rows:
        row.marks = {names.index(name): [PROCESS] for name in dict.fromkeys(row.named.values())}
    return Flowchart(lanes, flowchart.rows, flowchart.time_origin, flowchart.time_unit)


def _cell(grid: Grid, r: int, layout: Layout, key: str) -> Cell | None:
    if key not in layout.columns:
        return None
    return grid.at(r, layout.columns[key][0])


def _read_row(grid: Grid, r: int, layout: Layout) -> Row | None:
    def text_of(key: str, *, merged: bool = True) -> list[str]:
        cell = _cell(grid, r, layout, key)
        if cell is None or (cell.continued and not merged):
            return []
        return cell.paragraphs

    marks: dict[int, list[str]] = {}
    named: dict[int, str] = {}
    for i, lane in enumerate(layout.lanes):  # a lane marked in any row is kept even without a name
        cells = {id(c): c for col in lane.columns if (c := grid.at(r, col)) is not None}
        kinds = [kind for cell in cells.values() for kind in cell.marks]
        if kinds:
            marks[i] = kinds
            lane.marked = True
        elif text := " ".join(c.text for c in cells.values() if not c.continued).strip():
            named[i] = text
    activity_cell = _cell(grid, r, layout, "activity")
    waktu = _cell(grid, r, layout, "time")
    row = Row(
        number=" ".join(text_of("no", merged=False)),
        activity=text_of("activity", merged=False),
        activity_new=activity_cell is not None and not activity_cell.continued,
        marks=marks,
        named=named,
        requires=text_of("requires"),
        time=None if waktu is not None and waktu.continued else " ".join(text_of("time")),
        output=text_of("output"),
        notes=text_of("notes", merged=False),
    )
    only_terminators = all(k == TERMINATOR for kinds in marks.values() for k in kinds)
    if not (row.number or row.activity or row.requires or row.time or row.output) and only_terminators:
        return None  # an empty row, or one that holds only a start or end terminator
    return row


def steps_of(flowchart: Flowchart, lane_index: dict[int, int]) -> list[StepRead]:
    """Rows to steps: a row with a number (or a new activity with its own marks or Mutu Baku) starts a
    step; a row without starts nothing and adds its text and marks to the step above."""
    position = {i: lane_index.get(id(lane)) for i, lane in enumerate(flowchart.lanes)}
    steps: list[StepRead] = []
    step_of_row: dict[int, int] = {}
    for i, row in enumerate(flowchart.rows):
        marks = {lane: v for k, v in row.marks.items() if (lane := position.get(k)) is not None}
        number = STEP_NUMBER.match(row.number.strip())
        own = bool(marks or row.requires or row.time or row.output)
        if number or not steps or (row.activity_new and row.activity and own):
            no = int(number.group(1)) if number else None
            steps.append(StepRead(no, row.activity, marks, row.requires, row.time, row.output, row.notes))
            origin = flowchart.time_origin.get(i)
            if origin is not None and origin in step_of_row and step_of_row[origin] != len(steps) - 1:
                steps[-1].shares_with = step_of_row[origin]
        else:
            _add_to(steps[-1], row, marks)
        step_of_row[i] = len(steps) - 1
    return steps


def _add_to(step: StepRead, row: Row, marks: dict[int, list[str]]) -> None:
    """A row that continues the step above: its activity text over several rows, marks in more lanes."""
    step.activity += row.activity
    for lane, kinds in marks.items():
        step.marks.setdefault(lane, []).extend(kinds)
    for mine, theirs in ((step.requires, row.requires), (step.output, row.output), (step.notes, row.notes)):
        mine += [p for p in theirs if p not in mine]
    if not step.time and row.time:
        step.time = row.time


# ------------------------------------------------ the document's properties


def custom_properties(document: Any) -> dict[str, str]:
    """The `sop.*` custom properties that sop export writes (the id, lane ids, a calendar)."""
    from lxml import etree

    for part in document.part.package.iter_parts():
        if str(part.partname) != "/docProps/custom.xml":
            continue
        try:
            root = etree.fromstring(part.blob, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            return {}
        found = {}
        for prop in root:
            name = prop.get("name") or ""
            if name.startswith(PROPERTY_PREFIX) and len(prop):
                found[name[len(PROPERTY_PREFIX) :]] = prop[0].text or ""
        return found
    return {}


# ------------------------------------------------ small readers of cell text


def is_empty(paragraphs: list[str]) -> bool:
    return words(" ".join(paragraphs)) in EMPTY_MARKS or " ".join(paragraphs).strip() in EMPTY_MARKS


def list_items(paragraphs: list[str]) -> list[str]:
    """A list cell: one item a paragraph, numbering and bullets taken off; where some paragraphs are
    numbered and others not, an unnumbered one continues the item above it."""
    if is_empty(paragraphs):
        return []
    numbered = any(ITEM_MARKER.match(p) for p in paragraphs)
    items: list[str] = []
    for paragraph in paragraphs:
        marker = ITEM_MARKER.match(paragraph)
        text = paragraph[marker.end() :].strip() if marker else paragraph
        if numbered and not marker and items:
            items[-1] += " " + text
        else:
            items.append(text)
    return items


def parse_date(text: str) -> date | None:
    """`Rabu, 01 November 2017`, `1 Nop 2017`, `01-11-2017`, `2017-11-01` (days before months)."""
    lowered = text.lower()
    try:
        if match := re.search(r"(\d{1,2})\s*[-/. ]\s*([a-z]{3,})\.?\s*[-/. ]\s*(\d{4})", lowered):
            month = MONTHS.get(match.group(2)[:3])
            return date(int(match.group(3)), month, int(match.group(1))) if month else None
        if match := re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", lowered):
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if match := re.search(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", lowered):
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None
    return None


def flow_pieces(text: str) -> list[tuple[str, int | str]] | None:
    """`ya → 3; tidak → 9`, `→ 7`, `sesuai → selesai` as (outcome or "", target); None for other text."""
    for separator in (";", ","):
        pieces = [p for p in text.split(separator) if p.strip()]
        parsed = []
        for piece in pieces:
            match = FLOW_PIECE.match(piece)
            target = target_of(match.group("target")) if match else None
            if match is None or target is None:
                break
            parsed.append((match.group("name").strip(), target))
        else:
            if parsed:
                return parsed
    return None


def target_of(text: str) -> int | str | None:
    said = words(text)
    if said in END_WORDS:
        return "end"
    match = TARGET.match(said)
    return int(match.group(1)) if match else None


def json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
