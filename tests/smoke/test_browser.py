"""Browser checks: Home Assistant's own frontend, in Debian's Chromium.

The same real Home Assistant as the HTTP smoke test (conftest.py), seen as a
first-time user sees it: log in on the frontend's login page, add the
integration in the config flow dialog, look at its device page. Screenshots go
to tests/smoke/screenshots/ (git-ignored) for people to look at.

scripts/lib/pyenv.sh installs Debian's chromium into its Debian root and
exports its path as AUDIBLE_TRACKER_CHROMIUM (Playwright's own browser
download needs the internet). Elsewhere a `chromium` on PATH is used, and
without one these checks are skipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.smoke.conftest import (
    Entry,
    Owner,
    RealHomeAssistant,
    allow_sockets,
    api_client,
    our_states,
)
from tests.smoke.dashboard import (
    DASHBOARD,
    VIEW,
    create_dashboard,
    expected_badge,
    move_on_abs,
)
from tests.smoke.world import CURRENT_PERCENT, CURRENT_TITLE

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
FLOW_URL = "/api/config/config_entries/flow"


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


@pytest.fixture(scope="package")
def chromium() -> Generator[BrowserThread]:
    """One Chromium for the browser checks; new contexts keep them apart."""
    executable = chromium_path()
    thread = BrowserThread()
    try:
        thread.start(executable)
        yield thread
    finally:
        thread.stop()


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


def is_flow_step(response: Any) -> bool:
    return response.request.method == "POST" and FLOW_URL in response.url


def test_config_flow_dialog(
    real_hass: RealHomeAssistant,
    owner: Owner,
    chromium: BrowserThread,
    socket_enabled: None,
) -> None:
    """Add the integration in the dialog up to the Audible login step."""

    def scenario(page: Page) -> dict[str, Any]:
        log_in(page, real_hass, owner)
        open_page(
            page, real_hass, "/config/integrations/dashboard/add?domain=audible_tracker"
        )
        dialog = page.locator("dialog-data-entry-flow")
        with page.expect_response(is_flow_step) as created:
            # The frontend asks first when the flow is opened by a link.
            page.get_by_role("button", name="OK").click()
        assert created.value.json()["step_id"] == "user"
        expect(dialog).to_contain_text("Audible marketplace")

        dialog.locator("ha-selector-select ha-picker-field").click()
        dialog.locator("ha-dropdown-item", has_text="audible.de").click()
        expect(dialog.locator("ha-selector-select")).to_contain_text("audible.de")
        with page.expect_response(is_flow_step) as stepped:
            dialog.get_by_role("button", name="Submit").click()
        step: dict[str, Any] = stepped.value.json()
        assert step["step_id"] == "audible_login", step
        expect(dialog).to_contain_text("Log in to Audible")
        field = dialog.locator("ha-form")
        expect(field).to_contain_text("openid.oa2.authorization_code")
        screenshot(page, "config-flow-audible-login")

        step["help_links"] = field.locator("a").evaluate_all(
            "links => links.map(a => a.href)"
        )
        step["help_code"] = field.locator("code").all_inner_texts()
        step["all_links"] = dialog.locator("a").evaluate_all(
            "links => links.map(a => [a.textContent, a.href])"
        )
        return step

    step = chromium.run(scenario)
    login_url = step["description_placeholders"]["login_url"]
    assert login_url.startswith("https://www.amazon.de/ap/signin?")
    # The field's help shows the address prefix as code, not as a link.
    assert step["help_links"] == [], step["help_links"]
    assert "https://www.amazon." in step["help_code"], step["help_code"]
    # The description links to the login page this flow made; no link in the
    # dialog goes to a bare Amazon domain (`https://www.amazon/` was one).
    links = step["all_links"]
    assert ["Open the Amazon login page", login_url] in links, links
    assert not [
        href
        for _, href in links
        if "amazon" in urlsplit(href).netloc and urlsplit(href).path in {"", "/"}
    ], links


def device_id(hass: RealHomeAssistant, owner: Owner, entity_id: str) -> str:
    with api_client(hass, owner) as client:
        reply = client.post(
            "/api/template", json={"template": f"{{{{ device_id('{entity_id}') }}}}"}
        )
    assert reply.status_code == 200, reply.text
    return reply.text


def test_device_page(
    real_hass: RealHomeAssistant,
    owner: Owner,
    entry: Entry,
    chromium: BrowserThread,
    socket_enabled: None,
) -> None:
    """The service device's page shows what is being read, and how far."""
    device = device_id(real_hass, owner, "sensor.audible_de_currently_reading")

    def scenario(page: Page) -> dict[str, str]:
        log_in(page, real_hass, owner)
        open_page(page, real_hass, f"/config/devices/device/{device}")
        sensors = page.locator("ha-device-entities-card").filter(has_text="Sensors")
        expect(sensors).to_contain_text(CURRENT_TITLE)
        expect(sensors).to_contain_text("Progress")
        # Icons come in after the states; let them, for the screenshot.
        page.wait_for_load_state("networkidle")
        screenshot(page, "device-page")
        # Each row: the sensor's name, then its state as the frontend shows it.
        # Each row: the sensor's name (in the row's shadow root), then its
        # state as the frontend formats it (slotted in from the light DOM).
        rows: dict[str, str] = dict(
            sensors.locator("hui-generic-entity-row").evaluate_all(
                """rows => rows.map(row => [
                    row.shadowRoot.querySelector('.info').textContent.trim(),
                    row.textContent.trim(),
                ])"""
            )
        )
        # The cover is the currently reading row's picture.
        rows["picture"] = (
            sensors.locator("hui-generic-entity-row")
            .filter(has_text=CURRENT_TITLE)
            .locator("state-badge")
            .evaluate("badge => badge.style.backgroundImage")
        )
        return rows

    rows = chromium.run(scenario)
    print(f"\n[smoke] device page: {rows!r}")  # noqa: T201
    assert rows["Currently reading"] == CURRENT_TITLE, rows
    assert rows["Progress"] == f"{CURRENT_PERCENT:.0f}%", rows
    # Durations read as hours and minutes (30 minutes heard today).
    assert rows["Listening time today"] == "0h 30m", rows
    assert rows["Listening time this week"] == "0h 30m", rows
    # The cover, served on this machine, is the picture (no blank badge).
    assert "/images/I/" in rows["picture"], rows


