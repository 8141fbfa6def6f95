"""Smoke test: a real Home Assistant process (newest release) with the integration.

The unit tests run on the release pytest-homeassistant-custom-component pins;
this starts the release pinned in requirements_ha.txt from its own venv
(scripts/lib/pyenv.sh builds it) through tests/smoke/launcher.py, and drives it
over HTTP only, as a user's browser would: onboarding, the config flow, the
sensors after the first poll, the sync_now action, and the log.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.smoke.world import (
    CURRENT_ABS_ID,
    CURRENT_ASIN,
    CURRENT_PERCENT,
    CURRENT_TITLE,
    LANDING_URL,
    LIBRARY_SIZE,
)

REPO = Path(__file__).resolve().parents[2]
# Exported by scripts/lib/pyenv.sh; the default is where it builds the venv.
HA_PYTHON = Path(os.environ.get("AUDIBLE_TRACKER_HA_PYTHON", "/opt/venv-ha/bin/python"))
START_TIMEOUT_S = 90.0
POLL_TIMEOUT_S = 30.0
OUR_LOGGERS = re.compile(r"\[(custom_components\.audible_tracker|audible)(\.[\w.]+)?\]")
# A record starts with "2026-11-01 10:00:00.000+00:00 LEVEL (thread) [logger]".
RECORD_START = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\S* (\w+) ", re.MULTILINE
)


@dataclass
class RealHomeAssistant:
    """The running process and how to reach it."""

    process: subprocess.Popen[bytes]
    url: str
    config: Path
    output: Path

    def fakes(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.config / "fakes.json").read_text())
        return data

    def log(self) -> str:
        return (self.config / "home-assistant.log").read_text(encoding="utf-8")


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


@pytest.fixture
def real_hass(tmp_path: Path, socket_enabled: None) -> Generator[RealHomeAssistant]:
    """Start the launcher; always kill it afterwards."""
    if not HA_PYTHON.is_file():
        pytest.fail(
            f"No Home Assistant venv at {HA_PYTHON}: run the tests through "
            "scripts/test or scripts/run, which build it (scripts/lib/pyenv.sh, "
            "requirements_ha.txt), or set AUDIBLE_TRACKER_HA_PYTHON."
        )
    port = free_port()
    config = tmp_path / "config"
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
        print(f"\n[smoke] Home Assistant up in {time.monotonic() - started:.1f} s")  # noqa: T201
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
            "username": "smoke",
            "password": "smoke-test-password",
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


def problems(log: str) -> list[str]:
    """Log records at ERROR or above, or with a traceback, that concern us."""
    starts = [match.start() for match in RECORD_START.finditer(log)] + [len(log)]
    found = []
    for begin, end in itertools.pairwise(starts):
        record = log[begin:end]
        level = RECORD_START.match(record)
        assert level is not None
        bad = level.group(1) in {"ERROR", "CRITICAL"} or "Traceback" in record
        if bad and (OUR_LOGGERS.search(record) or "audible_tracker" in record):
            found.append(record)
    return found


def test_problems_finds_our_errors_only() -> None:
    log = (
        "2026-11-01 10:00:00.000+00:00 ERROR (MainThread) [homeassistant.setup] "
        "Setup failed for 'assist_pipeline'\n"
        "2026-11-01 10:00:01.000+00:00 WARNING (MainThread) "
        "[custom_components.audible_tracker] slow\n"
        "2026-11-01 10:00:02.000+00:00 ERROR (MainThread) [audible.client] boom\n"
        "2026-11-01 10:00:03.000+00:00 ERROR (MainThread) "
        "[homeassistant.config_entries] Error setting up entry for audible_tracker\n"
        "Traceback (most recent call last):\n  ...\n"
    )
    found = problems(log)
    assert [record.split("[")[1].split("]")[0] for record in found] == [
        "audible.client",
        "homeassistant.config_entries",
    ]


def test_real_home_assistant(real_hass: RealHomeAssistant) -> None:
    timings: dict[str, float] = {}
    mark = time.monotonic()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.monotonic()
        timings[name] = now - mark
        mark = now

    with httpx.Client(base_url=real_hass.url, timeout=30) as client:
        token = onboard(client)
        client.headers["Authorization"] = f"Bearer {token}"
        lap("onboarding")

        entry_id = add_entry(client, real_hass.fakes())
        lap("config flow")

        def first_poll() -> dict[str, dict[str, Any]] | None:
            states = our_states(client)
            current = states.get("currently_reading", {}).get("state")
            return states if current not in {None, "unknown", "unavailable"} else None

        states = wait_for("the first poll", first_poll, POLL_TIMEOUT_S)
        lap("first poll")
        current = states["currently_reading"]
        assert current["state"] == CURRENT_TITLE
        assert current["attributes"]["asin"] == CURRENT_ASIN
        assert current["attributes"]["abs_item_id"] == CURRENT_ABS_ID
        assert float(states["progress"]["state"]) == CURRENT_PERCENT
        assert int(states["library_size"]["state"]) == LIBRARY_SIZE

        reply = client.post(
            "/api/services/audible_tracker/sync_now",
            json={"config_entry_id": entry_id},
        )
        assert reply.status_code == 200, reply.text
        lap("sync_now")
        states = our_states(client)
        assert states["currently_reading"]["state"] == CURRENT_TITLE
        assert float(states["progress"]["state"]) == CURRENT_PERCENT

    log = real_hass.log()
    found = problems(log)
    assert not found, "errors in the Home Assistant log:\n" + "\n".join(found)
    httpx_in_process = real_hass.fakes()["httpx"]
    print(  # noqa: T201 - the timings asked for
        f"[smoke] {sys.version.split()[0]} test venv; Home Assistant's process "
        f"runs {httpx_in_process}; "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
    )
