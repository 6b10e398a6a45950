"""Printing for people at a terminal: the only module that draws with Rich (colour, NO_COLOR, the
console's encoding), from the styled lines the views compute."""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.text import Text

from sopcli.render.charset import Charset
from sopcli.render.grid import Line


def console(file: IO[str] | None = None, stderr: bool = False) -> Console:
    """A console that honours COLUMNS, NO_COLOR and the output's encoding, and never pads lines."""
    return Console(file=file, stderr=stderr, highlight=False, soft_wrap=True, emoji=False, markup=False)


def charset(out: Console) -> Charset:
    return Charset.for_encoding(out.encoding)


def emit(lines: list[Line], out: Console) -> None:
    for line in lines:
        out.print(
            Text.assemble(*[(text, style) if style else text for text, style in line]), overflow="ignore", crop=False
        )
