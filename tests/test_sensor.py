"""Snapshot tests of every sensor, and their availability per source."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from tests.conftest import make_entry, setup_integration
from tests.fakes.abs_server import FakeAbsServer
from tests.fakes.audible_server import FakeAudible


@pytest.fixture(autouse=True)
def only_sensors() -> Any:
    with patch("custom_components.audible_tracker.PLATFORMS", [Platform.SENSOR]):
        yield


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sensors_with_both_services(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sensors_audible_only(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    mock_audible: FakeAudible,
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_empty_library(hass: HomeAssistant, mock_audible: FakeAudible) -> None:
    mock_audible.items.clear()
    mock_audible.positions.clear()
    await setup_integration(hass, make_entry())
    assert hass.states.get("sensor.audible_de_library_size").state == "0"
    assert hass.states.get("sensor.audible_de_books_in_progress").state == "0"
    # Nothing in progress: unknown, not an error.
    assert hass.states.get("sensor.audible_de_currently_reading").state == "unknown"
    assert hass.states.get("sensor.audible_de_progress").state == "unknown"


async def test_audible_down_keeps_abs_entities(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    # The poll's requests fail (the catalog's own run is not what is tested).
    mock_audible.fail_next("timeout", times=3, path="1.0/library")
    mock_audible.fail_next("timeout", times=3, path="1.0/annotations/lastpositions")
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    # Audible's own numbers go unavailable, what ABS knows stays.
    assert hass.states.get("sensor.audible_de_library_size").state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.audible_de_listening_time_today").state == (
        STATE_UNAVAILABLE
    )
    assert hass.states.get("sensor.audible_de_unmatched_titles").state == (
        STATE_UNAVAILABLE
    )
    assert hass.states.get("sensor.audible_de_currently_reading").state == (
        "Anne of Green Gables"
    )
    # Logged once, however many polls fail.
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert caplog.text.count("Audible is unavailable") == 1
    # Recovery: available again, logged once.
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("sensor.audible_de_library_size").state == "6"
    assert caplog.text.count("Audible is available again") == 1


async def test_last_update_is_disabled_by_default(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, mock_audible: FakeAudible
) -> None:
    await setup_integration(hass, make_entry())
    entry = entity_registry.async_get("sensor.audible_de_last_update")
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
