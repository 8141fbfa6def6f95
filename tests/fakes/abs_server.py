"""A stateful fake Audiobookshelf (ABS) server for tests.

It answers like the real ABS 2.36.0 recorded in `tests/fixtures/abs/`: the JSON
bodies are built from copies of the recorded bodies, errors come back with the
recorded statuses and plain-text/HTML bodies (`401 Unauthorized`, Express's
HTML `Cannot GET /...`, `404 Not Found`, ...), and `PATCH /api/me/progress/:id`
applies ABS's own update rules (a port of `MediaProgress.applyProgressUpdate`):

* `progress` is ignored whenever `isFinished` is in the body;
* un-finishing (`isFinished: false` on a finished book) resets `currentTime`
  and `progress` to 0 and ignores the `currentTime` of the same body;
* a position less than 10 s from the end marks the book finished (on an
  existing record only; a new record takes `isFinished` as given);
* moving the position of a finished book away from the end un-finishes it;
* nothing is validated: negative times, strings and out-of-range values are
  stored as sent (`progress` alone is clamped to 0..1 on update);
* a body without a JSON content type is ignored (Express parses nothing),
  invalid JSON gets Express's HTML `400 Bad Request`.

`PATCH /api/items/:id/media` ports `LibraryItemController.updateMedia` and
`Book.updateFromRequest`/`updateSeriesFromRequest`/`updateAuthorsFromRequest`
of ABS 2.36.0, checked by hand against a real 2.36.0 server (commit 1b46d68,
built from its repository, run on 127.0.0.1):

* the item middleware answers an unknown item with text `404 Not Found`
  first, then a user without `permissions.update` with text `403 Forbidden`
  (a new `user` has `update: false`; root and admin have it; the type itself
  is never checked);
* only the keys sent change; text keys take a string or null (a number is
  stored as its string: `publishedYear: 1818` -> "1818"; "" is stored as
  null); `narrators` replaces the list;
* `series: [{name, sequence}]` and `authors: [{name}]` replace the whole
  list: an existing series or author left out is removed from the book;
  names match case-insensitively and the stored spelling stays; a sequence
  that is not a string (a number, none) is stored as null;
* the answer is `{"updated": true, "libraryItem": {...}}` with the item in
  its non-expanded form (metadata with `authors`/`series` lists, no
  `authorName`/`seriesName`, no duration); when nothing changed `updated`
  is left out of the JSON (`hasUpdates || payload.url` is undefined);
* not ported: the HTML sanitising of `description`, covers by `url`,
  podcasts.

Quick start (pytest; the `socket_enabled` fixture of pytest-socket is needed
because Home Assistant's test plugin blocks sockets)::

    from tests.fakes.abs_server import API_KEY, FakeAbsServer

    @pytest.fixture
    async def abs_server(aiohttp_server, socket_enabled) -> FakeAbsServer:
        fake = FakeAbsServer()
        await fake.start(aiohttp_server)  # fake.url is now http://127.0.0.1:<port>
        return fake

`start(aiohttp_server, ssl_context=...)` serves HTTPS instead (e.g. with a
self-signed certificate, to test certificate errors and `verify_ssl=False`).

Initial state: the recorded server. User `USERNAME`/`PASSWORD` (id `USER_ID`),
the API key `API_KEY` for that user, one book library `LIBRARY_ID` with the
eight recorded books (ids in `ITEM_IDS`, by title), no media progress (pass
`recorded_progress=True` for the eight recorded progress records).

Constructor options: `base_path` (serve under a sub-path such as
`/audiobookshelf`; like ABS, requests without the prefix work too),
`access_token_ttl` (seconds, 3600 like ABS), `refresh_token_ttl`,
`refresh_grace_period` (600 s like ABS: the refresh token just rotated away
still works for that long and then yields the current refresh token and a new
access token), `recorded_progress`, `is_init` (False: `/status` says the
server was never set up).

Arrange:

* `add_user(username, password, user_type="user")` (ABS's default
  permissions of the type; edit `user.permissions` to change them; the
  recorded admin is `root`), `add_api_key(user_id=..., active=...,
  expires_in=...)`, `add_library(name, media_type=...)`;
* `add_book(title, authors=..., narrators=..., series=[("Name", "1")],
  asin=..., isbn=..., duration=..., has_cover=..., publisher=...,
  published_year=..., language=..., description=...)` returns the new item id;
  `add_raw_item(minified, expanded=None)` stores any JSON verbatim (malformed
  items); `remove_item(item_id)`;
* `set_progress(item_id, current_time=..., duration=..., is_finished=...,
  last_update_ms=...)` stores a well-formed record directly;
  `set_raw_progress(record)` stores any JSON verbatim (malformed records);
* `libraries` (list of library JSON objects) may be edited directly;
* `status_override = (status, content_type, text)` replaces `GET /status`.

Time and tokens: `now()` is the fake clock in seconds (wall clock plus an
offset), `advance(seconds)` moves it (token expiry, grace period).
`expire_access_tokens()` makes every issued access token fail with 401 (the
client must refresh); `revoke_refresh_tokens()` makes every refresh fail.

Failures: `fail_next(count, status=500, text=..., path=...)` answers the next
matching requests with that error; `hang_next(count, seconds=..., path=...)`
keeps them waiting (to trigger client timeouts; released by
`release_hangs()` or when the server shuts down). `path` is a prefix of the
path (without `base_path`); None matches every request.

Assert:

* `requests`: every request, in order, as `RecordedRequest(method, path,
  query, headers, json, text)`; `path` is without `base_path` (`raw_path`
  keeps it), `headers` is case-insensitive, `json` is the parsed body or None;
* `requests_to(method, path)` filters them; `clear_requests()` empties them;
* `progress_json(item_id)` returns the stored progress record (the JSON ABS
  would return) or None; `item_json(item_id)` returns the expanded item.

Socket.io: `tests/fakes/abs_socket_server.py` adds ABS's socket to this fake
(`extra_routes`, `progress_listeners`, `user_of_token` and `user_json` are
its hooks). Without it `/socket.io` answers 404, as a proxy that does not
forward it would; `requests` never records socket.io traffic.

Routes: `GET /status`, `POST /login`, `POST /auth/refresh`, `GET /api/me`,
`POST /api/authorize`, `GET /api/libraries`, `GET /api/libraries/:id`,
`GET /api/libraries/:id/items` (`limit`, `page`), `GET
/api/libraries/:id/search` (`q`, `limit`; case-insensitive substring of title,
subtitle, ASIN, ISBN, accent-sensitive like ABS), `GET /api/items/:id`
(`expanded=1`, `include=progress`), `PATCH /api/items/:id/media`, `GET
/api/items/:id/cover`, `GET
/api/me/progress`, `GET|PATCH /api/me/progress/:itemId`, `DELETE
/api/me/progress/:progressId`. Other `/api` paths: Express's HTML 404; other
GETs: the web client's HTML page with 200, as ABS serves its single-page app.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import re
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

if TYPE_CHECKING:
    import ssl

FIXTURES_DIR: Final = Path(__file__).resolve().parent.parent / "fixtures" / "abs"

SERVER_VERSION: Final = "2.36.0"
_PUBLIC_COVER: Final = re.compile(r"/api/items/[^/]+/cover")
USER_ID: Final = "f86cfbac-ccd0-4c65-b6ea-ab1c4846832f"
USERNAME: Final = "admin"
PASSWORD: Final = "abs-admin-pw"
API_KEY: Final = "fake-abs-api-key-0123456789abcdef"
LIBRARY_ID: Final = "ccd8b159-8dfe-4b13-b64d-62880e97b750"
ITEM_IDS: Final[dict[str, str]] = {
    "Anne of Avonlea": "e5b054c6-4aa0-45db-93f8-923f8a7a8b03",
    "Anne of Green Gables": "ecae5e2a-e845-4e11-9914-8b9b6978b0aa",
    "Anne of the Island": "edf9a20c-1bc8-431d-a25c-99fd6b5630a9",
    "Frankenstein": "6956b432-65d3-40ae-a71b-77250cb83253",
    "Les Misérables": "0afc7da1-450f-4e6d-9213-cf7104a7c029",
    "Pride and Prejudice": "fb079770-c8ab-4a56-9a9f-d2f28e123ee7",
    "The Adventures of Sherlock Holmes": "9be9e7ec-298c-4bac-bb90-df492f7c4de0",
    "吾輩は猫である": "50b98f3c-895b-4a9e-9e25-af5ff5d73962",
}

EXPRESS_404_TEMPLATE: Final = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    "<title>Error</title>\n</head>\n<body>\n<pre>{message}</pre>\n</body>\n"
    "</html>\n"
)
WEB_CLIENT_PAGE: Final = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    '<title>Audiobookshelf</title></head><body><div id="__nuxt"></div>'
    "</body></html>\n"
)
# Smallest well-formed JPEG (SOI + EOI): enough for "there is an image".
COVER_BYTES: Final = b"\xff\xd8\xff\xd9"

_EXPANDED_FIXTURES: Final = (
    "items_id_expanded__anne1_m4b_chapters.json",
    "items_id_expanded__frankenstein_subtitle.json",
    "items_id_expanded__les_miserables_unicode.json",
    "items_id_expanded__sherlock_multifile.json",
    "items_id_expanded__wagahai_cjk.json",
)
_MINIMAL_MEDIA_KEYS: Final = frozenset(
    {"id", "libraryItemId", "metadata", "coverPath", "tags", "audioFiles"}
    | {"chapters", "ebookFile"}
)
_MINIMAL_HIDDEN_METADATA: Final = frozenset(
    {"titleIgnorePrefix", "authorName", "authorNameLF", "narratorName"}
    | {"seriesName", "descriptionPlain"}
)
_SETTABLE_PROGRESS_KEYS: Final = (
    "duration",
    "currentTime",
    "isFinished",
    "hideFromContinueListening",
    "ebookLocation",
    "ebookProgress",
    "finishedAt",
)
_JS_NUMBER = re.compile(
    r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Infinity)"
)
_UNDEFINED: Final = object()


def load_fixture(name: str) -> dict[str, Any]:
    """Return one recorded exchange: {request, response, note?}."""
    data: dict[str, Any] = json.loads((FIXTURES_DIR / name).read_text("utf-8"))
    return data


def fixture_body(name: str) -> Any:
    """Return a fresh copy of the recorded response body of a fixture."""
    return load_fixture(name)["response"]["body"]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the fake server received."""

    method: str
    path: str  # without the server's base_path
    raw_path: str
    query: dict[str, str]
    headers: CIMultiDictProxy[str]
    json: Any  # parsed JSON body, None when absent or invalid
    text: str


