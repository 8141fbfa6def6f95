"""Property tests: the sync planner driven through random listening schedules.

A small simulated world holds two fake services per title, each with its own
clock, that users listen on (forwards, backwards, finishing, restarting) and
that apply the planned writes, or fail them loudly, silently (a wrong ACR) or
halfway (only the un-finish of a re-read), or stop the coordinator mid-poll.
Fetches fail, durations go missing. The ledger goes through JSON after
planning and after every applied write, like the coordinator's store does.

Handoff schedules: a user listens on one device, the sync copies it, and
the user continues on the other device within the cooldown, then back (rule
4's handoff). With trouble they keep the invariants below; without trouble
(every fetch and write works) both sides agree after every poll, so no
handoff waits for the cooldown.

Checked after every poll: writes stay within [0, duration] with a valid
progress; at most one write per title and side; only the mode's direction;
no ping-pong (a write back to the side we last wrote from needs a real move
of that side since); no position replaced by one older than the ledger knows
of. Checked at the end, after quiet polls past the cooldown: both sides agree,
unless nothing happened since the first sync (which only moves forwards) or
a given-up write is being reported.

The world avoids what no planner can tell apart, each a deliberate rule:
clocks are off by at most 25 s each (the skew window covers their
difference); users do not act in the first 90 s after a poll (a restart to the
very start then looks exactly like ABS taking only our un-finish step); and a
service records no change when nothing changed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from custom_components.audible_tracker.core.sync import (
    Ledger,
    LedgerSide,
    PlannedWrite,
    Side,
    SideState,
    SyncMode,
    SyncOptions,
    SyncPlan,
    TitleState,
    WriteKind,
    map_position,
    plan_sync,
)

EPOCH = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
POLL_S = 300.0
QUIET_POLLS = 16
# Each side's clock is off by up to this; the planner's skew window (60 s)
# covers the difference between two sides.
MAX_CLOCK_OFFSET_S = 25.0
ABS_AUTO_FINISH_S = 10.0  # ABS marks a title finished this close to the end

# Deterministic by default; SYNC_PROPERTY_EXAMPLES=5000 runs a longer, random
# search locally.
_EXTRA_EXAMPLES = int(os.environ.get("SYNC_PROPERTY_EXAMPLES", "0"))
SETTINGS = settings(
    max_examples=_EXTRA_EXAMPLES or 1000,
    deadline=None,
    derandomize=not _EXTRA_EXAMPLES,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Outcome(StrEnum):
    """What happens when the coordinator applies one write."""

    OK = "ok"
    ERROR = "error"  # the API call fails, nothing changes
    TIMEOUT = "timeout"  # the call fails but the service applied it
    SILENT = "silent"  # accepted, but does not take (a wrong ACR)
    HALF = "half"  # only the un-finish step of a re-read got through
    CRASH_BEFORE = "crash_before"  # the coordinator dies before the call
    CRASH_AFTER = "crash_after"  # ... after the call, before recording it


@dataclass
class FakeSide:
    """One service's view of one title, with its own clock."""

    side: Side
    duration: float
    offset_s: float
    position: float | None = None
    finished: bool = False
    changed_at: datetime | None = None
    # Whether the last change came from a sync write (our own echo).
    changed_by_sync: bool = False
    # Audible: whether a position write clears the finished flag (unknown, so
    # both behaviours are simulated).
    position_write_unfinishes: bool = True

    def clock(self, t: float) -> datetime:
        return EPOCH + timedelta(seconds=t + self.offset_s)

    def state(self, *, duration_known: bool = True) -> SideState:
        return SideState(
            position_s=self.position,
            duration_s=self.duration if duration_known else None,
            finished=self.finished,
            changed_at=self.changed_at,
        )

    def snapshot(self) -> tuple[float | None, bool]:
        return self.position, self.finished

    def _touch(self, t: float) -> None:
        self.changed_at = self.clock(t)
        if (
            self.side is Side.ABS
            and self.position is not None
            and self.duration - self.position < ABS_AUTO_FINISH_S
        ):
            self.finished = True

    def user(self, action: str, amount: float, t: float) -> None:
        if action == "listen":
            if self.finished:  # playing a finished book starts it again
                self.finished = False
                self.position = amount
            else:
                self.position = (self.position or 0.0) + amount
            if self.position >= self.duration:
                self.position = self.duration
                self.finished = True
        elif action == "seek":
            self.position = amount * self.duration / 4000.0
            self.finished = False
        elif action == "finish":
            self.finished = True
        else:  # restart
            self.finished = False
            self.position = amount / 100.0
        self._touch(t)

    def apply(self, write: PlannedWrite, t: float, *, half: bool = False) -> None:
        if write.kind is WriteKind.FINISHED:
            self.finished = True
        else:
            if write.unfinish_first:
                # ABS: un-finishing resets the time to 0.
                self.finished = False
                self.position = 0.0
            if not half:
                self.position = write.position_s
                if self.position_write_unfinishes:
                    self.finished = False
        self.changed_by_sync = True
        self._touch(t)


