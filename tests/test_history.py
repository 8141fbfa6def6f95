"""Listening history in Home Assistant: statistics import, streak, goal, number."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import (
    async_add_external_statistics,
    statistics_during_period,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.audible_tracker.const import CONF_STREAK_MINIMUM
from custom_components.audible_tracker.core.history import HistorySeries
from custom_components.audible_tracker.listening_history import statistic_id
from tests.conftest import (
    ANNE_ID,
    NOW,
    advance,
    make_entry,
    setup_integration,
)
from tests.fakes.abs_server import FakeAbsServer
from tests.fakes.audible_server import FakeAudible

STREAK = "sensor.audible_de_listening_streak"
FINISHED = "sensor.audible_de_books_finished_this_year"
GOAL_PROGRESS = "sensor.audible_de_yearly_goal_progress"
GOAL = "number.audible_de_yearly_goal"
ZONE = "Asia/Kolkata"  # +05:30: local midnight is no whole hour in UTC


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    async_test_recorder: Any, enable_custom_integrations: None
) -> None:
    """The recorder's database must be prepared before `hass` (conftest's own
    fixture of this name asks for `hass` first)."""


class ImportSpy:
    """Counts the rows each series gets, passing every call on."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[date]]] = []

    def __call__(self, hass: HomeAssistant, metadata: Any, rows: Any) -> None:
        rows = list(rows)
        zone = dt_util.get_default_time_zone()
        self.calls.append(
            (
                metadata["statistic_id"].rsplit("_", 1)[-1],
                [row["start"].astimezone(zone).date() for row in rows],
            )
        )
        async_add_external_statistics(hass, metadata, rows)


@pytest.fixture
def spy() -> Any:
    imports = ImportSpy()
    with patch(
        "custom_components.audible_tracker.listening_history.async_add_external_statistics",
        imports,
    ):
        yield imports


async def stored_rows(
    hass: HomeAssistant, entry: MockConfigEntry, series: HistorySeries
) -> dict[date, tuple[float, float]]:
    """The imported rows of a series: local day -> (minutes, running sum)."""
    sid = statistic_id(entry, series)
    found = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(2020, 1, 1, tzinfo=UTC),
        None,
        {sid},
        "hour",
        None,
        {"state", "sum"},
    )
    zone = dt_util.get_default_time_zone()
    return {
        datetime.fromtimestamp(row["start"], UTC).astimezone(zone).date(): (
            row["state"],
            row["sum"],
        )
        for row in found.get(sid, [])
    }


def listening_world(audible: FakeAudible, abs_server: FakeAbsServer) -> None:
    # Audible (conftest): Nov 15 166.7 min, Nov 17 60 min, Nov 18 30 min.
    audible.monthly_listening_ms.update({"2026-09": 600_000.0, "2026-10": 1_200_000.0})
    abs_server.listening_days.update(
        {"2026-11-17": 4800, "2026-11-16": 600, "2026-10-05": 1800}
    )


