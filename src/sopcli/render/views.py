"""The terminal views (SOP form, run report, lists, audit trail, statistics) as styled lines; they take
their data through `for_terminal`, and leave only the printing to Rich."""

from __future__ import annotations

from typing import Any

from sopcli.i18n import _
from sopcli.render import for_terminal, lane_mark, one_line, taken_edges
from sopcli.render import words as w
from sopcli.render.charset import ASCII, UNICODE, Charset
from sopcli.render.grid import Cell, Column, Line, char_width, draw, text_width, wrap

WIDE = 120  # from here the Mutu Baku columns stand beside the activity
NAMED_LANES = 150  # from here the lane columns carry the lanes' names instead of letters
STYLES = {
    "on_time": "green",
    "late": "red",
    "done": "blue",
    "active": "cyan",
    "overdue": "bold red",
    "pending": "dim",
    "not_needed": "dim",
    "forced": "bold",
}


def legend(cs: Charset, kinds: tuple[str, ...], day_minutes: float) -> Line:
    items = "  ".join(f"{cs.marks[k]} {_(w.MARK_NAMES[k])}" for k in kinds)
    return [(f"{items}  ·  {w.day_length(day_minutes)}", "dim")]


def pairs(rows: list[tuple[str, str]], width: int) -> list[Line]:
    """Label / value lines, the values wrapped and aligned under each other."""
    if not rows:
        return []
    label_width = max(len(label) for label, _v in rows) + 1
    lines: list[Line] = []
    for label, value in rows:
        wrapped = wrap(Cell.of(value), max(20, width - label_width))
        for n, line in enumerate(wrapped):
            head = label.ljust(label_width) if n == 0 else " " * label_width
            lines.append([(head, "bold" if n == 0 else ""), *line])
    return lines


def lane_headers(names: list[str], width: int) -> tuple[list[str], Line | None]:
    """Lane column titles: full names when there is room, else letters with a legend."""
    if width >= NAMED_LANES:
        return names, None
    letters = [chr(ord("A") + i) if i < 26 else f"L{i + 1}" for i in range(len(names))]
    text = _("Lanes") + ": " + "  ".join(f"{letter} = {name}" for letter, name in zip(letters, names, strict=True))
    return letters, [(text, "dim")]


# ------------------------------------------------------------------ the flowchart in the lane columns

UP, RIGHT, DOWN, LEFT = 1, 2, 4, 8  # the sides a character of a line joins, as bits
_DIRECTION_BITS = (UP, RIGHT, DOWN, LEFT)  # layout.UP, RIGHT, DOWN, LEFT -> bits
_LINES = {
    UP | DOWN: "│",
    LEFT | RIGHT: "─",
    DOWN | RIGHT: "┌",
    DOWN | LEFT: "┐",
    UP | RIGHT: "└",
    UP | LEFT: "┘",
    UP | DOWN | RIGHT: "├",
    UP | DOWN | LEFT: "┤",
    LEFT | RIGHT | DOWN: "┬",
    LEFT | RIGHT | UP: "┴",
    UP | RIGHT | DOWN | LEFT: "┼",
    UP: "│",
    DOWN: "│",
    LEFT: "─",
    RIGHT: "─",
}
_HEADS = {DOWN: "▼", UP: "▲", RIGHT: "→", LEFT: "←"}  # the way an arrow goes into its symbol
_ASCII_HEADS = {DOWN: "v", UP: "^", RIGHT: ">", LEFT: "<"}
SHOW_GLYPHS = {"process": "[■]", "decision": "<◆>", "terminator": "( )", "offpage": "(>)"}
ASCII_GLYPHS = {"process": "[#]", "decision": "<#>", "terminator": "( )", "offpage": "(>)"}
LABEL_REACH = 12  # how far along its branch an outcome's name is looked for a place
ROOM_BESIDE_FLOW = 48  # what the other columns of the table need at least, with the frame
ROOM_BESIDE_FLOW_WIDE = 96  # the same with the Mutu Baku columns beside the activity


def _line_char(bits: int, cs: Charset) -> str:
    if cs is ASCII:
        return "|" if bits in (UP | DOWN, UP, DOWN) else "-" if bits in (LEFT | RIGHT, LEFT, RIGHT) else "+"
    return _LINES.get(bits, "┼")