def default_permissions(user_type: str) -> dict[str, bool]:
    """ABS 2.36's `User.getDefaultPermissionsForUserType` (list fields left out)."""
    admin = user_type in ("root", "admin")
    return {
        "download": True,
        "update": admin,
        "delete": user_type == "root",
        "upload": admin,
        "createEreader": admin,
        "accessAllLibraries": True,
        "accessAllTags": True,
        "accessExplicitContent": admin,
        "selectedTagsNotAccessible": False,
    }


@dataclass(slots=True)
class FakeUser:
    """An ABS user account; `permissions` may be edited (e.g. `update`)."""

    user_id: str
    username: str
    password: str
    user_type: str = "user"
    permissions: dict[str, bool] = field(
        default_factory=lambda: default_permissions("user")
    )
    legacy_token: str = field(default_factory=lambda: _new_token("legacy"))


@dataclass(slots=True)
class _ApiKey:
    user_id: str
    active: bool
    expires_at: float | None


@dataclass(slots=True)
class _AccessToken:
    user_id: str
    expires_at: float


@dataclass(slots=True)
class _LoginSession:
    """The refresh-token chain of one login."""

    user_id: str
    refresh_token: str
    expires_at: float
    previous_refresh_token: str | None = None
    rotated_at: float = 0.0


@dataclass(slots=True)
class _Item:
    minified: dict[str, Any]
    expanded: dict[str, Any]


@dataclass(slots=True)
class _Failure:
    hang: bool
    remaining: int
    status: int
    text: str
    content_type: str
    path: str | None
    seconds: float


Handler = Callable[
    [web.Request, dict[str, str], FakeUser | None], Awaitable[web.Response]
]


