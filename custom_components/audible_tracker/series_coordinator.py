"""The series coordinator: Audible's catalog on a slow schedule of its own.

Every 10 minutes it asks the refresh planner (`core.series.schedule`) which
catalog requests are due (series listings, volume details, followed
authors' titles) within the budget of about 60 an hour, makes them, keeps
the answers in the entry's catalog Store, and rebuilds the overview (views,
missing volumes, next up, releases) in the executor. It never runs on the
5-minute poll. A failed request keeps what was known and is retried later,
backing off; a rate limit pauses through the shared Audible guard.

The overview is also rebuilt, without asking anyone, when the library
changes or a book is started or finished.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .const import CONF_FOLLOWED_AUTHORS, LOGGER, with_option_defaults
from .coordinator import TrackerCoordinator
from .core.exceptions import AudibleError, AudibleRateLimitError, SeriesCacheFormatError
from .core.series import UserLibrary, owned_series
from .core.series.cache import (
    AUTHOR_PREFIX,
    CatalogCache,
    author_key,
    cache_from_json,
    cache_to_json,
)
from .core.series.catalog import SeriesListing
from .core.series.overview import Overview, build_overview
from .core.series.schedule import DEFAULT_OPTIONS, RefreshPlan, plan_refresh
from .errors import coordinator_exception_handler, reauth_on_auth_error
from .storage import entry_store

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.storage import Store

    from .coordinator import LibraryCoordinator, LibraryData, ProgressCoordinator
    from .core.series.catalog import CatalogProduct
    from .runtime import AudibleTrackerConfigEntry, TrackerDeps

CATALOG_STORAGE_VERSION: Final = 1
# The first catalog run waits a little for Home Assistant's start to settle.
FIRST_RUN_DELAY: Final = timedelta(seconds=15)
WISHLIST_INTERVAL: Final = timedelta(hours=6)
SAVE_DELAY: Final = 30


def followed_authors(options: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the followed authors' ASINs, from entry options."""
    return tuple(with_option_defaults(options)[CONF_FOLLOWED_AUTHORS])


def library_authors(library: LibraryData) -> dict[str, str]:
    """Return author ASIN -> name, of every title in the library."""
    authors: dict[str, str] = {}
    for title in library.titles.values():
        for ref in title.author_refs:
            authors.setdefault(ref.asin, ref.name)
    return authors


def catalog_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Return the Store of an entry's catalog cache."""
    return entry_store(hass, entry_id, CATALOG_STORAGE_VERSION, "catalog")


async def remove_catalog_store(hass: HomeAssistant, entry_id: str) -> None:
    """Delete an entry's catalog cache (the entry is being removed)."""
    await catalog_store(hass, entry_id).async_remove()


