"""Everything sop shows to people in a terminal; the only module that draws with Rich."""

from __future__ import annotations

from typing import IO, Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from sopcli.model import Sop
from sopcli.plan import END
from sopcli.render import LEGEND, MARKS, fmt_minutes, mark_of, safe_text
from sopcli.render import short_time as _time


def console(file: IO[str] | None = None) -> Console:
    """A console that honours COLUMNS and NO_COLOR and never pads lines beyond the terminal."""
    return Console(file=file, highlight=False, soft_wrap=False, emoji=False, markup=False)


def _date(value: Any) -> str:
    return f"{value.day:02d} {_MONTHS[value.month - 1]} {value.year}" if value else "—"


_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def sop_list(rows: list[dict[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=False)
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("Nomor SOP", overflow="fold")
    table.add_column("Judul", ratio=1)
    table.add_column("Langkah", justify="right")
    table.add_column("Standar", justify="right", no_wrap=True)
    for row in rows:
        table.add_row(
            row["id"],
            row["number"],
            row["title"],
            str(row["steps"]),
            fmt_minutes(row["standard_minutes"], row["day_minutes"]),
        )
    return table


def sop_view(sop: Sop, width: int) -> Group:
    """The SOP as its paper form: the header block, then the flowchart with its Mutu Baku."""
    return Group(_header(sop), _sections(sop), _flowchart(sop, width))


def _header(sop: Sop) -> Table:
    grid = Table(box=box.ROUNDED, show_header=False, expand=True)
    grid.add_column(ratio=2)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=3)
    org = Text("\n".join(sop.organization).upper() or "—", style="bold")
    approval = sop.approved_by
    signed = f"{approval.position or ''}\n\n{approval.name}\nNIP {approval.nip or '—'}".strip() if approval else "—"
    revision = f"{sop.revision.no} ({_date(sop.revision.date)})" if sop.revision else "—"
    fields: list[tuple[str, str | Text]] = [
        ("Nomor SOP", sop.number),
        ("Tgl. Pembuatan", _date(sop.created)),
        ("Tgl. Revisi", revision),
        ("Tgl. Efektif", _date(sop.effective)),
        ("Disahkan oleh", signed),
        ("Nama SOP", Text(sop.title.upper(), style="bold")),
    ]
    for i, (label, value) in enumerate(fields):
        grid.add_row(org if i == 0 else "", label, value)
    return grid


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1)) or "—"


def _sections(sop: Sop) -> Table:
    grid = Table(box=box.ROUNDED, show_header=True, expand=True, header_style="bold")
    grid.add_column("Dasar Hukum", ratio=1)
    grid.add_column("Kualifikasi Pelaksana", ratio=1)
    grid.add_row(_numbered(sop.legal_basis), _numbered(sop.qualifications))
    grid.add_section()
    grid.add_row(Text("Keterkaitan", style="bold"), Text("Peralatan/Perlengkapan", style="bold"))
    grid.add_row(_numbered(sop.related), _numbered(sop.equipment))
    grid.add_section()
    grid.add_row(Text("Peringatan", style="bold"), Text("Pencatatan dan Pendataan", style="bold"))
    grid.add_row(sop.warning or "—", sop.records or "—")
    return grid


WIDE = 120


def lane_headers(names: list[str], width: int) -> tuple[list[str], str]:
    """Lane column titles: full names when there is room, else letters with a legend."""
    if width >= WIDE:
        return names, ""
    letters = [chr(ord("A") + i) for i in range(len(names))]
    return letters, "Pelaksana: " + "  ".join(f"{letter} = {name}" for letter, name in zip(letters, names, strict=True))


def swimlanes(names: list[str], width: int, **options: Any) -> tuple[Table, str]:
    """A table with the columns every swimlane view starts with: No, Kegiatan, one per lane."""
    headers, legend = lane_headers(names, width)
    table = Table(box=box.SQUARE, show_lines=True, expand=True, header_style="bold", **options)
    table.add_column("No", justify="right", no_wrap=True)
    table.add_column("Kegiatan", ratio=4, min_width=18)
    wide = width >= WIDE
    for header in headers:
        longest = max(len(word) for word in header.split())
        table.add_column(
            header, justify="center", no_wrap=not wide, min_width=longest + 2, max_width=max(longest + 2, 9)
        )
    return table, legend


def _flow(sop: Sop, i: int) -> str:
    """Where the work goes after step i, when it is not simply the next row."""
    step = sop.steps[i]
    if step.outcomes:
        return "\n".join(f"{name} → {target}" for name, target in step.outcomes.items())
    (target,) = sop.successors(i)
    following = sop.steps[i + 1].no if i + 1 < len(sop.steps) else END
    return "" if target == following else f"→ {target}"


def _bullets(items: list[str]) -> str:
    return "\n".join(f"• {item}" for item in items) if len(items) > 1 else "".join(items)


