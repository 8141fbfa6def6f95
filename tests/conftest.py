"""Shared fixtures for the audible_tracker tests."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import AsyncMock, MagicMock, PropertyMock, patch

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

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
from custom_components.audible_tracker.covers import CoverCheck
from tests.fakes.abs_server import API_KEY, ITEM_IDS, LIBRARY_ID, USER_ID, FakeAbsServer
from tests.fakes.audible_server import (
    FakeAudible,
    books_also_on_abs,
    load_auth_data,
    make_item,
)


def auth_data() -> dict[str, Any]:
    """The stored Audible login: fake tokens, a device key made at test time."""
    return load_auth_data()


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


class FakeCoverHosts:
    """Which cover URLs load, for the covers' reachability check."""

    def __init__(self) -> None:
        """Every cover loads until a test says otherwise."""
        self.unreachable: set[str] = set()
        self.checked: list[str] = []
        # The real check, for the test of the check itself.
        self.real_loads = CoverCheck._async_loads

    async def loads(self, url: str) -> bool:
        self.checked.append(url)
        return not any(url.startswith(prefix) for prefix in self.unreachable)


@pytest.fixture(autouse=True)
def cover_hosts() -> Generator[FakeCoverHosts]:
    """Check covers against the fake hosts, never the internet."""
    hosts = FakeCoverHosts()
    with patch.object(CoverCheck, "_async_loads", side_effect=hosts.loads):
        yield hosts


@pytest.fixture
async def abs_server(
    aiohttp_server: Callable[..., Any], socket_enabled: None
) -> AsyncGenerator[FakeAbsServer]:
    """A fake Audiobookshelf on 127.0.0.1."""
    fake = FakeAbsServer()

    async def quiet_server(app: Any, **kwargs: Any) -> Any:
        # No access log: frozen time breaks aiohttp's local-time lookup.
        return await aiohttp_server(app, access_log=None, **kwargs)

    await fake.start(quiet_server)
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


# ---- a whole world: Audible + ABS fakes wired into Home Assistant -----------

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday
ANNE_ID = ITEM_IDS["Anne of Green Gables"]
FRANKENSTEIN_ID = ITEM_IDS["Frankenstein"]
LES_MIS_ID = ITEM_IDS["Les Misérables"]


def build_audible_library() -> FakeAudible:
    """A small library covering the cases the entities must handle."""
    fake = FakeAudible(
        [
            # Anne (ASIN, in progress on both), Frankenstein (ISBN, finished),
            # Les Misérables (title and author).
            *books_also_on_abs(),
            # Series sequences as free text.
            make_item(
                "B0OMNIBUS1",
                "The Wheel Omnibus",
                authors=["Robert Jordan"],
                series=[("The Wheel", "1-6")],
                runtime_min=3000,
            ),
            # In progress in the library, but no position on the server.
            make_item(
                "B0PREQUEL5",
                "New Spring",
                authors=["Robert Jordan"],
                series=[("The Wheel", "0.5")],
                runtime_min=600,
                percent_complete=10.0,
            ),
            # In progress, nothing like it on ABS.
            make_item(
                "B0UNMATCH1",
                "Zzyzx Road Chronicles",
                authors=["Nobody Known"],
                runtime_min=300,
                percent_complete=5.0,
            ),
        ]
    )
    # The one-minute books last exactly a minute, as their ABS copies do (the
    # sync tests' positions are whole seconds of them); the long ones are
    # 20 s shorter than their whole minutes (the fake's default).
    for asin in ("B0FAKE0001", "B0FRANK001"):
        fake.runtime_ms[asin] = 60_000
    fake.runtime_ms["B0LESMIS01"] = 120_000
    fake.set_position("B0FAKE0001", 24_000, NOW - timedelta(hours=2))
    fake.set_position("B0UNMATCH1", 900_000, NOW - timedelta(days=1))
    fake.daily_listening_ms.update(
        {"2026-11-18": 1_800_000.0, "2026-11-17": 3_600_000.0, "2026-11-15": 1e7}
    )
    return fake


@pytest.fixture
def audible_fake(freezer: Any) -> FakeAudible:
    """The fake Audible account, with time frozen at NOW."""
    freezer.move_to(NOW)
    return build_audible_library()


@pytest.fixture
async def mock_audible(audible_fake: FakeAudible) -> AsyncGenerator[FakeAudible]:
    """Route the integration's Audible traffic to the fake."""
    client = audible_fake.http_client()
    with patch(
        "custom_components.audible_tracker.get_async_client", return_value=client
    ):
        yield audible_fake
    await client.aclose()


@pytest.fixture
async def abs_world(
    abs_server: FakeAbsServer, audible_fake: FakeAudible
) -> FakeAbsServer:
    """The recorded ABS server, with Anne in progress there too."""
    abs_server.set_progress(
        ANNE_ID,
        current_time=30.0,
        duration=60.0,
        last_update_ms=int((NOW - timedelta(hours=1)).timestamp() * 1000),
    )
    return abs_server


async def setup_integration(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add the entry and set it up."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Enable the entities that are disabled by default (as in HA core)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


async def advance(hass: HomeAssistant, freezer: Any, minutes: float = 5) -> None:
    """Let time pass (one progress poll per 5 minutes) and let it all run."""
    freezer.tick(timedelta(minutes=minutes))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
