"""Tests of the metadata actions and sensor, against both fakes."""

from __future__ import annotations

import logging
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.audible_tracker.const import DOMAIN
from tests.conftest import (
    ANNE_ID,
    FRANKENSTEIN_ID,
    LES_MIS_ID,
    make_entry,
    setup_integration,
)
from tests.fakes.abs_server import USER_ID, FakeAbsServer
from tests.fakes.audible_server import FakeAudible

ANNE = "B0FAKE0001"
FRANKENSTEIN = "B0FRANK001"
LES_MIS = "B0LESMIS01"
GAPS_SENSOR = "sensor.audible_de_metadata_gaps"


@pytest.fixture
async def entry(
    hass: HomeAssistant, mock_audible: FakeAudible, abs_world: FakeAbsServer
) -> MockConfigEntry:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    return entry


async def call(
    hass: HomeAssistant, service: str, entry: MockConfigEntry, **data: Any
) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        service,
        {"config_entry_id": entry.entry_id, **data},
        blocking=True,
        return_response=True,
    )


def patches(abs_world: FakeAbsServer) -> list[str]:
    return [request.path for request in abs_world.requests_to("PATCH")]


async def test_get_metadata_gaps(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    response = await call(hass, "get_metadata_gaps", entry)
    books = {book["asin"]: book for book in response["books"]}
    # Anne (ASIN link) agrees in every field Audible knows but the cover etc.
    assert set(books) <= {ANNE, FRANKENSTEIN, LES_MIS}
    les_mis = books[LES_MIS]
    assert les_mis["abs_item_id"] == LES_MIS_ID
    assert les_mis["fields"]["asin"] == {
        "kind": "missing",
        "abs": None,
        "audible": LES_MIS,
    }
    assert les_mis["fields"]["narrators"] == {
        "kind": "different",
        "abs": ["Zoë Ångström"],
        "audible": ["John Roe"],
    }
    # Frankenstein is linked by ISBN; its ABS ASIN is another edition's.
    assert books[FRANKENSTEIN]["fields"]["asin"]["kind"] == "different"
    assert "isbn" not in books[FRANKENSTEIN]["fields"]
    assert response["counts"]["asin"] == 2

    only = await call(
        hass, "get_metadata_gaps", entry, asin=LES_MIS.lower(), fields=["asin"]
    )
    assert only == {
        "books": [
            {
                "asin": LES_MIS,
                "abs_item_id": LES_MIS_ID,
                "title": "Les Misérables",
                "fields": {
                    "asin": {"kind": "missing", "abs": None, "audible": LES_MIS}
                },
            }
        ],
        "counts": {"asin": 1},
    }


async def test_the_sensor_counts_books_with_gaps(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    state = hass.states.get(GAPS_SENSOR)
    response = await call(hass, "get_metadata_gaps", entry)
    assert state.state == str(len(response["books"]))
    assert state.attributes["asin"] == 2
    assert {key: state.attributes[key] for key in response["counts"]} == (
        response["counts"]
    )


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "metadata_needs_asin_or_all"),
        ({"asin": LES_MIS, "all": True}, "metadata_needs_asin_or_all"),
        ({"all": True, "dry_run": False}, "metadata_all_needs_fields"),
        ({"asin": "B0NOTOWNED"}, "unknown_asin"),
        ({"asin": "B0UNMATCH1"}, "title_not_linked"),
    ],
)
async def test_invalid_write_calls_write_nothing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    abs_world: FakeAbsServer,
    data: dict[str, Any],
    key: str,
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "write_metadata", entry, **data)
    assert caught.value.translation_key == key
    assert patches(abs_world) == []


async def test_dry_run_is_the_default_and_writes_nothing(
    hass: HomeAssistant, entry: MockConfigEntry, abs_world: FakeAbsServer
) -> None:
    response = await call(hass, "write_metadata", entry, all=True)
    assert response == {
        "dry_run": True,
        "planned": [
            {
                "asin": LES_MIS,
                "abs_item_id": LES_MIS_ID,
                "title": "Les Misérables",
                "changes": {"asin": {"kind": "missing", "from": None, "to": LES_MIS}},
            }
        ],
    }
    assert patches(abs_world) == []
    assert abs_world.item_json(LES_MIS_ID)["media"]["metadata"]["asin"] is None


