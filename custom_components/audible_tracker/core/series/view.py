"""A user's view of series: what they own, finished, miss, and what is next.

Pure functions over the model (`model.Series`) and the user's data
(`UserLibrary`): no I/O, no clock (the caller passes `today`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..matching.normalise import fragment, normalize_sequence

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import date, datetime

    from ..models import AbsItem, AbsProgress, AudibleTitle, SeriesRef
    from .model import Series, SeriesVolume


@dataclass(frozen=True, slots=True)
class UserLibrary:
    """What the user has: Audible titles, wishlist, ABS items and progress.

    `wishlist` None means it failed to load: `in_wishlist` is then unknown.
    The ABS items are indexed once (by ASIN, and by series name and
    sequence), so a view of hundreds of series never scans the library.
    """

    titles: Mapping[str, AudibleTitle] = field(default_factory=dict)
    wishlist: frozenset[str] | None = frozenset()
    abs_items: tuple[AbsItem, ...] = ()
    abs_progress: Mapping[str, AbsProgress] = field(default_factory=dict)
    abs_by_asin: dict[str, AbsItem] = field(init=False, repr=False, compare=False)
    abs_by_position: dict[tuple[str, str], AbsItem] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        """Index the ABS items; the first item wins, as a scan would find it."""
        by_asin: dict[str, AbsItem] = {}
        by_position: dict[tuple[str, str], AbsItem] = {}
        for item in self.abs_items:
            if item.asin is not None:
                by_asin.setdefault(item.asin.strip().upper(), item)
            for ref in item.series:
                number = normalize_sequence(ref.sequence or "")
                # A sequence that says no number matches nothing.
                if number is not None:
                    by_position.setdefault((_series_key(ref.title), number), item)
        # A frozen dataclass: its derived fields are set once, here.
        object.__setattr__(self, "abs_by_asin", by_asin)
        object.__setattr__(self, "abs_by_position", by_position)


@dataclass(frozen=True, slots=True)
class VolumeStatus:
    """One volume as the user stands with it."""

    volume: SeriesVolume
    asin: str  # the owned edition's ASIN, else the first edition's
    owned: bool
    owned_via: str | None  # the box set's ASIN when a box set covers it
    finished: bool
    percent: float | None  # 0..100
    in_wishlist: bool | None  # None: the wishlist is unknown
    abs_item_id: str | None
    released: bool | None  # None: no release date known


@dataclass(frozen=True, slots=True)
class SeriesView:
    """A series with the user's status of every volume, in order."""

    series: Series
    volumes: tuple[VolumeStatus, ...]

    @property
    def owned_count(self) -> int:
        """How many volumes the user owns (on Audible, in ABS or by box set)."""
        return sum(status.owned for status in self.volumes)

    @property
    def missing(self) -> tuple[VolumeStatus, ...]:
        """Released volumes not owned; none when the series is unknown."""
        if not self.series.known:
            return ()
        return tuple(s for s in self.volumes if s.released is True and not s.owned)

    @property
    def complete(self) -> bool | None:
        """Whether every released volume is owned; None when not known.

        Unknown when the listing failed to load or a volume's release date
        is: from data that failed to load nothing is called complete.
        """
        if not self.series.known or not self.volumes:
            return None
        if any(s.released is None and not s.owned for s in self.volumes):
            return None
        return not self.missing


def _series_key(name: str) -> str:
    """Return a series name as compared (ABS names are typed by people)."""
    return fragment(name)[0]


def _abs_item(
    series: Series, volume: SeriesVolume, library: UserLibrary
) -> AbsItem | None:
    """Return the ABS item of a volume: by ASIN, else series name + sequence."""
    for asin in volume.asins:
        if (item := library.abs_by_asin.get(asin.upper())) is not None:
            return item
    number = normalize_sequence(volume.sequence or "")
    if number is None:
        return None
    return library.abs_by_position.get((_series_key(series.title), number))


def _progress(
    titles: Iterable[AudibleTitle], abs_item: AbsItem | None, library: UserLibrary
) -> tuple[bool, float | None]:
    """Return (finished, percent) from every owned copy: the furthest wins."""
    finished = False
    percents: list[float] = []
    for title in titles:
        finished = finished or title.is_finished
        if title.percent_complete is not None:
            percents.append(title.percent_complete)
    if abs_item is not None and (
        progress := library.abs_progress.get(abs_item.item_id)
    ):
        finished = finished or progress.is_finished
        percents.append(min(100.0, max(0.0, progress.progress * 100)))
    if finished:
        return True, 100.0
    return False, max(percents) if percents else None


