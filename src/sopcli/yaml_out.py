"""Writes SOP YAML with comments beside values, which PyYAML cannot, without risking its quoting.

Keys come in order, a comment may follow any value, and every scalar is quoted by the YAML library (or
escaped here), so that no text from a document can change the structure."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

INDENT = "  "
# Characters a YAML scalar must not carry raw: controls, and the bidirectional marks and overrides that
# reorder what a terminal or an editor shows. They are written as escapes inside double quotes.
_ESCAPE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]"
)


@dataclass
class Value:
    """A value with what people should know about it: `note` (a fact, e.g. the form's own spelling) and
    `guess` (what sop import inferred, to be checked); both are written as a comment beside the value."""

    data: Any
    note: str = ""
    guess: str = ""
    inline: bool = False  # a short list written on the key's line: [tu, sekretaris]


Mapping = list[tuple[str, Any]]  # (key, Value | Mapping | list[Mapping]) in the order they are written


@dataclass
class Writer:
    """Lines of YAML, and the line of every guess (so that a person can be pointed at it)."""

    lines: list[str] = field(default_factory=list)
    guesses: list[tuple[int, str]] = field(default_factory=list)

    def comment(self, text: str) -> None:
        self.lines.append(f"# {comment_text(text)}" if text else "")

    def mapping(self, items: Mapping, depth: int = 0, first: str = "") -> None:
        """`first` replaces the indent of the first key (the `- ` of an item in a list)."""
        for i, (key, value) in enumerate(items):
            lead = first if i == 0 and first else INDENT * depth
            head = f"{lead}{scalar(key)}:"
            if isinstance(value, Value):
                self._value(head, value, depth)
            elif value and isinstance(value[0], list):
                self.lines.append(head)
                for item in value:
                    self.mapping(item, depth + 2, INDENT * (depth + 1) + "- ")
            else:
                self.lines.append(head)
                self.mapping(value, depth + 1)

    def _value(self, head: str, value: Value, depth: int) -> None:
        items = value.data
        inline = flow_list(items) if value.inline and isinstance(items, list) else None
        if inline is not None:
            self._line(f"{head} {inline}", value)
        elif isinstance(items, list) and items:
            self._line(head, value)
            for item in items:
                self.lines.append(f"{INDENT * (depth + 1)}- {scalar(item)}")
        else:
            self._line(f"{head} {scalar(items)}", value)

    def _line(self, text: str, value: Value) -> None:
        remarks = [r for r in (value.note, value.guess) if r]
        self.lines.append(f"{text}  # {comment_text('; '.join(remarks))}" if remarks else text)
        if value.guess:
            self.guesses.append((len(self.lines), value.guess))

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def comment_text(text: str) -> str:
    """Anything on one line that YAML allows in a comment: line breaks and unprintable characters become
    spaces."""
    return "".join(" " if _ESCAPE.match(c) or c in "\r\n\x85" or not c.isprintable() else c for c in text)


def scalar(value: Any) -> str:
    """A value as a YAML scalar on one line that reads back as exactly this value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | date):
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, list) and not value:
        return "[]"
    text = str(value)
    written = _plain_or_quoted(text) if not _ESCAPE.search(text) and "\n" not in text else None
    return written if written is not None else double_quoted(text)


def flow_list(items: list[Any]) -> str | None:
    """`[a, 'b, c', 2025-01-02]`: a list on one line, quoted by PyYAML for the flow context (where a comma
    or a bracket ends a plain item); None when an item needs escapes or the list would be long."""
    import yaml

    if any(isinstance(i, str) and (_ESCAPE.search(i) or "\n" in i) for i in items):
        return None
    written = yaml.safe_dump(items, allow_unicode=True, width=1 << 30, default_flow_style=True).strip()
    if len(written) > 100 or "\n" in written or yaml.safe_load(written) != items:
        return None
    return written


def _plain_or_quoted(text: str) -> str | None:
    """PyYAML's choice of style (plain, or quoted where plain would be read as something else)."""
    import yaml

    written = yaml.safe_dump(text, allow_unicode=True, width=1 << 30, default_flow_style=True)
    written = written.removesuffix("\n").removesuffix("\n...").removesuffix("\n")
    if "\n" in written or yaml.safe_load(written) != text:
        return None
    return written


def double_quoted(text: str) -> str:
    r"""A double-quoted YAML scalar: JSON's escapes (which YAML shares), and \uXXXX for the characters
    a terminal or editor would act on instead of showing."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def slug(text: str, limit: int = 64) -> str:
    """`Kabag Perencanaan` -> `kabag-perencanaan`: lower-case ASCII letters and digits joined by hyphens,
    cut at a hyphen within `limit`; empty when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out or (words[0][:limit] if words else "")
