"""Fills Indonesian texts into the catalogue from a Python file holding TR = {msgid: text} (a
development helper for adding translations in bulk).  Run: python tools/fill.py FILE.py"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parents[1] / "src" / "sopcli" / "locale" / "id" / "LC_MESSAGES" / "sopcli.po"


def main(source: str) -> None:
    table = runpy.run_path(source)["TR"]
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    filled = 0
    for message in catalogue:
        key = message.id
        if key in table and (not message.string or message.string != table[key]):
            message.string = table[key] if isinstance(key, str) else (table[key],)
            filled += 1
    with PO.open("wb") as handle:
        write_po(handle, catalogue, width=0, omit_header=False, ignore_obsolete=True)
    print(f"filled {filled}")


if __name__ == "__main__":
    main(sys.argv[1])
