"""Number: the yearly goal of books (0 = no goal), kept across restarts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.components.number import (
    NumberEntityDescription,
    NumberMode,
    RestoreNumber,
)
from homeassistant.const import EntityCategory

from .entity import device_info

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .runtime import AudibleTrackerConfigEntry

PARALLEL_UPDATES = 0

YEARLY_GOAL: Final = NumberEntityDescription(
    key="yearly_goal",
    translation_key="yearly_goal",
    entity_category=EntityCategory.CONFIG,
    native_min_value=0,
    native_max_value=1000,
    native_step=1,
    mode=NumberMode.BOX,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AudibleTrackerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the yearly goal."""
    async_add_entities([YearlyGoalNumber(entry)])


class YearlyGoalNumber(RestoreNumber):
    """How many books to finish this year; restored after a restart."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: AudibleTrackerConfigEntry) -> None:
        """Attach to the entry's device; the history keeps the value."""
        self.entity_description = YEARLY_GOAL
        self._attr_unique_id = f"{entry.unique_id}_{YEARLY_GOAL.key}"
        self._attr_device_info = device_info(entry)
        self._history = entry.runtime_data.history
        self._attr_native_value = 0

    async def async_added_to_hass(self) -> None:
        """Restore the goal set before the restart."""
        await super().async_added_to_hass()
        last = await self.async_get_last_number_data()
        if last is not None and last.native_value is not None:
            self._apply(last.native_value)

    async def async_set_native_value(self, value: float) -> None:
        """Set a new goal."""
        self._apply(value)
        self.async_write_ha_state()

    def _apply(self, value: float) -> None:
        goal = max(0, round(value))
        self._attr_native_value = goal
        self._history.yearly_goal = goal
        # The goal progress sensor follows the history coordinator.
        self._history.async_update_listeners()
