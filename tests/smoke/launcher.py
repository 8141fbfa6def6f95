"""Run a real Home Assistant with the integration, talking to the fakes.

    python -m tests.smoke.launcher --config DIR --port N

Run it from the repository root with the Python of a venv that has Home
Assistant and the integration's requirements (scripts/lib/pyenv.sh builds one,
`requirements_ha.txt`). In this one process it:

1. serves the fake Audiobookshelf (tests/fakes/abs_server.py) on 127.0.0.1
   and writes its URL and credentials to DIR/fakes.json (the user types them
   into the config flow, so Audiobookshelf needs no redirection);
2. routes Audible's API hosts (api.audible.*) and Amazon's device
   registration (api.amazon.*) to the fakes, from outside the integration:
   every httpx client Home Assistant creates (its shared client included) gets
   a transport mounted for those hosts, and `audible.register` posts through
   a client on the fake. Nothing in the integration changes or can be turned
   on by a user; other hosts are untouched;
3. links the checkout's integration into DIR/custom_components, writes a
   minimal configuration.yaml (HTTP on 127.0.0.1:N) and runs Home Assistant's
   own `main()` on DIR with `--skip-pip` (the venv holds every requirement).

Home Assistant is imported first on purpose: from 2026.11 its package import
aliases `httpx` to `httpx2` process-wide, and must come before any other
`import httpx`, as in a real installation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import struct
import sys
import threading
import types
import zlib
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import homeassistant  # noqa: F401 - first: it may alias httpx (see above)
import homeassistant.__main__ as hass_main
import httpx  # after homeassistant: on 2026.11 this is httpx2
from aiohttp import web
from homeassistant.helpers import httpx_client

from custom_components.audible_tracker.core.audible_auth import MARKETPLACES
from tests.fakes.abs_server import API_KEY, LIBRARY_ID, PASSWORD, USER_ID, USERNAME
from tests.smoke.world import FakeAmazonRegistration, build_abs, build_audible

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.fakes.abs_server import FakeAbsServer
    from tests.fakes.audible_server import FakeAudible

REPO: Path = Path(__file__).resolve().parents[2]
FAKES_FILE = "fakes.json"
_LOGGER = logging.getLogger(__name__)

CONFIGURATION_YAML = """\
# Written by tests/smoke/launcher.py on every start.
homeassistant:
  name: Audible Tracker smoke test
  latitude: 52.52
  longitude: 13.40
  elevation: 34
  unit_system: metric
  time_zone: Europe/Berlin
  country: DE
  currency: EUR
http:
  server_host: {host}
  server_port: {port}
logger:
  default: warning
  logs:
    custom_components.audible_tracker: debug
    audible: info
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The launcher's command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--config", type=Path, required=True, help="config dir")
    parser.add_argument("--port", type=int, default=8123, help="HTTP port")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP address")
    parser.add_argument(
        "--abs-port", type=int, default=0, help="fake Audiobookshelf port (0: any)"
    )
    return parser.parse_args(argv)


def prepare_config(config: Path, host: str, port: int) -> None:
    """Link the integration in and write a minimal configuration.yaml."""
    custom = config / "custom_components"
    custom.mkdir(parents=True, exist_ok=True)
    link = custom / "audible_tracker"
    target = REPO / "custom_components" / "audible_tracker"
    if link.is_symlink() or link.exists():
        if link.resolve() != target:
            msg = f"{link} exists and is not a link to {target}"
            raise SystemExit(msg)
    else:
        link.symlink_to(target, target_is_directory=True)
    (config / "configuration.yaml").write_text(
        CONFIGURATION_YAML.format(host=host, port=port), encoding="utf-8"
    )


