"""The symbols a terminal view may use: Unicode marks and box drawing, or ASCII for a console that cannot."""

from __future__ import annotations

from dataclasses import dataclass

from sopcli.render import ASCII_MARKS, MARKS
from sopcli.render.grid import ASCII_BOX, UNICODE_BOX, Box


@dataclass(frozen=True)
class Charset:
    """The symbols a view may use: Unicode, or ASCII where the output's encoding cannot write them."""

    marks: dict[str, str]
    box: Box
    bullet: str
    arrow: str
    pen: str
    received: str

    @classmethod
    def for_encoding(cls, encoding: str | None) -> Charset:
        sample = "".join(MARKS.values()) + "┼─│┌┐└┘├┤┬┴•→←▼▲■◆✎"  # marks, box drawing, the flow's glyphs
        try:
            sample.encode(encoding or "utf-8")
        except (UnicodeEncodeError, LookupError):
            return ASCII
        return UNICODE


UNICODE = Charset(MARKS, UNICODE_BOX, "•", "→", "✎", "✓")
ASCII = Charset(ASCII_MARKS, ASCII_BOX, "-", "->", "note", "+")
