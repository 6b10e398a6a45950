"""Table layout for the terminal, apart from drawing: column widths, and text wrapped on spaces and
after `/` (a word wider than its column after a hyphen between letters) so that no word is ever split
at any width a table can be read in."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

NBSP = "\u00a0"  # a space the layout never breaks at (between a number and its unit)
Span = tuple[str, str]  # (text, style); the style is a Rich style name or ""
Line = list[Span]


def char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str) -> int:
    return sum(char_width(c) for c in text) if not text.isascii() else len(text)


def line_width(line: Line) -> int:
    return sum(text_width(t) for t, _s in line)


@dataclass
class Cell:
    """Styled text of one cell; `\\n` starts a new paragraph."""

    spans: list[Span] = field(default_factory=list)
    align: str = "left"

    @classmethod
    def of(cls, text: str = "", style: str = "", align: str = "left") -> Cell:
        return cls([(text, style)] if text else [], align)

    def add(self, text: str, style: str = "") -> Cell:
        if text:
            self.spans.append((text, style))
        return self

    def paragraphs(self) -> list[list[tuple[str, str]]]:
        """The cell as paragraphs of (char, style)."""
        paras: list[list[tuple[str, str]]] = [[]]
        for text, style in self.spans:
            for ch in text:
                if ch == "\n":
                    paras.append([])
                else:
                    paras[-1].append((ch, style))
        return paras


def _tokens(chars: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Words with their trailing space or slash: the places a line may break."""
    tokens: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for i, item in enumerate(chars):
        current.append(item)
        ch = item[0]
        following = chars[i + 1][0] if i + 1 < len(chars) else " "
        if ch == " " and following != " " or ch == "/" and following not in (" ", NBSP):
            tokens.append(current)
            current = []
    if current:
        tokens.append(current)
    return tokens


def _pieces(word: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """A word cut after each hyphen between letters (contoh-surat-masuk, bahan-bahan; never a date or a
    number): where a word wider than its column may break before it is ever folded."""
    pieces: list[list[tuple[str, str]]] = [[]]
    for i, item in enumerate(word):
        pieces[-1].append(item)
        following = word[i + 1][0] if i + 1 < len(word) else ""
        if item[0] == "-" and following.isalpha() and i > 0 and word[i - 1][0].isalpha():
            pieces.append([])
    return pieces


def _width(chars: list[tuple[str, str]]) -> int:
    return sum(char_width(c) for c, _s in chars)


def longest_word(cell: Cell) -> int:
    """The narrowest a column can be without folding this cell: its widest word, or hyphenated piece."""
    return max(
        (_width(piece) for p in cell.paragraphs() for t in _tokens(p) for piece in _pieces(_strip(t))), default=0
    )


def natural_width(cell: Cell) -> int:
    return max((_width(p) for p in cell.paragraphs()), default=0)


def _strip(token: list[tuple[str, str]]) -> list[tuple[str, str]]:
    end = len(token)
    while end and token[end - 1][0] == " ":
        end -= 1
    return token[:end]


def _spans(chars: list[tuple[str, str]]) -> Line:
    line: Line = []
    for ch, style in chars:
        ch = " " if ch == NBSP else ch
        if line and line[-1][1] == style:
            line[-1] = (line[-1][0] + ch, style)
        else:
            line.append((ch, style))
    return line


def wrap(cell: Cell, width: int) -> list[Line]:
    """The cell's lines at `width`: breaks on spaces and after `/`; a word wider than the width breaks
    after its hyphens between letters, and only what is still wider (a long file name, a hash) folds."""
    width = max(1, width)
    lines: list[Line] = []
    for para in cell.paragraphs():
        current: list[tuple[str, str]] = []
        for unit in _units(_tokens(para), width):
            word = _strip(unit)
            if current and _width(current) + _width(word) > width:
                lines.append(_spans(_strip(current)))
                current = []
            if not current and _width(word) > width:
                while _width(word) > width:
                    cut, used = 0, 0
                    while cut < len(word) and used + char_width(word[cut][0]) <= width:
                        used += char_width(word[cut][0])
                        cut += 1
                    cut = max(cut, 1)
                    lines.append(_spans(word[:cut]))
                    word = word[cut:]
                current = list(word) + unit[len(_strip(unit)) :]
                continue
            current.extend(unit)
        lines.append(_spans(_strip(current)))
    return lines


def _units(tokens: list[list[tuple[str, str]]], width: int) -> list[list[tuple[str, str]]]:
    """The tokens, each word wider than `width` cut into its hyphenated pieces (the last keeps the space)."""
    units = []
    for token in tokens:
        word = _strip(token)
        pieces = _pieces(word) if _width(word) > width else [word]
        pieces[-1] = pieces[-1] + token[len(word) :]
        units.extend(pieces)
    return units


@dataclass
class Column:
    header: Cell
    weight: float = 1.0  # share of the room left once every column has its longest word
    cap: int = 40  # a longer word is folded rather than widen the column past this
    floor: int = 1
    fixed: int | None = None


@dataclass
class Box:
    """The characters of a table's frame; an ASCII set where the output cannot write box drawing."""

    h: str = "─"
    v: str = "│"
    tl: str = "┌"
    tm: str = "┬"
    tr: str = "┐"
    ml: str = "├"
    mm: str = "┼"
    mr: str = "┤"
    bl: str = "└"
    bm: str = "┴"
    br: str = "┘"


UNICODE_BOX = Box()
ASCII_BOX = Box("-", "|", "+", "+", "+", "+", "+", "+", "+", "+", "+")


def widths(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], total: int) -> list[int]:
    """Column widths (content only) that fit `total` terminal columns with the frame: every column at
    least its longest word (up to its cap), the room left shared by weight up to each natural width."""
    frame = len(columns) + 1 + 2 * len(columns)  # borders and one space of padding on each side
    room = max(len(columns), total - frame)
    cells = [[col.header, *[row[i] for row in rows]] for i, col in enumerate(columns)]
    data = [
        col.fixed or max(col.floor, min(col.cap, max((longest_word(row[i]) for row in rows), default=0)))
        for i, col in enumerate(columns)
    ]
    floors = [max(col.floor, min(12, longest_word(col.header))) for col in columns]  # a title word never folds
    columns = [Column(c.header, c.weight, c.cap, floors[i], c.fixed) for i, c in enumerate(columns)]
    lowest = [
        col.fixed or max(col.floor, min(col.cap, max(longest_word(c) for c in cells[i])))
        for i, col in enumerate(columns)
    ]
    natural = [col.fixed or max(lowest[i], max(natural_width(c) for c in cells[i])) for i, col in enumerate(columns)]
    if sum(natural) <= room:
        return natural
    while sum(lowest) > room:  # ...unless only a heading's word keeps the data from fitting: it folds first
        longer = [i for i in range(len(columns)) if lowest[i] > data[i]]
        if not longer:
            break
        lowest[max(longer, key=lambda i: (lowest[i] - data[i], i))] -= 1
    if sum(lowest) > room:
        return _squeeze(lowest, columns, room)
    result = list(lowest)
    spare = room - sum(result)
    growing = [i for i, col in enumerate(columns) if natural[i] > result[i] and not col.fixed]
    while spare > 0 and growing:
        weight = sum(columns[i].weight for i in growing)
        given = 0
        for i in growing:
            share = max(1, int(spare * columns[i].weight / weight)) if weight else 1
            add = min(share, natural[i] - result[i], spare - given)
            result[i] += add
            given += add
        spare -= given
        growing = [i for i in growing if natural[i] > result[i]]
        if given == 0:
            break
    return result


