"""The two-way sync end to end: both fakes, Home Assistant polls, real writes.

In the world of `tests/conftest.py`, Anne of Green Gables (B0FAKE0001) is
linked by ASIN and 60 s long on both sides: Audible holds 24 s (two hours
ago), Audiobookshelf 30 s (one hour ago), so the first poll at setup writes
30 s to Audible. Positions stay below 50 s because ABS marks a book finished
less than 10 s before its end.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.audible_tracker.const import (
    CONF_DRY_RUN,
    CONF_SYNC_MODE,
    DOMAIN,
)
from custom_components.audible_tracker.core.sync import (
    PlannedWrite,
    Side,
    SideState,
    WriteKind,
)
from tests.conftest import ANNE_ID, advance, make_entry, setup_integration
from tests.fakes.abs_server import FakeAbsServer
from tests.fakes.audible_server import FakeAudible

ANNE = "B0FAKE0001"
SYNC_PLAN = "sensor.audible_de_sync_plan"
ANNE_PROGRESS_PATH = f"/api/me/progress/{ANNE_ID}"


async def polls(hass: HomeAssistant, freezer: Any, count: int) -> None:
    """Run `count` progress polls, one after the other."""
    for _ in range(count):
        await advance(hass, freezer)


def audible_position_writes(audible: FakeAudible) -> list[Any]:
    """Every position write to Audible (PUT lastpositions)."""
    return audible.requests_to("1.0/lastpositions/", "PUT")


def audible_finish_writes(audible: FakeAudible) -> list[Any]:
    """Every finished/unfinished event sent to Audible."""
    return audible.requests_to("1.0/stats/events", "PUT")


def abs_writes(abs_server: FakeAbsServer) -> list[Any]:
    """Every progress write to Audiobookshelf (PATCH)."""
    return abs_server.requests_to("PATCH")


def abs_listened(abs_server: FakeAbsServer, item_id: str, seconds: float) -> None:
    """Someone listened on Audiobookshelf just now."""
    abs_server.set_progress(item_id, current_time=seconds, duration=60.0)


def store_key(entry: MockConfigEntry) -> str:
    return f"{DOMAIN}.{entry.entry_id}"


async def setup_with_options(
    hass: HomeAssistant, entry: MockConfigEntry, options: dict[str, Any]
) -> None:
    """Add the entry with these options and set it up."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options=options)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def set_sync_enabled(
    hass: HomeAssistant, entry: MockConfigEntry, asin: str, *, enabled: bool
) -> None:
    await hass.services.async_call(
        DOMAIN,
        "set_sync_enabled",
        {"config_entry_id": entry.entry_id, "asin": asin, "enabled": enabled},
        blocking=True,
    )


# ---- positions ------------------------------------------------------------


