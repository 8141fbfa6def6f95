"""Listening history: per-day listening, streaks, finished books, a yearly goal.

Pure code: no Home Assistant, no I/O, no clock reads (callers pass `today`
and the user's time zone). Days are the listener's local calendar days.

- `ListeningHistory` keeps what both services said per day (seconds) and
  Audible's monthly totals from before its daily data, so the history
  outlives what the services remember (Audible: 30 days).
- Combined, a day counts once, as the larger of the two services: with a
  synced book both services count the same listening.
- `statistic_rows`/`rows_to_import` turn a series into cumulative rows for
  long-term statistics, and say which rows changed since the last import.
- `listening_streak`, `finished_books` and `goal_progress` are the sensors'
  arithmetic.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from .exceptions import HistoryFormatError
from .json_fields import Reader

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import tzinfo

    from .models import AbsItem, AbsProgress, AudibleTitle, ListeningDay

HISTORY_VERSION: Final = 1


class HistorySeries(StrEnum):
    """One listening time series."""

    AUDIBLE = "audible"
    ABS = "abs"
    COMBINED = "combined"


def month_start(day: date) -> date:
    """Return the first day of `day`'s month."""
    return day.replace(day=1)


@dataclass(slots=True)
class ListeningHistory:
    """What the services said, per local day, in seconds.

    `audible_months` holds, for the months before Audible's daily data, the
    Audible listening of that month not covered by `audible` days (keyed by
    the month's first day): known as a total only, never per day.
    """

    audible: dict[date, float] = field(default_factory=dict)
    abs: dict[date, float] = field(default_factory=dict)
    audible_months: dict[date, float] = field(default_factory=dict)

    def update_audible(self, days: Iterable[ListeningDay]) -> bool:
        """Take Audible's days (its word wins for the days it reports).

        Returns whether anything changed.
        """
        changed = False
        for day in days:
            try:
                when = date.fromisoformat(day.date)
            except ValueError:
                continue
            seconds = max(0.0, day.listening_s)
            if self.audible.get(when) != seconds:
                self.audible[when] = seconds
                changed = True
        return changed

    def update_abs(self, days: Mapping[date, float]) -> bool:
        """Take ABS's days: its answer holds every day it knows.

        A day we had that ABS no longer reports (its sessions were deleted)
        becomes 0, so its statistic is corrected too. Returns whether
        anything changed.
        """
        new = {day: max(0.0, seconds) for day, seconds in days.items()}
        for day in self.abs.keys() - new.keys():
            new[day] = 0.0
        if new == self.abs:
            return False
        self.abs = new
        return True

    def update_audible_months(self, months: Mapping[date, float]) -> bool:
        """Keep Audible's monthly totals for listening not known per day.

        `months` maps a month's first day to Audible's total for it; what the
        known days of that month already hold is taken off. Months with
        nothing left are dropped. Returns whether anything changed.
        """
        changed = False
        for month, total in months.items():
            start = month_start(month)
            known = sum(
                seconds
                for day, seconds in self.audible.items()
                if month_start(day) == start
            )
            rest = max(0.0, total - known)
            if rest > 0 and self.audible_months.get(start) != rest:
                self.audible_months[start] = rest
                changed = True
        return changed

    def days(self, series: HistorySeries) -> dict[date, float]:
        """Return a series' known listening per day (no monthly totals)."""
        if series is HistorySeries.AUDIBLE:
            return dict(self.audible)
        if series is HistorySeries.ABS:
            return dict(self.abs)
        return {
            day: max(self.audible.get(day, 0.0), self.abs.get(day, 0.0))
            for day in self.audible.keys() | self.abs.keys()
        }

    def chart_values(self, series: HistorySeries) -> dict[date, float]:
        """Return a series per day for statistics, monthly totals included.

        A month Audible knows only as a total is put on the month's first
        day: per-month views are right, per-day views show it on the 1st.
        Combined, such a month counts the larger of that total and ABS's
        days of the month that Audible has no daily value for.
        """
        values = self.days(series)
        if series is HistorySeries.ABS:
            return values
        for month, audible_rest in self.audible_months.items():
            rest = audible_rest
            if series is HistorySeries.COMBINED:
                abs_rest = sum(
                    seconds
                    for day, seconds in self.abs.items()
                    if month_start(day) == month and day not in self.audible
                )
                rest = max(0.0, audible_rest - abs_rest)
            if rest > 0:
                values[month] = values.get(month, 0.0) + rest
        return values

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form stored on disk."""
        return {
            "version": HISTORY_VERSION,
            "audible": days_to_json(self.audible),
            "abs": days_to_json(self.abs),
            "audible_months": days_to_json(self.audible_months),
        }

    @classmethod
    def from_dict(cls, data: object) -> ListeningHistory:
        """Read the stored form; HistoryFormatError when it is damaged."""
        reader = Reader.of(data, "history", HistoryFormatError)
        if reader.integer("version") != HISTORY_VERSION:
            raise reader.fail("version", f"version {HISTORY_VERSION}")
        return cls(
            audible=days_from_json(reader, "audible"),
            abs=days_from_json(reader, "abs"),
            audible_months=days_from_json(reader, "audible_months"),
        )


def days_to_json(days: Mapping[date, float]) -> dict[str, float]:
    """Return days as stored: ISO date -> seconds."""
    return {day.isoformat(): seconds for day, seconds in sorted(days.items())}


def days_from_json(parent: Reader, name: str) -> dict[date, float]:
    """Read stored days (`days_to_json`) at `name`; the reader's error if damaged."""
    reader = parent.child(name)
    days: dict[date, float] = {}
    for key in parent.mapping(name):
        try:
            day = date.fromisoformat(key)
        except ValueError as err:
            raise reader.fail(key, "an ISO date as key") from err
        seconds = reader.required_number(key)
        if seconds < 0:
            raise reader.fail(key, "a number >= 0")
        days[day] = seconds
    return days


