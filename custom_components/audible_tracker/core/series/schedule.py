"""When to ask Audible's catalog: a pure planner of series and detail refreshes.

The integration calls `plan_refresh` on a slow schedule of its own (every
10 minutes, `ScheduleOptions.interval`), never on the quiet 5-minute poll;
it makes the planned requests, records each outcome on the `RefreshState`
(`record_series_success` ...), and saves `state_to_json(state)`.

Rules:

- a series is refreshed at most daily; every 6 hours while it has a release
  in the next 30 days (`SeriesRefresh.next_release`);
- volume details are looked up in batches of up to 50 ASINs, from the same
  budget;
- never more than 60 catalog requests in any sliding hour (failures count
  too), and at most 10 per run, so a first fill spreads out evenly;
- a failed request keeps the previous data (only its timing is recorded
  here) and is retried after a back-off: 30 minutes, doubling, at most a
  day; a Retry-After pauses every request until it has passed;
- order: what has no data yet first (volume details, never-fetched or
  only-failed series), then the oldest due; detail batches before series
  at equal due time; ties by ASIN, so a plan is deterministic.

No I/O, no clock: `now` is always given, timezone-aware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from ..exceptions import SeriesCacheFormatError
from ..json_fields import Reader

if TYPE_CHECKING:
    from collections.abc import Iterable

HOUR: Final = timedelta(hours=1)
STATE_VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class ScheduleOptions:
    """The budget and the cadences; the defaults are the issue's."""

    hourly_budget: int = 60
    per_run: int = 10
    batch_size: int = 50
    interval: timedelta = timedelta(minutes=10)
    daily: timedelta = timedelta(days=1)
    upcoming: timedelta = timedelta(hours=6)
    upcoming_window: timedelta = timedelta(days=30)
    first_backoff: timedelta = timedelta(minutes=30)
    max_backoff: timedelta = timedelta(days=1)

    def backoff(self, failures: int) -> timedelta:
        """Return the wait after `failures` consecutive failures (>= 1)."""
        # The exponent is capped: the cap is reached long before anyway.
        doubled = self.first_backoff * (1 << min(max(failures, 1) - 1, 32))
        return min(doubled, self.max_backoff)


DEFAULT_OPTIONS: Final = ScheduleOptions()


@dataclass(slots=True)
class SeriesRefresh:
    """What is known of one series' refreshes (its data is cached elsewhere)."""

    fetched_at: datetime | None = None  # last success; None: never fetched
    failed_at: datetime | None = None
    failures: int = 0  # consecutive
    # Earliest release date of a volume not yet released, as of the last fetch.
    next_release: date | None = None


@dataclass(slots=True)
class DetailLookup:
    """A volume whose detail lookup failed or found nothing (kept until found)."""

    failed_at: datetime
    failures: int = 1


@dataclass(frozen=True, slots=True)
class RefreshPlan:
    """The catalog requests to make now: detail lookups, then series listings."""

    detail_batches: tuple[tuple[str, ...], ...] = ()
    series: tuple[str, ...] = ()
    budget_left: int = 0  # before this plan

    @property
    def requests(self) -> int:
        """How many catalog requests the plan makes."""
        return len(self.detail_batches) + len(self.series)


