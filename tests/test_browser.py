"""Printing HTML to PDF with the machine's Chromium: page size, pages, words, clear errors, no partial files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sopcli import browser as printing
from sopcli.browser import find_chromium, print_pdf
from sopcli.errors import SopError
from tests.needs import missing

if TYPE_CHECKING:
    from playwright.sync_api import Browser


pytestmark = pytest.mark.usefixtures("english")
pytest_plugins = ["tests.browser_fixtures"]  # the session's Playwright `browser` fixture

MM = 72 / 25.4  # PDF points in a millimetre
A4_LANDSCAPE = (297 * MM, 210 * MM)
F4_PORTRAIT = (210 * MM, 330 * MM)


def page(body: str, style: str = "@page { size: A4 landscape; margin: 10mm }") -> str:
    return f"<!doctype html><html lang=id><head><style>{style}</style></head><body>{body}</body></html>"


@pytest.fixture
def chromium() -> Path:
    found = find_chromium()
    if found is None:
        missing("no Chromium found; on Debian: apt-get install chromium-headless-shell", variable="SOP_REQUIRE_BROWSER")
    return found


@pytest.fixture
def poppler() -> None:
    if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
        missing(
            "pdfinfo and pdftotext not found; on Debian: apt-get install poppler-utils", variable="SOP_REQUIRE_BROWSER"
        )


def pdfinfo(path: Path) -> tuple[int, tuple[float, float]]:
    """(pages, (width, height) of the first page in points)."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert size, info
    return pages, (float(size.group(1)), float(size.group(2)))


def pdftext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def assert_size(actual: tuple[float, float], expected: tuple[float, float]) -> None:
    assert actual == pytest.approx(expected, abs=1.5), (actual, expected)  # Chromium rounds to its own units


@pytest.mark.usefixtures("chromium", "poppler")
def test_an_a4_landscape_document_prints_as_one_page_of_that_size_with_its_words(tmp_path: Path) -> None:
    out = tmp_path / "form.pdf"
    # No <meta charset> in the document: its words must still come out as written.
    print_pdf(page("<h1>Penyiapan Bahan — Rencana Kinerja</h1><p>Kabag menerima memo, café</p>"), out)
    pages, size = pdfinfo(out)
    assert pages == 1
    assert_size(size, A4_LANDSCAPE)
    text = pdftext(out)
    assert "Penyiapan Bahan — Rencana Kinerja" in text and "café" in text


@pytest.mark.usefixtures("chromium", "poppler")
def test_a_three_page_document_gives_three_pages(tmp_path: Path) -> None:
    out = tmp_path / "three.pdf"
    sections = "".join(f"<section>halaman {n}</section>" for n in (1, 2, 3))
    print_pdf(page(sections, "@page { size: A4 landscape } section { break-after: page }"), out)
    assert pdfinfo(out)[0] == 3
    assert [line for line in pdftext(out).split() if line.isdigit()] == ["1", "2", "3"]


@pytest.mark.usefixtures("chromium", "poppler")
def test_the_document_page_size_wins_and_paper_applies_where_it_sets_none(tmp_path: Path) -> None:
    own = tmp_path / "own.pdf"
    print_pdf(page("f4", "@page { size: 210mm 330mm }"), own, paper="a4", landscape=True)
    assert_size(pdfinfo(own)[1], F4_PORTRAIT)
    default = tmp_path / "default.pdf"
    print_pdf("<p>tanpa ukuran halaman</p>", default, paper="f4", landscape=False)
    assert_size(pdfinfo(default)[1], F4_PORTRAIT)


