"""The sync ledger: what each side said at the last sync and what we wrote.

`Ledger` holds one `LedgerTitle` per linked ASIN, with a `LedgerSide` per
side (its baseline, a held-back move, failures) and the `LedgerWrite` that
side has not confirmed yet. `plan_sync` reads and updates it; the coordinator
records what it applied or failed and saves `to_dict()`. The JSON form is in
`ledger_codec`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from .model import Side, SideState, WriteKind, WriteStatus, as_utc

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from .model import PlannedWrite

# Stored error texts are for diagnostics; keep them short.
MAX_ERROR_LENGTH: Final = 200


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
        now = as_utc(now, "now")
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
        now = as_utc(now, "now")
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
        # The codec builds this module's classes: imported when used, not above.
        from .ledger_codec import ledger_to_json  # noqa: PLC0415

        return ledger_to_json(self.titles)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ledger:
        """Rebuild a ledger saved by `to_dict`; raise `LedgerFormatError`."""
        from .ledger_codec import ledger_from_json  # noqa: PLC0415

        return cls(titles=ledger_from_json(data))
