"""Coordinators: a slow library one and a fast progress one.

One module on purpose, though long: Home Assistant integrations keep their
coordinators in `coordinator.py`, and these two share a base class and data types.

- The library coordinator (every 30 minutes) refreshes the Audible library
  (a State-Token delta; a full fetch every 6 hours), the listening stats (at
  most hourly), the Audiobookshelf library index (every 6 hours, or at once
  when an unknown item shows up) and re-matches what changed, in the executor.
- The progress coordinator asks Audible for the positions of the hot
  watchlist only (`core.watchlist`), and Audiobookshelf for `/api/me`: two
  requests when nothing changed, whatever the size of the library.
  It polls every 2 minutes after any activity and slows down to the idle
  interval when nobody listens (`core.polling`). It builds the snapshot the
  entities read.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .const import (
    CONF_ABS_LIBRARIES,
    CONF_IDLE_POLL_INTERVAL,
    CONF_LIBRARY_REFRESH_HOURS,
    CONF_POLL_INTERVAL,
    DOMAIN,
    LOGGER,
    with_option_defaults,
)
from .core.exceptions import (
    AbsError,
    AbsNotFoundError,
    AudibleError,
    AudibleRateLimitError,
)
from .core.matching import Candidate, Matcher, MatchResult
from .core.polling import PollSchedule, abs_moved, audible_moved
from .core.sync import Side, SyncPlan, WriteKind
from .core.tracking import (
    BookEvent,
    Snapshot,
    build_snapshot,
    detect_book_events,
)
from .core.watchlist import RECENT, Tiers, Watchlist, library_moves, library_tiers
from .errors import (
    coordinator_exception_handler,
    reauth_on_auth_error,
    update_failed,
)
from .metadata import ContentMetadataCache
from .poll_views import PollViews
from .sync_runner import PollView, SyncRunner, title_states

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from homeassistant.core import HomeAssistant

    from .core.models import (
        AbsItem,
        AbsProgress,
        AudiblePosition,
        AudibleTitle,
        ListeningDay,
    )
    from .runtime import AudibleTrackerConfigEntry, TrackerDeps

LIBRARY_INTERVAL: Final = timedelta(minutes=30)
STATS_INTERVAL: Final = timedelta(hours=1)
# While ABS pushes its changes (realtime.py), the poll still reads it this
# often: a socket that is up but silent must not hide a change for long.
ABS_SAFETY_POLL: Final = timedelta(minutes=30)


def poll_interval(options: Mapping[str, Any]) -> timedelta:
    """Return how often the progress coordinator polls, from entry options."""
    return timedelta(seconds=float(with_option_defaults(options)[CONF_POLL_INTERVAL]))


def poll_schedule(options: Mapping[str, Any]) -> PollSchedule:
    """Return the progress poll's fast and idle intervals, from entry options."""
    idle = float(with_option_defaults(options)[CONF_IDLE_POLL_INTERVAL])
    return PollSchedule(fast=poll_interval(options), idle=timedelta(seconds=idle))


def library_refresh_interval(options: Mapping[str, Any]) -> timedelta:
    """Return how often both libraries are fetched in full, from entry options."""
    hours = float(with_option_defaults(options)[CONF_LIBRARY_REFRESH_HOURS])
    return timedelta(hours=hours)


@dataclass(slots=True)
class LibraryData:
    """What the library coordinator knows."""

    titles: dict[str, AudibleTitle]
    abs_items: dict[str, AbsItem]
    match: MatchResult
    listening_days: list[ListeningDay] | None
    audible_available: bool = True
    abs_available: bool = True
    # The watchlist's view of the library, made once per refresh.
    tiers: Tiers = field(default_factory=Tiers)
    # When the library last showed a title's listening change (last 7 days).
    moved_at: dict[str, datetime] = field(default_factory=dict)


@dataclass(slots=True)
class ProgressData:
    """One poll's result, read by every entity."""

    snapshot: Snapshot
    watchlist: frozenset[str]
    audible_available: bool
    abs_available: bool
    events: list[BookEvent] = field(default_factory=list)
    sync_plan: SyncPlan | None = None
    sync_mode: str | None = None
    dry_run: bool = False


class TrackerCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """What both coordinators share: the entry and its dependencies."""

    config_entry: AudibleTrackerConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: AudibleTrackerConfigEntry,
        deps: TrackerDeps,
        *,
        name: str,
        update_interval: timedelta,
    ) -> None:
        """Bind to the entry; `name` says which schedule this is."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {name}",
            update_interval=update_interval,
        )
        self.deps = deps


class LibraryCoordinator(TrackerCoordinator[LibraryData]):
    """Refreshes both libraries and the match between them."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: AudibleTrackerConfigEntry,
        deps: TrackerDeps,
    ) -> None:
        """Set up the schedules."""
        super().__init__(
            hass, entry, deps, name="library", update_interval=LIBRARY_INTERVAL
        )
        self.matcher = Matcher()
        self.full_refresh_interval = library_refresh_interval(entry.options)
        self._titles: dict[str, AudibleTitle] = {}
        self._state_token: str | None = None
        self._last_full: datetime | None = None
        self._days: list[ListeningDay] | None = None
        self._last_stats: datetime | None = None
        self._abs_items: dict[str, AbsItem] = {}
        self._last_abs_index: datetime | None = None
        self._abs_index_wanted = False
        self._missing_libraries: set[str] = set()
        self._moved_at: dict[str, datetime] = {}
        # Links and ignores change by actions while a refresh may be matching:
        # one match at a time, and a match of older links is done again.
        self._match_lock = asyncio.Lock()
        self._links_version = 0

    def request_audible_refresh(self) -> None:
        """Refresh the Audible library soon (a finish was written to it)."""
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), "audible library refresh"
        )

    def request_abs_index(self) -> None:
        """Ask for a fresh ABS index at the next refresh (unknown item seen)."""
        self._abs_index_wanted = True

    @coordinator_exception_handler
    async def _async_update_data(self) -> LibraryData:
        now = dt_util.utcnow()
        audible_ok = await self._async_refresh_audible(now)
        abs_ok = await self._async_refresh_abs(now)
        if self._last_full is None:
            # Never had a library: nothing to show or match yet.
            retry_at = self.deps.audible_guard.retry_at
            retry_after = (retry_at - now).total_seconds() if retry_at else None
            raise update_failed("audible_unavailable", retry_after=retry_after)
        match = await self._async_match()
        return LibraryData(
            titles=dict(self._titles),
            abs_items=dict(self._abs_items),
            match=match,
            listening_days=self._days,
            audible_available=audible_ok,
            abs_available=abs_ok,
            tiers=library_tiers(self._titles, now),
            moved_at=dict(self._moved_at),
        )

    async def _async_match(self) -> MatchResult:
        """Match in the executor, with the newest links."""
        async with self._match_lock:
            while True:
                version = self._links_version
                store = self.deps.store.data
                match = await self.hass.async_add_executor_job(
                    self._match,
                    # Copies: the loop may change these while the match runs.
                    list(self._titles.values()),
                    list(self._abs_items.values()),
                    dict(store.manual_links),
                    set(store.ignored),
                )
                if version == self._links_version:
                    return match

    async def async_rematch(self) -> None:
        """Re-match with the stored links and ignores, without asking anyone."""
        self._links_version += 1
        match = await self._async_match()
        await self.deps.store.async_save()
        # Not async_set_updated_data: that would push the next refresh back.
        self.data = replace(self.data, match=match)
        self.async_update_listeners()

    async def async_link(self, asin: str, item_id: str) -> None:
        """Link a title by hand; it replaces any automatic link or conflict."""
        store = self.deps.store.data
        store.manual_links[asin] = item_id
        store.ignored.discard(asin)
        await self.async_rematch()

    async def async_unlink(self, asin: str) -> None:
        """Drop a title's link, and keep matching from linking it again."""
        store = self.deps.store.data
        store.manual_links.pop(asin, None)
        store.ignored.add(asin)
        await self.async_rematch()

    async def async_ignore(self, asin: str) -> None:
        """Stop matching a title and stop reporting it."""
        await self.async_unlink(asin)

    async def async_items_changed(self, items: list[AbsItem]) -> None:
        """Take ABS items just written and read back, and re-match at once.

        A new ASIN turns the item's link into an ASIN link without waiting
        for the next index. Items no longer indexed are left out.
        """
        known = [item for item in items if item.item_id in self._abs_items]
        if not known:
            return
        self._abs_items.update((item.item_id, item) for item in known)
        self.data = replace(self.data, abs_items=dict(self._abs_items))
        await self.async_rematch()

    def candidates(self, asin: str) -> tuple[Candidate, ...]:
        """Return the ranked candidates of a conflict (for fix flows)."""
        conflict = self.data.match.conflicts.get(asin)
        return conflict.candidates if conflict is not None else ()

    def _match(
        self,
        titles: list[AudibleTitle],
        items: list[AbsItem],
        manual_links: dict[str, str],
        ignored: set[str],
    ) -> MatchResult:
        # Runs in the executor: matching thousands of titles is CPU work.
        return self.matcher.update(
            titles, items, manual_links=manual_links, ignored=ignored
        )

    async def _async_refresh_audible(self, now: datetime) -> bool:
        guard = self.deps.audible_guard
        if guard.waiting(now):
            return guard.health.available
        full = (
            self._last_full is None
            or now - self._last_full >= self.full_refresh_interval
        )

        result = await guard.call(
            now,
            lambda: self.deps.audible.get_library(
                state_token=None if full else self._state_token
            ),
        )
        if result is None:
            return guard.health.available
        await self._async_refresh_stats(now)
        moved = library_moves(self._titles, result.titles)
        self._moved_at = {
            asin: at for asin, at in self._moved_at.items() if now - at <= RECENT
        } | dict.fromkeys(moved, now)
        if result.is_delta:
            for asin in result.removed_asins:
                self._titles.pop(asin, None)
            self._titles.update({t.asin: t for t in result.titles})
        else:
            self._titles = {t.asin: t for t in result.titles}
            self._last_full = now
        self._state_token = result.state_token
        return True

    async def _async_refresh_stats(self, now: datetime) -> None:
        """Refresh the listening stats, at most hourly; a failure keeps the last."""
        if self._last_stats is not None and now - self._last_stats < STATS_INTERVAL:
            return
        try:
            with reauth_on_auth_error():
                # Audible's days are the listener's days: the local date.
                self._days = await self.deps.audible.get_listening_days(
                    today=dt_util.now().date()
                )
        except AudibleRateLimitError as err:
            self.deps.audible_guard.rate_limited(now, err)
        except AudibleError as err:
            # Not worth marking Audible down: the library itself answered.
            LOGGER.debug("Listening stats unavailable (%s)", type(err).__name__)
        else:
            self._last_stats = now

    async def _async_refresh_abs(self, now: datetime) -> bool:
        if self.deps.abs_client is None:
            return True
        due = (
            self._abs_index_wanted
            or self._last_abs_index is None
            or now - self._last_abs_index >= self.full_refresh_interval
        )
        if not due:
            # Not due means the last index succeeded (a failure stays due).
            return True
        chosen: list[str] = self.config_entry.data.get(CONF_ABS_LIBRARIES, [])
        items: dict[str, AbsItem] = {}
        try:
            with reauth_on_auth_error():
                for library_id in chosen:
                    for item in await self._async_library_items(library_id):
                        items[item.item_id] = item
        except AbsError as err:
            self.deps.abs_health.failed(err)
            return False
        self._abs_items = items
        self._last_abs_index = now
        self._abs_index_wanted = False
        self.deps.abs_health.succeeded()
        return True

    async def _async_library_items(self, library_id: str) -> list[AbsItem]:
        """Return a library's items; a library deleted on ABS is skipped."""
        assert self.deps.abs_client is not None  # noqa: S101 - only called with ABS
        try:
            items = await self.deps.abs_client.get_library_items(library_id)
        except AbsNotFoundError:
            if library_id not in self._missing_libraries:
                self._missing_libraries.add(library_id)
                LOGGER.warning(
                    "An Audiobookshelf library chosen for tracking is gone; "
                    "reconfigure the integration to choose again"
                )
            return []
        self._missing_libraries.discard(library_id)
        return items


