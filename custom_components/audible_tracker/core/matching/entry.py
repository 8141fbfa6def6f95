"""The matcher's entries: an Audible title or ABS item prepared for matching.

`Entry` keeps what the matcher compares of a title or item (normalised title
parts, authors, series numbers, ASIN, ISBN) and the index buckets an item is
filed under (`index_keys`, with the `KEY_*` prefixes). `same_for_matching`
tells whether a new version of a title or item needs preparing again.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from .normalise import (
    fragment,
    normalize_asin,
    normalize_author,
    normalize_isbn,
    normalize_sequence,
    title_forms,
)

if TYPE_CHECKING:
    from ..models import (
        AbsItem,
        AudibleTitle,
        SeriesRef,
    )

# Index key prefixes.
KEY_ASIN: Final = "asin:"
KEY_ISBN: Final = "isbn:"
_KEY_AUTHOR: Final = "a:"
KEY_TITLE: Final = "t:"
KEY_TITLE_NO_AUTHOR: Final = "u:"


def _author_key(normalized_name: str) -> str:
    """Return the bucket of an author: surname and first initial ("a:doyle|a").

    "L. M. Montgomery" and "Lucy Maud Montgomery" share one; a bare surname
    ("Tolkien") has an empty initial.
    """
    given, _, surname = normalized_name.rpartition(" ")
    if len(surname) == 1 or not given:
        return f"{_KEY_AUTHOR}{normalized_name}|"
    return f"{_KEY_AUTHOR}{surname}|{given[0]}"


# Libraries repeat authors and series a lot: these caches spare most of the
# normalising work when indexing.
@functools.lru_cache(maxsize=16384)
def _authors_info(authors: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the distinct normalised names and their buckets (`_author_key`)."""
    names = tuple(
        dict.fromkeys(
            normalized for author in authors if (normalized := normalize_author(author))
        )
    )
    return names, tuple(dict.fromkeys(map(_author_key, names)))


@functools.lru_cache(maxsize=16384)
def _series_info(
    series: tuple[SeriesRef, ...],
) -> tuple[frozenset[str], frozenset[str]]:
    """Return the normalised series names and series numbers."""
    return (
        frozenset(name for ref in series if (name := fragment(ref.title)[0])),
        frozenset(
            sequence
            for ref in series
            if ref.sequence and (sequence := normalize_sequence(ref.sequence))
        ),
    )


def same_for_matching(old: AbsItem | AudibleTitle, new: AbsItem | AudibleTitle) -> bool:
    """Whether two versions agree in every field matching reads."""
    return old is new or (
        old.title == new.title
        and old.subtitle == new.subtitle
        and old.authors == new.authors
        and old.series == new.series
        and old.asin == new.asin
        and old.isbn == new.isbn
    )


@dataclass(slots=True)
class Entry:
    """What the matcher keeps of an Audible title or an ABS item."""

    key: str  # ASIN or item id
    source: AbsItem | AudibleTitle
    # The title as compared (see _TitleForms).
    main: str
    rest: str
    full: str
    tokens: tuple[str, ...]
    normalized_authors: tuple[str, ...]
    sequences: frozenset[str]
    asin: str | None
    isbn: str | None
    author_keys: tuple[str, ...]  # see _author_key

    @classmethod
    def create(cls, key: str, source: AbsItem | AudibleTitle) -> Entry:
        """Prepare a title (`key`: its ASIN) or an item (`key`: its id)."""
        series_names, series_sequences = _series_info(source.series)
        main, rest, full, sequences, tokens = title_forms(
            source.title, source.subtitle, series_names
        )
        normalized_authors, author_keys = _authors_info(source.authors)
        return cls(
            key=key,
            source=source,
            main=main,
            rest=rest,
            full=full,
            tokens=tokens,
            normalized_authors=normalized_authors,
            sequences=sequences | series_sequences if series_sequences else sequences,
            asin=normalize_asin(source.asin),
            isbn=normalize_isbn(source.isbn),
            author_keys=author_keys,
        )

    def index_keys(self) -> list[str]:
        """Return the buckets an item is filed under."""
        tokens = self.tokens
        keys = [KEY_TITLE + token for token in tokens]
        keys.extend(self.author_keys)
        if not self.normalized_authors:
            keys.extend(KEY_TITLE_NO_AUTHOR + token for token in tokens)
        if self.asin:
            keys.append(KEY_ASIN + self.asin)
        if self.isbn:
            keys.append(KEY_ISBN + self.isbn)
        return keys
