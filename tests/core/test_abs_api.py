"""Tests of the Audiobookshelf API client, over HTTP against the fake ABS server."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import math
import ssl
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from custom_components.audible_tracker.core.abs_api import AbsClient, normalize_url
from custom_components.audible_tracker.core.exceptions import (
    AbsAuthError,
    AbsConnectionError,
    AbsError,
    AbsNotAbsError,
    AbsNotFoundError,
    AbsResponseError,
    AbsServerNotInitializedError,
    AbsTlsError,
)
from custom_components.audible_tracker.core.models import (
    AbsItem,
    AbsLibrary,
    AbsProgress,
    AbsTokens,
    SeriesRef,
)
from tests.fakes.abs_server import (
    API_KEY,
    ITEM_IDS,
    LIBRARY_ID,
    PASSWORD,
    USER_ID,
    USERNAME,
    FakeAbsServer,
    fixture_body,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable
    from pathlib import Path

ANNE1 = ITEM_IDS["Anne of Green Gables"]
ANNE2 = ITEM_IDS["Anne of Avonlea"]
FRANKENSTEIN = ITEM_IDS["Frankenstein"]
PRIDE = ITEM_IDS["Pride and Prejudice"]
UTC = dt.UTC


def ms(milliseconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(milliseconds / 1000, tz=UTC)


@pytest.fixture
def start_server(
    aiohttp_server, socket_enabled
) -> Callable[..., Awaitable[FakeAbsServer]]:
    async def start(**options: Any) -> FakeAbsServer:
        fake = FakeAbsServer(**options)
        await fake.start(aiohttp_server)
        return fake

    return start


@pytest.fixture
async def fake(start_server) -> FakeAbsServer:
    return await start_server()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(session, fake) -> AbsClient:
    return AbsClient(fake.url, session=session, api_key=API_KEY)


@pytest.fixture
def serve(aiohttp_server, socket_enabled) -> Callable[..., Awaitable[str]]:
    """Serve one handler for every path (for answers the fake never gives)."""

    async def start(handler: Callable[[web.Request], Awaitable[web.Response]]) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        server = await aiohttp_server(app)
        return f"http://{server.host}:{server.port}"

    return start


def answer(
    body: Any, *, status: int = 200
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A handler that always answers `body` as JSON."""

    async def handler(_request: web.Request) -> web.Response:
        return web.json_response(body, status=status)

    return handler


async def logged_in(
    session: aiohttp.ClientSession, fake: FakeAbsServer, **kwargs: Any
) -> AbsClient:
    client = AbsClient(fake.url, session=session, **kwargs)
    await client.login(USERNAME, PASSWORD)
    fake.clear_requests()
    return client


# ------------------------------------------------------------------ URLs


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("abs.example.com", "http://abs.example.com"),
        ("  https://abs.example.com/  ", "https://abs.example.com"),
        (
            "HTTPS://ABS.Example.com:13378/Audiobookshelf/",
            "https://abs.example.com:13378/Audiobookshelf",
        ),
        ("192.168.1.5:13378", "http://192.168.1.5:13378"),
        ("http://[::1]:13378/abs//", "http://[::1]:13378/abs"),
        ("localhost", "http://localhost"),
    ],
)
def test_normalize_url(typed, normalized) -> None:
    assert normalize_url(typed) == normalized


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   ",
        "ftp://abs.example.com",
        "http://",
        "http://:13378",
        "http://abs.example.com:99999",
        "http://abs.example.com:port",
        "http://user:secret@abs.example.com",
        "http://abs.example.com/?token=1",
        "http://abs.example.com/#top",
        "abs example.com",
        "http://[::1",
        "http://abs<x>.com",
        "http://abs%41.com",
    ],
)
def test_normalize_url_rejects_garbage(garbage) -> None:
    with pytest.raises(ValueError, match=r".+"):
        normalize_url(garbage)


async def test_client_normalizes_its_url_and_builds_cover_urls(session) -> None:
    client = AbsClient(
        " abs.example.com:13378/audiobookshelf/ ", session=session, api_key="k"
    )
    assert client.base_url == "http://abs.example.com:13378/audiobookshelf"
    assert client.cover_url("a b/c") == (
        "http://abs.example.com:13378/audiobookshelf/api/items/a%20b%2Fc/cover"
    )
    assert client.tokens is None
    with pytest.raises(ValueError, match="http"):
        AbsClient("ftp://abs.example.com", session=session)


# -------------------------------------------------------------- sessions


async def test_without_a_session_the_client_owns_one(fake) -> None:
    async with AbsClient(fake.url, api_key=API_KEY) as client:
        me = await client.get_me()
        owned = client._session
        assert owned is not None
        assert not owned.closed
    assert me.username == USERNAME
    assert owned.closed


async def test_a_closed_client_opens_a_new_session_when_used_again(fake) -> None:
    client = AbsClient(fake.url, api_key=API_KEY)
    await client.close()  # nothing opened yet: nothing to close
    assert client._session is None
    await client.get_libraries()
    first = client._session
    await client.close()
    await client.get_libraries()
    assert client._session is not first
    await client.close()
    assert first is not None
    assert first.closed


async def test_a_borrowed_session_is_never_closed(fake, session) -> None:
    async with AbsClient(fake.url, session=session, api_key=API_KEY) as client:
        await client.get_me()
    await client.close()
    assert not session.closed
    # Still usable by its owner, and by the client.
    async with session.get(f"{fake.url}/status") as response:
        assert response.status == 200
    assert await client.check_server() == "2.36.0"


