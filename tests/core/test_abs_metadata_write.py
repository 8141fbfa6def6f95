"""Tests of writing book metadata to ABS, against the fake ABS server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from custom_components.audible_tracker.core.abs_api import AbsClient
from custom_components.audible_tracker.core.abs_parse import can_update
from custom_components.audible_tracker.core.exceptions import (
    AbsAuthError,
    AbsNotFoundError,
    AbsPermissionError,
    AuthenticationError,
    PermissionDeniedError,
)
from custom_components.audible_tracker.core.models import SeriesRef
from tests.fakes.abs_server import API_KEY, ITEM_IDS, LIBRARY_ID, FakeAbsServer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

FRANKENSTEIN = ITEM_IDS["Frankenstein"]
ANNE1 = ITEM_IDS["Anne of Green Gables"]


@pytest.fixture
async def fake(aiohttp_server, socket_enabled) -> FakeAbsServer:
    server = FakeAbsServer()
    await server.start(aiohttp_server)
    return server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(session, fake) -> AbsClient:
    return AbsClient(fake.url, session=session, api_key=API_KEY)


async def test_update_sends_the_metadata_and_returns_the_item(fake, client) -> None:
    item = await client.update_item_metadata(
        ANNE1,
        {
            "asin": "B0NEW00001",
            "narrators": ["Someone"],
            "series": [
                {"name": "anne of green gables", "sequence": "1"},
                {"name": "Avonlea", "sequence": "0.5"},
            ],
        },
    )
    request = fake.requests_to("PATCH", f"/api/items/{ANNE1}/media")[0]
    assert request.json == {
        "metadata": {
            "asin": "B0NEW00001",
            "narrators": ["Someone"],
            "series": [
                {"name": "anne of green gables", "sequence": "1"},
                {"name": "Avonlea", "sequence": "0.5"},
            ],
        }
    }
    assert (item.asin, item.narrators) == ("B0NEW00001", ("Someone",))
    # ABS keeps its spelling of a series it knows, by name, case-insensitively.
    assert item.series == (
        SeriesRef("Anne of Green Gables", "1"),
        SeriesRef("Avonlea", "0.5"),
    )
    # The answer has no duration; reading the item back has everything.
    assert item.duration_s is None
    again = await client.get_item(ANNE1)
    assert again.asin == "B0NEW00001"
    assert again.duration_s == 60.0
    # Untouched fields stay.
    assert again.authors == ("L. M. Montgomery",)
    assert again.published_year == "1908"


async def test_series_and_authors_replace_the_lists(fake, client) -> None:
    await client.update_item_metadata(
        ANNE1,
        {"series": [{"name": "Other", "sequence": None}], "authors": [{"name": "X"}]},
    )
    item = await client.get_item(ANNE1)
    assert item.series == (SeriesRef("Other"),)
    assert item.authors == ("X",)
    # The library page (minified) agrees.
    listed = {i.item_id: i for i in await client.get_library_items(LIBRARY_ID)}
    assert listed[ANNE1].series == (SeriesRef("Other"),)


async def test_nothing_changed_leaves_updated_out(fake, session, client) -> None:
    await client.update_item_metadata(ANNE1, {"asin": "B0FAKE0001"})
    async with session.patch(
        f"{fake.url}/api/items/{ANNE1}/media",
        json={"metadata": {"asin": "B0FAKE0001"}},
        headers={"Authorization": f"Bearer {API_KEY}"},
    ) as response:
        body = await response.json()
    assert "updated" not in body
    async with session.patch(
        f"{fake.url}/api/items/{ANNE1}/media",
        json={"metadata": {"publishedYear": 1908.5}},
        headers={"Authorization": f"Bearer {API_KEY}"},
    ) as response:
        body = await response.json()
    assert body["updated"] is True
    assert body["libraryItem"]["media"]["metadata"]["publishedYear"] == "1908.5"


async def test_a_user_without_update_permission_gets_a_permission_error(
    fake, session
) -> None:
    reader = fake.add_user("reader", "reader-pw")
    key = fake.add_api_key(user_id=reader.user_id)
    client = AbsClient(fake.url, session=session, api_key=key)
    assert (await client.get_me()).can_update is False
    with pytest.raises(AbsPermissionError) as caught:
        await client.update_item_metadata(FRANKENSTEIN, {"asin": "B0X"})
    # A permission error, not a credentials one: no reauthentication.
    assert isinstance(caught.value, PermissionDeniedError)
    assert not isinstance(caught.value, AuthenticationError)
    assert fake.item_json(FRANKENSTEIN)["media"]["metadata"]["asin"] == "B0FAKE0006"
    # An unknown item is a 404 before the permission is looked at.
    with pytest.raises(AbsNotFoundError):
        await client.update_item_metadata(
            "00000000-0000-0000-0000-000000000000", {"asin": "B0X"}
        )
    # Given the permission, the same user may write.
    reader.permissions["update"] = True
    assert (await client.get_me()).can_update is True
    assert (
        await client.update_item_metadata(FRANKENSTEIN, {"asin": "B0X"})
    ).asin == "B0X"


async def test_the_admin_may_update(client) -> None:
    assert (await client.get_me()).can_update is True


async def test_bad_credentials_stay_an_auth_error(fake, session) -> None:
    client = AbsClient(fake.url, session=session, api_key="wrong")
    with pytest.raises(AbsAuthError):
        await client.update_item_metadata(ANNE1, {"asin": "B0X"})


@pytest.mark.parametrize(
    "metadata",
    [
        {},
        {"cover": "x"},
        {"asin": 5},
        {"narrators": "A, B"},
        {"narrators": [1]},
        {"authors": ["A"]},
        {"authors": [{"name": " "}]},
        {"series": [{"name": "S", "sequence": 1}]},
        {"series": [{"sequence": "1"}]},
    ],
)
async def test_invalid_metadata_is_refused_before_sending(
    fake, client, metadata: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="metadata"):
        await client.update_item_metadata(ANNE1, metadata)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"type": "root", "permissions": {"update": True}}, True),
        # ABS asks the permission, whatever the type.
        ({"type": "admin", "permissions": {"update": False}}, False),
        ({"type": "user", "permissions": {"update": True}}, True),
        ({"type": "user", "permissions": {"update": True}, "isActive": False}, False),
        ({"type": "admin"}, True),
        ({"type": "guest"}, False),
        ({}, None),
    ],
)
def test_can_update(user: dict[str, Any], expected: bool | None) -> None:
    assert can_update(user) is expected
