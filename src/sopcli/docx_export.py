"""The SOP AP form as a Word document, for partners who edit it and for `sop import` to read back.

Layout: a header table (units, Nomor SOP, dates, Disahkan oleh, Nama SOP), the info block, and the
flowchart table (No, Kegiatan, one column per Pelaksana lane, Mutu Baku: Kelengkapan, Waktu, Output;
Keterangan) on landscape paper. What the paper form writes only as a drawing is written as words that
`sop import` reads back (see `flow_line`): a list cell joins its parts with " + ", a decision's
outcomes and any jump are written in Keterangan as `ya → 3; tidak → 9`, `→ 7`, `→ selesai`, and a
step in several lanes says there whether one lane or each lane does it. Steps sharing a standard
share one vertically merged Waktu cell. What the form has no place for (the SOP's id, its lane ids,
a calendar other than the default) goes into the document's custom properties."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from sopcli.i18n import N_, _
from sopcli.render.words import long_date

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table, _Cell

LIST_JOIN = " + "
ARROW = "→"
NO_STANDARD = "-"
EMPTY = "—"
PAPERS = {"a4": (297, 210), "f4": (330, 210)}  # landscape, millimetres
MARGIN_MM = 12
PROPERTY_PREFIX = "sop."
CUSTOM_PROPERTIES_PART = "/docProps/custom.xml"
PROPERTY_VALUE_MAX = 255  # Word keeps at most this many characters of a text property
DAYS_PER_PROPERTY = 20

LABELS = {
    "number": N_("SOP number"),
    "created": N_("Date made"),
    "revision": N_("Date revised"),
    "effective": N_("Date effective"),
    "approved": N_("Approved by"),
    "title": N_("SOP name"),
    "legal_basis": N_("Legal basis"),
    "qualifications": N_("Qualifications of the actors"),
    "related": N_("Related SOPs"),
    "equipment": N_("Equipment"),
    "warning": N_("Warning"),
    "records": N_("Records and data"),
    "no": N_("No"),
    "activity": N_("Activity"),
    "actors": N_("Actors"),
    "quality": N_("Quality standard"),
    "requires": N_("Requires"),
    "time": N_("Time"),
    "output": N_("Output"),
    "notes": N_("Notes"),
}
TOGETHER = {"any": N_("one lane does it"), "all": N_("each lane does its part")}
SYMBOL_NAMES = {
    "start": N_("start"),
    "process": N_("process"),
    "decision": N_("decision"),
    "end": N_("end"),
}
INFO_PAIRS = (("legal_basis", "qualifications"), ("related", "equipment"), ("warning", "records"))
GREY = "D9D9D9"


def label(key: str) -> str:
    return _(LABELS[key])


def export_docx(doc: dict[str, Any], paper: str = "a4") -> bytes:
    """The form of the SOP document (`sop_document`) as the bytes of a .docx file."""
    from docx import Document as new_document

    document = new_document()
    _page(document, paper)
    _header(document, doc)
    document.add_paragraph()
    _info_block(document, doc)
    document.add_paragraph()
    _flowchart(document, doc, _usable_width(paper))
    _properties(document, doc)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- words of the form


def joined(items: list[str]) -> str:
    """A Mutu Baku list as its cell writes it: the parts joined with " + " (read back as the parts)."""
    return LIST_JOIN.join(items)


def target_word(target: Any) -> str:
    return _("end") if target == "end" else str(target)


def flow_line(step: dict[str, Any]) -> str:
    """Where the work goes after the step, when the form's drawing is the only other place that says it:
    `ya → 3; tidak → 9` for a decision, `→ 7` or `→ selesai` for a jump; empty otherwise."""
    if step.get("outcomes"):
        return "; ".join(f"{name} {ARROW} {target_word(t)}" for name, t in step["outcomes"].items())
    if step.get("next") is not None:
        return f"{ARROW} {target_word(step['next'])}"
    return ""


def note_lines(step: dict[str, Any]) -> list[str]:
    """The Keterangan cell: the SOP's own note, how several lanes share the step, and the flow."""
    lines = [step["note"]] if step.get("note") else []
    if len(step["actors"]) > 1:
        lines.append(_(TOGETHER[step.get("together") or "any"]))
    flow = flow_line(step)
    return [*lines, flow] if flow else lines


