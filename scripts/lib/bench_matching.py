"""Benchmark the Audible <-> Audiobookshelf matcher on synthetic libraries.

Run it through `scripts/bench` (which provides the environment), e.g.
`scripts/bench --titles 5000 --items 20000 --runs 5`. The generator is seeded,
so runs repeat; it knows which ABS items are copies of which Audible titles and
reports the precision of the links against that truth.

The ABS side holds noisy copies of most Audible titles (other punctuation,
"Book N" markers and "(Unabridged)" notes, missing subtitles and accents,
typos, authors written "Last, First" or with initials, a few items without
authors, a few second editions) plus unrelated books by the same authors. About
30 % of all ABS items carry an ASIN. Some series are titled "<Series>: Book N"
on Audible while their ABS copies are only "<Series>": those cannot be told
apart and should become conflicts, as should second editions and copies
without authors.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
import tracemalloc
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from itertools import accumulate

from custom_components.audible_tracker.core.matching import Matcher, MatchResult
from custom_components.audible_tracker.core.models import (
    AbsItem,
    AudibleTitle,
    SeriesRef,
)


def split_words(text: str) -> list[str]:
    return text.split()


ADJECTIVES = split_words(
    "Silent Broken Hidden Burning Crimson Golden Iron Last Lost Dark Bright Hollow "
    "Wild Frozen Ancient Scarlet Silver Bitter Savage Quiet Endless Fallen Shattered "
    "Secret Wandering Sleeping Forgotten Restless Gentle Cruel Distant Drowned "
    "Emerald Obsidian Pale Radiant Sunken Twisted Veiled Wicked Winter Summer "
    "Autumn Northern Southern Eastern Western Midnight Morning Evening Hungry Naïve "
    "Bold Brave Little Great Black White Red Blue Green Grey Hallowed Haunted "
    "Infinite Luminous Mortal Eternal Royal Rogue Shadowed Starlit Stolen Thorned "
    "Amber Ashen Blind Brazen Burnished Cursed Deadly Desolate Devoted Dire Dreaming "
    "Dusky Elder Feral Fierce Fleeting Foolish Fragile Gilded Glass Grim Hidden "
    "Hopeful Howling Idle Jade Jagged Keen Kindred Lonely Lucky Mad Merciful Misty "
    "Molten Narrow Noble Opal Painted Perfect Phantom Pious Proud Quicksilver Ragged "
    "Reckless Rusted Sacred Salt Scorched Secondhand Severed Sharp Shining Sly Smoky "
    "Solemn Sorrowful Spectral Splendid Stark Stone Strange Sullen Swift Tangled "
    "Tender Thin Timeless Tired Torn Troubled True Unbroken Unseen Vagrant Velvet "
    "Vengeful Violet Wary Weary Whispering Widowed Wise Woven Wretched Young Zealous"
)
NOUNS = split_words(
    "Crown Sword Throne Kingdom Empire City Tower River Forest Mountain Sea Storm "
    "Fire Ash Bone Blood Shadow Light Star Moon Sun Night Dawn Dusk Winter Garden "
    "House Road Bridge Gate Door Key Mirror Song Voice Heart Soul Oath Promise Lie "
    "Truth Secret Letter Map Ship Harbor Island Desert Valley Wolf Raven Dragon "
    "Serpent Lion Fox Hunter Thief Queen King Prince Witch Mage Knight Soldier "
    "Spy Doctor Detective Daughter Son Mother Father Sister Brother Widow Orphan "
    "Stranger Café Élan Noël Señor Fiancée Ragnarök Piñata Château Fjord Saga "
    "Legacy Covenant Reckoning Requiem Labyrinth Archive Cipher Engine Compass Ember "
    "Abbey Academy Alchemist Altar Anchor Anthem Apprentice Arrow Assassin Atlas "
    "Bargain Banner Beacon Bell Blade Bloodline Bookshop Border Bounty Bride Canyon "
    "Captain Cartographer Castle Cathedral Cellar Chalice Champion Chapel Circus "
    "Citadel Clockmaker Cloud Coast Colony Comet Conjurer Constable Courier Crossing "
    "Crow Curse Dagger Diary Duchess Duke Dungeon Eclipse Emperor Envoy Exile Falcon "
    "Feast Ferryman Fever Flame Flood Fortress Frontier Gambit Ghost Giant Glacier "
    "Gravedigger Guardian Guild Gunslinger Heir Heiress Hermit Highway Horizon Hound "
    "Inheritance Inn Inquisitor Jewel Journey Judge Jungle Keeper Lantern Legion "
    "Librarian Lighthouse Locket Machine Manor Marsh Masquerade Meadow Merchant "
    "Midwife Miner Monastery Monk Mountaineer Nightingale Observatory Oracle Orchard "
    "Outlaw Painter Palace Pilgrim Pirate Plague Poet Portrait Potion Prophecy "
    "Puppet Quarry Rebel Refuge Relic Rider Riddle Rose Ruin Sanctuary Scholar "
    "Scribe Sentinel Shepherd Shipwreck Siege Smuggler Sorcerer Spire Summit Swan "
    "Tailor Tempest Temple Tide Tinker Tomb Traitor Treasure Trial Twin Tyrant "
    "Vault Vineyard Voyage Warden Warrior Watchman Weaver Wilderness Wreck Zealot"
)
GIVEN_NAMES = split_words(
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David "
    "Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy "
    "Matthew Lisa Anthony Betty Mark Margaret Donald Sandra Steven Ashley Paul "
    "Kimberly Andrew Emily Joshua Donna Kenneth Michelle Kevin Dorothy Brian Carol "
    "George Amanda Edward Melissa Ronald Deborah Timothy Stephanie Jason Rebecca "
    "José Zoë Chloé Renée Søren Björn Ingrid Hélène François Łucja Mikaël Amélie"
)
SURNAMES = split_words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez "
    "Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin "
    "Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker "
    "Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson "
    "Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans "
    "Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy "
    "Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard "
    "Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray "
    "Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross "
    "Foster Jimenez Müller Brontë Núñez Lefèvre Dvořák Østergaard Öztürk Żukowski "
    "Gonçalves Ibáñez Schäfer Åberg Moreau Laurent Rousseau Fontaine Dubois Novak"
)
SURNAME_STARTS = split_words(
    "Ash Black Brook Mor Thorn Kings Ald Fair Hol Ros Whit Dun Pem Caul Lang Strat "
    "Bel Crom Hart Wex Stan Mar Pen Rad Sel Tal Ver Wyn Gar Hale"
)
SURNAME_ENDS = split_words(
    "ley ton wood field worth by ham ford well more stone bridge croft shaw wick "
    "dale mont ridge combe hurst low mere stead thwaite"
)

SUBTITLES = (
    "A Novel",
    "A Thriller",
    "A LitRPG Adventure",
    "A Memoir",
    "An Epic Fantasy",
    "A Mystery",
    "A Space Opera",
    "Stories",
)
TITLE_PATTERNS = (
    "The {adj} {noun}",
    "{noun} of {other}s",
    "The {noun} of the {adj} {other}",
    "A {noun} of {other} and {third}",
    "{name}'s {noun}",
    "The {noun}'s {other}",
    "{adj} {noun}",
)
SERIES_PATTERNS = (
    "The {noun} Chronicles",
    "{adj} {noun}",
    "The {noun} Cycle",
    "Tales of the {noun}",
    "{noun} Saga",
)
NUMBER_WORDS = ("One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")
MIN_TYPO_LENGTH = 5


@dataclass(frozen=True, slots=True)
class Book:
    """A book as its author published it."""

    title: str
    subtitle: str | None
    authors: tuple[str, ...]
    series: SeriesRef | None
    isbn: str | None
    # Audible titles it "<Series>: Book N"; ABS copies are bare "<Series>".
    numbered_only: bool = False


@dataclass(frozen=True, slots=True)
class Libraries:
    """A generated pair of libraries and the true links between them."""

    titles: list[AudibleTitle]
    items: list[AbsItem]
    truth: dict[str, set[str]]  # ASIN -> item ids that are copies of it


def chance(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


def random_title(rng: random.Random) -> str:
    return rng.choice(TITLE_PATTERNS).format(
        adj=rng.choice(ADJECTIVES),
        noun=rng.choice(NOUNS),
        other=rng.choice(NOUNS),
        third=rng.choice(NOUNS),
        name=rng.choice(GIVEN_NAMES),
    )


def random_asin(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "B0" + "".join(rng.choice(alphabet) for _ in range(8))


def random_isbn13(rng: random.Random) -> str:
    body = "978" + "".join(str(rng.randrange(10)) for _ in range(9))
    total = sum(
        int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(body)
    )
    return body + str((10 - total % 10) % 10)


def isbn10_of(isbn13: str) -> str:
    body = isbn13[3:12]
    total = sum(int(digit) * (10 - index) for index, digit in enumerate(body))
    check = (11 - total % 11) % 11
    return body + ("X" if check == 10 else str(check))  # noqa: PLR2004


def make_authors(rng: random.Random, count: int) -> list[str]:
    """Distinct authors; common and invented surnames ("Ashworth", "Thornby")."""
    surnames = SURNAMES + [
        start + end for start in SURNAME_STARTS for end in SURNAME_ENDS
    ]
    authors: dict[str, None] = {}
    while len(authors) < count:
        given = rng.choice(GIVEN_NAMES)
        if chance(rng, 0.2):
            given = f"{given} {rng.choice('ABCDEFGHJKLMRST')}."
        authors[f"{given} {rng.choice(surnames)}"] = None
    return list(authors)


def make_books(rng: random.Random, count: int) -> list[Book]:
    """Books by a pool of authors (a few prolific), a third in numbered series."""
    authors = make_authors(rng, max(1, count // 6))
    # Author n writes in proportion to 1/sqrt(n): the most prolific about 1 %.
    weights = list(accumulate(1 / (rank + 1) ** 0.5 for rank in range(len(authors))))
    # A few titles are used by several authors ("The Last Kingdom" twice).
    shared_titles = [random_title(rng) for _ in range(max(1, count // 50))]
    used: set[tuple[str, str]] = set()

    def fresh_title(author: str) -> str:
        """Return a title this author has not used yet."""
        while True:
            title = rng.choice(shared_titles) if chance(rng, 0.1) else random_title(rng)
            if (author, title) not in used:
                used.add((author, title))
                return title

    def book(authors: tuple[str, ...], title: str, series: SeriesRef | None) -> Book:
        return Book(
            title=title,
            subtitle=rng.choice(SUBTITLES) if chance(rng, 0.3) else None,
            authors=authors,
            series=series,
            isbn=random_isbn13(rng) if chance(rng, 0.2) else None,
        )

    books: list[Book] = []
    while len(books) < count:
        author = rng.choices(authors, cum_weights=weights)[0]
        coauthors = (author, rng.choice(authors)) if chance(rng, 0.05) else (author,)
        if not chance(rng, 0.35):
            books.append(book(coauthors, fresh_title(author), None))
            continue
        name = rng.choice(SERIES_PATTERNS).format(
            adj=rng.choice(ADJECTIVES), noun=rng.choice(NOUNS)
        )
        numbered_only = chance(rng, 0.1)
        books.extend(
            replace(
                book(
                    coauthors,
                    name if numbered_only else fresh_title(author),
                    SeriesRef(name, str(number)),
                ),
                numbered_only=numbered_only,
            )
            for number in range(1, rng.randint(3, 10))
        )
    return books[:count]


def audible_title(book: Book, asin: str) -> AudibleTitle:
    title = book.title
    if book.numbered_only and book.series and book.series.sequence:
        title = f"{title}: Book {NUMBER_WORDS[int(book.series.sequence) - 1]}"
    return AudibleTitle(
        asin=asin,
        title=title,
        subtitle=book.subtitle,
        authors=book.authors,
        series=(book.series,) if book.series else (),
        isbn=book.isbn,
    )


def typo(rng: random.Random, text: str) -> str:
    """Drop or swap a letter inside one longer word."""
    words = text.split()
    long_words = [i for i, word in enumerate(words) if len(word) >= MIN_TYPO_LENGTH]
    if not long_words:
        return text
    index = rng.choice(long_words)
    word = words[index]
    at = rng.randrange(1, len(word) - 1)
    if chance(rng, 0.5):
        words[index] = word[:at] + word[at + 1 :]
    else:
        words[index] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return " ".join(words)


def strip_accents(text: str) -> str:
    """Write a name or title the way an ASCII-only tagger would."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char))
    return ascii_only.translate(str.maketrans("øØłŁ", "oOlL"))


