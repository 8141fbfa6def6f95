"""Tests for the Audible <-> Audiobookshelf matcher."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from custom_components.audible_tracker.core.exceptions import MatchDataError
from custom_components.audible_tracker.core.matching import (
    Candidate,
    Conflict,
    Link,
    Matcher,
    MatchResult,
    normalize_author,
    normalize_isbn,
    normalize_title,
)
from custom_components.audible_tracker.core.matching import matcher as matcher_module
from custom_components.audible_tracker.core.matching.normalise import (
    normalize_sequence,
)
from custom_components.audible_tracker.core.models import (
    AbsItem,
    AudibleTitle,
    SeriesRef,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"

ANNE_1 = "ecae5e2a-e845-4e11-9914-8b9b6978b0aa"
ANNE_2 = "e5b054c6-4aa0-45db-93f8-923f8a7a8b03"
ANNE_3 = "edf9a20c-1bc8-431d-a25c-99fd6b5630a9"
FRANKENSTEIN = "6956b432-65d3-40ae-a71b-77250cb83253"
MISERABLES = "0afc7da1-450f-4e6d-9213-cf7104a7c029"
PRIDE = "fb079770-c8ab-4a56-9a9f-d2f28e123ee7"
SHERLOCK = "9be9e7ec-298c-4bac-bb90-df492f7c4de0"
WAGAHAI = "50b98f3c-895b-4a9e-9e25-af5ff5d73962"


def load_abs_items() -> list[AbsItem]:
    """The items of the recorded ABS library (GET /api/libraries/{id}/items)."""
    recorded = json.loads(
        (FIXTURES / "abs" / "libraries_id_items.json").read_text(encoding="utf-8")
    )
    items = []
    for result in recorded["response"]["body"]["results"]:
        metadata = result["media"]["metadata"]
        series: tuple[SeriesRef, ...] = ()
        if metadata["seriesName"]:
            name, _, sequence = metadata["seriesName"].rpartition(" #")
            series = (SeriesRef(name, sequence),)
        items.append(
            AbsItem(
                item_id=result["id"],
                library_id=result["libraryId"],
                title=metadata["title"],
                subtitle=metadata["subtitle"],
                authors=tuple(metadata["authorName"].split(", ")),
                series=series,
                asin=metadata["asin"],
                isbn=metadata["isbn"],
            )
        )
    return items


def strip_ids(items: list[AbsItem]) -> list[AbsItem]:
    """The same items as a library that has no ASIN or ISBN for them."""
    return [replace(item, asin=None, isbn=None) for item in items]


def title(
    asin: str,
    name: str,
    *authors: str,
    subtitle: str | None = None,
    series: tuple[SeriesRef, ...] = (),
    isbn: str | None = None,
) -> AudibleTitle:
    return AudibleTitle(
        asin=asin,
        title=name,
        subtitle=subtitle,
        authors=authors,
        series=series,
        isbn=isbn,
    )


def item(
    item_id: str,
    name: str,
    *authors: str,
    subtitle: str | None = None,
    series: tuple[SeriesRef, ...] = (),
    asin: str | None = None,
    isbn: str | None = None,
) -> AbsItem:
    return AbsItem(
        item_id=item_id,
        library_id="lib",
        title=name,
        subtitle=subtitle,
        authors=authors,
        series=series,
        asin=asin,
        isbn=isbn,
    )


def match(
    titles: list[AudibleTitle], items: list[AbsItem], **kwargs: Any
) -> MatchResult:
    return Matcher().update(titles, items, **kwargs)


def linked(result: MatchResult) -> dict[str, tuple[str, str]]:
    return {asin: (link.item_id, link.method) for asin, link in result.links.items()}


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "subtitle", "expected"),
    [
        ("Azarinth Healer: Book One", "A LitRPG Adventure", "azarinth healer"),
        ("The Way of Kings: The Stormlight Archive, Book 1", None, "way of kings"),
        (
            "Carl's Doomsday Scenario - Dungeon Crawler Carl #2",
            None,
            "carls doomsday scenario",
        ),
        (
            "Dungeon Crawler Carl (Dungeon Crawler Carl, Book 1) [Dramatized]",
            None,
            "dungeon crawler carl",
        ),
        ("Pride and Prejudice (Unabridged)", None, "pride and prejudice"),
        ("Project Hail Mary [Dramatized Adaptation]", None, "project hail mary"),
        ("Les Misérables", None, "les miserables"),
        ("LES MISERABLES", None, "les miserables"),
        ("Hobbit, The", None, "hobbit"),
        ("The Hobbit", None, "hobbit"),
        ("A Game of Thrones", None, "game of thrones"),
        ("Vol. 2 - The Two Towers", None, "two towers"),
        ("Mort #4", None, "mort"),
        ("Ragnarök & Roll", None, "ragnarok and roll"),
        ("Война & мир", None, "война and мир"),
        ("Carl\u2019s Doomsday Scenario", None, "carls doomsday scenario"),
        ("Ørsted's Æther", None, "orsteds aether"),
        ("Book 3", None, "book 3"),
        ("吾輩は猫である", None, "吾輩は猫である"),
        (
            "Frankenstein, or The Modern Prometheus",
            "Or, The Modern Prometheus",
            "frankenstein",
        ),
        (
            "Frankenstein: Or, The Modern Prometheus",
            "Or, The Modern Prometheus",
            "frankenstein",
        ),
        ("Alles über Ærø", None, "alles uber aero"),
        ("Star Wars \u2013 Thrawn", None, "star wars"),
    ],
)
def test_normalize_title(raw: str, subtitle: str | None, expected: str) -> None:
    assert normalize_title(raw, subtitle) == expected


def test_normalize_title_keeps_japanese_voiced_kana() -> None:
    # NFKD splits で into て + dakuten; only Latin accents may be dropped.
    assert normalize_title("ですます") == "ですます"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("L. M. Montgomery", "l m montgomery"),
        ("L.M. Montgomery", "l m montgomery"),
        ("LM Montgomery", "l m montgomery"),
        ("Montgomery, L. M.", "l m montgomery"),
        ("Doyle, Arthur Conan", "arthur conan doyle"),
        ("Sir Arthur Conan Doyle", "arthur conan doyle"),
        ("Martin Luther King, Jr.", "martin luther king"),
        ("JRR Tolkien", "j r r tolkien"),
        ("Brontë, Charlotte", "charlotte bronte"),
        ("夏目 漱石", "夏目漱石"),
        ("Dr.", "dr"),
    ],
)
def test_normalize_author(raw: str, expected: str) -> None:
    assert normalize_author(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("978-0-14-143947-1", "9780141439471"),
        ("0-14-143947-6", "9780141439471"),
        ("0 14 143951 X", "9780141439518"),
        ("014143951x", "9780141439518"),
        ("9780141439518", "9780141439518"),
        ("B0FAKE0001", None),
        ("12345", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_isbn(raw: str | None, expected: str | None) -> None:
    assert normalize_isbn(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3", "3"),
        ("03", "3"),
        ("3.0", "3"),
        ("0.5", "0.5"),
        ("Three", "3"),
        ("III", "3"),
        ("iv", "4"),
        ("IX", "9"),
        ("xiv", "14"),
        ("1-6", "1-6"),
        ("  ", None),
    ],
)
def test_series_numbers_compare_in_one_form(raw: str, expected: str | None) -> None:
    assert normalize_sequence(raw) == expected


# --------------------------------------------------------------------------
# Exact matches
# --------------------------------------------------------------------------


def test_asin_links_ignoring_case_and_whitespace() -> None:
    items = load_abs_items()
    items[1] = replace(items[1], asin="  b0fake0001 ")  # Anne of Green Gables
    titles = [
        # Titled differently on purpose: the ASIN decides.
        title(
            "B0FAKE0001", "Anne of Green Gables (Dramatised)", "Lucy Maud Montgomery"
        ),
        title("B0FAKE0007", "Adventures of Sherlock Holmes", "Arthur Conan Doyle"),
        title("B0FAKE0005", "I Am a Cat", "Natsume Soseki"),
    ]

    result = match(titles, items)

    assert linked(result) == {
        "B0FAKE0001": (ANNE_1, "asin"),
        "B0FAKE0007": (SHERLOCK, "asin"),
        "B0FAKE0005": (WAGAHAI, "asin"),
    }
    assert result.links["B0FAKE0001"].score == 100.0
    assert not result.conflicts
    assert not result.unmatched


def test_isbn_10_matches_isbn_13() -> None:
    items = strip_ids(load_abs_items())
    items[3] = replace(items[3], isbn="978-0-14-143947-1")  # Frankenstein
    titles = [
        title(
            "B000FRANK1",
            "Frankenstein (Penguin Classics)",
            "M. Shelley",
            isbn="0141439476",
        )
    ]

    result = match(titles, items)

    assert linked(result) == {"B000FRANK1": (FRANKENSTEIN, "isbn")}


def test_asin_beats_isbn_of_another_item() -> None:
    items = [
        item("by-isbn", "Pride and Prejudice", "Jane Austen", isbn="9780141439518"),
        item("by-asin", "Pride & Prejudice", "Jane Austen", asin="B0PRIDE001"),
    ]
    titles = [
        title("B0PRIDE001", "Pride and Prejudice", "Jane Austen", isbn="0141439513")
    ]

    assert linked(match(titles, items)) == {"B0PRIDE001": ("by-asin", "asin")}


def test_two_items_with_the_same_asin_are_a_conflict() -> None:
    items = [
        item("copy-a", "Frankenstein", "Mary Shelley", asin="B0FRANK001"),
        item("copy-b", "Frankenstein (1818 Text)", "Mary Shelley", asin="b0frank001"),
    ]
    result = match([title("B0FRANK001", "Frankenstein", "Mary Shelley")], items)

    assert not result.links
    conflict = result.conflicts["B0FRANK001"]
    # Both are ASIN matches; the closer title ranks first.
    assert [(c.item_id, c.method, c.score) for c in conflict.candidates] == [
        ("copy-a", "asin", 100.0),
        ("copy-b", "asin", 100.0),
    ]


# --------------------------------------------------------------------------
# Fuzzy matches
# --------------------------------------------------------------------------


def test_fixture_library_matches_by_title_and_author_without_ids() -> None:
    items = strip_ids(load_abs_items())
    titles = [
        title(
            "B0AUDANNE1",
            "Anne of Green Gables",
            "L.M. Montgomery",
            series=(SeriesRef("Anne of Green Gables", "1"),),
        ),
        title(
            "B0AUDANNE2",
            "Anne of Avonlea: Anne of Green Gables, Book 2",
            "Lucy Maud Montgomery",
            series=(SeriesRef("Anne of Green Gables", "2"),),
        ),
        title("B0AUDANNE3", "Anne of the Island (Unabridged)", "Montgomery, L. M."),
        title("B0AUDFRANK", "Frankenstein", "Mary Wollstonecraft Shelley"),
        title("B0AUDMISER", "Les Miserables", "Victor Hugo", "Isabel F. Hapgood"),
        title("B0AUDPRIDE", "Pride & Prejudice", "Jane Austen"),
        title(
            "B0AUDHOLME", "The Adventures of Sherlock Holmes", "Sir Arthur Conan Doyle"
        ),
        title("B0AUDCAT01", "吾輩は猫である", "夏目 漱石"),
    ]

    result = match(titles, items)

    assert linked(result) == {
        "B0AUDANNE1": (ANNE_1, "fuzzy"),
        "B0AUDANNE2": (ANNE_2, "fuzzy"),
        "B0AUDANNE3": (ANNE_3, "fuzzy"),
        "B0AUDFRANK": (FRANKENSTEIN, "fuzzy"),
        "B0AUDMISER": (MISERABLES, "fuzzy"),
        "B0AUDPRIDE": (PRIDE, "fuzzy"),
        "B0AUDHOLME": (SHERLOCK, "fuzzy"),
        "B0AUDCAT01": (WAGAHAI, "fuzzy"),
    }
    assert result.links["B0AUDMISER"].score == 100.0
    assert result.links["B0AUDCAT01"].score == 100.0
    # Initials against full given names cost a little.
    assert 95.0 <= result.links["B0AUDANNE2"].score < 100.0


def test_cyrillic_title_and_author_written_last_first() -> None:
    items = [item("war-and-peace", "Война и мир", "Толстой, Лев")]
    titles = [title("B0VOINA001", "Война и мир", "Лев Толстой")]

    assert linked(match(titles, items)) == {"B0VOINA001": ("war-and-peace", "fuzzy")}


def test_roman_book_numbers_against_series_sequence() -> None:
    right = item(
        "ah3", "Azarinth Healer", "Rhaegar", series=(SeriesRef("Azarinth Healer", "3"),)
    )
    wrong = replace(right, item_id="ah2", series=(SeriesRef("Azarinth Healer", "2.0"),))
    titles = [title("B0AZARIN03", "Azarinth Healer, Vol. III", "Rhaegar")]

    assert linked(match(titles, [wrong, right])) == {"B0AZARIN03": ("ah3", "fuzzy")}


def test_subtitle_and_book_number_noise() -> None:
    items = [
        item(
            "dcc3",
            "The Dungeon Anarchist's Cookbook: Dungeon Crawler Carl, Book 3",
            "Matt Dinniman",
        ),
        item("ah1", "Azarinth Healer", "Rhaegar", subtitle="A LitRPG Adventure"),
        item("dis", "Dissonance", "Nicoli Gonnella"),
    ]
    titles = [
        title(
            "B08WJ59784",
            "The Dungeon Anarchist's Cookbook",
            "Matt Dinniman",
            subtitle="Dungeon Crawler Carl, Book 3",
            series=(SeriesRef("Dungeon Crawler Carl", "3"),),
        ),
        title(
            "B0BLZNZ47B",
            "Azarinth Healer: Book One",
            "Rhaegar",
            subtitle="A LitRPG Adventure",
        ),
        title(
            "B09XY39B53",
            "Dissonance",
            "Nicoli Gonnella",
            subtitle="A LitRPG Adventure (Unbound Book 1)",
        ),
    ]

    assert linked(match(titles, items)) == {
        "B08WJ59784": ("dcc3", "fuzzy"),
        "B0BLZNZ47B": ("ah1", "fuzzy"),
        "B09XY39B53": ("dis", "fuzzy"),
    }


def test_typo_in_item_title_still_links() -> None:
    items = [item("frank", "Frankenstien", "Mary Shelley")]
    result = match([title("B0FRANK001", "Frankenstein", "Mary Shelley")], items)

    assert linked(result) == {"B0FRANK001": ("frank", "fuzzy")}
    assert 90.0 <= result.links["B0FRANK001"].score < 100.0


def test_subtitle_of_one_side_as_the_title_of_the_other() -> None:
    items = [
        item("final-empire", "The Final Empire", "Brandon Sanderson"),
        item("elantris", "Elantris", "Brandon Sanderson"),
    ]
    titles = [title("B002UZMLXM", "Mistborn: The Final Empire", "Brandon Sanderson")]

    assert linked(match(titles, items)) == {"B002UZMLXM": ("final-empire", "fuzzy")}


def test_series_name_before_the_title_is_not_the_title() -> None:
    # The series name is the title's main part here; the book is after it.
    items = [
        item("heir", "Heir to the Empire", "Timothy Zahn"),
        item("thrawn", "Thrawn", "Timothy Zahn"),
    ]
    titles = [
        title(
            "B0THRAWN01",
            "Star Wars: Thrawn",
            "Timothy Zahn",
            series=(SeriesRef("Star Wars", None),),
        )
    ]

    assert linked(match(titles, items)) == {"B0THRAWN01": ("thrawn", "fuzzy")}


def test_subtitles_both_sides_have_must_agree() -> None:
    items = [item("heir", "Star Wars: Heir to the Empire", "Timothy Zahn")]
    result = match([title("B0THRAWN01", "Star Wars: Thrawn", "Timothy Zahn")], items)

    assert not result.links


def test_a_different_word_is_a_different_book() -> None:
    # Ratios of 89 and 73, but "lost" is no typo of "last": 15 points off.
    items = [
        item("last", "The Last City", "Ann Lee"),
        item("burns", "Magic Burns", "Ilona Andrews"),
    ]
    titles = [
        title("B0LOSTCITY", "The Lost City", "Ann Lee"),
        title("B0MAGIC001", "Magic Bites", "Ilona Andrews"),
    ]
    result = match(titles, items)

    assert not result.links
    ((candidate,),) = [c.candidates for c in result.conflicts.values()]
    assert (candidate.item_id, candidate.score) == ("last", 73.9)
    assert result.unmatched == {"B0MAGIC001"}


def test_contradicting_book_numbers_are_no_link() -> None:
    items = [item("ah2", "Azarinth Healer: Book Two", "Rhaegar")]
    result = match([title("B0BLZNZ47B", "Azarinth Healer: Book One", "Rhaegar")], items)

    assert not result.links
    # Book Two is still worth showing when resolving, at 100 - 30.
    assert [
        (c.item_id, c.score) for c in result.conflicts["B0BLZNZ47B"].candidates
    ] == [("ah2", 70.0)]


def test_same_title_other_author_is_not_linked() -> None:
    items = [
        item("koontz", "Frankenstein", "Dean Koontz"),
        item("emily", "Poems", "Emily Brontë"),
    ]
    titles = [
        title("B0FRANK001", "Frankenstein", "Mary Shelley"),
        title("B0POEMS001", "Poems", "Charlotte Brontë"),
    ]
    result = match(titles, items)

    assert not result.links
    assert not result.conflicts
    assert result.unmatched == {"B0FRANK001", "B0POEMS001"}
    assert match([titles[0]], items).unmatched == {"B0FRANK001"}


def test_author_spelt_otherwise_is_found_by_title() -> None:
    items = [
        item("karamazov", "The Brothers Karamazov", "Fyodor Dostoyevsky"),
        item("other", "The Brothers", "Someone Else"),
    ]
    titles = [title("B0KARAMAZ1", "The Brothers Karamazov", "Fyodor Dostoevsky")]

    assert linked(match(titles, items)) == {"B0KARAMAZ1": ("karamazov", "fuzzy")}


def test_bare_surname_author_is_found_by_title() -> None:
    items = [item("odyssey", "The Odyssey", "Homer", "Emily Wilson")]
    titles = [title("B0ODYSSEY1", "The Odyssey", "Homer")]

    assert linked(match(titles, items)) == {"B0ODYSSEY1": ("odyssey", "fuzzy")}


def test_title_without_authors_is_looked_up_by_title() -> None:
    items = [item("beowulf", "Beowulf", "Seamus Heaney")]
    result = match([title("B0BEOWULF1", "Beowulf")], items)

    # Found, but the authors cannot confirm it: a conflict, not a link.
    assert not result.links
    assert [c.item_id for c in result.conflicts["B0BEOWULF1"].candidates] == ["beowulf"]


def test_item_without_authors_is_never_linked_automatically() -> None:
    items = [item("untagged", "Pride and Prejudice")]
    result = match([title("B0PRIDE001", "Pride and Prejudice", "Jane Austen")], items)

    assert not result.links
    (candidate,) = result.conflicts["B0PRIDE001"].candidates
    assert candidate.item_id == "untagged"
    assert candidate.score == 92.5


def test_prolific_author_bucket_too_large_falls_back_to_title(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(matcher_module, "_MAX_AUTHOR_BUCKET", 1)
    items = [
        item("emma", "Emma", "Jane Austen"),
        item("persuasion", "Persuasion", "Jane Austen"),
    ]
    result = match([title("B0EMMA0001", "Emma", "Jane Austen")], items)

    assert linked(result) == {"B0EMMA0001": ("emma", "fuzzy")}


def test_only_the_rarest_title_tokens_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    items = [
        item("river", "Silent River", "Ann Lee"),
        item("rivers", "Silent Rivers", "Bo Chen"),
    ]
    titles = [title("B0SILENT01", "Silent River")]
    matcher = Matcher()
    matcher.update(titles, items)
    assert [c.item_id for c in matcher.candidates_for("B0SILENT01")] == [
        "river",
        "rivers",
    ]

    # "silent" is in two items, "river" in one: with tiny buckets allowed,
    # only the rarer token is read.
    monkeypatch.setattr(matcher_module, "_MAX_TITLE_BUCKET", 1)
    monkeypatch.setattr(matcher_module, "_TITLE_BUCKET_BUDGET", 1)
    matcher = Matcher()
    matcher.update(titles, items)
    assert [c.item_id for c in matcher.candidates_for("B0SILENT01")] == ["river"]


def test_series_without_numbers_is_a_conflict_not_a_wrong_link() -> None:
    # Dungeon Crawler Carl filed by series folder: every ABS item has the
    # series name as its title and no book number.
    books = [
        "Dungeon Crawler Carl",
        "Carl's Doomsday Scenario",
        "The Dungeon Anarchist's Cookbook",
        "The Gate of the Feral Gods",
        "The Butcher's Masquerade",
        "The Eye of the Bedlam Bride",
        "This Inevitable Ruin",
    ]
    titles = [
        title(
            f"B0DCC0000{number}",
            name,
            "Matt Dinniman",
            subtitle=f"Dungeon Crawler Carl, Book {number}",
            series=(SeriesRef("Dungeon Crawler Carl", str(number)),),
        )
        for number, name in enumerate(books, start=1)
    ]
    items = [
        item(f"dcc-{n}", "Dungeon Crawler Carl", "Matt Dinniman") for n in range(1, 8)
    ]

    result = match(titles, items)

    assert not result.links
    conflict = result.conflicts["B0DCC00001"]
    assert len(conflict.candidates) == 5
    assert {c.score for c in conflict.candidates} == {100.0}
    assert [c.item_id for c in conflict.candidates] == [f"dcc-{n}" for n in range(1, 6)]


def test_book_numbers_tell_a_numbered_series_apart() -> None:
    words = ["One", "Two", "Three"]
    titles = [
        title(f"B0AZARIN0{n}", f"Azarinth Healer: Book {word}", "Rhaegar")
        for n, word in enumerate(words, start=1)
    ]
    bare = [item(f"ah-{n}", "Azarinth Healer", "Rhaegar") for n in range(1, 4)]
    numbered = [
        replace(entry, series=(SeriesRef("Azarinth Healer", str(n)),))
        for n, entry in enumerate(bare, start=1)
    ]

    without_numbers = match(titles, bare)
    with_numbers = match(titles, numbered)

    assert not without_numbers.links
    assert set(without_numbers.conflicts) == {t.asin for t in titles}
    assert linked(with_numbers) == {
        "B0AZARIN01": ("ah-1", "fuzzy"),
        "B0AZARIN02": ("ah-2", "fuzzy"),
        "B0AZARIN03": ("ah-3", "fuzzy"),
    }


def test_near_duplicates_without_margin_are_a_conflict() -> None:
    items = [
        item("a", "Pride and Prejudice", "Jane Austen"),
        item("b", "Pride and Prejudice (Dramatised)", "Jane Austen"),
    ]
    result = match([title("B0PRIDE001", "Pride and Prejudice", "Jane Austen")], items)

    assert not result.links
    assert [c.item_id for c in result.conflicts["B0PRIDE001"].candidates] == ["a", "b"]


def test_no_candidate_is_unmatched() -> None:
    result = match(
        [title("B0NOTHERE1", "The Name of the Wind", "Patrick Rothfuss")],
        load_abs_items(),
    )

    assert result.unmatched == {"B0NOTHERE1"}
    assert not result.links
    assert not result.conflicts


def test_empty_libraries() -> None:
    assert match([], []) == MatchResult({}, {}, frozenset(), frozenset())


# --------------------------------------------------------------------------
# One item, several titles
# --------------------------------------------------------------------------


def test_two_editions_on_audible_do_not_share_one_item() -> None:
    items = [item("frank", "Frankenstein", "Mary Shelley")]
    titles = [
        title("B0FRANK001", "Frankenstein", "Mary Shelley"),
        title("B0FRANK002", "Frankenstein (Dramatised)", "Mary Shelley"),
    ]
    result = match(titles, items)

    assert not result.links
    assert set(result.conflicts) == {"B0FRANK001", "B0FRANK002"}
    assert result.conflicts["B0FRANK002"].candidates[0].item_id == "frank"


def test_clearly_better_fuzzy_claim_wins_the_item() -> None:
    items = [item("frank", "Frankenstein", "Mary Shelley")]
    titles = [
        title("B0FRANK001", "Frankenstein", "Mary Shelley"),
        title("B0FRANK002", "Frankenstien", "Mary Shelley"),
    ]
    result = match(titles, items)

    assert linked(result) == {"B0FRANK001": ("frank", "fuzzy")}
    assert set(result.conflicts) == {"B0FRANK002"}


def test_asin_claim_beats_fuzzy_claim() -> None:
    items = [item("frank", "Frankenstein", "Mary Shelley", asin="B0FRANK002")]
    titles = [
        title("B0FRANK001", "Frankenstein", "Mary Shelley"),
        title("B0FRANK002", "Frankenstein: The 1818 Text", "Mary Shelley"),
    ]
    result = match(titles, items)

    assert linked(result) == {"B0FRANK002": ("frank", "asin")}
    assert set(result.conflicts) == {"B0FRANK001"}


def test_two_isbn_claims_are_a_tie() -> None:
    items = [item("pride", "Pride and Prejudice", "Jane Austen", isbn="9780141439518")]
    titles = [
        title("B0PRIDE001", "Pride and Prejudice", "Jane Austen", isbn="0141439513"),
        title(
            "B0PRIDE002", "Pride and Prejudice", "Jane Austen", isbn="978-0141439518"
        ),
    ]
    result = match(titles, items)

    assert not result.links
    assert set(result.conflicts) == {"B0PRIDE001", "B0PRIDE002"}


# --------------------------------------------------------------------------
# Manual links and ignored titles
# --------------------------------------------------------------------------


def test_manual_link_wins_over_asin() -> None:
    items = load_abs_items()
    titles = [title("B0FAKE0001", "Anne of Green Gables", "L. M. Montgomery")]

    result = match(titles, items, manual_links={"B0FAKE0001": ANNE_2})

    assert result.links == {"B0FAKE0001": Link("B0FAKE0001", ANNE_2, "manual", 100.0)}


def test_manually_linked_item_is_not_linked_automatically_elsewhere() -> None:
    items = [item("frank", "Frankenstein", "Mary Shelley", asin="B0FRANK001")]
    titles = [
        title("B0FRANK001", "Frankenstein", "Mary Shelley"),
        title("B0FRANK002", "Frankenstein (Dramatised)", "Mary Shelley"),
    ]
    result = match(titles, items, manual_links={"B0FRANK002": "frank"})

    assert linked(result) == {"B0FRANK002": ("frank", "manual")}
    assert [c.item_id for c in result.conflicts["B0FRANK001"].candidates] == ["frank"]


def test_two_manual_links_to_one_item_are_kept() -> None:
    items = [item("omnibus", "The Lord of the Rings", "J. R. R. Tolkien")]
    titles = [
        title("B0LOTR0001", "The Fellowship of the Ring", "J.R.R. Tolkien"),
        title("B0LOTR0002", "The Two Towers", "J.R.R. Tolkien"),
    ]
    manual = {"B0LOTR0001": "omnibus", "B0LOTR0002": "omnibus"}

    assert linked(match(titles, items, manual_links=manual)) == {
        "B0LOTR0001": ("omnibus", "manual"),
        "B0LOTR0002": ("omnibus", "manual"),
    }


def test_stale_manual_link_is_reported_and_not_replaced() -> None:
    items = load_abs_items()
    titles = [title("B0FAKE0001", "Anne of Green Gables", "L. M. Montgomery")]

    result = match(titles, items, manual_links={"B0FAKE0001": "deleted-item"})

    assert result.stale_manual_links == {"B0FAKE0001"}
    assert not result.links
    assert not result.conflicts
    assert not result.unmatched


def test_manual_link_of_a_title_not_in_the_library_is_left_out() -> None:
    result = match([], load_abs_items(), manual_links={"B0GONE0001": ANNE_1})

    assert result == MatchResult({}, {}, frozenset(), frozenset())


def test_ignored_titles_appear_nowhere() -> None:
    items = load_abs_items()
    titles = [
        title("B0FAKE0001", "Anne of Green Gables", "L. M. Montgomery"),
        title("B0NOTHERE1", "The Name of the Wind", "Patrick Rothfuss"),
        title("B0FAKE0002", "Anne of Avonlea", "L. M. Montgomery"),
    ]
    result = match(
        titles,
        items,
        manual_links={"B0FAKE0002": ANNE_3},
        ignored={"B0FAKE0001", "B0NOTHERE1", "B0FAKE0002"},
    )

    assert result == MatchResult({}, {}, frozenset(), frozenset())


# --------------------------------------------------------------------------
# Incremental updates
# --------------------------------------------------------------------------


def test_unchanged_update_rescores_nothing() -> None:
    items = load_abs_items()
    titles = [
        title("B0FAKE0001", "Anne of Green Gables", "L. M. Montgomery"),
        title("B0AUDMISER", "Les Miserables", "Victor Hugo"),
    ]
    matcher = Matcher()
    first = matcher.update(titles, items)
    assert matcher.rematched_last_update == 2

    # Listening progress is no reason to match again.
    titles = [replace(t, percent_complete=42.0) for t in titles]
    second = matcher.update(titles, list(reversed(items)))

    assert matcher.rematched_last_update == 0
    assert second == first
    assert matcher.result is second


def test_incremental_update_rescores_only_what_changed() -> None:
    items = strip_ids(load_abs_items())
    titles = [
        title("B0AUDANNE1", "Anne of Green Gables", "L. M. Montgomery"),
        title("B0AUDANNE2", "Anne of Avonlea", "L. M. Montgomery"),
        title("B0AUDFRANK", "Frankenstein", "Mary Shelley"),
        title("B0AUDMISER", "Les Miserables", "Victor Hugo"),
        title("B0AUDPRIDE", "Pride and Prejudice", "Jane Austen"),
        title("B0AUDHOLME", "The Adventures of Sherlock Holmes", "Arthur Conan Doyle"),
        title("B0AUDCAT01", "吾輩は猫である", "夏目漱石"),
        title("B0AUDEMMA1", "Emma", "Jane Austen"),
    ]
    matcher = Matcher()
    matcher.update(titles, items)
    assert matcher.rematched_last_update == 8

    # Another Austen novel arrives: only the Austen titles may care.
    items.append(item("emma", "Emma", "Jane Austen"))
    result = matcher.update(titles, items)
    assert matcher.rematched_last_update == 2
    assert linked(result)["B0AUDEMMA1"] == ("emma", "fuzzy")
    assert result == Matcher().update(titles, items)

    # Frankenstein's item is retitled; a new title arrives; Holmes leaves.
    items = [
        replace(entry, title="Frankenstein; or, The Modern Prometheus")
        if entry.item_id == FRANKENSTEIN
        else entry
        for entry in items
    ]
    titles = [t for t in titles if t.asin != "B0AUDHOLME"]
    titles.append(title("B0AUDANNE3", "Anne of the Island", "L. M. Montgomery"))
    result = matcher.update(titles, items)
    assert matcher.rematched_last_update == 2
    assert "B0AUDHOLME" not in result.links
    assert linked(result)["B0AUDANNE3"] == (ANNE_3, "fuzzy")
    assert result == Matcher().update(titles, items)

    # An item goes away: the title it was linked to is matched again.
    items = [entry for entry in items if entry.item_id != MISERABLES]
    result = matcher.update(titles, items)
    assert matcher.rematched_last_update == 1
    assert result.unmatched == {"B0AUDMISER"}
    assert result == Matcher().update(titles, items)


def test_titles_are_scored_when_no_longer_ignored_or_manual() -> None:
    items = load_abs_items()
    titles = [
        title("B0FAKE0001", "Anne of Green Gables", "L. M. Montgomery"),
        title("B0FAKE0002", "Anne of Avonlea", "L. M. Montgomery"),
    ]
    matcher = Matcher()
    matcher.update(
        titles, items, ignored={"B0FAKE0001"}, manual_links={"B0FAKE0002": ANNE_3}
    )
    assert matcher.rematched_last_update == 0

    result = matcher.update(titles, items)

    assert matcher.rematched_last_update == 2
    assert linked(result) == {
        "B0FAKE0001": (ANNE_1, "asin"),
        "B0FAKE0002": (ANNE_2, "asin"),
    }
    # Ignoring again keeps the verdict; lifting it costs nothing.
    matcher.update(titles, items, ignored={"B0FAKE0001"})
    assert matcher.update(titles, items) == result
    assert matcher.rematched_last_update == 0


WORDS = (
    "silent", "broken", "iron", "crown", "river", "forest", "winter", "garden",
    "shadow", "ember", "raven", "letter", "harbor", "island", "lantern",
    "orchard", "tempest", "voyage", "warden", "cipher",
)  # fmt: skip
NAMES = (
    "Ada Byron", "Bram Stoker", "Clara Holt", "Dev Patel", "Emil Zola",
    "Fay Weldon", "Gus Hale", "Hana Mori", "Ivo Andric", "Jun Ito",
)  # fmt: skip


def random_library(rng: random.Random) -> tuple[list[AudibleTitle], list[AbsItem]]:
    titles = []
    items = []
    for number in range(60):
        name = " ".join(rng.sample(WORDS, rng.randint(1, 3))).title()
        author = rng.choice(NAMES)
        series = (
            (SeriesRef("Saga", str(rng.randint(1, 4))),) if rng.random() < 0.3 else ()
        )
        asin = f"B0RAND{number:04d}"
        titles.append(title(asin, name, author, series=series))
        if rng.random() < 0.8:
            items.append(
                item(
                    f"item-{number}",
                    name if rng.random() < 0.7 else f"{name} (Unabridged)",
                    author if rng.random() < 0.9 else "",
                    series=series,
                    asin=asin if rng.random() < 0.3 else None,
                )
            )
    return titles, items


def mutate(
    rng: random.Random, titles: list[AudibleTitle], items: list[AbsItem], serial: int
) -> tuple[list[AudibleTitle], list[AbsItem]]:
    items = list(items)
    titles = list(titles)
    for _ in range(rng.randint(1, 4)):
        action = rng.randrange(5)
        if action == 0 and items:
            items.pop(rng.randrange(len(items)))
        elif action == 1:
            source = rng.choice(titles)
            items.append(
                item(f"new-{serial}-{rng.random()}", source.title, *source.authors)
            )
        elif action == 2 and items:
            index = rng.randrange(len(items))
            items[index] = replace(items[index], title=rng.choice(WORDS).title())
        elif action == 3 and items:
            index = rng.randrange(len(items))
            items[index] = replace(items[index], authors=(rng.choice(NAMES),))
        elif titles:
            index = rng.randrange(len(titles))
            titles[index] = replace(
                titles[index], title=" ".join(rng.sample(WORDS, 2)).title()
            )
    return titles, items


@pytest.mark.parametrize("seed", range(8))
def test_incremental_updates_equal_a_fresh_match(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - repeatable test data
    titles, items = random_library(rng)
    matcher = Matcher()
    matcher.update(titles, items)
    rescored = []
    for serial in range(12):
        titles, items = mutate(rng, titles, items, serial)
        manual = {titles[0].asin: items[0].item_id} if serial % 3 == 0 else {}
        ignored = {titles[1].asin} if serial % 4 == 0 else set()
        incremental = matcher.update(
            titles, items, manual_links=manual, ignored=ignored
        )
        rescored.append(matcher.rematched_last_update)
        assert incremental == Matcher().update(
            titles, items, manual_links=manual, ignored=ignored
        )
    # Small edits re-score a part of the library, not all of it.
    assert sum(rescored) < 12 * len(titles) / 2


# --------------------------------------------------------------------------
# Candidates for the UI
# --------------------------------------------------------------------------


def test_candidates_for_ranks_exact_then_fuzzy() -> None:
    items = [
        *load_abs_items(),
        item(
            "anne-dramatised", "Anne of Green Gables (Dramatised)", "L. M. Montgomery"
        ),
    ]
    matcher = Matcher()
    matcher.update(
        [title("B0FAKE0001", "Anne of Green Gables", "L. M. Montgomery")], items
    )

    candidates = matcher.candidates_for("B0FAKE0001")

    assert [(c.item_id, c.method) for c in candidates] == [
        (ANNE_1, "asin"),
        ("anne-dramatised", "fuzzy"),
    ]
    assert candidates[0] == Candidate(
        ANNE_1, 100.0, "Anne of Green Gables", ("L. M. Montgomery",), "asin"
    )
    assert matcher.candidates_for("B0FAKE0001", limit=1) == candidates[:1]
    assert matcher.candidates_for("B0UNKNOWN1") == ()


# --------------------------------------------------------------------------
# Serialisation
# --------------------------------------------------------------------------


def test_result_round_trips_through_json() -> None:
    items = [*load_abs_items(), item("untagged", "Pride and Prejudice")]
    titles = [
        title("B0FAKE0001", "Anne of Green Gables", "L. M. Montgomery"),
        title("B0AUDMISER", "Les Miserables", "Victor Hugo"),
        title("B0AUDPRIDE", "Pride and Prejudice", "Jane Austen"),
        title("B0NOTHERE1", "The Name of the Wind", "Patrick Rothfuss"),
        title("B0STALE001", "Emma", "Jane Austen"),
        title("B0MANUAL01", "Persuasion", "Jane Austen"),
    ]
    result = match(
        titles,
        [
            replace(entry, asin=None) if entry.item_id == PRIDE else entry
            for entry in items
        ],
        manual_links={"B0STALE001": "gone", "B0MANUAL01": PRIDE},
    )
    assert result.links
    assert result.conflicts
    assert result.unmatched
    assert result.stale_manual_links

    stored = json.loads(json.dumps(result.to_dict()))

    assert MatchResult.from_dict(stored) == result
    assert stored["version"] == 1
    assert stored["unmatched"] == ["B0NOTHERE1"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda _: [],
        lambda data: {**data, "version": 2},
        lambda data: {key: value for key, value in data.items() if key != "links"},
        lambda data: {**data, "links": {}},
        lambda data: {**data, "unmatched": [1]},
        lambda data: {**data, "links": [{**data["links"][0], "method": "guess"}]},
        lambda data: {**data, "links": [{**data["links"][0], "score": "high"}]},
        lambda data: {**data, "links": [{**data["links"][0], "score": True}]},
        lambda data: {**data, "links": [{**data["links"][0], "item_id": None}]},
        lambda data: {**data, "conflicts": ["B0X"]},
    ],
)
def test_malformed_stored_result_is_rejected(damage: Any) -> None:
    result = MatchResult(
        links={"B0A": Link("B0A", "item-a", "fuzzy", 93.5)},
        conflicts={
            "B0B": Conflict(
                "B0B", (Candidate("item-b", 80.0, "Emma", ("Jane Austen",), "fuzzy"),)
            )
        },
        unmatched=frozenset({"B0C"}),
        stale_manual_links=frozenset(),
    )
    data = result.to_dict()
    assert MatchResult.from_dict(data) == result

    with pytest.raises(MatchDataError):
        MatchResult.from_dict(damage(data))


def test_a_refresh_leaves_one_copy_of_each_title_and_item() -> None:
    matcher = Matcher()
    first = title("B0ONECOPY1", "Persuasion", "Jane Austen")
    first_item = item("li-1", "Persuasion", "Jane Austen")
    matcher.update([first], [first_item])
    # A full refresh parses equal, new objects: the matcher keeps the new
    # ones, not a second copy of the old (the library drops those).
    again = replace(first, purchase_date=None)
    again_item = replace(first_item)
    result = matcher.update([again], [again_item])
    assert result.links["B0ONECOPY1"].item_id == "li-1"
    assert matcher._titles["B0ONECOPY1"].source is again
    assert matcher._items["li-1"].source is again_item
    assert matcher.rematched_last_update == 0


def test_verdicts_share_their_index_keys() -> None:
    matcher = Matcher()
    matcher.update(
        [
            title("B0SHARED01", "Emma", "Jane Austen"),
            title("B0SHARED02", "Mansfield Park", "Jane Austen"),
        ],
        [item("li-9", "Sense and Sensibility", "Jane Austen")],
    )
    first, second = (
        set(matcher._evaluations[asin].read_keys)
        for asin in ("B0SHARED01", "B0SHARED02")
    )
    common = first & second
    assert common  # the author's buckets
    by_value = {key: key for key in matcher._evaluations["B0SHARED01"].read_keys}
    assert all(
        key is by_value[key]
        for key in matcher._evaluations["B0SHARED02"].read_keys
        if key in common
    )
