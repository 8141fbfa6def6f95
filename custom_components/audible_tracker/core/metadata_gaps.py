"""Metadata gaps: what an Audiobookshelf item lacks that Audible knows.

For each linked pair (an `AudibleTitle` and the `AbsItem` it is linked to)
`book_gaps` compares the fields of `GapField`, normalised first (case, Latin
accents, NFKC widths, punctuation, CJK spacing; names as matching compares
them; ISBN-10 as ISBN-13; series numbers "01" = "1"; language names and codes
"English" = "eng" = "en"). A field Audible does not know is no gap. A field
the item lacks is `MISSING`; one it has with another value `DIFFERENT`.

`plan_write` turns the gaps of the fields asked for into the `metadata`
object of ABS's `PATCH /api/items/{id}/media`: without `overwrite` only
missing fields are filled; with it differing ones are replaced too. Series
go as ABS expects them, the full list (`[{name, sequence}]`, ABS drops a
series the list leaves out), so the item's other series are kept.
Description and cover are compared by presence only, and are never written.
`not_taken` tells which written fields a read-back item does not show.

Pure functions, no I/O.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from .matching.normalise import (
    fold_text,
    normalize_asin,
    normalize_author,
    normalize_isbn,
    normalize_sequence,
)
from .models import SeriesRef

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Mapping

    from .models import AbsItem, AudibleTitle


class GapField(StrEnum):
    """A metadata field compared between Audible and ABS."""

    ASIN = "asin"
    ISBN = "isbn"
    SERIES = "series"
    NARRATORS = "narrators"
    AUTHORS = "authors"
    PUBLISHER = "publisher"
    PUBLISHED_YEAR = "published_year"
    LANGUAGE = "language"
    SUBTITLE = "subtitle"
    DESCRIPTION = "description"
    COVER = "cover"


class GapKind(StrEnum):
    """How an item's field falls short of Audible's."""

    MISSING = "missing"
    DIFFERENT = "different"


# Description and cover are compared by presence: their content is not kept.
WRITABLE_FIELDS: Final = tuple(
    f for f in GapField if f not in (GapField.DESCRIPTION, GapField.COVER)
)
_LEADING_ARTICLES: Final = ("the ", "a ", "an ")

# Language names and ISO 639 codes (1, 2/B, 2/T), folded, by canonical name.
_LANGUAGE_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "english": ("en", "eng"),
    "german": ("de", "deu", "ger", "deutsch"),
    "french": ("fr", "fra", "fre", "francais"),
    "spanish": ("es", "spa", "espanol", "castellano"),
    "italian": ("it", "ita", "italiano"),
    "portuguese": ("pt", "por", "portugues"),
    "dutch": ("nl", "nld", "dut", "nederlands"),
    "japanese": ("ja", "jpn", "日本語"),
    "chinese": ("zh", "zho", "chi", "中文"),
    "korean": ("ko", "kor", "한국어"),
    "russian": ("ru", "rus"),
    "polish": ("pl", "pol", "polski"),
    "swedish": ("sv", "swe", "svenska"),
    "danish": ("da", "dan", "dansk"),
    "norwegian": ("no", "nor", "nb", "nob", "norsk"),
    "finnish": ("fi", "fin", "suomi"),
    "turkish": ("tr", "tur", "turkce"),
    "arabic": ("ar", "ara"),
    "hindi": ("hi", "hin"),
}
_LANGUAGES: Final[dict[str, str]] = {
    alias: name
    for name, aliases in _LANGUAGE_ALIASES.items()
    for alias in (name, *aliases)
}

type GapValue = str | tuple[str, ...] | bool | None


@dataclass(frozen=True, slots=True)
class FieldGap:
    """One field of one book: ABS's value against Audible's."""

    field: GapField
    kind: GapKind
    abs_value: GapValue
    audible_value: GapValue

    def as_dict(self) -> dict[str, object]:
        """Return plain JSON data (lists for tuples)."""
        return {
            "kind": self.kind.value,
            "abs": _plain(self.abs_value),
            "audible": _plain(self.audible_value),
        }


@dataclass(frozen=True, slots=True)
class BookGaps:
    """The gaps of one linked book (only books with at least one)."""

    asin: str
    item_id: str
    title: str
    gaps: tuple[FieldGap, ...]

    def as_dict(self) -> dict[str, object]:
        """Return plain JSON data, the fields keyed by name."""
        return {
            "asin": self.asin,
            "abs_item_id": self.item_id,
            "title": self.title,
            "fields": {gap.field.value: gap.as_dict() for gap in self.gaps},
        }


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field a write changes, from the item's value to Audible's."""

    field: GapField
    kind: GapKind
    before: GapValue
    after: GapValue