class FakeAbsServer:
    """In-memory Audiobookshelf server; see the module docstring."""

    def __init__(
        self,
        *,
        base_path: str = "",
        access_token_ttl: float = 3600.0,
        refresh_token_ttl: float = 30 * 24 * 3600.0,
        refresh_grace_period: float = 600.0,
        recorded_progress: bool = False,
        is_init: bool = True,
    ) -> None:
        """Build the recorded initial state."""
        self.base_path = base_path.rstrip("/")
        self.access_token_ttl = access_token_ttl
        self.refresh_token_ttl = refresh_token_ttl
        self.refresh_grace_period = refresh_grace_period
        self.is_init = is_init
        self.status_override: tuple[int, str, str] | None = None
        self.url = ""
        self.requests: list[RecordedRequest] = []
        self.users: dict[str, FakeUser] = {}
        self.libraries: list[dict[str, Any]] = fixture_body("libraries.json")[
            "libraries"
        ]
        self._clock_offset = 0.0
        self._api_keys: dict[str, _ApiKey] = {}
        self._access_tokens: dict[str, _AccessToken] = {}
        self._sessions: list[_LoginSession] = []
        self._items: dict[str, _Item] = {}
        # (user id, library item id) -> the progress JSON ABS would return.
        self._progress: dict[tuple[str, str], dict[str, Any]] = {}
        self._failures: list[_Failure] = []
        # ISO date -> seconds listened that day (every user): the `days` of
        # /api/me/listening-stats.
        self.listening_days: dict[str, float] = {}
        self._release = asyncio.Event()
        self._routes = self._build_routes()
        # Hooks of the socket.io fake: routes served before the REST ones,
        # and awaited with (user id, item id) after every progress PATCH.
        self.extra_routes: list[Callable[[web.Application], None]] = []
        self.progress_listeners: list[Callable[[str, str], Awaitable[None]]] = []

        admin = self.add_user(USERNAME, PASSWORD, user_id=USER_ID, user_type="root")
        self.add_api_key(user_id=admin.user_id, key=API_KEY)
        self._load_recorded_items()
        if recorded_progress:
            for record in fixture_body("me_progress_all.json")["mediaProgress"]:
                self._progress[(record["userId"], record["libraryItemId"])] = record

    # ----------------------------------------------------------------- serving

    def make_app(self) -> web.Application:
        """Return the aiohttp application serving this fake."""
        app = web.Application()
        for add_routes in self.extra_routes:
            add_routes(app)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        app.on_shutdown.append(self._on_shutdown)
        return app

    async def start(
        self,
        aiohttp_server: Callable[..., Awaitable[Any]],
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> str:
        """Serve on 127.0.0.1 with pytest-aiohttp's `aiohttp_server`; return url.

        With `ssl_context` the server speaks HTTPS.
        """
        server = await aiohttp_server(self.make_app(), ssl=ssl_context)
        scheme = "https" if ssl_context is not None else "http"
        self.url = f"{scheme}://{server.host}:{server.port}{self.base_path}"
        return self.url

    async def _on_shutdown(self, _app: web.Application) -> None:
        self.release_hangs()

    # ----------------------------------------------------------------- arrange

    def now(self) -> float:
        """Return the fake clock, in seconds since the epoch."""
        return time.time() + self._clock_offset

    def now_ms(self) -> int:
        """Return the fake clock in epoch milliseconds, as ABS sends times."""
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        """Move the fake clock forward."""
        self._clock_offset += seconds

    def add_user(
        self,
        username: str,
        password: str,
        *,
        user_id: str | None = None,
        user_type: str = "user",
    ) -> FakeUser:
        """Create a user account with ABS's default permissions of its type."""
        user = FakeUser(
            user_id or str(uuid.uuid4()),
            username,
            password,
            user_type,
            default_permissions(user_type),
        )
        self.users[user.user_id] = user
        return user

    def add_api_key(
        self,
        *,
        user_id: str = USER_ID,
        key: str | None = None,
        active: bool = True,
        expires_in: float | None = None,
    ) -> str:
        """Create an API key; active unless told (real ABS needs `isActive`)."""
        key = key or _new_token("apikey")
        expires_at = None if expires_in is None else self.now() + expires_in
        self._api_keys[key] = _ApiKey(user_id, active, expires_at)
        return key

    def add_library(self, name: str, *, media_type: str = "book") -> str:
        """Create an empty library; return its id."""
        library = copy.deepcopy(self.libraries[0]) if self.libraries else {}
        library.update(id=str(uuid.uuid4()), name=name, mediaType=media_type)
        library["folders"] = []
        self.libraries.append(library)
        return str(library["id"])

    def add_book(
        self,
        title: str,
        *,
        item_id: str | None = None,
        library_id: str = LIBRARY_ID,
        subtitle: str | None = None,
        authors: Sequence[str] = (),
        narrators: Sequence[str] = (),
        series: Sequence[tuple[str, str | None]] = (),
        asin: str | None = None,
        isbn: str | None = None,
        duration: float = 3600.0,
        has_cover: bool = False,
        publisher: str | None = None,
        published_year: str | None = None,
        language: str | None = None,
        description: str | None = None,
    ) -> str:
        """Add a book to a library; return its item id."""
        item_id = item_id or str(uuid.uuid4())
        minified, expanded = _build_book(
            item_id=item_id,
            library_id=library_id,
            title=title,
            subtitle=subtitle,
            authors=authors,
            narrators=narrators,
            series=series,
            asin=asin,
            isbn=isbn,
            duration=duration,
            cover_path=f"/metadata/items/{item_id}/cover.jpg" if has_cover else None,
            extra_metadata={
                "publisher": publisher,
                "publishedYear": published_year,
                "language": language,
                "description": description,
            },
        )
        self._items[item_id] = _Item(minified, expanded)
        return item_id

    def add_raw_item(
        self, minified: dict[str, Any], expanded: dict[str, Any] | None = None
    ) -> str:
        """Store an item verbatim (for malformed data); return its key.

        `minified` is what library pages list; `expanded` what `GET
        /api/items/:id` and search return (default: the same object). The
        item belongs to the library of its `libraryId` (LIBRARY_ID if none).
        """
        key = minified.get("id")
        key = key if isinstance(key, str) else str(uuid.uuid4())
        self._items[key] = _Item(minified, minified if expanded is None else expanded)
        return key

    def remove_item(self, item_id: str) -> None:
        """Delete a library item."""
        del self._items[item_id]

    def item_json(self, item_id: str) -> dict[str, Any]:
        """Return (a copy of) the expanded JSON of an item."""
        return copy.deepcopy(self._items[item_id].expanded)

    def set_progress(
        self,
        item_id: str,
        *,
        current_time: float,
        duration: float | None = None,
        progress: float | None = None,
        is_finished: bool = False,
        last_update_ms: int | None = None,
        user_id: str = USER_ID,
    ) -> dict[str, Any]:
        """Store a well-formed progress record (no ABS rules applied)."""
        item = self._items[item_id].expanded
        if duration is None:
            duration = float(item["media"].get("duration") or 0)
        if progress is None:
            progress = (
                1.0 if is_finished else (current_time / duration if duration else 0)
            )
        last_update = self.now_ms() if last_update_ms is None else last_update_ms
        existing = self._progress.get((user_id, item_id))
        record = {
            "id": existing["id"] if existing else str(uuid.uuid4()),
            "userId": user_id,
            "libraryItemId": item_id,
            "episodeId": None,
            "mediaItemId": item["media"]["id"],
            "mediaItemType": "book",
            "duration": duration,
            "progress": progress,
            "currentTime": current_time,
            "isFinished": is_finished,
            "hideFromContinueListening": False,
            "ebookLocation": None,
            "ebookProgress": 0,
            "lastUpdate": last_update,
            "startedAt": existing["startedAt"] if existing else last_update,
            "finishedAt": last_update if is_finished else None,
        }
        self._progress[(user_id, item_id)] = record
        return copy.deepcopy(record)

    def set_raw_progress(
        self, record: dict[str, Any], *, user_id: str = USER_ID
    ) -> None:
        """Store a progress record verbatim; it is sent as Python's json writes it.

        Keyed by its `libraryItemId` when that is a string.
        """
        key = record.get("libraryItemId")
        key = key if isinstance(key, str) else str(uuid.uuid4())
        self._progress[(user_id, key)] = record

    def progress_json(
        self, item_id: str, *, user_id: str = USER_ID
    ) -> dict[str, Any] | None:
        """Return (a copy of) the stored progress of an item, or None."""
        record = self._progress.get((user_id, item_id))
        return copy.deepcopy(record)

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far fail with 401."""
        for token in self._access_tokens.values():
            token.expires_at = self.now() - 1

    def revoke_refresh_tokens(self) -> None:
        """Make every refresh token issued so far fail with 401."""
        self._sessions.clear()

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        text: str = "Internal Server Error",
        content_type: str = "text/plain",
        path: str | None = None,
    ) -> None:
        """Answer the next `count` matching requests with an error."""
        self._failures.append(
            _Failure(False, count, status, text, content_type, path, 0.0)
        )

    def hang_next(
        self, count: int = 1, *, seconds: float = 60.0, path: str | None = None
    ) -> None:
        """Keep the next `count` matching requests waiting (then answer 500)."""
        self._failures.append(
            _Failure(
                True, count, 500, "Internal Server Error", "text/plain", path, seconds
            )
        )

    def release_hangs(self) -> None:
        """Let every hanging request finish now."""
        self._release.set()

    # ------------------------------------------------------------------ assert

    def requests_to(
        self, method: str | None = None, path: str | None = None
    ) -> list[RecordedRequest]:
        """Return the recorded requests with that method and/or path."""
        return [
            request
            for request in self.requests
            if (method is None or request.method == method)
            and (path is None or request.path == path)
        ]

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        self.requests.clear()

    # ---------------------------------------------------------------- dispatch

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], Handler]]:
        table: list[tuple[str, str, Handler]] = [
            ("GET", "/status", self._status),
            ("POST", "/login", self._login),
            ("POST", "/auth/refresh", self._refresh),
            ("GET", "/api/me", self._get_me),
            ("POST", "/api/authorize", self._authorize),
            ("GET", "/api/libraries", self._get_libraries),
            ("GET", "/api/libraries/(?P<library_id>[^/]+)", self._get_library),
            (
                "GET",
                "/api/libraries/(?P<library_id>[^/]+)/items",
                self._get_library_items,
            ),
            ("GET", "/api/libraries/(?P<library_id>[^/]+)/search", self._search),
            ("GET", "/api/items/(?P<item_id>[^/]+)", self._get_item),
            ("GET", "/api/items/(?P<item_id>[^/]+)/cover", self._get_cover),
            ("PATCH", "/api/items/(?P<item_id>[^/]+)/media", self._patch_media),
            ("GET", "/api/me/progress", self._get_all_progress),
            ("GET", "/api/me/listening-stats", self._get_listening_stats),
            ("GET", "/api/me/progress/(?P<item_id>[^/]+)", self._get_progress),
            ("PATCH", "/api/me/progress/(?P<item_id>[^/]+)", self._patch_progress),
            (
                "DELETE",
                "/api/me/progress/(?P<progress_id>[^/]+)",
                self._delete_progress,
            ),
        ]
        return [
            (method, re.compile(pattern), handler) for method, pattern, handler in table
        ]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        text = await request.text()
        path = request.path
        if self.base_path and (
            path == self.base_path or path.startswith(f"{self.base_path}/")
        ):
            path = path[len(self.base_path) :] or "/"
        if path == "/socket.io" or path.startswith("/socket.io/"):
            return _text(404, "Not Found")
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=path,
                raw_path=request.path,
                query=dict(request.query),
                headers=CIMultiDictProxy(CIMultiDict(request.headers)),
                json=_parse_json(text),
                text=text,
            )
        )
        failure = self._take_failure(path)
        if failure is not None:
            if failure.hang:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._release.wait(), failure.seconds)
            return web.Response(
                status=failure.status,
                text=failure.text,
                content_type=failure.content_type,
            )
        return await self._dispatch(request, path)

    def _take_failure(self, path: str) -> _Failure | None:
        for failure in self._failures:
            if failure.path is None or path.startswith(failure.path):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    async def _dispatch(self, request: web.Request, path: str) -> web.Response:
        method = request.method
        is_api = path == "/api" or path.startswith("/api/")
        user = self._authenticate(request) if is_api else None
        # ABS authenticates every /api request before routing it, except
        # covers (exempt in its Auth.js: 2.36.0 serves them to anyone).
        if is_api and user is None and not _PUBLIC_COVER.fullmatch(path):
            return _unauthorized()
        for route_method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match is not None and route_method == method:
                return await handler(request, match.groupdict(), user)
        if method == "GET" and not is_api:
            return web.Response(text=WEB_CLIENT_PAGE, content_type="text/html")
        return _express_404(method, request.path_qs)

    # -------------------------------------------------------------------- auth

    def _authenticate(self, request: web.Request) -> FakeUser | None:
        token = request.query.get("token")
        header = request.headers.get("Authorization")
        if header is not None:
            scheme, _, value = header.partition(" ")
            token = (
                value.strip() if scheme.lower() == "bearer" and value.strip() else None
            )
        return self.user_of_token(token)

    def user_of_token(
        self, token: str | None, *, api_keys: bool = True
    ) -> FakeUser | None:
        """Return the user a token logs in, None when it logs in nobody.

        `api_keys=False` refuses API keys, as ABS 2.36's socket does.
        """
        if not token:
            return None
        now = self.now()
        api_key = self._api_keys.get(token)
        if api_key is not None:
            usable = (
                api_keys
                and api_key.active
                and (api_key.expires_at is None or now < api_key.expires_at)
            )
            return self.users.get(api_key.user_id) if usable else None
        access = self._access_tokens.get(token)
        if access is not None:
            return self.users.get(access.user_id) if now < access.expires_at else None
        for user in self.users.values():
            if user.legacy_token == token:
                return user
        return None

    def _issue_access_token(self, user_id: str) -> str:
        token = _new_token("access")
        self._access_tokens[token] = _AccessToken(
            user_id, self.now() + self.access_token_ttl
        )
        return token

    async def _status(
        self, _request: web.Request, _match: dict[str, str], _user: FakeUser | None
    ) -> web.Response:
        if self.status_override is not None:
            status, content_type, body = self.status_override
            return web.Response(status=status, text=body, content_type=content_type)
        name = "status.json" if self.is_init else "status_before_init.json"
        return web.json_response(fixture_body(name))

    async def _login(
        self, request: web.Request, _match: dict[str, str], _user: FakeUser | None
    ) -> web.Response:
        text = await request.text()
        credentials = _parse_json(text) if _is_json(request) else None
        username = (
            credentials.get("username") if isinstance(credentials, dict) else None
        )
        password = (
            credentials.get("password") if isinstance(credentials, dict) else None
        )
        user = next(
            (
                user
                for user in self.users.values()
                if user.username == username and user.password == password
            ),
            None,
        )
        if user is None:
            return _unauthorized()
        session = _LoginSession(
            user.user_id, _new_token("refresh"), self.now() + self.refresh_token_ttl
        )
        self._sessions.append(session)
        return web.json_response(
            self._login_body(
                "login_x-return-tokens.json",
                user,
                self._issue_access_token(user.user_id),
                session.refresh_token,
            )
        )

    async def _refresh(
        self, request: web.Request, _match: dict[str, str], _user: FakeUser | None
    ) -> web.Response:
        token = request.headers.get("x-refresh-token")
        if not token:
            return _json_error(401, "No refresh token provided")
        if token in self._access_tokens or token in self._api_keys:
            return _json_error(401, "Invalid token type")
        now = self.now()
        for session in self._sessions:
            if session.expires_at <= now:
                continue
            if token == session.refresh_token:
                session.previous_refresh_token = token
                session.rotated_at = now
                session.refresh_token = _new_token("refresh")
                session.expires_at = now + self.refresh_token_ttl
                break
            if (
                token == session.previous_refresh_token
                and now - session.rotated_at <= self.refresh_grace_period
            ):
                # ABS: the rotated-away token still works within the grace
                # period and yields the CURRENT refresh token (no new rotation).
                break
        else:
            return _json_error(401, "Invalid refresh token")
        user = self.users[session.user_id]
        return web.json_response(
            self._login_body(
                "auth_refresh__x-refresh-token_ok.json",
                user,
                self._issue_access_token(user.user_id),
                session.refresh_token,
            )
        )

    def _login_body(
        self,
        fixture: str,
        user: FakeUser,
        access_token: str | None,
        refresh_token: str | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = fixture_body(fixture)
        body["user"].update(self._user_fields(user))
        for key, value in (
            ("accessToken", access_token),
            ("refreshToken", refresh_token),
        ):
            if value is None:
                body["user"].pop(key, None)
            else:
                body["user"][key] = value
        return body

    def _user_fields(self, user: FakeUser) -> dict[str, Any]:
        return {
            "id": user.user_id,
            "username": user.username,
            "type": user.user_type,
            "permissions": {
                **default_permissions(user.user_type),
                **user.permissions,
                "librariesAccessible": [],
                "itemTagsSelected": [],
            },
            "token": user.legacy_token,
            "mediaProgress": self._progress_of(user.user_id),
        }

    def _progress_of(self, user_id: str) -> list[dict[str, Any]]:
        return [
            copy.deepcopy(record)
            for (owner, _), record in self._progress.items()
            if owner == user_id
        ]

    # -------------------------------------------------------------- api routes

    async def _get_me(
        self, _request: web.Request, _match: dict[str, str], user: FakeUser | None
    ) -> web.Response:
        assert user is not None
        return web.json_response(self.user_json(user.user_id))

    def user_json(self, user_id: str) -> dict[str, Any]:
        """Return the user as `/api/me` (and the socket's `user_updated`) show it."""
        body: dict[str, Any] = fixture_body("me.json")
        body.update(self._user_fields(self.users[user_id]))
        return body

    async def _get_listening_stats(
        self, _request: web.Request, _match: dict[str, str], user: FakeUser | None
    ) -> web.Response:
        assert user is not None
        # The recorded answer's shape; only `days` and the totals follow the fake.
        body: dict[str, Any] = fixture_body("me_listening-stats__no_sessions.json")
        body["days"] = dict(self.listening_days)
        body["totalTime"] = sum(self.listening_days.values())
        return web.json_response(body)

    async def _authorize(
        self, _request: web.Request, _match: dict[str, str], user: FakeUser | None
    ) -> web.Response:
        assert user is not None
        body = self._login_body("authorize.json", user, None, None)
        return web.json_response(body)

    async def _get_libraries(
        self, _request: web.Request, _match: dict[str, str], _user: FakeUser | None
    ) -> web.Response:
        return web.json_response({"libraries": copy.deepcopy(self.libraries)})

    def _library(self, library_id: str) -> dict[str, Any] | None:
        return next(
            (lib for lib in self.libraries if lib.get("id") == library_id), None
        )

    async def _get_library(
        self, _request: web.Request, match: dict[str, str], _user: FakeUser | None
    ) -> web.Response:
        library = self._library(match["library_id"])
        if library is None:
            return _text(404, "Library not found", "text/html")
        return web.json_response(copy.deepcopy(library))

    def _library_items(self, library_id: str) -> list[_Item]:
        return [
            item
            for item in self._items.values()
            if item.minified.get("libraryId", LIBRARY_ID) == library_id
        ]

    async def _get_library_items(
        self, request: web.Request, match: dict[str, str], _user: FakeUser | None
    ) -> web.Response:
        library = self._library(match["library_id"])
        if library is None:
            return _text(404, "Library not found", "text/html")
        items = self._library_items(match["library_id"])
        limit = _int_param(request, "limit")
        page = _int_param(request, "page")
        offset = page * limit
        page_items = items[offset : offset + limit] if limit else items
        body: dict[str, Any] = {
            "results": [copy.deepcopy(item.minified) for item in page_items],
            "total": len(items),
            "limit": limit,
            "page": page,
        }
        if "sort" in request.query:
            body["sortBy"] = request.query["sort"]
        body.update(
            sortDesc=False,
            mediaType=library.get("mediaType"),
            minified=request.query.get("minified") == "1",
            collapseseries=False,
            include="",
            offset=offset,
        )
        return web.json_response(body)

    async def _search(
        self, request: web.Request, match: dict[str, str], _user: FakeUser | None
    ) -> web.Response:
        library_id = match["library_id"]
        if self._library(library_id) is None:
            return _text(404, "Library not found", "text/html")
        if "q" not in request.query:
            return _text(
                400, 'Invalid request. Query param "q" must be a string', "text/html"
            )
        query = request.query["q"].lower()
        limit = _int_param(request, "limit") or 12
        books = []
        authors: dict[str, dict[str, Any]] = {}
        for item in self._library_items(library_id):
            metadata = _dict(_dict(item.expanded.get("media")).get("metadata"))
            fields = [
                metadata.get(key) for key in ("title", "subtitle", "asin", "isbn")
            ]
            if any(
                isinstance(value, str) and query in value.lower() for value in fields
            ):
                books.append({"libraryItem": copy.deepcopy(item.expanded)})
            for author in metadata.get("authors") or []:
                name = author.get("name") if isinstance(author, dict) else None
                if isinstance(name, str) and query in name.lower():
                    entry = authors.setdefault(
                        name,
                        {
                            "id": author.get("id"),
                            "asin": None,
                            "name": name,
                            "description": None,
                            "imagePath": None,
                            "libraryId": library_id,
                            "numBooks": 0,
                        },
                    )
                    entry["numBooks"] += 1
        return web.json_response(
            {
                "book": books[:limit],
                "narrators": [],
                "tags": [],
                "genres": [],
                "series": [],
                "authors": list(authors.values())[:limit],
            }
        )

    async def _get_item(
        self, request: web.Request, match: dict[str, str], user: FakeUser | None
    ) -> web.Response:
        assert user is not None
        item = self._items.get(match["item_id"])
        if item is None:
            return _text(404, "Not Found")
        if request.query.get("expanded") == "1":
            body = copy.deepcopy(item.expanded)
        else:
            body = _minimal(item.expanded)
        if "progress" in request.query.get("include", "").split(","):
            body["userMediaProgress"] = self.progress_json(
                match["item_id"], user_id=user.user_id
            )
        return web.json_response(body)

    async def _patch_media(
        self, request: web.Request, match: dict[str, str], user: FakeUser | None
    ) -> web.Response:
        assert user is not None
        item = self._items.get(match["item_id"])
        # ABS's item middleware: unknown item first, then the permission.
        if item is None:
            return _text(404, "Not Found")
        if not user.permissions.get("update"):
            return _text(403, "Forbidden")
        text = await request.text()
        payload = _parse_json(text) if _is_json(request) and text else {}
        if not isinstance(payload, dict | list):
            return web.Response(
                status=400,
                text=EXPRESS_404_TEMPLATE.format(message="Bad Request"),
                content_type="text/html",
            )
        metadata = _dict(payload).get("metadata") if isinstance(payload, dict) else None
        updated = isinstance(metadata, dict) and _update_book_metadata(item, metadata)
        body: dict[str, Any] = {"libraryItem": _minimal(item.expanded)}
        if updated:
            # ABS sends `updated: hasUpdates || payload.url`: undefined (left
            # out of the JSON) when nothing changed.
            body = {"updated": True, **body}
        return web.json_response(body)

    async def _get_cover(
        self, _request: web.Request, match: dict[str, str], _user: FakeUser | None
    ) -> web.Response:
        item = self._items.get(match["item_id"])
        if item is None or not _dict(item.expanded.get("media")).get("coverPath"):
            return _text(404, "Not Found")
        return web.Response(body=COVER_BYTES, content_type="image/jpeg")

    async def _get_all_progress(
        self, _request: web.Request, _match: dict[str, str], user: FakeUser | None
    ) -> web.Response:
        assert user is not None
        return web.json_response({"mediaProgress": self._progress_of(user.user_id)})

    async def _get_progress(
        self, _request: web.Request, match: dict[str, str], user: FakeUser | None
    ) -> web.Response:
        assert user is not None
        record = self.progress_json(match["item_id"], user_id=user.user_id)
        if record is None:
            return _text(404, "Not Found")
        return web.json_response(record)

    async def _delete_progress(
        self, _request: web.Request, match: dict[str, str], user: FakeUser | None
    ) -> web.Response:
        assert user is not None
        for key, record in list(self._progress.items()):
            if key[0] == user.user_id and record.get("id") == match["progress_id"]:
                del self._progress[key]
                return _text(200, "OK")
        return _text(404, "Not Found")

    async def _patch_progress(
        self, request: web.Request, match: dict[str, str], user: FakeUser | None
    ) -> web.Response:
        assert user is not None
        text = await request.text()
        payload: Any = {}
        # Express's json() parser reads only JSON content types, and in strict
        # mode only objects and arrays.
        if _is_json(request) and text:
            payload = _parse_json(text)
            if not isinstance(payload, dict | list):
                return web.Response(
                    status=400,
                    text=EXPRESS_404_TEMPLATE.format(message="Bad Request"),
                    content_type="text/html",
                )
        if not isinstance(payload, dict):
            payload = {}
        item_id = match["item_id"]
        item = self._items.get(item_id)
        if item is None:
            return _text(404, "Library item not found", "text/html")
        key = (user.user_id, item_id)
        existing = self._progress.get(key)
        if existing is None:
            self._progress[key] = _create_progress(
                payload, user.user_id, item_id, item, self.now_ms()
            )
        else:
            _apply_progress_update(existing, payload, self.now_ms())
        for listener in self.progress_listeners:
            await listener(user.user_id, item_id)
        return _text(200, "OK")

    # ------------------------------------------------------------------ setup

    def _load_recorded_items(self) -> None:
        expanded: dict[str, dict[str, Any]] = {}
        for name in _EXPANDED_FIXTURES:
            body = fixture_body(name)
            body.pop("userMediaProgress", None)
            expanded[body["id"]] = body
        for entry in fixture_body("libraries_id_search__anne.json")["book"]:
            expanded.setdefault(entry["libraryItem"]["id"], entry["libraryItem"])
        for minified in fixture_body("libraries_id_items.json")["results"]:
            full = expanded.get(minified["id"])
            if full is None:
                metadata = minified["media"]["metadata"]
                _, full = _build_book(
                    item_id=minified["id"],
                    library_id=minified["libraryId"],
                    title=metadata["title"],
                    subtitle=metadata["subtitle"],
                    authors=_split(metadata["authorName"]),
                    narrators=_split(metadata["narratorName"]),
                    series=_split_series(metadata["seriesName"]),
                    asin=metadata["asin"],
                    isbn=metadata["isbn"],
                    duration=minified["media"]["duration"],
                    cover_path=minified["media"]["coverPath"],
                    media_id=minified["media"]["id"],
                )
            self._items[minified["id"]] = _Item(minified, full)


# ------------------------------------------------------------- ABS's progress


def _create_progress(
    payload: dict[str, Any], user_id: str, item_id: str, item: _Item, now_ms: int
) -> dict[str, Any]:
    """Port of the "new record" branch of User.createUpdateMediaProgressFromPayload."""
    is_finished = _truthy(payload.get("isFinished"))
    finished_at = payload.get("finishedAt") or None
    progress = _number_or_zero(payload.get("progress", _UNDEFINED))
    if is_finished:
        finished_at = finished_at or now_ms
        progress = 1
    else:
        finished_at = None
    return {
        "id": str(uuid.uuid4()),
        "userId": user_id,
        "libraryItemId": item_id,
        "episodeId": None,
        "mediaItemId": _dict(item.expanded.get("media")).get("id"),
        "mediaItemType": "book",
        "duration": _number_or_zero(payload.get("duration", _UNDEFINED)),
        "progress": progress,
        "currentTime": _number_or_zero(payload.get("currentTime", _UNDEFINED)),
        "isFinished": is_finished,
        "hideFromContinueListening": _truthy(payload.get("hideFromContinueListening")),
        "ebookLocation": payload.get("ebookLocation") or None,
        "ebookProgress": _number_or_zero(payload.get("ebookProgress", _UNDEFINED)),
        # Recorded: a new record takes the client's `lastUpdate` too.
        "lastUpdate": payload.get("lastUpdate") or now_ms,
        "startedAt": payload.get("createdAt") or now_ms,
        "finishedAt": finished_at,
    }


def _apply_progress_update(
    record: dict[str, Any], payload: dict[str, Any], now_ms: int
) -> None:
    """Port of MediaProgress.applyProgressUpdate (ABS 2.36) on the JSON form."""
    payload = dict(payload)
    previous_time = record.get("currentTime")
    if "isFinished" in payload:
        _apply_finished_flag(record, payload, now_ms)
    elif "progress" in payload:
        sent = payload["progress"]
        if not math.isnan(_js_number(sent)) and not _strictly_equal(
            sent, _progress_getter(record)
        ):
            record["progress"] = _js_out(_js_max(0.0, _js_min(1.0, _js_number(sent))))
    for key in _SETTABLE_PROGRESS_KEYS:
        if key in payload:
            record[key] = payload[key]
    time_changed = not _strictly_equal(record.get("currentTime"), previous_time)
    if time_changed and not _truthy(payload.get("hideFromContinueListening")):
        record["hideFromContinueListening"] = False

    should_finish = _should_mark_finished(record, payload)
    if not _truthy(record.get("isFinished")) and should_finish:
        record["isFinished"] = True
        record["finishedAt"] = record.get("finishedAt") or now_ms
        record["progress"] = 1
    elif _truthy(record.get("isFinished")) and time_changed and not should_finish:
        record["isFinished"] = False
        record["finishedAt"] = None

    last_update = payload.get("lastUpdate")
    record["lastUpdate"] = last_update if _truthy(last_update) else now_ms
    # toJSON(): `isFinished: !!this.isFinished`, `progress: extraData.progress || 0`.
    record["isFinished"] = _truthy(record.get("isFinished"))
    if not _truthy(record.get("progress")):
        record["progress"] = 0


def _apply_finished_flag(
    record: dict[str, Any], payload: dict[str, Any], now_ms: int
) -> None:
    """The `isFinished` branch: finishing sets progress 1, un-finishing resets."""
    if _truthy(payload["isFinished"]) and not _truthy(record.get("isFinished")):
        record["finishedAt"] = payload.get("finishedAt") or now_ms
        record["progress"] = 1
        payload.pop("finishedAt", None)
    elif not _truthy(payload["isFinished"]) and _truthy(record.get("isFinished")):
        record["finishedAt"] = None
        record["progress"] = 0
        record["currentTime"] = 0
        payload.pop("finishedAt", None)
        payload.pop("currentTime", None)


def _should_mark_finished(record: dict[str, Any], payload: dict[str, Any]) -> bool:
    """Whether the position is close enough to the end to finish the book."""
    if not _truthy(record.get("duration")):
        return False
    percent = payload.get("markAsFinishedPercentComplete", _UNDEFINED)
    if not _null_or_nan(percent) and _js_number(percent) > 0:
        return _js_number(percent) / 100 < _progress_getter(record)
    limit = payload.get("markAsFinishedTimeRemaining", _UNDEFINED)
    limit_s = 10.0 if _null_or_nan(limit) else _js_number(limit)
    time_remaining = _js_number(record.get("duration")) - _js_number(
        record.get("currentTime")
    )
    return time_remaining < limit_s


def _progress_getter(record: dict[str, Any]) -> float:
    """MediaProgress `get progress()`: currentTime / duration clamped, NaN-prone."""
    if not _truthy(record.get("duration")):
        return 0.0
    duration = _js_number(record.get("duration"))
    ratio = _js_number(record.get("currentTime")) / duration if duration else math.nan
    return _js_max(0.0, _js_min(ratio, 1.0))


# ----------------------------------------------------- ABS's metadata update

_METADATA_TEXT_KEYS: Final = (
    "title",
    "subtitle",
    "publishedYear",
    "publishedDate",
    "publisher",
    "description",
    "isbn",
    "asin",
    "language",
)
_HTML_TAG: Final = re.compile(r"<[^>]*>")


def _update_book_metadata(item: _Item, payload: dict[str, Any]) -> bool:
    """Port of ABS 2.36's book metadata update on the JSON of an item.

    `Book.updateFromRequest` (text keys: numbers become strings, a string or
    null that differs is stored, "" as null; `narrators`/`genres` lists of
    strings replace), `updateSeriesFromRequest` and
    `updateAuthorsFromRequest`. Returns whether anything changed.
    """
    metadata = item.expanded["media"]["metadata"]
    changed = False
    for key in _METADATA_TEXT_KEYS:
        value = payload.get(key, _UNDEFINED)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(_js_out(float(value)))
        if (value is None or isinstance(value, str)) and metadata.get(key) != value:
            metadata[key] = value or None
            changed = True
    for key in ("narrators", "genres"):
        value = payload.get(key)
        if (
            isinstance(value, list)
            and all(isinstance(entry, str) for entry in value)
            and metadata.get(key) != value
        ):
            metadata[key] = list(value)
            changed = True
    changed = _update_series(metadata, payload.get("series")) or changed
    changed = _update_authors(metadata, payload.get("authors")) or changed
    if changed:
        _refresh_derived_metadata(item)
    return changed


def _update_series(metadata: dict[str, Any], series: Any) -> bool:
    """`updateSeriesFromRequest`: the list replaces the book's series.

    Names match case-insensitively (the stored spelling stays); a sequence
    that is not a string is stored as null; a list with an entry without a
    string name is ignored whole.
    """
    if not isinstance(series, list) or any(
        not isinstance(entry, dict)
        or not isinstance(entry.get("name"), str)
        or not entry["name"]
        for entry in series
    ):
        return False
    current: list[dict[str, Any]] = metadata.get("series") or []
    wanted = {entry["name"].lower() for entry in series}
    kept = [entry for entry in current if str(entry.get("name")).lower() in wanted]
    changed = len(kept) != len(current)
    for entry in series:
        sequence = entry.get("sequence")
        sequence = sequence if isinstance(sequence, str) else None
        known = next(
            (s for s in kept if str(s.get("name")).lower() == entry["name"].lower()),
            None,
        )
        if known is None:
            kept.append(
                {
                    "id": str(
                        uuid.uuid5(uuid.NAMESPACE_URL, f"series:{entry['name']}")
                    ),
                    "name": entry["name"],
                    "sequence": sequence,
                }
            )
            changed = True
        elif known.get("sequence") != sequence:
            known["sequence"] = sequence
            changed = True
    metadata["series"] = kept
    return changed


def _update_authors(metadata: dict[str, Any], authors: Any) -> bool:
    """`updateAuthorsFromRequest`: `[{name}]` replaces the book's authors."""
    if not isinstance(authors, list):
        return False
    names = [
        author["name"].strip()
        for author in authors
        if isinstance(author, dict) and isinstance(author.get("name"), str)
    ]
    names = [name for name in names if name]
    current: list[dict[str, Any]] = metadata.get("authors") or []
    wanted = {name.lower() for name in names}
    kept = [a for a in current if str(a.get("name")).lower() in wanted]
    changed = len(kept) != len(current)
    for name in names:
        if not any(str(a.get("name")).lower() == name.lower() for a in kept):
            kept.append(
                {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"author:{name}")),
                    "name": name,
                }
            )
            changed = True
    metadata["authors"] = kept
    return changed