def noisy_author(rng: random.Random, name: str) -> str:
    parts = name.split()
    variants = [
        f"{parts[-1]}, {' '.join(parts[:-1])}",  # Last, First
        f"{parts[0][0]}. {parts[-1]}",  # initial only
        strip_accents(name),
    ]
    if len(parts) > 2:  # noqa: PLR2004
        variants.append(f"{parts[0][0]}.{parts[1]} {parts[-1]}")  # "M.B. Smith"
    return rng.choice(variants) if chance(rng, 0.35) else name


def with_series_note(rng: random.Random, book: Book, title: str) -> str:
    """Put the series in the title, as file tags and folder names often do."""
    if not book.series or book.numbered_only:
        return title
    name, number = book.series.title, book.series.sequence
    return rng.choice(
        [
            f"{title} ({name}, Book {number})",
            f"{name} #{number} - {title}",
            title,
            title,
            title,
            title,
            title,
            title,
        ]
    )


def with_punctuation_noise(rng: random.Random, title: str) -> str:
    variants = [
        title.replace("'", "").replace(":", " -"),
        strip_accents(title),
        title.upper(),
    ]
    if title.startswith("The "):
        variants.append(f"{title.removeprefix('The ')}, The")
    return rng.choice(variants) if chance(rng, 0.25) else title


