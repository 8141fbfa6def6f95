"""What the user is listening to: the snapshot and book events.

Pure functions over the models: the coordinators fetch, these decide. The
watchlist (what each poll asks Audible about) is in `watchlist`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from .models import (
        AbsItem,
        AbsProgress,
        AudiblePosition,
        AudibleTitle,
        ListeningDay,
        SeriesRef,
    )

ABS_KEY_PREFIX: Final = "abs:"


class Source(StrEnum):
    """Where a book's shown state comes from."""

    AUDIBLE = "audible"
    ABS = "abs"
    BOTH = "both"


class BookStatus(StrEnum):
    """Coarse listening state, compared between polls for events."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


class BookEventType(StrEnum):
    """Event types of the book event entity."""

    STARTED = "started"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class Book:
    """One book as shown to the user, merged from both sides."""

    key: str  # the ASIN, or "abs:<item id>" for an ABS item with no Audible title
    asin: str | None
    abs_item_id: str | None
    title: str
    authors: tuple[str, ...]
    narrators: tuple[str, ...]
    series: tuple[SeriesRef, ...]
    position_s: float | None
    duration_s: float | None
    finished: bool
    last_listened: datetime | None
    source: Source
    cover_url: str | None
    # The ABS server's cover of a linked title with an Audible cover: where
    # the Audible one cannot load.
    fallback_cover_url: str | None = None

    @property
    def percent(self) -> float | None:
        """Progress in percent (0..100), when position and duration are known."""
        if self.finished:
            return 100.0
        if self.position_s is None or not self.duration_s:
            return None
        return round(min(100.0, max(0.0, 100 * self.position_s / self.duration_s)), 1)

    @property
    def time_left_s(self) -> float | None:
        """Seconds left to listen."""
        if self.finished:
            return 0.0
        if self.position_s is None or self.duration_s is None:
            return None
        return max(0.0, self.duration_s - self.position_s)

    @property
    def status(self) -> BookStatus:
        """Not started, in progress or finished."""
        if self.finished:
            return BookStatus.FINISHED
        if self.position_s:
            return BookStatus.IN_PROGRESS
        return BookStatus.NOT_STARTED


@dataclass(frozen=True, slots=True)
class BookEvent:
    """A book was started or finished between two polls."""

    type: BookEventType
    key: str
    asin: str | None
    abs_item_id: str | None
    title: str
    authors: tuple[str, ...]
    source: Source


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the entities read, built once per poll."""

    books: dict[str, Book]
    in_progress: tuple[Book, ...]  # most recently heard first
    library_size: int
    finished_count: int
    listening_today_s: float | None
    listening_week_s: float | None
    unmatched_titles: tuple[str, ...]
    updated_at: datetime

    @property
    def currently_reading(self) -> Book | None:
        """The in-progress book heard most recently on either side."""
        return self.in_progress[0] if self.in_progress else None


def _recency(book: Book) -> float:
    return book.last_listened.timestamp() if book.last_listened else 0.0


def with_exact_runtimes(
    titles: Mapping[str, AudibleTitle], runtime_ms: Mapping[str, int]
) -> dict[str, AudibleTitle]:
    """Return the titles with the exact runtimes known in place of the minutes.

    The library's `runtime_length_min` is whole minutes: a book shows 100 %
    and no time left before its end, and sync positions near the end clamp.
    """
    exact = dict(titles)
    for asin, milliseconds in runtime_ms.items():
        title = titles.get(asin)
        if title is not None:
            exact[asin] = replace(title, runtime_s=milliseconds / 1000)
    return exact


def _audible_side(
    title: AudibleTitle, position: AudiblePosition | None
) -> tuple[float | None, datetime | None]:
    """Return the Audible position and its change time, as best known.

    The change time is the newer of the position's and, for a finished
    title, the finish's.
    """
    finished_at = title.finished_at if title.is_finished else None
    if position is not None:
        changed = position.last_updated
        if finished_at is not None and finished_at > changed:
            changed = finished_at
        return position.position_s, changed
    if title.percent_complete is not None and title.runtime_s:
        # Only the library's percentage: good enough to show, never synced.
        return title.runtime_s * title.percent_complete / 100, finished_at
    return None, finished_at


def merge_title(
    title: AudibleTitle,
    position: AudiblePosition | None,
    item: AbsItem | None,
    progress: AbsProgress | None,
    *,
    abs_cover_url: str | None = None,
) -> Book:
    """Merge what both sides know of one Audible title; the newer side wins."""
    audible_pos, audible_at = _audible_side(title, position)
    has_audible = audible_pos is not None or title.is_finished
    abs_newer = progress is not None and (
        not has_audible or audible_at is None or progress.last_update > audible_at
    )
    if progress is not None and has_audible:
        source = Source.BOTH
    elif progress is not None:
        source = Source.ABS
    else:
        source = Source.AUDIBLE
    if progress is not None and abs_newer:
        position_s: float | None = progress.current_time_s
        finished = progress.is_finished
        last: datetime | None = progress.last_update
        duration = progress.duration_s or title.runtime_s
    else:
        position_s = audible_pos
        finished = title.is_finished
        last = audible_at
        duration = title.runtime_s
    return Book(
        key=title.asin,
        asin=title.asin,
        abs_item_id=item.item_id if item is not None else None,
        title=title.title,
        authors=title.authors,
        narrators=title.narrators,
        series=title.series,
        position_s=position_s,
        duration_s=duration,
        finished=finished,
        last_listened=last,
        source=source,
        cover_url=title.cover_url or abs_cover_url,
        fallback_cover_url=abs_cover_url if title.cover_url else None,
    )


