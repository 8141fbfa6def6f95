"""Data models shared by the API clients, matching and sync.

Plain frozen dataclasses: no Home Assistant imports, no I/O. Times are always
timezone-aware UTC datetimes; positions and durations are seconds (float).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from datetime import date, datetime


class AuthorRef(NamedTuple):
    """An author as the catalog names them: their ASIN and name."""

    asin: str
    name: str


@dataclass(frozen=True, slots=True)
class SeriesRef:
    """A title's place in a series; the sequence is free text ("1-6", "0.5")."""

    title: str
    sequence: str | None = None
    # The series' own catalog ASIN (Audible only; ABS series have none).
    asin: str | None = None


@dataclass(frozen=True, slots=True)
class AudibleTitle:
    """One title of the Audible library."""

    asin: str
    title: str
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    narrators: tuple[str, ...] = ()
    series: tuple[SeriesRef, ...] = ()
    isbn: str | None = None
    runtime_s: float | None = None
    cover_url: str | None = None
    # 0..100, from listening_status when present (fresher than the top level).
    percent_complete: float | None = None
    is_finished: bool = False
    purchase_date: datetime | None = None
    # listening_status.finished_at_timestamp, when Audible says.
    finished_at: datetime | None = None
    # The day it came out (a pre-order's is ahead); authors with an ASIN.
    release_date: date | None = None
    author_refs: tuple[AuthorRef, ...] = ()
    # For the metadata gaps only: the description's presence, not its text.
    publisher: str | None = None
    language: str | None = None  # Audible's word, e.g. "english"
    published_year: str | None = None  # of the audiobook's release
    has_description: bool = False


@dataclass(frozen=True, slots=True)
class AudiblePosition:
    """A last-heard position from `1.0/annotations/lastpositions`."""

    asin: str
    position_s: float
    # Audible sends this without a zone; it is UTC.
    last_updated: datetime


@dataclass(frozen=True, slots=True)
class ContentMetadata:
    """What `1.0/content/{asin}/metadata` says of a title; None when unsaid."""

    # The content reference a position write needs.
    acr: str | None = None
    # The exact runtime (the library only has whole minutes).
    runtime_ms: int | None = None


@dataclass(frozen=True, slots=True)
class ListeningDay:
    """Listening time on one day (the date's own calendar day)."""

    date: str  # ISO date, YYYY-MM-DD
    listening_s: float


@dataclass(frozen=True, slots=True)
class AbsLibrary:
    """An Audiobookshelf library."""

    library_id: str
    name: str
    media_type: str  # "book" or "podcast"


@dataclass(frozen=True, slots=True)
class AbsItem:
    """One Audiobookshelf library item (books only)."""

    item_id: str
    library_id: str
    title: str
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    narrators: tuple[str, ...] = ()
    series: tuple[SeriesRef, ...] = ()
    asin: str | None = None
    isbn: str | None = None
    duration_s: float | None = None
    has_cover: bool = False
    # For the metadata gaps only: the description's presence, not its text.
    publisher: str | None = None
    language: str | None = None  # free text: "English", "eng", ...
    published_year: str | None = None
    has_description: bool = False


@dataclass(frozen=True, slots=True)
class AbsProgress:
    """One `mediaProgress` record of the ABS user."""

    item_id: str
    current_time_s: float
    duration_s: float
    progress: float  # 0..1
    is_finished: bool
    last_update: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AbsUser:
    """The ABS user behind the credentials, with every media progress."""

    user_id: str
    username: str
    progress: dict[str, AbsProgress] = field(default_factory=dict)
    # Whether ABS lets this user edit items (`permissions.update`); None
    # when the answer does not say.
    can_update: bool | None = None


@dataclass(frozen=True, slots=True)
class AbsTokens:
    """Access and refresh tokens of a username/password login."""

    access_token: str
    refresh_token: str

    def __repr__(self) -> str:
        """Never show the tokens."""
        return "AbsTokens(<redacted>)"
