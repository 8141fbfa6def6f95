"""The sync planner's vocabulary: what goes in and what comes out.

The enums (`SyncMode`, `Side`, `WriteKind`, `WriteStatus`), the settings
(`SyncOptions`), what each side says about a title this poll (`SideState`,
`TitleState`) and a planning pass's result (`SyncPlan` of `PlannedWrite`,
`UnverifiedWrite` and `SkippedTitle`), plus the UTC helpers the other sync
modules share. The rules these serve are in the package docstring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


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


def as_utc(value: datetime, what: str) -> datetime:
    """Return an aware `value` in UTC; ValueError naming `what` when naive."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return value.astimezone(UTC)


def time_to_json(value: datetime | None) -> str | None:
    """Return `value` as an ISO string (None stays None)."""
    return None if value is None else value.isoformat()


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
            changed_at = as_utc(changed_at, "changed_at")
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


def _json_summary(
    record: DataclassInstance, leave_out: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Return the fields of `record`: enums as strings, times as ISO strings."""
    summary: dict[str, Any] = {}
    for field in fields(record):
        if field.name in leave_out:
            continue
        value = getattr(record, field.name)
        if isinstance(value, StrEnum):
            value = str(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        summary[field.name] = value
    return summary


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
        # The two sides' states are the ledger's business, not the summary's.
        return _json_summary(self, leave_out=("source", "target_before"))


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
        return _json_summary(self)


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