# --- long-term statistics ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatisticRow:
    """One day of a series: its minutes and the running total up to it."""

    day: date
    minutes: float
    sum_minutes: float


def day_start(day: date, tz: tzinfo) -> datetime:
    """Return when a local day starts, in UTC, on a whole hour.

    Statistics rows start on whole hours; where midnight is not one in UTC
    (zones offset by 30 or 45 minutes) the row starts at the next whole
    hour, still within the same local day.
    """
    start = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
    if start.minute or start.second or start.microsecond:
        start = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return start


def statistic_rows(values: Mapping[date, float]) -> list[StatisticRow]:
    """Return a series' rows, oldest first, with the running total in minutes."""
    rows: list[StatisticRow] = []
    total = 0.0
    for day, seconds in sorted(values.items()):
        minutes = round(seconds / 60, 2)
        total = round(total + minutes, 2)
        rows.append(StatisticRow(day=day, minutes=minutes, sum_minutes=total))
    return rows


def rows_to_import(
    values: Mapping[date, float], imported: Mapping[date, float]
) -> list[StatisticRow]:
    """Return the rows to write: from the first day that changed on.

    A changed day moves the running total of every later day, so those are
    written again too. Nothing changed (or nothing known): no rows.
    """
    changed = [
        day
        for day in values.keys() | imported.keys()
        if values.get(day) != imported.get(day)
    ]
    if not changed:
        return []
    first = min(changed)
    # A day that vanished is written as 0, keeping the total right.
    merged = dict.fromkeys(imported.keys() - values.keys(), 0.0) | dict(values)
    return [row for row in statistic_rows(merged) if row.day >= first]


# --- streak ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Streak:
    """Consecutive days with enough listening."""

    current: int
    longest: int
    longest_end: date | None
    today_s: float


def listening_streak(
    days: Mapping[date, float], today: date, minimum_s: float
) -> Streak:
    """Return the streak of days with at least `minimum_s` of listening.

    The current streak ends today, or yesterday while today has not reached
    the minimum yet. A day needs some listening even with a minimum of 0.
    Days after `today` are ignored. The longest streak is the latest of the
    longest ones.
    """
    good = sorted(
        day
        for day, seconds in days.items()
        if day <= today and seconds > 0 and seconds >= minimum_s
    )
    longest = 0
    longest_end: date | None = None
    run = 0
    previous: date | None = None
    for day in good:
        run = (
            run + 1
            if previous is not None and day - previous == timedelta(days=1)
            else 1
        )
        previous = day
        if run >= longest:
            longest, longest_end = run, day
    current = 0
    if previous is not None and today - previous <= timedelta(days=1):
        current = run
    return Streak(
        current=current,
        longest=longest,
        longest_end=longest_end,
        today_s=days.get(today, 0.0),
    )


