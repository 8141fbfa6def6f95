"""The one way the core reads untrusted JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import pytest

from custom_components.audible_tracker.core import json_fields
from custom_components.audible_tracker.core.exceptions import (
    DataError,
    LedgerFormatError,
)


class Colour(StrEnum):
    RED = "red"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3.0),
        (2.5, 2.5),
        ("12.5", 12.5),
        (" 7 ", 7.0),
        (True, None),
        ("nan", None),
        (float("inf"), None),
        ("twelve", None),
        (None, None),
        ([1], None),
    ],
)
def test_number_is_lenient_but_finite(value: object, expected: float | None) -> None:
    assert json_fields.number(value) == expected


def test_lenient_readers_never_raise() -> None:
    assert json_fields.get({"a": 1}, "a") == 1
    assert json_fields.get([1], "a") is None
    assert json_fields.array([1, 2]) == [1, 2]
    assert json_fields.array({"a": 1}) == []
    assert json_fields.text("  hi ") == "hi"
    assert json_fields.text("   ") is None
    assert json_fields.text(5) is None
    assert json_fields.epoch_ms(0) == datetime(1970, 1, 1, tzinfo=UTC)
    assert json_fields.epoch_ms("1000") == datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert json_fields.epoch_ms(-1) is None
    assert json_fields.epoch_ms(1e30) is None
    assert json_fields.iso_time("2026-01-02T03:04:05") == datetime(
        2026, 1, 2, 3, 4, 5, tzinfo=UTC
    )
    assert json_fields.iso_time("2026-01-02T04:04:05+01:00") == datetime(
        2026, 1, 2, 3, 4, 5, tzinfo=UTC
    )
    assert json_fields.iso_time("yesterday") is None
    assert json_fields.iso_time(None) is None


def test_reader_reads_typed_fields() -> None:
    reader = json_fields.Reader.of(
        {
            "n": 1,
            "f": 1.5,
            "b": True,
            "s": "x",
            "t": "2026-01-02T03:04:05+00:00",
            "c": "red",
            "o": {"k": "v"},
            "l": ["a", "b"],
            "null": None,
        },
        "root",
        DataError,
    )
    assert reader.integer("n") == 1
    assert reader.number("f") == 1.5
    assert reader.required_number("n") == 1.0
    assert reader.number("null") is None
    assert reader.boolean("b") is True
    assert reader.boolean("absent", default=False) is False
    assert reader.required_text("s") == "x"
    assert reader.text("null") is None
    assert reader.required_time("t") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert reader.time("null") is None
    assert reader.choice("c", Colour) is Colour.RED
    assert reader.child("o").required_text("k") == "v"
    assert reader.optional("null") is None
    assert reader.strings("l") == ["a", "b"]
    assert reader.has("null")
    assert not reader.has("absent")


@pytest.mark.parametrize(
    ("data", "read", "message"),
    [
        ({"n": True}, lambda r: r.integer("n"), r"root\.n: expected an integer"),
        ({"f": "1"}, lambda r: r.number("f"), r"root\.f: expected a number"),
        ({}, lambda r: r.required_number("f"), r"root\.f: expected a number"),
        ({"s": 1}, lambda r: r.text("s"), r"root\.s: expected a string"),
        ({}, lambda r: r.required_text("s"), r"root\.s: expected a string"),
        ({"b": 1}, lambda r: r.boolean("b"), r"root\.b: expected true or false"),
        ({"t": "2026-01-02T03:04:05"}, lambda r: r.time("t"), "with a zone"),
        ({"t": "soon"}, lambda r: r.time("t"), "with a zone"),
        ({}, lambda r: r.required_time("t"), r"root\.t: expected a time"),
        ({"c": "blue"}, lambda r: r.choice("c", Colour), "one of"),
        ({"o": []}, lambda r: r.child("o"), r"root\.o: expected an object"),
        ({"o": 1}, lambda r: r.optional("o"), r"root\.o: expected an object"),
        ({"l": "ab"}, lambda r: r.items("l"), "a list"),
        ({"l": ["a", 1]}, lambda r: r.strings("l"), "a list of strings"),
    ],
)
def test_reader_raises_the_callers_error_with_the_path(
    data: dict[str, object], read, message: str
) -> None:
    reader = json_fields.Reader.of(data, "root", LedgerFormatError)
    with pytest.raises(LedgerFormatError, match=message):
        read(reader)


def test_reader_of_refuses_a_non_object() -> None:
    with pytest.raises(DataError, match="top: expected an object"):
        json_fields.Reader.of([], "top", DataError)