def _refresh_derived_metadata(item: _Item) -> None:
    """Recompute the joined names and copy the metadata to the minified item."""
    metadata = item.expanded["media"]["metadata"]
    authors = [str(author.get("name")) for author in metadata.get("authors") or []]
    series = metadata.get("series") or []
    description = metadata.get("description")
    metadata.update(
        titleIgnorePrefix=metadata.get("title"),
        authorName=", ".join(authors),
        authorNameLF=", ".join(_last_first(name) for name in authors),
        narratorName=", ".join(metadata.get("narrators") or []),
        seriesName=", ".join(
            f"{entry['name']} #{entry['sequence']}"
            if entry.get("sequence")
            else str(entry["name"])
            for entry in series
        ),
        descriptionPlain=_HTML_TAG.sub("", description) if description else None,
    )
    minified = _dict(_dict(item.minified.get("media")).get("metadata"))
    for key in minified:
        if key in metadata:
            minified[key] = copy.deepcopy(metadata[key])


def _last_first(name: str) -> str:
    first, _, last = name.rpartition(" ")
    return f"{last}, {first}" if first else name


# ------------------------------------------------------------ JS semantics


def _js_number(value: Any) -> float:
    """JavaScript `Number(value)` for JSON values (and `undefined`)."""
    if isinstance(value, bool | int | float):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, str):
        stripped = value.strip()
        if _JS_NUMBER.fullmatch(stripped):
            return float(stripped.replace("Infinity", "inf"))
        return 0.0 if not stripped else math.nan
    return math.nan


