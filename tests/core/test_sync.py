"""Unit tests of the sync planner, named after the rules of the sync spec."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from custom_components.audible_tracker.core.exceptions import LedgerFormatError
from custom_components.audible_tracker.core.sync import (
    LEDGER_VERSION,
    MAX_ERROR_LENGTH,
    Ledger,
    LedgerSide,
    LedgerTitle,
    LedgerWrite,
    PlannedWrite,
    Side,
    SideState,
    SyncMode,
    SyncOptions,
    SyncPlan,
    TitleState,
    WriteKind,
    WriteStatus,
    map_position,
    plan_sync,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DURATION = 36000.0  # a ten hour book
ASIN = "B0TESTBOOK"
ITEM = "li-0001"


def at(minutes: float) -> datetime:
    """Time `minutes` after T0 (our clock and, unless skewed, the sides')."""
    return T0 + timedelta(minutes=minutes)


def side(
    position: float | None,
    minutes: float | None = None,
    *,
    finished: bool = False,
    duration: float | None = DURATION,
) -> SideState:
    """A side's state, changed `minutes` after T0 (None: no change time)."""
    return SideState(
        position_s=position,
        duration_s=duration,
        finished=finished,
        changed_at=None if minutes is None else at(minutes),
    )


@dataclass
class Sync:
    """Drives the planner like the coordinator does, for one title."""

    options: SyncOptions = field(default_factory=SyncOptions)
    ledger: Ledger = field(default_factory=Ledger)
    asin: str = ASIN
    item_id: str = ITEM

    def poll(
        self,
        audible: SideState | None,
        abs_: SideState | None,
        now: datetime,
        *,
        sync_enabled: bool = True,
    ) -> SyncPlan:
        title = TitleState(self.asin, self.item_id, audible, abs_, sync_enabled)
        return plan_sync([title], self.ledger, self.options, now)

    def apply(self, plan: SyncPlan, now: datetime) -> None:
        for write in plan.writes:
            self.ledger.record_applied(write, now)

    @property
    def entry(self) -> LedgerTitle:
        return self.ledger.titles[self.asin]


def settled(position: float = 1000.0, options: SyncOptions | None = None) -> Sync:
    """A title whose sides agree at `position`, both last changed an hour ago."""
    sync = Sync(options or SyncOptions())
    plan = sync.poll(side(position, -60), side(position, -60), at(0))
    assert plan == SyncPlan()
    assert sync.entry.has_baseline
    return sync


def only_write(plan: SyncPlan) -> PlannedWrite:
    assert len(plan.writes) == 1, plan.describe()
    return plan.writes[0]


# --- rule 1: what a move is -----------------------------------------------------------


def test_rule1_a_change_within_the_threshold_is_not_a_move() -> None:
    sync = settled(1000.0)
    assert sync.poll(side(1004.0, 4), side(1000.0, -60), at(5)) == SyncPlan()
    # Judged against the baseline, not the last poll: small steps add up.
    write = only_write(sync.poll(side(1006.0, 9), side(1000.0, -60), at(10)))
    assert (write.target, write.position_s) == (Side.ABS, 1006.0)


def test_rule1_a_side_without_position_has_not_moved_and_never_becomes_zero() -> None:
    sync = settled(1000.0)
    no_position = side(None)  # Audible DoesNotExist / ABS 404
    assert sync.poll(no_position, side(1000.0, -60), at(5)) == SyncPlan()
    # ... but it can be written to.
    write = only_write(sync.poll(no_position, side(2000.0, 8), at(10)))
    assert (write.target, write.position_s) == (Side.AUDIBLE, 2000.0)


def test_rule1_rule12_a_side_that_was_not_fetched_holds_the_title_back() -> None:
    sync = settled(1000.0)
    plan = sync.poll(side(2000.0, 3), None, at(5))
    assert plan.writes == ()
    assert [s.reason for s in plan.skipped] == ["no data from abs"]
    assert sync.poll(None, None, at(6)).skipped[0].reason == (
        "no data from audible and abs"
    )
    # The move was kept (rule 12).
    write = only_write(sync.poll(side(2000.0, 3), side(1000.0, -60), at(10)))
    assert (write.target, write.position_s) == (Side.ABS, 2000.0)


def test_rule1_a_finished_side_losing_its_position_has_not_moved() -> None:
    sync = Sync()
    done = side(DURATION, -60, finished=True)
    assert sync.poll(done, done, at(0)) == SyncPlan()
    lost = side(None, 3, finished=True)
    assert sync.poll(lost, done, at(5)) == SyncPlan()
    # A finished side's new position is a change, but it only passes on
    # "finished", which the other side already is.
    assert sync.poll(side(500.0, 8, finished=True), done, at(10)) == SyncPlan()


def test_rule1_a_finished_side_gaining_a_position_passes_on_finished() -> None:
    sync = Sync()
    # First sync: Audible finished without a position, ABS newer mid-book.
    plan = sync.poll(side(None, -600, finished=True), side(5000.0, -60), at(0))
    assert plan.skipped[0].reason == "first sync: not un-finishing audible"
    write = only_write(
        sync.poll(side(DURATION, 3, finished=True), side(5000.0, -60), at(5))
    )
    assert (write.target, write.kind) == (Side.ABS, WriteKind.FINISHED)


# --- rule 2: one side moved -----------------------------------------------------------


def test_rule2_one_side_moved_is_written_to_the_other() -> None:
    sync = settled(1000.0)
    write = only_write(sync.poll(side(1000.0, -60), side(4600.0, 4), at(5)))
    assert write.target is Side.AUDIBLE
    assert write.source_side is Side.ABS
    assert write.kind is WriteKind.POSITION
    assert write.position_s == 4600.0
    assert write.duration_s == DURATION
    assert write.progress == pytest.approx(4600.0 / DURATION)
    assert write.reason == "abs moved"
    assert (write.attempt, write.unfinish_first) == (1, False)


def test_rule2_a_late_change_older_than_the_others_does_not_win() -> None:
    sync = settled(1000.0)
    sync.apply(sync.poll(side(1000.0, -60), side(4600.0, 4), at(5)), at(5))
    assert sync.poll(side(4600.0, 5), side(4600.0, 4), at(10)) == SyncPlan()
    # Audible now reports an upload from before the ABS change: the newer
    # ABS place goes back to it.
    late = side(3000.0, -30)
    write = only_write(sync.poll(late, side(4600.0, 4), at(15)))
    assert (write.target, write.position_s) == (Side.AUDIBLE, 4600.0)
    assert (
        write.reason == "audible change is older than the last abs change; abs is newer"
    )


def test_rule2_a_late_change_is_not_synced_when_the_other_side_has_nothing() -> None:
    sync = settled(1000.0)
    sync.apply(sync.poll(side(1000.0, -60), side(4600.0, 4), at(5)), at(5))
    sync.poll(side(4600.0, 5), side(4600.0, 4), at(10))
    plan = sync.poll(side(3000.0, -30), side(None), at(15))
    assert plan.writes == ()
    assert plan.skipped[0].reason == (
        "audible change is older than the last abs change; not synced"
    )
    assert sync.poll(side(3000.0, -30), side(None), at(20)) == SyncPlan()


def test_rule2_rule6_finishing_again_is_newer_than_an_older_restart() -> None:
    sync = Sync()
    done = side(DURATION, -60, finished=True)
    assert sync.poll(done, done, at(0)) == SyncPlan()
    # Audible was re-read and finished again (the polls in between only saw
    # it while the duration was unknown); ABS restarted before that.
    again = side(DURATION, 20, finished=True)
    write = only_write(sync.poll(again, side(30.0, 12), at(25)))
    assert (write.target, write.kind) == (Side.ABS, WriteKind.FINISHED)


# --- rule 3: both moved ---------------------------------------------------------------


def test_rule3_when_both_moved_the_newer_change_wins() -> None:
    sync = settled(1000.0)
    write = only_write(sync.poll(side(3000.0, 1), side(2000.0, 4), at(5)))
    assert (write.target, write.position_s) == (Side.AUDIBLE, 2000.0)
    assert write.reason == "both moved; abs is newer"


def test_rule3_within_the_skew_window_the_further_position_wins() -> None:
    sync = settled(1000.0)
    write = only_write(sync.poll(side(3000.0, 4), side(2000.0, 4.5), at(5)))
    assert (write.target, write.position_s) == (Side.ABS, 3000.0)
    assert write.reason == "both moved within 60 s; audible is further"


def test_rule3_further_compares_positions_across_editions() -> None:
    # ABS's edition is 20 % longer: 2300 s there is 1916.7 s on Audible.
    sync = Sync()
    long_abs = 1.2 * DURATION
    assert (
        sync.poll(side(1000.0, -60), side(1200.0, -60, duration=long_abs), at(0))
        == SyncPlan()
    )
    plan = sync.poll(side(2000.0, 4), side(2300.0, 4.5, duration=long_abs), at(5))
    write = only_write(plan)
    assert write.target is Side.ABS
    assert write.position_s == pytest.approx(2400.0)


def test_rule3_a_missing_change_time_counts_as_older() -> None:
    sync = settled(1000.0)
    write = only_write(sync.poll(side(3000.0, None), side(2000.0, 4), at(5)))
    assert write.target is Side.AUDIBLE
    sync = settled(1000.0)
    write = only_write(sync.poll(side(3000.0, 4), side(2000.0, None), at(5)))
    assert write.target is Side.ABS
    sync = settled(1000.0)
    write = only_write(sync.poll(side(3000.0, None), side(2000.0, None), at(5)))
    assert (write.target, write.position_s) == (Side.ABS, 3000.0)


# --- rule 4: echoes, one write per poll, cooldown -------------------------------------


def test_rule4_our_own_echo_is_not_a_move() -> None:
    sync = settled(1000.0)
    sync.apply(sync.poll(side(1000.0, -60), side(4600.0, 4), at(5)), at(5))
    echo = side(4602.0, 5)
    assert sync.poll(echo, side(4600.0, 4), at(10)) == SyncPlan()
    assert sync.entry.audible.seen == echo
    assert sync.entry.audible.write is None
    assert sync.poll(echo, side(4600.0, 4), at(30)) == SyncPlan()


def test_rule4_abs_finishing_by_itself_at_our_write_is_our_echo() -> None:
    sync = settled(35000.0)
    sync.apply(sync.poll(side(35995.0, 4), side(35000.0, -60), at(5)), at(5))
    abs_done = side(35995.0, 5, finished=True)  # less than 10 s left
    assert sync.poll(side(35995.0, 4), abs_done, at(10)) == SyncPlan()
    assert sync.poll(side(35995.0, 4), abs_done, at(30)) == SyncPlan()


def test_rule4_the_written_value_set_later_is_the_sides_own_change() -> None:
    sync = settled(1000.0)
    sync.apply(sync.poll(side(3000.0, 4), side(1000.0, -60), at(5)), at(5))
    # The user finished the book on ABS, long after our write.
    plan = sync.poll(side(3000.0, 4), side(3000.0, 18, finished=True), at(20))
    write = only_write(plan)
    assert (write.target, write.kind) == (Side.AUDIBLE, WriteKind.FINISHED)


def test_rule4_a_title_gets_at_most_one_write_per_poll() -> None:
    sync = settled(1000.0)
    plan = sync.poll(side(3000.0, 1), side(2000.0, 4), at(5))
    assert len(plan.writes) == 1
    sync.apply(plan, at(5))
    # The target's echo and the source's next move: still one write.
    plan = sync.poll(side(2000.0, 5), side(2600.0, 9), at(10))
    assert len(plan.writes) == 1


def test_rule4_rule12_cooldown_holds_the_write_back_and_keeps_the_move() -> None:
    sync = settled(1000.0)
    sync.apply(sync.poll(side(3000.0, 4), side(1000.0, -60), at(5)), at(5))
    # ABS really moves (after our write) within the cooldown.
    moved_back = side(2500.0, 8)
    plan = sync.poll(side(3000.0, 4), moved_back, at(10))
    assert plan.writes == ()
    assert plan.skipped[0].reason == (
        f"cooldown: abs -> audible waits until {at(15).isoformat()}"
    )
    write = only_write(sync.poll(side(3000.0, 4), moved_back, at(15)))
    assert (write.target, write.position_s) == (Side.AUDIBLE, 2500.0)


def test_rule4_writes_the_same_way_are_not_held_back_by_the_cooldown() -> None:
    sync = settled(1000.0)
    sync.apply(sync.poll(side(3000.0, 4), side(1000.0, -60), at(5)), at(5))
    write = only_write(sync.poll(side(3300.0, 9), side(3000.0, 5), at(10)))
    assert (write.target, write.position_s) == (Side.ABS, 3300.0)


def _wrote_3000_to_abs() -> Sync:
    """Audible moved to 3000 at minute 4; we wrote it to ABS at minute 5."""
    sync = settled(1000.0)
    sync.apply(sync.poll(side(3000.0, 4), side(1000.0, -60), at(5)), at(5))
    return sync


@pytest.mark.parametrize("echo_seen", [True, False])
def test_rule4_a_handoff_in_the_cooldown_is_synced_at_once(*, echo_seen: bool) -> None:
    sync = _wrote_3000_to_abs()
    if echo_seen:
        assert sync.poll(side(3000.0, 4), side(3000.0, 5), at(7)) == SyncPlan()
    # The user continued on ABS within the cooldown (dated after our write).
    write = only_write(sync.poll(side(3000.0, 4), side(3600.0, 8), at(9)))
    assert (write.target, write.position_s) == (Side.AUDIBLE, 3600.0)
    assert write.reason == "abs moved; handoff in the cooldown"
    # ... and back on Audible: the write to ABS is a handoff too.
    sync.apply(sync.poll(side(3000.0, 4), side(3600.0, 8), at(9)), at(9))
    write = only_write(sync.poll(side(4200.0, 12), side(3600.0, 8), at(13)))
    assert (write.target, write.position_s) == (Side.ABS, 4200.0)


def test_rule4_finishing_on_the_other_device_in_the_cooldown_is_a_handoff() -> None:
    sync = _wrote_3000_to_abs()
    plan = sync.poll(side(3000.0, 4), side(3000.0, 8, finished=True), at(9))
    write = only_write(plan)
    assert (write.target, write.kind) == (Side.AUDIBLE, WriteKind.FINISHED)


@pytest.mark.parametrize(
    ("abs_state", "why"),
    [
        (side(2000.0, 8), "backwards from what we wrote"),
        (side(3004.0, 8), "within the threshold of what we wrote: no move"),
        (side(3600.0, 5.5), "dated within the skew window of our write"),
        (side(3600.0, None), "not dated"),
    ],
)
def test_rule4_other_moves_in_the_cooldown_wait(abs_state: SideState, why: str) -> None:
    sync = _wrote_3000_to_abs()
    assert sync.poll(side(3000.0, 4), side(3000.0, 5), at(7)) == SyncPlan()
    plan = sync.poll(side(3000.0, 4), abs_state, at(9))
    assert plan.writes == (), why
    if abs_state.position_s != 3004.0:
        assert plan.skipped[0].reason.startswith("cooldown: abs -> audible"), why


def test_rule4_a_stale_player_resaving_its_place_past_our_write_is_no_handoff() -> None:
    sync = settled(5000.0)
    # The user went back on Audible; we wrote that to ABS ...
    sync.apply(sync.poll(side(3000.0, 4), side(5000.0, -60), at(5)), at(5))
    # ... and an ABS player re-saves its old place, after our write: rule 9
    # (did not take), never a handoff that would undo the user's seek.
    plan = sync.poll(side(3000.0, 4), side(5000.0, 8), at(9))
    assert plan.writes == ()
    assert [item.target for item in plan.unverified] == [Side.ABS]


def test_rule4_nothing_goes_past_a_finish_we_wrote() -> None:
    sync = settled(30000.0)
    sync.apply(
        sync.poll(side(30000.0, 4, finished=True), side(30000.0, -60), at(5)), at(5)
    )
    plan = sync.poll(
        side(30000.0, 4, finished=True), side(31000.0, 8, finished=False), at(9)
    )
    assert plan.writes == ()
    assert plan.skipped[0].reason.startswith("cooldown: abs -> audible")


# --- rule 5: bounds and editions ------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "position", "expected"),
    [
        (36000.0, 36020.0, 20000.0, 20000.0),  # 20 s apart: same edition
        (600.0, 620.0, 300.0, 300.0),  # 3 %, but only 20 s
        (36000.0, 36300.0, 10000.0, 10000.0),  # 300 s, but under 1 %
        (36000.0, 39600.0, 18000.0, 19800.0),  # another edition: proportional
        (39600.0, 36000.0, 19800.0, 18000.0),
        (36000.0, 35990.0, 35999.0, 35990.0),  # clamped to the target
        (36000.0, 36000.0, -5.0, 0.0),  # never below 0
        (None, 36000.0, 40000.0, 36000.0),  # unknown source: seconds, clamped
        (36000.0, None, 40000.0, 40000.0),  # unknown target: not clamped
    ],
)
def test_rule5_map_position(
    source: float | None, target: float | None, position: float, expected: float
) -> None:
    assert map_position(position, source, target) == pytest.approx(expected)