def abs_only_book(
    item: AbsItem, progress: AbsProgress, *, abs_cover_url: str | None = None
) -> Book:
    """Build the book of an ABS item that has no Audible title."""
    return Book(
        key=f"{ABS_KEY_PREFIX}{item.item_id}",
        asin=item.asin,
        abs_item_id=item.item_id,
        title=item.title,
        authors=item.authors,
        narrators=item.narrators,
        series=item.series,
        position_s=progress.current_time_s,
        duration_s=progress.duration_s or item.duration_s,
        finished=progress.is_finished,
        last_listened=progress.last_update,
        source=Source.ABS,
        cover_url=abs_cover_url if item.has_cover else None,
    )


def build_snapshot(
    *,
    titles: Mapping[str, AudibleTitle],
    positions: Mapping[str, AudiblePosition | None],
    abs_items: Mapping[str, AbsItem],
    abs_progress: Mapping[str, AbsProgress],
    links: Mapping[str, str],
    unmatched_titles: Iterable[str],
    listening_days: Iterable[ListeningDay] | None,
    now: datetime,
    today: date | None = None,
    abs_cover_url: Callable[[str], str] | None = None,
) -> Snapshot:
    """Build the snapshot the entities read.

    `today` is the local date the listening totals count for (default: the
    date of `now`).
    """

    def cover(item_id: str) -> str | None:
        return abs_cover_url(item_id) if abs_cover_url is not None else None

    books: dict[str, Book] = {}
    linked_items: set[str] = set()
    for asin, title in titles.items():
        item_id = links.get(asin)
        item = abs_items.get(item_id) if item_id is not None else None
        progress = abs_progress.get(item_id) if item_id is not None else None
        if item_id is not None:
            linked_items.add(item_id)
        books[asin] = merge_title(
            title,
            positions.get(asin),
            item,
            progress,
            abs_cover_url=cover(item.item_id) if item and item.has_cover else None,
        )
    for item_id, progress in abs_progress.items():
        item = abs_items.get(item_id)
        if item_id in linked_items or item is None:
            continue
        book = abs_only_book(item, progress, abs_cover_url=cover(item_id))
        books[book.key] = book
    in_progress = sorted(
        (b for b in books.values() if b.status is BookStatus.IN_PROGRESS),
        key=_recency,
        reverse=True,
    )
    today_s: float | None = None
    week_s: float | None = None
    if listening_days is not None:
        today_s, week_s = listening_totals(listening_days, today or now.date())
    return Snapshot(
        books=books,
        in_progress=tuple(in_progress),
        library_size=len(titles),
        finished_count=sum(1 for title in titles.values() if title.is_finished),
        listening_today_s=today_s,
        listening_week_s=week_s,
        unmatched_titles=tuple(unmatched_titles),
        updated_at=now,
    )


def listening_totals(days: Iterable[ListeningDay], today: date) -> tuple[float, float]:
    """Return (today, this week) listening seconds; weeks start on Monday."""
    week_start = today - timedelta(days=today.weekday())
    today_s = 0.0
    week_s = 0.0
    for day in days:
        try:
            when = date.fromisoformat(day.date)
        except ValueError:
            continue
        if when == today:
            today_s += day.listening_s
        if week_start <= when <= today:
            week_s += day.listening_s
    return today_s, week_s


def _previous_book(previous: Snapshot, book: Book) -> Book | None:
    """Find the book in the previous snapshot, also across a link change."""
    found = previous.books.get(book.key)
    if found is None and book.asin is not None:
        found = previous.books.get(book.asin)
    if found is None and book.abs_item_id is not None:
        found = previous.books.get(f"{ABS_KEY_PREFIX}{book.abs_item_id}")
    return found


def detect_book_events(previous: Snapshot | None, current: Snapshot) -> list[BookEvent]:
    """Return the started/finished events between two snapshots.

    Nothing for the first snapshot (after start-up or a restart): a state
    seen for the first time is a baseline, not a change. Nothing either for a
    book whose link changed (linked, unlinked, relinked): the same listening
    seen through another link is not news. A state change whose own change
    time is older than the previous snapshot was not heard since then (a
    service or an index that was down, a book new to the index): it is taken
    as the new baseline.
    """
    if previous is None:
        return []
    events: list[BookEvent] = []
    for key, book in current.books.items():
        before_book = _previous_book(previous, book)
        if before_book is not None and (
            before_book.key != book.key or before_book.abs_item_id != book.abs_item_id
        ):
            continue
        before = before_book.status if before_book else BookStatus.NOT_STARTED
        status = book.status
        if status == before:
            continue
        if book.last_listened is not None and book.last_listened < previous.updated_at:
            continue
        if status is BookStatus.FINISHED:
            kind = BookEventType.FINISHED
        elif status is BookStatus.IN_PROGRESS:
            # From not started, or a restart after finishing (a re-read).
            kind = BookEventType.STARTED
        else:
            continue
        events.append(
            BookEvent(
                kind,
                key,
                book.asin,
                book.abs_item_id,
                book.title,
                book.authors,
                book.source,
            )
        )
    return events
