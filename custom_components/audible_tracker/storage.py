"""Per-entry persistent state: manual links, ignored titles, sync ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from homeassistant.helpers.storage import Store

from .const import DOMAIN

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

STORAGE_VERSION: Final = 1
# Batches the saves of a busy poll; writes that must survive a crash save now.
SAVE_DELAY: Final = 10


@dataclass(slots=True)
class TrackerData:
    """Everything kept across restarts for one config entry."""

    manual_links: dict[str, str] = field(default_factory=dict)
    ignored: set[str] = field(default_factory=set)
    sync_disabled: set[str] = field(default_factory=set)
    # Audible content reference (ACR) per ASIN, needed to write positions.
    acr: dict[str, str] = field(default_factory=dict)
    # Exact runtime (ms) per ASIN, from the same answer as the ACR.
    runtime_ms: dict[str, int] = field(default_factory=dict)
    # The sync ledger, as the sync module serialises it: per title and side,
    # the last position seen (with that side's change time) and our writes.
    ledger: dict[str, Any] = field(default_factory=dict)
    # The ABS server and user the links and the ledger belong to.
    abs_identity: str | None = None

    def use_abs(self, url: str | None, user_id: str | None) -> bool:
        """Keep only what still holds for this ABS server and user.

        Item ids belong to a server, positions to a user: on another server
        the manual links and the ledger go; for another user on the same
        server, the ledger (its positions are someone else's). Return whether
        anything was dropped.
        """
        identity = f"{url}|{user_id}" if url else None
        previous, self.abs_identity = self.abs_identity, identity
        if previous is None or previous == identity:
            return False
        if identity is None or previous.split("|")[0] != url:
            self.manual_links.clear()
        self.ledger = {}
        return True

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the Store (JSON-safe)."""
        return {
            "manual_links": dict(self.manual_links),
            "ignored": sorted(self.ignored),
            "sync_disabled": sorted(self.sync_disabled),
            "acr": dict(self.acr),
            "runtime_ms": dict(self.runtime_ms),
            "ledger": self.ledger,
            "abs_identity": self.abs_identity,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrackerData:
        """Rebuild from the Store.

        Older stores also hold the last match result ("match"): it is left
        out. The match is rebuilt at every start anyway: the matcher needs its
        index of both libraries for every later update.
        """
        return cls(
            manual_links=dict(data.get("manual_links", {})),
            ignored=set(data.get("ignored", [])),
            sync_disabled=set(data.get("sync_disabled", [])),
            acr=dict(data.get("acr", {})),
            # Absent from stores of earlier versions: fetched again.
            runtime_ms=dict(data.get("runtime_ms", {})),
            ledger=dict(data.get("ledger", {})),
            abs_identity=data.get("abs_identity"),
        )


def entry_store(
    hass: HomeAssistant, entry_id: str, version: int, part: str | None = None
) -> Store[dict[str, Any]]:
    """Return a private Store of an entry: `.storage/audible_tracker.<entry>[.part]`.

    Private (it holds the user's library data) and written atomically.
    """
    key = f"{DOMAIN}.{entry_id}" if part is None else f"{DOMAIN}.{entry_id}.{part}"
    return Store(hass, version, key, private=True, atomic_writes=True)


class TrackerStore:
    """The Store of one config entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Bind to `.storage/audible_tracker.<entry_id>`."""
        self._store = entry_store(hass, entry_id, STORAGE_VERSION)
        self.data = TrackerData()

    async def async_load(self) -> TrackerData:
        """Load what was saved, or start empty."""
        stored = await self._store.async_load()
        self.data = TrackerData.from_dict(stored) if stored else TrackerData()
        return self.data

    async def async_save(self) -> None:
        """Save now (after a write to a service: crash safety)."""
        await self._store.async_save(self.data.to_dict())

    def async_delay_save(self) -> None:
        """Save soon, batching several changes."""
        self._store.async_delay_save(self.data.to_dict, SAVE_DELAY)

    async def async_remove(self) -> None:
        """Delete the file (the entry is being removed)."""
        await self._store.async_remove()
