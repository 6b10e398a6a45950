"""The flowchart of an SOP form as plain data, computed once and only drawn by the renderers (HTML/SVG and
terminal): rows, lane columns, the PermenPAN-RB symbols, orthogonal routes for every hand-over and
outcome, page breaks and off-page connectors.

The geometry is a grid of whole units. Across, every lane is `2 * tracks + 3` units wide: a symbol three
units wide in the middle, and `tracks` columns on each side where routes run past it. Down, every row is
a stack of levels (`levels`): the rule that separates it from the row above, its symbols, the links
joining stacked symbols, and `channels` below its symbols where routes cross the lanes. A route is a path
of grid nodes found by a shortest-path search that never passes through a symbol, never shares a segment
with another route, and crosses another only at right angles. A renderer maps units to characters or to
pixels; it decides nothing about the flow.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

START, END = "start", "end"
TERMINATOR, PROCESS, DECISION, OFFPAGE = "terminator", "process", "decision", "offpage"

# The levels of a row, top to bottom.
RULE = "rule"  # the line between two rows: routes only cross it, straight down or up
TOP = "top"  # the first row's start terminators
LINK = "link"  # between two stacked symbols: only the arrow that joins them
BAND = "band"  # the row's own symbols (or its off-page connectors)
FOOT = "foot"  # end terminators under their step
CHANNEL = "channel"  # under the symbols: where routes run across the lanes

UP, RIGHT, DOWN, LEFT = range(4)
MOVES = ((0, -1), (1, 0), (0, 1), (-1, 0))
STRAIGHT_ONLY = (RULE, LINK)
MAX_CHANNELS, MAX_TRACKS = 4, 3

Node = tuple[int, int]


@dataclass(frozen=True)
class FlowStep:
    """What the layout needs of a step: its lanes and where the work goes after it."""

    no: int
    lanes: tuple[str, ...]
    targets: tuple[tuple[int | str, str | None], ...]  # (step no or END, outcome name or None)
    decision: bool


def flow_steps(steps: Sequence[dict[str, Any]]) -> list[FlowStep]:
    """The steps of an SOP document (`sop_document`) or of a report, with `next` resolved."""
    out = []
    for i, step in enumerate(steps):
        following: int | str = steps[i + 1]["no"] if i + 1 < len(steps) else END
        outcomes = step.get("outcomes") or {}
        targets: tuple[tuple[int | str, str | None], ...]
        if outcomes:
            targets = tuple((target, str(name)) for name, target in outcomes.items())
        else:
            target = step.get("next")
            targets = ((following if target is None else target, None),)
        lanes = tuple(step.get("actors") or [step["actor"]])
        out.append(FlowStep(step["no"], lanes, targets, bool(outcomes)))
    return out


@dataclass(frozen=True)
class Row:
    """One row of the table: a step, or a row of off-page connectors at the top or bottom of a page."""

    kind: str  # "step" or "connector"
    step: int | None
    page: int
    levels: tuple[str, ...]
    top: int  # the page grid's y of levels[0]

    def y(self, kind: str) -> int:
        return self.top + self.levels.index(kind)

    @property
    def bottom(self) -> int:
        return self.top + len(self.levels) - 1


@dataclass(frozen=True)
class Symbol:
    """One of the form's symbols at grid node (x, y) of its page: its middle; it spans x - 1 .. x + 1."""

    kind: str  # terminator, process, decision, offpage
    step: str  # the data-step: a step number, start or end; an off-page connector's: the step it leads to
    lane: str
    row: int  # index into Layout.rows
    page: int
    x: int
    y: int
    role: str  # step, start, end, out (a connector the page leaves by), in (one it is entered by)
    source: str = ""  # an off-page connector's: the step the cut arrow comes from


