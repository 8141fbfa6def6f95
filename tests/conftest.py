"""Shared fixtures for the audible_tracker tests."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Callable, Generator
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.audible_tracker.const import (
    ABS_AUTH_API_KEY,
    CONF_ABS_API_KEY,
    CONF_ABS_AUTH_METHOD,
    CONF_ABS_LIBRARIES,
    CONF_ABS_URL,
    CONF_ABS_USER_ID,
    CONF_AUDIBLE_AUTH,
    CONF_MARKETPLACE,
    CONF_VERIFY_SSL,
    DOMAIN,
)
from tests.fakes.abs_server import API_KEY, LIBRARY_ID, USER_ID, FakeAbsServer

FIXTURES = Path(__file__).parent / "fixtures"


def load_json(name: str) -> Any:
    """Load a fixture file."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def auth_data() -> dict[str, Any]:
    """The stored Audible login (fake data from the audible package's tests)."""
    data: dict[str, Any] = load_json("audible/auth_data.json")
    return data


AUDIBLE_USER_ID: str = auth_data()["customer_info"]["user_id"]
UNIQUE_ID = f"{AUDIBLE_USER_ID}_de"


def registration_response(**overrides: Any) -> dict[str, Any]:
    """What audible.register.register answers, built from the fixture."""
    data = auth_data()
    keys = (
        "adp_token",
        "device_private_key",
        "access_token",
        "refresh_token",
        "expires",
        "website_cookies",
        "store_authentication_cookie",
        "device_info",
        "customer_info",
    )
    return {key: data[key] for key in keys} | overrides


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/ in every test."""


@pytest.fixture
async def abs_server(
    aiohttp_server: Callable[..., Any], socket_enabled: None
) -> AsyncGenerator[FakeAbsServer]:
    """A fake Audiobookshelf on 127.0.0.1."""
    fake = FakeAbsServer()
    await fake.start(aiohttp_server)
    yield fake
    fake.release_hangs()


@pytest.fixture
def mock_register() -> Generator[MagicMock]:
    """Amazon's device registration, answering like the real one."""
    with patch(
        "custom_components.audible_tracker.core.audible_auth.register",
        return_value=registration_response(),
    ) as register:
        yield register


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """Skip setting the entry up (config flow tests)."""
    with patch(
        "custom_components.audible_tracker.async_setup_entry", return_value=True
    ) as setup:
        yield setup


def make_entry(*, abs_url: str | None = None, **extra: Any) -> MockConfigEntry:
    """A config entry as the flow creates it, with or without ABS (API key)."""
    data: dict[str, Any] = {
        CONF_MARKETPLACE: "de",
        CONF_AUDIBLE_AUTH: auth_data() | {"locale_code": "de"},
    }
    if abs_url is not None:
        data |= {
            CONF_ABS_URL: abs_url,
            CONF_VERIFY_SSL: True,
            CONF_ABS_AUTH_METHOD: ABS_AUTH_API_KEY,
            CONF_ABS_API_KEY: API_KEY,
            CONF_ABS_USER_ID: USER_ID,
            CONF_ABS_LIBRARIES: [LIBRARY_ID],
        }
    data |= extra
    return MockConfigEntry(
        domain=DOMAIN, title="Audible DE", unique_id=UNIQUE_ID, data=data
    )
