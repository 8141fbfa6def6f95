"""A stateful fake of the Audible API, served at the HTTP layer.

The fake is an `httpx.MockTransport` handler, so the adapter runs unchanged
through the real `audible.AsyncClient`: URL building, query encoding and the
device request signing all happen for real, and the fake checks every request's
`x-adp-signature` against the device key of `load_auth_data()` (the fake login
in `tests/fixtures/audible/auth_data.json` with an RSA key generated once per
test run; a bad or missing signature gets 401, as from Audible).

Quick start::

    fake = FakeAudible([make_item("B0TEST0001", "A Title", percent_complete=42)])
    api = AudibleClient(fake.auth_data, "us", transport=fake.transport)
    # or through a client, as Home Assistant's shared one is passed:
    api = AudibleClient(fake.auth_data, "us", http_client=fake.http_client())

Home Assistant-level tests can patch whatever builds the adapter (or
`get_async_client`) to hand it `fake.transport` / `fake.http_client()`.

Constructor: `FakeAudible(initial_items=(), *, verify_signatures=True,
send_total_count=True, max_page_size=1000, now=<UTC now>)`. `now` is the
clock for written positions and finish times; `load_auth_data()` and
`load_fixture(name)` read the recorded files.

Some behaviour is the fake's own rule, not a recorded fact: the daily stats
list every day of the window (0 when nothing was heard), a title's ACR is
`CR!FAKE<asin>` and its exact runtime its minutes less 20 s, and unknown state
tokens get a 400 (Audible's exact answer to one is not recorded).

Endpoints and their state (all attributes are public; change them freely):

- `GET 1.0/library`: `items` (asin -> library item JSON, shaped like the
  recorded `library_page*.json`; build them with `make_item`). Honours
  `num_results` (1..1000, else 400), `page` (1-based), `sort_by`
  (PurchaseDate / -PurchaseDate), `status` (Active by default, or Revoked),
  `image_sizes` (product_images keys) and `response_groups` (fields of groups
  not asked for are left out). Sends `Total-Count` (unless `send_total_count`
  is False) and `State-Token` headers; `max_page_size` caps the page size below
  `num_results`. With `state_token=T` it returns only items changed after T,
  revoked ones included with status "Revoked" (as Audible does); an unknown or
  expired token (`expire_state_tokens()`) gets 400.
- `GET 1.0/annotations/lastpositions?asins=a,b`: `positions` (asin ->
  `FakePosition`); ASINs without one answer `DoesNotExist`. More than 25 ASINs
  in one call get 400.
- `PUT 1.0/lastpositions/{asin}`: updates `positions[asin]` (last_updated =
  `now()`) when the body's `acr` matches `acrs[asin]`; with a wrong acr it
  answers 200 and changes nothing, like Audible.
- `GET 1.0/content/{asin}/metadata`: the recorded `content_metadata.json` shape
  with `acrs[asin]` (every added item gets one) and, in chapter_info,
  `runtime_ms[asin]` as `runtime_length_ms` (every added item with minutes gets
  one: its minutes less 20 s, the way Audible's whole minutes round the exact
  runtime; left out when the ASIN has none); unknown ASIN -> 404.
- `GET 1.0/stats/aggregates`: `daily_listening_ms` (ISO date -> ms) for the
  daily window asked for (duration 0..30, else 400), one entry per day.
- `PUT 1.0/stats/events`: appends to `stats_events`; (Manual)MarkAsFinished /
  (Manual)MarkAsUnfinished change the item's `listening_status.is_finished`
  and `is_finished` and count as a library change for state tokens
  (un-finishing keeps the old `finished_at_timestamp`, as Audible does).

Test controls:

- `fail_next(kind, times=1, path=None, retry_after=None, skip=0)`: after
  `skip` matching requests pass, the next `times` requests (to paths starting
  with `path`, if given) fail with an HTTP status
  (401, 403, 429, 500, 503, ...; 503 comes as Amazon's HTML page), or with
  "timeout" (httpx.ReadTimeout) or "network" (httpx.ConnectError).
  `retry_after` sets the Retry-After header.
- `respond_next(path, status=200, json=..., text=..., headers=..., times=1)`:
  answer the next matching requests with exactly this (malformed payloads).
- `requests`: every request as a `RecordedRequest` (method, path without the
  leading slash, query params, JSON body, host, status; status None for a
  raised timeout/network error). `count(path, method=None)` counts requests
  whose path starts with `path`.
- `add_items`, `update_item`, `set_listening`, `revoke`, `set_position`,
  `state_token` (the current one).
- `endpoint_counts()`: requests per endpoint (`RecordedRequest.endpoint`,
  e.g. "GET 1.0/catalog/products/{asin}"), for request budgets.

Catalog products, series, author search and the wishlist are served by
`catalog` (a `FakeCatalog`, see `audible_catalog`).
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .audible_catalog import FakeCatalog, endpoint_label
from .audible_catalog import ReplyError as _ReplyError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

FIXTURES: Final = Path(__file__).parent.parent / "fixtures" / "audible"

STATE_TOKEN_BASE: Final = 1_700_000_000_000  # tokens are 13-digit numbers
MAX_LASTPOSITIONS_ASINS: Final = 25
MAX_NUM_RESULTS: Final = 1000
MAX_DAILY_DAYS: Final = 30

FINISH_EVENTS: Final = frozenset({"ManualMarkAsFinished", "MarkAsFinished"})
UNFINISH_EVENTS: Final = frozenset({"ManualMarkAsUnfinished", "MarkAsUnfinished"})

# Fields a library item only carries when one of these response groups is
# asked for (rmcrackan/AudibleApi README, "response_groups").
_FIELD_GROUPS: Final[dict[str, frozenset[str]]] = {
    "authors": frozenset({"contributors"}),
    "narrators": frozenset({"contributors"}),
    "product_images": frozenset({"media"}),
    "title": frozenset({"product_desc"}),
    "subtitle": frozenset({"product_desc"}),
    "runtime_length_min": frozenset({"product_attrs", "percent_complete"}),
    "series": frozenset({"series"}),
    "listening_status": frozenset({"listening_status"}),
    "is_finished": frozenset({"is_finished"}),
    "percent_complete": frozenset({"percent_complete"}),
}

_AMAZON_503_PAGE: Final = (
    "<!DOCTYPE html><html><head><title>Website Temporarily Unavailable</title>"
    "</head><body>Sorry! Something went wrong on our end.</body></html>"
)


# How much shorter than its whole minutes a fake title's exact runtime is.
RUNTIME_SHORT_MS: Final = 20_000


def exact_runtime_ms(minutes: int) -> int:
    """The fake's exact runtime of a title of `minutes` (whole) minutes."""
    return minutes * 60_000 - RUNTIME_SHORT_MS


