"""Parsing of Audible answers into the shared models.

Audible's API is undocumented and its answers vary by title and marketplace, so
they are parsed leniently (with `json_fields`): an unreadable library item,
position or daily stat is skipped and never breaks a whole list; values
out of range are clamped. The parsers never raise. The endpoints these answers
come from are described in `audible_api`.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from .json_fields import array, get, iso_time, number, text
from .models import (
    AudiblePosition,
    AudibleTitle,
    AuthorRef,
    ContentMetadata,
    SeriesRef,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

_LOGGER = logging.getLogger(__name__)

# The cover size the library is asked for (`image_sizes`) and picked first.
COVER_SIZE: Final = "500"
_ACTIVE_STATUS: Final = "Active"
_POSITION_MISSING: Final = "DoesNotExist"
_YEAR_DIGITS: Final = 4
# Units of aggregated_daily_listening_stats; none sent means milliseconds.
_UNIT_TO_SECONDS: Final[dict[str, float]] = {
    "milliseconds": 0.001,
    "seconds": 1.0,
    "minutes": 60.0,
}


def collect_library_items(
    items: Iterable[object], titles: dict[str, AudibleTitle], removed: set[str]
) -> None:
    """Sort page items into active titles and removed ASINs; skip bad items."""
    for item in items:
        asin = text(get(item, "asin"))
        if asin is None or not isinstance(item, dict):
            _LOGGER.debug("Skipping an Audible library item without ASIN")
            continue
        status = item.get("status")
        if isinstance(status, str) and status != _ACTIVE_STATUS:
            removed.add(asin)
            titles.pop(asin, None)
            continue
        title = _parse_title(asin, item)
        if title is None:
            _LOGGER.debug("Skipping unreadable Audible library item %s", asin)
            continue
        removed.discard(asin)
        titles[asin] = title


def _parse_title(asin: str, item: dict[str, Any]) -> AudibleTitle | None:
    """Parse one library item; None if it has no title."""
    name = text(item.get("title"))
    if name is None:
        return None

    listening = item.get("listening_status")
    percent = number(get(listening, "percent_complete"))
    if percent is None:
        percent = number(item.get("percent_complete"))
    finished = get(listening, "is_finished")
    if not isinstance(finished, bool):
        finished = item.get("is_finished") is True

    runtime_min = number(item.get("runtime_length_min"))
    purchase_date = iso_time(item.get("purchase_date"))
    if purchase_date is None:
        purchase_date = iso_time(get(item.get("library_status"), "date_added"))

    return AudibleTitle(
        asin=asin,
        title=name,
        subtitle=text(item.get("subtitle")),
        authors=_names(item.get("authors")),
        narrators=_names(item.get("narrators")),
        series=_series(item.get("series")),
        isbn=text(item.get("isbn")),
        runtime_s=runtime_min * 60 if runtime_min is not None else None,
        cover_url=cover_url(item.get("product_images")),
        percent_complete=min(100.0, max(0.0, percent)) if percent is not None else None,
        is_finished=finished,
        purchase_date=purchase_date,
        # Un-finishing leaves the old timestamp in place (JC100/voxcodex docs).
        finished_at=iso_time(get(listening, "finished_at_timestamp"))
        if finished
        else None,
        release_date=_day(item.get("release_date")),
        author_refs=author_refs(item.get("authors")),
        publisher=text(item.get("publisher_name")),
        language=text(item.get("language")),
        published_year=year_of(
            item.get("release_date") or item.get("publication_datetime")
        ),
        has_description=any(
            text(item.get(key)) is not None
            for key in ("publisher_summary", "merchandising_summary")
        ),
    )


def _day(value: object) -> date | None:
    """Return an ISO day ("2022-12-08"), else None."""
    raw = text(value)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def author_refs(people: object) -> tuple[AuthorRef, ...]:
    """Return the contributors that have both an ASIN and a name."""
    refs: list[AuthorRef] = []
    for person in array(people):
        asin, name = text(get(person, "asin")), text(get(person, "name"))
        if asin is not None and name is not None:
            refs.append(AuthorRef(asin, name))
    return tuple(refs)


def year_of(value: object) -> str | None:
    """Return the year an ISO date starts with ("2022-12-08" -> "2022")."""
    date_text = text(value)
    if date_text is None:
        return None
    year = date_text[:4]
    return year if len(year) == _YEAR_DIGITS and year.isdecimal() else None


def parse_content_metadata(data: object) -> ContentMetadata:
    """Parse a content metadata answer; what is missing or odd stays None."""
    metadata = get(data, "content_metadata")
    acr = text(get(get(metadata, "content_reference"), "acr"))
    runtime_ms = number(get(get(metadata, "chapter_info"), "runtime_length_ms"))
    return ContentMetadata(
        acr=acr,
        runtime_ms=round(runtime_ms)
        if runtime_ms is not None and runtime_ms > 0
        else None,
    )


def _names(people: object) -> tuple[str, ...]:
    """Return the names of a list of {"asin", "name"} contributors."""
    names = (text(get(person, "name")) for person in array(people))
    return tuple(name for name in names if name is not None)


def _series(series: object) -> tuple[SeriesRef, ...]:
    """Return the series memberships; sequences stay text ("1-6", "0.5")."""
    refs: list[SeriesRef] = []
    for entry in array(series):
        title = text(get(entry, "title"))
        if title is None:
            continue
        sequence = get(entry, "sequence")
        if isinstance(sequence, int | float) and not isinstance(sequence, bool):
            sequence = str(sequence)
        refs.append(
            SeriesRef(
                title=title, sequence=text(sequence), asin=text(get(entry, "asin"))
            )
        )
    return tuple(refs)


def cover_url(images: object) -> str | None:
    """Pick the requested cover size, else the largest one sent."""
    if not isinstance(images, dict):
        return None
    if url := text(images.get(COVER_SIZE)):
        return url
    sized = [
        (int(size), url)
        for size, value in images.items()
        if isinstance(size, str) and size.isdecimal() and (url := text(value))
    ]
    return max(sized)[1] if sized else None


def parse_last_position(
    annotation: object,
) -> tuple[str, AudiblePosition | None] | None:
    """Parse to (asin, position or None if Audible has none); None if unreadable."""
    asin = text(get(annotation, "asin"))
    heard = get(annotation, "last_position_heard")
    if asin is None or not isinstance(heard, dict):
        return None
    if heard.get("status") == _POSITION_MISSING:
        return asin, None
    position = number(heard.get("position_ms"))
    last_updated = iso_time(heard.get("last_updated"))
    if position is None or position < 0 or last_updated is None:
        _LOGGER.debug("Skipping unreadable Audible last position for %s", asin)
        return None
    return asin, AudiblePosition(
        asin=asin, position_s=position / 1000, last_updated=last_updated
    )


def parse_daily_stat(entry: object) -> tuple[date, float] | None:
    """Parse one aggregated_daily_listening_stats entry to (day, seconds)."""
    return _parse_stat(entry, "")


def parse_monthly_stat(entry: object) -> tuple[date, float] | None:
    """Parse one aggregated_monthly_listening_stats entry to (1st, seconds).

    Its interval_identifier is the month ("2025-08").
    """
    return _parse_stat(entry, "-01")


def _parse_stat(entry: object, day_suffix: str) -> tuple[date, float] | None:
    identifier = get(entry, "interval_identifier")
    amount = number(get(entry, "aggregated_sum"))
    unit = get(entry, "unit")
    factor = _UNIT_TO_SECONDS.get(
        unit.lower() if isinstance(unit, str) else "milliseconds"
    )
    if not isinstance(identifier, str) or amount is None or factor is None:
        return None
    try:
        day = date.fromisoformat(identifier + day_suffix)
    except ValueError:
        return None
    return day, max(0.0, amount * factor)
