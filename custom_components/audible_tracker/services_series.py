"""Series actions: the series and their volumes, followed authors, the wishlist."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final, cast

import probatio
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.util import dt as dt_util

from .action_common import (
    ATTR_ASIN,
    ENTRY_SCHEMA,
    call_entry,
)
from .const import DOMAIN
from .core.exceptions import AudibleNotFoundError
from .errors import action_exception_handler, action_failed, invalid_call
from .series_coordinator import library_authors

if TYPE_CHECKING:
    from datetime import date

    from .core.series import SeriesView, VolumeStatus
    from .core.series.catalog import CatalogProduct
    from .core.series.overview import Overview
    from .series_coordinator import SeriesCoordinator

ATTR_SERIES_ASIN: Final = "series_asin"
ATTR_AUTHOR: Final = "author"

SERVICE_GET_SERIES: Final = "get_series"
SERVICE_GET_AUTHOR_TITLES: Final = "get_author_titles"
SERVICE_ADD_TO_WISHLIST: Final = "add_to_wishlist"
SERVICE_REMOVE_FROM_WISHLIST: Final = "remove_from_wishlist"

_ASIN: Final = re.compile(r"[A-Z0-9]{10}")

GET_SERIES_SCHEMA = ENTRY_SCHEMA.extend(
    {probatio.Optional(ATTR_ASIN): str, probatio.Optional(ATTR_SERIES_ASIN): str}
)
AUTHOR_SCHEMA = ENTRY_SCHEMA.extend({probatio.Optional(ATTR_AUTHOR): str})
WISHLIST_SCHEMA = ENTRY_SCHEMA.extend({probatio.Required(ATTR_ASIN): str})


def _asin(raw: str) -> str:
    """Return an ASIN as Audible writes it; refuse anything else."""
    asin = raw.strip().upper()
    if not _ASIN.fullmatch(asin):
        raise invalid_call("invalid_asin", asin=raw.strip()[:20])
    return asin


def _volume(status: VolumeStatus) -> dict[str, Any]:
    volume = status.volume
    found: dict[str, Any] = {
        "sequence": volume.sequence,
        "title": volume.title,
        "asin": status.asin,
        "owned": status.owned,
        "finished": status.finished,
        "percent": status.percent,
        "release_date": volume.release_date.isoformat()
        if volume.release_date
        else None,
        "in_wishlist": status.in_wishlist,
        "abs_item_id": status.abs_item_id,
    }
    if status.owned_via is not None:
        found["owned_via"] = status.owned_via
    return found


def _series(view: SeriesView) -> dict[str, Any]:
    return {
        "asin": view.series.asin,
        "title": view.series.title,
        # None: not known yet (the catalog has not answered, or a date is).
        "complete": view.complete,
        "known": view.series.known,
        "owned_count": view.owned_count,
        "missing_count": len(view.missing),
        "volumes": [_volume(status) for status in view.volumes],
    }


def _pick_series(overview: Overview, call: ServiceCall) -> list[SeriesView]:
    asin_in: str | None = call.data.get(ATTR_ASIN)
    series_in: str | None = call.data.get(ATTR_SERIES_ASIN)
    if asin_in is not None and series_in is not None:
        raise invalid_call("series_needs_one_choice")
    if series_in is not None:
        wanted = _asin(series_in)
        views = [v for v in overview.views if v.series.asin == wanted]
        if not views:
            raise invalid_call("unknown_series", series_asin=wanted)
        return views
    if asin_in is not None:
        asin = _asin(asin_in)
        views = [
            view
            for view in overview.views
            if any(
                asin in s.volume.asins or asin in {s.asin, s.owned_via}
                for s in view.volumes
            )
        ]
        if not views:
            raise invalid_call("title_in_no_series", asin=asin)
        return views
    return list(overview.views)


async def _async_get_series(call: ServiceCall) -> ServiceResponse:
    overview = call_entry(call).runtime_data.series.data
    views = _pick_series(overview, call)
    return cast("ServiceResponse", {"series": [_series(view) for view in views]})


def _title(
    product: CatalogProduct, today: date, *, owned: bool, in_wishlist: bool | None
) -> dict[str, Any]:
    series = product.series[0] if product.series else None
    return {
        "asin": product.asin,
        "title": product.title,
        "authors": list(product.authors),
        "narrators": list(product.narrators),
        "series": series.title if series is not None else None,
        "sequence": series.sequence if series is not None else None,
        "release_date": product.release_date.isoformat()
        if product.release_date
        else None,
        "released": product.release_date <= today if product.release_date else None,
        "owned": owned,
        "in_wishlist": in_wishlist,
    }


async def _async_get_author_titles(call: ServiceCall) -> ServiceResponse:
    runtime = call_entry(call).runtime_data
    series = runtime.series
    names = library_authors(runtime.library.data)
    wanted: str | None = call.data.get(ATTR_AUTHOR)
    followed = list(series.followed)
    if wanted is not None:
        wanted = _asin(wanted)
        if wanted not in followed:
            raise invalid_call("author_not_followed", author=wanted)
        followed = [wanted]
    overview = series.data
    titles = overview.author_titles or {}
    owned = runtime.library.data.titles
    today = dt_util.now().date()
    wishlist = {r.asin: r.in_wishlist for r in overview.releases}
    return cast(
        "ServiceResponse",
        {
            "authors": [
                {
                    "asin": author,
                    "name": names.get(author),
                    # None: not fetched yet.
                    "titles": None
                    if author not in titles
                    else [
                        _title(
                            product,
                            today,
                            owned=product.asin in owned,
                            in_wishlist=wishlist.get(product.asin),
                        )
                        for product in titles[author]
                    ],
                }
                for author in followed
            ]
        },
    )


async def _async_catalog_knows(series: SeriesCoordinator, asin: str) -> bool:
    """Whether Audible's catalog knows the title (cached, else asked once)."""
    if series.known_product(asin) is not None:
        return True
    series.cache.refresh.record_request(dt_util.utcnow())
    products = await series.deps.audible.get_catalog_products([asin])
    return asin in products