def _truthy(value: Any) -> bool:
    """JavaScript truthiness of a JSON value."""
    if value is _UNDEFINED or value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, dict | list):
        return True
    return bool(value)


def _null_or_nan(value: Any) -> bool:
    """ABS's isNullOrNaN: `value === null || isNaN(value)`."""
    return value is None or math.isnan(_js_number(value))


def _number_or_zero(value: Any) -> Any:
    """`isNullOrNaN(v) ? 0 : Number(v)`, integral numbers written like JS."""
    return 0 if _null_or_nan(value) else _js_out(_js_number(value))


def _strictly_equal(first: Any, second: Any) -> bool:
    """JavaScript `===` between JSON values (numbers by value, NaN unequal)."""
    first_is_number = isinstance(first, int | float) and not isinstance(first, bool)
    second_is_number = isinstance(second, int | float) and not isinstance(second, bool)
    if first_is_number or second_is_number:
        return first_is_number and second_is_number and first == second
    return type(first) is type(second) and first == second


def _js_min(first: float, second: float) -> float:
    return math.nan if math.isnan(first) or math.isnan(second) else min(first, second)


def _js_max(first: float, second: float) -> float:
    return math.nan if math.isnan(first) or math.isnan(second) else max(first, second)


def _js_out(value: float) -> float | int:
    """Write an integral float as an int, as JavaScript's JSON does."""
    return int(value) if math.isfinite(value) and value.is_integer() else value


