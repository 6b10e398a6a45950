"""Everything sop shows to people in a terminal; the only module that draws with Rich."""

from __future__ import annotations

from typing import IO, Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from sopcli.model import END, Sop
from sopcli.render import fmt_minutes, safe_text


def console(file: IO[str] | None = None) -> Console:
    """A console that honours COLUMNS and NO_COLOR and never pads lines beyond the terminal."""
    return Console(file=file, highlight=False, soft_wrap=False, emoji=False)


def _date(value: Any) -> str:
    return f"{value.day:02d} {_MONTHS[value.month - 1]} {value.year}" if value else "—"


_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember")


def sop_list(rows: list[dict[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=False)
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("Nomor SOP", overflow="fold")
    table.add_column("Judul", ratio=1)
    table.add_column("Langkah", justify="right")
    table.add_column("Standar", justify="right", no_wrap=True)
    for row in rows:
        table.add_row(row["id"], row["number"], row["title"], str(row["steps"]),
                      fmt_minutes(row["standard_minutes"], row["day_minutes"]))
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
    signed = (
        f"{approval.position or ''}\n\n{approval.name}\nNIP {approval.nip or '—'}".strip()
        if approval else "—"
    )
    revision = f"{sop.revision.no} ({_date(sop.revision.date)})" if sop.revision else "—"
    fields = [
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


def lane_headers(sop: Sop, width: int) -> tuple[list[str], str]:
    """Lane column titles: full names when there is room, else letters with a legend."""
    if width >= WIDE:
        return [a.name for a in sop.actors], ""
    letters = [chr(ord("A") + i) for i in range(len(sop.actors))]
    legend = "  ".join(f"{letter} = {a.name}" for letter, a in zip(letters, sop.actors, strict=True))
    return letters, "Pelaksana: " + legend


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
    headers, legend = lane_headers(sop, width)
    table = Table(box=box.SQUARE, show_lines=True, expand=True, header_style="bold",
                  title="Prosedur", title_style="bold")
    table.add_column("No", justify="right", no_wrap=True)
    table.add_column("Kegiatan", ratio=4, min_width=20)
    for header in headers:
        longest = max(len(word) for word in header.split())
        table.add_column(header, justify="center", ratio=1 if wide else None, no_wrap=not wide,
                         min_width=longest)
    if wide:
        table.add_column("Kelengkapan", ratio=2)
    table.add_column("Waktu", no_wrap=True)
    if wide:
        table.add_column("Output", ratio=2)
        table.add_column("Keterangan", ratio=1, min_width=10)
    for i, step in enumerate(sop.steps):
        marks = [("◆" if step.is_decision else "■") if a.id == step.actor else "" for a in sop.actors]
        flow = _flow(sop, i)
        if wide:
            note = "\n".join(x for x in (step.note or "", flow) if x)
            table.add_row(str(step.no), step.activity, *marks, _bullets(step.requires), step.time,
                          _bullets(step.output), note)
            continue
        cell = Text(step.activity)
        for label, items in (("Kelengkapan", step.requires), ("Output", step.output)):
            if items:
                cell.append(f"\n{label}: ", style="bold dim").append("; ".join(items), style="dim")
        for extra in (step.note, flow.replace("\n", " · ")):
            if extra:
                cell.append(f"\n{extra}", style="italic")
        table.add_row(str(step.no), cell, *marks, step.time.replace(" ", "\u00a0"))
    parts: list[Any] = [table]
    if legend:
        parts.append(Text(legend, style="dim"))
    return Group(*parts)


def print_problems(problems: list[str], out: Console) -> None:
    for problem in problems:
        out.print(safe_text(problem, 400), markup=False)
