"""The flowchart layout drawn in SVG, one drawing per row of the form's table: the layout's units mapped
to pixels, the PermenPAN-RB symbols, arrows with their heads, outcome names. It decides nothing about the
flow; the data it draws is already safe for HTML."""

from __future__ import annotations

import math

from sopcli.i18n import _
from sopcli.layout import (
    BAND,
    CHANNEL,
    DECISION,
    DOWN,
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
    Symbol,
)
from sopcli.render import MARKS

# Pixel heights of a row's levels, and of the symbols drawn on them.
LEVEL_HEIGHT = {RULE: 0.0, TOP: 20.0, LINK: 11.0, BAND: 34.0, FOOT: 20.0, CHANNEL: 7.0}
ROW_PAD = 4.0
HALF_HEIGHT = {PROCESS: 10.0, DECISION: 13.0, TERMINATOR: 8.0, OFFPAGE: 10.0}
OFFPAGE_HALF_WIDTH = 10.0
PORT_OFFSET = 7.0  # how far beside the middle the second and third arrows meet a symbol's top or bottom


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


def number(value: float) -> str:
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
    final = (last[0], last[1], number(last[2]), end[1], number(end[2]))
    return pieces, (final[0], final[1], final[2], final[3], final[4])


def _split(a: tuple[int, float, float], b: tuple[int, float, float]) -> list[Piece]:
    """A segment between two rows runs to the bottom of the upper row and from the top of the lower one."""
    (ra, xa, ya), (rb, xb, yb) = a, b
    if ra == rb:
        return [] if (xa, ya) == (xb, yb) else [(ra, xa, number(ya), xb, number(yb))]
    down = rb > ra
    pieces: list[Piece] = [(ra, xa, number(ya), xa, "100%" if down else "0")]
    step = 1 if down else -1
    for row in range(ra + step, rb, step):
        pieces.append((row, xa, "0" if down else "100%", xa, "100%" if down else "0"))
    if yb:
        pieces.append((rb, xb, "0" if down else "100%", xb, number(yb)))
    return pieces


def _polygon(corners: list[tuple[float, float]]) -> str:
    return '<polygon points="' + " ".join(f"{number(x)},{number(y)}" for x, y in corners) + '"/>'


def _outline(kind: str, cx: float, cy: float, hw: float, hh: float) -> str:
    """The symbol's shape: rectangle, diamond, capsule, or the pentagon of an off-page connector."""
    box = f'x="{number(cx - hw)}" y="{number(cy - hh)}" width="{number(2 * hw)}" height="{number(2 * hh)}"'
    if kind == PROCESS:
        return f"<rect {box}/>"
    if kind == TERMINATOR:
        return f'<rect {box} rx="{number(hh)}"/>'
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
        text = f'<text x="{number(cx)}" y="{number(cy + 2.5)}" class="word">{word}</text>'
    elif symbol.kind == OFFPAGE:
        text = f'<text x="{number(cx)}" y="{number(cy + 1)}" class="word">{symbol.step}</text>'
    elif state:
        text = f'<text x="{number(cx)}" y="{number(cy + 4)}" class="mark">{MARKS[state]}</text>'
    if forced:
        text += f'<text x="{number(cx + hw + 2)}" y="{number(cy - hh + 6)}" class="forced">{MARKS["forced"]}</text>'
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
        f'<text class="outcome" x="{number(x)}" y="{number(y)}" style="text-anchor:{anchor}" '
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
            x = number(lane * d.lane_px)
            parts[i].append(f'<line class="lane" x1="{x}" y1="0" x2="{x}" y2="100%"/>')
    labelled: set[tuple[int, str]] = set()
    for route in d.flow.routes:
        pieces, final = route_pieces(d, route)
        mark = ""
        if taken is not None:
            mark = " taken" if (route.source, route.target) in taken else " open"
        by_row: dict[int, list[str]] = {}
        for row, x1, y1, x2, y2 in pieces:
            by_row.setdefault(row, []).append(f'<line x1="{number(x1)}" y1="{y1}" x2="{number(x2)}" y2="{y2}"/>')
        row, x1, y1, x2, y2 = final
        by_row.setdefault(row, []).append(
            f'<line x1="{number(x1)}" y1="{y1}" x2="{number(x2)}" y2="{y2}" marker-end="url(#sop-head)"/>'
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