# --- finished books ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FinishedBook:
    """A book finished on a local day, on either service."""

    title: str
    finished_on: date
    asin: str | None
    abs_item_id: str | None


def finished_books(
    titles: Mapping[str, AudibleTitle],
    abs_items: Mapping[str, AbsItem],
    abs_progress: Mapping[str, AbsProgress],
    links: Mapping[str, str],
    tz: tzinfo,
) -> list[FinishedBook]:
    """Return every finished book with a known date, once, newest day first.

    A linked book finished on both services counts once, on the later of
    the two days (a re-read finishes it again). Books without a finish time
    are left out: they cannot be put in a year.
    """
    books: dict[str, FinishedBook] = {}
    item_to_asin = {item_id: asin for asin, item_id in links.items()}
    for asin, title in titles.items():
        if title.is_finished and title.finished_at is not None:
            books[asin] = FinishedBook(
                title=title.title,
                finished_on=title.finished_at.astimezone(tz).date(),
                asin=asin,
                abs_item_id=links.get(asin),
            )
    for item_id, progress in abs_progress.items():
        if not progress.is_finished or progress.finished_at is None:
            continue
        finished_on = progress.finished_at.astimezone(tz).date()
        linked = item_to_asin.get(item_id)
        if linked is not None and linked in titles:
            known = books.get(linked)
            if known is None or known.finished_on < finished_on:
                books[linked] = FinishedBook(
                    title=titles[linked].title,
                    finished_on=finished_on,
                    asin=linked,
                    abs_item_id=item_id,
                )
            continue
        item = abs_items.get(item_id)
        if item is None:
            continue  # not in a tracked library (or not a book)
        books[f"abs:{item_id}"] = FinishedBook(
            title=item.title,
            finished_on=finished_on,
            asin=item.asin,
            abs_item_id=item_id,
        )
    by_title = sorted(books.values(), key=lambda book: book.title)
    return sorted(by_title, key=lambda book: book.finished_on, reverse=True)


def finished_between(
    books: Iterable[FinishedBook], start: date, end: date
) -> list[FinishedBook]:
    """Return the books finished from `start` to `end`, both included."""
    return [book for book in books if start <= book.finished_on <= end]


# --- yearly goal ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoalProgress:
    """Where the year stands against a goal of books."""

    goal: int
    finished: int
    percent: float
    expected_by_today: float
    ahead_by: float


def goal_progress(goal: int, finished: int, today: date) -> GoalProgress | None:
    """Return the progress towards `goal` books this year; None without a goal.

    `expected_by_today` is the goal spread evenly over the year's days, today
    included; `ahead_by` is how many books the finished ones are ahead of it
    (negative: behind).
    """
    if goal <= 0:
        return None
    days_in_year = 366 if calendar.isleap(today.year) else 365
    expected = goal * today.timetuple().tm_yday / days_in_year
    return GoalProgress(
        goal=goal,
        finished=finished,
        percent=round(100 * finished / goal, 1),
        expected_by_today=round(expected, 1),
        ahead_by=round(finished - expected, 1),
    )


# --- a range, for the get_listening_stats action -------------------------------


def listening_between(
    history: ListeningHistory, start: date, end: date
) -> list[dict[str, Any]]:
    """Return minutes per day from `start` to `end`: each service and combined.

    A service with nothing known for a day says None (Audible's days older
    than 30 days at the first import are known as monthly totals only).
    """
    rows: list[dict[str, Any]] = []
    combined = history.days(HistorySeries.COMBINED)
    day = start
    while day <= end:
        audible = history.audible.get(day)
        abs_s = history.abs.get(day)
        rows.append(
            {
                "date": day.isoformat(),
                "audible_minutes": _minutes(audible),
                "abs_minutes": _minutes(abs_s),
                "combined_minutes": _minutes(combined.get(day, 0.0)),
            }
        )
        day += timedelta(days=1)
    return rows


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)
