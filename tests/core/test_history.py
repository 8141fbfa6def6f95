"""Listening history: days, statistics rows, streaks, finished books, the goal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from custom_components.audible_tracker.core.abs_api import AbsClient
from custom_components.audible_tracker.core.abs_parse import parse_listening_days
from custom_components.audible_tracker.core.audible_api import AudibleClient
from custom_components.audible_tracker.core.exceptions import HistoryFormatError
from custom_components.audible_tracker.core.history import (
    FinishedBook,
    HistorySeries,
    ListeningHistory,
    StatisticRow,
    day_start,
    finished_between,
    finished_books,
    goal_progress,
    listening_between,
    listening_streak,
    rows_to_import,
    statistic_rows,
)
from custom_components.audible_tracker.core.models import (
    AbsItem,
    AbsProgress,
    AudibleTitle,
    ListeningDay,
)
from tests.fakes.abs_server import API_KEY, FakeAbsServer, fixture_body
from tests.fakes.audible_server import FakeAudible

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
D = date.fromisoformat


def history(
    audible: dict[str, float] | None = None,
    abs_days: dict[str, float] | None = None,
    months: dict[str, float] | None = None,
) -> ListeningHistory:
    return ListeningHistory(
        audible={D(k): v for k, v in (audible or {}).items()},
        abs={D(k): v for k, v in (abs_days or {}).items()},
        audible_months={D(k): v for k, v in (months or {}).items()},
    )


# -- the history of days ----------------------------------------------------------


def test_audible_days_are_taken_and_report_changes() -> None:
    known = ListeningHistory()
    days = [ListeningDay("2026-11-30", 600.0), ListeningDay("2026-12-01", 0.0)]
    assert known.update_audible(days)
    assert known.audible == {D("2026-11-30"): 600.0, D("2026-12-01"): 0.0}
    assert not known.update_audible(days)
    # Older days Audible no longer reports are kept: the history outlives it.
    assert known.update_audible([ListeningDay("2026-12-01", 120.0)])
    assert known.audible == {D("2026-11-30"): 600.0, D("2026-12-01"): 120.0}


def test_unreadable_audible_days_are_skipped() -> None:
    known = ListeningHistory()
    assert not known.update_audible([ListeningDay("yesterday", 60.0)])
    assert known.audible == {}


def test_abs_days_vanishing_become_zero() -> None:
    known = history(abs_days={"2026-11-01": 300.0, "2026-11-02": 60.0})
    assert known.update_abs({D("2026-11-02"): 60.0})
    assert known.abs == {D("2026-11-01"): 0.0, D("2026-11-02"): 60.0}
    assert not known.update_abs({D("2026-11-02"): 60.0})


def test_combined_day_counts_once_as_the_larger() -> None:
    known = history(
        audible={"2026-12-01": 600.0, "2026-12-02": 100.0},
        abs_days={"2026-12-01": 900.0, "2026-12-03": 50.0},
    )
    assert known.days(HistorySeries.COMBINED) == {
        D("2026-12-01"): 900.0,
        D("2026-12-02"): 100.0,
        D("2026-12-03"): 50.0,
    }


def test_audible_months_keep_only_what_the_days_do_not_hold() -> None:
    known = history(audible={"2026-11-03": 600.0, "2026-11-04": 300.0})
    changed = known.update_audible_months(
        {D("2026-10-01"): 7200.0, D("2026-11-01"): 1500.0, D("2026-09-01"): 0.0}
    )
    assert changed
    # November: 1500 s in all, 900 s of it known per day.
    assert known.audible_months == {D("2026-10-01"): 7200.0, D("2026-11-01"): 600.0}
    assert not known.update_audible_months({D("2026-10-01"): 7200.0})


def test_chart_values_put_a_month_on_its_first_day() -> None:
    known = history(
        audible={"2026-11-03": 600.0},
        abs_days={"2026-10-05": 1000.0, "2026-10-06": 500.0, "2026-11-03": 900.0},
        months={"2026-10-01": 1200.0, "2026-11-01": 300.0},
    )
    assert known.chart_values(HistorySeries.AUDIBLE) == {
        D("2026-10-01"): 1200.0,
        D("2026-11-01"): 300.0,
        D("2026-11-03"): 600.0,
    }
    assert known.chart_values(HistorySeries.ABS) == known.abs
    combined = known.chart_values(HistorySeries.COMBINED)
    # October: ABS days (1500 s) hold more than Audible's total (1200 s).
    # November: Audible's 300 s on days ABS has nothing for count on the 1st.
    assert combined == {
        D("2026-10-05"): 1000.0,
        D("2026-10-06"): 500.0,
        D("2026-11-01"): 300.0,
        D("2026-11-03"): 900.0,
    }
    assert sum(v for d, v in combined.items() if d.month == 10) == 1500.0


def test_history_round_trips_and_rejects_damage() -> None:
    known = history(
        audible={"2026-12-01": 60.0},
        abs_days={"2026-12-02": 1.5},
        months={"2026-01-01": 9.0},
    )
    assert ListeningHistory.from_dict(known.to_dict()) == known
    data = known.to_dict()
    for damaged in (
        {**data, "version": 99},
        {**data, "abs": {"not a date": 1.0}},
        {**data, "abs": {"2026-12-02": -1.0}},
        {**data, "audible": {"2026-12-01": "60"}},
        {k: v for k, v in data.items() if k != "audible_months"},
        [],
    ):
        with pytest.raises(HistoryFormatError):
            ListeningHistory.from_dict(damaged)


# -- statistics rows ---------------------------------------------------------------


def test_rows_carry_a_running_total_in_minutes() -> None:
    rows = statistic_rows({D("2026-12-02"): 90.0, D("2026-12-01"): 600.0})
    assert rows == [
        StatisticRow(D("2026-12-01"), 10.0, 10.0),
        StatisticRow(D("2026-12-02"), 1.5, 11.5),
    ]


def test_rows_to_import_first_update_and_rerun() -> None:
    values = {D("2026-11-30"): 600.0, D("2026-12-01"): 300.0, D("2026-12-02"): 60.0}
    first = rows_to_import(values, {})
    assert [row.day for row in first] == sorted(values)
    # Nothing changed: nothing to write.
    assert rows_to_import(values, values) == []
    # Today grew: only today's row is written again.
    grown = {**values, D("2026-12-02"): 120.0}
    assert rows_to_import(grown, values) == [StatisticRow(D("2026-12-02"), 2.0, 17.0)]
    # An older day changed: every later row's total moves with it.
    older = {**values, D("2026-11-30"): 0.0}
    assert [(r.day, r.sum_minutes) for r in rows_to_import(older, values)] == [
        (D("2026-11-30"), 0.0),
        (D("2026-12-01"), 5.0),
        (D("2026-12-02"), 6.0),
    ]


def test_a_vanished_day_is_written_as_zero() -> None:
    imported = {D("2026-12-01"): 300.0, D("2026-12-02"): 60.0}
    rows = rows_to_import({D("2026-12-02"): 60.0}, imported)
    assert rows == [
        StatisticRow(D("2026-12-01"), 0.0, 0.0),
        StatisticRow(D("2026-12-02"), 1.0, 1.0),
    ]


@pytest.mark.parametrize(
    ("day", "zone", "start"),
    [
        # Winter and summer time: local midnight in UTC.
        ("2026-01-15", BERLIN, "2026-01-14T23:00:00+00:00"),
        ("2026-07-15", BERLIN, "2026-07-14T22:00:00+00:00"),
        ("2026-03-29", BERLIN, "2026-03-28T23:00:00+00:00"),  # the day clocks go on
        ("2026-12-31", NEW_YORK, "2026-12-31T05:00:00+00:00"),
        # +05:30: midnight is 18:30 UTC, the row starts at 19:00 (00:30 local).
        ("2026-12-02", KOLKATA, "2026-12-01T19:00:00+00:00"),
    ],
)
def test_day_start_is_local_midnight_on_a_whole_hour(
    day: str, zone: ZoneInfo, start: str
) -> None:
    when = day_start(D(day), zone)
    assert when == datetime.fromisoformat(start)
    assert when.astimezone(zone).date() == D(day)


# -- streak ---------------------------------------------------------------------


def test_streak_ends_today_or_yesterday() -> None:
    days = {D("2026-12-01"): 600.0, D("2026-11-30"): 600.0, D("2026-11-29"): 600.0}
    today = listening_streak({**days, D("2026-12-02"): 300.0}, D("2026-12-02"), 300.0)
    assert (today.current, today.longest, today.today_s) == (4, 4, 300.0)
    # Today not reached yet: the streak still stands, ending yesterday.
    yesterday = listening_streak({**days, D("2026-12-02"): 299.0}, D("2026-12-02"), 300)
    assert (yesterday.current, yesterday.longest) == (3, 3)
    assert yesterday.longest_end == D("2026-12-01")
    assert yesterday.today_s == 299.0
    # A day missed: the streak is broken, the longest remembered.
    broken = listening_streak(days, D("2026-12-03"), 300.0)
    assert (broken.current, broken.longest, broken.longest_end) == (
        0,
        3,
        D("2026-12-01"),
    )


def test_streak_longest_is_the_latest_of_the_longest_and_ignores_future() -> None:
    days = {
        D("2026-11-01"): 600.0,
        D("2026-11-02"): 600.0,
        D("2026-11-10"): 600.0,
        D("2026-11-11"): 600.0,
        D("2026-11-20"): 600.0,
        D("2026-11-21"): 600.0,  # after "today": a clock elsewhere, ignored
    }
    streak = listening_streak(days, D("2026-11-20"), 60.0)
    assert (streak.current, streak.longest, streak.longest_end) == (
        1,
        2,
        D("2026-11-11"),
    )


def test_streak_needs_some_listening_even_without_a_minimum() -> None:
    streak = listening_streak({D("2026-12-02"): 0.0}, D("2026-12-02"), 0.0)
    assert (streak.current, streak.longest, streak.longest_end) == (0, 0, None)
    assert listening_streak({}, D("2026-12-02"), 300.0).today_s == 0.0


def test_streak_on_local_days_around_midnight() -> None:
    """The caller's local date decides which day is today (here New York)."""
    days = {D("2026-12-31"): 600.0}
    # 03:30 UTC on Jan 1 is still Dec 31 in New York: the streak is today's.
    now = datetime(2027, 1, 1, 3, 30, tzinfo=UTC)
    local_today = now.astimezone(NEW_YORK).date()
    assert local_today == D("2026-12-31")
    streak = listening_streak(days, local_today, 300.0)
    assert (streak.current, streak.today_s) == (1, 600.0)
    # In UTC it is already the next day: the streak ends yesterday.
    assert listening_streak(days, now.date(), 300.0).today_s == 0.0
    assert listening_streak(days, now.date(), 300.0).current == 1