# ---------------------------------------------------------------- status


async def test_check_server_returns_the_version_without_credentials(
    fake, client
) -> None:
    assert await client.check_server() == "2.36.0"
    [request] = fake.requests
    assert (request.method, request.path) == ("GET", "/status")
    assert "Authorization" not in request.headers


async def test_check_server_under_a_sub_path(start_server, session) -> None:
    fake = await start_server(base_path="/audiobookshelf")
    client = AbsClient(f"{fake.url}/", session=session, api_key=API_KEY)
    assert await client.check_server() == "2.36.0"
    assert await client.get_libraries()
    assert [request.raw_path for request in fake.requests] == [
        "/audiobookshelf/status",
        "/audiobookshelf/api/libraries",
    ]


async def test_check_server_before_first_run_setup(start_server, session) -> None:
    fake = await start_server(is_init=False)
    with pytest.raises(AbsServerNotInitializedError) as raised:
        await AbsClient(fake.url, session=session).check_server()
    assert isinstance(raised.value, AbsNotAbsError)


@pytest.mark.parametrize(
    "status_reply",
    [
        (200, "text/html", "<!doctype html><title>Router login</title>"),
        (200, "application/json", '{"app": "jellyfin", "serverVersion": "10.9"}'),
        (200, "application/json", '{"status": "ok"}'),
        (200, "application/json", '["audiobookshelf"]'),
        (200, "application/json", "[" * 100_000),
        (404, "text/plain", "Not Found"),
        (401, "text/plain", "Unauthorized"),
    ],
)
async def test_check_server_recognizes_other_servers(
    fake, client, status_reply
) -> None:
    fake.status_override = status_reply
    with pytest.raises(AbsNotAbsError) as raised:
        await client.check_server()
    assert not isinstance(raised.value, AbsServerNotInitializedError)


async def test_check_server_accepts_a_status_without_app_name(fake, client) -> None:
    # Older ABS releases did not send "app".
    fake.status_override = (200, "application/json", '{"serverVersion": "2.3.0"}')
    assert await client.check_server() == "2.3.0"


@pytest.mark.parametrize("status", [500, 502, 429])
async def test_check_server_transient_errors(fake, client, status) -> None:
    fake.fail_next(status=status)
    with pytest.raises(AbsConnectionError):
        await client.check_server()


# ----------------------------------------------------------------- login


async def test_login_keeps_only_the_jwt_pair(fake, session) -> None:
    client = AbsClient(fake.url, session=session)
    tokens = await client.login(USERNAME, PASSWORD)
    assert client.tokens == tokens
    assert tokens.access_token.startswith("fake-access-")
    assert tokens.refresh_token.startswith("fake-refresh-")
    [request] = fake.requests
    assert (request.method, request.path) == ("POST", "/login")
    assert request.headers["x-return-tokens"] == "true"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json == {"username": USERNAME, "password": PASSWORD}
    assert "Authorization" not in request.headers

    me = await client.get_me()
    assert me.user_id == USER_ID
    assert fake.requests[-1].headers["Authorization"] == f"Bearer {tokens.access_token}"


async def test_login_with_a_wrong_password(fake, session) -> None:
    client = AbsClient(fake.url, session=session)
    with pytest.raises(AbsAuthError) as raised:
        await client.login(USERNAME, "wrong-password")
    assert "wrong-password" not in str(raised.value)
    assert client.tokens is None


@pytest.mark.parametrize(
    "body",
    [
        {"user": {"id": USER_ID, "token": "legacy-only"}},
        {"user": {"accessToken": "a"}},
        {"user": "nope"},
        [],
    ],
)
async def test_login_without_tokens_in_the_answer(serve, session, body) -> None:
    client = AbsClient(await serve(answer(body)), session=session)
    with pytest.raises(AbsResponseError):
        await client.login(USERNAME, PASSWORD)
    assert client.tokens is None


async def test_login_answer_that_is_not_json(serve, session) -> None:
    async def handler(_request: web.Request) -> web.Response:
        return web.Response(text="<html>welcome</html>", content_type="text/html")

    with pytest.raises(AbsResponseError):
        await AbsClient(await serve(handler), session=session).login(USERNAME, PASSWORD)


# ---------------------------------------------------------------- tokens


async def test_refresh_rotates_and_reports_the_tokens(fake, session) -> None:
    reported: list[AbsTokens] = []

    async def persist(tokens: AbsTokens) -> None:
        reported.append(tokens)

    client = await logged_in(session, fake, on_tokens_refreshed=persist)
    first = client.tokens
    assert first is not None

    rotated = await client.refresh_tokens()
    assert reported == [rotated]
    assert client.tokens == rotated
    assert rotated.refresh_token != first.refresh_token
    assert rotated.access_token != first.access_token
    [request] = fake.requests
    assert (request.method, request.path) == ("POST", "/auth/refresh")
    assert request.headers["x-refresh-token"] == first.refresh_token
    assert "Authorization" not in request.headers

    # The rotated-away refresh token dies after ABS's grace period.
    stale = AbsClient(fake.url, session=session, tokens=first)
    fake.advance(601)
    with pytest.raises(AbsAuthError):
        await stale.refresh_tokens()
    assert stale.tokens == first
    assert await client.refresh_tokens() != rotated


