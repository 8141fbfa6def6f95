"""What the catalog told us, kept between runs: listings, products, wishlist.

`CatalogCache` holds the parsed answers (series listings, volume details, the
followed authors' titles and the wishlist) with when each was fetched, and
the refresh planner's state. `cache_to_json` / `cache_from_json` are its
stored form; a damaged store raises `SeriesCacheFormatError` (the caller
starts afresh). No I/O, no clock: `now` and `today` are always given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from ..exceptions import SeriesCacheFormatError
from ..json_fields import Reader, get
from ..models import SeriesRef
from .catalog import CatalogProduct, SeriesEntry, SeriesListing
from .schedule import RefreshState, state_from_json, state_to_json

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

CACHE_VERSION: Final = 1
# Planner keys of followed authors (series keys are plain ASINs).
AUTHOR_PREFIX: Final = "author:"
# Details of a released title hardly change; an unreleased one's date may.
DETAILS_MAX_AGE: Final = timedelta(days=30)
UNRELEASED_DETAILS_MAX_AGE: Final = timedelta(days=1)


def author_key(author_asin: str) -> str:
    """Return the planner key of a followed author."""
    return f"{AUTHOR_PREFIX}{author_asin}"


@dataclass(slots=True)
class CatalogCache:
    """The catalog answers we hold, and when each was fetched."""

    listings: dict[str, SeriesListing] = field(default_factory=dict)
    products: dict[str, CatalogProduct] = field(default_factory=dict)
    product_fetched: dict[str, datetime] = field(default_factory=dict)
    # Followed author ASIN -> their titles' ASINs, newest first.
    authors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # None: never read (the wishlist is then unknown, not empty).
    wishlist: tuple[str, ...] | None = None
    wishlist_fetched: datetime | None = None
    refresh: RefreshState = field(default_factory=RefreshState)

    def keep_products(
        self, products: Mapping[str, CatalogProduct], now: datetime
    ) -> None:
        """Keep fetched volume details."""
        for asin, product in products.items():
            self.products[asin] = product
            self.product_fetched[asin] = now

    def referenced(self) -> set[str]:
        """Return the ASINs whose details are kept: children and author titles."""
        found = {e.asin for lst in self.listings.values() for e in lst.entries}
        for asins in self.authors.values():
            found.update(asins)
        return found

    def wanted_details(
        self, owned: Iterable[str], today: date, now: datetime
    ) -> set[str]:
        """Return the titles whose details to ask for: unknown or stale.

        Children of the cached listings and the followed authors' titles,
        except those in the user's library (`owned`), whose details the
        library already has.
        """
        wanted: set[str] = set()
        for asin in self.referenced() - set(owned):
            product = self.products.get(asin)
            fetched = self.product_fetched.get(asin)
            if product is None or fetched is None:
                wanted.add(asin)
                continue
            unreleased = product.release_date is None or product.release_date > today
            max_age = UNRELEASED_DETAILS_MAX_AGE if unreleased else DETAILS_MAX_AGE
            if now - fetched >= max_age:
                wanted.add(asin)
        return wanted

    def prune(self, series: Iterable[str], authors: Iterable[str]) -> None:
        """Forget series and authors no longer wanted, and their orphan details."""
        keep_series, keep_authors = set(series), set(authors)
        for asin in set(self.listings) - keep_series:
            del self.listings[asin]
        for asin in set(self.authors) - keep_authors:
            del self.authors[asin]
        referenced = self.referenced()
        for asin in set(self.products) - referenced:
            del self.products[asin]
            self.product_fetched.pop(asin, None)
        self.refresh.prune(
            [*keep_series, *(author_key(a) for a in keep_authors)], referenced
        )


# --- stored form ----------------------------------------------------------------


def cache_to_json(cache: CatalogCache) -> dict[str, Any]:
    """Return the JSON form of a catalog cache, versioned."""
    return {
        "version": CACHE_VERSION,
        "listings": {
            asin: {
                "title": listing.title,
                "entries": [
                    {
                        "asin": e.asin,
                        "sequence": e.sequence,
                        "sort": e.sort,
                        "title": e.title,
                    }
                    for e in listing.entries
                ],
            }
            for asin, listing in sorted(cache.listings.items())
        },
        "products": {
            asin: _product_to_json(product, cache.product_fetched.get(asin))
            for asin, product in sorted(cache.products.items())
        },
        "authors": {
            asin: list(titles) for asin, titles in sorted(cache.authors.items())
        },
        "wishlist": None if cache.wishlist is None else list(cache.wishlist),
        "wishlist_fetched": _time(cache.wishlist_fetched),
        "refresh": state_to_json(cache.refresh),
    }


def _product_to_json(
    product: CatalogProduct, fetched: datetime | None
) -> dict[str, Any]:
    return {
        "title": product.title,
        "authors": list(product.authors),
        "narrators": list(product.narrators),
        "release_date": None
        if product.release_date is None
        else product.release_date.isoformat(),
        "is_preorderable": product.is_preorderable,
        "is_podcast": product.is_podcast,
        "series": [
            {"title": s.title, "sequence": s.sequence, "asin": s.asin}
            for s in product.series
        ],
        "cover_url": product.cover_url,
        "fetched": _time(fetched),
    }


def cache_from_json(data: object) -> CatalogCache:
    """Rebuild a cache saved by `cache_to_json`; raise `SeriesCacheFormatError`."""
    reader = Reader.of(data, "catalog_cache", SeriesCacheFormatError)
    version = reader.integer("version")
    if version != CACHE_VERSION:
        raise SeriesCacheFormatError(f"unsupported catalog cache version {version}")
    listings = reader.child("listings")
    products = reader.child("products")
    authors = reader.child("authors")
    cache = CatalogCache(
        listings={
            str(asin): _listing_from_json(str(asin), listings.child(asin))
            for asin in reader.mapping("listings")
        },
        authors={
            str(asin): tuple(authors.strings(asin))
            for asin in reader.mapping("authors")
        },
        # Null: never read (unknown), an empty list: read and empty.
        wishlist=None
        if get(data, "wishlist") is None
        else tuple(reader.strings("wishlist")),
        wishlist_fetched=reader.time("wishlist_fetched"),
        refresh=state_from_json(reader.mapping("refresh")),
    )
    for asin in reader.mapping("products"):
        product_reader = products.child(asin)
        cache.products[str(asin)] = _product_from_json(str(asin), product_reader)
        if (fetched := product_reader.time("fetched")) is not None:
            cache.product_fetched[str(asin)] = fetched
    return cache


def _listing_from_json(asin: str, reader: Reader) -> SeriesListing:
    entries: list[SeriesEntry] = []
    for index, raw in enumerate(reader.items("entries")):
        entry = Reader.of(
            raw, f"{reader.where}.entries.{index}", SeriesCacheFormatError
        )
        entries.append(
            SeriesEntry(
                asin=entry.required_text("asin"),
                sequence=entry.text("sequence"),
                sort=entry.number("sort"),
                title=entry.text("title"),
            )
        )
    return SeriesListing(asin=asin, title=reader.text("title"), entries=tuple(entries))


def _product_from_json(asin: str, reader: Reader) -> CatalogProduct:
    series: list[SeriesRef] = []
    for index, raw in enumerate(reader.items("series")):
        ref = Reader.of(raw, f"{reader.where}.series.{index}", SeriesCacheFormatError)
        series.append(
            SeriesRef(
                ref.required_text("title"), ref.text("sequence"), ref.text("asin")
            )
        )
    return CatalogProduct(
        asin=asin,
        title=reader.required_text("title"),
        authors=tuple(reader.strings("authors")),
        narrators=tuple(reader.strings("narrators")),
        release_date=_day(reader, "release_date"),
        is_preorderable=reader.boolean("is_preorderable"),
        is_podcast=reader.boolean("is_podcast"),
        series=tuple(series),
        cover_url=reader.text("cover_url"),
    )


def _day(reader: Reader, key: str) -> date | None:
    raw = reader.text(key)
    try:
        return None if raw is None else date.fromisoformat(raw)
    except ValueError as err:
        raise reader.fail(key, "an ISO date") from err


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
