"""Applies the sync planner's decisions: the I/O around `core.sync`.

Builds each linked title's state from the poll, plans, writes through the API
clients, and saves the ledger after each applied write (crash safety).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .const import (
    CONF_COOLDOWN,
    CONF_DRY_RUN,
    CONF_SKEW_WINDOW,
    CONF_SYNC_MODE,
    CONF_THRESHOLD,
    LOGGER,
    with_option_defaults,
)
from .core.exceptions import (
    AbsError,
    AudibleError,
    AudibleRateLimitError,
    LedgerFormatError,
)
from .core.sync import (
    Ledger,
    PlannedWrite,
    Side,
    SideState,
    SyncMode,
    SyncOptions,
    SyncPlan,
    TitleState,
    UnverifiedWrite,
    WriteKind,
    plan_sync,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Mapping
    from datetime import datetime

    from .core.abs_api import AbsClient
    from .core.models import AbsItem, AbsProgress, AudiblePosition, AudibleTitle
    from .metadata import ContentMetadataCache
    from .runtime import TrackerDeps


def sync_options_from(options: Mapping[str, Any]) -> tuple[SyncOptions, bool]:
    """Return the planner's options and the dry-run flag from entry options."""
    merged = with_option_defaults(options)
    return (
        SyncOptions(
            mode=SyncMode(merged[CONF_SYNC_MODE]),
            threshold_s=float(merged[CONF_THRESHOLD]),
            skew_window_s=float(merged[CONF_SKEW_WINDOW]),
            cooldown_s=float(merged[CONF_COOLDOWN]),
        ),
        bool(merged[CONF_DRY_RUN]),
    )


def audible_side(title: AudibleTitle, position: AudiblePosition | None) -> SideState:
    """Return Audible's state of a title.

    The position comes from lastpositions, the finished flag from the library.
    """
    changed_at = position.last_updated if position is not None else None
    finished_at = title.finished_at if title.is_finished else None
    if finished_at is not None and (changed_at is None or finished_at > changed_at):
        changed_at = finished_at
    return SideState(
        position_s=position.position_s if position is not None else None,
        duration_s=title.runtime_s,
        finished=title.is_finished,
        changed_at=changed_at,
    )


def abs_side(item: AbsItem | None, progress: AbsProgress | None) -> SideState:
    """Return ABS's state of an item; no progress record means no position."""
    item_duration = item.duration_s if item is not None else None
    if progress is None:
        return SideState(duration_s=item_duration)
    return SideState(
        position_s=progress.current_time_s,
        duration_s=progress.duration_s or item_duration,
        finished=progress.is_finished,
        changed_at=progress.last_update,
    )


@dataclass(slots=True)
class PollView:
    """What one poll knows, for building title states."""

    titles: Mapping[str, AudibleTitle]
    abs_items: Mapping[str, AbsItem]
    links: Mapping[str, str]
    positions: Mapping[str, AudiblePosition | None]
    abs_progress: Mapping[str, AbsProgress]
    audible_fetched: bool
    abs_fetched: bool


def title_states(
    view: PollView, asins: Iterable[str], sync_disabled: set[str]
) -> list[TitleState]:
    """Build the planner's input for the linked titles among `asins`."""
    states: list[TitleState] = []
    for asin in sorted(asins):
        item_id = view.links.get(asin)
        title = view.titles.get(asin)
        if item_id is None or title is None:
            continue
        audible = (
            audible_side(title, view.positions.get(asin))
            if view.audible_fetched and asin in view.positions
            else None
        )
        abs_state = (
            abs_side(view.abs_items.get(item_id), view.abs_progress.get(item_id))
            if view.abs_fetched
            else None
        )
        states.append(
            TitleState(
                asin=asin,
                item_id=item_id,
                audible=audible,
                abs=abs_state,
                sync_enabled=asin not in sync_disabled,
            )
        )
    return states