async def test_refresh_within_the_grace_period_keeps_the_current_token(
    fake, session
) -> None:
    client = await logged_in(session, fake)
    first = client.tokens
    rotated = await client.refresh_tokens()
    late = AbsClient(fake.url, session=session, tokens=first)
    again = await late.refresh_tokens()
    assert again.refresh_token == rotated.refresh_token
    assert again.access_token != rotated.access_token


async def test_refresh_answer_without_refresh_token_keeps_the_old_one(
    serve, session
) -> None:
    url = await serve(answer({"user": {"accessToken": "new-access"}}))
    client = AbsClient(
        url, session=session, tokens=AbsTokens("old-access", "the-refresh")
    )
    assert await client.refresh_tokens() == AbsTokens("new-access", "the-refresh")


@pytest.mark.parametrize(
    "handler_body",
    [{"user": {"refreshToken": "r"}}, {"error": "?"}, "not json"],
)
async def test_refresh_answer_without_access_token(
    serve, session, handler_body
) -> None:
    async def handler(_request: web.Request) -> web.Response:
        if isinstance(handler_body, str):
            return web.Response(text=handler_body)
        return web.json_response(handler_body)

    client = AbsClient(
        await serve(handler), session=session, tokens=AbsTokens("a", "r")
    )
    with pytest.raises(AbsResponseError):
        await client.refresh_tokens()
    assert client.tokens == AbsTokens("a", "r")


async def test_refresh_without_tokens(fake, client, session) -> None:
    with pytest.raises(AbsAuthError):
        await AbsClient(fake.url, session=session).refresh_tokens()
    assert fake.requests == []


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, AbsConnectionError),
        (429, AbsConnectionError),
        (400, AbsAuthError),
        (404, AbsAuthError),
        (403, AbsAuthError),
    ],
)
async def test_refresh_failures(fake, session, status, error) -> None:
    client = await logged_in(session, fake)
    before = client.tokens
    fake.fail_next(status=status, path="/auth/refresh")
    with pytest.raises(error):
        await client.refresh_tokens()
    assert client.tokens == before


async def test_redirect_status_is_unexpected(fake, client) -> None:
    fake.fail_next(status=304, text="")
    with pytest.raises(AbsResponseError):
        await client.get_libraries()


async def test_expired_access_token_is_refreshed_once_and_retried(
    fake, session
) -> None:
    reported: list[AbsTokens] = []

    async def persist(tokens: AbsTokens) -> None:
        reported.append(tokens)

    client = await logged_in(session, fake, on_tokens_refreshed=persist)
    old = client.tokens
    assert old is not None
    fake.expire_access_tokens()

    me = await client.get_me()

    assert me.username == USERNAME
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/api/me"),
        ("POST", "/auth/refresh"),
        ("GET", "/api/me"),
    ]
    assert fake.requests[0].headers["Authorization"] == f"Bearer {old.access_token}"
    assert reported == [client.tokens]
    assert fake.requests[2].headers["Authorization"] == (
        f"Bearer {reported[0].access_token}"
    )


async def test_concurrent_401s_share_one_refresh(fake, session) -> None:
    client = await logged_in(session, fake)
    fake.expire_access_tokens()

    me, libraries, progress, found = await asyncio.gather(
        client.get_me(),
        client.get_libraries(),
        client.get_progress(ANNE1),
        client.search(LIBRARY_ID, "anne"),
    )

    assert me.user_id == USER_ID
    assert libraries
    assert progress is None
    assert len(found) == 3
    assert len(fake.requests_to("POST", "/auth/refresh")) == 1
    assert len(fake.requests) == 4 + 1 + 4


async def test_refused_refresh_means_reauth(fake, session) -> None:
    client = await logged_in(session, fake)
    fake.expire_access_tokens()
    fake.revoke_refresh_tokens()
    with pytest.raises(AbsAuthError):
        await client.get_libraries()
    assert [r.path for r in fake.requests] == ["/api/libraries", "/auth/refresh"]


async def test_a_refused_refresh_token_is_not_sent_again(fake, session) -> None:
    client = await logged_in(session, fake)
    fake.expire_access_tokens()
    fake.revoke_refresh_tokens()

    results = await asyncio.gather(
        client.get_me(), client.get_libraries(), return_exceptions=True
    )
    assert all(isinstance(result, AbsAuthError) for result in results)
    with pytest.raises(AbsAuthError):
        await client.refresh_tokens()
    assert len(fake.requests_to("POST", "/auth/refresh")) == 1

    # A new login starts afresh.
    await client.login(USERNAME, PASSWORD)
    assert (await client.get_me()).user_id == USER_ID


async def test_still_401_after_refresh_gives_up(start_server, session) -> None:
    # Access tokens that are already expired when issued.
    fake = await start_server(access_token_ttl=0)
    client = await logged_in(session, fake)
    with pytest.raises(AbsAuthError):
        await client.get_me()
    assert [r.path for r in fake.requests] == ["/api/me", "/auth/refresh", "/api/me"]


async def test_refreshed_tokens_survive_a_refresh_callback_error(fake, session) -> None:
    async def broken(_tokens: AbsTokens) -> None:
        raise RuntimeError("disk full")

    client = await logged_in(session, fake, on_tokens_refreshed=broken)
    with pytest.raises(RuntimeError):
        await client.refresh_tokens()
    # The server rotated already: the client must use the new pair anyway.
    assert client.tokens is not None
    assert await client.get_me()