@dataclass(slots=True)
class RefreshState:
    """Refresh timing per series and per failed volume, and the hour's requests."""

    series: dict[str, SeriesRefresh] = field(default_factory=dict)
    details: dict[str, DetailLookup] = field(default_factory=dict)
    # Times of the catalog requests made in the last hour (the sliding budget).
    requests: list[datetime] = field(default_factory=list)
    paused_until: datetime | None = None  # a Retry-After

    def budget_left(
        self, now: datetime, options: ScheduleOptions = DEFAULT_OPTIONS
    ) -> int:
        """Return how many requests the sliding hour still allows at `now`."""
        now = _utc(now)
        used = sum(1 for at in self.requests if now - HOUR < at <= now)
        return max(options.hourly_budget - used, 0)

    def record_series_success(
        self, asin: str, now: datetime, next_release: date | None
    ) -> None:
        """Record a fetched series listing and its next release date, if any."""
        now = self._request(now)
        record = self.series.setdefault(asin, SeriesRefresh())
        record.fetched_at = now
        record.failed_at = None
        record.failures = 0
        record.next_release = next_release

    def record_series_failure(
        self, asin: str, now: datetime, retry_after: float | None = None
    ) -> None:
        """Record a failed listing: retried after a back-off, old data kept."""
        now = self._request(now, retry_after)
        record = self.series.setdefault(asin, SeriesRefresh())
        record.failed_at = now
        record.failures += 1

    def record_details_success(
        self, asked: Iterable[str], found: Iterable[str], now: datetime
    ) -> None:
        """Record a detail lookup; an ASIN asked but not found backs off."""
        now = self._request(now)
        missing = set(asked) - set(found)
        for asin in set(asked) - missing:
            self.details.pop(asin, None)
        self._details_failed(missing, now)

    def record_details_failure(
        self, asked: Iterable[str], now: datetime, retry_after: float | None = None
    ) -> None:
        """Record a failed detail lookup: every ASIN asked backs off."""
        now = self._request(now, retry_after)
        self._details_failed(set(asked), now)

    def record_request(self, now: datetime, retry_after: float | None = None) -> None:
        """Count another catalog request (the wishlist) against the budget."""
        self._request(now, retry_after)

    def prune(self, series: Iterable[str], details: Iterable[str]) -> None:
        """Forget series the user no longer owns part of, and volumes not wanted."""
        keep_series, keep_details = set(series), set(details)
        for asin in set(self.series) - keep_series:
            del self.series[asin]
        for asin in set(self.details) - keep_details:
            del self.details[asin]

    def _details_failed(self, asins: set[str], now: datetime) -> None:
        for asin in asins:
            record = self.details.get(asin)
            if record is None:
                self.details[asin] = DetailLookup(failed_at=now)
            else:
                record.failed_at = now
                record.failures += 1

    def _request(self, now: datetime, retry_after: float | None = None) -> datetime:
        """Count one request made at `now`; keep only the last hour's."""
        now = _utc(now)
        self.requests = [at for at in self.requests if at > now - HOUR]
        self.requests.append(now)
        if retry_after is not None and retry_after > 0:
            until = now + timedelta(seconds=retry_after)
            if self.paused_until is None or until > self.paused_until:
                self.paused_until = until
        return now


def series_due_at(
    record: SeriesRefresh | None,
    now: datetime,
    options: ScheduleOptions = DEFAULT_OPTIONS,
) -> datetime | None:
    """Return when a series is due; None when it was never fetched nor tried."""
    if record is None:
        return None
    if record.failures and record.failed_at is not None:
        return record.failed_at + options.backoff(record.failures)
    if record.fetched_at is None:
        return None
    return record.fetched_at + _cadence(record, _utc(now), options)


def _cadence(
    record: SeriesRefresh, now: datetime, options: ScheduleOptions
) -> timedelta:
    release = record.next_release
    today = now.date()
    if (
        release is not None
        and today <= release <= (now + options.upcoming_window).date()
    ):
        return options.upcoming
    return options.daily


def plan_refresh(
    state: RefreshState,
    series: Iterable[str],
    unknown_details: Iterable[str],
    now: datetime,
    options: ScheduleOptions = DEFAULT_OPTIONS,
) -> RefreshPlan:
    """Return the requests to make now, within the budget.

    `series`: the series the user owns part of; `unknown_details`: the
    volumes whose details are wanted (unknown, or stale for the caller).
    """
    now = _utc(now)
    left = state.budget_left(now, options)
    if state.paused_until is not None and now < state.paused_until:
        return RefreshPlan(budget_left=left)
    allowed = min(left, options.per_run)
    if allowed <= 0:
        return RefreshPlan(budget_left=left)
    # Key: (has data, due time, kind: details first, ASIN). What has no data
    # yet (never fetched, or only failed) goes first: showing beats refreshing.
    never = datetime.min.replace(tzinfo=UTC)
    queue: list[tuple[tuple[bool, datetime, int, str], tuple[str, ...]]] = []
    for asin in set(series):
        record = state.series.get(asin)
        due = series_due_at(record, now, options)
        if due is None or due <= now:
            has_data = record is not None and record.fetched_at is not None
            queue.append(((has_data, due or never, 1, asin), (asin,)))
    queue.extend(_detail_batches(state, unknown_details, now, options, never))
    queue.sort(key=lambda entry: entry[0])
    chosen = queue[:allowed]
    return RefreshPlan(
        detail_batches=tuple(asins for key, asins in chosen if key[2] == 0),
        series=tuple(asins[0] for key, asins in chosen if key[2] == 1),
        budget_left=left,
    )