async def test_fill_only_versus_overwrite(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    asins = [FRANKENSTEIN, LES_MIS]
    fill = await call(
        hass, "write_metadata", entry, asin=asins, fields=["asin", "narrators"]
    )
    assert [plan["asin"] for plan in fill["planned"]] == [LES_MIS]
    assert set(fill["planned"][0]["changes"]) == {"asin"}
    overwrite = await call(
        hass,
        "write_metadata",
        entry,
        asin=asins,
        fields=["asin", "narrators"],
        overwrite=True,
    )
    changes = {plan["asin"]: plan["changes"] for plan in overwrite["planned"]}
    assert changes[FRANKENSTEIN]["asin"] == {
        "kind": "different",
        "from": "B0FAKE0006",
        "to": FRANKENSTEIN,
    }
    assert changes[LES_MIS]["narrators"]["to"] == ["John Roe"]


async def test_asin_write_is_read_back_and_becomes_an_asin_link(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    abs_world: FakeAbsServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    library = entry.runtime_data.library
    assert library.data.match.links[LES_MIS].method == "fuzzy"
    caplog.set_level(logging.INFO)
    abs_world.clear_requests()

    response = await call(hass, "write_metadata", entry, asin=LES_MIS, dry_run=False)
    await hass.async_block_till_done()

    assert response == {
        "dry_run": False,
        "written": [
            {
                "asin": LES_MIS,
                "abs_item_id": LES_MIS_ID,
                "title": "Les Misérables",
                "changes": {"asin": {"kind": "missing", "from": None, "to": LES_MIS}},
            }
        ],
        "not_taken": [],
        "failed": [],
        "stopped": None,
    }
    assert patches(abs_world) == [f"/api/items/{LES_MIS_ID}/media"]
    assert abs_world.requests_to("PATCH")[0].json == {"metadata": {"asin": LES_MIS}}
    # Permission asked first, the item read back after.
    paths = [(r.method, r.path) for r in abs_world.requests]
    assert paths.index(("GET", "/api/me")) < paths.index(
        ("PATCH", f"/api/items/{LES_MIS_ID}/media")
    )
    assert ("GET", f"/api/items/{LES_MIS_ID}") in paths[-1:]
    assert abs_world.item_json(LES_MIS_ID)["media"]["metadata"]["asin"] == LES_MIS
    # Matched again at once, without a new ABS index: now an ASIN link.
    link = library.data.match.links[LES_MIS]
    assert (link.method, link.item_id) == ("asin", LES_MIS_ID)
    assert library.data.abs_items[LES_MIS_ID].asin == LES_MIS
    assert ("GET", f"/api/libraries/{abs_world.libraries[0]['id']}/items") not in paths
    # The gap is gone from the sensor too.
    assert hass.states.get(GAPS_SENSOR).attributes["asin"] == 1
    # Logged: title and field names, no values.
    logged = [r.getMessage() for r in caplog.records if "Wrote" in r.getMessage()]
    assert logged == ["Wrote asin of Les Misérables to Audiobookshelf"]


async def test_a_write_that_does_not_take_is_reported(
    hass: HomeAssistant, entry: MockConfigEntry, abs_world: FakeAbsServer
) -> None:
    # An ABS that answers but keeps nothing.
    with patch("tests.fakes.abs_server._update_book_metadata", return_value=False):
        response = await call(
            hass,
            "write_metadata",
            entry,
            asin=[LES_MIS],
            fields=["asin", "narrators"],
            overwrite=True,
            dry_run=False,
        )
    assert [plan["asin"] for plan in response["written"]] == [LES_MIS]
    assert response["not_taken"] == [
        {
            "asin": LES_MIS,
            "abs_item_id": LES_MIS_ID,
            "title": "Les Misérables",
            "fields": ["asin", "narrators"],
        }
    ]
    # Still the old link: nothing new to match on.
    assert entry.runtime_data.library.data.match.links[LES_MIS].method == "fuzzy"


async def test_without_update_permission_nothing_is_written(
    hass: HomeAssistant, entry: MockConfigEntry, abs_world: FakeAbsServer
) -> None:
    abs_world.users[USER_ID].permissions["update"] = False
    with pytest.raises(HomeAssistantError) as caught:
        await call(hass, "write_metadata", entry, asin=LES_MIS, dry_run=False)
    assert caught.value.translation_key == "metadata_write_forbidden"
    assert caught.value.translation_placeholders == {"username": "admin"}
    assert patches(abs_world) == []
    # A dry run needs no permission.
    response = await call(hass, "write_metadata", entry, asin=LES_MIS)
    assert len(response["planned"]) == 1


async def test_a_batch_stops_at_the_first_permission_error(
    hass: HomeAssistant, entry: MockConfigEntry, abs_world: FakeAbsServer
) -> None:
    # ABS refuses the first write although /api/me allowed it.
    abs_world.fail_next(
        status=403, text="Forbidden", path=f"/api/items/{LES_MIS_ID}/media"
    )
    response = await call(
        hass,
        "write_metadata",
        entry,
        asin=[LES_MIS, FRANKENSTEIN],
        fields=["asin"],
        overwrite=True,
        dry_run=False,
    )
    assert response["written"] == []
    assert response["stopped"] == {
        "asin": LES_MIS,
        "abs_item_id": LES_MIS_ID,
        "title": "Les Misérables",
        "error": "AbsPermissionError",
    }
    # Frankenstein was not tried; nothing changed; no reauthentication.
    assert patches(abs_world) == [f"/api/items/{LES_MIS_ID}/media"]
    assert abs_world.item_json(FRANKENSTEIN_ID)["media"]["metadata"]["asin"] == (
        "B0FAKE0006"
    )
    assert not list(entry.async_get_active_flows(hass, {"reauth"}))


async def test_one_missing_item_does_not_stop_the_others(
    hass: HomeAssistant, entry: MockConfigEntry, abs_world: FakeAbsServer
) -> None:
    abs_world.remove_item(LES_MIS_ID)
    response = await call(
        hass,
        "write_metadata",
        entry,
        asin=[LES_MIS, FRANKENSTEIN],
        overwrite=True,
        dry_run=False,
    )
    assert response["failed"] == [
        {
            "asin": LES_MIS,
            "abs_item_id": LES_MIS_ID,
            "title": "Les Misérables",
            "error": "AbsNotFoundError",
        }
    ]
    assert [plan["asin"] for plan in response["written"]] == [FRANKENSTEIN]
    assert abs_world.item_json(FRANKENSTEIN_ID)["media"]["metadata"]["asin"] == (
        FRANKENSTEIN
    )
    assert ANNE_ID not in patches(abs_world)


async def test_audible_only_entry_has_no_metadata_gaps(
    hass: HomeAssistant, mock_audible: FakeAudible
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    assert hass.states.get(GAPS_SENSOR) is None
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "get_metadata_gaps", entry)
    assert caught.value.translation_key == "abs_not_configured"
