"""The Audible Tracker integration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.const import Platform
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.httpx_client import get_async_client

from .card import async_register_card
from .const import (
    ABS_AUTH_PASSWORD,
    CONF_ABS_ACCESS_TOKEN,
    CONF_ABS_API_KEY,
    CONF_ABS_AUTH_METHOD,
    CONF_ABS_REFRESH_TOKEN,
    CONF_ABS_URL,
    CONF_ABS_USER_ID,
    CONF_AUDIBLE_AUTH,
    CONF_MARKETPLACE,
    CONF_VERIFY_SSL,
    DOMAIN,
    LOGGER,
)
from .coordinator import (
    LibraryCoordinator,
    ProgressCoordinator,
    library_refresh_interval,
)
from .core.abs_api import AbsClient
from .core.audible_api import AudibleClient
from .core.audible_auth import deregister_device
from .core.models import AbsTokens
from .errors import reauth_on_auth_error
from .health import AudibleGuard, SourceHealth
from .listening_history import HistoryCoordinator, HistoryStore
from .realtime import RealtimeAbs
from .repairs import async_delete_entry_issues, async_update_conflict_issues
from .runtime import AudibleTrackerConfigEntry, AudibleTrackerRuntimeData, TrackerDeps
from .series_coordinator import SeriesCoordinator, remove_catalog_store
from .services import async_setup_services
from .storage import TrackerStore
from .sync_events import async_setup_sync_events

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.typing import ConfigType

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.CALENDAR,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SENSOR,
]


CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions and the card once, whatever entries there are."""
    async_setup_services(hass)
    await async_register_card(hass)
    return True


def create_abs_client(
    hass: HomeAssistant, entry: AudibleTrackerConfigEntry
) -> AbsClient | None:
    """Build the ABS client of an entry, saving every rotated token at once."""
    data = entry.data
    if CONF_ABS_URL not in data:
        return None
    verify_ssl: bool = data.get(CONF_VERIFY_SSL, True)
    tokens = None
    api_key = None
    if data.get(CONF_ABS_AUTH_METHOD) == ABS_AUTH_PASSWORD:
        tokens = AbsTokens(data[CONF_ABS_ACCESS_TOKEN], data[CONF_ABS_REFRESH_TOKEN])
    else:
        api_key = data[CONF_ABS_API_KEY]

    async def save_tokens(new: AbsTokens) -> None:
        # ABS rotates refresh tokens: losing one means a dead login after restart.
        hass.config_entries.async_update_entry(
            entry,
            data={
                **entry.data,
                CONF_ABS_ACCESS_TOKEN: new.access_token,
                CONF_ABS_REFRESH_TOKEN: new.refresh_token,
            },
        )

    return AbsClient(
        data[CONF_ABS_URL],
        session=async_get_clientsession(hass, verify_ssl=verify_ssl),
        api_key=api_key,
        tokens=tokens,
        verify_ssl=verify_ssl,
        on_tokens_refreshed=save_tokens,
    )


async def async_setup_entry(
    hass: HomeAssistant, entry: AudibleTrackerConfigEntry
) -> bool:
    """Set up Audible Tracker from a config entry."""
    store = TrackerStore(hass, entry.entry_id)
    await store.async_load()
    if store.data.use_abs(
        entry.data.get(CONF_ABS_URL), entry.data.get(CONF_ABS_USER_ID)
    ):
        LOGGER.info(
            "Audiobookshelf server or user changed: links and sync records of "
            "the previous one are dropped; the next poll starts afresh"
        )
        await store.async_save()
    with reauth_on_auth_error():
        audible = AudibleClient(
            entry.data[CONF_AUDIBLE_AUTH],
            entry.data[CONF_MARKETPLACE],
            http_client=get_async_client(hass),
        )
    abs_client = create_abs_client(hass, entry)
    deps = TrackerDeps(
        audible=audible,
        abs_client=abs_client,
        store=store,
        audible_guard=AudibleGuard(),
        abs_health=SourceHealth("Audiobookshelf"),
    )
    library = LibraryCoordinator(hass, entry, deps)
    # Both start with the entry's options; apply_options follows changes.
    progress = ProgressCoordinator(hass, entry, deps, library)
    series = SeriesCoordinator(hass, entry, deps, library, progress)
    history = HistoryCoordinator(hass, entry, deps, library)
    entry.runtime_data = AudibleTrackerRuntimeData(
        deps=deps,
        library=library,
        progress=progress,
        series=series,
        history=history,
    )
    # Before the first poll: its sync writes go to the logbook too.
    async_setup_sync_events(entry)
    try:
        await library.async_config_entry_first_refresh()
        await progress.async_config_entry_first_refresh()
        # What the catalog told us before; its first run comes a bit later.
        await series.async_load()
        await history.async_setup()
    except BaseException:
        await audible.close()
        raise
    entry.async_on_unload(series.async_start())
    # New titles or links show at once, without asking the services again;
    # this listener also keeps the library coordinator on its schedule.
    entry.async_on_unload(library.async_add_listener(progress.async_rebuild))
    # No update listener: the options flow applies options itself, and the
    # reauth and reconfigure flows reload (HA 2026.12 refuses both at once).
    if abs_client is not None:
        entry.async_on_unload(
            progress.async_add_listener(
                lambda: async_update_conflict_issues(hass, entry)
            )
        )
        async_update_conflict_issues(hass, entry)
        entry.runtime_data.realtime = RealtimeAbs(hass, entry, progress, abs_client)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # Hourly, off the poll; the first run may take a few requests: not awaited.
    entry.async_create_task(hass, history.async_refresh(), "listening history")
    if entry.runtime_data.realtime is not None:
        # Last: nothing can fail after it, so no socket outlives a failed setup.
        entry.runtime_data.realtime.start()
    return True


def apply_options(
    library: LibraryCoordinator,
    progress: ProgressCoordinator,
    options: Mapping[str, Any],
) -> None:
    """Apply the options to running coordinators (no reload needed)."""
    progress.set_poll_schedule(options)
    library.full_refresh_interval = library_refresh_interval(options)
    if progress.sync is not None:
        progress.sync.set_options(options)


async def async_unload_entry(
    hass: HomeAssistant, entry: AudibleTrackerConfigEntry
) -> bool:
    """Unload a config entry."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        if entry.runtime_data.realtime is not None:
            await entry.runtime_data.realtime.async_close()
        # Fix flows need a loaded entry; the issues come back with it.
        async_delete_entry_issues(hass, entry.entry_id)
        deps = entry.runtime_data.deps
        await deps.store.async_save()
        await entry.runtime_data.series.async_save()
        await deps.audible.close()
    return unloaded


async def async_remove_entry(
    hass: HomeAssistant, entry: AudibleTrackerConfigEntry
) -> None:
    """Deregister this Audible device (this one only); never block removal."""
    async_delete_entry_issues(hass, entry.entry_id)
    await TrackerStore(hass, entry.entry_id).async_remove()
    await remove_catalog_store(hass, entry.entry_id)
    await HistoryStore(hass, entry.entry_id).async_remove()
    try:
        await hass.async_add_executor_job(
            deregister_device, dict(entry.data[CONF_AUDIBLE_AUTH])
        )
    except Exception as err:  # noqa: BLE001 - removal must go on whatever happens
        # Only the type: the message can echo the server's answer.
        LOGGER.warning(
            "Could not deregister the Audible device of %s (%s); remove it by hand"
            " under Amazon's 'Your devices' if it is still listed",
            entry.title,
            type(err).__name__,
        )
