"""Normalisation: the forms the matcher compares titles, authors and ids in.

Folding (lower case, Latin accents), words and punctuation, series numbers
("Book 3", "III"), the parts of a title (main title, subtitle, bracketed notes,
series markers, leading articles) and its index tokens, author names
("Doyle, Arthur Conan", initials, honorifics) and ISBN/ASIN normalisation.
Pure functions; the busy ones are cached.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from typing import Final, NamedTuple

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
STOPWORDS: Final = frozenset(
    {"the", "a", "an", "of", "and", "in", "on", "to", "for", "at", "by", "with"}
    | {"from", "or", "le", "la", "les", "de", "des", "du", "el", "der", "die", "das"}
)
# Stop words and single letters or digits are no useful title tokens.
_UNINDEXED: Final = STOPWORDS | frozenset(string.ascii_lowercase + string.digits)
_HONORIFICS: Final = frozenset(
    {"sir", "dame", "dr", "mr", "mrs", "ms", "prof", "professor", "rev", "lord"}
)
_NAME_SUFFIXES: Final = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "obe"})
_MAX_RUN_TOGETHER_INITIALS: Final = 3
_ISBN10_LENGTH: Final = 10
_ISBN13_LENGTH: Final = 13


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
def normalize_sequence(raw: str) -> str | None:
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
            if (sequence := normalize_sequence(match["word"] or match["hash"]))
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
def fragment(text: str) -> tuple[str, frozenset[str]]:
    """Return a subtitle or series name as compared, and its series numbers."""
    without_noise, sequences = _strip_noise(_fold(text))
    return _compared_part(without_noise), sequences


def title_forms(
    title: str, subtitle: str | None = None, series_names: frozenset[str] = frozenset()
) -> _TitleForms:
    """Prepare a title for comparison (see `normalize_title`)."""
    folded = _fold(title).strip()
    without_noise, sequences = _strip_noise(folded)
    subtitle_part = ""
    if subtitle:
        subtitle_part, subtitle_sequences = fragment(subtitle)
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


def contains_cjk(text: str) -> bool:
    """Whether `text` holds CJK characters (which have no word boundaries)."""
    return not text.isascii() and any(ord(char) >= _CJK_START for char in text)


def _index_tokens(text: str) -> tuple[str, ...]:
    """Return the distinct title tokens worth indexing, CJK as bigrams."""
    if text.isascii():
        return tuple(set(text.split()) - _UNINDEXED)
    tokens: set[str] = set()
    for word in text.split():
        if contains_cjk(word):
            # No word boundaries in CJK text: index character bigrams.
            tokens.update(
                word[index : index + 2] for index in range(max(1, len(word) - 1))
            )
        elif len(word) > 1:
            tokens.add(word)
    return tuple(tokens - STOPWORDS)


def normalize_title(title: str, subtitle: str | None = None) -> str:
    """Return the comparable form of a title.

    Lower-cased, accents folded, punctuation removed, and without the subtitle
    (after ":" or " - "), bracketed notes such as "(Unabridged)" or "(Series,
    Book 3)", series markers ("Book 3", "Vol. 2", "#4") and a leading or
    trailing English article. A title that ends with its own ``subtitle``
    loses it too.
    """
    return title_forms(title, subtitle).main


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


def normalize_asin(value: str | None) -> str | None:
    """Return an ASIN trimmed and upper-cased, or None when blank."""
    if value is None:
        return None
    return value.strip().upper() or None


@functools.lru_cache(maxsize=4096)
def fold_text(text: str) -> str:
    """Return free text in a comparable form, keeping every word.

    Case, Latin accents, full- and half-width forms (NFKC), punctuation and
    spacing are ignored, and so are spaces between CJK characters:
    "Les Misérables" = "les miserables", full-width "ABC" = "abc".
    """
    return _SPACE_IN_CJK.sub("", _words(_fold(text)))
