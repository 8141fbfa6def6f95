"""Exact runtimes: fetched once per title that matters, within a budget, cached."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.audible_tracker.metadata import (
    FIRST_RETRY,
    REQUESTS_PER_POLL,
)
from tests.conftest import NOW, advance, make_entry, setup_integration
from tests.fakes.audible_server import FakeAudible, make_item

CURRENTLY_READING = "sensor.audible_de_currently_reading"
PROGRESS = "sensor.audible_de_progress"
NEAR_END = "B0NEAREND1"
METADATA = "1.0/content/"


def store_key(entry: MockConfigEntry) -> str:
    return f"audible_tracker.{entry.entry_id}"


def metadata_requests(fake: FakeAudible, asin: str | None = None) -> int:
    return fake.count(f"{METADATA}{asin}/metadata" if asin else METADATA)


def listen_near_the_end(fake: FakeAudible) -> None:
    """A 10-minute title (exactly 10:25) heard to 10:10, just now."""
    fake.add_items(
        make_item(NEAR_END, "Near The End", runtime_min=10, percent_complete=97.0)
    )
    fake.runtime_ms[NEAR_END] = 625_000
    fake.set_position(NEAR_END, 610_000, NOW)


async def test_exact_runtime_shows_a_book_not_yet_finished(
    hass: HomeAssistant, mock_audible: FakeAudible
) -> None:
    listen_near_the_end(mock_audible)
    await setup_integration(hass, make_entry())
    state = hass.states.get(CURRENTLY_READING)
    assert state.attributes["asin"] == NEAR_END
    # By the whole minutes this was 100 % with no time left.
    assert state.attributes["duration"] == 625.0
    assert state.attributes["percent"] == 97.6
    assert state.attributes["time_left"] == 15.0
    assert float(hass.states.get(PROGRESS).state) == 97.6
    assert metadata_requests(mock_audible, NEAR_END) == 1


async def test_two_thirds_through_by_the_exact_runtime(
    hass: HomeAssistant, mock_audible: FakeAudible
) -> None:
    mock_audible.add_items(
        make_item(NEAR_END, "Two Thirds", runtime_min=10, percent_complete=66.0)
    )
    # Exactly-ish 10 minutes: the fake's default, 20 s short of the minutes.
    assert mock_audible.runtime_ms[NEAR_END] == 580_000
    mock_audible.set_position(NEAR_END, 400_000, NOW)
    await setup_integration(hass, make_entry())
    state = hass.states.get(CURRENTLY_READING)
    assert state.attributes["percent"] == 69.0
    assert state.attributes["time_left"] == 180.0


async def test_failed_metadata_falls_back_to_minutes_and_backs_off(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    listen_near_the_end(mock_audible)
    mock_audible.fail_next(500, times=1, path=f"{METADATA}{NEAR_END}")
    await setup_integration(hass, make_entry())
    state = hass.states.get(CURRENTLY_READING)
    assert state.attributes["duration"] == 600.0
    assert state.attributes["percent"] == 100.0
    assert state.state != "unavailable"
    assert metadata_requests(mock_audible, NEAR_END) == 1
    # Not asked again at every poll: only once the back-off has passed.
    polls = int(FIRST_RETRY / timedelta(minutes=5))
    for _ in range(polls - 1):
        await advance(hass, freezer)
    assert metadata_requests(mock_audible, NEAR_END) == 1
    await advance(hass, freezer)
    assert metadata_requests(mock_audible, NEAR_END) == 2
    assert hass.states.get(CURRENTLY_READING).attributes["duration"] == 625.0


async def test_quiet_poll_with_everything_cached_asks_no_metadata(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    await setup_integration(hass, make_entry())
    first = metadata_requests(mock_audible)
    # The watchlist's titles, one request each, and nothing else.
    assert first == 3
    asked = {r.path for r in mock_audible.requests_to(METADATA)}
    assert asked == {
        f"{METADATA}{asin}/metadata"
        for asin in ("B0FAKE0001", "B0PREQUEL5", "B0UNMATCH1")
    }
    for _ in range(3):
        await advance(hass, freezer)
    assert metadata_requests(mock_audible) == first


async def test_a_new_in_progress_title_costs_one_request(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    await setup_integration(hass, make_entry())
    before = metadata_requests(mock_audible)
    listen_near_the_end(mock_audible)
    # The library refresh (every 30 minutes) brings the new title in.
    for _ in range(7):
        await advance(hass, freezer)
    assert metadata_requests(mock_audible) == before + 1
    assert metadata_requests(mock_audible, NEAR_END) == 1
    assert hass.states.get(CURRENTLY_READING).attributes["duration"] == 625.0


async def test_at_most_a_few_metadata_requests_per_poll(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    asins = [f"B0BUDGET{n:02d}" for n in range(REQUESTS_PER_POLL + 4)]
    mock_audible.add_items(
        *(make_item(asin, f"Book {asin}", percent_complete=50.0) for asin in asins)
    )
    await setup_integration(hass, make_entry())
    # 3 titles of the standard library and 9 new ones on the watchlist.
    assert metadata_requests(mock_audible) == REQUESTS_PER_POLL
    await advance(hass, freezer)
    assert metadata_requests(mock_audible) == 2 * REQUESTS_PER_POLL
    await advance(hass, freezer)
    assert metadata_requests(mock_audible) == 12
    await advance(hass, freezer)
    assert metadata_requests(mock_audible) == 12


async def test_no_metadata_while_audible_asks_to_wait(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    mock_audible.fail_next(429, times=1, path=METADATA, retry_after="600")
    await setup_integration(hass, make_entry())
    assert metadata_requests(mock_audible) == 1
    await advance(hass, freezer)
    # Audible asked for 10 minutes: nothing at all asked in between.
    assert metadata_requests(mock_audible) == 1
    await advance(hass, freezer, minutes=6)
    assert metadata_requests(mock_audible) == 4


async def test_store_of_the_previous_version_loads_and_gains_runtimes(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_audible: FakeAudible,
) -> None:
    entry = make_entry()
    hass_storage[store_key(entry)] = {
        "version": 1,
        "key": store_key(entry),
        "data": {"acr": {"B0FAKE0001": "CR!FAKEB0FAKE0001"}},
    }
    await setup_integration(hass, entry)
    store = entry.runtime_data.deps.store.data
    assert store.acr["B0FAKE0001"] == "CR!FAKEB0FAKE0001"
    assert store.runtime_ms == {
        "B0FAKE0001": 60_000,
        "B0PREQUEL5": 600 * 60_000 - 20_000,
        "B0UNMATCH1": 300 * 60_000 - 20_000,
    }
    await hass.async_block_till_done()
    await hass.async_stop(force=True)
    assert hass_storage[store_key(entry)]["data"]["runtime_ms"] == store.runtime_ms


@pytest.mark.parametrize("runtime_ms", [None, 0])
async def test_answer_without_runtime_keeps_the_minutes(
    hass: HomeAssistant, mock_audible: FakeAudible, runtime_ms: int | None
) -> None:
    listen_near_the_end(mock_audible)
    del mock_audible.runtime_ms[NEAR_END]
    if runtime_ms is not None:
        mock_audible.runtime_ms[NEAR_END] = runtime_ms
    entry = make_entry()
    await setup_integration(hass, entry)
    assert hass.states.get(CURRENTLY_READING).attributes["duration"] == 600.0
    # The ACR of that answer is kept all the same.
    store = entry.runtime_data.deps.store.data
    assert store.acr[NEAR_END] == f"CR!FAKE{NEAR_END}"
    assert NEAR_END not in store.runtime_ms
