"""What the progress poll derives from the library, made once, not every poll.

A quiet poll must do work in proportion to the watchlist: the links, the
titles with their exact runtimes and the ABS tiers are passes over the whole
library (or every ABS progress record), so they are kept until the library,
the runtimes known or the ABS answer change. The tiered watchlist (see
`core.watchlist`) and whether a poll can reuse the last snapshot live here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .core.tracking import with_exact_runtimes
from .core.watchlist import Tiers, Watchlist, abs_tiers, build_watchlist

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import date, datetime

    from .coordinator import LibraryData
    from .core.models import AbsProgress, AudiblePosition, AudibleTitle


class PollViews:
    """Views of one entry's library for the progress poll, kept between polls."""

    def __init__(self) -> None:
        """Start with nothing derived."""
        self._library: LibraryData | None = None
        self._runtimes = -1
        self._titles: dict[str, AudibleTitle] = {}
        self._links: dict[str, str] = {}
        self._asin_of_item: dict[str, str] = {}
        self._abs_from: Mapping[str, AbsProgress] | None = None
        self._abs_tiers = Tiers()
        # Untouched titles asked about once already (their position is known).
        self._untouched_asked: set[str] = set()
        self._built_from: tuple[LibraryData, int, frozenset[str], date] | None = None

    def _refresh(self, library: LibraryData, runtime_ms: Mapping[str, int]) -> None:
        if library is self._library and len(runtime_ms) == self._runtimes:
            return
        if self._library is None or library.match is not self._library.match:
            self._links = library.match.item_ids()
            self._asin_of_item = {item: asin for asin, item in self._links.items()}
            self._abs_from = None
        self._titles = with_exact_runtimes(library.titles, runtime_ms)
        self._library = library
        self._runtimes = len(runtime_ms)

    def titles(
        self, library: LibraryData, runtime_ms: Mapping[str, int]
    ) -> dict[str, AudibleTitle]:
        """Return the library's titles with their exact runtimes where known."""
        self._refresh(library, runtime_ms)
        return self._titles

    def links(
        self, library: LibraryData, runtime_ms: Mapping[str, int]
    ) -> dict[str, str]:
        """Return ASIN -> ABS item id of the linked titles."""
        self._refresh(library, runtime_ms)
        return self._links

    def watchlist(
        self,
        library: LibraryData,
        runtime_ms: Mapping[str, int],
        abs_progress: Mapping[str, AbsProgress],
        positions: Mapping[str, AudiblePosition | None],
        now: datetime,
        *,
        extra: Iterable[str],
        currently_reading: str | None,
    ) -> Watchlist:
        """Return the tiered watchlist of a poll at `now`."""
        self._refresh(library, runtime_ms)
        if abs_progress is not self._abs_from:
            self._abs_tiers = abs_tiers(abs_progress, self._asin_of_item, now)
            self._abs_from = abs_progress
        known = {a: p for a, p in positions.items() if p is not None}
        return build_watchlist(
            library.titles,
            library.tiers,
            self._abs_tiers,
            last_positions=known,
            library_moved=library.moved_at,
            now=now,
            extra=extra,
            currently_reading=currently_reading,
        )

    def to_poll(self, watchlist: Watchlist) -> frozenset[str]:
        """Return the hot titles, and untouched ones not asked about yet."""
        return watchlist.hot | (watchlist.untouched - self._untouched_asked)

    def polled(self, asked: Iterable[str]) -> None:
        """Audible answered about `asked`: untouched ones are known now."""
        self._untouched_asked.update(asked)

    def reusable(
        self,
        library: LibraryData,
        runtimes: int,
        watchlist: frozenset[str],
        today: date,
        *,
        changed: bool,
    ) -> bool:
        """Whether the last snapshot still holds: same inputs, nothing new.

        Besides the positions and the ABS progress (`changed`: whether one
        changed since it was built), a snapshot depends on the library object,
        the runtimes known, the watchlist and the day.
        """
        built = self._built_from
        same = (
            not changed
            and built is not None
            and built[0] is library
            and built[1:] == (runtimes, watchlist, today)
        )
        self._built_from = (library, runtimes, watchlist, today)
        return same