# ---- the dashboard card -----------------------------------------------------

CARD = "audible-tracker-card"
PHONE = {"width": 390, "height": 844}
MOVED_TO_S = 45.0  # of Anne's 60 s on Audiobookshelf: 75 %


@pytest.fixture(scope="package")
def dashboard(real_hass: RealHomeAssistant, owner: Owner, entry: Entry) -> list[Any]:
    """The dashboard with the card, made over the websocket; its resources."""
    allow_sockets()
    return create_dashboard(real_hass.url, owner.token)


def open_card(page: Page, hass: RealHomeAssistant, owner: Owner) -> Locator:
    log_in(page, hass, owner)
    open_page(page, hass, f"/{DASHBOARD}/{VIEW}")
    card = page.locator(CARD)
    expect(card.locator(".title")).to_be_visible()
    cover = card.locator(".cover img")
    expect(cover).to_have_js_property("complete", value=True)
    return card


def test_card_on_a_dashboard(
    real_hass: RealHomeAssistant,
    owner: Owner,
    entry: Entry,
    dashboard: list[Any],
    chromium: BrowserThread,
    socket_enabled: None,
) -> None:
    """The card renders the book from the sensors, and follows a sync."""
    # No resource was added: the integration loads the card itself.
    assert dashboard == []

    def scenario(page: Page) -> dict[str, Any]:
        # Uncaught errors in the page (the card's would be among them).
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        card = open_card(page, real_hass, owner)
        facts: dict[str, Any] = {
            "title": card.locator(".title").inner_text(),
            "series": card.locator(".series").first.inner_text(),
            "percent": card.locator(".percent").inner_text(),
            "badge": card.locator(".badge").get_attribute("data-sync"),
            "cover_width": card.locator(".cover img").evaluate(
                "img => img.naturalWidth"
            ),
            "shelf": card.locator(".shelf-book").count(),
            # What the card picker lists: the card is there with no resource.
            "picker": page.evaluate(
                """() => (window.customCards || [])
                    .filter(card => card.type === 'audible-tracker-card')
                    .map(card => [card.name, typeof card.getEntitySuggestion])"""
            ),
        }
        page.wait_for_load_state("networkidle")
        SCREENSHOTS.mkdir(exist_ok=True)
        (SCREENSHOTS / "card-light.png").write_bytes(card.screenshot())

        # A player moves the book on Audiobookshelf; "Sync now" brings it in.
        move_on_abs(real_hass, MOVED_TO_S)
        card.locator(".sync-now").click()
        expect(card.locator(".sync-message")).to_have_text("Synced")
        expect(card.locator(".percent")).to_have_text(f"{MOVED_TO_S / 60:.0%}")
        facts["where"] = card.locator(".where").inner_text()
        facts["page_errors"] = errors
        return facts

    with api_client(real_hass, owner) as client:
        states = our_states(client)
    try:
        facts = chromium.run(scenario)
    finally:
        # Back where the world started, for the tests after this one.
        move_on_abs(real_hass, 30.0)
        with api_client(real_hass, owner) as client:
            reply = client.post(
                "/api/services/audible_tracker/sync_now",
                json={"config_entry_id": entry.entry_id},
            )
            assert reply.status_code == 200, reply.text
    print(f"\n[smoke] card: {facts!r}")  # noqa: T201
    current = states["currently_reading"]["attributes"]
    assert facts["title"] == CURRENT_TITLE
    assert facts["series"] == f"{current['series'][0]} #{current['series_sequence'][0]}"
    assert facts["percent"] == f"{float(states['progress']['state']):.0f}%"
    assert facts["percent"] == f"{CURRENT_PERCENT:.0f}%"
    assert facts["badge"] == expected_badge(states)
    assert facts["cover_width"] > 0
    assert facts["shelf"] == len(states["books_in_progress"]["attributes"]["books"])
    assert facts["picker"] == [["Audible Tracker", "function"]]
    assert facts["page_errors"] == []
    # Heard on Audiobookshelf just now; after the sync Audible agrees.
    assert facts["where"] in {
        "On Audiobookshelf, now",
        "On Audible and Audiobookshelf, now",
    }, facts