@dataclass(frozen=True, slots=True)
class WritePlan:
    """What one write to one ABS item would change."""

    asin: str
    item_id: str
    title: str
    # The `metadata` object of PATCH /api/items/{id}/media.
    metadata: dict[str, object]
    changes: tuple[FieldChange, ...]
    # The item as it should read back after the write.
    expected: AbsItem

    @property
    def fields(self) -> tuple[GapField, ...]:
        """The fields written, in `GapField` order."""
        return tuple(change.field for change in self.changes)

    def as_dict(self) -> dict[str, object]:
        """Return plain JSON data, the changes keyed by field name."""
        return {
            "asin": self.asin,
            "abs_item_id": self.item_id,
            "title": self.title,
            "changes": {
                change.field.value: {
                    "kind": change.kind.value,
                    "from": _plain(change.before),
                    "to": _plain(change.after),
                }
                for change in self.changes
            },
        }


# ---------------------------------------------------------------- comparing


def language_key(value: str) -> str:
    """Return the comparable form of a language: "English", "eng", "en-US"."""
    folded = fold_text(value)
    if folded in _LANGUAGES:
        return _LANGUAGES[folded]
    first = folded.split(" ", 1)[0]
    return _LANGUAGES.get(first, folded)


def series_key(name: str) -> str:
    """Return the comparable form of a series name (no leading article)."""
    folded = fold_text(name)
    for article in _LEADING_ARTICLES:
        if folded.startswith(article) and len(folded) > len(article):
            return folded[len(article) :]
    return folded


def _sequence_key(sequence: str | None) -> str | None:
    return normalize_sequence(sequence) if sequence else None


def _name_key(name: str) -> str:
    # A name all in capitals is no run of initials ("DAN STEVENS").
    return normalize_author(name.title() if name.isupper() else name)


