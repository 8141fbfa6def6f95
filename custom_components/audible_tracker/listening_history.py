"""Listening history: the hourly history coordinator and its statistics import.

Never part of the 5-minute poll. Audible's daily listening comes from the
library coordinator (which already asks for it, at most hourly): taken as it
arrives, with no request of its own. Once, on the first run, Audible's
monthly totals of the two years before its 30 days (2 requests). ABS's days
come from `/api/me/listening-stats`, one request an hour.

Each series (Audible, ABS, combined) is imported into long-term statistics
as an external statistic (minutes, with a running sum, one row per local
day). What was imported is stored, so a run imports only the days that
changed (and the later days' sums), a re-run nothing, and a restart nothing.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Final

from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    async_add_external_statistics,
    get_last_statistics,
)
from homeassistant.const import UnitOfTime
from homeassistant.core import callback
from homeassistant.helpers.recorder import get_instance
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import DurationConverter

from .const import DOMAIN, LOGGER
from .core.exceptions import (
    AbsError,
    AudibleError,
    AudibleRateLimitError,
    HistoryFormatError,
)
from .core.history import (
    HistorySeries,
    ListeningHistory,
    day_start,
    days_from_json,
    days_to_json,
    rows_to_import,
)
from .core.json_fields import Reader
from .storage import entry_store

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .coordinator import LibraryCoordinator
    from .core.models import ListeningDay
    from .runtime import AudibleTrackerConfigEntry, TrackerDeps

HISTORY_INTERVAL: Final = timedelta(hours=1)
# How far back Audible's monthly totals are asked for, on the first run.
AUDIBLE_MONTHS_BACK: Final = 24
STORAGE_VERSION: Final = 1
RECORDER: Final = "recorder"
_LABELS: Final = {
    HistorySeries.AUDIBLE: "Audible",
    HistorySeries.ABS: "Audiobookshelf",
    HistorySeries.COMBINED: "combined",
}


def statistic_id(entry: AudibleTrackerConfigEntry, series: HistorySeries) -> str:
    """Return the statistic id of one of an entry's series."""
    return f"{DOMAIN}:listening_time_{entry.entry_id.lower()}_{series}"


class HistoryStore:
    """The history and what was imported of it.

    In `.storage/audible_tracker.<entry_id>.history`.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Bind to the entry's history file."""
        self._store = entry_store(hass, entry_id, STORAGE_VERSION, "history")
        self.history = ListeningHistory()
        # Per series, the values (seconds per day) last imported.
        self.imported: dict[HistorySeries, dict[date, float]] = {}
        self.months_fetched = False

    async def async_load(self) -> None:
        """Load what was saved; a damaged file starts afresh (imports again)."""
        stored = await self._store.async_load()
        if not stored:
            return
        try:
            reader = Reader.of(stored, "history_store", HistoryFormatError)
            history = ListeningHistory.from_dict(reader.mapping("history"))
            done = reader.child("imported")
            imported = {
                series: days_from_json(done, series.value)
                for series in HistorySeries
                if done.has(series.value)
            }
            months_fetched = reader.boolean("months_fetched")
        except HistoryFormatError as err:
            LOGGER.warning("The stored listening history is unreadable (%s)", err)
            return
        self.history, self.imported = history, imported
        self.months_fetched = months_fetched

    async def async_save(self) -> None:
        """Save now."""
        await self._store.async_save(
            {
                "history": self.history.to_dict(),
                "imported": {
                    series.value: days_to_json(days)
                    for series, days in self.imported.items()
                },
                "months_fetched": self.months_fetched,
            }
        )

    async def async_remove(self) -> None:
        """Delete the file (the entry is being removed)."""
        await self._store.async_remove()