class SeriesCoordinator(TrackerCoordinator[Overview]):
    """Asks the catalog within its budget and keeps the series overview."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: AudibleTrackerConfigEntry,
        deps: TrackerDeps,
        library: LibraryCoordinator,
        progress: ProgressCoordinator,
    ) -> None:
        """Bind to the entry's other coordinators and its catalog Store."""
        super().__init__(
            hass, entry, deps, name="series", update_interval=DEFAULT_OPTIONS.interval
        )
        self.library = library
        self.progress = progress
        self.cache = CatalogCache()
        self.followed = followed_authors(entry.options)
        self._store = catalog_store(hass, entry.entry_id)
        self._rebuild_lock = asyncio.Lock()
        self._rebuild_wanted = False
        self._reading: str | None = None
        # Catalog requests made, and the day the overview was last built
        # for (a release day passing changes what is released).
        self._requests = 0
        self._built_on: date | None = None
        self._library_seen: tuple[object, object] | None = None

    # --- life cycle -------------------------------------------------------

    async def async_load(self) -> None:
        """Load the cache and show what it knows; no request is made."""
        stored = await self._store.async_load()
        if stored is not None:
            try:
                self.cache = cache_from_json(stored)
            except SeriesCacheFormatError as err:
                LOGGER.warning(
                    "The stored series catalog is unreadable (%s); it is fetched again",
                    err,
                )
        self.data = await self._async_overview()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Start the first catalog run soon, and follow library changes.

        Return what stops it all (for the entry's unload).
        """
        self._library_seen = (self.library.data.titles, self.library.data.abs_items)
        stops = [
            async_call_later(self.hass, FIRST_RUN_DELAY, self._first_run),
            self.library.async_add_listener(self._library_changed),
            self.progress.async_add_listener(self._progress_changed),
        ]

        @callback
        def stop() -> None:
            for unsubscribe in stops:
                unsubscribe()

        return stop

    async def async_save(self) -> None:
        """Save the cache now (unload)."""
        await self._store.async_save(cache_to_json(self.cache))

    def apply_options(self, options: Mapping[str, Any]) -> None:
        """Follow other authors from now on; their titles are fetched soon."""
        followed = followed_authors(options)
        if followed != self.followed:
            self.followed = followed
            self._request_run()

    # --- the catalog run ---------------------------------------------------

    @coordinator_exception_handler
    async def _async_update_data(self) -> Overview:
        now = dt_util.utcnow()
        today = dt_util.now().date()
        asked = self._requests
        await self._async_fetch(now, today)
        if (
            self._requests == asked
            and today == self._built_on
            and self.data is not None
        ):
            # Nothing asked, nothing new: a quiet run costs no rebuild.
            return self.data
        self._store.async_delay_save(lambda: cache_to_json(self.cache), SAVE_DELAY)
        async with self._rebuild_lock:
            self._rebuild_wanted = False
            return await self._async_overview()

    @callback
    def _first_run(self, _now: datetime) -> None:
        self._request_run()

    def _request_run(self) -> None:
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), "audible_tracker series run"
        )

    def _user_library(self) -> UserLibrary:
        library = self.library.data
        wishlist = self.cache.wishlist
        return UserLibrary(
            titles=library.titles,
            wishlist=None if wishlist is None else frozenset(wishlist),
            abs_items=tuple(library.abs_items.values()),
            abs_progress=dict(self.progress.abs_progress),
        )

    async def _async_fetch(self, now: datetime, today: date) -> None:
        """Make the requests the planner says are due; failures are kept apart."""
        if self.deps.audible_guard.waiting(now):
            return
        user = self._user_library()
        names = library_authors(self.library.data)
        # A followed author with no title left in the library has no name to
        # search by: not asked, until they are back.
        authors = [asin for asin in self.followed if asin in names]
        series = list(owned_series(user))
        self.cache.prune(series, authors)
        if not await self._async_wishlist_if_due(now):
            return
        keys = [*series, *(author_key(asin) for asin in authors)]
        room = DEFAULT_OPTIONS.per_run
        # Two passes: the details of volumes a listing just named are asked
        # in the same run (within its room), so a new series fills at once.
        for _ in range(2):
            plan = plan_refresh(
                self.cache.refresh,
                keys,
                self.cache.wanted_details(user.titles, today, now),
                now,
                replace(DEFAULT_OPTIONS, per_run=room),
            )
            if not plan.requests or not await self._async_plan(plan, names, now, today):
                return
            room -= plan.requests
            if room <= 0:
                return

    async def _async_plan(
        self, plan: RefreshPlan, names: dict[str, str], now: datetime, today: date
    ) -> bool:
        """Make a plan's requests; False when a rate limit stopped them."""
        for batch in plan.detail_batches:
            if not await self._async_details(batch, now, today):
                return False
        for key in plan.series:
            if key.startswith(AUTHOR_PREFIX):
                asin = key.removeprefix(AUTHOR_PREFIX)
                done = await self._async_author(asin, names[asin], now, today)
            else:
                done = await self._async_series(key, now, today)
            if not done:
                return False
        return True

    async def _async_call[T](
        self,
        now: datetime,
        fetch: Callable[[], Awaitable[T]],
        on_failure: Callable[[float | None], None],
    ) -> tuple[bool, T | None]:
        """Make one catalog request: (go on, answer); failures are recorded.

        A rate limit pauses every Audible request (the shared guard) and
        stops this run; any other failure is only logged at debug: the
        library and positions answer on their own.
        """
        self._requests += 1
        try:
            with reauth_on_auth_error():
                return True, await fetch()
        except AudibleRateLimitError as err:
            on_failure(err.retry_after)
            self.deps.audible_guard.rate_limited(now, err)
            return False, None
        except AudibleError as err:
            LOGGER.debug("A catalog request failed (%s)", type(err).__name__)
            on_failure(None)
            return True, None

    async def _async_wishlist_if_due(self, now: datetime) -> bool:
        fetched = self.cache.wishlist_fetched
        if fetched is not None and now - fetched < WISHLIST_INTERVAL:
            return True
        if self.cache.refresh.budget_left(now) <= 0:
            return True
        refresh = self.cache.refresh
        go_on, wishlist = await self._async_call(
            now,
            self.deps.audible.get_wishlist,
            lambda retry_after: refresh.record_request(now, retry_after),
        )
        if wishlist is not None:
            refresh.record_request(now)
            self.cache.wishlist = wishlist.asins
            wanted = self.cache.referenced()
            self.cache.keep_products(
                {a: p for a, p in wishlist.products.items() if a in wanted},
                now,
            )
        # A failed read is tried again next run; the old list stays meanwhile.
        self.cache.wishlist_fetched = now if wishlist is not None else fetched
        return go_on

    async def _async_details(
        self, batch: tuple[str, ...], now: datetime, today: date
    ) -> bool:
        refresh = self.cache.refresh
        go_on, products = await self._async_call(
            now,
            lambda: self.deps.audible.get_catalog_products(batch),
            lambda retry_after: refresh.record_details_failure(batch, now, retry_after),
        )
        if products is not None:
            refresh.record_details_success(batch, products, now)
            self.cache.keep_products(products, now)
            self._update_next_releases(today)
        return go_on

    async def _async_series(self, asin: str, now: datetime, today: date) -> bool:
        refresh = self.cache.refresh
        go_on, listing = await self._async_call(
            now,
            lambda: self._listing(asin),
            lambda retry_after: refresh.record_series_failure(asin, now, retry_after),
        )
        if listing is not None:
            self.cache.listings[asin] = listing
            refresh.record_series_success(asin, now, self._next_release(listing, today))
        return go_on

    async def _listing(self, asin: str) -> SeriesListing:
        listing = await self.deps.audible.get_series_listing(asin)
        # Not a series (unknown to the catalog, or a podcast): no volumes.
        return listing if listing is not None else SeriesListing(asin, None, ())

    async def _async_author(
        self, asin: str, name: str, now: datetime, today: date
    ) -> bool:
        refresh = self.cache.refresh
        key = author_key(asin)
        go_on, titles = await self._async_call(
            now,
            lambda: self.deps.audible.search_author_titles(name, asin),
            lambda retry_after: refresh.record_series_failure(key, now, retry_after),
        )
        if titles is not None:
            found: dict[str, CatalogProduct] = {p.asin: p for p in titles}
            self.cache.keep_products(found, now)
            self.cache.authors[asin] = tuple(found)
            upcoming = [
                p.release_date
                for p in titles
                if p.release_date is not None and p.release_date > today
            ]
            refresh.record_series_success(key, now, min(upcoming, default=None))
        return go_on

    def _next_release(self, listing: SeriesListing, today: date) -> date | None:
        """Return the earliest release after today among a series' children."""
        upcoming = [
            product.release_date
            for entry in listing.entries
            if (product := self.cache.products.get(entry.asin)) is not None
            and product.release_date is not None
            and product.release_date > today
        ]
        return min(upcoming, default=None)

    def _update_next_releases(self, today: date) -> None:
        """Note upcoming volumes new details revealed (their series refresh sooner)."""
        for asin, listing in self.cache.listings.items():
            record = self.cache.refresh.series.get(asin)
            if record is not None:
                record.next_release = self._next_release(listing, today)

    # --- the overview ------------------------------------------------------

    async def _async_overview(self) -> Overview:
        """Build the overview in the executor, from copies of what is known."""
        user = self._user_library()
        last_listened = {
            asin: position.last_updated
            for asin, position in self.progress.last_positions().items()
        }
        today = dt_util.now().date()
        self._built_on = today
        return await self.hass.async_add_executor_job(
            lambda: build_overview(
                library=user,
                listings=dict(self.cache.listings),
                products=dict(self.cache.products),
                authors=dict(self.cache.authors),
                last_listened=last_listened,
                today=today,
            )
        )

    async def async_rebuild(self) -> None:
        """Rebuild the overview without asking anyone; changes coalesce.

        Builds run one at a time, so an older one never replaces a newer; a
        request is served by the first build that starts after it.
        """
        self._rebuild_wanted = True
        async with self._rebuild_lock:
            if not self._rebuild_wanted:
                return
            self._rebuild_wanted = False
            overview = await self._async_overview()
        # Not async_set_updated_data: that would push the next run back.
        self.data = overview
        self.async_update_listeners()

    def _schedule_rebuild(self) -> None:
        self.config_entry.async_create_background_task(
            self.hass, self.async_rebuild(), "audible_tracker series rebuild"
        )

    @callback
    def _library_changed(self) -> None:
        """Rebuild when titles or ABS books changed (not on every refresh)."""
        data = self.library.data
        seen = (data.titles, data.abs_items)
        if seen != self._library_seen:
            self._library_seen = seen
            self._schedule_rebuild()

    @callback
    def _progress_changed(self) -> None:
        """Rebuild when a book starts or ends, or another is being listened to."""
        data = self.progress.data
        current = data.snapshot.currently_reading
        reading = current.asin if current is not None else None
        if data.events or reading != self._reading:
            self._reading = reading
            self._schedule_rebuild()

    # --- for the actions ---------------------------------------------------

    async def async_wishlist_changed(self, asins: tuple[str, ...]) -> None:
        """Keep the wishlist the service just confirmed, and show it."""
        self.cache.wishlist = asins
        self.cache.wishlist_fetched = dt_util.utcnow()
        self._store.async_delay_save(lambda: cache_to_json(self.cache), SAVE_DELAY)
        await self.async_rebuild()

    def known_product(self, asin: str) -> CatalogProduct | None:
        """Return the cached catalog details of a title, if any."""
        return self.cache.products.get(asin)
