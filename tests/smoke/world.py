"""The data the launcher's fakes start with, and what the smoke test expects.

Plain Python (no pytest): the launcher imports it inside Home Assistant's own
venv, the smoke test inside the test venv.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import httpx

from tests.fakes.abs_server import ITEM_IDS, FakeAbsServer
from tests.fakes.audible_catalog import make_product, make_series
from tests.fakes.audible_server import (
    FakeAudible,
    books_also_on_abs,
    load_auth_data,
    person_asin,
)

# The landing URL a user pastes after logging in at Amazon.
LANDING_URL: Final = (
    "https://www.amazon.de/ap/maplanding?openid.assoc_handle=amzn_audible_ios_de"
    "&openid.oa2.authorization_code=ANsmokeCode&openid.mode=id_res"
)
AUTHORIZATION_CODE: Final = "ANsmokeCode"

# Anne is in progress on both sides; Audiobookshelf heard it last (30 of 60 s).
CURRENT_TITLE: Final = "Anne of Green Gables"
CURRENT_ASIN: Final = "B0FAKE0001"
CURRENT_ABS_ID: Final = ITEM_IDS[CURRENT_TITLE]
CURRENT_PERCENT: Final = 50.0
LIBRARY_SIZE: Final = 3

# Anne's series in Audible's catalog: books 2 and 3 are on Audiobookshelf only
# (by their ASINs), book 4 is out and not owned, book 5 comes out in 20 days.
SERIES_TITLE: Final = "Anne of Green Gables"
SERIES_ASIN: Final = person_asin(SERIES_TITLE)
NEXT_UP_TITLE: Final = "Anne of Avonlea"
MISSING_TITLE: Final = "Anne of Windy Poplars"
UPCOMING_TITLE: Final = "Anne's House of Dreams"


AUDIBLE_COVER_HOST: Final = "https://m.media-amazon.com"


def build_audible(
    now: datetime | None = None, cover_host: str | None = None
) -> FakeAudible:
    """A small Audible library: one book in progress, one finished, one new.

    `cover_host` replaces Audible's image CDN in the cover URLs, so a process
    that must not reach the internet shows covers it serves itself.
    """
    now = now or datetime.now(UTC)
    items = books_also_on_abs()
    if cover_host is not None:
        for item in items:
            images = item["product_images"]
            for size, url in images.items():
                images[size] = url.replace(AUDIBLE_COVER_HOST, cover_host, 1)
    fake = FakeAudible(items)
    # Anne lasts exactly its minute, as on Audiobookshelf (60 s): the percent
    # is the same whichever side was heard last.
    fake.runtime_ms[CURRENT_ASIN] = 60_000
    fake.set_position(CURRENT_ASIN, 24_000, now - timedelta(hours=2))
    fake.daily_listening_ms[now.date().isoformat()] = 1_800_000.0
    add_series(fake, now)
    return fake


def add_series(fake: FakeAudible, now: datetime) -> None:
    """Anne's series in the fake catalog (see SERIES_TITLE)."""
    author = ("L. M. Montgomery", person_asin("L. M. Montgomery"))
    volumes = [
        ("B0FAKE0002", NEXT_UP_TITLE, "2", datetime(2021, 3, 1, tzinfo=UTC)),
        ("B0FAKE0003", "Anne of the Island", "3", datetime(2022, 3, 1, tzinfo=UTC)),
        ("B0FAKE0004", MISSING_TITLE, "4", datetime(2023, 3, 1, tzinfo=UTC)),
        ("B0ANNE0005", UPCOMING_TITLE, "5", now + timedelta(days=20)),
    ]
    fake.catalog.add_products(
        *(
            make_product(
                asin,
                title,
                authors=[author],
                release_date=when.date(),
                is_preorderable=when > now,
                series=[(SERIES_ASIN, SERIES_TITLE, sequence)],
            )
            for asin, title, sequence, when in volumes
        ),
        make_series(
            SERIES_ASIN,
            SERIES_TITLE,
            [
                (CURRENT_ASIN, "1", "1"),
                *((asin, seq, seq) for asin, _title, seq, _when in volumes),
            ],
        ),
    )


def build_abs(now: datetime | None = None) -> FakeAbsServer:
    """The recorded Audiobookshelf server, Anne heard there an hour ago.

    Build it in the event loop that serves it (it holds asyncio primitives).
    """
    now = now or datetime.now(UTC)
    fake = FakeAbsServer()
    fake.set_progress(
        CURRENT_ABS_ID,
        current_time=30.0,
        duration=60.0,
        last_update_ms=int((now - timedelta(hours=1)).timestamp() * 1000),
    )
    return fake


class FakeAmazonRegistration:
    """Amazon's `POST /auth/register` (device registration) for one login.

    Answers with the device credentials the fake Audible accepts (the recorded
    `auth_data.json`), in the shape `audible.register.register` reads.
    """

    def __init__(self) -> None:
        """Nothing registered yet."""
        self.codes: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer a registration; anything else is a 404."""
        if request.method != "POST" or request.url.path != "/auth/register":
            return httpx.Response(404, json={"error": "not found"})
        body: dict[str, Any] = json.loads(request.content)
        code = body["auth_data"]["authorization_code"]
        self.codes.append(code)
        if code != AUTHORIZATION_CODE:
            return httpx.Response(400, json={"response": {"error": "InvalidValue"}})
        data = load_auth_data()
        tokens = {
            "mac_dms": {
                "adp_token": data["adp_token"],
                "device_private_key": data["device_private_key"],
            },
            "bearer": {
                "access_token": data["access_token"],
                "refresh_token": data["refresh_token"],
                "expires_in": "3600",
            },
            "website_cookies": [
                {"Name": name, "Value": value}
                for name, value in data["website_cookies"].items()
            ],
            "store_authentication_cookie": data["store_authentication_cookie"],
        }
        extensions = {
            "device_info": data["device_info"],
            "customer_info": data["customer_info"],
        }
        return httpx.Response(
            200,
            json={
                "response": {"success": {"tokens": tokens, "extensions": extensions}}
            },
        )
