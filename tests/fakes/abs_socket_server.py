"""A fake of Audiobookshelf 2.36's socket.io endpoint, on the fake ABS server.

It behaves as ABS's `SocketAuthority.js` (2.36.0) does for what the
integration uses:

* a socket connects at `<base path>/socket.io` and sends `auth` with a token;
  a user token (a login's access token or the user's own `token` of
  `/api/me`) gets `init` (`{userId, username}`); anything else, API keys
  included (2.36 looks for a user id in the token), gets `auth_failed`
  (`{message: "Invalid token"}`) and the connection stays open;
* events go to the authenticated sockets of the user they concern only:
  `user_updated` (the whole user, as `/api/me` shows it, token included)
  after every progress PATCH on the fake REST server, and
  `user_item_progress_updated` (`{id, sessionId, deviceDescription, data}`)
  when a test plays a book with `play` (a playback session's sync).

Usage (before the REST fake starts: the socket's routes come first)::

    fake = FakeAbsServer()
    socket = FakeAbsSocket(fake)
    await fake.start(aiohttp_server)
    ...
    await socket.shutdown()

Controls: `refuse_connections` (a connect gets a connect error),
`refuse_auth` (every `auth` fails), `silent` (no event is sent: a socket
that is up but says nothing), `await drop()` (the server closes every
socket). Assert: `auth_tokens` (every token sent with `auth`, in order),
`connected_users()` (user id per authenticated socket), `connections`.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import TYPE_CHECKING, Any, Final

import socketio

from tests.fakes.abs_server import USER_ID

if TYPE_CHECKING:
    from aiohttp import web

    from tests.fakes.abs_server import FakeAbsServer

# Engine.IO pings would need the clock to run: the tests freeze it, and
# `async_fire_time_changed` fires every timer due. A day never comes.
PING_INTERVAL_S: Final = 24 * 3600


class FakeAbsSocket:
    """ABS's socket.io server, attached to a `FakeAbsServer`."""

    def __init__(self, server: FakeAbsServer) -> None:
        """Attach to `server` (call before `server.start`)."""
        self.server = server
        self.sio = socketio.AsyncServer(
            async_mode="aiohttp",
            cors_allowed_origins="*",
            ping_interval=PING_INTERVAL_S,
            ping_timeout=PING_INTERVAL_S,
        )
        self.refuse_connections = False
        self.refuse_auth = False
        self.silent = False
        self.auth_tokens: list[object] = []
        self.connections = 0
        self._users: dict[str, str] = {}  # sid -> user id, once authenticated
        # Engine.IO starts a ping task per socket and never cancels it:
        # tracked, so that `shutdown` leaves nothing behind.
        self._tasks: set[asyncio.Task[Any]] = set()
        start_task = self.sio.eio.start_background_task

        def tracked(target: Any, *args: Any, **kwargs: Any) -> asyncio.Task[Any]:
            task: asyncio.Task[Any] = start_task(target, *args, **kwargs)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return task

        self.sio.eio.start_background_task = tracked
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("auth", self._on_auth)
        server.extra_routes.append(self._attach)
        server.progress_listeners.append(self._on_progress_patched)

    def _attach(self, app: web.Application) -> None:
        # ABS serves the socket under its base path (and at /socket.io).
        self.sio.attach(app, socketio_path=f"{self.server.base_path}/socket.io")

    def sockets(self) -> int:
        """Return how many sockets are open (authenticated or not)."""
        return len(list(self.sio.manager.get_participants("/", None)))

    def connected_users(self) -> list[str]:
        """Return the user id of every authenticated socket."""
        return list(self._users.values())

    async def play(
        self, item_id: str, current_time: float, *, user_id: str = USER_ID
    ) -> None:
        """A player syncs its session: store the position and push it."""
        record = self.server.set_progress(
            item_id, current_time=current_time, duration=60.0, user_id=user_id
        )
        await self._emit_to(
            user_id,
            "user_item_progress_updated",
            {
                "id": record["id"],
                "sessionId": str(uuid.uuid4()),
                "deviceDescription": "Test player",
                "data": record,
            },
        )

    async def drop(self) -> None:
        """Close every socket from the server's side."""
        for sid in list(self.sio.manager.get_participants("/", None)):
            await self.sio.disconnect(sid[0])

    async def shutdown(self) -> None:
        """Stop the server's background tasks (end of a test)."""
        await self.drop()
        await self.sio.shutdown()
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _on_connect(self, _sid: str, _environ: dict[str, Any]) -> bool:
        if self.refuse_connections:
            return False
        self.connections += 1
        return True

    async def _on_disconnect(self, sid: str, _reason: object = None) -> None:
        self._users.pop(sid, None)

    async def _on_auth(self, sid: str, token: object = None) -> None:
        self.auth_tokens.append(token)
        user = self.server.user_of_token(
            token if isinstance(token, str) else None, api_keys=False
        )
        if user is None or self.refuse_auth:
            await self.sio.emit("auth_failed", {"message": "Invalid token"}, to=sid)
            return
        self._users[sid] = user.user_id
        await self.sio.emit(
            "init", {"userId": user.user_id, "username": user.username}, to=sid
        )

    async def _on_progress_patched(self, user_id: str, _item_id: str) -> None:
        await self._emit_to(user_id, "user_updated", self.server.user_json(user_id))

    async def _emit_to(self, user_id: str, event: str, data: object) -> None:
        if self.silent:
            return
        for sid, owner in list(self._users.items()):
            if owner == user_id:
                await self.sio.emit(event, data, to=sid)
