"""Match Audible titles to Audiobookshelf (ABS) library items.

Pure CPU code without I/O or asyncio: Home Assistant runs `Matcher.update` in
an executor thread. A `Matcher` is thread-safe (one lock around `update` and
`candidates_for`).

Public API
----------
``Matcher(*, auto_link_score=90.0, min_margin=8.0, min_candidate_score=60.0)``
    Keeps an index of the ABS items and each title's last verdict.
    ``update(titles, items, *, manual_links=None, ignored=None)`` takes the
    complete current libraries and returns a `MatchResult`;
    ``rematched_last_update`` says how many titles that call scored (again),
    ``result`` is the last result and ``candidates_for(asin, limit=5)`` ranks
    the items a title could be linked to (for the resolve-conflict UI).
``MatchResult(links, conflicts, unmatched, stale_manual_links)``
    Keyed by ASIN, with `Link`, `Conflict` (up to five ranked `Candidate`);
    ``to_dict()``/``from_dict()`` convert it to and from plain JSON data for a
    Home Assistant Store (`MatchDataError` for data it cannot read).
``normalize_title(title, subtitle=None)``, ``normalize_author(name)``,
``normalize_isbn(value)``
    The normalisation the matcher compares with.

How a title is matched
----------------------
1. A manual link (ASIN -> item id) wins over everything. When its item no
   longer exists the ASIN is reported in ``stale_manual_links`` and is not
   matched automatically: the user's decision stands until they change it.
   Manual links of ASINs that are not in the library are left out.
2. ASIN equal (trimmed, case-insensitive), else ISBN equal (ISBN-10 and -13
   compared as ISBN-13). One such item is a link; several are a conflict.
3. Otherwise a fuzzy score 0..100: the title similarity times (0.75 + 0.25 *
   the author similarity).
   - Titles are compared normalised (see `normalize_title`) with rapidfuzz's
     ratio; a subtitle only one side has is ignored, or compared with the
     other side's title ("Mistborn: The Final Empire" / "The Final Empire");
     subtitles both sides have must agree. Each word that one title has where
     the other has a different word (not a typo of it) costs 15 points:
     "Magic Bites" is not "Magic Burns".
   - Authors: the best pair of normalised names (see `normalize_author`);
     initials match given names ("L. M." / "Lucy Maud"). An item by other
     people (similarity under 75, or the same surname with other given names)
     is no candidate at all. An item without authors counts as 70 % and is
     never linked automatically, however equal the title.
   - Contradicting series numbers (title markers such as "Book 2" against
     "Book 3", or the series sequences) cost 30 points.
   The best candidate is linked when it scores at least ``auto_link_score``
   and leads the runner-up by ``min_margin``; otherwise the title is a
   conflict with up to five ranked candidates scoring at least
   ``min_candidate_score``. No candidate at all: unmatched.

One item, several titles: automatically, an item is linked to one title at
most. A manual link beats an ASIN match, which beats an ISBN match, which
beats a fuzzy one; of several fuzzy claims the best wins only when it leads by
``min_margin`` (two editions of one book on Audible both become conflicts).
Every title that loses an item this way becomes a conflict rather than falling
back to its next candidate, which would be a guess. Two manual links to one
item are both kept: the user asked for them.

Ignored ASINs appear nowhere in the result, even when manually linked.

Scale
-----
Candidates come from buckets instead of all pairs: exact dicts for ASIN and
ISBN; the items by the same author (bucket: surname and first initial, plus
items with the bare surname); the items without authors that share a title
token; and, only when the author has no items (or no usable bucket: a bare
surname, or more than 500 items), the items sharing the title's rarest tokens
whose authors may be the same people (a spelling variant, "Dostoevsky" /
"Dostoyevsky"). An update diffs items and titles against the previous run and
scores again only titles that are new or changed and titles that read a bucket
an added, changed or removed item is filed under; the result is the same as a
fresh `Matcher` gives.
"""

from __future__ import annotations

import functools
import re
import string
import threading
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple, cast

from rapidfuzz import fuzz, process

from .exceptions import MatchDataError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from collections.abc import Set as AbstractSet

    from .models import AbsItem, AudibleTitle, SeriesRef

type MatchMethod = Literal["asin", "isbn", "fuzzy", "manual"]
_METHODS: Final[tuple[MatchMethod, ...]] = ("asin", "isbn", "fuzzy", "manual")
# Lower wins when two titles claim one item.
_METHOD_RANK: Final[dict[str, int]] = {"manual": 0, "asin": 1, "isbn": 2, "fuzzy": 3}

_SERIALIZATION_VERSION: Final = 1
_MAX_CONFLICT_CANDIDATES: Final = 5

_PERFECT_SCORE: Final = 100.0
# The score is the title similarity times (0.75 + 0.25 * author similarity).
_TITLE_WEIGHT: Final = 0.75
_AUTHOR_WEIGHT: Final = 0.25
# What a missing author list contributes: enough for an exact title only.
_UNKNOWN_AUTHOR_SCORE: Final = 70.0
# Below this the authors are different people and the item is no candidate.
_MIN_AUTHOR_SCORE: Final = 75.0
# Same surname, incompatible given names (the Brontë sisters).
_SAME_SURNAME_OTHER_PERSON: Final = 60.0
_INITIALS_MATCH_SCORE: Final = 95.0
_SEQUENCE_MISMATCH_PENALTY: Final = 30.0
# Two words this similar are one word with a typo.
_SAME_WORD_SCORE: Final = 80.0
_SUBSTITUTED_WORD_PENALTY: Final = 15.0
# "Mistborn: The Final Empire" against a bare "The Final Empire".
_SUBTITLE_AS_TITLE_FACTOR: Final = 0.95

