"""Runtime data kept on the config entry while it is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .core.abs_api import AbsClient


@dataclass(kw_only=True)
class AudibleTrackerRuntimeData:
    """What a loaded entry holds."""

    abs_client: AbsClient | None


type AudibleTrackerConfigEntry = ConfigEntry[AudibleTrackerRuntimeData]