class Counter(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[int]:
    """An HTTP server on 127.0.0.1 that counts what is asked of it; yields its port."""
    Counter.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.usefixtures("chromium")
def test_nothing_is_fetched_from_the_network(tmp_path: Path, local_server: int) -> None:
    base = f"http://127.0.0.1:{local_server}"
    links = f'<link rel="stylesheet" href="{base}/style.css"><script src="http://localhost:{local_server}/x.js">'
    print_pdf(page(f'{links}</script><img src="{base}/logo.png">tanpa jaringan'), tmp_path / "offline.pdf")
    assert (tmp_path / "offline.pdf").exists()
    assert Counter.hits == []


def test_a_missing_browser_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "form.pdf"
    with pytest.raises(SopError) as named:
        print_pdf(page("x"), out, environ={"SOP_CHROMIUM": "/nonexistent", "PATH": ""})
    assert named.value.message == "SOP_CHROMIUM is set to /nonexistent, which is not an executable file"

    monkeypatch.setattr(printing, "PLACES", ())
    with pytest.raises(SopError) as nothing:
        print_pdf(page("x"), out, environ={"PATH": ""})
    assert nothing.value.message == "no Chromium browser was found to print the PDF"
    assert "apt-get install chromium-headless-shell" in nothing.value.hint
    assert "--format html" in nothing.value.hint
    assert list(tmp_path.iterdir()) == []


def fake_browser(folder: Path, body: str) -> dict[str, str]:
    """An environment whose SOP_CHROMIUM is a shell script that writes half a PDF and then runs `body`."""
    script = folder / "fake-chromium"
    script.write_text(
        "#!/bin/sh\n"
        'for arg in "$@"; do case "$arg" in --print-to-pdf=*) out="${arg#--print-to-pdf=}";; esac; done\n'
        "printf '%%PDF-1.7 half a page' > \"$out\"\n" + body
    )
    script.chmod(0o755)
    return {**os.environ, "SOP_CHROMIUM": str(script)}


def test_a_browser_that_fails_gives_its_exit_code_and_last_words_and_leaves_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "out" / "form.pdf"
    out.parent.mkdir()
    out.write_bytes(b"the previous print")
    env = fake_browser(
        tmp_path,
        "echo 'starting' >&2\n"
        "echo '[1129/150150.621104:ERROR:headless_command_handler.cc(266)] Failed to write file: No space left' >&2\n"
        "exit 1\n",
    )
    with pytest.raises(SopError) as failed:
        print_pdf(page("x"), out, environ=env)
    assert failed.value.message == "the browser failed to print (exit code 1): Failed to write file: No space left"
    assert "--format html" in failed.value.hint
    assert out.read_bytes() == b"the previous print"
    assert list(out.parent.iterdir()) == [out]


def test_a_browser_that_writes_no_pdf_is_an_error(tmp_path: Path) -> None:
    env = fake_browser(tmp_path, '/bin/rm "$out"\n')
    with pytest.raises(SopError, match="finished without writing a PDF"):
        print_pdf(page("x"), tmp_path / "form.pdf", environ=env)
    assert not (tmp_path / "form.pdf").exists()


def test_a_browser_that_hangs_is_killed_with_its_children_at_the_timeout(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    env = fake_browser(tmp_path, f'/bin/sleep 300 &\necho $$ $! > "{pids}"\nwait\n')
    began = time.monotonic()
    with pytest.raises(SopError) as slow:
        print_pdf(page("x"), tmp_path / "form.pdf", timeout=1, environ=env)
    assert slow.value.message == "the browser did not finish printing within 1 s and was stopped"
    assert time.monotonic() - began < 10
    for pid in map(int, pids.read_text().split()):
        assert not Path(f"/proc/{pid}").exists() or " Z " in Path(f"/proc/{pid}/stat").read_text(), pid
    assert sorted(path.name for path in tmp_path.iterdir()) == ["fake-chromium", "pids"]


def test_an_unknown_paper_is_refused_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(SopError, match="unknown paper 'letter'") as refused:
        print_pdf(page("x"), tmp_path / "form.pdf", paper="letter", environ={"PATH": ""})
    assert refused.value.hint == "use a4 / f4"


def test_the_module_imports_nothing_heavy() -> None:
    heavy = "{'typer', 'click', 'rich', 'pydantic', 'yaml', 'tinydb', 'holidays', 'platformdirs'}"
    code = f"import sys, sopcli.browser; print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_playwright_drives_the_machines_chromium_and_measures_an_element(browser: Browser) -> None:
    tab = browser.new_page(viewport={"width": 800, "height": 600})
    try:
        tab.set_content('<div data-step="3" style="position:absolute; left:40px; top:25px; width:120px; height:60px">')
        assert tab.locator("[data-step='3']").bounding_box() == {"x": 40, "y": 25, "width": 120, "height": 60}
    finally:
        tab.close()


def test_on_windows_edge_is_found_where_windows_puts_it(tmp_path: Path) -> None:
    """Every Windows desktop has Edge, a Chromium: it is found under Program Files without PATH."""
    edge = tmp_path / "x86" / "Microsoft" / "Edge" / "Application" / "msedge.exe"
    edge.parent.mkdir(parents=True)
    edge.write_text("#!/bin/sh\n")
    edge.chmod(0o755)
    env = {"PATH": str(tmp_path / "empty"), "ProgramFiles(x86)": str(tmp_path / "x86")}
    assert find_chromium(env) == edge
    chrome = tmp_path / "local" / "Google" / "Chrome" / "Application" / "chrome.exe"
    chrome.parent.mkdir(parents=True)
    chrome.write_text("#!/bin/sh\n")
    chrome.chmod(0o755)
    assert find_chromium({"PATH": str(tmp_path / "empty"), "LOCALAPPDATA": str(tmp_path / "local")}) == chrome
