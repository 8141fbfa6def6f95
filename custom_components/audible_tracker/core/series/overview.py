"""Everything the user sees of their series, built in one pass from the cache.

`build_overview` turns the catalog cache and the user's library into an
`Overview`: a view of every series they own part of, the missing volumes,
the next volume to listen to, and the releases for the calendar (volumes of
those series and new titles of followed authors). Pure and quick enough to
run in an executor after every change; no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .catalog import CatalogProduct
from .model import build_series
from .view import activity, missing_volumes, next_up, owned_series, view_series

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import date, datetime

    from ..models import AudibleTitle
    from .catalog import SeriesListing
    from .view import NextUp, SeriesGap, SeriesView, UserLibrary


@dataclass(frozen=True, slots=True)
class Release:
    """One title on the releases calendar: an all-day event on its release day."""

    asin: str
    title: str
    release_date: date
    series_title: str | None
    sequence: str | None
    authors: tuple[str, ...]
    narrators: tuple[str, ...]
    owned: bool
    in_wishlist: bool | None  # None: the wishlist is unknown
    released: bool
    from_followed_author: bool = False

    @property
    def preordered(self) -> bool:
        """Owned before it came out: a pre-order."""
        return self.owned and not self.released

    @property
    def summary(self) -> str:
        """Return "Title (Series #N)", or the title alone outside a series."""
        if self.series_title is None:
            return self.title
        if self.sequence is None:
            return f"{self.title} ({self.series_title})"
        return f"{self.title} ({self.series_title} #{self.sequence})"


@dataclass(frozen=True, slots=True)
class Overview:
    """The series the user owns part of, and what follows from them."""

    views: tuple[SeriesView, ...] = ()
    gaps: tuple[SeriesGap, ...] = ()
    next_up: NextUp | None = None
    releases: tuple[Release, ...] = ()
    # Followed author ASIN -> their titles (newest first), owned ones included.
    author_titles: Mapping[str, tuple[CatalogProduct, ...]] | None = None

    @property
    def series_known(self) -> int:
        """How many of the user's series the catalog has answered for."""
        return sum(view.series.known for view in self.views)


def library_product(title: AudibleTitle) -> CatalogProduct:
    """Return what the library says of an owned title, as catalog details."""
    return CatalogProduct(
        asin=title.asin,
        title=title.title,
        authors=title.authors,
        narrators=title.narrators,
        release_date=title.release_date,
        series=title.series,
        cover_url=title.cover_url,
    )


def build_overview(
    *,
    library: UserLibrary,
    listings: Mapping[str, SeriesListing],
    products: Mapping[str, CatalogProduct],
    authors: Mapping[str, tuple[str, ...]],
    last_listened: Mapping[str, datetime],
    today: date,
) -> Overview:
    """Build the overview.

    `listings`: cached series listings by series ASIN (a series without one
    is unknown: nothing is missing from it); `products`: cached details of
    volumes and author titles; `authors`: followed author ASIN -> their
    titles; `last_listened`: last Audible positions' times by ASIN (added to
    the library's finished and ABS times to find the book to follow).
    """
    details = dict(products)
    for asin, title in library.titles.items():
        # What the library says of owned titles wins: it is the user's edition.
        details[asin] = library_product(title)
    views = tuple(
        sorted(
            (
                view_series(
                    build_series(
                        listings.get(series_asin),
                        details,
                        asin=series_asin,
                        title=ref.title,
                    ),
                    library,
                    today,
                )
                for series_asin, ref in owned_series(library).items()
            ),
            key=lambda view: (view.series.title.casefold(), view.series.asin),
        )
    )
    recent = activity(library)
    for asin, when in last_listened.items():
        if asin not in recent or recent[asin] < when:
            recent[asin] = when
    author_titles = {
        author: tuple(details[asin] for asin in asins if asin in details)
        for author, asins in authors.items()
    }
    return Overview(
        views=views,
        gaps=tuple(missing_volumes(views)),
        next_up=next_up(views, recent),
        releases=_releases(views, author_titles.values(), library, today),
        author_titles=author_titles,
    )


def _releases(
    views: Iterable[SeriesView],
    author_titles: Iterable[tuple[CatalogProduct, ...]],
    library: UserLibrary,
    today: date,
) -> tuple[Release, ...]:
    """One release per title with a known date; a title in two series once."""
    found: dict[str, Release] = {}
    for view in views:
        if not view.series.known:
            continue
        for status in view.volumes:
            volume = status.volume
            if volume.release_date is None or status.asin in found:
                continue
            found[status.asin] = Release(
                asin=status.asin,
                title=volume.title,
                release_date=volume.release_date,
                series_title=view.series.title,
                sequence=volume.sequence,
                authors=volume.authors,
                narrators=volume.narrators,
                owned=status.owned,
                in_wishlist=status.in_wishlist,
                released=volume.release_date <= today,
            )
    for titles in author_titles:
        for product in titles:
            if (
                product.release_date is None
                or product.is_podcast
                or product.asin in found
                or product.asin in library.titles
            ):
                continue
            series = product.series[0] if product.series else None
            found[product.asin] = Release(
                asin=product.asin,
                title=product.title,
                release_date=product.release_date,
                series_title=series.title if series is not None else None,
                sequence=series.sequence if series is not None else None,
                authors=product.authors,
                narrators=product.narrators,
                owned=False,
                in_wishlist=None
                if library.wishlist is None
                else product.asin in library.wishlist,
                released=product.release_date <= today,
                from_followed_author=True,
            )
    return tuple(
        sorted(
            found.values(), key=lambda r: (r.release_date, r.title.casefold(), r.asin)
        )
    )
