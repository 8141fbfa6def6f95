"""Tests for the Audible API adapter, against the HTTP-level fake Audible.

Every call runs through the real audible.AsyncClient: URL building, parameter
encoding and request signing are real; the fake checks the signatures.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.audible_tracker.core import audible_api, audible_parse
from custom_components.audible_tracker.core.audible_api import (
    AudibleClient,
    LibraryResult,
)
from custom_components.audible_tracker.core.exceptions import (
    AudibleAuthError,
    AudibleConnectionError,
    AudibleError,
    AudibleRateLimitError,
    AudibleResponseError,
    DataError,
)
from custom_components.audible_tracker.core.models import (
    AudiblePosition,
    ContentMetadata,
    ListeningDay,
    SeriesRef,
)
from tests.fakes.audible_server import FakeAudible, load_fixture, make_item

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

ASIN_A = "B0TEST000A"
ASIN_B = "B0TEST000B"
ASIN_C = "B0TEST000C"


@pytest.fixture
def fake() -> FakeAudible:
    return FakeAudible()


@pytest.fixture
async def api(fake: FakeAudible) -> AsyncIterator[AudibleClient]:
    client = AudibleClient(fake.auth_data, "us", transport=fake.transport)
    yield client
    await client.close()


def secrets_of(auth_data: dict[str, Any]) -> list[str]:
    """Every credential string that must never show in an error message."""
    values = [
        auth_data["adp_token"],
        auth_data["access_token"],
        auth_data["refresh_token"],
        auth_data["store_authentication_cookie"]["cookie"],
        *auth_data["website_cookies"].values(),
    ]
    key_lines = auth_data["device_private_key"].splitlines()[1:-1]
    return [*values, *key_lines]


# -- construction -------------------------------------------------------------


async def test_requests_go_to_the_marketplace_host(fake: FakeAudible) -> None:
    for marketplace, host in (("de", "api.audible.de"), ("UK", "api.audible.co.uk")):
        api = AudibleClient(fake.auth_data, marketplace, transport=fake.transport)
        await api.get_library()
        await api.close()
        assert fake.requests[-1].host == host


def test_unknown_marketplace_is_refused(fake: FakeAudible) -> None:
    with pytest.raises(ValueError, match="marketplace"):
        AudibleClient(fake.auth_data, "xx", transport=fake.transport)


def test_transport_and_http_client_are_exclusive(fake: FakeAudible) -> None:
    with pytest.raises(ValueError, match="not both"):
        AudibleClient(
            fake.auth_data,
            "us",
            transport=fake.transport,
            http_client=httpx.AsyncClient(transport=fake.transport),
        )


def test_auth_data_is_not_mutated(fake: FakeAudible) -> None:
    auth_data = fake.auth_data
    before = repr(auth_data)
    AudibleClient(auth_data, "de", transport=fake.transport)
    # Authenticator.from_dict pops keys (locale_code among them) from its input.
    assert repr(auth_data) == before


def test_credentials_without_signing_key_are_refused(fake: FakeAudible) -> None:
    auth_data = fake.auth_data
    del auth_data["device_private_key"]
    with pytest.raises(AudibleAuthError) as err:
        AudibleClient(auth_data, "us", transport=fake.transport)
    assert not any(secret in str(err.value) for secret in secrets_of(fake.auth_data))


def test_unloadable_credentials_are_refused(fake: FakeAudible) -> None:
    auth_data = fake.auth_data
    auth_data["not_an_authenticator_field"] = "x"
    with pytest.raises(AudibleAuthError):
        AudibleClient(auth_data, "us", transport=fake.transport)


async def test_signatures_are_checked_by_the_fake(fake: FakeAudible) -> None:
    # Another device key: the request is signed, but not by the registered key.
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    auth_data = fake.auth_data
    auth_data["device_private_key"] = other_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    api = AudibleClient(auth_data, "us", transport=fake.transport)
    with pytest.raises(AudibleAuthError):
        await api.get_library()
    await api.close()
    assert fake.requests[-1].status == 401


async def test_shared_http_client_carries_requests_and_stays_open(
    fake: FakeAudible,
) -> None:
    fake.add_items(make_item(ASIN_A, "Shared"))
    shared = fake.http_client()
    shared.cookies.set("other-integration", "keep-me", domain="example.org")
    api = AudibleClient(fake.auth_data, "us", http_client=shared)

    result = await api.get_library()
    await api.close()

    assert [title.asin for title in result.titles] == [ASIN_A]
    assert fake.count("1.0/library") == 1
    # The borrowed client is not closed and still works for its owner.
    assert not shared.is_closed
    response = await shared.get("https://api.audible.com/1.0/library")
    assert response.status_code == 401  # unsigned: not our auth on it
    await shared.aclose()


async def test_without_transport_audible_opens_its_own_pool(
    fake: FakeAudible,
) -> None:
    api = AudibleClient(fake.auth_data, "us")
    session = api._client.session
    assert isinstance(session._transport, httpx.AsyncHTTPTransport)
    await api.close()
    assert session.is_closed


async def test_close_closes_the_own_session(fake: FakeAudible) -> None:
    api = AudibleClient(fake.auth_data, "us", transport=fake.transport)
    await api.close()
    assert api._client.session.is_closed


async def test_async_with_closes_the_own_session(fake: FakeAudible) -> None:
    fake.add_items(make_item(ASIN_A, "Owned"))
    async with AudibleClient(fake.auth_data, "us", transport=fake.transport) as api:
        result = await api.get_library()
        assert not api._client.session.is_closed
    assert [title.asin for title in result.titles] == [ASIN_A]
    assert api._client.session.is_closed


async def test_async_with_leaves_a_borrowed_client_open(fake: FakeAudible) -> None:
    shared = fake.http_client()
    async with AudibleClient(fake.auth_data, "us", http_client=shared) as api:
        await api.get_library()
    assert api._client.session.is_closed  # the adapter's own, signing client
    assert not shared.is_closed
    response = await shared.get("https://api.audible.com/1.0/library")
    assert response.status_code == 401  # still usable; unsigned
    await shared.aclose()


def test_a_device_key_that_cannot_be_loaded_is_refused(fake: FakeAudible) -> None:
    auth_data = fake.auth_data
    # The generated key with its body cut short: PEM-shaped, but unloadable.
    lines = auth_data["device_private_key"].splitlines()
    auth_data["device_private_key"] = "\n".join([*lines[:2], lines[-1], ""])
    # audible itself would only fail on the first request, with a ValueError.
    with pytest.raises(AudibleAuthError) as raised:
        AudibleClient(auth_data, "us", transport=fake.transport)
    assert not any(secret in str(raised.value) for secret in secrets_of(auth_data))


@pytest.mark.parametrize(
    "error", [httpx.InvalidURL("bad"), httpx.StreamConsumed(), httpx.ReadError("x")]
)
async def test_any_transport_failure_is_an_audible_error(
    fake: FakeAudible, error: Exception
) -> None:
    def fail(_request: httpx.Request) -> httpx.Response:
        raise error

    transport = httpx.MockTransport(fail)
    async with AudibleClient(fake.auth_data, "us", transport=transport) as api:
        with pytest.raises(AudibleConnectionError):
            await api.get_library()


# -- library ------------------------------------------------------------------


async def test_library_parses_recorded_items(
    fake: FakeAudible, api: AudibleClient
) -> None:
    recorded = load_fixture("library_page_with_relationships.json")["items"][0]
    fake.respond_next(
        "1.0/library", json={"items": [recorded]}, headers={"State-Token": "123"}
    )

    result = await api.get_library()

    (title,) = result.titles
    assert title.asin == recorded["asin"]
    assert title.title == recorded["title"]
    assert title.subtitle == recorded["subtitle"]
    assert title.authors == tuple(a["name"] for a in recorded["authors"])
    assert title.narrators == tuple(n["name"] for n in recorded["narrators"])
    assert title.series == (
        SeriesRef(
            recorded["series"][0]["title"],
            recorded["series"][0]["sequence"],
            recorded["series"][0]["asin"],
        ),
    )
    assert title.runtime_s == recorded["runtime_length_min"] * 60
    assert title.cover_url == recorded["product_images"]["500"]
    # listening_status (10.0) wins over the stale top-level value (0.0).
    assert (
        recorded["percent_complete"] != recorded["listening_status"]["percent_complete"]
    )
    assert title.percent_complete == recorded["listening_status"]["percent_complete"]
    assert title.is_finished is False
    assert title.isbn is None
    assert title.purchase_date == datetime(2026, 1, 2, 12, 57, 43, 960000, tzinfo=UTC)
    assert title.finished_at is None
    assert result.state_token == "123"
    assert result.removed_asins == frozenset()
    assert result.is_delta is False


async def test_library_parses_every_recorded_page_item(
    fake: FakeAudible, api: AudibleClient
) -> None:
    recorded = load_fixture("library_page.json")["items"]
    fake.respond_next("1.0/library", json={"items": recorded})

    result = await api.get_library()

    assert [t.asin for t in result.titles] == [i["asin"] for i in recorded]
    assert [t.title for t in result.titles] == [i["title"] for i in recorded]
    assert [t.runtime_s for t in result.titles] == [
        i["runtime_length_min"] * 60 for i in recorded
    ]
    assert [t.cover_url for t in result.titles] == [
        i["product_images"]["500"] for i in recorded
    ]
    assert [t.series for t in result.titles] == [
        tuple(SeriesRef(s["title"], s["sequence"], s["asin"]) for s in i["series"])
        for i in recorded
    ]
    assert result.state_token is None


async def test_library_asks_for_the_documented_parameters(
    fake: FakeAudible, api: AudibleClient
) -> None:
    fake.add_items(make_item(ASIN_A, "Title"))
    await api.get_library()

    (request,) = fake.requests_to("1.0/library")
    groups = set(request.params["response_groups"].split(","))
    assert {
        "product_desc",
        "product_attrs",
        "contributors",
        "media",
        "series",
        "listening_status",
        "is_finished",
        "percent_complete",
    } <= groups
    assert request.params["num_results"] == "1000"
    assert request.params["image_sizes"] == "500"
    assert request.params["page"] == "1"
    assert "state_token" not in request.params


async def test_library_maps_a_built_item(fake: FakeAudible, api: AudibleClient) -> None:
    fake.add_items(
        make_item(
            ASIN_A,
            "Die S\u00e4ulen der Erde \u2013 Teil 1 \U0001f409",
            subtitle="Roman",
            authors=("Ken Follett", "Emily Brontë"),
            narrators=("Jürgen Holdorf",),
            series=(("Kingsbridge", "1-6"), ("Prequels", "0.5")),
            runtime_min=1234,
            percent_complete=37.5,
            isbn="9783404178001",
        )
    )

    (title,) = (await api.get_library()).titles

    assert title.title == "Die S\u00e4ulen der Erde \u2013 Teil 1 \U0001f409"
    assert title.subtitle == "Roman"
    assert title.authors == ("Ken Follett", "Emily Brontë")
    assert title.narrators == ("Jürgen Holdorf",)
    assert [(ref.title, ref.sequence) for ref in title.series] == [
        ("Kingsbridge", "1-6"),
        ("Prequels", "0.5"),
    ]
    # Each series keeps its catalog ASIN (the series model fetches by it).
    assert all(ref.asin for ref in title.series)
    assert title.runtime_s == 1234 * 60
    assert title.percent_complete == 37.5
    assert title.isbn == "9783404178001"
    assert title.cover_url == (
        f"https://m.media-amazon.com/images/I/{ASIN_A}IMG._SL500_.jpg"
    )


async def test_finished_at_only_for_finished_titles(
    fake: FakeAudible, api: AudibleClient
) -> None:
    finished_at = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)
    fake.now = lambda: finished_at
    fake.add_items(make_item(ASIN_A, "Done"), make_item(ASIN_B, "Undone"))
    fake.set_listening(ASIN_A, is_finished=True)
    fake.set_listening(ASIN_B, is_finished=True)
    # Un-finishing keeps the old timestamp at Audible.
    fake.set_listening(ASIN_B, is_finished=False)

    titles = {t.asin: t for t in (await api.get_library()).titles}

    assert titles[ASIN_A].is_finished is True
    assert titles[ASIN_A].finished_at == finished_at
    assert fake.items[ASIN_B]["listening_status"]["finished_at_timestamp"]
    assert titles[ASIN_B].is_finished is False
    assert titles[ASIN_B].finished_at is None


async def test_library_follows_every_page(
    fake: FakeAudible, api: AudibleClient
) -> None:
    fake.max_page_size = 2
    fake.add_items(
        *(
            make_item(
                f"B0PAGE{n:04d}", f"Book {n}", purchase_date=f"2024-01-0{n}T00:00:00Z"
            )
            for n in range(1, 6)
        )
    )

    result = await api.get_library()

    assert [t.title for t in result.titles] == [f"Book {n}" for n in range(1, 6)]
    pages = [r.params["page"] for r in fake.requests_to("1.0/library")]
    assert pages == ["1", "2", "3"]


@pytest.mark.parametrize(("count", "requests"), [(5, 3), (4, 3), (1, 1)])
async def test_library_without_total_count_reads_until_a_short_page(
    fake: FakeAudible,
    api: AudibleClient,
    monkeypatch: pytest.MonkeyPatch,
    count: int,
    requests: int,
) -> None:
    monkeypatch.setattr(audible_api, "_LIBRARY_PAGE_SIZE", 2)
    fake.send_total_count = False
    fake.add_items(*(make_item(f"B0PAGE{n:04d}", f"Book {n}") for n in range(count)))

    result = await api.get_library()

    assert len(result.titles) == count
    assert fake.count("1.0/library") == requests


async def test_unreadable_total_count_is_ignored(
    fake: FakeAudible, api: AudibleClient
) -> None:
    fake.respond_next(
        "1.0/library",
        json={"items": [make_item(ASIN_A, "One")]},
        headers={"Total-Count": "many"},
    )

    result = await api.get_library()

    # A short page ends the walk when the count cannot be read.
    assert [t.asin for t in result.titles] == [ASIN_A]
    assert fake.count("1.0/library") == 1


async def test_library_stops_at_the_page_limit(
    fake: FakeAudible,
    api: AudibleClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(audible_api, "_LIBRARY_MAX_PAGES", 3)
    fake.max_page_size = 1
    fake.add_items(*(make_item(f"B0PAGE{n:04d}", f"Book {n}") for n in range(5)))

    with caplog.at_level(logging.WARNING):
        result = await api.get_library()

    assert len(result.titles) == 3
    assert fake.count("1.0/library") == 3
    assert "after 3 pages" in caplog.text


async def test_empty_library(fake: FakeAudible, api: AudibleClient) -> None:
    result = await api.get_library()

    assert result == LibraryResult(
        titles=[],
        removed_asins=frozenset(),
        state_token=fake.state_token,
        is_delta=False,
    )
    assert fake.count("1.0/library") == 1


async def test_delta_fetch_returns_only_changes(
    fake: FakeAudible, api: AudibleClient
) -> None:
    fake.add_items(make_item(ASIN_A, "Kept"), make_item(ASIN_B, "Refunded"))
    full = await api.get_library()
    assert {t.asin for t in full.titles} == {ASIN_A, ASIN_B}

    fake.add_items(make_item(ASIN_C, "New"))
    fake.set_listening(ASIN_A, percent_complete=55.0)
    fake.revoke(ASIN_B)
    delta = await api.get_library(state_token=full.state_token)

    assert delta.is_delta is True
    assert {t.asin: t.percent_complete for t in delta.titles} == {
        ASIN_A: 55.0,
        ASIN_C: 0.0,
    }
    assert delta.removed_asins == frozenset({ASIN_B})
    assert delta.state_token == fake.state_token != full.state_token
    assert fake.requests[-1].params["state_token"] == full.state_token

    unchanged = await api.get_library(state_token=delta.state_token)
    assert unchanged == LibraryResult([], frozenset(), delta.state_token, True)


async def test_refused_state_token_falls_back_to_a_full_fetch(
    fake: FakeAudible, api: AudibleClient
) -> None:
    fake.add_items(make_item(ASIN_A, "One"), make_item(ASIN_B, "Two"))
    old = (await api.get_library()).state_token
    fake.expire_state_tokens()

    result = await api.get_library(state_token=old)

    assert result.is_delta is False
    assert {t.asin for t in result.titles} == {ASIN_A, ASIN_B}
    refused, full = fake.requests_to("1.0/library")[-2:]
    assert (refused.status, refused.params["state_token"]) == (400, old)
    assert full.status == 200
    assert "state_token" not in full.params


async def test_refunded_titles_are_excluded(
    fake: FakeAudible, api: AudibleClient
) -> None:
    # The full fetch asks for Active titles; should a revoked one come back
    # anyway, it is reported as removed, not as a title.
    fake.respond_next(
        "1.0/library",
        json={
            "items": [
                make_item(ASIN_A, "Owned"),
                make_item(ASIN_B, "Returned", status="Revoked"),
            ]
        },
    )

    result = await api.get_library()

    assert [t.asin for t in result.titles] == [ASIN_A]
    assert result.removed_asins == frozenset({ASIN_B})


async def test_revoked_fake_titles_leave_the_full_library(
    fake: FakeAudible, api: AudibleClient
) -> None:
    fake.add_items(make_item(ASIN_A, "Owned"), make_item(ASIN_B, "Returned"))
    fake.revoke(ASIN_B)

    result = await api.get_library()

    assert [t.asin for t in result.titles] == [ASIN_A]


async def test_malformed_library_items_are_skipped(
    fake: FakeAudible, api: AudibleClient
) -> None:
    odd = {
        "asin": "B0ODD00001",
        "title": "  Odd but usable  ",
        "subtitle": "   ",
        "authors": "not a list",
        "narrators": [{"name": "Real Narrator"}, {"name": None}, "x"],
        "series": [{"title": 5}, "x", {"title": "Saga", "sequence": 2}, {"title": "S"}],
        "runtime_length_min": "long",
        "listening_status": "broken",
        "percent_complete": True,
        "is_finished": "yes",
        "isbn": 9780000000000,
        "product_images": {"abc": "x", "1215": "https://big", "252": "https://small"},
        "purchase_date": "not a date",
        "library_status": {"date_added": "2024-05-05T10:00:00+02:00"},
    }
    fake.respond_next(
        "1.0/library",
        json={
            "items": [
                "not an item",
                None,
                {"title": "No ASIN"},
                {"asin": "B0NOTITLE1", "title": None},
                {"asin": "B0NOTITLE2"},
                make_item(ASIN_A, "Fine"),
                odd,
            ]
        },
    )

    result = await api.get_library()

    assert [t.asin for t in result.titles] == [ASIN_A, "B0ODD00001"]
    parsed = result.titles[1]
    assert parsed.title == "Odd but usable"
    assert parsed.subtitle is None
    assert parsed.authors == ()
    assert parsed.narrators == ("Real Narrator",)
    assert parsed.series == (SeriesRef("Saga", "2"), SeriesRef("S", None))
    assert parsed.runtime_s is None
    assert parsed.percent_complete is None
    assert parsed.is_finished is False
    assert parsed.isbn is None
    assert parsed.cover_url == "https://big"
    assert parsed.purchase_date == datetime(2024, 5, 5, 8, 0, tzinfo=UTC)


async def test_numeric_strings_are_numbers(
    fake: FakeAudible, api: AudibleClient
) -> None:
    # One rule for every service (json_fields.number): numeric strings count.
    item = make_item(ASIN_A, "Strings")
    item["runtime_length_min"] = "90"
    item["listening_status"]["percent_complete"] = " 42.5 "
    fake.respond_next("1.0/library", json={"items": [item]})

    (title,) = (await api.get_library()).titles

    assert title.runtime_s == 5400.0
    assert title.percent_complete == 42.5


async def test_top_level_progress_is_the_fallback(
    fake: FakeAudible, api: AudibleClient
) -> None:
    item = make_item(ASIN_A, "No listening status")
    del item["listening_status"]
    item.update(
        {"percent_complete": 140.0, "is_finished": True, "product_images": ["x"]}
    )
    fake.respond_next("1.0/library", json={"items": [item]})

    (title,) = (await api.get_library()).titles

    assert title.percent_complete == 100.0  # clamped to 0..100
    assert title.is_finished is True
    assert title.cover_url is None


@pytest.mark.parametrize(
    "response",
    [
        {"json": {"items": None}},
        {"json": ["not", "a", "page"]},
        {"text": "<html>Sorry</html>"},
    ],
)
async def test_unexpected_library_page(
    fake: FakeAudible, api: AudibleClient, response: dict[str, Any]
) -> None:
    fake.respond_next("1.0/library", **response)
    with pytest.raises(AudibleResponseError) as raised:
        await api.get_library()
    assert isinstance(raised.value, DataError)


# -- last positions -----------------------------------------------------------


async def test_last_positions_exist_or_not(
    fake: FakeAudible, api: AudibleClient
) -> None:
    heard_at = datetime(2026, 8, 30, 10, 54, 0, 671000, tzinfo=UTC)
    fake.set_position(ASIN_A, 221643, heard_at)

    positions = await api.get_last_positions([ASIN_A, ASIN_B, ASIN_A])

    assert positions == {
        ASIN_A: AudiblePosition(ASIN_A, 221.643, heard_at),
        ASIN_B: None,
    }
    (request,) = fake.requests_to("1.0/annotations/lastpositions")
    assert request.params["asins"] == f"{ASIN_A},{ASIN_B}"


async def test_last_positions_recorded_payloads(
    fake: FakeAudible, api: AudibleClient
) -> None:
    fake.respond_next(
        "1.0/annotations/lastpositions",
        json=load_fixture("annotations_lastpositions.json"),
    )
    fake.respond_next(
        "1.0/annotations/lastpositions",
        json=load_fixture("annotations_lastpositions_mixed.json"),
    )

    single = await api.get_last_positions(["B01L790CUU"])
    mixed = await api.get_last_positions(["B0EXIST001", "B0NEVER002"])

    # last_updated comes without a zone; it is UTC.
    assert single == {
        "B01L790CUU": AudiblePosition(
            "B01L790CUU",
            221.643,
            datetime(2026, 8, 30, 10, 54, 0, 671000, tzinfo=UTC),
        )
    }
    assert mixed == {
        "B0EXIST001": AudiblePosition(
            "B0EXIST001", 4.242, datetime(2026, 8, 20, 23, 35, 5, 608000, tzinfo=UTC)
        ),
        # DoesNotExist is "no position", not position 0.
        "B0NEVER002": None,
    }


async def test_last_positions_are_asked_25_at_a_time(
    fake: FakeAudible, api: AudibleClient
) -> None:
    asins = [f"B0BATCH{n:03d}" for n in range(60)]
    fake.set_position(asins[59], 1000)

    positions = await api.get_last_positions(asins)

    batches = [
        r.params["asins"].split(",")
        for r in fake.requests_to("1.0/annotations/lastpositions")
    ]
    assert [len(batch) for batch in batches] == [25, 25, 10]
    assert [asin for batch in batches for asin in batch] == asins
    assert set(positions) == set(asins)
    last = positions[asins[59]]
    assert last is not None
    assert last.position_s == 1.0
    assert [asin for asin, position in positions.items() if position] == [asins[59]]


async def test_no_asins_no_request(fake: FakeAudible, api: AudibleClient) -> None:
    assert await api.get_last_positions([]) == {}
    assert fake.requests == []


async def test_malformed_last_positions_are_left_out(
    fake: FakeAudible, api: AudibleClient
) -> None:
    def heard(asin: str, **fields: Any) -> dict[str, Any]:
        return {"asin": asin, "last_position_heard": {"status": "Exists", **fields}}

    fake.respond_next(
        "1.0/annotations/lastpositions",
        json={
            "asin_last_position_heard_annots": [
                "garbage",
                {"last_position_heard": {"status": "DoesNotExist"}},
                {"asin": "B0NOHEARD1", "last_position_heard": "x"},
                heard("B0NOTIME01", position_ms=5),
                heard("B0NEGATIV1", position_ms=-5, last_updated="2026-01-01 00:00:00"),
                heard("B0BADTIME1", position_ms=5, last_updated="yesterday"),
                heard(
                    "B0TEXTPOS1", position_ms="4242", last_updated="2026-01-01 00:00:00"
                ),
                heard(
                    "B0ZONED001",
                    position_ms=1500,
                    last_updated="2026-01-01T02:00:00+02:00",
                ),
                heard("B0NOTASKED", position_ms=1, last_updated="2026-01-01 00:00:00"),
            ]
        },
    )
    asked = [
        "B0NOHEARD1",
        "B0NOTIME01",
        "B0NEGATIV1",
        "B0BADTIME1",
        "B0TEXTPOS1",
        "B0ZONED001",
    ]

    positions = await api.get_last_positions(asked)

    midnight = datetime(2026, 1, 1, tzinfo=UTC)
    assert positions == {
        "B0TEXTPOS1": AudiblePosition("B0TEXTPOS1", 4.242, midnight),
        "B0ZONED001": AudiblePosition("B0ZONED001", 1.5, midnight),
    }


async def test_unexpected_last_positions_shape(
    fake: FakeAudible, api: AudibleClient
) -> None:
    fake.respond_next("1.0/annotations/lastpositions", json={"something": "else"})
    with pytest.raises(AudibleResponseError):
        await api.get_last_positions([ASIN_A])


# -- listening stats ----------------------------------------------------------


async def test_listening_days(fake: FakeAudible, api: AudibleClient) -> None:
    fake.daily_listening_ms.update(
        {"2026-02-27": 90_000, "2026-03-01": 3_600_000, "2026-03-02": 1_500}
    )

    days = await api.get_listening_days(today=date(2026, 3, 1), days=3)

    assert days == [
        ListeningDay("2026-02-27", 90.0),
        ListeningDay("2026-02-28", 0.0),
        ListeningDay("2026-03-01", 3600.0),
    ]
    (request,) = fake.requests_to("1.0/stats/aggregates")
    assert request.params == {
        "daily_listening_interval_duration": "3",
        "daily_listening_interval_start_date": "2026-02-27",
        "response_groups": "total_listening_stats",
        "store": "Audible",
    }


async def test_listening_days_default_window(
    fake: FakeAudible, api: AudibleClient
) -> None:
    today = date(2026, 3, 31)
    fake.daily_listening_ms[today.isoformat()] = 60_000

    days = await api.get_listening_days(today=today)

    assert len(days) == 30
    assert days[0].date == "2026-03-02"
    assert days[-1] == ListeningDay("2026-03-31", 60.0)
    assert fake.count("1.0/stats/aggregates") == 1


async def test_long_spans_are_asked_in_30_day_windows(
    fake: FakeAudible, api: AudibleClient
) -> None:
    today = date(2026, 3, 31)
    first = today - timedelta(days=44)
    fake.daily_listening_ms[first.isoformat()] = 1000
    fake.daily_listening_ms[today.isoformat()] = 2000

    days = await api.get_listening_days(today=today, days=45)

    windows = [
        (
            r.params["daily_listening_interval_start_date"],
            r.params["daily_listening_interval_duration"],
        )
        for r in fake.requests_to("1.0/stats/aggregates")
    ]
    assert windows == [(first.isoformat(), "30"), ("2026-03-17", "15")]
    assert len(days) == 45
    assert (days[0].listening_s, days[-1].listening_s) == (1.0, 2.0)
    assert sum(day.listening_s for day in days) == 3.0


async def test_listening_days_must_be_positive(
    fake: FakeAudible, api: AudibleClient
) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await api.get_listening_days(today=date(2026, 1, 1), days=0)
    assert fake.requests == []


async def test_total_only_stats_payload_means_no_daily_data(
    fake: FakeAudible, api: AudibleClient
) -> None:
    fake.respond_next(
        "1.0/stats/aggregates", json=load_fixture("stats_aggregates_total.json")
    )

    days = await api.get_listening_days(today=date(2026, 1, 2), days=2)

    assert days == [ListeningDay("2026-01-01", 0.0), ListeningDay("2026-01-02", 0.0)]


async def test_malformed_daily_stats_are_skipped(
    fake: FakeAudible, api: AudibleClient
) -> None:
    def stat(day: Any, amount: Any, unit: Any = "Milliseconds") -> dict[str, Any]:
        return {"interval_identifier": day, "aggregated_sum": amount, "unit": unit}

    fake.respond_next(
        "1.0/stats/aggregates",
        json={
            "aggregated_daily_listening_stats": [
                "garbage",
                stat("2026-01-01", 120, "Seconds"),
                stat("2026-01-02", 5, "Fortnights"),
                stat("2026-01-03", True),
                stat("01/04/2026", 1000),
                stat("2026-01-04", -1000),
                stat(20260105, 1000),
                {"interval_identifier": "2026-01-05", "aggregated_sum": 2000},
                stat("2025-12-31", 1000),
            ]
        },
    )

    days = await api.get_listening_days(today=date(2026, 1, 5), days=5)

    assert [day.listening_s for day in days] == [120.0, 0.0, 0.0, 0.0, 2.0]


# -- content metadata (ACR and exact runtime) ----------------------------------


async def test_get_content_metadata(fake: FakeAudible, api: AudibleClient) -> None:
    fake.add_items(make_item(ASIN_A, "Title", runtime_min=10))

    metadata = await api.get_content_metadata(ASIN_A)

    assert metadata == ContentMetadata(acr=fake.acrs[ASIN_A], runtime_ms=580_000)
    (request,) = fake.requests_to("1.0/content/")
    assert request.path == f"1.0/content/{ASIN_A}/metadata"
    assert request.params == {
        "response_groups": "chapter_info,content_reference",
        "drm_type": "Adrm",
    }
    assert fake.count("1.0/content/", method="POST") == 0


async def test_get_content_metadata_from_recorded_answer(
    fake: FakeAudible, api: AudibleClient
) -> None:
    fake.respond_next("1.0/content/", json=load_fixture("content_metadata.json"))
    assert await api.get_content_metadata("B0F154ZCSN") == ContentMetadata(
        acr="CR!A5XSASSTVH31Z8Y0V3C0C8D1BWPG", runtime_ms=34_627_937
    )


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"content_metadata": {}}, ContentMetadata()),
        (
            {"content_metadata": {"content_reference": {"acr": ""}}},
            ContentMetadata(),
        ),
        ({"content_metadata": {"content_reference": "x"}}, ContentMetadata()),
        (
            {
                "content_metadata": {
                    "content_reference": {"acr": "CR!X"},
                    "chapter_info": {"runtime_length_ms": "n/a"},
                }
            },
            ContentMetadata(acr="CR!X"),
        ),
        (
            {"content_metadata": {"chapter_info": {"runtime_length_ms": 0}}},
            ContentMetadata(),
        ),
        (
            {"content_metadata": {"chapter_info": {"runtime_length_ms": 61000.4}}},
            ContentMetadata(runtime_ms=61000),
        ),
        ("not json", ContentMetadata()),
    ],
)
async def test_get_content_metadata_leniently(
    fake: FakeAudible, api: AudibleClient, payload: Any, expected: ContentMetadata
) -> None:
    if isinstance(payload, str):
        fake.respond_next("1.0/content/", text=payload)
    else:
        fake.respond_next("1.0/content/", json=payload)
    assert await api.get_content_metadata(ASIN_A) == expected


async def test_get_content_metadata_of_unknown_title(
    fake: FakeAudible, api: AudibleClient
) -> None:
    assert await api.get_content_metadata(ASIN_B) == ContentMetadata()
    assert fake.requests[-1].status == 404


async def test_get_content_metadata_other_refusals_raise(
    fake: FakeAudible, api: AudibleClient
) -> None:
    fake.add_items(make_item(ASIN_A, "Title"))
    fake.fail_next(400)
    with pytest.raises(AudibleConnectionError):
        await api.get_content_metadata(ASIN_A)


@pytest.mark.parametrize("asin", ["", "../library", "B0 SPACE", "B0/SLASH", "x" * 21])
async def test_asins_that_could_change_the_path_are_refused(
    fake: FakeAudible, api: AudibleClient, asin: str
) -> None:
    with pytest.raises(ValueError, match="ASIN"):
        await api.get_content_metadata(asin)
    with pytest.raises(ValueError, match="ASIN"):
        await api.set_last_position(asin, acr="CR!X", position_ms=1)
    with pytest.raises(ValueError, match="ASIN"):
        await api.mark_finished(asin)
    assert fake.requests == []


# -- writes -------------------------------------------------------------------


async def test_set_last_position(fake: FakeAudible, api: AudibleClient) -> None:
    written_at = datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)
    fake.now = lambda: written_at
    fake.add_items(make_item(ASIN_A, "Title"))
    acr = (await api.get_content_metadata(ASIN_A)).acr
    assert acr is not None

    await api.set_last_position(ASIN_A, acr=acr, position_ms=5_400_000)

    (put,) = fake.requests_to("1.0/lastpositions/", method="PUT")
    assert put.path == f"1.0/lastpositions/{ASIN_A}"
    assert put.body == {"acr": acr, "asin": ASIN_A, "position_ms": 5_400_000}
    assert await api.get_last_positions([ASIN_A]) == {
        ASIN_A: AudiblePosition(ASIN_A, 5400.0, written_at)
    }


async def test_position_with_a_wrong_acr_is_dropped_by_audible(
    fake: FakeAudible, api: AudibleClient
) -> None:
    fake.add_items(make_item(ASIN_A, "Title"))

    await api.set_last_position(ASIN_A, acr="CR!STALE", position_ms=1000)

    assert fake.requests[-1].status == 200
    assert ASIN_A not in fake.positions


@pytest.mark.parametrize(
    ("position_ms", "acr", "error"),
    [
        (-1, "CR!X", ValueError),
        (1, "", ValueError),
        (1.5, "CR!X", TypeError),
        (True, "CR!X", TypeError),
    ],
)
async def test_invalid_position_writes_send_nothing(
    fake: FakeAudible, api: AudibleClient, position_ms: Any, acr: str, error: type
) -> None:
    with pytest.raises(error):
        await api.set_last_position(ASIN_A, acr=acr, position_ms=position_ms)
    assert fake.requests == []


async def test_mark_finished_and_unfinished(
    fake: FakeAudible, api: AudibleClient
) -> None:
    fake.add_items(make_item(ASIN_A, "Title", percent_complete=99.0))
    token = (await api.get_library()).state_token

    await api.mark_finished(ASIN_A, duration_ms=36_000_000)

    (event,) = fake.stats_events
    assert event["event_type"] == "ManualMarkAsFinished"
    assert event["asin"] == ASIN_A
    assert event["store"] == "Audible"
    assert event["length_of_book"] == 36_000_000
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", event["event_timestamp"]
    )
    assert fake.requests[-1].method == "PUT"
    delta = await api.get_library(state_token=token)
    assert [(t.asin, t.is_finished) for t in delta.titles] == [(ASIN_A, True)]

    await api.mark_unfinished(ASIN_A)

    assert fake.stats_events[-1]["event_type"] == "ManualMarkAsUnfinished"
    assert "length_of_book" not in fake.stats_events[-1]
    (title,) = (await api.get_library()).titles
    assert title.is_finished is False


async def test_mark_finished_refuses_a_negative_duration(
    fake: FakeAudible, api: AudibleClient
) -> None:
    with pytest.raises(ValueError, match="duration_ms"):
        await api.mark_finished(ASIN_A, duration_ms=-1)
    assert fake.requests == []


# -- errors -------------------------------------------------------------------

CALLS = {
    "library": lambda api: api.get_library(),
    "positions": lambda api: api.get_last_positions([ASIN_A]),
    "stats": lambda api: api.get_listening_days(today=date(2026, 1, 1), days=1),
    "metadata": lambda api: api.get_content_metadata(ASIN_A),
    "write": lambda api: api.set_last_position(ASIN_A, acr="CR!X", position_ms=1),
    "finish": lambda api: api.mark_finished(ASIN_A),
}


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (401, AudibleAuthError),
        (403, AudibleAuthError),
        (429, AudibleRateLimitError),
        (503, AudibleRateLimitError),
        (500, AudibleConnectionError),
        (502, AudibleConnectionError),
        (400, AudibleConnectionError),
        ("timeout", AudibleConnectionError),
        ("network", AudibleConnectionError),
    ],
)
async def test_failures_map_to_adapter_errors(
    fake: FakeAudible,
    api: AudibleClient,
    call: str,
    failure: Any,
    error: type[AudibleError],
) -> None:
    fake.add_items(make_item(ASIN_A, "Title"))
    fake.fail_next(failure)

    with pytest.raises(error) as raised:
        await CALLS[call](api)

    assert type(raised.value) is error or error is AudibleConnectionError
    message = str(raised.value)
    assert not any(secret in message for secret in secrets_of(fake.auth_data))
    assert "Fake failure" not in message  # server text stays out
    # The next call works again.
    await CALLS[call](api)


async def test_a_failure_mid_library_fails_the_fetch(
    fake: FakeAudible, api: AudibleClient
) -> None:
    fake.max_page_size = 1
    fake.add_items(make_item(ASIN_A, "One"), make_item(ASIN_B, "Two"))
    fake.fail_next(500, path="1.0/library", skip=1)

    with pytest.raises(AudibleConnectionError):
        await api.get_library()
    assert [r.status for r in fake.requests_to("1.0/library")] == [200, 500]


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_seconds(
    fake: FakeAudible, api: AudibleClient, status: int
) -> None:
    fake.fail_next(status, retry_after="120")
    with pytest.raises(AudibleRateLimitError) as raised:
        await api.get_library()
    assert raised.value.retry_after == 120.0


async def test_retry_after_http_date(fake: FakeAudible, api: AudibleClient) -> None:
    later = datetime.now(UTC) + timedelta(minutes=10)
    fake.fail_next(429, retry_after=format_datetime(later, usegmt=True))
    with pytest.raises(AudibleRateLimitError) as raised:
        await api.get_library()
    assert raised.value.retry_after is not None
    assert 590 <= raised.value.retry_after <= 600


async def test_retry_after_absent(fake: FakeAudible, api: AudibleClient) -> None:
    fake.fail_next(429)
    with pytest.raises(AudibleRateLimitError) as raised:
        await api.get_library()
    assert raised.value.retry_after is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("0", 0.0),
        (" 7 ", 7.0),
        ("-5", 0.0),
        ("soon", None),
        ("inf", None),
        ("nan", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past
        ("Wed, 21 Oct 2015 07:28:00", 0.0),  # no zone: GMT
    ],
)
def test_retry_after_values(header: str, expected: float | None) -> None:
    assert audible_api._retry_after_s(header) == expected


async def test_unusable_signing_state_is_an_auth_error(
    fake: FakeAudible, api: AudibleClient
) -> None:
    # No signing key, no token, no cookies left: audible cannot authenticate.
    auth = api._client.auth
    auth.adp_token = None
    auth.access_token = None
    auth.website_cookies = None
    with pytest.raises(AudibleAuthError):
        await api.get_library()
    assert fake.requests == []


# -- robustness ---------------------------------------------------------------

_FIELDS = [
    "asin",
    "title",
    "subtitle",
    "authors",
    "narrators",
    "name",
    "series",
    "sequence",
    "isbn",
    "runtime_length_min",
    "product_images",
    "500",
    "listening_status",
    "percent_complete",
    "is_finished",
    "finished_at_timestamp",
    "purchase_date",
    "library_status",
    "date_added",
    "status",
    "last_position_heard",
    "position_ms",
    "last_updated",
    "interval_identifier",
    "aggregated_sum",
    "unit",
]
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(
        ["Active", "Revoked", "DoesNotExist", "Exists", "2026-01-01", "Seconds"]
    )
    | st.datetimes(timezones=st.none() | st.timezones()).map(str),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(_FIELDS) | st.text(max_size=4), children, max_size=6
        )
    ),
    max_leaves=20,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300)
@given(st.lists(_JSON, max_size=5))
def test_parsers_never_raise(values: list[Any]) -> None:
    titles: dict[str, Any] = {}
    removed: set[str] = set()
    audible_parse.collect_library_items(values, titles, removed)
    for title in titles.values():
        assert title.asin
        assert title.title
        assert title.percent_complete is None or 0 <= title.percent_complete <= 100
        assert title.purchase_date is None or title.purchase_date.tzinfo is UTC
    assert not removed & titles.keys()
    for value in values:
        parsed = audible_parse.parse_last_position(value)
        if parsed is not None and parsed[1] is not None:
            assert parsed[1].position_s >= 0
            assert parsed[1].last_updated.tzinfo is UTC
        stat = audible_parse.parse_daily_stat(value)
        if stat is not None:
            assert stat[1] >= 0
