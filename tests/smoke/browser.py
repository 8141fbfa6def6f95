"""Driving Debian's Chromium with Playwright, for the smoke test's browser checks.

scripts/lib/pyenv.sh installs Debian's chromium into its Debian root and
exports its path as AUDIBLE_TRACKER_CHROMIUM (Playwright's own browser
download needs the internet). Elsewhere a `chromium` on PATH is used, and
without one the browser checks are skipped. The `chromium` fixture is in
conftest.py; screenshots go to tests/smoke/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

if TYPE_CHECKING:
    from tests.smoke.conftest import Owner, RealHomeAssistant

SCREENSHOTS = Path(__file__).parent / "screenshots"
# Without the networking flags Chromium keeps calling Google's services,
# which fail slowly on a closed network.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    # Nothing but this machine: the frontend would fetch brand images and
    # fonts from the internet otherwise.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
# The frontend has connected and knows who is logged in.
FRONTEND_READY = "() => document.querySelector('home-assistant')?.hass?.user?.name"


def chromium_path() -> str:
    """Debian's chromium in the pyenv root, else one on PATH, else skip."""
    if wanted := os.environ.get("AUDIBLE_TRACKER_CHROMIUM"):
        if not Path(wanted).is_file():
            pytest.fail(f"AUDIBLE_TRACKER_CHROMIUM={wanted} does not exist")
        return wanted
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip(
            "no Chromium: run through scripts/test (it installs Debian's) "
            "or set AUDIBLE_TRACKER_CHROMIUM"
        )
    return found


class BrowserThread:
    """Chromium, driven by Playwright's sync API from one worker thread.

    The sync API runs its event loop in a greenlet and leaves that loop marked
    as running in its thread: in pytest's main thread that breaks every async
    fixture after it. So all browser work happens here, one call at a time.
    """

    def __init__(self) -> None:
        """Nothing started yet."""
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="playwright")
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def start(self, executable: str) -> None:
        def start() -> None:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_FLAGS
            )

        self._executor.submit(start).result()

    def run[T](self, work: Callable[[Page], T], **options: Any) -> T:
        """Run `work` on a new page of a fresh context (no cookies, no storage).

        `options` go to the context (a phone's viewport, a dark colour scheme).
        """
        browser = self._browser
        assert browser is not None

        def in_thread() -> T:
            context = browser.new_context(
                **{"viewport": {"width": 1280, "height": 900}, **options}
            )
            context.set_default_timeout(TIMEOUT_MS)
            try:
                return work(context.new_page())
            finally:
                context.close()

        return self._executor.submit(in_thread).result()

    def stop(self) -> None:
        def stop() -> None:
            if self._browser is not None:
                self._browser.close()
            if self._playwright is not None:
                self._playwright.stop()

        try:
            self._executor.submit(stop).result()
        finally:
            self._executor.shutdown()


def screenshot(page: Page, name: str) -> None:
    # Bytes written here: Playwright's own `path=` writes from a thread pool
    # the cleanup checks would take for a leaked thread.
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / f"{name}.png").write_bytes(page.screenshot())


def log_in(page: Page, hass: RealHomeAssistant, owner: Owner) -> None:
    """Log in on the frontend's login page as the onboarded owner."""
    page.goto(f"{hass.url}/")
    page.wait_for_url("**/auth/authorize?**")
    page.get_by_label("Username").fill(owner.username)
    page.get_by_label("Password", exact=True).fill(owner.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_function(FRONTEND_READY)


def open_page(page: Page, hass: RealHomeAssistant, path: str) -> None:
    """Load a frontend page; the login is kept in the context's storage."""
    page.goto(f"{hass.url}{path}")
    page.wait_for_function(FRONTEND_READY)