@dataclass
class FakeTitle:
    asin: str
    audible: FakeSide
    abs: FakeSide
    # A wrong ACR while users are active: Audible ignores our writes silently.
    wrong_acr: bool = False
    # Real changes by a user: (true time, side, the side's own change time).
    moves: list[tuple[float, Side, datetime]] = field(default_factory=list)
    # Per side: the state the last poll saw, and the change times of the
    # users' changes polls have seen (what the ledger can know).
    observed: dict[Side, tuple[float | None, bool]] = field(default_factory=dict)
    # Per side: what it said before our last write. Saying that again is, by
    # rule 9, indistinguishable from the write not taking (or a stale player
    # pushing its old place), so it is not a change the ledger can know.
    pre_write: dict[Side, tuple[float | None, bool] | None] = field(
        default_factory=dict
    )
    known_changes: dict[Side, list[datetime]] = field(
        default_factory=lambda: {Side.AUDIBLE: [], Side.ABS: []}
    )
    # The polls that saw such a change.
    moves_seen_at: list[float] = field(default_factory=list)
    # Per side: the last write recorded as applied (it may not have taken).
    written: dict[Side, PlannedWrite] = field(default_factory=dict)
    # Handoff schedules: the device the user listens on now.
    device: Side = Side.AUDIBLE

    def side(self, side: Side) -> FakeSide:
        return self.audible if side is Side.AUDIBLE else self.abs


def _really_changed(
    before: tuple[float | None, bool], after: tuple[float | None, bool]
) -> bool:
    (old_position, old_finished), (new_position, new_finished) = before, after
    if old_finished != new_finished:
        return True
    if old_position is None or new_position is None:
        return old_position != new_position
    return abs(old_position - new_position) > 0


def _observably_changed(
    before: tuple[float | None, bool],
    after: tuple[float | None, bool],
    threshold: float,
) -> bool:
    (old_position, old_finished), (new_position, new_finished) = before, after
    if old_finished or new_finished:
        return old_finished != new_finished
    if old_position is None or new_position is None:
        return old_position != new_position
    return abs(old_position - new_position) > threshold


def _shows(
    write: PlannedWrite, state: tuple[float | None, bool], threshold: float
) -> bool:
    position, finished = state
    if write.kind is WriteKind.FINISHED:
        return finished
    assert write.position_s is not None
    return position is not None and abs(position - write.position_s) <= threshold


def _agree(title: FakeTitle, threshold: float) -> bool:
    audible, abs_ = title.audible, title.abs
    if audible.finished and abs_.finished:
        return True
    if audible.position is None or abs_.position is None:
        return audible.position is None and abs_.position is None
    # Sides agree within the threshold, and either may then drift within the
    # threshold of its own baseline without that being a move (rule 1): up to
    # three thresholds apart. The planner compares in the target's timeline,
    # so either timeline may apply.
    tolerance = 3 * threshold + 1e-6
    to_abs = map_position(audible.position, audible.duration, abs_.duration)
    to_audible = map_position(abs_.position, abs_.duration, audible.duration)
    return (
        abs(to_abs - abs_.position) <= tolerance
        or abs(to_audible - audible.position) <= tolerance
    )


