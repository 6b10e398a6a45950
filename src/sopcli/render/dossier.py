"""A run's printable dossier, the record an inspector asks for: the run's facts and the SOP's header, the
flowchart with each lane's state, every pass and file with its SHA-256, notes, the audit trail and the
result of verify. Its data comes in through `for_html` like the form's."""

from __future__ import annotations

from typing import Any

from sopcli.i18n import _, _n
from sopcli.render import MARKS, for_html, lane_mark, taken_edges
from sopcli.render import words as w
from sopcli.render.html import Chart, RowText, bullet_lines, heading, identity, lanes_note, page, standard_of


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
        requires = bullet_lines(step["requires"] + [f"✓ {f}" for f in _files(step["inputs"], step["no"])])
        output = bullet_lines(step["output"] + [f"✓ {f['name']}" for f in step["artifacts"]])
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
                standard_of(step),
            )
        )
    return texts


def _facts(rows: list[tuple[str, str]]) -> str:
    return '<table class="facts">' + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


def _run_facts(report: dict[str, Any], verification: dict[str, Any]) -> str:
    rows = w.run_facts(report)
    rows.append((_("Verification"), _verdict(verification)))
    rows.append((_("Report made"), w.moment(report["run"]["now"])))
    return _facts(rows)


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
    out = [heading(_("Step details"))]
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
    return heading(_("Audit trail")) + _table(head, rows, "trail", (4, 16, 12, 44, 24))


def _verification(verification: dict[str, Any]) -> str:
    out = [heading(_("Verification")), f"<p>{_verdict(verification)}</p>"]
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

    caption = f"{run['number']} — {run['sop_title']} · " + _("Run") + f" {run['id']}"
    flow = chart.html(caption, states, taken_edges(report["steps"]), _legend(run["day_minutes"]))
    rest = _step_details(report) + _trail(records) + _verification(verification)
    body = f'<section class="sheet run">{first}</section>{flow}<section class="sheet rest">{rest}</section>'

    return page(f"{run['number']} — {title}", body, paper)
