"""Tests of the metadata gaps between linked Audible titles and ABS items."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from custom_components.audible_tracker.core.abs_parse import parse_item
from custom_components.audible_tracker.core.audible_parse import collect_library_items
from custom_components.audible_tracker.core.metadata_gaps import (
    WRITABLE_FIELDS,
    GapField,
    book_gaps,
    field_gaps,
    gap_counts,
    language_key,
    not_taken,
    plan_write,
)
from custom_components.audible_tracker.core.models import (
    AbsItem,
    AudibleTitle,
    SeriesRef,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"

TITLE = AudibleTitle(
    asin="B0FAKE0006",
    title="Frankenstein",
    subtitle="Or, The Modern Prometheus",
    authors=("Mary Shelley",),
    narrators=("Dan Stevens",),
    series=(SeriesRef("Gothic Classics", "1", asin="B0SERIES01"),),
    isbn="978-0-14-143947-1",
    cover_url="https://m.media-amazon.com/images/I/cover._SL500_.jpg",
    publisher="Audible Studios",
    language="english",
    published_year="2017",
    has_description=True,
)
# Everything agrees with TITLE once normalised.
ITEM = AbsItem(
    item_id="item-1",
    library_id="lib",
    title="Frankenstein",
    subtitle="or the modern prometheus",
    authors=("Shelley, Mary",),
    narrators=("DAN STEVENS",),
    series=(SeriesRef("The Gothic Classics", "01"), SeriesRef("Mine", "7")),
    asin=" b0fake0006 ",
    isbn="9780141439471",
    has_cover=True,
    publisher="audible studios",
    language="eng",
    published_year="2017",
    has_description=True,
)
# KADOKAWA in full-width Latin letters.
FULL_WIDTH_KADOKAWA = "".join(chr(ord(letter) + 0xFEE0) for letter in "KADOKAWA")
EMPTY_ITEM = AbsItem(item_id="item-2", library_id="lib", title="Frankenstein")


def _kinds(title: AudibleTitle, item: AbsItem) -> dict[str, str]:
    return {gap.field.value: gap.kind.value for gap in field_gaps(title, item)}


def test_normalised_equal_values_are_no_gap() -> None:
    assert field_gaps(TITLE, ITEM) == ()


def test_every_field_missing() -> None:
    assert _kinds(TITLE, EMPTY_ITEM) == {field.value: "missing" for field in GapField}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"asin": "B0OTHER000"}, "asin"),
        ({"isbn": "9780000000002"}, "isbn"),
        ({"series": (SeriesRef("Gothic Classics", "2"),)}, "series"),
        ({"narrators": ("Someone Else",)}, "narrators"),
        ({"authors": ("Percy Shelley",)}, "authors"),
        ({"publisher": "Penguin"}, "publisher"),
        ({"published_year": "1818"}, "published_year"),
        ({"language": "Deutsch"}, "language"),
        ({"subtitle": "The Modern Prometheus, Annotated"}, "subtitle"),
    ],
)
def test_each_field_different(change: dict[str, Any], field: str) -> None:
    assert _kinds(TITLE, replace(ITEM, **change)) == {field: "different"}


def test_presence_fields_are_missing_only() -> None:
    item = replace(ITEM, has_cover=False, has_description=False)
    assert _kinds(TITLE, item) == {"cover": "missing", "description": "missing"}
    # Audible lacking them is no gap, nor ABS having more.
    title = replace(TITLE, cover_url=None, has_description=False)
    assert field_gaps(title, replace(ITEM, has_cover=True)) == ()
    assert field_gaps(title, item) == ()


def test_what_audible_does_not_know_is_no_gap() -> None:
    bare = AudibleTitle(asin="B0FAKE0006", title="Frankenstein")
    assert field_gaps(bare, EMPTY_ITEM) == (
        field_gaps(bare, EMPTY_ITEM, [GapField.ASIN])
    )
    assert _kinds(bare, EMPTY_ITEM) == {"asin": "missing"}


@pytest.mark.parametrize(
    ("field", "audible", "same", "other"),
    [
        # CJK: full-width and half-width forms, spaces between characters.
        ("authors", ("夏目漱石",), ("夏目 漱石",), ("芥川龍之介",)),
        ("publisher", FULL_WIDTH_KADOKAWA, "kadokawa", "講談社"),
        ("subtitle", "ｶﾀｶﾅ", "カタカナ", "ひらがな"),
        ("language", "japanese", "jpn", "chi"),
        ("language", "japanese", "日本語", "中文"),
        # Accents and case.
        ("narrators", ("Zoë Ångström",), ("zoe angstrom",), ("Zoe Andersson",)),
        ("publisher", "Éditions Gallimard", "EDITIONS GALLIMARD", "Éditions Galli"),
        ("language", "french", "Français", "Deutsch"),
        (
            "series",
            (SeriesRef("Les Misérables", "I"),),
            (SeriesRef("les miserables", "1"),),
            (SeriesRef("les miserables", "2"),),
        ),
    ],
)
def test_cjk_and_accented_values_are_normalised(
    field: str, audible: object, same: object, other: object
) -> None:
    title = replace(TITLE, **{field: audible})
    assert field not in _kinds(title, replace(ITEM, **{field: same}))
    assert _kinds(title, replace(ITEM, **{field: other})) == {field: "different"}


def test_language_keys() -> None:
    assert language_key("English") == language_key("en-US") == "english"
    assert language_key("eng") == language_key("EN") == "english"
    assert language_key("Klingon") == "klingon"


def test_series_gap_kinds() -> None:
    audible = replace(TITLE, series=(SeriesRef("Gothic Classics", "1"),))
    # Another series only: Audible's one is missing (adding keeps the other).
    other = replace(ITEM, series=(SeriesRef("Mine", "7"),))
    assert _kinds(audible, other) == {"series": "missing"}
    # The series without number: missing, the number can be filled.
    unnumbered = replace(ITEM, series=(SeriesRef("Gothic Classics"),))
    assert _kinds(audible, unnumbered) == {"series": "missing"}
    # Another number: different.
    renumbered = replace(ITEM, series=(SeriesRef("gothic classics", "2"),))
    assert _kinds(audible, renumbered) == {"series": "different"}
    # Audible without number says nothing about ABS's.
    unnumbered_audible = replace(TITLE, series=(SeriesRef("Gothic Classics"),))
    assert _kinds(unnumbered_audible, renumbered) == {}


def test_book_gaps_and_counts() -> None:
    titles = {
        "B0FAKE0006": TITLE,
        "B0FAKE0007": replace(TITLE, asin="B0FAKE0007", title="Another"),
    }
    items = {"item-1": ITEM, "item-2": EMPTY_ITEM}
    links = {"B0FAKE0006": "item-1", "B0FAKE0007": "item-2", "B0GONE": "item-1"}
    books = book_gaps(titles, items, links)
    assert [(book.asin, book.item_id) for book in books] == [("B0FAKE0007", "item-2")]
    counts = gap_counts(books)
    assert counts == {field.value: 1 for field in GapField}
    only = book_gaps(titles, items, links, [GapField.ASIN, GapField.COVER])
    assert [gap.field for gap in only[0].gaps] == [GapField.ASIN, GapField.COVER]
    data = only[0].as_dict()
    assert data == {
        "asin": "B0FAKE0007",
        "abs_item_id": "item-2",
        "title": "Another",
        "fields": {
            "asin": {"kind": "missing", "abs": None, "audible": "B0FAKE0007"},
            "cover": {"kind": "missing", "abs": False, "audible": True},
        },
    }
    json.dumps(data)  # plain JSON


def test_fill_only_writes_missing_fields_only() -> None:
    item = replace(
        ITEM,
        asin=None,
        narrators=(),
        publisher="Penguin",
        series=(SeriesRef("Gothic Classics", "2"), SeriesRef("Mine", "7")),
    )
    fields = [GapField.ASIN, GapField.NARRATORS, GapField.PUBLISHER, GapField.SERIES]
    plan = plan_write(TITLE, item, fields, overwrite=False)
    assert plan is not None
    assert plan.metadata == {"asin": "B0FAKE0006", "narrators": ["Dan Stevens"]}
    assert plan.fields == (GapField.ASIN, GapField.NARRATORS)
    assert plan.as_dict()["changes"] == {
        "asin": {"kind": "missing", "from": None, "to": "B0FAKE0006"},
        "narrators": {"kind": "missing", "from": [], "to": ["Dan Stevens"]},
    }


def test_overwrite_replaces_different_fields_too() -> None:
    item = replace(
        ITEM,
        publisher="Penguin",
        language="Deutsch",
        published_year="1818",
        authors=("Percy Shelley",),
        series=(SeriesRef("Mine", "7"), SeriesRef("gothic classics", "2")),
    )
    plan = plan_write(TITLE, item, WRITABLE_FIELDS, overwrite=True)
    assert plan is not None
    assert plan.metadata == {
        # The item's other series stays, its spelling of the name too.
        "series": [
            {"name": "Mine", "sequence": "7"},
            {"name": "gothic classics", "sequence": "1"},
        ],
        "authors": [{"name": "Mary Shelley"}],
        "publisher": "Audible Studios",
        "publishedYear": "2017",
        # As ABS's own Audible match writes it.
        "language": "English",
    }
    assert field_gaps(TITLE, plan.expected, WRITABLE_FIELDS) == ()


def test_series_fill_adds_and_numbers_but_keeps_numbers() -> None:
    title = replace(
        TITLE,
        series=(
            SeriesRef("Gothic Classics", "1"),
            SeriesRef("Horror", "3"),
            SeriesRef("Old", "2"),
        ),
    )
    item = replace(
        ITEM,
        series=(
            SeriesRef("Gothic Classics"),
            SeriesRef("Old", "5"),
            SeriesRef("Mine", "7"),
        ),
    )
    plan = plan_write(title, item, [GapField.SERIES], overwrite=False)
    assert plan is not None
    assert plan.metadata == {
        "series": [
            {"name": "Gothic Classics", "sequence": "1"},
            {"name": "Old", "sequence": "5"},
            {"name": "Mine", "sequence": "7"},
            {"name": "Horror", "sequence": "3"},
        ]
    }
    # Only additions were written: reported as filling what was missing.
    assert [change.kind.value for change in plan.changes] == ["missing"]


def test_nothing_to_write() -> None:
    assert plan_write(TITLE, ITEM, WRITABLE_FIELDS, overwrite=True) is None
    different = replace(ITEM, publisher="Penguin")
    assert plan_write(TITLE, different, [GapField.PUBLISHER], overwrite=False) is None
    # Only the fields asked for.
    assert plan_write(TITLE, EMPTY_ITEM, [GapField.ISBN], overwrite=False).fields == (  # type: ignore[union-attr]
        GapField.ISBN,
    )


@pytest.mark.parametrize("field", [GapField.DESCRIPTION, GapField.COVER])
def test_presence_fields_cannot_be_written(field: GapField) -> None:
    with pytest.raises(ValueError, match="cannot write"):
        plan_write(TITLE, EMPTY_ITEM, [field], overwrite=True)


def test_read_back_verification() -> None:
    plan = plan_write(TITLE, EMPTY_ITEM, WRITABLE_FIELDS, overwrite=False)
    assert plan is not None
    # ABS normalises what it stores (case, an ISBN-10, number as text): taken.
    stored = replace(
        plan.expected,
        asin="b0fake0006",
        isbn="0141439475",
        series=(SeriesRef("gothic classics", "1.0"),),
    )
    assert not_taken(plan, stored) == ()
    # Nothing stored at all: every field did not take.
    assert not_taken(plan, EMPTY_ITEM) == plan.fields
    # One field kept its old value.
    assert not_taken(plan, replace(plan.expected, publisher=None)) == (
        GapField.PUBLISHER,
    )


def test_parsers_read_the_new_fields_from_the_recorded_answers() -> None:
    page = json.loads((FIXTURES / "audible" / "library_page.json").read_text("utf-8"))
    titles: dict[str, AudibleTitle] = {}
    collect_library_items(page["items"], titles, set())
    azarinth = titles["B0BLZNZ47B"]
    assert (azarinth.publisher, azarinth.language, azarinth.published_year) == (
        "Portal Books",
        "english",
        "2022",
    )
    assert azarinth.has_description

    def abs_item(name: str) -> AbsItem:
        body = json.loads((FIXTURES / "abs" / name).read_text("utf-8"))
        item = parse_item(body["response"]["body"], None)
        assert item is not None
        return item

    frankenstein = abs_item("items_id_expanded__frankenstein_subtitle.json")
    assert frankenstein.publisher == "Lackington, Hughes, Harding, Mavor & Jones"
    assert (frankenstein.language, frankenstein.published_year) == ("English", "1818")
    assert frankenstein.has_description
    wagahai = abs_item("items_id_expanded__wagahai_cjk.json")
    assert (wagahai.publisher, wagahai.language, wagahai.has_description) == (
        None,
        "jpn",
        False,
    )
