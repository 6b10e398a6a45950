"""The terminal views (SOP form, run report, lists, audit trail, statistics) as styled lines; they take
their data through `for_terminal`, and leave only the printing to Rich."""

from __future__ import annotations

from typing import Any

from sopcli.i18n import _
from sopcli.render import for_terminal, lane_mark, one_line
from sopcli.render import words as w
from sopcli.render.charset import ASCII, UNICODE, Charset
from sopcli.render.grid import Cell, Column, Line, draw, wrap

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


def _mark(kind: str, cs: Charset, forced: bool = False) -> Cell:
    cell = Cell.of(cs.marks[kind], STYLES[kind], align="center")
    if forced:
        cell.add(cs.marks["forced"], STYLES["forced"])
    return cell


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


def _lane_columns(names: list[str], width: int) -> tuple[list[Column], Line | None]:
    headers, key = lane_headers(names, width)
    columns = [Column(Cell.of(h, align="center"), weight=0.3, cap=14 if width >= NAMED_LANES else 4) for h in headers]
    return columns, key


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


def _procedure(doc: dict[str, Any], width: int, cs: Charset) -> list[Line]:
    wide = width >= WIDE
    names = {a["id"]: a["name"] for a in doc["actors"]}
    lanes, key = _lane_columns(list(names.values()), width)
    columns = [
        Column(Cell.of(_("No"), align="right"), weight=0, cap=6),
        Column(Cell.of(_("Activity")), weight=4),
        *lanes,
    ]
    if wide:
        columns.append(Column(Cell.of(_("Requires (Kelengkapan)")), weight=1.5, cap=24))
    columns.append(Column(Cell.of(_("Time")), weight=0.3, cap=12))
    if wide:
        columns += [Column(Cell.of(_("Output")), weight=1.5, cap=24), Column(Cell.of(_("Notes")), weight=0.8, cap=16)]
    rows = []
    for i, step in enumerate(doc["steps"]):
        symbol = "◆" if step.get("outcomes") else "■"
        if cs is ASCII:
            symbol = "<>" if step.get("outcomes") else "[]"
        marks = [Cell.of(symbol if actor in step["actors"] else "", align="center") for actor in names]
        flow = _flow_note(doc, i, cs)
        lanes_note = _lanes_note(step, names)
        activity = Cell.of(step["activity"])
        if wide:
            note = "\n".join(x for x in (step.get("note") or "", lanes_note, flow) if x)
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
        for extra in (step.get("note"), lanes_note, flow.replace("\n", " · ")):
            if extra:
                activity.add(f"\n{extra}", "italic")
        rows.append([Cell.of(str(step["no"]), align="right"), activity, *marks, Cell.of(_standard(step, doc))])
    time_column = 2 + len(lanes) + (1 if wide else 0)
    lines = [
        [(_("Procedure"), "bold")],
        *draw(columns, rows, width, cs.box, merged=_merged_time(doc["steps"], time_column)),
    ]
    if key:
        lines.append(key)
    return lines


# ------------------------------------------------------------------ runs


def report_header(report: dict[str, Any], width: int) -> list[Line]:
    run, totals = report["run"], report["totals"]
    day = run["day_minutes"]
    status = w.status(run["status"]) + (f" ({one_line(run['cancel_reason'])})" if run.get("cancel_reason") else "")
    rows = [("SOP", f"{run['number']} — {run['sop_title']}")]
    if run["title"] != run["sop_title"]:
        rows.append((_("Title"), run["title"]))
    started = _("{at} by {person}", at=w.moment(run["started_at"]), person=run["started_by"])
    if run["finished_at"]:
        started += " · " + _("ended {at}", at=w.moment(run["finished_at"]))
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
        rows.append((_("Assigned"), ", ".join(f"{report_lane(report, a)}: {p}" for a, p in run["assignments"].items())))
    return pairs(rows, width)


def report_lane(report: dict[str, Any], actor: str) -> str:
    return next((lane["name"] for lane in report["lanes"] if lane["id"] == actor), actor)


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
    actors = [lane["id"] for lane in report["lanes"]]
    lanes, key = _lane_columns([lane["name"] for lane in report["lanes"]], width)
    columns = [
        Column(Cell.of(_("No"), align="right"), weight=0, cap=6),
        Column(Cell.of(_("Activity")), weight=4),
        *lanes,
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
        parts = {p["lane"]: p for p in step["parts"]}
        marks = [
            _mark(lane_mark(step, parts[a]), cs, parts[a]["forced"] or (step["forced"] and len(parts) == 1))
            if a in parts
            else Cell()
            for a in actors
        ]
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
    lines += draw(columns, rows, width, cs.box)
    kinds = ("on_time", "late", "done", "active", "overdue", "pending", "not_needed", "forced")
    lines += wrap_line(legend(cs, kinds, day), width)
    if key:
        lines += wrap_line(key, width)
    lines += wrap_line(calendar_footer(report), width)
    return lines


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