async def test_first_import_update_rerun_and_restart(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
    spy: ImportSpy,
) -> None:
    await hass.config.async_set_time_zone(ZONE)
    listening_world(mock_audible, abs_world)
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    await async_wait_recording_done(hass)

    # First run: what both services remember, three series.
    assert sorted(series for series, _ in spy.calls) == ["abs", "audible", "combined"]
    audible = await stored_rows(hass, entry, HistorySeries.AUDIBLE)
    # 30 days (Oct 20 - Nov 18), and the months before as totals on the 1st:
    # September 10 min; October 20 min, none of it on Oct 20-31.
    assert len(audible) == 32
    assert audible[date(2026, 9, 1)] == (10.0, 10.0)
    assert audible[date(2026, 10, 1)] == (20.0, 30.0)
    assert audible[date(2026, 11, 15)] == (166.67, 196.67)
    assert audible[date(2026, 11, 18)] == (30.0, 286.67)
    abs_rows = await stored_rows(hass, entry, HistorySeries.ABS)
    assert abs_rows == {
        date(2026, 10, 5): (30.0, 30.0),
        date(2026, 11, 16): (10.0, 40.0),
        date(2026, 11, 17): (80.0, 120.0),
    }
    combined = await stored_rows(hass, entry, HistorySeries.COMBINED)
    # A day counts once, the larger; a day missing on one side is the other's.
    assert combined[date(2026, 11, 17)][0] == 80.0
    assert combined[date(2026, 11, 16)][0] == 10.0
    assert combined[date(2026, 11, 15)][0] == 166.67
    # October: ABS's 30 min beat Audible's 20 min known only as a total.
    assert combined[date(2026, 10, 5)][0] == 30.0
    assert date(2026, 10, 1) not in combined
    assert combined[date(2026, 9, 1)] == (10.0, 10.0)
    assert combined[date(2026, 11, 18)][1] == 326.67

    # Today grows on Audible: only today's row is written again, next hour.
    spy.calls.clear()
    mock_audible.daily_listening_ms["2026-11-18"] = 2_700_000.0
    await advance(hass, freezer, 60)
    await async_wait_recording_done(hass)
    assert spy.calls == [
        ("audible", [date(2026, 11, 18)]),
        ("combined", [date(2026, 11, 18)]),
    ]
    audible = await stored_rows(hass, entry, HistorySeries.AUDIBLE)
    assert audible[date(2026, 11, 18)] == (45.0, 301.67)
    assert len(audible) == 32

    # Nothing new: a re-run imports nothing.
    spy.calls.clear()
    await advance(hass, freezer, 60)
    await async_wait_recording_done(hass)
    assert spy.calls == []

    # A restart imports nothing either: what was imported is stored.
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    assert spy.calls == []
    assert await stored_rows(hass, entry, HistorySeries.AUDIBLE) == audible
    # The monthly totals were asked for once only.
    monthly = [
        r
        for r in mock_audible.requests_to("1.0/stats/aggregates")
        if "monthly_listening_interval_duration" in r.params
    ]
    assert len(monthly) == 2