def noisy_title(rng: random.Random, book: Book) -> tuple[str, str | None]:
    """Return an ABS title and subtitle for a copy of `book`."""
    title = book.title
    subtitle = book.subtitle if chance(rng, 0.5) else None
    if book.subtitle and chance(rng, 0.15):
        title, subtitle = f"{title}: {book.subtitle}", None
    title = with_punctuation_noise(rng, with_series_note(rng, book, title))
    if chance(rng, 0.1):
        title = f"{title} (Unabridged)"
    if chance(rng, 0.06):
        title = typo(rng, title)
    return title, subtitle


def abs_copy(rng: random.Random, book: Book, item_id: str, asin: str | None) -> AbsItem:
    title, subtitle = noisy_title(rng, book)
    authors = tuple(noisy_author(rng, author) for author in book.authors)
    isbn = book.isbn
    if isbn and chance(rng, 0.5):
        isbn10 = isbn10_of(isbn)
        isbn = f"{isbn10[0]}-{isbn10[1:4]}-{isbn10[4:9]}-{isbn10[9]}"
    if asin and chance(rng, 0.2):
        asin = f" {asin.lower()} "
    keep_series = book.series and not book.numbered_only and chance(rng, 0.5)
    return AbsItem(
        item_id=item_id,
        library_id="lib-books",
        title=title,
        subtitle=subtitle,
        authors=() if chance(rng, 0.02) else authors,
        series=(book.series,) if keep_series and book.series else (),
        asin=asin,
        isbn=isbn if chance(rng, 0.6) else None,
    )


