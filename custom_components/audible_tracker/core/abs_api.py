"""Audiobookshelf REST API client.

Talks to one Audiobookshelf (ABS) server over an `aiohttp.ClientSession`:
either one it is given (Home Assistant's shared session), which it borrows and
never closes, or one it opens itself on first use and closes in `close()` (or
on leaving `async with`). It authenticates with either an API key or the
access/refresh token pair of a username/password login, and rotates those
tokens on its own when the access token expires.

ABS stores whatever its clients send and validates nothing: its answers are
parsed leniently in `abs_parse`, and everything written to it is validated here
first.

Every failure is an `AbsError` (see `exceptions`); invalid arguments are
ValueErrors. Error messages name the request and the HTTP status only; they
never contain a token, an API key or a password.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Final
from urllib.parse import quote, urlsplit, urlunsplit

import aiohttp

from .abs_parse import (
    decode_json,
    json_object,
    parse_item,
    parse_library,
    parse_listening_days,
    parse_progress,
    parse_tokens,
    parse_user,
)
from .closing import AsyncClosing
from .exceptions import (
    AbsAuthError,
    AbsConnectionError,
    AbsNotAbsError,
    AbsNotFoundError,
    AbsPermissionError,
    AbsResponseError,
    AbsServerNotInitializedError,
    AbsTlsError,
)
from .json_fields import array, get, number, text

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping
    from datetime import date

    from .exceptions import AbsError
    from .models import AbsItem, AbsLibrary, AbsProgress, AbsTokens, AbsUser

_LOGGER = logging.getLogger(__name__)

_ABS_APP_NAME: Final = "audiobookshelf"
# The book metadata keys `update_item_metadata` sends, by the type ABS 2.36
# takes (`Book.updateFromRequest`, `updateAuthorsFromRequest`,
# `updateSeriesFromRequest`).
_METADATA_TEXT_KEYS: Final = frozenset(
    {"title", "subtitle", "publishedYear", "publishedDate", "publisher"}
    | {"description", "isbn", "asin", "language"}
)
_METADATA_STRING_LIST_KEYS: Final = frozenset({"narrators", "genres"})
# Characters that can never be part of a host name (RFC 3986 plus `%`, since a
# percent-encoded host is not something a user means to type).
_INVALID_HOST_CHARACTERS: Final = frozenset('<>"{}|\\^`%')


def normalize_url(url: str) -> str:
    """Return the canonical base URL of an ABS server as typed by a user.

    Strips blanks, adds `http://` when no scheme is given, lowercases scheme
    and host, drops a trailing `/` and keeps a sub-path such as
    `/audiobookshelf` (ABS behind a reverse proxy). Raises ValueError when the
    text cannot be a server URL: no host, a scheme other than http(s), a bad
    port, credentials, a query or a fragment.
    """
    typed = url.strip()
    if not typed:
        raise ValueError("the URL is empty")
    if any(character.isspace() for character in typed):
        raise ValueError("the URL contains blanks")
    if "://" not in typed:
        typed = f"http://{typed}"
    parts = urlsplit(typed)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError("the URL must start with http:// or https://")
    host = parts.hostname
    if not host or _INVALID_HOST_CHARACTERS.intersection(host):
        raise ValueError("the URL has no valid host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the URL must not contain credentials")
    if parts.query or parts.fragment:
        raise ValueError("the URL must not contain a query or a fragment")
    port = parts.port  # raises ValueError itself when not a valid port
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


@dataclass(frozen=True, slots=True)
class _Reply:
    """Status and decoded body of one HTTP response."""

    status: int
    text: str


class AbsClient(AsyncClosing):
    """Client of one Audiobookshelf server for one user."""

    def __init__(
        self,
        base_url: str,
        *,
        session: aiohttp.ClientSession | None = None,
        api_key: str | None = None,
        tokens: AbsTokens | None = None,
        verify_ssl: bool = True,
        on_tokens_refreshed: Callable[[AbsTokens], Awaitable[None]] | None = None,
        request_timeout: float = 20.0,
    ) -> None:
        """Prepare a client; no request is made yet.

        `session` is borrowed and never closed here; without one, the client
        opens its own on first use and `close()` closes it. Raises ValueError
        when `base_url` cannot be a server URL (see `normalize_url`).
        `api_key` wins over `tokens` when both are given. `on_tokens_refreshed`
        is awaited with every rotated token pair before the request that
        needed it goes on, so the caller can persist the new refresh token
        (the old one stops working shortly after a rotation).
        """
        self._session = session
        self._owns_session = session is None
        self._base_url = normalize_url(base_url)
        self._api_key = api_key
        self._tokens = tokens
        self._ssl = verify_ssl
        self._on_tokens_refreshed = on_tokens_refreshed
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        # Concurrent requests that all hit an expired access token share one
        # refresh: ABS rotates the refresh token on every use.
        self._refresh_lock = asyncio.Lock()
        # A refresh token ABS refused once is not sent again.
        self._rejected_refresh_token: str | None = None
        # The user's own token from /api/me (the socket's login with an API
        # key); a credential like the others: kept here, never logged.
        self._user_token: str | None = None

    async def close(self) -> None:
        """Close the session this client opened; a borrowed one stays open."""
        if self._owns_session and self._session is not None:
            session, self._session = self._session, None
            await session.close()

    @property
    def base_url(self) -> str:
        """Normalised base URL of the server."""
        return self._base_url

    @property
    def tokens(self) -> AbsTokens | None:
        """Current access and refresh tokens, after any rotation."""
        return self._tokens

    def cover_url(self, item_id: str) -> str:
        """URL of the cover image of a library item.

        ABS (2.36.0, checked against a real server) serves covers without a
        login, so the URL works in a browser as it is.
        """
        return f"{self._base_url}/api/items/{_segment(item_id)}/cover"

    async def check_server(self) -> str:
        """Return the server version, checking that the URL is an ABS server.

        `GET /status` needs no authentication.
        """
        reply = await self._send("GET", "/status")
        if _is_transient(reply.status):
            raise AbsConnectionError(_describe("GET", "/status", reply.status))
        if reply.status != HTTPStatus.OK:
            raise AbsNotAbsError(_describe("GET", "/status", reply.status))
        try:
            body = decode_json(reply.text)
        except ValueError:
            raise AbsNotAbsError("GET /status did not return JSON") from None
        version = text(get(body, "serverVersion"))
        if version is None or get(body, "app") not in (None, _ABS_APP_NAME):
            raise AbsNotAbsError("GET /status is not the status of Audiobookshelf")
        if get(body, "isInit") is False:
            raise AbsServerNotInitializedError(
                "the Audiobookshelf server has not been set up yet"
            )
        return version

    async def login(self, username: str, password: str) -> AbsTokens:
        """Log in with username and password; keep and return the new tokens."""
        reply = await self._send(
            "POST",
            "/login",
            json_body={"username": username, "password": password},
            headers={"x-return-tokens": "true"},
        )
        _check_status(reply, "POST", "/login")
        tokens = parse_tokens(json_object(reply.text, "POST /login"), None)
        if tokens is None:
            raise AbsResponseError("POST /login returned no access/refresh tokens")
        self._tokens = tokens
        return tokens

    async def refresh_tokens(self) -> AbsTokens:
        """Rotate the token pair with the refresh token.

        Awaits `on_tokens_refreshed` with the new pair before returning.
        Raises AbsAuthError when there is no refresh token or ABS refuses it.
        """
        async with self._refresh_lock:
            return await self._refresh_locked()

    async def get_me(self) -> AbsUser:
        """Return the user behind the credentials with every book progress."""
        body = await self._api_object("GET", "/api/me")
        user = parse_user(body)
        if user is None:
            raise AbsResponseError("GET /api/me returned no user id or name")
        token = text(get(body, "token"))
        self._user_token = token if token is not None and token.isprintable() else None
        return user

    @property
    def uses_api_key(self) -> bool:
        """Whether this client logs in with an API key (not a token pair)."""
        return self._api_key is not None

    async def user_token(self, *, refetch: bool = False) -> str:
        """Return the user's own token (`token` of `/api/me`), a secret.

        ABS 2.36 accepts it on the socket, where it refuses API keys. The one
        the last `get_me` saw is reused unless `refetch`. Raises AbsAuthError
        when the server has none for this user.
        """
        if refetch or self._user_token is None:
            await self.get_me()
        if self._user_token is None:
            raise AbsAuthError("GET /api/me returned no user token")
        return self._user_token

    async def get_libraries(self) -> list[AbsLibrary]:
        """Return every library the user can see (books and podcasts)."""
        body = await self._api_object("GET", "/api/libraries")
        libraries: list[AbsLibrary] = []
        for raw in array(get(body, "libraries")):
            library = parse_library(raw)
            if library is not None:
                libraries.append(library)
        return libraries

    async def get_library_items(
        self, library_id: str, *, page_size: int = 500
    ) -> list[AbsItem]:
        """Return every book of a library, fetching all pages."""
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        path = f"/api/libraries/{_segment(library_id)}/items"
        items: list[AbsItem] = []
        seen_ids: set[str] = set()
        page = 0
        while True:
            body = await self._api_object(
                "GET", path, params={"limit": page_size, "page": page}
            )
            results = array(get(body, "results"))
            page_had_new_items = False
            for raw in results:
                raw_id = text(get(raw, "id"))
                if raw_id is None or raw_id in seen_ids:
                    continue
                seen_ids.add(raw_id)
                page_had_new_items = True
                item = parse_item(raw, library_id)
                if item is not None:
                    items.append(item)
            total = number(get(body, "total"))
            done = len(results) < page_size or (
                total is not None and (page + 1) * page_size >= total
            )
            # A server that ignores `page` would serve the same page forever.
            if done or not page_had_new_items:
                return items
            page += 1

    async def get_item(self, item_id: str) -> AbsItem:
        """Return one library item; AbsNotFoundError when unknown or no book."""
        path = f"/api/items/{_segment(item_id)}"
        body = await self._api_object("GET", path, params={"expanded": 1})
        item = parse_item(body, None)
        if item is None:
            raise AbsNotFoundError(f"GET {path} is not a readable book")
        return item

    async def search(self, library_id: str, query: str) -> list[AbsItem]:
        """Return the books of a library that ABS finds for `query`."""
        path = f"/api/libraries/{_segment(library_id)}/search"
        body = await self._api_object("GET", path, params={"q": query})
        items: list[AbsItem] = []
        for entry in array(get(body, "book")):
            item = parse_item(get(entry, "libraryItem"), library_id)
            if item is not None:
                items.append(item)
        return items

    async def get_progress(self, item_id: str) -> AbsProgress | None:
        """Return the user's progress of a book, None when there is none.

        A record too malformed to be used is reported as no progress.
        """
        try:
            body = await self._api_object(
                "GET", f"/api/me/progress/{_segment(item_id)}"
            )
        except AbsNotFoundError:
            return None
        return parse_progress(body)

    async def get_listening_days(self) -> dict[date, float]:
        """Return the user's listening seconds per day, every day ABS knows.

        `GET /api/me/listening-stats` sums the user's listening sessions by
        their `date` (the server's local day); its other fields are not used.
        """
        body = await self._api_object("GET", "/api/me/listening-stats")
        return parse_listening_days(body)

    async def update_progress(
        self, item_id: str, *, current_time_s: float, duration_s: float
    ) -> None:
        """Set the position of a book.

        Raises ValueError, without sending anything, unless both values are
        finite numbers with 0 <= current_time_s <= duration_s and
        duration_s > 0: ABS would store anything it is given. ABS's own rules
        then apply: less than 10 s before the end it marks the book finished;
        on a finished book, a position further from the end un-finishes it
        (keeping the position).
        """
        for value in (current_time_s, duration_s):
            if isinstance(value, bool) or not isinstance(value, int | float):
                # ValueError like every other invalid value: callers catch one.
                raise ValueError("position and duration must be numbers")  # noqa: TRY004
            if not math.isfinite(value):
                raise ValueError("position and duration must be finite")
        if duration_s <= 0:
            raise ValueError("the duration must be positive")
        if not 0 <= current_time_s <= duration_s:
            raise ValueError("the position must lie between 0 and the duration")
        await self._patch_progress(
            item_id,
            {
                "currentTime": current_time_s,
                "duration": duration_s,
                "progress": current_time_s / duration_s,
            },
        )

    async def mark_finished(self, item_id: str) -> None:
        """Mark a book finished.

        Sends `isFinished` alone: ABS ignores `progress` whenever `isFinished`
        is present, and a `currentTime` away from the end would un-finish the
        book again in the same request.
        """
        await self._patch_progress(item_id, {"isFinished": True})

    async def mark_unfinished(self, item_id: str) -> None:
        """Mark a book not finished.

        ABS resets the position to 0 when it un-finishes a book; the caller
        must follow with `update_progress` to set the real position.
        """
        await self._patch_progress(item_id, {"isFinished": False})

    async def update_item_metadata(
        self, item_id: str, metadata: Mapping[str, object]
    ) -> AbsItem:
        """Change a book's metadata; return the item as ABS answers it.

        `PATCH /api/items/{id}/media` with `{"metadata": metadata}`. ABS
        changes only the keys sent: text keys (`asin`, `isbn`, `subtitle`,
        `publisher`, `publishedYear`, `language`, ...; None empties one),
        `narrators` and `genres` (lists of names, replaced), `authors`
        (`[{"name"}]`) and `series` (`[{"name", "sequence"}]`): both replace
        the whole list (a series left out is removed from the book).
        Raises ValueError, without sending anything, for other keys or
        values of another type; AbsPermissionError when the user may not
        update items (403); AbsNotFoundError for an unknown item. The answer
        has no duration: `get_item` reads the whole item.
        """
        _check_metadata(metadata)
        path = f"/api/items/{_segment(item_id)}/media"
        reply = await self._api(
            "PATCH", path, {"metadata": dict(metadata)}, forbidden=AbsPermissionError
        )
        body = json_object(reply.text, f"PATCH {path}")
        item = parse_item(get(body, "libraryItem"), None)
        if item is None:
            raise AbsResponseError(f"PATCH {path} returned no readable book")
        return item

    async def _patch_progress(self, item_id: str, body: Mapping[str, object]) -> None:
        """PATCH the user's progress of a book; ABS answers with text `OK`."""
        await self._api("PATCH", f"/api/me/progress/{_segment(item_id)}", body)

    async def _api_object(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
    ) -> dict[str, object]:
        """Make an authenticated request and return its JSON object body."""
        reply = await self._api(method, path, None, params=params)
        return json_object(reply.text, f"{method} {path}")

    async def _api(
        self,
        method: str,
        path: str,
        json_body: Mapping[str, object] | None,
        *,
        params: Mapping[str, str | int] | None = None,
        forbidden: type[AbsError] = AbsAuthError,
    ) -> _Reply:
        """Make an authenticated request, refreshing the tokens once on 401.

        `forbidden` is the error of a 403: a write's permission error.
        """
        bearer = self._bearer()
        reply = await self._send(
            method, path, bearer=bearer, params=params, json_body=json_body
        )
        if (
            reply.status == HTTPStatus.UNAUTHORIZED
            and self._api_key is None
            and self._tokens is not None
        ):
            async with self._refresh_lock:
                # Another request may have refreshed while this one waited.
                if self._bearer() == bearer:
                    await self._refresh_locked()
            reply = await self._send(
                method,
                path,
                bearer=self._bearer(),
                params=params,
                json_body=json_body,
            )
        _check_status(reply, method, path, forbidden=forbidden)
        return reply

    async def _refresh_locked(self) -> AbsTokens:
        """Rotate the tokens; the caller holds the refresh lock."""
        if self._tokens is None:
            raise AbsAuthError("there is no refresh token: log in first")
        refresh_token = self._tokens.refresh_token
        if refresh_token == self._rejected_refresh_token:
            raise AbsAuthError("the refresh token was refused before")
        reply = await self._send(
            "POST", "/auth/refresh", headers={"x-refresh-token": refresh_token}
        )
        if not _is_transient(reply.status) and reply.status >= HTTPStatus.BAD_REQUEST:
            # Whatever the reason, these tokens are done: log in again.
            self._rejected_refresh_token = refresh_token
            raise AbsAuthError(_describe("POST", "/auth/refresh", reply.status))
        _check_status(reply, "POST", "/auth/refresh")
        body = json_object(reply.text, "POST /auth/refresh")
        # Within its grace period ABS may answer without a new refresh token.
        tokens = parse_tokens(body, refresh_token)
        if tokens is None:
            raise AbsResponseError("POST /auth/refresh returned no access token")
        self._tokens = tokens
        _LOGGER.debug("Rotated the ABS tokens")
        if self._on_tokens_refreshed is not None:
            await self._on_tokens_refreshed(tokens)
        return tokens

    def _bearer(self) -> str | None:
        """Return the credential for the Authorization header."""
        if self._api_key is not None:
            return self._api_key
        if self._tokens is not None:
            return self._tokens.access_token
        return None

    async def _send(
        self,
        method: str,
        path: str,
        *,
        bearer: str | None = None,
        params: Mapping[str, str | int] | None = None,
        json_body: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> _Reply:
        """Make one HTTP request and read its body; map transport errors."""
        request_headers = {"Accept": "application/json"}
        if bearer is not None:
            request_headers["Authorization"] = f"Bearer {bearer}"
        if headers is not None:
            request_headers.update(headers)
        if not all(value.isprintable() for value in request_headers.values()):
            # aiohttp would raise a bare ValueError; no server accepts these.
            raise AbsAuthError(
                f"{method} {path}: the credentials hold control characters"
            )
        if self._session is None:
            self._session = aiohttp.ClientSession()
        try:
            async with self._session.request(
                method,
                f"{self._base_url}{path}",
                params=params,
                json=json_body,
                headers=request_headers,
                ssl=self._ssl,
                timeout=self._timeout,
            ) as response:
                body = await response.text(errors="replace")
                status = response.status
        except aiohttp.ClientSSLError as err:
            raise AbsTlsError(
                f"{method} {path}: TLS handshake failed (untrusted certificate?)"
            ) from err
        except TimeoutError as err:
            raise AbsConnectionError(f"{method} {path} timed out") from err
        except aiohttp.ClientError as err:
            raise AbsConnectionError(
                f"{method} {path} failed: {type(err).__name__}"
            ) from err
        _LOGGER.debug("ABS %s %s -> %s", method, path, status)
        return _Reply(status, body)


def _segment(value: str) -> str:
    """Quote an id for use as one URL path segment."""
    return quote(value, safe="")


def _describe(method: str, path: str, status: int) -> str:
    """Describe a failed request without anything secret."""
    return f"{method} {path} returned HTTP {status}"


def _is_transient(status: int) -> bool:
    """Tell whether a status means "try again later"."""
    return status == HTTPStatus.TOO_MANY_REQUESTS or status >= (
        HTTPStatus.INTERNAL_SERVER_ERROR
    )


def _check_metadata(metadata: Mapping[str, object]) -> None:
    """Raise ValueError unless `metadata` is what ABS takes for a book."""
    if not metadata:
        raise ValueError("no metadata to write")
    for key, value in metadata.items():
        if key in _METADATA_TEXT_KEYS:
            valid = value is None or isinstance(value, str)
        elif key in _METADATA_STRING_LIST_KEYS:
            valid = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif key == "authors":
            valid = isinstance(value, list) and all(
                text(get(author, "name")) is not None for author in value
            )
        elif key == "series":
            valid = isinstance(value, list) and all(
                text(get(entry, "name")) is not None
                and isinstance(get(entry, "sequence"), str | None)
                for entry in value
            )
        else:
            raise ValueError(f"unknown metadata key {key!r}")
        if not valid:
            raise ValueError(f"invalid value for metadata key {key!r}")


def _check_status(
    reply: _Reply,
    method: str,
    path: str,
    *,
    forbidden: type[AbsError] = AbsAuthError,
) -> None:
    """Raise the error that matches a non-2xx status."""
    status = reply.status
    if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
        return
    message = _describe(method, path, status)
    if status == HTTPStatus.FORBIDDEN:
        raise forbidden(message)
    if status == HTTPStatus.UNAUTHORIZED:
        raise AbsAuthError(message)
    if status == HTTPStatus.NOT_FOUND:
        raise AbsNotFoundError(message)
    if _is_transient(status):
        raise AbsConnectionError(message)
    raise AbsResponseError(message)