# -- finished books ----------------------------------------------------------------


def title(asin: str, name: str, finished_at: datetime | None) -> AudibleTitle:
    return AudibleTitle(
        asin=asin,
        title=name,
        is_finished=finished_at is not None,
        finished_at=finished_at,
    )


def progress(item_id: str, finished_at: datetime | None) -> AbsProgress:
    return AbsProgress(
        item_id=item_id,
        current_time_s=100.0,
        duration_s=100.0,
        progress=1.0,
        is_finished=finished_at is not None,
        last_update=datetime(2026, 1, 1, tzinfo=UTC),
        finished_at=finished_at,
    )


def item(item_id: str, name: str, asin: str | None = None) -> AbsItem:
    return AbsItem(item_id=item_id, library_id="lib", title=name, asin=asin)


def test_a_synced_book_counts_once_on_its_later_finish() -> None:
    titles = {"B1": title("B1", "Linked", datetime(2026, 3, 1, 12, tzinfo=UTC))}
    abs_progress = {"i1": progress("i1", datetime(2026, 3, 1, 12, 5, tzinfo=UTC))}
    books = finished_books(
        titles, {"i1": item("i1", "Linked")}, abs_progress, {"B1": "i1"}, UTC
    )
    assert books == [FinishedBook("Linked", D("2026-03-01"), "B1", "i1")]