@st.composite
def fake_titles(draw: st.DrawFn, count: int) -> list[FakeTitle]:
    titles = []
    for index in range(count):
        minutes = draw(st.integers(min_value=10, max_value=1200))
        audible_duration = minutes * 60.0
        edition = draw(st.sampled_from(["same", "rounded", "other"]))
        if edition == "same":
            abs_duration = audible_duration
        elif edition == "rounded":  # Audible's runtime is whole minutes
            abs_duration = audible_duration + draw(st.floats(-29.0, 29.0))
        else:
            abs_duration = audible_duration * draw(st.floats(0.8, 1.25))
        sides = []
        for side, duration in (
            (Side.AUDIBLE, audible_duration),
            (Side.ABS, abs_duration),
        ):
            fake = FakeSide(
                side=side,
                duration=duration,
                offset_s=draw(st.floats(-MAX_CLOCK_OFFSET_S, MAX_CLOCK_OFFSET_S)),
                position_write_unfinishes=side is Side.ABS or draw(st.booleans()),
            )
            start = draw(st.sampled_from(["none", "position", "finished"]))
            if start != "none":
                fake.position = draw(st.floats(0.0, duration))
                fake.finished = start == "finished"
                fake.changed_at = fake.clock(-draw(st.floats(60.0, 90 * 86400.0)))
            sides.append(fake)
        titles.append(
            FakeTitle(
                f"B{index:09d}",
                sides[0],
                sides[1],
                wrong_acr=draw(st.integers(0, 7)) == 0,
            )
        )
    return titles


@st.composite
def handoff_titles(draw: st.DrawFn, count: int) -> list[FakeTitle]:
    """Long books, both sides at the same place: forwards listening never ends."""
    titles = []
    for index in range(count):
        audible_duration = 30 * 3600.0
        abs_duration = audible_duration * draw(
            st.sampled_from([1.0, 1.0002, 0.8, 1.25])
        )
        start = draw(st.none() | st.floats(0.0, 0.1))
        sides = []
        for side, duration in (
            (Side.AUDIBLE, audible_duration),
            (Side.ABS, abs_duration),
        ):
            fake = FakeSide(
                side=side,
                duration=duration,
                offset_s=draw(st.floats(-MAX_CLOCK_OFFSET_S, MAX_CLOCK_OFFSET_S)),
            )
            if start is not None:
                fake.position = start * duration
                fake.changed_at = fake.clock(-86400.0)
            sides.append(fake)
        titles.append(FakeTitle(f"H{index:09d}", sides[0], sides[1]))
    return titles


