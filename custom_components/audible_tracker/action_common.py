"""What every action module shares: the entry field, and finding the entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import probatio
from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.helpers.service import async_get_config_entry

from .const import DOMAIN
from .errors import invalid_call

if TYPE_CHECKING:
    from homeassistant.core import ServiceCall

    from .coordinator import LibraryData
    from .runtime import AudibleTrackerConfigEntry

ATTR_ASIN: Final = "asin"
ATTR_ABS_ITEM_ID: Final = "abs_item_id"

ENTRY_SCHEMA = probatio.Schema({probatio.Required(ATTR_CONFIG_ENTRY_ID): str})


def call_entry(
    call: ServiceCall, *, needs_abs: bool = False
) -> AudibleTrackerConfigEntry:
    """Return the loaded entry the call names (Home Assistant checks it exists).

    `needs_abs`: refuse an entry without Audiobookshelf, translated.
    """
    entry: AudibleTrackerConfigEntry = async_get_config_entry(
        call.hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID]
    )
    if needs_abs and entry.runtime_data.deps.abs_client is None:
        raise invalid_call("abs_not_configured", entry=entry.title)
    return entry


def known_asin(library: LibraryData, asin: str) -> str:
    """Return an ASIN of the Audible library, as written there; refuse others."""
    asin = asin.strip().upper()
    if asin not in library.titles:
        raise invalid_call("unknown_asin", asin=asin)
    return asin


def known_item(library: LibraryData, item_id: str) -> str:
    """Return an item id of the ABS index; refuse others."""
    item_id = item_id.strip()
    if item_id not in library.abs_items:
        raise invalid_call("unknown_abs_item", abs_item_id=item_id)
    return item_id