def test_finished_books_from_both_services() -> None:
    titles = {
        "B1": title("B1", "Audible only", datetime(2026, 2, 1, 12, tzinfo=UTC)),
        "B2": title("B2", "Not finished", None),
        # Finished without a time: it cannot be put in a year.
        "B3": AudibleTitle(asin="B3", title="No date", is_finished=True),
        "B4": title("B4", "Linked, finished on ABS", None),
    }
    items = {
        "i2": item("i2", "ABS only", asin="B9"),
        "i4": item("i4", "Linked, finished on ABS"),
    }
    abs_progress = {
        "i2": progress("i2", datetime(2026, 5, 1, 12, tzinfo=UTC)),
        "i4": progress("i4", datetime(2026, 4, 1, 12, tzinfo=UTC)),
        "i5": progress("i5", datetime(2026, 4, 1, 12, tzinfo=UTC)),  # not indexed
        "i6": progress("i6", None),
    }
    books = finished_books(titles, items, abs_progress, {"B4": "i4"}, UTC)
    assert books == [
        FinishedBook("ABS only", D("2026-05-01"), "B9", "i2"),
        FinishedBook("Linked, finished on ABS", D("2026-04-01"), "B4", "i4"),
        FinishedBook("Audible only", D("2026-02-01"), "B1", None),
    ]