def _detail_batches(
    state: RefreshState,
    unknown: Iterable[str],
    now: datetime,
    options: ScheduleOptions,
    never: datetime,
) -> list[tuple[tuple[bool, datetime, int, str], tuple[str, ...]]]:
    # A volume whose details are wanted has none: never-tried ones first.
    due: list[tuple[datetime, str]] = []
    for asin in set(unknown):
        record = state.details.get(asin)
        if record is None:
            due.append((never, asin))
            continue
        at = record.failed_at + options.backoff(record.failures)
        if at <= now:
            due.append((at, asin))
    due.sort()
    size = max(options.batch_size, 1)
    batches = []
    for start in range(0, len(due), size):
        chunk = due[start : start + size]
        at, first = chunk[0]
        batches.append(((False, at, 0, first), tuple(asin for _, asin in chunk)))
    return batches


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return value.astimezone(UTC)


# --- stored form ----------------------------------------------------------------


def state_to_json(state: RefreshState) -> dict[str, Any]:
    """Return the JSON form of a refresh state, versioned (times as ISO)."""
    return {
        "version": STATE_VERSION,
        "series": {
            asin: {
                "fetched_at": _time(record.fetched_at),
                "failed_at": _time(record.failed_at),
                "failures": record.failures,
                "next_release": None
                if record.next_release is None
                else record.next_release.isoformat(),
            }
            for asin, record in sorted(state.series.items())
        },
        "details": {
            asin: {
                "failed_at": record.failed_at.isoformat(),
                "failures": record.failures,
            }
            for asin, record in sorted(state.details.items())
        },
        "requests": [at.isoformat() for at in state.requests],
        "paused_until": _time(state.paused_until),
    }


def state_from_json(data: object) -> RefreshState:
    """Rebuild a state saved by `state_to_json`; raise `SeriesCacheFormatError`."""
    reader = Reader.of(data, "series_cache", SeriesCacheFormatError)
    version = reader.integer("version")
    if version != STATE_VERSION:
        raise SeriesCacheFormatError(f"unsupported series cache version {version}")
    series = reader.child("series")
    details = reader.child("details")
    requests = reader.strings("requests")
    times = Reader.of(
        {str(i): at for i, at in enumerate(requests)},
        "series_cache.requests",
        SeriesCacheFormatError,
    )
    return RefreshState(
        series={
            str(asin): _series_from_json(series.child(asin))
            for asin in reader.mapping("series")
        },
        details={
            str(asin): _detail_from_json(details.child(asin))
            for asin in reader.mapping("details")
        },
        requests=[times.required_time(str(i)) for i in range(len(requests))],
        paused_until=reader.time("paused_until"),
    )


def _series_from_json(reader: Reader) -> SeriesRefresh:
    release = reader.text("next_release")
    try:
        next_release = None if release is None else date.fromisoformat(release)
    except ValueError as err:
        raise reader.fail("next_release", "an ISO date") from err
    return SeriesRefresh(
        fetched_at=reader.time("fetched_at"),
        failed_at=reader.time("failed_at"),
        failures=_count(reader, "failures"),
        next_release=next_release,
    )


def _detail_from_json(reader: Reader) -> DetailLookup:
    failures = _count(reader, "failures")
    if failures < 1:
        raise reader.fail("failures", "a positive integer")
    return DetailLookup(failed_at=reader.required_time("failed_at"), failures=failures)


def _count(reader: Reader, key: str) -> int:
    value = reader.integer(key)
    if value < 0:
        raise reader.fail(key, "a count")
    return value


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
