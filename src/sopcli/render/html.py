"""The printed SOP form (PermenPAN-RB 35/2012) and a run's dossier as one self-contained HTML page: inline
CSS and SVG, nothing fetched, A4 or F4 landscape, readable in black and white. The flowchart is the
layout's, only drawn here; every user and file text reaches the page through `for_html`, where the
renderer takes its data."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sopcli.i18n import _, language
from sopcli.layout import (
    BAND,
    CHANNEL,
    DECISION,
    DOWN,
    END,
    FOOT,
    LEFT,
    LINK,
    OFFPAGE,
    PROCESS,
    RIGHT,
    RULE,
    START,
    TERMINATOR,
    TOP,
    UP,
    Layout,
    Route,
    Row,
    Symbol,
    layout,
    paginate,
)
from sopcli.render import MARKS, for_html, lane_mark
from sopcli.render import words as w

PX_PER_MM = 96 / 25.4
MARGIN_MM = 10
PAPERS = {"a4": (297, 210), "f4": (330, 210)}  # landscape width and height in millimetres (F4: 210 x 330)

# Pixel heights of a row's levels, and of the symbols drawn on them.
LEVEL_HEIGHT = {RULE: 0.0, TOP: 20.0, LINK: 11.0, BAND: 34.0, FOOT: 20.0, CHANNEL: 7.0}
ROW_PAD = 4.0
HALF_HEIGHT = {PROCESS: 10.0, DECISION: 13.0, TERMINATOR: 8.0, OFFPAGE: 10.0}
OFFPAGE_HALF_WIDTH = 10.0
PORT_OFFSET = 7.0  # how far beside the middle the second and third arrows meet a symbol's top or bottom

# Text metrics for estimating row heights (8 pt Liberation Sans, generously).
CHAR_PX, LINE_PX, CELL_PAD = 5.5, 13.6, 8.0

STATE_COLOURS = {
    "on_time": "#1a7f37",
    "late": "#c62828",
    "done": "#1f5fbf",
    "active": "#0b6e8a",
    "overdue": "#8b0000",
    "pending": "#666",
    "not_needed": "#999",
}


@dataclass(frozen=True)
class Columns:
    """Widths in CSS pixels of the flowchart table's columns."""

    no: int
    activity: int
    lane: int
    lanes: int
    requires: int
    time: int
    elapsed: int
    output: int
    note: int

    @property
    def flow(self) -> int:
        return self.lane * self.lanes