def test_finished_year_boundary_is_the_local_one() -> None:
    # 04:30 UTC on Jan 1 is 23:30 on Dec 31 in New York: last year's book.
    late = datetime(2027, 1, 1, 4, 30, tzinfo=UTC)
    books = finished_books({"B1": title("B1", "Late", late)}, {}, {}, {}, NEW_YORK)
    assert books[0].finished_on == D("2026-12-31")
    assert finished_between(books, D("2027-01-01"), D("2027-12-31")) == []
    assert finished_between(books, D("2026-01-01"), D("2026-12-31")) == books
    # In Berlin the same moment is already in the new year.
    books = finished_books({"B1": title("B1", "Late", late)}, {}, {}, {}, BERLIN)
    assert finished_between(books, D("2027-01-01"), D("2027-12-31")) == books


# -- yearly goal ---------------------------------------------------------------


def test_no_goal_no_progress() -> None:
    assert goal_progress(0, 3, D("2026-06-01")) is None


@pytest.mark.parametrize(
    ("goal", "finished", "today", "percent", "expected", "ahead"),
    [
        (12, 0, "2026-01-01", 0.0, 0.0, -0.0),
        (365, 1, "2026-01-01", 0.3, 1.0, 0.0),
        (12, 6, "2026-07-02", 50.0, 6.0, 0.0),  # day 183 of 365
        (12, 3, "2026-07-02", 25.0, 6.0, -3.0),
        (12, 13, "2026-12-31", 108.3, 12.0, 1.0),
        (366, 1, "2028-01-01", 0.3, 1.0, 0.0),  # a leap year
        (366, 60, "2028-02-29", 16.4, 60.0, 0.0),
    ],
)
def test_goal_progress(
    goal: int,
    finished: int,
    today: str,
    percent: float,
    expected: float,
    ahead: float,
) -> None:
    progress_now = goal_progress(goal, finished, D(today))
    assert progress_now is not None
    assert (
        progress_now.percent,
        progress_now.expected_by_today,
        progress_now.ahead_by,
    ) == (percent, expected, ahead)


