"""Adaptive progress polling: fast while someone listens, slow when nobody does.

Audible has no push, so the progress poll is the only way to see listening
there. It runs at the fast interval after any activity (a move on either
side, an ABS socket event, Home Assistant starting); after `IDLE_AFTER`
without any, each poll doubles the interval up to the idle interval. Pure:
callers pass the times, and say what moved with `audible_moved`/`abs_moved`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from .models import AbsProgress, AudiblePosition

IDLE_AFTER: Final = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class PollSchedule:
    """The fast and the idle interval of the progress poll."""

    fast: timedelta
    idle: timedelta

    def next_interval(
        self, current: timedelta, last_activity: datetime, now: datetime
    ) -> timedelta:
        """Return the interval to the next poll after one at `now`.

        Fast within `IDLE_AFTER` of the last activity; then twice `current`
        per poll, never beyond the idle interval (nor below the fast one: an
        idle interval set shorter than the poll interval does not speed up).
        """
        if now - last_activity < IDLE_AFTER:
            return self.fast
        slowest = max(self.idle, self.fast)
        return min(slowest, max(current * 2, self.fast))


def audible_moved(
    known: Mapping[str, AudiblePosition | None],
    fresh: Mapping[str, AudiblePosition | None],
    since: datetime | None,
) -> bool:
    """Whether a fresh Audible position differs from the one known before.

    Work in proportion to the answer (the watchlist). `known` holds the titles
    asked about before (None: no position then). A title asked about for the
    first time moved when its position is dated after `since` (the last poll;
    None: always), so checking an old book does not count as listening.
    """
    for asin, position in fresh.items():
        if position is None:
            continue  # absence is not a move
        if asin not in known:
            if since is None or position.last_updated > since:
                return True
        elif known[asin] != position:
            return True
    return False


def abs_moved(
    known: Mapping[str, AbsProgress], fresh: Mapping[str, AbsProgress]
) -> bool:
    """Whether any ABS progress record changed (a new one, or a newer update)."""
    for item_id, progress in fresh.items():
        before = known.get(item_id)
        if before is None or before.last_update != progress.last_update:
            return True
    return False
