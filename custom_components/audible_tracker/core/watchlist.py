"""The watchlist in two tiers: what every poll asks Audible about, and what waits.

A quiet poll must cost one Audible request (25 ASINs) whatever the size of
the library, and work in proportion to the watchlist, not the library:

- *hot*, asked about every poll: titles that moved in the last 7 days on
  either side (an Audible position, a finish or a listening change the
  library showed, ABS progress updated, started or finished), the book
  currently reading, and titles an action asks about;
- *untouched*, in progress on either side but not moved for 7 days: asked
  about once, then only when they move again. The library refresh (every 30
  minutes) shows an Audible move in `listening_status`; ABS progress shows an
  ABS move at the next poll. Either makes the title hot.

The passes over the whole library (`library_tiers`) and over every ABS
progress record (`abs_tiers`) run when those change, not every poll.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

    from .models import AbsProgress, AudiblePosition, AudibleTitle

RECENT: Final = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Tiers:
    """ASINs that moved recently, and ASINs in progress (moved or not)."""

    recent: frozenset[str] = frozenset()
    in_progress: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Watchlist:
    """A poll's watchlist: `hot` is asked about, `untouched` waits."""

    hot: frozenset[str]
    untouched: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        """Every title worth watching (what the entities and diagnostics show)."""
        return self.hot | self.untouched


def _recent(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and now - moment <= RECENT


def title_in_progress(title: AudibleTitle) -> bool:
    """Whether the library says the title is started and not finished."""
    return (
        not title.is_finished
        and title.percent_complete is not None
        and 0 < title.percent_complete < 100  # noqa: PLR2004 - percent
    )


def library_tiers(titles: Mapping[str, AudibleTitle], now: datetime) -> Tiers:
    """Tiers the library gives: finished lately, and in progress (a full pass)."""
    recent = {asin for asin, t in titles.items() if _recent(t.finished_at, now)}
    in_progress = {asin for asin, t in titles.items() if title_in_progress(t)}
    return Tiers(frozenset(recent), frozenset(in_progress))


def library_moves(
    before: Mapping[str, AudibleTitle], changed: Iterable[AudibleTitle]
) -> set[str]:
    """ASINs whose listening state changed between two library fetches.

    A title new to the library is no move (a purchase); one whose percent or
    finished flag changed was listened to.
    """
    moved = set()
    for title in changed:
        old = before.get(title.asin)
        if old is not None and (
            old.percent_complete != title.percent_complete
            or old.is_finished != title.is_finished
        ):
            moved.add(title.asin)
    return moved


def abs_tiers(
    abs_progress: Mapping[str, AbsProgress],
    asin_of_item: Mapping[str, str],
    now: datetime,
) -> Tiers:
    """Tiers ABS gives, by ASIN of the linked items (a pass over the progress)."""
    recent = set()
    in_progress = set()
    for item_id, progress in abs_progress.items():
        asin = asin_of_item.get(item_id)
        if asin is None:
            continue
        if (
            _recent(progress.last_update, now)
            or _recent(progress.finished_at, now)
            or _recent(progress.started_at, now)
        ):
            recent.add(asin)
        if not progress.is_finished and progress.current_time_s > 0:
            in_progress.add(asin)
    return Tiers(frozenset(recent), frozenset(in_progress))


def build_watchlist(
    titles: Mapping[str, AudibleTitle],
    library: Tiers,
    abs_: Tiers,
    *,
    last_positions: Mapping[str, AudiblePosition],
    library_moved: Mapping[str, datetime],
    now: datetime,
    extra: Iterable[str] = (),
    currently_reading: str | None = None,
) -> Watchlist:
    """Return this poll's watchlist, in proportion to it (not to the library).

    `last_positions` are the Audible positions known; `library_moved` when the
    library last showed a title move (`library_moves`).
    """
    hot = {*library.recent, *abs_.recent, *extra}
    hot.update(a for a, p in last_positions.items() if _recent(p.last_updated, now))
    hot.update(a for a, at in library_moved.items() if _recent(at, now))
    if currently_reading is not None:
        hot.add(currently_reading)
    hot_titles = frozenset(asin for asin in hot if asin in titles)
    untouched = frozenset(
        asin
        for asin in (*library.in_progress, *abs_.in_progress)
        if asin in titles and asin not in hot_titles
    )
    return Watchlist(hot_titles, untouched)
