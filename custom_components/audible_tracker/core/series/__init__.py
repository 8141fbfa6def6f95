"""The series model: volumes, what the user owns of them, what is missing, next.

Pure code over data shapes as Audible's catalog returns them; no requests,
no storage, no Home Assistant. Nothing here raises on odd data.

API
---
Parsing (`catalog`), lenient, with `json_fields`:

``parse_series_listing(answer) -> SeriesListing | None``
    A series product (`GET 1.0/catalog/products/{series_asin}?response_groups=
    relationships,product_attrs`): its children with `relationship_to_product
    == "child"` and `relationship_type == "series"` (`asin`, `sequence`,
    `sort`). None for a podcast or an unreadable answer.
``parse_catalog_product(answer) -> CatalogProduct | None``,
``parse_catalog_products(answer) -> dict[asin, CatalogProduct]``
    Details of volumes: title, authors, narrators, release date, pre-order,
    podcast markers, and their series (`series`, else parent relationships).

Model (`model`):

``build_series(listing, details, *, asin, title) -> Series``
    `Series(asin, title, volumes, box_sets, known)`. Editions at one position
    are one `SeriesVolume(sequence, number, sort, asins, title, authors,
    narrators, release_date, is_preorderable)`; a range sequence ("1-6") is a
    `BoxSet(asin, sequence, first, last)`, not a volume; fractional positions
    (0.5, 2.5) are volumes; volumes are ordered by numeric position, else
    `sort`, then release date. `listing` None (failed to load) gives
    `known=False`: never complete, nothing missing.
``parse_sequence(text) -> (first, last) | None``

User view (`view`):

``UserLibrary(titles, wishlist, abs_items, abs_progress)``
    `wishlist` None when it failed to load.
``view_series(series, library, today) -> SeriesView``
    Per volume a `VolumeStatus(asin, owned, owned_via, finished, percent,
    in_wishlist, abs_item_id, released)`; owned when any edition is on
    Audible, an ABS item has its ASIN (else its series name + sequence), or
    an owned box set covers it. `SeriesView.owned_count`, `.missing`,
    `.complete` (None when unknown).
``owned_series(library) -> dict[series_asin, SeriesRef]``
    The series to fetch: every series of every title (a title in two series
    names both).
``missing_volumes(views) -> list[SeriesGap]``
    Released volumes not owned in series the user owns part of; biggest
    gaps first.
``activity(library) -> dict[asin | abs item id, datetime]``,
``next_up(views, activity) -> NextUp | None``
    After the book most recently finished or listened to, the lowest volume
    of its series not finished; owned first, then released, then upcoming.

Refresh schedule (`schedule`, `simulate`; import them from there):
``plan_refresh(state, series, unknown_details, now) -> RefreshPlan``, the
``RefreshState.record_*`` outcomes, ``state_to_json``/``state_from_json``
(``SeriesCacheFormatError``) and ``simulate(series_count, days)``.
"""

from .catalog import (
    CatalogProduct,
    SeriesEntry,
    SeriesListing,
    parse_catalog_product,
    parse_catalog_products,
    parse_series_listing,
)
from .model import (
    BoxSet,
    Series,
    SeriesVolume,
    build_series,
    parse_sequence,
    unknown_series,
)
from .view import (
    NextUp,
    SeriesGap,
    SeriesView,
    UserLibrary,
    VolumeStatus,
    activity,
    missing_volumes,
    next_up,
    owned_series,
    view_series,
)

__all__ = [
    "BoxSet",
    "CatalogProduct",
    "NextUp",
    "Series",
    "SeriesEntry",
    "SeriesGap",
    "SeriesListing",
    "SeriesView",
    "SeriesVolume",
    "UserLibrary",
    "VolumeStatus",
    "activity",
    "build_series",
    "missing_volumes",
    "next_up",
    "owned_series",
    "parse_catalog_product",
    "parse_catalog_products",
    "parse_sequence",
    "parse_series_listing",
    "unknown_series",
    "view_series",
]