def test_rule5_other_editions_map_by_proportion_in_the_plan() -> None:
    sync = Sync()
    long_abs = 39600.0
    assert (
        sync.poll(side(1000.0, -60), side(1100.0, -60, duration=long_abs), at(0))
        == SyncPlan()
    )
    write = only_write(
        sync.poll(side(18000.0, 4), side(1100.0, -60, duration=long_abs), at(5))
    )
    assert write.position_s == pytest.approx(19800.0)
    assert write.duration_s == long_abs
    assert write.progress == pytest.approx(0.5)


def test_rule5_rule12_an_unknown_target_duration_holds_the_write_back() -> None:
    sync = settled(1000.0)
    plan = sync.poll(side(3000.0, 4), side(1000.0, -60, duration=None), at(5))
    assert plan.writes == ()
    assert plan.skipped[0].reason == "abs duration unknown; position write waits"
    write = only_write(sync.poll(side(3000.0, 4), side(1000.0, -60), at(10)))
    assert write.position_s == 3000.0


def test_rule5_rule12_no_agreement_is_assumed_without_the_target_duration() -> None:
    sync = Sync()
    long_abs = 39600.0
    sync.poll(side(1000.0, -60), side(1100.0, -60, duration=long_abs), at(0))
    # Both moved to "3000 s", but ABS's edition is 10 % longer.
    plan = sync.poll(
        side(3000.0, 4, duration=None), side(3000.0, 4, duration=None), at(5)
    )
    assert plan.writes == ()
    assert plan.skipped[0].reason == "abs duration unknown; position write waits"
    write = only_write(
        sync.poll(side(3000.0, 4), side(3000.0, 4, duration=long_abs), at(10))
    )
    assert write.target is Side.ABS
    assert write.position_s == pytest.approx(3300.0)


