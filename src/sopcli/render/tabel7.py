"""Tabel 7, Monitoring Pelaksanaan SOP AP, as a printed page: the facts filled in, the assessor's columns left blank."""

from __future__ import annotations

from typing import Any

from sopcli.i18n import _
from sopcli.render import for_html
from sopcli.render import words as w
from sopcli.render.html import page

STYLE = """
.tabel7 .units { text-align: center; font-weight: bold; margin-bottom: 6px }
.tabel7 .units .top { text-transform: uppercase; font-size: 10pt }
.tabel7 h1 { font-size: 11pt; text-align: center; text-transform: uppercase; margin: 4px 0 8px }
.tabel7 .facts { margin-bottom: 8px; width: auto; min-width: 60% }
.tabel7 .monitor td.mark { text-align: center; font-size: 11pt; font-weight: bold; vertical-align: middle }
.tabel7 .monitor td.blank { height: 36px }
.tabel7 .monitor td.no { text-align: right }
.tabel7 .rule { margin-top: 6px; font-size: 7pt }
.tabel7 .signature { margin-top: 18px; width: 40%; margin-left: 60%; border: none }
.tabel7 .signature td { border: none; padding: 2px 0 }
"""


# No · Prosedur · Berjalan dengan baik · Tidak berjalan dengan baik · Catatan · Tindakan · Paraf penilai
COLUMNS = "<colgroup>" + "".join(f'<col style="width:{p}%">' for p in (4, 27, 8, 8, 27, 17, 9)) + "</colgroup>"


def monitor_form(data: dict[str, Any], day_minutes: float, paper: str = "a4") -> str:
    """The monitoring form of a period (`monitor.build` data): the unit, the SOP and the period with its
    runs, then per step No, Prosedur, the proposed Penilaian (a tick in one of its two columns), Catatan
    hasil penilaian from the facts, and Tindakan and Paraf penilai blank for the assessor."""
    notes = {s["no"]: w.monitoring_notes(s, day_minutes) for s in data["steps"]}  # our words, from numbers
    doc = for_html(data)
    runs = doc["runs"]
    units = "".join(f'<div class="{"top" if i == 0 else ""}">{u}</div>' for i, u in enumerate(doc["organization"]))
    counts = _(
        "{total} active in the period: {completed} completed, {active} active, {cancelled} cancelled",
        total=runs["total"],
        completed=runs["completed"],
        active=runs["active"],
        cancelled=runs["cancelled"],
    )
    facts = "".join(
        f"<tr><th>{label}</th><td>{value}</td></tr>"
        for label, value in (
            (_("SOP number"), doc["number"]),
            (_("SOP name"), doc["title"]),
            (_("Period"), f"{doc['period']['from']} – {doc['period']['to']}"),
            (_("Runs"), counts),
        )
    )
    labels = [
        _("No"),
        _("Procedure"),
        _("Assessment of the application"),
        _("Notes of the assessment"),
        _("Action to be taken"),
        _("Initials of the assessor"),
        _("Running well"),
        _("Not running well"),
    ]
    no, procedure, assessment, notes_label, action, initials, well, not_well = labels
    head = (
        f'<tr><th rowspan="2" class="no">{no}</th><th rowspan="2">{procedure}</th>'
        f'<th colspan="2">{assessment}</th>'
        f'<th rowspan="2">{notes_label}</th><th rowspan="2">{action}</th>'
        f'<th rowspan="2" class="narrow">{initials}</th></tr>'
        f'<tr><th class="narrow">{well}</th><th class="narrow">{not_well}</th></tr>'
    )
    rows = []
    for step in doc["steps"]:
        good, bad = ("✓", "") if step["assessment"] == "baik" else ("", "✓") if step["assessment"] else ("", "")
        rows.append(
            f'<tr data-step="{step["no"]}" data-assessment="{step["assessment"] or ""}">'
            f'<td class="no">{step["no"]}</td><td>{step["activity"]}</td>'
            f'<td class="mark">{good}</td><td class="mark">{bad}</td><td>{notes[step["no"]]}</td>'
            '<td class="blank"></td><td class="blank"></td></tr>'
        )
    rule = _(
        "Proposed assessment: running well when at least 80 percent of the period's judged passes kept the standard, "
        "none was forced past the lane's person and none lacked its required inputs; a step not run in the "
        "period is not assessed. The assessor decides."
    )
    assessed_on, assessor = _("Assessed on"), _("Assessor")
    signature = (
        '<table class="signature">'
        f"<tr><td>{assessed_on}: ........................</td></tr>"
        f"<tr><td>{assessor}:</td></tr><tr><td style='height:40px'></td></tr>"
        "<tr><td>(........................................)</td></tr></table>"
    )
    heading = _("Monitoring the application of the SOP")
    body = (
        f'<section class="sheet tabel7"><div class="units">{units}</div>'
        f"<h1>{heading}</h1>"
        f'<table class="facts">{facts}</table>'
        f'<table class="monitor">{COLUMNS}<thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
        f'<p class="rule">{rule}</p>{signature}</section>'
    )
    return page(f"{heading} — {doc['number']}", f"<style>{STYLE}</style>{body}", paper)