# ----------------------------------------------------------------- helpers


def _new_token(kind: str) -> str:
    return f"fake-{kind}-{secrets.token_urlsafe(16)}"


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _is_json(request: web.Request) -> bool:
    return request.content_type in ("application/json", "application/ld+json") or (
        request.content_type.endswith("+json")
    )


def _int_param(request: web.Request, name: str) -> int:
    try:
        return max(int(request.query.get(name, "0")), 0)
    except ValueError:
        return 0


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _split(value: Any) -> list[str]:
    return (
        [part for part in value.split(", ") if part] if isinstance(value, str) else []
    )


def _split_series(value: Any) -> list[tuple[str, str | None]]:
    """Parse a minified `seriesName`: "<name> #<sequence>" joined with ", "."""
    series: list[tuple[str, str | None]] = []
    for part in _split(value):
        name, separator, sequence = part.rpartition(" #")
        series.append((name, sequence) if separator else (part, None))
    return series


def _text(status: int, text: str, content_type: str = "text/plain") -> web.Response:
    return web.Response(status=status, text=text, content_type=content_type)


def _unauthorized() -> web.Response:
    return _text(401, "Unauthorized")


def _json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _express_404(method: str, path: str) -> web.Response:
    message = f"Cannot {method} {path}"
    return _text(404, EXPRESS_404_TEMPLATE.format(message=message), "text/html")