async def test_api_key_401_needs_no_refresh(fake, session) -> None:
    client = AbsClient(fake.url, session=session, api_key="revoked-key")
    with pytest.raises(AbsAuthError) as raised:
        await client.get_me()
    assert "revoked-key" not in str(raised.value)
    assert [r.path for r in fake.requests] == ["/api/me"]


async def test_api_key_wins_over_tokens(fake, session) -> None:
    client = AbsClient(
        fake.url, session=session, api_key=API_KEY, tokens=AbsTokens("a", "r")
    )
    await client.get_libraries()
    assert fake.requests[0].headers["Authorization"] == f"Bearer {API_KEY}"


async def test_without_credentials(fake, session) -> None:
    with pytest.raises(AbsAuthError):
        await AbsClient(fake.url, session=session).get_me()
    assert "Authorization" not in fake.requests[0].headers


async def test_403_is_an_auth_error_without_refresh(fake, session) -> None:
    client = await logged_in(session, fake)
    fake.fail_next(status=403, text="Forbidden")
    with pytest.raises(AbsAuthError):
        await client.get_libraries()
    assert [r.path for r in fake.requests] == ["/api/libraries"]


# -------------------------------------------------------------------- me


async def test_get_me_parses_the_recorded_progress(start_server, session) -> None:
    fake = await start_server(recorded_progress=True)
    me = await AbsClient(fake.url, session=session, api_key=API_KEY).get_me()

    assert (me.user_id, me.username) == (USER_ID, USERNAME)
    recorded = fixture_body("me_progress_all.json")["mediaProgress"]
    assert set(me.progress) == {record["libraryItemId"] for record in recorded}
    assert me.progress[ANNE1] == AbsProgress(
        item_id=ANNE1,
        current_time_s=40.0,
        duration_s=60.0,
        progress=0.6666666666666666,
        is_finished=False,
        last_update=ms(1795238796571),
        started_at=ms(1795238745428),
        finished_at=None,
    )
    assert me.progress[FRANKENSTEIN] == AbsProgress(
        item_id=FRANKENSTEIN,
        current_time_s=49.359,
        duration_s=49.359,
        progress=1.0,
        is_finished=True,
        last_update=ms(1795238765156),
        started_at=ms(1795238765152),
        finished_at=ms(1795238765152),
    )
    assert me.progress[ANNE1].last_update.tzinfo is UTC


def valid_record(item_id: str, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = fixture_body("me_progress_get__01_after_create.json")
    record["libraryItemId"] = item_id
    record.update(changes)
    return record


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # Unusable: skipped.
        ({"episodeId": "episode-1"}, None),
        ({"mediaItemType": "podcastEpisode"}, None),
        ({"libraryItemId": None}, None),
        ({"libraryItemId": 7}, None),
        ({"currentTime": "abc", "duration": "xyz"}, None),
        ({"currentTime": None}, None),
        ({"currentTime": math.nan}, None),
        ({"lastUpdate": None}, None),
        ({"lastUpdate": "yesterday"}, None),
        ({"lastUpdate": -5}, None),
        ({"lastUpdate": 1e20}, None),
        # Sanitised.
        ({"currentTime": "12.5", "duration": "60"}, {"current_time_s": 12.5}),
        (
            {"currentTime": -5, "progress": -0.1},
            {"current_time_s": 0.0, "progress": 0.0},
        ),
        ({"progress": 1.7}, {"progress": 1.0}),
        (
            {"progress": "lots", "currentTime": 15},
            {"current_time_s": 15.0, "progress": 0.25},
        ),
        ({"progress": None, "duration": "xyz"}, {"duration_s": 0.0, "progress": 0.0}),
        ({"duration": math.inf}, {"duration_s": 0.0}),
        ({"duration": -60, "progress": None}, {"duration_s": 0.0, "progress": 0.0}),
        (
            {"progress": None, "isFinished": True},
            {"progress": 1.0, "is_finished": True},
        ),
        ({"isFinished": "nope"}, {"is_finished": False}),
        (
            {"isFinished": True, "progress": True},
            {"progress": 1.0, "is_finished": True},
        ),
        ({"startedAt": "soon", "finishedAt": -1}, {"started_at": None}),
        ({"finishedAt": 1795238765152}, {"finished_at": ms(1795238765152)}),
    ],
)
async def test_get_me_survives_malformed_progress(
    fake, client, changes, expected
) -> None:
    fake.set_raw_progress(valid_record(PRIDE, **changes))
    fake.set_progress(ANNE2, current_time=10, duration=80, last_update_ms=1795238000000)

    me = await client.get_me()

    assert me.progress[ANNE2].current_time_s == 10.0
    if expected is None:
        assert set(me.progress) == {ANNE2}
        return
    progress = me.progress[PRIDE]
    baseline = {
        "current_time_s": 12.5,
        "duration_s": 60.0,
        "progress": 0.2083,
        "is_finished": False,
        "started_at": ms(1795238745428),
        "finished_at": None,
    } | expected
    for name, value in baseline.items():
        assert getattr(progress, name) == value, name


async def test_get_me_skips_non_objects_and_keeps_the_newest_duplicate(
    serve, session
) -> None:
    older = valid_record(ANNE1, currentTime=5, lastUpdate=1000)
    newer = valid_record(ANNE1, currentTime=30, lastUpdate=2000)
    url = await serve(
        answer(
            {
                "id": USER_ID,
                "username": USERNAME,
                "mediaProgress": ["oops", None, 5, [], older, newer, older],
            }
        )
    )
    me = await AbsClient(url, session=session, api_key="k").get_me()
    assert list(me.progress) == [ANNE1]
    assert me.progress[ANNE1].current_time_s == 30.0