# Buckets larger than this are too unspecific to read (see module docstring).
_MAX_TITLE_BUCKET: Final = 200
_TITLE_BUCKET_BUDGET: Final = 100
_MAX_AUTHOR_BUCKET: Final = 500

# Index key prefixes.
_KEY_ASIN: Final = "asin:"
_KEY_ISBN: Final = "isbn:"
_KEY_AUTHOR: Final = "a:"
_KEY_TITLE: Final = "t:"
_KEY_TITLE_NO_AUTHOR: Final = "u:"

_NUMBER_WORDS: Final[dict[str, int]] = {
    word: number
    for number, word in enumerate(
        (
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        )
    )
}
_ROMAN_VALUES: Final[dict[str, int]] = {"i": 1, "v": 5, "x": 10}
_NO_SEQUENCES: Final[frozenset[str]] = frozenset()
_DECIMAL: Final = re.compile(r"\d+(?:\.\d+)?")
_ROMAN: Final = re.compile(r"[ivx]+")
_NUMBER = (
    r"\d+(?:\.\d+)?|"
    + "|".join(_NUMBER_WORDS)
    + r"|(?=[ivx]+\b)x{0,3}(?:ix|iv|v?i{0,3})"
)
# "Book 3", "Vol. 2", "Volume II", "Part One", "#4".
_SERIES_MARKER: Final = re.compile(
    rf"\b(?:book|vol|volume|part|tome|band|livre|libro)\b\.?\s*(?P<word>{_NUMBER})\b"
    r"|#\s*(?P<hash>\d+(?:\.\d+)?)\b"
)
_BRACKETED: Final = r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}"
# Bracketed notes ("(Unabridged)", "(Series, Book 3)") and series markers.
_NOISE: Final = re.compile(f"{_BRACKETED}|{_SERIES_MARKER.pattern}")
_SUBTITLE_SEPARATOR: Final = re.compile(r"\s*:\s*|\s+[-\u2013\u2014]+\s+")
_APOSTROPHES: Final = re.compile(r"['\u2019\u2018\u02bc`\u00b4]")
_NON_WORD: Final = re.compile(r"[\W_]+")
_ASCII_PUNCTUATION: Final = str.maketrans(
    {
        char: None if char in "'`" else " and " if char == "&" else " "
        for char in string.punctuation
    }
)

# Spaces between CJK characters carry no meaning ("夏目 漱石").
_SPACE_IN_CJK: Final = re.compile(r"(?<=[\u2e80-\uffff]) (?=[\u2e80-\uffff])")
_CJK_START: Final = 0x2E80
# Combining diacritical marks after a Latin letter: what NFKD splits accented
# Latin letters into. Other marks are part of their letter (Cyrillic й, the
# Japanese dakuten) and NFC puts them back.
_COMBINING_ACCENTS: Final = re.compile(r"(?<=[a-z])[\u0300-\u036f]+")
_UNDECOMPOSABLE: Final = str.maketrans(
    {
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ð": "d",
        "\u0131": "i",
    }
)
_LEADING_ARTICLES: Final = frozenset({"the", "a", "an"})
_STOPWORDS: Final = frozenset(
    {"the", "a", "an", "of", "and", "in", "on", "to", "for", "at", "by", "with"}
    | {"from", "or", "le", "la", "les", "de", "des", "du", "el", "der", "die", "das"}
)
# Stop words and single letters or digits are no useful title tokens.
_UNINDEXED: Final = _STOPWORDS | frozenset(string.ascii_lowercase + string.digits)
_HONORIFICS: Final = frozenset(
    {"sir", "dame", "dr", "mr", "mrs", "ms", "prof", "professor", "rev", "lord"}
)
_NAME_SUFFIXES: Final = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "obe"})
_MAX_RUN_TOGETHER_INITIALS: Final = 3
_ISBN10_LENGTH: Final = 10
_ISBN13_LENGTH: Final = 13


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """An ABS item a title could be linked to, with its score (0..100)."""

    item_id: str
    score: float
    title: str
    authors: tuple[str, ...]
    method: MatchMethod

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON data."""
        return {
            "item_id": self.item_id,
            "score": self.score,
            "title": self.title,
            "authors": list(self.authors),
            "method": self.method,
        }

    @classmethod
    def from_dict(cls, data: object) -> Candidate:
        """Rebuild from `to_dict` data; MatchDataError when it is malformed."""
        fields = _object(data)
        return cls(
            item_id=_str(fields, "item_id"),
            score=_float(fields, "score"),
            title=_str(fields, "title"),
            authors=tuple(_strings(fields, "authors")),
            method=_method(fields, "method"),
        )


@dataclass(frozen=True, slots=True)
class Link:
    """An Audible title linked to an ABS item."""

    asin: str
    item_id: str
    method: MatchMethod
    score: float

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON data."""
        return {
            "asin": self.asin,
            "item_id": self.item_id,
            "method": self.method,
            "score": self.score,
        }

    @classmethod
    def from_dict(cls, data: object) -> Link:
        """Rebuild from `to_dict` data; MatchDataError when it is malformed."""
        fields = _object(data)
        return cls(
            asin=_str(fields, "asin"),
            item_id=_str(fields, "item_id"),
            method=_method(fields, "method"),
            score=_float(fields, "score"),
        )


