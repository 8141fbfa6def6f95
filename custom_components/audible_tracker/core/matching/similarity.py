"""Similarity scores: how alike two titles, two author lists are (0..100).

Title similarity is rapidfuzz's ratio less a penalty for each substituted
word, with the subtitle rules of the package docstring; author similarity
matches initials to given names and tells people with one surname apart.
`author_factor` turns the authors' similarity into what the title similarity
is multiplied by. The matcher inlines the common case of the title score.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Final

from rapidfuzz import fuzz

from .normalise import STOPWORDS, contains_cjk

if TYPE_CHECKING:
    from .entry import Entry


PERFECT_SCORE: Final = 100.0
# The score is the title similarity times (0.75 + 0.25 * author similarity).
_TITLE_WEIGHT: Final = 0.75
_AUTHOR_WEIGHT: Final = 0.25
# What a missing author list contributes: enough for an exact title only.
_UNKNOWN_AUTHOR_SCORE: Final = 70.0
# Below this the authors are different people and the item is no candidate.
MIN_AUTHOR_SCORE: Final = 75.0
# Same surname, incompatible given names (the Brontë sisters).
_SAME_SURNAME_OTHER_PERSON: Final = 60.0
_INITIALS_MATCH_SCORE: Final = 95.0
SEQUENCE_MISMATCH_PENALTY: Final = 30.0
# Two words this similar are one word with a typo.
_SAME_WORD_SCORE: Final = 80.0
SUBSTITUTED_WORD_PENALTY: Final = 15.0
# "Mistborn: The Final Empire" against a bare "The Final Empire".
_SUBTITLE_AS_TITLE_FACTOR: Final = 0.95


def substituted_words(first: str, second: str) -> int:
    """Count the words one title has where the other has a different word.

    "forests elan" / "forests sea": one, a different book. A typo is no other
    word ("frankenstien" / "frankenstein"), and neither is a missing one.
    """
    first_words = set(first.split()) - STOPWORDS
    second_words = set(second.split()) - STOPWORDS
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
    if check_words and score < PERFECT_SCORE and not contains_cjk(first):
        score -= SUBSTITUTED_WORD_PENALTY * substituted_words(first, second)
    return score


def subtitled_similarity(
    first: Entry, second: Entry, *, check_words: bool = True
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
        return PERFECT_SCORE
    return max(_author_similarity(one, other) for one in first for other in second)


@functools.lru_cache(maxsize=16384)
def sorted_tokens(name: str) -> str:
    """Return a name's words sorted: token_sort_ratio's form of it."""
    return " ".join(sorted(name.split()))


def author_factor(first: tuple[str, ...], second: tuple[str, ...]) -> float | None:
    """Return what the title similarity is multiplied by; None: other authors."""
    similarity = _authors_similarity(first, second)
    if similarity is None:
        similarity = _UNKNOWN_AUTHOR_SCORE
    elif similarity < MIN_AUTHOR_SCORE:
        return None
    return _TITLE_WEIGHT + _AUTHOR_WEIGHT * similarity / PERFECT_SCORE