def _status(
    series: Series, volume: SeriesVolume, library: UserLibrary, today: date
) -> VolumeStatus:
    """Return the user's status of one volume."""
    owned_titles = [library.titles[a] for a in volume.asins if a in library.titles]
    abs_item = _abs_item(series, volume, library)
    box = next(
        (
            b
            for b in series.box_sets
            if b.covers(volume)
            and (b.asin in library.titles or _abs_has(library, b.asin))
        ),
        None,
    )
    if box is not None and box.asin in library.titles:
        owned_titles.append(library.titles[box.asin])
    finished, percent = _progress(owned_titles, abs_item, library)
    direct = next((a for a in volume.asins if a in library.titles), None)
    return VolumeStatus(
        volume=volume,
        asin=direct or volume.asins[0],
        owned=direct is not None or abs_item is not None or box is not None,
        owned_via=box.asin if box is not None and direct is None else None,
        finished=finished,
        percent=percent,
        in_wishlist=None
        if library.wishlist is None
        else any(a in library.wishlist for a in volume.asins),
        abs_item_id=abs_item.item_id if abs_item is not None else None,
        released=None if volume.release_date is None else volume.release_date <= today,
    )


def _abs_has(library: UserLibrary, asin: str) -> bool:
    """Whether an ABS item carries this ASIN."""
    return asin.upper() in library.abs_by_asin


def view_series(series: Series, library: UserLibrary, today: date) -> SeriesView:
    """Return the user's view of a series (`today` decides what is released)."""
    return SeriesView(
        series=series,
        volumes=tuple(_status(series, v, library, today) for v in series.volumes),
    )


def owned_series(library: UserLibrary) -> dict[str, SeriesRef]:
    """Return the Audible series (by ASIN) the user's titles belong to.

    A title in two series (a sub-series and its universe) names both.
    """
    found: dict[str, SeriesRef] = {}
    for title in library.titles.values():
        for ref in title.series:
            if ref.asin is not None:
                found.setdefault(ref.asin, ref)
    return found


@dataclass(frozen=True, slots=True)
class SeriesGap:
    """The missing volumes of one series the user owns part of."""

    view: SeriesView
    missing: tuple[VolumeStatus, ...]


def missing_volumes(views: Iterable[SeriesView]) -> list[SeriesGap]:
    """Released volumes not owned, in series the user owns part of.

    Biggest gaps first (then by series title); unknown series are left out.
    """
    gaps = [
        SeriesGap(view, view.missing)
        for view in views
        if view.owned_count and view.missing
    ]
    gaps.sort(key=lambda gap: (-len(gap.missing), gap.view.series.title.casefold()))
    return gaps


@dataclass(frozen=True, slots=True)
class NextUp:
    """The next volume to listen to, and the book it follows."""

    view: SeriesView
    status: VolumeStatus
    after: VolumeStatus


def activity(library: UserLibrary) -> dict[str, datetime]:
    """When each book was last finished or listened to, as the data says.

    Keys are ASINs (Audible `finished_at`) and ABS item ids (ABS progress
    `last_update`); the caller may add Audible last positions by ASIN.
    """
    found: dict[str, datetime] = {
        title.asin: title.finished_at
        for title in library.titles.values()
        if title.finished_at is not None
    }
    for item_id, progress in library.abs_progress.items():
        found[item_id] = progress.last_update
    return found


def _touched(status: VolumeStatus, key: str) -> bool:
    """Whether a key of `activity` (ASIN or ABS item id) is this volume."""
    return key in {status.asin, status.owned_via, status.abs_item_id}


def _candidate(view: SeriesView, index: int) -> VolumeStatus | None:
    """Return the lowest unfinished volume after `index`: owned, released, any."""
    later = [s for s in view.volumes[index + 1 :] if not s.finished]
    return next(
        (s for s in later if s.owned),
        next((s for s in later if s.released is True), later[0] if later else None),
    )


def next_up(
    views: Iterable[SeriesView], activity: Mapping[str, datetime]
) -> NextUp | None:
    """Return the volume to listen to next, or None when nothing fits.

    From the book most recently finished or listened to (`activity`), the
    lowest volume after it in its series that is not finished, owned ones
    first. When that series has nothing left the next most recent book is
    tried. A box set counts as its last covered volume.
    """
    views = [view for view in views if view.series.known]
    for key, _when in sorted(activity.items(), key=lambda kv: kv[1], reverse=True):
        for view in views:
            touched = [
                i for i, status in enumerate(view.volumes) if _touched(status, key)
            ]
            if not touched:
                continue
            index = max(touched)
            if (found := _candidate(view, index)) is not None:
                return NextUp(view=view, status=found, after=view.volumes[index])
    return None