@dataclass(frozen=True, slots=True)
class Conflict:
    """A title the matcher would not link on its own: ranked candidates, <= 5."""

    asin: str
    candidates: tuple[Candidate, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON data."""
        return {
            "asin": self.asin,
            "candidates": [candidate.to_dict() for candidate in self.candidates],
        }

    @classmethod
    def from_dict(cls, data: object) -> Conflict:
        """Rebuild from `to_dict` data; MatchDataError when it is malformed."""
        fields = _object(data)
        return cls(
            asin=_str(fields, "asin"),
            candidates=tuple(
                Candidate.from_dict(candidate)
                for candidate in _list(fields, "candidates")
            ),
        )


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Outcome of a match run, keyed by Audible ASIN."""

    links: dict[str, Link]
    conflicts: dict[str, Conflict]
    unmatched: frozenset[str]
    # Manual links whose ABS item no longer exists.
    stale_manual_links: frozenset[str]

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON data (lists sorted, so equal results dump equal)."""
        return {
            "version": _SERIALIZATION_VERSION,
            "links": [self.links[asin].to_dict() for asin in sorted(self.links)],
            "conflicts": [
                self.conflicts[asin].to_dict() for asin in sorted(self.conflicts)
            ],
            "unmatched": sorted(self.unmatched),
            "stale_manual_links": sorted(self.stale_manual_links),
        }

    @classmethod
    def from_dict(cls, data: object) -> MatchResult:
        """Rebuild from `to_dict` data; MatchDataError when it is malformed."""
        fields = _object(data)
        if fields.get("version") != _SERIALIZATION_VERSION:
            raise MatchDataError(f"unsupported version {fields.get('version')!r}")
        links = [Link.from_dict(link) for link in _list(fields, "links")]
        conflicts = [
            Conflict.from_dict(conflict) for conflict in _list(fields, "conflicts")
        ]
        return cls(
            links={link.asin: link for link in links},
            conflicts={conflict.asin: conflict for conflict in conflicts},
            unmatched=frozenset(_strings(fields, "unmatched")),
            stale_manual_links=frozenset(_strings(fields, "stale_manual_links")),
        )


def _object(data: object) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise MatchDataError(f"expected an object, got {type(data).__name__}")
    return data


def _field(fields: dict[str, Any], name: str) -> object:
    if name not in fields:
        raise MatchDataError(f"missing {name!r}")
    return fields[name]


def _str(fields: dict[str, Any], name: str) -> str:
    value = _field(fields, name)
    if not isinstance(value, str):
        raise MatchDataError(f"{name!r} is not a string")
    return value


def _float(fields: dict[str, Any], name: str) -> float:
    value = _field(fields, name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MatchDataError(f"{name!r} is not a number")
    return float(value)


def _list(fields: dict[str, Any], name: str) -> list[object]:
    value = _field(fields, name)
    if not isinstance(value, list):
        raise MatchDataError(f"{name!r} is not a list")
    return value


def _strings(fields: dict[str, Any], name: str) -> list[str]:
    values = _list(fields, name)
    if not all(isinstance(value, str) for value in values):
        raise MatchDataError(f"{name!r} holds something other than strings")
    return cast("list[str]", values)


def _method(fields: dict[str, Any], name: str) -> MatchMethod:
    value = _field(fields, name)
    for method in _METHODS:
        if value == method:
            return method
    raise MatchDataError(f"{name!r} is not one of {_METHODS}")


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower-case and fold Latin accents ("Misérables" -> "miserables")."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_accents = _COMBINING_ACCENTS.sub("", decomposed)
    return unicodedata.normalize("NFC", without_accents).translate(_UNDECOMPOSABLE)


def _word_list(text: str) -> list[str]:
    """Split into words: apostrophes dropped, other punctuation separates."""
    if text.isascii():
        # str.translate is several times faster than the regular expressions.
        return text.translate(_ASCII_PUNCTUATION).split()
    if "&" in text:
        text = text.replace("&", " and ")
    return _NON_WORD.sub(" ", _APOSTROPHES.sub("", text)).split()


def _words(text: str) -> str:
    """Return the words of a text, single-spaced (see `_word_list`)."""
    return " ".join(_word_list(text))


def _roman_to_int(numeral: str) -> int:
    total = 0
    for index, letter in enumerate(numeral):
        value = _ROMAN_VALUES[letter]
        following = numeral[index + 1 : index + 2]
        if following and _ROMAN_VALUES[following] > value:
            total -= value
        else:
            total += value
    return total


@functools.lru_cache(maxsize=1024)
def _normalize_sequence(raw: str) -> str | None:
    """Return a comparable series number: "03", "3.0", "Three", "III" -> "3"."""
    text = raw.strip().casefold()
    if not text:
        return None
    if text in _NUMBER_WORDS:
        return str(_NUMBER_WORDS[text])
    if _DECIMAL.fullmatch(text):
        number = float(text)
        return str(int(number)) if number.is_integer() else str(number)
    if _ROMAN.fullmatch(text):
        return str(_roman_to_int(text))
    # Ranges and other free text ("1-6") are compared as written.
    return text


class _TitleForms(NamedTuple):
    """A title prepared for comparison."""

    main: str  # before any subtitle separator
    rest: str  # the part after ":" or " - ", "" when none
    full: str  # main and rest
    sequences: frozenset[str]  # series numbers found in title or subtitle
    tokens: tuple[str, ...]  # index tokens of `full`


def _has_marker(folded: str) -> bool:
    """Whether a series marker may be in the text: a cheap test first."""
    # Spelt out: a generator over the hints costs more than the tests.
    return (
        "#" in folded
        or "book" in folded
        or "vol" in folded
        or "part" in folded
        or "tome" in folded
        or "band" in folded
        or "livre" in folded
        or "libro" in folded
    )


def _strip_noise(folded: str) -> tuple[str, frozenset[str]]:
    """Remove bracketed notes and series markers; return their series numbers."""
    marker = _has_marker(folded)
    if not marker and "(" not in folded and "[" not in folded and "{" not in folded:
        return folded, _NO_SEQUENCES
    sequences = (
        frozenset(
            sequence
            for match in _SERIES_MARKER.finditer(folded)
            if (sequence := _normalize_sequence(match["word"] or match["hash"]))
        )
        if marker
        else _NO_SEQUENCES
    )
    return _NOISE.sub(" ", folded), sequences


def _split_subtitle(text: str) -> tuple[str, str]:
    """Split at the first ":" or spaced dash ("Title - Subtitle")."""
    if ":" not in text and "-" not in text and text.isascii():
        return text, ""
    separator = _SUBTITLE_SEPARATOR.search(text)
    if separator is None:
        return text, ""
    return text[: separator.start()], text[separator.end() :]


def _compared_part(text: str) -> str:
    """Return a title part (notes and markers removed) as compared.

    Without an English article in front or at the end ("Hobbit, The").
    """
    head, comma, tail = text.rpartition(",")
    if comma and tail.strip() in _LEADING_ARTICLES:
        text = head
    words = _word_list(text)
    if len(words) > 1 and words[0] in _LEADING_ARTICLES:
        del words[0]
    return " ".join(words)


@functools.lru_cache(maxsize=4096)
def _fragment(text: str) -> tuple[str, frozenset[str]]:
    """Return a subtitle or series name as compared, and its series numbers."""
    without_noise, sequences = _strip_noise(_fold(text))
    return _compared_part(without_noise), sequences


def _title_forms(
    title: str, subtitle: str | None = None, series_names: frozenset[str] = frozenset()
) -> _TitleForms:
    """Prepare a title for comparison (see `normalize_title`)."""
    folded = _fold(title).strip()
    without_noise, sequences = _strip_noise(folded)
    subtitle_part = ""
    if subtitle:
        subtitle_part, subtitle_sequences = _fragment(subtitle)
        if subtitle_sequences:
            sequences |= subtitle_sequences
    head, tail = _split_subtitle(without_noise)
    main, rest = _compared_part(head), _compared_part(tail) if tail else ""
    if not main:
        main, rest = rest, ""
    elif main in series_names and rest:
        # "Mistborn: The Final Empire" in the series "Mistborn".
        main, rest = rest, ""
    if rest in series_names:
        # "Carl's Doomsday Scenario - Dungeon Crawler Carl #2".
        rest = ""
    if subtitle_part:
        # A title that repeats its own subtitle ("Frankenstein, or the Modern
        # Prometheus" with that subtitle) is compared without it.
        if rest == subtitle_part:
            rest = ""
        elif main.endswith(f" {subtitle_part}"):
            main = main.removesuffix(f" {subtitle_part}")
    if not main:
        # Nothing but markers or brackets ("Book 3", "(Untitled)"): keep it all.
        main = _words(folded)
    full = f"{main} {rest}" if rest else main
    return _TitleForms(
        main=main,
        rest=rest,
        full=full,
        sequences=sequences,
        tokens=_index_tokens(full),
    )


def _contains_cjk(text: str) -> bool:
    return not text.isascii() and any(ord(char) >= _CJK_START for char in text)


def _index_tokens(text: str) -> tuple[str, ...]:
    """Return the distinct title tokens worth indexing, CJK as bigrams."""
    if text.isascii():
        return tuple(set(text.split()) - _UNINDEXED)
    tokens: set[str] = set()
    for word in text.split():
        if _contains_cjk(word):
            # No word boundaries in CJK text: index character bigrams.
            tokens.update(
                word[index : index + 2] for index in range(max(1, len(word) - 1))
            )
        elif len(word) > 1:
            tokens.add(word)
    return tuple(tokens - _STOPWORDS)


def normalize_title(title: str, subtitle: str | None = None) -> str:
    """Return the comparable form of a title.

    Lower-cased, accents folded, punctuation removed, and without the subtitle
    (after ":" or " - "), bracketed notes such as "(Unabridged)" or "(Series,
    Book 3)", series markers ("Book 3", "Vol. 2", "#4") and a leading or
    trailing English article. A title that ends with its own ``subtitle``
    loses it too.
    """
    return _title_forms(title, subtitle).main


@functools.lru_cache(maxsize=8192)
def normalize_author(name: str) -> str:
    """Return the comparable form of an author name.

    "Doyle, Arthur Conan" -> "arthur conan doyle", "L.M. Montgomery" and
    "LM Montgomery" -> "l m montgomery"; accents folded, honorifics and name
    suffixes dropped, spaces inside CJK names removed.
    """
    raw = name.strip()
    if raw.count(",") == 1:
        last, first = (part.strip() for part in raw.split(","))
        if first and _words(_fold(first)) not in _NAME_SUFFIXES:
            raw = f"{first} {last}"
    words = raw.split()
    # Initials written together in capitals: "JRR Tolkien", "LM Montgomery".
    words = [
        " ".join(word)
        if index < len(words) - 1
        and word.isalpha()
        and word.isupper()
        and len(word) <= _MAX_RUN_TOGETHER_INITIALS
        else word
        for index, word in enumerate(words)
    ]
    tokens = _words(_fold(" ".join(words))).split()
    while len(tokens) > 1 and tokens[0] in _HONORIFICS:
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in _NAME_SUFFIXES:
        tokens.pop()
    return _SPACE_IN_CJK.sub("", " ".join(tokens))


def normalize_isbn(value: str | None) -> str | None:
    """Return the ISBN-13 digits of an ISBN-10 or ISBN-13, or None.

    Hyphens and spaces are ignored. An ISBN-10's own check digit is not
    verified; the ISBN-13 one is computed.
    """
    if not value:
        return None
    digits = re.sub(r"[\s-]", "", value).upper()
    if len(digits) == _ISBN13_LENGTH and digits.isdigit():
        return digits
    if (
        len(digits) == _ISBN10_LENGTH
        and digits[:9].isdigit()
        and (digits[9].isdigit() or digits[9] == "X")
    ):
        body = "978" + digits[:9]
        weighted = sum(
            int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(body)
        )
        return body + str((10 - weighted % 10) % 10)
    return None


def _normalize_asin(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip().upper() or None


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
        frozenset(name for ref in series if (name := _fragment(ref.title)[0])),
        frozenset(
            sequence
            for ref in series
            if ref.sequence and (sequence := _normalize_sequence(ref.sequence))
        ),
    )


# --------------------------------------------------------------------------
# Similarity
# --------------------------------------------------------------------------


def _substituted_words(first: str, second: str) -> int:
    """Count the words one title has where the other has a different word.

    "forests elan" / "forests sea": one, a different book. A typo is no other
    word ("frankenstien" / "frankenstein"), and neither is a missing one.
    """
    first_words = set(first.split()) - _STOPWORDS
    second_words = set(second.split()) - _STOPWORDS
    only_first = first_words - second_words
    only_second = second_words - first_words
    if not only_first or not only_second:
        return 0
    unmatched_first = sum(
        all(fuzz.ratio(word, other) < _SAME_WORD_SCORE for other in only_second)
        for word in only_first
    )
    unmatched_second = sum(
        all(fuzz.ratio(word, other) < _SAME_WORD_SCORE for other in only_first)
        for word in only_second
    )
    return min(unmatched_first, unmatched_second)


def _similarity(first: str, second: str, *, check_words: bool) -> float:
    """Return rapidfuzz's ratio, less a penalty for each different word.

    Without ``check_words`` this is an upper bound of the full score.
    """
    score = fuzz.ratio(first, second)
    if check_words and score < _PERFECT_SCORE and not _contains_cjk(first):
        score -= _SUBSTITUTED_WORD_PENALTY * _substituted_words(first, second)
    return score


def _subtitled_similarity(
    first: _Entry, second: _Entry, *, check_words: bool = True
) -> float:
    """Return how alike two titles are (0..100) when one has a subtitle part.

    Titles without one are compared inline in `Matcher._score`. Without
    ``check_words`` this is an upper bound.
    """
    score = _similarity(first.main, second.main, check_words=check_words)
    if first.rest and second.rest:
        # Both carry a subtitle: it must agree too ("Star Wars: Thrawn" is not
        # "Star Wars: Heir to the Empire").
        full = _similarity(first.full, second.full, check_words=check_words)
        return (score + full) / 2
    longer, shorter = (first, second) if first.rest else (second, first)
    return max(
        score,
        _similarity(longer.full, shorter.main, check_words=check_words),
        _SUBTITLE_AS_TITLE_FACTOR
        * _similarity(longer.rest, shorter.main, check_words=check_words),
    )


def _given_names_compatible(first: list[str], second: list[str]) -> bool:
    """Whether one list of given names fits into the other, initials allowed."""
    shorter, longer = sorted((first, second), key=len)
    position = 0
    for name in shorter:
        while position < len(longer):
            candidate = longer[position]
            position += 1
            if name == candidate or (
                (len(name) == 1 or len(candidate) == 1) and name[0] == candidate[0]
            ):
                break
        else:
            return False
    return True


def _author_similarity(first: str, second: str) -> float:
    """Return how alike two different normalised names are."""
    first_tokens, second_tokens = first.split(), second.split()
    if first_tokens[-1] == second_tokens[-1]:
        if _given_names_compatible(first_tokens[:-1], second_tokens[:-1]):
            return _INITIALS_MATCH_SCORE
        return _SAME_SURNAME_OTHER_PERSON
    return fuzz.token_sort_ratio(first, second)


def _authors_similarity(
    first: tuple[str, ...], second: tuple[str, ...]
) -> float | None:
    """Best similarity of any author pair; None when a side has no authors."""
    if not first or not second:
        return None
    if not set(first).isdisjoint(second):
        return _PERFECT_SCORE
    return max(_author_similarity(one, other) for one in first for other in second)


@functools.lru_cache(maxsize=16384)
def _sorted_tokens(name: str) -> str:
    return " ".join(sorted(name.split()))


def _author_factor(first: tuple[str, ...], second: tuple[str, ...]) -> float | None:
    """Return what the title similarity is multiplied by; None: other authors."""
    similarity = _authors_similarity(first, second)
    if similarity is None:
        similarity = _UNKNOWN_AUTHOR_SCORE
    elif similarity < _MIN_AUTHOR_SCORE:
        return None
    return _TITLE_WEIGHT + _AUTHOR_WEIGHT * similarity / _PERFECT_SCORE


# --------------------------------------------------------------------------
# Matcher
# --------------------------------------------------------------------------


def _same_for_matching(
    old: AbsItem | AudibleTitle, new: AbsItem | AudibleTitle
) -> bool:
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
class _Entry:
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
    def create(cls, key: str, source: AbsItem | AudibleTitle) -> _Entry:
        series_names, series_sequences = _series_info(source.series)
        main, rest, full, sequences, tokens = _title_forms(
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
            asin=_normalize_asin(source.asin),
            isbn=normalize_isbn(source.isbn),
            author_keys=author_keys,
        )

    def index_keys(self) -> list[str]:
        """Return the buckets an item is filed under."""
        tokens = self.tokens
        keys = [_KEY_TITLE + token for token in tokens]
        keys.extend(self.author_keys)
        if not self.normalized_authors:
            keys.extend(_KEY_TITLE_NO_AUTHOR + token for token in tokens)
        if self.asin:
            keys.append(_KEY_ASIN + self.asin)
        if self.isbn:
            keys.append(_KEY_ISBN + self.isbn)
        return keys


@dataclass(slots=True)
class _Evaluation:
    """One title's own verdict, before titles competing for an item are settled."""

    candidates: tuple[Candidate, ...]  # ranked, best first
    link: bool  # whether candidates[0] would be linked on its own merits
    read_keys: tuple[str, ...]  # the index keys this verdict depends on