def make_libraries(
    rng: random.Random, n_titles: int, n_items: int, *, owned: float = 0.8
) -> Libraries:
    """Return Audible titles, ABS items (~30 % with ASIN) and the true pairs."""
    books = make_books(rng, n_titles + n_items)
    audible_books = books[:n_titles]
    titles = [audible_title(book, random_asin(rng)) for book in audible_books]
    copies = [
        (book, title.asin)
        for book, title in zip(audible_books, titles, strict=True)
        if chance(rng, owned)
    ]
    # Second editions of a few owned titles.
    copies += [copy for copy in copies if chance(rng, 0.03)]
    asin_share = 0.3
    items: list[AbsItem] = []
    truth: dict[str, set[str]] = {}
    for index, (book, asin) in enumerate(copies[:n_items]):
        item_id = f"li_{index:06d}"
        items.append(
            abs_copy(rng, book, item_id, asin if chance(rng, asin_share) else None)
        )
        truth.setdefault(asin, set()).add(item_id)
    for book in books[n_titles : n_titles + n_items - len(items)]:
        foreign_asin = random_asin(rng) if chance(rng, asin_share) else None
        items.append(abs_copy(rng, book, f"li_{len(items):06d}", foreign_asin))
    rng.shuffle(items)
    return Libraries(titles=titles, items=items, truth=truth)


