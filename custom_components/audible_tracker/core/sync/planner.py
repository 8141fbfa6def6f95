"""The sync planner: `plan_sync` and the per-title planner behind it.

`plan_sync` walks the linked titles of one poll and hands each title with
both sides known to a `_TitlePlanner`, which first verifies our earlier
writes (rules 4, 9, 13 of the package docstring), then decides which side's
state wins (rules 1-3, 5-7, 11, 12), and records its decisions in the ledger.
It is kept whole (a little over 500 lines): the verification and the
decision steps work on the same per-title state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .ledger import LedgerWrite
from .model import (
    PlannedWrite,
    Side,
    SkippedTitle,
    SyncMode,
    SyncPlan,
    UnverifiedWrite,
    WriteKind,
    WriteStatus,
    as_utc,
)
from .positions import agrees, map_position, moved_since, went_past

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .ledger import Ledger, LedgerTitle
    from .model import SideState, SyncOptions, TitleState


@dataclass(slots=True)
class _PlanOutput:
    writes: list[PlannedWrite] = field(default_factory=list)
    unverified: list[UnverifiedWrite] = field(default_factory=list)
    skipped: list[SkippedTitle] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Choice:
    """Whose state to sync; no winner means nothing to write (and why)."""

    winner: Side | None
    note: str


class _TitlePlanner:
    """Plans one title of one poll (both sides known)."""

    def __init__(
        self,
        *,
        title: TitleState,
        entry: LedgerTitle,
        states: dict[Side, SideState],
        options: SyncOptions,
        now: datetime,
        out: _PlanOutput,
    ) -> None:
        self._title = title
        self._entry = entry
        self._states = states
        self._options = options
        self._now = now
        self._out = out

    def run(self) -> None:
        retry: tuple[Side, LedgerWrite] | None = None
        for side in Side:
            due = self._check_write(side)
            if due is not None:
                retry = (side, due)
        self._report_given_up()
        moved = {side: self._has_moved(side) for side in Side}
        if any(moved.values()):
            self._plan_moves(moved)
        elif retry is not None:
            self._plan_retry(*retry)
        else:
            # Nothing to do; sides seen for the first time (without data)
            # become baselines.
            for side in Side:
                if self._entry.side(side).seen is None:
                    self._take_baseline(side)

    def _has_moved(self, side: Side) -> bool:
        record = self._entry.side(side)
        state = self._states[side]
        if record.held and state.has_data:
            return True
        return moved_since(record.seen, state, self._options.threshold_s)

    # -- verification (rules 4, 9, 13) --

    def _check_write(self, side: Side) -> LedgerWrite | None:
        """Judge our last write to `side`; return it when it is to be made again."""
        record = self._entry.side(side)
        write = record.write
        if write is None:
            return None
        state = self._states[side]
        threshold = self._options.threshold_s
        if self._took(write, state):
            self._confirmed(side, write)
            return None
        if self._only_unfinished(write, state):
            # ABS took the un-finish (reset to 0) but not the position: our own
            # echo, not a restart; what is left is a plain position write.
            record.seen = state
            record.info_at = write.source.changed_at
            write.target_before = state
            write.unfinish_first = False
            self._entry.last_write_target = side
            self._entry.last_write_at = write.last_done_at
        elif moved_since(write.target_before, state, threshold):
            # The side moved by itself since: that move supersedes our write.
            # Had we applied it, the side moved from what we wrote.
            if write.status is WriteStatus.APPLIED:
                record.seen = write.written_state()
                record.info_at = write.source.changed_at
            record.write = None
            return None
        if write.status is not WriteStatus.APPLIED:
            # Never applied (it failed, the coordinator stopped before, or dry
            # run): the source was taken as baseline when it was planned, so
            # the write is planned again from this record (rule 13).
            return write
        return write if self._not_taken(side, write) else None

    def _dated_by_write(self, write: LedgerWrite, state: SideState) -> bool:
        """Whether the target's last change is as old as our write (skew allowed)."""
        written_by = write.last_done_at + timedelta(seconds=self._options.skew_window_s)
        return state.changed_at is None or state.changed_at <= written_by

    def _took(self, write: LedgerWrite, state: SideState) -> bool:
        """Whether the target shows our write (rule 4: our own echo).

        It must show the written value, dated no later than our write (skew
        allowed); then a finished flag is fine too (ABS finishes by itself near
        the end, Audible may keep its flag). The same value dated later is the
        side's own change: it is handled as a move of that side, which agrees
        with what we wrote unless its finished flag says otherwise.
        """
        return write.matches(state, self._options.threshold_s) and self._dated_by_write(
            write, state
        )

    def _only_unfinished(self, write: LedgerWrite, state: SideState) -> bool:
        """Whether `state` is ABS right after taking just our un-finish step.

        Un-finishing resets ABS to 0 and dates the change when we wrote; a
        later change near 0 is the user's.
        """
        return (
            write.unfinish_first
            and not state.finished
            and state.position_s is not None
            and state.position_s <= self._options.threshold_s
            and self._dated_by_write(write, state)
        )

    def _confirmed(self, side: Side, write: LedgerWrite) -> None:
        record = self._entry.side(side)
        if write.status is not WriteStatus.APPLIED:
            # Applied, but the stop (or a timeout) came before it was recorded.
            self._entry.last_write_target = side
            self._entry.last_write_at = write.last_done_at
        record.seen = self._states[side]
        record.info_at = write.source.changed_at
        record.write = None
        record.gave_up = None
        record.failures = 0
        record.last_error = None

    def _not_taken(self, side: Side, write: LedgerWrite) -> bool:
        """Count a write that did not take; return whether a retry is due."""
        record = self._entry.side(side)
        if write.attempts >= self._options.max_verify_attempts:
            write.observed = self._states[side]
            record.gave_up = write
            record.write = None
            return False
        self._out.unverified.append(
            self._unverified(side, write, self._states[side], gave_up=False)
        )
        backoff = self._options.retry_backoff_s * 2 ** (write.attempts - 1)
        tried_at = write.tried_at or write.planned_at
        return self._now >= tried_at + timedelta(seconds=backoff)

    def _unverified(
        self, side: Side, write: LedgerWrite, observed: SideState, *, gave_up: bool
    ) -> UnverifiedWrite:
        return UnverifiedWrite(
            asin=self._title.asin,
            item_id=self._title.item_id,
            target=side,
            kind=write.kind,
            position_s=write.position_s,
            observed_position_s=observed.position_s,
            observed_finished=observed.finished,
            attempts=write.attempts,
            gave_up=gave_up,
            last_attempt_at=write.applied_at,
        )

    def _report_given_up(self) -> None:
        for side in Side:
            record = self._entry.side(side)
            given_up = record.gave_up
            if given_up is None:
                continue
            if given_up.matches(self._states[side], self._options.threshold_s):
                record.gave_up = None  # it did take in the end
                continue
            observed = given_up.observed or given_up.target_before
            self._out.unverified.append(
                self._unverified(side, given_up, observed, gave_up=True)
            )

    def _plan_retry(self, side: Side, write: LedgerWrite) -> None:
        """Make a recorded write again: not applied yet, or it did not take."""
        attempt = write.attempts + 1
        if not self._options.mode.allows(side):
            self._entry.side(side).write = None
            self._skip(f"mode {self._options.mode}: write to {side} dropped")
            return
        reason = write.reason
        if write.status is WriteStatus.APPLIED:
            reason = (
                f"retry {attempt} of {self._options.max_verify_attempts}: "
                f"the last write did not take; {reason}"
            )
        built = self._compose(side.other, reason, write.source, attempt=attempt)
        if isinstance(built, str):
            self._skip(built)
            return
        # Planned again now: its echo may be dated from now on.
        write.planned_at = self._now
        self._out.writes.append(built)

    # -- decisions (rules 1-3, 5-7, 11, 12) --

    def _plan_moves(self, moved: dict[Side, bool]) -> None:
        first = not self._entry.has_baseline
        choice = self._choose(moved, first=first)
        winner = choice.winner
        if winner is None:
            self._settle(moved, choice.note)
            return
        source = self._states[winner]
        target = self._states[winner.other]
        threshold = self._options.threshold_s
        if agrees(source, target, threshold, restarted=self._restarted(winner)):
            self._settle(moved)
            return
        built = self._compose(winner, choice.note, source)
        if isinstance(built, str):
            self._hold(moved, built)
            return
        refusal = self._refusal(built)
        if refusal is not None:
            self._settle(moved, refusal)
            return
        until = self._cooldown_until(built.target)
        if until is not None and self._handoff(built.source_side):
            built = replace(built, reason=f"{built.reason}; handoff in the cooldown")
        elif until is not None:
            self._hold(
                moved,
                f"cooldown: {built.source_side} -> {built.target} waits until "
                f"{until.isoformat()}",
            )
            return
        self._emit(built, moved)

    def _choose(self, moved: dict[Side, bool], *, first: bool) -> _Choice:
        movers = [side for side in Side if moved[side]]
        if len(movers) == 1:
            return self._choose_single(movers[0], first=first)
        return self._choose_between(first=first)

    def _choose_single(self, source: Side, *, first: bool) -> _Choice:
        target = source.other
        source_at = self._states[source].changed_at
        target_at = self._last_change(target)
        skew = timedelta(seconds=self._options.skew_window_s)
        if (
            source_at is not None
            and target_at is not None
            and source_at < target_at - skew
        ):
            # Late, stale data: the other side's state is newer and wins.
            note = f"{source} change is older than the last {target} change"
            if not self._states[target].has_data:
                return _Choice(None, f"{note}; not synced")
            return _Choice(target, f"{note}; {target} is newer")
        return _Choice(source, self._prefix(first=first) + self._what(source))

    def _last_change(self, side: Side) -> datetime | None:
        """When `side`'s state (which did not move) really changed last.

        For our own echo, the source's change time. A side that is finished
        again with a newer change time finished again: that time counts.
        Other newer change times of an unmoved side (a player re-saving the
        same place) do not, or they would block real moves of the other side.
        """
        record = self._entry.side(side)
        state = self._states[side]
        seen = record.seen
        if (
            seen is not None
            and seen.finished
            and state.finished
            and state.changed_at is not None
            and (seen.changed_at is None or state.changed_at > seen.changed_at)
        ):
            return state.changed_at
        return record.info_at

    def _choose_between(self, *, first: bool) -> _Choice:
        audible = self._states[Side.AUDIBLE]
        abs_ = self._states[Side.ABS]
        prefix = self._prefix(first=first)
        if audible.finished and abs_.finished:
            return _Choice(None, "")
        if audible.finished != abs_.finished and not first:
            done = Side.AUDIBLE if audible.finished else Side.ABS
            if not self._restarted(done.other):
                # Rule 6: a finished title is not moved backwards by a side
                # that only moved (stale data), however new its change time.
                return _Choice(done, f"{done} finished; {done.other} only moved")
        newer = self._newer()
        if newer is not None:
            return _Choice(newer, f"{prefix}both moved; {newer} is newer")
        further = self._further()
        return _Choice(
            further,
            f"{prefix}both moved within {self._options.skew_window_s:g} s; "
            f"{further} is further",
        )

    def _newer(self) -> Side | None:
        """Return the side whose change is newer beyond the skew window, if any."""
        audible_at = self._states[Side.AUDIBLE].changed_at
        abs_at = self._states[Side.ABS].changed_at
        if audible_at is None or abs_at is None:
            if audible_at is abs_at:
                return None
            return Side.ABS if audible_at is None else Side.AUDIBLE
        difference = (audible_at - abs_at).total_seconds()
        if difference > self._options.skew_window_s:
            return Side.AUDIBLE
        if difference < -self._options.skew_window_s:
            return Side.ABS
        return None

    def _further(self) -> Side:
        """Return the side further into the book (finished is furthest)."""
        audible = self._states[Side.AUDIBLE]
        abs_ = self._states[Side.ABS]

        def progress(state: SideState) -> float:
            # Both moved, so an unfinished side has a position.
            if state.finished:
                return math.inf
            return (
                -math.inf
                if state.position_s is None
                else map_position(
                    state.position_s, state.duration_s, audible.duration_s
                )
            )

        return Side.AUDIBLE if progress(audible) >= progress(abs_) else Side.ABS

    def _restarted(self, side: Side) -> bool:
        seen = self._entry.side(side).seen
        return seen is not None and seen.finished and not self._states[side].finished

    def _what(self, side: Side) -> str:
        if self._states[side].finished:
            return f"{side} finished"
        if self._restarted(side):
            return f"{side} restarted (re-read)"
        return f"{side} moved"

    @staticmethod
    def _prefix(*, first: bool) -> str:
        return "first sync: " if first else ""

    def _compose(
        self, source_side: Side, reason: str, source: SideState, *, attempt: int = 1
    ) -> PlannedWrite | str:
        """Build the write of `source` to the other side, or why it waits."""
        target_side = source_side.other
        target = self._states[target_side]
        write = PlannedWrite(
            asin=self._title.asin,
            item_id=self._title.item_id,
            target=target_side,
            kind=WriteKind.FINISHED,
            reason=reason,
            source=source,
            target_before=target,
            attempt=attempt,
        )
        if source.finished:
            return write
        if source.position_s is None:
            # Absence never becomes position 0 (rule 1).
            return f"{source_side} has no position to copy"
        duration = target.duration_s
        if duration is None:
            return f"{target_side} duration unknown; position write waits"
        position = map_position(source.position_s, source.duration_s, duration)
        return replace(
            write,
            kind=WriteKind.POSITION,
            position_s=position,
            duration_s=duration,
            progress=min(max(position / duration, 0.0), 1.0),
            unfinish_first=target.finished and target_side is Side.ABS,
        )

    def _refusal(self, write: PlannedWrite) -> str | None:
        mode = self._options.mode
        if not mode.allows(write.target):
            return f"mode {mode}: {write.source_side} changes are not written"
        before = write.target_before
        # Rule 11: a state seen for the first time has an unknown history, so
        # it may only move the other side forwards.
        first = self._entry.side(write.source_side).seen is None
        if first and write.kind is WriteKind.POSITION:
            if before.finished:
                return f"first sync: not un-finishing {write.target}"
            if (
                before.position_s is not None
                and write.position_s is not None
                and write.position_s < before.position_s
            ):
                return f"first sync: not moving {write.target} backwards"
        return None

    def _cooldown_until(self, target: Side) -> datetime | None:
        entry = self._entry
        if entry.last_write_target is not target.other or entry.last_write_at is None:
            return None
        until = entry.last_write_at + timedelta(seconds=self._options.cooldown_s)
        return until if self._now < until else None

    def _handoff(self, source: Side) -> bool:
        """Whether `source` went on past the value we wrote to it (rule 4).

        Its baseline is what we wrote once the write is confirmed or
        superseded; a write still pending means the side shows its old place
        (rule 9). Dated after our write beyond the skew window, the line rule 4
        draws for our own echo.
        """
        record = self._entry.side(source)
        written_at = self._entry.last_write_at
        changed_at = self._states[source].changed_at
        if record.write is not None or written_at is None or changed_at is None:
            return False
        skew = timedelta(seconds=self._options.skew_window_s)
        return changed_at > written_at + skew and went_past(
            record.seen, self._states[source], self._options.threshold_s
        )

    # -- ledger updates --

    def _take_baseline(self, side: Side) -> None:
        record = self._entry.side(side)
        state = self._states[side]
        record.seen = state
        record.info_at = state.changed_at
        record.held = False

    def _consume(self, moved: dict[Side, bool]) -> None:
        """Take moved sides (and missing baselines) as baselines; drop old writes."""
        for side in Side:
            record = self._entry.side(side)
            if moved[side] or record.seen is None:
                self._take_baseline(side)
            # Newer information supersedes an unconfirmed older write.
            record.write = None

    def _hold(self, moved: dict[Side, bool], reason: str) -> None:
        """Hold the moves back (rule 12): not consumed, and not forgotten."""
        for side in Side:
            if moved[side]:
                self._entry.side(side).held = True
        self._skip(reason)

    def _settle(self, moved: dict[Side, bool], note: str = "") -> None:
        """Nothing to write: moved sides (and missing baselines) become baselines."""
        self._consume(moved)
        if note:
            self._skip(note)

    def _emit(self, write: PlannedWrite, moved: dict[Side, bool]) -> None:
        # Both sides' states become baselines now (a losing move of the target
        # is settled); the write itself lives on in the ledger until the
        # target confirms it, so a stop before it is applied loses nothing.
        self._consume(moved)
        self._entry.side(write.target).write = LedgerWrite.from_planned(
            write, WriteStatus.PLANNED, self._now
        )
        self._out.writes.append(write)

    def _skip(self, reason: str) -> None:
        self._out.skipped.append(SkippedTitle(self._title.asin, reason))


