"""Whether a cover can load: an unreachable one shows the entity icon instead.

The frontend shows an empty picture for an `entity_picture` it cannot load (no
internet, a blocked CDN). Each cover URL is checked once from Home Assistant,
in the background (a short HEAD through the shared session), never on a state
write; until the answer is in, the cover is shown. An unreachable one is
checked again after a while, so covers come back with the network; it is
logged once per outage.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Final

import aiohttp
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .const import LOGGER

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime

    from homeassistant.core import HomeAssistant

    from .runtime import AudibleTrackerConfigEntry

CHECK_TIMEOUT: Final = aiohttp.ClientTimeout(total=5)
RECHECK_UNREACHABLE: Final = timedelta(minutes=30)
# Only the current book's covers are checked: a handful; bounded all the same.
MAX_KNOWN: Final = 50
# Servers that refuse HEAD: asked with GET instead.
_NO_HEAD: Final = frozenset({405, 501})


class CoverCheck:
    """Remembers which cover URLs load; checks new ones in the background."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: AudibleTrackerConfigEntry,
        on_change: Callable[[], None],
    ) -> None:
        """Call `on_change` when a check changed what is known."""
        self._hass = hass
        self._entry = entry
        self._on_change = on_change
        # URL -> (loads, checked at)
        self._known: dict[str, tuple[bool, datetime]] = {}
        self._pending: set[str] = set()
        self._logged_outage = False

    def first_loading(self, urls: Iterable[str | None]) -> str | None:
        """Return the first of `urls` not known to fail (None: show the icon)."""
        now = dt_util.utcnow()
        for url in urls:
            if url is None:
                continue
            known = self._known.get(url)
            if known is None or (
                not known[0] and now - known[1] >= RECHECK_UNREACHABLE
            ):
                self._check_later(url)
            if known is None or known[0]:
                return url
        return None

    def _check_later(self, url: str) -> None:
        if url in self._pending:
            return
        self._pending.add(url)
        self._entry.async_create_background_task(
            self._hass, self._async_check(url), "audible_tracker cover check"
        )

    async def _async_check(self, url: str) -> None:
        try:
            loads = await self._async_loads(url)
        finally:
            self._pending.discard(url)
        previous = self._known.get(url)
        if len(self._known) >= MAX_KNOWN:
            self._known.clear()
        self._known[url] = (loads, dt_util.utcnow())
        if loads:
            self._logged_outage = False
        elif not self._logged_outage:
            self._logged_outage = True
            LOGGER.info("A book cover cannot be loaded; its icon is shown instead")
        if previous is None or previous[0] != loads:
            # Not now: an eager task can finish inside the state write that
            # started it, which would then overwrite this one.
            self._hass.loop.call_soon(self._on_change)

    async def _async_loads(self, url: str) -> bool:
        session = async_get_clientsession(self._hass)
        try:
            async with session.head(
                url, timeout=CHECK_TIMEOUT, allow_redirects=True
            ) as response:
                status = response.status
            if status in _NO_HEAD:
                async with session.get(url, timeout=CHECK_TIMEOUT) as response:
                    status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            LOGGER.debug("Cover check failed (%s)", type(err).__name__)
            return False
        return status < 400  # noqa: PLR2004 - HTTP error classes