def columns(paper: str, lanes: int, dossier: bool) -> Columns:
    """The table fills the page's width: fixed Mutu Baku columns, lanes as wide as they can usefully be,
    the rest for the activity."""
    total = math.floor((PAPERS[paper][0] - 2 * MARGIN_MM) * PX_PER_MM) - 2
    no, requires, time, output, note = 28, 110, 64, 110, 84
    elapsed = 78 if dossier else 0
    fixed = no + requires + time + elapsed + output + note
    lane = max(52, min(116, (total - fixed - 240) // max(1, lanes)))
    if total - fixed - lane * lanes < 120:
        lane = max(36, (total - fixed - 120) // max(1, lanes))
    return Columns(no, total - fixed - lane * lanes, lane, lanes, requires, time, elapsed, output, note)


def page_height(paper: str) -> float:
    return (PAPERS[paper][1] - 2 * MARGIN_MM) * PX_PER_MM


# ------------------------------------------------------------------ the flowchart in SVG


class Drawing:
    """Maps the layout's grid to pixels: across, the lane's units to tracks beside the symbol; down, each
    row's levels to pixels from the row's top (a rule is the top of the row below it)."""

    def __init__(self, flow: Layout, lane_px: int) -> None:
        self.flow, self.lane_px = flow, lane_px
        self.half = min(lane_px * 0.3, 34.0)  # a process box's half width
        self.gap = (lane_px / 2 - self.half) / (flow.tracks + 0.5)
        self.where: dict[tuple[int, int], tuple[int, float]] = {}  # (page, grid y) -> (row, px from its top)
        self.height: dict[int, float] = {}
        for index, row in enumerate(flow.rows):
            offset = ROW_PAD
            for k, kind in enumerate(row.levels):
                if kind == RULE:
                    self.where[(row.page, row.top + k)] = (index, 0.0)
                    continue
                self.where[(row.page, row.top + k)] = (index, offset + LEVEL_HEIGHT[kind] / 2)
                offset += LEVEL_HEIGHT[kind]
            self.height[index] = offset + ROW_PAD

    def x(self, unit: int) -> float:
        lane, inner = divmod(unit, self.flow.lane_width)
        k = inner - (self.flow.tracks + 1)
        middle = lane * self.lane_px + self.lane_px / 2
        if k == 0:
            return middle
        step = PORT_OFFSET if abs(k) == 1 else self.half + (abs(k) - 1) * self.gap
        return middle + math.copysign(step, k)

    def at(self, page: int, node: tuple[int, int]) -> tuple[int, float, float]:
        row, y = self.where[(page, node[1])]
        return row, self.x(node[0]), y

    def half_width(self, symbol: Symbol) -> float:
        if symbol.kind == OFFPAGE:
            return OFFPAGE_HALF_WIDTH
        return self.half * (0.8 if symbol.kind == TERMINATOR else 1.0)

    def edge(self, symbol: Symbol, side: int, dx: float = 0.0) -> float:
        """Where an arrow meets the symbol's outline: y for UP/DOWN sides (at dx from its middle), else x."""
        _row, cx, cy = self.at(symbol.page, (symbol.x, symbol.y))
        hh, hw = HALF_HEIGHT[symbol.kind], self.half_width(symbol)
        if side in (LEFT, RIGHT):
            return cx + (hw if side == RIGHT else -hw)
        depth = hh
        if symbol.kind == DECISION:
            depth = hh * max(0.0, 1 - abs(dx) / hw)
        elif symbol.kind == OFFPAGE and side == DOWN:
            depth = hh - 8 * min(1.0, abs(dx) / hw)
        return cy + (depth if side == DOWN else -depth)


Piece = tuple[int, float, str, float, str]  # row, x1, y1, x2, y2 (y as a number of pixels or "100%")


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def route_pieces(d: Drawing, route: Route) -> tuple[list[Piece], Piece]:
    """The route as straight pieces, each inside one row's SVG, and the last piece (that carries the head)."""
    page = route.page
    source, target = d.flow.symbols[route.start], d.flow.symbols[route.end]
    points = [d.at(page, node) for node in route.points]
    first, last = points[0], points[-1]
    if route.exit in (UP, DOWN):
        head_y = d.edge(source, route.exit, first[1] - d.x(source.x))
        start = (first[0], first[1], head_y)
    else:
        start = (first[0], d.edge(source, route.exit), first[2])
    opposite = {DOWN: UP, UP: DOWN, LEFT: RIGHT, RIGHT: LEFT}[route.entry]
    if route.entry in (UP, DOWN):
        end = (last[0], last[1], d.edge(target, opposite, last[1] - d.x(target.x)))
    else:
        end = (last[0], d.edge(target, opposite), last[2])
    pieces: list[Piece] = []
    chain = [start, *points]
    for a, b in zip(chain, chain[1:], strict=False):
        pieces += _split(a, b)
    final = (last[0], last[1], _num(last[2]), end[1], _num(end[2]))
    return pieces, (final[0], final[1], final[2], final[3], final[4])


def _split(a: tuple[int, float, float], b: tuple[int, float, float]) -> list[Piece]:
    """A segment between two rows runs to the bottom of the upper row and from the top of the lower one."""
    (ra, xa, ya), (rb, xb, yb) = a, b
    if ra == rb:
        return [] if (xa, ya) == (xb, yb) else [(ra, xa, _num(ya), xb, _num(yb))]
    down = rb > ra
    pieces: list[Piece] = [(ra, xa, _num(ya), xa, "100%" if down else "0")]
    step = 1 if down else -1
    for row in range(ra + step, rb, step):
        pieces.append((row, xa, "0" if down else "100%", xa, "100%" if down else "0"))
    if yb:
        pieces.append((rb, xb, "0" if down else "100%", xb, _num(yb)))
    return pieces


def _polygon(corners: list[tuple[float, float]]) -> str:
    return '<polygon points="' + " ".join(f"{_num(x)},{_num(y)}" for x, y in corners) + '"/>'


def _outline(kind: str, cx: float, cy: float, hw: float, hh: float) -> str:
    """The symbol's shape: rectangle, diamond, capsule, or the pentagon of an off-page connector."""
    box = f'x="{_num(cx - hw)}" y="{_num(cy - hh)}" width="{_num(2 * hw)}" height="{_num(2 * hh)}"'
    if kind == PROCESS:
        return f"<rect {box}/>"
    if kind == TERMINATOR:
        return f'<rect {box} rx="{_num(hh)}"/>'
    if kind == DECISION:
        return _polygon([(cx, cy - hh), (cx + hw, cy), (cx, cy + hh), (cx - hw, cy)])
    point = hh - 8
    return _polygon(
        [(cx - hw, cy - hh), (cx + hw, cy - hh), (cx + hw, cy + point), (cx, cy + hh), (cx - hw, cy + point)]
    )


def symbol_svg(d: Drawing, symbol: Symbol, state: str | None = None, forced: bool = False) -> str:
    _row, cx, cy = d.at(symbol.page, (symbol.x, symbol.y))
    hh, hw = HALF_HEIGHT[symbol.kind], d.half_width(symbol)
    cls = f"sym {symbol.kind}" + (f" {state}" if state else "")
    data = f'data-shape="{symbol.kind}" data-step="{symbol.step}"' + (f' data-state="{state}"' if state else "")
    if forced:
        data += ' data-forced="true"'
    shape = _outline(symbol.kind, cx, cy, hw, hh)
    text = ""
    if symbol.kind == TERMINATOR:
        word = _("Start") if symbol.step == START else _("End")
        text = f'<text x="{_num(cx)}" y="{_num(cy + 2.5)}" class="word">{word}</text>'
    elif symbol.kind == OFFPAGE:
        text = f'<text x="{_num(cx)}" y="{_num(cy + 1)}" class="word">{symbol.step}</text>'
    elif state:
        text = f'<text x="{_num(cx)}" y="{_num(cy + 4)}" class="mark">{MARKS[state]}</text>'
    if forced:
        text += f'<text x="{_num(cx + hw + 2)}" y="{_num(cy - hh + 6)}" class="forced">{MARKS["forced"]}</text>'
    return f'<g class="{cls}" {data}>{shape}{text}</g>'


def label_svg(d: Drawing, route: Route) -> str:
    """An outcome's name beside the start of its branch, on the side its line does not turn to."""
    source = d.flow.symbols[route.start]
    _row, cx, cy = d.at(source.page, (source.x, source.y))
    first = d.at(route.page, route.points[0])
    turn = _direction_of(route.points[0], route.points[1]) if len(route.points) > 1 else route.exit
    if route.exit == DOWN:
        y = d.edge(source, DOWN, first[1] - cx) + 9
        x, anchor = (first[1] - 3, "end") if turn == RIGHT else (first[1] + 3, "start")
    elif route.exit in (RIGHT, LEFT):
        y = cy + 10 if turn == UP else cy - 4
        x, anchor = (d.edge(source, RIGHT) + 2, "start") if route.exit == RIGHT else (d.edge(source, LEFT) - 2, "end")
    else:
        return ""
    return (
        f'<text class="outcome" x="{_num(x)}" y="{_num(y)}" style="text-anchor:{anchor}" '
        f'data-outcome="{route.label}">{route.label}</text>'
    )


def _direction_of(a: tuple[int, int], b: tuple[int, int]) -> int:
    if b[0] != a[0]:
        return RIGHT if b[0] > a[0] else LEFT
    return DOWN if b[1] > a[1] else UP


def row_svgs(
    d: Drawing,
    states: dict[tuple[str, str], tuple[str, bool]] | None = None,
    taken: set[tuple[str, str]] | None = None,
) -> dict[int, str]:
    """The SVG of every row's lane cell: lane lines, arrows, symbols (with a run's states), outcome names."""
    parts: dict[int, list[str]] = {i: [] for i in range(len(d.flow.rows))}
    width = d.lane_px * len(d.flow.lanes)
    for i in parts:
        for lane in range(1, len(d.flow.lanes)):
            x = _num(lane * d.lane_px)
            parts[i].append(f'<line class="lane" x1="{x}" y1="0" x2="{x}" y2="100%"/>')
    labelled: set[tuple[int, str]] = set()
    for route in d.flow.routes:
        pieces, final = route_pieces(d, route)
        mark = ""
        if taken is not None:
            mark = " taken" if (route.source, route.target) in taken else " open"
        by_row: dict[int, list[str]] = {}
        for row, x1, y1, x2, y2 in pieces:
            by_row.setdefault(row, []).append(f'<line x1="{_num(x1)}" y1="{y1}" x2="{_num(x2)}" y2="{y2}"/>')
        row, x1, y1, x2, y2 = final
        by_row.setdefault(row, []).append(
            f'<line x1="{_num(x1)}" y1="{y1}" x2="{_num(x2)}" y2="{y2}" marker-end="url(#sop-head)"/>'
        )
        source = d.flow.symbols[route.start]
        if route.label and source.role != "in" and (route.start, route.label) not in labelled:
            labelled.add((route.start, route.label))
            by_row.setdefault(source.row, []).append(label_svg(d, route))
        for row, lines in by_row.items():
            parts[row].append(
                f'<g class="arrow{mark}" data-from="{route.source}" data-to="{route.target}">{"".join(lines)}</g>'
            )
    for symbol in d.flow.symbols:
        state, forced = (
            (states or {}).get((symbol.step, symbol.lane), (None, False)) if symbol.role == "step" else (None, False)
        )
        parts[symbol.row].append(symbol_svg(d, symbol, state, forced))
    return {
        i: f'<svg class="flow" width="{width}" height="100%" aria-hidden="true">{"".join(items)}</svg>'
        for i, items in parts.items()
    }


DEFS = (
    '<svg class="defs" width="0" height="0" aria-hidden="true"><defs>'
    '<marker id="sop-head" viewBox="0 0 8 8" refX="7.5" refY="4" markerWidth="7" markerHeight="7" '
    'markerUnits="userSpaceOnUse" '
    'orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#000"/></marker>'
    '<pattern id="sop-hatch" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="5" height="5" fill="#fff"/><line x1="0" y1="0" x2="0" y2="5" stroke="#888" stroke-width="1.6"/>'
    "</pattern>"
    '<pattern id="sop-cross" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="5" height="5" fill="#fff"/><path d="M0,0 V5 M0,0 H5" stroke="#777" stroke-width="1.4"/>'
    "</pattern>"
    '<pattern id="sop-dots" width="4" height="4" patternUnits="userSpaceOnUse">'
    '<rect width="4" height="4" fill="#fff"/><circle cx="2" cy="2" r="0.8" fill="#999"/></pattern>'
    "</defs></svg>"
)


# ------------------------------------------------------------------ the page


STYLE = """
@page { size: %(size)s; margin: %(margin)smm }
* { box-sizing: border-box }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact }
body { margin: 0; font: 8pt/1.3 "Liberation Sans", Arial, "DejaVu Sans", sans-serif; color: #000 }
.sheet { width: %(width)spx }
.sheet + .sheet { break-before: page }
table { border-collapse: collapse; width: 100%%; table-layout: fixed }
th, td { border: 1px solid #000; padding: 3px 4px; vertical-align: top; text-align: left;
  overflow-wrap: anywhere; unicode-bidi: isolate; white-space: pre-line }
th { font-weight: bold; background: #eee; text-align: center; vertical-align: middle }
tr { break-inside: avoid }
thead { display: table-header-group }
.head .units { text-align: center; vertical-align: middle; font-weight: bold; width: 45%% }
.head .units .top { text-transform: uppercase; font-size: 10pt }
.head th { text-align: left; width: 16%% }
.head .name { font-weight: bold; text-transform: uppercase }
.head .sign { height: 28px }
.info { margin-top: 8px }
.info th { text-align: left }
.info ol { margin: 0; padding-left: 16px }
.caption { margin: 0 0 4px; font-weight: bold }
.chart td.no { text-align: right }
.chart td.lanes { position: relative; padding: 0 }
.chart td.connector { font-style: italic; color: #333 }
svg.flow { position: absolute; top: 0; left: 0; overflow: visible }
svg.defs { position: absolute }
svg.flow line { stroke: #000; stroke-width: 1.1 }
svg.flow line.lane { stroke: #000; stroke-width: 1 }
svg.flow .arrow.open line { stroke: #666; stroke-dasharray: 3 2 }
svg.flow .arrow.taken line { stroke-width: 2 }
svg .sym rect, svg .sym polygon { fill: #fff; stroke: #000; stroke-width: 1.2 }
svg .sym.late rect, svg .sym.late polygon { fill: url(#sop-hatch) }
svg .sym.done rect, svg .sym.done polygon { fill: url(#sop-dots) }
svg .sym.active rect, svg .sym.active polygon { stroke-width: 2.6 }
svg .sym.overdue rect, svg .sym.overdue polygon { fill: url(#sop-cross); stroke-width: 2.6 }
svg .sym.pending rect, svg .sym.pending polygon { stroke-dasharray: 4 2 }
svg .sym.not_needed rect, svg .sym.not_needed polygon { stroke: #888; stroke-dasharray: 1 2 }
svg text { font-size: 7px; text-anchor: middle }
svg.flow text.word { font-size: 6.5px }
svg text.mark { font-size: 11px; font-weight: bold; paint-order: stroke; stroke: #fff; stroke-width: 3px }
svg.flow text.forced { font-size: 10px; font-weight: bold; text-anchor: start }
svg.flow text.outcome { font-style: italic; paint-order: stroke; stroke: #fff; stroke-width: 2.5px }
%(marks)s
.legend { margin-top: 4px }
.legend span { margin-right: 10px; white-space: nowrap }
.legend svg { vertical-align: middle }
h2 { font-size: 10pt; margin: 10px 0 4px }
h3 { font-size: 9pt; margin: 8px 0 2px }
.details table { margin-bottom: 4px }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 7pt }
.ok { font-weight: bold }
.bad { font-weight: bold; color: #8b0000 }
.facts th { text-align: left; width: 18%% }
"""


def _style(paper: str) -> str:
    long, short = PAPERS[paper]
    width = math.floor((long - 2 * MARGIN_MM) * PX_PER_MM) - 2
    marks = "\n".join(f"svg .sym.{state} text.mark {{ fill: {colour} }}" for state, colour in STATE_COLOURS.items())
    return STYLE % {"size": f"{long}mm {short}mm", "margin": MARGIN_MM, "width": width, "marks": marks}


def page(title: str, body: str, paper: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{language()}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width"><title>{title}</title>'
        f"<style>{_style(paper)}</style></head><body>{DEFS}{body}</body></html>\n"
    )


def _lines(items: list[str]) -> str:
    if not items:
        return ""
    return "<br>".join(("• " if len(items) > 1 else "") + item for item in items)


def _numbered(items: list[str]) -> str:
    return "<ol>" + "".join(f"<li>{item}</li>" for item in items) + "</ol>" if items else "—"


def _date(value: Any) -> str:
    from datetime import date

    return w.long_date(date.fromisoformat(value)) if isinstance(value, str) else "—"


def identity(doc: dict[str, Any]) -> str:
    """The form's header and its information block, as the paper form lays them out."""
    units = doc.get("organization") or []
    unit_lines = "".join(f'<div class="{"top" if i == 0 else ""}">{u}</div>' for i, u in enumerate(units))
    approval = doc.get("approved_by") or {}
    signed = "".join(
        part
        for part in (
            f"<div>{approval['position']}</div>" if approval.get("position") else "",
            '<div class="sign"></div>',
            f"<div><b>{approval['name']}</b></div>" if approval.get("name") else "",
            f"<div>NIP. {approval['nip']}</div>" if approval.get("nip") else "",
        )
    )
    revision = doc.get("revision")
    revised = f"{revision['no']} ({_date(revision['date'])})" if revision else "—"
    rows = [
        (_("SOP number"), doc["number"], ""),
        (_("Date made"), _date(doc.get("created")), ""),
        (_("Date revised"), revised, ""),
        (_("Date effective"), _date(doc.get("effective")), ""),
        (_("Approved by"), signed, ""),
        (_("SOP name"), doc["title"], "name"),
    ]
    head = "".join(
        "<tr>"
        + (f'<td class="units" rowspan="{len(rows)}">{unit_lines}</td>' if i == 0 else "")
        + f'<th>{label}</th><td class="{cls}">{value}</td></tr>'
        for i, (label, value, cls) in enumerate(rows)
    )
    pairs = [
        (
            (_("Legal basis"), _numbered(doc.get("legal_basis") or [])),
            (_("Qualifications of the actors"), _numbered(doc.get("qualifications") or [])),
        ),
        (
            (_("Related SOPs"), _numbered(doc.get("related") or [])),
            (_("Equipment"), _numbered(doc.get("equipment") or [])),
        ),
        ((_("Warning"), doc.get("warning") or "—"), (_("Records and data"), doc.get("records") or "—")),
    ]
    info = "".join(
        f"<tr><th>{left[0]}</th><th>{right[0]}</th></tr><tr><td>{left[1]}</td><td>{right[1]}</td></tr>"
        for left, right in pairs
    )
    return f'<table class="head">{head}</table><table class="info">{info}</table>'


# ------------------------------------------------------------------ the flowchart table, page by page


@dataclass
class RowText:
    """The texts of a step's row beside its flow (already made safe for HTML)."""

    activity: str
    requires: str
    time: str
    output: str
    note: str
    elapsed: str = ""
    group: int = 0  # the step whose time standard it shares (a merged Waktu cell), else its own number


def _text_lines(html: str, width: int) -> int:
    """About how many lines a cell's text takes at `width` pixels (tags dropped, entities counted long)."""
    import re

    text = re.sub(r"<br>|</div>|</li>", "\n", html)
    text = re.sub(r"<[^>]+>", "", text)
    room = max(1.0, (width - CELL_PAD) / (CHAR_PX * 1.08))
    return sum(max(1, math.ceil(len(line) / room)) for line in text.split("\n"))


def _text_height(row: RowText, cols: Columns) -> float:
    cells = [
        (row.activity, cols.activity),
        (row.requires, cols.requires),
        (row.time, cols.time),
        (row.elapsed, cols.elapsed or 1),
        (row.output, cols.output),
        (row.note, cols.note),
    ]
    return max(_text_lines(text, width) for text, width in cells if text) * LINE_PX + CELL_PAD


def _header_height(names: list[str], cols: Columns) -> float:
    lines = max([_text_lines(name, cols.lane) for name in names] + [2])
    return 22 + lines * LINE_PX + CELL_PAD


CAPTION_PX, SLACK_PX, CONNECTOR_PX = 20.0, 12.0, 48.0


class Chart:
    """The flowchart table cut into pages that each fit the paper, its off-page connectors where it is cut."""

    def __init__(
        self, lanes: list[dict[str, Any]], steps: list[dict[str, Any]], texts: list[RowText], paper: str, dossier: bool
    ) -> None:
        self.lanes, self.steps, self.texts = lanes, steps, texts
        self.cols = columns(paper, len(lanes), dossier)
        self.dossier = dossier
        head = _header_height([lane["name"] for lane in lanes], self.cols)
        self.room = page_height(paper) - CAPTION_PX - head - SLACK_PX
        ids = [lane["id"] for lane in lanes]
        text = [_text_height(t, self.cols) for t in texts]
        single = Drawing(layout(ids, steps), self.cols.lane)
        heights = [max(t, single.height[single.flow.step_row(s["no"])]) for t, s in zip(text, steps, strict=True)]
        breaks = paginate(heights, self.room)
        if breaks:
            breaks = paginate(heights, self.room - 2 * CONNECTOR_PX)
        self.drawing = self._fit(ids, text, breaks)

    def _fit(self, ids: list[str], text: list[float], breaks: list[int]) -> Drawing:
        """The layout with these breaks; where a page still overflows (its connectors, its routes' channels),
        its last steps move to the next page, until every page fits or holds one step."""
        for _attempt in range(len(self.steps)):
            d = Drawing(layout(ids, self.steps, breaks), self.cols.lane)
            over = self._overflowing(d, text)
            if over is None:
                return d
            page, first_moved = over
            breaks = breaks[:page] + [first_moved] + [b for b in breaks[page + 1 :] if b > first_moved]
        return d

    def _overflowing(self, d: Drawing, text: list[float]) -> tuple[int, int] | None:
        """The first page taller than the room, and the first of its steps that must move on."""
        index = {s["no"]: i for i, s in enumerate(self.steps)}
        for page in d.flow.pages:
            used, members = 0.0, []
            for r in page.rows:
                row = d.flow.rows[r]
                height = max(text[index[row.step]] if row.step is not None else 0.0, d.height[r])
                used += height
                if row.step is not None:
                    members.append((index[row.step], height))
            if used <= self.room or len(members) < 2:
                continue
            while used > self.room and len(members) > 1:
                used -= members.pop()[1]
            return page.index, members[-1][0] + 1
        return None

    def height(self, r: int) -> float:
        return self.drawing.height[r]

    def html(self, caption: str, states: Any = None, taken: set[tuple[str, str]] | None = None, after: str = "") -> str:
        d = self.drawing
        svgs = row_svgs(d, states, taken)
        pages = len(d.flow.pages)
        page_of = {row.step: row.page for row in d.flow.rows if row.kind == "step"}
        out = []
        for page in d.flow.pages:
            title = _("flowchart, page {page} of {pages}", page=page.index + 1, pages=pages)
            body = "".join(self._row(r, svgs[r], page_of, page.rows) for r in page.rows)
            out.append(
                f'<section class="sheet flow" data-page="{page.index + 1}"><p class="caption">{caption} · {title}</p>'
                f'<table class="chart">{self._colgroup()}{self._thead()}<tbody>{body}</tbody></table>'
                + (after if page.index == pages - 1 else "")
                + "</section>"
            )
        return "".join(out)

    def _colgroup(self) -> str:
        c = self.cols
        widths = [
            c.no,
            c.activity,
            *([c.lane] * c.lanes),
            c.requires,
            c.time,
            *([c.elapsed] if self.dossier else []),
            c.output,
            c.note,
        ]
        return "<colgroup>" + "".join(f'<col style="width:{px}px">' for px in widths) + "</colgroup>"

    def _thead(self) -> str:
        standard = 4 if self.dossier else 3
        lanes = "".join(f'<th data-lane="{lane["id"]}">{lane["name"]}</th>' for lane in self.lanes)
        span = f'colspan="{len(self.lanes)}"'
        first = [
            _th(_("No"), 'rowspan="2"'),
            _th(_("Activity"), 'rowspan="2"'),
            _th(_("Actors (Pelaksana)"), span),
            _th(_("Quality standard (Mutu Baku)"), f'colspan="{standard}"'),
            _th(_("Notes"), 'rowspan="2"'),
        ]
        second = [lanes, _th(_("Requires (Kelengkapan)")), _th(_("Time"))]
        second += [_th(_("Elapsed"))] if self.dossier else []
        second += [_th(_("Output"))]
        return "<thead><tr>" + "".join(first) + "</tr><tr>" + "".join(second) + "</tr></thead>"

    def _row(self, r: int, svg: str, page_of: dict[int | None, int], members: tuple[int, ...]) -> str:
        d = self.drawing
        row = d.flow.rows[r]
        flow = f'<td class="lanes" colspan="{len(self.lanes)}" style="height:{_num(self.height(r))}px">{svg}</td>'
        if row.kind == "connector":
            rest = 5 if self.dossier else 4
            words = self._continues(row, page_of)
            return (
                f'<tr class="connector"><td class="no"></td><td class="connector">{words}</td>{flow}'
                f'<td colspan="{rest}"></td></tr>'
            )
        i = next(k for k, s in enumerate(self.steps) if s["no"] == row.step)
        text = self.texts[i]
        time = self._time_cell(r, text, members)
        elapsed = f"<td>{text.elapsed}</td>" if self.dossier else ""
        return (
            f'<tr class="step" data-row="{row.step}"><td class="no">{row.step}</td><td>{text.activity}</td>{flow}'
            f"<td>{text.requires}</td>{time}{elapsed}<td>{text.output}</td><td>{text.note}</td></tr>"
        )

    def _time_cell(self, r: int, text: RowText, members: tuple[int, ...]) -> str:
        """One Waktu cell for the consecutive steps of the page that share a standard."""
        group_of = {s["no"]: t.group for s, t in zip(self.steps, self.texts, strict=True)}
        steps_here = [self.drawing.flow.rows[m].step for m in members if self.drawing.flow.rows[m].kind == "step"]
        me = self.drawing.flow.rows[r].step
        k = steps_here.index(me)
        if k > 0 and group_of[steps_here[k - 1]] == text.group:
            return ""
        span = 1
        while k + span < len(steps_here) and group_of[steps_here[k + span]] == text.group:
            span += 1
        return (
            f'<td class="time" rowspan="{span}">{text.time}</td>' if span > 1 else f'<td class="time">{text.time}</td>'
        )

    def _continues(self, row: Row, page_of: dict[int | None, int]) -> str:
        """Which pages the connectors of a connector row lead to or come from."""
        symbols = [s for s in self.drawing.flow.symbols if s.kind == OFFPAGE and self.drawing.flow.rows[s.row] is row]
        outgoing = sorted({page_of.get(int(s.step), 0) + 1 for s in symbols if s.role == "out"})
        incoming = sorted({page_of.get(int(s.source), 0) + 1 for s in symbols if s.role == "in"})
        words = []
        if incoming:
            words.append(_("continued from page {pages}", pages=", ".join(map(str, incoming))))
        if outgoing:
            words.append(_("continued on page {pages}", pages=", ".join(map(str, outgoing))))
        return "<br>".join(words)


def _th(text: str, attributes: str = "") -> str:
    return f"<th {attributes}>{text}</th>" if attributes else f"<th>{text}</th>"


def _heading(text: str) -> str:
    return f"<h2>{text}</h2>"


def _target(target: Any) -> str:
    return _("end") if target == END else str(target)


def flow_note(steps: list[dict[str, Any]], i: int) -> str:
    """Where the work goes after step i when it is not simply the next row: each outcome, or the jump."""
    step = steps[i]
    if step.get("outcomes"):
        return "<br>".join(f"{name} → {_target(t)}" for name, t in step["outcomes"].items())
    following = steps[i + 1]["no"] if i + 1 < len(steps) else END
    target = step.get("next") if step.get("next") is not None else following
    return "" if target == following else f"→ {_target(target)}"


def lanes_note(step: dict[str, Any], names: dict[str, str]) -> str:
    if len(step["actors"]) < 2:
        return ""
    lanes = ", ".join(names.get(a, a) for a in step["actors"])
    if step.get("together") == "all":
        return _("each of {lanes} does its part", lanes=lanes)
    return _("one of {lanes} does it", lanes=lanes)


def _group(step: dict[str, Any]) -> int:
    return step["time_with"] if step.get("time_with") is not None else step["no"]


# ------------------------------------------------------------------ the form


def sop_form(document: dict[str, Any], paper: str = "a4") -> str:
    """The whole SOP AP form (`sop_document` data): header, information block, then the flowchart table."""
    doc = for_html(document)
    names = {a["id"]: a["name"] for a in doc["actors"]}
    steps = doc["steps"]
    by_no = {s["no"]: s for s in steps}
    texts = []
    for i, step in enumerate(steps):
        head = by_no.get(_group(step), step)
        time = head.get("time") or "—"
        note = "<br>".join(x for x in (step.get("note") or "", lanes_note(step, names), flow_note(steps, i)) if x)
        texts.append(
            RowText(step["activity"], _lines(step["requires"]), time, _lines(step["output"]), note, group=_group(step))
        )
    chart = Chart(doc["actors"], steps, texts, paper, dossier=False)
    caption = f"{doc['number']} — {doc['title']}"
    body = f'<section class="sheet identity">{identity(doc)}</section>' + chart.html(caption)
    return page(f"{doc['number']} — {doc['title']}", body, paper)


# ------------------------------------------------------------------ a run's dossier


def _states(steps: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[str, bool]]:
    """The mark of each lane's part of each step, and whether it was forced."""
    out = {}
    for step in steps:
        alone = len(step["parts"]) == 1
        for part in step["parts"]:
            out[(str(step["no"]), part["lane"])] = (lane_mark(step, part), part["forced"] or (step["forced"] and alone))
    return out


def _files(files: list[dict[str, Any]], own: int) -> list[str]:
    return [f["name"] + (" (" + _("step {no}", no=f["step"]) + ")" if f["step"] != own else "") for f in files]


def _doing(step: dict[str, Any]) -> str:
    """Who did the step and when, where its work went; who holds it while it is open."""
    lines = []
    for part in step["parts"]:
        if part["status"] == "done" and part["by"]:
            lane = f"{part['lane_name']}: " if len(step["parts"]) > 1 else ""
            who = part["by"] + (MARKS["forced"] if part["forced"] else "")
            lines.append(lane + _("{at} by {person}", at=w.moment(part["at"]), person=who))
        elif part["status"] == "not_needed":
            lines.append(f"{part['lane_name']}: " + _(w.MARK_NAMES["not_needed"]))
    if step["status"] == "done" and not lines and step["by"]:
        lines.append(_("{at} by {person}", at=w.moment(step["finished_at"]), person=step["by"]))
    if step["outcome"]:
        lines.append(f"→ {step['outcome']}")
    if step["status"] != "done":
        people = [p["person"] for p in step["parts"] if p["status"] in ("open", "pending") and p["person"]]
        if people:
            lines.append(_("assigned to {names}", names=", ".join(people)))
    if step["due_at"]:
        lines.append(_("due {at}", at=w.moment(step["due_at"])))
    return "".join(f'<div class="who">{line}</div>' for line in lines)


def _elapsed(step: dict[str, Any], day: float) -> str:
    if step["status"] == "pending":
        return "—"
    parts = [w.minutes(step["elapsed_minutes"], day)]
    if step["on_time"] is True:
        parts.append(_(w.MARK_NAMES["on_time"]))
    elif step["on_time"] is False or step["overdue"]:
        parts.append(_("+{time} over", time=w.minutes(step["overrun_minutes"], day)))
    if len(step["history"]) > 1:
        parts += [
            _("pass {n}: {time}", n=item["pass"], time=w.minutes(item["elapsed_minutes"], day))
            for item in step["history"]
        ]
    return "<br>".join(parts)


def _dossier_texts(report: dict[str, Any]) -> list[RowText]:
    names = {lane["id"]: lane["name"] for lane in report["lanes"]}
    day = report["run"]["day_minutes"]
    texts = []
    for step in report["steps"]:
        standard = step["group_standard_minutes"]
        requires = _lines(step["requires"] + [f"✓ {f}" for f in _files(step["inputs"], step["no"])])
        output = _lines(step["output"] + [f"✓ {f['name']}" for f in step["artifacts"]])
        notes = [f"✎ {n['by']}: {n['text']}" for n in step["notes"]]
        note = "<br>".join(x for x in (step.get("note") or "", lanes_note(step, names), *notes) if x)
        texts.append(
            RowText(
                step["activity"] + _doing(step),
                requires,
                "—" if standard is None else w.minutes(standard, day),
                output,
                note,
                _elapsed(step, day),
                _group(step),
            )
        )
    return texts


def _facts(rows: list[tuple[str, str]]) -> str:
    return '<table class="facts">' + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


def _run_facts(report: dict[str, Any], verification: dict[str, Any]) -> str:
    run, totals = report["run"], report["totals"]
    day = run["day_minutes"]
    status = w.status(run["status"]) + (f" ({run['cancel_reason']})" if run.get("cancel_reason") else "")
    started = _("{at} by {person}", at=w.moment(run["started_at"]), person=run["started_by"])
    if run["finished_at"]:
        started += " · " + _("ended {at}", at=w.moment(run["finished_at"]))
    rows = [("SOP", f"{run['number']} — {run['sop_title']}")]
    if run["title"] != run["sop_title"]:
        rows.append((_("Title"), run["title"]))
    rows += [
        (_("Run"), f"{run['id']} · {status}"),
        (_("Started"), started),
        (
            _("Steps"),
            _(
                "{done}/{steps} done · {on_time} on time · {late} late",
                done=totals["done"],
                steps=totals["steps"],
                on_time=totals["on_time"],
                late=totals["late"],
            ),
        ),
        (
            _("Time"),
            _(
                "{elapsed} / {standard} (working time / standard)",
                elapsed=w.minutes(totals["elapsed_minutes"], day),
                standard=w.minutes(totals["standard_minutes"], day),
            ),
        ),
    ]
    if run["assignments"]:
        assigned = ", ".join(f"{_lane_name(report, a)}: {p}" for a, p in run["assignments"].items())
        rows.append((_("Assigned"), assigned))
    rows.append((_("Verification"), _verdict(verification)))
    rows.append((_("Report made"), w.moment(run["now"])))
    return _facts(rows)


def _lane_name(report: dict[str, Any], actor: str) -> str:
    return next((lane["name"] for lane in report["lanes"] if lane["id"] == actor), actor)


def _verdict(verification: dict[str, Any]) -> str:
    if verification["problems"]:
        return '<span class="bad">' + _("the audit trail or the evidence does not verify") + "</span>"
    return (
        '<span class="ok">'
        + _(
            "{records} records intact and within the rules; {files} evidence file(s) match their SHA-256.",
            records=verification["records"],
            files=verification["files"],
        )
        + "</span>"
    )


def _legend(day: float) -> str:
    items = []
    for state in ("on_time", "late", "done", "active", "overdue", "pending", "not_needed"):
        box = (
            f'<svg class="key" width="26" height="18" aria-hidden="true"><g class="sym process {state}">'
            f'<rect x="1" y="1" width="24" height="16"/><text x="13" y="13" class="mark">{MARKS[state]}</text>'
            "</g></svg>"
        )
        items.append(f"<span>{box} {_(w.MARK_NAMES[state])}</span>")
    items.append(f"<span>{MARKS['forced']} {_(w.MARK_NAMES['forced'])}</span>")
    items.append(f"<span>{w.day_length(day)}</span>")
    return '<p class="legend">' + "".join(items) + "</p>"


def _step_details(report: dict[str, Any]) -> str:
    day = report["run"]["day_minutes"]
    out = [_heading(_("Step details"))]
    for step in report["steps"]:
        out.append(f'<div class="details" data-step="{step["no"]}"><h3>{step["no"]}. {step["activity"]}</h3>')
        if step["history"]:
            head = [_("Pass"), _("Started"), _("Finished"), _("Elapsed"), _("By"), _("Outcome")]
            rows = [
                [
                    str(item["pass"]),
                    w.moment(item["started_at"]),
                    w.moment(item["finished_at"]),
                    w.minutes(item["elapsed_minutes"], day),
                    (item["by"] or "—") + (f" {MARKS['forced']}" if item["forced"] else ""),
                    item["outcome"] or "",
                ]
                for item in step["history"]
            ]
            out.append(_table(head, rows))
        if len(step["parts"]) > 1:
            rows = [[p["lane_name"], _part_status(p), _part_by(p)] for p in step["parts"]]
            out.append(_table([_("Lane"), _("Status"), _("By")], rows))
        files = [(_("Received"), f) for f in step["inputs"]] + [(_("Evidence"), f) for f in step["artifacts"]]
        if files:
            head = ["", _("File"), _("Size"), "SHA-256", _("Step")]
            rows = [
                [kind, f["name"], _size(f["size"]), f'<span class="mono">{f["sha256"]}</span>', str(f["step"])]
                for kind, f in files
            ]
            out.append(_table(head, rows, "files", (10, 30, 10, 40, 10)))
        if step["notes"]:
            out.append(
                "<ul>"
                + "".join(f"<li>{w.moment(n['at'])} · {n['by']}: {n['text']}</li>" for n in step["notes"])
                + "</ul>"
            )
        out.append("</div>")
    return "".join(out)


def _part_status(part: dict[str, Any]) -> str:
    if part["status"] == "not_needed":
        return _(w.MARK_NAMES["not_needed"])
    return w.status("active" if part["status"] == "open" else part["status"])


def _part_by(part: dict[str, Any]) -> str:
    if part["by"]:
        return _("{at} by {person}", at=w.moment(part["at"]), person=part["by"])
    return part["person"] or "—"


def _size(value: Any) -> str:
    from sopcli.i18n import _n

    count = int(value) if isinstance(value, int) else 0
    return _n("{count} byte", "{count} bytes", count)


def _table(head: list[str], rows: list[list[str]], cls: str = "", widths: tuple[int, ...] = ()) -> str:
    header = "".join(f"<th>{h}</th>" for h in head)
    if widths:
        header = "".join(f'<th style="width:{pct}%">{h}</th>' for h, pct in zip(head, widths, strict=True))
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'


def _trail(records: list[dict[str, Any]]) -> str:
    from sopcli.render.views import UNICODE, describe

    head = ["#", _("When"), _("By"), _("What"), "SHA-256"]
    rows = []
    for r in records:
        when = w.moment(r["at"])
        if r.get("recorded_at") and r["recorded_at"] != r["at"]:
            when += "<br>" + _("recorded {at}", at=w.moment(r["recorded_at"]))
        who = r["by"] + (
            "<br>" + _("login {login}", login=r["login"]) if r.get("login") and r["login"] != r["by"] else ""
        )
        rows.append([str(r["seq"]), when, who, describe(r, UNICODE), f'<span class="mono">{r.get("hash", "")}</span>'])
    return _heading(_("Audit trail")) + _table(head, rows, "trail", (4, 16, 12, 44, 24))


def _verification(verification: dict[str, Any]) -> str:
    out = [_heading(_("Verification")), f"<p>{_verdict(verification)}</p>"]
    if verification["problems"]:
        out.append('<ul class="bad">' + "".join(f"<li>{p}</li>" for p in verification["problems"]) + "</ul>")
    return "".join(out)


def run_dossier(
    report: dict[str, Any], records: list[dict[str, Any]], verification: dict[str, Any], paper: str = "a4"
) -> str:
    """A run's printable dossier: its facts and the SOP's header, the flowchart with each step's state,
    per step every pass and file with its SHA-256 and every note, the audit trail and the verify result."""
    data = for_html({"report": report, "records": records, "verification": verification})
    report, records, verification = data["report"], data["records"], data["verification"]
    run = report["run"]
    snapshot = (records[0].get("data") or {}).get("sop") if records else None
    title = _("Run dossier {run}", run=run["id"])
    first = f"<h2>{title}</h2>" + _run_facts(report, verification)
    if isinstance(snapshot, dict) and snapshot.get("actors"):
        first += identity(snapshot)
    chart = Chart(report["lanes"], report["steps"], _dossier_texts(report), paper, dossier=True)
    states = _states(report["steps"])
    from sopcli.render import taken_edges

    caption = f"{run['number']} — {run['sop_title']} · " + _("Run") + f" {run['id']}"
    flow = chart.html(caption, states, taken_edges(report["steps"]), _legend(run["day_minutes"]))
    rest = _step_details(report) + _trail(records) + _verification(verification)
    body = f'<section class="sheet run">{first}</section>{flow}<section class="sheet rest">{rest}</section>'

    return page(f"{run['number']} — {title}", body, paper)
