"""The adaptive progress poll's rule and its move detection (core.polling)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.audible_tracker.core.models import AbsProgress, AudiblePosition
from custom_components.audible_tracker.core.polling import (
    IDLE_AFTER,
    PollSchedule,
    abs_moved,
    audible_moved,
)

T0 = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
SCHEDULE = PollSchedule(fast=2 * MIN, idle=15 * MIN)


def test_fast_within_half_an_hour_of_activity() -> None:
    for quiet in (0, 10, 29):
        assert SCHEDULE.next_interval(15 * MIN, T0, T0 + quiet * MIN) == 2 * MIN


def test_backs_off_stepwise_to_the_idle_interval() -> None:
    interval = 2 * MIN
    now = T0 + IDLE_AFTER
    steps = []
    for _ in range(5):
        interval = SCHEDULE.next_interval(interval, T0, now)
        steps.append(interval)
        now += interval
    assert steps == [4 * MIN, 8 * MIN, 15 * MIN, 15 * MIN, 15 * MIN]


@pytest.mark.parametrize(("idle", "expected"), [(MIN, 2 * MIN), (60 * MIN, 4 * MIN)])
def test_the_idle_interval_never_speeds_up(
    idle: timedelta, expected: timedelta
) -> None:
    schedule = PollSchedule(fast=2 * MIN, idle=idle)
    assert schedule.next_interval(2 * MIN, T0, T0 + IDLE_AFTER) == expected


def position(seconds: float, minutes: float = 0) -> AudiblePosition:
    return AudiblePosition("B0A", seconds, T0 + minutes * MIN)


def test_audible_moves() -> None:
    known = {"B0A": position(100.0)}
    assert not audible_moved(known, {"B0A": position(100.0)}, T0)
    assert audible_moved(known, {"B0A": position(160.0, 3)}, T0)
    # No answer is no move.
    assert not audible_moved(known, {"B0A": None}, T0)
    # A position where there was none is a move, whatever its date.
    assert audible_moved({"B0A": None}, {"B0A": position(100.0, -600)}, T0)
    # A title asked about for the first time: moved if heard since the last poll.
    assert audible_moved({}, {"B0A": position(100.0, 1)}, T0)
    assert not audible_moved({}, {"B0A": position(100.0, -600)}, T0)
    assert audible_moved({}, {"B0A": position(100.0, -600)}, None)


def progress(minutes: float) -> AbsProgress:
    return AbsProgress("li-1", 100.0, 600.0, 0.2, False, T0 + minutes * MIN)


def test_abs_moves() -> None:
    assert not abs_moved({"li-1": progress(0)}, {"li-1": progress(0)})
    assert abs_moved({"li-1": progress(0)}, {"li-1": progress(3)})
    assert abs_moved({}, {"li-1": progress(0)})
    assert not abs_moved({"li-1": progress(0)}, {})
