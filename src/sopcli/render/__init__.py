"""Presentation: turns plain core objects into text for terminals, scripts and documents, and is the
one door through which user and file text reaches each medium (terminal, CSV, Markdown, HTML)."""

from __future__ import annotations

import re
from typing import Any

MARKS = {
    "on_time": "✓",
    "late": "✗",
    "done": "●",
    "active": "▶",
    "overdue": "‼",
    "pending": "○",
    "not_needed": "–",
    "forced": "*",
}
# Where the output cannot write those characters (a legacy Windows console, cp1252): still one distinct
# symbol per mark.
ASCII_MARKS = {
    "on_time": "+",
    "late": "x",
    "done": "o",
    "active": ">",
    "overdue": "!",
    "pending": ".",
    "not_needed": "-",
    "forced": "*",
}


def mark_of(step: dict[str, Any]) -> str:
    """Which mark a step of a report carries."""
    if step["status"] == "done":
        if step["on_time"] is None:
            return "done"
        return "on_time" if step["on_time"] else "late"
    if step["status"] == "active":
        return "overdue" if step["overdue"] else "active"
    return "pending"


def lane_mark(step: dict[str, Any], part: dict[str, Any]) -> str:
    """The mark of one lane of a step: for `any` the lane that did it carries the step's mark and the
    others are not needed; for `all` each lane shows its own part."""
    kind = mark_of(step)
    if part["status"] == "not_needed":
        return "not_needed"
    if part["status"] == "done" and step["status"] == "active":
        return "on_time"
    return kind


def taken_edges(steps: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """The hand-overs a run has made so far, as (from, to): every completed pass's outcome or next step."""
    taken = {("start", str(steps[0]["no"]))} if steps and steps[0]["passes"] else set()
    for step in steps:
        for item in step["history"]:
            if item["finished_at"] is None:
                continue
            target = (step.get("outcomes") or {}).get(item["outcome"]) if item["outcome"] else step.get("next")
            if target is not None:
                taken.add((str(step["no"]), str(target)))
    return taken


# C0 and C1 controls, DEL, and the bidirectional overrides and isolates that reorder what is shown.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\udc80-\udcff]")


def unsafe(ch: str) -> bool:
    """Whether a character must never reach a terminal or a diagram as itself."""
    return _UNSAFE.match(ch) is not None


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    """User or file text made harmless for a terminal: every control, escape and direction-changing
    character is shown as its code (`\\x1b`), a tab as a space; line breaks are kept."""
    text = text.replace("\u00a0", " ") if "\u00a0" in text else text
    return _UNSAFE.sub(_visible, text.replace("\t", " ")) if _UNSAFE.search(text) or "\t" in text else text


def one_line(text: str, limit: int | None = None) -> str:
    """Terminal-safe text on one line, cut with … beyond `limit` characters."""
    cleaned = terminal_text(text).replace("\r\n", " ").replace("\n", " ")
    return cleaned if limit is None or len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def for_terminal(data: Any) -> Any:
    """Every string inside `data` (dicts, lists, tuples) made terminal-safe: renderers for terminals
    take their data through here, so no call site can forget it."""
    if isinstance(data, str):
        return terminal_text(data)
    if isinstance(data, dict):  # keys too: an outcome's name is a key
        return {(terminal_text(k) if isinstance(k, str) else k): for_terminal(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(for_terminal(v) for v in data)
    return data


# For a page also the Arabic letter mark and the Unicode line and paragraph separators.
_UNSAFE_HTML = re.compile(_UNSAFE.pattern[:-1] + "\u061c\u2028\u2029]")


def html_text(text: str) -> str:
    """User or file text made harmless for an HTML page: markup characters as entities (quotes too, so
    it may stand in an attribute), every control and direction-changing character shown as its code."""
    import html

    return html.escape(_UNSAFE_HTML.sub(_visible, text.replace("\t", " ")), quote=True)


def for_html(data: Any) -> Any:
    """Every string inside `data`, keys included, made safe for HTML: the HTML renderer takes its data
    through here, so no call site can forget it."""
    if isinstance(data, str):
        return html_text(data)
    if isinstance(data, dict):
        return {for_html(k): for_html(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(for_html(v) for v in data)
    return data


def csv_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run: text starting with = + - @ (or a tab or CR) gets a
    leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raw = str(value)
    text = _UNSAFE.sub(_visible, raw)
    return "'" + text if raw[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def markdown_text(value: Any) -> str:
    """Text for a Markdown table cell: pipes, markup characters and HTML escaped, one line."""
    if value is None:
        return ""
    text = one_line(str(value))
    for ch in "\\`*_[]<>|":
        text = text.replace(ch, "\\" + ch)
    return text