class FlowCanvas:
    """The flowchart in the table's lane column: the layout's symbols, routes and outcome names as
    characters, one line per level of each row; verticals run on through a row's extra lines and cross
    the rules between rows."""

    def __init__(
        self,
        flow: Any,
        column: int,
        lane_chars: int,
        cs: Charset,
        glyphs: list[tuple[str, str]],
        route_styles: list[str],
    ) -> None:
        self.flow, self.column, self.cs, self.lane_chars = flow, column, cs, lane_chars
        self.width = len(flow.lanes) * lane_chars
        self.pad = (lane_chars - flow.lane_width) // 2
        height = flow.pages[0].height if flow.pages else 0
        self.chars = [[(" ", "")] * self.width for _ in range(height)]
        self.bits = [[0] * self.width for _ in range(height)]
        self.heads: dict[tuple[int, int], int] = {}
        for route, style in zip(flow.routes, route_styles, strict=True):
            self._route(route, style)
        for y, row in enumerate(self.bits):
            for x, bits in enumerate(row):
                if bits:
                    char = self._head(x, y) or _line_char(bits, cs)
                    self.chars[y][x] = (char, self.chars[y][x][1])
        for symbol, (text, style) in zip(flow.symbols, glyphs, strict=True):
            for k, ch in enumerate(text[:3]):
                self.chars[symbol.y][self.x(symbol.x - 1 + k)] = (ch, style)
            beside = self.x(symbol.x + 2)
            if text[3:] and self.chars[symbol.y][beside][0] == " ":  # a forced part's * where no arrow leaves
                self.chars[symbol.y][beside] = (text[3], STYLES["forced"])
        self._labels()

    def x(self, unit: int) -> int:
        """The character column of a grid unit: lanes widened evenly, the flow centred in each."""
        lane, inner = divmod(unit, self.flow.lane_width)
        return lane * self.lane_chars + self.pad + inner

    def _head(self, x: int, y: int) -> str:
        way = self.heads.get((x, y))
        if way is None:
            return ""
        return (_ASCII_HEADS if self.cs is ASCII else _HEADS)[way]

    def _join(self, x: int, y: int, bits: int, style: str) -> None:
        self.bits[y][x] |= bits
        old = self.chars[y][x][1]
        self.chars[y][x] = (" ", style if not old or style == "bold" else old)

    def _route(self, route: Any, style: str) -> None:
        nodes = route.nodes()
        start_x, start_y = self.x(nodes[0][0]), nodes[0][1]
        self._join(start_x, start_y, _DIRECTION_BITS[(route.exit + 2) % 4], style)
        for (x0, y0), (x1, y1) in zip(nodes, nodes[1:], strict=False):
            a, b = self.x(x0), self.x(x1)
            if y0 == y1:
                step = 1 if b > a else -1
                self._join(a, y0, RIGHT if step > 0 else LEFT, style)
                for x in range(a + step, b, step):
                    self._join(x, y0, LEFT | RIGHT, style)
                self._join(b, y1, LEFT if step > 0 else RIGHT, style)
            else:
                self._join(a, y0, DOWN if y1 > y0 else UP, style)
                self._join(b, y1, UP if y1 > y0 else DOWN, style)
        end_x, end_y = self.x(nodes[-1][0]), nodes[-1][1]
        self._join(end_x, end_y, _DIRECTION_BITS[route.entry], style)
        self.heads[(end_x, end_y)] = _DIRECTION_BITS[route.entry]

    def _labels(self) -> None:
        """Each outcome's name beside its branch, where the characters around the branch are free."""
        done: set[tuple[int, str]] = set()
        for route in self.flow.routes:
            if not route.label or (route.start, route.label) in done or self.flow.symbols[route.start].role == "in":
                continue
            done.add((route.start, route.label))
            text = route.label
            if not text.isascii() and any(char_width(c) != 1 for c in text):
                continue
            for ux, y in route.nodes()[:LABEL_REACH]:
                if self.flow.pages[0] and self._level(y) == "rule":
                    continue
                x = self.x(ux)
                spots = (x + 2, x + 1, x - len(text) - 1, x - len(text))
                spot = next((at for at in spots if self._free(at, y, len(text))), None)
                if spot is not None:
                    for k, ch in enumerate(text):
                        self.chars[y][spot + k] = (ch, "italic")
                    break

    def _free(self, at: int, y: int, length: int) -> bool:
        return 0 <= at and at + length <= self.width and all(c == " " for c, _s in self.chars[y][at : at + length])

    def _level(self, y: int) -> str:
        for row in self.flow.rows:
            if row.top <= y <= row.bottom:
                return str(row.levels[y - row.top])
        return ""

    def _lines(self, row: Any) -> list[int]:
        return [row.top + k for k, kind in enumerate(row.levels) if kind != "rule"]

    def min_height(self, row: int) -> int:
        return len(self._lines(self.flow.rows[row]))

    def body(self, row: int, height: int) -> list[Line]:
        levels = self._lines(self.flow.rows[row])
        lines = [_spans(self.chars[y]) for y in levels]
        last = levels[-1] if levels else None
        for _extra in range(height - len(levels)):
            run = [(" ", "")] * self.width
            if last is not None:
                for x, bits in enumerate(self.bits[last]):
                    if bits & DOWN:
                        run[x] = (_line_char(UP | DOWN, self.cs), self.chars[last][x][1])
            lines.append(_spans(run))
        return lines

    def rule(self, row: int) -> str:
        """The rule under `row`, with the lines that cross it."""
        h = self.cs.box.h
        below = row + 1
        if below >= len(self.flow.rows) or "rule" not in self.flow.rows[below].levels:
            return h * (self.width + 2)
        y = self.flow.rows[below].top
        text = ""
        for x, bits in enumerate(self.bits[y]):
            text += self._head(x, y) or (self.cs.box.mm if bits & (UP | DOWN) else h)
        return h + text + h


