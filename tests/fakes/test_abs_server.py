"""The fake ABS server answers like the recordings of the real ABS 2.36.0."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from tests.fakes.abs_server import (
    API_KEY,
    COVER_BYTES,
    ITEM_IDS,
    LIBRARY_ID,
    PASSWORD,
    USER_ID,
    USERNAME,
    FakeAbsServer,
    fixture_body,
    load_fixture,
)

ANNE1 = ITEM_IDS["Anne of Green Gables"]
PRIDE = ITEM_IDS["Pride and Prejudice"]
# Fields of a progress record that do not depend on ids or on the clock.
STABLE_PROGRESS_FIELDS = (
    "userId",
    "libraryItemId",
    "episodeId",
    "mediaItemId",
    "mediaItemType",
    "duration",
    "progress",
    "currentTime",
    "isFinished",
    "hideFromContinueListening",
    "ebookLocation",
    "ebookProgress",
)


@pytest.fixture
async def fake(aiohttp_server, socket_enabled) -> FakeAbsServer:
    server = FakeAbsServer()
    await server.start(aiohttp_server)
    return server


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


async def replay(
    http: aiohttp.ClientSession, fake: FakeAbsServer, name: str
) -> tuple[int, str, Any]:
    """Send the recorded request of a fixture; return status, type and body."""
    request = load_fixture(name)["request"]
    headers = {"Authorization": f"Bearer {API_KEY}", **request["extraHeaders"]}
    kwargs: dict[str, Any] = {}
    if isinstance(request["body"], str):
        # Recorded raw (invalid) JSON text.
        kwargs["data"] = request["body"]
        headers["Content-Type"] = "application/json"
    elif request["body"] is not None:
        kwargs["json"] = request["body"]
    async with http.request(
        request["method"],
        fake.url + request["path"],
        params=request["query"],
        headers=headers,
        **kwargs,
    ) as response:
        text = await response.text()
        body = json.loads(text) if response.content_type == "application/json" else text
        return response.status, response.content_type, body


def stable(record: dict[str, Any]) -> dict[str, Any]:
    return {key: record[key] for key in STABLE_PROGRESS_FIELDS} | {
        "finished": record["finishedAt"] is not None
    }


def assert_same_progress(actual: dict[str, Any], recorded_fixture: str) -> None:
    recorded = fixture_body(recorded_fixture)
    assert stable(actual) == stable(recorded), recorded_fixture


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param(
            [
                (
                    "me_progress_patch__01_create.json",
                    "me_progress_get__01_after_create.json",
                ),
                (
                    "me_progress_patch__02_forward.json",
                    "me_progress_get__02_after_forward.json",
                ),
                (
                    "me_progress_patch__03_backwards.json",
                    "me_progress_get__03_after_backwards.json",
                ),
                (
                    "me_progress_patch__04_near_end_auto_finish.json",
                    "me_progress_get__04_after_near_end.json",
                ),
                (
                    "me_progress_patch__05_unfinish_with_time.json",
                    "me_progress_get__05_after_unfinish.json",
                ),
                (
                    "me_progress_patch__06_set_time_no_isFinished.json",
                    "me_progress_get__06.json",
                ),
                (
                    "me_progress_patch__07_isFinished_true_with_midpoint_time.json",
                    "me_progress_get__07.json",
                ),
                (
                    "me_progress_patch__08_isFinished_true_only.json",
                    "me_progress_get__08.json",
                ),
                (
                    "me_progress_patch__09_isFinished_true_again_with_time.json",
                    "me_progress_get__09.json",
                ),
                (
                    "me_progress_patch__10_reset_clean_state.json",
                    "me_progress_get__10.json",
                ),
            ],
            id="anne1-sequence",
        ),
        pytest.param(
            [
                (
                    "me_progress_patch__empty_object_creates_zero_progress.json",
                    "me_progress_get__after_empty_object.json",
                ),
                (
                    "me_progress_patch__malformed_types_on_existing.json",
                    "me_progress_get__after_malformed_types.json",
                ),
            ],
            id="pride-malformed",
        ),
        pytest.param(
            [
                (
                    "me_progress_patch__client_lastUpdate_override.json",
                    "me_progress_get__after_client_lastUpdate_override.json",
                ),
                (
                    "me_progress_patch__negative_values.json",
                    "me_progress_get__after_negative_values.json",
                ),
                (
                    "me_progress_patch__markAsFinishedPercentComplete.json",
                    "me_progress_get__after_markAsFinishedPercentComplete.json",
                ),
            ],
            id="pride-override-negative-percent",
        ),
        pytest.param(
            [
                ("me_progress_patch__les_miserables.json", None),
                (
                    "me_progress_patch__progress_out_of_range_clamped.json",
                    "me_progress_get__progress_out_of_range_clamped.json",
                ),
            ],
            id="les-miserables-clamp",
        ),
        pytest.param(
            [
                (
                    "me_progress_patch__create_near_end.json",
                    "me_progress_get__create_near_end.json",
                )
            ],
            id="create-near-end-not-finished",
        ),
        pytest.param(
            [
                (
                    "me_progress_patch__create_finished.json",
                    "me_progress_get__create_finished.json",
                )
            ],
            id="create-finished",
        ),
    ],
)
async def test_progress_patches_replay_like_recorded(fake, http, steps) -> None:
    for patch_fixture, get_fixture in steps:
        status, content_type, body = await replay(http, fake, patch_fixture)
        assert (status, content_type, body) == (200, "text/plain", "OK")
        if get_fixture is None:
            continue
        status, _, record = await replay(http, fake, get_fixture)
        assert status == 200
        assert_same_progress(record, get_fixture)


async def test_client_last_update_is_kept(fake, http) -> None:
    await replay(http, fake, "me_progress_patch__client_lastUpdate_override.json")
    _, _, record = await replay(
        http, fake, "me_progress_get__after_client_lastUpdate_override.json"
    )
    assert record["lastUpdate"] == 1700000000000


async def test_progress_json_lists_the_fields_abs_sends(fake, http) -> None:
    await replay(http, fake, "me_progress_patch__01_create.json")
    record = fake.progress_json(ANNE1)
    assert record is not None
    assert set(record) == set(fixture_body("me_progress_get__01_after_create.json"))
    assert record["lastUpdate"] == record["startedAt"]
    assert abs(record["lastUpdate"] - fake.now_ms()) < 5000


@pytest.mark.parametrize(
    "fixture",
    [
        "me_progress_patch__malformed_invalid_json_400.json",
        "me_progress_patch__malformed_json_string_body_400.json",
        "me_progress_patch__unknown_item_404.json",
        "me_progress_get__unknown_item_404.json",
        "me_progress_get__none_404.json",
        "items_id__unknown_404.json",
        "items_id__non_uuid_404.json",
        "libraries_id__unknown_404.json",
        "libraries_id_items__unknown_library_404.json",
        "libraries_id_search__missing_q_400.json",
        "api__unknown_route.json",
        "auth_refresh__garbage_401.json",
        "auth_refresh__no_token_401.json",
        "login_bad_password.json",
        "status.json",
        "libraries.json",
        "libraries_id.json",
        "libraries_id_search__nomatch.json",
        "libraries_id_search__miserables_no_accent.json",
        "libraries_id_search__author_montgomery.json",
        "libraries_id_items.json",
        "libraries_id_items__limit3_page1.json",
        "items_id_expanded__anne1_m4b_chapters.json",
        "items_id_expanded__wagahai_cjk.json",
        "items_id_minimal__anne1.json",
    ],
)
async def test_answers_like_recorded(fake, http, fixture) -> None:
    recorded = load_fixture(fixture)["response"]
    status, content_type, body = await replay(http, fake, fixture)
    assert status == recorded["status"]
    if recorded["contentType"]:
        assert content_type == recorded["contentType"].split(";")[0]
    if fixture == "libraries_id_search__author_montgomery.json":
        # Author statistics (timestamps) are not modelled.
        assert body["book"] == []
        assert [author["name"] for author in body["authors"]] == ["L. M. Montgomery"]
        assert body["authors"][0]["numBooks"] == 3
    else:
        assert body == recorded["body"]


@pytest.mark.parametrize(
    ("query", "expected_titles"),
    [
        ("anne", {"Anne of Green Gables", "Anne of Avonlea", "Anne of the Island"}),
        ("B0FAKE0006", {"Frankenstein"}),
        ("holmes", {"The Adventures of Sherlock Holmes"}),
        ("misérables", {"Les Misérables"}),
        ("miserables", set()),
    ],
)
async def test_search_finds_like_recorded(fake, http, query, expected_titles) -> None:
    async with http.get(
        f"{fake.url}/api/libraries/{LIBRARY_ID}/search",
        params={"q": query},
        headers={"Authorization": f"Bearer {API_KEY}"},
    ) as response:
        body = await response.json()
    titles = {
        entry["libraryItem"]["media"]["metadata"]["title"] for entry in body["book"]
    }
    assert titles == expected_titles
    recorded_entries = {
        entry["libraryItem"]["id"]: entry["libraryItem"]
        for name in (
            "libraries_id_search__anne.json",
            "libraries_id_search__asin.json",
            "libraries_id_search__holmes.json",
            "libraries_id_search__miserables_accent.json",
        )
        for entry in fixture_body(name)["book"]
    }
    for entry in body["book"]:
        assert entry["libraryItem"] == recorded_entries[entry["libraryItem"]["id"]]


@pytest.mark.parametrize(
    ("headers", "query", "status"),
    [
        ({}, {}, 401),
        ({"Authorization": API_KEY}, {}, 401),
        ({"Authorization": f"bearer {API_KEY}"}, {}, 200),
        ({"Authorization": f"Bearer {API_KEY}"}, {}, 200),
        ({}, {"token": API_KEY}, 200),
        ({"Authorization": "Bearer garbage.token.value"}, {}, 401),
    ],
)
async def test_authentication_like_recorded(fake, http, headers, query, status) -> None:
    async with http.get(
        f"{fake.url}/api/me", headers=headers, params=query
    ) as response:
        assert response.status == status
        if status == 401:
            assert await response.text() == "Unauthorized"
        else:
            body = await response.json()
            assert set(body) == set(fixture_body("me.json"))
            assert body["id"] == USER_ID


async def test_inactive_and_expired_api_keys_are_refused(fake, http) -> None:
    inactive = fake.add_api_key(active=False)
    expiring = fake.add_api_key(expires_in=2)

    async def status_with(key: str) -> int:
        async with http.get(
            f"{fake.url}/api/me", headers={"Authorization": f"Bearer {key}"}
        ) as response:
            return response.status

    assert await status_with(inactive) == 401
    assert await status_with(expiring) == 200
    fake.advance(3)
    assert await status_with(expiring) == 401


async def login(http: aiohttp.ClientSession, fake: FakeAbsServer) -> dict[str, Any]:
    async with http.post(
        f"{fake.url}/login",
        json={"username": USERNAME, "password": PASSWORD},
        headers={"x-return-tokens": "true"},
    ) as response:
        assert response.status == 200
        body: dict[str, Any] = await response.json()
        return body


async def refresh(
    http: aiohttp.ClientSession, fake: FakeAbsServer, token: str
) -> tuple[int, dict[str, Any]]:
    async with http.post(
        f"{fake.url}/auth/refresh", headers={"x-refresh-token": token}
    ) as response:
        return response.status, await response.json()


async def test_login_body_has_the_recorded_shape(fake, http) -> None:
    body = await login(http, fake)
    recorded = fixture_body("login_x-return-tokens.json")
    assert set(body) == set(recorded)
    assert set(body["user"]) == set(recorded["user"])
    assert body["user"]["accessToken"] != body["user"]["refreshToken"]


async def test_refresh_rotates_and_honours_the_grace_period(fake, http) -> None:
    first = (await login(http, fake))["user"]
    status, rotated = await refresh(http, fake, first["refreshToken"])
    assert status == 200
    assert set(rotated) == set(fixture_body("auth_refresh__x-refresh-token_ok.json"))
    second = rotated["user"]
    assert second["refreshToken"] != first["refreshToken"]
    assert second["accessToken"] != first["accessToken"]

    # Within the grace period the old token yields the CURRENT refresh token.
    fake.advance(599)
    status, again = await refresh(http, fake, first["refreshToken"])
    assert status == 200
    assert again["user"]["refreshToken"] == second["refreshToken"]
    assert again["user"]["accessToken"] not in (
        first["accessToken"],
        second["accessToken"],
    )

    fake.advance(2)
    status, error = await refresh(http, fake, first["refreshToken"])
    assert (status, error) == (401, {"error": "Invalid refresh token"})
    status, _ = await refresh(http, fake, second["refreshToken"])
    assert status == 200


async def test_refresh_refuses_an_access_token(fake, http) -> None:
    user = (await login(http, fake))["user"]
    status, error = await refresh(http, fake, user["accessToken"])
    assert (status, error) == (401, {"error": "Invalid token type"})


async def test_refresh_token_is_no_bearer_token(fake, http) -> None:
    user = (await login(http, fake))["user"]
    async with http.get(
        f"{fake.url}/api/me",
        headers={"Authorization": f"Bearer {user['refreshToken']}"},
    ) as response:
        assert (response.status, await response.text()) == (401, "Unauthorized")
    async with http.get(
        f"{fake.url}/api/me", headers={"Authorization": f"Bearer {user['token']}"}
    ) as response:
        # The legacy, non-expiring user token still works (recorded).
        assert response.status == 200


async def test_access_tokens_expire(http, aiohttp_server, socket_enabled) -> None:
    fake = FakeAbsServer(access_token_ttl=60)
    await fake.start(aiohttp_server)
    token = (await login(http, fake))["user"]["accessToken"]
    headers = {"Authorization": f"Bearer {token}"}
    async with http.get(f"{fake.url}/api/me", headers=headers) as response:
        assert response.status == 200
    fake.advance(61)
    async with http.get(f"{fake.url}/api/me", headers=headers) as response:
        assert response.status == 401


async def test_revoked_refresh_tokens_fail(fake, http) -> None:
    user = (await login(http, fake))["user"]
    fake.revoke_refresh_tokens()
    status, _ = await refresh(http, fake, user["refreshToken"])
    assert status == 401


async def test_expire_access_tokens(fake, http) -> None:
    token = (await login(http, fake))["user"]["accessToken"]
    fake.expire_access_tokens()
    async with http.get(
        f"{fake.url}/api/me", headers={"Authorization": f"Bearer {token}"}
    ) as response:
        assert response.status == 401


async def test_sub_path_and_bare_paths_both_work(
    http, aiohttp_server, socket_enabled
) -> None:
    fake = FakeAbsServer(base_path="/audiobookshelf/")
    url = await fake.start(aiohttp_server)
    assert url.endswith("/audiobookshelf")
    bare = url.removesuffix("/audiobookshelf")
    for base in (url, bare):
        async with http.get(f"{base}/status") as response:
            assert (await response.json())["serverVersion"] == "2.36.0"
    assert [request.path for request in fake.requests] == ["/status", "/status"]
    assert [request.raw_path for request in fake.requests] == [
        "/audiobookshelf/status",
        "/status",
    ]


async def test_unknown_non_api_get_serves_the_web_client(fake, http) -> None:
    async with http.get(f"{fake.url}/some/page/status") as response:
        assert response.status == 200
        assert response.content_type == "text/html"
    async with http.post(f"{fake.url}/nothing") as response:
        assert response.status == 404
        assert "Cannot POST /nothing" in await response.text()


async def test_status_before_init_and_override(
    http, aiohttp_server, socket_enabled
) -> None:
    fake = FakeAbsServer(is_init=False)
    await fake.start(aiohttp_server)
    async with http.get(f"{fake.url}/status") as response:
        assert await response.json() == fixture_body("status_before_init.json")
    fake.status_override = (200, "text/html", "<html>router</html>")
    async with http.get(f"{fake.url}/status") as response:
        assert response.content_type == "text/html"
        assert await response.text() == "<html>router</html>"


async def test_add_book_and_cover(fake, http) -> None:
    item_id = fake.add_book(
        "The Colour of Magic",
        authors=["Terry Pratchett"],
        narrators=["Nigel Planer", "Tony Robinson"],
        series=[("Discworld", "1"), ("Rincewind", None)],
        asin="B0TEST0001",
        isbn="9780552124751",
        duration=1234.5,
        has_cover=True,
    )
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with http.get(
        f"{fake.url}/api/libraries/{LIBRARY_ID}/items", headers=headers
    ) as response:
        listed = (await response.json())["results"][-1]
    metadata = listed["media"]["metadata"]
    assert metadata["authorName"] == "Terry Pratchett"
    assert metadata["narratorName"] == "Nigel Planer, Tony Robinson"
    assert metadata["seriesName"] == "Discworld #1, Rincewind"
    assert listed["media"]["duration"] == 1234.5
    async with http.get(
        f"{fake.url}/api/items/{item_id}", params={"expanded": 1}, headers=headers
    ) as response:
        expanded = await response.json()
    assert expanded == fake.item_json(item_id)
    assert [
        series["sequence"] for series in expanded["media"]["metadata"]["series"]
    ] == [
        "1",
        None,
    ]
    async with http.get(
        f"{fake.url}/api/items/{item_id}/cover", headers=headers
    ) as response:
        assert await response.read() == COVER_BYTES
    # Like ABS 2.36.0, covers need no login (an <img> in a dashboard).
    async with http.get(f"{fake.url}/api/items/{item_id}/cover") as response:
        assert await response.read() == COVER_BYTES
    async with http.get(
        f"{fake.url}/api/items/{ANNE1}/cover", headers=headers
    ) as response:
        assert response.status == 404
    fake.remove_item(item_id)
    async with http.get(f"{fake.url}/api/items/{item_id}", headers=headers) as response:
        assert response.status == 404


async def test_progress_routes(http, aiohttp_server, socket_enabled) -> None:
    fake = FakeAbsServer(recorded_progress=True)
    await fake.start(aiohttp_server)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with http.get(f"{fake.url}/api/me/progress", headers=headers) as response:
        assert await response.json() == fixture_body("me_progress_all.json")
    async with http.get(
        f"{fake.url}/api/items/{ANNE1}",
        params={"expanded": 1, "include": "progress"},
        headers=headers,
    ) as response:
        assert (await response.json())["userMediaProgress"] == fake.progress_json(ANNE1)

    recorded = fake.progress_json(PRIDE)
    assert recorded is not None
    async with http.delete(
        f"{fake.url}/api/me/progress/{PRIDE}", headers=headers
    ) as response:
        # ABS wants the progress id here, not the item id.
        assert response.status == 404
    async with http.delete(
        f"{fake.url}/api/me/progress/{recorded['id']}", headers=headers
    ) as response:
        assert (response.status, await response.text()) == (200, "OK")
    assert fake.progress_json(PRIDE) is None


async def test_patch_without_json_content_type_changes_nothing(fake, http) -> None:
    fake.set_progress(ANNE1, current_time=20, duration=60)
    async with http.patch(
        f"{fake.url}/api/me/progress/{ANNE1}",
        data='{"currentTime": 40}',
        headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "text/plain"},
    ) as response:
        assert response.status == 200
    record = fake.progress_json(ANNE1)
    assert record is not None
    assert record["currentTime"] == 20


async def test_set_progress_defaults(fake) -> None:
    record = fake.set_progress(ANNE1, current_time=15)
    assert (record["duration"], record["progress"], record["finishedAt"]) == (
        60.0,
        0.25,
        None,
    )
    finished = fake.set_progress(
        ANNE1, current_time=60, is_finished=True, last_update_ms=5
    )
    assert (finished["progress"], finished["finishedAt"], finished["id"]) == (
        1.0,
        5,
        record["id"],
    )


async def test_failures_and_request_log(fake, http) -> None:
    fake.fail_next(2, status=503, text="busy", path="/api/")
    async with http.get(f"{fake.url}/status") as response:
        assert response.status == 200
    for _ in range(2):
        async with http.get(
            f"{fake.url}/api/me", headers={"Authorization": f"Bearer {API_KEY}"}
        ) as response:
            assert (response.status, await response.text()) == (503, "busy")
    async with http.get(
        f"{fake.url}/api/me", headers={"Authorization": f"Bearer {API_KEY}"}
    ) as response:
        assert response.status == 200
    assert [request.path for request in fake.requests_to("GET")] == [
        "/status",
        "/api/me",
        "/api/me",
        "/api/me",
    ]
    assert fake.requests[1].headers["authorization"] == f"Bearer {API_KEY}"
    fake.clear_requests()
    assert fake.requests == []


async def test_hang_is_released_on_demand(fake, http) -> None:
    fake.hang_next(seconds=30)
    request = asyncio.ensure_future(http.get(f"{fake.url}/status"))
    await asyncio.sleep(0.05)
    assert not request.done()
    fake.release_hangs()
    async with await request as response:
        assert response.status == 500
