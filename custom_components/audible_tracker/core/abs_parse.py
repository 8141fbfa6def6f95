"""Parsing of Audiobookshelf answers into the shared models.

ABS stores whatever its clients send and validates nothing, so its answers are
parsed leniently (with `json_fields`): a malformed library, library item or
progress record is skipped (None) or sanitised, never allowed to break a whole
list. The model parsers never raise; the client decides what a missing answer
means. Only a body that is not JSON at all is an error (`json_object`).
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import TYPE_CHECKING, Final

from .exceptions import AbsResponseError
from .json_fields import array, epoch_ms, get, number, text
from .models import (
    AbsItem,
    AbsLibrary,
    AbsProgress,
    AbsTokens,
    AbsUser,
    SeriesRef,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

_LOGGER = logging.getLogger(__name__)

_BOOK: Final = "book"


def decode_json(body: str) -> object:
    """Parse a JSON body; ValueError for anything that is not JSON."""
    try:
        return json.loads(body)
    except RecursionError:
        # Nested too deep for the parser: as unreadable as invalid JSON.
        raise ValueError("JSON nested too deeply") from None


def json_object(body: str, what: str) -> dict[str, object]:
    """Parse a JSON object body; AbsResponseError for anything else."""
    try:
        decoded = decode_json(body)
    except ValueError:
        raise AbsResponseError(f"{what} did not return JSON") from None
    if not isinstance(decoded, dict):
        raise AbsResponseError(f"{what} did not return a JSON object")
    return decoded


def parse_user(body: object) -> AbsUser | None:
    """Read the user of `/api/me` with the newest progress of every book.

    None without user id or name.
    """
    user_id = text(get(body, "id"))
    username = text(get(body, "username"))
    if user_id is None or username is None:
        return None
    progress: dict[str, AbsProgress] = {}
    for raw in array(get(body, "mediaProgress")):
        record = parse_progress(raw)
        if record is None:
            continue
        known = progress.get(record.item_id)
        if known is None or record.last_update > known.last_update:
            progress[record.item_id] = record
    return AbsUser(
        user_id=user_id,
        username=username,
        progress=progress,
        can_update=can_update(body),
    )


def can_update(user: object) -> bool | None:
    """Whether an ABS user may edit items; None when the answer does not say.

    ABS 2.36 (`User.canUpdate`) asks `permissions.update` and `isActive`
    only, whatever the user's type; the type decides only when the answer
    has no permissions (admins and root may do everything by default).
    """
    if get(user, "isActive") is False:
        return False
    update = get(get(user, "permissions"), "update")
    if isinstance(update, bool):
        return update
    user_type = get(user, "type")
    if user_type in ("admin", "root"):
        return True
    return False if user_type in ("user", "guest") else None


def parse_listening_days(body: object) -> dict[date, float]:
    """Read the `days` of `/api/me/listening-stats`: ISO date -> seconds.

    Days that are not ISO dates, and amounts that are not finite numbers
    >= 0, are skipped.
    """
    days: dict[date, float] = {}
    raw = get(body, "days")
    for key, value in raw.items() if isinstance(raw, dict) else ():
        seconds = number(value)
        if not isinstance(key, str) or seconds is None or seconds < 0:
            continue
        try:
            days[date.fromisoformat(key)] = seconds
        except ValueError:
            continue
    return days


def parse_library(raw: object) -> AbsLibrary | None:
    """Read one entry of `/api/libraries`; None when malformed."""
    library_id, name, media_type = (
        text(get(raw, key)) for key in ("id", "name", "mediaType")
    )
    if library_id is None or name is None or media_type is None:
        _LOGGER.debug("Skipping a malformed ABS library")
        return None
    return AbsLibrary(library_id, name, media_type)


def parse_tokens(body: object, fallback_refresh: str | None) -> AbsTokens | None:
    """Read `user.accessToken` and `user.refreshToken` of a login/refresh."""
    user = get(body, "user")
    access = text(get(user, "accessToken"))
    refresh = text(get(user, "refreshToken")) or fallback_refresh
    if access is None or refresh is None:
        return None
    if not (access.isprintable() and refresh.isprintable()):
        # Control characters cannot go into the header they are sent in.
        return None
    return AbsTokens(access_token=access, refresh_token=refresh)


def parse_progress(raw: object) -> AbsProgress | None:
    """Convert one `mediaProgress` record of a book; None when unusable.

    A record without item id, position or last update is unusable (syncing
    from it could move a real position somewhere wrong). Other bad values are
    sanitised: negative positions become 0, an unknown duration 0.0, the
    progress fraction is clamped to 0..1.
    """
    if get(raw, "mediaItemType") != _BOOK or get(raw, "episodeId") is not None:
        return None
    item_id = text(get(raw, "libraryItemId"))
    current = number(get(raw, "currentTime"))
    last_update = epoch_ms(get(raw, "lastUpdate"))
    if item_id is None or current is None or last_update is None:
        _LOGGER.debug("Skipping a malformed ABS progress record")
        return None
    current = max(current, 0.0)
    duration = number(get(raw, "duration"))
    duration = duration if duration is not None and duration > 0 else 0.0
    is_finished = get(raw, "isFinished") is True
    progress = number(get(raw, "progress"))
    if progress is None:
        progress = 1.0 if is_finished else (current / duration if duration else 0.0)
    return AbsProgress(
        item_id=item_id,
        current_time_s=current,
        duration_s=duration,
        progress=min(max(progress, 0.0), 1.0),
        is_finished=is_finished,
        last_update=last_update,
        started_at=epoch_ms(get(raw, "startedAt")),
        finished_at=epoch_ms(get(raw, "finishedAt")),
    )


def parse_item(raw: object, default_library_id: str | None) -> AbsItem | None:
    """Convert one library item (minified or expanded); None unless a book.

    Expanded items carry `authors`, `narrators` and `series` lists; minified
    ones (library pages) only the joined `authorName`, `narratorName` and
    `seriesName` strings.
    """
    if get(raw, "mediaType") != _BOOK:
        return None
    media = get(raw, "media")
    metadata = get(media, "metadata")
    item_id = text(get(raw, "id"))
    title = text(get(metadata, "title"))
    library_id = text(get(raw, "libraryId")) or default_library_id
    if item_id is None or title is None or library_id is None:
        _LOGGER.debug("Skipping a malformed ABS library item")
        return None
    duration = number(get(media, "duration"))
    return AbsItem(
        item_id=item_id,
        library_id=library_id,
        title=title,
        subtitle=text(get(metadata, "subtitle")),
        authors=(
            _names(get(author, "name") for author in array(get(metadata, "authors")))
            or _split_names(get(metadata, "authorName"))
        ),
        narrators=(
            _names(array(get(metadata, "narrators")))
            or _split_names(get(metadata, "narratorName"))
        ),
        series=_series(metadata),
        asin=text(get(metadata, "asin")),
        isbn=text(get(metadata, "isbn")),
        duration_s=duration if duration is not None and duration > 0 else None,
        has_cover=text(get(media, "coverPath")) is not None,
        publisher=text(get(metadata, "publisher")),
        language=text(get(metadata, "language")),
        published_year=text(get(metadata, "publishedYear")),
        has_description=text(get(metadata, "description")) is not None,
    )


def _series(metadata: object) -> tuple[SeriesRef, ...]:
    """Read the series of a book from `series[]` or from `seriesName`.

    `seriesName` joins "<name> #<sequence>" entries with ", ".
    """
    series: list[SeriesRef] = []
    for entry in array(get(metadata, "series")):
        name = text(get(entry, "name"))
        if name is not None:
            series.append(SeriesRef(name, text(get(entry, "sequence"))))
    if series:
        return tuple(series)
    for part in _split_names(get(metadata, "seriesName")):
        name, separator, sequence = part.rpartition(" #")
        if separator and name.strip() and sequence.strip():
            series.append(SeriesRef(name.strip(), sequence.strip()))
        else:
            series.append(SeriesRef(part))
    return tuple(series)


def _names(values: Iterable[object]) -> tuple[str, ...]:
    """Keep the non-blank strings among values, stripped."""
    names = (text(value) for value in values)
    return tuple(name for name in names if name is not None)


def _split_names(value: object) -> tuple[str, ...]:
    """Split a joined ABS name list ("A, B") into names."""
    joined = text(value)
    if joined is None:
        return ()
    return _names(joined.split(", "))