def change_items(
    rng: random.Random, items: list[AbsItem], share: float
) -> list[AbsItem]:
    """Retitle, remove and add about `share` of the items (a third each)."""
    count = max(3, int(len(items) * share))
    positions = rng.sample(range(len(items)), count)
    retitled = set(positions[: count // 3])
    removed = set(positions[count // 3 : 2 * count // 3])
    changed = [
        replace(item, title=typo(rng, item.title) + " (Unabridged)")
        if index in retitled
        else item
        for index, item in enumerate(items)
        if index not in removed
    ]
    new_books = make_books(
        random.Random(rng.random()), count - len(retitled) - len(removed)
    )
    changed.extend(
        abs_copy(rng, book, f"new_{index:06d}", None)
        for index, book in enumerate(new_books)
    )
    return changed


def timed_full_match(libraries: Libraries) -> tuple[float, float, Matcher, MatchResult]:
    """Return wall and CPU seconds of a full match, the matcher and its result."""
    matcher = Matcher()
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = matcher.update(libraries.titles, libraries.items)
    return time.perf_counter() - wall, time.process_time() - cpu, matcher, result


def report(libraries: Libraries, result: MatchResult) -> None:
    methods = Counter(link.method for link in result.links.values())
    correct = sum(
        link.item_id in libraries.truth.get(asin, ())
        for asin, link in result.links.items()
    )
    linked = len(result.links)
    have_copy = len(libraries.truth)
    by_method = ", ".join(f"{method} {n}" for method, n in sorted(methods.items()))
    print(
        f"  linked: {linked} ({by_method}), conflicts: {len(result.conflicts)}, "
        f"unmatched: {len(result.unmatched)}"
    )
    print(
        f"  precision of links: {correct}/{linked} = {correct / max(1, linked):.2%}; "
        f"recall: {correct}/{have_copy} titles that have a copy = "
        f"{correct / max(1, have_copy):.2%}"
    )
    missing = sum(
        bool(libraries.truth.get(asin))
        and not any(c.item_id in libraries.truth[asin] for c in conflict.candidates)
        for asin, conflict in result.conflicts.items()
    )
    print(f"  conflicts that do not list a true copy among their candidates: {missing}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=5000, help="Audible titles")
    parser.add_argument("--items", type=int, default=20000, help="ABS items")
    parser.add_argument("--runs", type=int, default=5, help="full matches to time")
    parser.add_argument(
        "--change", type=float, default=0.01, help="share of items changed"
    )
    parser.add_argument("--seed", type=int, default=1, help="RNG seed")
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="skip checking the incremental result against a fresh match",
    )
    args = parser.parse_args()

    rng = random.Random(args.seed)
    libraries = make_libraries(rng, args.titles, args.items)
    with_asin = sum(item.asin is not None for item in libraries.items)
    print(
        f"{len(libraries.titles)} Audible titles, {len(libraries.items)} ABS items "
        f"({with_asin / max(1, len(libraries.items)):.0%} with an ASIN), "
        f"{len(libraries.truth)} titles have a copy (seed {args.seed})"
    )

    wall, cpu, matcher, result = timed_full_match(libraries)
    walls, cpus = [wall], [cpu]
    for _ in range(args.runs - 1):
        # Only the last matcher is kept: earlier ones would weigh on the GC.
        del matcher, result
        wall, cpu, matcher, result = timed_full_match(libraries)
        walls.append(wall)
        cpus.append(cpu)
    print(
        f"full match: median {ms(statistics.median(walls))} "
        f"(min {ms(min(walls))}, max {ms(max(walls))}; "
        f"CPU median {ms(statistics.median(cpus))}; {len(walls)} runs)"
    )
    report(libraries, result)

    changed_items = change_items(rng, libraries.items, args.change)
    wall = time.perf_counter()
    incremental = matcher.update(libraries.titles, changed_items)
    print(
        f"incremental update after changing {args.change:.0%} of the items: "
        f"{ms(time.perf_counter() - wall)}, "
        f"{matcher.rematched_last_update} titles re-scored"
    )
    if not args.no_verify:
        fresh = Matcher().update(libraries.titles, changed_items)
        print(
            f"  same result as a fresh match: {'yes' if fresh == incremental else 'NO'}"
        )

    gc.collect()
    tracemalloc.start()
    Matcher().update(libraries.titles, libraries.items)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory of a full match (tracemalloc): {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
