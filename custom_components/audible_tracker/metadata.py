"""Each title's content metadata: its ACR and exact runtime, fetched once, kept.

One Audible request (`get_content_metadata`) answers both: the content
reference a position write needs, and the runtime in milliseconds where the
library only has whole minutes (a book shown 100 % before its end otherwise).
Both are kept per title in the Store. They are asked for the titles that
matter (the watchlist), a few per poll, none while Audible asks us to wait;
a title whose answer failed or lacked a part is asked again later, backing off.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from .const import LOGGER
from .core.exceptions import AudibleError, AudibleRateLimitError
from .errors import reauth_on_auth_error

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .core.models import ContentMetadata
    from .runtime import TrackerDeps

# New metadata requests one poll may make (the first polls fill the cache).
REQUESTS_PER_POLL: Final = 5
FIRST_RETRY: Final = timedelta(minutes=30)
MAX_RETRY: Final = timedelta(days=1)


class ContentMetadataCache:
    """The ACR and exact runtime of each title, in the entry's Store."""

    def __init__(self, deps: TrackerDeps) -> None:
        """Use the entry's Audible client, guard and Store."""
        self.deps = deps
        # ASIN -> (failures in a row, not before); in memory: a restart retries.
        self._retry: dict[str, tuple[int, datetime]] = {}

    def runtime_ms(self) -> dict[str, int]:
        """Return the exact runtimes known, by ASIN."""
        return self.deps.store.data.runtime_ms

    def _complete(self, asin: str) -> bool:
        data = self.deps.store.data
        return asin in data.acr and asin in data.runtime_ms

    def _due(self, asin: str, now: datetime) -> bool:
        retry = self._retry.get(asin)
        return not self._complete(asin) and (retry is None or now >= retry[1])

    async def async_prefetch(self, asins: Iterable[str], now: datetime) -> None:
        """Ask for what is missing of `asins`, at most a few titles per call.

        Failures are only logged (at debug): the minutes stay in use meanwhile.
        """
        guard = self.deps.audible_guard
        due = [asin for asin in sorted(asins) if self._due(asin, now)]
        fetched = False
        for asin in due[:REQUESTS_PER_POLL]:
            if guard.waiting(now):
                break
            try:
                with reauth_on_auth_error():
                    metadata = await self.deps.audible.get_content_metadata(asin)
            except AudibleRateLimitError as err:
                guard.rate_limited(now, err)
                break
            except AudibleError as err:
                # Not worth marking Audible down: positions answer on their own.
                LOGGER.debug("Content metadata unavailable (%s)", type(err).__name__)
                self._back_off(asin, now)
                continue
            self._keep(asin, metadata, now)
            fetched = True
        if fetched:
            self.deps.store.async_delay_save()

    async def async_acr(self, asin: str, now: datetime) -> str:
        """Return the ACR a position write needs: the kept one, else asked now.

        Errors propagate: the write that needs it fails and is retried.
        """
        acr = self.deps.store.data.acr.get(asin)
        if acr is None:
            metadata = await self.deps.audible.get_content_metadata(asin)
            self._keep(asin, metadata, now)
            self.deps.store.async_delay_save()
            if metadata.acr is None:
                msg = "no content reference"
                raise AudibleError(msg)
            acr = metadata.acr
        return acr

    def forget_acr(self, asin: str) -> None:
        """Drop an ACR that stopped working; the next poll asks again (both)."""
        self.deps.store.data.acr.pop(asin, None)
        self._retry.pop(asin, None)

    def _keep(self, asin: str, metadata: ContentMetadata, now: datetime) -> None:
        data = self.deps.store.data
        if metadata.acr is not None:
            data.acr[asin] = metadata.acr
        if metadata.runtime_ms is not None:
            data.runtime_ms[asin] = metadata.runtime_ms
        if self._complete(asin):
            self._retry.pop(asin, None)
        else:
            # Audible left a part out (or does not know the title): later.
            self._back_off(asin, now)

    def _back_off(self, asin: str, now: datetime) -> None:
        failures = self._retry.get(asin, (0, now))[0] + 1
        wait = min(FIRST_RETRY * 2 ** (failures - 1), MAX_RETRY)
        self._retry[asin] = (failures, now + wait)