@dataclass(frozen=True)
class Route:
    """An arrow: corner points from the node beside its source symbol to the node beside its target."""

    source: str  # data-from: a step number or start
    target: str  # data-to: a step number or end (for a cut arrow, the step beyond the page break)
    label: str | None  # the outcome of a decision's branch (written beside it where it leaves the decision)
    page: int
    points: tuple[Node, ...]
    start: int  # index into Layout.symbols
    end: int
    exit: int  # direction it leaves its source symbol: DOWN, RIGHT, LEFT or UP
    entry: int  # direction it enters its target symbol
    back: bool  # goes up the form (a rework loop, or to a connector at the top of a page)

    def nodes(self) -> list[Node]:
        """Every grid node along the route, in order."""
        out = [self.points[0]]
        for (x0, y0), (x1, y1) in itertools.pairwise(self.points):
            dx, dy = (x1 > x0) - (x1 < x0), (y1 > y0) - (y1 < y0)
            x, y = x0, y0
            while (x, y) != (x1, y1):
                x, y = x + dx, y + dy
                out.append((x, y))
        return out

    def segments(self) -> set[tuple[Node, Node]]:
        """The unit segments the route draws, each as an ordered pair of neighbouring nodes."""
        nodes = self.nodes()
        return {(min(a, b), max(a, b)) for a, b in itertools.pairwise(nodes)}


@dataclass(frozen=True)
class Page:
    index: int
    rows: tuple[int, ...]  # indices into Layout.rows
    height: int  # levels


