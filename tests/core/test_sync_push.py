"""Unit tests of plan_push: the write a push_position action makes."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from custom_components.audible_tracker.core.exceptions import PushRejectedError
from custom_components.audible_tracker.core.sync import Side, SideState, WriteKind
from custom_components.audible_tracker.core.sync.push import (
    PUSH_REASON,
    PushRejection,
    plan_push,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ASIN = "B0TESTBOOK"
ITEM = "li-0001"
AUDIBLE = SideState(position_s=600.0, duration_s=36000.0, changed_at=T0)
ABS = SideState(position_s=30.0, duration_s=36000.0, changed_at=T0)


def test_pushes_audibles_own_position_by_default() -> None:
    write = plan_push(ASIN, ITEM, AUDIBLE, ABS)
    assert (write.asin, write.item_id) == (ASIN, ITEM)
    assert write.target is Side.ABS
    assert write.kind is WriteKind.POSITION
    assert write.reason == PUSH_REASON
    assert write.position_s == 600.0
    assert write.duration_s == 36000.0
    assert write.progress == pytest.approx(600.0 / 36000.0)
    assert write.source is AUDIBLE
    assert write.target_before is ABS
    assert not write.unfinish_first
    assert write.attempt == 1


def test_a_given_position_wins_and_is_mapped_onto_the_abs_edition() -> None:
    # ABS holds a shorter edition (more than 1 % and 30 s apart): proportional.
    abs_short = SideState(duration_s=18000.0)
    write = plan_push(ASIN, ITEM, AUDIBLE, abs_short, position_s=7200.0)
    assert write.position_s == 3600.0
    assert write.duration_s == 18000.0
    assert write.progress == pytest.approx(0.2)


def test_a_finished_abs_item_is_unfinished_first() -> None:
    finished = SideState(position_s=36000.0, duration_s=36000.0, finished=True)
    assert plan_push(ASIN, ITEM, AUDIBLE, finished).unfinish_first


def test_audible_without_data_still_gives_its_duration_as_baseline() -> None:
    # Nothing on Audible (never played), but the user gave a position.
    empty = SideState(duration_s=36000.0, changed_at=T0)
    write = plan_push(ASIN, ITEM, empty, ABS, position_s=60.0)
    assert write.source == SideState(duration_s=36000.0)
    assert write.position_s == 60.0


def test_no_position_anywhere_is_refused() -> None:
    with pytest.raises(PushRejectedError) as raised:
        plan_push(ASIN, ITEM, SideState(duration_s=36000.0), ABS)
    assert raised.value.reason is PushRejection.NO_AUDIBLE_POSITION
    assert raised.value.placeholders == {"asin": ASIN}


@pytest.mark.parametrize(
    ("position", "shown"),
    [(-1.0, "-1"), (36000.5, "36000.5"), (math.inf, "inf"), (math.nan, "nan")],
)
def test_a_position_outside_the_book_is_refused(position: float, shown: str) -> None:
    with pytest.raises(PushRejectedError) as raised:
        plan_push(ASIN, ITEM, AUDIBLE, ABS, position_s=position)
    assert raised.value.reason is PushRejection.POSITION_OUT_OF_RANGE
    assert raised.value.placeholders == {"position": shown, "duration": "36000"}


def test_without_an_audible_duration_any_position_is_taken() -> None:
    unknown = SideState(position_s=10.0)
    write = plan_push(ASIN, ITEM, unknown, ABS, position_s=50000.0)
    # Never past ABS's end.
    assert write.position_s == 36000.0


def test_the_end_of_the_book_is_in_range() -> None:
    assert plan_push(ASIN, ITEM, AUDIBLE, ABS, position_s=36000.0).progress == 1.0


def test_an_abs_item_of_unknown_length_is_refused() -> None:
    with pytest.raises(PushRejectedError) as raised:
        plan_push(ASIN, ITEM, AUDIBLE, SideState(position_s=5.0))
    assert raised.value.reason is PushRejection.ABS_DURATION_UNKNOWN
    assert raised.value.placeholders == {"abs_item_id": ITEM}