def test_rule12_a_held_back_move_is_not_forgotten_when_it_returns() -> None:
    sync = settled(1000.0)
    # Audible moves while ABS's duration is unknown: held back ...
    plan = sync.poll(side(3000.0, 4), side(1000.0, -60, duration=None), at(5))
    assert plan.skipped[0].reason == "abs duration unknown; position write waits"
    assert sync.entry.audible.held
    # ... ABS moves, then Audible goes back to where it was, after ABS.
    write = only_write(sync.poll(side(1002.0, 9), side(1600.0, 7), at(10)))
    assert (write.target, write.position_s) == (Side.ABS, 1002.0)
    assert write.reason == "both moved; audible is newer"
    assert not sync.entry.audible.held


def test_rule5_an_unknown_source_duration_copies_seconds_clamped() -> None:
    sync = settled(1000.0)
    write = only_write(
        sync.poll(side(40000.0, 4, duration=None), side(1000.0, -60), at(5))
    )
    assert (write.position_s, write.progress) == (DURATION, 1.0)


# --- rule 6: finished -----------------------------------------------------------------


def test_rule6_a_finish_is_marked_finished_on_the_other_side() -> None:
    sync = settled(1000.0)
    write = only_write(
        sync.poll(side(35990.0, 4, finished=True), side(1000.0, -60), at(5))
    )
    assert (write.target, write.kind) == (Side.ABS, WriteKind.FINISHED)
    # isFinished and nothing else.
    assert (write.position_s, write.duration_s, write.progress) == (None, None, None)
    assert write.reason == "audible finished"
    sync.apply(SyncPlan((write,)), at(5))
    abs_done = side(1000.0, 5, finished=True)  # ABS keeps its time
    assert sync.poll(side(35990.0, 4, finished=True), abs_done, at(10)) == SyncPlan()