def load_fixture(name: str) -> Any:
    """Load a recorded Audible response from tests/fixtures/audible."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@functools.cache
def device_private_key() -> str:
    """An RSA device key in PKCS#1 PEM, as Audible registers one.

    Generated at test time so that no private key is committed (secret
    scanners flag any); one per test run keeps the 2048-bit generation cheap.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def load_auth_data() -> dict[str, Any]:
    """Return a fresh copy of the fake device credentials."""
    data: dict[str, Any] = load_fixture("auth_data.json")
    data["device_private_key"] = device_private_key()
    return data


@functools.cache
def _recorded_item() -> dict[str, Any]:
    """The richest recorded library item (do not mutate: deep-copy it)."""
    item: dict[str, Any] = load_fixture("library_page_with_relationships.json")[
        "items"
    ][0]
    return item


def _fake_asin(seed: str) -> str:
    """Return a stable, ASIN-shaped id for a name."""
    return "B0" + hashlib.sha256(seed.encode()).hexdigest()[:8].upper()


def person_asin(name: str) -> str:
    """Return the ASIN the fake library gives an author or narrator."""
    return _fake_asin(name)


def make_item(
    asin: str,
    title: str,
    *,
    subtitle: str | None = None,
    authors: Sequence[str] = ("Jane Doe",),
    narrators: Sequence[str] = ("John Roe",),
    series: Sequence[tuple[str, str | None]] = (),
    runtime_min: int | None = 600,
    percent_complete: float = 0.0,
    is_finished: bool = False,
    top_level_percent_complete: float | None = None,
    isbn: str | None = None,
    status: str = "Active",
    purchase_date: str = "2024-01-01T00:00:00.000Z",
    image_id: str | None = None,
) -> dict[str, Any]:
    """Build a library item on the recorded full item's shape.

    `percent_complete` / `is_finished` go into `listening_status` (what the
    apps show); the stale top-level `percent_complete` can differ, as in the
    recording (top level 0.0, listening_status 10.0).
    """
    item = copy.deepcopy(_recorded_item())
    image = image_id or f"{asin}IMG"
    runtime_s = runtime_min * 60 if runtime_min is not None else None
    remaining_s = (
        round(runtime_s * (1 - percent_complete / 100))
        if runtime_s is not None
        else None
    )
    item.update(
        {
            "asin": asin,
            "origin_asin": asin,
            "title": title,
            "subtitle": subtitle,
            "authors": [{"asin": _fake_asin(name), "name": name} for name in authors],
            "narrators": [
                {"asin": _fake_asin(name), "name": name} for name in narrators
            ],
            "series": [
                {
                    "asin": _fake_asin(name),
                    "sequence": sequence,
                    "title": name,
                    "url": f"/pd/{_fake_asin(name)}",
                }
                for name, sequence in series
            ]
            or None,
            "runtime_length_min": runtime_min,
            "isbn": isbn,
            "status": status,
            "purchase_date": purchase_date,
            "library_status": {**item["library_status"], "date_added": purchase_date},
            "listening_status": {
                "finished_at_timestamp": "2024-06-01T12:00:00.000Z"
                if is_finished
                else None,
                "is_finished": is_finished,
                "percent_complete": percent_complete,
                "time_remaining_seconds": remaining_s,
            },
            "percent_complete": percent_complete
            if top_level_percent_complete is None
            else top_level_percent_complete,
            "is_finished": is_finished,
            "product_images": {
                "500": f"https://m.media-amazon.com/images/I/{image}._SL500_.jpg"
            },
            "relationships": None,
        }
    )
    return item