class HistoryCoordinator(DataUpdateCoordinator[ListeningHistory]):
    """Keeps the listening history and imports it into statistics, hourly."""

    config_entry: AudibleTrackerConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: AudibleTrackerConfigEntry,
        deps: TrackerDeps,
        library: LibraryCoordinator,
    ) -> None:
        """Bind to the entry; `library` brings Audible's days."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} history",
            update_interval=HISTORY_INTERVAL,
        )
        self.deps = deps
        self.library = library
        self.store = HistoryStore(hass, entry.entry_id)
        # The yearly goal in books (the number entity restores and sets it).
        self.yearly_goal = 0
        self._seen_days: list[ListeningDay] | None = None
        self._recorder_checked = False
        self._lock = asyncio.Lock()

    @property
    def series(self) -> tuple[HistorySeries, ...]:
        """The series this entry has (ABS and combined only with ABS)."""
        if self.deps.abs_client is None:
            return (HistorySeries.AUDIBLE,)
        return tuple(HistorySeries)

    async def async_setup(self) -> None:
        """Load the stored history; follow the library's new listening days."""
        await self.store.async_load()
        self.data = self.store.history
        self.config_entry.async_on_unload(
            self.library.async_add_listener(self._library_updated)
        )

    @callback
    def _library_updated(self) -> None:
        days = self.library.data.listening_days if self.library.data else None
        if days is None or days is self._seen_days:
            return
        # No request: the library coordinator fetched them.
        self.config_entry.async_create_task(
            self.hass, self._async_take_library_days(), "listening history"
        )

    async def _async_take_library_days(self) -> None:
        async with self._lock:
            if self._take_audible_days():
                await self._async_store_and_import()
        self.async_update_listeners()

    async def _async_update_data(self) -> ListeningHistory:
        async with self._lock:
            changed = self._take_audible_days()
            changed |= await self._async_fetch_audible_months()
            changed |= await self._async_fetch_abs()
            if changed or not self._recorder_checked:
                await self._async_store_and_import()
        return self.store.history

    def _take_audible_days(self) -> bool:
        days = self.library.data.listening_days if self.library.data else None
        if days is None or days is self._seen_days:
            return False
        self._seen_days = days
        return self.store.history.update_audible(days)

    async def _async_fetch_audible_months(self) -> bool:
        """Once: Audible's monthly totals before its daily data."""
        history = self.store.history
        if self.store.months_fetched or not history.audible:
            return False
        now = dt_util.utcnow()
        if self.deps.audible_guard.waiting(now):
            return False
        first = min(history.audible).replace(day=1)
        index = first.year * 12 + first.month - 1 - (AUDIBLE_MONTHS_BACK - 1)
        start = date(index // 12, index % 12 + 1, 1)
        try:
            months = await self.deps.audible.get_listening_months(
                first_month=start, months=AUDIBLE_MONTHS_BACK
            )
        except AudibleError as err:
            if isinstance(err, AudibleRateLimitError):
                self.deps.audible_guard.rate_limited(now, err)
            # Tried again next hour; the daily history goes on meanwhile.
            LOGGER.debug(
                "Audible monthly listening unavailable (%s)", type(err).__name__
            )
            return False
        self.store.months_fetched = True
        history.update_audible_months(months)
        return True

    async def _async_fetch_abs(self) -> bool:
        if self.deps.abs_client is None:
            return False
        try:
            days = await self.deps.abs_client.get_listening_days()
        except AbsError as err:
            # The poll reports ABS outages and starts reauthentication.
            LOGGER.debug("ABS listening stats unavailable (%s)", type(err).__name__)
            return False
        return self.store.history.update_abs(days)

    async def _async_store_and_import(self) -> None:
        if RECORDER in self.hass.config.components:
            await self._async_check_recorder()
            self._import_statistics()
        await self.store.async_save()

    async def _async_check_recorder(self) -> None:
        """Import again in full a series the recorder lost (checked once a start).

        Deleted by the user in the statistics tools, or a new database.
        """
        if self._recorder_checked:
            return
        self._recorder_checked = True
        for series in self.series:
            if not self.store.imported.get(series):
                continue
            sid = statistic_id(self.config_entry, series)
            last = await get_instance(self.hass).async_add_executor_job(
                partial(
                    get_last_statistics,
                    self.hass,
                    1,
                    sid,
                    convert_units=False,
                    types={"sum"},
                )
            )
            if not last.get(sid):
                self.store.imported.pop(series, None)

    def _import_statistics(self) -> None:
        zone = dt_util.get_default_time_zone()
        for series in self.series:
            values = self.store.history.chart_values(series)
            rows = rows_to_import(values, self.store.imported.get(series, {}))
            if not rows:
                continue
            metadata = StatisticMetaData(
                mean_type=StatisticMeanType.NONE,
                has_sum=True,
                name=f"{self.config_entry.title} listening time ({_LABELS[series]})",
                source=DOMAIN,
                statistic_id=statistic_id(self.config_entry, series),
                unit_class=DurationConverter.UNIT_CLASS,
                unit_of_measurement=UnitOfTime.MINUTES,
            )
            async_add_external_statistics(
                self.hass,
                metadata,
                [
                    StatisticData(
                        start=day_start(row.day, zone),
                        state=row.minutes,
                        sum=row.sum_minutes,
                    )
                    for row in rows
                ],
            )
            LOGGER.debug("Imported %s days of %s listening", len(rows), series)
            self.store.imported[series] = values