def test_rule6_a_finish_beats_a_side_that_only_moved_backwards() -> None:
    sync = settled(30000.0)
    plan = sync.poll(side(20000.0, 30), side(35990.0, 4, finished=True), at(35))
    write = only_write(plan)
    assert (write.target, write.kind) == (Side.AUDIBLE, WriteKind.FINISHED)
    assert write.reason == "abs finished; audible only moved"


def test_rule6_a_newer_restart_is_a_reread_that_unfinishes_abs_first() -> None:
    sync = Sync()
    done = side(DURATION, -60, finished=True)
    assert sync.poll(done, done, at(0)) == SyncPlan()
    write = only_write(sync.poll(side(120.0, 30), done, at(35)))
    assert write.target is Side.ABS
    assert (write.kind, write.position_s, write.unfinish_first) == (
        WriteKind.POSITION,
        120.0,
        True,
    )
    assert write.reason == "audible restarted (re-read)"


def test_rule6_a_reread_on_abs_writes_a_plain_position_to_audible() -> None:
    sync = Sync()
    done = side(DURATION, -60, finished=True)
    assert sync.poll(done, done, at(0)) == SyncPlan()
    write = only_write(sync.poll(done, side(90.0, 30), at(35)))
    assert (write.target, write.position_s, write.unfinish_first) == (
        Side.AUDIBLE,
        90.0,
        False,
    )


def test_rule6_a_restart_within_the_skew_window_of_a_finish_stays_finished() -> None:
    sync = Sync()
    # First sync: Audible finished long ago, ABS newer at 5000: nothing is
    # un-finished, so both become the baseline.
    plan = sync.poll(side(DURATION, -600, finished=True), side(5000.0, -60), at(0))
    assert plan.writes == ()
    assert plan.skipped[0].reason == "first sync: not un-finishing audible"
    plan = sync.poll(side(60.0, 10), side(5000.0, 10.5, finished=True), at(15))
    write = only_write(plan)
    assert (write.target, write.kind) == (Side.AUDIBLE, WriteKind.FINISHED)
    assert write.reason == "both moved within 60 s; abs is further"


def test_rule6_a_restart_newer_than_a_finish_wins() -> None:
    sync = Sync()
    sync.poll(side(DURATION, -600, finished=True), side(5000.0, -60), at(0))
    plan = sync.poll(side(60.0, 14), side(5000.0, 10, finished=True), at(15))
    write = only_write(plan)
    assert (write.target, write.position_s, write.unfinish_first) == (
        Side.ABS,
        60.0,
        True,
    )


def test_rule6_a_target_finished_at_the_written_position_is_left_alone() -> None:
    sync = Sync()
    plan = sync.poll(side(35000.0, -60), side(35995.0, -600, finished=True), at(0))
    assert plan.skipped[0].reason == "first sync: not un-finishing abs"
    assert sync.poll(side(35993.0, 4), side(35995.0, -600, finished=True), at(5)) == (
        SyncPlan()
    )


def test_rule6_a_reread_unfinishes_a_target_finished_at_the_same_place() -> None:
    sync = Sync()
    done = side(DURATION, -60, finished=True)
    finish = only_write(sync.poll(done, side(30.0, -90), at(0)))
    sync.apply(SyncPlan((finish,)), at(0))
    # ABS is finished where it was, 30 s in (isFinished only).
    abs_done = side(30.0, 0, finished=True)
    assert sync.poll(done, abs_done, at(5)) == SyncPlan()
    # Audible is restarted and lands right there: still a re-read for ABS.
    write = only_write(sync.poll(side(28.0, 8), abs_done, at(10)))
    assert (write.target, write.position_s, write.unfinish_first) == (
        Side.ABS,
        28.0,
        True,
    )


def test_rule6_a_half_applied_reread_is_completed_by_a_position_write() -> None:
    sync = Sync()
    done = side(DURATION, -60, finished=True)
    sync.poll(done, done, at(0))
    reread = only_write(sync.poll(side(120.0, 30), done, at(35)))
    # The un-finish PATCH went through, the position PATCH failed.
    sync.ledger.record_failed(reread, at(35), "HTTP 500")
    reset = side(0.0, 35)  # ABS reset to 0 when un-finished
    write = only_write(sync.poll(side(120.0, 30), reset, at(40)))
    assert (write.target, write.position_s, write.unfinish_first) == (
        Side.ABS,
        120.0,
        False,
    )
    assert write.reason == "audible restarted (re-read)"
    sync.apply(SyncPlan((write,)), at(40))
    assert sync.poll(side(120.0, 30), side(120.0, 40), at(45)) == SyncPlan()


def test_rule6_a_retry_that_only_unfinished_is_completed() -> None:
    sync = Sync()
    done = side(DURATION, -60, finished=True)
    sync.poll(done, done, at(0))
    sync.apply(sync.poll(side(120.0, 30), done, at(35)), at(35))  # did not take
    retry = only_write(sync.poll(side(120.0, 30), done, at(40)))
    assert (retry.attempt, retry.unfinish_first) == (2, True)
    sync.ledger.record_failed(retry, at(40), "HTTP 500")  # only un-finished
    write = only_write(sync.poll(side(120.0, 30), side(0.0, 40), at(45)))
    assert (write.target, write.position_s, write.unfinish_first) == (
        Side.ABS,
        120.0,
        False,
    )


def test_rule6_a_later_restart_near_zero_is_the_users_not_our_unfinish() -> None:
    sync = Sync()
    done = side(DURATION, -60, finished=True)
    sync.poll(done, done, at(0))
    reread = only_write(sync.poll(side(120.0, 30), done, at(35)))
    sync.ledger.record_failed(reread, at(35), "HTTP 500")
    # Nothing was applied; the user restarted on ABS much later.
    write = only_write(sync.poll(side(120.0, 30), side(2.0, 50), at(55)))
    assert (write.target, write.position_s) == (Side.AUDIBLE, 2.0)


