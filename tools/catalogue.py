"""Keeps the message catalogue in step with the code (a development tool, not shipped):
extracts every message, merges it into locale/id/LC_MESSAGES/sopcli.po, compiles the .mo, and lists
what still has no Indonesian text.  Run: python tools/catalogue.py [--check]"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "sopcli" / "locale"
POT = LOCALE / "sopcli.pot"
PO = LOCALE / "id" / "LC_MESSAGES" / "sopcli.po"
KEYWORDS = ["-k", "_", "-k", "N_", "-k", "_n:1,2"]


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", *args], check=True, cwd=ROOT)


def main() -> int:
    from babel.messages.pofile import read_po

    pybabel(
        "extract",
        "--no-default-keywords",
        *KEYWORDS,
        "--sort-by-file",
        "--no-wrap",
        "--no-location",
        "--omit-header",
        "-o",
        str(POT),
        "src/sopcli",
    )
    pybabel(
        "update", "-i", str(POT), "-o", str(PO), "-l", "id", "--no-wrap", "--no-fuzzy-matching", "--ignore-obsolete"
    )
    pybabel("compile", "-i", str(PO), "-o", str(PO.with_suffix(".mo")), "-l", "id")
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    missing = [m.id for m in catalogue if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(catalogue)} messages, {len(missing)} without Indonesian text")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
