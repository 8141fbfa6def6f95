"""Realtime updates from Audiobookshelf, end to end: HA, both fakes, the socket.

The world of `tests/conftest.py` (Anne of Green Gables linked, 30 s on ABS,
written to Audible by the first poll), with ABS's socket.io on the fake ABS
(`tests/fakes/abs_socket_server.py`). Time is frozen: the socket's traffic
runs on the loop without timers, so the tests wait for it with `until`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, Callable
from datetime import timedelta
from typing import Any

import engineio.base_client
import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.audible_tracker.const import DOMAIN
from custom_components.audible_tracker.core.abs_socket import SocketState
from custom_components.audible_tracker.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.audible_tracker.realtime import (
    MIN_GAP_S,
    SETTLE_S,
    RealtimeAbs,
)
from tests.conftest import ANNE_ID, advance, make_entry, setup_integration
from tests.fakes.abs_server import API_KEY, USER_ID, FakeAbsServer
from tests.fakes.abs_socket_server import FakeAbsSocket
from tests.fakes.audible_server import FakeAudible

ANNE = "B0FAKE0001"
REALTIME = "binary_sensor.audible_de_realtime"


@pytest.fixture
async def abs_socket(
    hass: HomeAssistant, aiohttp_server: Callable[..., Any], socket_enabled: None
) -> AsyncGenerator[FakeAbsSocket]:
    """The fake ABS of conftest's `abs_server`, with its socket.io."""
    server = FakeAbsServer()
    socket = FakeAbsSocket(server)

    async def quiet_server(app: Any, **kwargs: Any) -> Any:
        return await aiohttp_server(app, access_log=None, **kwargs)

    await server.start(quiet_server)
    yield socket
    # The client goes first: with the clock frozen, a server waiting for a
    # connection to close would wait forever.
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await socket.shutdown()
    server.release_hangs()


@pytest.fixture
def abs_server(abs_socket: FakeAbsSocket) -> FakeAbsServer:
    """Conftest's `abs_world` builds on this one: ABS with its socket."""
    return abs_socket.server


async def until(predicate: Callable[[], bool], what: str) -> None:
    """Let the loop run until `predicate` holds (socket I/O needs no timer)."""
    for _ in range(5000):
        if predicate():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"never happened: {what}")


def realtime_of(entry: MockConfigEntry) -> RealtimeAbs:
    realtime = entry.runtime_data.realtime
    assert realtime is not None
    return realtime


async def connected_world(
    hass: HomeAssistant, abs_world: FakeAbsServer, abs_socket: FakeAbsSocket
) -> MockConfigEntry:
    """Set the entry up and wait for its socket; settle the first polls."""
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    await until(lambda: hass.states.get(REALTIME).state == "on", "socket up")
    assert abs_socket.connected_users() == [USER_ID]
    return entry


async def after_settle(hass: HomeAssistant, freezer: Any) -> None:
    """Let the pushed-change delay pass (seconds, not a poll interval)."""
    freezer.tick(timedelta(seconds=SETTLE_S))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def audible_position_writes(audible: FakeAudible) -> list[Any]:
    return audible.requests_to("1.0/lastpositions/", "PUT")


def abs_reads(abs_server: FakeAbsServer) -> int:
    return len(abs_server.requests_to("GET", "/api/me"))


async def test_connects_with_the_users_own_token_and_polls_skip_abs(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    abs_socket: FakeAbsSocket,
    freezer: Any,
) -> None:
    entry = await connected_world(hass, abs_world, abs_socket)
    user_token = abs_world.users[USER_ID].legacy_token
    # ABS 2.36 refuses API keys on the socket: the user's token from /api/me,
    # which the first poll had fetched already.
    assert abs_socket.auth_tokens == [user_token]
    state = hass.states.get(REALTIME)
    assert state.attributes["device_class"] == "connectivity"

    abs_world.clear_requests()
    await advance(hass, freezer)
    # Once after the socket came up (what changed before it), then no more.
    assert abs_reads(abs_world) == 1
    for _ in range(3):
        await advance(hass, freezer)
    assert abs_reads(abs_world) == 1
    # Audible is still polled as before.
    assert mock_audible.requests_to("1.0/annotations/lastpositions")

    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["realtime"]["state"] == "connected"
    assert diagnostics["realtime"]["connects"] == 1
    text = json.dumps(diagnostics)
    assert user_token not in text
    assert API_KEY not in text


