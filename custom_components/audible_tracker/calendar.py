"""The releases calendar: volumes of the user's series, followed authors' titles.

One all-day event per title on its release day. Titles not out yet (and so
pre-orders) are tentative; released ones confirmed. Past releases stay on
the calendar so its view is useful; Home Assistant's calendar trigger works
on it ("a new volume came out today").
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Final

from homeassistant.components.calendar import (
    CalendarEntity,
    CalendarEntityDescription,
    CalendarEvent,
)
from homeassistant.components.calendar.const import CalendarEventStatus
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .entity import AudibleTrackerCoordinatorEntity
from .series_coordinator import SeriesCoordinator

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .core.series.overview import Release
    from .runtime import AudibleTrackerConfigEntry

PARALLEL_UPDATES = 0

RELEASES: Final = CalendarEntityDescription(key="releases", translation_key="releases")
# The words of an event's description, translated (entity.calendar.releases
# .state_attributes.description.state.<word>); English until loaded.
DESCRIPTION_WORDS: Final = {
    "authors": "Authors",
    "narrators": "Narrators",
    "owned": "Owned",
    "preordered": "Pre-ordered",
    "in_wishlist": "On your wishlist",
    "not_owned": "Not owned",
    "followed_author": "New from an author you follow",
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AudibleTrackerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the releases calendar."""
    async_add_entities([ReleasesCalendar(entry, entry.runtime_data.series)])


def _event(release: Release, words: dict[str, str]) -> CalendarEvent:
    lines = []
    if release.authors:
        lines.append(f"{words['authors']}: {', '.join(release.authors)}")
    if release.narrators:
        lines.append(f"{words['narrators']}: {', '.join(release.narrators)}")
    if release.preordered:
        lines.append(words["preordered"])
    elif release.owned:
        lines.append(words["owned"])
    else:
        lines.append(words["not_owned"])
    if release.in_wishlist:
        lines.append(words["in_wishlist"])
    if release.from_followed_author:
        lines.append(words["followed_author"])
    return CalendarEvent(
        start=release.release_date,
        end=release.release_date + timedelta(days=1),
        summary=release.summary,
        description="\n".join(lines),
        uid=f"{release.asin}@{DOMAIN}",
        status=CalendarEventStatus.CONFIRMED
        if release.released
        else CalendarEventStatus.TENTATIVE,
    )


def _overlaps(day: date, start: datetime, end: datetime) -> bool:
    """Whether an all-day event on `day` (local) overlaps [start, end)."""
    begin = dt_util.start_of_local_day(day)
    finish = dt_util.start_of_local_day(day + timedelta(days=1))
    return begin < end and finish > start


class ReleasesCalendar(
    AudibleTrackerCoordinatorEntity[SeriesCoordinator], CalendarEntity
):
    """Release days of the user's series and followed authors."""

    def __init__(
        self, entry: AudibleTrackerConfigEntry, coordinator: SeriesCoordinator
    ) -> None:
        """Attach to the entry's series coordinator."""
        super().__init__(entry, coordinator, RELEASES)
        self._words = dict(DESCRIPTION_WORDS)

    async def async_added_to_hass(self) -> None:
        """Load the description's words in Home Assistant's language."""
        await super().async_added_to_hass()
        prefix = (
            f"component.{DOMAIN}.entity.calendar.releases"
            ".state_attributes.description.state."
        )
        translated = await async_get_translations(
            self.hass, self.hass.config.language, "entity", {DOMAIN}
        )
        for word in DESCRIPTION_WORDS:
            if (text := translated.get(prefix + word)) is not None:
                self._words[word] = text

    @property
    def event(self) -> CalendarEvent | None:
        """Return today's release, else the next one."""
        today = dt_util.now().date()
        upcoming = (
            r for r in self.coordinator.data.releases if r.release_date >= today
        )
        release = next(upcoming, None)
        return _event(release, self._words) if release is not None else None

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Return the releases whose day overlaps [start_date, end_date)."""
        return [
            _event(release, self._words)
            for release in self.coordinator.data.releases
            if _overlaps(release.release_date, start_date, end_date)
        ]
