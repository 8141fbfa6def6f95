"""The catalog refresh planner: cadence, budget, back-off, batches, stored form."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from custom_components.audible_tracker.core.exceptions import (
    DataError,
    SeriesCacheFormatError,
)
from custom_components.audible_tracker.core.series.schedule import (
    DetailLookup,
    RefreshState,
    ScheduleOptions,
    SeriesRefresh,
    plan_refresh,
    series_due_at,
    state_from_json,
    state_to_json,
)
from custom_components.audible_tracker.core.series.simulate import simulate

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
UNLIMITED = ScheduleOptions(hourly_budget=10_000, per_run=10_000)


def fetched(at: datetime, next_release: date | None = None) -> SeriesRefresh:
    return SeriesRefresh(fetched_at=at, next_release=next_release)


def due_series(state: RefreshState, series: list[str], now: datetime) -> list[str]:
    return list(plan_refresh(state, series, [], now, UNLIMITED).series)


# --- cadence ---------------------------------------------------------------------


def test_a_series_is_refreshed_daily() -> None:
    state = RefreshState(series={"S1": fetched(NOW)})
    assert due_series(state, ["S1"], NOW + 23 * HOUR) == []
    assert due_series(state, ["S1"], NOW + 24 * HOUR) == ["S1"]


def test_a_release_within_30_days_means_every_6_hours() -> None:
    soon = fetched(NOW, next_release=(NOW + timedelta(days=30)).date())
    later = fetched(NOW, next_release=(NOW + timedelta(days=31)).date())
    past = fetched(NOW, next_release=(NOW - timedelta(days=1)).date())
    state = RefreshState(series={"SOON": soon, "LATER": later, "PAST": past})
    names = ["SOON", "LATER", "PAST"]
    assert due_series(state, names, NOW + 5 * HOUR) == []
    assert due_series(state, names, NOW + 6 * HOUR) == ["SOON"]
    # A day on, LATER's release is within 30 days too: both were due after
    # 6 hours (ties by ASIN), before PAST's daily refresh.
    assert due_series(state, names, NOW + 24 * HOUR) == ["LATER", "SOON", "PAST"]
    assert series_due_at(soon, NOW) == NOW + 6 * HOUR
    assert series_due_at(later, NOW) == NOW + 24 * HOUR
    assert series_due_at(SeriesRefresh(), NOW) is None  # never fetched: now


def test_only_the_series_given_are_planned() -> None:
    state = RefreshState(series={"GONE": fetched(NOW - 48 * HOUR)})
    assert due_series(state, ["NEW"], NOW) == ["NEW"]


# --- budget ------------------------------------------------------------------------


def test_a_run_takes_at_most_its_share_and_the_hour_at_most_60() -> None:
    series = [f"S{i:03d}" for i in range(200)]
    state = RefreshState()
    plan = plan_refresh(state, series, [], NOW)
    assert plan.budget_left == 60
    assert plan.requests == 10  # per_run: 60 an hour over 10-minute runs
    assert list(plan.series) == series[:10]
    # Someone spent 55 of the hour: 5 left, whatever the run's share.
    state.requests = [NOW - timedelta(minutes=59)] * 55
    plan = plan_refresh(state, series, [], NOW)
    assert (plan.budget_left, plan.requests) == (5, 5)
    # The hour slides: a minute later those 55 are out of it.
    assert plan_refresh(state, series, [], NOW + timedelta(minutes=1)).requests == 10


def test_the_budget_counts_every_request_recorded() -> None:
    state = RefreshState()
    options = ScheduleOptions(per_run=100)
    for minute in range(60):
        at = NOW + timedelta(minutes=minute)
        assert state.budget_left(at, options) == 60 - minute
        if minute % 2:
            state.record_series_failure(f"S{minute}", at)
        else:
            state.record_details_success(["V1"], [], at)
    assert plan_refresh(state, ["X"], ["V2"], NOW + timedelta(minutes=59)).requests == 0
    assert state.budget_left(NOW + HOUR, options) == 1
    # Requests older than an hour are dropped from the stored list.
    state.record_series_success("X", NOW + 3 * HOUR, None)
    assert state.requests == [NOW + 3 * HOUR]


def test_a_simulated_day_of_600_series_never_exceeds_60_an_hour() -> None:
    figures = simulate(600, 3)
    assert figures.max_requests_in_an_hour == 60
    # 600 listings + 36 batches of 50 volumes, at 60 an hour.
    assert figures.hours_to_fill is not None
    assert 10 < figures.hours_to_fill < 12
    # Day 1: the fill, plus the 6-hourly refreshes of the 30 upcoming series.
    assert 600 + 36 < figures.requests_day_one < 800
    # A normal day: 570 series daily + 30 every 6 hours, no details left.
    assert figures.requests_normal_day == 570 + 30 * 4


def test_simulate_on_a_small_library() -> None:
    figures = simulate(10, 2, unknown_per_series=60, upcoming_every=5)
    # Run 1: 10 listings; run 2: 600 volumes in 12 batches, 10 of them;
    # run 3: the last 2.
    assert figures.hours_to_fill == pytest.approx(2 / 6)
    assert figures.requests_day_one == 10 + 12 + 2 * 3
    assert figures.requests_normal_day == 8 + 2 * 4
    assert figures.max_requests_in_an_hour == 22
    assert simulate(10, 2, unknown_per_series=60, upcoming_every=5) == figures
    # Too small a budget to fill in one day: no fill time.
    tiny = ScheduleOptions(hourly_budget=1, per_run=1)
    assert simulate(100, 1, options=tiny).hours_to_fill is None
    with pytest.raises(ValueError, match="days"):
        simulate(1, 0)


# --- failures ----------------------------------------------------------------------


def test_failures_back_off_doubling_to_a_day_and_recover() -> None:
    state = RefreshState(series={"S1": fetched(NOW - 25 * HOUR, date(2026, 3, 5))})
    at = NOW
    waits = []
    for _ in range(8):
        assert due_series(state, ["S1"], at) == ["S1"]
        state.record_series_failure("S1", at)
        due = series_due_at(state.series["S1"], at)
        assert due is not None
        waits.append((due - at) / timedelta(minutes=1))
        assert due_series(state, ["S1"], due - timedelta(seconds=1)) == []
        at = due
    assert waits == [30, 60, 120, 240, 480, 960, 1440, 1440]
    # The previous data's timing is kept through failures.
    assert state.series["S1"].fetched_at == NOW - 25 * HOUR
    assert state.series["S1"].next_release == date(2026, 3, 5)
    state.record_series_success("S1", at, None)
    assert state.series["S1"] == SeriesRefresh(fetched_at=at)
    assert series_due_at(state.series["S1"], at) == at + 24 * HOUR


def test_retry_after_pauses_every_request() -> None:
    state = RefreshState()
    state.record_series_failure("S1", NOW, retry_after=600)
    assert state.paused_until == NOW + timedelta(minutes=10)
    assert plan_refresh(state, ["S2"], ["V1"], NOW + timedelta(minutes=9)).requests == 0
    assert (
        plan_refresh(state, ["S2"], ["V1"], NOW + timedelta(minutes=10)).requests == 2
    )
    # A shorter Retry-After never shortens the pause.
    state.record_details_failure(["V1"], NOW + timedelta(minutes=1), retry_after=60)
    assert state.paused_until == NOW + timedelta(minutes=10)


def test_details_that_fail_or_are_not_found_back_off_and_found_ones_are_done() -> None:
    state = RefreshState()
    state.record_details_success(["A", "B", "C"], ["A"], NOW)
    assert state.details == {
        "B": DetailLookup(failed_at=NOW),
        "C": DetailLookup(failed_at=NOW),
    }
    state.record_details_failure(["C", "D"], NOW + HOUR)
    assert state.details["C"] == DetailLookup(failed_at=NOW + HOUR, failures=2)
    plan = plan_refresh(state, [], ["B", "C", "D", "E"], NOW + HOUR, UNLIMITED)
    # C and D wait; one batch holds new and retried volumes, new first.
    assert plan.detail_batches == (("E", "B"),)
    plan = plan_refresh(state, [], ["B", "C", "D", "E"], NOW + 2 * HOUR, UNLIMITED)
    # Retries by due time: B (due 0:30), D (1:30), C (second failure: 2:00).
    assert plan.detail_batches == (("E", "B", "D", "C"),)
    state.record_details_success(["B"], ["B"], NOW + 2 * HOUR)
    assert "B" not in state.details


def test_prune_forgets_what_is_no_longer_wanted() -> None:
    state = RefreshState(
        series={"KEEP": fetched(NOW), "GONE": fetched(NOW)},
        details={"V1": DetailLookup(NOW), "V2": DetailLookup(NOW)},
    )
    state.prune(["KEEP", "NEW"], ["V2"])
    assert list(state.series) == ["KEEP"]
    assert list(state.details) == ["V2"]


# --- batches and order ------------------------------------------------------------


def test_details_are_looked_up_50_at_a_time_in_asin_order() -> None:
    volumes = [f"V{i:03d}" for i in range(120)]
    plan = plan_refresh(RefreshState(), [], reversed(volumes), NOW)
    assert [len(batch) for batch in plan.detail_batches] == [50, 50, 20]
    assert [asin for batch in plan.detail_batches for asin in batch] == volumes


def test_never_fetched_first_then_oldest_due_ties_by_asin() -> None:
    state = RefreshState(
        series={
            "OLD": fetched(NOW - 30 * HOUR),
            "OLDER": fetched(NOW - 40 * HOUR),
            "TIE-B": fetched(NOW - 25 * HOUR),
            "TIE-A": fetched(NOW - 25 * HOUR),
            "FRESH": fetched(NOW - HOUR),
        },
        details={"RETRY": DetailLookup(NOW - 2 * HOUR)},
    )
    series = ["TIE-B", "NEW-2", "FRESH", "OLD", "NEW-1", "TIE-A", "OLDER"]
    plan = plan_refresh(state, series, ["RETRY", "UNKNOWN"], NOW, UNLIMITED)
    assert plan.detail_batches == (("UNKNOWN", "RETRY"),)
    assert plan.series == ("NEW-1", "NEW-2", "OLDER", "OLD", "TIE-A", "TIE-B")
    # Within a small budget the never-fetched take it all, details first.
    small = ScheduleOptions(per_run=3)
    plan = plan_refresh(state, series, ["RETRY", "UNKNOWN"], NOW, small)
    assert plan.detail_batches == (("UNKNOWN", "RETRY"),)
    assert plan.series == ("NEW-1", "NEW-2")
    # The same input in another order gives the same plan.
    again = plan_refresh(state, reversed(series), ["UNKNOWN", "RETRY"], NOW, small)
    assert again == plan


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_refresh(RefreshState(), ["S1"], [], datetime(2026, 1, 1))  # noqa: DTZ001


# --- stored form ---------------------------------------------------------------------


def sample_state() -> RefreshState:
    state = RefreshState()
    state.record_series_success("S1", NOW, date(2026, 3, 10))
    state.record_series_failure("S2", NOW + timedelta(minutes=1), retry_after=30)
    state.record_details_success(["V1", "V2"], ["V1"], NOW + timedelta(minutes=2))
    return state


def test_the_stored_form_round_trips() -> None:
    state = sample_state()
    data = state_to_json(state)
    assert data["version"] == 1
    assert data["series"]["S1"]["next_release"] == "2026-03-10"
    assert state_from_json(copy.deepcopy(data)) == state
    assert state_from_json(state_to_json(RefreshState())) == RefreshState()


def _damage(data: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    damaged = copy.deepcopy(data)
    *parents, last = path.split(".")
    target = damaged
    for key in parents:
        target = target[key]
    target[last] = value
    return damaged


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("version", 2, "unsupported series cache version 2"),
        ("version", "1", "series_cache.version: expected an integer"),
        ("series", [], "series_cache.series: expected an object"),
        ("series.S1", "x", "series_cache.series.S1: expected an object"),
        ("series.S1.fetched_at", "2026-03-01T12:00:00", "fetched_at: expected an ISO"),
        ("series.S1.failures", -1, "series_cache.series.S1.failures: expected a count"),
        ("series.S1.next_release", "soon", "next_release: expected an ISO date"),
        ("details.V2.failures", 0, "details.V2.failures: expected a positive"),
        ("details.V2.failed_at", None, "details.V2.failed_at: expected a time"),
        ("requests", ["yesterday"], "series_cache.requests.0: expected an ISO"),
        ("requests", [1], "series_cache.requests: expected a list of strings"),
        ("paused_until", 5, "series_cache.paused_until: expected a string"),
    ],
)
def test_damaged_stored_data_is_refused(path: str, value: object, message: str) -> None:
    damaged = _damage(state_to_json(sample_state()), path, value)
    with pytest.raises(SeriesCacheFormatError, match=message) as caught:
        state_from_json(damaged)
    assert isinstance(caught.value, DataError)


def test_a_stored_form_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(
        SeriesCacheFormatError, match="series_cache: expected an object"
    ):
        state_from_json([])


def test_stored_series_no_longer_owned_load_and_are_pruned() -> None:
    data = state_to_json(sample_state())
    data["series"]["DROPPED"] = copy.deepcopy(data["series"]["S1"])
    data["unknown_field"] = True  # a later minor addition is ignored
    state = state_from_json(data)
    state.prune(["S1", "S2"], [])
    assert sorted(state.series) == ["S1", "S2"]
    assert state.details == {}


def test_a_series_that_only_failed_goes_before_refreshes_once_due() -> None:
    state = RefreshState(series={"STALE": fetched(NOW - 48 * HOUR)})
    state.record_series_failure("FAILED", NOW - HOUR)
    assert state.series["FAILED"].fetched_at is None
    plan = plan_refresh(state, ["STALE", "FAILED", "NEW"], [], NOW, UNLIMITED)
    assert plan.series == ("NEW", "FAILED", "STALE")