def books_also_on_abs() -> list[dict[str, Any]]:
    """The three titles the fake Audiobookshelf also holds.

    Anne of Green Gables matches by ASIN and is in progress on both sides,
    Frankenstein matches by ISBN and is finished, Les Misérables (no ASIN on
    ABS) matches by title and author.
    """
    return [
        make_item(
            "B0FAKE0001",
            "Anne of Green Gables",
            authors=["L. M. Montgomery"],
            narrators=["Barbara Caruso"],
            series=[("Anne of Green Gables", "1")],
            runtime_min=1,
            percent_complete=40.0,
            purchase_date="2024-01-03T00:00:00.000Z",
        ),
        make_item(
            "B0FRANK001",
            "Frankenstein",
            authors=["Mary Shelley"],
            isbn="9780141439471",
            runtime_min=1,
            is_finished=True,
            percent_complete=100.0,
        ),
        make_item(
            "B0LESMIS01", "Les Misérables", authors=["Victor Hugo"], runtime_min=2
        ),
    ]


@dataclass
class FakePosition:
    """A last heard position held by the fake."""

    position_ms: int
    last_updated: datetime


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received."""

    method: str
    path: str
    params: dict[str, str]
    body: Any
    host: str
    status: int | None
    endpoint: str | None = None  # e.g. "GET 1.0/catalog/products/{asin}"


type FailureKind = int | Literal["timeout", "network"]


@dataclass
class _Failure:
    kind: FailureKind
    remaining: int
    path: str | None
    retry_after: str | None
    skip: int


@dataclass
class _Canned:
    path: str
    status: int
    content: bytes
    headers: dict[str, str]
    remaining: int


@dataclass(frozen=True)
class _Call:
    """What an endpoint handler gets from a request."""

    params: dict[str, str]
    body: Any
    asin: str = ""


@dataclass
class FakeAudible:
    """The fake Audible API; see the module docstring."""

    initial_items: Iterable[dict[str, Any]] = ()
    verify_signatures: bool = True
    send_total_count: bool = True
    max_page_size: int = MAX_NUM_RESULTS
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    items: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)
    acrs: dict[str, str] = field(default_factory=dict, init=False)
    runtime_ms: dict[str, int] = field(default_factory=dict, init=False)
    positions: dict[str, FakePosition] = field(default_factory=dict, init=False)
    daily_listening_ms: dict[str, float] = field(default_factory=dict, init=False)
    # "YYYY-MM" -> ms listened that month beyond `daily_listening_ms` (days
    # older than what a test gives per day); monthly totals add both.
    monthly_listening_ms: dict[str, float] = field(default_factory=dict, init=False)
    stats_events: list[dict[str, Any]] = field(default_factory=list, init=False)
    requests: list[RecordedRequest] = field(default_factory=list, init=False)
    catalog: FakeCatalog = field(default_factory=FakeCatalog, init=False)

    def __post_init__(self) -> None:
        """Load the credentials the signatures are checked against."""
        self._auth_data = load_auth_data()
        key = serialization.load_pem_private_key(
            self._auth_data["device_private_key"].encode(), password=None
        )
        assert isinstance(key, rsa.RSAPrivateKey)
        self._public_key = key.public_key()
        self._version = 0
        self._tokens_valid_from = 0
        self._changed_at: dict[str, int] = {}
        self._failures: list[_Failure] = []
        self._canned: list[_Canned] = []
        self.add_items(*self.initial_items)

    # -- wiring ------------------------------------------------------------

    @property
    def auth_data(self) -> dict[str, Any]:
        """A fresh copy of the device credentials the fake accepts."""
        return copy.deepcopy(self._auth_data)

    @property
    def transport(self) -> httpx.MockTransport:
        """A transport serving this fake."""
        return httpx.MockTransport(self.handle)

    def http_client(self) -> httpx.AsyncClient:
        """An httpx client on this fake, standing in for a shared client."""
        return httpx.AsyncClient(transport=self.transport)

    # -- state -------------------------------------------------------------

    @property
    def state_token(self) -> str:
        """The State-Token the library currently answers with."""
        return str(STATE_TOKEN_BASE + self._version)

    def _touch(self, asin: str) -> None:
        self._version += 1
        self._changed_at[asin] = self._version

    def add_items(self, *items: dict[str, Any]) -> None:
        """Add (or replace) library items; each gets a content reference.

        An item with minutes also gets its exact runtime (see the docstring).
        """
        for item in items:
            asin = item["asin"]
            self.items[asin] = copy.deepcopy(item)
            self.acrs.setdefault(asin, f"CR!FAKE{asin}")
            minutes = item.get("runtime_length_min")
            if minutes:
                self.runtime_ms.setdefault(asin, exact_runtime_ms(minutes))
            self._touch(asin)

    def update_item(self, asin: str, **fields: Any) -> None:
        """Change top-level fields of an item."""
        self.items[asin].update(fields)
        self._touch(asin)

    def set_listening(
        self,
        asin: str,
        *,
        percent_complete: float | None = None,
        is_finished: bool | None = None,
    ) -> None:
        """Change an item's listening_status (and the top-level mirrors)."""
        item = self.items[asin]
        status = item.setdefault("listening_status", {})
        if percent_complete is not None:
            status["percent_complete"] = percent_complete
            item["percent_complete"] = percent_complete
        if is_finished is not None:
            status["is_finished"] = is_finished
            # Audible keeps the old timestamp when a title is un-finished.
            if is_finished:
                status["finished_at_timestamp"] = _iso_z(self.now())
            item["is_finished"] = is_finished
        self._touch(asin)

    def revoke(self, asin: str) -> None:
        """Return/refund a title: it leaves the active library."""
        self.items[asin]["status"] = "Revoked"
        self._touch(asin)

    def set_position(
        self, asin: str, position_ms: int, last_updated: datetime | None = None
    ) -> None:
        """Set the last heard position Audible holds for a title."""
        self.positions[asin] = FakePosition(position_ms, last_updated or self.now())

    def expire_state_tokens(self) -> None:
        """Make every state token handed out so far unusable."""
        self._version += 1
        self._tokens_valid_from = self._version

    # -- test controls -----------------------------------------------------

    def fail_next(
        self,
        kind: FailureKind,
        *,
        times: int = 1,
        path: str | None = None,
        retry_after: str | None = None,
        skip: int = 0,
    ) -> None:
        """Make the next matching requests fail (see the module docstring).

        `skip` lets that many matching requests through first.
        """
        self._failures.append(_Failure(kind, times, path, retry_after, skip))

    def respond_next(
        self,
        path: str,
        *,
        status: int = 200,
        json: Any = None,
        text: str | None = None,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next matching requests with exactly this."""
        content = text.encode() if text is not None else _dumps(json)
        self._canned.append(_Canned(path, status, content, dict(headers or {}), times))

    def requests_to(
        self, path: str, method: str | None = None
    ) -> list[RecordedRequest]:
        """The requests whose path starts with `path` (and of `method`)."""
        return [
            request
            for request in self.requests
            if request.path.startswith(path)
            and (method is None or request.method == method)
        ]

    def count(self, path: str, method: str | None = None) -> int:
        """How many requests went to paths starting with `path`."""
        return len(self.requests_to(path, method))

    # -- HTTP --------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Serve one request (the MockTransport handler)."""
        path = request.url.path.lstrip("/")
        params = dict(request.url.params)
        body = json.loads(request.content) if request.content else None

        def record(status: int | None) -> None:
            self.requests.append(
                RecordedRequest(
                    request.method,
                    path,
                    params,
                    body,
                    request.url.host,
                    status,
                    self._endpoint(request.method, path),
                )
            )

        try:
            response = self._respond(request, path, params, body)
        except httpx.TransportError:
            record(None)
            raise
        record(response.status_code)
        return response

    def _respond(
        self,
        request: httpx.Request,
        path: str,
        params: dict[str, str],
        body: Any,
    ) -> httpx.Response:
        if self.verify_signatures and not self._signature_ok(request):
            return _json_response(401, {"message": "Invalid signature"})
        if (failure := self._take_failure(path)) is not None:
            return _failure_response(failure, request)
        if (canned := self._take_canned(path)) is not None:
            return httpx.Response(
                canned.status, content=canned.content, headers=canned.headers
            )
        try:
            return self._route(request.method, path, params, body)
        except _ReplyError as err:
            return _json_response(err.status, {"message": err.message})

    def _signature_ok(self, request: httpx.Request) -> bool:
        """Check the x-adp-* headers the way Audible's request signing works."""
        token = request.headers.get("x-adp-token")
        signature = request.headers.get("x-adp-signature", "")
        if (
            token != self._auth_data["adp_token"]
            or request.headers.get("x-adp-alg") != "SHA256withRSA:1.0"
            or ":" not in signature
        ):
            return False
        encoded, signed_at = signature.split(":", 1)
        path = request.url.raw_path.decode()
        content = request.content.decode()
        signed = f"{request.method}\n{path}\n{signed_at}\n{content}\n{token}"
        try:
            self._public_key.verify(
                base64.b64decode(encoded),
                signed.encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature, ValueError:
            return False
        return True

    def _take_failure(self, path: str) -> _Failure | None:
        for failure in self._failures:
            if failure.path is None or path.startswith(failure.path):
                if failure.skip > 0:
                    failure.skip -= 1
                    return None
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _take_canned(self, path: str) -> _Canned | None:
        for canned in self._canned:
            if path.startswith(canned.path):
                canned.remaining -= 1
                if canned.remaining <= 0:
                    self._canned.remove(canned)
                return canned
        return None

    def _routes(self) -> list[tuple[str, str, Callable[[_Call], httpx.Response]]]:
        own: list[tuple[str, str, Callable[[_Call], httpx.Response]]] = [
            ("GET", r"1\.0/library", self._library),
            ("GET", r"1\.0/annotations/lastpositions", self._last_positions),
            ("PUT", r"1\.0/lastpositions/(?P<asin>[^/]+)", self._put_position),
            ("GET", r"1\.0/content/(?P<asin>[^/]+)/metadata", self._content_metadata),
            ("GET", r"1\.0/stats/aggregates", self._stats_aggregates),
            ("PUT", r"1\.0/stats/events", self._stats_events),
        ]
        return own + [
            (method, pattern, functools.partial(_call_catalog, handler))
            for method, pattern, handler in self.catalog.routes()
        ]

    def _endpoint(self, method: str, path: str) -> str | None:
        """The label of the route serving this request, if one does."""
        for route_method, pattern, _handler in self._routes():
            if route_method == method and re.fullmatch(pattern, path):
                return endpoint_label(method, pattern)
        return None

    def endpoint_counts(self) -> Counter[str]:
        """Requests per endpoint, e.g. `{"GET 1.0/wishlist": 2}`."""
        return Counter(r.endpoint for r in self.requests if r.endpoint is not None)

    def _route(
        self, method: str, path: str, params: dict[str, str], body: Any
    ) -> httpx.Response:
        known_path = False
        for route_method, pattern, handler in self._routes():
            if (match := re.fullmatch(pattern, path)) is None:
                continue
            known_path = True
            if method == route_method:
                return handler(_Call(params, body, **match.groupdict()))
        if known_path:
            raise _ReplyError(405, "Method not allowed")
        raise _ReplyError(404, "Resource not found")

    # -- endpoints ---------------------------------------------------------

    def _library(self, call: _Call) -> httpx.Response:
        params = call.params
        num_results = _int_param(params, "num_results", 50, "numResults")
        page = _int_param(params, "page", 1, "page")
        if not 1 <= num_results <= MAX_NUM_RESULTS or page < 1:
            raise _ReplyError(400, "1 validation error detected: numResults/page")

        if (token := params.get("state_token")) is not None:
            since = self._token_version(token)
            selected = [
                item
                for asin, item in self.items.items()
                if self._changed_at.get(asin, 0) > since
            ]
        else:
            wanted_status = params.get("status", "Active")
            selected = [
                item
                for item in self.items.values()
                if item.get("status") == wanted_status
            ]

        sort_by = params.get("sort_by")
        if sort_by in {"PurchaseDate", "-PurchaseDate"}:
            selected.sort(
                key=lambda item: str(item.get("purchase_date")),
                reverse=sort_by.startswith("-"),
            )

        size = min(num_results, self.max_page_size)
        page_items = selected[(page - 1) * size : page * size]
        groups = _split(params.get("response_groups"))
        sizes = _split(params.get("image_sizes"))
        headers = {"State-Token": self.state_token}
        if self.send_total_count:
            headers["Total-Count"] = str(len(selected))
        return _json_response(
            200,
            {
                "items": [_render_item(item, groups, sizes) for item in page_items],
                "response_groups": ["always-returned", *(groups or [])],
            },
            headers,
        )

    def _token_version(self, token: str) -> int:
        if not token.isdecimal():
            raise _ReplyError(400, "Invalid state token")
        version = int(token) - STATE_TOKEN_BASE
        if not self._tokens_valid_from <= version <= self._version:
            raise _ReplyError(400, "Invalid state token")
        return version

    def _last_positions(self, call: _Call) -> httpx.Response:
        asins = _split(call.params.get("asins"))
        if not asins:
            raise _ReplyError(400, "asins is required")
        if len(asins) > MAX_LASTPOSITIONS_ASINS:
            raise _ReplyError(400, "asins must have length less than or equal to 25")
        annotations = []
        for asin in asins:
            position = self.positions.get(asin)
            heard: dict[str, Any] = (
                {
                    "last_updated": _audible_time(position.last_updated),
                    "position_ms": position.position_ms,
                    "status": "Exists",
                }
                if position is not None
                else {"status": "DoesNotExist"}
            )
            annotations.append({"asin": asin, "last_position_heard": heard})
        return _json_response(
            200,
            {
                "asin_last_position_heard_annots": annotations,
                "response_groups": ["always-returned"],
            },
        )

    def _put_position(self, call: _Call) -> httpx.Response:
        asin, body = call.asin, call.body
        if (
            not isinstance(body, dict)
            or body.get("asin") != asin
            or not isinstance(body.get("position_ms"), int)
            or body["position_ms"] < 0
            or not isinstance(body.get("acr"), str)
        ):
            raise _ReplyError(400, "Invalid last position")
        # Audible answers 200 to a wrong acr but drops the position.
        if self.acrs.get(asin) == body["acr"]:
            self.set_position(asin, body["position_ms"])
        return httpx.Response(200, content=b"")

    def _content_metadata(self, call: _Call) -> httpx.Response:
        asin, params = call.asin, call.params
        if asin not in self.items:
            raise _ReplyError(404, "Content not found")
        groups = _split(params.get("response_groups")) or []
        recorded = load_fixture("content_metadata.json")
        metadata: dict[str, Any] = {}
        if "chapter_info" in groups:
            chapter_info = dict(recorded["content_metadata"]["chapter_info"])
            del chapter_info["runtime_length_ms"], chapter_info["runtime_length_sec"]
            if asin in self.runtime_ms:
                chapter_info["runtime_length_ms"] = self.runtime_ms[asin]
                chapter_info["runtime_length_sec"] = self.runtime_ms[asin] // 1000
            metadata["chapter_info"] = chapter_info
        if "content_reference" in groups:
            metadata["content_reference"] = {
                **recorded["content_metadata"]["content_reference"],
                "acr": self.acrs[asin],
                "asin": asin,
            }
        return _json_response(
            200,
            {
                "content_metadata": metadata,
                "response_groups": ["always-returned", *groups],
            },
        )

    def _stats_aggregates(self, call: _Call) -> httpx.Response:
        params = call.params
        groups = _split(params.get("response_groups")) or []
        data: dict[str, Any] = {"response_groups": groups}
        duration = params.get("daily_listening_interval_duration")
        if duration is not None:
            if not re.fullmatch(r"([012]?[0-9])|(30)", duration):
                raise _ReplyError(400, "Invalid daily_listening_interval_duration")
            try:
                start = date.fromisoformat(
                    params.get("daily_listening_interval_start_date", "")
                )
            except ValueError:
                raise _ReplyError(
                    400, "Invalid daily_listening_interval_start_date"
                ) from None
            data["aggregated_daily_listening_stats"] = [
                {
                    "aggregated_sum": float(self.daily_listening_ms.get(day, 0)),
                    "interval_identifier": day,
                    "unit": "Milliseconds",
                }
                for day in (
                    (start + timedelta(days=n)).isoformat()
                    for n in range(int(duration))
                )
            ]
        months = params.get("monthly_listening_interval_duration")
        if months is not None:
            data["aggregated_monthly_listening_stats"] = self._monthly_stats(
                months, params.get("monthly_listening_interval_start_date", "")
            )
        if "total_listening_stats" in groups:
            data["aggregated_total_listening_stats"] = {
                "aggregated_sum": float(sum(self.daily_listening_ms.values())),
                "unit": "Milliseconds",
            }
        return _json_response(200, data)

    def _monthly_stats(self, duration: str, start_text: str) -> list[dict[str, Any]]:
        # The fake's rule (no recording): 1..24 months from a "YYYY-MM" start.
        if not re.fullmatch(r"[0-9]{1,2}", duration) or not 1 <= int(duration) <= 24:
            raise _ReplyError(400, "Invalid monthly_listening_interval_duration")
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}", start_text):
            raise _ReplyError(400, "Invalid monthly_listening_interval_start_date")
        year, month = (int(part) for part in start_text.split("-"))
        stats = []
        for offset in range(int(duration)):
            index = year * 12 + month - 1 + offset
            key = f"{index // 12:04d}-{index % 12 + 1:02d}"
            total = self.monthly_listening_ms.get(key, 0.0) + sum(
                ms for day, ms in self.daily_listening_ms.items() if day.startswith(key)
            )
            stats.append(
                {
                    "aggregated_sum": float(total),
                    "interval_identifier": key,
                    "unit": "Milliseconds",
                }
            )
        return stats

    def _stats_events(self, call: _Call) -> httpx.Response:
        body = call.body
        events = body.get("stats") if isinstance(body, dict) else None
        if not isinstance(events, list):
            raise _ReplyError(400, "stats is required")
        for event in events:
            self.stats_events.append(event)
            asin = event.get("asin")
            if asin not in self.items:
                continue
            if event.get("event_type") in FINISH_EVENTS:
                self.set_listening(asin, is_finished=True)
            elif event.get("event_type") in UNFINISH_EVENTS:
                self.set_listening(asin, is_finished=False)
        return _json_response(
            200, {"stats_response": {"stats_posted_timestamp": _iso_z(self.now())}}
        )


def _call_catalog(
    handler: Callable[[dict[str, str], Any, str], httpx.Response], call: _Call
) -> httpx.Response:
    return handler(call.params, call.body, call.asin)


def _render_item(
    item: dict[str, Any], groups: list[str] | None, sizes: list[str] | None
) -> dict[str, Any]:
    """An item as the library endpoint returns it for these parameters."""
    rendered = copy.deepcopy(item)
    if groups is not None:
        for field_name, needs in _FIELD_GROUPS.items():
            if not needs.intersection(groups):
                rendered.pop(field_name, None)
    images = rendered.get("product_images")
    if sizes and isinstance(images, dict) and (base := images.get("500")):
        rendered["product_images"] = {
            size: base.replace("_SL500_", f"_SL{size}_") for size in sizes
        }
    return rendered


def _failure_response(failure: _Failure, request: httpx.Request) -> httpx.Response:
    if failure.kind == "timeout":
        raise httpx.ReadTimeout("fake timeout", request=request)
    if failure.kind == "network":
        raise httpx.ConnectError("fake network error", request=request)
    headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
    if failure.kind == 503:
        return httpx.Response(
            503, text=_AMAZON_503_PAGE, headers={**headers, "Content-Type": "text/html"}
        )
    return _json_response(
        failure.kind, {"message": f"Fake failure {failure.kind}"}, headers
    )


def _json_response(
    status: int, data: Any, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status,
        content=_dumps(data),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _dumps(data: Any) -> bytes:
    return json.dumps(data).encode()


def _split(value: str | None) -> list[str] | None:
    """A comma-separated parameter as a list; None when absent."""
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def _int_param(params: dict[str, str], name: str, default: int, label: str) -> int:
    value = params.get(name)
    if value is None:
        return default
    if not value.isdecimal():
        raise _ReplyError(
            400,
            f"1 validation error detected: Value '{value}' at '{label}' failed "
            "to satisfy constraint: Member must satisfy regular expression "
            "pattern: ^\\d+$",
        )
    return int(value)


def _audible_time(when: datetime) -> str:
    """UTC without a zone, milliseconds: how lastpositions sends last_updated."""
    utc = when.astimezone(UTC)
    return utc.strftime("%Y-%m-%d %H:%M:%S.") + f"{utc.microsecond // 1000:03d}"


def _iso_z(when: datetime) -> str:
    utc = when.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
