"""The catalog cache (stored form, staleness, pruning) and the overview."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from custom_components.audible_tracker.core.exceptions import SeriesCacheFormatError
from custom_components.audible_tracker.core.models import (
    AbsItem,
    AudibleTitle,
    SeriesRef,
)
from custom_components.audible_tracker.core.series import (
    CatalogProduct,
    SeriesEntry,
    SeriesListing,
    UserLibrary,
)
from custom_components.audible_tracker.core.series.cache import (
    CatalogCache,
    author_key,
    cache_from_json,
    cache_to_json,
)
from custom_components.audible_tracker.core.series.overview import build_overview

NOW = datetime(2026, 11, 18, 12, tzinfo=UTC)
TODAY = NOW.date()
SAGA = "B0SERIES01"


def product(
    asin: str, title: str, released: date | None, **extra: object
) -> CatalogProduct:
    return CatalogProduct(
        asin=asin,
        title=title,
        authors=("Jane Doe",),
        narrators=("John Roe",),
        release_date=released,
        series=(SeriesRef("The Saga", extra.pop("sequence", None), SAGA),),  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


def listing(*children: tuple[str, str]) -> SeriesListing:
    return SeriesListing(
        SAGA,
        "The Saga",
        tuple(
            SeriesEntry(asin, seq, float(seq) if seq[0].isdigit() else None)
            for asin, seq in children
        ),
    )


def filled_cache() -> CatalogCache:
    cache = CatalogCache()
    cache.listings[SAGA] = listing(
        ("B0BOOK0001", "1"), ("B0BOOK0002", "2"), ("B0BOOK0003", "3")
    )
    cache.keep_products(
        {
            "B0BOOK0002": product("B0BOOK0002", "Zwei", date(2021, 1, 1), sequence="2"),
            "B0BOOK0003": product(
                "B0BOOK0003",
                "三",
                TODAY + timedelta(days=10),
                sequence="3",
                is_preorderable=True,
                cover_url="https://example.invalid/3.jpg",
            ),
        },
        NOW,
    )
    cache.authors["B0AUTHOR01"] = ("B0BOOK0003", "B0OTHER001")
    cache.keep_products(
        {"B0OTHER001": CatalogProduct("B0OTHER001", "Standalone", release_date=TODAY)},
        NOW,
    )
    cache.wishlist = ("B0BOOK0002",)
    cache.wishlist_fetched = NOW
    cache.refresh.record_series_success(SAGA, NOW, TODAY + timedelta(days=10))
    cache.refresh.record_details_failure(["B0MISSING1"], NOW)
    return cache


def test_stored_form_round_trips() -> None:
    cache = filled_cache()
    stored = json.loads(json.dumps(cache_to_json(cache)))
    again = cache_from_json(stored)
    assert again == cache
    assert cache_to_json(again) == stored


def test_never_read_wishlist_stays_unknown() -> None:
    stored = cache_to_json(CatalogCache())
    assert cache_from_json(stored).wishlist is None
    stored["wishlist"] = []
    assert cache_from_json(stored).wishlist == ()


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.update(version=99),
        lambda d: d.pop("listings"),
        lambda d: d["listings"][SAGA]["entries"].append({"sequence": "4"}),
        lambda d: d["products"]["B0BOOK0002"].update(release_date="someday"),
        lambda d: d["products"]["B0BOOK0002"].update(is_podcast="no"),
        lambda d: d.update(wishlist="B0BOOK0002"),
        lambda d: d["refresh"].update(version=0),
    ],
)
def test_damaged_store_is_refused(damage: object) -> None:
    stored = json.loads(json.dumps(cache_to_json(filled_cache())))
    damage(stored)  # type: ignore[operator]
    with pytest.raises(SeriesCacheFormatError):
        cache_from_json(stored)


def test_wanted_details_unknown_and_stale() -> None:
    cache = filled_cache()
    owned = {"B0BOOK0001"}
    # Unknown: nothing (owned ones come from the library).
    assert cache.wanted_details(owned, TODAY, NOW) == set()
    # An unreleased title is asked again after a day, a released one after 30.
    assert cache.wanted_details(owned, TODAY, NOW + timedelta(days=1)) == {"B0BOOK0003"}
    assert cache.wanted_details(owned, TODAY, NOW + timedelta(days=30)) == {
        "B0BOOK0002",
        "B0BOOK0003",
        "B0OTHER001",
    }
    cache.listings[SAGA] = listing(("B0BOOK0001", "1"), ("B0NEWBOOK4", "4"))
    assert "B0NEWBOOK4" in cache.wanted_details(owned, TODAY, NOW)


def test_prune_forgets_what_is_no_longer_wanted() -> None:
    cache = filled_cache()
    cache.prune(series=[], authors=["B0AUTHOR01"])
    assert cache.listings == {}
    # The author's titles stay; the saga's other volumes go.
    assert set(cache.products) == {"B0BOOK0003", "B0OTHER001"}
    assert SAGA not in cache.refresh.series
    cache.prune(series=[], authors=[])
    assert cache.products == {}
    assert cache.refresh.details == {}
    assert author_key("B0AUTHOR01") == "author:B0AUTHOR01"


def test_overview_releases_and_next_up() -> None:
    cache = filled_cache()
    book_1 = AudibleTitle(
        asin="B0BOOK0001",
        title="Eins",
        authors=("Jane Doe",),
        series=(SeriesRef("The Saga", "1", SAGA),),
        release_date=date(2020, 1, 1),
        is_finished=True,
        finished_at=NOW - timedelta(days=2),
    )
    abs_only = AbsItem(
        item_id="li_2",
        library_id="lib",
        title="Zwei",
        series=(SeriesRef("the saga", "02"),),
    )
    library = UserLibrary(
        titles={book_1.asin: book_1},
        wishlist=frozenset(cache.wishlist or ()),
        abs_items=(abs_only,),
    )
    overview = build_overview(
        library=library,
        listings=cache.listings,
        products=cache.products,
        authors=cache.authors,
        last_listened={},
        today=TODAY,
    )
    assert overview.series_known == 1
    # Book 2 is in ABS (series name and sequence, "02" = "2"): nothing missing.
    assert overview.gaps == ()
    assert overview.next_up is not None
    assert overview.next_up.status.asin == "B0BOOK0002"
    assert overview.next_up.status.abs_item_id == "li_2"
    releases = {r.asin: r for r in overview.releases}
    assert list(releases) == ["B0BOOK0001", "B0BOOK0002", "B0OTHER001", "B0BOOK0003"]
    assert releases["B0BOOK0001"].summary == "Eins (The Saga #1)"
    assert releases["B0BOOK0001"].owned
    assert releases["B0BOOK0002"].in_wishlist is True
    three = releases["B0BOOK0003"]
    assert (three.summary, three.released, three.preordered) == (
        "三 (The Saga #3)",
        False,
        False,
    )
    # Found through a followed author, outside any series of the user.
    other = releases["B0OTHER001"]
    assert (other.summary, other.released, other.from_followed_author) == (
        "Standalone",
        True,
        True,
    )


def test_overview_of_an_unknown_series_has_no_releases() -> None:
    title = AudibleTitle(
        asin="B0BOOK0001", title="Eins", series=(SeriesRef("The Saga", "1", SAGA),)
    )
    overview = build_overview(
        library=UserLibrary(titles={title.asin: title}, wishlist=None),
        listings={},
        products={},
        authors={},
        last_listened={},
        today=TODAY,
    )
    assert overview.series_known == 0
    assert overview.releases == ()
    assert overview.gaps == ()
    assert overview.next_up is None