def _minimal(expanded: dict[str, Any]) -> dict[str, Any]:
    """The non-expanded form of `GET /api/items/:id` (no computed fields)."""
    body = copy.deepcopy(expanded)
    for key in ("numFiles", "size", "userMediaProgress"):
        body.pop(key, None)
    media = body.get("media")
    if isinstance(media, dict):
        for key in set(media) - _MINIMAL_MEDIA_KEYS:
            del media[key]
        metadata = media.get("metadata")
        if isinstance(metadata, dict):
            for key in _MINIMAL_HIDDEN_METADATA & set(metadata):
                del metadata[key]
    return body


def _build_book(
    *,
    item_id: str,
    library_id: str,
    title: str,
    subtitle: str | None,
    authors: Sequence[str],
    narrators: Sequence[str],
    series: Sequence[tuple[str, str | None]],
    asin: str | None,
    isbn: str | None,
    duration: float,
    cover_path: str | None,
    media_id: str | None = None,
    extra_metadata: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the minified and expanded JSON of a book, from recorded templates.

    `extra_metadata` (publisher, publishedYear, language, description) is
    set as given; without it the templates' values stay.
    """
    media_id = media_id or str(uuid.uuid4())
    joined_series = ", ".join(
        f"{name} #{sequence}" if sequence else name for name, sequence in series
    )
    common_metadata = {
        "title": title,
        "titleIgnorePrefix": title,
        "subtitle": subtitle,
        "authorName": ", ".join(authors),
        "authorNameLF": ", ".join(authors),
        "narratorName": ", ".join(narrators),
        "seriesName": joined_series,
        "isbn": isbn,
        "asin": asin,
        **(extra_metadata or {}),
    }
    path = f"/audiobooks/{title}"

    minified = next(
        item
        for item in fixture_body("libraries_id_items.json")["results"]
        if item["id"] == ITEM_IDS["Pride and Prejudice"]
    )
    minified.update(id=item_id, libraryId=library_id, path=path, relPath=title)
    minified["media"].update(id=media_id, coverPath=cover_path, duration=duration)
    minified["media"]["metadata"].update(common_metadata)

    expanded = fixture_body("items_id_expanded__frankenstein_subtitle.json")
    expanded.update(id=item_id, libraryId=library_id, path=path, relPath=title)
    expanded["libraryFiles"] = []
    expanded["media"].update(
        id=media_id,
        libraryItemId=item_id,
        coverPath=cover_path,
        duration=duration,
        audioFiles=[],
        chapters=[],
        tracks=[],
        numTracks=0,
        numAudioFiles=0,
        numChapters=0,
    )
    if extra_metadata is not None:
        expanded["media"]["metadata"]["descriptionPlain"] = extra_metadata.get(
            "description"
        )
    expanded["media"]["metadata"].update(
        common_metadata,
        authors=[
            {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"author:{name}")), "name": name}
            for name in authors
        ],
        narrators=list(narrators),
        series=[
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"series:{name}")),
                "name": name,
                "sequence": sequence,
            }
            for name, sequence in series
        ],
    )
    return minified, expanded
