"""`scripts/develop --demo` sets up Home Assistant with an entry and the card."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest

from tests.smoke.conftest import free_port
from tests.smoke.dashboard import CARD, DASHBOARD
from tests.smoke.demo import DEMO_MARKER, fresh, running_demo


async def dashboard_config(url: str, token: str) -> Any:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{url}/api/websocket") as websocket,
    ):
        await websocket.receive_json()
        await websocket.send_json({"type": "auth", "access_token": token})
        assert (await websocket.receive_json())["type"] == "auth_ok"
        await websocket.send_json(
            {"id": 1, "type": "lovelace/config", "url_path": DASHBOARD}
        )
        reply = await websocket.receive_json()
        assert reply["success"], reply
        return reply["result"]


def test_demo(tmp_path: Path, socket_enabled: None) -> None:
    config = tmp_path / "demo"
    # Left over from a demo before: emptied; anything else is refused.
    config.mkdir()
    (config / DEMO_MARKER).write_text("old", encoding="utf-8")
    (config / "stale.txt").write_text("old", encoding="utf-8")
    with running_demo(config, free_port()) as (_, url, token):
        assert not (config / "stale.txt").exists()
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url, timeout=30, headers=headers) as client:
            current = client.get("/api/states/sensor.audible_de_currently_reading")
            assert current.status_code == 200, current.text
            assert current.json()["state"] == "Anne of Green Gables"
            page = client.get(f"/{DASHBOARD}/books")
        assert "/audible_tracker/audible-tracker-card.js?v=" in page.text
        views = asyncio.run(dashboard_config(url, token))["views"]
        assert views[0]["sections"][0]["cards"] == [CARD]


def test_demo_leaves_other_directories_alone(tmp_path: Path) -> None:
    (tmp_path / "precious.yaml").write_text("mine", encoding="utf-8")
    with pytest.raises(SystemExit, match="not the demo's"):
        fresh(tmp_path)
    assert (tmp_path / "precious.yaml").read_text(encoding="utf-8") == "mine"
