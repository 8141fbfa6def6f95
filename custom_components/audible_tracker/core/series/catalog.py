"""Lenient parsing of Audible catalog answers for the series model.

Two answers are read: a series product (`GET 1.0/catalog/products/{series}`
with `relationships`), whose children of type "series" are its volumes, and
the products of volumes (`GET 1.0/catalog/products?asins=...` or one
`.../products/{asin}`). Both are read with `json_fields`: an unreadable entry
is skipped, never a whole answer; the parsers never raise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from ..audible_parse import cover_url
from ..json_fields import array, get, iso_time, number, text
from ..models import SeriesRef

# content_delivery_type / content_type values of podcasts: a podcast's
# episodes are not the volumes of a series.
_PODCAST_MARKERS: Final = frozenset(
    {"podcast", "podcastparent", "podcastepisode", "podcastseason"}
)
_SERIES: Final = "series"
_CHILD: Final = "child"
_PARENT: Final = "parent"


@dataclass(frozen=True, slots=True)
class CatalogProduct:
    """What the catalog says of one title (a volume or an edition of one)."""

    asin: str
    title: str
    authors: tuple[str, ...] = ()
    narrators: tuple[str, ...] = ()
    release_date: date | None = None
    is_preorderable: bool = False
    is_podcast: bool = False
    # The series it belongs to (from `series`, else parent relationships).
    series: tuple[SeriesRef, ...] = ()
    cover_url: str | None = None


@dataclass(frozen=True, slots=True)
class SeriesEntry:
    """One child of a series product: an edition at a position."""

    asin: str
    sequence: str | None
    sort: float | None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class SeriesListing:
    """A series product: its ASIN, title and children in catalog order."""

    asin: str
    title: str | None
    entries: tuple[SeriesEntry, ...]


def _product(data: object) -> object:
    """Return the product of a `{"product": ...}` answer, or data itself."""
    product = get(data, "product")
    return product if product is not None else data


def _is_podcast(product: object) -> bool:
    """Whether the catalog marks the product as a podcast or an episode."""
    markers = (
        text(get(product, "content_delivery_type")),
        text(get(product, "content_type")),
    )
    return any(m is not None and m.casefold() in _PODCAST_MARKERS for m in markers)


def _sort(value: object) -> float | None:
    """Return a relationship's `sort` ("3") as a number, else None."""
    position = number(value)
    return position if position is not None and position >= 0 else None


def _sequence(value: object) -> str | None:
    """Return a sequence as text; numbers sent as numbers become text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return text(value)


def _names(people: object) -> tuple[str, ...]:
    """Return the names of a list of {"asin", "name"} contributors."""
    names = (text(get(person, "name")) for person in array(people))
    return tuple(name for name in names if name is not None)


def _release_date(product: object) -> date | None:
    """Return `release_date` (a day), else the day of `publication_datetime`."""
    raw = text(get(product, "release_date"))
    if raw is not None:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    published = iso_time(get(product, "publication_datetime"))
    return published.date() if published is not None else None


def _series_refs(product: object) -> tuple[SeriesRef, ...]:
    """Return the series of a product from `series`, else its parents.

    Wishlist and some catalog answers send `series: null` and only a parent
    relationship of type "series" (recorded wishlist page).
    """
    refs: list[SeriesRef] = []
    for entry in array(get(product, "series")):
        title = text(get(entry, "title"))
        if title is not None:
            refs.append(
                SeriesRef(
                    title, _sequence(get(entry, "sequence")), text(get(entry, "asin"))
                )
            )
    if refs:
        return tuple(refs)
    for relation in array(get(product, "relationships")):
        title = text(get(relation, "title"))
        if (
            title is not None
            and get(relation, "relationship_to_product") == _PARENT
            and get(relation, "relationship_type") == _SERIES
        ):
            refs.append(
                SeriesRef(
                    title,
                    _sequence(get(relation, "sequence")),
                    text(get(relation, "asin")),
                )
            )
    return tuple(refs)


def parse_catalog_product(data: object) -> CatalogProduct | None:
    """Parse one product (bare or as `{"product": ...}`); None if unreadable."""
    product = _product(data)
    asin = text(get(product, "asin"))
    title = text(get(product, "title"))
    if asin is None or title is None:
        return None
    return CatalogProduct(
        asin=asin,
        title=title,
        authors=_names(get(product, "authors")),
        narrators=_names(get(product, "narrators")),
        release_date=_release_date(product),
        is_preorderable=get(product, "is_preorderable") is True,
        is_podcast=_is_podcast(product),
        series=_series_refs(product),
        cover_url=cover_url(get(product, "product_images")),
    )


def parse_catalog_products(data: object) -> dict[str, CatalogProduct]:
    """Parse a `{"products": [...]}` answer by ASIN; unreadable ones skipped."""
    products: dict[str, CatalogProduct] = {}
    for entry in array(get(data, "products")):
        if (product := parse_catalog_product(entry)) is not None:
            products[product.asin] = product
    return products


def parse_series_listing(data: object) -> SeriesListing | None:
    """Parse a series product into its children of type "series".

    None when it is not a series: unreadable, or a podcast (whose episodes
    are not volumes). Component children (the parts of a MultiPartBook) and
    parents are not volumes and are left out.
    """
    product = _product(data)
    asin = text(get(product, "asin"))
    if asin is None or _is_podcast(product):
        return None
    entries: list[SeriesEntry] = []
    for relation in array(get(product, "relationships")):
        child = text(get(relation, "asin"))
        if (
            child is None
            or get(relation, "relationship_to_product") != _CHILD
            or get(relation, "relationship_type") != _SERIES
            or _is_podcast(relation)
        ):
            continue
        entries.append(
            SeriesEntry(
                asin=child,
                sequence=_sequence(get(relation, "sequence")),
                sort=_sort(get(relation, "sort")),
                title=text(get(relation, "title")),
            )
        )
    return SeriesListing(
        asin=asin, title=text(get(product, "title")), entries=tuple(entries)
    )
