"""Covers that cannot load: the currently-reading sensor shows its icon instead."""

from __future__ import annotations

import logging
from typing import Any
from unittest.mock import MagicMock

import aiohttp
import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.audible_tracker.covers import RECHECK_UNREACHABLE, CoverCheck
from tests.conftest import (
    NOW,
    FakeCoverHosts,
    advance,
    make_entry,
    setup_integration,
)
from tests.fakes.abs_server import FakeAbsServer
from tests.fakes.audible_server import FakeAudible, make_item

CURRENTLY_READING = "sensor.audible_de_currently_reading"
AUDIBLE_CDN = "https://m.media-amazon.com/"
ANNE_COVER = f"{AUDIBLE_CDN}images/I/B0FAKE0001IMG._SL500_.jpg"
COVERED = "B0COVER001"


def picture(hass: HomeAssistant) -> str | None:
    return hass.states.get(CURRENTLY_READING).attributes.get("entity_picture")


async def test_cover_that_loads_is_shown_and_checked_once(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    cover_hosts: FakeCoverHosts,
    freezer: Any,
) -> None:
    await setup_integration(hass, make_entry())
    assert picture(hass) == ANNE_COVER
    for _ in range(3):
        await advance(hass, freezer)
    # Once per URL, not at every state write.
    assert cover_hosts.checked == [ANNE_COVER]


async def test_unreachable_cover_shows_the_icon_and_comes_back(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    cover_hosts: FakeCoverHosts,
    freezer: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cover_hosts.unreachable.add(AUDIBLE_CDN)
    await setup_integration(hass, make_entry())
    await hass.async_block_till_done(wait_background_tasks=True)
    assert picture(hass) is None
    assert hass.states.get(CURRENTLY_READING).state == "Anne of Green Gables"
    polls = int(RECHECK_UNREACHABLE.total_seconds() // 300) - 1
    for _ in range(polls):
        await advance(hass, freezer)
    assert cover_hosts.checked == [ANNE_COVER]
    logged = [r for r in caplog.records if "cover cannot be loaded" in r.message]
    assert [r.levelno for r in logged] == [logging.INFO]
    # The network is back: checked again after a while, and shown.
    cover_hosts.unreachable.clear()
    await advance(hass, freezer, minutes=10)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert cover_hosts.checked == [ANNE_COVER, ANNE_COVER]
    assert picture(hass) == ANNE_COVER


async def test_linked_book_falls_back_to_the_abs_cover(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    cover_hosts: FakeCoverHosts,
) -> None:
    # Heard just now on Audible; the same book (by ASIN) has a cover on ABS.
    mock_audible.add_items(make_item(COVERED, "Covered Book", percent_complete=50.0))
    mock_audible.set_position(COVERED, 60_000, NOW)
    item_id = abs_world.add_book("Covered Book", asin=COVERED, has_cover=True)
    cover_hosts.unreachable.add(AUDIBLE_CDN)
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    await hass.async_block_till_done(wait_background_tasks=True)
    state = hass.states.get(CURRENTLY_READING)
    assert state.attributes["asin"] == COVERED
    assert picture(hass) == f"{abs_world.url}/api/items/{item_id}/cover"
    # Both were checked, once each.
    assert sorted(cover_hosts.checked) == sorted(
        [state.attributes["cover_url"], picture(hass)]
    )


@pytest.mark.parametrize(
    ("head", "get", "loads"),
    [
        ({"status": 200}, None, True),
        ({"status": 404}, None, False),
        ({"exc": aiohttp.ClientConnectionError()}, None, False),
        ({"exc": TimeoutError()}, None, False),
        ({"status": 405}, {"status": 200}, True),
        ({"status": 405}, {"status": 403}, False),
    ],
)
async def test_check_asks_with_head_then_get(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    cover_hosts: FakeCoverHosts,
    head: dict[str, Any],
    get: dict[str, Any] | None,
    loads: bool,
) -> None:
    aioclient_mock.head(ANNE_COVER, **head)
    if get is not None:
        aioclient_mock.get(ANNE_COVER, **get)
    check = CoverCheck(hass, MagicMock(), lambda: None)
    assert await cover_hosts.real_loads(check, ANNE_COVER) is loads
