"""Release checks of the release workflow (.github/workflows/release.yml).

    python3 scripts/lib/release.py v0.2.0 --notes release_notes.md

Fails unless the tag is vX.Y.Z with X.Y.Z equal to manifest.json's version and
CHANGELOG.md has a non-empty "## [X.Y.Z]" section; writes that section (the
release notes) to --notes. Standard library only, any Python 3: it runs on the
GitHub runner's own Python, before the project's environment exists.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
MANIFEST = ROOT / "custom_components" / "audible_tracker" / "manifest.json"
CHANGELOG = ROOT / "CHANGELOG.md"

TAG = re.compile(r"v(\d+\.\d+\.\d+)")
# "## [0.2.0] - 2026-12-02" or "## [Unreleased]"; the text after "]" is free.
SECTION = re.compile(r"^## \[([^\]]+)\]", re.MULTILINE)
# Keep a Changelog's link definitions at the end: "[0.2.0]: https://...".
LINK_DEFINITION = re.compile(r"^\[[^\]]+\]:\s", re.MULTILINE)


class ReleaseError(Exception):
    """The tag, manifest or changelog does not allow a release."""


def version_of_tag(tag: str) -> str:
    """X.Y.Z of a tag vX.Y.Z."""
    match = TAG.fullmatch(tag.strip())
    if match is None:
        raise ReleaseError(f"tag {tag!r} is not of the form vX.Y.Z")
    return match.group(1)


def manifest_version(manifest: Path = MANIFEST) -> str:
    """The version in manifest.json."""
    version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    if not isinstance(version, str):
        raise ReleaseError(f"{manifest.name} has no version")
    return version


def sections(changelog: str) -> dict[str, str]:
    """Heading name ("0.2.0", "Unreleased") -> the section's text."""
    found: dict[str, str] = {}
    headings = list(SECTION.finditer(changelog))
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else None
        body = changelog[heading.end() : end]
        # Drop the rest of the heading line, then the link definitions.
        body = body.split("\n", 1)[1] if "\n" in body else ""
        body = LINK_DEFINITION.split(body, maxsplit=1)[0]
        found[heading.group(1).strip()] = body.strip()
    return found


def release_notes(
    tag: str, manifest: Path = MANIFEST, changelog: Path = CHANGELOG
) -> str:
    """The changelog section of the tag's version, once the tag is right."""
    version = version_of_tag(tag)
    in_manifest = manifest_version(manifest)
    if version != in_manifest:
        raise ReleaseError(
            f"tag {tag} does not match manifest.json's version {in_manifest}"
        )
    text = changelog.read_text(encoding="utf-8")
    heading = re.search(rf"^## \[{re.escape(version)}\](.*)$", text, re.MULTILINE)
    if heading is not None and "unreleased" in heading.group(1).lower():
        raise ReleaseError(
            f"CHANGELOG.md's {version} heading still says Unreleased: give its date"
        )
    notes = sections(text).get(version, "")
    if not notes:
        raise ReleaseError(
            f"CHANGELOG.md has no section (or an empty one) for {version}"
        )
    return notes


def main() -> int:
    """Check the tag; write the release notes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tag", help="the pushed tag, e.g. v0.2.0")
    parser.add_argument("--notes", type=Path, help="write the release notes here")
    args = parser.parse_args()
    try:
        notes = release_notes(args.tag)
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    if args.notes:
        args.notes.write_text(notes + "\n", encoding="utf-8")
    print(notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