@pytest.mark.parametrize(
    "body",
    [{}, {"id": USER_ID}, {"id": USER_ID, "username": "  "}, [], "text"],
)
async def test_get_me_without_a_user(serve, session, body) -> None:
    with pytest.raises(AbsResponseError):
        await AbsClient(
            await serve(answer(body)), session=session, api_key="k"
        ).get_me()


async def test_get_me_with_progress_that_is_not_a_list(serve, session) -> None:
    url = await serve(
        answer({"id": USER_ID, "username": USERNAME, "mediaProgress": {}})
    )
    me = await AbsClient(url, session=session, api_key="k").get_me()
    assert me.progress == {}


# ------------------------------------------------------------- libraries


async def test_get_libraries(fake, client) -> None:
    fake.libraries.extend(
        [
            {"id": 5, "name": "numbers", "mediaType": "book"},
            {"name": "no id", "mediaType": "book"},
            {"id": "no-type", "name": "No type"},
            "oops",
            {"id": "podcasts", "name": "Podcasts", "mediaType": "podcast"},
        ]
    )
    assert await client.get_libraries() == [
        AbsLibrary(LIBRARY_ID, "Audiobooks", "book"),
        AbsLibrary("podcasts", "Podcasts", "podcast"),
    ]
    assert fake.requests[0].headers["Authorization"] == f"Bearer {API_KEY}"


async def test_get_libraries_without_a_list(serve, session) -> None:
    url = await serve(answer({"libraries": None}))
    assert await AbsClient(url, session=session, api_key="k").get_libraries() == []


# ----------------------------------------------------------------- items

ANNE2_ITEM = AbsItem(
    item_id=ANNE2,
    library_id=LIBRARY_ID,
    title="Anne of Avonlea",
    authors=("L. M. Montgomery",),
    narrators=("Barbara Caruso",),
    series=(SeriesRef("Anne of Green Gables", "2"),),
    asin="B0FAKE0002",
    duration_s=80.0,
    published_year="1909",
)
FRANKENSTEIN_ITEM = AbsItem(
    item_id=FRANKENSTEIN,
    library_id=LIBRARY_ID,
    title="Frankenstein",
    subtitle="Or, The Modern Prometheus",
    authors=("Mary Shelley",),
    narrators=("Dan Stevens",),
    asin="B0FAKE0006",
    isbn="9780141439471",
    duration_s=49.359,
    publisher="Lackington, Hughes, Harding, Mavor & Jones",
    language="English",
    published_year="1818",
    has_description=True,
)


async def test_get_library_items_fetches_every_page(fake, client) -> None:
    items = await client.get_library_items(LIBRARY_ID, page_size=3)

    assert [item.title for item in items] == [
        "Anne of Avonlea",
        "Anne of Green Gables",
        "Anne of the Island",
        "Frankenstein",
        "Les Misérables",
        "Pride and Prejudice",
        "The Adventures of Sherlock Holmes",
        "吾輩は猫である",
    ]
    assert items[0] == ANNE2_ITEM
    assert items[3] == FRANKENSTEIN_ITEM
    by_title = {item.title: item for item in items}
    assert by_title["Les Misérables"].narrators == ("Zoë Ångström",)
    assert by_title["Les Misérables"].asin is None
    assert by_title["吾輩は猫である"].narrators == ()
    assert by_title["吾輩は猫である"].authors == ("夏目漱石",)
    assert by_title["Pride and Prejudice"].isbn == "9780141439518"
    path = f"/api/libraries/{LIBRARY_ID}/items"
    assert [(r.path, r.query) for r in fake.requests] == [
        (path, {"limit": "3", "page": "0"}),
        (path, {"limit": "3", "page": "1"}),
        (path, {"limit": "3", "page": "2"}),
    ]


@pytest.mark.parametrize(("page_size", "requests"), [(500, 1), (8, 1), (4, 2), (1, 8)])
async def test_get_library_items_stops_at_the_total(
    fake, client, page_size, requests
) -> None:
    assert len(await client.get_library_items(LIBRARY_ID, page_size=page_size)) == 8
    assert len(fake.requests) == requests


async def test_get_library_items_default_page_size(fake, client) -> None:
    await client.get_library_items(LIBRARY_ID)
    assert fake.requests[0].query == {"limit": "500", "page": "0"}


async def test_get_library_items_rejects_an_empty_page_size(client) -> None:
    with pytest.raises(ValueError, match="page_size"):
        await client.get_library_items(LIBRARY_ID, page_size=0)


async def test_get_library_items_of_an_unknown_library(fake, client) -> None:
    with pytest.raises(AbsNotFoundError):
        await client.get_library_items("00000000-0000-0000-0000-000000000000")