async def test_abs_update_reaches_audible_through_the_socket_with_one_write(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    abs_socket: FakeAbsSocket,
    freezer: Any,
) -> None:
    entry = await connected_world(hass, abs_world, abs_socket)
    await advance(hass, freezer)
    mock_audible.requests.clear()
    abs_world.clear_requests()

    await abs_socket.play(ANNE_ID, 45.0)
    await until(lambda: realtime_of(entry).socket.status.events == 1, "event")
    assert audible_position_writes(mock_audible) == []
    await after_settle(hass, freezer)
    # Seconds after the push: ABS read once, Audible written once.
    assert [w.body["position_ms"] for w in audible_position_writes(mock_audible)] == [
        45_000
    ]
    assert mock_audible.positions[ANNE].position_ms == 45_000
    assert abs_reads(abs_world) == 1
    for _ in range(3):
        await advance(hass, freezer)
    assert len(audible_position_writes(mock_audible)) == 1
    assert abs_world.requests_to("PATCH") == []


async def test_pushed_changes_are_coalesced_while_a_player_reports(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    abs_socket: FakeAbsSocket,
    freezer: Any,
) -> None:
    entry = await connected_world(hass, abs_world, abs_socket)
    await advance(hass, freezer)
    realtime = realtime_of(entry)
    mock_audible.requests.clear()

    def written() -> list[int]:
        return [w.body["position_ms"] for w in audible_position_writes(mock_audible)]

    # Two reports before the first sync: one sync, with the newer one.
    await abs_socket.play(ANNE_ID, 36.0)
    await abs_socket.play(ANNE_ID, 38.0)
    await until(lambda: realtime.socket.status.events == 2, "both reports")
    await after_settle(hass, freezer)
    assert written() == [38_000]
    assert len(mock_audible.requests_to("1.0/annotations/lastpositions")) == 1
    # The next report waits for MIN_GAP_S after that sync, not just SETTLE_S.
    await abs_socket.play(ANNE_ID, 46.0)
    await until(lambda: realtime.socket.status.events == 3, "third report")
    await after_settle(hass, freezer)
    assert written() == [38_000]
    freezer.tick(timedelta(seconds=MIN_GAP_S - SETTLE_S))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert written() == [38_000, 46_000]


async def test_our_own_write_echoed_by_the_socket_changes_nothing(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    abs_socket: FakeAbsSocket,
    freezer: Any,
) -> None:
    entry = await connected_world(hass, abs_world, abs_socket)
    await advance(hass, freezer)
    realtime = realtime_of(entry)
    events = realtime.socket.status.events
    # Listened on Audible: the next poll writes ABS, which echoes it back.
    mock_audible.set_position(ANNE, 40_000, dt_util.utcnow())
    await advance(hass, freezer)
    assert [r.json["currentTime"] for r in abs_world.requests_to("PATCH")] == [40.0]
    await until(lambda: realtime.socket.status.events == events + 1, "echo")
    mock_audible.requests.clear()
    abs_world.clear_requests()
    await after_settle(hass, freezer)
    # The ledger knew that value: no sync, not even a read.
    assert mock_audible.requests == []
    assert abs_world.requests == []
    for _ in range(3):
        await advance(hass, freezer)
    assert len(abs_world.requests_to("PATCH")) == 0
    assert audible_position_writes(mock_audible) == []


