"""Sensors: what is being listened to, progress, counts, listening time."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    MAX_LENGTH_STATE_STATE,
    PERCENTAGE,
    EntityCategory,
    UnitOfTime,
)
from homeassistant.core import callback

from .coordinator import LibraryCoordinator
from .core.metadata_gaps import GapField, book_gaps, gap_counts
from .covers import CoverCheck
from .entity import AudibleTrackerCoordinatorEntity, AudibleTrackerEntity
from .sensor_history import history_sensors
from .sensor_series import SERIES_SENSORS, SeriesSensor

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import LibraryData, ProgressData
    from .core.tracking import Book
    from .runtime import AudibleTrackerConfigEntry

PARALLEL_UPDATES = 0  # Coordinator-driven: no per-entity polling.
IN_PROGRESS_LIST_SIZE: Final = 10


class Needs(StrEnum):
    """Which sources an entity's value comes from."""

    AUDIBLE = "audible"  # Audible must be reachable
    ANY = "any"  # either one will do
    BOTH = "both"  # both must be reachable


type StateValue = str | int | float | datetime | None


@dataclass(frozen=True, kw_only=True)
class AudibleTrackerSensorDescription(SensorEntityDescription):
    """A sensor and how to read it from the poll's data."""

    value_fn: Callable[[ProgressData], StateValue]
    attributes_fn: Callable[[ProgressData], dict[str, Any]] | None = None
    # The picture's URLs, best first (the first one that loads is shown).
    picture_fn: Callable[[ProgressData], tuple[str | None, ...]] | None = None
    needs: Needs = Needs.ANY
    needs_abs_configured: bool = False


def _current(data: ProgressData) -> Book | None:
    return data.snapshot.currently_reading


def _book_title(book: Book) -> str:
    return book.title[:MAX_LENGTH_STATE_STATE]


def _current_attributes(data: ProgressData) -> dict[str, Any]:
    book = _current(data)
    if book is None:
        return {}
    return {
        "asin": book.asin,
        "abs_item_id": book.abs_item_id,
        "authors": list(book.authors),
        "narrators": list(book.narrators),
        "series": [s.title for s in book.series],
        "series_sequence": [s.sequence for s in book.series],
        "position": book.position_s,
        "duration": book.duration_s,
        "percent": book.percent,
        "time_left": book.time_left_s,
        "source": book.source.value,
        "last_listened": book.last_listened.isoformat() if book.last_listened else None,
        "cover_url": book.cover_url,
    }


def _in_progress_attributes(data: ProgressData) -> dict[str, Any]:
    return {
        "books": [
            {
                "title": book.title,
                "author": ", ".join(book.authors),
                "percent": book.percent,
                "last_listened": book.last_listened.isoformat()
                if book.last_listened
                else None,
                "cover_url": book.cover_url,
            }
            for book in data.snapshot.in_progress[:IN_PROGRESS_LIST_SIZE]
        ]
    }


MAX_PLAN_LINES: Final = 20


def _sync_attributes(data: ProgressData) -> dict[str, Any]:
    plan = data.sync_plan
    return {
        "mode": data.sync_mode,
        "dry_run": data.dry_run,
        "planned": [w.describe() for w in plan.writes] if plan else [],
        "unverified": [u.as_dict() for u in plan.unverified] if plan else [],
        "skipped": [f"{s.asin}: {s.reason}" for s in plan.skipped][:MAX_PLAN_LINES]
        if plan
        else [],
    }


def _current_value(
    fn: Callable[[Book], StateValue],
) -> Callable[[ProgressData], StateValue]:
    def value(data: ProgressData) -> StateValue:
        book = _current(data)
        return fn(book) if book is not None else None

    return value


