"""The ABS socket client against the fake ABS 2.36 socket (real time, no HA)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncGenerator, Callable
from typing import Any

import aiohttp
import pytest

from custom_components.audible_tracker.core.abs_api import AbsClient
from custom_components.audible_tracker.core.abs_socket import (
    MAX_BACKOFF_S,
    AbsProgressEvent,
    AbsSocket,
    SocketState,
    backoff_delay,
    parse_event,
    socket_location,
    socket_token,
)
from custom_components.audible_tracker.core.exceptions import AbsAuthError
from custom_components.audible_tracker.core.models import AbsTokens
from tests.fakes.abs_server import (
    API_KEY,
    ITEM_IDS,
    PASSWORD,
    USER_ID,
    USERNAME,
    FakeAbsServer,
)
from tests.fakes.abs_socket_server import FakeAbsSocket

ANNE_ID = ITEM_IDS["Anne of Green Gables"]


async def eventually(predicate: Callable[[], bool], what: str) -> None:
    """Wait (real time, at most 10 s) until `predicate` holds."""
    for _ in range(1000):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


class Recorder:
    """An AbsSocket with what it reported."""

    def __init__(self) -> None:
        self.events: list[AbsProgressEvent] = []
        self.states: list[SocketState] = []


async def start_fakes(
    aiohttp_server: Callable[..., Any], base_path: str = ""
) -> tuple[FakeAbsServer, FakeAbsSocket]:
    server = FakeAbsServer(base_path=base_path)
    socket = FakeAbsSocket(server)
    await server.start(aiohttp_server)
    return server, socket


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as shared:
        yield shared


def make_socket(
    url: str,
    token: Callable[[str | None], Any],
    session: aiohttp.ClientSession,
    recorder: Recorder,
) -> AbsSocket:
    return AbsSocket(
        url,
        token=token,
        on_event=recorder.events.append,
        on_state=recorder.states.append,
        http_session=session,
        user_id=USER_ID,
        rng=random.Random(1),  # noqa: S311 - jitter
    )


# ---- pure parts ------------------------------------------------------------


def test_socket_location_keeps_the_base_path() -> None:
    assert socket_location("https://host:8443/abs") == (
        "https://host:8443",
        "/abs/socket.io",
    )
    assert socket_location("http://host") == ("http://host", "/socket.io")


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)  # noqa: S311 - jitter
    first = [backoff_delay(attempt, rng) for attempt in range(4)]
    for attempt, delay in enumerate(first):
        ceiling = 2.0 * 2**attempt
        assert ceiling / 2 <= delay <= ceiling
    late = [backoff_delay(attempt, rng) for attempt in range(8, 60)]
    assert max(late) <= MAX_BACKOFF_S
    assert min(late) >= MAX_BACKOFF_S / 2
    # Jittered: not all the same.
    assert len({round(delay, 3) for delay in late}) > 1


def test_parse_progress_event_is_lenient() -> None:
    record = {
        "libraryItemId": ANNE_ID,
        "mediaItemType": "book",
        "episodeId": None,
        "currentTime": "45",  # ABS stores what clients send
        "duration": 60,
        "isFinished": False,
        "lastUpdate": 1_700_000_000_000,
    }
    event = parse_event("user_item_progress_updated", {"data": record}, USER_ID)
    assert event is not None
    assert event.item_ids == {ANNE_ID}
    assert event.progress[ANNE_ID].current_time_s == 45.0
    # A record too odd to read still names its item: the sync reads ABS.
    odd = parse_event(
        "user_item_progress_updated",
        {"data": {"libraryItemId": ANNE_ID, "currentTime": None}},
        USER_ID,
    )
    assert odd is not None
    assert odd.item_ids == {ANNE_ID}
    assert odd.progress == {}
    for junk in (None, [], "x", {"data": []}, {"data": {"currentTime": 3}}):
        assert parse_event("user_item_progress_updated", junk, USER_ID) is None


def test_parse_user_event_takes_only_our_user() -> None:
    user = {
        "id": USER_ID,
        "username": USERNAME,
        "token": "never-logged",
        "mediaProgress": [
            {
                "libraryItemId": ANNE_ID,
                "mediaItemType": "book",
                "currentTime": 12,
                "lastUpdate": 1_700_000_000_000,
            },
            "junk",
        ],
    }
    event = parse_event("user_updated", user, USER_ID)
    assert event is not None
    assert event.item_ids == {ANNE_ID}
    assert parse_event("user_updated", user, "someone-else") is None
    assert parse_event("user_updated", {"mediaProgress": []}, USER_ID) is None
    assert parse_event("other_event", user, USER_ID) is None


# ---- tokens ----------------------------------------------------------------


async def test_api_key_uses_the_users_own_token(
    aiohttp_server: Callable[..., Any],
    socket_enabled: None,
    session: aiohttp.ClientSession,
) -> None:
    server, _ = await start_fakes(aiohttp_server)
    client = AbsClient(server.url, session=session, api_key=API_KEY)
    await client.get_me()
    server.clear_requests()
    token = await socket_token(client, None)
    user_token = server.users[USER_ID].legacy_token
    assert token == user_token
    # What get_me saw is reused: no request for it.
    assert server.requests == []
    # Refused: fetched again; the same one again is an auth error.
    with pytest.raises(AbsAuthError):
        await socket_token(client, user_token)
    assert [r.path for r in server.requests] == ["/api/me"]


async def test_login_uses_the_access_token_and_refreshes_when_refused(
    aiohttp_server: Callable[..., Any],
    socket_enabled: None,
    session: aiohttp.ClientSession,
) -> None:
    server, _ = await start_fakes(aiohttp_server)
    saved: list[AbsTokens] = []

    async def save(tokens: AbsTokens) -> None:
        saved.append(tokens)

    client = AbsClient(server.url, session=session, on_tokens_refreshed=save)
    tokens = await client.login(USERNAME, PASSWORD)
    assert await socket_token(client, None) == tokens.access_token
    fresh = await socket_token(client, tokens.access_token)
    assert fresh != tokens.access_token
    # Rotated tokens are saved, as for any refresh.
    assert [t.access_token for t in saved] == [fresh]


# ---- the connection --------------------------------------------------------


@pytest.mark.parametrize("base_path", ["", "/abs"])
async def test_connects_authenticates_and_reports_progress(
    aiohttp_server: Callable[..., Any],
    socket_enabled: None,
    session: aiohttp.ClientSession,
    base_path: str,
) -> None:
    server, fake = await start_fakes(aiohttp_server, base_path)
    client = AbsClient(server.url, session=session, api_key=API_KEY)
    recorder = Recorder()
    socket = make_socket(
        server.url, lambda rejected: socket_token(client, rejected), session, recorder
    )
    socket.start()
    try:
        await eventually(lambda: socket.connected, "connected")
        assert fake.auth_tokens == [server.users[USER_ID].legacy_token]
        assert fake.connected_users() == [USER_ID]
        await fake.play(ANNE_ID, 42.0)
        await eventually(lambda: len(recorder.events) == 1, "progress event")
        assert recorder.events[0].event == "user_item_progress_updated"
        assert recorder.events[0].progress[ANNE_ID].current_time_s == 42.0
        # Our own PATCH comes back as user_updated.
        await client.update_progress(ANNE_ID, current_time_s=20.0, duration_s=60.0)
        await eventually(lambda: len(recorder.events) == 2, "user event")
        assert recorder.events[1].event == "user_updated"
        assert recorder.events[1].progress[ANNE_ID].current_time_s == 20.0
        assert socket.status.as_dict()["events"] == 2
    finally:
        await socket.close()
        await fake.shutdown()
    assert recorder.states[-1] is SocketState.CLOSED
    assert fake.connected_users() == []
    # The borrowed session stays open for its owner.
    assert not session.closed


async def test_api_key_itself_is_refused_and_the_socket_backs_off(
    aiohttp_server: Callable[..., Any],
    socket_enabled: None,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, fake = await start_fakes(aiohttp_server)
    recorder = Recorder()
    tokens: list[str | None] = []

    async def api_key(rejected: str | None) -> str:
        tokens.append(rejected)
        return API_KEY

    socket = make_socket(server.url, api_key, session, recorder)
    socket.start()
    try:
        await eventually(
            lambda: SocketState.AUTH_FAILED in recorder.states, "auth failed"
        )
        assert not socket.connected
        # Asked again once after the refusal, then gave up on this connection.
        assert fake.auth_tokens == [API_KEY, API_KEY]
        assert tokens == [None, API_KEY]
        await eventually(lambda: fake.connected_users() == [], "closed")
    finally:
        await socket.close()
        await fake.shutdown()
    assert API_KEY not in caplog.text
    assert caplog.text.count("realtime updates are unavailable") == 1


async def test_an_unexpected_error_is_retried_after_the_backoff(
    aiohttp_server: Callable[..., Any],
    socket_enabled: None,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, fake = await start_fakes(aiohttp_server)
    recorder = Recorder()
    calls: list[str | None] = []

    async def flaky(rejected: str | None) -> str:
        calls.append(rejected)
        if len(calls) == 1:
            raise RuntimeError("a bug")
        return server.users[USER_ID].legacy_token

    socket = make_socket(server.url, flaky, session, recorder)
    socket.start()
    try:
        await eventually(lambda: socket.connected, "connected on the second try")
        assert SocketState.DISCONNECTED in recorder.states
        assert "failed unexpectedly (RuntimeError)" in caplog.text
        assert "a bug" not in caplog.text
    finally:
        await socket.close()
        await fake.shutdown()
