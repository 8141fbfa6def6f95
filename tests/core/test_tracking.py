"""Tests for the snapshot and book events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from custom_components.audible_tracker.core.models import (
    AbsItem,
    AbsProgress,
    AudiblePosition,
    AudibleTitle,
    ListeningDay,
    SeriesRef,
)
from custom_components.audible_tracker.core.tracking import (
    Book,
    BookEventType,
    BookStatus,
    Snapshot,
    Source,
    abs_only_book,
    build_snapshot,
    detect_book_events,
    listening_totals,
    merge_title,
)

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday


def title(asin: str, **kwargs: object) -> AudibleTitle:
    defaults: dict[str, object] = {
        "title": f"Title {asin}",
        "authors": ("Author",),
        "runtime_s": 36000.0,
        "percent_complete": 0.0,
    }
    defaults.update(kwargs)
    return AudibleTitle(asin=asin, **defaults)  # type: ignore[arg-type]


def progress(item_id: str, current: float, **kwargs: object) -> AbsProgress:
    defaults: dict[str, object] = {
        "duration_s": 36000.0,
        "progress": current / 36000,
        "is_finished": False,
        "last_update": NOW - timedelta(days=30),
    }
    defaults.update(kwargs)
    return AbsProgress(item_id=item_id, current_time_s=current, **defaults)  # type: ignore[arg-type]


def item(item_id: str, **kwargs: object) -> AbsItem:
    defaults: dict[str, object] = {
        "library_id": "lib",
        "title": f"Item {item_id}",
        "duration_s": 36000.0,
    }
    defaults.update(kwargs)
    return AbsItem(item_id=item_id, **defaults)  # type: ignore[arg-type]


def test_merge_prefers_the_newer_side() -> None:
    t = title("A", percent_complete=10.0, cover_url="https://img/a.jpg")
    audible = AudiblePosition("A", 3600.0, NOW - timedelta(hours=2))
    newer_abs = progress("i", 7200.0, last_update=NOW - timedelta(hours=1))
    book = merge_title(t, audible, item("i"), newer_abs)
    assert book.position_s == 7200.0
    assert book.source is Source.BOTH
    assert book.last_listened == NOW - timedelta(hours=1)
    assert book.abs_item_id == "i"
    assert book.cover_url == "https://img/a.jpg"
    assert book.percent == 20.0
    assert book.time_left_s == 36000.0 - 7200.0

    older_abs = replace(newer_abs, last_update=NOW - timedelta(hours=3))
    book = merge_title(t, audible, item("i"), older_abs)
    assert book.position_s == 3600.0
    assert book.last_listened == NOW - timedelta(hours=2)


def test_merge_without_position_uses_library_percent() -> None:
    book = merge_title(title("A", percent_complete=50.0), None, None, None)
    assert book.position_s == 18000.0
    assert book.source is Source.AUDIBLE
    assert book.status is BookStatus.IN_PROGRESS
    # No position at all: unknown, not zero.
    unknown = merge_title(title("B", percent_complete=None), None, None, None)
    assert unknown.position_s is None
    assert unknown.percent is None
    assert unknown.time_left_s is None
    assert unknown.status is BookStatus.NOT_STARTED


def test_merge_abs_only_data_and_cover_fallback() -> None:
    t = title("A", percent_complete=None, runtime_s=None)
    abs_progress = progress("i", 60.0, duration_s=120.0)
    book = merge_title(t, None, item("i"), abs_progress, abs_cover_url="http://abs/c")
    assert book.source is Source.ABS
    assert book.position_s == 60.0
    assert book.duration_s == 120.0
    assert book.cover_url == "http://abs/c"


def test_finished_book_percent_and_time_left() -> None:
    book = merge_title(title("A", is_finished=True), None, None, None)
    assert book.status is BookStatus.FINISHED
    assert book.percent == 100.0
    assert book.time_left_s == 0.0


def test_abs_only_book() -> None:
    book = abs_only_book(
        item("i", has_cover=True, series=(SeriesRef("S", "0.5"),)),
        progress("i", 30.0, duration_s=0.0),
        abs_cover_url="http://abs/cover",
    )
    assert book.key == "abs:i"
    assert book.duration_s == 36000.0  # the item's, as the progress had none
    assert book.cover_url == "http://abs/cover"
    assert book.series == (SeriesRef("S", "0.5"),)
    no_cover = abs_only_book(item("j"), progress("j", 1.0), abs_cover_url="x")
    assert no_cover.cover_url is None


def test_snapshot_currently_reading_and_counts() -> None:
    titles = {
        "A": title("A", percent_complete=10.0),
        "B": title("B", percent_complete=20.0),
        "C": title("C", is_finished=True),
        "D": title("D"),
    }
    positions = {
        "A": AudiblePosition("A", 100.0, NOW - timedelta(hours=5)),
        "B": AudiblePosition("B", 200.0, NOW - timedelta(hours=1)),
        "D": None,
    }
    abs_items = {"i1": item("i1"), "i9": item("i9", title="ABS only", has_cover=True)}
    abs_progress = {
        "i1": progress("i1", 500.0, last_update=NOW - timedelta(minutes=5)),
        "i9": progress("i9", 50.0, last_update=NOW - timedelta(hours=3)),
        "unknown": progress("unknown", 50.0),
    }
    snapshot = build_snapshot(
        titles=titles,
        positions=positions,
        abs_items=abs_items,
        abs_progress=abs_progress,
        links={"A": "i1"},
        unmatched_titles=["D"],
        listening_days=[ListeningDay("2026-11-18", 600.0)],
        now=NOW,
        abs_cover_url=lambda item_id: f"http://abs/{item_id}/cover",
    )
    assert [b.key for b in snapshot.in_progress] == ["A", "B", "abs:i9"]
    assert snapshot.currently_reading is not None
    assert snapshot.currently_reading.position_s == 500.0
    assert snapshot.currently_reading.source is Source.BOTH
    assert snapshot.books["abs:i9"].cover_url == "http://abs/i9/cover"
    assert snapshot.library_size == 4
    assert snapshot.finished_count == 1
    assert snapshot.listening_today_s == 600.0
    assert snapshot.unmatched_titles == ("D",)
    assert "abs:unknown" not in snapshot.books


def test_empty_snapshot() -> None:
    snapshot = build_snapshot(
        titles={},
        positions={},
        abs_items={},
        abs_progress={},
        links={},
        unmatched_titles=(),
        listening_days=None,
        now=NOW,
    )
    assert snapshot.currently_reading is None
    assert snapshot.listening_today_s is None
    assert snapshot.library_size == 0


def test_listening_totals_today_and_week() -> None:
    days = [
        ListeningDay("2026-11-18", 100.0),  # today (Wednesday)
        ListeningDay("2026-11-16", 10.0),  # Monday: this week
        ListeningDay("2026-11-15", 1000.0),  # Sunday: last week
        ListeningDay("garbage", 5.0),
    ]
    assert listening_totals(days, NOW.date()) == (100.0, 110.0)


def test_events_started_finished_and_restart() -> None:
    first = build_snapshot(
        titles={
            "A": title("A"),
            "B": title("B", percent_complete=50.0),
            "C": title("C", is_finished=True),
            "D": title("D", percent_complete=5.0),
        },
        positions={},
        abs_items={},
        abs_progress={},
        links={},
        unmatched_titles=(),
        listening_days=None,
        now=NOW,
    )
    # The first snapshot is a baseline: nothing fires.
    assert detect_book_events(None, first) == []
    second = replace(
        first,
        books={
            **first.books,
            "A": replace(first.books["A"], position_s=10.0),
            "B": replace(first.books["B"], finished=True),
            "C": replace(first.books["C"], finished=False, position_s=5.0),
            "D": replace(first.books["D"], position_s=0.0),
        },
    )
    events = {(e.key, e.type) for e in detect_book_events(first, second)}
    assert events == {
        ("A", BookEventType.STARTED),
        ("B", BookEventType.FINISHED),
        ("C", BookEventType.STARTED),  # a re-read
    }
    # The same change is not reported twice.
    assert detect_book_events(second, second) == []


def _two_snapshots(
    before: dict[str, Book], after: dict[str, Book]
) -> tuple[Snapshot, Snapshot]:
    empty = build_snapshot(
        titles={},
        positions={},
        abs_items={},
        abs_progress={},
        links={},
        unmatched_titles=(),
        listening_days=None,
        now=NOW,
    )
    first = replace(empty, books=before)
    second = replace(empty, books=after, updated_at=NOW + timedelta(minutes=5))
    return first, second


def test_no_event_when_only_the_link_changed() -> None:
    finished_on_abs = abs_only_book(
        item("i2"),
        progress(
            "i2", 36000.0, is_finished=True, last_update=NOW - timedelta(days=300)
        ),
    )
    linked = replace(
        merge_title(title("B2"), None, None, None),
        abs_item_id="i2",
        finished=True,
        last_listened=NOW + timedelta(minutes=1),
    )
    # Linked: the ABS-only book becomes the Audible title's book.
    first, second = _two_snapshots({"abs:i2": finished_on_abs}, {"B2": linked})
    assert detect_book_events(first, second) == []
    # Unlinked: back to the ABS-only key.
    first, second = _two_snapshots({"B2": linked}, {"abs:i2": finished_on_abs})
    assert detect_book_events(first, second) == []


def test_no_event_for_a_change_older_than_the_previous_poll() -> None:
    # ABS was down at the first poll; its progress from last year now shows.
    before = merge_title(title("A"), None, None, None)
    after = replace(before, finished=True, last_listened=NOW - timedelta(days=365))
    first, second = _two_snapshots({"A": before}, {"A": after})
    assert detect_book_events(first, second) == []


def test_event_for_a_new_book_heard_since_the_previous_poll() -> None:
    fresh = replace(
        merge_title(title("N"), None, None, None),
        position_s=60.0,
        last_listened=NOW + timedelta(minutes=2),
    )
    unknown_time = replace(fresh, key="M", asin="M", last_listened=None)
    first, second = _two_snapshots({}, {"N": fresh, "M": unknown_time})
    assert {(e.key, e.type) for e in detect_book_events(first, second)} == {
        ("N", BookEventType.STARTED),
        ("M", BookEventType.STARTED),
    }


def test_finish_time_counts_as_a_change() -> None:
    done = title("F", is_finished=True, finished_at=NOW)
    position = AudiblePosition("F", 35990.0, NOW - timedelta(hours=3))
    assert merge_title(done, position, None, None).last_listened == NOW


def test_books_finished_counts_the_audible_library() -> None:
    snapshot = build_snapshot(
        titles={"A": title("A", is_finished=True), "B": title("B")},
        positions={},
        abs_items={"i": item("i")},
        abs_progress={"i": progress("i", 36000.0, is_finished=True)},
        links={},
        unmatched_titles=(),
        listening_days=[ListeningDay("2026-11-17", 60.0)],
        now=NOW,
        today=NOW.date() - timedelta(days=1),
    )
    assert snapshot.finished_count == 1
    # Listening totals follow the local date given, not the UTC one.
    assert snapshot.listening_today_s == 60.0
