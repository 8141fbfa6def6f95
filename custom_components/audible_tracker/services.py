"""Actions: link titles, resolve conflicts, push a position, control the sync."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, cast

import probatio
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.util import dt as dt_util

from .action_common import (
    ATTR_ABS_ITEM_ID,
    ATTR_ASIN,
    ENTRY_SCHEMA,
    call_entry,
    known_asin,
    known_item,
)
from .const import DOMAIN
from .core.sync import plan_push
from .errors import action_exception_handler, action_failed, invalid_call
from .services_history import async_setup_history_services
from .services_metadata import async_setup_metadata_services
from .services_series import async_setup_series_services
from .sync_runner import abs_side, audible_side

if TYPE_CHECKING:
    from .coordinator import LibraryData
    from .runtime import AudibleTrackerRuntimeData

ATTR_IGNORE: Final = "ignore"
ATTR_POSITION: Final = "position"
ATTR_ENABLED: Final = "enabled"

SERVICE_LINK: Final = "link"
SERVICE_UNLINK: Final = "unlink"
SERVICE_RESOLVE_CONFLICT: Final = "resolve_conflict"
SERVICE_PUSH_POSITION: Final = "push_position"
SERVICE_SYNC_NOW: Final = "sync_now"
SERVICE_SET_SYNC_ENABLED: Final = "set_sync_enabled"
SERVICE_GET_CONFLICTS: Final = "get_conflicts"

TITLE_SCHEMA = ENTRY_SCHEMA.extend({probatio.Required(ATTR_ASIN): str})
LINK_SCHEMA = TITLE_SCHEMA.extend({probatio.Required(ATTR_ABS_ITEM_ID): str})
RESOLVE_SCHEMA = TITLE_SCHEMA.extend(
    {
        probatio.Optional(ATTR_ABS_ITEM_ID): str,
        probatio.Optional(ATTR_IGNORE): bool,
    }
)
PUSH_SCHEMA = ENTRY_SCHEMA.extend(
    {
        probatio.Optional(ATTR_ASIN): str,
        probatio.Optional(ATTR_ABS_ITEM_ID): str,
        probatio.Optional(ATTR_POSITION): probatio.Coerce(float),
    }
)
SET_SYNC_SCHEMA = TITLE_SCHEMA.extend({probatio.Required(ATTR_ENABLED): bool})


async def _async_link(call: ServiceCall) -> None:
    entry = call_entry(call, needs_abs=True)
    library = entry.runtime_data.library
    asin = known_asin(library.data, call.data[ATTR_ASIN])
    item_id = known_item(library.data, call.data[ATTR_ABS_ITEM_ID])
    await library.async_link(asin, item_id)


async def _async_forget_sync(runtime: AudibleTrackerRuntimeData, asin: str) -> None:
    """Drop a title's sync record: a later link starts from a fresh baseline."""
    if runtime.progress.sync is not None:
        await runtime.progress.sync.async_forget(asin)


async def _async_unlink(call: ServiceCall) -> None:
    entry = call_entry(call, needs_abs=True)
    runtime = entry.runtime_data
    asin = known_asin(runtime.library.data, call.data[ATTR_ASIN])
    await _async_forget_sync(runtime, asin)
    await runtime.library.async_unlink(asin)


async def _async_resolve_conflict(call: ServiceCall) -> None:
    entry = call_entry(call, needs_abs=True)
    library = entry.runtime_data.library
    asin = known_asin(library.data, call.data[ATTR_ASIN])
    item_in: str | None = call.data.get(ATTR_ABS_ITEM_ID)
    ignore: bool = call.data.get(ATTR_IGNORE, False)
    if (item_in is None) == (not ignore):
        raise invalid_call("resolve_needs_one_choice")
    if item_in is None:
        await _async_forget_sync(entry.runtime_data, asin)
        await library.async_ignore(asin)
        return
    await library.async_link(asin, known_item(library.data, item_in))