class AbsThread(threading.Thread):
    """Serves the fake Audiobookshelf from its own event loop."""

    def __init__(self, host: str, port: int) -> None:
        """Not started yet."""
        super().__init__(name="fake-audiobookshelf", daemon=True)
        self.host = host
        self.port = port
        self.fake: FakeAbsServer | None = None
        self.ready = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        """Serve until the process ends."""
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._start())
        except BaseException as err:  # noqa: BLE001 - reported to the main thread
            self.error = err
            self.ready.set()
            return
        self.ready.set()
        loop.run_forever()

    async def _start(self) -> None:
        fake = build_abs()
        runner = web.AppRunner(fake.make_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        port = runner.addresses[0][1]  # the one chosen for port 0
        fake.url = f"http://{self.host}:{port}"
        self.fake = fake


def solid_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """Return a PNG of one colour (a stand-in cover)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


class CoverHandler(BaseHTTPRequestHandler):
    """Serves the same stand-in cover for any path (GET and HEAD)."""

    cover = solid_png(160, 240, (214, 120, 38))

    def do_HEAD(self) -> None:
        """Answer with the cover's headers."""
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.cover)))
        self.end_headers()

    def do_GET(self) -> None:
        """Answer with the cover."""
        self.do_HEAD()
        self.wfile.write(self.cover)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep the test output quiet."""


def start_cover_host(host: str) -> str:
    """Serve stand-in covers on a free local port; return its base URL.

    Audible's covers live on its image CDN; here they come from this machine,
    so neither Home Assistant's cover check nor the browser leaves it.
    """
    server = ThreadingHTTPServer((host, 0), CoverHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://{host}:{server.server_address[1]}"


def start_abs(host: str, port: int) -> FakeAbsServer:
    """Start the fake Audiobookshelf; return it once it listens."""
    thread = AbsThread(host, port)
    thread.start()
    thread.ready.wait(30)
    if thread.error is not None:
        raise thread.error
    if thread.fake is None:
        msg = "the fake Audiobookshelf did not start"
        raise RuntimeError(msg)
    return thread.fake


class ThreadedTransport(httpx.AsyncBaseTransport):
    """Runs a fake's synchronous handler in a worker thread, one at a time.

    The fakes read their recorded files while answering: in Home Assistant's
    event loop that would be blocking I/O (and be reported as the
    integration's). A real server answers from elsewhere too.
    """

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        """Serve `handler` from one worker thread (the fakes are not thread-safe)."""
        self._handler = handler
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="fake-audible")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer from the worker thread."""
        await request.aread()
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(self._executor, self._handler, request)
        await response.aread()
        return response


def _audible_mounts(
    fake: FakeAudible, amazon: FakeAmazonRegistration
) -> dict[str, httpx.AsyncBaseTransport]:
    """Transports for every marketplace's Audible API and Amazon hosts."""
    audible_transport = ThreadedTransport(fake.handle)
    amazon_transport = ThreadedTransport(amazon.handle)
    mounts: dict[str, httpx.AsyncBaseTransport] = {}
    for _, domain, _ in MARKETPLACES.values():
        mounts[f"all://api.audible.{domain}"] = audible_transport
        mounts[f"all://api.amazon.{domain}"] = amazon_transport
    return mounts


def route_audible(fake: FakeAudible, amazon: FakeAmazonRegistration) -> None:
    """Send Audible and Amazon traffic to the fakes (see the module docstring)."""
    mounts = _audible_mounts(fake, amazon)
    create: Callable[..., Any] = httpx_client.create_async_httpx_client

    def create_with_fakes(*args: Any, **kwargs: Any) -> Any:
        kwargs["mounts"] = {**mounts, **kwargs.get("mounts", {})}
        return create(*args, **kwargs)

    # get_async_client looks the factory up in its module on every new client.
    httpx_client.create_async_httpx_client = create_with_fakes

    def post(url: str, **kwargs: Any) -> httpx.Response:
        # audible.register and deregister call httpx.post (synchronous).
        with httpx.Client(transport=httpx.MockTransport(amazon.handle)) as client:
            return client.post(url, **kwargs)

    # Imported here: an import at the top would sort before homeassistant's.
    from audible import register  # noqa: PLC0415

    vars(register)["httpx"] = types.SimpleNamespace(post=post)


def write_fakes_file(config: Path, abs_fake: FakeAbsServer) -> None:
    """Tell whoever drives the config flow where the fakes are."""
    info = {
        "abs_url": abs_fake.url,
        "abs_api_key": API_KEY,
        "abs_username": USERNAME,
        "abs_password": PASSWORD,
        "abs_user_id": USER_ID,
        "abs_library_id": LIBRARY_ID,
        "httpx": f"{httpx.__name__} {httpx.__version__}",
    }
    (config / FAKES_FILE).write_text(json.dumps(info, indent=2), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Start the fakes, then Home Assistant; return its exit code."""
    args = parse_args(argv)
    config: Path = args.config.resolve()
    prepare_config(config, args.host, args.port)
    abs_fake = start_abs(args.host, args.abs_port)
    cover_host = start_cover_host(args.host)
    route_audible(build_audible(cover_host=cover_host), FakeAmazonRegistration())
    write_fakes_file(config, abs_fake)
    print(f"fake Audiobookshelf at {abs_fake.url}", flush=True)  # noqa: T201
    sys.argv = [sys.argv[0], "--config", str(config), "--skip-pip"]
    return hass_main.main()


if __name__ == "__main__":
    sys.exit(main())
