"""Tests for the book event entity."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from tests.conftest import (
    FRANKENSTEIN_ID,
    NOW,
    advance,
    make_entry,
    setup_integration,
)
from tests.fakes.abs_server import FakeAbsServer
from tests.fakes.audible_server import FakeAudible

EVENT_ENTITY = "event.audible_de_book"


@pytest.fixture(autouse=True)
def only_events() -> Any:
    with patch("custom_components.audible_tracker.PLATFORMS", [Platform.EVENT]):
        yield


def record_events(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Every state the event entity takes, with its attributes."""
    seen: list[dict[str, Any]] = []
    stamps: set[str] = set()

    @callback
    def listener(event: Event[Any]) -> None:
        new = event.data["new_state"]
        # An event is a new timestamp; going unavailable and back is not.
        if (
            event.data["entity_id"] == EVENT_ENTITY
            and new is not None
            and new.state not in (STATE_UNKNOWN, STATE_UNAVAILABLE)
            and new.state not in stamps
        ):
            stamps.add(new.state)
            seen.append(dict(new.attributes))

    hass.bus.async_listen("state_changed", listener)
    return seen


async def test_event_entity(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    mock_audible: FakeAudible,
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_started_and_finished_fire_once(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    await setup_integration(hass, make_entry())
    events = record_events(hass)
    # The first poll after start-up is a baseline: nothing fired.
    assert hass.states.get(EVENT_ENTITY).state == STATE_UNKNOWN

    # Started on a phone: a library change, then a position.
    mock_audible.set_listening("B0LESMIS01", percent_complete=1.0)
    mock_audible.set_position("B0LESMIS01", 60_000, NOW)
    await hass.config_entries.async_get_entry(
        hass.config_entries.async_entries("audible_tracker")[0].entry_id
    ).runtime_data.library.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)
    await advance(hass, freezer)
    assert [(e["event_type"], e["asin"]) for e in events] == [("started", "B0LESMIS01")]
    assert events[0]["title"] == "Les Misérables"
    assert events[0]["authors"] == ["Victor Hugo"]
    assert events[0]["source"] == "audible"

    # Nothing changes: nothing fires again.
    await advance(hass, freezer)
    assert len(events) == 1

    # Finished.
    mock_audible.set_listening("B0FAKE0001", percent_complete=100.0, is_finished=True)
    entry = hass.config_entries.async_entries("audible_tracker")[0]
    await entry.runtime_data.library.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [(e["event_type"], e["asin"]) for e in events][-1] == (
        "finished",
        "B0FAKE0001",
    )
    await advance(hass, freezer)
    assert len(events) == 2


async def test_failed_poll_does_not_repeat_events(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    events = record_events(hass)
    mock_audible.set_position("B0OMNIBUS1", 120_000, NOW)
    mock_audible.set_listening("B0OMNIBUS1", percent_complete=1.0)
    await entry.runtime_data.library.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(events) == 1
    # A failing poll calls the listeners again with the old data.
    mock_audible.fail_next(500, times=10)
    await advance(hass, freezer)
    await advance(hass, freezer)
    assert len(events) == 1


async def test_no_events_after_restart(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    events = record_events(hass)
    # A book finished while Home Assistant was down.
    await hass.config_entries.async_unload(entry.entry_id)
    mock_audible.set_listening("B0FAKE0001", percent_complete=100.0, is_finished=True)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await advance(hass, freezer)
    assert events == []


async def test_abs_start_carries_source(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    events = record_events(hass)
    # Re-reading Frankenstein on ABS after finishing it on Audible.
    abs_world.set_progress(
        FRANKENSTEIN_ID,
        current_time=10.0,
        duration=49.359,
        last_update_ms=int(NOW.timestamp() * 1000) + 60_000,
    )
    await advance(hass, freezer)
    assert [(e["event_type"], e["asin"], e["source"]) for e in events] == [
        ("started", "B0FRANK001", "both")
    ]
    assert events[0]["abs_item_id"] == FRANKENSTEIN_ID
