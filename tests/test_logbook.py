"""The logbook: sync writes and book events as sentences."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.components.logbook.processor import EventProcessor
from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.audible_tracker.logbook import describe
from custom_components.audible_tracker.sync_events import EVENT_SYNC
from tests.conftest import ANNE_ID, advance, make_entry, setup_integration
from tests.fakes.abs_server import FakeAbsServer
from tests.fakes.audible_server import FakeAudible

ANNE = "B0FAKE0001"
# Everything the event data may hold: titles, ids, sides and positions.
ALLOWED_KEYS = {
    "config_entry_id",
    "type",
    "title",
    "asin",
    "abs_item_id",
    "source",
    "target",
    "kind",
    "position_s",
}


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    async_test_recorder: Any, enable_custom_integrations: None
) -> None:
    """The recorder's database must be prepared before `hass`."""


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (
            {
                "type": "synced",
                "title": "The Adventures of Sherlock Holmes",
                "source": "abs",
                "target": "audible",
                "kind": "position",
                "position_s": 3000.0,
            },
            "Synced The Adventures of Sherlock Holmes: Audiobookshelf 0:50 -> Audible",
        ),
        (
            {
                "type": "synced",
                "title": "Les Misérables",
                "source": "audible",
                "target": "abs",
                "kind": "position",
                "position_s": 45_000,
            },
            "Synced Les Misérables: Audible 12:30 -> Audiobookshelf",
        ),
        (
            {
                "type": "synced",
                "title": "Frankenstein",
                "source": "audible",
                "target": "abs",
                "kind": "finished",
                "position_s": None,
            },
            "Synced Frankenstein: finished on Audible -> Audiobookshelf",
        ),
        (
            {"type": "finished", "title": "Pride and Prejudice", "source": "audible"},
            "Finished Pride and Prejudice on Audible",
        ),
        (
            {"type": "started", "title": "Emma", "source": "both"},
            "Started Emma on Audible and Audiobookshelf",
        ),
        (
            {"type": "not_taken", "title": "Emma", "target": "audible"},
            "Write to Audible did not take: Emma",
        ),
        # Odd data still reads.
        (
            {"type": "synced", "asin": "B0X", "kind": "position"},
            "Synced B0X: None ? -> None",
        ),
    ],
)
def test_sentences(data: dict[str, Any], sentence: str) -> None:
    assert describe(data) == sentence


async def logbook_entries(hass: HomeAssistant) -> list[dict[str, Any]]:
    await async_wait_recording_done(hass)
    processor = EventProcessor(hass, (EVENT_SYNC,))
    now = dt_util.utcnow()
    entries = await get_instance(hass).async_add_executor_job(
        processor.get_events, now - timedelta(days=1), now + timedelta(days=1)
    )
    # The entities' own state changes are in the logbook too: not ours.
    return [entry for entry in entries if entry.get("domain") == "audible_tracker"]


async def test_sync_writes_and_book_events_in_the_logbook(
    monkeypatch: pytest.MonkeyPatch,
    recorder_mock: Recorder,
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    # The frontend's package is not installed here: only its panel is missed
    # (and the card's module URL, which the frontend would keep).
    hass.config.components.add("frontend")
    with patch(
        "homeassistant.components.logbook.frontend.async_register_built_in_panel"
    ):
        assert await async_setup_component(hass, "logbook", {})
    monkeypatch.setattr(
        "custom_components.audible_tracker.card.add_extra_js_url",
        lambda *_args: None,
    )
    fired: list[dict[str, Any]] = []
    hass.bus.async_listen(EVENT_SYNC, lambda event: fired.append(dict(event.data)))
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    # Anne is further on ABS (0:30 of a one-minute book): synced to Audible.
    entries = await logbook_entries(hass)
    assert [(e["name"], e["message"]) for e in entries] == [
        (
            "Audible Tracker",
            "Synced Anne of Green Gables: Audiobookshelf 0:00 -> Audible",
        )
    ]
    assert fired[0] == {
        "config_entry_id": entry.entry_id,
        "type": "synced",
        "title": "Anne of Green Gables",
        "asin": ANNE,
        "abs_item_id": ANNE_ID,
        "source": "abs",
        "target": "audible",
        "kind": "position",
        "position_s": 30.0,
    }
    # Finished on ABS: synced to Audible, and the book event of the next poll.
    abs_world.set_progress(
        ANNE_ID,
        current_time=60.0,
        duration=60.0,
        is_finished=True,
        last_update_ms=int(dt_util.utcnow().timestamp() * 1000),
    )
    await advance(hass, freezer)
    await advance(hass, freezer)
    messages = [e["message"] for e in await logbook_entries(hass)]
    # The book was finished on both by the end of that poll.
    assert messages[1:] == [
        "Synced Anne of Green Gables: finished on Audiobookshelf -> Audible",
        "Finished Anne of Green Gables on Audible and Audiobookshelf",
    ]
    for data in fired:
        assert set(data) <= ALLOWED_KEYS


async def test_a_write_given_up_is_fired_once(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    fired: list[dict[str, Any]] = []
    hass.bus.async_listen(EVENT_SYNC, lambda event: fired.append(dict(event.data)))
    # Audible accepts every write (200) but keeps the old position.
    mock_audible.respond_next(f"1.0/lastpositions/{ANNE}", status=200, text="", times=9)
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    for _ in range(8):
        await advance(hass, freezer)
    assert [describe(data) for data in fired] == [
        "Synced Anne of Green Gables: Audiobookshelf 0:00 -> Audible",
        "Synced Anne of Green Gables: Audiobookshelf 0:00 -> Audible",
        "Synced Anne of Green Gables: Audiobookshelf 0:00 -> Audible",
        "Write to Audible did not take: Anne of Green Gables",
    ]
