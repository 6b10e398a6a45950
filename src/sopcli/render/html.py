"""The printed SOP form (PermenPAN-RB 35/2012) as one self-contained HTML page: inline CSS and SVG, nothing
fetched, A4 or F4 landscape, readable in black and white; the flowchart table cut into pages that fit.
Every user and file text reaches the page through `for_html`, where the renderer takes its data."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sopcli.i18n import _, language
from sopcli.layout import END, OFFPAGE, Row, layout, paginate
from sopcli.render import for_html
from sopcli.render import words as w
from sopcli.render.svg import DEFS, Drawing, number, row_svgs

PX_PER_MM = 96 / 25.4
MARGIN_MM = 10
PAPERS = {"a4": (297, 210), "f4": (330, 210)}  # landscape width and height in millimetres (F4: 210 x 330)

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
.chart th[data-lane] { font-size: 7pt; padding: 3px 2px }
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


def bullet_lines(items: list[str]) -> str:
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
        flow = f'<td class="lanes" colspan="{len(self.lanes)}" style="height:{number(self.height(r))}px">{svg}</td>'
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


def heading(text: str) -> str:
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


def standard_of(step: dict[str, Any]) -> int:
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
        time = by_no.get(standard_of(step), step).get("time") or "—"
        note = "<br>".join(x for x in (step.get("note") or "", lanes_note(step, names), flow_note(steps, i)) if x)
        requires, output = bullet_lines(step["requires"]), bullet_lines(step["output"])
        texts.append(RowText(step["activity"], requires, time, output, note, group=standard_of(step)))
    chart = Chart(doc["actors"], steps, texts, paper, dossier=False)
    caption = f"{doc['number']} — {doc['title']}"
    body = f'<section class="sheet identity">{identity(doc)}</section>' + chart.html(caption)
    return page(f"{doc['number']} — {doc['title']}", body, paper)