def test_card_dark_and_narrow(
    real_hass: RealHomeAssistant,
    owner: Owner,
    dashboard: list[Any],
    chromium: BrowserThread,
    socket_enabled: None,
) -> None:
    """Theme colours follow a dark scheme; a phone's width does not overflow."""

    def dark(page: Page) -> str:
        card = open_card(page, real_hass, owner)
        page.wait_for_load_state("networkidle")
        SCREENSHOTS.mkdir(exist_ok=True)
        (SCREENSHOTS / "card-dark.png").write_bytes(card.screenshot())
        color: str = card.locator(".wrap").evaluate("e => getComputedStyle(e).color")
        return color

    def light(page: Page) -> str:
        card = open_card(page, real_hass, owner)
        color: str = card.locator(".wrap").evaluate("e => getComputedStyle(e).color")
        return color

    def narrow(page: Page) -> dict[str, Any]:
        card = open_card(page, real_hass, owner)
        page.wait_for_load_state("networkidle")
        screenshot(page, "card-narrow")
        return card.evaluate(
            """card => {
                const root = card.shadowRoot;
                const rect = selector => root.querySelector(selector)
                    .getBoundingClientRect();
                const box = rect('.wrap');
                return {
                    card_width: box.width,
                    cover_width: rect('.cover').width,
                    page_overflows: document.documentElement.scrollWidth > innerWidth,
                    lines_fit: [...root.querySelectorAll('.line')].every(
                        line => line.getBoundingClientRect().right <= box.right + 1),
                };
            }"""
        )

    dark_color = chromium.run(dark, color_scheme="dark")
    light_color = chromium.run(light, color_scheme="light")
    # The card's text colour is the theme's, so it changes with the scheme.
    assert dark_color != light_color, (dark_color, light_color)
    facts = chromium.run(narrow, viewport=PHONE, is_mobile=True, has_touch=True)
    print(f"\n[smoke] narrow card: {facts!r}")  # noqa: T201
    assert facts["card_width"] < PHONE["width"]
    assert facts["cover_width"] < 100  # the narrow layout's smaller cover
    assert not facts["page_overflows"]
    assert facts["lines_fit"]


