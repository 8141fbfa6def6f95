"""Audiobookshelf's socket.io channel: progress changes as they happen.

Once a socket has sent `auth` with a user token and got `init` back (or
`auth_failed`; the connection then stays open), ABS pushes to the sockets of
that user `user_item_progress_updated` (a playback session synced) and
`user_updated` (a progress PATCH or mark finished, our own writes included).
ABS 2.36 refuses API keys here (its token check needs a user id in the token,
see its SocketAuthority.js): with an API key the user's own token from
`/api/me` is sent instead; with a login, the access token, refreshed once
when refused (AbsClient saves the rotated pair as for any refresh).

`AbsSocket` keeps one connection up: it connects, authenticates, reports each
progress event as an `AbsProgressEvent`, and after a drop or a failed attempt
tries again after a jittered exponential back-off capped at 5 minutes. It
logs a lost connection once and its return once, and never a token or a
payload (`user_updated` carries the user's token).
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import aiohttp
import socketio

from .abs_parse import parse_progress, parse_user
from .exceptions import AbsAuthError, AbsError
from .json_fields import get, text

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from .abs_api import AbsClient
    from .models import AbsProgress

_LOGGER = logging.getLogger(__name__)

INITIAL_BACKOFF_S: Final = 2.0
MAX_BACKOFF_S: Final = 300.0
# A connection that lasted this long was a good one: back-off starts over.
STABLE_AFTER_S: Final = 60.0
# How long connecting, and ABS's answer to `auth`, may take.
CONNECT_TIMEOUT_S: Final = 20.0
PROGRESS_EVENT: Final = "user_item_progress_updated"
USER_EVENT: Final = "user_updated"


class SocketState(StrEnum):
    """Where the connection stands."""

    CONNECTING = "connecting"
    CONNECTED = "connected"  # and authenticated: events flow
    AUTH_FAILED = "auth_failed"
    DISCONNECTED = "disconnected"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class AbsProgressEvent:
    """ABS says the user's progress of these items may have changed."""

    event: str
    # Every item the event names; `progress` holds those whose record could
    # be read (a `user_updated` names all the user's records).
    item_ids: frozenset[str]
    progress: Mapping[str, AbsProgress]


def parse_event(
    event: str, data: object, user_id: str | None
) -> AbsProgressEvent | None:
    """Read one pushed event leniently; None when it names no item of ours."""
    if event == PROGRESS_EVENT:
        record = get(data, "data")
        item_id = text(get(record, "libraryItemId"))
        if item_id is None:
            return None
        progress = parse_progress(record)
        return AbsProgressEvent(
            event, frozenset({item_id}), {item_id: progress} if progress else {}
        )
    if event == USER_EVENT:
        user = parse_user(data)
        if user is None or (user_id is not None and user.user_id != user_id):
            return None
        return AbsProgressEvent(event, frozenset(user.progress), dict(user.progress))
    return None


async def socket_token(client: AbsClient, rejected: str | None) -> str:
    """Return the token to authenticate the socket with (a secret).

    `rejected` is the token ABS refused last, if any: a new one is fetched
    (the user token again, or a refreshed access token).
    """
    if client.uses_api_key:
        token = await client.user_token(refetch=rejected is not None)
    else:
        tokens = client.tokens
        if tokens is None:
            raise AbsAuthError("there is no access token: log in first")
        token = tokens.access_token
        if token == rejected:
            token = (await client.refresh_tokens()).access_token
    if token == rejected:
        raise AbsAuthError("the socket token was refused")
    return token


def backoff_delay(attempt: int, rng: random.Random) -> float:
    """Return the wait before attempt `attempt` (0-based) after a failure.

    Doubling from INITIAL_BACKOFF_S up to MAX_BACKOFF_S, each a random 50-100 %
    of that, so that many clients of one restarted server spread out.
    """
    ceiling = min(MAX_BACKOFF_S, INITIAL_BACKOFF_S * 2.0 ** min(attempt, 20))
    return ceiling * (0.5 + rng.random() / 2)


