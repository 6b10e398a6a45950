"""`sop import`: so that an office's existing SOPs in Word run without being retyped (SPEC §12).

The form in a Word document becomes SOP YAML with the Indonesian keys; every guessed value carries a
comment, and what could not be read is listed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Imported:
    """The YAML text, the guesses (line of the YAML, what was guessed) and what could not be read."""

    yaml: str
    guesses: list[tuple[int, str]]
    unread: list[str]


def import_docx(path: Path) -> Imported:
    """Reads the Word document at `path`; raises SopError (one line) when it cannot be imported at all."""
    from sopcli.docx_plan import to_yaml
    from sopcli.docx_read import open_document, read_form

    form = read_form(open_document(path), path.name)
    return Imported(*to_yaml(form, path.name))
