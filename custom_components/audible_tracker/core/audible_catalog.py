"""Audible catalog and wishlist calls, mixed into `AudibleClient`.

Every call goes through the client's one `_request`, so signing, error mapping
and Retry-After handling stay in `audible_api`. Answers are parsed with the
series parsers (`series.catalog`) and `json_fields`: an unreadable entry is
skipped, an answer without the list or product it must carry is an
`AudibleResponseError`.

Endpoints (mkb79/Audible docs, misc/external_api.rst, "Catalog" and
"Wishlist"; shapes as recorded in tests/fixtures/audible):
- GET 1.0/catalog/products/{series_asin}: a series product; its children of
  type "series" are the volumes.
- GET 1.0/catalog/products?asins=...: details of up to 50 titles a request.
- GET 1.0/catalog/products?author=...: an author's titles, newest first; the
  name search also finds namesakes, so products are kept by author ASIN.
- GET 1.0/wishlist (pages from 0, at most 50 a page), POST 1.0/wishlist
  (201 with Location), DELETE 1.0/wishlist/{asin} (204).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import httpx

from .audible_parse import COVER_SIZE
from .audible_transport import RequestRefusedError, check_asin
from .exceptions import AudibleNotFoundError, AudibleResponseError
from .json_fields import array, get, number, text
from .series.catalog import (
    parse_catalog_product,
    parse_catalog_products,
    parse_series_listing,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .audible_transport import Method, Reply
    from .series.catalog import CatalogProduct, SeriesListing

_LOGGER = logging.getLogger(__name__)

_PRODUCTS_PATH: Final = "1.0/catalog/products"
_WISHLIST_PATH: Final = "1.0/wishlist"

# A series product: its children (relationships), its title (product_desc).
_SERIES_RESPONSE_GROUPS: Final = "relationships,product_attrs,product_desc"
# Title (product_desc), authors and narrators (contributors), release date and
# pre-order (product_attrs), series (series, else parent relationships),
# product_images (media).
_PRODUCT_RESPONSE_GROUPS: Final = (
    "contributors,media,product_attrs,product_desc,relationships,series"
)
# The documented groups of the search omit relationships; series is there.
_SEARCH_RESPONSE_GROUPS: Final = "contributors,media,product_attrs,product_desc,series"
# The documented groups of the wishlist omit series: the recorded page sends
# `series: null` and a parent relationship, which the parser reads.
_WISHLIST_RESPONSE_GROUPS: Final = (
    "contributors,media,product_attrs,product_desc,relationships"
)

PRODUCTS_BATCH: Final = 50  # "asins" per request, and num_results' maximum
_AUTHOR_RESULTS: Final = 50
WISHLIST_PAGE_SIZE: Final = 50
# Safety stop should the server never signal the last page (50 titles each).
_WISHLIST_MAX_PAGES: Final = 100


@dataclass(frozen=True, slots=True)
class Wishlist:
    """The user's wishlist.

    `asins` holds every title on it, in Audible's order, even one whose
    details could not be read; `products` the details that could.
    """

    asins: tuple[str, ...] = ()
    products: Mapping[str, CatalogProduct] = field(default_factory=dict)


class AudibleCatalogMixin(ABC):
    """The catalog and wishlist calls; the class mixing it in sends requests."""

    @abstractmethod
    async def _request(
        self,
        method: Method,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        body: object = None,
    ) -> Reply:
        """Send one request; every failure is an AudibleError."""

    async def get_series_listing(self, series_asin: str) -> SeriesListing | None:
        """Return a series' children (every edition at every position).

        None when Audible does not know the ASIN (404) or it is not a series
        (a podcast). An answer without a product is an AudibleResponseError,
        so a failed load is never taken for an empty series.
        """
        check_asin(series_asin)
        try:
            reply = await self._request(
                "GET",
                f"{_PRODUCTS_PATH}/{series_asin}",
                {"response_groups": _SERIES_RESPONSE_GROUPS},
            )
        except RequestRefusedError as err:
            if err.status == httpx.codes.NOT_FOUND:
                return None
            raise
        if not isinstance(get(reply.data, "product"), dict):
            msg = "Audible sent a series without a product"
            raise AudibleResponseError(msg)
        return parse_series_listing(reply.data)

    async def get_catalog_products(
        self, asins: Iterable[str]
    ) -> dict[str, CatalogProduct]:
        """Return the details of titles, asked for 50 at a time.

        Titles Audible does not answer for, or answers unreadably, are left
        out; so are products it sends that were not asked for.
        """
        wanted = list(dict.fromkeys(asins))
        for asin in wanted:
            check_asin(asin)
        products: dict[str, CatalogProduct] = {}
        for start in range(0, len(wanted), PRODUCTS_BATCH):
            batch = wanted[start : start + PRODUCTS_BATCH]
            reply = await self._request(
                "GET",
                _PRODUCTS_PATH,
                {
                    "asins": ",".join(batch),
                    "response_groups": _PRODUCT_RESPONSE_GROUPS,
                    "image_sizes": COVER_SIZE,
                },
            )
            _require_products(reply, "catalog products")
            requested = set(batch)
            products.update(
                (asin, product)
                for asin, product in parse_catalog_products(reply.data).items()
                if asin in requested
            )
        return products

    async def search_author_titles(
        self, author_name: str, author_asin: str
    ) -> list[CatalogProduct]:
        """Return an author's 50 newest titles, newest first.

        Audible searches by name, so namesakes' titles come back too: only
        products that list `author_asin` among their authors are kept.
        """
        check_asin(author_asin)
        name = author_name.strip()
        if not name:
            msg = "author_name is required"
            raise ValueError(msg)
        reply = await self._request(
            "GET",
            _PRODUCTS_PATH,
            {
                "author": name,
                "products_sort_by": "-ReleaseDate",
                "num_results": _AUTHOR_RESULTS,
                "response_groups": _SEARCH_RESPONSE_GROUPS,
                "image_sizes": COVER_SIZE,
            },
        )
        entries = _require_products(reply, "author titles")
        titles: list[CatalogProduct] = []
        for entry in entries:
            if not _has_author(entry, author_asin):
                continue
            if (product := parse_catalog_product(entry)) is not None:
                titles.append(product)
        return titles

    async def get_wishlist(self) -> Wishlist:
        """Read the whole wishlist, 50 titles a page from page 0.

        Stops at an empty or short page, or once `total_results` titles are
        read: Audible's `total_results` can count titles no page lists (the
        recorded page says 7 and lists 5).
        """
        asins: dict[str, None] = {}
        products: dict[str, CatalogProduct] = {}
        for page in range(_WISHLIST_MAX_PAGES):
            reply = await self._request(
                "GET",
                _WISHLIST_PATH,
                {
                    "page": page,
                    "num_results": WISHLIST_PAGE_SIZE,
                    "response_groups": _WISHLIST_RESPONSE_GROUPS,
                    "image_sizes": COVER_SIZE,
                },
            )
            entries = _require_products(reply, "wishlist")
            for entry in entries:
                if (asin := text(get(entry, "asin"))) is not None:
                    asins[asin] = None
            products.update(parse_catalog_products(reply.data))
            total = number(get(reply.data, "total_results"))
            if len(entries) < WISHLIST_PAGE_SIZE or (
                total is not None and len(asins) >= total
            ):
                break
        else:
            _LOGGER.warning(
                "Stopped reading the Audible wishlist after %s pages",
                _WISHLIST_MAX_PAGES,
            )
        return Wishlist(asins=tuple(asins), products=products)

    async def add_to_wishlist(self, asin: str) -> None:
        """Add a title to the wishlist (Audible answers 201 with a Location).

        AudibleNotFoundError when Audible refuses the ASIN (400 or 404).
        """
        check_asin(asin)
        try:
            await self._request("POST", _WISHLIST_PATH, body={"asin": asin})
        except RequestRefusedError as err:
            if err.status in {httpx.codes.BAD_REQUEST, httpx.codes.NOT_FOUND}:
                msg = f"Audible refused to add the title ({err.status})"
                raise AudibleNotFoundError(msg) from err
            raise

    async def remove_from_wishlist(self, asin: str) -> bool:
        """Remove a title from the wishlist (Audible answers 204).

        Returns False when it was not on the wishlist (Audible's 404).
        """
        check_asin(asin)
        try:
            await self._request("DELETE", f"{_WISHLIST_PATH}/{asin}")
        except RequestRefusedError as err:
            if err.status == httpx.codes.NOT_FOUND:
                return False
            raise
        return True


def _require_products(reply: Reply, what: str) -> list[object]:
    """Return the answer's `products` list; without one the answer is unusable."""
    entries = get(reply.data, "products")
    if not isinstance(entries, list):
        msg = f"Audible sent {what} without products"
        raise AudibleResponseError(msg)
    return entries


def _has_author(product: object, author_asin: str) -> bool:
    """Whether the product lists the author with this ASIN."""
    return any(
        text(get(author, "asin")) == author_asin
        for author in array(get(product, "authors"))
    )