def socket_location(base_url: str) -> tuple[str, str]:
    """Return the origin and socket.io path of an ABS base URL.

    ABS behind a sub-path (https://host/abs) serves its socket at
    /abs/socket.io; engine.io keeps only the host of the URL it is given.
    """
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}", f"{parts.path.rstrip('/')}/socket.io"


@dataclass(slots=True)
class SocketStatus:
    """What diagnostics show of the socket (never a token)."""

    state: SocketState = SocketState.CONNECTING
    connected_since: datetime | None = None
    last_event_at: datetime | None = None
    events: int = 0
    connects: int = 0
    last_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "state": self.state.value,
            "connected_since": _iso(self.connected_since),
            "last_event_at": _iso(self.last_event_at),
            "events": self.events,
            "connects": self.connects,
            "last_error": self.last_error,
        }


class AbsSocket:
    """Keeps one authenticated socket.io connection to ABS up, until closed."""

    def __init__(
        self,
        base_url: str,
        *,
        token: Callable[[str | None], Awaitable[str]],
        on_event: Callable[[AbsProgressEvent], None],
        on_state: Callable[[SocketState], None],
        http_session: aiohttp.ClientSession | None = None,
        verify_ssl: bool = True,
        user_id: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        """Prepare; `start` connects.

        `token(rejected)` returns the token to send (see `socket_token`).
        `http_session` is borrowed (engine.io never closes a session it is
        given); without one engine.io opens and closes its own.
        """
        self._origin, self._path = socket_location(base_url)
        self._token = token
        self._on_event = on_event
        self._on_state = on_state
        self._http = http_session
        self._verify_ssl = verify_ssl
        self._user_id = user_id
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self._task: asyncio.Task[None] | None = None
        self.status = SocketStatus()
        self._was_connected = False
        self._reported_down = False

    @property
    def connected(self) -> bool:
        """Whether the socket is up and authenticated."""
        return self.status.state is SocketState.CONNECTED

    def start(self) -> None:
        """Start connecting (and reconnecting) in a task of the running loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="audiobookshelf socket"
            )

    async def close(self) -> None:
        """Disconnect and stop; nothing of the socket runs afterwards."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                # Ours, unless the caller itself is being cancelled.
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise
        self._set_state(SocketState.CLOSED)

    async def _run(self) -> None:
        attempt = 0
        rejected: str | None = None
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            try:
                rejected = await self._connect_once(rejected)
            except Exception as err:  # noqa: BLE001 - a bug must not end realtime
                # The type only: a message could carry what was sent.
                _LOGGER.warning(
                    "ABS socket failed unexpectedly (%s)", type(err).__name__
                )
                self._went_down(type(err).__name__)
                rejected = None
            if self._was_connected and loop.time() - started >= STABLE_AFTER_S:
                attempt = 0
            self._was_connected = False
            delay = backoff_delay(attempt, self._rng)
            attempt += 1
            _LOGGER.debug("ABS socket: next attempt in %.0f s", delay)
            await asyncio.sleep(delay)

    async def _connect_once(self, rejected: str | None) -> str | None:
        """Connect, authenticate, serve events until the connection ends.

        Returns the token ABS refused, if it refused one (the next attempt
        asks for another).
        """
        self._set_state(SocketState.CONNECTING)
        client = socketio.AsyncClient(
            reconnection=False,  # the loop in _run reconnects, with our back-off
            handle_sigint=False,  # Home Assistant owns the signals
            http_session=self._http,
            ssl_verify=self._verify_ssl,
            request_timeout=CONNECT_TIMEOUT_S,
        )
        lost = asyncio.Event()
        answer: asyncio.Queue[bool] = asyncio.Queue()
        client.on("disconnect", lambda *_: lost.set())
        client.on("init", lambda *_: answer.put_nowait(True))  # noqa: FBT003
        client.on("auth_failed", lambda *_: answer.put_nowait(False))  # noqa: FBT003
        for event in (PROGRESS_EVENT, USER_EVENT):
            client.on(event, self._handler(event))
        try:
            await client.connect(
                self._origin,
                socketio_path=self._path,
                transports=["websocket"],
                wait_timeout=CONNECT_TIMEOUT_S,
            )
            refused = await self._authenticate(client, answer, lost, rejected)
            if refused is not None:
                return refused
            await lost.wait()
            self._went_down("connection lost")
        except (
            socketio.exceptions.SocketIOError,
            aiohttp.ClientError,
            OSError,
            TimeoutError,
        ) as err:
            self._went_down(type(err).__name__)
        except AbsAuthError as err:
            self._went_down(type(err).__name__, auth=True)
        except AbsError as err:
            self._went_down(type(err).__name__)
        finally:
            await _shutdown(client)
        return None

    async def _authenticate(
        self,
        client: socketio.AsyncClient,
        answer: asyncio.Queue[bool],
        lost: asyncio.Event,
        rejected: str | None,
    ) -> str | None:
        """Send `auth` until `init` (None) or a second refusal (the token)."""
        for _ in range(2):
            token = await self._token(rejected)
            await client.emit("auth", token)
            if await self._answer(answer, lost):
                self._connected()
                return None
            rejected = token
        self._went_down("auth_failed", auth=True)
        return rejected

    @staticmethod
    async def _answer(answer: asyncio.Queue[bool], lost: asyncio.Event) -> bool:
        """Wait for `init` (True) or `auth_failed` (False)."""
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            getter = asyncio.ensure_future(answer.get())
            dropped = asyncio.ensure_future(lost.wait())
            try:
                await asyncio.wait(
                    (getter, dropped), return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                getter.cancel()
                dropped.cancel()
            if not getter.done() or getter.cancelled():
                raise socketio.exceptions.ConnectionError("dropped before init")
            return getter.result()

    def _handler(self, event: str) -> Callable[[object], None]:
        def handle(data: object = None) -> None:
            if not self.connected:
                return  # ABS sends nothing before init; be sure
            parsed = parse_event(event, data, self._user_id)
            if parsed is None:
                _LOGGER.debug("ABS socket: %s names no book progress", event)
                return
            self.status.events += 1
            self.status.last_event_at = datetime.now(UTC)
            self._on_event(parsed)

        return handle

    def _connected(self) -> None:
        self._was_connected = True
        self.status.connects += 1
        self.status.connected_since = datetime.now(UTC)
        self.status.last_error = None
        if self._reported_down:
            _LOGGER.info("Audiobookshelf realtime updates are back")
            self._reported_down = False
        else:
            _LOGGER.debug("ABS socket connected and authenticated")
        self._set_state(SocketState.CONNECTED)

    def _went_down(self, reason: str, *, auth: bool = False) -> None:
        self.status.connected_since = None
        self.status.last_error = reason
        if not self._reported_down:
            self._reported_down = True
            _LOGGER.info(
                "Audiobookshelf realtime updates are unavailable (%s); "
                "polling Audiobookshelf until they are back",
                reason,
            )
        else:
            _LOGGER.debug("ABS socket attempt failed (%s)", reason)
        self._set_state(SocketState.AUTH_FAILED if auth else SocketState.DISCONNECTED)

    def _set_state(self, state: SocketState) -> None:
        if state is self.status.state:
            return
        self.status.state = state
        self._on_state(state)


async def _shutdown(client: socketio.AsyncClient) -> None:
    """Close a client whatever state it is in; never raise."""
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            await client.shutdown()
            if client.eio.state != "disconnected":
                await client.eio.disconnect(abort=True)
    except (
        socketio.exceptions.SocketIOError,
        aiohttp.ClientError,
        OSError,
        TimeoutError,
    ) as err:
        _LOGGER.debug("ABS socket: closing failed (%s)", type(err).__name__)
    finally:
        # engine.io's __del__ closes any session it still holds: never the
        # borrowed one.
        client.eio.http = None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