async def test_a_series_the_recorder_lost_is_imported_again(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    freezer: Any,
    spy: ImportSpy,
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    await async_wait_recording_done(hass)
    assert [series for series, _ in spy.calls] == ["audible"]
    sid = statistic_id(entry, HistorySeries.AUDIBLE)
    get_instance(hass).async_clear_statistics([sid])
    await async_wait_recording_done(hass)
    spy.calls.clear()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    assert [series for series, _ in spy.calls] == ["audible"]
    assert len(await stored_rows(hass, entry, HistorySeries.AUDIBLE)) == 30


async def test_without_recorder_the_history_still_counts(
    hass: HomeAssistant, mock_audible: FakeAudible, spy: ImportSpy
) -> None:
    await setup_integration(hass, make_entry())
    assert spy.calls == []
    state = hass.states.get(STREAK)
    # Nov 17 and 18 (Nov 16 had nothing): two days, today 30 min.
    assert state.state == "2"
    assert state.attributes["longest_streak"] == 2
    assert state.attributes["longest_streak_end"] == "2026-11-18"
    assert state.attributes["today_minutes"] == 30.0


async def test_streak_counts_local_days_and_the_minimum(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    # 12:00 UTC on Nov 18 is already 01:00 on Nov 19 in Auckland: today has
    # nothing yet, the streak ends yesterday.
    await hass.config.async_set_time_zone("Pacific/Auckland")
    mock_audible.daily_listening_ms["2026-11-19"] = 0.0
    entry = make_entry()
    entry = MockConfigEntry(
        domain=entry.domain,
        title=entry.title,
        unique_id=entry.unique_id,
        data=entry.data,
        options={CONF_STREAK_MINIMUM: 45},
    )
    await setup_integration(hass, entry)
    state = hass.states.get(STREAK)
    # Minimum 45 min: Nov 17 (60) counts, Nov 18 (30) does not.
    assert state.state == "0"
    assert state.attributes["longest_streak"] == 1
    assert state.attributes["longest_streak_end"] == "2026-11-17"
    assert state.attributes["today_minutes"] == 0.0


async def test_books_finished_this_year_and_the_goal(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    freezer: Any,
) -> None:
    mock_audible.set_listening("B0OMNIBUS1", is_finished=True)
    abs_world.set_progress(
        ANNE_ID,
        current_time=60.0,
        duration=60.0,
        is_finished=True,
        last_update_ms=int((NOW - timedelta(hours=1)).timestamp() * 1000),
    )
    await setup_integration(hass, make_entry(abs_url=abs_world.url))
    state = hass.states.get(FINISHED)
    assert state.state == "2"
    assert [book["title"] for book in state.attributes["books"]] == [
        "Anne of Green Gables",
        "The Wheel Omnibus",
    ]
    assert state.attributes["books"][1] == {
        "title": "The Wheel Omnibus",
        "asin": "B0OMNIBUS1",
        "abs_item_id": None,
        "finished": "2026-11-18",
    }
    # No goal yet.
    assert hass.states.get(GOAL).state == "0"
    assert hass.states.get(GOAL_PROGRESS).state == "unknown"
    await hass.services.async_call(
        "number", "set_value", {"entity_id": GOAL, "value": 24}, blocking=True
    )
    state = hass.states.get(GOAL_PROGRESS)
    # Nov 18 is day 322 of 365: 21.2 books expected by today.
    assert state.state == "8.3"
    assert state.attributes["expected_by_today"] == 21.2
    assert state.attributes["ahead_by"] == -19.2
    # A book finished is counted at the next poll.
    mock_audible.set_listening("B0PREQUEL5", is_finished=True)
    await advance(hass, freezer, 30)
    assert hass.states.get(FINISHED).state == "3"
    assert hass.states.get(GOAL_PROGRESS).state == "12.5"


async def test_the_goal_is_restored(
    hass: HomeAssistant, mock_audible: FakeAudible
) -> None:
    mock_restore_cache_with_extra_data(
        hass,
        (
            (
                State(GOAL, "12"),
                {
                    "native_max_value": 1000,
                    "native_min_value": 0,
                    "native_step": 1,
                    "native_unit_of_measurement": None,
                    "native_value": 12,
                },
            ),
        ),
    )
    await setup_integration(hass, make_entry())
    assert hass.states.get(GOAL).state == "12"
    assert hass.states.get(GOAL_PROGRESS).attributes["goal"] == 12
    assert hass.states.get(GOAL_PROGRESS).state == "0.0"


async def test_monthly_totals_retried_after_a_failure(
    hass: HomeAssistant, mock_audible: FakeAudible, freezer: Any
) -> None:
    mock_audible.monthly_listening_ms["2026-09"] = 600_000.0
    mock_audible.fail_next(500, path="1.0/stats/aggregates", skip=1)
    entry = make_entry()
    await setup_integration(hass, entry)
    history = entry.runtime_data.history.store
    assert history.history.audible_months == {}
    assert not history.months_fetched
    await advance(hass, freezer, 60)
    assert history.history.audible_months == {date(2026, 9, 1): 600.0}
    assert history.months_fetched


async def test_a_damaged_history_file_starts_afresh(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_audible: FakeAudible,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = make_entry()
    key = f"audible_tracker.{entry.entry_id}.history"
    hass_storage[key] = {
        "version": 1,
        "key": key,
        "data": {"history": {"version": 1}, "imported": {}, "months_fetched": True},
    }
    await setup_integration(hass, entry)
    assert "stored listening history is unreadable" in caplog.text
    store = entry.runtime_data.history.store
    assert len(store.history.audible) == 30
    assert store.months_fetched  # asked again, as on a first run
    assert hass_storage[key]["data"]["history"]["version"] == 1
    assert len(hass_storage[key]["data"]["history"]["audible"]) == 30
