"""Word tables as a grid, so that merged cells and lane marks read the same however a form was made.

For each row and grid column: the cell covering it (merged across or down), its text as people read it,
and the lane marks in it (a drawn shape, a picture, or a text mark like X, ✓, ●)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
}


@functools.cache
def _compiled(path: str) -> Any:
    from lxml import etree

    return etree.XPath(path, namespaces=NAMESPACES)


def xpath(element: Any, path: str) -> Any:
    """XPath with the namespaces of the form (python-docx's elements bring their own `xpath`)."""
    return _compiled(path)(element)


def q(name: str) -> str:
    """`w:tc` -> `{http://...}tc`, the tag as lxml names it."""
    prefix, local = name.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


TBL, TR, TC, P = q("w:tbl"), q("w:tr"), q("w:tc"), q("w:p")
GRAPHICS = (q("mc:AlternateContent"), q("w:drawing"), q("w:pict"), q("w:object"))
# Parts of a paragraph that are not its visible text: properties (whose w:tab is a tab stop), drawings
# (a text box inside a shape is the shape's text, not the cell's), deleted text of tracked changes.
NOT_TEXT = {q("w:pPr"), q("w:rPr"), q("w:del"), q("w:moveFrom"), *GRAPHICS}
CHARACTERS = {q("w:tab"): "\t", q("w:br"): "\n", q("w:cr"): "\n", q("w:noBreakHyphen"): "-"}
CONTAINERS = {q("w:sdt"), q("w:sdtContent"), q("w:customXml"), q("w:smartTag")}

DECISION, TERMINATOR, PROCESS = "decision", "terminator", "process"
MARK_TEXT = {c: PROCESS for c in "xX×✓✔√vV●•○◯■□▪☑☒✗✘*"} | {c: DECISION for c in "◆◇♦⬥⬦◊"}
DECISION_SHAPES = {"flowChartDecision", "diamond"}
# Shapes that mark a lane only when nothing else in the row does: terminators, and the on-page and
# off-page connectors drawn where the chart continues.
TERMINATOR_SHAPES = {"flowChartTerminator", "roundRect", "ellipse", "flowChartConnector", "flowChartOffpageConnector"}
# A text box holding one of these is the label of a decision's branch, not a step's symbol.
BRANCH_LABELS = {"ya", "tidak", "yes", "no", "y", "t", "n", "ok", "sesuai", "tidak sesuai", "setuju", "tidak setuju"}
BRANCH_LABELS |= {"lengkap", "tidak lengkap", "benar", "salah", "diterima", "ditolak", "approved", "rejected"}
LINES = re.compile(r"^(line|straightConnector\d*|bentConnector\d|curvedConnector\d|(left|right|up|down)?Arrow)$")
# VML preset shape types (o:spt, or the type "#_x0000_tN"): 4 diamond, 110 decision, 116 terminator,
# 176 alternate process, 3 ellipse; 20 and 32-40 lines and connectors.
VML_TYPES = {"4": DECISION, "110": DECISION, "116": TERMINATOR, "176": TERMINATOR, "3": TERMINATOR}
VML_LINES = {"20", "32", "33", "34", "35", "36", "37", "38", "39", "40"}
DECISION_WORDS = re.compile(r"decision|keputusan|diamond|ketupat|rhombus|wajik", re.I)
TERMINATOR_WORDS = re.compile(r"terminator|\bmulai\b|\bselesai\b|\bstart\b|\bend\b", re.I)
OWN_NAME = re.compile(r"^sop-(decision|process)-\d+$")


def paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    _collect(paragraph, parts)
    return "".join(parts)


def _collect(element: Any, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in NOT_TEXT:
            continue
        if tag == q("w:t"):
            parts.append(child.text or "")
        elif tag in CHARACTERS:
            parts.append(CHARACTERS[tag])
        else:
            _collect(child, parts)


def paragraphs_of(container: Any) -> Iterator[Any]:
    """The paragraphs directly in a cell (or the body), looking through content controls; not those of a
    nested table."""
    for child in container:
        if child.tag == P:
            yield child
        elif child.tag in CONTAINERS:
            yield from paragraphs_of(child)


@dataclass(eq=False)
class Cell:
    """One w:tc, where it stands in the grid, and the first cell of the vertical merge it continues."""

    element: Any
    row: int
    col: int
    span: int
    origin: Cell | None = None

    @property
    def top(self) -> Cell:
        return self.origin or self

    @property
    def continued(self) -> bool:
        return self.origin is not None

    @cached_property
    def paragraphs(self) -> list[str]:
        """The cell's paragraphs as text, trimmed, empty ones left out (a merged cell: its first cell's)."""
        if self.origin is not None:
            return self.origin.paragraphs
        texts = (paragraph_text(p).strip() for p in paragraphs_of(self.element))
        return [text for text in texts if text]

    @property
    def text(self) -> str:
        return " ".join(self.paragraphs)

    @cached_property
    def marks(self) -> list[str]:
        """The lane marks drawn or written in this cell (none in the rows a merged cell runs on into)."""
        if self.origin is not None:
            return []
        found = [kind for unit in _graphics(self.element) if (kind := classify(unit))]
        if next(self.element.iter(q("w:sym")), None) is not None:  # a Wingdings tick or cross
            found.append(PROCESS)
        text = "".join(self.text.split())
        if text and all(c in MARK_TEXT for c in text):
            found.append(DECISION if any(MARK_TEXT[c] == DECISION for c in text) else PROCESS)
        return found


def _graphics(tc: Any) -> Iterator[Any]:
    """Each drawing of a cell once: an mc:AlternateContent counts as one, whatever its fallbacks hold; a
    drawing inside another (a text box) or inside a nested table is not the cell's."""
    for element in tc.iter(*GRAPHICS):
        ancestor = element.getparent()
        inside = False
        while ancestor is not None and ancestor is not tc:
            if ancestor.tag in GRAPHICS or ancestor.tag == TBL:
                inside = True
                break
            ancestor = ancestor.getparent()
        if not inside:
            yield element


def classify(unit: Any) -> str | None:
    """decision, terminator or process for a drawn shape or picture; None for a line or connector (an
    arrow between symbols marks no lane) and for anything that is not a drawing."""
    name = xpath(unit, "string(.//wp:docPr/@name)")
    if _box_text(unit) in BRANCH_LABELS:
        return None
    if OWN_NAME.match(name):
        return DECISION if name.startswith("sop-decision") else PROCESS
    described = " ".join(xpath(unit, ".//wp:docPr/@descr | .//wp:docPr/@title | .//v:*/@alt | .//v:*/@title"))
    shapes = _shape_kinds(unit) - {"line"}
    pictures = bool(xpath(unit, ".//pic:pic | .//v:imagedata")) or unit.tag == q("w:object")
    if DECISION in shapes or ((shapes or pictures) and DECISION_WORDS.search(described)):
        return DECISION
    if shapes and shapes <= {TERMINATOR} or (pictures and not shapes and TERMINATOR_WORDS.search(described)):
        return TERMINATOR
    return PROCESS if shapes or pictures else None


def _box_text(unit: Any) -> str:
    """The words in the text boxes of a drawing (DrawingML or VML), lower case; the first fallback only."""
    boxes = xpath(unit, "(.//wps:txbx | .//v:textbox)[1]//w:t/text()")
    return " ".join("".join(boxes).lower().split()).strip(" .:")


def _shape_kinds(unit: Any) -> set[str]:
    """What the shapes of a drawing are, DrawingML (preset geometry) and VML alike; `line` for connectors."""
    kinds: set[str] = set()
    for preset in xpath(unit, ".//a:prstGeom/@prst"):
        kinds.add(_preset_kind(str(preset)))
    if xpath(unit, ".//wps:cNvCnPr"):
        kinds.add("line")
    if xpath(unit, ".//a:custGeom"):
        kinds.add(PROCESS)
    for shape in unit.iter(f"{{{NAMESPACES['v']}}}*"):
        kind = _vml_kind(shape)
        if kind:
            kinds.add(kind)
    return kinds


def _preset_kind(preset: str) -> str:
    if preset in DECISION_SHAPES:
        return DECISION
    if preset in TERMINATOR_SHAPES:
        return TERMINATOR
    return "line" if LINES.match(preset) else PROCESS


def _vml_kind(shape: Any) -> str | None:
    local = shape.tag.split("}")[1]
    if local in ("line", "polyline", "curve") or shape.get(q("o:connectortype")):
        return "line"
    if local in ("rect", "roundrect", "oval"):
        return TERMINATOR if local != "rect" else PROCESS
    if local not in ("shape", "shapetype"):
        return None
    number = shape.get(q("o:spt")) or _type_number(shape.get("type", ""))
    if number in VML_LINES:
        return "line"
    if number in VML_TYPES:
        return VML_TYPES[number]
    return PROCESS if local == "shape" else None


def _type_number(reference: str) -> str:
    match = re.search(r"_x0000_t(\d+)$", reference)
    return match.group(1) if match else ""


@dataclass
class Grid:
    """A table's rows, each as its cells in order, and for each (row, column) the cell covering it."""

    rows: list[list[Cell]]
    covering: list[dict[int, Cell]] = field(default_factory=list)

    @classmethod
    def of(cls, table: Any) -> Grid:
        grid = cls([])
        for r, tr in enumerate(_rows(table)):
            grid._add_row(r, tr)
        return grid

    def _add_row(self, r: int, tr: Any) -> None:
        col = _number(tr, "w:trPr/w:gridBefore/@w:val", 0)
        cells: list[Cell] = []
        for tc in _cells(tr):
            span = max(1, _number(tc, "w:tcPr/w:gridSpan/@w:val", 1))
            hmerge = xpath(tc, "string(w:tcPr/w:hMerge/@w:val)")
            if xpath(tc, "w:tcPr/w:hMerge") and hmerge != "restart" and cells:
                cells[-1].span += span  # the old way of merging across: this cell is part of the one before
                col += span
                continue
            cell = Cell(tc, r, col, span)
            if xpath(tc, "w:tcPr/w:vMerge"):
                value = xpath(tc, "string(w:tcPr/w:vMerge/@w:val)")
                above = self.at(r - 1, col)
                if value != "restart" and above is not None:
                    cell.origin = above.top
            cells.append(cell)
            col += span
        self.rows.append(cells)
        self.covering.append({c: cell for cell in cells for c in range(cell.col, cell.col + cell.span)})

    def at(self, row: int, col: int) -> Cell | None:
        if 0 <= row < len(self.covering):
            return self.covering[row].get(col)
        return None

    @property
    def width(self) -> int:
        return max((max(row, default=-1) + 1 for row in self.covering), default=0)


def _rows(table: Any) -> Iterator[Any]:
    for child in table:
        if child.tag == TR:
            yield child
        elif child.tag in CONTAINERS:
            yield from _rows(child)


def _cells(tr: Any) -> Iterator[Any]:
    for child in tr:
        if child.tag == TC:
            yield child
        elif child.tag in CONTAINERS:
            yield from _cells(child)


def _number(element: Any, path: str, default: int) -> int:
    text = xpath(element, f"string({path})")
    try:
        return int(text)
    except ValueError:
        return default


def grids(body: Any) -> list[Grid]:
    """Every table of the document in reading order, nested tables included, each as its own grid."""
    return [Grid.of(table) for table in body.iter(TBL)]
