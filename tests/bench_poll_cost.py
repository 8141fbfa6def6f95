"""Benchmark: the cost of the progress poll, against the repo's fakes (not a test).

Run by `scripts/bench poll` (pytest collects only `test_*.py`, so the suite
never runs this). Home Assistant, the fake Audible and the fake
Audiobookshelf as in the tests, with a library of `POLL_BENCH_TITLES` sizes
(default 44 and 5,000 titles; 60 % finished, 50 in progress untouched for
weeks, the three books both fakes hold, and one long book on both sides).
Prints per size: requests and CPU per quiet poll, memory of the parsed
library and match, the Audible and Audiobookshelf requests of a simulated
idle hour and of an hour of listening on Audible, and how long a move on
Audible takes to reach Audiobookshelf. `POLL_BENCH_PROFILE=1` prints the
cProfile of one quiet poll.
"""

from __future__ import annotations

import cProfile
import io
import logging
import os
import pstats
import statistics
import sys
import time
from dataclasses import fields, is_dataclass
from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.core import HomeAssistant

from tests.conftest import ANNE_ID, NOW, advance, make_entry, setup_integration
from tests.fakes.abs_server import FakeAbsServer
from tests.fakes.audible_server import FakeAudible, books_also_on_abs, make_item

SIZES = [int(n) for n in os.environ.get("POLL_BENCH_TITLES", "44,5000").split(",")]
PROFILE = os.environ.get("POLL_BENCH_PROFILE") == "1"
LISTEN = "B0LISTEN01"
LASTPOSITIONS = "1.0/annotations/lastpositions"
QUIET_POLLS = 15