def _duration(
    key: str,
    value_fn: Callable[[ProgressData], StateValue],
    *,
    needs: Needs = Needs.ANY,
) -> AudibleTrackerSensorDescription:
    """Describe a duration sensor: seconds, shown as hours and minutes.

    Home Assistant's frontend shows a duration in hours as "5h 40m": it rounds
    the hours to the display precision, then shows whole minutes. Two
    decimals (36 s) keep that to the minute; fewer would turn 5 h 40 min into
    "6h" or "5h 42m", and 40 minutes into "1h".
    """
    return AudibleTrackerSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_unit_of_measurement=UnitOfTime.HOURS,
        suggested_display_precision=2,
        value_fn=value_fn,
        needs=needs,
    )


def _count(
    key: str,
    value_fn: Callable[[ProgressData], StateValue],
    *,
    attributes_fn: Callable[[ProgressData], dict[str, Any]] | None = None,
    needs: Needs = Needs.ANY,
    needs_abs_configured: bool = False,
    entity_category: EntityCategory | None = None,
) -> AudibleTrackerSensorDescription:
    """Describe a sensor counting books, titles or writes."""
    return AudibleTrackerSensorDescription(
        key=key,
        translation_key=key,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=entity_category,
        value_fn=value_fn,
        attributes_fn=attributes_fn,
        needs=needs,
        needs_abs_configured=needs_abs_configured,
    )


