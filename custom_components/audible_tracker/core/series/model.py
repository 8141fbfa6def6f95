"""The series model: volumes in order, editions merged, box sets apart.

`build_series` turns a parsed series listing and the catalog details of its
children into a `Series`. It never raises and never guesses: a series whose
listing failed to load is `known=False`, and a volume whose details failed
has no release date (so it is neither released nor unreleased).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .catalog import CatalogProduct, SeriesEntry, SeriesListing

_NUMBER: Final = re.compile(r"\d+(?:\.\d+)?")
# "1-6", "1 \u2013 3" (en dash), "1-3.5": a box set or omnibus covering those positions.
_RANGE: Final = re.compile(r"(\d+(?:\.\d+)?)\s*[-\u2013\u2014]\s*(\d+(?:\.\d+)?)")


def parse_sequence(sequence: str | None) -> tuple[float, float] | None:
    """Return the (first, last) position a sequence names, else None.

    "2" -> (2, 2); "2.5" -> (2.5, 2.5); "1-6" -> (1, 6). Words and numerals
    ("Book Two", "II") are not positions: such volumes are ordered by `sort`.
    """
    if sequence is None:
        return None
    raw = sequence.strip()
    if _NUMBER.fullmatch(raw):
        return float(raw), float(raw)
    if (found := _RANGE.fullmatch(raw)) is not None:
        first, last = float(found[1]), float(found[2])
        if first < last:
            return first, last
    return None


@dataclass(frozen=True, slots=True)
class SeriesVolume:
    """One position of a series, with every edition listed at it."""

    sequence: str | None  # as Audible writes it ("2", "0.5", "Book Two")
    number: float | None  # the numeric position, when the sequence has one
    sort: float | None  # Audible's `sort` (lowest of the editions)
    asins: tuple[str, ...]  # the editions, in catalog order
    title: str
    authors: tuple[str, ...] = ()
    narrators: tuple[str, ...] = ()
    # None when no edition's details loaded (unknown, not "unreleased").
    release_date: date | None = None
    is_preorderable: bool = False
    cover_url: str | None = None


@dataclass(frozen=True, slots=True)
class BoxSet:
    """A box set or omnibus: owning it means owning volumes first..last."""

    asin: str
    sequence: str
    first: float
    last: float
    title: str | None = None

    def covers(self, volume: SeriesVolume) -> bool:
        """Whether the volume's position lies in the box set's range."""
        return volume.number is not None and self.first <= volume.number <= self.last


@dataclass(frozen=True, slots=True)
class Series:
    """A series as the catalog lists it; `known=False` when it failed to load."""

    asin: str
    title: str
    volumes: tuple[SeriesVolume, ...] = ()
    box_sets: tuple[BoxSet, ...] = ()
    known: bool = True


def unknown_series(asin: str, title: str) -> Series:
    """Return a series whose catalog data is not (yet) known."""
    return Series(asin=asin, title=title, known=False)


def _position_key(entry: SeriesEntry) -> tuple[str, float | str]:
    """Where editions meet: the numeric position, else the sequence text.

    Without any sequence an entry is its own position, since editions cannot
    be told apart from different volumes.
    """
    if (span := parse_sequence(entry.sequence)) is not None:
        return ("number", span[0])
    if entry.sequence is not None:
        return ("text", entry.sequence.casefold())
    return ("asin", entry.asin)


def _volume(
    entries: list[SeriesEntry], details: Mapping[str, CatalogProduct]
) -> SeriesVolume:
    """Merge the editions at one position; the first one known names it."""
    known = [details[e.asin] for e in entries if e.asin in details]
    first = known[0] if known else None
    span = parse_sequence(entries[0].sequence)
    sorts = [e.sort for e in entries if e.sort is not None]
    released = [p.release_date for p in known if p.release_date is not None]
    title = (
        first.title
        if first is not None
        else next((e.title for e in entries if e.title), entries[0].asin)
    )
    return SeriesVolume(
        sequence=entries[0].sequence,
        number=span[0] if span is not None else None,
        sort=min(sorts) if sorts else None,
        asins=tuple(dict.fromkeys(e.asin for e in entries)),
        title=title,
        authors=first.authors if first is not None else (),
        narrators=first.narrators if first is not None else (),
        # The earliest edition is when the volume came out.
        release_date=min(released) if released else None,
        is_preorderable=bool(known) and all(p.is_preorderable for p in known),
        cover_url=next((p.cover_url for p in known if p.cover_url), None),
    )


def _order(volume: SeriesVolume) -> tuple[float, float, date, str]:
    """Numeric position first, else Audible's sort; then release date."""
    position = volume.number if volume.number is not None else volume.sort
    return (
        position if position is not None else math.inf,
        volume.sort if volume.sort is not None else math.inf,
        volume.release_date or date.max,
        volume.asins[0],
    )


def build_series(
    listing: SeriesListing | None,
    details: Mapping[str, CatalogProduct],
    *,
    asin: str,
    title: str,
) -> Series:
    """Build a series from its listing and the details of its children.

    `listing` None (the request failed) gives an unknown series. Children
    whose details say they are podcast episodes are left out; a child
    without details is kept (its title from the listing, else its ASIN).
    """
    if listing is None:
        return unknown_series(asin, title)
    groups: dict[tuple[str, float | str], list[SeriesEntry]] = {}
    box_sets: list[BoxSet] = []
    for entry in listing.entries:
        product = details.get(entry.asin)
        if product is not None and product.is_podcast:
            continue
        span = parse_sequence(entry.sequence)
        if span is not None and span[0] < span[1] and entry.sequence is not None:
            box_sets.append(
                BoxSet(
                    asin=entry.asin,
                    sequence=entry.sequence,
                    first=span[0],
                    last=span[1],
                    title=product.title if product is not None else entry.title,
                )
            )
            continue
        groups.setdefault(_position_key(entry), []).append(entry)
    volumes = sorted((_volume(group, details) for group in groups.values()), key=_order)
    return Series(
        asin=listing.asin,
        title=listing.title or title,
        volumes=tuple(volumes),
        box_sets=tuple(box_sets),
    )
