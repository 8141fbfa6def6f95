"""Two-way sync of listening positions between Audible and Audiobookshelf.

Pure planning: no Home Assistant, no I/O and no clock reads (callers pass
``now``). Losing someone's place in a book is the worst thing this integration
can do, so every rule below exists to prevent it.

How the coordinator uses it, once per poll::

    plan = plan_sync(titles, ledger, options, now)  # also updates the ledger
    save(ledger.to_dict())
    for write in plan.writes:  # at most one per title, in any order
        try:
            apply(write)  # the API calls, see PlannedWrite
        except ApiError as err:
            ledger.record_failed(write, now, "short reason, no secrets")
            continue
        ledger.record_applied(write, now)
        save(ledger.to_dict())

In dry run the coordinator shows ``plan.describe()`` and applies nothing; the
planned writes then stay the same poll after poll.

API. ``plan_sync(titles, ledger, options, now) -> SyncPlan`` with
``SyncOptions`` (``mode: SyncMode``, ``threshold_s``, ``skew_window_s``,
``cooldown_s``, ``max_verify_attempts``, ``retry_backoff_s``) and a
``Ledger`` (``record_applied``, ``record_failed``, ``forget``, ``to_dict``,
``from_dict`` raising ``LedgerFormatError``). ``SyncPlan`` holds ``writes``
(``PlannedWrite``: ``target: Side``, ``kind: WriteKind``, ``position_s``,
``duration_s``, ``progress``, ``unfinish_first``, ``attempt``, ``reason``),
``unverified`` (``UnverifiedWrite``, ``gave_up`` when given up) and
``skipped`` (``SkippedTitle``: held back or not synced, and why), plus
``describe()`` and ``as_dict()`` for dry run and diagnostics.
``map_position`` is the edition mapping of rule 5.

Inputs. One ``TitleState`` per linked title: each side's ``SideState`` with its
own change time (Audible ``last_updated``, ABS ``lastUpdate``), or ``None``
when that side could not be fetched this poll. A side that has no position
(Audible ``DoesNotExist``, ABS 404) is ``SideState(position_s=None)``: it never
counts as a move and never becomes position 0, but it can be written to.

Rules (the numbers are the issue's):

1. A side *moved* when its position differs from its ledger baseline by more
   than ``threshold_s``, or its finished flag changed. A side with no data has
   not moved, and a lost position is no move. A finished side only ever
   passes on "finished", never its position.
2. One side moved: its state is written to the other side. Late, stale data
   never replaces newer data: when its change is older than the other side's
   last known change by more than the skew window, the other side's state is
   written back instead. The last known change of a side that did not move is
   its baseline's (for our own echo, the source's); a finished side that
   finished again counts with its new time, but a newer time on an unfinished
   side that did not move (a player re-saving the same place) does not, or it
   could pull the other side's real listening back.
3. Both moved: the newer change wins, each judged by its own clock; within
   ``skew_window_s`` the one further into the book wins (finished is furthest).
4. Echoes: after a write, the target reporting the written value (within the
   threshold), dated no later than our write (skew allowed), is our own echo
   and becomes its baseline; the same value set later is the side's own
   change. A title gets at most one write per poll. After a write to one
   side, a write the other way waits for ``cooldown_s``; the move behind it
   is kept and synced when the cooldown ends, if that side really moved and
   still wins.
5. Positions are clamped to ``[0, target duration]``. Durations differing by
   more than 1 % and more than 30 s (other edition, intros) map by proportion,
   otherwise seconds are copied. A position write needs the target's duration
   (ABS requires it); while it is unknown the write waits (reported in
   ``skipped``). An unknown source duration copies seconds, clamped.
6. Finished on one side is marked finished on the other (``WriteKind.FINISHED``).
   A finish beats any move of a side that was not itself restarted; only a
   restart (finished -> not finished) whose change is newer un-finishes the
   other side (a re-read). Un-finishing ABS resets it to 0, so such a write has
   ``unfinish_first``: PATCH ``{"isFinished": false}`` first, then the
   position. A target that is finished at the written position is left alone
   (ABS finishes by itself near the end), unless the source restarted.
7. ``SyncMode``: one-way modes never write the other way; a change on the
   side that is never written from becomes the baseline and, when newer, keeps
   the allowed side from overwriting it that poll. ``OFF`` plans nothing and
   leaves the ledger alone, so what happened meanwhile is synced when it is
   switched back on.
8. ``TitleState.sync_enabled=False``: skipped and forgotten, so enabling it
   again starts with a fresh baseline (rule 11).
9. Every write is verified on the next poll. A write that did not take (the
   target still reports what it said before, within the threshold; a stale
   player pushing its old place looks the same and gets the same answer) is
   listed in ``SyncPlan.unverified`` and retried after ``retry_backoff_s``,
   doubling, up to ``max_verify_attempts`` applied attempts; then it is
   given up and reported (``gave_up=True``) until a later write to that side
   is applied or confirmed. ABS showing 0 and not finished, dated by our
   write, after an ``unfinish_first`` write took only the un-finish: the
   position is written again.
10. ABS position writes carry ``position_s``, ``duration_s`` and ``progress``,
    all validated (``0 <= position_s <= duration_s``, ``0 <= progress <= 1``).
11. A title without a baseline (first poll, new link, ``item_id`` changed,
    forgotten) decides as usual with the real change times, but only writes
    forwards (no position backwards, nothing un-finished); everything else
    becomes the baseline.
12. A move held back (cooldown, unknown target duration, a side not fetched)
    does not become the baseline, so it is synced later; a side whose move
    was held back counts as moved until then, even if it goes back to where
    it was (that is still its newest change).
13. Crash safety: planning stores each planned write in the ledger, and it
    stays there until the target confirms it. Not applied (it failed, the
    coordinator stopped, dry run): the next poll plans it again from the
    ledger, once per poll, never in a tight loop. Applied but not recorded:
    the target's echo confirms it. ``record_applied`` marks it applied, which
    starts the cooldown and the verification count, so nothing is repeated.

When ``plan_sync`` changes the ledger: the states it decides on become
baselines (moved sides, and both sides of a title seen for the first time),
whether or not that needs a write; a planned write is stored; a target's echo
becomes its baseline; verification counts and given-up writes. A move that is
held back (rule 12) is not touched. Titles that are not passed in are left
alone; call ``Ledger.forget`` when a title is unlinked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from .exceptions import LedgerFormatError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

LEDGER_VERSION: Final = 1

# Rule 5: durations further apart than both of these are different editions.
DURATION_MISMATCH_RATIO: Final = 0.01
DURATION_MISMATCH_S: Final = 30.0

# Stored error texts are for diagnostics; keep them short.
MAX_ERROR_LENGTH: Final = 200


class SyncMode(StrEnum):
    """Which directions the sync writes."""

    BIDIRECTIONAL = "bidirectional"
    AUDIBLE_TO_ABS = "audible_to_abs"
    ABS_TO_AUDIBLE = "abs_to_audible"
    OFF = "off"

    def allows(self, target: Side) -> bool:
        """Return whether this mode writes to `target`."""
        if self is SyncMode.BIDIRECTIONAL:
            return True
        if self is SyncMode.AUDIBLE_TO_ABS:
            return target is Side.ABS
        if self is SyncMode.ABS_TO_AUDIBLE:
            return target is Side.AUDIBLE
        return False


class Side(StrEnum):
    """One of the two services."""

    AUDIBLE = "audible"
    ABS = "abs"

    @property
    def other(self) -> Side:
        """The opposite side."""
        return Side.ABS if self is Side.AUDIBLE else Side.AUDIBLE


class WriteKind(StrEnum):
    """What a planned write does to its target."""

    # ABS: PATCH currentTime, duration, progress (after {"isFinished": false}
    # when unfinish_first). Audible: PUT lastpositions with the title's ACR.
    POSITION = "position"
    # ABS: PATCH {"isFinished": true} and nothing else.
    # Audible: PUT 1.0/stats/events with a ManualMarkAsFinished event.
    FINISHED = "finished"


class WriteStatus(StrEnum):
    """Where a write recorded in the ledger stands."""

    PLANNED = "planned"
    APPLIED = "applied"
    FAILED = "failed"


def _as_utc(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """Sync settings (the integration's options)."""

    mode: SyncMode = SyncMode.BIDIRECTIONAL
    threshold_s: float = 5.0
    skew_window_s: float = 60.0
    cooldown_s: float = 600.0
    max_verify_attempts: int = 3
    retry_backoff_s: float = 300.0

    def __post_init__(self) -> None:
        """Reject values that would break the rules (NaN included)."""
        for name in ("threshold_s", "skew_window_s", "cooldown_s", "retry_backoff_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0")
        if self.max_verify_attempts < 1:
            raise ValueError("max_verify_attempts must be >= 1")


@dataclass(frozen=True, slots=True)
class SideState:
    """What one side says about a title this poll.

    `position_s=None` means the side has no position (never played there).
    Non-finite positions count as none and negative ones as 0; non-positive or
    non-finite durations as unknown. `changed_at` is the side's own change
    time (timezone-aware, stored as UTC); `None` counts as older than any time.
    """

    position_s: float | None = None
    duration_s: float | None = None
    finished: bool = False
    changed_at: datetime | None = None

    def __post_init__(self) -> None:
        """Normalise the values so that the planner can trust them."""
        position = self.position_s
        if position is not None:
            position = max(float(position), 0.0) if math.isfinite(position) else None
        duration = self.duration_s
        if duration is not None and not (math.isfinite(duration) and duration > 0):
            duration = None
        changed_at = self.changed_at
        if changed_at is not None:
            changed_at = _as_utc(changed_at, "changed_at")
        # Frozen: normalising in place is the documented way.
        object.__setattr__(self, "position_s", position)
        object.__setattr__(self, "duration_s", duration)
        object.__setattr__(self, "changed_at", changed_at)

    @property
    def has_data(self) -> bool:
        """Whether the side says anything: a position or a finish."""
        return self.position_s is not None or self.finished


@dataclass(frozen=True, slots=True)
class TitleState:
    """Both sides of one linked title; `None` for a side that was not fetched."""

    asin: str
    item_id: str
    audible: SideState | None
    abs: SideState | None
    sync_enabled: bool = True

    def side(self, side: Side) -> SideState | None:
        """Return the state of `side`."""
        return self.audible if side is Side.AUDIBLE else self.abs


def _format_clock(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}"


@dataclass(frozen=True, slots=True)
class PlannedWrite:
    """One write the coordinator should make.

    `position_s`, `duration_s` and `progress` are set for `WriteKind.POSITION`
    and are in the target's timeline. `source` and `target_before` are what
    the two sides said when it was planned; the ledger needs them.
    `attempt` is 1 for a new write and counts up for retries.
    """

    asin: str
    item_id: str
    target: Side
    kind: WriteKind
    reason: str
    source: SideState
    target_before: SideState
    position_s: float | None = None
    duration_s: float | None = None
    progress: float | None = None
    unfinish_first: bool = False
    attempt: int = 1

    @property
    def source_side(self) -> Side:
        """The side whose state is copied."""
        return self.target.other

    def describe(self) -> str:
        """One human-readable line for logs and diagnostics."""
        if self.kind is WriteKind.FINISHED:
            action = "mark finished"
        else:
            action = f"set position {_format_clock(self.position_s or 0.0)}"
            action += f" of {_format_clock(self.duration_s or 0.0)}"
            if self.unfinish_first:
                action = f"un-finish, then {action}"
        return f"{self.asin} -> {self.target}: {action} ({self.reason})"

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe summary for diagnostics."""
        return {
            "asin": self.asin,
            "item_id": self.item_id,
            "target": str(self.target),
            "kind": str(self.kind),
            "position_s": self.position_s,
            "duration_s": self.duration_s,
            "progress": self.progress,
            "unfinish_first": self.unfinish_first,
            "attempt": self.attempt,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class UnverifiedWrite:
    """A write the target did not confirm: it still says what it said before."""

    asin: str
    item_id: str
    target: Side
    kind: WriteKind
    position_s: float | None
    observed_position_s: float | None
    observed_finished: bool
    attempts: int
    gave_up: bool
    last_attempt_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe summary for diagnostics."""
        return {
            "asin": self.asin,
            "item_id": self.item_id,
            "target": str(self.target),
            "kind": str(self.kind),
            "position_s": self.position_s,
            "observed_position_s": self.observed_position_s,
            "observed_finished": self.observed_finished,
            "attempts": self.attempts,
            "gave_up": self.gave_up,
            "last_attempt_at": _time_to_json(self.last_attempt_at),
        }


@dataclass(frozen=True, slots=True)
class SkippedTitle:
    """A title with something to sync that was held back, and why."""

    asin: str
    reason: str


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """The result of one planning pass."""

    writes: tuple[PlannedWrite, ...] = ()
    unverified: tuple[UnverifiedWrite, ...] = ()
    skipped: tuple[SkippedTitle, ...] = ()

    def describe(self) -> list[str]:
        """Human-readable lines: the dry-run view of the plan."""
        lines = [write.describe() for write in self.writes]
        lines.extend(
            f"{item.asin} -> {item.target}: {item.kind} write did not take "
            f"after {item.attempts} attempt(s)" + ("; gave up" if item.gave_up else "")
            for item in self.unverified
        )
        lines.extend(f"{item.asin}: skipped ({item.reason})" for item in self.skipped)
        return lines

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form for diagnostics and a sensor attribute."""
        return {
            "writes": [write.as_dict() for write in self.writes],
            "unverified": [item.as_dict() for item in self.unverified],
            "skipped": [{"asin": s.asin, "reason": s.reason} for s in self.skipped],
        }


# --- positions -------------------------------------------------------------


def _editions_differ(source_duration_s: float, target_duration_s: float) -> bool:
    difference = abs(source_duration_s - target_duration_s)
    longer = max(source_duration_s, target_duration_s)
    return (
        difference > DURATION_MISMATCH_RATIO * longer
        and difference > DURATION_MISMATCH_S
    )


def map_position(
    position_s: float,
    source_duration_s: float | None,
    target_duration_s: float | None,
) -> float:
    """Map a position onto the target's timeline (rule 5).

    Proportional when both durations are known and differ by more than 1 % and
    more than 30 s, else the same seconds; never below 0 or past a known
    target duration.
    """
    position = max(position_s, 0.0)
    if (
        source_duration_s is not None
        and target_duration_s is not None
        and _editions_differ(source_duration_s, target_duration_s)
    ):
        position = position * target_duration_s / source_duration_s
    if target_duration_s is not None:
        position = min(position, target_duration_s)
    return position


def _moved(before: SideState | None, now: SideState, threshold_s: float) -> bool:
    """Rule 1: whether `now` is a change against the baseline `before`."""
    if not now.has_data:
        return False
    if before is None or not before.has_data:
        return True
    if now.finished != before.finished:
        return True
    if now.position_s is None:
        return False  # a finished side that lost its position: absence is no move
    if before.position_s is None:
        return True
    return abs(now.position_s - before.position_s) > threshold_s


def _agrees(
    source: SideState, target: SideState, threshold_s: float, *, restarted: bool
) -> bool:
    """Whether `target` already shows what `source` would write to it.

    A target finished at the source's position agrees (ABS finishes by itself
    near the end), unless the source restarted: a re-read un-finishes it.
    Without the target's duration positions cannot be compared (other
    editions): no agreement then, and the write waits for the duration.
    """
    if source.finished:
        return target.finished
    if (target.finished and restarted) or (
        source.position_s is None
        or target.position_s is None
        or target.duration_s is None
    ):
        return False
    mapped = map_position(source.position_s, source.duration_s, target.duration_s)
    return abs(target.position_s - mapped) <= threshold_s


# --- ledger ------------------------------------------------------------------


def _time_to_json(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(slots=True)
class LedgerWrite:
    """A write to one side that is not confirmed yet (or was given up)."""

    kind: WriteKind
    position_s: float | None
    duration_s: float | None
    unfinish_first: bool
    source: SideState
    target_before: SideState
    planned_at: datetime
    reason: str = ""
    status: WriteStatus = WriteStatus.PLANNED
    attempts: int = 0
    applied_at: datetime | None = None
    # When it was last applied or tried (a failed try may have half-applied).
    tried_at: datetime | None = None
    error: str | None = None
    # What the target said when we gave up on this write.
    observed: SideState | None = None

    @classmethod
    def from_planned(
        cls, write: PlannedWrite, status: WriteStatus, now: datetime
    ) -> LedgerWrite:
        """Record `write` as planned, applied or failed at `now`."""
        applied = status is WriteStatus.APPLIED
        return cls(
            kind=write.kind,
            position_s=write.position_s,
            duration_s=write.duration_s,
            unfinish_first=write.unfinish_first,
            source=write.source,
            target_before=write.target_before,
            planned_at=now,
            reason=write.reason,
            status=status,
            attempts=write.attempt if applied else write.attempt - 1,
            applied_at=now if applied else None,
            tried_at=None if status is WriteStatus.PLANNED else now,
        )

    def written_state(self) -> SideState:
        """Return the state the target was left in, had this write taken."""
        before = self.target_before
        if self.kind is WriteKind.FINISHED:
            position, finished = before.position_s, True
        else:
            position = self.position_s
            finished = before.finished and not self.unfinish_first
        return SideState(
            position_s=position,
            duration_s=before.duration_s,
            finished=finished,
            changed_at=self.tried_at or self.planned_at,
        )

    @property
    def last_done_at(self) -> datetime:
        """When this write was last planned or tried, whichever is later."""
        if self.tried_at is None:
            return self.planned_at
        return max(self.tried_at, self.planned_at)

    def matches(self, state: SideState, threshold_s: float) -> bool:
        """Whether the target shows the written value (our own echo)."""
        if self.kind is WriteKind.FINISHED:
            return state.finished
        return (
            state.position_s is not None
            and self.position_s is not None
            and abs(state.position_s - self.position_s) <= threshold_s
        )


@dataclass(slots=True)
class LedgerSide:
    """What the ledger knows about one side of a title."""

    # The baseline moves are judged against; None: none yet (rule 11).
    seen: SideState | None = None
    # When the information in `seen` really changed: for our own echo, the
    # change time of the source we copied.
    info_at: datetime | None = None
    # A move of this side was held back (rule 12): it counts as moved until
    # its state becomes the baseline, even if it returns to the baseline.
    held: bool = False
    write: LedgerWrite | None = None
    gave_up: LedgerWrite | None = None
    failures: int = 0
    last_error: str | None = None


@dataclass(slots=True)
class LedgerTitle:
    """The ledger entry of one linked title."""

    item_id: str
    audible: LedgerSide = field(default_factory=LedgerSide)
    abs: LedgerSide = field(default_factory=LedgerSide)
    last_write_target: Side | None = None
    last_write_at: datetime | None = None

    def side(self, side: Side) -> LedgerSide:
        """Return the record of `side`."""
        return self.audible if side is Side.AUDIBLE else self.abs

    @property
    def has_baseline(self) -> bool:
        """Whether both sides have a baseline (else rule 11 applies)."""
        return self.audible.seen is not None and self.abs.seen is not None

    def consume_source(self, write: PlannedWrite | LedgerWrite, target: Side) -> None:
        """Take the source state a write carried as that side's baseline."""
        source = self.side(target.other)
        source.seen = write.source
        source.info_at = write.source.changed_at