class ProgressCoordinator(TrackerCoordinator[ProgressData]):
    """Polls positions of the watchlist and ABS progress; builds the snapshot."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: AudibleTrackerConfigEntry,
        deps: TrackerDeps,
        library: LibraryCoordinator,
    ) -> None:
        """Set up the poll."""
        schedule = poll_schedule(entry.options)
        super().__init__(
            hass, entry, deps, name="progress", update_interval=schedule.fast
        )
        self._schedule = schedule
        # Home Assistant starting is activity: poll fast at first.
        self._last_activity = dt_util.utcnow()
        self._last_poll: datetime | None = None
        self._next_poll_at: datetime | None = None
        self.library = library
        self.metadata = ContentMetadataCache(deps)
        self.sync = (
            SyncRunner(deps, deps.abs_client, entry.options, self.metadata)
            if deps.abs_client is not None
            else None
        )
        self._positions: dict[str, AudiblePosition | None] = {}
        # Positions answered in this poll: the sync never acts on older ones.
        self._fresh_positions: dict[str, AudiblePosition | None] = {}
        self._known_before: dict[str, AudiblePosition | None] = {}
        self._abs_progress: dict[str, AbsProgress] = {}
        self._extra_watch: set[str] = set()
        self._views = PollViews()
        # What the last poll asked Audible about (the hot watchlist, mostly).
        self.polled: frozenset[str] = frozenset()
        # A position or ABS progress changed since the last snapshot.
        self._changed = True
        self._audible_ok = True
        self._abs_ok = deps.abs_client is not None
        # Unknown ABS items already asked about, so one odd item (another
        # library, a podcast) does not re-index ABS every poll.
        self._unknown_items_seen: set[str] = set()
        # Realtime hooks (realtime.py): while the ABS socket is up, ABS is
        # read only when it pushed a change, after our own write to it (to
        # verify it), and every ABS_SAFETY_POLL.
        self.abs_pushes = False
        self._abs_read_wanted = False
        self._abs_read_at: datetime | None = None

    @property
    def abs_progress(self) -> Mapping[str, AbsProgress]:
        """Return ABS progress as last read.

        Realtime compares pushed records to it; history reads finished dates;
        series, what is being listened to.
        """
        return self._abs_progress

    def set_abs_pushes(self, *, pushing: bool) -> None:
        """Realtime hook: the socket came up or went down."""
        if pushing != self.abs_pushes:
            self.abs_pushes = pushing
            # Up again: what changed while it was down is read once.
            self._abs_read_wanted = True

    def sync_titles_soon(self, asins: Iterable[str]) -> None:
        """Realtime hook: ABS pushed a change of these titles; read and sync now.

        Someone is listening, too: the Audible poll turns fast again.
        """
        self.note_activity()
        for asin in asins:
            self.watch(asin)
        self._abs_read_wanted = True
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), "abs pushed a change"
        )

    def _abs_read_due(self, now: datetime) -> bool:
        """Whether this poll reads ABS (always, unless the socket pushes)."""
        return (
            not self.abs_pushes
            or not self._abs_ok
            or self._abs_read_wanted
            or self._abs_read_at is None
            or now - self._abs_read_at >= ABS_SAFETY_POLL
        )

    @callback
    def note_activity(self) -> None:
        """Poll fast again: someone is listening (an ABS socket event, say)."""
        now = dt_util.utcnow()
        self._last_activity = now
        fast = self._schedule.fast
        self.update_interval = fast
        if (
            self._listeners
            and self._next_poll_at is not None
            and self._next_poll_at > now + fast
        ):
            # The slow poll already scheduled would come too late.
            self._next_poll_at = now + fast
            self._schedule_refresh()

    def set_poll_schedule(self, options: Mapping[str, Any]) -> None:
        """Take new interval options; poll fast again (someone is here)."""
        self._schedule = poll_schedule(options)
        self.note_activity()

    def _adapt_interval(self, now: datetime, *, moved: bool) -> None:
        """Set the interval to the next poll (the schedule starts after this)."""
        if moved:
            self._last_activity = now
        current = self.update_interval or self._schedule.fast
        interval = self._schedule.next_interval(current, self._last_activity, now)
        self.update_interval = interval
        self._last_poll = now
        self._next_poll_at = now + interval

    def watch(self, asin: str) -> None:
        """Put a title on the next poll's watchlist (actions use this)."""
        self._extra_watch.add(asin)

    def last_positions(self) -> dict[str, AudiblePosition]:
        """Return the last Audible position known of each title."""
        return {a: p for a, p in self._positions.items() if p is not None}

    @coordinator_exception_handler
    async def _async_update_data(self) -> ProgressData:
        now = dt_util.utcnow()
        library = self.library.data
        abs_before = self._abs_progress
        if self._abs_read_due(now):
            self._abs_ok = await self._async_poll_abs(library)
            if self._abs_ok:
                self._abs_read_at, self._abs_read_wanted = now, False
        moved = False
        if self._abs_progress is not abs_before:
            moved = abs_moved(abs_before, self._abs_progress)
            self._changed |= moved or len(abs_before) != len(self._abs_progress)
        asked = set(self._extra_watch)
        watchlist = self._watchlist(library, now)
        self.polled = self._views.to_poll(watchlist)
        self._audible_ok = await self._async_poll_audible(self.polled, now)
        moved = moved or audible_moved(
            self._known_before, self._fresh_positions, self._last_poll
        )
        self._adapt_interval(now, moved=moved)
        if self._audible_ok:
            self._views.polled(self.polled)
            # Exact runtimes and ACRs of the titles that matter, once each
            # (a few per poll; none once all are known).
            await self.metadata.async_prefetch(
                watchlist.all & library.titles.keys(), now
            )
        # Only what this poll asked about: an action may have added more.
        self._extra_watch -= asked
        if not self._audible_ok and not self._abs_ok:
            raise update_failed(
                "all_sources_unavailable"
                if self.deps.abs_client is not None
                else "audible_unavailable"
            )
        # Links may have changed while the services answered (an action, a
        # library refresh): never sync or show the poll's stale copy.
        library = self.library.data
        plan = await self._async_sync(library, self.polled, now)
        return self._build(self.library.data, watchlist.all, now, plan)

    @callback
    def async_rebuild(self) -> None:
        """Rebuild the snapshot from what is known, without asking anyone.

        Called when the library coordinator has new titles or links.
        """
        now = dt_util.utcnow()
        library = self.library.data
        # Not async_set_updated_data: that would push the next poll back.
        self.data = self._build(library, self._watchlist(library, now).all, now)
        self.async_update_listeners()

    def titles(self, library: LibraryData) -> dict[str, AudibleTitle]:
        """Return the library's titles, with their exact runtimes where known."""
        return self._views.titles(library, self.metadata.runtime_ms())

    def _links(self, library: LibraryData) -> dict[str, str]:
        return self._views.links(library, self.metadata.runtime_ms())

    def _watchlist(self, library: LibraryData, now: datetime) -> Watchlist:
        reading = self.data.snapshot.currently_reading if self.data else None
        return self._views.watchlist(
            library,
            self.metadata.runtime_ms(),
            self._abs_progress,
            self._positions,
            now,
            extra=self._extra_watch,
            currently_reading=reading.asin if reading is not None else None,
        )

    async def _async_sync(
        self, library: LibraryData, watchlist: frozenset[str], now: datetime
    ) -> SyncPlan | None:
        if self.sync is None:
            return None
        links = self._links(library)
        self.sync.forget_unlinked(links.keys())
        view = PollView(
            titles=self.titles(library),
            abs_items=library.abs_items,
            links=links,
            positions=self._fresh_positions,
            abs_progress=self._abs_progress,
            audible_fetched=self._audible_ok and bool(self._fresh_positions),
            abs_fetched=self._abs_ok,
        )
        states = title_states(view, watchlist, self.deps.store.data.sync_disabled)
        plan = await self.sync.async_run(states, now)
        if not self.sync.dry_run:
            for write in plan.writes:
                # Verified by reading it back on the next poll.
                self.watch(write.asin)
                if write.target is Side.ABS:
                    self._abs_read_wanted = True  # even while the socket is up
                if write.target is Side.AUDIBLE and (
                    write.kind is WriteKind.FINISHED or write.unfinish_first
                ):
                    # Audible shows finished in the library, not lastpositions.
                    self.library.request_audible_refresh()
        return plan

    def _build(
        self,
        library: LibraryData,
        watchlist: frozenset[str],
        now: datetime,
        plan: SyncPlan | None = None,
    ) -> ProgressData:
        previous = self.data.snapshot if self.data is not None else None
        today = dt_util.now().date()
        runtimes = len(self.metadata.runtime_ms())
        changed, self._changed = self._changed, False
        if previous is not None and self._views.reusable(
            library, runtimes, watchlist, today, changed=changed
        ):
            # Nothing changed: no pass over the whole library, and no events.
            snapshot = replace(previous, updated_at=now)
            events: list[BookEvent] = []
        else:
            snapshot = self._snapshot(library, watchlist, now, today)
            events = detect_book_events(previous, snapshot)
        return ProgressData(
            snapshot=snapshot,
            watchlist=watchlist,
            audible_available=self._audible_ok and library.audible_available,
            abs_available=self._abs_ok and library.abs_available,
            events=events,
            sync_plan=plan if plan is not None else self._last_plan(),
            sync_mode=self.sync.options.mode.value if self.sync is not None else None,
            dry_run=self.sync.dry_run if self.sync is not None else False,
        )

    def _snapshot(
        self,
        library: LibraryData,
        watchlist: frozenset[str],
        now: datetime,
        today: date,
    ) -> Snapshot:
        conflicts = library.match.conflicts
        abs_client = self.deps.abs_client
        unmatched = [
            library.titles[asin].title
            for asin in sorted({*conflicts, *library.match.unmatched})
            if asin in library.titles and (asin in conflicts or asin in watchlist)
        ]
        return build_snapshot(
            titles=self.titles(library),
            positions=self._positions,
            abs_items=library.abs_items,
            abs_progress=self._abs_progress,
            links=self._links(library),
            unmatched_titles=unmatched,
            listening_days=library.listening_days,
            now=now,
            today=today,
            abs_cover_url=abs_client.cover_url if abs_client else None,
        )

    def _last_plan(self) -> SyncPlan | None:
        return self.sync.last_plan if self.sync is not None else None

    async def _async_poll_audible(
        self, watchlist: frozenset[str], now: datetime
    ) -> bool:
        guard = self.deps.audible_guard
        self._fresh_positions = {}
        self._known_before = {}
        if not watchlist:
            guard.health.succeeded()
            return True
        if guard.waiting(now):
            return guard.health.available
        positions = await guard.call(
            now, lambda: self.deps.audible.get_last_positions(sorted(watchlist))
        )
        if positions is None:
            return guard.health.available
        self._fresh_positions = dict(positions)
        # What was known of the answered titles, to tell a move (see polling).
        self._known_before = {
            asin: self._positions[asin] for asin in positions if asin in self._positions
        }
        # A title with no answer keeps what we knew: absence is not position 0.
        for asin, position in positions.items():
            if (position is not None or asin not in self._positions) and (
                asin not in self._positions or self._positions[asin] != position
            ):
                self._positions[asin] = position
                self._changed = True
        return True

    async def _async_poll_abs(self, library: LibraryData) -> bool:
        if self.deps.abs_client is None:
            return False
        try:
            with reauth_on_auth_error():
                user = await self.deps.abs_client.get_me()
        except AbsError as err:
            self.deps.abs_health.failed(err)
            return False
        self._abs_progress = user.progress
        unknown = set(user.progress) - set(library.abs_items) - self._unknown_items_seen
        if unknown:
            # Progress on an item we have never indexed: a new book on ABS.
            self._unknown_items_seen |= unknown
            self.library.request_abs_index()
            self.config_entry.async_create_background_task(
                self.hass, self.library.async_request_refresh(), "abs index refresh"
            )
        self.deps.abs_health.succeeded()
        return True
