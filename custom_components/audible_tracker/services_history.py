"""Actions of the listening history: mark a book finished, listening stats."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Final, cast

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
from .core.history import finished_between, finished_books, listening_between
from .core.sync import PlannedWrite, Side, WriteKind
from .errors import action_exception_handler, action_failed, invalid_call
from .sync_runner import abs_side, audible_side

if TYPE_CHECKING:
    from .runtime import AudibleTrackerRuntimeData

ATTR_START: Final = "start"
ATTR_END: Final = "end"

SERVICE_MARK_FINISHED: Final = "mark_finished"
SERVICE_GET_LISTENING_STATS: Final = "get_listening_stats"

MARK_FINISHED_REASON: Final = "mark_finished action"
# A range longer than this is refused: the answer lists every day.
MAX_RANGE_DAYS: Final = 3660

MARK_FINISHED_SCHEMA = ENTRY_SCHEMA.extend(
    {
        probatio.Optional(ATTR_ASIN): str,
        probatio.Optional(ATTR_ABS_ITEM_ID): str,
    }
)
STATS_SCHEMA = ENTRY_SCHEMA.extend(
    {
        probatio.Required(ATTR_START): probatio.Coerce(date.fromisoformat),
        probatio.Required(ATTR_END): probatio.Coerce(date.fromisoformat),
    }
)


def _title_sides(
    runtime: AudibleTrackerRuntimeData, asin_in: str | None, item_in: str | None
) -> tuple[str | None, str | None]:
    """Return (asin, item id) of the book named by either: the sides it has."""
    if (asin_in is None) == (item_in is None):
        raise invalid_call("push_needs_one_title")
    library = runtime.library.data
    links = library.match.item_ids()
    if asin_in is not None:
        asin = known_asin(library, asin_in)
        return asin, links.get(asin)
    assert item_in is not None  # noqa: S101 - exactly one of the two is given
    if runtime.deps.abs_client is None:
        raise invalid_call(
            "abs_not_configured", entry=runtime.library.config_entry.title
        )
    item_id = known_item(library, item_in)
    by_item = {item: asin for asin, item in links.items()}
    return by_item.get(item_id), item_id


async def _async_mark_finished(call: ServiceCall) -> None:
    runtime = call_entry(call).runtime_data
    asin, item_id = _title_sides(
        runtime, call.data.get(ATTR_ASIN), call.data.get(ATTR_ABS_ITEM_ID)
    )
    if asin is not None and item_id is not None and runtime.progress.sync is not None:
        await _async_mark_linked(runtime, asin, item_id)
    else:
        with action_exception_handler():
            if asin is not None:
                title = runtime.progress.titles(runtime.library.data)[asin]
                duration_ms = round(title.runtime_s * 1000) if title.runtime_s else None
                await runtime.deps.audible.mark_finished(asin, duration_ms=duration_ms)
            elif item_id is not None and runtime.deps.abs_client is not None:
                await runtime.deps.abs_client.mark_finished(item_id)
    if asin is not None:
        # Audible shows a finish in its library, not in lastpositions.
        runtime.progress.watch(asin)
        runtime.library.request_audible_refresh()
    await runtime.progress.async_request_refresh()


async def _async_mark_linked(
    runtime: AudibleTrackerRuntimeData, asin: str, item_id: str
) -> None:
    """Finish both sides of a linked book, recorded in the sync's ledger.

    Each write is recorded as the sync records its own: the next poll takes
    both finishes as our echoes (no ping-pong) and retries one that did not
    take.
    """
    sync = runtime.progress.sync
    abs_client = runtime.deps.abs_client
    assert sync is not None  # noqa: S101 - the caller checked
    assert abs_client is not None  # noqa: S101 - a sync has a client
    library = runtime.library.data
    title = runtime.progress.titles(library)[asin]
    with action_exception_handler():
        positions = await runtime.deps.audible.get_last_positions([asin])
        progress = await abs_client.get_progress(item_id)
    audible = audible_side(title, positions.get(asin))
    abs_state = abs_side(library.abs_items.get(item_id), progress)
    now = dt_util.utcnow()
    for target, before, source in (
        (Side.ABS, abs_state, audible),
        (Side.AUDIBLE, audible, abs_state),
    ):
        if before.finished:
            continue
        write = PlannedWrite(
            asin=asin,
            item_id=item_id,
            target=target,
            kind=WriteKind.FINISHED,
            reason=MARK_FINISHED_REASON,
            # The other side as it is: its baseline until the next poll
            # sees both finishes as our echoes.
            source=source,
            target_before=before,
        )
        if not await sync.async_push(write, now):
            raise action_failed("mark_finished_failed")


async def _async_get_listening_stats(call: ServiceCall) -> ServiceResponse:
    entry = call_entry(call)
    start: date = call.data[ATTR_START]
    end: date = call.data[ATTR_END]
    if end < start or (end - start).days >= MAX_RANGE_DAYS:
        raise invalid_call("invalid_date_range", max_days=str(MAX_RANGE_DAYS))
    runtime = entry.runtime_data
    library = runtime.library.data
    books = finished_books(
        library.titles,
        library.abs_items,
        runtime.progress.abs_progress,
        library.match.item_ids(),
        dt_util.get_default_time_zone(),
    )
    days = listening_between(runtime.history.store.history, start, end)
    return cast(
        "ServiceResponse",
        {
            "days": days,
            "total_minutes": {
                key: round(sum(day[f"{key}_minutes"] or 0.0 for day in days), 1)
                for key in ("audible", "abs", "combined")
            },
            "books_finished": [
                {
                    "title": book.title,
                    "asin": book.asin,
                    "abs_item_id": book.abs_item_id,
                    "finished": book.finished_on.isoformat(),
                }
                for book in finished_between(books, start, end)
            ],
        },
    )


@callback
def async_setup_history_services(hass: HomeAssistant) -> None:
    """Register the listening history's actions."""
    hass.services.async_register(
        DOMAIN, SERVICE_MARK_FINISHED, _async_mark_finished, MARK_FINISHED_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_LISTENING_STATS,
        _async_get_listening_stats,
        STATS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