def _linked_title(
    library: LibraryData, asin_in: str | None, item_in: str | None
) -> tuple[str, str]:
    """Return (asin, item id) of a linked title named by either one."""
    if (asin_in is None) == (item_in is None):
        raise invalid_call("push_needs_one_title")
    links = library.match.item_ids()
    if asin_in is not None:
        asin = known_asin(library, asin_in)
        if asin not in links:
            raise invalid_call("title_not_linked", asin=asin)
        return asin, links[asin]
    assert item_in is not None  # noqa: S101 - exactly one of the two is given
    item_id = known_item(library, item_in)
    by_item = {item: asin for asin, item in links.items()}
    if item_id not in by_item:
        raise invalid_call("item_not_linked", abs_item_id=item_id)
    return by_item[item_id], item_id


async def _async_push_position(call: ServiceCall) -> None:
    entry = call_entry(call, needs_abs=True)
    runtime = entry.runtime_data
    library = runtime.library.data
    sync = runtime.progress.sync
    abs_client = runtime.deps.abs_client
    # Both exist when ABS is configured, which _entry checked.
    assert sync is not None  # noqa: S101
    assert abs_client is not None  # noqa: S101
    asin, item_id = _linked_title(
        library, call.data.get(ATTR_ASIN), call.data.get(ATTR_ABS_ITEM_ID)
    )
    title = runtime.progress.titles(library)[asin]
    item = library.abs_items.get(item_id)
    with action_exception_handler():
        positions = await runtime.deps.audible.get_last_positions([asin])
        audible_position = positions.get(asin)
        abs_progress = await abs_client.get_progress(item_id)
        write = plan_push(
            asin,
            item_id,
            source=audible_side(title, audible_position),
            target=abs_side(item, abs_progress),
            position_s=call.data.get(ATTR_POSITION),
        )
    if not await sync.async_push(write, dt_util.utcnow()):
        raise action_failed("push_failed")
    runtime.progress.watch(asin)
    await runtime.progress.async_request_refresh()


async def _async_sync_now(call: ServiceCall) -> None:
    entry = call_entry(call)
    progress = entry.runtime_data.progress
    await progress.async_refresh()
    if not progress.last_update_success:
        raise action_failed("service_unavailable")


async def _async_set_sync_enabled(call: ServiceCall) -> None:
    entry = call_entry(call, needs_abs=True)
    runtime = entry.runtime_data
    asin = known_asin(runtime.library.data, call.data[ATTR_ASIN])
    disabled = runtime.deps.store.data.sync_disabled
    if call.data[ATTR_ENABLED]:
        disabled.discard(asin)
    else:
        disabled.add(asin)
    await runtime.deps.store.async_save()


async def _async_get_conflicts(call: ServiceCall) -> ServiceResponse:
    entry = call_entry(call, needs_abs=True)
    library = entry.runtime_data.library
    data = library.data
    snapshot = entry.runtime_data.progress.data.snapshot
    in_progress = {book.asin for book in snapshot.in_progress}
    conflicts: list[dict[str, Any]] = [
        {
            "asin": asin,
            "title": data.titles[asin].title,
            "authors": list(data.titles[asin].authors),
            "in_progress": asin in in_progress,
            "candidates": [
                {
                    "abs_item_id": candidate.item_id,
                    "title": candidate.title,
                    "authors": list(candidate.authors),
                    "score": candidate.score,
                    "method": candidate.method,
                }
                for candidate in conflict.candidates
            ],
        }
        for asin, conflict in sorted(data.match.conflicts.items())
        if asin in data.titles
    ]
    unmatched: list[dict[str, Any]] = [
        {
            "asin": asin,
            "title": data.titles[asin].title,
            "authors": list(data.titles[asin].authors),
            "in_progress": asin in in_progress,
        }
        for asin in sorted(data.match.unmatched)
        if asin in data.titles
    ]
    return cast("ServiceResponse", {"conflicts": conflicts, "unmatched": unmatched})


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, in async_setup)."""
    async_setup_history_services(hass)
    hass.services.async_register(DOMAIN, SERVICE_LINK, _async_link, LINK_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_UNLINK, _async_unlink, TITLE_SCHEMA)
    hass.services.async_register(
        DOMAIN, SERVICE_RESOLVE_CONFLICT, _async_resolve_conflict, RESOLVE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_PUSH_POSITION, _async_push_position, PUSH_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_SYNC_NOW, _async_sync_now, ENTRY_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_SET_SYNC_ENABLED, _async_set_sync_enabled, SET_SYNC_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_CONFLICTS,
        _async_get_conflicts,
        ENTRY_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    async_setup_series_services(hass)
    async_setup_metadata_services(hass)