class MarksCanvas:
    """The lane column where the lanes are too many for the flow at this width: each step's mark in its
    lanes' columns, without connectors (the activity says where the work goes)."""

    def __init__(self, flow: Any, column: int, lane_chars: int, cs: Charset, glyphs: list[tuple[str, str]]) -> None:
        self.flow, self.column, self.cs, self.lane_chars = flow, column, cs, lane_chars
        self.width = len(flow.lanes) * lane_chars
        self.marks: dict[int, list[tuple[int, str, str]]] = {}
        for symbol, (text, style) in zip(flow.symbols, glyphs, strict=True):
            if symbol.role == "step":
                mark = text[1] if len(text) >= 3 else text
                self.marks.setdefault(symbol.row, []).append((self.x(symbol.x), mark, style))

    def x(self, unit: int) -> int:
        return (unit // self.flow.lane_width) * self.lane_chars + self.lane_chars // 2

    def min_height(self, row: int) -> int:
        return 1

    def body(self, row: int, height: int) -> list[Line]:
        chars = [(" ", "")] * self.width
        for x, mark, style in self.marks.get(row, []):
            chars[x] = (mark, style)
        return [_spans(chars)] + [[(" " * self.width, "")] for _extra in range(height - 1)]

    def rule(self, row: int) -> str:
        return self.cs.box.h * (self.width + 2)


def _spans(chars: list[tuple[str, str]]) -> Line:
    line: Line = []
    for ch, style in chars:
        if line and line[-1][1] == style:
            line[-1] = (line[-1][0] + ch, style)
        else:
            line.append((ch, style))
    return line


def flow_column(
    lanes: list[dict[str, Any]],
    steps: list[dict[str, Any]],
    width: int,
    cs: Charset,
    column: int,
    glyph: Any,
    route_style: Any = None,
) -> tuple[Column, FlowCanvas | MarksCanvas, Line | None]:
    """The lane column of the form's table drawn as its flowchart: lane letters (or names, from
    NAMED_LANES columns) over the lanes, each step's symbol in its lanes, the arrows between them.
    `glyph(symbol)` gives each symbol's text and style, `route_style(route)` each arrow's style."""
    from sopcli.layout import layout

    flow = layout([lane["id"] for lane in lanes], steps)
    names, key = lane_headers([lane["name"] for lane in lanes], width)
    lane_chars = flow.lane_width
    if key is None:
        lane_chars = max(lane_chars, min(14, max(text_width(n) for n in names) + 1))
    glyphs = [glyph(symbol) for symbol in flow.symbols]
    room = width - (ROOM_BESIDE_FLOW_WIDE if width >= WIDE else ROOM_BESIDE_FLOW)
    canvas: FlowCanvas | MarksCanvas
    if len(lanes) * lane_chars > room and len(lanes) > 1:
        canvas = MarksCanvas(flow, column, max(2, min(lane_chars, room // len(lanes))), cs, glyphs)
    else:
        styles = [route_style(route) if route_style else "" for route in flow.routes]
        canvas = FlowCanvas(flow, column, lane_chars, cs, glyphs, styles)
    header = _flow_header(names, canvas.lane_chars, canvas)
    return Column(header, weight=0, fixed=canvas.width), canvas, key


def _flow_header(names: list[str], lane_chars: int, canvas: FlowCanvas | MarksCanvas) -> Cell:
    """Each lane's letter or name centred over its symbols, a name wrapped within its lane."""
    wrapped = [[_plain(line) for line in wrap(Cell.of(name), max(1, lane_chars - 1))] for name in names]
    height = max((len(w) for w in wrapped), default=1)
    rows = []
    for n in range(height):
        text = ""
        for lane, lines in enumerate(wrapped):
            part = lines[n] if n < len(lines) else ""
            middle = canvas.x(canvas.flow.center(lane)) - lane * lane_chars
            start = max(0, min(lane_chars - text_width(part), middle - text_width(part) // 2))
            piece = " " * start + part
            text += piece + " " * max(0, lane_chars - text_width(piece))
        rows.append(text.rstrip() or " ")
    return Cell.of("\n".join(rows))


def _plain(line: Line) -> str:
    return "".join(text for text, _s in line)


# ------------------------------------------------------------------ SOP definitions


def sop_list(rows: list[dict[str, Any]], width: int, cs: Charset) -> list[Line]:
    rows = for_terminal(rows)
    columns = [
        Column(Cell.of("id"), weight=0.3),
        Column(Cell.of(_("SOP number")), weight=0.5),
        Column(Cell.of(_("Title")), weight=2, floor=20),
        Column(Cell.of(_("Steps"), align="right"), weight=0.1),
        Column(Cell.of(_("Standard"), align="right"), weight=0.4),
        Column(Cell.of(_("Source")), weight=0.6, cap=24),
    ]
    wide = width >= 100
    if not wide:  # the source goes under the title
        columns.pop()
    cells = [
        [
            Cell.of(r["id"], "bold"),
            Cell.of(r["number"]),
            Cell.of(r["title"]).add("" if wide else f"\n{_source(r)}", "dim"),
            Cell.of(str(r["steps"]), align="right"),
            Cell.of(w.minutes(r["standard_minutes"], r["day_minutes"]), align="right"),
            *([Cell.of(_source(r))] if wide else []),
        ]
        for r in rows
    ]
    lines = draw(columns, cells, width, cs.box)
    for r in rows:
        for path in r["shadows"]:
            lines.append(
                [
                    (
                        _(
                            "{path} is not used: {id} is already found at {first}",
                            path=path,
                            id=r["id"],
                            first=r["path"],
                        ),
                        "yellow",
                    )
                ]
            )
    return lines


def _source(row: dict[str, Any]) -> str:
    """Where an SOP came from: the bundled file's name, ./sops/NAME, or the full path from SOP_PATH."""
    name = row["path"].replace("\\", "/").rsplit("/", 1)[-1]
    if row["source"] == "bundled":
        return _("bundled") + f": {name}"
    if row["source"] == "./sops":
        return f"./sops/{name}"
    return row["path"]


def sop_view(doc: dict[str, Any], width: int, cs: Charset) -> list[Line]:
    """The SOP as its paper form: the header block, the information block, then the flowchart table
    with its Mutu Baku; a merged Waktu cell where steps share one standard."""
    doc = for_terminal(doc)
    lines: list[Line] = [[(unit.upper() if i == 0 else unit, "bold")] for i, unit in enumerate(doc["organization"])]
    approval = doc.get("approved_by") or {}
    signed = (
        "\n".join(
            x
            for x in (approval.get("position"), approval.get("name"), approval.get("nip") and f"NIP. {approval['nip']}")
            if x
        )
        or "—"
    )
    revision = doc.get("revision")
    header = [
        (_("SOP number"), doc["number"]),
        (_("Date made"), w.long_date(_date(doc.get("created")))),
        (_("Date revised"), f"{revision['no']} ({w.long_date(_date(revision['date']))})" if revision else "—"),
        (_("Date effective"), w.long_date(_date(doc.get("effective")))),
        (_("Approved by"), signed),
        (_("SOP name"), doc["title"].upper()),
    ]
    columns = [Column(Cell.of(""), weight=0.3, cap=24), Column(Cell.of(""), weight=2)]
    table = draw(columns, [[Cell.of(k, "bold"), Cell.of(v)] for k, v in header], width, cs.box)
    lines += table[:1] + table[3:]  # no empty header row
    lines += _info_block(doc, width, cs)
    lines += _procedure(doc, width, cs)
    return lines


def _date(value: Any) -> Any:
    from datetime import date

    return date.fromisoformat(value) if isinstance(value, str) else value


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1)) or "—"


def _info_block(doc: dict[str, Any], width: int, cs: Charset) -> list[Line]:
    pairs_ = [
        (
            (_("Legal basis"), _numbered(doc["legal_basis"])),
            (_("Qualifications of the actors"), _numbered(doc["qualifications"])),
        ),
        ((_("Related SOPs"), _numbered(doc["related"])), (_("Equipment"), _numbered(doc["equipment"]))),
        ((_("Warning"), doc.get("warning") or "—"), (_("Records and data"), doc.get("records") or "—")),
    ]
    columns = [Column(Cell.of(pairs_[0][0][0])), Column(Cell.of(pairs_[0][1][0]))]
    rows = [[Cell.of(pairs_[0][0][1]), Cell.of(pairs_[0][1][1])]]
    for left, right in pairs_[1:]:
        rows.append([Cell.of(left[0], "bold"), Cell.of(right[0], "bold")])
        rows.append([Cell.of(left[1]), Cell.of(right[1])])
    merged = frozenset((r, c) for r in (1, 3) for c in (0, 1))
    return draw(columns, rows, width, cs.box, merged=merged)


def _bullets(items: list[str], cs: Charset) -> str:
    return "\n".join(f"{cs.bullet} {item}" for item in items) if len(items) > 1 else "".join(items)


def _flow_note(doc: dict[str, Any], i: int, cs: Charset) -> str:
    """Where the work goes after step i, when it is not simply the next row."""
    steps = doc["steps"]
    step = steps[i]
    following = steps[i + 1]["no"] if i + 1 < len(steps) else "end"
    if step.get("outcomes"):
        return "\n".join(f"{name} {cs.arrow} {_target(t)}" for name, t in step["outcomes"].items())
    target = step.get("next") if step.get("next") is not None else following
    return "" if target == following else f"{cs.arrow} {_target(target)}"


def _target(target: Any) -> str:
    return _("end") if target == "end" else str(target)


def _lanes_note(step: dict[str, Any], names: dict[str, str]) -> str:
    if len(step["actors"]) < 2:
        return ""
    lanes = ", ".join(names[a] for a in step["actors"])
    if step.get("together") == "all":
        return _("each of {lanes} does its part", lanes=lanes)
    return _("one of {lanes} does it", lanes=lanes)


def _standard(step: dict[str, Any], doc: dict[str, Any]) -> str:
    if step.get("time_with") is not None:
        return ""
    if not step.get("time"):
        return "—"
    group = [s["no"] for s in doc["steps"] if s["no"] == step["no"] or s.get("time_with") == step["no"]]
    return step["time"] + (
        "\n(" + _("steps {first}–{last}", first=group[0], last=group[-1]) + ")" if len(group) > 1 else ""
    )


def _merged_time(steps: list[dict[str, Any]], column: int) -> frozenset[tuple[int, int]]:
    """(row, column) pairs of the Waktu cells that run on into the next row (a shared standard)."""
    return frozenset((i, column) for i in range(len(steps) - 1) if steps[i + 1].get("time_with") is not None)


def _show_glyph(cs: Charset) -> Any:
    shapes = ASCII_GLYPHS if cs is ASCII else SHOW_GLYPHS
    return lambda symbol: (shapes[symbol.kind], "bold" if symbol.kind != "terminator" else "")


def _procedure(doc: dict[str, Any], width: int, cs: Charset) -> list[Line]:
    wide = width >= WIDE
    names = {a["id"]: a["name"] for a in doc["actors"]}
    flow, canvas, key = flow_column(doc["actors"], doc["steps"], width, cs, 2, _show_glyph(cs))
    columns = [
        Column(Cell.of(_("No"), align="right"), weight=0, cap=6),
        Column(Cell.of(_("Activity")), weight=4),
        flow,
    ]
    if wide:
        columns.append(Column(Cell.of(_("Requires (Kelengkapan)")), weight=1.5, cap=24))
    columns.append(Column(Cell.of(_("Time")), weight=0.3, cap=12))
    if wide:
        columns += [Column(Cell.of(_("Output")), weight=1.5, cap=24), Column(Cell.of(_("Notes")), weight=0.8, cap=16)]
    rows = []
    for i, step in enumerate(doc["steps"]):
        marks = [Cell()]
        flow_note = _flow_note(doc, i, cs)
        lanes_note = _lanes_note(step, names)
        activity = Cell.of(step["activity"])
        if wide:
            note = "\n".join(x for x in (step.get("note") or "", lanes_note, flow_note) if x)
            rows.append(
                [
                    Cell.of(str(step["no"]), align="right"),
                    activity,
                    *marks,
                    Cell.of(_bullets(step["requires"], cs)),
                    Cell.of(_standard(step, doc)),
                    Cell.of(_bullets(step["output"], cs)),
                    Cell.of(note, "italic"),
                ]
            )
            continue
        for label, items in ((_("Requires"), step["requires"]), (_("Output"), step["output"])):
            if items:
                activity.add(f"\n{label}: ", "bold dim").add("; ".join(items), "dim")
        for extra in (step.get("note"), lanes_note, flow_note.replace("\n", " · ")):
            if extra:
                activity.add(f"\n{extra}", "italic")
        rows.append([Cell.of(str(step["no"]), align="right"), activity, *marks, Cell.of(_standard(step, doc))])
    time_column = 3 + (1 if wide else 0)
    merged = _merged_time(doc["steps"], time_column)
    lines = [[(_("Procedure"), "bold")], *draw(columns, rows, width, cs.box, merged=merged, canvas=canvas)]
    if key:
        lines += wrap_line(key, width)
    return lines


# ------------------------------------------------------------------ runs


def report_header(report: dict[str, Any], width: int) -> list[Line]:
    return pairs(w.run_facts(report), width)


def _who(step: dict[str, Any], cs: Charset) -> Cell:
    """Who did each part (with * where it overrode the lane's person); who holds it while not done."""
    cell = Cell()
    done = [p for p in step["parts"] if p["status"] == "done"]
    if done:
        names = ", ".join(p["by"] + (cs.marks["forced"] if p["forced"] else "") for p in done)
        cell.add(_("by {names}", names=names), "italic")
    if step["status"] != "done":
        waiting = [p for p in step["parts"] if p["status"] in ("open", "pending")]
        people = [
            f"{p['lane_name']}: {p['person']}" if len(step["parts"]) > 1 else p["person"]
            for p in waiting
            if p["person"]
        ]
        if people:
            cell.add(("\n" if done else "") + _("assigned to {names}", names=", ".join(people)), "italic dim")
    return cell


def _timing(step: dict[str, Any], day: float, wide: bool) -> Cell:
    cell = Cell(align="right")
    pending = step["status"] == "pending"
    elapsed = "—" if pending else w.minutes(step["elapsed_minutes"], day)
    if step["time_with"] is not None:
        standard = "↑"
    elif step["group_standard_minutes"] is None:
        standard = "—"
    else:
        standard = w.minutes(step["group_standard_minutes"], day)
    cell.add(f"{elapsed} / {standard}" if wide else f"{elapsed}\n/ {standard}")
    if step["shared_with"] and step["time_with"] is None:
        cell.add("\n" + _("shared with step {steps}", steps=", ".join(map(str, step["shared_with"]))), "dim")
    if step["overrun_minutes"] and step["time_with"] is None and not pending:
        cell.add("\n" + _("+{time} over", time=w.minutes(step["overrun_minutes"], day)), "red")
    if len(step["history"]) > 1:
        for item in step["history"]:
            who = f" · {item['by']}" + ("*" if item["forced"] else "") if item["by"] else ""
            cell.add(
                "\n" + _("pass {n}: {time}", n=item["pass"], time=w.minutes(item["elapsed_minutes"], day)) + who, "dim"
            )
    if step["due_at"]:
        cell.add("\n" + _("due {at}", at=w.moment(step["due_at"])), "bold")
    return cell


def _files(files: list[dict[str, Any]], own: int | None, limit: int = 60) -> list[str]:
    return [
        one_line(f["name"], limit)
        + (" (" + _("step {no}", no=f["step"]) + ")" if own is not None and f["step"] != own else "")
        for f in files
    ]


def run_report(report: dict[str, Any], width: int, cs: Charset) -> list[Line]:
    report = for_terminal(report)
    run = report["run"]
    day = run["day_minutes"]
    wide = width >= WIDE
    lines = report_header(report, width)
    taken = taken_edges(report["steps"])
    flow, canvas, key = flow_column(
        report["lanes"],
        report["steps"],
        width,
        cs,
        2,
        _run_glyph(report["steps"], cs),
        lambda route: "bold" if (route.source, route.target) in taken else "dim",
    )
    columns = [
        Column(Cell.of(_("No"), align="right"), weight=0, cap=6),
        Column(Cell.of(_("Activity")), weight=4),
        flow,
    ]
    if wide:
        columns.append(Column(Cell.of(_("Requires (received)")), weight=1.6, cap=26))
    columns.append(
        Column(Cell.of(_("Time / Standard"), align="right"), weight=1.2 if wide else 0.6, cap=24 if wide else 16)
    )
    if wide:
        columns.append(Column(Cell.of(_("Output (evidence)")), weight=1.6, cap=26))
    rows = []
    for step in report["steps"]:
        marks = [Cell()]
        activity = Cell.of(step["activity"])
        who = _who(step, cs)
        if who.spans:
            activity.add("\n").spans.extend(who.spans)
        if step["outcome"]:
            activity.add(f"\n{cs.arrow} {step['outcome']}", "bold")
        requires = "\n".join(f"{cs.bullet} {r}" for r in step["requires"])
        received = "\n".join(f"{cs.received} {f}" for f in _files(step["inputs"], step["no"]))
        output = "\n".join(f"{cs.bullet} {o}" for o in step["output"])
        evidence = "\n".join(f"{cs.received} {f}" for f in _files(step["artifacts"], None))
        if not wide:
            for label, text in (
                (_("Requires"), "; ".join(step["requires"])),
                (_("Received"), "; ".join(_files(step["inputs"], step["no"]))),
                (_("Output"), "; ".join(step["output"])),
                (_("Evidence"), "; ".join(_files(step["artifacts"], None))),
            ):
                if text:
                    activity.add(f"\n{label}: ", "bold dim").add(text, "dim")
        for note in step["notes"]:
            activity.add(f"\n{cs.pen} {note['by']}: {one_line(note['text'], 200)}", "italic dim")
        row = [Cell.of(str(step["no"]), align="right"), activity, *marks]
        if wide:
            row.append(Cell.of("\n".join(x for x in (requires, received) if x)))
        row.append(_timing(step, day, wide))
        if wide:
            row.append(Cell.of("\n".join(x for x in (output, evidence) if x)))
        rows.append(row)
    lines += draw(columns, rows, width, cs.box, canvas=canvas)
    kinds = ("on_time", "late", "done", "active", "overdue", "pending", "not_needed", "forced")
    lines += wrap_line(legend(cs, kinds, day), width)
    if key:
        lines += wrap_line(key, width)
    lines += wrap_line(calendar_footer(report), width)
    return lines


def _run_glyph(steps: list[dict[str, Any]], cs: Charset) -> Any:
    """Each symbol of a run's flowchart: its shape around the mark of its lane's part."""
    by_no = {str(step["no"]): step for step in steps}

    def glyph(symbol: Any) -> tuple[str, str]:
        step = by_no.get(symbol.step)
        if symbol.kind == "terminator" or step is None:
            return "( )", ""
        part = next((p for p in step["parts"] if p["lane"] == symbol.lane), None)
        kind = lane_mark(step, part) if part else "pending"
        forced = bool(part and part["forced"]) or (step["forced"] and len(step["parts"]) == 1)
        left, right = ("<", ">") if symbol.kind == "decision" else ("[", "]")
        return left + cs.marks[kind] + right + (cs.marks["forced"] if forced else ""), STYLES[kind]

    return glyph


def wrap_line(line: Line, width: int) -> list[Line]:
    cell = Cell(list(line))
    return wrap(cell, width)


def calendar_footer(report: dict[str, Any]) -> Line:
    cal = report["calendar"]
    if cal["mode"] == "continuous":
        text = _("Calendar: wall-clock time ({zone})", zone=cal["timezone"])
    else:
        text = _(
            "Calendar: {days} {hours} ({zone})",
            days=w.weekdays(cal["workdays"]),
            hours=", ".join(cal["hours"]),
            zone=cal["timezone"],
        )
    if cal["closed"]:
        closed = "; ".join(
            f"{w.short_date(_date(c['date']))} {w.holiday_name(c['names'], c['kind'])}" for c in cal["closed"]
        )
        text += " · " + _("closed during the run: {days}", days=closed)
    else:
        text += " · " + _("no holiday or day off fell inside the run")
    return [(text, "dim")]


def runs_table(rows: list[dict[str, Any]], width: int, cs: Charset) -> list[Line]:
    rows = for_terminal(rows)
    columns = [
        Column(Cell.of("id"), weight=0, cap=6),  # as in `sop list`: a short heading, in both languages
        Column(Cell.of("SOP"), weight=0.3),
        Column(Cell.of(_("Title")), weight=2),
        Column(Cell.of(_("Status")), weight=0.3),
        Column(Cell.of(_("Step"), align="right"), weight=0),
        Column(Cell.of(_("Started")), weight=0.5),
        Column(Cell.of(_("By")), weight=0.5),
    ]
    cells = [
        [
            Cell.of(r["id"], "bold"),
            Cell.of(r["sop"]),
            Cell.of(r["title"]),
            Cell.of(w.status(r["status"])),
            Cell.of(str(r["active_step"] or "—"), align="right"),
            Cell.of(w.moment(r["started_at"], with_day=False)),
            Cell.of(r["started_by"]),
        ]
        for r in rows
    ]
    return draw(columns, cells, width, cs.box, lines_between=False)


def log_table(records: list[dict[str, Any]], width: int, cs: Charset) -> list[Line]:
    records = for_terminal(records)
    columns = [
        Column(Cell.of("#", align="right"), weight=0),
        Column(Cell.of(_("When")), weight=0.4, cap=16),
        Column(Cell.of(_("By")), weight=0.4),
        Column(Cell.of(_("What")), weight=3),
    ]
    rows = []
    for r in records:
        when = w.moment(r["at"], with_day=False)
        if w.moment(r["recorded_at"], with_day=False) != when:
            when += "\n(" + _("recorded {at}", at=w.moment(r["recorded_at"], with_day=False)) + ")"
        who = r["by"] + (
            "\n(" + _("login {login}", login=r["login"]) + ")" if r.get("login") and r["login"] != r["by"] else ""
        )
        rows.append([Cell.of(str(r["seq"]), align="right"), Cell.of(when), Cell.of(who), Cell.of(describe(r, cs))])
    return draw(columns, rows, width, cs.box, lines_between=False)


def describe(record: dict[str, Any], cs: Charset = UNICODE) -> str:
    """One line saying what a record of the audit trail means."""
    d, kind = record["data"], record["type"]
    forced = " [" + _("forced") + "]" if d.get("forced") else ""

    def files(key: str) -> str:
        return ", ".join(one_line(f["name"], 40) for f in d.get(key) or [])

    if kind == "start":
        return _("started {sop} ({number})", sop=d["sop"]["id"], number=d["sop"]["number"])
    if kind == "done":
        lane = f" ({d['lane']})" if d.get("lane") and len(d["sop_actors"] if "sop_actors" in d else []) > 1 else ""
        if d.get("target") is None:
            text = _("step {no}: part of lane {lane} done", no=d["step"], lane=d.get("lane"))
        else:
            text = _("step {no} done", no=d["step"]) + lane
        text += (f" {cs.arrow} {d['outcome']}" if d.get("outcome") else "") + forced
        if d.get("outputs"):
            text += "; " + _("evidence: {files}", files=files("outputs"))
        if d.get("inputs"):
            text += "; " + _("received: {files}", files=files("inputs"))
        return text + ("; " + _("note: {text}", text=one_line(d["note"], 100)) if d.get("note") else "")
    if kind == "attach":
        label = _("received") if d["kind"] == "input" else _("evidence")
        return _("step {no}: {label} {files}", no=d["step"], label=label, files=files("files")) + forced
    if kind == "note":
        return _("step {no}: {pen} {text}", no=d["step"], pen=cs.pen, text=one_line(d["text"], 200))
    if kind == "assign":
        return _("lane {lane} {arrow} {person}", lane=d["actor"], arrow=cs.arrow, person=d.get("person") or "—")
    if kind == "undo":
        return (
            _("undo: the completion of step {no} (record {seq}) was taken back", no=d["step"], seq=d["undoes"]) + forced
        )
    if kind == "cancel":
        return _("run cancelled: {reason}", reason=one_line(d["reason"], 200))
    return kind


def stats_table(stats: dict[str, Any], width: int, cs: Charset) -> list[Line]:
    day = stats.get("day_minutes", 480)
    columns = [
        Column(Cell.of(_("No"), align="right"), weight=0),
        Column(Cell.of(_("Count"), align="right"), weight=0),
        Column(Cell.of(_("Median"), align="right"), weight=1),
        Column(Cell.of("P90", align="right"), weight=1),
        Column(Cell.of(_("Standard"), align="right"), weight=1),
        Column(Cell.of(_("Median overrun"), align="right"), weight=1),
        Column(Cell.of(_("On time"), align="right"), weight=0.5),
    ]
    rows = []
    for s in stats["steps"]:
        share = "—" if s["on_time_share"] is None else f"{100 * s['on_time_share']:.0f}%"
        rows.append(
            [
                Cell.of(str(s["no"]), align="right"),
                Cell.of(str(s["count"]), align="right"),
                Cell.of(w.minutes(s["median_minutes"], day), align="right"),
                Cell.of(w.minutes(s["p90_minutes"], day), align="right"),
                Cell.of(w.minutes(s["standard_minutes"], day), align="right"),
                Cell.of(w.minutes(s["median_overrun_minutes"], day), align="right"),
                Cell.of(share, align="right"),
            ]
        )
    title = _("{sop} · {count} completed runs", sop=stats["sop"], count=stats["runs"])
    late = stats["most_late_step"]
    footer = (
        _("Most late: step {no} (largest median overrun)", no=late)
        if late is not None
        else _("No step ran over its standard")
    )
    return [
        [(title, "bold")],
        *draw(columns, rows, width, cs.box, lines_between=False),
        [(footer, "bold")],
        legend_day(day),
    ]


def legend_day(day: float) -> Line:
    return [(w.day_length(day), "dim")]


def problems(lines: list[str]) -> list[str]:
    return [one_line(p, 400) for p in lines]


def inbox_table(rows: list[dict[str, Any]], width: int, cs: Charset) -> list[Line]:
    rows = for_terminal(rows)
    columns = [
        Column(Cell.of(_("Run")), weight=0, cap=6),
        Column(Cell.of(_("Step")), weight=3),
        Column(Cell.of(_("Lane")), weight=0.8),
        Column(Cell.of(_("Since")), weight=0.5),
        Column(Cell.of(_("Time / Standard"), align="right"), weight=0.6),
        Column(Cell.of(_("Due")), weight=0.6),
    ]
    cells = []
    for r in rows:
        mark = cs.marks["overdue" if r["overdue"] else "active"]
        step = Cell.of(f"{mark} {r['step']}. {r['activity']}", "bold red" if r["overdue"] else "")
        step.add(f"\n{r['sop']} · {r['title']}", "dim")
        if r["inputs"]:
            step.add("\n" + _("Received") + ": " + "; ".join(one_line(f["name"], 40) for f in r["inputs"]), "dim")
        lane = r["actor_name"] + (f"\n{r['person']}" if r["person"] else "\n" + _("not assigned"))
        standard = w.minutes(r["standard_minutes"]) if r["standard_minutes"] is not None else "—"
        cells.append(
            [
                Cell.of(r["run"], "bold"),
                step,
                Cell.of(lane),
                Cell.of(w.moment(r["since"])),
                Cell.of(f"{w.minutes(r['elapsed_minutes'])} / {standard}", align="right"),
                Cell.of(w.moment(r["due_at"]) if r["due_at"] else "—"),
            ]
        )
    return draw(columns, cells, width, cs.box)


def monitor_table(data: dict[str, Any], day: float, width: int, cs: Charset) -> list[Line]:
    """Tabel 7: No, Prosedur, Penilaian, Catatan hasil penilaian, Tindakan, Paraf (the last two blank)."""
    data = for_terminal(data)
    runs = data["runs"]
    lines = pairs(
        [
            ("SOP", f"{data['number']} — {data['title']}"),
            (_("Period"), f"{data['period']['from']} – {data['period']['to']}"),
            (
                _("Runs"),
                _(
                    "{total} active in the period: {completed} completed, {active} active, {cancelled} cancelled",
                    total=runs["total"],
                    completed=runs["completed"],
                    active=runs["active"],
                    cancelled=runs["cancelled"],
                ),
            ),
        ],
        width,
    )
    columns = [
        Column(Cell.of(_("No"), align="right"), weight=0, cap=4),
        Column(Cell.of(_("Procedure")), weight=3, floor=16),
        Column(Cell.of(_("Assessment")), weight=1.2, floor=14),
        Column(Cell.of(_("Notes of the assessment")), weight=3),
        Column(Cell.of(_("Action to be taken")), weight=1),
        Column(Cell.of(_("Initials")), weight=0.4),
    ]
    rows = []
    for step in data["steps"]:
        good = step["assessment"] == "baik"
        mark = cs.marks["on_time" if good else "late"] if step["assessment"] else cs.marks["pending"]
        style = "green" if good else "red" if step["assessment"] else "dim"
        rows.append(
            [
                Cell.of(str(step["no"]), align="right"),
                Cell.of(step["activity"]),
                Cell.of(f"{mark} {w.assessment(step['assessment'])}", style),
                Cell.of(w.monitoring_notes(step, day)),
                Cell(),
                Cell(),
            ]
        )
    lines += draw(columns, rows, width, cs.box)
    return lines
