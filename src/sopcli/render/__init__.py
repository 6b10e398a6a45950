"""Presentation: turns plain core objects into tables, JSON, CSV, Markdown and Mermaid."""

from __future__ import annotations

from typing import Any

MARKS = {"on_time": "✓", "late": "✗", "active": "▶", "overdue": "‼", "pending": "○"}
LEGEND = "✓ tepat waktu  ✗ terlambat  ▶ aktif  ‼ lewat waktu  ○ belum  * dipaksa (--force)"


def mark_of(step: dict[str, Any]) -> str:
    """Which of the five marks a step of a report carries."""
    if step["status"] == "done":
        return "on_time" if step["on_time"] else "late"
    if step["status"] == "active":
        return "overdue" if step["overdue"] else "active"
    return "pending"


def short_time(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else "—"


def fmt_minutes(minutes: float | None, day_minutes: float = 480) -> str:
    """Working minutes the way an office reads them: `1h 2j 30m` (hari, jam, menit)."""
    if minutes is None:
        return "—"
    total = round(minutes)
    sign = "-" if total < 0 else ""
    total = abs(total)
    day = int(day_minutes) or 1440
    days, rest = divmod(total, day)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}h" if days else "", f"{hours}j" if hours else "", f"{mins}m" if mins else ""]
    return sign + (" ".join(p for p in parts if p) or "0m")


_UNSAFE = {0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}


def safe_text(text: str, limit: int = 80) -> str:
    """A user-given name made harmless for a terminal: no control or bidi characters, bounded length."""
    cleaned = "".join(f"\\u{ord(c):04x}" if ord(c) < 32 or ord(c) == 127 or ord(c) in _UNSAFE else c for c in text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