async def test_auth_failure_falls_back_to_polling(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    abs_socket: FakeAbsSocket,
    freezer: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    abs_socket.refuse_auth = True
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    realtime = realtime_of(entry)
    await until(
        lambda: realtime.socket.status.state is SocketState.AUTH_FAILED, "refused"
    )
    assert hass.states.get(REALTIME).state == "off"
    # The user token was fetched afresh: the same one is not sent again.
    assert abs_socket.auth_tokens == [abs_world.users[USER_ID].legacy_token]
    await until(lambda: abs_socket.sockets() == 0, "closed after the refusal")
    # Polled as without a socket: an ABS change reaches Audible in one poll.
    # (The poll runs by hand: firing the timers would also end the back-off,
    # and a new attempt would still be under way when the test ends.)
    mock_audible.requests.clear()
    abs_world.clear_requests()
    abs_world.set_progress(ANNE_ID, current_time=45.0, duration=60.0)
    freezer.tick(timedelta(minutes=5))
    await entry.runtime_data.progress.async_refresh()
    await hass.async_block_till_done()
    assert abs_reads(abs_world) == 1
    assert [w.body["position_ms"] for w in audible_position_writes(mock_audible)] == [
        45_000
    ]
    assert caplog.text.count("realtime updates are unavailable") == 1
    assert abs_world.users[USER_ID].legacy_token not in caplog.text


async def test_disconnect_polls_abs_then_reconnects(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    abs_socket: FakeAbsSocket,
    freezer: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    entry = await connected_world(hass, abs_world, abs_socket)
    realtime = realtime_of(entry)
    await advance(hass, freezer)

    abs_socket.refuse_connections = True
    await abs_socket.drop()
    await until(lambda: hass.states.get(REALTIME).state == "off", "socket down")
    # Down: every poll reads ABS again, and finds a change the socket missed.
    abs_world.clear_requests()
    mock_audible.requests.clear()
    abs_world.set_progress(ANNE_ID, current_time=45.0, duration=60.0)
    for _ in range(3):
        await advance(hass, freezer)
        await until(
            lambda: realtime.socket.status.state is SocketState.DISCONNECTED, "tried"
        )
    assert abs_reads(abs_world) == 3
    assert [w.body["position_ms"] for w in audible_position_writes(mock_audible)] == [
        45_000
    ]
    assert caplog.text.count("realtime updates are unavailable") == 1

    abs_socket.refuse_connections = False
    for _ in range(3):  # the back-off is shorter than a poll interval here
        await advance(hass, freezer)
        if abs_socket.connected_users():
            break
    await until(lambda: hass.states.get(REALTIME).state == "on", "socket back")
    assert caplog.text.count("realtime updates are back") == 1
    assert caplog.text.count("realtime updates are unavailable") == 1
    assert realtime.socket.status.connects == 2


async def test_safety_poll_catches_what_a_silent_socket_missed(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    abs_socket: FakeAbsSocket,
    freezer: Any,
) -> None:
    await connected_world(hass, abs_world, abs_socket)
    await advance(hass, freezer)  # reads ABS once after the socket came up
    abs_socket.silent = True
    mock_audible.requests.clear()
    abs_world.clear_requests()
    abs_world.set_progress(ANNE_ID, current_time=45.0, duration=60.0)
    # Until 30 minutes after the last read, ABS is not asked.
    for _ in range(5):
        await advance(hass, freezer)
    assert abs_reads(abs_world) == 0
    assert audible_position_writes(mock_audible) == []
    await advance(hass, freezer)
    assert abs_reads(abs_world) == 1
    assert [w.body["position_ms"] for w in audible_position_writes(mock_audible)] == [
        45_000
    ]


def _lingering_socket_tasks(before: set[asyncio.Task[Any]]) -> list[str]:
    names = []
    for task in asyncio.all_tasks() - before:
        if task.done():
            continue
        coro = task.get_coro()
        where = getattr(coro, "__qualname__", "") + repr(coro)
        if any(part in where for part in ("engineio", "socketio", "abs_socket")):
            names.append(where)
        elif task.get_name() == "audiobookshelf socket":
            names.append(task.get_name())
    return names


async def test_unload_leaves_nothing_behind(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    abs_socket: FakeAbsSocket,
) -> None:
    before = asyncio.all_tasks()
    # engine.io's list of connected clients is global: other tests' count.
    clients_before = len(engineio.base_client.connected_clients)
    entry = await connected_world(hass, abs_world, abs_socket)
    realtime = realtime_of(entry)
    assert [t.get_name() for t in asyncio.all_tasks() - before].count(
        "audiobookshelf socket"
    ) == 1

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    await until(lambda: abs_socket.connected_users() == [], "server saw it go")
    assert _lingering_socket_tasks(before) == []
    assert len(engineio.base_client.connected_clients) == clients_before
    assert realtime.socket.status.state is SocketState.CLOSED
    # Home Assistant's shared session was borrowed, and stays open.
    assert not async_get_clientsession(hass).closed


async def test_home_assistant_stop_closes_the_socket(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    abs_socket: FakeAbsSocket,
) -> None:
    entry = await connected_world(hass, abs_world, abs_socket)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    await until(lambda: abs_socket.connected_users() == [], "server saw it go")
    assert realtime_of(entry).socket.status.state is SocketState.CLOSED


async def test_an_idle_hour_with_the_socket_up(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    abs_socket: FakeAbsSocket,
    freezer: Any,
) -> None:
    """Realtime and adaptive polling together: what an idle hour costs."""
    await connected_world(hass, abs_world, abs_socket)
    # Past the fast half hour after start (HA start counts as activity).
    for _ in range(45):
        await advance(hass, freezer, 1)
    mock_audible.requests.clear()
    abs_world.clear_requests()
    for _ in range(60):
        await advance(hass, freezer, 1)
    polls = len(mock_audible.requests_to("1.0/annotations/lastpositions"))
    # The target: at most 4 position polls. ABS: only the two
    # 30-minute safety reads, nothing else while the socket is up.
    assert polls <= 4
    assert abs_reads(abs_world) == 2
