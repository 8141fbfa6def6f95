"""Realtime updates from Audiobookshelf: one socket per entry, wired to its poll.

The socket (`core.abs_socket`) reports which ABS items changed. A change of a
linked title makes the progress coordinator read ABS and sync soon (see
`ProgressCoordinator.sync_titles_soon`), so ABS -> Audible takes seconds,
not a poll interval. Our own writes come back the same way: a pushed record
that shows what the ledger says we wrote, or what the poll already read,
changes nothing and is dropped here, without a request.

While the socket is up the poll skips ABS except a safety read every
30 minutes (`coordinator.ABS_SAFETY_POLL`); while it is down, the poll reads
ABS as it always did.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_call_later

from .const import CONF_ABS_USER_ID, CONF_VERIFY_SSL
from .core.abs_socket import AbsSocket, SocketState, socket_token
from .sync_runner import abs_side

if TYPE_CHECKING:
    from datetime import datetime

    from .coordinator import ProgressCoordinator
    from .core.abs_api import AbsClient
    from .core.abs_socket import AbsProgressEvent
    from .core.models import AbsProgress
    from .runtime import AudibleTrackerConfigEntry

# A change usually comes as a burst (both events of one PATCH, several
# books): wait this long to sync them together.
SETTLE_S: Final = 2.0
# A playing client reports every 10-15 s; syncing each would write Audible
# that often. Pushed changes are synced at most this often (the first at once).
MIN_GAP_S: Final = 30.0


class RealtimeAbs:
    """The ABS socket of one entry and what its events trigger."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: AudibleTrackerConfigEntry,
        progress: ProgressCoordinator,
        abs_client: AbsClient,
    ) -> None:
        """Prepare the socket; `start` connects."""
        self._hass = hass
        self._progress = progress
        verify_ssl: bool = entry.data.get(CONF_VERIFY_SSL, True)
        self.socket = AbsSocket(
            abs_client.base_url,
            token=partial(socket_token, abs_client),
            on_event=self._on_event,
            on_state=self._on_state,
            # Home Assistant's shared session: nothing of ours to close.
            http_session=async_get_clientsession(hass, verify_ssl=verify_ssl),
            verify_ssl=verify_ssl,
            user_id=entry.data.get(CONF_ABS_USER_ID),
        )
        self._listeners: list[CALLBACK_TYPE] = []
        self._pending: set[str] = set()
        self._cancel_timer: CALLBACK_TYPE | None = None
        self._last_sync_at: float | None = None
        self._unsub_stop: CALLBACK_TYPE | None = None

    @property
    def connected(self) -> bool:
        """Whether ABS pushes its changes now."""
        return self.socket.connected

    def diagnostics(self) -> dict[str, Any]:
        """Return the socket's state for diagnostics (no token, no address)."""
        return self.socket.status.as_dict()

    def start(self) -> None:
        """Connect, and close on Home Assistant's stop."""
        self._unsub_stop = self._hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_STOP, self._async_on_stop
        )
        self.socket.start()

    async def async_close(self) -> None:
        """Close the socket and drop what is pending (unload, stop)."""
        if self._unsub_stop is not None:
            self._unsub_stop()
            self._unsub_stop = None
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None
        self._pending.clear()
        await self.socket.close()

    async def _async_on_stop(self, _event: Event) -> None:
        self._unsub_stop = None  # a fired listen_once is gone already
        await self.async_close()

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` on every change of the connection state."""
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)

    @callback
    def _on_state(self, state: SocketState) -> None:
        self._progress.set_abs_pushes(pushing=state is SocketState.CONNECTED)
        for update in list(self._listeners):
            update()

    @callback
    def _on_event(self, event: AbsProgressEvent) -> None:
        moved = self._moved_titles(event)
        if not moved:
            return
        self._pending |= moved
        if self._cancel_timer is not None:
            return  # a sync is planned already: it takes these too
        delay = SETTLE_S
        if self._last_sync_at is not None:
            delay = max(delay, self._last_sync_at + MIN_GAP_S - self._hass.loop.time())
        self._cancel_timer = async_call_later(self._hass, delay, self._sync_pending)

    @callback
    def _sync_pending(self, _now: datetime) -> None:
        self._cancel_timer = None
        self._last_sync_at = self._hass.loop.time()
        asins, self._pending = self._pending, set()
        self._progress.sync_titles_soon(asins)

    def _moved_titles(self, event: AbsProgressEvent) -> set[str]:
        """Return the linked titles the event really moved.

        A record that shows what the poll last read, or what the ledger says
        we wrote (our own echo), moves nothing.
        """
        library = self._progress.library.data
        asins_of: dict[str, list[str]] = {}
        for asin, link in library.match.links.items():
            asins_of.setdefault(link.item_id, []).append(asin)
        sync = self._progress.sync
        threshold = sync.options.threshold_s if sync is not None else 0.0
        held = self._progress.abs_progress
        moved: set[str] = set()
        for item_id in event.item_ids & asins_of.keys():
            record = event.progress.get(item_id)
            for asin in asins_of[item_id]:
                if record is None or not (
                    _same(record, held.get(item_id), threshold)
                    or self._is_echo(asin, item_id, record, threshold)
                ):
                    moved.add(asin)
        return moved

    def _is_echo(
        self, asin: str, item_id: str, record: AbsProgress, threshold: float
    ) -> bool:
        sync = self._progress.sync
        entry = sync.ledger.titles.get(asin) if sync is not None else None
        if entry is None or entry.item_id != item_id:
            return False
        # Planned counts too: ABS pushes before it answers the PATCH, so the
        # echo can come before the write is recorded as applied.
        write = entry.abs.write
        if write is None:
            return False
        item = self._progress.library.data.abs_items.get(item_id)
        return write.matches(abs_side(item, record), threshold)


def _same(record: AbsProgress, held: AbsProgress | None, threshold: float) -> bool:
    """Whether a pushed record shows what the poll read (no move)."""
    return (
        held is not None
        and held.is_finished == record.is_finished
        and abs(held.current_time_s - record.current_time_s) <= threshold
    )
