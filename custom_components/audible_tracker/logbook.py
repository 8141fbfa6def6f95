"""Logbook: the sync's writes and book events as sentences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import callback

from .const import DOMAIN
from .sync_events import EVENT_SYNC, TYPE_NOT_TAKEN, TYPE_SYNCED

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import Event, HomeAssistant

NAME: Final = "Audible Tracker"
SERVICES: Final = {
    "audible": "Audible",
    "abs": "Audiobookshelf",
    "both": "Audible and Audiobookshelf",
}


def _clock(seconds: object) -> str:
    """Return a position as H:MM (hours and minutes into the book)."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return "?"
    minutes = max(0, round(seconds / 60))
    return f"{minutes // 60}:{minutes % 60:02d}"


def _service(value: object) -> str:
    return SERVICES.get(str(value), str(value))


def describe(data: dict[str, object]) -> str:
    """Return the sentence for one event's data."""
    title = data.get("title") or data.get("asin") or data.get("abs_item_id")
    kind = data.get("type")
    if kind == TYPE_SYNCED:
        source = _service(data.get("source"))
        target = _service(data.get("target"))
        if data.get("kind") == "finished":
            return f"Synced {title}: finished on {source} -> {target}"
        return f"Synced {title}: {source} {_clock(data.get('position_s'))} -> {target}"
    if kind == TYPE_NOT_TAKEN:
        return f"Write to {_service(data.get('target'))} did not take: {title}"
    if kind == "finished":
        return f"Finished {title} on {_service(data.get('source'))}"
    if kind == "started":
        return f"Started {title} on {_service(data.get('source'))}"
    return f"{title}: {kind}"


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the sync events."""

    @callback
    def describe_event(event: Event) -> dict[str, str]:
        return {
            LOGBOOK_ENTRY_NAME: NAME,
            LOGBOOK_ENTRY_MESSAGE: describe(dict(event.data)),
        }

    async_describe_event(DOMAIN, EVENT_SYNC, describe_event)