# --- rule 7: modes and dry run --------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "mover", "written"),
    [
        (SyncMode.BIDIRECTIONAL, Side.AUDIBLE, True),
        (SyncMode.BIDIRECTIONAL, Side.ABS, True),
        (SyncMode.AUDIBLE_TO_ABS, Side.AUDIBLE, True),
        (SyncMode.AUDIBLE_TO_ABS, Side.ABS, False),
        (SyncMode.ABS_TO_AUDIBLE, Side.ABS, True),
        (SyncMode.ABS_TO_AUDIBLE, Side.AUDIBLE, False),
    ],
)
def test_rule7_modes_write_only_their_way(
    mode: SyncMode, mover: Side, written: bool
) -> None:
    sync = settled(1000.0, SyncOptions(mode=mode))
    states = {Side.AUDIBLE: side(1000.0, -60), Side.ABS: side(1000.0, -60)}
    states[mover] = side(3000.0, 4)
    plan = sync.poll(states[Side.AUDIBLE], states[Side.ABS], at(5))
    if written:
        assert only_write(plan).target is mover.other
        return
    assert plan.writes == ()
    assert plan.skipped[0].reason == f"mode {mode}: {mover} changes are not written"
    # Taken as the baseline: not reported again.
    assert sync.poll(states[Side.AUDIBLE], states[Side.ABS], at(10)) == SyncPlan()


def test_rule7_off_plans_nothing_and_leaves_the_ledger_alone() -> None:
    sync = settled(1000.0)
    before = sync.ledger.to_dict()
    sync.options = SyncOptions(mode=SyncMode.OFF)
    plan = sync.poll(side(3000.0, 4), side(1000.0, -60), at(5))
    assert plan.writes == ()
    assert [s.reason for s in plan.skipped] == ["sync is off"]
    assert sync.ledger.to_dict() == before
    assert not SyncMode.OFF.allows(Side.ABS)
    # Switched back on, what happened meanwhile is synced.
    sync.options = SyncOptions()
    assert only_write(sync.poll(side(3000.0, 4), side(1000.0, -60), at(10)))


def test_rule7_dry_run_plans_the_same_writes_and_describes_them() -> None:
    sync = settled(1000.0)
    first = sync.poll(side(3000.0, 4), side(1000.0, -60), at(5))
    second = sync.poll(side(3000.0, 4), side(1000.0, -60), at(10))
    assert first.writes == second.writes
    assert second.describe() == [
        "B0TESTBOOK -> abs: set position 0:50:00 of 10:00:00 (audible moved)"
    ]
    described = json.loads(json.dumps(second.as_dict()))
    assert described["writes"][0]["target"] == "abs"
    assert described["writes"][0]["position_s"] == 3000.0


def test_plan_descriptions_cover_every_kind_of_line() -> None:
    sync = Sync()
    done = side(DURATION, -60, finished=True)
    sync.poll(done, done, at(0))
    reread = only_write(sync.poll(side(120.0, 30), done, at(35)))
    assert reread.describe() == (
        "B0TESTBOOK -> abs: un-finish, then set position 0:02:00 of 10:00:00 "
        "(audible restarted (re-read))"
    )
    finish = only_write(
        settled().poll(side(9.0, 4, finished=True), side(1000.0, -60), at(5))
    )
    assert finish.describe() == "B0TESTBOOK -> abs: mark finished (audible finished)"
    lines = _given_up_sync().poll(side(1000.0, -60), side(4600.0, 4), at(40))
    assert lines.describe() == [
        "B0TESTBOOK -> audible: position write did not take after 3 attempt(s); gave up"
    ]
    skipped = settled().poll(side(3000.0, 4), None, at(5))
    assert skipped.describe() == ["B0TESTBOOK: skipped (no data from abs)"]
    assert skipped.as_dict()["skipped"] == [
        {"asin": ASIN, "reason": "no data from abs"}
    ]


# --- rule 8: per-title opt-out --------------------------------------------------------


def test_rule8_an_excluded_title_is_skipped_and_starts_fresh_when_included() -> None:
    sync = settled(1000.0)
    plan = sync.poll(side(3000.0, 4), side(1000.0, -60), at(5), sync_enabled=False)
    assert plan.writes == ()
    assert [s.reason for s in plan.skipped] == ["excluded from sync"]
    assert ASIN not in sync.ledger.titles
    # Included again: a first sync, forwards only, so ABS newer but behind
    # does not pull Audible back.
    plan = sync.poll(side(3000.0, 4), side(500.0, 20), at(25))
    assert plan.writes == ()
    assert plan.skipped[0].reason == "first sync: not moving audible backwards"


# --- rule 9: verification -------------------------------------------------------------


def _given_up_sync() -> Sync:
    """A write to Audible that never takes (a wrong ACR), until given up."""
    sync = settled(1000.0)
    old = side(1000.0, -60)
    abs_moved = side(4600.0, 4)
    sync.apply(sync.poll(old, abs_moved, at(5)), at(5))
    sync.apply(sync.poll(old, abs_moved, at(10)), at(10))
    sync.poll(old, abs_moved, at(15))
    sync.apply(sync.poll(old, abs_moved, at(20)), at(20))
    plan = sync.poll(old, abs_moved, at(25))
    assert plan.writes == ()
    assert plan.unverified[0].gave_up
    return sync


def test_rule9_a_write_that_did_not_take_is_retried_with_backoff_then_given_up() -> (
    None
):
    sync = settled(1000.0)
    old = side(1000.0, -60)  # Audible never changes: the ACR was wrong
    abs_moved = side(4600.0, 4)
    sync.apply(sync.poll(old, abs_moved, at(5)), at(5))

    plan = sync.poll(old, abs_moved, at(10))  # 5 min later: retry is due
    item = plan.unverified[0]
    assert (item.target, item.kind, item.attempts, item.gave_up) == (
        Side.AUDIBLE,
        WriteKind.POSITION,
        1,
        False,
    )
    assert (item.position_s, item.observed_position_s) == (4600.0, 1000.0)
    retry = only_write(plan)
    assert (retry.attempt, retry.position_s) == (2, 4600.0)
    assert retry.reason == "retry 2 of 3: the last write did not take; abs moved"
    sync.apply(plan, at(10))

    plan = sync.poll(old, abs_moved, at(15))  # backoff doubled to 10 min
    assert plan.writes == ()
    assert plan.unverified[0].attempts == 2
    plan = sync.poll(old, abs_moved, at(20))
    assert only_write(plan).attempt == 3
    sync.apply(plan, at(20))

    plan = sync.poll(old, abs_moved, at(25))
    assert plan.writes == ()
    assert [(u.attempts, u.gave_up) for u in plan.unverified] == [(3, True)]
    # Reported, not retried, on later polls too.
    plan = sync.poll(old, abs_moved, at(60))
    assert plan.writes == ()
    assert [(u.attempts, u.gave_up) for u in plan.unverified] == [(3, True)]
    assert plan.unverified[0].last_attempt_at == at(20)
    assert json.loads(json.dumps(plan.as_dict()))["unverified"] == [
        {
            "asin": ASIN,
            "item_id": ITEM,
            "target": "audible",
            "kind": "position",
            "position_s": 4600.0,
            "observed_position_s": 1000.0,
            "observed_finished": False,
            "attempts": 3,
            "gave_up": True,
            "last_attempt_at": at(20).isoformat(),
        }
    ]


