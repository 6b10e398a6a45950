"""`sop status` in plain lines: it runs many times a day, so it does without Rich's start-up cost."""

from __future__ import annotations

from typing import Any

from sopcli.render import MARKS, fmt_minutes, mark_of, safe_text, short_time


def run_status(report: dict[str, Any]) -> str:
    run, totals = report["run"], report["totals"]
    day = run["day_minutes"]
    lines = [f"{run['id']}  {run['number']} — {run['title']}"]
    active = next((s for s in report["steps"] if s["status"] == "active"), None)
    if active is None:
        lines.append(
            f"{run['status']} · {totals['done']}/{totals['steps']} langkah · "
            f"{fmt_minutes(totals['elapsed_minutes'], day)} / {fmt_minutes(totals['standard_minutes'], day)}"
        )
        return "\n".join(lines)
    left = active["standard_minutes"] - active["elapsed_minutes"]
    remaining = f"sisa {fmt_minutes(left, day)}" if left >= 0 else f"lewat {fmt_minutes(-left, day)}"
    person = f"({active['person']})" if active["person"] else "(belum ditugaskan)"
    lines += [
        f"{MARKS[mark_of(active)]} Langkah {active['no']}: {active['activity']}",
        f"  Pelaksana   {active['actor_name']} {person}",
        f"  Waktu       {fmt_minutes(active['elapsed_minutes'], day)} dari "
        f"{fmt_minutes(active['standard_minutes'], day)} · {remaining}",
        f"  Aktif sejak {short_time(active['started_at'])}",
        "  Kelengkapan",
        *[f"    • {item}" for item in active["requires"] or ["—"]],
    ]
    if active["inputs"]:
        lines.append("  Sudah ada")
        lines += [f"    ✓ {safe_text(f['name'], 60)} (langkah {f['step']})" for f in active["inputs"]]
    else:
        lines.append("  Sudah ada   belum ada bukti masuk")
    if active["artifacts"]:
        lines.append("  Bukti       " + "; ".join(safe_text(f["name"], 40) for f in active["artifacts"]))
    return "\n".join(lines)


def handover(run_id: str, status: str, step: dict[str, Any] | None, day_minutes: float) -> str:
    """After start/done/undo: the step that now holds the work, its lane and person, what it needs."""
    if step is None:
        return f"Run {run_id} is {status}."
    lane = step["actor_name"] + (f" ({step['person']})" if step["person"] else "")
    lines = [
        f"Active: step {step['no']} — {step['activity']}",
        f"  lane {lane} · standard {fmt_minutes(step['standard_minutes'], day_minutes)} ({step['time']})",
    ]
    if step["requires"]:
        lines.append("  Kelengkapan: " + "; ".join(step["requires"]))
    if step["inputs"]:
        lines.append(
            "  Received: " + "; ".join(f"{safe_text(f['name'], 60)} (step {f['step']})" for f in step["inputs"])
        )
    return "\n".join(lines)