async def _async_read_wishlist(series: SeriesCoordinator) -> tuple[str, ...]:
    series.cache.refresh.record_request(dt_util.utcnow())
    wishlist = await series.deps.audible.get_wishlist()
    return wishlist.asins


async def _async_add_to_wishlist(call: ServiceCall) -> None:
    runtime = call_entry(call).runtime_data
    series = runtime.series
    asin = _asin(call.data[ATTR_ASIN])
    if asin in runtime.library.data.titles:
        raise invalid_call("already_owned", asin=asin)
    with action_exception_handler():
        if not await _async_catalog_knows(series, asin):
            raise invalid_call("unknown_catalog_asin", asin=asin)
        before = await _async_read_wishlist(series)
        if asin in before:
            # Already there: nothing to add, and not an error.
            await series.async_wishlist_changed(before)
            return
        try:
            series.cache.refresh.record_request(dt_util.utcnow())
            await series.deps.audible.add_to_wishlist(asin)
        except AudibleNotFoundError as err:
            raise invalid_call("unknown_catalog_asin", asin=asin) from err
        after = await _async_read_wishlist(series)
    await series.async_wishlist_changed(after)
    if asin not in after:
        raise action_failed("wishlist_not_confirmed")


async def _async_remove_from_wishlist(call: ServiceCall) -> None:
    series = call_entry(call).runtime_data.series
    asin = _asin(call.data[ATTR_ASIN])
    with action_exception_handler():
        series.cache.refresh.record_request(dt_util.utcnow())
        # Not on the wishlist (Audible's 404): nothing to remove, not an error.
        await series.deps.audible.remove_from_wishlist(asin)
        after = await _async_read_wishlist(series)
    await series.async_wishlist_changed(after)
    if asin in after:
        raise action_failed("wishlist_not_confirmed")


@callback
def async_setup_series_services(hass: HomeAssistant) -> None:
    """Register the series actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_SERIES,
        _async_get_series,
        GET_SERIES_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_AUTHOR_TITLES,
        _async_get_author_titles,
        AUTHOR_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_ADD_TO_WISHLIST, _async_add_to_wishlist, WISHLIST_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_REMOVE_FROM_WISHLIST,
        _async_remove_from_wishlist,
        WISHLIST_SCHEMA,
    )
