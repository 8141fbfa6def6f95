"""The `audible_tracker_sync` event: what the sync did and book events.

Fired on the bus for every applied sync write, every write given up, and
every book started or finished; `logbook.py` describes them as sentences,
and Home Assistant's logbook and recorder keep and prune them. The data
carries titles, ids, sides and positions only: never a credential.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import callback

from .const import DOMAIN
from .core.sync import PlannedWrite, WriteKind

if TYPE_CHECKING:
    from .coordinator import ProgressData
    from .core.sync import UnverifiedWrite
    from .runtime import AudibleTrackerConfigEntry

EVENT_SYNC: Final = f"{DOMAIN}_sync"

# Event data `type`: what happened.
TYPE_SYNCED: Final = "synced"
TYPE_NOT_TAKEN: Final = "not_taken"
# Book events use the book event entity's types: "started", "finished".


@callback
def async_setup_sync_events(entry: AudibleTrackerConfigEntry) -> None:
    """Fire the entry's sync writes and book events on the bus."""
    runtime = entry.runtime_data
    hass = runtime.progress.hass
    base = {"config_entry_id": entry.entry_id}

    def title_of(asin: str) -> str:
        title = runtime.library.data.titles.get(asin)
        return title.title if title is not None else asin

    @callback
    def sync_event(what: PlannedWrite | UnverifiedWrite) -> None:
        data: dict[str, Any] = {
            **base,
            "type": TYPE_SYNCED if isinstance(what, PlannedWrite) else TYPE_NOT_TAKEN,
            "title": title_of(what.asin),
            "asin": what.asin,
            "abs_item_id": what.item_id,
            "source": str(what.target.other),
            "target": str(what.target),
            "kind": str(what.kind),
            "position_s": what.position_s if what.kind is WriteKind.POSITION else None,
        }
        hass.bus.async_fire(EVENT_SYNC, data)

    if runtime.progress.sync is not None:
        runtime.progress.sync.on_event = sync_event

    handled: list[ProgressData | None] = [runtime.progress.data]

    @callback
    def book_events() -> None:
        data = runtime.progress.data
        # Listeners are called after failed refreshes too: each poll's once.
        if data is None or data is handled[0]:
            return
        handled[0] = data
        for event in data.events:
            hass.bus.async_fire(
                EVENT_SYNC,
                {
                    **base,
                    "type": event.type.value,
                    "title": event.title,
                    "asin": event.asin,
                    "abs_item_id": event.abs_item_id,
                    "source": event.source.value,
                },
            )

    entry.async_on_unload(runtime.progress.async_add_listener(book_events))