def approval_lines(approved: dict[str, Any] | None) -> list[str]:
    if not approved:
        return [EMPTY]
    lines = [approved.get("position"), approved.get("name")]
    if approved.get("nip"):
        lines.append(f"NIP. {approved['nip']}")
    return [line for line in lines if line]


def revision_text(revision: dict[str, Any] | None) -> str:
    if not revision:
        return EMPTY
    return _("revision {no}, {date}", no=revision["no"], date=long_date(date.fromisoformat(revision["date"])))


def date_text(value: str | None) -> str:
    return long_date(date.fromisoformat(value)) if value else EMPTY


def numbered(items: list[str]) -> list[str]:
    return [f"{i}. {item}" for i, item in enumerate(items, 1)] or [EMPTY]


def xml_text(text: str) -> str:
    """Text Word can hold: characters XML 1.0 forbids (most control characters) become U+FFFD."""
    return "".join(c if _xml_char(c) else "\ufffd" for c in text)


def _xml_char(c: str) -> bool:
    code = ord(c)
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


# ---------------------------------------------------------------- the document


def _page(document: Document, paper: str) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    width, height = PAPERS[paper]
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(width), Mm(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(9)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)


def _usable_width(paper: str) -> float:
    return PAPERS[paper][0] - 2 * MARGIN_MM


def _header(document: Document, doc: dict[str, Any]) -> None:
    """Units on the left (one merged cell), the labelled facts of the SOP on the right."""
    rows = [
        ("number", [doc["number"]]),
        ("created", [date_text(doc.get("created"))]),
        ("revision", [revision_text(doc.get("revision"))]),
        ("effective", [date_text(doc.get("effective"))]),
        ("approved", approval_lines(doc.get("approved_by"))),
        ("title", [doc["title"]]),
    ]
    table = _table(document, len(rows), [95, 45, 133])
    for i, (key, lines) in enumerate(rows):
        _write(table.cell(i, 1), [label(key)], bold=True)
        _write(table.cell(i, 2), lines, bold=key == "title")
    units = table.cell(0, 0).merge(table.cell(len(rows) - 1, 0))
    _write(units, doc.get("organization") or [""], bold=True, center=True)
    _middle(units)


def _info_block(document: Document, doc: dict[str, Any]) -> None:
    """Dasar Hukum, Kualifikasi Pelaksana, Keterkaitan, Peralatan/Perlengkapan, Peringatan, Pencatatan
    dan Pendataan: each label over its value, two to a row."""
    table = _table(document, 2 * len(INFO_PAIRS), [136.5, 136.5])
    for i, pair in enumerate(INFO_PAIRS):
        for j, key in enumerate(pair):
            heading = table.cell(2 * i, j)
            _write(heading, [label(key)], bold=True)
            _shade(heading)
            _write(table.cell(2 * i + 1, j), _info_value(doc, key))


def _info_value(doc: dict[str, Any], key: str) -> list[str]:
    value = doc.get(key)
    if isinstance(value, list):
        return numbered(value)
    return [value] if value else [EMPTY]


def _flowchart(document: Document, doc: dict[str, Any], usable: float) -> None:
    actors, steps = doc["actors"], doc["steps"]
    widths = _flow_widths(len(actors), usable)
    table = _table(document, 2 + len(steps), widths)
    lanes = range(2, 2 + len(actors))
    quality = 2 + len(actors)
    _header_rows(table, actors, quality)
    ids = itertools.count(1)  # the drawings' ids, unique in the document
    for i, step in enumerate(steps, 2):
        _step_row(table, i, step, doc, lanes, min(widths[2] - 4, 16), ids)
    for first, last in _shared_time_rows(steps):
        merged = _row_cells(table, first + 2)[quality + 1].merge(_row_cells(table, last + 2)[quality + 1])
        _middle(merged)
    for row in table.rows:
        _row_property(row, "w:cantSplit")
    for row in table.rows[:2]:
        _row_property(row, "w:tblHeader")


