"""One real Home Assistant process for every smoke test (HTTP and browser).

Starting it takes most of the smoke test's time, so the process, its owner
user and the integration's entry are package-scoped: made once, on first
use, and stopped after the last test in tests/smoke/.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
import pytest_socket

from tests.smoke.browser import BrowserThread, chromium_path
from tests.smoke.world import LANDING_URL

REPO = Path(__file__).resolve().parents[2]
# Exported by scripts/lib/pyenv.sh; the default is where it builds the venv.
HA_PYTHON = Path(os.environ.get("AUDIBLE_TRACKER_HA_PYTHON", "/opt/venv-ha/bin/python"))
START_TIMEOUT_S = 90.0
POLL_TIMEOUT_S = 30.0
OWNER_USERNAME = "smoke"
OWNER_PASSWORD = "smoke-test-password"
# The onboarding steps after "user". Marked done before the start: the
# core_config step sets up weather and radio integrations that need the
# internet, and none of it concerns us. The user step stays for the test.
ONBOARDING_DONE_BEFORE_START = ["core_config", "analytics", "integration"]


@dataclass
class RealHomeAssistant:
    """The running process and how to reach it."""

    process: subprocess.Popen[bytes]
    url: str
    config: Path
    output: Path
    timings: dict[str, float] = field(default_factory=dict)

    def fakes(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.config / "fakes.json").read_text())
        return data

    def log(self) -> str:
        return (self.config / "home-assistant.log").read_text(encoding="utf-8")


@dataclass
class Owner:
    """The onboarded owner: how to log in, and an API token."""

    username: str
    password: str
    token: str


@dataclass
class Entry:
    """The integration's entry, added over HTTP, after its first poll."""

    entry_id: str
    states: dict[str, dict[str, Any]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(what: str, check: Callable[[], Any], timeout: float) -> Any:
    """Call `check` until it returns something truthy; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.25)


def seed_onboarding(config: Path) -> None:
    """Mark the onboarding steps after "user" done (see the constant)."""
    storage = config / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    (storage / "onboarding").write_text(
        json.dumps(
            {
                "version": 4,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": ONBOARDING_DONE_BEFORE_START},
            }
        ),
        encoding="utf-8",
    )


def allow_sockets() -> None:
    """Let a package-scoped fixture talk to the process.

    They run before the function-scoped `socket_enabled`, which every test
    that talks to the process requests too; the plugin blocks sockets again
    before the next test.
    """
    pytest_socket.enable_socket()


@pytest.fixture(scope="package")
def real_hass(tmp_path_factory: pytest.TempPathFactory) -> Generator[RealHomeAssistant]:
    """Start the launcher; always kill it after the last smoke test."""
    if not HA_PYTHON.is_file():
        pytest.fail(
            f"No Home Assistant venv at {HA_PYTHON}: run the tests through "
            "scripts/test or scripts/run, which build it (scripts/lib/pyenv.sh, "
            "requirements_ha.txt), or set AUDIBLE_TRACKER_HA_PYTHON."
        )
    allow_sockets()
    port = free_port()
    tmp_path = tmp_path_factory.mktemp("real_hass")
    config = tmp_path / "config"
    seed_onboarding(config)
    output = tmp_path / "launcher.out"
    started = time.monotonic()
    with output.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own launcher
            [
                str(HA_PYTHON),
                *("-m", "tests.smoke.launcher"),
                *("--config", str(config), "--port", str(port)),
            ],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
    hass = RealHomeAssistant(process, f"http://127.0.0.1:{port}", config, output)
    try:
        with httpx.Client(base_url=hass.url, timeout=10) as client:

            def ready() -> bool:
                if process.poll() is not None:
                    pytest.fail(
                        f"Home Assistant exited with {process.returncode}:\n"
                        + output.read_text(errors="replace")[-5000:]
                    )
                try:
                    return client.get("/api/onboarding").status_code == 200
                except httpx.TransportError:
                    return False

            wait_for("Home Assistant's HTTP server", ready, START_TIMEOUT_S)
        hass.timings["start"] = time.monotonic() - started
        print(f"\n[smoke] Home Assistant up in {hass.timings['start']:.1f} s")  # noqa: T201
        yield hass
    finally:
        process.kill()
        process.wait(timeout=30)


def onboard(client: httpx.Client) -> str:
    """Create the owner user as the onboarding page does; return a token."""
    client_id = f"{client.base_url}/"
    reply = client.post(
        "/api/onboarding/users",
        json={
            "client_id": client_id,
            "name": "Smoke Test",
            "username": OWNER_USERNAME,
            "password": OWNER_PASSWORD,
            "language": "en",
        },
    )
    assert reply.status_code == 200, reply.text
    reply = client.post(
        "/auth/token",
        data={
            "grant_type": "authorization_code",
            "code": reply.json()["auth_code"],
            "client_id": client_id,
        },
    )
    assert reply.status_code == 200, reply.text
    token: str = reply.json()["access_token"]
    return token


@pytest.fixture(scope="package")
def owner(real_hass: RealHomeAssistant) -> Owner:
    """The owner, onboarded over HTTP; onboarding is then complete."""
    allow_sockets()
    started = time.monotonic()
    with httpx.Client(base_url=real_hass.url, timeout=30) as client:
        token = onboard(client)
        reply = client.get("/api/onboarding")
        assert reply.status_code == 200, reply.text
        assert all(step["done"] for step in reply.json()), reply.text
    promote_http_config(real_hass.url, token)
    real_hass.timings["onboarding"] = time.monotonic() - started
    return Owner(OWNER_USERNAME, OWNER_PASSWORD, token)


def promote_http_config(url: str, token: str) -> None:
    """Keep the launcher's HTTP settings, as the frontend's dialog would.

    Home Assistant moves the `http:` YAML into its storage as a trial: the
    frontend then asks to confirm it (a dialog over every page), and without
    that it reverts and restarts after five minutes.
    """

    async def promote() -> None:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"{url}/api/websocket") as websocket,
        ):
            assert (await websocket.receive_json())["type"] == "auth_required"
            await websocket.send_json({"type": "auth", "access_token": token})
            assert (await websocket.receive_json())["type"] == "auth_ok"
            await websocket.send_json({"id": 1, "type": "http/config/promote"})
            reply = await websocket.receive_json()
            assert reply["success"], reply

    asyncio.run(promote())


def api_client(hass: RealHomeAssistant, owner: Owner) -> httpx.Client:
    """An HTTP client signed in as the owner."""
    return httpx.Client(
        base_url=hass.url,
        timeout=30,
        headers={"Authorization": f"Bearer {owner.token}"},
    )


def flow_step(client: httpx.Client, flow_id: str, data: dict[str, Any]) -> Any:
    reply = client.post(f"/api/config/config_entries/flow/{flow_id}", json=data)
    assert reply.status_code == 200, reply.text
    return reply.json()


def add_entry(client: httpx.Client, fakes: dict[str, Any]) -> str:
    """Go through the config flow as a user would; return the entry id."""
    reply = client.post(
        "/api/config/config_entries/flow",
        json={"handler": "audible_tracker", "show_advanced_options": False},
    )
    assert reply.status_code == 200, reply.text
    result = reply.json()
    assert result["step_id"] == "user", result
    flow_id = result["flow_id"]

    result = flow_step(client, flow_id, {"marketplace": "de"})
    assert result["step_id"] == "audible_login", result
    login_url = result["description_placeholders"]["login_url"]
    assert login_url.startswith("https://www.amazon.de/ap/signin?")

    # Registration goes through audible.register to the launcher's fake Amazon.
    result = flow_step(client, flow_id, {"response_url": LANDING_URL})
    assert result["type"] == "menu", result
    result = flow_step(client, flow_id, {"next_step_id": "abs_api_key"})
    assert result["step_id"] == "abs_api_key", result
    result = flow_step(
        client,
        flow_id,
        {
            "url": fakes["abs_url"],
            "api_key": fakes["abs_api_key"],
            "verify_ssl": True,
        },
    )
    assert result["step_id"] == "abs_libraries", result
    result = flow_step(client, flow_id, {"abs_libraries": [fakes["abs_library_id"]]})
    assert result["type"] == "create_entry", result
    entry_id: str = result["result"]["entry_id"]
    return entry_id


def our_states(client: httpx.Client) -> dict[str, dict[str, Any]]:
    """The integration's sensors, by key (`currently_reading`, ...)."""
    reply = client.get("/api/states")
    assert reply.status_code == 200, reply.text
    return {
        state["entity_id"].removeprefix("sensor.audible_de_"): state
        for state in reply.json()
        if state["entity_id"].startswith("sensor.audible_de_")
    }


@pytest.fixture(scope="package")
def entry(real_hass: RealHomeAssistant, owner: Owner) -> Entry:
    """The integration's entry, through the config flow over HTTP, polled once."""
    allow_sockets()
    started = time.monotonic()
    with api_client(real_hass, owner) as client:
        entry_id = add_entry(client, real_hass.fakes())
        real_hass.timings["config flow"] = time.monotonic() - started

        def first_poll() -> dict[str, dict[str, Any]] | None:
            states = our_states(client)
            current = states.get("currently_reading", {}).get("state")
            return states if current not in {None, "unknown", "unavailable"} else None

        states = wait_for("the first poll", first_poll, POLL_TIMEOUT_S)
    real_hass.timings["first poll"] = (
        time.monotonic() - started - real_hass.timings["config flow"]
    )
    return Entry(entry_id, states)


@pytest.fixture(scope="package")
def chromium() -> Generator[BrowserThread]:
    """One Chromium for the browser checks; new contexts keep them apart."""
    executable = chromium_path()
    thread = BrowserThread()
    try:
        thread.start(executable)
        yield thread
    finally:
        thread.stop()
