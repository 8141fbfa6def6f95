"""Series and releases in Home Assistant: calendar, sensors, actions, budget.

The world: the fake catalog's demo series ("The Fake Saga": book 1 in three
editions, a 0.5 novella, books 2 and 3, a 1-3 box set, book 4 pre-orderable
and out in 30 days, book 5 out in 90), of which the user owns book 1
(finished) on Audible; a namesake author's title that must not count.
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.components.calendar import DOMAIN as CALENDAR_DOMAIN
from homeassistant.components.calendar.const import CalendarEventStatus
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.audible_tracker.const import CONF_FOLLOWED_AUTHORS, DOMAIN
from custom_components.audible_tracker.core.series.overview import build_overview
from tests.conftest import NOW, advance, make_entry, setup_integration
from tests.fakes.audible_catalog import (
    AUTHOR,
    BOOK_1,
    BOOK_2,
    BOOK_3,
    BOOK_4_PREORDER,
    BOOK_5_UNANNOUNCED,
    BOX_SET,
    NAMESAKE_BOOK,
    NOVELLA,
    SERIES_ASIN,
    SERIES_TITLE,
)
from tests.fakes.audible_server import FakeAudible, make_item

CALENDAR = "calendar.audible_de_releases"
NEXT_UP = "sensor.audible_de_next_up"
MISSING = "sensor.audible_de_missing_volumes"
SERIES_PATH = f"1.0/catalog/products/{SERIES_ASIN}"
AUTHOR_ASIN = AUTHOR[1]


def owned_volume(asin: str, title: str, sequence: str, **fields: Any) -> dict[str, Any]:
    """A library item of the demo series, by the demo author."""
    item = make_item(asin, title, authors=["Jane Doe"], **fields)
    item["authors"] = [{"asin": AUTHOR_ASIN, "name": AUTHOR[0]}]
    item["series"] = [
        {"asin": SERIES_ASIN, "sequence": sequence, "title": SERIES_TITLE}
    ]
    item["release_date"] = "2020-01-01"
    return item


@pytest.fixture
def series_audible(mock_audible: FakeAudible) -> FakeAudible:
    """The demo series in the catalog; book 1 owned and finished."""
    mock_audible.catalog.add_demo_series(NOW.date())
    mock_audible.add_items(
        owned_volume(BOOK_1, "Book One", "1", is_finished=True, percent_complete=100)
    )
    return mock_audible


async def load_series(hass: HomeAssistant, freezer: Any) -> None:
    """Let the catalog's first runs happen: the listing, then the details."""
    await advance(hass, freezer, 1)
    # Runs are 10 minutes apart (and a few milliseconds, as coordinators go).
    await advance(hass, freezer, 11)


def saga(response: ServiceResponse) -> dict[str, Any]:
    """The demo series in a get_series response (the library has others)."""
    assert response is not None
    found = [s for s in response["series"] if s["asin"] == SERIES_ASIN]  # type: ignore[index, union-attr]
    assert len(found) == 1
    return found[0]  # type: ignore[no-any-return]


async def call(
    hass: HomeAssistant, entry: MockConfigEntry, service: str, **data: Any
) -> ServiceResponse:
    """Call an action of the entry; response actions return their response."""
    response = service in {"get_series", "get_author_titles"}
    return await hass.services.async_call(
        DOMAIN,
        service,
        {"config_entry_id": entry.entry_id, **data},
        blocking=True,
        return_response=response,
    )