def test_rule9_a_given_up_write_is_cleared_by_the_next_applied_write() -> None:
    sync = _given_up_sync()
    write = only_write(sync.poll(side(1000.0, -60), side(5200.0, 38), at(40)))
    assert write.attempt == 1
    sync.apply(SyncPlan((write,)), at(40))
    assert sync.entry.audible.gave_up is None
    assert sync.poll(side(5200.0, 40), side(5200.0, 38), at(45)) == SyncPlan()


def test_rule9_a_confirmed_write_clears_a_given_up_one() -> None:
    sync = _given_up_sync()
    # The ACR got fixed and the last retry finally shows.
    assert sync.poll(side(4600.0, 20), side(4600.0, 4), at(40)) == SyncPlan()
    assert sync.entry.audible.gave_up is None


def test_rule9_a_retry_is_superseded_when_the_source_moves_again() -> None:
    sync = settled(1000.0)
    old = side(1000.0, -60)
    sync.apply(sync.poll(old, side(4600.0, 4), at(5)), at(5))
    write = only_write(sync.poll(old, side(5200.0, 9), at(10)))
    assert (write.attempt, write.position_s) == (1, 5200.0)


def test_rule9_a_retry_waits_while_the_target_duration_is_unknown() -> None:
    sync = settled(1000.0)
    sync.apply(sync.poll(side(1000.0, -60), side(4600.0, 4), at(5)), at(5))
    plan = sync.poll(side(1000.0, -60, duration=None), side(4600.0, 4), at(10))
    assert plan.writes == ()
    assert plan.skipped[0].reason == "audible duration unknown; position write waits"


def test_rule9_a_retry_is_dropped_when_the_mode_no_longer_writes_there() -> None:
    sync = settled(1000.0)
    sync.apply(sync.poll(side(1000.0, -60), side(4600.0, 4), at(5)), at(5))
    sync.options = SyncOptions(mode=SyncMode.AUDIBLE_TO_ABS)
    plan = sync.poll(side(1000.0, -60), side(4600.0, 4), at(10))
    assert plan.writes == ()
    assert plan.skipped[0].reason == "mode audible_to_abs: write to audible dropped"
    assert sync.entry.audible.write is None


def test_rule9_a_superseded_write_leaves_what_we_wrote_as_the_baseline() -> None:
    sync = settled(1000.0)
    done = side(35990.0, 4, finished=True)
    sync.apply(sync.poll(done, side(1000.0, -60), at(5)), at(5))
    # The user then moved on ABS (the move back waits for the cooldown) ...
    plan = sync.poll(done, side(5000.0, 8), at(10))
    assert plan.skipped[0].reason.startswith("cooldown: abs -> audible")
    # ... and came back near where ABS was before our write: still a restart
    # of the finished title we had left there.
    write = only_write(sync.poll(done, side(998.0, 12), at(20)))
    assert (write.target, write.position_s) == (Side.AUDIBLE, 998.0)
    assert write.reason == "abs restarted (re-read)"


def test_rule9_a_target_that_moves_by_itself_supersedes_our_write() -> None:
    sync = settled(1000.0)
    sync.apply(sync.poll(side(1000.0, -60), side(4600.0, 4), at(5)), at(5))
    plan = sync.poll(side(7000.0, 8), side(4600.0, 4), at(10))
    assert plan.unverified == ()
    # Audible's own move went on past our write: a handoff, synced at once.
    write = only_write(plan)
    assert (write.target, write.position_s) == (Side.ABS, 7000.0)


# --- rule 10: valid ABS values --------------------------------------------------------


def test_rule10_abs_writes_carry_valid_time_duration_and_progress() -> None:
    sync = Sync()
    short_abs = 35990.0
    sync.poll(side(1000.0, -60), side(1000.0, -60, duration=short_abs), at(0))
    # Audible reports past its own (whole-minute) runtime.
    plan = sync.poll(side(36100.0, 4), side(1000.0, -60, duration=short_abs), at(5))
    write = only_write(plan)
    assert write.duration_s == short_abs
    assert write.position_s == short_abs
    assert write.progress == 1.0


# --- rule 11: first poll --------------------------------------------------------------


def test_rule11_the_first_poll_writes_forwards_with_real_change_times() -> None:
    sync = Sync()
    write = only_write(sync.poll(side(7200.0, -30), side(3600.0, -90), at(0)))
    assert (write.target, write.position_s) == (Side.ABS, 7200.0)
    assert write.reason == "first sync: both moved; audible is newer"


def test_rule11_the_first_poll_never_moves_backwards() -> None:
    sync = Sync()
    plan = sync.poll(side(7200.0, -90), side(3600.0, -30), at(0))
    assert plan.writes == ()
    assert plan.skipped[0].reason == "first sync: not moving audible backwards"
    # Everything became the baseline.
    assert sync.poll(side(7200.0, -90), side(3600.0, -30), at(5)) == SyncPlan()


def test_rule11_the_first_poll_writes_to_a_side_without_progress() -> None:
    sync = Sync()
    write = only_write(sync.poll(side(600.0, -30), side(None), at(0)))
    assert (write.target, write.position_s) == (Side.ABS, 600.0)
    assert write.reason == "first sync: audible moved"


def test_rule11_a_first_poll_without_any_data_records_the_baseline() -> None:
    sync = Sync()
    assert sync.poll(side(None), side(None), at(0)) == SyncPlan()
    assert sync.entry.has_baseline
    write = only_write(sync.poll(side(300.0, 3), side(None), at(5)))
    assert write.reason == "audible moved"


def test_rule11_a_new_link_starts_with_a_fresh_baseline() -> None:
    sync = settled(1000.0)
    sync.item_id = "li-0002"  # the title was re-linked to another ABS item
    plan = sync.poll(side(1000.0, -60), side(200.0, 4), at(5))
    assert plan.skipped[0].reason == "first sync: not moving audible backwards"
    assert sync.entry.item_id == "li-0002"


def test_rule11_after_a_failed_first_write_later_moves_are_real_moves() -> None:
    sync = Sync()
    first = only_write(sync.poll(side(7200.0, -30), side(3600.0, -90), at(0)))
    sync.ledger.record_failed(first, at(0), "timeout")
    # The user then went back on Audible: a real move, written even backwards.
    write = only_write(sync.poll(side(1800.0, 3), side(3600.0, -90), at(5)))
    assert (write.target, write.position_s) == (Side.ABS, 1800.0)


# --- rule 13: failures and crash safety -----------------------------------------------