def build_account(size: int) -> FakeAudible:
    """A library of `size` titles as described in the module docstring."""
    items = [
        *books_also_on_abs(),
        make_item(
            LISTEN,
            "The Long Listen",
            authors=["Bench Author"],
            runtime_min=600,
            percent_complete=10.0,
        ),
    ]
    in_progress = 50 if size > 1000 else max(2, size // 10)
    rest = size - len(items)
    finished = int(size * 0.6)
    for n in range(rest):
        asin = f"B0BENCH{n:05d}"
        started = n < in_progress
        done = in_progress <= n < in_progress + finished
        items.append(
            make_item(
                asin,
                f"Bench Title {n} of the Synthetic Shelf",
                authors=[f"Author {n % 700}"],
                series=[(f"Series {n % 600}", str(n % 7 + 1))],
                runtime_min=300 + n % 900,
                percent_complete=100.0 if done else (30.0 if started else 0.0),
                is_finished=done,
            )
        )
    fake = FakeAudible(items)
    for n in range(in_progress):
        fake.set_position(
            f"B0BENCH{n:05d}", 1_000_000 + n, NOW - timedelta(days=30 + n)
        )
    fake.set_position("B0FAKE0001", 30_000, NOW - timedelta(hours=1))
    # The book being read: heard two days ago.
    fake.set_position(LISTEN, 3_600_000, NOW - timedelta(days=2))
    return fake


def deep_size(root: object) -> int:
    """Bytes held by `root` and everything it references (each object once)."""
    seen: set[int] = set()
    stack = [root]
    total = 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen or obj is None or isinstance(obj, (bool, int, float)):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        elif is_dataclass(obj):
            stack.extend(getattr(obj, f.name) for f in fields(obj))
        elif hasattr(obj, "__dict__") and not isinstance(obj, type):
            stack.extend(vars(obj).values())
    return total


class Counts:
    """Requests to both fakes since the last `take`."""

    def __init__(self, audible: FakeAudible, abs_: FakeAbsServer) -> None:
        self.audible = audible
        self.abs = abs_
        self._marks = (0, 0, 0)

    def _now(self) -> tuple[int, int, int]:
        return (
            len(self.audible.requests),
            self.audible.count(LASTPOSITIONS),
            len(self.abs.requests),
        )

    def take(self) -> tuple[int, int, int]:
        """Audible requests, of which lastpositions, and ABS requests."""
        now = self._now()
        taken = tuple(b - a for a, b in zip(self._marks, now, strict=True))
        self._marks = now
        return taken  # type: ignore[return-value]


async def quiet_polls(
    hass: HomeAssistant, coordinator: Any, counts: Counts
) -> tuple[list[float], set[tuple[int, int, int]]]:
    cpu: list[float] = []
    requests: set[tuple[int, int, int]] = set()
    for _ in range(QUIET_POLLS):
        counts.take()
        started = time.process_time()
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        cpu.append(time.process_time() - started)
        requests.add(counts.take())
    return cpu, requests


async def hour(hass: HomeAssistant, freezer: Any, each_minute: Any = None) -> list[Any]:
    results = []
    for minute in range(60):
        if each_minute is not None:
            each_minute(minute)
        await advance(hass, freezer, 1)
        results.append(minute)
    return results


@pytest.mark.parametrize("size", SIZES)
async def test_poll_cost(
    hass: HomeAssistant, abs_server: FakeAbsServer, freezer: Any, size: int
) -> None:
    logging.getLogger().setLevel(logging.WARNING)
    # Frozen time makes asyncio debug report every step as slow.
    logging.getLogger("asyncio").setLevel(logging.ERROR)
    freezer.move_to(NOW)
    audible = build_account(size)
    abs_ = abs_server
    abs_.set_progress(
        ANNE_ID,
        current_time=30.0,
        duration=60.0,
        last_update_ms=int((NOW - timedelta(hours=1)).timestamp() * 1000),
    )
    listen_item = abs_.add_book(
        "The Long Listen", authors=["Bench Author"], asin=LISTEN, duration=35980.0
    )
    abs_.set_progress(
        listen_item,
        current_time=3600.0,
        duration=35980.0,
        last_update_ms=int((NOW - timedelta(days=2)).timestamp() * 1000),
    )
    client = audible.http_client()
    out: list[str] = [f"\n== {size:,} titles =="]
    with patch(
        "custom_components.audible_tracker.get_async_client", return_value=client
    ):
        entry = make_entry(abs_url=abs_.url)
        await setup_integration(hass, entry)
        runtime = entry.runtime_data
        counts = Counts(audible, abs_)
        # Settle: metadata of the watched titles (5 a poll, once), the echoes.
        for _ in range(14):
            await advance(hass, freezer, 2)
        cpu, requests = await quiet_polls(hass, runtime.progress, counts)
        (audible_requests, _, abs_requests) = max(requests)
        out.append(
            f"quiet poll: {audible_requests} Audible + {abs_requests} ABS requests "
            f"(socket up: {audible_requests} + 0); watchlist polled "
            f"{len(runtime.progress.polled)} of {len(runtime.progress.data.watchlist)}"
        )
        out.append(
            f"CPU per quiet poll: median {statistics.median(cpu) * 1000:.1f} ms "
            f"(min {min(cpu) * 1000:.1f} ms, {QUIET_POLLS} polls)"
        )
        library = runtime.library
        library_bytes = deep_size(library.data.titles) + deep_size(
            library.data.abs_items
        )
        match_bytes = deep_size(library.data.match) + deep_size(library.matcher)
        snapshot_bytes = deep_size(runtime.progress.data.snapshot)
        total = deep_size(library.data) + deep_size(library.matcher)
        out.append(
            f"memory: library {library_bytes / 2**20:.1f} MiB, match "
            f"{match_bytes / 2**20:.1f} MiB, snapshot {snapshot_bytes / 2**20:.1f} "
            f"MiB; library+match {total / 2**20:.1f} MiB "
            f"({total / size / 1024:.1f} KiB per title)"
        )
        if PROFILE:
            profiler = cProfile.Profile()
            profiler.enable()
            await runtime.progress.async_refresh()
            await hass.async_block_till_done()
            profiler.disable()
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
            out.append(text.getvalue())

        # An idle hour, long after anyone listened.
        await hour(hass, freezer)
        await hour(hass, freezer)
        counts.take()
        await hour(hass, freezer)
        audible_all, polls, abs_all = counts.take()
        out.append(
            f"idle hour: {polls} Audible position polls ({audible_all} Audible "
            f"requests with the library refresh and stats); ABS {abs_all} with "
            "the socket down, 0 with it up (the poll skips ABS)"
        )

        # An hour of listening on Audible: a minute more every minute.
        position_ms = 3_600_000
        heard: dict[int, int] = {}
        delays: dict[int, int] = {}  # minute heard -> minutes until on ABS

        def listen(minute: int) -> None:
            nonlocal position_ms
            position_ms += 60_000
            audible.set_position(LISTEN, position_ms)
            # As on Audible, the library's listening status follows.
            audible.set_listening(LISTEN, percent_complete=position_ms / 360_000)
            heard[position_ms] = minute

        counts.take()
        for minute in range(60):
            listen(minute)
            await advance(hass, freezer, 1)
            record = abs_.progress_json(listen_item) or {}
            on_abs = round(float(record.get("currentTime", 0)) * 1000)
            for at_ms, at_minute in list(heard.items()):
                if at_ms <= on_abs:
                    delays[at_minute] = minute + 1 - at_minute
                    del heard[at_ms]
        audible_all, polls, abs_all = counts.take()
        out.append(
            f"listening hour (Audible): {polls} position polls ({audible_all} "
            f"Audible requests), {abs_all} ABS requests; the first move after the "
            f"idle hours reaches ABS after {delays[0]} min (the idle poll), later "
            f"ones within {max(d for m, d in delays.items() if m >= delays[0])} min "
            "(1-minute steps, 2-minute polls)"
        )

        # A book untouched for weeks, picked up again on Audible.
        await hour(hass, freezer)
        picked = "B0BENCH00000"
        audible.set_position(picked, 2_000_000)
        audible.set_listening(picked, percent_complete=31.0)
        audible.requests.clear()
        waited = 0
        while not any(picked in r.params.get("asins", "") for r in audible.requests):
            await advance(hass, freezer, 1)
            waited += 1
        out.append(
            f"a book untouched for weeks, picked up on Audible: asked about "
            f"after {waited} min (the library refresh shows it)"
        )
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    await client.aclose()
    print("\n".join(out))  # noqa: T201 - the benchmark's output