class Matcher:
    """Matches an Audible library against ABS items, incrementally."""

    def __init__(
        self,
        *,
        auto_link_score: float = 90.0,
        min_margin: float = 8.0,
        min_candidate_score: float = 60.0,
    ) -> None:
        """Set the thresholds (scores are 0..100)."""
        self._auto_link_score = auto_link_score
        self._min_margin = min_margin
        self._min_candidate_score = min_candidate_score
        self._items: dict[str, _Entry] = {}
        self._titles: dict[str, _Entry] = {}
        self._postings: dict[str, set[str]] = {}
        self._evaluations: dict[str, _Evaluation] = {}
        self._rematched = 0
        self._result = MatchResult({}, {}, frozenset(), frozenset())
        # `update` runs in an executor thread; `candidates_for` may be called
        # from another one meanwhile.
        self._lock = threading.Lock()

    @property
    def rematched_last_update(self) -> int:
        """How many titles the last `update` scored (again)."""
        return self._rematched

    @property
    def result(self) -> MatchResult:
        """The result of the last `update`."""
        return self._result

    def update(
        self,
        titles: Iterable[AudibleTitle],
        items: Iterable[AbsItem],
        *,
        manual_links: Mapping[str, str] | None = None,
        ignored: AbstractSet[str] | None = None,
    ) -> MatchResult:
        """Match the complete current libraries; re-score only what changed.

        ``manual_links`` maps ASIN -> ABS item id; ``ignored`` holds ASINs to
        leave out entirely (it beats a manual link of the same ASIN).
        """
        manual_links = manual_links or {}
        ignored = ignored or frozenset()
        with self._lock:
            touched_keys = self._update_items(items)
            dirty = self._update_titles(titles)
            # A title's verdict depends on the buckets it read, nothing else.
            dirty.update(
                asin
                for asin, evaluation in self._evaluations.items()
                if not touched_keys.isdisjoint(evaluation.read_keys)
            )
            for asin in dirty:
                self._evaluations.pop(asin, None)

            # Titles whose item the user chose need no scoring; ignored ones
            # neither. Their cached evaluations stay valid for when that changes.
            self._rematched = 0
            for asin, entry in self._titles.items():
                if asin in ignored or asin in manual_links or asin in self._evaluations:
                    continue
                self._evaluations[asin] = self._evaluate(entry)
                self._rematched += 1

            self._result = self._settle(manual_links, ignored)
            return self._result

    def candidates_for(self, asin: str, limit: int = 5) -> tuple[Candidate, ...]:
        """Rank the items title ``asin`` could be linked to, best first.

        Exact (ASIN/ISBN) matches come first, then fuzzy candidates scoring at
        least ``min_candidate_score``. Empty for an unknown ASIN.
        """
        with self._lock:
            entry = self._titles.get(asin)
            if entry is None:
                return ()
            return self._evaluate(entry, every_candidate=True).candidates[:limit]

    # -- index maintenance ---------------------------------------------------

    def _update_items(self, items: Iterable[AbsItem]) -> set[str]:
        """Bring the index up to date; return the keys whose buckets changed."""
        current = {item.item_id: item for item in items}
        postings = self._postings
        touched: set[str] = set()
        for item_id in self._items.keys() - current.keys():
            touched.update(self._unfile(self._items.pop(item_id)))
        for item_id, item in current.items():
            old = self._items.get(item_id)
            if old is not None:
                if _same_for_matching(old.source, item):
                    continue
                touched.update(self._unfile(old))
            entry = _Entry.create(item_id, item)
            self._items[item_id] = entry
            keys = entry.index_keys()
            for key in keys:
                bucket = postings.get(key)
                if bucket is None:
                    postings[key] = {item_id}
                else:
                    bucket.add(item_id)
            touched.update(keys)
        return touched

    def _unfile(self, entry: _Entry) -> list[str]:
        keys = entry.index_keys()
        for key in keys:
            bucket = self._postings[key]
            bucket.discard(entry.key)
            if not bucket:
                del self._postings[key]
        return keys

    def _update_titles(self, titles: Iterable[AudibleTitle]) -> set[str]:
        """Store the titles; return ASINs that are gone, new or changed."""
        current = {title.asin: title for title in titles}
        changed = self._titles.keys() - current.keys()
        for asin in changed:
            del self._titles[asin]
        for asin, title in current.items():
            old = self._titles.get(asin)
            if old is None or not _same_for_matching(old.source, title):
                self._titles[asin] = _Entry.create(asin, title)
                changed.add(asin)
        return changed

    # -- scoring -------------------------------------------------------------

    def _evaluate(self, title: _Entry, *, every_candidate: bool = False) -> _Evaluation:
        read: set[str] = set()
        exact = self._exact_candidates(title, read)
        if exact and not every_candidate:
            return _Evaluation(
                candidates=exact, link=len(exact) == 1, read_keys=tuple(read)
            )

        # item id -> (score, whether the authors are known to agree)
        scores: dict[str, tuple[float, bool]] = {}
        author_factors: dict[tuple[str, ...], float | None] = {}
        by_author, author_bucket_complete = self._author_bucket(title, read)
        self._score_bucket(title, by_author, scores, author_factors)
        self._score_bucket(
            title,
            self._title_bucket(title, _KEY_TITLE_NO_AUTHOR, read),
            scores,
            author_factors,
        )
        if not by_author or not author_bucket_complete:
            # Nothing by this author: the name may be spelt otherwise
            # ("Dostoevsky"/"Dostoyevsky"), or it is too common (or too bare)
            # to list all its books; look the title up alone.
            by_title = self._title_bucket(title, _KEY_TITLE, read)
            self._score_bucket(
                title,
                self._by_possible_authors(title, by_title, author_factors),
                scores,
                author_factors,
            )

        exact_ids = {candidate.item_id for candidate in exact}
        ranked = sorted(
            (-score, item_id)
            for item_id, (score, _) in scores.items()
            if item_id not in exact_ids
        )
        if every_candidate:
            return _Evaluation(
                candidates=exact
                + tuple(
                    self._candidate(item_id, -score, "fuzzy")
                    for score, item_id in ranked
                ),
                link=False,
                read_keys=tuple(read),
            )
        link = False
        if ranked:
            best_score, best_id = -ranked[0][0], ranked[0][1]
            runner_up = -ranked[1][0] if len(ranked) > 1 else None
            link = (
                best_score >= self._auto_link_score
                and (runner_up is None or best_score - runner_up >= self._min_margin)
                # An item without authors is never linked on its title alone.
                and scores[best_id][1]
            )
        return _Evaluation(
            candidates=tuple(
                self._candidate(item_id, -score, "fuzzy")
                for score, item_id in ranked[:_MAX_CONFLICT_CANDIDATES]
            ),
            link=link,
            read_keys=tuple(read),
        )

    def _exact_candidates(self, title: _Entry, read: set[str]) -> tuple[Candidate, ...]:
        lookups: tuple[tuple[MatchMethod, str | None, str], ...] = (
            ("asin", title.asin, _KEY_ASIN),
            ("isbn", title.isbn, _KEY_ISBN),
        )
        for method, value, prefix in lookups:
            if not value:
                continue
            read.add(prefix + value)
            item_ids = self._postings.get(prefix + value)
            if item_ids:
                ranked = (
                    sorted(
                        item_ids,
                        key=lambda item_id: (
                            -self._fuzzy_score(title, item_id),
                            item_id,
                        ),
                    )
                    if len(item_ids) > 1
                    else item_ids
                )
                return tuple(
                    self._candidate(item_id, _PERFECT_SCORE, method)
                    for item_id in ranked
                )
        return ()

    def _fuzzy_score(self, title: _Entry, item_id: str) -> float:
        scored = self._score(title, item_id, {})
        return scored[0] if scored else 0.0

    def _author_bucket(self, title: _Entry, read: set[str]) -> tuple[set[str], bool]:
        """Return the items by the title's authors, and whether that is all.

        Reads each author's own bucket and the bucket of the bare surname. A
        title author without a given name, or a bucket too large to read, can
        leave items out.
        """
        bucket: set[str] = set()
        complete = True
        for key in title.author_keys:
            bare_surname = key.partition("|")[0] + "|"
            complete = complete and key != bare_surname
            for lookup in dict.fromkeys((key, bare_surname)):
                read.add(lookup)
                item_ids = self._postings.get(lookup, ())
                if len(item_ids) <= _MAX_AUTHOR_BUCKET:
                    bucket.update(item_ids)
                else:
                    complete = False
        return bucket, complete

    def _title_bucket(self, title: _Entry, prefix: str, read: set[str]) -> set[str]:
        """Return the items under the title's rare tokens (see module docstring)."""
        sizes: list[tuple[int, str]] = []
        for token in title.tokens:
            key = prefix + token
            # Which tokens are rare depends on every token's bucket size.
            read.add(key)
            if key in self._postings:
                sizes.append((len(self._postings[key]), key))
        # The rarest token, the next one too unless it is common (the item may
        # misspell the first), more while the bucket stays small.
        sizes.sort()
        bucket: set[str] = set()
        for index, (size, key) in enumerate(sizes):
            limit = _MAX_TITLE_BUCKET if index == 1 else _TITLE_BUCKET_BUDGET
            if index and len(bucket) + size > limit:
                break
            bucket.update(self._postings[key])
        return bucket

    def _by_possible_authors(
        self,
        title: _Entry,
        item_ids: set[str],
        author_factors: dict[tuple[str, ...], float | None],
    ) -> set[str]:
        """Return the items whose authors may be the title's.

        The verdict `_author_factor` would reach, for a whole bucket at once:
        a name with another surname must reach the gate in token_sort_ratio,
        which rapidfuzz checks for all of them in one call.
        """
        if not title.normalized_authors:
            return item_ids
        items = self._items
        pending = {items[item_id].normalized_authors for item_id in item_ids}
        pending -= author_factors.keys()
        pending.discard(())
        names = {name for authors in pending for name in authors}
        surnames = {name.rpartition(" ")[2] for name in title.normalized_authors}
        possible = {name for name in names if name.rpartition(" ")[2] in surnames}
        others = list(names - possible)
        # token_sort_ratio is ratio on sorted tokens; sorting once per name
        # (cached) lets rapidfuzz run the plain ratio over the whole list.
        sorted_others = [_sorted_tokens(name) for name in others]
        for name in title.normalized_authors:
            possible.update(
                others[index]
                for _, _, index in process.extract(
                    _sorted_tokens(name),
                    sorted_others,
                    scorer=fuzz.ratio,
                    score_cutoff=_MIN_AUTHOR_SCORE,
                    limit=None,
                )
            )
        for authors in pending:
            if possible.isdisjoint(authors):
                author_factors[authors] = None
        return {
            item_id
            for item_id in item_ids
            if author_factors.get(items[item_id].normalized_authors, 0.0) is not None
        }

    def _score_bucket(
        self,
        title: _Entry,
        item_ids: set[str],
        scores: dict[str, tuple[float, bool]],
        author_factors: dict[tuple[str, ...], float | None],
    ) -> None:
        for item_id in item_ids - scores.keys():
            scored = self._score(title, item_id, author_factors)
            if scored is not None:
                scores[item_id] = scored

    def _score(
        self,
        title: _Entry,
        item_id: str,
        author_factors: dict[tuple[str, ...], float | None],
    ) -> tuple[float, bool] | None:
        """Return the fuzzy score and whether the authors agree, or None.

        None when the item is no candidate: below ``min_candidate_score`` or
        by other authors. ``author_factors`` caches what the title's authors
        make of an item's authors (None: other people), as many items share
        them.
        """
        item = self._items[item_id]
        authors = item.normalized_authors
        if authors in author_factors:
            factor = author_factors[authors]
        else:
            factor = author_factors[authors] = _author_factor(
                title.normalized_authors, authors
            )
        if factor is None:
            return None
        needed = self._min_candidate_score / factor
        if title.rest or item.rest:
            # Cheap bound first: most items are far off and need no word check.
            if _subtitled_similarity(title, item, check_words=False) < needed:
                return None
            similarity = _subtitled_similarity(title, item)
        else:
            # The common case, inlined: rapidfuzz gives up early below `needed`.
            similarity = fuzz.ratio(title.main, item.main, score_cutoff=needed)
            if similarity < needed:
                return None
            if similarity < _PERFECT_SCORE and not _contains_cjk(title.main):
                similarity -= _SUBSTITUTED_WORD_PENALTY * _substituted_words(
                    title.main, item.main
                )
        score = factor * similarity
        if (
            title.sequences
            and item.sequences
            and title.sequences.isdisjoint(item.sequences)
        ):
            score -= _SEQUENCE_MISMATCH_PENALTY
        if score < self._min_candidate_score:
            return None
        return round(score, 1), bool(authors) and bool(title.normalized_authors)

    def _candidate(self, item_id: str, score: float, method: MatchMethod) -> Candidate:
        item = self._items[item_id]
        return Candidate(
            item_id=item_id,
            score=score,
            title=item.source.title,
            authors=item.source.authors,
            method=method,
        )

    # -- settling ------------------------------------------------------------

    def _settle(
        self, manual_links: Mapping[str, str], ignored: AbstractSet[str]
    ) -> MatchResult:
        """Turn the per-title verdicts into links, giving each item one title."""
        links: dict[str, Link] = {}
        conflicts: dict[str, Conflict] = {}
        unmatched: set[str] = set()
        stale: set[str] = set()
        manual_items: set[str] = set()
        claims: dict[str, list[tuple[Candidate, str]]] = {}

        for asin in sorted(self._titles.keys() - ignored):
            if asin in manual_links:
                item_id = manual_links[asin]
                if item_id in self._items:
                    links[asin] = Link(asin, item_id, "manual", _PERFECT_SCORE)
                    manual_items.add(item_id)
                else:
                    stale.add(asin)
                continue
            evaluation = self._evaluations[asin]
            if evaluation.link:
                best = evaluation.candidates[0]
                claims.setdefault(best.item_id, []).append((best, asin))
            elif evaluation.candidates:
                conflicts[asin] = Conflict(asin, evaluation.candidates)
            else:
                unmatched.add(asin)

        for item_id, claimants in claims.items():
            winner = None if item_id in manual_items else self._winner(claimants)
            for candidate, asin in claimants:
                if asin == winner:
                    links[asin] = Link(asin, item_id, candidate.method, candidate.score)
                else:
                    conflicts[asin] = Conflict(asin, self._evaluations[asin].candidates)

        return MatchResult(
            links=links,
            conflicts=conflicts,
            unmatched=frozenset(unmatched),
            stale_manual_links=frozenset(stale),
        )

    def _winner(self, claimants: list[tuple[Candidate, str]]) -> str | None:
        """Return the ASIN that gets an item several titles claim, if any."""
        claimants.sort(
            key=lambda claim: (_METHOD_RANK[claim[0].method], -claim[0].score)
        )
        best, asin = claimants[0]
        if len(claimants) == 1:
            return asin
        second = claimants[1][0]
        if _METHOD_RANK[best.method] < _METHOD_RANK[second.method]:
            return asin
        # Two ASIN (or ISBN) claims are a tie whatever the fuzzy scores say.
        if best.method == "fuzzy" and best.score - second.score >= self._min_margin:
            return asin
        return None