def test_card_in_the_card_picker(
    real_hass: RealHomeAssistant,
    owner: Owner,
    dashboard: list[Any],
    chromium: BrowserThread,
    socket_enabled: None,
) -> None:
    """Adding a card offers ours, for our sensor and in the list of cards."""

    def scenario(page: Page) -> None:
        log_in(page, real_hass, owner)
        open_page(page, real_hass, f"/{DASHBOARD}/{VIEW}?edit=1")
        page.locator(CARD).locator(".title").wait_for()
        page.get_by_role("button", name="Add card").click()
        dialog = page.locator("hui-dialog-create-card")
        # By entity: our sensor's suggestions include the card, rendered.
        dialog.get_by_placeholder("Search entities").fill("Currently reading")
        dialog.get_by_text("Currently reading", exact=True).first.click()
        suggestions = dialog.locator("hui-suggestion-picker")
        expect(suggestions.locator(CARD).locator(".title")).to_have_text(CURRENT_TITLE)
        expect(suggestions).to_contain_text("Community")
        expect(suggestions).to_contain_text("Audible Tracker")
        # By card: in the list of every card.
        dialog.get_by_role("tab", name="By card").click()
        dialog.get_by_placeholder("Search cards").fill("Audible")
        picker = dialog.locator("hui-card-picker")
        expect(picker).to_contain_text("Audible Tracker")
        page.wait_for_load_state("networkidle")
        screenshot(page, "card-picker")

    chromium.run(scenario)


def test_card_editor(
    real_hass: RealHomeAssistant,
    owner: Owner,
    dashboard: list[Any],
    chromium: BrowserThread,
    socket_enabled: None,
) -> None:
    """The visual editor (getConfigForm) turns a section off in the preview."""

    def scenario(page: Page) -> list[str]:
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, real_hass, owner)
        open_page(page, real_hass, f"/{DASHBOARD}/{VIEW}?edit=1")
        page.locator(CARD).locator(".title").wait_for()
        # In edit mode an overlay takes the clicks: a click on it edits the card.
        page.locator("hui-card-edit-mode").filter(has=page.locator(CARD)).click()
        dialog = page.locator("hui-dialog-edit-card")
        form = dialog.locator("ha-form").first
        expect(form.get_by_text("Currently reading sensor").first).to_be_visible()
        expect(form.get_by_text("Missing volumes").first).to_be_visible()
        preview = dialog.locator(f".element-preview {CARD}")
        expect(preview.locator(".in-progress")).to_have_count(1)
        # The section switches: a grid of forms, one switch each.
        dialog.locator("ha-form-grid ha-form").filter(has_text="In progress").locator(
            "ha-switch"
        ).click()
        expect(preview.locator(".in-progress")).to_have_count(0)
        screenshot(page, "card-editor")
        return errors

    # A form that throws is an empty editor, and an error here.
    assert chromium.run(scenario) == []
