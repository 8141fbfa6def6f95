"""Catalog requests of the series refresh planner, simulated from an empty cache.

A 5,000-title library has about 600 series (`--series`). Prints the requests on
day 1 and on a normal day, how long the first fill takes, and the most
requests in any sliding hour (the planner's budget is 60).
"""

from __future__ import annotations

import argparse
import time

from custom_components.audible_tracker.core.series.simulate import simulate


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


if __name__ == "__main__":
    main()