@dataclass(frozen=True)
class Layout:
    lanes: tuple[str, ...]
    tracks: int
    channels: int
    rows: tuple[Row, ...]
    symbols: tuple[Symbol, ...]
    routes: tuple[Route, ...]
    pages: tuple[Page, ...]
    joined: bool = False  # arrows into one symbol had to join before it: it has more coming in than sides
    tangled: bool = False  # some arrow had to share a segment anyway (no form a person writes comes to this)

    @property
    def lane_width(self) -> int:
        return 2 * self.tracks + 3

    @property
    def width(self) -> int:
        return len(self.lanes) * self.lane_width

    def center(self, lane: int) -> int:
        return lane * self.lane_width + self.tracks + 1

    def lane_at(self, x: int) -> int:
        return min(len(self.lanes) - 1, max(0, x // self.lane_width))

    def step_row(self, no: int) -> int:
        return next(i for i, row in enumerate(self.rows) if row.kind == "step" and row.step == no)


# ------------------------------------------------------------------ building


@dataclass
class _Connector:
    page: int
    at_top: bool
    lane: int
    role: str  # out or in
    target: int
    source: int
    key: tuple[Any, ...]


@dataclass
class _Want:
    """A route to find: from one symbol to another."""

    start: int
    end: int
    source: str
    target: str
    label: str | None
    back: bool
    order: tuple[int, ...]
    groups: frozenset[Any] = frozenset()  # what it may share segments with: routes with a group in common


class _Plan:
    """The rows, symbols and wanted routes of a flow for given `tracks` and `channels`."""

    def __init__(self, lanes: Sequence[str], steps: list[FlowStep], breaks: Sequence[int]) -> None:
        self.lanes = tuple(lanes)
        self.index = {lane: i for i, lane in enumerate(self.lanes)}
        self.steps = steps
        self.position = {s.no: i for i, s in enumerate(steps)}
        starts = sorted({b for b in breaks if 0 < b < len(steps)})
        self.page_of = [sum(1 for b in starts if b <= i) for i in range(len(steps))]
        self.page_count = (self.page_of[-1] + 1) if steps else 1
        self.connectors = self._connectors()

    def lane(self, actor: str) -> int:
        return self.index.get(actor, 0)

    def _connectors(self) -> list[_Connector]:
        """Every arrow between steps on different pages becomes two: one to a connector on the source's page
        (one per lane of the source), one from a connector on the target's page (one per lane of the target)."""
        found: dict[tuple[Any, ...], _Connector] = {}
        for i, step in enumerate(self.steps):
            for target, label in step.targets:
                if target == END or not isinstance(target, int) or target not in self.position:
                    continue
                j = self.position[target]
                here, there = self.page_of[i], self.page_of[j]
                if here == there:
                    continue
                forward = there > here
                key: tuple[Any, ...]
                for lane in step.lanes:
                    key = ("out", step.no, lane, target, label)
                    found[key] = _Connector(here, not forward, self.lane(lane), "out", target, step.no, key)
                for lane in self.steps[j].lanes:
                    key = ("in", step.no, target, lane, label)
                    found[key] = _Connector(there, forward, self.lane(lane), "in", target, step.no, key)
        return list(found.values())

    def _connector_rows(self, page: int, at_top: bool) -> list[list[_Connector]]:
        """Connectors of one edge of a page, at most one per lane in a row, each in its own lane if it can."""
        rows: list[list[_Connector]] = []
        for item in (c for c in self.connectors if c.page == page and c.at_top == at_top):
            taken = [{c.lane for c in row} for row in rows]
            home = next((k for k, used in enumerate(taken) if item.lane not in used), None)
            if home is None and rows and len(taken[-1]) < len(self.lanes):
                free = [lane for lane in range(len(self.lanes)) if lane not in taken[-1]]
                item.lane = min(free, key=lambda lane: (abs(lane - item.lane), lane))
                home = len(rows) - 1
            if home is None:
                rows.append([])
                home = len(rows) - 1
            rows[home].append(item)
        return rows

    def build(self, tracks: int, channels: int) -> tuple[list[Row], list[Symbol], list[_Want], list[int]]:
        rows: list[Row] = []
        symbols: list[Symbol] = []
        wants: list[_Want] = []
        heights: list[int] = []
        width = 2 * tracks + 3
        placed: dict[tuple[Any, ...], int] = {}  # step symbols by (no, lane), connectors by key

        def center(lane: int) -> int:
            return lane * width + tracks + 1

        def add(kind: str, step: str, lane: int, row: int, page: int, y: int, role: str, source: str = "") -> int:
            symbols.append(Symbol(kind, step, self.lanes[lane], row, page, center(lane), y, role, source))
            return len(symbols) - 1

        for page in range(self.page_count):
            top = 0
            members = [i for i, p in enumerate(self.page_of) if p == page]
            layers: list[tuple[str, Any]] = [("connector", r) for r in self._connector_rows(page, True)]
            layers += [("step", i) for i in members]
            layers += [("connector", r) for r in self._connector_rows(page, False)]
            for n, (kind, item) in enumerate(layers):
                levels: list[str] = [RULE] if n else []
                if kind == "step":
                    step = self.steps[item]
                    first = item == 0
                    ends = any(t == END for t, _l in step.targets)
                    levels += ([TOP, LINK] if first else []) + [BAND] + ([LINK, FOOT] if ends else [])
                    levels += [CHANNEL] * channels
                    row = Row("step", step.no, page, tuple(levels), top)
                    rows.append(row)
                    r = len(rows) - 1
                    shape = DECISION if step.decision else PROCESS
                    for actor in step.lanes:
                        lane = self.lane(actor)
                        placed[("step", step.no, actor)] = add(shape, str(step.no), lane, r, page, row.y(BAND), "step")
                        if first:
                            s = add(TERMINATOR, START, lane, r, page, row.y(TOP), "start")
                            wants.append(
                                _Want(
                                    s,
                                    placed[("step", step.no, actor)],
                                    START,
                                    str(step.no),
                                    None,
                                    False,
                                    (0, 0, 0),
                                    frozenset({s}),
                                )
                            )
                        if ends:
                            e = add(TERMINATOR, END, lane, r, page, row.y(FOOT), "end")
                            placed[("end", step.no, actor)] = e
                else:
                    levels += [BAND] + ([CHANNEL] * channels if n == 0 and len(layers) > 1 else [])
                    row = Row("connector", None, page, tuple(levels), top)
                    rows.append(row)
                    r = len(rows) - 1
                    for c in item:
                        placed[c.key] = add(OFFPAGE, str(c.target), c.lane, r, page, row.y(BAND), c.role, str(c.source))
                top += len(levels)
            heights.append(top)
        for i, step in enumerate(self.steps):
            wants += self._wants(i, step, placed, rows, symbols)
        wants.sort(key=lambda w: w.order)
        return rows, symbols, wants, heights

    def _wants(
        self, i: int, step: FlowStep, placed: dict[tuple[Any, ...], int], rows: list[Row], symbols: list[Symbol]
    ) -> list[_Want]:
        out = []
        no = str(step.no)

        def want(start: int, end: int, target: str, label: str | None, back: bool) -> _Want:
            a, b = symbols[start], symbols[end]
            span = abs(b.y - a.y)
            # links first, then straight drops within a lane, then the rest, shortest first; loops last
            order = (1 if span <= 2 else 2 + 2 * int(back) + int(a.x != b.x), span, abs(b.x - a.x))
            return _Want(start, end, no, target, label, back, order, frozenset({(no, target, label, a.role, b.role)}))

        for target, label in step.targets:
            if target == END:
                for actor in step.lanes:
                    out.append(
                        want(placed[("step", step.no, actor)], placed[("end", step.no, actor)], END, label, False)
                    )
                continue
            if not isinstance(target, int) or target not in self.position:
                continue
            j = self.position[target]
            if self.page_of[i] == self.page_of[j]:
                for actor in step.lanes:
                    for other in self.steps[j].lanes:
                        a, b = placed[("step", step.no, actor)], placed[("step", target, other)]
                        out.append(want(a, b, str(target), label, j <= i))
                continue
            forward = self.page_of[j] > self.page_of[i]
            for actor in step.lanes:
                connector = placed[("out", step.no, actor, target, label)]
                out.append(want(placed[("step", step.no, actor)], connector, str(target), label, not forward))
            for other in self.steps[j].lanes:
                connector = placed[("in", step.no, target, other, label)]
                out.append(want(connector, placed[("step", target, other)], str(target), label, not forward))
        return out


class _Grid:
    """One page's nodes: what blocks them, which symbol's port they are, and which routes use them.

    Arrows of one hand-over (the same source step, target step and outcome: e.g. from either lane of an
    `any` step to each lane of the next) may share their segments, merging and forking like the lines of
    the paper form; arrows of different hand-overs never share one and cross only at right angles."""

    def __init__(self, width: int, levels: list[str], symbols: list[tuple[int, Symbol]]) -> None:
        self.width, self.levels = width, levels
        self.blocked: set[Node] = set()
        self.strict: dict[Node, int] = {}  # the node straight above or below a symbol: its own arrows only
        self.soft: dict[Node, int] = {}  # side ports and the corners above and below: passable, not bendable
        # (h, v or x, the groups every route there has in common); x: a bend, an end, a crossing
        self.used: dict[Node, tuple[str, frozenset[Any]]] = {}
        self.moves: dict[Any, set[tuple[Node, Node]]] = {}  # each group's unit moves, in its direction
        for index, s in symbols:
            self.blocked.update({(s.x - 1, s.y), (s.x, s.y), (s.x + 1, s.y)})
            for node in ((s.x, s.y - 1), (s.x, s.y + 1)):
                self.strict.setdefault(node, index)
            for node in ((s.x - 2, s.y), (s.x + 2, s.y), *((s.x + d, s.y + e) for d in (-1, 1) for e in (-1, 1))):
                self.soft.setdefault(node, index)

    def inside(self, node: Node, low: int, high: int) -> bool:
        return 0 <= node[0] < self.width and low <= node[1] <= high

    def open_to(self, node: Node, groups: frozenset[Any]) -> bool:
        """Whether a route may end, start or bend at the node: unused, or used only by routes it may share with."""
        if node in self.blocked or not 0 <= node[1] < len(self.levels):
            return False
        use = self.used.get(node)
        return use is None or bool(use[1] & groups)

    def shares(self, node: Node, groups: frozenset[Any]) -> bool:
        use = self.used.get(node)
        return use is not None and bool(use[1] & groups)

    def mark(self, nodes: list[Node], groups: frozenset[Any]) -> None:
        for group in groups:
            self.moves.setdefault(group, set()).update(itertools.pairwise(nodes))
        for k, node in enumerate(nodes):
            if k == 0 or k == len(nodes) - 1:
                axis = "x"
            else:
                before, after = nodes[k - 1], nodes[k + 1]
                bent = before[0] != after[0] and before[1] != after[1]
                axis = "x" if bent else "h" if before[1] == after[1] else "v"
            old = self.used.get(node)
            if old is None:
                self.used[node] = (axis, groups)
            elif old[1] & groups:
                self.used[node] = (old[0] if old[0] == axis else "x", old[1] & groups)
            else:
                self.used[node] = ("x", frozenset())


# Costs, in quarter steps: a bend costs as much as three steps; running along an arrow of the same
# hand-over costs a quarter, so that its arrows merge and fork instead of running side by side.
UNIT, SHARED, BEND, CROSSING, BESIDE, OFF_CHANNEL = 4, 1, 12, 8, 16, 4


def _ports(symbol: Symbol, leaving: bool) -> list[tuple[Node, int, int]]:
    """(node, direction of travel there, cost) for each port an arrow may leave or enter the symbol by."""
    x, y = symbol.x, symbol.y
    sides = [((x + 2, y), RIGHT if leaving else LEFT, 8), ((x - 2, y), LEFT if leaving else RIGHT, 8)]
    if leaving:
        ports = [((x, y + 1), DOWN, 0), *sides, ((x - 1, y + 1), DOWN, 20), ((x + 1, y + 1), DOWN, 20)]
        if symbol.kind == OFFPAGE:
            ports.append(((x, y - 1), UP, 4))
        return [] if symbol.role == END else ports if symbol.role != START else ports[:1]
    ports = [((x, y - 1), DOWN, 0), *sides, ((x - 1, y - 1), DOWN, 20), ((x + 1, y - 1), DOWN, 20)]
    if symbol.kind == OFFPAGE:
        ports.append(((x, y + 1), UP, 4))
    return ports


def _route(grid: _Grid, want: _Want, symbols: list[Symbol], low: int, high: int) -> list[Node] | None:
    """The cheapest path from a free port of the source to a free port of the target, passing no symbol,
    sharing no segment with another hand-over, bending nowhere another hand-over passes."""
    return _Search(grid, want, symbols, low, high).run()


class _Search:
    """One shortest-path search (Dijkstra over node and direction, a bend costing extra)."""

    def __init__(self, grid: _Grid, want: _Want, symbols: list[Symbol], low: int, high: int) -> None:
        self.grid, self.want, self.low, self.high = grid, want, low, high
        self.groups = want.groups
        self.mine: set[tuple[Node, Node]] = set().union(*(grid.moves.get(g, set()) for g in want.groups))
        self.own = (want.start, want.end)
        self.source, target = symbols[want.start], symbols[want.end]
        self.goals = {n: (d, c) for n, d, c in _ports(target, leaving=False) if grid.open_to(n, self.groups)}

    def run(self) -> list[Node] | None:
        grid, goals = self.grid, self.goals
        queue: list[tuple[int, int, Node, int]] = []
        best: dict[tuple[Node, int], int] = {}
        parent: dict[tuple[Node, int], tuple[Node, int] | None] = {}
        count = itertools.count()
        for node, d, cost in _ports(self.source, leaving=True):
            if grid.open_to(node, self.groups) and grid.inside(node, self.low, self.high):
                best[(node, d)] = cost
                parent[(node, d)] = None
                heapq.heappush(queue, (cost, next(count), node, d))
        while queue:
            cost, _n, node, d = heapq.heappop(queue)
            if cost > best.get((node, d), cost):
                continue
            if node in goals and goals[node][0] == d:
                return _walk_back(parent, (node, d))
            for nd in (d, (d + 1) % 4, (d + 3) % 4):
                step = self.step(node, d, nd)
                if step is None:
                    continue
                nxt, price = step
                total = cost + price
                if total < best.get((nxt, nd), total + 1):
                    best[(nxt, nd)] = total
                    parent[(nxt, nd)] = (node, d)
                    heapq.heappush(queue, (total, next(count), nxt, nd))
        return None

    def step(self, node: Node, d: int, nd: int) -> tuple[Node, int] | None:
        """The next node and the cost of moving there, or None where the rules forbid it."""
        grid = self.grid
        x, y = node
        nxt = (x + MOVES[nd][0], y + MOVES[nd][1])
        if not (0 <= nxt[0] < grid.width and self.low <= nxt[1] <= self.high) or nxt in grid.blocked:
            return None
        if (nxt, node) in self.mine:
            return None  # against the flow of an arrow it shares with
        price = UNIT
        if nd != d:
            if grid.levels[y] in STRAIGHT_ONLY or not grid.open_to(node, self.groups) or node in self.goals:
                return None
            if grid.soft.get(node, self.want.start) not in self.own:
                return None
            price += BEND
        if (node, nxt) in self.mine and grid.shares(nxt, self.groups):
            return nxt, SHARED + price - UNIT
        horizontal = nd in (LEFT, RIGHT)
        level = grid.levels[nxt[1]]
        if horizontal and level in STRAIGHT_ONLY:
            return None
        goal = self.goals.get(nxt)
        if goal is not None:
            return (nxt, price + goal[1]) if goal[0] == nd else None
        if nxt in grid.strict:
            return None
        use = grid.used.get(nxt)
        if use is not None and not use[1] & self.groups:
            if use[0] == "x" or use[0] == ("h" if horizontal else "v"):
                return None
            price += CROSSING
        if grid.soft.get(nxt, self.want.start) not in self.own:
            price += BESIDE
        if horizontal and level != CHANNEL:
            price += OFF_CHANNEL
        return nxt, price


def _walk_back(parent: dict[tuple[Node, int], tuple[Node, int] | None], last: tuple[Node, int]) -> list[Node]:
    nodes = []
    state: tuple[Node, int] | None = last
    while state is not None:
        nodes.append(state[0])
        state = parent[state]
    return nodes[::-1]


def _corners(nodes: list[Node]) -> tuple[Node, ...]:
    if len(nodes) <= 2:
        return tuple(nodes)
    keep = [nodes[0]]
    for before, here, after in zip(nodes, nodes[1:], nodes[2:], strict=False):
        if (before[0] == here[0]) != (here[0] == after[0]):
            keep.append(here)
    keep.append(nodes[-1])
    return tuple(keep)


def _direction(a: Node, b: Node) -> int:
    if b[0] > a[0]:
        return RIGHT
    if b[0] < a[0]:
        return LEFT
    return DOWN if b[1] > a[1] else UP


def _exit(nodes: list[Node], symbol: Symbol) -> int:
    first = nodes[0]
    if first[1] > symbol.y:
        return DOWN
    if first[1] < symbol.y:
        return UP
    return RIGHT if first[0] > symbol.x else LEFT


def _entry(nodes: list[Node], symbol: Symbol) -> int:
    last = nodes[-1]
    if last[1] < symbol.y:
        return DOWN
    if last[1] > symbol.y:
        return UP
    return LEFT if last[0] > symbol.x else RIGHT


def _window(want: _Want, symbols: list[Symbol], rows: list[Row]) -> tuple[int, int]:
    a, b = rows[symbols[want.start].row], rows[symbols[want.end].row]
    page = [r for r in rows if r.page == a.page]
    first, last = min(a.top, b.top), max(a.bottom, b.bottom)
    above = [r.top for r in page if r.bottom < first]
    below = [r.bottom for r in page if r.top > last]
    return (max(above) if above else first), (min(below) if below else last)


CLEAN, JOIN, TANGLE = "clean", "join", "tangle"


def _attempt(
    plan: _Plan, tracks: int, channels: int, mode: str, first: Sequence[int] = ()
) -> tuple[Layout | None, int]:
    """The layout at this size, or None and the arrow that found no clean route. The arrows `first` are
    routed before the others. In JOIN mode the arrows into one symbol may join before it (as on paper,
    when it has more arrows coming in than sides); in TANGLE mode an arrow that still finds no way
    shares segments with others."""
    rows, symbols, wants, heights = plan.build(tracks, channels)
    order = [*first, *(i for i in range(len(wants)) if i not in first)]
    if mode != CLEAN:
        wants = [replace(w, groups=w.groups | {("into", w.end)}) for w in wants]
    width = len(plan.lanes) * (2 * tracks + 3)
    routes: list[Route] = []
    grids = []
    for page, height in enumerate(heights):
        levels = [""] * height
        for row in rows:
            if row.page == page:
                for k, kind in enumerate(row.levels):
                    levels[row.top + k] = kind
        grids.append(_Grid(width, levels, [(i, s) for i, s in enumerate(symbols) if s.page == page]))
    tangled = False
    for index in order:
        want = wants[index]
        source = symbols[want.start]
        grid = grids[source.page]
        low, high = _window(want, symbols, rows)
        nodes = _route(grid, want, symbols, low, high)
        if nodes is None:
            if mode != TANGLE:
                return None, index
            nodes = _forced(grid, want, symbols)
            tangled = True
        grid.mark(nodes, want.groups)
        target = symbols[want.end]
        routes.append(
            Route(
                want.source,
                want.target,
                want.label,
                source.page,
                _corners(nodes),
                want.start,
                want.end,
                _exit(nodes, source),
                _entry(nodes, target),
                want.back,
            )
        )
    pages = tuple(
        Page(p, tuple(i for i, r in enumerate(rows) if r.page == p), heights[p]) for p in range(plan.page_count)
    )
    routes = [route for _index, route in sorted(zip(order, routes, strict=True), key=lambda pair: pair[0])]
    layers = (tuple(rows), tuple(symbols), tuple(routes), pages)
    return Layout(plan.lanes, tracks, channels, *layers, joined=mode != CLEAN, tangled=tangled), -1


def _forced(grid: _Grid, want: _Want, symbols: list[Symbol]) -> list[Node]:
    """The last resort when no clean route exists: ignore the other routes (symbols are still avoided)."""
    saved = grid.used
    grid.used = {}
    try:
        nodes = _route(grid, want, symbols, 0, len(grid.levels) - 1)
    finally:
        grid.used = saved
    if nodes is None:  # not even around the symbols: a straight line from port to port
        a, b = symbols[want.start], symbols[want.end]
        nodes = [(a.x, a.y + 1), (a.x, b.y - 1)] if b.y > a.y else [(a.x + 2, a.y), (a.x + 2, b.y), (b.x + 2, b.y)]
    return nodes


# Room to try, smallest first: more channels cost only height, more tracks widen every lane.
SIZES = ((1, 1), (1, 2), (1, 3), (2, 2), (2, 3), (MAX_TRACKS, MAX_CHANNELS))
RETRIES = 2  # at each size, the arrow that found no way is routed first at the next try


def _sizes(plan: _Plan) -> list[tuple[int, int]]:
    """The sizes to try; the largest has at least a track beside the lanes for every long arrow that
    passes a row, and every connector stacked at a page's edge (where few lanes carry many jumps)."""
    passing = [0] * (len(plan.steps) + 1)
    for i, step in enumerate(plan.steps):
        for target, _label in step.targets:
            j = plan.position.get(target) if isinstance(target, int) else None
            if j is not None and abs(j - i) > 1:
                for k in range(min(i, j), max(i, j)):
                    passing[k] += 1
    edges: dict[tuple[int, bool], int] = {}
    for connector in plan.connectors:
        edges[(connector.page, connector.at_top)] = edges.get((connector.page, connector.at_top), 0) + 1
    busiest = max(passing) + max(edges.values(), default=0)
    needed = -(-busiest // (2 * len(plan.lanes))) + 1
    return [*SIZES, (needed, MAX_CHANNELS)] if needed > MAX_TRACKS else list(SIZES)


def layout(lanes: Sequence[str], steps: Sequence[dict[str, Any]], breaks: Sequence[int] = ()) -> Layout:
    """The flowchart of `steps` (an SOP document's or a report's) over `lanes` (actor ids, left to right);
    `breaks` are the indexes of the steps that begin a new page."""
    plan = _Plan(lanes, flow_steps(steps), breaks)
    sizes = _sizes(plan)
    for mode in (CLEAN, JOIN):
        for tracks, channels in sizes:
            first: list[int] = []
            for _try in range(RETRIES):
                found, failed = _attempt(plan, tracks, channels, mode, first)
                if found is not None:
                    return found
                if failed in first:
                    break
                first.insert(0, failed)
    forced, _none = _attempt(plan, *sizes[-1], TANGLE)
    assert forced is not None
    return forced


def paginate(heights: Sequence[float], room: float, first: float | None = None) -> list[int]:
    """The indexes of the rows that begin a new page, so that every page's rows fit in `room` (`first` for
    the first page); a row taller than a page gets a page of its own."""
    breaks: list[int] = []
    left = room if first is None else first
    used = 0.0
    for i, height in enumerate(heights):
        if used and used + height > left:
            breaks.append(i)
            left, used = room, 0.0
        used += height
    return breaks
