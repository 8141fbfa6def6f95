"""Binary sensors: whether Audiobookshelf pushes its changes (realtime)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory

from .entity import AudibleTrackerEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .realtime import RealtimeAbs
    from .runtime import AudibleTrackerConfigEntry

PARALLEL_UPDATES = 0  # Pushed by the socket's state: no polling.

REALTIME = BinarySensorEntityDescription(
    key="realtime",
    translation_key="realtime",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AudibleTrackerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the realtime sensor of an entry with Audiobookshelf."""
    realtime = entry.runtime_data.realtime
    if realtime is not None:
        async_add_entities([RealtimeSensor(entry, realtime)])


class RealtimeSensor(AudibleTrackerEntity, BinarySensorEntity):
    """On while the Audiobookshelf socket is connected and authenticated."""

    def __init__(self, entry: AudibleTrackerConfigEntry, realtime: RealtimeAbs) -> None:
        """Attach to the entry's device and its socket."""
        super().__init__(entry, REALTIME)
        self._realtime = realtime

    @property
    def available(self) -> bool:
        """Always: the socket's state is known even when a poll failed."""
        return True

    @property
    def is_on(self) -> bool:
        """Whether ABS pushes its changes now."""
        return self._realtime.connected

    async def async_added_to_hass(self) -> None:
        """Follow the socket's state as it changes."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self._realtime.async_add_listener(self.async_write_ha_state)
        )