async def test_sensors_show_next_up_and_missing_volumes(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    await setup_integration(hass, make_entry())
    # Nothing asked yet at setup: unknown, never "0 missing".
    assert hass.states.get(MISSING).state == STATE_UNKNOWN
    assert hass.states.get(NEXT_UP).state == STATE_UNKNOWN
    assert series_audible.count(SERIES_PATH) == 0
    await load_series(hass, freezer)

    missing = hass.states.get(MISSING)
    # The novella, books 2 and 3 are out and not owned; the box set is not a
    # volume, books 4 and 5 are not out yet; book 1's other editions are owned.
    assert missing.state == "3"
    (saga,) = missing.attributes["series"]
    assert saga["title"] == SERIES_TITLE
    assert saga["owned"] == 1
    assert [m["asin"] for m in saga["missing"]] == [NOVELLA, BOOK_2, BOOK_3]
    assert saga["missing"][1] == {
        "asin": BOOK_2,
        "title": "Book Two",
        "sequence": "2",
        "release_date": "2020-12-31",
        "in_wishlist": False,
    }
    # The library's two other series are unknown to the fake catalog (404):
    # known, with no volumes.
    assert missing.attributes["series_known"] == 3

    next_up = hass.states.get(NEXT_UP)
    # After book 1 (finished): book 2, the lowest unfinished after it.
    assert next_up.state == "Book Two"
    assert next_up.attributes["asin"] == BOOK_2
    assert next_up.attributes["series"] == SERIES_TITLE
    assert next_up.attributes["sequence"] == "2"
    assert next_up.attributes["owned"] is False
    assert next_up.attributes["on_abs"] is None
    assert next_up.attributes["release_date"] == "2020-12-31"
    assert next_up.attributes["authors"] == ["Jane Doe"]
    assert next_up.attributes["entity_picture"] == next_up.attributes["cover_url"]
    assert BOOK_2 in next_up.attributes["cover_url"]


async def test_owning_a_box_set_fills_the_gaps(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    series_audible.add_items(owned_volume(BOX_SET, "Books 1-3", "1-3"))
    await setup_integration(hass, make_entry())
    await load_series(hass, freezer)
    # Books 2 and 3 come with the box set; only the novella is missing.
    assert hass.states.get(MISSING).state == "1"
    response = await call(
        hass, hass.config_entries.async_entries(DOMAIN)[0], "get_series"
    )
    book_2 = next(v for v in saga(response)["volumes"] if v["sequence"] == "2")
    assert book_2["owned"] is True
    assert book_2["owned_via"] == BOX_SET


async def test_get_series_lists_every_volume_in_order(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    await load_series(hass, freezer)
    response = await call(hass, entry, "get_series")
    # Every series of the library; the others are unknown to the catalog.
    assert len(response["series"]) == 3
    the_saga = saga(response)
    assert the_saga["complete"] is False
    assert the_saga["owned_count"] == 1
    assert the_saga["missing_count"] == 3
    assert [v["sequence"] for v in the_saga["volumes"]] == [
        "0.5",
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    book_1 = the_saga["volumes"][1]
    assert book_1 == {
        "sequence": "1",
        "title": "Book One",
        "asin": BOOK_1,
        "owned": True,
        "finished": True,
        "percent": 100.0,
        "release_date": "2020-01-01",
        "in_wishlist": False,
        "abs_item_id": None,
    }
    assert (
        the_saga["volumes"][4]["release_date"]
        == (NOW.date() + timedelta(30)).isoformat()
    )
    # Picking one: by a title of it, or by the series.
    only = {"series": [the_saga]}
    assert await call(hass, entry, "get_series", asin=BOOK_3) == only
    assert await call(hass, entry, "get_series", series_asin=SERIES_ASIN) == only


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"asin": BOOK_1, "series_asin": SERIES_ASIN}, "series_needs_one_choice"),
        ({"series_asin": "B0NOSERIES"}, "unknown_series"),
        ({"asin": "B0ELSEWHER"}, "title_in_no_series"),
        ({"asin": "not an asin"}, "invalid_asin"),
    ],
)
async def test_get_series_refuses_bad_calls(
    hass: HomeAssistant,
    series_audible: FakeAudible,
    freezer: Any,
    data: dict[str, str],
    key: str,
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    await load_series(hass, freezer)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, entry, "get_series", **data)
    assert err.value.translation_key == key


