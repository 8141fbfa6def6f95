"""A dashboard with the card, made through Home Assistant's websocket API.

The same messages the frontend sends when a user adds a dashboard and saves
its configuration; also used by `scripts/develop --demo`. And what the browser
checks do to the fakes and expect of the card.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Final

import aiohttp
import httpx

from tests.smoke.world import CURRENT_ABS_ID

if TYPE_CHECKING:
    from tests.smoke.conftest import RealHomeAssistant

DASHBOARD: Final = "audible-tracker"  # a dashboard's url_path needs a hyphen
VIEW: Final = "books"
CARD: Final = {
    "type": "custom:audible-tracker-card",
    "entity": "sensor.audible_de_currently_reading",
}


def dashboard_config(card: dict[str, Any] | None = None) -> dict[str, Any]:
    """One sections view holding the card."""
    return {
        "title": "Audiobooks",
        "views": [
            {
                "title": "Books",
                "path": VIEW,
                "type": "sections",
                "max_columns": 2,
                "sections": [{"type": "grid", "cards": [card or CARD]}],
            }
        ],
    }


async def _call(url: str, token: str, messages: list[dict[str, Any]]) -> list[Any]:
    """Send each message in turn; return each result, failing on an error."""
    results = []
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{url}/api/websocket") as websocket,
    ):
        assert (await websocket.receive_json())["type"] == "auth_required"
        await websocket.send_json({"type": "auth", "access_token": token})
        assert (await websocket.receive_json())["type"] == "auth_ok"
        for number, message in enumerate(messages, start=1):
            await websocket.send_json({"id": number, **message})
            reply = await websocket.receive_json()
            assert reply.get("success"), (message["type"], reply)
            results.append(reply.get("result"))
    return results


def create_dashboard(
    url: str, token: str, card: dict[str, Any] | None = None
) -> list[Any]:
    """Add the dashboard with the card; return the dashboards' resources.

    The resources are the "manual resources step" a card usually needs; this
    card needs none, so they stay empty.
    """
    _, _, resources = asyncio.run(
        _call(
            url,
            token,
            [
                {
                    "type": "lovelace/dashboards/create",
                    "url_path": DASHBOARD,
                    "title": "Audiobooks",
                    "icon": "mdi:book-open-variant",
                    "mode": "storage",
                    "show_in_sidebar": True,
                    "require_admin": False,
                },
                {
                    "type": "lovelace/config/save",
                    "url_path": DASHBOARD,
                    "config": dashboard_config(card),
                },
                {"type": "lovelace/resources"},
            ],
        )
    )
    result: list[Any] = resources
    return result


def set_user_language(url: str, token: str, language: str | None) -> None:
    """Set the user's language as their profile page does; None: the browser's.

    The frontend keeps it in the user's data under "language" and follows it
    live (it subscribes to that key once connected).
    """
    value = None if language is None else {"language": language}
    asyncio.run(
        _call(
            url,
            token,
            [{"type": "frontend/set_user_data", "key": "language", "value": value}],
        )
    )


def move_on_abs(hass: RealHomeAssistant, position_s: float) -> None:
    """A player moves Anne on Audiobookshelf (the fake, over its API)."""
    fakes = hass.fakes()
    with httpx.Client(
        base_url=fakes["abs_url"],
        headers={"Authorization": f"Bearer {fakes['abs_api_key']}"},
    ) as client:
        reply = client.patch(
            f"/api/me/progress/{CURRENT_ABS_ID}",
            json={
                "currentTime": position_s,
                "duration": 60.0,
                "progress": position_s / 60,
            },
        )
    assert reply.status_code == 200, reply.text


def expected_badge(states: dict[str, dict[str, Any]]) -> str:
    """The badge the card must show for the sync plan the sensors report."""
    plan = states["sync_plan"]
    if plan["attributes"]["unverified"]:
        return "failed"
    if float(states["unmatched_titles"]["state"]) > 0:
        return "conflict"
    return "syncing" if float(plan["state"]) > 0 else "in_step"
