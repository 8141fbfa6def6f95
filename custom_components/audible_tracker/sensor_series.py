"""The series sensors: the next volume to listen to, and the missing volumes.

They read the series coordinator's overview (`core.series.overview`); the
sensor platform adds them beside the progress sensors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import MAX_LENGTH_STATE_STATE

from .covers import CoverCheck
from .entity import AudibleTrackerCoordinatorEntity
from .series_coordinator import SeriesCoordinator

if TYPE_CHECKING:
    from collections.abc import Callable

    from .core.series import SeriesGap, VolumeStatus
    from .core.series.overview import Overview
    from .runtime import AudibleTrackerConfigEntry

# Titles listed in the missing volumes' attribute, over all series.
MISSING_LIST_SIZE: Final = 50


@dataclass(frozen=True, kw_only=True)
class SeriesSensorDescription(SensorEntityDescription):
    """A series sensor and how to read it from the overview."""

    value_fn: Callable[[Overview], str | int | None]
    attributes_fn: Callable[[Overview], dict[str, Any]]


def _next_up_value(overview: Overview) -> str | None:
    found = overview.next_up
    return found.status.volume.title[:MAX_LENGTH_STATE_STATE] if found else None


def _next_up_attributes(overview: Overview) -> dict[str, Any]:
    found = overview.next_up
    if found is None:
        return {}
    status = found.status
    volume = status.volume
    return {
        "asin": status.asin,
        "series": found.view.series.title,
        "series_asin": found.view.series.asin,
        "sequence": volume.sequence,
        "owned": status.owned,
        "on_abs": status.abs_item_id,
        "in_wishlist": status.in_wishlist,
        "release_date": volume.release_date.isoformat()
        if volume.release_date
        else None,
        "cover_url": volume.cover_url,
        "authors": list(volume.authors),
        "after": found.after.volume.title,
    }


def _missing_value(overview: Overview) -> int | None:
    # Before the catalog has answered for any series, the count is unknown.
    if overview.views and not overview.series_known:
        return None
    return sum(len(gap.missing) for gap in overview.gaps)


def _missing_entry(status: VolumeStatus) -> dict[str, Any]:
    volume = status.volume
    return {
        "asin": status.asin,
        "title": volume.title,
        "sequence": volume.sequence,
        "release_date": volume.release_date.isoformat()
        if volume.release_date
        else None,
        "in_wishlist": status.in_wishlist,
    }


def _missing_attributes(overview: Overview) -> dict[str, Any]:
    listed: list[dict[str, Any]] = []
    room = MISSING_LIST_SIZE
    gap: SeriesGap
    for gap in overview.gaps:
        if room <= 0:
            break
        shown = gap.missing[:room]
        room -= len(shown)
        listed.append(
            {
                "title": gap.view.series.title,
                "asin": gap.view.series.asin,
                "owned": gap.view.owned_count,
                "missing": [_missing_entry(status) for status in shown],
            }
        )
    return {
        "series": listed,
        "series_known": overview.series_known,
        "series_total": len(overview.views),
    }


SERIES_SENSORS: Final[tuple[SeriesSensorDescription, ...]] = (
    SeriesSensorDescription(
        key="next_up",
        translation_key="next_up",
        value_fn=_next_up_value,
        attributes_fn=_next_up_attributes,
    ),
    SeriesSensorDescription(
        key="missing_volumes",
        translation_key="missing_volumes",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_missing_value,
        attributes_fn=_missing_attributes,
    ),
)


class SeriesSensor(AudibleTrackerCoordinatorEntity[SeriesCoordinator], SensorEntity):
    """A sensor of the series overview."""

    entity_description: SeriesSensorDescription
    # Lists for dashboards: useful now, noise in the history.
    _unrecorded_attributes = frozenset({"series", "cover_url"})

    def __init__(
        self,
        entry: AudibleTrackerConfigEntry,
        description: SeriesSensorDescription,
    ) -> None:
        """Attach to the entry's series coordinator; next up shows its cover."""
        super().__init__(entry, entry.runtime_data.series, description)
        self._covers = (
            CoverCheck(entry.runtime_data.series.hass, entry, self._cover_checked)
            if description.key == "next_up"
            else None
        )

    def _cover_checked(self) -> None:
        if self.hass is not None and self.entity_id is not None:
            self.async_write_ha_state()

    @property
    def native_value(self) -> str | int | None:
        """Return the state."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the attributes, for dashboard cards and templates."""
        return self.entity_description.attributes_fn(self.coordinator.data)

    @property
    def entity_picture(self) -> str | None:
        """Return the next volume's cover, when it is known to load."""
        found = self.coordinator.data.next_up
        if self._covers is None or found is None:
            return None
        return self._covers.first_loading((found.status.volume.cover_url,))