async def test_added_book_with_cover_and_joined_names(fake, client) -> None:
    item_id = fake.add_book(
        "The Colour of Magic",
        authors=["Terry Pratchett", "Stephen Briggs"],
        narrators=["Nigel Planer", "Tony Robinson"],
        series=[("Discworld", "1"), ("Rincewind", None)],
        asin="B0TEST0001",
        duration=1234.5,
        has_cover=True,
    )
    items = await client.get_library_items(LIBRARY_ID)
    expected = AbsItem(
        item_id=item_id,
        library_id=LIBRARY_ID,
        title="The Colour of Magic",
        authors=("Terry Pratchett", "Stephen Briggs"),
        narrators=("Nigel Planer", "Tony Robinson"),
        series=(SeriesRef("Discworld", "1"), SeriesRef("Rincewind")),
        asin="B0TEST0001",
        duration_s=1234.5,
        has_cover=True,
    )
    assert items[-1] == expected
    # The expanded form (lists instead of joined strings) gives the same item.
    assert await client.get_item(item_id) == expected


def minified_item(item_id: str, **metadata: Any) -> dict[str, Any]:
    item = next(
        entry
        for entry in fixture_body("libraries_id_items.json")["results"]
        if entry["id"] == PRIDE
    )
    item["id"] = item_id
    item["media"]["metadata"].update(metadata)
    return item


async def test_malformed_items_are_skipped_or_sanitised(fake, client) -> None:
    podcast = minified_item("podcast")
    podcast["mediaType"] = "podcast"
    no_media = minified_item("no-media")
    no_media["media"] = None
    bad_numbers = minified_item("bad-numbers", authorName=7, narratorName=None)
    bad_numbers["media"].update(duration="abc", coverPath="")
    negative = minified_item("negative", seriesName="Saga #, #3, Trilogy #  ")
    negative["media"]["duration"] = -3
    no_library = minified_item("no-library")
    del no_library["libraryId"]
    string_duration = minified_item("string-duration", asin="  ", isbn=5, subtitle="")
    string_duration["media"]["duration"] = "42.5"
    for raw in (
        podcast,
        no_media,
        minified_item("no-title", title=None),
        minified_item("number-title", title=5),
        minified_item("blank-title", title="   "),
        {"id": None, "mediaType": "book"},
        bad_numbers,
        negative,
        no_library,
        string_duration,
    ):
        fake.add_raw_item(raw)

    items = {item.item_id: item for item in await client.get_library_items(LIBRARY_ID)}

    assert set(items) == set(ITEM_IDS.values()) | {
        "bad-numbers",
        "negative",
        "no-library",
        "string-duration",
    }
    assert items["bad-numbers"].authors == ()
    assert items["bad-numbers"].narrators == ()
    assert items["bad-numbers"].duration_s is None
    assert items["bad-numbers"].has_cover is False
    assert items["negative"].duration_s is None
    assert items["negative"].series == (
        SeriesRef("Saga #"),
        SeriesRef("#3"),
        SeriesRef("Trilogy #"),
    )
    assert items["no-library"].library_id == LIBRARY_ID
    assert items["string-duration"].duration_s == 42.5
    assert (items["string-duration"].asin, items["string-duration"].isbn) == (
        None,
        None,
    )
    assert items["string-duration"].subtitle is None


async def test_get_library_items_stops_when_pages_repeat(serve, session) -> None:
    """A server that ignores `page` (and sends no total) must not loop forever."""
    served = 0
    page = [minified_item("one"), minified_item("two")]

    async def handler(_request: web.Request) -> web.Response:
        nonlocal served
        served += 1
        return web.json_response({"results": page})

    client = AbsClient(await serve(handler), session=session, api_key="k")
    items = await client.get_library_items(LIBRARY_ID, page_size=2)
    assert [item.item_id for item in items] == ["one", "two"]
    assert served == 2


async def test_get_library_items_without_total_stops_on_a_short_page(
    serve, session
) -> None:
    pages = [
        [minified_item("one"), minified_item("two")],
        [minified_item("three"), "garbage"],
        [minified_item("four")],
    ]
    queries: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        queries.append(dict(request.query))
        return web.json_response({"results": pages[int(request.query["page"])]})

    client = AbsClient(await serve(handler), session=session, api_key="k")
    items = await client.get_library_items(LIBRARY_ID, page_size=2)
    assert [item.item_id for item in items] == ["one", "two", "three", "four"]
    assert [query["page"] for query in queries] == ["0", "1", "2"]


async def test_get_item_expanded(fake, client) -> None:
    item = await client.get_item(ANNE1)
    assert item == AbsItem(
        item_id=ANNE1,
        library_id=LIBRARY_ID,
        title="Anne of Green Gables",
        authors=("L. M. Montgomery",),
        narrators=("Barbara Caruso",),
        series=(SeriesRef("Anne of Green Gables", "1"),),
        asin="B0FAKE0001",
        duration_s=60.0,
        published_year="1908",
        has_description=True,
    )
    assert fake.requests[0].path == f"/api/items/{ANNE1}"
    assert fake.requests[0].query == {"expanded": "1"}
    assert await client.get_item(FRANKENSTEIN) == FRANKENSTEIN_ITEM


async def test_get_item_prefers_lists_but_falls_back_to_joined_names(
    fake, client
) -> None:
    expanded = fake.item_json(ANNE1)
    expanded["id"] = "fallback"
    metadata = expanded["media"]["metadata"]
    metadata.update(
        authors=[{"name": " "}, "oops"],
        narrators=[None, 3],
        series=[{"name": None, "sequence": "1"}, "oops"],
        authorName="A, B",
        narratorName="N",
        seriesName="S #1.5",
    )
    fake.add_raw_item(minified_item("fallback"), expanded)
    item = await client.get_item("fallback")
    assert (item.authors, item.narrators, item.series) == (
        ("A", "B"),
        ("N",),
        (SeriesRef("S", "1.5"),),
    )


