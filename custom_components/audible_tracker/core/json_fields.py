"""Reading untrusted JSON: the one set of helpers the core uses.

Two ways, for two kinds of data:

- What a service answers (`get`, `array`, `text`, `number`, `epoch_ms`,
  `iso_time`) is read leniently: a field of the wrong type reads as None (or
  an empty list), so one odd field never breaks a whole list. Audiobookshelf
  stores whatever its clients send, so numbers may arrive as numeric strings;
  they are accepted everywhere, and non-finite numbers never are.
- What we stored ourselves (`Reader`) is read strictly: anything unexpected
  raises the caller's `DataError` subclass naming the path of the field, so
  a damaged file is noticed and dropped instead of half-read.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .exceptions import DataError

# --- lenient: what services answer ------------------------------------------


def get(value: object, key: str) -> object:
    """Return `value[key]` when value is a JSON object, else None."""
    return value.get(key) if isinstance(value, dict) else None


def array(value: object) -> list[object]:
    """Return value when it is a JSON array, else an empty list."""
    return value if isinstance(value, list) else []


def text(value: object) -> str | None:
    """Return a non-blank string, stripped, else None."""
    if isinstance(value, str) and (stripped := value.strip()):
        return stripped
    return None


def number(value: object) -> float | None:
    """Return a finite number (numeric strings accepted; not a bool), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value)
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def epoch_ms(value: object) -> datetime | None:
    """Return epoch milliseconds as an aware UTC time, else None."""
    milliseconds = number(value)
    if milliseconds is None or milliseconds < 0:
        return None
    try:
        return datetime.fromtimestamp(milliseconds / 1000, tz=UTC)
    except OverflowError, OSError, ValueError:
        return None


def iso_time(value: object) -> datetime | None:
    """Return an ISO 8601 time as aware UTC (zone-less means UTC), else None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError, OverflowError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


# --- strict: what we stored ---------------------------------------------------


class Reader:
    """Typed, validating access to one JSON object we stored.

    Every failure raises `error` (a `DataError` subclass) with the field's
    path, e.g. "ledger.titles.B0X.audible.position_s: expected a number".
    """

    def __init__(
        self, data: Mapping[str, Any], where: str, error: type[DataError]
    ) -> None:
        """Read `data`, found at `where`; fail with `error`."""
        self._data = data
        self.where = where
        self._error = error

    @classmethod
    def of(cls, value: object, where: str, error: type[DataError]) -> Self:
        """Return a reader of `value`, which must be a JSON object."""
        if not isinstance(value, dict):
            raise error(f"{where}: expected an object")
        return cls(value, where, error)

    def fail(self, key: str, expected: str) -> DataError:
        """Return the error for `key` not holding what was expected."""
        return self._error(f"{self.where}.{key}: expected {expected}")

    def _required[T](self, key: str, value: T | None, expected: str) -> T:
        """Return `value`, read at `key`; fail when it is absent or null."""
        if value is None:
            raise self.fail(key, expected)
        return value

    def has(self, key: str) -> bool:
        """Return whether the object has `key` (whatever its value)."""
        return key in self._data

    def mapping(self, key: str) -> Mapping[str, Any]:
        """Return the JSON object at `key`."""
        value = self._data.get(key)
        if not isinstance(value, dict):
            raise self.fail(key, "an object")
        return value

    def child(self, key: str) -> Self:
        """Return a reader of the JSON object at `key`."""
        return type(self)(self.mapping(key), f"{self.where}.{key}", self._error)

    def optional(self, key: str) -> Self | None:
        """Return a reader of the object at `key`, or None when it is null."""
        value = self._data.get(key)
        if value is None:
            return None
        return type(self).of(value, f"{self.where}.{key}", self._error)

    def items(self, key: str) -> list[object]:
        """Return the JSON array at `key`."""
        value = self._data.get(key)
        if not isinstance(value, list):
            raise self.fail(key, "a list")
        return value

    def strings(self, key: str) -> list[str]:
        """Return the JSON array of strings at `key`."""
        values = self.items(key)
        strings = [value for value in values if isinstance(value, str)]
        if len(strings) != len(values):
            raise self.fail(key, "a list of strings")
        return strings

    def integer(self, key: str) -> int:
        """Return the integer at `key`."""
        value = self._data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "an integer")
        return value

    def boolean(self, key: str, *, default: bool | None = None) -> bool:
        """Return the boolean at `key` (or `default` when it is absent)."""
        value = self._data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "true or false")
        return value

    def number(self, key: str) -> float | None:
        """Return the number at `key`, or None when it is absent or null."""
        value = self._data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, "a number")
        return float(value)

    def required_number(self, key: str) -> float:
        """Return the number at `key`."""
        return self._required(key, self.number(key), "a number")

    def text(self, key: str) -> str | None:
        """Return the string at `key`, or None when it is absent or null."""
        value = self._data.get(key)
        if value is None or isinstance(value, str):
            return value
        raise self.fail(key, "a string")

    def required_text(self, key: str) -> str:
        """Return the string at `key`."""
        return self._required(key, self.text(key), "a string")

    def time(self, key: str) -> datetime | None:
        """Return the ISO time with a zone at `key` in UTC, or None when null."""
        value = self.text(key)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as err:
            raise self.fail(key, "an ISO time with a zone") from err
        if parsed.tzinfo is None:
            raise self.fail(key, "an ISO time with a zone")
        return parsed.astimezone(UTC)

    def required_time(self, key: str) -> datetime:
        """Return the ISO time with a zone at `key`, in UTC."""
        return self._required(key, self.time(key), "a time")

    def choice[E: StrEnum](self, key: str, enum: type[E]) -> E:
        """Return the member of `enum` whose value is the string at `key`."""
        value = self.required_text(key)
        try:
            return enum(value)
        except ValueError as err:
            raise self.fail(key, f"one of {[str(m) for m in enum]}") from err
