"""The series model, built from the recorded Audible catalog shapes."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from custom_components.audible_tracker.core.models import (
    AbsItem,
    AbsProgress,
    AudibleTitle,
    SeriesRef,
)
from custom_components.audible_tracker.core.series import (
    CatalogProduct,
    Series,
    UserLibrary,
    activity,
    build_series,
    missing_volumes,
    next_up,
    owned_series,
    parse_catalog_product,
    parse_catalog_products,
    parse_sequence,
    parse_series_listing,
    unknown_series,
    view_series,
)
from tests.fakes.audible_server import load_fixture

TODAY = date(2026, 1, 1)
HP = "B0FJMLG5DN"  # the recorded series (Harry Potter Full-Cast Editions)


def _parent_relation() -> dict[str, Any]:
    """The recorded series relationship of B0F154ZCSN (parent of a book)."""
    product = load_fixture("catalog_product.json")["product"]
    (relation,) = [
        r for r in product["relationships"] if r["relationship_type"] == "series"
    ]
    return dict(relation)


def child(asin: str, sequence: str | None, sort: str | None) -> dict[str, Any]:
    """A series child on the recorded relationship shape, seen from the series."""
    relation = _parent_relation()
    relation.update(
        asin=asin,
        relationship_to_product="child",
        content_delivery_type="SinglePartBook",
        sequence=sequence,
        sort=sort,
        title=f"Title {asin}",
    )
    return relation


def series_answer(*children: dict[str, Any], asin: str = HP) -> dict[str, Any]:
    """A `catalog/products/{series}` answer on the recorded product shape."""
    product = copy.deepcopy(load_fixture("catalog_product.json")["product"])
    product.update(
        asin=asin,
        title="Harry Potter (Full-Cast Editions)",
        content_delivery_type="BookSeries",
        relationships=list(children),
    )
    return {"product": product, "response_groups": ["relationships", "product_attrs"]}


def details(
    asin: str, release: str | None = "2020-01-01", **extra: Any
) -> CatalogProduct:
    """Catalog details of a volume, parsed from the recorded product shape."""
    product = copy.deepcopy(load_fixture("catalog_product.json")["product"])
    product.update(asin=asin, title=f"Book {asin}", release_date=release, **extra)
    parsed = parse_catalog_product({"product": product})
    assert parsed is not None
    return parsed


def title(asin: str, **extra: Any) -> AudibleTitle:
    return AudibleTitle(asin=asin, title=f"Book {asin}", **extra)


def build(*children: dict[str, Any], **release: str | None) -> Series:
    listing = parse_series_listing(series_answer(*children))
    known = {
        c["asin"]: details(c["asin"], release.get(c["asin"], "2020-01-01"))
        for c in children
    }
    return build_series(listing, known, asin=HP, title="HP")


# --- parsing the recorded answers ------------------------------------------


def test_recorded_product_parses() -> None:
    parsed = parse_catalog_product(load_fixture("catalog_product.json"))
    assert parsed is not None
    assert parsed.asin == "B0F154ZCSN"
    assert parsed.authors == ("J.K. Rowling",)
    assert parsed.release_date == date(2025, 12, 16)
    assert parsed.is_podcast is False
    assert parsed.series == (SeriesRef("Harry Potter (Full-Cast Editions)", "2", HP),)
    assert parsed.cover_url == (
        "https://m.media-amazon.com/images/I/61p0qiVzZLL._SL500_.jpg"
    )


def test_recorded_wishlist_series_come_from_parent_relationships() -> None:
    # The recorded wishlist sends `series: null`: the parent relation says it.
    products = parse_catalog_products(load_fixture("wishlist_page.json"))
    azkaban = products["B0F14PK33J"]
    assert azkaban.series == (SeriesRef("Harry Potter (Full-Cast Editions)", "3", HP),)
    assert azkaban.is_preorderable is True
    assert azkaban.release_date == date(2026, 1, 13)


def test_component_children_of_a_multipart_book_are_not_volumes() -> None:
    listing = parse_series_listing(load_fixture("catalog_product_multipart.json"))
    assert listing is not None
    assert listing.entries == ()  # three "component" children, one parent


def test_library_relationships_fixture_has_no_series_children() -> None:
    (item,) = load_fixture("library_page_with_relationships.json")["items"]
    listing = parse_series_listing(item)
    assert listing is not None
    assert listing.entries == ()


def test_series_listing_keeps_series_children() -> None:
    listing = parse_series_listing(
        series_answer(child("A1", "1", "1"), child("A2", "2", "2"))
    )
    assert listing is not None
    assert [(e.asin, e.sequence, e.sort) for e in listing.entries] == [
        ("A1", "1", 1.0),
        ("A2", "2", 2.0),
    ]


def test_unreadable_answers_do_not_raise() -> None:
    assert parse_series_listing(None) is None
    assert parse_series_listing({"product": {"title": "no asin"}}) is None
    assert parse_catalog_product({"product": {"asin": "X"}}) is None
    assert parse_catalog_products({"products": [None, 3, {"asin": "X"}]}) == {}
    odd = series_answer(child("A1", "1", "1"), "junk", {"asin": None})
    listing = parse_series_listing(odd)
    assert listing is not None
    assert [e.asin for e in listing.entries] == ["A1"]


def test_sequences() -> None:
    assert parse_sequence("2") == (2.0, 2.0)
    assert parse_sequence("0.5") == (0.5, 0.5)
    assert parse_sequence("1-6") == (1.0, 6.0)
    assert parse_sequence("1 \u2013 3") == (1.0, 3.0)
    assert parse_sequence("Book Two") is None
    assert parse_sequence("II") is None
    assert parse_sequence("3-1") is None
    assert parse_sequence(None) is None


# --- the messy cases -----------------------------------------------------------


def test_editions_of_one_position_are_one_volume_owned_by_any() -> None:
    series = build(
        child("A1", "1", "1"),
        child("A1DRAMA", "1", "2"),  # dramatized edition of the same volume
        child("A2", "2", "3"),
    )
    assert [v.asins for v in series.volumes] == [("A1", "A1DRAMA"), ("A2",)]
    view = view_series(series, UserLibrary(titles={"A1DRAMA": title("A1DRAMA")}), TODAY)
    first, second = view.volumes
    assert first.owned is True
    assert first.asin == "A1DRAMA"  # the owned edition
    assert second.owned is False
    assert second.asin == "A2"


def test_box_set_covers_its_volumes() -> None:
    series = build(
        child("A1", "1", "1"),
        child("A2", "2", "2"),
        child("A3", "3", "3"),
        child("A4", "4", "4"),
        child("BOX", "1-3", "5"),
    )
    assert [v.sequence for v in series.volumes] == ["1", "2", "3", "4"]
    assert [b.asin for b in series.box_sets] == ["BOX"]
    view = view_series(
        series, UserLibrary(titles={"BOX": title("BOX", is_finished=True)}), TODAY
    )
    assert [(s.owned, s.owned_via, s.finished) for s in view.volumes] == [
        (True, "BOX", True),
        (True, "BOX", True),
        (True, "BOX", True),
        (False, None, False),
    ]
    assert [s.asin for s in view.missing] == ["A4"]


def test_fractional_volumes_are_real_and_in_order() -> None:
    series = build(
        child("A2", "2", "3"),
        child("A05", "0.5", "1"),
        child("A1", "1", "2"),
        child("A25", "2.5", "4"),
    )
    assert [v.sequence for v in series.volumes] == ["0.5", "1", "2", "2.5"]
    view = view_series(series, UserLibrary(titles={"A1": title("A1")}), TODAY)
    assert [s.asin for s in view.missing] == ["A05", "A2", "A25"]


def test_non_numeric_sequences_order_by_sort_then_release_date() -> None:
    series = build(
        child("TWO", "Book Two", "2"),
        child("ONE", "II", "1"),  # a numeral is not trusted: sort decides
        child("LATE", None, None),
        child("EARLY", None, None),
        LATE="2022-01-01",
        EARLY="2021-01-01",
    )
    assert [v.asins[0] for v in series.volumes] == ["ONE", "TWO", "EARLY", "LATE"]


def test_a_title_in_two_series_counts_in_both() -> None:
    universe = build_series(
        parse_series_listing(series_answer(child("A1", "5", "5"), asin="UNIVERSE")),
        {"A1": details("A1")},
        asin="UNIVERSE",
        title="Universe",
    )
    sub = build(child("A1", "1", "1"))
    book = title(
        "A1", series=(SeriesRef("Sub", "1", HP), SeriesRef("Universe", "5", "UNIVERSE"))
    )
    library = UserLibrary(titles={"A1": book})
    assert set(owned_series(library)) == {HP, "UNIVERSE"}
    assert view_series(universe, library, TODAY).owned_count == 1
    assert view_series(sub, library, TODAY).owned_count == 1


def test_podcasts_are_not_series() -> None:
    answer = series_answer(child("EP1", "1", "1"))
    answer["product"]["content_delivery_type"] = "PodcastParent"
    answer["product"]["content_type"] = "Podcast"
    assert parse_series_listing(answer) is None

    episode = child("EP2", "2", "2")
    episode["content_delivery_type"] = "PodcastEpisode"
    listing = parse_series_listing(series_answer(child("A1", "1", "1"), episode))
    assert listing is not None
    assert [e.asin for e in listing.entries] == ["A1"]

    # A child whose details say it is an episode is left out too.
    listing = parse_series_listing(
        series_answer(child("A1", "1", "1"), child("EP3", "2", "2"))
    )
    series = build_series(
        listing,
        {"A1": details("A1"), "EP3": details("EP3", content_type="Podcast")},
        asin=HP,
        title="HP",
    )
    assert [v.asins for v in series.volumes] == [("A1",)]


def test_abs_only_ownership_by_asin_else_series_name_and_sequence() -> None:
    series = build(child("A1", "1", "1"), child("A2", "2", "2"), child("A3", "3", "3"))
    by_asin = AbsItem("item-1", "lib", "One", asin=" a1 ")
    by_name = AbsItem(
        "item-2",
        "lib",
        "Two",
        series=(SeriesRef("harry potter (full-cast editions)", "2.0"),),
    )
    wrong_number = AbsItem(
        "item-3",
        "lib",
        "X",
        series=(SeriesRef("Harry Potter (Full-Cast Editions)", "4"),),
    )
    progress = AbsProgress(
        "item-2", 100.0, 200.0, 0.5, False, datetime(2025, 1, 1, tzinfo=UTC)
    )
    library = UserLibrary(
        abs_items=(by_asin, by_name, wrong_number), abs_progress={"item-2": progress}
    )
    view = view_series(series, library, TODAY)
    assert [(s.owned, s.abs_item_id, s.percent) for s in view.volumes] == [
        (True, "item-1", None),
        (True, "item-2", 50.0),
        (False, None, None),
    ]


def test_failed_data_is_unknown_never_missing_or_complete() -> None:
    library = UserLibrary(titles={"A1": title("A1")}, wishlist=None)
    unknown = view_series(unknown_series(HP, "HP"), library, TODAY)
    assert unknown.complete is None
    assert unknown.missing == ()

    # The listing loaded, A2's details did not: no release date, not missing.
    listing = parse_series_listing(
        series_answer(child("A1", "1", "1"), child("A2", "2", "2"))
    )
    series = build_series(listing, {"A1": details("A1")}, asin=HP, title="HP")
    view = view_series(series, library, TODAY)
    assert view.volumes[1].released is None
    assert view.volumes[1].volume.title == "Title A2"  # from the listing
    assert view.volumes[1].in_wishlist is None  # the wishlist failed too
    assert view.missing == ()
    assert view.complete is None
    assert missing_volumes([unknown, view]) == []


def test_complete_and_unreleased() -> None:
    series = build(child("A1", "1", "1"), child("A2", "2", "2"), A2="2026-06-01")
    view = view_series(series, UserLibrary(titles={"A1": title("A1")}), TODAY)
    assert view.volumes[1].released is False
    assert view.missing == ()
    assert view.complete is True


def test_wishlist_marks_volumes() -> None:
    series = build(child("A1", "1", "1"), child("A2", "2", "2"))
    library = UserLibrary(titles={"A1": title("A1")}, wishlist=frozenset({"A2"}))
    view = view_series(series, library, TODAY)
    assert [s.in_wishlist for s in view.volumes] == [False, True]


# --- the rules -------------------------------------------------------------------


def test_missing_volumes_biggest_gaps_first_only_series_partly_owned() -> None:
    small = build(child("S1", "1", "1"), child("S2", "2", "2"))
    big = replace(
        build(child("B1", "1", "1"), child("B2", "2", "2"), child("B3", "3", "3")),
        asin="BIG",
        title="Big",
    )
    foreign = replace(build(child("F1", "1", "1")), asin="FOREIGN")
    library = UserLibrary(titles={"S1": title("S1"), "B1": title("B1")})
    gaps = missing_volumes(
        view_series(s, library, TODAY) for s in (small, big, foreign)
    )
    assert [(g.view.series.asin, [m.asin for m in g.missing]) for g in gaps] == [
        ("BIG", ["B2", "B3"]),
        (HP, ["S2"]),
    ]


def _views(library: UserLibrary, *series: Series) -> list[Any]:
    return [view_series(s, library, TODAY) for s in series]


def test_next_up_is_the_lowest_unfinished_after_the_latest_book_owned_first() -> None:
    series = build(
        child("A1", "1", "1"),
        child("A2", "2", "2"),
        child("A3", "3", "3"),
        child("A4", "4", "4"),
    )
    when = datetime(2025, 5, 1, tzinfo=UTC)
    library = UserLibrary(
        titles={
            "A1": title("A1", is_finished=True, finished_at=when),
            "A2": title("A2", is_finished=True),  # finished, so skipped
            "A4": title("A4"),
        }
    )
    found = next_up(_views(library, series), activity(library))
    assert found is not None
    # A3 is lower but not owned: the owned A4 comes first.
    assert (found.after.asin, found.status.asin, found.status.owned) == (
        "A1",
        "A4",
        True,
    )

    library = replace(
        library, titles={k: v for k, v in library.titles.items() if k != "A4"}
    )
    found = next_up(_views(library, series), activity(library))
    assert found is not None
    assert (found.status.asin, found.status.owned) == ("A3", False)


def test_next_up_follows_the_most_recent_book_and_falls_back() -> None:
    first = build(child("A1", "1", "1"), child("A2", "2", "2"))
    other = replace(
        build(child("B1", "1", "1"), child("B2", "2", "2")), asin="OTHER", title="O"
    )
    old, new = datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
    library = UserLibrary(
        titles={
            "A1": title("A1", is_finished=True, finished_at=old),
            "B1": title("B1", is_finished=True, finished_at=new),
        }
    )
    found = next_up(_views(library, first, other), activity(library))
    assert found is not None
    assert found.status.asin == "B2"

    # The latest book ends its series: the one before it decides.
    library = replace(
        library,
        titles={
            **library.titles,
            "B2": title("B2", is_finished=True, finished_at=new),
        },
    )
    found = next_up(_views(library, first, other), activity(library))
    assert found is not None
    assert found.status.asin == "A2"


def test_next_up_from_abs_listening_and_a_box_set() -> None:
    series = build(
        child("A1", "1", "1"),
        child("A2", "2", "2"),
        child("A3", "3", "3"),
        child("BOX", "1-2", "4"),
    )
    library = UserLibrary(
        titles={"BOX": title("BOX", is_finished=True)},
        abs_items=(AbsItem("item-3", "lib", "Three", asin="A3"),),
    )
    # The box set was heard last: next up comes after its last volume.
    found = next_up(_views(library, series), {"BOX": datetime(2025, 1, 1, tzinfo=UTC)})
    assert found is not None
    assert (found.status.asin, found.status.abs_item_id) == ("A3", "item-3")


def test_next_up_is_none_when_nothing_fits() -> None:
    series = build(child("A1", "1", "1"))
    library = UserLibrary(
        titles={
            "A1": title(
                "A1", is_finished=True, finished_at=datetime(2025, 1, 1, tzinfo=UTC)
            )
        }
    )
    assert next_up(_views(library, series), activity(library)) is None
    assert (
        next_up(
            [view_series(unknown_series(HP, "HP"), library, TODAY)], activity(library)
        )
        is None
    )