def _flowchart(sop: Sop, width: int) -> Group:
    wide = width >= WIDE
    table, legend = swimlanes([a.name for a in sop.actors], width, title="Prosedur", title_style="bold")
    if wide:
        table.add_column("Kelengkapan", ratio=2, overflow="fold")
    table.add_column("Waktu", no_wrap=True)
    if wide:
        table.add_column("Output", ratio=2, overflow="fold")
        table.add_column("Keterangan", min_width=12)
    for i, step in enumerate(sop.steps):
        marks = [("◆" if step.is_decision else "■") if a.id == step.actor else "" for a in sop.actors]
        flow = _flow(sop, i)
        if wide:
            note = "\n".join(x for x in (step.note or "", flow) if x)
            table.add_row(
                str(step.no), step.activity, *marks, _bullets(step.requires), step.time, _bullets(step.output), note
            )
            continue
        cell = Text(step.activity)
        for label, items in (("Kelengkapan", step.requires), ("Output", step.output)):
            if items:
                cell.append(f"\n{label}: ", style="bold dim").append("; ".join(items), style="dim")
        for extra in (step.note, flow.replace("\n", " · ")):
            if extra:
                cell.append(f"\n{extra}", style="italic")
        table.add_row(str(step.no), cell, *marks, step.time)
    parts: list[Any] = [table]
    if legend:
        parts.append(Text(legend, style="dim"))
    return Group(*parts)


def print_problems(problems: list[str], out: Console) -> None:
    for problem in problems:
        out.print(safe_text(problem, 400), markup=False)


# ------------------------------------------------------------------ runs

STYLES = {"on_time": "green", "late": "red", "active": "cyan", "overdue": "bold red", "pending": "dim"}


def _mark(step: dict[str, Any]) -> Text:
    kind = mark_of(step)
    return Text(MARKS[kind] + ("*" if step["forced"] else ""), style=STYLES[kind])


def _files(files: list[dict[str, Any]], own_step: int | None = None) -> str:
    return "\n".join(
        safe_text(f["name"], 40) + (f" (langkah {f['step']})" if own_step and f["step"] != own_step else "")
        for f in files
    )


def run_report(report: dict[str, Any], width: int) -> Group:
    run, totals = report["run"], report["totals"]
    day = run["day_minutes"]
    head = Table.grid(padding=(0, 1))
    head.add_column(style="bold", no_wrap=True)
    head.add_column()
    head.add_row("SOP", f"{run['number']} — {run['sop_title']}")
    if run["title"] != run["sop_title"]:
        head.add_row("Judul", run["title"])
    status = run["status"] + (f" ({run['cancel_reason']})" if run.get("cancel_reason") else "")
    head.add_row("Run", f"{run['id']} · {status}")
    head.add_row(
        "Dimulai",
        f"{_time(run['started_at'])} oleh {run['started_by']}"
        + (f" · selesai {_time(run['finished_at'])}" if run["finished_at"] else ""),
    )
    head.add_row(
        "Langkah",
        f"{totals['done']}/{totals['steps']} selesai · {totals['on_time']} tepat waktu · {totals['late']} terlambat",
    )
    head.add_row(
        "Waktu",
        f"{fmt_minutes(totals['elapsed_minutes'], day)} / "
        f"{fmt_minutes(totals['standard_minutes'], day)} (kerja / standar)",
    )
    if run["assignments"]:
        head.add_row("Petugas", ", ".join(f"{a}={p}" for a, p in run["assignments"].items()))
    wide = width >= WIDE
    actors = [lane["id"] for lane in report["lanes"]]
    table, legend = swimlanes([lane["name"] for lane in report["lanes"]], width)
    if wide:
        table.add_column("Kelengkapan (masuk)", ratio=2, overflow="fold")
    table.add_column("Waktu / Standar", no_wrap=not wide, justify="right")
    if wide:
        table.add_column("Output (bukti)", ratio=2, overflow="fold")
    for step in report["steps"]:
        marks = [_mark(step) if actor == step["actor"] else Text("") for actor in actors]
        elapsed = fmt_minutes(step["elapsed_minutes"], day) if step["status"] != "pending" else "—"
        timing = f"{elapsed} / {fmt_minutes(step['standard_minutes'], day)}"
        if step["passes"] > 1:
            timing += f"\n{step['passes']}×"
        if wide:
            requires = "\n".join(f"• {r}" for r in step["requires"])
            inputs = "\n".join(f"✓ {line}" for line in _files(step["inputs"], step["no"]).splitlines())
            table.add_row(
                str(step["no"]),
                _activity(step, wide),
                *marks,
                "\n".join(x for x in (requires, inputs) if x),
                timing,
                _files(step["artifacts"]),
            )
            continue
        table.add_row(str(step["no"]), _activity(step, wide), *marks, timing.replace(" / ", "\n/ "))
    parts: list[Any] = [head, table, Text(LEGEND, style="dim")]
    if legend:
        parts.append(Text(legend, style="dim"))
    return Group(*parts)