def _names_key(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(filter(None, map(_name_key, names)))


def _describe_series(series: tuple[SeriesRef, ...]) -> tuple[str, ...]:
    return tuple(
        f"{ref.title} #{ref.sequence}" if ref.sequence else ref.title for ref in series
    )


def _text_gap(
    field: GapField,
    abs_value: str | None,
    audible_value: str | None,
    key: Callable[[str], object],
) -> FieldGap | None:
    if audible_value is None:
        return None
    if abs_value is None:
        return FieldGap(field, GapKind.MISSING, None, audible_value)
    if key(abs_value) == key(audible_value):
        return None
    return FieldGap(field, GapKind.DIFFERENT, abs_value, audible_value)


def _names_gap(
    field: GapField, abs_names: tuple[str, ...], audible_names: tuple[str, ...]
) -> FieldGap | None:
    if not _names_key(audible_names):
        return None
    if not _names_key(abs_names):
        return FieldGap(field, GapKind.MISSING, abs_names, audible_names)
    if _names_key(abs_names) == _names_key(audible_names):
        return None
    return FieldGap(field, GapKind.DIFFERENT, abs_names, audible_names)


def _series_verdict(
    abs_series: tuple[SeriesRef, ...], audible_series: tuple[SeriesRef, ...]
) -> GapKind | None:
    """MISSING when only additions are needed, DIFFERENT when a number differs."""
    by_name = {series_key(ref.title): ref for ref in abs_series}
    verdict: GapKind | None = None
    for ref in audible_series:
        known = by_name.get(series_key(ref.title))
        wanted = _sequence_key(ref.sequence)
        if known is None or (wanted is not None and known.sequence is None):
            verdict = verdict or GapKind.MISSING
        elif wanted is not None and _sequence_key(known.sequence) != wanted:
            return GapKind.DIFFERENT
    return verdict


def _series_gap(item: AbsItem, title: AudibleTitle) -> FieldGap | None:
    verdict = _series_verdict(item.series, title.series)
    if verdict is None:
        return None
    return FieldGap(
        GapField.SERIES,
        verdict,
        _describe_series(item.series),
        _describe_series(title.series),
    )


def _presence_gap(
    field: GapField, *, abs_has: bool, audible_has: bool
) -> FieldGap | None:
    if audible_has and not abs_has:
        return FieldGap(field, GapKind.MISSING, abs_has, audible_has)
    return None


def _asin_key(value: str) -> str | None:
    return normalize_asin(value)


def _isbn_key(value: str) -> str:
    # An ISBN that does not parse is compared as typed.
    return normalize_isbn(value) or fold_text(value)


def _year_key(value: str) -> str:
    return value.strip()


# One check per field: the item, the title -> the gap or None.
_GAP_CHECKS: Final[
    dict[GapField, Callable[[AbsItem, AudibleTitle], FieldGap | None]]
] = {
    GapField.ASIN: lambda i, t: _text_gap(GapField.ASIN, i.asin, t.asin, _asin_key),
    GapField.ISBN: lambda i, t: _text_gap(GapField.ISBN, i.isbn, t.isbn, _isbn_key),
    GapField.SERIES: _series_gap,
    GapField.NARRATORS: lambda i, t: _names_gap(
        GapField.NARRATORS, i.narrators, t.narrators
    ),
    GapField.AUTHORS: lambda i, t: _names_gap(GapField.AUTHORS, i.authors, t.authors),
    GapField.PUBLISHER: lambda i, t: _text_gap(
        GapField.PUBLISHER, i.publisher, t.publisher, fold_text
    ),
    GapField.PUBLISHED_YEAR: lambda i, t: _text_gap(
        GapField.PUBLISHED_YEAR, i.published_year, t.published_year, _year_key
    ),
    GapField.LANGUAGE: lambda i, t: _text_gap(
        GapField.LANGUAGE, i.language, t.language, language_key
    ),
    GapField.SUBTITLE: lambda i, t: _text_gap(
        GapField.SUBTITLE, i.subtitle, t.subtitle, fold_text
    ),
    GapField.DESCRIPTION: lambda i, t: _presence_gap(
        GapField.DESCRIPTION, abs_has=i.has_description, audible_has=t.has_description
    ),
    GapField.COVER: lambda i, t: _presence_gap(
        GapField.COVER, abs_has=i.has_cover, audible_has=t.cover_url is not None
    ),
}


def field_gaps(
    title: AudibleTitle,
    item: AbsItem,
    fields: Iterable[GapField] = tuple(GapField),
) -> tuple[FieldGap, ...]:
    """Return the gaps of one linked pair, in `GapField` order."""
    wanted = set(fields)
    gaps = (_GAP_CHECKS[field](item, title) for field in GapField if field in wanted)
    return tuple(gap for gap in gaps if gap is not None)


def book_gaps(
    titles: Mapping[str, AudibleTitle],
    items: Mapping[str, AbsItem],
    links: Mapping[str, str],
    fields: Iterable[GapField] = tuple(GapField),
) -> list[BookGaps]:
    """Return the linked books with gaps, by title; links to unknowns skipped."""
    fields = tuple(fields)
    books: list[BookGaps] = []
    for asin, item_id in links.items():
        title, item = titles.get(asin), items.get(item_id)
        if title is None or item is None:
            continue
        gaps = field_gaps(title, item, fields)
        if gaps:
            books.append(BookGaps(asin, item_id, title.title, gaps))
    books.sort(key=lambda book: (fold_text(book.title), book.asin))
    return books


def gap_counts(books: Iterable[BookGaps]) -> dict[str, int]:
    """Return how many books have a gap in each field (every field listed)."""
    counts = Counter(gap.field for book in books for gap in book.gaps)
    return {field.value: counts[field] for field in GapField}


# ---------------------------------------------------------------- writing


def _merged_series(
    item: AbsItem, title: AudibleTitle, *, overwrite: bool
) -> tuple[SeriesRef, ...]:
    """Return the item's series with Audible's added or numbered, others kept."""
    merged = list(item.series)
    for ref in title.series:
        key = series_key(ref.title)
        index = next(
            (i for i, known in enumerate(merged) if series_key(known.title) == key),
            None,
        )
        if index is None:
            merged.append(SeriesRef(ref.title, ref.sequence))
            continue
        known = merged[index]
        if ref.sequence is not None and (
            known.sequence is None
            or (
                overwrite
                and _sequence_key(known.sequence) != _sequence_key(ref.sequence)
            )
        ):
            # ABS finds series by name: its spelling of the name stays.
            merged[index] = SeriesRef(known.title, ref.sequence)
    return tuple(merged)


def _written(
    field: GapField, item: AbsItem, title: AudibleTitle, *, overwrite: bool
) -> tuple[dict[str, object], AbsItem, GapValue]:
    """Return the metadata keys, the item after, and the value shown."""
    match field:
        case GapField.SERIES:
            series = _merged_series(item, title, overwrite=overwrite)
            return (
                {
                    "series": [
                        {"name": ref.title, "sequence": ref.sequence} for ref in series
                    ]
                },
                replace(item, series=series),
                _describe_series(series),
            )
        case GapField.NARRATORS:
            narrators = title.narrators
            return (
                {"narrators": list(narrators)},
                replace(item, narrators=narrators),
                narrators,
            )
        case GapField.AUTHORS:
            authors = title.authors
            return (
                {"authors": [{"name": name} for name in authors]},
                replace(item, authors=authors),
                authors,
            )
        case GapField.LANGUAGE:
            # As ABS's own Audible match writes it: "english" -> "English".
            language = str(title.language)
            language = language[:1].upper() + language[1:]
            return {"language": language}, replace(item, language=language), language
        case _:
            key, attribute = _TEXT_FIELDS[field]
            value = getattr(title, attribute)
            return {key: value}, replace(item, **{attribute: value}), value


# Text fields: the ABS metadata key and the attribute of both models.
_TEXT_FIELDS: Final[dict[GapField, tuple[str, str]]] = {
    GapField.ASIN: ("asin", "asin"),
    GapField.ISBN: ("isbn", "isbn"),
    GapField.PUBLISHER: ("publisher", "publisher"),
    GapField.PUBLISHED_YEAR: ("publishedYear", "published_year"),
    GapField.SUBTITLE: ("subtitle", "subtitle"),
}


def plan_write(
    title: AudibleTitle,
    item: AbsItem,
    fields: Collection[GapField],
    *,
    overwrite: bool,
) -> WritePlan | None:
    """Plan writing Audible's values of `fields` into an item; None if none.

    Raises ValueError for a field that cannot be written (description,
    cover). A field is written when it is missing, or with `overwrite` when
    it differs. Series are merged: without `overwrite` Audible's series the
    item lacks are added and missing numbers filled, numbers kept.
    """
    unwritable = set(fields) - set(WRITABLE_FIELDS)
    if unwritable:
        raise ValueError(f"cannot write {sorted(unwritable)}")
    metadata: dict[str, object] = {}
    changes: list[FieldChange] = []
    expected = item
    for gap in field_gaps(title, item, fields):
        kind = gap.kind
        if kind is GapKind.DIFFERENT and not overwrite:
            # A series number differs; the series missing can still be added.
            if gap.field is not GapField.SERIES or _merged_series(
                item, title, overwrite=False
            ) == tuple(item.series):
                continue
            kind = GapKind.MISSING
        keys, expected, after = _written(
            gap.field, expected, title, overwrite=overwrite
        )
        metadata.update(keys)
        changes.append(FieldChange(gap.field, kind, gap.abs_value, after))
    if not changes:
        return None
    return WritePlan(
        asin=title.asin,
        item_id=item.item_id,
        title=title.title,
        metadata=metadata,
        changes=tuple(changes),
        expected=expected,
    )


def _series_set(item: AbsItem) -> object:
    return frozenset(
        (series_key(ref.title), _sequence_key(ref.sequence)) for ref in item.series
    )


def _text_key(value: str | None, key: Callable[[str], object]) -> object:
    return key(value) if value else None


# What a read-back must show of a written field, compared normalised.
_WRITTEN_KEYS: Final[dict[GapField, Callable[[AbsItem], object]]] = {
    GapField.ASIN: lambda i: _text_key(i.asin, _asin_key),
    GapField.ISBN: lambda i: _text_key(i.isbn, _isbn_key),
    GapField.SERIES: _series_set,
    GapField.NARRATORS: lambda i: _names_key(i.narrators),
    GapField.AUTHORS: lambda i: _names_key(i.authors),
    GapField.PUBLISHER: lambda i: _text_key(i.publisher, fold_text),
    GapField.PUBLISHED_YEAR: lambda i: _text_key(i.published_year, _year_key),
    GapField.LANGUAGE: lambda i: _text_key(i.language, language_key),
    GapField.SUBTITLE: lambda i: _text_key(i.subtitle, fold_text),
}


def not_taken(plan: WritePlan, read_back: AbsItem) -> tuple[GapField, ...]:
    """Return the fields of a write that the item read back does not show."""
    return tuple(
        field
        for field in plan.fields
        if _WRITTEN_KEYS[field](read_back) != _WRITTEN_KEYS[field](plan.expected)
    )


def _plain(value: GapValue) -> object:
    return list(value) if isinstance(value, tuple) else value