async def test_get_item_that_is_not_a_book(fake, client) -> None:
    podcast = minified_item("podcast")
    podcast["mediaType"] = "podcast"
    fake.add_raw_item(podcast)
    with pytest.raises(AbsNotFoundError):
        await client.get_item("podcast")


@pytest.mark.parametrize(
    "item_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"]
)
async def test_get_unknown_item(fake, client, item_id) -> None:
    with pytest.raises(AbsNotFoundError):
        await client.get_item(item_id)


async def test_html_404_is_not_found(fake, client) -> None:
    fake.fail_next(
        status=404,
        text="<!DOCTYPE html><pre>Cannot GET /api/items/x</pre>",
        content_type="text/html",
    )
    with pytest.raises(AbsNotFoundError):
        await client.get_item(ANNE1)


async def test_search(fake, client) -> None:
    found = await client.search(LIBRARY_ID, "anne")
    assert {item.title for item in found} == {
        "Anne of Green Gables",
        "Anne of Avonlea",
        "Anne of the Island",
    }
    assert ANNE2_ITEM in found
    assert fake.requests[0].path == f"/api/libraries/{LIBRARY_ID}/search"
    assert fake.requests[0].query == {"q": "anne"}
    assert await client.search(LIBRARY_ID, "B0FAKE0006") == [FRANKENSTEIN_ITEM]
    assert await client.search(LIBRARY_ID, "zzznomatch") == []


async def test_search_in_an_unknown_library(fake, client) -> None:
    with pytest.raises(AbsNotFoundError):
        await client.search("00000000-0000-0000-0000-000000000000", "anne")


async def test_search_skips_odd_results(serve, session) -> None:
    podcast = minified_item("podcast")
    podcast["mediaType"] = "podcast"
    url = await serve(
        answer(
            {
                "book": [
                    "x",
                    {"libraryItem": podcast},
                    {"libraryItem": minified_item("ok")},
                    {},
                ],
                "authors": [],
            }
        )
    )
    found = await AbsClient(url, session=session, api_key="k").search(LIBRARY_ID, "q")
    assert [item.item_id for item in found] == ["ok"]


# -------------------------------------------------------------- progress


async def test_get_progress(fake, client) -> None:
    assert await client.get_progress(ANNE1) is None
    fake.set_progress(ANNE1, current_time=30, duration=60, last_update_ms=1795238796571)
    progress = await client.get_progress(ANNE1)
    assert progress is not None
    assert (progress.item_id, progress.current_time_s, progress.progress) == (
        ANNE1,
        30.0,
        0.5,
    )
    assert progress.last_update == ms(1795238796571)
    assert fake.requests[-1].path == f"/api/me/progress/{ANNE1}"


async def test_get_progress_of_a_malformed_record(fake, client) -> None:
    fake.set_raw_progress(fixture_body("me_progress_get__after_malformed_types.json"))
    assert await client.get_progress(PRIDE) is None


async def test_update_progress_sends_exactly_the_position(fake, client) -> None:
    await client.update_progress(ANNE1, current_time_s=30, duration_s=60.0)

    [request] = fake.requests
    assert (request.method, request.path) == ("PATCH", f"/api/me/progress/{ANNE1}")
    assert request.json == {"currentTime": 30, "duration": 60.0, "progress": 0.5}
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    stored = fake.progress_json(ANNE1)
    assert stored is not None
    assert (stored["currentTime"], stored["progress"], stored["isFinished"]) == (
        30,
        0.5,
        False,
    )


@pytest.mark.parametrize(("current", "duration"), [(0, 60), (60, 60), (0.0, 0.001)])
async def test_update_progress_accepts_the_bounds(
    fake, client, current, duration
) -> None:
    await client.update_progress(ANNE1, current_time_s=current, duration_s=duration)
    assert fake.requests[0].json["currentTime"] == current


@pytest.mark.parametrize(
    ("current", "duration"),
    [
        (math.nan, 60),
        (10, math.nan),
        (math.inf, 60),
        (10, math.inf),
        (-math.inf, 60),
        (-1, 60),
        (-0.001, 60),
        (61, 60),
        (0, 0),
        (10, -5),
        (True, 60),
        (10, True),
        ("10", 60),
        (None, 60),
    ],
)
async def test_update_progress_validates_before_sending(
    fake, client, current, duration
) -> None:
    with pytest.raises(ValueError, match=r".+"):
        await client.update_progress(ANNE1, current_time_s=current, duration_s=duration)
    assert fake.requests == []


async def test_update_progress_of_an_unknown_item(fake, client) -> None:
    with pytest.raises(AbsNotFoundError):
        await client.update_progress(
            "00000000-0000-0000-0000-000000000000", current_time_s=1, duration_s=2
        )


