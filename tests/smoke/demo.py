"""`scripts/develop --demo`: the integration working, without accounts or network.

    python -m tests.smoke.demo [--config DIR] [--port N] [--exit-when-ready]

Run from the repository root in the test venv (scripts/develop does). Starts
Home Assistant (the release of requirements_ha.txt) through the smoke test's
launcher, against the fake Audible and fake Audiobookshelf, then onboards a
user, adds an entry through the config flow and makes a dashboard with the
card, as a user would. Each run starts afresh: DIR is emptied first (only a
directory an earlier demo made), as the fakes start afresh too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.smoke.conftest import (
    HA_PYTHON,
    OWNER_PASSWORD,
    OWNER_USERNAME,
    START_TIMEOUT_S,
    add_entry,
    onboard,
    promote_http_config,
    seed_onboarding,
    wait_for,
)
from tests.smoke.dashboard import DASHBOARD, VIEW, create_dashboard

REPO = Path(__file__).resolve().parents[2]
DEMO_MARKER = ".audible_tracker_demo"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The demo's command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--config", type=Path, default=REPO / "config" / "demo")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--abs-port", type=int, default=0)
    parser.add_argument(
        "--exit-when-ready",
        action="store_true",
        help="stop Home Assistant once it is set up (for tests)",
    )
    return parser.parse_args(argv)


def start(config: Path, port: int, abs_port: int) -> subprocess.Popen[bytes]:
    """The launcher, its output going to this terminal."""
    return subprocess.Popen(  # noqa: S603 - our own launcher
        [
            str(HA_PYTHON),
            *("-m", "tests.smoke.launcher", "--config", str(config)),
            *("--port", str(port), "--abs-port", str(abs_port)),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def fresh(config: Path) -> None:
    """An empty config directory; never one the demo did not make."""
    if config.exists() and any(config.iterdir()):
        if not (config / DEMO_MARKER).exists():
            raise SystemExit(
                f"{config} is not empty and not the demo's; not touching it"
            )
        shutil.rmtree(config)
    config.mkdir(parents=True, exist_ok=True)
    (config / DEMO_MARKER).write_text("made by scripts/develop --demo\n", "utf-8")
    seed_onboarding(config)


def set_up(url: str, config: Path) -> str:
    """Owner, entry and dashboard, as a user would make them; the owner's token."""
    with httpx.Client(base_url=url, timeout=30) as client:
        token = onboard(client)
    promote_http_config(url, token)
    fake_info = json.loads((config / "fakes.json").read_text(encoding="utf-8"))
    with httpx.Client(
        base_url=url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        add_entry(client, fake_info)
    create_dashboard(url, token)
    return token


@contextmanager
def running_demo(
    config: Path, port: int, abs_port: int = 0
) -> Generator[tuple[subprocess.Popen[bytes], str, str]]:
    """Home Assistant set up for the demo: its process, URL and owner's token."""
    url = f"http://127.0.0.1:{port}"
    fresh(config)
    process = start(config, port, abs_port)
    try:
        with httpx.Client(base_url=url, timeout=10) as client:

            def ready() -> bool:
                if process.poll() is not None:
                    raise SystemExit(f"Home Assistant exited with {process.returncode}")
                try:
                    return client.get("/api/onboarding").status_code == 200
                except httpx.TransportError:
                    return False

            wait_for("Home Assistant's HTTP server", ready, START_TIMEOUT_S)
        yield process, url, set_up(url, config)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def main(argv: list[str] | None = None) -> int:
    """Start and set up, then run until stopped."""
    args = parse_args(argv)
    try:
        with running_demo(args.config.resolve(), args.port, args.abs_port) as (
            process,
            url,
            _,
        ):
            print(  # noqa: T201 - what the person running the demo needs
                f"\nDemo ready: {url}/{DASHBOARD}/{VIEW}\n"
                f"Log in as {OWNER_USERNAME!r} with password {OWNER_PASSWORD!r}. "
                "Audible and Audiobookshelf are the repository's fakes.\n"
                "Stop with Ctrl+C.\n",
                flush=True,
            )
            return 0 if args.exit_when_ready else process.wait()
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
