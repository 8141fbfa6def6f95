"""Catalog requests of the series refresh planner, simulated from an empty cache.

A 5,000-title library has about 600 series (`--series`). Prints the requests on
day 1 and on a normal day, how long the first fill takes, and the most
requests in any sliding hour (the planner's budget is 60). Then the CPU time
and the cache's stored size of one overview build (what runs in the executor
after each catalog run, library change or finished book) for a synthetic
library of that many series, 8 volumes each with 2 editions, the user owning
every other volume, and as many ABS books as titles.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, date, datetime

from custom_components.audible_tracker.core.models import (
    AbsItem,
    AudibleTitle,
    SeriesRef,
)
from custom_components.audible_tracker.core.series import (
    CatalogProduct,
    SeriesEntry,
    SeriesListing,
    UserLibrary,
)
from custom_components.audible_tracker.core.series.cache import (
    CatalogCache,
    cache_to_json,
)
from custom_components.audible_tracker.core.series.overview import build_overview
from custom_components.audible_tracker.core.series.simulate import simulate

NOW = datetime(2026, 11, 18, 12, tzinfo=UTC)
VOLUMES = 8


def synthetic(series_count: int) -> tuple[CatalogCache, UserLibrary]:
    """A cache and library: every other volume owned, the rest in the catalog."""
    cache = CatalogCache()
    titles: dict[str, AudibleTitle] = {}
    items: list[AbsItem] = []
    for s in range(series_count):
        series_asin = f"S{s:09d}"
        name = f"Series {s}"
        entries = []
        for v in range(1, VOLUMES + 1):
            for edition in range(2):
                asin = f"B{s:05d}{v:02d}{edition:02d}"
                entries.append(SeriesEntry(asin, str(v), float(v)))
                ref = SeriesRef(name, str(v), series_asin)
                released = date(2010 + v, 1, 1)
                if v % 2 and edition == 0:
                    titles[asin] = AudibleTitle(
                        asin=asin,
                        title=f"{name} {v}",
                        series=(ref,),
                        release_date=released,
                        is_finished=v < 3,  # noqa: PLR2004 - a few finished
                        finished_at=NOW if v < 3 else None,  # noqa: PLR2004
                    )
                    items.append(AbsItem(f"li{asin}", "lib", f"{name} {v}", asin=asin))
                else:
                    cache.products[asin] = CatalogProduct(
                        asin, f"{name} {v}", release_date=released, series=(ref,)
                    )
                    cache.product_fetched[asin] = NOW
        cache.listings[series_asin] = SeriesListing(series_asin, name, tuple(entries))
    library = UserLibrary(titles=titles, wishlist=frozenset(), abs_items=tuple(items))
    return cache, library


def overview_cost(series_count: int, runs: int = 5) -> tuple[float, float, int]:
    """Median and min CPU seconds of one overview build; stored cache bytes."""
    cache, library = synthetic(series_count)
    times = []
    for _ in range(runs):
        started = time.process_time()
        build_overview(
            library=library,
            listings=cache.listings,
            products=cache.products,
            authors=cache.authors,
            last_listened={},
            today=NOW.date(),
        )
        times.append(time.process_time() - started)
    stored = len(json.dumps(cache_to_json(cache)).encode())
    return statistics.median(times), min(times), stored


def main() -> None:
    """Run the simulation and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=600, help="series owned")
    parser.add_argument("--days", type=int, default=3, help="days simulated")
    parser.add_argument(
        "--unknown", type=int, default=3, help="volumes per series not in the library"
    )
    parser.add_argument(
        "--upcoming-every",
        type=int,
        default=20,
        help="every Nth series has a release within 30 days",
    )
    args = parser.parse_args()
    started = time.process_time()
    figures = simulate(
        args.series,
        args.days,
        unknown_per_series=args.unknown,
        upcoming_every=args.upcoming_every,
    )
    cpu_s = time.process_time() - started
    print(f"series: {figures.series}, days simulated: {args.days}")
    print(f"catalog requests on day 1:        {figures.requests_day_one}")
    print(f"catalog requests on a normal day: {figures.requests_normal_day}")
    fill = figures.hours_to_fill
    fill_text = f"{fill:.1f} h" if fill is not None else "not within the days simulated"
    print(f"first fill takes:                 {fill_text}")
    print(f"most requests in any hour:        {figures.max_requests_in_an_hour}")
    print(f"(simulation CPU time: {cpu_s:.2f} s)")
    median, fastest, stored = overview_cost(args.series)
    print(
        f"overview build ({args.series} series, {VOLUMES} volumes x 2 editions): "
        f"median {median * 1000:.0f} ms CPU (min {fastest * 1000:.0f} ms), "
        "in the executor"
    )
    print(f"catalog cache stored: {stored / 1024 / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