# -- a range -------------------------------------------------------------------


def test_listening_between_says_unknown_days_as_none() -> None:
    known = history(audible={"2026-12-01": 600.0}, abs_days={"2026-12-02": 90.0})
    assert listening_between(known, D("2026-11-30"), D("2026-12-02")) == [
        {
            "date": "2026-11-30",
            "audible_minutes": None,
            "abs_minutes": None,
            "combined_minutes": 0.0,
        },
        {
            "date": "2026-12-01",
            "audible_minutes": 10.0,
            "abs_minutes": None,
            "combined_minutes": 10.0,
        },
        {
            "date": "2026-12-02",
            "audible_minutes": None,
            "abs_minutes": 1.5,
            "combined_minutes": 1.5,
        },
    ]


# -- the services ----------------------------------------------------------------


def test_abs_listening_days_from_the_recording() -> None:
    body = fixture_body("me_listening-stats.json")
    assert parse_listening_days(body) == {D("2026-11-21"): 15.0}
    assert (
        parse_listening_days(fixture_body("me_listening-stats__no_sessions.json")) == {}
    )


def test_abs_listening_days_are_read_leniently() -> None:
    body: dict[str, Any] = {
        "days": {
            "2026-11-21": "15",
            "2026-11-22": -3,
            "someday": 5,
            "2026-11-23": None,
            "2026-11-24": 60.5,
        }
    }
    assert parse_listening_days(body) == {D("2026-11-21"): 15.0, D("2026-11-24"): 60.5}
    assert parse_listening_days({"days": []}) == {}


@pytest.fixture
async def abs_fake(aiohttp_server: Any, socket_enabled: None) -> FakeAbsServer:
    fake = FakeAbsServer()
    await fake.start(aiohttp_server)
    return fake


async def test_abs_client_reads_listening_days(abs_fake: FakeAbsServer) -> None:
    abs_fake.listening_days.update({"2026-11-30": 1200, "2026-12-01": 30.5})
    async with aiohttp.ClientSession() as session:
        client = AbsClient(abs_fake.url, session=session, api_key=API_KEY)
        assert await client.get_listening_days() == {
            D("2026-11-30"): 1200.0,
            D("2026-12-01"): 30.5,
        }
    assert len(abs_fake.requests_to("GET", "/api/me/listening-stats")) == 1


@pytest.fixture
async def audible_api() -> AsyncIterator[tuple[FakeAudible, AudibleClient]]:
    fake = FakeAudible()
    client = AudibleClient(fake.auth_data, "us", transport=fake.transport)
    yield fake, client
    await client.close()


async def test_audible_months_in_windows_of_twelve(
    audible_api: tuple[FakeAudible, AudibleClient],
) -> None:
    fake, api = audible_api
    fake.monthly_listening_ms.update({"2025-01": 3_600_000.0, "2026-02": 60_000.0})
    fake.daily_listening_ms["2026-02-10"] = 60_000.0
    months = await api.get_listening_months(first_month=D("2024-12-15"), months=15)
    assert months[D("2025-01-01")] == 3600.0
    assert months[D("2026-02-01")] == 120.0
    assert set(months) == {
        date(2024 + (11 + n) // 12, (11 + n) % 12 + 1, 1) for n in range(15)
    }
    requests = fake.requests_to("1.0/stats/aggregates")
    assert [
        (
            r.params["monthly_listening_interval_start_date"],
            r.params["monthly_listening_interval_duration"],
        )
        for r in requests
    ] == [("2024-12", "12"), ("2025-12", "3")]
    with pytest.raises(ValueError, match="months"):
        await api.get_listening_months(first_month=D("2026-01-01"), months=0)


def test_midnight_gap_of_a_day_start() -> None:
    """Two consecutive local days never share a row start."""
    first = day_start(D("2026-10-25"), BERLIN)  # clocks go back that night
    second = day_start(D("2026-10-26"), BERLIN)
    assert second - first == timedelta(hours=25)