class World:
    """The simulation: fake services, a coordinator loop and the checks."""

    def __init__(
        self,
        data: st.DataObject,
        titles: list[FakeTitle],
        options: SyncOptions,
        *,
        trouble: bool = True,
    ) -> None:
        self.data = data
        self.titles = titles
        self.options = options
        # Without trouble every fetch and every write works.
        self.trouble = trouble
        self.ledger = Ledger()
        self.saved = self._save()
        self.t = 0.0
        # Per title: (target, poll time) of the last planned write.
        self.last_write: dict[str, tuple[Side, float]] = {}
        self.last_plan = SyncPlan()
        # Per title: the poll time from which the ledger has a baseline.
        self.baseline_at: dict[str, float] = {}
        # What happened, for the failure message.
        self.log: list[str] = []

    def history(self) -> str:
        return "\n".join(self.log[-80:])

    def _save(self) -> str:
        return json.dumps(self.ledger.to_dict())

    def _restore(self) -> None:
        self.ledger = Ledger.from_dict(json.loads(self.saved))

    def listen(self) -> None:
        """Users act on random titles during the next poll interval."""
        for title in self.titles:
            count = self.data.draw(st.integers(0, 2), label="actions")
            actions = []
            for _ in range(count):
                side = self.data.draw(st.sampled_from(Side), label="side")
                action = self.data.draw(
                    st.sampled_from(["listen", "listen", "seek", "finish", "restart"]),
                    label="action",
                )
                amount = self.data.draw(st.floats(30.0, 4000.0), label="amount")
                # Not right after a poll: a restart to the very start within the
                # skew window of our re-read write looks exactly like ABS taking
                # only the un-finish step (the planner then finishes the write).
                at = self.t + self.data.draw(st.floats(90.0, POLL_S - 1.0))
                actions.append((at, side, action, amount))
            for at, side, action, amount in sorted(actions):
                self._act(title, title.side(side), action, amount, at)

    def hand_off(self, actions: list[str]) -> None:
        """Users go on with a book, now and then on the other device."""
        for title in self.titles:
            if not self.data.draw(st.integers(0, 3), label="pause"):
                continue
            if self.data.draw(st.booleans(), label="switch"):
                title.device = title.device.other
            action = self.data.draw(st.sampled_from(actions), label="action")
            amount = self.data.draw(st.floats(30.0, 4000.0), label="amount")
            at = self.t + self.data.draw(st.floats(90.0, POLL_S - 1.0))
            self._act(title, title.side(title.device), action, amount, at)

    def _act(
        self, title: FakeTitle, fake: FakeSide, action: str, amount: float, at: float
    ) -> None:
        before = fake.snapshot()
        before_at = fake.changed_at
        fake.user(action, amount, at)
        self.log.append(
            f"t={at:.0f} user {action} {amount:.0f} on {title.asin}/{fake.side}: "
            f"{before} -> {fake.snapshot()} @ {fake.changed_at}"
        )
        if not _really_changed(before, fake.snapshot()):
            # Services record no change when nothing changed.
            fake.changed_at = before_at
            return
        fake.changed_by_sync = False
        assert fake.changed_at is not None
        title.moves.append((at, fake.side, fake.changed_at))

    def _title_states(self, *, active: bool) -> list[TitleState]:
        states = []
        for title in self.titles:
            # Durations go missing for a whole title at a time: with only the
            # source's missing, seconds are copied (a unit test covers that).
            active = active and self.trouble
            duration_known = not active or bool(
                self.data.draw(st.integers(0, 14), label="duration")
            )
            sides: dict[Side, SideState | None] = {}
            for side in Side:
                fake = title.side(side)
                fetched = not active or bool(
                    self.data.draw(st.integers(0, 9), label="fetch")
                )
                sides[side] = (
                    fake.state(duration_known=duration_known) if fetched else None
                )
            if all(state is not None for state in sides.values()):
                # The planner skips a title with a side missing: it learns
                # nothing about either side then.
                for side in Side:
                    self._observe(title, title.side(side))
            states.append(
                TitleState(
                    title.asin,
                    f"item-{title.asin}",
                    sides[Side.AUDIBLE],
                    sides[Side.ABS],
                )
            )
        return states

    def _observe(self, title: FakeTitle, fake: FakeSide) -> None:
        now = fake.snapshot()
        before = title.observed.get(fake.side)
        title.observed[fake.side] = now
        if fake.changed_at is None or fake.changed_by_sync:
            return
        pre_write = title.pre_write.get(fake.side)
        threshold = self.options.threshold_s
        if pre_write is not None and not _observably_changed(pre_write, now, threshold):
            return
        title.pre_write[fake.side] = None
        written = title.written.get(fake.side)
        if written is not None and _shows(written, now, threshold):
            # Showing what we wrote (maybe re-saved later) is our own value.
            return
        if before is None or _observably_changed(before, now, threshold):
            title.known_changes[fake.side].append(fake.changed_at)
            title.moves_seen_at.append(self.t)

    def poll(self, *, active: bool) -> SyncPlan:
        self.t += POLL_S
        now = EPOCH + timedelta(seconds=self.t)
        states = self._title_states(active=active)
        before = Ledger.from_dict(json.loads(self._save()))
        plan = plan_sync(states, self.ledger, self.options, now)
        self.log.append(f"t={self.t:.0f} poll sees {states}")
        self.log.extend(f"    {line}" for line in plan.describe())
        self.saved = self._save()
        self.check_plan(plan, before)
        _note_events(plan)
        for write in plan.writes:
            outcome = Outcome.OK
            active = active and self.trouble
            if (
                active
                and write.target is Side.AUDIBLE
                and self._title(write.asin).wrong_acr
            ):
                outcome = Outcome.SILENT
            # One write in four runs into trouble while users are active.
            elif active and not self.data.draw(st.integers(0, 3), label="trouble"):
                outcome = self.data.draw(
                    st.sampled_from(
                        [
                            o
                            for o in Outcome
                            if o is not Outcome.HALF or write.unfinish_first
                        ]
                    ),
                    label="outcome",
                )
            if not self.apply(write, outcome, now):
                break  # the coordinator crashed: the rest of this poll is lost
        self.last_plan = plan
        for asin, entry in self.ledger.titles.items():
            if entry.has_baseline:
                self.baseline_at.setdefault(asin, self.t)
        return plan

    def apply(self, write: PlannedWrite, outcome: Outcome, now: datetime) -> bool:
        event(f"outcome {outcome}")
        title = self._title(write.asin)
        fake = title.side(write.target)
        self.log.append(f"    {outcome}: {write.asin} -> {write.target}")
        if outcome is Outcome.CRASH_BEFORE:
            self._restore()
            return False
        if outcome in {Outcome.OK, Outcome.TIMEOUT, Outcome.CRASH_AFTER, Outcome.HALF}:
            fake.apply(write, self.t, half=outcome is Outcome.HALF)
            # What we wrote is the reference later changes are judged against.
            title.pre_write[write.target] = title.observed.get(write.target)
            title.observed[write.target] = fake.snapshot()
        if outcome is Outcome.CRASH_AFTER:
            self._restore()
            return False
        if outcome in {Outcome.OK, Outcome.SILENT}:
            title.written[write.target] = write
            self.ledger.record_applied(write, now)
            self.saved = self._save()
        else:
            self.ledger.record_failed(write, now, f"simulated {outcome}")
        return True

    def _title(self, asin: str) -> FakeTitle:
        return next(title for title in self.titles if title.asin == asin)

    def check_plan(self, plan: SyncPlan, before: Ledger) -> None:
        per_side = Counter((write.asin, write.target) for write in plan.writes)
        assert max(per_side.values(), default=0) <= 1, self.history()
        for write in plan.writes:
            title = self._title(write.asin)
            target = title.side(write.target)
            assert self.options.mode.allows(write.target)
            self.check_bounds(write, target)
            self.check_no_ping_pong(write, title)
            self.check_not_older(write, title, before)
            self.last_write[write.asin] = (write.target, self.t)

    @staticmethod
    def check_bounds(write: PlannedWrite, target: FakeSide) -> None:
        if write.kind is WriteKind.FINISHED:
            assert write.position_s is None
            assert not write.unfinish_first
            return
        assert write.position_s is not None
        assert write.duration_s == target.duration
        assert 0.0 <= write.position_s <= target.duration
        assert write.progress is not None
        assert 0.0 <= write.progress <= 1.0
        # Absence never becomes a position.
        assert write.source.position_s is not None
        assert write.unfinish_first == (write.target is Side.ABS and target.finished)

    def check_no_ping_pong(self, write: PlannedWrite, title: FakeTitle) -> None:
        previous = self.last_write.get(write.asin)
        if previous is None or previous[0] is write.target:
            return
        # We wrote to the side we now copy from: only a real move of that side
        # since then may bring it back.
        _, written_at = previous
        assert any(
            side is write.source_side and at > written_at for at, side, _ in title.moves
        ), self.history()

    def check_not_older(
        self, write: PlannedWrite, title: FakeTitle, before: Ledger
    ) -> None:
        """No position is replaced by one older than the ledger knows of.

        What the ledger can know of a side: its baseline, or the side's
        changes since, if they moved it from the baseline (rule 1: a side that
        ends up within the threshold of its baseline has not moved, whatever
        its change time says, or a player re-saving the same place would
        block, or worse, undo real moves of the other side).
        """
        if write.kind is not WriteKind.POSITION:
            return
        entry = before.titles.get(write.asin)
        record = LedgerSide() if entry is None else entry.side(write.target)
        target_changes = title.known_changes[write.target]
        if record.seen is not None and not _observably_changed(
            (record.seen.position_s, record.seen.finished),
            title.side(write.target).snapshot(),
            self.options.threshold_s,
        ):
            target_changes = [record.info_at] if record.info_at else []
        if not target_changes:
            return
        assert write.source.changed_at is not None
        skew = timedelta(seconds=self.options.skew_window_s)
        assert write.source.changed_at >= max(target_changes) - skew, self.history()

    def check_in_step(self) -> None:
        """Without trouble, every move (handoffs too) is synced by its poll."""
        for title in self.titles:
            assert _agree(title, self.options.threshold_s), (
                f"{title}\n{self.ledger.titles.get(title.asin)}\n{self.history()}"
            )

    def check_converged(self) -> None:
        given_up = {item.asin for item in self.last_plan.unverified if item.gave_up}
        for title in self.titles:
            since = self.baseline_at[title.asin]
            if title.asin in given_up or not any(
                at > since for at in title.moves_seen_at
            ):
                # No move (rule 1) since the first sync, which only moves
                # forwards: both sides may keep their own places.
                continue
            assert _agree(title, self.options.threshold_s), (
                f"{title}\n{self.ledger.titles.get(title.asin)}\n{self.history()}"
            )


