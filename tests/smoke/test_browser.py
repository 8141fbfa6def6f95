"""Browser checks: Home Assistant's own frontend, in Debian's Chromium.

The same real Home Assistant as the HTTP smoke test (conftest.py), seen as a
first-time user sees it: log in on the frontend's login page, add the
integration in the config flow dialog, look at its device page. Screenshots go
to tests/smoke/screenshots/ (git-ignored) for people to look at. How Chromium
is found and driven: browser.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.smoke.browser import BrowserThread, log_in, open_page, screenshot
from tests.smoke.conftest import Entry, Owner, RealHomeAssistant, api_client
from tests.smoke.world import CURRENT_PERCENT, CURRENT_TITLE

FLOW_URL = "/api/config/config_entries/flow"


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
