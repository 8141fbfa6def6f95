"""The dashboard card: served by the integration, loaded on every dashboard.

The bundle is built from frontend/ and committed (HACS users build nothing).
Registered once per Home Assistant, from `async_setup`, so the card is in the
card picker with no "resources" step, in storage and YAML dashboards alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

from homeassistant.components.frontend import add_extra_js_url

# Where it is defined: 2026.10 re-exports it from http without marking it public.
from homeassistant.components.http.server import StaticPathConfig
from homeassistant.loader import async_get_integration

from .const import DOMAIN, LOGGER

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

CARD_FILE: Final = Path(__file__).parent / "frontend" / "audible-tracker-card.js"
CARD_URL: Final = f"/{DOMAIN}/audible-tracker-card.js"


async def async_register_card(hass: HomeAssistant) -> None:
    """Serve the card's bundle and have every dashboard load it."""
    integration = await async_get_integration(hass, DOMAIN)
    # Cached by browsers; the version in the URL makes an update reach them.
    await hass.http.async_register_static_paths(
        [StaticPathConfig(CARD_URL, str(CARD_FILE), cache_headers=True)]
    )
    if "frontend" not in hass.config.components:
        # Always loaded in a real installation (a default integration).
        LOGGER.debug("No frontend: the card is served but not added to dashboards")
        return
    add_extra_js_url(hass, f"{CARD_URL}?v={integration.version}")