async def test_calendar_answers_date_range_queries(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    await setup_integration(hass, make_entry())
    await load_series(hass, freezer)
    response = await hass.services.async_call(
        CALENDAR_DOMAIN,
        "get_events",
        {
            "entity_id": CALENDAR,
            "start_date_time": datetime(2019, 12, 1, tzinfo=dt_util.UTC),
            "end_date_time": NOW + timedelta(days=365),
        },
        blocking=True,
        return_response=True,
    )
    events = response[CALENDAR]["events"]
    summaries = [e["summary"] for e in events]
    # Past releases too, each title once, in order; the box set is a title.
    assert summaries == [
        f"Book One ({SERIES_TITLE} #1)",
        f"A Novella ({SERIES_TITLE} #0.5)",
        f"Book Two ({SERIES_TITLE} #2)",
        f"Book Three ({SERIES_TITLE} #3)",
        f"Book Four ({SERIES_TITLE} #4)",
        f"Book Five ({SERIES_TITLE} #5)",
    ]
    book_1, book_4 = events[0], events[4]
    assert book_1["start"] == "2020-01-01"
    assert book_1["end"] == "2020-01-02"
    assert book_1["description"] == "Authors: Jane Doe\nNarrators: John Roe\nOwned"
    assert book_4["description"] == "Authors: Jane Doe\nNarrators: John Roe\nNot owned"
    state = hass.states.get(CALENDAR)
    # The next release is book 4, not out yet: tentative.
    assert state.attributes["message"] == f"Book Four ({SERIES_TITLE} #4)"
    entity = hass.data["entity_components"][CALENDAR_DOMAIN].get_entity(CALENDAR)
    found = await entity.async_get_events(
        hass, NOW + timedelta(days=29), NOW + timedelta(days=31)
    )
    assert [(e.summary, e.status) for e in found] == [
        (f"Book Four ({SERIES_TITLE} #4)", CalendarEventStatus.TENTATIVE)
    ]
    past = await entity.async_get_events(
        hass,
        datetime(2020, 12, 31, 12, tzinfo=dt_util.get_default_time_zone()),
        datetime(2020, 12, 31, 13, tzinfo=dt_util.get_default_time_zone()),
    )
    assert [(e.summary, e.status) for e in past] == [
        (f"Book Two ({SERIES_TITLE} #2)", CalendarEventStatus.CONFIRMED)
    ]


async def test_calendar_trigger_fires_on_release_day(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    """'A new volume came out today -> notify me', as an automation."""
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to(datetime(2026, 11, 18, 23, 0, tzinfo=dt_util.UTC))
    tomorrow = date(2026, 11, 19)
    series_audible.catalog.products[BOOK_4_PREORDER]["release_date"] = (
        tomorrow.isoformat()
    )
    await setup_integration(hass, make_entry())
    await load_series(hass, freezer)
    calls = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "trigger": {
                    "platform": "calendar",
                    "event": "start",
                    "entity_id": CALENDAR,
                },
                "action": {
                    "service": "test.automation",
                    "data": {"title": "{{ trigger.calendar_event.summary }}"},
                },
            }
        },
    )
    await hass.async_block_till_done()
    for _ in range(5):  # to 00:26, the trigger checks every 15 minutes
        await advance(hass, freezer, 15)
    assert [c.data["title"] for c in calls] == [f"Book Four ({SERIES_TITLE} #4)"]
    await hass.services.async_call(
        "automation", "turn_off", {"entity_id": "all"}, blocking=True
    )


