"""Runtime data kept on the config entry while it is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .coordinator import LibraryCoordinator, ProgressCoordinator
    from .core.abs_api import AbsClient
    from .core.audible_api import AudibleClient
    from .health import AudibleGuard, SourceHealth
    from .listening_history import HistoryCoordinator
    from .realtime import RealtimeAbs
    from .series_coordinator import SeriesCoordinator
    from .storage import TrackerStore


@dataclass(frozen=True, kw_only=True, slots=True)
class TrackerDeps:
    """What both coordinators and the actions share, built once per entry."""

    audible: AudibleClient
    abs_client: AbsClient | None  # None: Audible only
    store: TrackerStore
    # One health record per service, shared by both schedules: one outage,
    # logged once.
    audible_guard: AudibleGuard
    abs_health: SourceHealth


@dataclass(kw_only=True)
class AudibleTrackerRuntimeData:
    """What a loaded entry holds."""

    deps: TrackerDeps
    library: LibraryCoordinator
    progress: ProgressCoordinator
    series: SeriesCoordinator
    history: HistoryCoordinator
    realtime: RealtimeAbs | None = None  # None: Audible only


type AudibleTrackerConfigEntry = ConfigEntry[AudibleTrackerRuntimeData]
