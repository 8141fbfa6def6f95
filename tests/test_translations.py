"""Every translation has exactly en.json's keys, placeholders and link targets.

A new English string without its six translations fails here; `scripts/translations`
lists what each language lacks.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.translation_keys import LANGUAGES, compare, flatten, languages_present, load

ENGLISH = load("en")
# Sentences (four words or more) left in English are untranslated copies;
# short ones may rightly match (ASIN, Audiobookshelf, URL).
UNTRANSLATED_MIN_WORDS = 4


def test_the_six_languages_exist() -> None:
    assert set(LANGUAGES) <= set(languages_present())


@pytest.mark.parametrize("language", sorted({*LANGUAGES, *languages_present()}))
def test_translation_matches_english(language: str) -> None:
    differences = compare(ENGLISH, load(language))
    assert not differences.missing, f"{language} lacks {differences.missing}"
    assert not differences.extra, f"{language} has extra {differences.extra}"
    assert not differences.mismatched, differences.mismatched
    assert not differences.malformed, differences.malformed


@pytest.mark.parametrize("language", sorted({*LANGUAGES, *languages_present()}))
def test_no_sentence_left_in_english(language: str) -> None:
    english = flatten(ENGLISH)
    translated = flatten(load(language))
    copied = [
        key
        for key, text in english.items()
        if isinstance(text, str)
        and len(text.split()) >= UNTRANSLATED_MIN_WORDS
        and translated.get(key) == text
    ]
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
