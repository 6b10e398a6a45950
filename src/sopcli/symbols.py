"""The flowchart symbols of the Word form as small PNG pictures, drawn here so that no imaging library is needed."""

from __future__ import annotations

import functools
import math
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

WIDTH = 96  # pixels; the picture is scaled to its lane column's width
SHAPE_HEIGHT = 48
TERMINATOR_HEIGHT = 22
ARROW_HEIGHT = 14
STROKE = 2.5
SUBROWS = 4  # vertical samples per pixel row; across a row the coverage is computed exactly
MARGIN = 3.0

Span = tuple[float, float] | None
SHAPES = ("process", "decision")


@dataclass(frozen=True)
class Part:
    """One drawn piece: between `top` and `bottom`, the row at y covers `outer(y)`, and the white inside
    `inner(y)` (None: the piece is solid ink)."""

    top: float
    bottom: float
    outer: Callable[[float], Span]
    inner: Callable[[float], Span] | None = None


def rectangle(x0: float, y0: float, x1: float, y1: float) -> Part:
    def outer(y: float) -> Span:
        return (x0, x1) if y0 <= y <= y1 else None

    def inner(y: float) -> Span:
        return (x0 + STROKE, x1 - STROKE) if y0 + STROKE <= y <= y1 - STROKE else None

    return Part(y0, y1, outer, inner)


def diamond(x0: float, y0: float, x1: float, y1: float) -> Part:
    cx, cy, a, b = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    slant = math.hypot(a, b)
    ia, ib = a - STROKE * slant / b, b - STROKE * slant / a

    def half(y: float, width: float, height: float) -> Span:
        rest = 1 - abs(y - cy) / height
        return (cx - width * rest, cx + width * rest) if rest > 0 else None

    return Part(y0, y1, lambda y: half(y, a, b), lambda y: half(y, ia, ib))


def capsule(x0: float, y0: float, x1: float, y1: float) -> Part:
    radius, cy = (y1 - y0) / 2, (y0 + y1) / 2

    def half(y: float, r: float) -> Span:
        dy = abs(y - cy)
        if dy > r:
            return None
        w = math.sqrt(r * r - dy * dy)
        return (x0 + radius - w, x1 - radius + w)

    return Part(y0, y1, lambda y: half(y, radius), lambda y: half(y, radius - STROKE))


def arrow(cx: float, y0: float, y1: float) -> list[Part]:
    """A downward arrow: a shaft and a head, solid."""
    head = 7.0

    def shaft(y: float) -> Span:
        return (cx - STROKE / 2, cx + STROKE / 2) if y0 <= y <= y1 - head else None

    def tip(y: float) -> Span:
        rest = (y1 - y) / head
        return (cx - 5 * rest, cx + 5 * rest) if 0 <= rest <= 1 else None

    return [Part(y0, y1 - head, shaft), Part(y1 - head, y1, tip)]


def layout(shape: str, start: bool, end: bool) -> tuple[list[Part], int]:
    """The pieces of one lane cell's symbol: the step's shape, with the start terminator above it when the
    SOP begins here and the end terminator below it when the SOP can end here; and the picture's height."""
    parts: list[Part] = []
    y = MARGIN
    left, right = MARGIN, WIDTH - MARGIN
    if start:
        parts.append(capsule(left + 14, y, right - 14, y + TERMINATOR_HEIGHT))
        parts += arrow(WIDTH / 2, y + TERMINATOR_HEIGHT, y + TERMINATOR_HEIGHT + ARROW_HEIGHT)
        y += TERMINATOR_HEIGHT + ARROW_HEIGHT
    draw = diamond if shape == "decision" else rectangle
    parts.append(draw(left, y, right, y + SHAPE_HEIGHT))
    y += SHAPE_HEIGHT
    if end:
        parts += arrow(WIDTH / 2, y, y + ARROW_HEIGHT)
        parts.append(capsule(left + 14, y + ARROW_HEIGHT, right - 14, y + ARROW_HEIGHT + TERMINATOR_HEIGHT))
        y += ARROW_HEIGHT + TERMINATOR_HEIGHT
    return parts, math.ceil(y + MARGIN)


@functools.cache
def picture(shape: str, start: bool = False, end: bool = False) -> bytes:
    """The PNG of a lane cell's symbol (grey and alpha, transparent around the shape); cached, since a form
    repeats the same few pictures."""
    if shape not in SHAPES:
        raise ValueError(shape)
    parts, height = layout(shape, start, end)
    pixels = bytearray()
    for row in range(height):
        covered, ink = Coverage(), Coverage()
        for sub in range(SUBROWS):
            y = row + (sub + 0.5) / SUBROWS
            for part in parts:
                if part.top <= y <= part.bottom:
                    _cover_part(part, y, covered, ink)
        pixels.append(0)  # PNG filter type of the row: none
        pixels += b"".join(_pixel(c, k) for c, k in zip(covered.shares(), ink.shares(), strict=True))
    return png(WIDTH, height, bytes(pixels))


def _pixel(covered: float, ink: float) -> bytes:
    """Grey and alpha of a pixel from the samples that fell on the shape and on its ink."""
    if covered <= 0:
        return b"\x00\x00"
    if ink <= 0 and covered >= SUBROWS:
        return b"\xff\xff"
    alpha = min(1.0, covered / SUBROWS)
    dark = min(alpha, ink / SUBROWS)
    return bytes((round(255 * (1 - dark / alpha)), round(255 * alpha)))


class Coverage:
    """How much of each pixel of a row the spans added so far cover; whole pixels are counted in a
    difference array, so adding a span costs the same however wide it is."""

    def __init__(self) -> None:
        self.partial = [0.0] * WIDTH
        self.steps = [0] * (WIDTH + 1)

    def add(self, left: float, right: float) -> None:
        left, right = max(left, 0.0), min(right, float(WIDTH))
        if right <= left:
            return
        first, last = math.ceil(left), math.floor(right)
        if first > last:  # inside one pixel
            self.partial[int(left)] += right - left
            return
        if first > left:
            self.partial[first - 1] += first - left
        if right > last:
            self.partial[last] += right - last
        self.steps[first] += 1
        self.steps[last] -= 1

    def shares(self) -> list[float]:
        return [whole + part for whole, part in zip(accumulate(self.steps[:-1]), self.partial, strict=True)]


def _cover_part(part: Part, y: float, covered: Coverage, ink: Coverage) -> None:
    outer = part.outer(y)
    if outer is None:
        return
    covered.add(*outer)
    inner = part.inner(y) if part.inner else None
    if inner is None or inner[0] >= inner[1]:
        ink.add(*outer)
    else:
        ink.add(outer[0], inner[0])
        ink.add(inner[1], outer[1])


def png(width: int, height: int, rows: bytes) -> bytes:
    """A grey-and-alpha PNG from its filtered rows (each row: a filter byte, then two bytes a pixel)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 4, 0, 0, 0)
    dots_per_metre = struct.pack(">IIB", 7874, 7874, 1)  # 200 dpi
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"pHYs", dots_per_metre),
            chunk(b"IDAT", zlib.compress(rows, 9)),
            chunk(b"IEND", b""),
        )
    )
