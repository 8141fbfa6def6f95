"""Base entities: one service device per config entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import (
    CoordinatorEntity,
    DataUpdateCoordinator,
)

from .const import DOMAIN
from .coordinator import ProgressCoordinator

if TYPE_CHECKING:
    from homeassistant.helpers.entity import EntityDescription

    from .runtime import AudibleTrackerConfigEntry


def device_info(entry: AudibleTrackerConfigEntry) -> DeviceInfo:
    """Return the entry's service device (every entity of the entry is on it)."""
    return DeviceInfo(
        identifiers={(DOMAIN, str(entry.unique_id))},
        name=entry.title,
        manufacturer="Audible Tracker",
        # What the entry tracks; a reconfigure that adds ABS reloads it.
        model=(
            "Audible tracker"
            if entry.runtime_data.deps.abs_client is None
            else "Audible and Audiobookshelf tracker"
        ),
        entry_type=DeviceEntryType.SERVICE,
    )


class AudibleTrackerCoordinatorEntity[CoordinatorT: DataUpdateCoordinator[Any]](
    CoordinatorEntity[CoordinatorT]
):
    """An entity of the entry's device, fed by one of its coordinators."""

    _attr_has_entity_name = True

    def __init__(
        self,
        entry: AudibleTrackerConfigEntry,
        coordinator: CoordinatorT,
        description: EntityDescription,
    ) -> None:
        """Attach to a coordinator of the entry, and to the entry's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        self._attr_device_info = device_info(entry)


class AudibleTrackerEntity(AudibleTrackerCoordinatorEntity[ProgressCoordinator]):
    """An entity fed by the entry's progress poll."""

    def __init__(
        self,
        entry: AudibleTrackerConfigEntry,
        description: EntityDescription,
    ) -> None:
        """Attach to the entry's progress coordinator and device."""
        super().__init__(entry, entry.runtime_data.progress, description)