async def test_first_poll_writes_the_newer_abs_position_once(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    # A new entry has no ledger yet; that is not an unreadable one.
    assert not [
        r for r in caplog.records if r.levelno >= logging.WARNING and "ledger" in r.msg
    ]
    writes = audible_position_writes(mock_audible)
    assert [w.body for w in writes] == [
        {"acr": f"CR!FAKE{ANNE}", "asin": ANNE, "position_ms": 30_000}
    ]
    assert mock_audible.positions[ANNE].position_ms == 30_000
    assert abs_writes(abs_world) == []
    # Audible now reports what was written: our echo, not a move to send back.
    await polls(hass, freezer, 4)
    assert len(audible_position_writes(mock_audible)) == 1
    assert abs_writes(abs_world) == []
    assert audible_finish_writes(mock_audible) == []


async def test_listening_on_abs_reaches_audible_in_one_poll(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    mock_audible.requests.clear()
    abs_listened(abs_world, ANNE_ID, 45.0)
    await advance(hass, freezer)
    assert [w.body["position_ms"] for w in audible_position_writes(mock_audible)] == [
        45_000
    ]
    assert mock_audible.positions[ANNE].position_ms == 45_000
    state = hass.states.get(SYNC_PLAN)
    assert state.state == "1"
    assert state.attributes["planned"] == [
        f"{ANNE} -> audible: set position 0:00:45 of 0:01:00 (abs moved)"
    ]
    # No echo: neither side is written again.
    await polls(hass, freezer, 3)
    assert len(audible_position_writes(mock_audible)) == 1
    assert abs_writes(abs_world) == []
    assert hass.states.get(SYNC_PLAN).state == "0"


async def test_listening_on_audible_reaches_abs_in_one_poll(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    await polls(hass, freezer, 2)  # past the cooldown of the setup's write
    mock_audible.requests.clear()
    abs_world.clear_requests()
    mock_audible.set_position(ANNE, 42_000)
    await advance(hass, freezer)
    writes = abs_writes(abs_world)
    assert [(w.path, w.json) for w in writes] == [
        (
            ANNE_PROGRESS_PATH,
            {"currentTime": 42.0, "duration": 60.0, "progress": 0.7},
        )
    ]
    assert abs_world.progress_json(ANNE_ID)["currentTime"] == 42.0
    assert audible_position_writes(mock_audible) == []
    await polls(hass, freezer, 3)
    assert len(abs_writes(abs_world)) == 1
    assert audible_position_writes(mock_audible) == []


async def test_write_back_waits_for_the_cooldown(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    # Listening on Audible right after the sync wrote to it.
    mock_audible.set_position(ANNE, 42_000)
    await advance(hass, freezer)
    assert abs_writes(abs_world) == []
    skipped = hass.states.get(SYNC_PLAN).attributes["skipped"]
    assert len(skipped) == 1
    assert skipped[0].startswith(f"{ANNE}: cooldown: audible -> abs waits until")
    # The move is kept and synced once the cooldown (10 minutes) is over.
    await advance(hass, freezer)
    assert [w.json["currentTime"] for w in abs_writes(abs_world)] == [42.0]
    await polls(hass, freezer, 2)
    assert len(abs_writes(abs_world)) == 1


# ---- finished -------------------------------------------------------------


async def test_finished_on_audible_marks_abs_finished(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    await polls(hass, freezer, 2)
    mock_audible.set_listening(ANNE, is_finished=True, percent_complete=100.0)
    # Audible tells "finished" in the library, refreshed every 30 minutes.
    await polls(hass, freezer, 6)
    writes = abs_writes(abs_world)
    assert [(w.path, w.json) for w in writes] == [
        (ANNE_PROGRESS_PATH, {"isFinished": True})
    ]
    assert abs_world.progress_json(ANNE_ID)["isFinished"] is True
    assert audible_finish_writes(mock_audible) == []
    await polls(hass, freezer, 3)
    assert len(abs_writes(abs_world)) == 1
    assert len(audible_position_writes(mock_audible)) == 1  # the setup's


async def test_finished_on_abs_marks_audible_finished(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    library_fetches = mock_audible.count("1.0/library")
    abs_world.set_progress(ANNE_ID, current_time=60.0, duration=60.0, is_finished=True)
    await advance(hass, freezer)
    events = audible_finish_writes(mock_audible)
    assert len(events) == 1
    [event] = events[0].body["stats"]
    assert event["event_type"] == "ManualMarkAsFinished"
    assert event["asin"] == ANNE
    assert event["length_of_book"] == 60_000
    assert mock_audible.items[ANNE]["is_finished"] is True
    # Audible shows "finished" in its library: it is fetched again at once.
    assert mock_audible.count("1.0/library") == library_fetches + 1
    assert entry.runtime_data.library.data.titles[ANNE].is_finished
    await polls(hass, freezer, 3)
    assert len(audible_finish_writes(mock_audible)) == 1
    assert len(audible_position_writes(mock_audible)) == 1  # the setup's
    assert abs_writes(abs_world) == []


async def test_position_write_to_a_finished_audible_title_unfinishes_it_first(
    hass: HomeAssistant, mock_audible: FakeAudible, abs_world: FakeAbsServer
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    mock_audible.set_listening(ANNE, is_finished=True)
    mock_audible.requests.clear()
    sync = entry.runtime_data.progress.sync
    assert sync is not None
    write = PlannedWrite(
        asin=ANNE,
        item_id=ANNE_ID,
        target=Side.AUDIBLE,
        kind=WriteKind.POSITION,
        reason="re-read",
        source=SideState(position_s=12.0, duration_s=60.0),
        target_before=SideState(position_s=30.0, duration_s=60.0, finished=True),
        position_s=12.0,
        duration_s=60.0,
        progress=0.2,
        unfinish_first=True,
    )
    assert await sync._async_apply(write, dt_util.utcnow())
    assert [(r.method, r.path) for r in mock_audible.requests] == [
        ("PUT", "1.0/stats/events"),
        ("PUT", f"1.0/lastpositions/{ANNE}"),
    ]
    [event] = mock_audible.requests[0].body["stats"]
    assert (event["event_type"], event["length_of_book"]) == (
        "ManualMarkAsUnfinished",
        60_000,
    )
    assert mock_audible.items[ANNE]["is_finished"] is False
    assert mock_audible.positions[ANNE].position_ms == 12_000


# ---- options and exclusions -----------------------------------------------


async def test_dry_run_writes_nothing_but_shows_the_plan(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await setup_with_options(
        hass, make_entry(abs_url=abs_world.url), {CONF_DRY_RUN: True}
    )
    planned = [f"{ANNE} -> audible: set position 0:00:30 of 0:01:00 (first sync:"]
    for _ in range(3):
        state = hass.states.get(SYNC_PLAN)
        assert state.state == "1"
        assert state.attributes["dry_run"] is True
        assert [line[: len(planned[0])] for line in state.attributes["planned"]] == (
            planned
        )
        await advance(hass, freezer)
    assert audible_position_writes(mock_audible) == []
    # Only the watchlist's metadata (exact runtimes), once per title.
    metadata = mock_audible.requests_to("1.0/content/")
    assert {r.method for r in metadata} == {"GET"}
    assert len({r.path for r in metadata}) == len(metadata) > 0
    assert abs_writes(abs_world) == []
    assert mock_audible.positions[ANNE].position_ms == 24_000


async def test_sync_off_writes_nothing(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await setup_with_options(
        hass, make_entry(abs_url=abs_world.url), {CONF_SYNC_MODE: "off"}
    )
    state = hass.states.get(SYNC_PLAN)
    assert state.attributes["mode"] == "off"
    assert f"{ANNE}: sync is off" in state.attributes["skipped"]
    abs_listened(abs_world, ANNE_ID, 45.0)
    await polls(hass, freezer, 2)
    mock_audible.set_position(ANNE, 10_000)
    await polls(hass, freezer, 2)
    assert audible_position_writes(mock_audible) == []
    assert abs_writes(abs_world) == []


async def test_audible_to_abs_only(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await setup_with_options(
        hass, make_entry(abs_url=abs_world.url), {CONF_SYNC_MODE: "audible_to_abs"}
    )
    # The newer ABS position is not written to Audible.
    assert audible_position_writes(mock_audible) == []
    assert (
        f"{ANNE}: mode audible_to_abs: abs changes are not written"
        in (hass.states.get(SYNC_PLAN).attributes["skipped"])
    )
    mock_audible.set_position(ANNE, 42_000)
    await advance(hass, freezer)
    assert [w.json["currentTime"] for w in abs_writes(abs_world)] == [42.0]
    abs_listened(abs_world, ANNE_ID, 12.0)
    await polls(hass, freezer, 3)
    assert audible_position_writes(mock_audible) == []
    assert len(abs_writes(abs_world)) == 1


async def test_abs_to_audible_only(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await setup_with_options(
        hass, make_entry(abs_url=abs_world.url), {CONF_SYNC_MODE: "abs_to_audible"}
    )
    assert len(audible_position_writes(mock_audible)) == 1
    await polls(hass, freezer, 2)
    mock_audible.set_position(ANNE, 42_000)
    await polls(hass, freezer, 2)
    assert abs_writes(abs_world) == []
    abs_listened(abs_world, ANNE_ID, 12.0)
    await advance(hass, freezer)
    assert [w.body["position_ms"] for w in audible_position_writes(mock_audible)] == [
        30_000,
        12_000,
    ]
    assert abs_writes(abs_world) == []


async def test_title_excluded_from_sync_is_not_written(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    await set_sync_enabled(hass, entry, ANNE, enabled=False)
    assert entry.runtime_data.deps.store.data.sync_disabled == {ANNE}
    abs_listened(abs_world, ANNE_ID, 45.0)
    await polls(hass, freezer, 3)
    assert len(audible_position_writes(mock_audible)) == 1  # the setup's
    assert (
        f"{ANNE}: excluded from sync"
        in (hass.states.get(SYNC_PLAN).attributes["skipped"])
    )
    # Included again: a fresh start, which still moves Audible forwards.
    await set_sync_enabled(hass, entry, ANNE, enabled=True)
    assert entry.runtime_data.deps.store.data.sync_disabled == set()
    await advance(hass, freezer)
    assert [w.body["position_ms"] for w in audible_position_writes(mock_audible)] == [
        30_000,
        45_000,
    ]
    assert abs_writes(abs_world) == []


async def test_title_in_conflict_is_not_synced_and_starts_afresh(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    # A second copy of Anne shows up on ABS, with progress: two items now
    # claim the ASIN, so the title is a conflict until someone picks one.
    copy_id = abs_world.add_book(
        "Anne of Green Gables", authors=["L. M. Montgomery"], asin=ANNE, duration=60
    )
    abs_world.set_progress(copy_id, current_time=5.0, duration=60.0)
    await advance(hass, freezer)
    match = entry.runtime_data.library.data.match
    assert ANNE in match.conflicts
    abs_listened(abs_world, ANNE_ID, 45.0)
    await advance(hass, freezer)
    assert len(audible_position_writes(mock_audible)) == 1  # the setup's
    assert ANNE not in entry.runtime_data.deps.store.data.ledger["titles"]
    # Resolved: a fresh start, which moves Audible forwards only.
    await hass.services.async_call(
        DOMAIN,
        "link",
        {"config_entry_id": entry.entry_id, "asin": ANNE, "abs_item_id": ANNE_ID},
        blocking=True,
    )
    await advance(hass, freezer)
    assert [w.body["position_ms"] for w in audible_position_writes(mock_audible)] == [
        30_000,
        45_000,
    ]


async def test_title_unlinked_during_a_poll_is_not_written(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    client = entry.runtime_data.deps.abs_client
    real_get_me = client.get_me

    async def unlinked_while_asking(*args: Any, **kwargs: Any) -> Any:
        user = await real_get_me(*args, **kwargs)
        # The user unlinks Anne while the poll waits for the services.
        await hass.services.async_call(
            DOMAIN,
            "unlink",
            {"config_entry_id": entry.entry_id, "asin": ANNE},
            blocking=True,
        )
        return user

    abs_listened(abs_world, ANNE_ID, 45.0)
    with patch.object(client, "get_me", unlinked_while_asking):
        await advance(hass, freezer)
    assert ANNE not in entry.runtime_data.library.data.match.links
    assert len(audible_position_writes(mock_audible)) == 1  # the setup's
    assert ANNE not in entry.runtime_data.deps.store.data.ledger["titles"]
    # What the entities show follows the unlink too.
    assert entry.runtime_data.progress.data.snapshot.books[ANNE].abs_item_id is None


# ---- failures, retries, the ACR and restarts ------------------------------


async def test_failed_audible_write_is_retried_on_the_next_poll(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    abs_listened(abs_world, ANNE_ID, 45.0)
    mock_audible.fail_next(500, path="1.0/lastpositions/")
    await advance(hass, freezer)
    writes = audible_position_writes(mock_audible)
    assert [(w.body["position_ms"], w.status) for w in writes] == [
        (30_000, 200),
        (45_000, 500),
    ]
    assert mock_audible.positions[ANNE].position_ms == 30_000
    ledger = entry.runtime_data.deps.store.data.ledger["titles"][ANNE]["audible"]
    assert ledger["failures"] == 1
    assert ledger["write"]["status"] == "failed"
    # Not in a tight loop: nothing happens until the next poll (2 minutes).
    freezer.tick(timedelta(minutes=1.5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(audible_position_writes(mock_audible)) == 2
    await advance(hass, freezer, 1)
    writes = audible_position_writes(mock_audible)
    assert [(w.body["position_ms"], w.status) for w in writes[2:]] == [(45_000, 200)]
    assert mock_audible.positions[ANNE].position_ms == 45_000
    await polls(hass, freezer, 3)
    assert len(audible_position_writes(mock_audible)) == 3
    assert abs_writes(abs_world) == []


async def test_failed_abs_write_is_retried_on_the_next_poll(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    await polls(hass, freezer, 2)
    mock_audible.set_position(ANNE, 42_000)
    abs_world.fail_next(1, status=500, path=ANNE_PROGRESS_PATH)
    await advance(hass, freezer)
    assert len(abs_writes(abs_world)) == 1
    assert abs_world.progress_json(ANNE_ID)["currentTime"] == 30.0
    await advance(hass, freezer)
    writes = abs_writes(abs_world)
    assert len(writes) == 2
    assert writes[0].json == writes[1].json
    assert abs_world.progress_json(ANNE_ID)["currentTime"] == 42.0
    await polls(hass, freezer, 3)
    assert len(abs_writes(abs_world)) == 2


async def test_acr_fetched_once_cached_and_stored(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    assert mock_audible.count(f"1.0/content/{ANNE}/metadata") == 1
    stored = hass_storage[store_key(entry)]["data"]
    assert stored["acr"][ANNE] == f"CR!FAKE{ANNE}"
    assert stored["runtime_ms"][ANNE] == 60_000
    requests = mock_audible.count("1.0/content/")
    for seconds in (45.0, 20.0):
        abs_listened(abs_world, ANNE_ID, seconds)
        await advance(hass, freezer)
    assert [w.body["position_ms"] for w in audible_position_writes(mock_audible)] == [
        30_000,
        45_000,
        20_000,
    ]
    assert mock_audible.count("1.0/content/") == requests
    # Kept across a restart too.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    abs_listened(abs_world, ANNE_ID, 35.0)
    await advance(hass, freezer)
    assert mock_audible.positions[ANNE].position_ms == 35_000
    assert mock_audible.count("1.0/content/") == requests


async def test_title_without_content_reference_is_retried(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    # Asked for the exact runtime, then again for the write: both unanswered.
    mock_audible.respond_next(
        f"1.0/content/{ANNE}/metadata",
        status=404,
        json={"message": "Not found"},
        times=2,
    )
    await setup_integration(hass, entry)
    assert mock_audible.count(f"1.0/content/{ANNE}/metadata") == 2
    # Without a content reference Audible would drop the position: not sent.
    assert audible_position_writes(mock_audible) == []
    assert ANNE not in entry.runtime_data.deps.store.data.acr
    store = entry.runtime_data.deps.store
    audible_ledger = store.data.ledger["titles"][ANNE]["audible"]
    assert audible_ledger["last_error"] == "AudibleError"
    await advance(hass, freezer)
    assert [w.body["position_ms"] for w in audible_position_writes(mock_audible)] == [
        30_000
    ]
    # The write asked again; the runtime's own retry waits (backing off).
    assert mock_audible.count(f"1.0/content/{ANNE}/metadata") == 3


async def test_outdated_content_reference_is_fetched_again(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    # The title's content reference changed since it was cached (a new
    # edition of the audio): Audible answers 200 to the old one and drops it.
    mock_audible.acrs[ANNE] = "CR!REISSUED"
    mock_audible.runtime_ms[ANNE] = 59_000
    hass_storage[store_key(entry)] = {
        "version": 1,
        "key": store_key(entry),
        "data": {
            "acr": {ANNE: f"CR!FAKE{ANNE}"},
            "runtime_ms": {ANNE: 60_000},
        },
    }
    await setup_integration(hass, entry)
    assert mock_audible.positions[ANNE].position_ms == 24_000
    await advance(hass, freezer)
    writes = audible_position_writes(mock_audible)
    assert [w.body["acr"] for w in writes] == [f"CR!FAKE{ANNE}", "CR!REISSUED"]
    assert mock_audible.positions[ANNE].position_ms == 30_000
    assert entry.runtime_data.deps.store.data.acr[ANNE] == "CR!REISSUED"
    # Asked again once, which refreshed the runtime too.
    assert mock_audible.count(f"1.0/content/{ANNE}/metadata") == 1
    assert entry.runtime_data.deps.store.data.runtime_ms[ANNE] == 59_000
    await polls(hass, freezer, 3)
    assert len(audible_position_writes(mock_audible)) == 2
    assert hass.states.get(SYNC_PLAN).attributes["unverified"] == []


async def test_write_that_never_takes_is_given_up_and_reported_once(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Audible accepts every write (200) but keeps the old position.
    mock_audible.respond_next(f"1.0/lastpositions/{ANNE}", status=200, text="", times=9)
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    await polls(hass, freezer, 8)
    writes = audible_position_writes(mock_audible)
    # Attempt 1 at setup, retried after 5 and 10 more minutes (backoff), then
    # given up after three attempts.
    assert [w.body["position_ms"] for w in writes] == [30_000] * 3
    assert mock_audible.positions[ANNE].position_ms == 24_000
    unverified = hass.states.get(SYNC_PLAN).attributes["unverified"]
    assert [(u["target"], u["attempts"], u["gave_up"]) for u in unverified] == [
        ("audible", 3, True)
    ]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert [w for w in warnings if "did not take" in w] == [
        (
            f"A sync write to audible for {ANNE} did not take after 3 attempts; "
            "it is given up until the title moves again"
        )
    ]


async def test_restart_after_a_write_does_not_repeat_it(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    abs_listened(abs_world, ANNE_ID, 45.0)
    await advance(hass, freezer)
    assert len(audible_position_writes(mock_audible)) == 2
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await polls(hass, freezer, 3)
    assert len(audible_position_writes(mock_audible)) == 2
    assert abs_writes(abs_world) == []
    # The ledger came back from the Store: a new move is still synced.
    abs_listened(abs_world, ANNE_ID, 20.0)
    await advance(hass, freezer)
    assert mock_audible.positions[ANNE].position_ms == 20_000
    assert len(audible_position_writes(mock_audible)) == 3


async def test_restart_between_planning_and_writing_writes_once(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    """Stopped after the plan was saved, before the write: written after start."""
    entry = make_entry(abs_url=abs_world.url)
    await setup_with_options(hass, entry, {CONF_DRY_RUN: True})
    # The dry run saved the planned write in the ledger, like a stop would.
    ledger = entry.runtime_data.deps.store.data.ledger["titles"][ANNE]["audible"]
    assert ledger["write"]["status"] == "planned"
    hass.config_entries.async_update_entry(entry, options={CONF_DRY_RUN: False})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await polls(hass, freezer, 3)
    assert [w.body["position_ms"] for w in audible_position_writes(mock_audible)] == [
        30_000
    ]


async def test_unreadable_ledger_starts_afresh(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    hass_storage[store_key(entry)] = {
        "version": 1,
        "key": store_key(entry),
        "data": {"ledger": {"version": 99, "titles": {}}},
    }
    await setup_integration(hass, entry)
    assert "The stored sync ledger is unreadable; starting afresh" in caplog.text
    assert [w.body["position_ms"] for w in audible_position_writes(mock_audible)] == [
        30_000
    ]
    assert hass_storage[store_key(entry)]["data"]["ledger"]["version"] == 1


async def test_audible_only_entry_has_no_sync(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    await advance(hass, freezer)
    assert entry.runtime_data.progress.sync is None
    assert entry.runtime_data.progress.data.sync_plan is None
    assert audible_position_writes(mock_audible) == []
    assert hass.states.get(SYNC_PLAN) is None
