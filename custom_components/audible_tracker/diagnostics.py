"""Diagnostics with every secret redacted."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.util import dt as dt_util

from .const import (
    CONF_ABS_ACCESS_TOKEN,
    CONF_ABS_API_KEY,
    CONF_ABS_REFRESH_TOKEN,
    CONF_ABS_URL,
    CONF_ABS_USER_ID,
    CONF_AUDIBLE_AUTH,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .runtime import AudibleTrackerConfigEntry

# Every key that can hold a token, key, cookie, serial, e-mail or account id,
# wherever it appears (async_redact_data walks nested dicts and lists).
TO_REDACT = {
    # The whole Audible login: tokens, device key, cookies, serial, customer info.
    CONF_AUDIBLE_AUTH,
    CONF_ABS_ACCESS_TOKEN,
    CONF_ABS_API_KEY,
    CONF_ABS_REFRESH_TOKEN,
    CONF_ABS_USER_ID,
    # A server address can carry a user name or an internal host name.
    CONF_ABS_URL,
    "access_token",
    "refresh_token",
    "adp_token",
    "device_private_key",
    "website_cookies",
    "store_authentication_cookie",
    "activation_bytes",
    "device_serial_number",
    "device_serial",
    "serial",
    "user_id",
    "email",
    "device_name",
    "unique_id",
    "token",
    "accessToken",
    "refreshToken",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: AudibleTrackerConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    runtime = entry.runtime_data
    library = runtime.library.data
    progress = runtime.progress.data
    match = library.match
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "library": {
            "audible_titles": len(library.titles),
            "abs_items": len(library.abs_items),
            "audible_available": library.audible_available,
            "abs_available": library.abs_available,
            "links_by_method": dict(
                Counter(link.method for link in match.links.values())
            ),
            "conflicts": {
                asin: [c.to_dict() for c in conflict.candidates]
                for asin, conflict in match.conflicts.items()
            },
            "unmatched": sorted(match.unmatched),
        },
        "progress": {
            "last_update_success": runtime.progress.last_update_success,
            "audible_available": progress.audible_available,
            "abs_available": progress.abs_available,
            "watchlist": sorted(progress.watchlist),
            "in_progress": [
                {
                    "key": book.key,
                    "position": book.position_s,
                    "duration": book.duration_s,
                    "source": book.source.value,
                }
                for book in progress.snapshot.in_progress
            ],
        },
        "store": {
            "manual_links": runtime.deps.store.data.manual_links,
            "stale_manual_links": sorted(match.stale_manual_links),
            "ignored": sorted(runtime.deps.store.data.ignored),
            "sync_disabled": sorted(runtime.deps.store.data.sync_disabled),
            "cached_content_references": len(runtime.deps.store.data.acr),
            "cached_exact_runtimes": len(runtime.deps.store.data.runtime_ms),
        },
        "sync": _sync_diagnostics(entry),
        "series": _series_diagnostics(entry),
        "realtime": (
            runtime.realtime.diagnostics() if runtime.realtime is not None else None
        ),
    }


def _series_diagnostics(entry: AudibleTrackerConfigEntry) -> dict[str, Any]:
    """Return what the catalog cache holds and its request budget."""
    series = entry.runtime_data.series
    cache = series.cache
    refresh = cache.refresh
    now = dt_util.utcnow()
    return {
        "series_total": len(series.data.views),
        "series_known": series.data.series_known,
        "cached_listings": len(cache.listings),
        "cached_products": len(cache.products),
        "followed_authors": list(series.followed),
        "wishlist_size": None if cache.wishlist is None else len(cache.wishlist),
        "wishlist_fetched": cache.wishlist_fetched.isoformat()
        if cache.wishlist_fetched
        else None,
        "requests_last_hour": len(refresh.requests),
        "budget_left": refresh.budget_left(now),
        "paused_until": refresh.paused_until.isoformat()
        if refresh.paused_until
        else None,
        "failing_series": sorted(a for a, r in refresh.series.items() if r.failures),
        "failing_details": len(refresh.details),
    }


def _sync_diagnostics(entry: AudibleTrackerConfigEntry) -> dict[str, Any] | None:
    """Return the last plan (what dry run shows) and the ledger, per title."""
    sync = entry.runtime_data.progress.sync
    if sync is None:
        return None
    return {
        "mode": sync.options.mode.value,
        "dry_run": sync.dry_run,
        "last_plan": sync.last_plan.as_dict(),
        # Positions, change times, our writes and their errors: no secrets.
        "ledger": sync.ledger.to_dict(),
    }