class SyncRunner:
    """Plans and applies the sync for one config entry."""

    def __init__(
        self,
        deps: TrackerDeps,
        abs_client: AbsClient,
        options: Mapping[str, Any],
        metadata: ContentMetadataCache,
    ) -> None:
        """Load the ledger from the store.

        `abs_client` is `deps.abs_client`, known to be there: no sync without.
        `metadata` keeps the ACRs a position write needs.
        """
        self.deps = deps
        self.abs_client = abs_client
        self.metadata = metadata
        # A poll's writes and an action's write never interleave.
        self._lock = asyncio.Lock()
        self.ledger = Ledger()
        if deps.store.data.ledger:  # empty: nothing synced yet
            try:
                self.ledger = Ledger.from_dict(deps.store.data.ledger)
            except LedgerFormatError:
                LOGGER.warning("The stored sync ledger is unreadable; starting afresh")
        self.options, self.dry_run = sync_options_from(options)
        self.last_plan = SyncPlan()
        self._reported_gave_up: set[tuple[str, str]] = set()
        # Told of every applied write and every write given up (the logbook).
        self.on_event: Callable[[PlannedWrite | UnverifiedWrite], None] | None = None

    def forget_unlinked(self, linked: Collection[str]) -> None:
        """Forget every title not in `linked` (saved with the next run).

        Unlinked, ignored, in conflict or gone: a later link starts from a
        fresh baseline, and the ledger does not grow forever.
        """
        for asin in self.ledger.titles.keys() - set(linked):
            self.ledger.forget(asin)

    async def async_forget(self, asin: str) -> None:
        """Forget one title now (it is being unlinked), after any write in flight.

        Saved at once, so that a restart cannot bring it back.
        """
        async with self._lock:
            self.ledger.forget(asin)
            await self._async_save()

    def set_options(self, options: Mapping[str, Any]) -> None:
        """Apply changed options from the next poll on."""
        self.options, self.dry_run = sync_options_from(options)

    async def async_run(self, states: list[TitleState], now: datetime) -> SyncPlan:
        """Plan, then (unless dry run) apply each write and save after each."""
        async with self._lock:
            return await self._async_run(states, now)

    async def _async_run(self, states: list[TitleState], now: datetime) -> SyncPlan:
        plan = plan_sync(states, self.ledger, self.options, now)
        self.last_plan = plan
        await self._async_save()
        for line in plan.describe():
            LOGGER.debug("Sync plan%s: %s", " (dry run)" if self.dry_run else "", line)
        self._report_unverified(plan)
        self._forget_unverified_acrs(plan)
        if self.dry_run:
            return plan
        for write in plan.writes:
            if write.target is Side.AUDIBLE and self.deps.audible_guard.waiting(now):
                # Audible asked us to wait: left planned, planned again later.
                continue
            await self._async_apply(write, now)
        return plan

    async def async_push(self, write: PlannedWrite, now: datetime) -> bool:
        """Apply a write an action asked for, now.

        A failure is only reported: the sync never retries a position the
        user gave (it would rebuild it from the source side's state).
        """
        async with self._lock:
            try:
                await self._async_write(write, now)
            except (AudibleError, AbsError, ValueError) as err:
                LOGGER.info(
                    "Pushing a position failed: %s (%s)",
                    write.describe(),
                    type(err).__name__,
                )
                return False
            self.ledger.record_applied(write, now)
            await self._async_save()
            self._tell(write)
            return True

    async def _async_apply(self, write: PlannedWrite, now: datetime) -> bool:
        """Apply one write; record the outcome in the ledger and save it."""
        try:
            await self._async_write(write, now)
        except (AudibleError, AbsError, ValueError) as err:
            if isinstance(err, AudibleRateLimitError):
                self.deps.audible_guard.rate_limited(now, err)
            # The type only: service messages can carry ids.
            LOGGER.info(
                "Sync write failed, retried next poll: %s (%s)",
                write.describe(),
                type(err).__name__,
            )
            self.ledger.record_failed(write, now, type(err).__name__)
            await self._async_save()
            return False
        self.ledger.record_applied(write, now)
        await self._async_save()
        LOGGER.debug("Sync write applied: %s", write.describe())
        self._tell(write)
        return True

    def _tell(self, what: PlannedWrite | UnverifiedWrite) -> None:
        if self.on_event is not None:
            self.on_event(what)

    async def _async_write(self, write: PlannedWrite, now: datetime) -> None:
        if write.target is Side.ABS:
            if write.kind is WriteKind.FINISHED:
                await self.abs_client.mark_finished(write.item_id)
                return
            if write.unfinish_first:
                # ABS resets the time on un-finish: the position follows.
                await self.abs_client.mark_unfinished(write.item_id)
            assert write.position_s is not None  # noqa: S101 - POSITION writes carry it
            assert write.duration_s is not None  # noqa: S101
            await self.abs_client.update_progress(
                write.item_id,
                current_time_s=write.position_s,
                duration_s=write.duration_s,
            )
            return
        # Finished writes carry no duration: the title's own runtime is sent.
        audible_duration_s = write.duration_s or write.target_before.duration_s
        duration_ms = (
            round(audible_duration_s * 1000) if audible_duration_s is not None else None
        )
        if write.kind is WriteKind.FINISHED:
            await self.deps.audible.mark_finished(write.asin, duration_ms=duration_ms)
            return
        if write.unfinish_first:
            await self.deps.audible.mark_unfinished(write.asin, duration_ms=duration_ms)
        assert write.position_s is not None  # noqa: S101
        acr = await self.metadata.async_acr(write.asin, now)
        await self.deps.audible.set_last_position(
            write.asin, acr=acr, position_ms=round(write.position_s * 1000)
        )

    def _forget_unverified_acrs(self, plan: SyncPlan) -> None:
        """Fetch the ACR again for a position write Audible did not take.

        Audible answers 200 to an outdated content reference but drops the
        position: a cached one that stopped working is never right again.
        """
        for unverified in plan.unverified:
            if (
                unverified.target is Side.AUDIBLE
                and unverified.kind is WriteKind.POSITION
                and not unverified.gave_up
            ):
                self.metadata.forget_acr(unverified.asin)

    def _report_unverified(self, plan: SyncPlan) -> None:
        for unverified in plan.unverified:
            key = (unverified.asin, str(unverified.target))
            if unverified.gave_up and key not in self._reported_gave_up:
                self._reported_gave_up.add(key)
                self._tell(unverified)
                LOGGER.warning(
                    "A sync write to %s for %s did not take after %s attempts; "
                    "it is given up until the title moves again",
                    unverified.target,
                    unverified.asin,
                    unverified.attempts,
                )

    async def _async_save(self) -> None:
        ledger = self.ledger.to_dict()
        if ledger == self.deps.store.data.ledger:
            return  # a quiet poll: spare the disk (SD cards)
        self.deps.store.data.ledger = ledger
        await self.deps.store.async_save()