def _flow_widths(lanes: int, usable: float) -> list[float]:
    """Millimetres of No, Kegiatan, each lane, Kelengkapan, Waktu, Output, Keterangan."""
    fixed = [9.0, 30.0, 16.0, 30.0, 26.0]
    room = usable - sum(fixed)
    lane = min(24.0, max(10.0, (room - 48) / lanes))
    activity = room - lane * lanes
    return [fixed[0], activity, *([lane] * lanes), *fixed[1:]]


def _header_rows(table: Table, actors: list[dict[str, Any]], quality: int) -> None:
    top, below = table.rows[0].cells, table.rows[1].cells
    for column, key in ((0, "no"), (1, "activity"), (quality + 3, "notes")):
        _heading(top[column].merge(below[column]), label(key))
    _heading(top[2].merge(top[quality - 1]) if quality > 3 else top[2], label("actors"))
    for k, actor in enumerate(actors):
        _heading(below[2 + k], actor["name"])
    _heading(top[quality].merge(top[quality + 2]), label("quality"))
    for k, key in enumerate(("requires", "time", "output")):
        _heading(below[quality + k], label(key))


def _step_row(
    table: Table, row: int, step: dict[str, Any], doc: dict[str, Any], lanes: range, size: float, ids: Iterator[int]
) -> None:
    cells = _row_cells(table, row)
    quality = lanes.stop
    _write(cells[0], [str(step["no"])], center=True)
    _write(cells[1], [step["activity"]])
    shape = "decision" if step.get("outcomes") else "process"
    start = step is doc["steps"][0]
    end = _ends(step, doc["steps"])
    lane_of = {actor["id"]: column for actor, column in zip(doc["actors"], lanes, strict=True)}
    for actor in step["actors"]:
        _symbol(cells[lane_of[actor]], step["no"], shape, start, end, size, next(ids))
    _write(cells[quality], [joined(step["requires"])])
    if step.get("time_with") is None:
        _write(cells[quality + 1], [step.get("time") or NO_STANDARD], center=True)
    _write(cells[quality + 2], [joined(step["output"])])
    _write(cells[quality + 3], note_lines(step))
    for cell in (cells[0], *(cells[c] for c in lanes), cells[quality + 1]):
        _middle(cell)


def _ends(step: dict[str, Any], steps: list[dict[str, Any]]) -> bool:
    if step.get("outcomes"):
        return "end" in step["outcomes"].values()
    if step.get("next") is not None:
        return bool(step["next"] == "end")
    return step is steps[-1]