def _activity(step: dict[str, Any], wide: bool) -> Text:
    cell = Text(step["activity"])
    if step.get("person"):
        cell.append(f"\n{step['person']}", style="italic")
    if step["outcome"]:
        cell.append(f"\n→ {step['outcome']}", style="bold")
    if not wide:
        if step["requires"]:
            cell.append("\nKelengkapan: ", style="bold dim").append("; ".join(step["requires"]), style="dim")
        if step["inputs"]:
            cell.append("\nMasuk: ", style="bold dim").append(_files(step["inputs"], step["no"]).replace("\n", "; "))
        if step["artifacts"]:
            cell.append("\nBukti: ", style="bold dim").append(_files(step["artifacts"]).replace("\n", "; "))
    for note in step["notes"]:
        cell.append(f"\n✎ {note['by']}: {safe_text(note['text'], 200)}", style="italic dim")
    return cell


def runs_table(rows: list[dict[str, Any]]) -> Table | Text:
    if not rows:
        return Text("No runs here yet; start one with `sop start SOP`.")
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("Run", style="bold", no_wrap=True)
    table.add_column("SOP", no_wrap=True)
    table.add_column("Judul", ratio=1)
    table.add_column("Status", no_wrap=True)
    table.add_column("Langkah", justify="right")
    table.add_column("Dimulai", no_wrap=True)
    table.add_column("Oleh")
    for row in rows:
        table.add_row(
            row["id"],
            row["sop"],
            row["title"],
            row["status"],
            str(row["active_step"] or "—"),
            _time(row["started_at"]),
            row["started_by"],
        )
    return table


def log_table(records: list[dict[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Waktu", no_wrap=True)
    table.add_column("Oleh")
    table.add_column("Catatan", ratio=1)
    for r in records:
        when = _time(r["at"])
        if _time(r["recorded_at"]) != when:
            when += f"\n(dicatat {_time(r['recorded_at'])})"
        who = r["by"] + (f"\n(login {r['login']})" if r.get("login") and r["login"] != r["by"] else "")
        table.add_row(str(r["seq"]), when, who, describe(r))
    return table


def describe(record: dict[str, Any]) -> str:
    """One line saying what a record of the audit trail means."""
    d, kind = record["data"], record["type"]
    forced = " [dipaksa]" if d.get("forced") else ""
    files = lambda key: ", ".join(safe_text(f["name"], 40) for f in d.get(key, []))  # noqa: E731
    if kind == "start":
        return f"mulai {d['sop']['id']} ({d['sop']['number']})"
    if kind == "done":
        text = f"langkah {d['step']} selesai" + (f" → {d['outcome']}" if d.get("outcome") else "") + forced
        if d.get("outputs"):
            text += f"; bukti: {files('outputs')}"
        if d.get("inputs"):
            text += f"; masuk: {files('inputs')}"
        return text + (f"; catatan: {safe_text(d['note'], 100)}" if d.get("note") else "")
    if kind == "attach":
        return f"langkah {d['step']}: {'masuk' if d['kind'] == 'input' else 'bukti'} {files('files')}{forced}"
    if kind == "note":
        return f"langkah {d['step']}: ✎ {safe_text(d['text'], 200)}"
    if kind == "assign":
        return f"lane {d['actor']} → {d['person']}"
    if kind == "undo":
        return f"batal: penyelesaian langkah {d['step']} (record {d['undoes']}) ditarik kembali"
    if kind == "cancel":
        return f"run dibatalkan: {safe_text(d['reason'], 200)}"
    return kind


def stats_table(stats: dict[str, Any]) -> Group:
    table = Table(box=box.SIMPLE_HEAD, title=f"{stats['sop']} · {stats['runs']} run selesai")
    table.add_column("No", justify="right")
    table.add_column("Jumlah", justify="right")
    table.add_column("Median", justify="right")
    table.add_column("P90", justify="right")
    table.add_column("Standar", justify="right")
    table.add_column("Tepat waktu", justify="right")
    day = stats.get("day_minutes", 480)
    for s in stats["steps"]:
        share = "—" if s["on_time_share"] is None else f"{100 * s['on_time_share']:.0f}%"
        table.add_row(
            str(s["no"]),
            str(s["count"]),
            fmt_minutes(s["median_minutes"], day),
            fmt_minutes(s["p90_minutes"], day),
            fmt_minutes(s["standard_minutes"], day),
            share,
        )
    late = stats["most_late_step"]
    footer = Text(
        f"Paling sering terlambat: langkah {late}" if late is not None else "Tidak ada langkah terlambat", style="bold"
    )
    return Group(table, footer)
