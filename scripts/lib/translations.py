"""Lists, per language, the keys missing from or extra to en.json.

The integration's strings, then the dashboard card's (frontend/src/translations/).

    scripts/translations              every language
    scripts/translations de ja        only these
    scripts/translations --english    also print the English text of missing keys

Exit status 1 when any language differs, so it can gate a commit.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.translation_keys import (
    CARD_TRANSLATIONS,
    LANGUAGES,
    TRANSLATIONS,
    compare,
    flatten,
    languages_present,
    load,
)

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    """Print the differences of each language; 1 if there are any."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("languages", nargs="*", help="default: every file and the six")
    parser.add_argument(
        "--english", action="store_true", help="print the English text of missing keys"
    )
    args = parser.parse_args()
    failed = False
    for title, directory, icu in (
        ("integration", TRANSLATIONS, True),
        ("card", CARD_TRANSLATIONS, False),
    ):
        print(f"{title} ({directory.relative_to(ROOT)}):")
        languages = args.languages or sorted(
            {*LANGUAGES, *languages_present(directory)}
        )
        failed |= _report(directory, languages, english_text=args.english, icu=icu)
    return 1 if failed else 0


def _report(
    directory: Path, languages: list[str], *, english_text: bool, icu: bool
) -> bool:
    """Print each language's differences from en.json; whether there are any."""
    english = load("en", directory)
    flat_english = flatten(english)
    failed = False
    for language in languages:
        try:
            other = load(language, directory)
        except FileNotFoundError:
            print(f"{language}: no file {language}.json")
            failed = True
            continue
        differences = compare(english, other, icu=icu)
        if not differences:
            print(f"{language}: complete ({len(flat_english)} strings)")
            continue
        failed = True
        print(f"{language}:")
        for key in differences.missing:
            text = f"  {json.dumps(flat_english[key], ensure_ascii=False)}"
            print(f"  missing    {key}{text if english_text else ''}")
        for key in differences.extra:
            print(f"  extra      {key}")
        for key, reason in differences.mismatched.items():
            print(f"  mismatch   {key}: {reason}")
        for key in differences.malformed:
            print(f"  not text   {key}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
