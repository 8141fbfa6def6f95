"""Tests for the options flow and options applied to a running entry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import MagicMock, patch

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)

from custom_components.audible_tracker.const import (
    CONF_AUDIBLE_AUTH,
    CONF_COOLDOWN,
    CONF_DRY_RUN,
    CONF_FOLLOWED_AUTHORS,
    CONF_IDLE_POLL_INTERVAL,
    CONF_LIBRARY_REFRESH_HOURS,
    CONF_POLL_INTERVAL,
    CONF_RESPONSE_URL,
    CONF_SKEW_WINDOW,
    CONF_STREAK_MINIMUM,
    CONF_SYNC_MODE,
    CONF_THRESHOLD,
)
from custom_components.audible_tracker.core.sync import SyncMode, SyncOptions
from tests.conftest import (
    ANNE_ID,
    advance,
    make_entry,
    registration_response,
    setup_integration,
)
from tests.fakes.abs_server import FakeAbsServer
from tests.fakes.audible_server import FakeAudible, person_asin

ANNE = "B0FAKE0001"
LANDING = (
    "https://www.amazon.de/ap/maplanding?openid.assoc_handle=amzn_audible_ios_de"
    "&openid.oa2.authorization_code=ANfakeCode&openid.mode=id_res"
)
# What Home Assistant logs for an update listener on an entry that a flow
# reloads; from 2026.12 it is an error.
RELOAD_DEPRECATION = "should use it for scheduling a reload"
SYNC_PLAN = "sensor.audible_de_sync_plan"

DEFAULTS = {
    CONF_SYNC_MODE: "bidirectional",
    CONF_DRY_RUN: False,
    CONF_POLL_INTERVAL: 120,
    CONF_THRESHOLD: 5.0,
    CONF_SKEW_WINDOW: 60.0,
    CONF_COOLDOWN: 600.0,
    CONF_LIBRARY_REFRESH_HOURS: 6.0,
    CONF_FOLLOWED_AUTHORS: [],
    CONF_STREAK_MINIMUM: 5.0,
    CONF_IDLE_POLL_INTERVAL: 900,
}
CHANGED = {
    CONF_SYNC_MODE: "audible_to_abs",
    CONF_DRY_RUN: True,
    CONF_POLL_INTERVAL: 180,
    CONF_THRESHOLD: 10,
    CONF_SKEW_WINDOW: 30,
    CONF_COOLDOWN: 900,
    CONF_LIBRARY_REFRESH_HOURS: 12,
    CONF_FOLLOWED_AUTHORS: [person_asin("Robert Jordan")],
    CONF_STREAK_MINIMUM: 15,
    CONF_IDLE_POLL_INTERVAL: 1800,
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
    assert runtime.progress.update_interval == timedelta(seconds=180)
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
    # The running timer (2 minutes) fires once more, then every 10 minutes.
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
    # Nothing to sync without ABS: only the timings and the streak minimum.
    assert set(suggested_values(result)) == {
        CONF_POLL_INTERVAL,
        CONF_LIBRARY_REFRESH_HOURS,
        CONF_FOLLOWED_AUTHORS,
        CONF_STREAK_MINIMUM,
        CONF_IDLE_POLL_INTERVAL,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_POLL_INTERVAL: 900,
            CONF_LIBRARY_REFRESH_HOURS: 12,
            CONF_STREAK_MINIMUM: 10,
            CONF_IDLE_POLL_INTERVAL: 1800,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.runtime_data.progress.update_interval == timedelta(seconds=900)
    assert entry.runtime_data.progress.sync is None


async def test_setup_registers_no_update_listener(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    # HA 2026.12 refuses an update listener on an entry whose reauth and
    # reconfigure flows reload it; the options flow applies options instead.
    assert entry.update_listeners == []


async def test_options_change_does_not_reload(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    with patch.object(hass.config_entries, "async_schedule_reload") as reload:
        await set_options(hass, entry, CHANGED)
    reload.assert_not_called()
    assert entry.state is ConfigEntryState.LOADED


async def test_options_of_an_entry_that_is_not_loaded(
    hass: HomeAssistant, mock_audible: FakeAudible, abs_world: FakeAbsServer
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    entry.add_to_hass(hass)
    # Saved only; the next setup reads them. Authors are chosen from the
    # loaded library: not offered here, and the followed ones are kept.
    timings = {k: v for k, v in CHANGED.items() if k != CONF_FOLLOWED_AUTHORS}
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert CONF_FOLLOWED_AUTHORS not in suggested_values(result)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], timings
    )
    assert dict(entry.options) == {**timings, CONF_FOLLOWED_AUTHORS: []}
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.progress.update_interval == timedelta(seconds=180)


async def test_reauth_reloads_once_without_deprecation(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    mock_register: MagicMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    runtime = entry.runtime_data
    mock_register.return_value = registration_response(expires=1999999999.0)
    with (
        patch("custom_components.audible_tracker.config_flow.deregister_device"),
        patch.object(
            hass.config_entries,
            "async_schedule_reload",
            wraps=hass.config_entries.async_schedule_reload,
        ) as reload,
    ):
        result = await entry.start_reauth_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_RESPONSE_URL: LANDING}
        )
        await hass.async_block_till_done(wait_background_tasks=True)
    assert result["reason"] == "reauth_successful"
    assert RELOAD_DEPRECATION not in caplog.text
    reload.assert_called_once_with(entry.entry_id)
    # Reloaded with the new login.
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not runtime
    assert entry.data[CONF_AUDIBLE_AUTH]["expires"] == 1999999999.0