SENSORS: Final[tuple[AudibleTrackerSensorDescription, ...]] = (
    AudibleTrackerSensorDescription(
        key="currently_reading",
        translation_key="currently_reading",
        value_fn=_current_value(_book_title),
        attributes_fn=_current_attributes,
        picture_fn=lambda data: (
            (book.cover_url, book.fallback_cover_url)
            if (book := _current(data))
            else ()
        ),
    ),
    AudibleTrackerSensorDescription(
        key="progress",
        translation_key="progress",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=_current_value(lambda book: book.percent),
    ),
    _duration(
        "time_left",
        _current_value(lambda book: book.time_left_s),
    ),
    _count(
        "books_in_progress",
        lambda data: len(data.snapshot.in_progress),
        attributes_fn=_in_progress_attributes,
    ),
    _count(
        "books_finished",
        lambda data: data.snapshot.finished_count,
        needs=Needs.AUDIBLE,
    ),
    _count(
        "library_size",
        lambda data: data.snapshot.library_size,
        needs=Needs.AUDIBLE,
    ),
    _duration(
        "listening_time_today",
        lambda data: data.snapshot.listening_today_s,
        needs=Needs.AUDIBLE,
    ),
    _duration(
        "listening_time_this_week",
        lambda data: data.snapshot.listening_week_s,
        needs=Needs.AUDIBLE,
    ),
    _count(
        "unmatched_titles",
        lambda data: len(data.snapshot.unmatched_titles),
        attributes_fn=lambda data: {"titles": list(data.snapshot.unmatched_titles)},
        needs=Needs.BOTH,
        needs_abs_configured=True,
    ),
    _count(
        "sync_plan",
        lambda data: len(data.sync_plan.writes) if data.sync_plan else 0,
        attributes_fn=_sync_attributes,
        needs_abs_configured=True,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    AudibleTrackerSensorDescription(
        key="last_update",
        translation_key="last_update",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda data: data.snapshot.updated_at,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AudibleTrackerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of an entry."""
    abs_configured = entry.runtime_data.deps.abs_client is not None
    async_add_entities(
        AudibleTrackerSensor(entry, description)
        for description in SENSORS
        if abs_configured or not description.needs_abs_configured
    )
    async_add_entities(
        SeriesSensor(entry, description) for description in SERIES_SENSORS
    )
    if abs_configured:
        async_add_entities([MetadataGapsSensor(entry)])
    async_add_entities(
        history_sensors(
            entry, LISTENING_STREAK, BOOKS_FINISHED_THIS_YEAR, YEARLY_GOAL_PROGRESS
        )
    )


class AudibleTrackerSensor(AudibleTrackerEntity, SensorEntity):
    """A sensor of the Audible Tracker device."""

    entity_description: AudibleTrackerSensorDescription
    # Lists for dashboards and the plan: useful now, noise in the history.
    _unrecorded_attributes = frozenset(
        {"books", "titles", "planned", "unverified", "skipped", "cover_url"}
    )

    def __init__(
        self,
        entry: AudibleTrackerConfigEntry,
        description: AudibleTrackerSensorDescription,
    ) -> None:
        """Attach to the entry; a sensor with a picture checks it loads."""
        super().__init__(entry, description)
        self._covers = (
            CoverCheck(entry.runtime_data.progress.hass, entry, self._cover_checked)
            if description.picture_fn is not None
            else None
        )

    def _cover_checked(self) -> None:
        if self.hass is not None and self.entity_id is not None:
            self.async_write_ha_state()

    @property
    def available(self) -> bool:
        """Available while the sources this value comes from answer."""
        if not super().available:
            return False
        data = self.coordinator.data
        match self.entity_description.needs:
            case Needs.AUDIBLE:
                return data.audible_available
            case Needs.BOTH:
                return data.audible_available and data.abs_available
            case Needs.ANY:
                return data.audible_available or data.abs_available

    @property
    def native_value(self) -> StateValue:
        """Return the state."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the attributes, for dashboard cards."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.coordinator.data)

    @property
    def entity_picture(self) -> str | None:
        """Return the cover of the book, where the sensor has one.

        None (the entity's icon) while no cover of the book is known to load.
        """
        if self.entity_description.picture_fn is None or self._covers is None:
            return None
        urls = self.entity_description.picture_fn(self.coordinator.data)
        return self._covers.first_loading(urls)


# ---- metadata gaps (issue 12): fed by the library coordinator ---------------

METADATA_GAPS: Final = SensorEntityDescription(
    key="metadata_gaps",
    translation_key="metadata_gaps",
    state_class=SensorStateClass.MEASUREMENT,
    entity_category=EntityCategory.DIAGNOSTIC,
)


class MetadataGapsSensor(
    AudibleTrackerCoordinatorEntity[LibraryCoordinator], SensorEntity
):
    """Linked books whose ABS metadata lacks or contradicts Audible's.

    The state counts the books; the attributes count them per field. The
    comparison runs in the executor once per library update.
    """

    _unrecorded_attributes = frozenset(field.value for field in GapField)

    def __init__(self, entry: AudibleTrackerConfigEntry) -> None:
        """Attach to the entry's library coordinator."""
        super().__init__(entry, entry.runtime_data.library, METADATA_GAPS)
        self._entry = entry
        self._compared: LibraryData | None = None

    async def async_added_to_hass(self) -> None:
        """Compare the library known now."""
        await super().async_added_to_hass()
        self._compare()

    @callback
    def _handle_coordinator_update(self) -> None:
        super()._handle_coordinator_update()
        self._compare()

    @callback
    def _compare(self) -> None:
        data = self.coordinator.data
        if data is None or data is self._compared:
            return
        self._compared = data
        self._entry.async_create_task(
            self.hass, self._async_compare(data), "metadata gaps"
        )

    async def _async_compare(self, data: LibraryData) -> None:
        links = data.match.item_ids()
        books = await self.hass.async_add_executor_job(
            book_gaps, data.titles, data.abs_items, links
        )
        if data is not self._compared:
            return  # a newer library is being compared
        self._attr_native_value = len(books)
        self._attr_extra_state_attributes = gap_counts(books)
        self.async_write_ha_state()


# Listening history (streak, finished books, goal): the entities are in
# sensor_history.
LISTENING_STREAK: Final = SensorEntityDescription(
    key="listening_streak",
    translation_key="listening_streak",
    native_unit_of_measurement=UnitOfTime.DAYS,
    state_class=SensorStateClass.MEASUREMENT,
)
BOOKS_FINISHED_THIS_YEAR: Final = SensorEntityDescription(
    key="books_finished_this_year",
    translation_key="books_finished_this_year",
    state_class=SensorStateClass.MEASUREMENT,
)
YEARLY_GOAL_PROGRESS: Final = SensorEntityDescription(
    key="yearly_goal_progress",
    translation_key="yearly_goal_progress",
    native_unit_of_measurement=PERCENTAGE,
    state_class=SensorStateClass.MEASUREMENT,
    suggested_display_precision=0,
)
