"""Browser checks of the dashboard card, in Debian's Chromium.

A dashboard with the card, made over the websocket API as the frontend makes
one (dashboard.py), on the real Home Assistant of conftest.py: the card
against the sensors, after a move on the fake Audiobookshelf and "Sync now",
in the card picker, its visual editor and its taps, in the user's language;
light, dark and phone screenshots (the README shows copies of them).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.smoke.browser import (
    SCREENSHOTS,
    BrowserThread,
    log_in,
    open_page,
    screenshot,
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
    set_user_language,
)
from tests.smoke.world import CURRENT_PERCENT, CURRENT_TITLE

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
        page.on(
            "pageerror",
            lambda error: errors.append(f"{error.name}: {error.message} {error.stack}"),
        )
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


def test_card_in_the_users_language(
    real_hass: RealHomeAssistant,
    owner: Owner,
    dashboard: list[Any],
    chromium: BrowserThread,
    socket_enabled: None,
) -> None:
    """With German in the user's profile, the card speaks German."""

    def scenario(page: Page) -> dict[str, Any]:
        card = open_card(page, real_hass, owner)
        # The frontend applies the profile's language once connected.
        expect(card.locator(".sync-now")).to_have_text("Jetzt synchronisieren")
        return {
            "page_language": page.evaluate("document.documentElement.lang"),
            "in_progress": card.locator(".in-progress h3").inner_text(),
            "percent": card.locator(".percent").inner_text(),
        }

    set_user_language(real_hass.url, owner.token, "de")
    try:
        facts = chromium.run(scenario)
    finally:
        set_user_language(real_hass.url, owner.token, None)
    print(f"\n[smoke] German card: {facts!r}")  # noqa: T201
    assert facts["page_language"] == "de"
    assert facts["in_progress"] == "Begonnene Bücher"
    # German puts a (no-break) space before the percent sign.
    assert facts["percent"] == f"{CURRENT_PERCENT:.0f}\N{NO-BREAK SPACE}%"


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
        page.on(
            "pageerror",
            lambda error: errors.append(f"{error.name}: {error.message} {error.stack}"),
        )
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


def test_card_actions(
    real_hass: RealHomeAssistant,
    owner: Owner,
    dashboard: list[Any],
    chromium: BrowserThread,
    socket_enabled: None,
) -> None:
    """Taps open Home Assistant's more-info dialog of the right sensor."""

    def scenario(page: Page) -> None:
        card = open_card(page, real_hass, owner)
        dialog = page.locator("ha-more-info-dialog")
        # The default tap action (through Home Assistant's hass-action handler).
        card.locator(".title").click()
        expect(dialog.get_by_text("Currently reading").first).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog.get_by_text("Currently reading")).to_have_count(0)
        card.locator(".badge").click()
        expect(dialog.get_by_text("Sync plan").first).to_be_visible()

    chromium.run(scenario)