def test_rule13_a_failed_write_is_retried_on_the_next_poll() -> None:
    sync = settled(1000.0)
    write = only_write(sync.poll(side(3000.0, 4), side(1000.0, -60), at(5)))
    sync.ledger.record_failed(write, at(5), "HTTP 503 " + "x" * 500)
    assert sync.entry.abs.failures == 1
    assert sync.entry.abs.last_error is not None
    assert len(sync.entry.abs.last_error) == MAX_ERROR_LENGTH
    again = only_write(sync.poll(side(3000.0, 4), side(1000.0, -60), at(10)))
    assert (again.target, again.position_s, again.attempt) == (Side.ABS, 3000.0, 1)
    sync.apply(SyncPlan((again,)), at(10))
    assert sync.poll(side(3000.0, 4), side(3000.0, 10), at(15)) == SyncPlan()
    confirmed = sync.entry.abs
    assert (confirmed.failures, confirmed.last_error) == (0, None)


def test_rule13_a_failed_writes_target_moving_by_itself_wins_when_newer() -> None:
    sync = settled(1000.0)
    write = only_write(sync.poll(side(3000.0, 4), side(1000.0, -60), at(5)))
    sync.ledger.record_failed(write, at(5), "HTTP 503")
    # Meanwhile the user listened on ABS: newer than the Audible move.
    write = only_write(sync.poll(side(3000.0, 4), side(1600.0, 8), at(10)))
    assert (write.target, write.position_s) == (Side.AUDIBLE, 1600.0)
    assert sync.entry.abs.write is None


def test_rule13_a_failed_retry_keeps_the_applied_write() -> None:
    sync = settled(1000.0)
    old = side(1000.0, -60)
    sync.apply(sync.poll(old, side(4600.0, 4), at(5)), at(5))
    retry = only_write(sync.poll(old, side(4600.0, 4), at(10)))
    sync.ledger.record_failed(retry, at(10), "HTTP 502")
    record = sync.entry.audible.write
    assert record is not None
    assert (record.status, record.attempts, record.error) == (
        WriteStatus.APPLIED,
        1,
        "HTTP 502",
    )


def _two_titles(
    ledger: Ledger, first: SideState, second: SideState, now: datetime
) -> SyncPlan:
    titles = [
        TitleState("B0FIRST", "li-1", first, side(1000.0, -60)),
        TitleState("B0SECOND", "li-2", second, side(1000.0, -60)),
    ]
    return plan_sync(titles, ledger, SyncOptions(), now)


def _reload(saved: str) -> Ledger:
    return Ledger.from_dict(json.loads(saved))


def test_rule13_crash_safety_neither_repeats_nor_forgets_a_write() -> None:
    ledger = Ledger()
    baseline = side(1000.0, -60)
    _two_titles(ledger, baseline, baseline, at(0))
    # Both titles moved on Audible.
    plan = _two_titles(ledger, side(3000.0, 4), side(5000.0, 4), at(5))
    assert [w.asin for w in plan.writes] == ["B0FIRST", "B0SECOND"]
    saved = json.dumps(ledger.to_dict())  # saved after planning
    ledger.record_applied(plan.writes[0], at(5))  # the first write is made
    saved = json.dumps(ledger.to_dict())  # ... and saved
    # Crash before the second write; restart from what was saved.
    ledger = _reload(saved)
    titles = [
        TitleState("B0FIRST", "li-1", side(3000.0, 4), side(3000.0, 5)),
        TitleState("B0SECOND", "li-2", side(5000.0, 4), side(1000.0, -60)),
    ]
    plan = plan_sync(titles, ledger, SyncOptions(), at(10))
    # The first is not repeated (its echo confirms it), the second not lost.
    assert [(w.asin, w.position_s) for w in plan.writes] == [("B0SECOND", 5000.0)]
    assert plan.unverified == ()


def test_rule13_a_write_applied_but_not_recorded_is_confirmed_by_its_echo() -> None:
    ledger = Ledger()
    baseline = side(1000.0, -60)
    _two_titles(ledger, baseline, baseline, at(0))
    plan = _two_titles(ledger, side(3000.0, 4), baseline, at(5))
    saved = json.dumps(ledger.to_dict())
    assert len(plan.writes) == 1
    # The write was made, then the crash came before record_applied.
    ledger = _reload(saved)
    titles = [
        TitleState("B0FIRST", "li-1", side(3000.0, 4), side(3000.0, 5.1)),
        TitleState("B0SECOND", "li-2", baseline, baseline),
    ]
    plan = plan_sync(titles, ledger, SyncOptions(), at(10))
    assert plan == SyncPlan()
    entry = ledger.titles["B0FIRST"]
    assert (entry.last_write_target, entry.last_write_at) == (Side.ABS, at(5))
    # The cooldown started with it: ABS moving back waits.
    titles[0] = TitleState("B0FIRST", "li-1", side(3000.0, 4), side(2000.0, 12))
    plan = plan_sync(titles, ledger, SyncOptions(), at(13))
    assert plan.writes == ()
    assert plan.skipped[0].reason.startswith("cooldown: abs -> audible")


def test_rule13_a_replanned_write_applied_but_not_recorded_is_its_echo() -> None:
    sync = settled(1000.0)
    first = only_write(sync.poll(side(1000.0, -60), side(4600.0, 4), at(5)))
    sync.ledger.record_failed(first, at(5), "HTTP 503")
    saved = json.dumps(sync.ledger.to_dict())
    again = only_write(sync.poll(side(1000.0, -60), side(4600.0, 4), at(30)))
    assert again.position_s == 4600.0
    saved = json.dumps(sync.ledger.to_dict())  # saved after planning
    # Applied at 30, then the stop came before record_applied.
    sync.ledger = _reload(saved)
    assert sync.poll(side(4600.0, 30), side(4600.0, 4), at(35)) == SyncPlan()
    assert sync.entry.last_write_at == at(30)


def test_rule13_record_applied_on_a_ledger_that_missed_the_plan() -> None:
    sync = settled(1000.0)
    write = only_write(sync.poll(side(3000.0, 4), side(1000.0, -60), at(5)))
    fresh = Ledger()  # e.g. the save after planning was lost
    fresh.record_applied(write, at(5))
    entry = fresh.titles[ASIN]
    assert entry.audible.seen == write.source
    assert entry.abs.seen == write.target_before
    sync.ledger = fresh
    assert sync.poll(side(3000.0, 4), side(3000.0, 5), at(10)) == SyncPlan()


# --- ledger JSON ----------------------------------------------------------------------


def _busy_ledger() -> Ledger:
    """A ledger with every kind of record in it."""
    sync = _given_up_sync()  # a given-up write to Audible
    ledger = sync.ledger
    other = Sync(ledger=ledger, asin="B0OTHER", item_id="li-9")
    other.poll(side(1000.0, -60), side(1000.0, -60), at(0))
    write = only_write(other.poll(side(3000.0, 4), side(1000.0, -60), at(5)))
    ledger.record_failed(write, at(5), "HTTP 503")
    third = Sync(ledger=ledger, asin="B0THIRD", item_id="li-3")
    done = side(DURATION, -60, finished=True)
    third.poll(done, done, at(0))
    third.apply(third.poll(side(120.0, 30), done, at(35)), at(35))
    empty = Sync(ledger=ledger, asin="B0EMPTY", item_id="li-4")
    empty.poll(side(None, duration=None), side(None), at(0))
    return ledger


