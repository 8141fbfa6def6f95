"""What the refresh schedule costs: a simulated library, for tests and the bench.

`simulate` runs `plan_refresh` every `options.interval` over a made-up
library in which every request succeeds, and counts the catalog requests.
Deterministic: the same arguments give the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from .schedule import DEFAULT_OPTIONS, HOUR, RefreshState, ScheduleOptions, plan_refresh

START: Final = datetime(2026, 1, 1, tzinfo=UTC)
DAY: Final = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SimulationFigures:
    """Catalog requests of a simulated library."""

    series: int
    requests_day_one: int
    requests_normal_day: int  # the last simulated day
    hours_to_fill: float | None  # None: not filled within the simulation
    max_requests_in_an_hour: int  # over every sliding hour


def simulate(
    series_count: int,
    days: int,
    *,
    unknown_per_series: int = 3,
    upcoming_every: int = 20,
    options: ScheduleOptions = DEFAULT_OPTIONS,
) -> SimulationFigures:
    """Count the requests of `days` days from an empty cache.

    Each series has `unknown_per_series` volumes outside the library whose
    details are looked up once its listing is fetched; every
    `upcoming_every`-th series always has a release a week ahead (so it is
    refreshed every 6 hours).
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    series = [f"S{index:06d}" for index in range(series_count)]
    upcoming = set(series[::upcoming_every]) if upcoming_every > 0 else set()
    state = RefreshState()
    wanted: set[str] = set()
    looked_up: set[str] = set()
    made: list[datetime] = []
    filled_at: datetime | None = None
    now, end = START, START + days * DAY
    while now < end:
        plan = plan_refresh(state, series, wanted, now, options)
        for batch in plan.detail_batches:
            state.record_details_success(batch, batch, now)
            wanted.difference_update(batch)
            looked_up.update(batch)
            made.append(now)
        for asin in plan.series:
            release = (now + timedelta(days=7)).date() if asin in upcoming else None
            state.record_series_success(asin, now, release)
            volumes = {f"{asin}V{n}" for n in range(unknown_per_series)}
            wanted.update(volumes - looked_up)
            made.append(now)
        if filled_at is None and not wanted and len(state.series) == series_count:
            filled_at = now
        now += options.interval
    return SimulationFigures(
        series=series_count,
        requests_day_one=sum(1 for at in made if at < START + DAY),
        requests_normal_day=sum(1 for at in made if at >= end - DAY),
        hours_to_fill=None if filled_at is None else (filled_at - START) / HOUR,
        max_requests_in_an_hour=_max_in_an_hour(made),
    )


def _max_in_an_hour(made: list[datetime]) -> int:
    """Return the most requests in any window (t - 1 hour, t]."""
    most, first = 0, 0
    for last, at in enumerate(made):  # `made` is in time order
        while made[first] <= at - HOUR:
            first += 1
        most = max(most, last - first + 1)
    return most