def _shared_time_rows(steps: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """(first, last) step indexes of each run of steps under one Waktu cell."""
    groups: list[tuple[int, int]] = []
    for i, step in enumerate(steps):
        if step.get("time_with") is not None and groups and groups[-1][1] == i - 1:
            groups[-1] = (groups[-1][0], i)
        elif i + 1 < len(steps) and steps[i + 1].get("time_with") == step["no"]:
            groups.append((i, i))
    return groups


def _symbol(cell: _Cell, no: int, shape: str, start: bool, end: bool, size: float, shape_id: int) -> None:
    """The step's symbol as a picture in its lane cell; its name says the shape for `sop import`, its
    description says it for people (screen readers, the alt text box of Word)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.shape import CT_Inline
    from docx.shared import Mm

    from sopcli.symbols import picture

    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # What run.add_picture does, but with the drawing's id given: python-docx would search the whole
    # document for a free id at every picture, which makes a long SOP slow to export.
    rid, image = paragraph.part.get_or_add_image(io.BytesIO(picture(shape, start, end)))
    width, height = image.scaled_dimensions(Mm(size), None)
    inline = CT_Inline.new_pic_inline(shape_id, rid, image.filename, width, height)
    paragraph.add_run()._r.add_drawing(inline)
    names = [name for name, on in (("start", start), (shape, True), ("end", end)) if on]
    symbols = f" {ARROW} ".join(_(SYMBOL_NAMES[n]) for n in names)
    description = _("step {no}: {symbols}", no=no, symbols=symbols)
    inline.docPr.set("name", f"sop-{shape}-{no}")
    inline.docPr.set("descr", xml_text(description))


# ---------------------------------------------------------------- python-docx helpers


def _table(document: Document, rows: int, widths_mm: list[float]) -> Table:
    from docx.shared import Mm

    table = document.add_table(rows=rows, cols=len(widths_mm))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for tr in table._tbl.tr_lst:
        for tc, width in zip(tr.tc_lst, widths_mm, strict=True):
            tc.width = Mm(width)
    return table


def _row_cells(table: Table, row: int) -> list[_Cell]:
    """The cells of a row that has no merged cell (python-docx's own lookup maps the whole table each time)."""
    from docx.table import _Cell

    return [_Cell(tc, table) for tc in table.rows[row]._tr.tc_lst]


def _write(cell: _Cell, lines: list[str], *, bold: bool = False, center: bool = False) -> None:
    """One paragraph per line; a line break inside a text stays a line break inside its paragraph."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for i, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        run = paragraph.add_run(xml_text(line))
        run.bold = bold or None
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _heading(cell: _Cell, text: str) -> None:
    _write(cell, [text], bold=True, center=True)
    _shade(cell)
    _middle(cell)


def _middle(cell: _Cell) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _shade(cell: _Cell) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), GREY)
    cell._tc.get_or_add_tcPr().append(shading)


def _row_property(row: Any, tag: str) -> None:
    """A row that is never split across pages (w:cantSplit), or repeated on every page (w:tblHeader)."""
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement(tag))


# ---------------------------------------------------------------- document properties


def _properties(document: Document, doc: dict[str, Any]) -> None:
    core = document.core_properties
    core.title = xml_text(doc["title"])[:PROPERTY_VALUE_MAX]
    core.subject = xml_text(doc["number"])[:PROPERTY_VALUE_MAX]
    core.keywords = "SOP AP"
    core.author = core.last_modified_by = "sopcli"
    _custom_properties(document, hidden_facts(doc))
    _drop_thumbnail(document)


def _drop_thumbnail(document: Document) -> None:
    """The template's preview picture is a blank portrait page; no preview is better than a wrong one."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    rels = document.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL]:
        rels.pop(rid)


def hidden_facts(doc: dict[str, Any]) -> dict[str, str]:
    """What the form cannot show and `sop import` needs for the same SOP: the id, the lane ids by lane
    name, and the calendar when it is not the default; each value short enough for Word to keep."""
    from sopcli.model import Calendar

    facts = {"id": doc["id"]}
    for actor in doc["actors"]:
        if len(actor["name"]) <= PROPERTY_VALUE_MAX:
            facts[f"lane.{actor['id']}"] = actor["name"]
    calendar = doc.get("calendar") or {}
    if calendar and calendar != Calendar().model_dump(mode="json"):
        for key, value in calendar.items():
            if key == "days_off":
                for n, start in enumerate(range(0, len(value), DAYS_PER_PROPERTY)):
                    facts[f"calendar.days_off.{n}"] = ",".join(value[start : start + DAYS_PER_PROPERTY])
            else:
                facts[f"calendar.{key}"] = json.dumps(value)
    return {PROPERTY_PREFIX + key: xml_text(value) for key, value in facts.items()}


def _custom_properties(document: Document, facts: dict[str, str]) -> None:
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from lxml import etree

    namespace = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
    types = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    root = etree.Element(f"{{{namespace}}}Properties", nsmap={None: namespace, "vt": types})
    for pid, (name, value) in enumerate(facts.items(), 2):
        prop = etree.SubElement(
            root, f"{{{namespace}}}property", fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}", pid=str(pid), name=name
        )
        etree.SubElement(prop, f"{{{types}}}lpwstr").text = value
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    package = document.part.package
    part = Part(PackURI(CUSTOM_PROPERTIES_PART), CONTENT_TYPE.OFC_CUSTOM_PROPERTIES, blob, package)
    package.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_PROPERTIES)
