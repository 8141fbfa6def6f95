"""Listening history sensors: streak, books finished this year, goal progress.

Added by the sensor platform (`history_sensors`). The streak follows the
hourly history coordinator; the finished books and the goal follow the
poll (a finish shows within minutes), the goal also the yearly goal number.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.sensor import SensorEntity
from homeassistant.util import dt as dt_util

from .const import CONF_STREAK_MINIMUM, with_option_defaults
from .core.history import (
    FinishedBook,
    GoalProgress,
    HistorySeries,
    finished_between,
    finished_books,
    goal_progress,
    listening_streak,
)
from .entity import AudibleTrackerCoordinatorEntity, AudibleTrackerEntity
from .listening_history import HistoryCoordinator

if TYPE_CHECKING:
    from homeassistant.components.sensor import SensorEntityDescription

    from .runtime import AudibleTrackerConfigEntry

# The attribute lists the most recent books only: it is not recorded, but
# every state write carries it.
BOOKS_ATTRIBUTE_CAP: Final = 50


def history_sensors(
    entry: AudibleTrackerConfigEntry,
    streak: SensorEntityDescription,
    finished: SensorEntityDescription,
    goal: SensorEntityDescription,
) -> list[SensorEntity]:
    """Return the history sensors of an entry (descriptions in sensor.py)."""
    return [
        ListeningStreakSensor(entry, streak),
        BooksFinishedSensor(entry, finished),
        GoalProgressSensor(entry, goal),
    ]


def finished_this_year(entry: AudibleTrackerConfigEntry) -> list[FinishedBook]:
    """Return the books finished in the local calendar year, newest first."""
    runtime = entry.runtime_data
    library = runtime.library.data
    today = dt_util.now().date()
    books = finished_books(
        library.titles,
        library.abs_items,
        runtime.progress.abs_progress,
        library.match.item_ids(),
        dt_util.get_default_time_zone(),
    )
    return finished_between(books, date(today.year, 1, 1), today)


class ListeningStreakSensor(
    AudibleTrackerCoordinatorEntity[HistoryCoordinator], SensorEntity
):
    """Days in a row with at least the streak minimum of listening."""

    def __init__(
        self, entry: AudibleTrackerConfigEntry, description: SensorEntityDescription
    ) -> None:
        """Attach to the entry's history coordinator."""
        super().__init__(entry, entry.runtime_data.history, description)
        self._entry = entry

    @property
    def native_value(self) -> int:
        """Return the current streak in days."""
        return self._streak()[0]

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the longest streak, its last day and today's minutes."""
        return self._streak()[1]

    def _streak(self) -> tuple[int, dict[str, Any]]:
        minimum_min = float(
            with_option_defaults(self._entry.options)[CONF_STREAK_MINIMUM]
        )
        history = self.coordinator.store.history
        streak = listening_streak(
            history.days(HistorySeries.COMBINED),
            dt_util.now().date(),
            minimum_min * 60,
        )
        return streak.current, {
            "longest_streak": streak.longest,
            "longest_streak_end": streak.longest_end.isoformat()
            if streak.longest_end
            else None,
            "today_minutes": round(streak.today_s / 60, 1),
        }


class BooksFinishedSensor(AudibleTrackerEntity, SensorEntity):
    """Distinct books finished this calendar year, on either service."""

    _unrecorded_attributes = frozenset({"books"})

    @property
    def native_value(self) -> int:
        """Return how many books were finished this year."""
        return len(finished_this_year(self._entry))

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the most recent of them."""
        return {
            "books": [
                {
                    "title": book.title,
                    "asin": book.asin,
                    "abs_item_id": book.abs_item_id,
                    "finished": book.finished_on.isoformat(),
                }
                for book in finished_this_year(self._entry)[:BOOKS_ATTRIBUTE_CAP]
            ]
        }

    @property
    def _entry(self) -> AudibleTrackerConfigEntry:
        return self.coordinator.config_entry


class GoalProgressSensor(AudibleTrackerEntity, SensorEntity):
    """Percent of the yearly goal of books; unknown without a goal."""

    async def async_added_to_hass(self) -> None:
        """Also follow the goal (the number entity updates the history's)."""
        await super().async_added_to_hass()
        history = self.coordinator.config_entry.runtime_data.history
        self.async_on_remove(history.async_add_listener(self.async_write_ha_state))

    @property
    def native_value(self) -> float | None:
        """Return the percent of the goal reached."""
        progress = self._progress()
        return progress.percent if progress is not None else None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the books expected by today and how far ahead the year is."""
        progress = self._progress()
        if progress is None:
            return {"goal": 0}
        return {
            "goal": progress.goal,
            "finished": progress.finished,
            "expected_by_today": progress.expected_by_today,
            "ahead_by": progress.ahead_by,
        }

    def _progress(self) -> GoalProgress | None:
        entry = self.coordinator.config_entry
        return goal_progress(
            entry.runtime_data.history.yearly_goal,
            len(finished_this_year(entry)),
            dt_util.now().date(),
        )