def _note_events(plan: SyncPlan) -> None:
    """Show what the schedules exercise (pytest --hypothesis-show-statistics)."""
    for write in plan.writes:
        event(
            f"write {write.kind}" + (" after un-finish" if write.unfinish_first else "")
        )
        if write.attempt > 1:
            event("write retried")
    for item in plan.unverified:
        event("gave up" if item.gave_up else "did not take")
    for skipped in plan.skipped:
        event(f"held back: {skipped.reason.split(';')[0].split(':')[0]}")


def _run(data: st.DataObject, options: SyncOptions, polls: int) -> World:
    count = data.draw(st.integers(1, 3), label="titles")
    world = World(data, data.draw(fake_titles(count)), options)
    world.poll(active=True)
    for _ in range(polls):
        world.listen()
        world.poll(active=True)
    for _ in range(QUIET_POLLS):
        world.poll(active=False)
    return world


@SETTINGS
@given(data=st.data(), polls=st.integers(1, 24))
def test_random_schedules_converge_without_ping_pong(
    data: st.DataObject, polls: int
) -> None:
    world = _run(data, SyncOptions(), polls)
    world.check_converged()


@settings(SETTINGS, max_examples=_EXTRA_EXAMPLES or 200)
@given(
    data=st.data(),
    polls=st.integers(1, 12),
    mode=st.sampled_from([SyncMode.AUDIBLE_TO_ABS, SyncMode.ABS_TO_AUDIBLE]),
)
def test_one_way_modes_never_write_the_other_way(
    data: st.DataObject, polls: int, mode: SyncMode
) -> None:
    # check_plan asserts that every write goes the allowed way.
    world = _run(data, SyncOptions(mode=mode), polls)
    assert all(
        target is (Side.ABS if mode is SyncMode.AUDIBLE_TO_ABS else Side.AUDIBLE)
        for target, _ in world.last_write.values()
    )


