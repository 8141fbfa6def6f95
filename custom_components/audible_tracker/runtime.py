"""Runtime data kept on the config entry while it is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .coordinator import LibraryCoordinator, ProgressCoordinator
    from .core.abs_api import AbsClient
    from .core.audible_api import AudibleClient
    from .storage import TrackerStore


@dataclass(kw_only=True)
class AudibleTrackerRuntimeData:
    """What a loaded entry holds."""

    audible: AudibleClient
    abs_client: AbsClient | None
    store: TrackerStore
    library: LibraryCoordinator
    progress: ProgressCoordinator


type AudibleTrackerConfigEntry = ConfigEntry[AudibleTrackerRuntimeData]
