"""Tests for the listening history's actions: mark_finished, get_listening_stats."""

from __future__ import annotations

from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.audible_tracker.core.sync import Side, WriteStatus
from tests.conftest import ANNE_ID, advance, make_entry, setup_integration
from tests.fakes.abs_server import ITEM_IDS, FakeAbsServer
from tests.fakes.audible_server import FakeAudible
from tests.test_services import (
    ANNE,
    ANNE_PROGRESS_PATH,
    UNMATCHED,
    assert_translated,
    call,
    writes,
)

CAT_ID = ITEM_IDS["吾輩は猫である"]  # on ABS only


@pytest.fixture
async def entry(
    hass: HomeAssistant, mock_audible: FakeAudible, abs_world: FakeAbsServer
) -> MockConfigEntry:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    return entry


def finish_events(audible: FakeAudible) -> list[str]:
    return [
        event["asin"]
        for event in audible.stats_events
        if event["event_type"] == "ManualMarkAsFinished"
    ]


async def test_mark_finished_a_linked_book_on_both_without_ping_pong(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    abs_world.clear_requests()
    progress = entry.runtime_data.progress
    # The poll the action asks for is held back, to look at the ledger first.
    with patch.object(progress, "async_request_refresh", AsyncMock()):
        await call(
            hass, "mark_finished", {"config_entry_id": entry.entry_id, "asin": ANNE}
        )
    assert abs_world.progress_json(ANNE_ID)["isFinished"] is True
    assert finish_events(mock_audible) == [ANNE]
    assert [r.json for r in abs_world.requests_to("PATCH", ANNE_PROGRESS_PATH)] == [
        {"isFinished": True}
    ]
    # Both writes are in the ledger, as the sync's own would be.
    ledger = entry.runtime_data.progress.sync.ledger.titles[ANNE]
    for side in (Side.AUDIBLE, Side.ABS):
        write = ledger.side(side).write
        assert write is not None
        assert write.status is WriteStatus.APPLIED
        assert write.reason == "mark_finished action"
    # The next polls confirm both and write nothing more.
    before = len(writes(mock_audible, abs_world))
    for _ in range(3):
        await advance(hass, freezer)
    assert len(writes(mock_audible, abs_world)) == before
    for side in (Side.AUDIBLE, Side.ABS):
        assert ledger.side(side).write is None
        assert ledger.side(side).seen.finished
    book = entry.runtime_data.progress.data.snapshot.books[ANNE]
    assert book.finished
    assert hass.states.get("sensor.audible_de_books_finished_this_year").state == "1"


async def test_mark_finished_an_unlinked_title_only_where_it_is(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
) -> None:
    abs_world.clear_requests()
    await call(
        hass, "mark_finished", {"config_entry_id": entry.entry_id, "asin": UNMATCHED}
    )
    assert finish_events(mock_audible) == [UNMATCHED]
    assert abs_world.requests_to("PATCH") == []
    await call(
        hass,
        "mark_finished",
        {"config_entry_id": entry.entry_id, "abs_item_id": CAT_ID},
    )
    assert abs_world.progress_json(CAT_ID)["isFinished"] is True
    assert finish_events(mock_audible) == [UNMATCHED]


async def test_mark_finished_with_audible_only(
    hass: HomeAssistant, mock_audible: FakeAudible
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    await call(hass, "mark_finished", {"config_entry_id": entry.entry_id, "asin": ANNE})
    assert finish_events(mock_audible) == [ANNE]
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "mark_finished",
            {"config_entry_id": entry.entry_id, "abs_item_id": CAT_ID},
        )
    assert_translated(err.value, "abs_not_configured")


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"asin": "B0NOSUCH00"}, "unknown_asin"),
        ({"abs_item_id": "no-such-item"}, "unknown_abs_item"),
        ({"asin": ANNE, "abs_item_id": ANNE_ID}, "push_needs_one_title"),
        ({}, "push_needs_one_title"),
    ],
)
async def test_mark_finished_refuses_unknown_titles(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    data: dict[str, str],
    key: str,
) -> None:
    before = len(writes(mock_audible, abs_world))
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "mark_finished", {"config_entry_id": entry.entry_id, **data})
    assert_translated(err.value, key)
    assert len(writes(mock_audible, abs_world)) == before


async def test_mark_finished_failing_is_reported(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
) -> None:
    # ABS takes the finish, Audible does not: reported, ABS's is recorded.
    mock_audible.fail_next(500, path="1.0/stats/events")
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass, "mark_finished", {"config_entry_id": entry.entry_id, "asin": ANNE}
        )
    assert_translated(err.value, "mark_finished_failed")
    assert abs_world.progress_json(ANNE_ID)["isFinished"] is True
    # Reading a side fails: nothing is written.
    abs_world.fail_next(path=ANNE_PROGRESS_PATH)
    before = len(writes(mock_audible, abs_world))
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass, "mark_finished", {"config_entry_id": entry.entry_id, "asin": ANNE}
        )
    assert_translated(err.value, "service_unavailable")
    assert len(writes(mock_audible, abs_world)) == before


async def test_get_listening_stats(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    abs_world.listening_days.update({"2026-11-17": 4800, "2026-11-16": 600})
    mock_audible.set_listening("B0OMNIBUS1", is_finished=True)
    await advance(hass, freezer, 60)
    response = await call(
        hass,
        "get_listening_stats",
        {
            "config_entry_id": entry.entry_id,
            "start": "2026-11-16",
            "end": "2026-11-18",
        },
        return_response=True,
    )
    assert response["days"] == [
        {
            "date": "2026-11-16",
            "audible_minutes": 0.0,
            "abs_minutes": 10.0,
            "combined_minutes": 10.0,
        },
        {
            "date": "2026-11-17",
            "audible_minutes": 60.0,
            "abs_minutes": 80.0,
            "combined_minutes": 80.0,
        },
        {
            "date": "2026-11-18",
            "audible_minutes": 30.0,
            "abs_minutes": None,
            "combined_minutes": 30.0,
        },
    ]
    assert response["total_minutes"] == {
        "audible": 90.0,
        "abs": 90.0,
        "combined": 120.0,
    }
    assert response["books_finished"] == [
        {
            "title": "The Wheel Omnibus",
            "asin": "B0OMNIBUS1",
            "abs_item_id": None,
            "finished": "2026-11-18",
        }
    ]
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "get_listening_stats",
            {
                "config_entry_id": entry.entry_id,
                "start": "2026-11-18",
                "end": "2026-11-16",
            },
            return_response=True,
        )
    assert_translated(err.value, "invalid_date_range")