HANDOFF_ACTIONS = ["listen", "listen", "listen", "seek", "finish", "restart"]


@settings(SETTINGS, max_examples=_EXTRA_EXAMPLES or 300)
@given(data=st.data(), polls=st.integers(1, 16))
def test_handoff_schedules_converge_without_ping_pong(
    data: st.DataObject, polls: int
) -> None:
    count = data.draw(st.integers(1, 3), label="titles")
    world = World(data, data.draw(fake_titles(count)), SyncOptions())
    world.poll(active=True)
    for _ in range(polls):
        world.hand_off(HANDOFF_ACTIONS)
        world.poll(active=True)
    for _ in range(QUIET_POLLS):
        world.poll(active=False)
    world.check_converged()


@settings(SETTINGS, max_examples=_EXTRA_EXAMPLES or 300)
@given(data=st.data(), polls=st.integers(1, 12))
def test_clean_handoffs_are_synced_by_the_next_poll(
    data: st.DataObject, polls: int
) -> None:
    count = data.draw(st.integers(1, 3), label="titles")
    world = World(data, data.draw(handoff_titles(count)), SyncOptions(), trouble=False)
    world.poll(active=True)
    for _ in range(polls):
        world.hand_off(["listen"])
        plan = world.poll(active=True)
        # The cooldown (600 s) spans two polls: nothing forwards waits for it.
        assert not [s for s in plan.skipped if s.reason.startswith("cooldown")], (
            world.history()
        )
        world.check_in_step()
    world.check_converged()
