"""Health of the two services: outages logged once, Audible's wait rules."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from .const import LOGGER
from .core.exceptions import AudibleError, AudibleRateLimitError
from .errors import reauth_on_auth_error

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

DEFAULT_RETRY_AFTER: Final = timedelta(minutes=1)
RATE_LIMITS_BEFORE_UNAVAILABLE: Final = 3


class SourceHealth:
    """Logs a source going down once, and its recovery once."""

    def __init__(self, name: str) -> None:
        """Track one source."""
        self.name = name
        self.available = True

    def failed(self, err: Exception) -> None:
        """Record a failure; log it only on the first one."""
        if self.available:
            # The type only: messages from the services can carry ids.
            LOGGER.warning(
                "%s is unavailable (%s); its entities are marked unavailable",
                self.name,
                type(err).__name__,
            )
        self.available = False

    def succeeded(self) -> None:
        """Record a success; log the recovery once."""
        if not self.available:
            LOGGER.info("%s is available again", self.name)
        self.available = True


class AudibleGuard:
    """Audible's failure rules, in one place, shared by every Audible call.

    401/403 start reauthentication; 429/503 wait for Retry-After (the data
    is kept and nothing is asked until then, writes included; after a few in
    a row Audible counts as unavailable); anything else marks Audible
    unavailable, logged once.
    """

    def __init__(self) -> None:
        """Start healthy."""
        self.health = SourceHealth("Audible")
        self.retry_at: datetime | None = None
        self._rate_limits_in_a_row = 0

    def rate_limited(self, now: datetime, err: AudibleRateLimitError) -> None:
        """Wait as long as Audible asked (a minute when it did not say)."""
        wait = timedelta(seconds=err.retry_after) if err.retry_after else None
        self.retry_at = now + (wait or DEFAULT_RETRY_AFTER)
        self._rate_limits_in_a_row += 1
        if self._rate_limits_in_a_row >= RATE_LIMITS_BEFORE_UNAVAILABLE:
            self.health.failed(err)
        LOGGER.debug("Audible asked to slow down until %s", self.retry_at)

    def waiting(self, now: datetime) -> bool:
        """Return whether Audible asked us to wait past `now`."""
        return self.retry_at is not None and now < self.retry_at

    async def call[T](
        self, now: datetime, fetch: Callable[[], Awaitable[T]]
    ) -> T | None:
        """Return what `fetch` returns, or None when it failed or must wait."""
        try:
            with reauth_on_auth_error():
                result = await fetch()
        except AudibleRateLimitError as err:
            self.rate_limited(now, err)
            return None
        except AudibleError as err:
            self.health.failed(err)
            return None
        self.retry_at = None
        self._rate_limits_in_a_row = 0
        self.health.succeeded()
        return result
