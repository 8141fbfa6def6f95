"""Diagnostics: useful, and without a single secret."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.audible_tracker.const import (
    ABS_AUTH_PASSWORD,
    CONF_ABS_ACCESS_TOKEN,
    CONF_ABS_AUTH_METHOD,
    CONF_ABS_REFRESH_TOKEN,
)
from custom_components.audible_tracker.core.abs_socket import SocketState
from custom_components.audible_tracker.diagnostics import (
    async_get_config_entry_diagnostics,
)
from tests.conftest import auth_data, make_entry, setup_integration
from tests.fakes.abs_server import API_KEY, USER_ID, FakeAbsServer
from tests.fakes.audible_server import FakeAudible


def secrets_of(data: dict[str, Any]) -> list[str]:
    """Every secret-looking string of the fake Audible login, at any depth."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, str) and len(value) >= 6:
            found.append(value)

    for key in (
        "adp_token",
        "device_private_key",
        "access_token",
        "refresh_token",
        "website_cookies",
        "store_authentication_cookie",
        "device_info",
        "customer_info",
        "activation_bytes",
    ):
        walk(data[key])
    return found


async def test_diagnostics_redacts_every_secret(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    result = await async_get_config_entry_diagnostics(hass, entry)
    text = json.dumps(result)

    secrets = [*secrets_of(auth_data()), API_KEY, USER_ID, str(entry.unique_id)]
    leaked = [secret for secret in secrets if secret in text]
    assert leaked == []
    # Still useful: counts, links, the watchlist.
    assert result["library"]["audible_titles"] == 6
    assert result["library"]["links_by_method"] == {
        "asin": 1,
        "isbn": 1,
        "fuzzy": 1,
    }
    assert "B0FAKE0001" in result["progress"]["watchlist"]
    # The sync: the last plan and what the ledger knows.
    sync = result["sync"]
    assert sync["mode"] == "bidirectional"
    assert sync["last_plan"]["writes"][0]["asin"] == "B0FAKE0001"
    assert "B0FAKE0001" in sync["ledger"]["titles"]
    # The server address can hold a user name or an internal host.
    assert abs_world.url not in text
    assert result["entry"]["data"]["abs_url"] == "**REDACTED**"


async def test_diagnostics_snapshot(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    # After the fakes, which freeze the clock: a token made before the clock
    # jumps back would not be valid yet.
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """The whole download, as a user would attach it to an issue."""
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    # This fake ABS has no socket.io: wait for the attempt to fail, so the
    # realtime part is always the same.
    realtime = entry.runtime_data.realtime
    assert realtime is not None
    for _ in range(5000):
        if realtime.socket.status.state is SocketState.DISCONNECTED:
            break
        await asyncio.sleep(0)
    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    # As in Home Assistant core: the entry id is random, and the entry's own
    # time stamps say nothing about the integration.
    assert result == snapshot(exclude=props("entry_id", "created_at", "modified_at"))


async def test_diagnostics_redacts_abs_tokens(
    hass: HomeAssistant, mock_audible: FakeAudible, socket_enabled: None
) -> None:
    entry = make_entry(
        abs_url="http://127.0.0.1:9",
        **{
            CONF_ABS_AUTH_METHOD: ABS_AUTH_PASSWORD,
            CONF_ABS_ACCESS_TOKEN: "secret-access-token-value",
            CONF_ABS_REFRESH_TOKEN: "secret-refresh-token-value",
        },
    )
    await setup_integration(hass, entry)
    text = json.dumps(await async_get_config_entry_diagnostics(hass, entry))
    assert "secret-access-token-value" not in text
    assert "secret-refresh-token-value" not in text
