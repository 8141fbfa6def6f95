"""Compares translation files with en.json: keys, placeholders, Markdown links.

Both the integration's (translations/) and the dashboard card's
(frontend/src/translations/, flat dotted keys) files.

Used by tests/test_translations.py and by `scripts/translations`, the helper
that lists what each language lacks after a new English string.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

TRANSLATIONS: Final = (
    Path(__file__).parent.parent
    / "custom_components"
    / "audible_tracker"
    / "translations"
)
# The card's strings, filled in by the card itself (not Home Assistant).
CARD_TRANSLATIONS: Final = (
    Path(__file__).parent.parent / "frontend" / "src" / "translations"
)
# The languages of Audible's marketplaces besides English (issue 13).
LANGUAGES: Final = ("de", "fr", "it", "es", "ja", "pt-BR")

PLACEHOLDER: Final = re.compile(r"\{([A-Za-z0-9_]+)\}")
# The target of a Markdown link, "](...)": must survive translation unchanged.
LINK_TARGET: Final = re.compile(r"\]\(([^)]*)\)")
# The frontend formats strings as ICU messages: an apostrophe right before a
# brace quotes it, and the placeholder is shown as literal text.
ICU_QUOTED_BRACE: Final = re.compile(r"'[{}]")


@dataclass(frozen=True)
class Differences:
    """How one translation differs from en.json."""

    missing: list[str]
    extra: list[str]
    # Keys whose placeholders or link targets differ, with a short reason.
    mismatched: dict[str, str]
    # Keys whose value is not a non-empty string (or a table where en has one).
    malformed: list[str]

    def __bool__(self) -> bool:
        """Whether there is any difference."""
        return bool(self.missing or self.extra or self.mismatched or self.malformed)


def flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted key -> leaf value; an empty table is a leaf too."""
    if not isinstance(tree, dict) or not tree:
        return {prefix: tree}
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def load(language: str, directory: Path = TRANSLATIONS) -> dict[str, Any]:
    """The translation file of a language, as a tree."""
    path = directory / f"{language}.json"
    tree: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return tree


def languages_present(directory: Path = TRANSLATIONS) -> list[str]:
    """Every translation file's language other than English."""
    return sorted(path.stem for path in directory.glob("*.json") if path.stem != "en")


def _sorted_placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def compare(
    english: dict[str, Any], other: dict[str, Any], *, icu: bool = True
) -> Differences:
    """What `other` lacks, has too much, or has wrong compared to `english`.

    `icu`: the strings are ICU messages (Home Assistant's frontend); the card
    fills its own placeholders, where an apostrophe is plain text.
    """
    want = flatten(english)
    have = flatten(other)
    mismatched: dict[str, str] = {}
    malformed: list[str] = []
    for key in sorted(want.keys() & have.keys()):
        source, text = want[key], have[key]
        if not isinstance(text, str) or (isinstance(source, str) and not text.strip()):
            malformed.append(key)
            continue
        if not isinstance(source, str):
            continue
        if _sorted_placeholders(source) != _sorted_placeholders(text):
            mismatched[key] = (
                f"placeholders {_sorted_placeholders(text)}, "
                f"en.json has {_sorted_placeholders(source)}"
            )
        elif icu and ICU_QUOTED_BRACE.search(text):
            mismatched[key] = "an apostrophe before a brace hides the placeholder"
        elif LINK_TARGET.findall(source) != LINK_TARGET.findall(text):
            mismatched[key] = (
                f"link targets {LINK_TARGET.findall(text)}, "
                f"en.json has {LINK_TARGET.findall(source)}"
            )
    return Differences(
        missing=sorted(want.keys() - have.keys()),
        extra=sorted(have.keys() - want.keys()),
        mismatched=mismatched,
        malformed=malformed,
    )
