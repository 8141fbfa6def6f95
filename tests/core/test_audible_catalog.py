"""Tests for the Audible catalog and wishlist calls, against the fake Audible.

Requests run through the real audible.AsyncClient and are signed; the fake
checks every signature.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from custom_components.audible_tracker.core.audible_api import AudibleClient
from custom_components.audible_tracker.core.exceptions import (
    AudibleAuthError,
    AudibleConnectionError,
    AudibleNotFoundError,
    AudibleRateLimitError,
    AudibleResponseError,
    NotFoundError,
)
from custom_components.audible_tracker.core.models import SeriesRef
from custom_components.audible_tracker.core.series import build_series
from tests.fakes import audible_catalog as cat
from tests.fakes.audible_server import FakeAudible, load_fixture

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

TODAY = datetime.now(UTC).date()
PRODUCTS = "GET 1.0/catalog/products"
PRODUCT = "GET 1.0/catalog/products/{asin}"


@pytest.fixture
def fake() -> FakeAudible:
    fake = FakeAudible()
    fake.catalog.add_demo_series(TODAY)
    return fake


@pytest.fixture
async def api(fake: FakeAudible) -> AsyncIterator[AudibleClient]:
    client = AudibleClient(fake.auth_data, "us", transport=fake.transport)
    yield client
    await client.close()


# -- series listing -------------------------------------------------------------


async def test_series_listing_has_every_edition_and_builds_the_series(
    api: AudibleClient, fake: FakeAudible
) -> None:
    listing = await api.get_series_listing(cat.SERIES_ASIN)
    assert listing is not None
    assert listing.title == cat.SERIES_TITLE
    assert [(e.asin, e.sequence) for e in listing.entries][:4] == [
        (cat.BOOK_1, "1"),
        (cat.BOOK_1_DRAMATIZED, "1"),
        (cat.BOOK_1_OTHER_REGION, "1"),
        (cat.NOVELLA, "0.5"),
    ]
    request = fake.requests_to("1.0/catalog/products/")[0]
    assert request.params["response_groups"].split(",")[:2] == [
        "relationships",
        "product_attrs",
    ]

    details = await api.get_catalog_products(e.asin for e in listing.entries)
    series = build_series(listing, details, asin=cat.SERIES_ASIN, title="x")
    assert [v.sequence for v in series.volumes] == ["0.5", "1", "2", "3", "4", "5"]
    assert series.volumes[1].asins == (
        cat.BOOK_1,
        cat.BOOK_1_DRAMATIZED,
        cat.BOOK_1_OTHER_REGION,
    )
    assert [(b.asin, b.first, b.last) for b in series.box_sets] == [(cat.BOX_SET, 1, 3)]
    fourth, fifth = series.volumes[4], series.volumes[5]
    assert fourth.is_preorderable
    assert fourth.release_date is not None
    assert fourth.release_date > TODAY
    assert not fifth.is_preorderable
    assert fake.endpoint_counts() == {PRODUCT: 1, PRODUCTS: 1}


async def test_unknown_series_is_none_and_bad_asin_is_refused(
    api: AudibleClient, fake: FakeAudible
) -> None:
    assert await api.get_series_listing("B0NOSUCH00") is None
    assert fake.requests[-1].status == 404
    with pytest.raises(ValueError, match="ASIN"):
        await api.get_series_listing("../library")


async def test_series_listing_without_a_product_is_a_response_error(
    api: AudibleClient, fake: FakeAudible
) -> None:
    fake.respond_next("1.0/catalog/products/", json={"message": "odd"})
    with pytest.raises(AudibleResponseError):
        await api.get_series_listing(cat.SERIES_ASIN)


async def test_podcast_is_not_a_series(api: AudibleClient, fake: FakeAudible) -> None:
    podcast = cat.make_series("B0PODCAST1", "A Show", [("B0EPISODE1", "1", "1")])
    podcast["content_delivery_type"] = "PodcastParent"
    fake.catalog.add_products(podcast)
    assert await api.get_series_listing("B0PODCAST1") is None


async def test_malformed_children_are_skipped(
    api: AudibleClient, fake: FakeAudible
) -> None:
    series = fake.catalog.products[cat.SERIES_ASIN]
    series["relationships"][1:1] = [None, {"sequence": "9"}, "junk"]
    listing = await api.get_series_listing(cat.SERIES_ASIN)
    assert listing is not None
    assert len(listing.entries) == len(series["relationships"]) - 3


# -- products by ASIN -------------------------------------------------------------


async def test_products_are_asked_for_50_at_a_time(
    api: AudibleClient, fake: FakeAudible
) -> None:
    asins = [f"B0BULK{n:04d}" for n in range(120)]
    fake.catalog.add_products(*(cat.make_product(a, f"Bulk {a}") for a in asins))
    products = await api.get_catalog_products([*asins, asins[0], "B0UNKNOWN0"])
    assert set(products) == set(asins)
    sizes = [len(r.params["asins"].split(",")) for r in fake.requests_to(PRODUCTS[4:])]
    assert sizes == [50, 50, 21]
    assert fake.endpoint_counts()[PRODUCTS] == 3
    groups = set(fake.requests[0].params["response_groups"].split(","))
    assert {"contributors", "media", "product_attrs", "product_desc", "series"} <= (
        groups
    )


async def test_product_details_and_series(api: AudibleClient) -> None:
    product = (await api.get_catalog_products([cat.BOOK_2]))[cat.BOOK_2]
    assert product.title == "Book Two"
    assert product.authors == ("Jane Doe",)
    assert product.narrators == ("John Roe",)
    assert product.release_date == date(2020, 12, 31)
    assert product.series == (SeriesRef(cat.SERIES_TITLE, "2", cat.SERIES_ASIN),)


async def test_no_asins_no_request(api: AudibleClient, fake: FakeAudible) -> None:
    assert await api.get_catalog_products([]) == {}
    assert fake.requests == []


async def test_malformed_products_are_skipped_and_strangers_ignored(
    api: AudibleClient, fake: FakeAudible
) -> None:
    fake.respond_next(
        "1.0/catalog/products",
        json={
            "products": [
                None,
                {"asin": cat.BOOK_2},  # no title
                {"asin": cat.BOOK_3, "title": "Three", "authors": "junk"},
                {"asin": "B0NOTASKED", "title": "Stranger"},
            ]
        },
    )
    products = await api.get_catalog_products([cat.BOOK_2, cat.BOOK_3])
    assert list(products) == [cat.BOOK_3]
    assert products[cat.BOOK_3].authors == ()


async def test_products_answer_without_a_list_is_a_response_error(
    api: AudibleClient, fake: FakeAudible
) -> None:
    fake.respond_next("1.0/catalog/products", text="<html>oops</html>")
    with pytest.raises(AudibleResponseError):
        await api.get_catalog_products([cat.BOOK_2])


# -- author search ----------------------------------------------------------------


async def test_author_titles_keep_only_that_author_newest_first(
    api: AudibleClient, fake: FakeAudible
) -> None:
    titles = await api.search_author_titles(" Jane Doe ", cat.AUTHOR[1])
    asins = [t.asin for t in titles]
    assert cat.NAMESAKE_BOOK not in asins
    assert asins[:2] == [cat.BOOK_5_UNANNOUNCED, cat.BOOK_4_PREORDER]
    assert len(asins) == 9  # every title of the demo series
    params = fake.requests[-1].params
    assert params["author"] == "Jane Doe"
    assert params["products_sort_by"] == "-ReleaseDate"
    assert params["num_results"] == "50"
    namesake = await api.search_author_titles("Jane Doe", cat.NAMESAKE[1])
    assert [t.asin for t in namesake] == [cat.NAMESAKE_BOOK]


async def test_author_search_arguments(api: AudibleClient) -> None:
    with pytest.raises(ValueError, match="author_name"):
        await api.search_author_titles("  ", cat.AUTHOR[1])
    with pytest.raises(ValueError, match="ASIN"):
        await api.search_author_titles("Jane Doe", "a/b")


# -- wishlist ---------------------------------------------------------------------


async def test_wishlist_pages_from_zero(api: AudibleClient, fake: FakeAudible) -> None:
    asins = [f"B0WISH{n:04d}" for n in range(120)]
    fake.catalog.add_products(*(cat.make_product(a, f"Wish {a}") for a in asins))
    fake.catalog.wishlist[:] = asins
    wishlist = await api.get_wishlist()
    assert wishlist.asins == tuple(asins)
    assert set(wishlist.products) == set(asins)
    pages = [r.params for r in fake.requests]
    assert [p["page"] for p in pages] == ["0", "1", "2"]
    assert {p["num_results"] for p in pages} == {"50"}


async def test_wishlist_stops_at_total_results(
    api: AudibleClient, fake: FakeAudible
) -> None:
    asins = [f"B0WISH{n:04d}" for n in range(100)]
    fake.catalog.add_products(*(cat.make_product(a, f"Wish {a}") for a in asins))
    fake.catalog.wishlist[:] = asins
    assert len((await api.get_wishlist()).asins) == 100
    assert fake.endpoint_counts() == {"GET 1.0/wishlist": 2}


async def test_wishlist_stops_on_an_empty_page_though_total_says_more(
    api: AudibleClient, fake: FakeAudible
) -> None:
    asins = [f"B0WISH{n:04d}" for n in range(50)]
    fake.catalog.add_products(*(cat.make_product(a, f"Wish {a}") for a in asins))
    fake.catalog.wishlist[:] = asins
    fake.catalog.wishlist_unlisted = 2
    assert len((await api.get_wishlist()).asins) == 50
    assert [r.params["page"] for r in fake.requests] == ["0", "1"]


async def test_recorded_wishlist_page_counts_seven_lists_five(
    api: AudibleClient, fake: FakeAudible
) -> None:
    fake.respond_next("1.0/wishlist", json=load_fixture("wishlist_page.json"))
    wishlist = await api.get_wishlist()
    assert len(wishlist.asins) == 5
    assert len(fake.requests) == 1
    first = wishlist.products[wishlist.asins[0]]
    assert first.is_preorderable
    assert first.series[0].asin == "B0FJMLG5DN"


async def test_wishlist_keeps_asins_whose_details_are_unreadable(
    api: AudibleClient, fake: FakeAudible
) -> None:
    fake.respond_next(
        "1.0/wishlist",
        json={"products": [{"asin": "B0NOTITLE1"}, 7, {"title": "no asin"}]},
    )
    wishlist = await api.get_wishlist()
    assert wishlist.asins == ("B0NOTITLE1",)
    assert wishlist.products == {}


async def test_add_and_remove(api: AudibleClient, fake: FakeAudible) -> None:
    await api.add_to_wishlist(cat.BOOK_4_PREORDER)
    await api.add_to_wishlist(cat.BOOK_4_PREORDER)  # already there: no error
    post = fake.requests_to("1.0/wishlist", "POST")[0]
    assert post.body == {"asin": cat.BOOK_4_PREORDER}
    assert post.status == 201
    assert fake.catalog.wishlist == [cat.BOOK_4_PREORDER]
    assert (await api.get_wishlist()).asins == (cat.BOOK_4_PREORDER,)

    assert await api.remove_from_wishlist(cat.BOOK_4_PREORDER) is True
    assert fake.requests[-1].status == 204
    assert fake.catalog.wishlist == []
    assert await api.remove_from_wishlist(cat.BOOK_4_PREORDER) is False
    assert fake.endpoint_counts()["DELETE 1.0/wishlist/{asin}"] == 2


async def test_adding_an_unknown_asin_is_not_found(
    api: AudibleClient, fake: FakeAudible
) -> None:
    with pytest.raises(AudibleNotFoundError) as caught:
        await api.add_to_wishlist("B0NOSUCH00")
    assert isinstance(caught.value, NotFoundError)
    assert "400" in str(caught.value)
    assert fake.catalog.wishlist == []


# -- failures ---------------------------------------------------------------------


async def test_rate_limit_keeps_retry_after(
    api: AudibleClient, fake: FakeAudible
) -> None:
    fake.fail_next(429, path="1.0/catalog/products", retry_after="120")
    with pytest.raises(AudibleRateLimitError) as caught:
        await api.get_series_listing(cat.SERIES_ASIN)
    assert caught.value.retry_after == 120


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, AudibleConnectionError),
        (503, AudibleRateLimitError),
        (401, AudibleAuthError),
        (403, AudibleAuthError),
        (400, AudibleConnectionError),
    ],
)
async def test_failures_map_to_the_exception_tree(
    api: AudibleClient, fake: FakeAudible, status: int, error: type[Exception]
) -> None:
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: api.get_series_listing(cat.SERIES_ASIN),
        lambda: api.get_catalog_products([cat.BOOK_2]),
        lambda: api.search_author_titles("Jane Doe", cat.AUTHOR[1]),
        api.get_wishlist,
        lambda: api.remove_from_wishlist(cat.BOOK_2),
    ]
    for call in calls:
        fake.fail_next(status)
        with pytest.raises(error):
            await call()


async def test_add_maps_a_server_error_and_a_timeout(
    api: AudibleClient, fake: FakeAudible
) -> None:
    fake.fail_next(500, path="1.0/wishlist")
    with pytest.raises(AudibleConnectionError) as caught:
        await api.add_to_wishlist(cat.BOOK_2)
    assert not isinstance(caught.value, NotFoundError)
    fake.fail_next("timeout")
    with pytest.raises(AudibleConnectionError):
        await api.add_to_wishlist(cat.BOOK_2)


async def test_requests_are_signed(fake: FakeAudible) -> None:
    # Signed with another device key: the fake refuses it, as Audible would.
    data = fake.auth_data
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    data["device_private_key"] = other.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    async with AudibleClient(data, "us", transport=fake.transport) as api:
        with pytest.raises(AudibleAuthError):
            await api.get_wishlist()
    assert fake.requests[-1].status == 401
