"""A Playwright browser for tests that measure rendered pages, driving the machine's Chromium (never a download).

Use it from a conftest (`from tests.browser_fixtures import browser`) or a test module. It launches the same
binary `sop` prints with (`sopcli.browser.find_chromium`) through Playwright's `executable_path`. Without
Playwright or a Chromium the tests that ask for it are skipped, or fail under CI or with SOP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from sopcli.browser import find_chromium
from tests.needs import missing

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# As for printing, minus what Playwright sets itself (headless, sandbox) and the resolver rule, so that a
# test may serve pages from 127.0.0.1.
FLAGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session; give each test its own page (`browser.new_page()`)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright is not installed (pip install '.[test]')", variable="SOP_REQUIRE_BROWSER")
    chromium = find_chromium()
    if chromium is None:
        missing("no Chromium found; on Debian: apt-get install chromium-headless-shell", variable="SOP_REQUIRE_BROWSER")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()
