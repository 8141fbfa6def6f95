"""Tests for the options flow and options applied to a running entry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)

from custom_components.audible_tracker.const import (
    CONF_COOLDOWN,
    CONF_DRY_RUN,
    CONF_LIBRARY_REFRESH_HOURS,
    CONF_POLL_INTERVAL,
    CONF_SKEW_WINDOW,
    CONF_SYNC_MODE,
    CONF_THRESHOLD,
)
from custom_components.audible_tracker.core.sync import SyncMode, SyncOptions
from tests.conftest import ANNE_ID, advance, make_entry, setup_integration
from tests.fakes.abs_server import FakeAbsServer
from tests.fakes.audible_server import FakeAudible

ANNE = "B0FAKE0001"
SYNC_PLAN = "sensor.audible_de_sync_plan"

DEFAULTS = {
    CONF_SYNC_MODE: "bidirectional",
    CONF_DRY_RUN: False,
    CONF_POLL_INTERVAL: 300,
    CONF_THRESHOLD: 5.0,
    CONF_SKEW_WINDOW: 60.0,
    CONF_COOLDOWN: 600.0,
    CONF_LIBRARY_REFRESH_HOURS: 6.0,
}
CHANGED = {
    CONF_SYNC_MODE: "audible_to_abs",
    CONF_DRY_RUN: True,
    CONF_POLL_INTERVAL: 120,
    CONF_THRESHOLD: 10,
    CONF_SKEW_WINDOW: 30,
    CONF_COOLDOWN: 900,
    CONF_LIBRARY_REFRESH_HOURS: 12,
}


@pytest.fixture
async def entry(
    hass: HomeAssistant, mock_audible: FakeAudible, abs_world: FakeAbsServer
) -> MockConfigEntry:
    """A loaded entry with Audiobookshelf (Anne already synced)."""
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    return entry


async def set_options(
    hass: HomeAssistant, entry: MockConfigEntry, changes: dict[str, Any]
) -> None:
    """Go through the options flow, changing only these."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**DEFAULTS, **entry.options, **changes}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


def suggested_values(result: Any) -> dict[str, Any]:
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
    }


async def test_form_shows_the_defaults(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert suggested_values(result) == DEFAULTS


async def test_every_option_is_saved_and_shown_again(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], CHANGED
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert dict(entry.options) == CHANGED
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert suggested_values(result) == CHANGED


@pytest.mark.parametrize(
    ("option", "value"),
    [
        (CONF_POLL_INTERVAL, 59),
        (CONF_POLL_INTERVAL, 0),
        (CONF_THRESHOLD, 0),
        (CONF_SKEW_WINDOW, -1),
        (CONF_COOLDOWN, -1),
        (CONF_LIBRARY_REFRESH_HOURS, 0),
        (CONF_SYNC_MODE, "sideways"),
    ],
)
async def test_out_of_range_values_are_rejected(
    hass: HomeAssistant, entry: MockConfigEntry, option: str, value: Any
) -> None:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    with pytest.raises(InvalidData) as err:
        await hass.config_entries.options.async_configure(
            result["flow_id"], {**DEFAULTS, option: value}
        )
    assert option in err.value.schema_errors
    assert dict(entry.options) == {}


async def test_options_apply_without_a_reload(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    runtime = entry.runtime_data
    await set_options(hass, entry, CHANGED)
    # The same coordinators, with the new settings.
    assert entry.runtime_data is runtime
    assert runtime.progress.update_interval == timedelta(seconds=120)
    assert runtime.library.full_refresh_interval == timedelta(hours=12)
    sync = runtime.progress.sync
    assert sync is not None
    assert sync.dry_run is True
    assert sync.options == SyncOptions(
        mode=SyncMode.AUDIBLE_TO_ABS,
        threshold_s=10.0,
        skew_window_s=30.0,
        cooldown_s=900.0,
    )


async def test_poll_interval_takes_effect(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await set_options(hass, entry, {CONF_POLL_INTERVAL: 600})
    # The running timer (5 minutes) fires once more, then every 10 minutes.
    await advance(hass, freezer)
    abs_world.clear_requests()
    await advance(hass, freezer)
    assert abs_world.requests_to("GET", "/api/me") == []
    await advance(hass, freezer)
    assert len(abs_world.requests_to("GET", "/api/me")) == 1
    await advance(hass, freezer, 10)
    assert len(abs_world.requests_to("GET", "/api/me")) == 2


async def test_dry_run_takes_effect_on_the_next_poll(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    freezer: Any,
    abs_world: FakeAbsServer,
) -> None:
    await set_options(hass, entry, {CONF_DRY_RUN: True})
    abs_world.set_progress(ANNE_ID, current_time=45.0, duration=60.0)
    await advance(hass, freezer)
    state = hass.states.get(SYNC_PLAN)
    assert state.attributes["dry_run"] is True
    assert state.attributes["planned"] == [
        f"{ANNE} -> audible: set position 0:00:45 of 0:01:00 (abs moved)"
    ]
    assert mock_audible.positions[ANNE].position_ms == 30_000
    # Switched off again: the planned write is made at the next poll.
    await set_options(hass, entry, {CONF_DRY_RUN: False})
    assert hass.states.get(SYNC_PLAN).attributes["dry_run"] is True
    await advance(hass, freezer)
    assert hass.states.get(SYNC_PLAN).attributes["dry_run"] is False
    assert mock_audible.positions[ANNE].position_ms == 45_000
    assert [
        r.body["position_ms"] for r in mock_audible.requests_to("1.0/lastpositions/")
    ] == [30_000, 45_000]


async def test_sync_mode_takes_effect_on_the_next_poll(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    freezer: Any,
    abs_world: FakeAbsServer,
) -> None:
    await set_options(hass, entry, {CONF_SYNC_MODE: "off"})
    abs_world.set_progress(ANNE_ID, current_time=45.0, duration=60.0)
    await advance(hass, freezer)
    assert hass.states.get(SYNC_PLAN).attributes["mode"] == "off"
    assert mock_audible.positions[ANNE].position_ms == 30_000
    # Switched on again: what happened meanwhile is synced.
    await set_options(hass, entry, {CONF_SYNC_MODE: "bidirectional"})
    await advance(hass, freezer)
    assert hass.states.get(SYNC_PLAN).attributes["mode"] == "bidirectional"
    assert mock_audible.positions[ANNE].position_ms == 45_000


async def test_options_of_an_audible_only_entry(
    hass: HomeAssistant, mock_audible: FakeAudible
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    # Nothing to sync without ABS: only the timings are offered.
    assert set(suggested_values(result)) == {
        CONF_POLL_INTERVAL,
        CONF_LIBRARY_REFRESH_HOURS,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_POLL_INTERVAL: 900, CONF_LIBRARY_REFRESH_HOURS: 12}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.runtime_data.progress.update_interval == timedelta(seconds=900)
    assert entry.runtime_data.progress.sync is None
