"""Tests for the actions: links, conflicts, pushing a position, the sync."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)

from custom_components.audible_tracker.const import DOMAIN
from custom_components.audible_tracker.core.matching import Link
from tests.conftest import (
    ANNE_ID,
    LES_MIS_ID,
    advance,
    make_entry,
    setup_integration,
)
from tests.fakes.abs_server import ITEM_IDS, FakeAbsServer
from tests.fakes.audible_server import FakeAudible

ANNE = "B0FAKE0001"
LES_MIS = "B0LESMIS01"
NEW_SPRING = "B0PREQUEL5"
UNMATCHED = "B0UNMATCH1"
AVONLEA_ID = ITEM_IDS["Anne of Avonlea"]
ANNE_PROGRESS_PATH = f"/api/me/progress/{ANNE_ID}"
TRANSLATIONS = json.loads(
    (
        Path(__file__).parent.parent
        / "custom_components/audible_tracker/translations/en.json"
    ).read_text(encoding="utf-8")
)


@pytest.fixture
def new_spring_twice(abs_world: FakeAbsServer) -> tuple[str, str]:
    """Two ABS books that could both be New Spring: a matching conflict."""
    return (
        abs_world.add_book("New Spring", authors=["Robert Jordan"], duration=36000),
        abs_world.add_book("New Spring", authors=["Robert Jordan"], duration=35000),
    )


@pytest.fixture
async def entry(
    hass: HomeAssistant, mock_audible: FakeAudible, abs_world: FakeAbsServer
) -> MockConfigEntry:
    """A loaded entry with Audiobookshelf (Anne already synced)."""
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    return entry


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any], **kwargs: Any
) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, **kwargs
    )


def writes(audible: FakeAudible, abs_server: FakeAbsServer) -> list[Any]:
    """Every write either fake received."""
    return [
        *audible.requests_to("1.0/lastpositions/", "PUT"),
        *audible.requests_to("1.0/stats/events", "PUT"),
        *abs_server.requests_to("PATCH"),
    ]


def assert_translated(err: HomeAssistantError, key: str) -> None:
    """The error has this translation key, and its message can be built."""
    assert err.translation_domain == DOMAIN
    assert err.translation_key == key
    message = TRANSLATIONS["exceptions"][key]["message"]
    message.format(**(err.translation_placeholders or {}))


def links(entry: MockConfigEntry) -> dict[str, Link]:
    return dict(entry.runtime_data.library.data.match.links)


# ---- link, unlink, resolve_conflict ---------------------------------------


async def test_link_resolves_a_conflict_and_survives_a_reload(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    new_spring_twice: tuple[str, str],
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    assert NEW_SPRING in entry.runtime_data.library.data.match.conflicts
    chosen = new_spring_twice[1]
    await call(
        hass,
        "link",
        {"config_entry_id": entry.entry_id, "asin": NEW_SPRING, "abs_item_id": chosen},
    )
    assert links(entry)[NEW_SPRING] == Link(NEW_SPRING, chosen, "manual", 100.0)
    assert NEW_SPRING not in entry.runtime_data.library.data.match.conflicts
    stored = hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]
    assert stored["manual_links"] == {NEW_SPRING: chosen}
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert links(entry)[NEW_SPRING].item_id == chosen
    assert NEW_SPRING not in entry.runtime_data.library.data.match.conflicts


async def test_link_replaces_an_automatic_link(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    assert links(entry)[LES_MIS].method == "fuzzy"
    # ASINs are taken as typed, in any case and with spaces around.
    await call(
        hass,
        "link",
        {
            "config_entry_id": entry.entry_id,
            "asin": f" {LES_MIS.lower()} ",
            "abs_item_id": f" {AVONLEA_ID}",
        },
    )
    assert links(entry)[LES_MIS] == Link(LES_MIS, AVONLEA_ID, "manual", 100.0)
    assert entry.runtime_data.deps.store.data.manual_links == {LES_MIS: AVONLEA_ID}


async def test_unlink_keeps_matching_from_linking_again(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    store = entry.runtime_data.deps.store
    assert ANNE in store.data.ledger["titles"]
    await call(hass, "unlink", {"config_entry_id": entry.entry_id, "asin": ANNE})
    assert ANNE not in links(entry)
    assert store.data.ignored == {ANNE}
    # A later link starts the sync from a fresh baseline.
    assert ANNE not in store.data.ledger["titles"]
    # Nothing is synced for it, through a library refresh and a restart.
    abs_world.set_progress(ANNE_ID, current_time=45.0, duration=60.0)
    for _ in range(7):
        await advance(hass, freezer)
    assert ANNE not in links(entry)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert ANNE not in links(entry)
    assert len(writes(mock_audible, abs_world)) == 1  # the setup's
    # Linking it again undoes the unlink.
    await call(
        hass,
        "link",
        {"config_entry_id": entry.entry_id, "asin": ANNE, "abs_item_id": ANNE_ID},
    )
    assert links(entry)[ANNE].item_id == ANNE_ID
    assert entry.runtime_data.deps.store.data.ignored == set()


async def test_resolve_conflict_with_an_item(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    new_spring_twice: tuple[str, str],
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    await call(
        hass,
        "resolve_conflict",
        {
            "config_entry_id": entry.entry_id,
            "asin": NEW_SPRING,
            "abs_item_id": new_spring_twice[0],
            "ignore": False,
        },
    )
    assert links(entry)[NEW_SPRING].item_id == new_spring_twice[0]
    assert entry.runtime_data.library.data.match.conflicts == {}


async def test_resolve_conflict_by_ignoring_the_title(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    new_spring_twice: tuple[str, str],
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    await call(
        hass,
        "resolve_conflict",
        {"config_entry_id": entry.entry_id, "asin": NEW_SPRING, "ignore": True},
    )
    match = entry.runtime_data.library.data.match
    assert NEW_SPRING not in match.conflicts
    assert NEW_SPRING not in match.unmatched
    assert NEW_SPRING not in match.links
    assert entry.runtime_data.deps.store.data.ignored == {NEW_SPRING}
    unmatched = hass.states.get("sensor.audible_de_unmatched_titles")
    assert "New Spring" not in unmatched.attributes["titles"]


async def test_ignoring_a_linked_title_forgets_its_sync(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: Any
) -> None:
    assert ANNE in entry.runtime_data.deps.store.data.ledger["titles"]
    await call(
        hass,
        "resolve_conflict",
        {"config_entry_id": entry.entry_id, "asin": ANNE, "ignore": True},
    )
    assert ANNE not in links(entry)
    # A later link starts the sync from a fresh baseline.
    assert ANNE not in entry.runtime_data.deps.store.data.ledger["titles"]
    await advance(hass, freezer)
    assert ANNE not in entry.runtime_data.deps.store.data.ledger["titles"]


# ---- get_conflicts ----------------------------------------------------------


async def test_get_conflicts(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    new_spring_twice: tuple[str, str],
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    response = await call(
        hass,
        "get_conflicts",
        {"config_entry_id": entry.entry_id},
        return_response=True,
    )
    [conflict] = response["conflicts"]
    candidates = conflict.pop("candidates")
    assert conflict == {
        "asin": NEW_SPRING,
        "title": "New Spring",
        "authors": ["Robert Jordan"],
        "in_progress": True,
    }
    assert {c["abs_item_id"] for c in candidates} == set(new_spring_twice)
    for candidate in candidates:
        assert candidate["title"] == "New Spring"
        assert candidate["authors"] == ["Robert Jordan"]
        assert candidate["method"] == "fuzzy"
        assert 60 <= candidate["score"] <= 100
    scores = [c["score"] for c in candidates]
    assert scores == sorted(scores, reverse=True)
    assert response["unmatched"] == [
        {
            "asin": "B0OMNIBUS1",
            "title": "The Wheel Omnibus",
            "authors": ["Robert Jordan"],
            "in_progress": False,
        },
        {
            "asin": UNMATCHED,
            "title": "Zzyzx Road Chronicles",
            "authors": ["Nobody Known"],
            "in_progress": True,
        },
    ]


async def test_get_conflicts_when_there_are_none(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    response = await call(
        hass,
        "get_conflicts",
        {"config_entry_id": entry.entry_id},
        return_response=True,
    )
    assert response["conflicts"] == []
    assert [title["asin"] for title in response["unmatched"]] == [
        "B0OMNIBUS1",
        NEW_SPRING,
        UNMATCHED,
    ]


# ---- push_position ----------------------------------------------------------


async def test_push_position_takes_audibles_position(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    mock_audible.set_position(ANNE, 42_000)
    abs_world.clear_requests()
    await call(hass, "push_position", {"config_entry_id": entry.entry_id, "asin": ANNE})
    assert [(r.path, r.json) for r in abs_world.requests_to("PATCH")] == [
        (ANNE_PROGRESS_PATH, {"currentTime": 42.0, "duration": 60.0, "progress": 0.7})
    ]
    # Read before, and read back at once by a poll.
    assert [(r.method, r.path) for r in abs_world.requests] == [
        ("GET", ANNE_PROGRESS_PATH),
        ("PATCH", ANNE_PROGRESS_PATH),
        ("GET", "/api/me"),
    ]
    before = len(writes(mock_audible, abs_world))
    for _ in range(3):
        await advance(hass, freezer)
    assert len(writes(mock_audible, abs_world)) == before
    assert mock_audible.positions[ANNE].position_ms == 42_000


async def test_push_a_given_position_by_abs_item(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await call(
        hass,
        "push_position",
        {"config_entry_id": entry.entry_id, "abs_item_id": ANNE_ID, "position": 15},
    )
    assert abs_world.progress_json(ANNE_ID)["currentTime"] == 15.0
    before = len(writes(mock_audible, abs_world))
    for _ in range(3):
        await advance(hass, freezer)
    # Pushed on purpose: neither side is moved back.
    assert len(writes(mock_audible, abs_world)) == before
    assert abs_world.progress_json(ANNE_ID)["currentTime"] == 15.0
    assert mock_audible.positions[ANNE].position_ms == 30_000


async def test_push_position_to_a_book_without_progress_on_abs(
    hass: HomeAssistant, entry: MockConfigEntry, abs_world: FakeAbsServer
) -> None:
    # Les Misérables: 120 s on Audible, 115 s on ABS, never played on ABS.
    assert abs_world.progress_json(LES_MIS_ID) is None
    await call(
        hass,
        "push_position",
        {"config_entry_id": entry.entry_id, "asin": LES_MIS, "position": 118},
    )
    [patch_request] = abs_world.requests_to("PATCH")
    # Clamped to ABS's shorter edition.
    assert patch_request.json == {
        "currentTime": 115.0,
        "duration": 115.0,
        "progress": 1.0,
    }


async def test_push_position_to_a_finished_abs_book_unfinishes_it_first(
    hass: HomeAssistant, entry: MockConfigEntry, abs_world: FakeAbsServer
) -> None:
    abs_world.set_progress(ANNE_ID, current_time=60.0, duration=60.0, is_finished=True)
    await call(
        hass,
        "push_position",
        {"config_entry_id": entry.entry_id, "asin": ANNE, "position": 20},
    )
    assert [r.json for r in abs_world.requests_to("PATCH")] == [
        {"isFinished": False},
        {"currentTime": 20.0, "duration": 60.0, "progress": 20 / 60},
    ]
    progress = abs_world.progress_json(ANNE_ID)
    assert progress["isFinished"] is False
    assert progress["currentTime"] == 20.0


async def test_push_position_when_a_service_is_down(
    hass: HomeAssistant, entry: MockConfigEntry, abs_world: FakeAbsServer
) -> None:
    stored = entry.runtime_data.deps.store.data.to_dict()
    abs_world.fail_next(1, status=502, text="Bad Gateway", path=ANNE_PROGRESS_PATH)
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass, "push_position", {"config_entry_id": entry.entry_id, "asin": ANNE}
        )
    assert_translated(err.value, "service_unavailable")
    assert abs_world.requests_to("PATCH") == []
    assert entry.runtime_data.deps.store.data.to_dict() == stored


async def test_push_position_write_refused(
    hass: HomeAssistant, entry: MockConfigEntry, abs_world: FakeAbsServer
) -> None:
    client = entry.runtime_data.deps.abs_client
    real_get_progress = client.get_progress

    async def then_fail_the_write(item_id: str) -> Any:
        progress = await real_get_progress(item_id)
        abs_world.fail_next(1, status=500, path=ANNE_PROGRESS_PATH)
        return progress

    with (
        patch.object(client, "get_progress", then_fail_the_write),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(
            hass,
            "push_position",
            {"config_entry_id": entry.entry_id, "asin": ANNE, "position": 10},
        )
    assert_translated(err.value, "push_failed")
    assert abs_world.progress_json(ANNE_ID)["currentTime"] == 30.0
    # Reported, not retried: a retry would rebuild the write from Audible's
    # state, not from the position the user gave.
    abs_ledger = entry.runtime_data.deps.store.data.ledger["titles"][ANNE]["abs"]
    assert abs_ledger["failures"] == 0
    abs_world.clear_requests()
    await entry.runtime_data.progress.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert abs_world.requests_to("PATCH", ANNE_PROGRESS_PATH) == []


# ---- sync_now and set_sync_enabled ----------------------------------------


async def test_sync_now_polls_at_once(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
) -> None:
    abs_world.set_progress(ANNE_ID, current_time=45.0, duration=60.0)
    abs_world.clear_requests()
    mock_audible.requests.clear()
    await call(hass, "sync_now", {"config_entry_id": entry.entry_id})
    assert [r.path for r in abs_world.requests] == ["/api/me"]
    assert [(r.method, r.path) for r in mock_audible.requests] == [
        ("GET", "1.0/annotations/lastpositions"),
        ("PUT", f"1.0/lastpositions/{ANNE}"),
    ]
    assert mock_audible.positions[ANNE].position_ms == 45_000


async def test_sync_now_reports_a_failed_poll(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
) -> None:
    mock_audible.fail_next(500, times=3)
    abs_world.fail_next(3, status=500)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "sync_now", {"config_entry_id": entry.entry_id})
    assert_translated(err.value, "service_unavailable")


async def test_sync_now_without_abs_polls_audible(
    hass: HomeAssistant, mock_audible: FakeAudible
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    mock_audible.requests.clear()
    await call(hass, "sync_now", {"config_entry_id": entry.entry_id})
    assert [r.path for r in mock_audible.requests] == ["1.0/annotations/lastpositions"]


async def test_set_sync_enabled_is_stored(
    hass: HomeAssistant, hass_storage: dict[str, Any], entry: MockConfigEntry
) -> None:
    data = {"config_entry_id": entry.entry_id, "asin": ANNE}
    await call(hass, "set_sync_enabled", {**data, "enabled": False})
    stored = hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]
    assert stored["sync_disabled"] == [ANNE]
    await call(hass, "set_sync_enabled", {**data, "enabled": True})
    stored = hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]
    assert stored["sync_disabled"] == []


# ---- validation ------------------------------------------------------------

NEEDS_ABS: list[tuple[str, dict[str, Any]]] = [
    ("link", {"asin": ANNE, "abs_item_id": ANNE_ID}),
    ("unlink", {"asin": ANNE}),
    ("resolve_conflict", {"asin": ANNE, "ignore": True}),
    ("push_position", {"asin": ANNE}),
    ("set_sync_enabled", {"asin": ANNE, "enabled": False}),
    ("get_conflicts", {}),
]
ALL_SERVICES = [*NEEDS_ABS, ("sync_now", {})]


def response_kwargs(service: str) -> dict[str, Any]:
    return {"return_response": True} if service == "get_conflicts" else {}


@pytest.mark.parametrize(("service", "data"), ALL_SERVICES)
async def test_unknown_entry(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    service: str,
    data: dict[str, Any],
) -> None:
    stored = entry.runtime_data.deps.store.data.to_dict()
    counts = (len(mock_audible.requests), len(abs_world.requests))
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            service,
            {"config_entry_id": "no_such_entry", **data},
            **response_kwargs(service),
        )
    assert err.value.translation_key == "service_config_entry_not_found"
    assert entry.runtime_data.deps.store.data.to_dict() == stored
    assert (len(mock_audible.requests), len(abs_world.requests)) == counts


@pytest.mark.parametrize(("service", "data"), ALL_SERVICES)
async def test_entry_not_loaded(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    service: str,
    data: dict[str, Any],
) -> None:
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    counts = (len(mock_audible.requests), len(abs_world.requests))
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            service,
            {"config_entry_id": entry.entry_id, **data},
            **response_kwargs(service),
        )
    assert err.value.translation_key == "service_config_entry_not_loaded"
    assert (len(mock_audible.requests), len(abs_world.requests)) == counts


@pytest.mark.parametrize(("service", "data"), NEEDS_ABS)
async def test_abs_not_configured(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    service: str,
    data: dict[str, Any],
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    stored = entry.runtime_data.deps.store.data.to_dict()
    count = len(mock_audible.requests)
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            service,
            {"config_entry_id": entry.entry_id, **data},
            **response_kwargs(service),
        )
    assert_translated(err.value, "abs_not_configured")
    assert err.value.translation_placeholders == {"entry": "Audible DE"}
    assert entry.runtime_data.deps.store.data.to_dict() == stored
    assert len(mock_audible.requests) == count


INVALID_CALLS: list[tuple[str, dict[str, Any], str]] = [
    ("link", {"asin": "B0NOSUCH01", "abs_item_id": ANNE_ID}, "unknown_asin"),
    ("link", {"asin": ANNE, "abs_item_id": "no-such-item"}, "unknown_abs_item"),
    ("unlink", {"asin": "B0NOSUCH01"}, "unknown_asin"),
    ("resolve_conflict", {"asin": "B0NOSUCH01", "ignore": True}, "unknown_asin"),
    (
        "resolve_conflict",
        {"asin": ANNE, "abs_item_id": "no-such-item"},
        "unknown_abs_item",
    ),
    (
        "resolve_conflict",
        {"asin": ANNE, "abs_item_id": ANNE_ID, "ignore": True},
        "resolve_needs_one_choice",
    ),
    ("resolve_conflict", {"asin": ANNE}, "resolve_needs_one_choice"),
    ("resolve_conflict", {"asin": ANNE, "ignore": False}, "resolve_needs_one_choice"),
    ("set_sync_enabled", {"asin": "B0NOSUCH01", "enabled": False}, "unknown_asin"),
    ("push_position", {}, "push_needs_one_title"),
    ("push_position", {"asin": ANNE, "abs_item_id": ANNE_ID}, "push_needs_one_title"),
    ("push_position", {"asin": "B0NOSUCH01"}, "unknown_asin"),
    ("push_position", {"abs_item_id": "no-such-item"}, "unknown_abs_item"),
    ("push_position", {"asin": UNMATCHED}, "title_not_linked"),
    ("push_position", {"abs_item_id": AVONLEA_ID}, "item_not_linked"),
]


@pytest.mark.parametrize(("service", "data", "key"), INVALID_CALLS)
async def test_invalid_calls_change_nothing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    service: str,
    data: dict[str, Any],
    key: str,
) -> None:
    stored = entry.runtime_data.deps.store.data.to_dict()
    match = entry.runtime_data.library.data.match
    counts = (len(mock_audible.requests), len(abs_world.requests))
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, {"config_entry_id": entry.entry_id, **data})
    assert_translated(err.value, key)
    assert entry.runtime_data.deps.store.data.to_dict() == stored
    assert entry.runtime_data.library.data.match == match
    # Refused before asking either service anything.
    assert (len(mock_audible.requests), len(abs_world.requests)) == counts


@pytest.mark.parametrize(
    ("data", "key", "placeholders"),
    [
        (
            {"asin": ANNE, "position": -1},
            "position_out_of_range",
            {"position": "-1", "duration": "60"},
        ),
        (
            {"asin": ANNE, "position": 60.5},
            "position_out_of_range",
            {"position": "60.5", "duration": "60"},
        ),
        (
            {"asin": ANNE, "position": "nan"},
            "position_out_of_range",
            {"position": "nan", "duration": "60"},
        ),
        ({"asin": LES_MIS}, "no_audible_position", {"asin": LES_MIS}),
    ],
)
async def test_push_position_refused_after_reading_the_positions(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str],
) -> None:
    stored = entry.runtime_data.deps.store.data.to_dict()
    before = len(writes(mock_audible, abs_world))
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "push_position", {"config_entry_id": entry.entry_id, **data})
    assert_translated(err.value, key)
    assert err.value.translation_placeholders == placeholders
    assert entry.runtime_data.deps.store.data.to_dict() == stored
    assert len(writes(mock_audible, abs_world)) == before


async def test_push_position_abs_duration_unknown(
    hass: HomeAssistant, mock_audible: FakeAudible, abs_world: FakeAbsServer
) -> None:
    # Not scanned yet: no duration on ABS.
    item_id = abs_world.add_book(
        "Zzyzx Road Chronicles", authors=["Nobody Known"], duration=0
    )
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    assert links(entry)[UNMATCHED].item_id == item_id
    stored = entry.runtime_data.deps.store.data.to_dict()
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "push_position",
            {"config_entry_id": entry.entry_id, "asin": UNMATCHED},
        )
    assert_translated(err.value, "abs_duration_unknown")
    assert abs_world.requests_to("PATCH") == []
    assert entry.runtime_data.deps.store.data.to_dict() == stored