def test_ledger_json_round_trip() -> None:
    ledger = _busy_ledger()
    data = ledger.to_dict()
    assert data["version"] == LEDGER_VERSION
    text = json.dumps(data)
    rebuilt = Ledger.from_dict(json.loads(text))
    assert rebuilt == ledger
    assert json.dumps(rebuilt.to_dict()) == text


def test_ledger_reads_what_an_earlier_version_left_out() -> None:
    data = _busy_ledger().to_dict()
    for entry in data["titles"].values():
        for key in ("audible", "abs"):
            del entry[key]["held"]
            if entry[key]["write"] is not None:
                del entry[key]["write"]["tried_at"]
                del entry[key]["write"]["reason"]
    ledger = Ledger.from_dict(json.loads(json.dumps(data)))
    assert not ledger.titles[ASIN].audible.held
    assert ledger.titles["B0OTHER"].abs.write is not None
    assert ledger.titles["B0OTHER"].abs.write.reason == ""


def test_ledger_rebuilt_from_json_plans_the_same() -> None:
    ledger = _busy_ledger()
    rebuilt = _reload(json.dumps(ledger.to_dict()))
    titles = [
        TitleState(ASIN, ITEM, side(1000.0, -60), side(4600.0, 4)),
        TitleState("B0OTHER", "li-9", side(3000.0, 4), side(1000.0, -60)),
        TitleState("B0THIRD", "li-3", side(120.0, 30), side(0.0, 35)),
    ]
    assert plan_sync(titles, ledger, SyncOptions(), at(50)) == plan_sync(
        titles, rebuilt, SyncOptions(), at(50)
    )


def _corrupt(path: list[str], value: object) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(_busy_ledger().to_dict()))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["version"], LEDGER_VERSION + 1),
        (["version"], True),
        (["titles"], []),
        (["titles", ASIN], "nope"),
        (["titles", ASIN, "item_id"], None),
        (["titles", ASIN, "audible"], None),
        (["titles", ASIN, "abs"], None),
        (["titles", ASIN, "last_write_target"], "kindle"),
        (["titles", ASIN, "last_write_at"], "yesterday"),
        (["titles", ASIN, "last_write_at"], "2026-03-01T12:00:00"),  # no zone
        (["titles", ASIN, "last_write_at"], 5),
        (["titles", ASIN, "audible", "failures"], "3"),
        (["titles", ASIN, "audible", "seen", "finished"], "yes"),
        (["titles", ASIN, "audible", "seen", "position_s"], "12"),
        (["titles", ASIN, "audible", "seen", "position_s"], False),
        (["titles", ASIN, "audible", "gave_up", "source"], None),
        (["titles", ASIN, "audible", "gave_up", "planned_at"], None),
        (["titles", ASIN, "audible", "gave_up", "kind"], "rewind"),
        (["titles", ASIN, "audible", "gave_up", "status"], None),
    ],
)
def test_ledger_from_dict_rejects_what_it_cannot_trust(
    path: list[str], value: object
) -> None:
    with pytest.raises(LedgerFormatError):
        Ledger.from_dict(_corrupt(path, value))


def test_ledger_from_dict_rejects_a_non_object() -> None:
    with pytest.raises(LedgerFormatError, match="expected an object"):
        Ledger.from_dict([])  # type: ignore[arg-type]


def test_ledger_forget_starts_a_title_over() -> None:
    sync = settled(1000.0)
    sync.ledger.forget(ASIN)
    sync.ledger.forget(ASIN)  # unknown titles are fine
    assert sync.ledger.titles == {}


def test_a_recorded_write_without_a_source_position_is_never_made() -> None:
    # A record can only come from a planned write, which always has something
    # to copy; even so, absence must never be written as position 0.
    sync = settled(1000.0)
    sync.entry.abs.write = LedgerWrite(
        kind=WriteKind.POSITION,
        position_s=0.0,
        duration_s=DURATION,
        unfinish_first=False,
        source=side(None, 3),
        target_before=side(1000.0, -60),
        planned_at=at(4),
        status=WriteStatus.FAILED,
    )
    plan = sync.poll(side(1000.0, -60), side(1000.0, -60), at(5))
    assert plan.writes == ()
    assert plan.skipped[0].reason == "audible has no position to copy"


# --- inputs ---------------------------------------------------------------------------


def test_side_state_normalises_what_services_send() -> None:
    state = SideState(
        position_s=-3.0,
        duration_s=0.0,
        changed_at=datetime(2026, 3, 1, 13, 0, tzinfo=timezone(timedelta(hours=1))),
    )
    assert (state.position_s, state.duration_s, state.changed_at) == (0.0, None, T0)
    assert SideState(position_s=math.nan, duration_s=math.inf).position_s is None
    assert not SideState(position_s=math.nan).has_data
    assert SideState(finished=True).has_data
    with pytest.raises(ValueError, match="timezone-aware"):
        SideState(changed_at=datetime(2026, 3, 1, 12, 0))  # noqa: DTZ001


@pytest.mark.parametrize(
    "options",
    [
        {"threshold_s": -1.0},
        {"skew_window_s": math.nan},
        {"cooldown_s": math.inf},
        {"retry_backoff_s": -0.5},
        {"max_verify_attempts": 0},
    ],
)
def test_sync_options_reject_values_that_break_the_rules(
    options: dict[str, float],
) -> None:
    with pytest.raises(ValueError, match="must be"):
        SyncOptions(**options)  # type: ignore[arg-type]


def test_plan_sync_needs_an_aware_now_and_unique_titles() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_sync([], Ledger(), SyncOptions(), datetime(2026, 3, 1))  # noqa: DTZ001
    title = TitleState(ASIN, ITEM, side(1000.0, -60), side(1000.0, -60))
    plan = plan_sync([title, title], Ledger(), SyncOptions(), at(0))
    assert [s.reason for s in plan.skipped] == ["listed twice"]


def test_sides_and_ledger_sides() -> None:
    assert (Side.AUDIBLE.other, Side.ABS.other) == (Side.ABS, Side.AUDIBLE)
    entry = LedgerTitle(ITEM)
    assert entry.side(Side.AUDIBLE) is entry.audible
    assert entry.side(Side.ABS) is entry.abs
    assert entry.abs == LedgerSide()
    title = TitleState(ASIN, ITEM, side(1.0), None)
    assert title.side(Side.AUDIBLE) == side(1.0)
    assert title.side(Side.ABS) is None
