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

Modules: ``model`` (inputs, options and the plan), ``positions`` (edition
mapping, moves), ``ledger`` and ``ledger_codec`` (the ledger and its JSON),
``planner`` (``plan_sync``).

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
   still wins. Except a handoff (the user continued on that device): a move
   forwards from the value we wrote by more than ``threshold_s`` (or to
   finished), dated after our write by more than the skew window, is synced
   at once. A move backwards, or one that does not pass the value we wrote (a
   stale player re-saving its old place), waits.
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

from .ledger import MAX_ERROR_LENGTH, Ledger, LedgerSide, LedgerTitle, LedgerWrite
from .ledger_codec import LEDGER_VERSION
from .model import (
    PlannedWrite,
    Side,
    SideState,
    SkippedTitle,
    SyncMode,
    SyncOptions,
    SyncPlan,
    TitleState,
    UnverifiedWrite,
    WriteKind,
    WriteStatus,
)
from .planner import plan_sync
from .positions import DURATION_MISMATCH_RATIO, DURATION_MISMATCH_S, map_position
from .push import PushRejection, plan_push

__all__ = [
    "DURATION_MISMATCH_RATIO",
    "DURATION_MISMATCH_S",
    "LEDGER_VERSION",
    "MAX_ERROR_LENGTH",
    "Ledger",
    "LedgerSide",
    "LedgerTitle",
    "LedgerWrite",
    "PlannedWrite",
    "PushRejection",
    "Side",
    "SideState",
    "SkippedTitle",
    "SyncMode",
    "SyncOptions",
    "SyncPlan",
    "TitleState",
    "UnverifiedWrite",
    "WriteKind",
    "WriteStatus",
    "map_position",
    "plan_push",
    "plan_sync",
]