async def test_mark_finished_and_unfinished(fake, client) -> None:
    fake.set_progress(ANNE1, current_time=20, duration=60)

    await client.mark_finished(ANNE1)
    assert fake.requests[-1].json == {"isFinished": True}
    finished = await client.get_progress(ANNE1)
    assert finished is not None
    assert (finished.is_finished, finished.current_time_s, finished.progress) == (
        True,
        20.0,
        1.0,
    )
    assert finished.finished_at is not None

    await client.mark_unfinished(ANNE1)
    assert fake.requests[-1].json == {"isFinished": False}
    unfinished = await client.get_progress(ANNE1)
    assert unfinished is not None
    # ABS's quirk: un-finishing resets the position; the caller sets it again.
    assert (unfinished.is_finished, unfinished.current_time_s) == (False, 0.0)
    await client.update_progress(ANNE1, current_time_s=20, duration_s=60)
    restored = await client.get_progress(ANNE1)
    assert restored is not None
    assert (restored.is_finished, restored.current_time_s) == (False, 20.0)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, AbsConnectionError),
        (502, AbsConnectionError),
        (503, AbsConnectionError),
        (429, AbsConnectionError),
        (400, AbsResponseError),
        (418, AbsResponseError),
    ],
)
async def test_status_errors(fake, client, status, error) -> None:
    fake.fail_next(status=status, text="nope")
    with pytest.raises(error) as raised:
        await client.get_libraries()
    assert str(status) in str(raised.value)


@pytest.mark.parametrize(
    ("text", "content_type"),
    [
        ("<!DOCTYPE html><title>proxy</title>", "text/html"),
        ("OK", "text/plain"),
        ("[1, 2]", "application/json"),
        ("", "application/json"),
        pytest.param("[" * 100_000, "application/json", id="nested-too-deep"),
    ],
)
async def test_unreadable_bodies(fake, client, text, content_type) -> None:
    fake.fail_next(status=200, text=text, content_type=content_type)
    with pytest.raises(AbsResponseError):
        await client.get_libraries()


@pytest.mark.parametrize("api_key", ["key\nX-Injected: 1", "key\r", "k\x00y"])
async def test_credentials_with_control_characters(fake, session, api_key) -> None:
    client = AbsClient(fake.url, session=session, api_key=api_key)
    with pytest.raises(AbsAuthError) as raised:
        await client.get_me()
    assert api_key not in str(raised.value)
    assert fake.requests == []


async def test_tokens_with_control_characters_are_not_taken(serve, session) -> None:
    body = {"user": {"accessToken": "access\nX-Injected: 1", "refreshToken": "r"}}
    client = AbsClient(await serve(answer(body)), session=session)
    with pytest.raises(AbsResponseError):
        await client.login(USERNAME, PASSWORD)
    assert client.tokens is None


async def test_timeout(fake, session) -> None:
    client = AbsClient(fake.url, session=session, api_key=API_KEY, request_timeout=0.2)
    fake.hang_next(seconds=10)
    with pytest.raises(AbsConnectionError, match="timed out"):
        await client.get_me()
    fake.release_hangs()


async def test_connection_refused(session, socket_enabled, unused_tcp_port) -> None:
    client = AbsClient(
        f"http://127.0.0.1:{unused_tcp_port}", session=session, api_key=API_KEY
    )
    with pytest.raises(AbsConnectionError) as raised:
        await client.check_server()
    assert not isinstance(raised.value, AbsTlsError)


@pytest.fixture
def self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server TLS context with a self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-abs")])
    now = dt.datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file = tmp_path / "cert.pem"
    key_file = tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


@pytest.fixture
async def tolerate_refused_handshakes() -> AsyncIterator[None]:
    """Let the fake HTTPS server see clients hang up on its certificate.

    asyncio reports that to the loop's exception handler, which Home
    Assistant's test harness turns into a test error.
    """
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), OSError) and "incoming connection" in (
            context.get("message", "")
        ):
            return
        if previous is None:
            loop.default_exception_handler(context)
        else:
            previous(loop, context)

    loop.set_exception_handler(handler)
    yield
    loop.set_exception_handler(previous)


async def test_untrusted_certificate_is_a_tls_error(
    tolerate_refused_handshakes, aiohttp_server, socket_enabled, self_signed, session
) -> None:
    fake = FakeAbsServer()
    url = await fake.start(aiohttp_server, ssl_context=self_signed)
    assert url.startswith("https://")

    with pytest.raises(AbsTlsError) as raised:
        await AbsClient(url, session=session).check_server()
    assert isinstance(raised.value, AbsConnectionError)
    assert isinstance(raised.value.__cause__, aiohttp.ClientConnectorCertificateError)

    # verify_ssl=False accepts the self-signed certificate (ssl=False per request).
    insecure = AbsClient(url, session=session, api_key=API_KEY, verify_ssl=False)
    assert await insecure.check_server() == "2.36.0"
    assert await insecure.get_libraries()


async def test_no_secret_in_errors_or_logs(fake, session, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[AbsError] = []
    client = await logged_in(session, fake)
    tokens = client.tokens
    assert tokens is not None
    secrets = [API_KEY, PASSWORD, tokens.access_token, tokens.refresh_token]

    fake.expire_access_tokens()
    fake.revoke_refresh_tokens()
    for failing in (
        client.get_me(),
        AbsClient(fake.url, session=session, api_key=API_KEY + "x").get_libraries(),
        AbsClient(fake.url, session=session).login(USERNAME, PASSWORD + "x"),
        AbsClient(fake.url, session=session, tokens=tokens).refresh_tokens(),
    ):
        with pytest.raises(AbsError) as raised:
            await failing
        errors.append(raised.value)

    assert len(errors) == 4
    texts = [str(error) for error in errors] + [repr(error) for error in errors]
    texts.append(caplog.text)
    texts.append(repr(tokens))
    for secret in secrets:
        assert all(secret not in text for text in texts), secret
