"""Tests for setting up, unloading and removing an entry."""

from __future__ import annotations

import logging
from unittest.mock import patch

import pytest
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_API_KEY, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from custom_components.audible_tracker.const import (
    ABS_AUTH_PASSWORD,
    CONF_ABS_ACCESS_TOKEN,
    CONF_ABS_AUTH_METHOD,
    CONF_ABS_LIBRARIES,
    CONF_ABS_REFRESH_TOKEN,
    CONF_AUDIBLE_AUTH,
    CONF_VERIFY_SSL,
    DOMAIN,
)
from tests.conftest import make_entry, setup_integration
from tests.fakes.abs_server import (
    API_KEY,
    LIBRARY_ID,
    PASSWORD,
    USERNAME,
    FakeAbsServer,
)
from tests.fakes.audible_server import FakeAudible


async def test_setup_and_unload_audible_only(
    hass: HomeAssistant, mock_audible: FakeAudible
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.deps.abs_client is None
    assert hass.states.get("sensor.audible_de_library_size") is not None
    # Audible-only: no unmatched-titles sensor.
    assert hass.states.get("sensor.audible_de_unmatched_titles") is None
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED


async def test_setup_with_abs(
    hass: HomeAssistant, mock_audible: FakeAudible, abs_world: FakeAbsServer
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.audible_de_unmatched_titles") is not None


def device_model(hass: HomeAssistant) -> str | None:
    (device,) = dr.async_entries_for_config_entry(
        dr.async_get(hass), hass.config_entries.async_entries(DOMAIN)[0].entry_id
    )
    return device.model


async def test_device_model_says_what_is_tracked(
    hass: HomeAssistant, mock_audible: FakeAudible, abs_world: FakeAbsServer
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    assert device_model(hass) == "Audible tracker"
    # Adding Audiobookshelf by reconfiguring reloads the entry: the model follows.
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "abs_api_key"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_URL: abs_world.url, CONF_API_KEY: API_KEY, CONF_VERIFY_SSL: True},
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ABS_LIBRARIES: [LIBRARY_ID]}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert device_model(hass) == "Audible and Audiobookshelf tracker"


async def test_setup_retries_when_audible_is_down(
    hass: HomeAssistant, mock_audible: FakeAudible
) -> None:
    mock_audible.fail_next(503, times=5)
    entry = make_entry()
    await setup_integration(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_RETRY


@pytest.mark.parametrize("status", [401, 403])
async def test_setup_audible_auth_failure_starts_reauth(
    hass: HomeAssistant, mock_audible: FakeAudible, status: int
) -> None:
    mock_audible.fail_next(status, times=5)
    entry = make_entry()
    await setup_integration(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_setup_broken_audible_credentials_start_reauth(
    hass: HomeAssistant, mock_audible: FakeAudible
) -> None:
    entry = make_entry(**{CONF_AUDIBLE_AUTH: {"locale_code": "de"}})
    await setup_integration(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_setup_abs_auth_failure_starts_reauth(
    hass: HomeAssistant, mock_audible: FakeAudible, abs_world: FakeAbsServer
) -> None:
    entry = make_entry(abs_url=abs_world.url, abs_api_key="revoked-key")
    await setup_integration(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_abs_token_rotation_is_saved_at_once(
    hass: HomeAssistant, mock_audible: FakeAudible, abs_world: FakeAbsServer
) -> None:
    session = await _login(abs_world)
    entry = make_entry(
        abs_url=abs_world.url,
        **{
            CONF_ABS_AUTH_METHOD: ABS_AUTH_PASSWORD,
            CONF_ABS_ACCESS_TOKEN: session[0],
            CONF_ABS_REFRESH_TOKEN: session[1],
        },
    )
    abs_world.expire_access_tokens()
    await setup_integration(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    current = {s.refresh_token for s in abs_world._sessions}
    # The refresh token was rotated during setup; the entry has the new one.
    assert entry.data[CONF_ABS_REFRESH_TOKEN] != session[1]
    assert entry.data[CONF_ABS_REFRESH_TOKEN] in current
    assert entry.data[CONF_ABS_ACCESS_TOKEN] != session[0]


async def _login(server: FakeAbsServer) -> tuple[str, str]:
    from aiohttp import ClientSession  # noqa: PLC0415

    async with (
        ClientSession() as http,
        http.post(
            f"{server.url}/login",
            json={"username": USERNAME, "password": PASSWORD},
            headers={"x-return-tokens": "true"},
        ) as response,
    ):
        body = await response.json()
    user = body["user"]
    return user["accessToken"], user["refreshToken"]


async def test_remove_deregisters_only_this_device(
    hass: HomeAssistant, mock_audible: FakeAudible
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    with patch(
        "audible.auth.Authenticator.deregister_device", autospec=True
    ) as deregister:
        assert await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
    deregister.assert_called_once()
    assert deregister.call_args.kwargs == {"deregister_all": False}


async def test_remove_goes_on_when_deregistration_fails(
    hass: HomeAssistant, mock_audible: FakeAudible, caplog: pytest.LogCaptureFixture
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    secret = entry.data[CONF_AUDIBLE_AUTH]["refresh_token"]
    with (
        caplog.at_level(logging.WARNING),
        patch(
            "audible.auth.Authenticator.deregister_device",
            side_effect=Exception(f"refused {secret}"),
        ),
    ):
        assert await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
    assert hass.config_entries.async_get_entry(entry.entry_id) is None
    assert "Could not deregister" in caplog.text
    assert secret not in caplog.text