async def test_failed_refresh_keeps_what_was_known(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    await setup_integration(hass, make_entry())
    await load_series(hass, freezer)
    assert hass.states.get(MISSING).state == "3"
    listings = series_audible.count(SERIES_PATH)
    # A day later the listing is due again, and fails.
    series_audible.fail_next(500, path=SERIES_PATH, times=5)
    await advance(hass, freezer, 24 * 60)
    await advance(hass, freezer, 10)
    assert series_audible.count(SERIES_PATH) > listings
    assert hass.states.get(MISSING).state == "3"
    assert hass.states.get(NEXT_UP).state == "Book Two"


async def test_a_series_that_never_loaded_is_unknown_not_missing(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    series_audible.fail_next(500, path=SERIES_PATH, times=10)
    entry = make_entry()
    await setup_integration(hass, entry)
    await load_series(hass, freezer)
    # The library's other series are known (and complete): the saga is not.
    missing = hass.states.get(MISSING)
    assert missing.state == "0"
    assert missing.attributes["series_known"] == 2
    assert missing.attributes["series_total"] == 3
    the_saga = saga(await call(hass, entry, "get_series"))
    assert the_saga["known"] is False
    assert the_saga["complete"] is None
    assert the_saga["missing_count"] == 0


async def test_rate_limit_pauses_the_catalog(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    series_audible.fail_next(429, path=SERIES_PATH, retry_after="3600")
    entry = make_entry()
    await setup_integration(hass, entry)
    await advance(hass, freezer, 1)
    assert series_audible.count(SERIES_PATH) == 1
    asked = len(series_audible.requests)
    # Paused for the hour Audible asked for: the next runs ask nothing, and
    # neither does the poll (the shared guard).
    await advance(hass, freezer, 11)
    await advance(hass, freezer, 11)
    assert len(series_audible.requests) == asked
    await advance(hass, freezer, 60)
    assert series_audible.count(SERIES_PATH) == 2


async def test_catalog_is_cached_across_restarts(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    await load_series(hass, freezer)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    # Known at once from the Store; nothing is asked again within the day.
    assert hass.states.get(MISSING).state == "3"
    before = len(series_audible.requests_to(SERIES_PATH))
    await load_series(hass, freezer)
    assert len(series_audible.requests_to(SERIES_PATH)) == before


async def test_wishlist_add_and_remove(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    await load_series(hass, freezer)
    await call(hass, entry, "add_to_wishlist", asin=BOOK_2.lower())
    assert series_audible.catalog.wishlist == [BOOK_2]
    assert series_audible.count("1.0/wishlist", "POST") == 1
    (saga,) = hass.states.get(MISSING).attributes["series"]
    assert saga["missing"][1]["in_wishlist"] is True
    # Already there: not an error, and nothing is added.
    await call(hass, entry, "add_to_wishlist", asin=BOOK_2)
    assert series_audible.count("1.0/wishlist", "POST") == 1
    await call(hass, entry, "remove_from_wishlist", asin=BOOK_2)
    assert series_audible.catalog.wishlist == []
    (saga,) = hass.states.get(MISSING).attributes["series"]
    assert saga["missing"][1]["in_wishlist"] is False


@pytest.mark.parametrize(
    ("asin", "key"),
    [
        (BOOK_1, "already_owned"),
        ("B0NOTEXIST", "unknown_catalog_asin"),
        ("12345", "invalid_asin"),
    ],
)
async def test_add_to_wishlist_refuses(
    hass: HomeAssistant,
    series_audible: FakeAudible,
    freezer: Any,
    asin: str,
    key: str,
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    await load_series(hass, freezer)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, entry, "add_to_wishlist", asin=asin)
    assert err.value.translation_key == key
    assert series_audible.count("1.0/wishlist", "POST") == 0
    assert series_audible.catalog.wishlist == []


async def test_wishlist_write_that_does_not_show_is_reported(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    entry = make_entry()
    await setup_integration(hass, entry)
    await load_series(hass, freezer)
    # Audible says 201 but the wishlist read back does not have it.
    series_audible.respond_next("1.0/wishlist", status=201, text="", times=1)
    original = copy.deepcopy(series_audible.catalog.wishlist)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, entry, "add_to_wishlist", asin=BOOK_3)
    assert err.value.translation_key in {
        "wishlist_not_confirmed",
        "service_unavailable",
    }
    assert series_audible.catalog.wishlist == original


async def test_followed_author_titles_in_calendar_and_action(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    entry = make_entry()
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options={CONF_FOLLOWED_AUTHORS: [AUTHOR_ASIN]}
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await load_series(hass, freezer)
    await advance(hass, freezer, 10)
    response = await call(hass, entry, "get_author_titles")
    (author,) = response["authors"]
    assert author["asin"] == AUTHOR_ASIN
    assert author["name"] == "Jane Doe"
    asins = [t["asin"] for t in author["titles"]]
    # Newest first; the namesake's title is left out.
    assert asins[0] == BOOK_5_UNANNOUNCED
    assert NAMESAKE_BOOK not in asins
    assert next(t for t in author["titles"] if t["asin"] == BOOK_1)["owned"] is True
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, entry, "get_author_titles", author="B0AUTHOR99")
    assert err.value.translation_key == "author_not_followed"


async def test_series_run_stays_within_its_budget(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    await setup_integration(hass, make_entry())
    series_audible.requests.clear()
    for _ in range(6):  # an hour
        await advance(hass, freezer, 10)
    catalog = Counter(
        r.path
        for r in series_audible.requests
        if r.path.startswith(("1.0/catalog", "1.0/wishlist"))
    )
    # Each listing (the library's three series), the details and the
    # wishlist: once each, then nothing until due again.
    assert SERIES_PATH in catalog
    assert "1.0/catalog/products" in catalog
    assert "1.0/wishlist" in catalog
    assert len(catalog) == 5
    assert set(catalog.values()) == {1}


async def test_a_quiet_run_builds_nothing(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    await setup_integration(hass, make_entry())
    await load_series(hass, freezer)
    with patch(
        "custom_components.audible_tracker.series_coordinator.build_overview",
        wraps=build_overview,
    ) as build:
        # Nothing is due for a day: the runs ask nothing and rebuild nothing.
        await advance(hass, freezer, 11)
        await advance(hass, freezer, 11)
        assert build.call_count == 0
        # Past the library refresh too (30 min): it found nothing new.
        await advance(hass, freezer, 11)
        assert build.call_count == 0
        # A new title is news: built again, without asking the catalog.
        asked = series_audible.count("1.0/catalog")
        series_audible.add_items(owned_volume(BOOK_3, "Book Three", "3"))
        await advance(hass, freezer, 30)
        assert build.call_count >= 1
        assert hass.states.get(MISSING).state == "2"
        assert series_audible.count("1.0/catalog") == asked


async def test_first_run_fills_a_series_at_once(
    hass: HomeAssistant, series_audible: FakeAudible, freezer: Any
) -> None:
    await setup_integration(hass, make_entry())
    series_audible.requests.clear()
    await advance(hass, freezer, 1)
    # The listings, then in the same run the details of the volumes they
    # named: known a minute after start, in at most 10 catalog requests.
    assert hass.states.get(MISSING).state == "3"
    assert hass.states.get(NEXT_UP).state == "Book Two"
    catalog = [r for r in series_audible.requests if r.path.startswith("1.0/catalog")]
    assert len(catalog) <= 10
