"""Book event entity: fires when a book is started or finished."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import callback

from .core.tracking import BookEventType
from .entity import AudibleTrackerEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import ProgressData
    from .runtime import AudibleTrackerConfigEntry

PARALLEL_UPDATES = 0

BOOK_EVENT: Final = EventEntityDescription(
    key="book",
    translation_key="book",
    event_types=[t.value for t in BookEventType],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AudibleTrackerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the book event entity."""
    async_add_entities([AudibleTrackerBookEvent(entry, BOOK_EVENT)])


class AudibleTrackerBookEvent(AudibleTrackerEntity, EventEntity):
    """Fires `started` and `finished` with the book's details."""

    _handled: ProgressData | None = None

    @callback
    def _handle_coordinator_update(self) -> None:
        data = self.coordinator.data
        # Listeners are also called when a refresh fails, with the old data:
        # each poll's events fire once. The first poll after start-up has none.
        if data is not None and data is not self._handled:
            self._handled = data
            for event in data.events:
                self._trigger_event(
                    event.type.value,
                    {
                        "asin": event.asin,
                        "abs_item_id": event.abs_item_id,
                        "title": event.title,
                        "authors": list(event.authors),
                        "source": event.source.value,
                    },
                )
                self.async_write_ha_state()
        super()._handle_coordinator_update()
