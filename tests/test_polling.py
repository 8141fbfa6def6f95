"""Adaptive progress polling in Home Assistant: counted requests, frozen clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant

from tests.conftest import ANNE_ID, NOW, advance, make_entry, setup_integration
from tests.fakes.abs_server import FakeAbsServer
from tests.fakes.audible_server import FakeAudible, make_item

LASTPOSITIONS = "1.0/annotations/lastpositions"
ANNE = "B0FAKE0001"
FAST = list(range(2, 31, 2))  # every 2 minutes for the first half hour


async def poll_minutes(
    hass: HomeAssistant, freezer: Any, audible: FakeAudible, minutes: int
) -> list[int]:
    """Let `minutes` pass a minute at a time; the minutes Audible was polled."""
    polled = []
    for minute in range(1, minutes + 1):
        before = audible.count(LASTPOSITIONS)
        await advance(hass, freezer, 1)
        polled += [minute] * (audible.count(LASTPOSITIONS) - before)
    return polled


async def test_quiet_polls_back_off_to_the_idle_interval(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    await setup_integration(hass, make_entry())
    library = mock_audible.count("1.0/library")
    stats = mock_audible.count("1.0/stats/aggregates")
    polled = await poll_minutes(hass, freezer, mock_audible, 120)
    # Fast after the start, then 4, 8 and 15 minutes apart.
    assert polled == [*FAST, 34, 42, 57, 72, 87, 102, 117]
    assert len([m for m in polled if m > 60]) == 4  # an idle hour
    # The library (30 minutes) and the stats (hourly) keep their own schedules.
    assert mock_audible.count("1.0/library") - library == 4
    assert mock_audible.count("1.0/stats/aggregates") - stats == 2


async def test_listening_on_audible_makes_polls_fast_again(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    await setup_integration(hass, make_entry())
    await poll_minutes(hass, freezer, mock_audible, 60)  # idle: next poll at 72
    mock_audible.set_position(ANNE, 50_000)
    polled = await poll_minutes(hass, freezer, mock_audible, 30)
    assert polled == [12, 14, 16, 18, 20, 22, 24, 26, 28, 30]


async def test_listening_on_abs_makes_polls_fast_again(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    await poll_minutes(hass, freezer, mock_audible, 90)
    abs_world.clear_requests()
    abs_world.set_progress(ANNE_ID, current_time=50.0, duration=60.0)
    polled = await poll_minutes(hass, freezer, mock_audible, 30)
    first = polled[0]
    assert first <= 15  # the idle poll that sees it
    assert polled == list(range(first, 31, 2))
    # The same polls ask ABS: one request each.
    assert len(abs_world.requests_to("GET", "/api/me")) == len(polled)


async def test_a_nudge_makes_polls_fast_at_once(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    assert (await poll_minutes(hass, freezer, mock_audible, 60))[-1] == 57
    # The next idle poll would be at 72; an ABS socket event comes at 60.
    entry.runtime_data.progress.note_activity()
    polled = await poll_minutes(hass, freezer, mock_audible, 30)
    assert polled == [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]


async def test_a_nudge_never_delays_a_poll_that_is_due(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    await poll_minutes(hass, freezer, mock_audible, 1)
    entry.runtime_data.progress.note_activity()
    assert await poll_minutes(hass, freezer, mock_audible, 3) == [1, 3]


def asked(audible: FakeAudible) -> list[set[str]]:
    """The ASINs of each lastpositions request."""
    return [
        set(request.params["asins"].split(","))
        for request in audible.requests_to(LASTPOSITIONS)
    ]


async def test_untouched_titles_are_asked_once_then_when_the_library_moves(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    await setup_integration(hass, make_entry())
    # New Spring: in progress in the library, no move for a week.
    assert "B0PREQUEL5" in asked(mock_audible)[0]
    mock_audible.requests.clear()
    await poll_minutes(hass, freezer, mock_audible, 20)
    assert all("B0PREQUEL5" not in asins for asins in asked(mock_audible))
    # Picked up again on another device: the library refresh (every 30
    # minutes) shows it, and the next poll asks about it.
    mock_audible.set_listening("B0PREQUEL5", percent_complete=12.0)
    mock_audible.set_position("B0PREQUEL5", 4_320_000)
    mock_audible.requests.clear()
    polled = await poll_minutes(hass, freezer, mock_audible, 20)
    with_prequel = [
        minute
        for minute, asins in zip(polled, asked(mock_audible), strict=True)
        if "B0PREQUEL5" in asins
    ]
    # The first poll after the library refresh at 30 minutes asks (polls had
    # slowed down), and the move makes polls fast again.
    assert with_prequel[0] <= 14
    assert with_prequel == list(range(with_prequel[0], 21, 2))
    book = hass.states.get("sensor.audible_de_currently_reading")
    assert book.state == "New Spring"


async def test_a_quiet_poll_is_one_request_whatever_the_library_size(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    # 200 books in progress, untouched for weeks, and 1,000 finished long ago.
    for n in range(1200):
        asin = f"B0MANY{n:04d}"
        mock_audible.add_items(
            make_item(
                asin,
                f"Shelf {n}",
                percent_complete=100.0 if n >= 200 else 30.0,
                is_finished=n >= 200,
            )
        )
        if n < 200:
            mock_audible.set_position(asin, 60_000, NOW - timedelta(days=30 + n))
    await setup_integration(hass, make_entry())
    # The first poll asks about everything in progress once (25 per request).
    assert mock_audible.count(LASTPOSITIONS) == 9
    mock_audible.requests.clear()
    await poll_minutes(hass, freezer, mock_audible, 10)
    # Five polls, one request of the two hot titles each (the content
    # metadata of the watchlist is fetched once, a few a poll, and kept).
    assert [len(asins) for asins in asked(mock_audible)] == [2] * 5


async def test_a_quiet_poll_reuses_the_snapshot_and_a_move_rebuilds_it(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    progress = entry.runtime_data.progress
    await poll_minutes(hass, freezer, mock_audible, 6)  # the setup's echo
    books = progress.data.snapshot.books
    polled = await poll_minutes(hass, freezer, mock_audible, 4)
    assert len(polled) == 2
    # No pass over the library: the same books, a new poll time.
    assert progress.data.snapshot.books is books
    assert progress.data.snapshot.updated_at == NOW + timedelta(minutes=10)
    # A move on ABS: built again.
    abs_world.set_progress(ANNE_ID, current_time=50.0, duration=60.0)
    await poll_minutes(hass, freezer, mock_audible, 2)
    assert progress.data.snapshot.books is not books
    assert progress.data.snapshot.books[ANNE].position_s == 50.0
    # ... and on Audible (a listener with the app).
    await poll_minutes(hass, freezer, mock_audible, 4)  # our write's echo
    books = progress.data.snapshot.books
    mock_audible.set_position("B0UNMATCH1", 1_200_000)
    await poll_minutes(hass, freezer, mock_audible, 2)
    assert progress.data.snapshot.books is not books
    assert progress.data.snapshot.books["B0UNMATCH1"].position_s == 1200.0
