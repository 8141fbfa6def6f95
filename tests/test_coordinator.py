"""Tests for the coordinators: poll cost, schedules, errors per source, store."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant

from custom_components.audible_tracker.const import DOMAIN
from custom_components.audible_tracker.storage import TrackerStore
from tests.conftest import (
    ANNE_ID,
    LES_MIS_ID,
    NOW,
    advance,
    make_entry,
    setup_integration,
)
from tests.fakes.abs_server import FakeAbsServer
from tests.fakes.audible_server import FakeAudible

LIBRARY_SIZE = "sensor.audible_de_library_size"
CURRENTLY_READING = "sensor.audible_de_currently_reading"
UNMATCHED = "sensor.audible_de_unmatched_titles"


def reauth_sources(hass: HomeAssistant) -> list[str]:
    return [
        flow["context"]["source"]
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    ]


async def test_steady_poll_costs_one_request_per_service(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    # The catalog's first run (a minute after start) has a schedule of its own.
    await advance(hass, freezer)
    mock_audible.requests.clear()
    abs_world.clear_requests()
    await advance(hass, freezer)
    assert [r.path for r in mock_audible.requests] == ["1.0/annotations/lastpositions"]
    # Only the hot watchlist is asked about, never the whole library: New
    # Spring (in progress, no move for a week) was asked about at the start.
    asked = mock_audible.requests[0].params["asins"].split(",")
    assert sorted(asked) == ["B0FAKE0001", "B0UNMATCH1"]
    assert [(r.method, r.path) for r in abs_world.requests] == [("GET", "/api/me")]


async def test_library_on_its_own_schedule_with_deltas(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    mock_audible.max_page_size = 2  # a multi-page library
    await setup_integration(hass, make_entry())
    assert hass.states.get(LIBRARY_SIZE).state == "6"
    assert mock_audible.count("1.0/library") == 3
    first_token = mock_audible.state_token
    # A title refunded on Audible's site disappears at the next library refresh.
    mock_audible.revoke("B0OMNIBUS1")
    await advance(hass, freezer, 30)
    library_calls = mock_audible.requests_to("1.0/library")
    assert library_calls[-1].params.get("state_token") == str(first_token)
    assert hass.states.get(LIBRARY_SIZE).state == "5"

    # Listening stats are fetched at most hourly (the monthly totals, asked
    # once by the listening history, are not part of that).
    def daily_stats() -> int:
        return sum(
            "daily_listening_interval_duration" in request.params
            for request in mock_audible.requests_to("1.0/stats/aggregates")
        )

    assert daily_stats() == 1
    await advance(hass, freezer, 30)
    assert daily_stats() == 2


async def test_audible_auth_failure_during_poll_starts_reauth(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    await setup_integration(hass, make_entry())
    mock_audible.fail_next(401, times=3)
    await advance(hass, freezer)
    assert reauth_sources(hass) == [SOURCE_REAUTH]


async def test_audible_rate_limit_is_honoured(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    await setup_integration(hass, make_entry())
    mock_audible.fail_next(429, retry_after="900")
    await advance(hass, freezer)
    asked = mock_audible.count("1.0/annotations/lastpositions")
    # Within the 15 minutes Audible asked for: no request, data kept.
    await advance(hass, freezer)
    await advance(hass, freezer)
    assert mock_audible.count("1.0/annotations/lastpositions") == asked
    assert hass.states.get(CURRENTLY_READING).state == "Anne of Green Gables"
    assert reauth_sources(hass) == []
    # Retried once the time is up.
    await advance(hass, freezer)
    assert mock_audible.count("1.0/annotations/lastpositions") == asked + 1


async def test_abs_down_then_recovered(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    assert hass.states.get(UNMATCHED).state == "2"
    abs_world.fail_next(2, status=502, text="Bad Gateway")
    await advance(hass, freezer)
    assert hass.states.get(UNMATCHED).state == STATE_UNAVAILABLE
    # Audible alone still tells what is being listened to.
    assert hass.states.get(CURRENTLY_READING).state == "Anne of Green Gables"
    assert hass.states.get(LIBRARY_SIZE).state == "6"
    await advance(hass, freezer)
    await advance(hass, freezer)
    assert hass.states.get(UNMATCHED).state == "2"
    # One outage, logged once (both schedules share the record), and back once.
    assert caplog.text.count("Audiobookshelf is unavailable") == 1
    assert caplog.text.count("Audiobookshelf is available again") == 1


async def test_both_down_everything_unavailable(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    abs_world.fail_next(5, status=500)
    mock_audible.fail_next(500, times=5)
    await advance(hass, freezer)
    assert hass.states.get(CURRENTLY_READING).state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.audible_de_books_in_progress").state == (
        STATE_UNAVAILABLE
    )


async def test_abs_auth_failure_during_poll_starts_reauth(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    abs_world.fail_next(3, status=401, text="Unauthorized")
    await advance(hass, freezer)
    assert reauth_sources(hass) == [SOURCE_REAUTH]


async def test_unknown_abs_item_refreshes_the_index(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    new_item = abs_world.add_book(
        "Zzyzx Road Chronicles", authors=["Nobody Known"], duration=18000.0
    )
    abs_world.set_progress(
        new_item,
        current_time=100.0,
        duration=18000.0,
        last_update_ms=int(NOW.timestamp() * 1000),
    )
    abs_world.clear_requests()
    await advance(hass, freezer)
    paths = [r.path for r in abs_world.requests]
    assert any(p.endswith("/items") for p in paths)
    # The new item is indexed and matched without waiting 6 hours.
    links = entry.runtime_data.library.data.match.links
    assert links["B0UNMATCH1"].item_id == new_item
    # The same unknown id does not trigger again.
    abs_world.clear_requests()
    await advance(hass, freezer)
    assert [r.path for r in abs_world.requests] == ["/api/me"]


async def test_store_survives_a_reload(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    store = entry.runtime_data.deps.store
    store.data.manual_links["B0OMNIBUS1"] = LES_MIS_ID
    # ABS (30 s, heard later) was synced to Audible (24 s) in the first poll.
    anne = store.data.ledger["titles"]["B0FAKE0001"]
    assert anne["abs"]["seen"]["position_s"] == 30.0
    assert mock_audible.positions["B0FAKE0001"].position_ms == 30_000
    ledger_before = store.data.ledger
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    reloaded = TrackerStore(hass, entry.entry_id)
    data = await reloaded.async_load()
    assert data.manual_links == {"B0OMNIBUS1": LES_MIS_ID}
    # What each side said is kept for the sync: Audible now says 30 s too.
    assert data.ledger["titles"]["B0FAKE0001"]["audible"]["seen"]["position_s"] == 30
    assert data.acr["B0FAKE0001"] == mock_audible.acrs["B0FAKE0001"]
    assert data.ledger["titles"].keys() == ledger_before["titles"].keys()
    # The manual link won over matching after the reload.
    links = entry.runtime_data.library.data.match.links
    assert links["B0OMNIBUS1"].item_id == LES_MIS_ID
    assert links["B0OMNIBUS1"].method == "manual"
    assert links["B0FAKE0001"].item_id == ANNE_ID


async def test_an_old_store_with_a_saved_match_still_loads(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    hass_storage: dict[str, Any],
) -> None:
    """The last match result used to be saved; it is rebuilt at start instead."""
    entry = make_entry(abs_url=abs_world.url)
    key = f"{DOMAIN}.{entry.entry_id}"
    stale_link = {"item_id": "li-gone", "method": "asin", "score": 100.0}
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {
            "manual_links": {"B0OMNIBUS1": LES_MIS_ID},
            "ignored": [],
            "sync_disabled": [],
            "match": {"version": 1, "links": {"B0FAKE0001": stale_link}},
            "acr": {},
            "ledger": {},
            "abs_identity": None,
        },
    }
    await setup_integration(hass, entry)
    # Matched afresh (not the saved, stale link); the manual link is kept.
    links = entry.runtime_data.library.data.match.links
    assert links["B0FAKE0001"].item_id == ANNE_ID
    assert links["B0OMNIBUS1"].item_id == LES_MIS_ID
    assert await hass.config_entries.async_unload(entry.entry_id)
    saved = hass_storage[key]["data"]
    assert "match" not in saved
    assert saved["manual_links"] == {"B0OMNIBUS1": LES_MIS_ID}


async def test_library_rate_limit_waits_for_retry_after(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    library = entry.runtime_data.library
    mock_audible.fail_next(429, path="1.0/library", retry_after="3600")
    await advance(hass, freezer, 30)
    calls = mock_audible.count("1.0/library")
    # The next library refresh falls inside the hour Audible asked for.
    await advance(hass, freezer, 30)
    assert mock_audible.count("1.0/library") == calls
    # Still available: the library we have is kept.
    assert hass.states.get(LIBRARY_SIZE).state == "6"
    assert library.last_update_success
    await advance(hass, freezer, 30)
    assert mock_audible.count("1.0/library") == calls + 1


async def test_quiet_poll_does_not_write_the_store(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    await advance(hass, freezer)
    store = entry.runtime_data.deps.store
    with patch.object(store, "async_save", wraps=store.async_save) as save:
        await advance(hass, freezer)
        await advance(hass, freezer)
    assert save.call_count == 0


async def test_another_abs_server_or_user_starts_afresh(
    hass: HomeAssistant, mock_audible: FakeAudible, abs_world: FakeAbsServer
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    store = entry.runtime_data.deps.store
    store.data.manual_links["B0OMNIBUS1"] = LES_MIS_ID
    await store.async_save()
    assert store.data.ledger["titles"]
    await hass.config_entries.async_unload(entry.entry_id)

    # Another user on the same server: their positions are not ours.
    other = abs_world.add_user("guest", "pw")
    hass.config_entries.async_update_entry(
        entry,
        data={
            **entry.data,
            "abs_user_id": other.user_id,
            "abs_api_key": abs_world.add_api_key(user_id=other.user_id),
        },
    )
    abs_world.clear_requests()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    data = entry.runtime_data.deps.store.data
    assert data.manual_links == {"B0OMNIBUS1": LES_MIS_ID}
    # A fresh first sync for the guest: Audible's place is copied forwards.
    # (With the old ledger, the guest's missing position would have been
    # "not moved" against the admin's 30 s, and nothing written.)
    patches = abs_world.requests_to("PATCH", f"/api/me/progress/{ANNE_ID}")
    assert [p.json for p in patches] == [
        {"currentTime": 30.0, "duration": 60.0, "progress": 0.5}
    ]
    await hass.config_entries.async_unload(entry.entry_id)

    # Another server: its item ids mean nothing here.
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "abs_url": abs_world.url + "/"}
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.runtime_data.deps.store.data.manual_links == {}
