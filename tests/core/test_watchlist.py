"""The tiered watchlist: hot titles every poll, untouched ones when they move."""

from __future__ import annotations

from datetime import timedelta

from custom_components.audible_tracker.core.models import AudiblePosition
from custom_components.audible_tracker.core.watchlist import (
    Tiers,
    Watchlist,
    abs_tiers,
    build_watchlist,
    library_moves,
    library_tiers,
)
from tests.core.test_tracking import NOW, progress, title

TITLES = {
    "IDLE": title("IDLE"),
    "AUD_PROGRESS": title("AUD_PROGRESS", percent_complete=40.0),
    "AUD_DONE_OLD": title(
        "AUD_DONE_OLD", is_finished=True, finished_at=NOW - timedelta(days=60)
    ),
    "AUD_DONE_NEW": title(
        "AUD_DONE_NEW", is_finished=True, finished_at=NOW - timedelta(days=2)
    ),
    "HEARD_RECENTLY": title("HEARD_RECENTLY", percent_complete=40.0),
    "HEARD_LONG_AGO": title("HEARD_LONG_AGO"),
    "ABS_PROGRESS": title("ABS_PROGRESS"),
    "ABS_RECENT": title("ABS_RECENT"),
    "ABS_FINISHED_NEW": title("ABS_FINISHED_NEW"),
    "ABS_OLD": title("ABS_OLD"),
    "EXTRA": title("EXTRA"),
    "READING": title("READING", percent_complete=10.0),
    "LIBRARY_MOVED": title("LIBRARY_MOVED", percent_complete=70.0),
}
ASIN_OF_ITEM = {
    "i1": "ABS_PROGRESS",
    "i2": "ABS_FINISHED_NEW",
    "i3": "ABS_OLD",
    "i4": "GONE",
    "i5": "ABS_RECENT",
}
ABS_PROGRESS = {
    "i1": progress("i1", 100.0),
    "i2": progress(
        "i2", 36000.0, is_finished=True, finished_at=NOW - timedelta(days=1)
    ),
    "i3": progress("i3", 36000.0, is_finished=True),
    "i4": progress("i4", 10.0, last_update=NOW),
    "i5": progress("i5", 50.0, last_update=NOW - timedelta(hours=3)),
    "unlinked": progress("unlinked", 10.0, last_update=NOW),
}
POSITIONS = {
    "HEARD_RECENTLY": AudiblePosition("HEARD_RECENTLY", 5.0, NOW),
    "HEARD_LONG_AGO": AudiblePosition("HEARD_LONG_AGO", 5.0, NOW - timedelta(days=8)),
    "AUD_PROGRESS": AudiblePosition("AUD_PROGRESS", 5.0, NOW - timedelta(days=40)),
    "NOT_IN_LIBRARY": AudiblePosition("NOT_IN_LIBRARY", 5.0, NOW),
}


def watchlist(**overrides: object) -> Watchlist:
    arguments: dict[str, object] = {
        "last_positions": POSITIONS,
        "library_moved": {
            "LIBRARY_MOVED": NOW - timedelta(minutes=30),
            "IDLE": NOW - timedelta(days=9),
        },
        "now": NOW,
        "extra": ["EXTRA", "UNKNOWN"],
        "currently_reading": "READING",
    }
    arguments.update(overrides)
    return build_watchlist(
        TITLES,
        library_tiers(TITLES, NOW),
        abs_tiers(ABS_PROGRESS, ASIN_OF_ITEM, NOW),
        **arguments,  # type: ignore[arg-type]
    )


def test_moved_lately_currently_reading_and_asked_for_are_hot() -> None:
    assert watchlist().hot == {
        "AUD_DONE_NEW",
        "HEARD_RECENTLY",
        "ABS_RECENT",
        "ABS_FINISHED_NEW",
        "EXTRA",
        "READING",
        "LIBRARY_MOVED",
    }


def test_in_progress_but_untouched_for_a_week_waits() -> None:
    tiers = watchlist()
    assert tiers.untouched == {"AUD_PROGRESS", "ABS_PROGRESS"}
    assert tiers.all == tiers.hot | {"AUD_PROGRESS", "ABS_PROGRESS"}
    # Currently reading is hot even when untouched.
    assert "READING" in watchlist(currently_reading=None).untouched


def test_the_hot_list_does_not_grow_with_the_library() -> None:
    # 5,000 more titles, half finished long ago, 50 in progress untouched.
    big = dict(TITLES)
    for n in range(5000):
        done = n % 2 == 0
        big[f"B{n}"] = title(
            f"B{n}",
            is_finished=done,
            finished_at=NOW - timedelta(days=90) if done else None,
            percent_complete=30.0 if n < 100 and not done else 0.0,
        )
    tiers = build_watchlist(
        big,
        library_tiers(big, NOW),
        Tiers(),
        last_positions=POSITIONS,
        library_moved={},
        now=NOW,
    )
    assert tiers.hot == {"AUD_DONE_NEW", "HEARD_RECENTLY"}
    assert len(tiers.untouched) == 50 + 3  # and AUD_PROGRESS, READING, LIBRARY_MOVED


def test_library_moves_are_listening_changes_of_known_titles() -> None:
    before = {"A": title("A", percent_complete=10.0), "B": title("B")}
    changed = [
        title("A", percent_complete=12.0),
        title("B", is_finished=True),
        title("NEW", percent_complete=5.0),  # bought: no move
    ]
    assert library_moves(before, changed) == {"A", "B"}
    assert library_moves(before, [title("A", percent_complete=10.0)]) == set()