def plan_sync(
    titles: Iterable[TitleState],
    ledger: Ledger,
    options: SyncOptions,
    now: datetime,
) -> SyncPlan:
    """Plan this poll's writes and update the ledger (see the module docstring)."""
    now = as_utc(now, "now")
    out = _PlanOutput()
    planned: set[str] = set()
    for title in titles:
        if options.mode is SyncMode.OFF:
            out.skipped.append(SkippedTitle(title.asin, "sync is off"))
            continue
        if title.asin in planned:
            out.skipped.append(SkippedTitle(title.asin, "listed twice"))
            continue
        planned.add(title.asin)
        if not title.sync_enabled:
            ledger.forget(title.asin)
            out.skipped.append(SkippedTitle(title.asin, "excluded from sync"))
            continue
        entry = ledger.title(title.asin, title.item_id)
        states: dict[Side, SideState] = {}
        for side in Side:
            state = title.side(side)
            if state is not None:
                states[side] = state
        missing = [str(side) for side in Side if side not in states]
        if missing:
            # Rule 1 and 12: unknown is not "no position"; nothing moves and
            # nothing is written until both sides are known again.
            out.skipped.append(
                SkippedTitle(title.asin, f"no data from {' and '.join(missing)}")
            )
            continue
        _TitlePlanner(
            title=title, entry=entry, states=states, options=options, now=now, out=out
        ).run()
    return SyncPlan(tuple(out.writes), tuple(out.unverified), tuple(out.skipped))
