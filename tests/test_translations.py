"""Every translation has exactly en.json's keys, placeholders and link targets.

The integration's files and the dashboard card's (frontend/src/translations/)
alike: a new English string without its six translations fails here;
`scripts/translations` lists what each language lacks.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.translation_keys import (
    CARD_TRANSLATIONS,
    LANGUAGES,
    compare,
    flatten,
    languages_present,
    load,
)

ENGLISH = load("en")
CARD_ENGLISH = load("en", CARD_TRANSLATIONS)
# Sentences (four words or more) left in English are untranslated copies;
# short ones may rightly match (ASIN, Audiobookshelf, URL).
UNTRANSLATED_MIN_WORDS = 4


def test_the_six_languages_exist() -> None:
    assert set(LANGUAGES) <= set(languages_present())


def test_the_card_speaks_the_same_languages() -> None:
    assert languages_present(CARD_TRANSLATIONS) == languages_present()
    assert set(LANGUAGES) <= set(languages_present(CARD_TRANSLATIONS))


def _assert_matches(
    english: dict[str, Any], other: dict[str, Any], *, icu: bool
) -> None:
    differences = compare(english, other, icu=icu)
    assert not differences.missing, f"lacks {differences.missing}"
    assert not differences.extra, f"has extra {differences.extra}"
    assert not differences.mismatched, differences.mismatched
    assert not differences.malformed, differences.malformed


@pytest.mark.parametrize("language", sorted({*LANGUAGES, *languages_present()}))
def test_translation_matches_english(language: str) -> None:
    _assert_matches(ENGLISH, load(language), icu=True)


@pytest.mark.parametrize(
    "language", sorted({*LANGUAGES, *languages_present(CARD_TRANSLATIONS)})
)
def test_card_translation_matches_english(language: str) -> None:
    _assert_matches(CARD_ENGLISH, load(language, CARD_TRANSLATIONS), icu=False)


def _copied_sentences(english: dict[str, Any], other: dict[str, Any]) -> list[str]:
    translated = flatten(other)
    return [
        key
        for key, text in flatten(english).items()
        if isinstance(text, str)
        and len(text.split()) >= UNTRANSLATED_MIN_WORDS
        and translated.get(key) == text
    ]


@pytest.mark.parametrize("language", sorted({*LANGUAGES, *languages_present()}))
def test_no_sentence_left_in_english(language: str) -> None:
    copied = _copied_sentences(ENGLISH, load(language))
    assert not copied, f"{language} has English sentences at {copied}"


@pytest.mark.parametrize(
    "language", sorted({*LANGUAGES, *languages_present(CARD_TRANSLATIONS)})
)
def test_card_has_no_sentence_left_in_english(language: str) -> None:
    copied = _copied_sentences(CARD_ENGLISH, load(language, CARD_TRANSLATIONS))
    assert not copied, f"{language} has English sentences at {copied}"


def _broken(change: Any) -> dict[str, Any]:
    tree = copy.deepcopy(ENGLISH)
    change(tree)
    return tree


def test_compare_finds_a_missing_key() -> None:
    def drop(tree: dict[str, Any]) -> None:
        del tree["exceptions"]["unknown_asin"]

    assert compare(ENGLISH, _broken(drop)).missing == [
        "exceptions.unknown_asin.message"
    ]


def test_compare_finds_an_extra_nested_key() -> None:
    def add(tree: dict[str, Any]) -> None:
        tree["entity"]["sensor"]["progress"]["state"] = {"x": "X"}

    assert compare(ENGLISH, _broken(add)).extra == ["entity.sensor.progress.state.x"]


def test_compare_finds_a_changed_placeholder() -> None:
    def rename(tree: dict[str, Any]) -> None:
        tree["exceptions"]["unknown_asin"]["message"] = "Kein Titel {ASIN}."

    differences = compare(ENGLISH, _broken(rename))
    assert list(differences.mismatched) == ["exceptions.unknown_asin.message"]


def test_compare_finds_a_dropped_placeholder() -> None:
    def drop(tree: dict[str, Any]) -> None:
        tree["issues"]["match_conflict"]["title"] = "Choose the book"

    assert list(compare(ENGLISH, _broken(drop)).mismatched) == [
        "issues.match_conflict.title"
    ]


def test_compare_finds_an_apostrophe_quoting_a_placeholder() -> None:
    def quote(tree: dict[str, Any]) -> None:
        tree["exceptions"]["unknown_asin"]["message"] = "Pas d'{asin}."

    assert list(compare(ENGLISH, _broken(quote)).mismatched) == [
        "exceptions.unknown_asin.message"
    ]


def test_compare_finds_a_changed_link_target() -> None:
    def relink(tree: dict[str, Any]) -> None:
        step = tree["config"]["step"]["audible_login"]
        step["description"] = step["description"].replace(
            "({login_url})", "( {login_url} )"
        )

    assert list(compare(ENGLISH, _broken(relink)).mismatched) == [
        "config.step.audible_login.description"
    ]


def test_compare_finds_an_empty_or_non_text_value() -> None:
    def empty(tree: dict[str, Any]) -> None:
        tree["services"]["link"]["name"] = " "
        tree["services"]["unlink"]["name"] = {"x": "y"}
        tree["services"]["sync_now"]["name"] = 3

    differences = compare(ENGLISH, _broken(empty))
    assert differences.malformed == ["services.link.name", "services.sync_now.name"]
    assert differences.missing == ["services.unlink.name"]
    assert differences.extra == ["services.unlink.name.x"]


def test_card_compare_finds_a_new_string_and_a_lost_placeholder() -> None:
    english = {**CARD_ENGLISH, "sync.new": "New {count}"}
    german = load("de", CARD_TRANSLATIONS)
    german["book.time_left"] = "noch {zeit}"
    differences = compare(english, german, icu=False)
    assert differences.missing == ["sync.new"]
    assert list(differences.mismatched) == ["book.time_left"]


def test_card_compare_allows_an_apostrophe_before_a_brace() -> None:
    # The card fills placeholders itself: "d'{title}" is plain French there.
    french = {**load("fr", CARD_TRANSLATIONS), "book.cover": "Couverture d'{title}"}
    assert not compare(CARD_ENGLISH, french, icu=False)
    assert compare(CARD_ENGLISH, french).mismatched


def test_english_compares_clean_with_itself() -> None:
    assert not compare(ENGLISH, copy.deepcopy(ENGLISH))
    assert len(flatten(ENGLISH)) > 300


def test_readme_lists_the_languages() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    section = readme.split("## Languages", 1)[1].split("\n## ", 1)[0]
    for name in (
        "German",
        "French",
        "Italian",
        "Spanish",
        "Japanese",
        "Brazilian Portuguese",
    ):
        assert name in section
