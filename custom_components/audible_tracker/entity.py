"""Base entity: one service device per config entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import ProgressCoordinator

if TYPE_CHECKING:
    from homeassistant.helpers.entity import EntityDescription

    from .runtime import AudibleTrackerConfigEntry


class AudibleTrackerEntity(CoordinatorEntity[ProgressCoordinator]):
    """An entity of the Audible Tracker service device."""

    _attr_has_entity_name = True

    def __init__(
        self,
        entry: AudibleTrackerConfigEntry,
        description: EntityDescription,
    ) -> None:
        """Attach to the entry's progress coordinator and device."""
        super().__init__(entry.runtime_data.progress)
        self.entity_description = description
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
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
