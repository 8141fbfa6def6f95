"""The integration serves its dashboard card and has every dashboard load it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL, UrlManager
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.audible_tracker.card import CARD_FILE, CARD_URL
from custom_components.audible_tracker.const import DOMAIN
from tests.conftest import make_entry, setup_integration
from tests.fakes.audible_server import FakeAudible

VERSION = json.loads(
    (CARD_FILE.parent.parent / "manifest.json").read_text(encoding="utf-8")
)["version"]


@pytest.fixture
def frontend_urls(hass: HomeAssistant) -> UrlManager:
    """What the frontend integration sets up for add_extra_js_url.

    The frontend itself needs its page bundle (hass_frontend), not installed
    here; the real one is exercised by the smoke test's browser checks.
    """
    urls = UrlManager(lambda *_: None, [])
    hass.data[DATA_EXTRA_MODULE_URL] = urls
    hass.config.components.add("frontend")
    return urls


def card_routes(hass: HomeAssistant) -> list[str]:
    return [
        resource.canonical
        for resource in hass.http.app.router.resources()
        if resource.canonical == CARD_URL
    ]


def test_the_bundle_is_in_the_package() -> None:
    # HACS installs custom_components/audible_tracker only: the card must be in it.
    assert CARD_FILE.parent.parent.name == DOMAIN
    assert CARD_FILE.is_file()
    assert "audible-tracker-card" in CARD_FILE.read_text(encoding="utf-8")


async def test_card_is_served_with_cache_headers(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    client = await hass_client_no_auth()
    reply = await client.get(f"{CARD_URL}?v={VERSION}")
    assert reply.status == 200
    assert await reply.read() == CARD_FILE.read_bytes()
    assert reply.headers["Content-Type"].startswith(
        ("text/javascript", "application/javascript")
    )
    # Cached for long: the version in the URL is what changes on an update.
    assert "max-age=" in reply.headers["Cache-Control"]


async def test_card_is_loaded_on_every_dashboard(
    hass: HomeAssistant, frontend_urls: UrlManager
) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    assert f"{CARD_URL}?v={VERSION}" in frontend_urls.urls


async def test_registered_once_whatever_the_entries(
    hass: HomeAssistant,
    frontend_urls: UrlManager,
    mock_audible: FakeAudible,
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert [url for url in frontend_urls.urls if url.startswith(CARD_URL)] == [
        f"{CARD_URL}?v={VERSION}"
    ]
    assert card_routes(hass) == [CARD_URL]


async def test_served_without_a_frontend(hass: HomeAssistant) -> None:
    # A Home Assistant without the frontend (only tests): no error, no URL.
    assert await async_setup_component(hass, DOMAIN, {})
    assert DATA_EXTRA_MODULE_URL not in hass.data
    assert card_routes(hass) == [CARD_URL]


def test_card_file_path_is_the_build_output() -> None:
    build = (Path(__file__).parent.parent / "frontend" / "build.mjs").read_text(
        encoding="utf-8"
    )
    assert '"audible-tracker-card.js"' in build
    assert '"custom_components", "audible_tracker", "frontend"' in build
