"""Smoke test: a real Home Assistant process (newest release) with the integration.

The unit tests run on the release pytest-homeassistant-custom-component pins;
this starts the release pinned in requirements_ha.txt from its own venv
(scripts/lib/pyenv.sh builds it) through tests/smoke/launcher.py, and drives it
over HTTP only, as a user's browser would: onboarding, the config flow, the
sensors after the first poll (all in conftest.py, shared with the browser
checks), the sync_now action, and the log. It runs after the browser checks
(file order), so the log check covers what they caused too.
"""

from __future__ import annotations

import itertools
import re
import sys
import time
from typing import Any

from tests.fakes.abs_server import ITEM_IDS
from tests.smoke.conftest import (
    Entry,
    Owner,
    RealHomeAssistant,
    api_client,
    our_states,
    wait_for,
)
from tests.smoke.world import (
    CURRENT_ABS_ID,
    CURRENT_ASIN,
    CURRENT_PERCENT,
    CURRENT_TITLE,
    LIBRARY_SIZE,
    MISSING_TITLE,
    NEXT_UP_TITLE,
    SERIES_TITLE,
    UPCOMING_TITLE,
)

OUR_LOGGERS = re.compile(r"\[(custom_components\.audible_tracker|audible)(\.[\w.]+)?\]")
# A record starts with "2026-11-01 10:00:00.000+00:00 LEVEL (thread) [logger]".
RECORD_START = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\S* (\w+) ", re.MULTILINE
)


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


def test_real_home_assistant(
    real_hass: RealHomeAssistant, owner: Owner, entry: Entry, socket_enabled: None
) -> None:
    states = entry.states
    current = states["currently_reading"]
    assert current["state"] == CURRENT_TITLE
    assert current["attributes"]["asin"] == CURRENT_ASIN
    assert current["attributes"]["abs_item_id"] == CURRENT_ABS_ID
    assert float(states["progress"]["state"]) == CURRENT_PERCENT
    assert int(states["library_size"]["state"]) == LIBRARY_SIZE

    started = time.monotonic()
    with api_client(real_hass, owner) as client:
        reply = client.post(
            "/api/services/audible_tracker/sync_now",
            json={"config_entry_id": entry.entry_id},
        )
        assert reply.status_code == 200, reply.text
        states = our_states(client)
        # The series side loads in the real release too: the releases
        # calendar answers a range query, the get_series action a response.
        reply = client.get(
            "/api/calendars/calendar.audible_de_releases",
            params={"start": "2020-01-01T00:00:00Z", "end": "2030-01-01T00:00:00Z"},
        )
        assert reply.status_code == 200, reply.text
        assert isinstance(reply.json(), list)
        reply = client.post(
            "/api/services/audible_tracker/get_series?return_response",
            json={"config_entry_id": entry.entry_id},
        )
        assert reply.status_code == 200, reply.text
        assert "series" in reply.json()["service_response"]

        # The catalog's first run (15 s after start) through the real
        # release's HTTP stack: Anne's series in the sensors and calendar.
        def series_known() -> dict[str, dict[str, Any]] | None:
            states = our_states(client)
            return states if states["next_up"]["state"] == NEXT_UP_TITLE else None

        states = wait_for("the series", series_known, timeout=60)
        next_up = states["next_up"]["attributes"]
        assert next_up["series"] == SERIES_TITLE
        assert next_up["on_abs"] == ITEM_IDS[NEXT_UP_TITLE]
        missing = states["missing_volumes"]
        assert missing["state"] == "1"
        assert missing["attributes"]["series"][0]["missing"][0]["title"] == (
            MISSING_TITLE
        )
        reply = client.get(
            "/api/calendars/calendar.audible_de_releases",
            params={"start": "2020-01-01T00:00:00Z", "end": "2030-01-01T00:00:00Z"},
        )
        assert [event["summary"] for event in reply.json()][-1] == (
            f"{UPCOMING_TITLE} ({SERIES_TITLE} #5)"
        )
    real_hass.timings["sync_now"] = time.monotonic() - started
    assert states["currently_reading"]["state"] == CURRENT_TITLE
    assert float(states["progress"]["state"]) == CURRENT_PERCENT

    log = real_hass.log()
    found = problems(log)
    assert not found, "errors in the Home Assistant log:\n" + "\n".join(found)
    httpx_in_process = real_hass.fakes()["httpx"]
    print(  # noqa: T201 - the timings asked for
        f"[smoke] {sys.version.split()[0]} test venv; Home Assistant's process "
        f"runs {httpx_in_process}; "
        + ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in real_hass.timings.items()
        )
    )