@dataclass(slots=True)
class Ledger:
    """What each side said at the last sync and what we wrote, per ASIN."""

    titles: dict[str, LedgerTitle] = field(default_factory=dict)

    def title(self, asin: str, item_id: str) -> LedgerTitle:
        """Return the entry of a link; a fresh one for a new or re-linked title."""
        entry = self.titles.get(asin)
        if entry is None or entry.item_id != item_id:
            entry = self.titles[asin] = LedgerTitle(item_id)
        return entry

    def forget(self, asin: str) -> None:
        """Drop a title (unlinked or excluded); a new link starts fresh."""
        self.titles.pop(asin, None)

    def record_applied(self, write: PlannedWrite, now: datetime) -> None:
        """Record that `write` was applied; save the ledger right after."""
        now = _as_utc(now, "now")
        entry = self.title(write.asin, write.item_id)
        target = entry.side(write.target)
        # Planning took both states as baselines already; this matters when
        # the write was planned against an older copy of the ledger.
        entry.consume_source(write, write.target)
        if target.seen is None:
            target.seen = write.target_before
            target.info_at = write.target_before.changed_at
        target.write = LedgerWrite.from_planned(write, WriteStatus.APPLIED, now)
        target.gave_up = None
        entry.last_write_target = write.target
        entry.last_write_at = now

    def record_failed(self, write: PlannedWrite, now: datetime, error: str) -> None:
        """Record that applying `write` failed; it is retried on the next poll.

        `error` is stored for diagnostics: pass a short text without secrets.
        """
        now = _as_utc(now, "now")
        entry = self.title(write.asin, write.item_id)
        target = entry.side(write.target)
        error = error[:MAX_ERROR_LENGTH]
        target.failures += 1
        target.last_error = error
        existing = target.write
        if write.attempt > 1 and existing is not None:
            # A failed retry: the applied write stays unconfirmed.
            existing.error = error
            existing.tried_at = now
            return
        failed = LedgerWrite.from_planned(write, WriteStatus.FAILED, now)
        failed.error = error
        target.write = failed

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (datetimes as ISO strings), versioned."""
        return {
            "version": LEDGER_VERSION,
            "titles": {
                asin: _title_to_json(entry) for asin, entry in self.titles.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ledger:
        """Rebuild a ledger saved by `to_dict`; raise `LedgerFormatError`."""
        reader = _Reader.of(data, "ledger")
        version = reader.integer("version")
        if version != LEDGER_VERSION:
            raise LedgerFormatError(f"unsupported ledger version {version}")
        titles = reader.mapping("titles")
        return cls(
            titles={
                str(asin): _title_from_json(_Reader.of(raw, f"titles.{asin}"))
                for asin, raw in titles.items()
            }
        )


# --- ledger JSON ---------------------------------------------------------------


def _state_to_json(state: SideState | None) -> dict[str, Any] | None:
    if state is None:
        return None
    return {
        "position_s": state.position_s,
        "duration_s": state.duration_s,
        "finished": state.finished,
        "changed_at": _time_to_json(state.changed_at),
    }


def _write_to_json(write: LedgerWrite | None) -> dict[str, Any] | None:
    if write is None:
        return None
    return {
        "kind": str(write.kind),
        "position_s": write.position_s,
        "duration_s": write.duration_s,
        "unfinish_first": write.unfinish_first,
        "source": _state_to_json(write.source),
        "target_before": _state_to_json(write.target_before),
        "planned_at": _time_to_json(write.planned_at),
        "reason": write.reason,
        "status": str(write.status),
        "attempts": write.attempts,
        "applied_at": _time_to_json(write.applied_at),
        "tried_at": _time_to_json(write.tried_at),
        "error": write.error,
        "observed": _state_to_json(write.observed),
    }


def _side_to_json(record: LedgerSide) -> dict[str, Any]:
    return {
        "seen": _state_to_json(record.seen),
        "info_at": _time_to_json(record.info_at),
        "held": record.held,
        "write": _write_to_json(record.write),
        "gave_up": _write_to_json(record.gave_up),
        "failures": record.failures,
        "last_error": record.last_error,
    }


def _title_to_json(entry: LedgerTitle) -> dict[str, Any]:
    return {
        "item_id": entry.item_id,
        "audible": _side_to_json(entry.audible),
        "abs": _side_to_json(entry.abs),
        "last_write_target": None
        if entry.last_write_target is None
        else str(entry.last_write_target),
        "last_write_at": _time_to_json(entry.last_write_at),
    }


class _Reader:
    """Typed, validating access to one JSON object of the stored ledger."""

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        self._data = data
        self._where = where

    @classmethod
    def of(cls, value: object, where: str) -> _Reader:
        if not isinstance(value, dict):
            raise LedgerFormatError(f"{where}: expected an object")
        return cls(value, where)

    def _fail(self, key: str, expected: str) -> LedgerFormatError:
        return LedgerFormatError(f"{self._where}.{key}: expected {expected}")

    def mapping(self, key: str) -> Mapping[str, Any]:
        value = self._data.get(key)
        if not isinstance(value, dict):
            raise self._fail(key, "an object")
        return value

    def optional(self, key: str) -> _Reader | None:
        value = self._data.get(key)
        return None if value is None else _Reader.of(value, f"{self._where}.{key}")

    def integer(self, key: str) -> int:
        value = self._data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "an integer")
        return value

    def boolean(self, key: str, *, default: bool | None = None) -> bool:
        value = self._data.get(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def number(self, key: str) -> float | None:
        value = self._data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(key, "a number")
        return float(value)

    def text(self, key: str) -> str | None:
        value = self._data.get(key)
        if value is None or isinstance(value, str):
            return value
        raise self._fail(key, "a string")

    def required_text(self, key: str) -> str:
        value = self.text(key)
        if value is None:
            raise self._fail(key, "a string")
        return value

    def time(self, key: str) -> datetime | None:
        value = self.text(key)
        if value is None:
            return None
        try:
            return _as_utc(datetime.fromisoformat(value), key)
        except ValueError as err:
            raise self._fail(key, "an ISO time with a zone") from err

    def required_time(self, key: str) -> datetime:
        value = self.time(key)
        if value is None:
            raise self._fail(key, "a time")
        return value

    def choice[E: StrEnum](self, key: str, enum: type[E]) -> E:
        value = self.required_text(key)
        try:
            return enum(value)
        except ValueError as err:
            raise self._fail(key, f"one of {[str(m) for m in enum]}") from err


def _state_from_json(reader: _Reader | None) -> SideState | None:
    if reader is None:
        return None
    return SideState(
        position_s=reader.number("position_s"),
        duration_s=reader.number("duration_s"),
        finished=reader.boolean("finished"),
        changed_at=reader.time("changed_at"),
    )


def _required_state(reader: _Reader, key: str) -> SideState:
    state = _state_from_json(reader.optional(key))
    if state is None:
        raise LedgerFormatError(f"{key}: expected an object")
    return state


def _write_from_json(reader: _Reader | None) -> LedgerWrite | None:
    if reader is None:
        return None
    return LedgerWrite(
        kind=reader.choice("kind", WriteKind),
        position_s=reader.number("position_s"),
        duration_s=reader.number("duration_s"),
        unfinish_first=reader.boolean("unfinish_first"),
        source=_required_state(reader, "source"),
        target_before=_required_state(reader, "target_before"),
        planned_at=reader.required_time("planned_at"),
        reason=reader.text("reason") or "",
        status=reader.choice("status", WriteStatus),
        attempts=reader.integer("attempts"),
        applied_at=reader.time("applied_at"),
        tried_at=reader.time("tried_at"),
        error=reader.text("error"),
        observed=_state_from_json(reader.optional("observed")),
    )


def _side_from_json(reader: _Reader) -> LedgerSide:
    return LedgerSide(
        seen=_state_from_json(reader.optional("seen")),
        info_at=reader.time("info_at"),
        held=reader.boolean("held", default=False),
        write=_write_from_json(reader.optional("write")),
        gave_up=_write_from_json(reader.optional("gave_up")),
        failures=reader.integer("failures"),
        last_error=reader.text("last_error"),
    )


def _title_from_json(reader: _Reader) -> LedgerTitle:
    def side(key: str) -> LedgerSide:
        side_reader = reader.optional(key)
        if side_reader is None:
            raise LedgerFormatError(f"{key}: expected an object")
        return _side_from_json(side_reader)

    target = reader.text("last_write_target")
    return LedgerTitle(
        item_id=reader.required_text("item_id"),
        audible=side("audible"),
        abs=side("abs"),
        last_write_target=None
        if target is None
        else reader.choice("last_write_target", Side),
        last_write_at=reader.time("last_write_at"),
    )


# --- planning ------------------------------------------------------------------


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
        return _moved(record.seen, state, self._options.threshold_s)

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
        elif _moved(write.target_before, state, threshold):
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
        if _agrees(source, target, threshold, restarted=self._restarted(winner)):
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
        if until is not None:
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
        if source.finished:
            return PlannedWrite(
                asin=self._title.asin,
                item_id=self._title.item_id,
                target=target_side,
                kind=WriteKind.FINISHED,
                reason=reason,
                source=source,
                target_before=target,
                attempt=attempt,
            )
        if source.position_s is None:
            # Absence never becomes position 0 (rule 1).
            return f"{source_side} has no position to copy"
        duration = target.duration_s
        if duration is None:
            return f"{target_side} duration unknown; position write waits"
        position = map_position(source.position_s, source.duration_s, duration)
        return PlannedWrite(
            asin=self._title.asin,
            item_id=self._title.item_id,
            target=target_side,
            kind=WriteKind.POSITION,
            reason=reason,
            source=source,
            target_before=target,
            position_s=position,
            duration_s=duration,
            progress=min(max(position / duration, 0.0), 1.0),
            unfinish_first=target.finished and target_side is Side.ABS,
            attempt=attempt,
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

    # -- ledger updates --

    def _take_baseline(self, side: Side) -> None:
        record = self._entry.side(side)
        state = self._states[side]
        record.seen = state
        record.info_at = state.changed_at
        record.held = False

    def _hold(self, moved: dict[Side, bool], reason: str) -> None:
        """Hold the moves back (rule 12): not consumed, and not forgotten."""
        for side in Side:
            if moved[side]:
                self._entry.side(side).held = True
        self._skip(reason)

    def _settle(self, moved: dict[Side, bool], note: str = "") -> None:
        """Nothing to write: moved sides (and missing baselines) become baselines."""
        for side in Side:
            record = self._entry.side(side)
            if moved[side] or record.seen is None:
                self._take_baseline(side)
            # Newer information supersedes an unconfirmed older write.
            record.write = None
        if note:
            self._skip(note)

    def _emit(self, write: PlannedWrite, moved: dict[Side, bool]) -> None:
        # Both sides' states become baselines now (a losing move of the target
        # is settled); the write itself lives on in the ledger until the
        # target confirms it, so a stop before it is applied loses nothing.
        for side in Side:
            record = self._entry.side(side)
            if moved[side] or record.seen is None:
                self._take_baseline(side)
            record.write = None
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
    now = _as_utc(now, "now")
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
