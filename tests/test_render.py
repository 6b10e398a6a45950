"""Renderers keep user-given text harmless and figures readable."""

from sopcli.render import fmt_minutes, safe_text


def test_names_cannot_steer_the_terminal() -> None:
    hostile = "laporan\u202efdp.exe\x00\x1b[31m" + "x" * 300
    shown = safe_text(hostile, 80)
    assert "\u202e" not in shown and "\x00" not in shown and "\x1b" not in shown
    assert "\\u202e" in shown and len(shown) == 80 and shown.endswith("…")


def test_minutes_read_as_working_days_hours_and_minutes() -> None:
    assert fmt_minutes(0) == "0m"
    assert fmt_minutes(140) == "2j 20m"
    assert fmt_minutes(1440) == "3h"
    assert fmt_minutes(1710) == "3h 4j 30m"
    assert fmt_minutes(1440, 1440) == "1h"
    assert fmt_minutes(-90) == "-1j 30m"
    assert fmt_minutes(None) == "—"