def _squeeze(lowest: list[int], columns: Sequence[Column], room: int) -> list[int]:
    """Not even every longest word fits: the columns that matter least for their width give way first
    (their longest words fold), the weighty ones last."""
    result = list(lowest)
    while sum(result) > room:
        candidates = [i for i, col in enumerate(columns) if not col.fixed and result[i] > col.floor]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: (result[i] / (columns[i].weight + 0.1), i))
        result[widest] -= 1
    return result


class Canvas(Protocol):
    """A column drawn line by line rather than wrapped (the flowchart): it gives each row's lines at the
    row's final height, and its part of the rule under each row, where its lines cross that rule."""

    column: int

    def min_height(self, row: int) -> int: ...

    def body(self, row: int, height: int) -> list[Line]: ...

    def rule(self, row: int) -> str: ...


def draw(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    total: int,
    box: Box = UNICODE_BOX,
    border_style: str = "",
    header_style: str = "bold",
    merged: frozenset[tuple[int, int]] = frozenset(),
    lines_between: bool = True,
    canvas: Canvas | None = None,
) -> list[Line]:
    """The table as lines of styled spans, each at most `total` columns wide. `merged` holds (row,
    column) pairs whose cell runs on into the next row: no rule is drawn between them there. A `canvas`
    draws its column itself (its column must have a fixed width)."""
    sizes = widths(columns, rows, total)

    def rule(left: str, mid: str, right: str) -> Line:
        return [(left + mid.join(box.h * (w + 2) for w in sizes) + right, border_style)]

    def between(r: int) -> Line:
        """The rule under row r, open where a cell runs on into the next row."""
        open_ = [(r, i) in merged for i in range(len(sizes))]
        text = box.v if open_[0] else box.ml
        for i, w in enumerate(sizes):
            if canvas is not None and i == canvas.column:
                text += canvas.rule(r)
            else:
                text += (" " if open_[i] else box.h) * (w + 2)
            right = open_[i + 1] if i + 1 < len(sizes) else None
            if right is None:
                text += box.v if open_[i] else box.mr
            elif open_[i] and right:
                text += box.v
            elif open_[i]:
                text += box.ml
            elif right:
                text += box.mr
            else:
                text += box.mm
        return [(text, border_style)]

    def body(cells: Sequence[Cell], style: str = "", row: int | None = None) -> list[Line]:
        wrapped = [wrap(cell, sizes[i]) for i, cell in enumerate(cells)]
        height = max(len(w) for w in wrapped)
        if canvas is not None and row is not None:
            height = max(height, canvas.min_height(row))
            wrapped[canvas.column] = canvas.body(row, height)
        out: list[Line] = []
        for n in range(height):
            line: Line = [(box.v, border_style)]
            for i, cell in enumerate(cells):
                content = wrapped[i][n] if n < len(wrapped[i]) else []
                if style:
                    content = [(t, f"{style} {s}".strip()) for t, s in content]
                pad = sizes[i] - line_width(content)
                left = pad // 2 if cell.align == "center" else pad if cell.align == "right" else 0
                line += [(" " * (left + 1), ""), *content, (" " * (pad - left + 1), ""), (box.v, border_style)]
            out.append(line)
        return out

    lines = [rule(box.tl, box.tm, box.tr), *body([c.header for c in columns], header_style)]
    for r, row in enumerate(rows):
        if r == 0 or lines_between:
            lines.append(rule(box.ml, box.mm, box.mr) if r == 0 else between(r - 1))
        lines += body(row, row=r)
    lines.append(rule(box.bl, box.bm, box.br))
    return lines
