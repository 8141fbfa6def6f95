"""What a match run produces, and its stored JSON form.

`MatchResult` holds, keyed by ASIN, the `Link`s, the `Conflict`s with their
ranked `Candidate`s, the unmatched titles and the stale manual links.
`to_dict`/`from_dict` convert each of them to and from plain JSON data for a
Home Assistant Store; reading is strict (`json_fields.Reader`) and raises
`MatchDataError` naming the field it cannot read.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, Final, Literal, Self

from ..exceptions import MatchDataError
from ..json_fields import Reader

type MatchMethod = Literal["asin", "isbn", "fuzzy", "manual"]
_METHODS: Final[tuple[MatchMethod, ...]] = ("asin", "isbn", "fuzzy", "manual")
# Lower wins when two titles claim one item.
METHOD_RANK: Final[dict[str, int]] = {"manual": 0, "asin": 1, "isbn": 2, "fuzzy": 3}

_SERIALIZATION_VERSION: Final = 1


class _Stored(ABC):
    """A part of the result stored as a JSON object and read back strictly."""

    __slots__ = ()
    # What errors call it when it is read on its own, not at a path in a result.
    _WHERE: ClassVar[str]

    @classmethod
    def from_dict(cls, data: object, where: str | None = None) -> Self:
        """Rebuild from `to_dict` data; MatchDataError when it is malformed."""
        where = cls._WHERE if where is None else where
        return cls._read(Reader.of(data, where, MatchDataError))

    @classmethod
    @abstractmethod
    def _read(cls, fields: Reader) -> Self:
        """Rebuild from the fields of `to_dict` data."""


@dataclass(frozen=True, slots=True)
class Candidate(_Stored):
    """An ABS item a title could be linked to, with its score (0..100)."""

    _WHERE = "candidate"

    item_id: str
    score: float
    title: str
    authors: tuple[str, ...]
    method: MatchMethod

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON data."""
        return {**asdict(self), "authors": list(self.authors)}

    @classmethod
    def _read(cls, fields: Reader) -> Self:
        return cls(
            item_id=fields.required_text("item_id"),
            score=fields.required_number("score"),
            title=fields.required_text("title"),
            authors=tuple(fields.strings("authors")),
            method=_method(fields),
        )


@dataclass(frozen=True, slots=True)
class Link(_Stored):
    """An Audible title linked to an ABS item."""

    _WHERE = "link"

    asin: str
    item_id: str
    method: MatchMethod
    score: float

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON data."""
        return asdict(self)

    @classmethod
    def _read(cls, fields: Reader) -> Self:
        return cls(
            asin=fields.required_text("asin"),
            item_id=fields.required_text("item_id"),
            method=_method(fields),
            score=fields.required_number("score"),
        )


@dataclass(frozen=True, slots=True)
class Conflict(_Stored):
    """A title the matcher would not link on its own: ranked candidates, <= 5."""

    _WHERE = "conflict"

    asin: str
    candidates: tuple[Candidate, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON data."""
        return {
            "asin": self.asin,
            "candidates": [candidate.to_dict() for candidate in self.candidates],
        }

    @classmethod
    def _read(cls, fields: Reader) -> Self:
        return cls(
            asin=fields.required_text("asin"),
            candidates=tuple(
                Candidate.from_dict(candidate, path)
                for path, candidate in _elements(fields, "candidates")
            ),
        )


@dataclass(frozen=True, slots=True)
class MatchResult(_Stored):
    """Outcome of a match run, keyed by Audible ASIN."""

    _WHERE = "match_result"

    links: dict[str, Link]
    conflicts: dict[str, Conflict]
    unmatched: frozenset[str]
    # Manual links whose ABS item no longer exists.
    stale_manual_links: frozenset[str]

    def item_ids(self) -> dict[str, str]:
        """Return the linked ABS item id of each linked ASIN."""
        return {asin: link.item_id for asin, link in self.links.items()}

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON data (lists sorted, so equal results dump equal)."""
        return {
            "version": _SERIALIZATION_VERSION,
            "links": [self.links[asin].to_dict() for asin in sorted(self.links)],
            "conflicts": [
                self.conflicts[asin].to_dict() for asin in sorted(self.conflicts)
            ],
            "unmatched": sorted(self.unmatched),
            "stale_manual_links": sorted(self.stale_manual_links),
        }

    @classmethod
    def _read(cls, fields: Reader) -> Self:
        version = fields.integer("version")
        if version != _SERIALIZATION_VERSION:
            raise MatchDataError(f"unsupported version {version!r}")
        links = [
            Link.from_dict(link, path) for path, link in _elements(fields, "links")
        ]
        conflicts = [
            Conflict.from_dict(conflict, path)
            for path, conflict in _elements(fields, "conflicts")
        ]
        return cls(
            links={link.asin: link for link in links},
            conflicts={conflict.asin: conflict for conflict in conflicts},
            unmatched=frozenset(fields.strings("unmatched")),
            stale_manual_links=frozenset(fields.strings("stale_manual_links")),
        )


def _elements(fields: Reader, key: str) -> list[tuple[str, object]]:
    """Return the elements of the list at `key`, each with its path."""
    return [
        (f"{fields.where}.{key}.{index}", value)
        for index, value in enumerate(fields.items(key))
    ]


def _method(fields: Reader) -> MatchMethod:
    value = fields.required_text("method")
    for method in _METHODS:
        if value == method:
            return method
    raise fields.fail("method", f"one of {list(_METHODS)}")
