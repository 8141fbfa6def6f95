"""Audible API adapter: library, last positions, listening stats and writes.

Built on `audible.AsyncClient` (audible 0.13.1), which signs every request with
the registered device's key (`x-adp-*` headers). Everything Audible sends is
parsed defensively (with `json_fields`) into the shared models. Every failure
is an `AudibleError` (see `exceptions`), whose message never carries
credentials or server text; invalid arguments are ValueErrors.

Endpoints (the API is undocumented; sources for each are cited where used):
- GET 1.0/library: full library or, with a state token, only what changed.
- GET 1.0/annotations/lastpositions: last heard positions, 25 ASINs per call.
- GET 1.0/stats/aggregates: listening time per day.
- GET 1.0/content/{asin}/metadata: the content reference (ACR) a position
  write needs. Never `licenserequest`: that issues a license.
- PUT 1.0/lastpositions/{asin}: write a position.
- PUT 1.0/stats/events: mark a title finished or unfinished.

On HTTP clients: `audible.AsyncClient` always builds its own `httpx.AsyncClient`
(it sets the device `Authenticator` as that client's auth, and `close()` closes
it), so an existing client cannot be handed to it directly: doing so would put
our signing auth on a client other code shares and close it under them. What it
does accept is a transport. Given `http_client`, the adapter passes a small
transport that sends the already signed requests through that client's `send`,
so Home Assistant's shared client (its connection pool and SSL context) carries
the traffic while the client itself is never changed or closed here (borrowed).
Given `transport` (tests), requests go to it. With neither, audible's own client
opens its own pool and loads the default SSL context, which is blocking I/O.
Either way `close()` (or leaving `async with`) closes what this client opened
and never a borrowed client.
"""

from __future__ import annotations

import copy
import logging
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

import audible
import httpx
from audible.client import convert_response_content, raise_for_status
from audible.crypto_provider import get_crypto_providers
from audible.exceptions import AudibleError as AudibleLibraryError
from audible.exceptions import (
    AuthFlowError,
    NetworkError,
    NotResponding,
    RatelimitError,
    RequestError,
    ServerError,
    StatusError,
    Unauthorized,
)
from audible.localization import Locale

from .closing import AsyncClosing
from .exceptions import (
    AudibleAuthError,
    AudibleConnectionError,
    AudibleRateLimitError,
    AudibleResponseError,
)
from .json_fields import array, get, iso_time, number, text
from .models import AudiblePosition, AudibleTitle, ListeningDay, SeriesRef

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

_LOGGER = logging.getLogger(__name__)

_DEFAULT_TIMEOUT_S: Final = 30

# GET 1.0/library. Response groups per mkb79/Audible docs (misc/external_api.rst)
# and rmcrackan/AudibleApi README: "media" carries product_images, "product_desc"
# title/subtitle, "product_attrs" runtime_length_min, "contributors" authors and
# narrators; asin, purchase_date and status always come back.
_LIBRARY_PATH: Final = "1.0/library"
_LIBRARY_RESPONSE_GROUPS: Final = (
    "contributors,media,product_attrs,product_desc,product_details,"
    "series,listening_status,is_finished,percent_complete"
)
_LIBRARY_PAGE_SIZE: Final = 1000  # the documented maximum of num_results
# Safety stop should the server never signal the last page (1000 titles each).
_LIBRARY_MAX_PAGES: Final = 100
_COVER_SIZE: Final = "500"
_ACTIVE_STATUS: Final = "Active"

# GET 1.0/annotations/lastpositions takes at most 25 ASINs per call
# (JC100/voxcodex docs, and Audible clients that batch by 25).
_LASTPOSITIONS_PATH: Final = "1.0/annotations/lastpositions"
_LASTPOSITIONS_BATCH: Final = 25
_POSITION_MISSING: Final = "DoesNotExist"

# GET 1.0/stats/aggregates: daily_listening_interval_duration is 0..30 days
# (mkb79/Audible docs), so longer spans are walked in 30-day windows.
_STATS_PATH: Final = "1.0/stats/aggregates"
_STATS_MAX_DAYS: Final = 30
_UNIT_TO_SECONDS: Final[dict[str, float]] = {
    "milliseconds": 0.001,
    "seconds": 1.0,
    "minutes": 60.0,
}

_STATS_EVENTS_PATH: Final = "1.0/stats/events"

# Loose on purpose (ISBN-style ASINs are all digits); it only keeps an ASIN from
# changing the request path.
_ASIN_RE: Final = re.compile(r"^[A-Za-z0-9]{1,20}$")


class _RequestRefusedError(AudibleConnectionError):
    """A 4xx other than 401/403/429: the request itself was not accepted."""

    def __init__(self, message: str, status: int) -> None:
        """Keep the status code."""
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class LibraryResult:
    """One library fetch.

    `titles` holds the active titles returned (all of them in a full fetch, only
    the new or changed ones in a delta). `removed_asins` holds the titles the
    server reported with a status other than Active (returned or refunded: a
    delta lists them with status "Revoked"). `state_token` is the token to pass
    to the next fetch to get only what changed since this one.
    """

    titles: list[AudibleTitle]
    removed_asins: frozenset[str]
    state_token: str | None
    is_delta: bool


class _Reply(NamedTuple):
    """A parsed response body and the headers that came with it."""

    data: object
    headers: httpx.Headers


def _read_reply(response: httpx.Response) -> _Reply:
    """Raise audible's errors for error statuses; keep body and headers."""
    raise_for_status(response)
    return _Reply(convert_response_content(response), response.headers)


class _SharedClientTransport(httpx.AsyncBaseTransport):
    """Sends requests through an `httpx.AsyncClient` this adapter does not own.

    The requests arrive fully built and signed; the borrowed client only does
    the I/O. Its own auth, headers and cookies are not added to them (httpx
    applies those when building a request, not in `send`).
    """

    def __init__(self, client: httpx.AsyncClient) -> None:
        """Borrow the client."""
        self._client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the borrowed client, streaming like a transport does."""
        return await self._client.send(request, stream=True)

    async def aclose(self) -> None:
        """Leave the borrowed client open: its owner closes it."""


class AudibleClient(AsyncClosing):
    """The Audible calls the integration needs, on one signed device session."""

    def __init__(
        self,
        auth_data: Mapping[str, Any],
        marketplace: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        timeout: int = _DEFAULT_TIMEOUT_S,
    ) -> None:
        """Load the device credentials for a marketplace ("us", "de", ...).

        Raises ValueError for an unknown marketplace or when both `transport`
        and `http_client` are given, and AudibleAuthError when the stored
        credentials cannot sign requests.
        """
        if transport is not None and http_client is not None:
            msg = "Pass either transport or http_client, not both"
            raise ValueError(msg)
        try:
            locale = Locale(marketplace.lower())
        except Exception as err:  # audible raises a bare Exception here
            msg = f"Unknown Audible marketplace: {marketplace!r}"
            raise ValueError(msg) from err
        try:
            # from_dict pops keys from what it is given and keeps nested dicts.
            auth = audible.Authenticator.from_dict(
                copy.deepcopy(dict(auth_data)), locale=locale
            )
        except Exception as err:
            msg = "The stored Audible credentials cannot be loaded"
            raise AudibleAuthError(msg) from err
        # Only a registered device signs requests locally. The bearer fallback
        # refreshes tokens through a client of audible's own (not ours).
        key = auth.device_private_key
        if "signing" not in auth.available_auth_modes or key is None:
            msg = "The stored Audible credentials lack the device signing key"
            raise AudibleAuthError(msg)
        try:
            # audible loads the key only when it signs the first request, and
            # then fails with a bare ValueError.
            get_crypto_providers().rsa.load_private_key(key)
        except Exception as err:
            msg = "The stored Audible device key cannot be loaded"
            raise AudibleAuthError(msg) from err

        session_options: dict[str, Any] = {}
        if http_client is not None:
            transport = _SharedClientTransport(http_client)
        if transport is not None:
            session_options["transport"] = transport
            # With trust_env, httpx mounts proxy transports from the environment
            # that would bypass the transport given here.
            session_options["trust_env"] = False
        self._client = audible.AsyncClient(
            auth=auth,
            country_code=locale.country_code,
            timeout=timeout,
            **session_options,
        )

    async def close(self) -> None:
        """Close the HTTP session this adapter opened (never a borrowed client)."""
        await self._client.close()

    async def get_library(self, *, state_token: str | None = None) -> LibraryResult:
        """Fetch the library: every page, or only changes since `state_token`.

        If Audible refuses the state token (expired or unknown), a full fetch
        is made instead and the result says `is_delta=False`.
        """
        if state_token is not None:
            try:
                return await self._fetch_library(state_token)
            except _RequestRefusedError:
                _LOGGER.debug("Audible refused the library state token; full fetch")
        return await self._fetch_library(None)

    async def _fetch_library(self, state_token: str | None) -> LibraryResult:
        """Walk the library pages (page/num_results, `Total-Count` header)."""
        params: dict[str, Any] = {
            "response_groups": _LIBRARY_RESPONSE_GROUPS,
            "image_sizes": _COVER_SIZE,
            "num_results": _LIBRARY_PAGE_SIZE,
            # Oldest first: titles bought while we page land on the last page
            # instead of shifting earlier pages under us.
            "sort_by": "PurchaseDate",
        }
        if state_token is not None:
            params["state_token"] = state_token

        titles: dict[str, AudibleTitle] = {}
        removed: set[str] = set()
        next_state_token: str | None = None
        fetched = 0
        for page in range(1, _LIBRARY_MAX_PAGES + 1):
            reply = await self._request("GET", _LIBRARY_PATH, {**params, "page": page})
            items = get(reply.data, "items")
            if not isinstance(items, list):
                msg = "Audible sent a library page without items"
                raise AudibleResponseError(msg)
            if page == 1:
                # The token of the first page: whatever changes while we page
                # is delivered again by the next delta.
                next_state_token = reply.headers.get("state-token") or None
            fetched += len(items)
            _collect_library_items(items, titles, removed)

            total = _int_or_none(reply.headers.get("total-count"))
            if not items or (
                fetched >= total
                if total is not None
                else len(items) < _LIBRARY_PAGE_SIZE
            ):
                break
        else:
            _LOGGER.warning(
                "Stopped reading the Audible library after %s pages", _LIBRARY_MAX_PAGES
            )

        return LibraryResult(
            titles=list(titles.values()),
            removed_asins=frozenset(removed),
            state_token=next_state_token,
            is_delta=state_token is not None,
        )

    async def get_last_positions(
        self, asins: Sequence[str]
    ) -> dict[str, AudiblePosition | None]:
        """Last heard positions, asked for in batches of 25.

        Every ASIN Audible answered for is a key: None when Audible has no
        position for it (`DoesNotExist`, which is not position 0). ASINs it did
        not answer for, or answered unreadably, are left out.
        """
        wanted = list(dict.fromkeys(asins))
        positions: dict[str, AudiblePosition | None] = {}
        for start in range(0, len(wanted), _LASTPOSITIONS_BATCH):
            batch = wanted[start : start + _LASTPOSITIONS_BATCH]
            reply = await self._request(
                "GET", _LASTPOSITIONS_PATH, {"asins": ",".join(batch)}
            )
            annotations = get(reply.data, "asin_last_position_heard_annots")
            if not isinstance(annotations, list):
                msg = "Audible sent last positions in an unexpected shape"
                raise AudibleResponseError(msg)
            requested = set(batch)
            for annotation in annotations:
                parsed = _parse_last_position(annotation)
                if parsed is not None and parsed[0] in requested:
                    positions[parsed[0]] = parsed[1]
        return positions

    async def get_listening_days(
        self, *, today: date, days: int = 30
    ) -> list[ListeningDay]:
        """Return the listening time per day of the `days` days ending `today`.

        One entry per day, oldest first; a day Audible reports nothing for
        counts as no listening.
        """
        if days < 1:
            msg = "days must be at least 1"
            raise ValueError(msg)
        first_day = today - timedelta(days=days - 1)
        seconds_by_day = {first_day + timedelta(days=n): 0.0 for n in range(days)}

        window_start = first_day
        while window_start <= today:
            window_days = min(_STATS_MAX_DAYS, (today - window_start).days + 1)
            # Parameters as the Audible apps send them (mkb79/Audible docs;
            # JC100/voxcodex docs/library-progress-sync-investigation.md).
            reply = await self._request(
                "GET",
                _STATS_PATH,
                {
                    "daily_listening_interval_duration": str(window_days),
                    "daily_listening_interval_start_date": window_start.isoformat(),
                    "response_groups": "total_listening_stats",
                    "store": "Audible",
                },
            )
            entries = get(reply.data, "aggregated_daily_listening_stats")
            for entry in entries if isinstance(entries, list) else ():
                parsed = _parse_daily_stat(entry)
                if parsed is not None and parsed[0] in seconds_by_day:
                    seconds_by_day[parsed[0]] = parsed[1]
            window_start += timedelta(days=window_days)

        return [
            ListeningDay(date=day.isoformat(), listening_s=seconds)
            for day, seconds in sorted(seconds_by_day.items())
        ]

    async def get_acr(self, asin: str) -> str | None:
        """Return the content reference (ACR) a position write for a title needs.

        Read from the content metadata, as audible-cli does (models.py,
        `get_content_metadata`: response_groups content_reference, drm_type
        Adrm), never from a license request. None when Audible has no content
        reference for the title (including a 404).
        """
        _check_asin(asin)
        try:
            reply = await self._request(
                "GET",
                f"1.0/content/{asin}/metadata",
                {"response_groups": "content_reference", "drm_type": "Adrm"},
            )
        except _RequestRefusedError as err:
            if err.status == httpx.codes.NOT_FOUND:
                return None
            raise
        reference = get(get(reply.data, "content_metadata"), "content_reference")
        acr = get(reference, "acr")
        return acr if isinstance(acr, str) and acr else None

    async def set_last_position(self, asin: str, *, acr: str, position_ms: int) -> None:
        """Write a title's last heard position.

        Audible answers 200 to a wrong ACR too but then drops the position
        (JC100/voxcodex docs/whispersync-research.md): use `get_acr`.
        """
        _check_asin(asin)
        if isinstance(position_ms, bool) or not isinstance(position_ms, int):
            msg = "position_ms must be an integer"
            raise TypeError(msg)
        if position_ms < 0:
            msg = "position_ms must not be negative"
            raise ValueError(msg)
        if not acr:
            msg = "acr is required"
            raise ValueError(msg)
        await self._request(
            "PUT",
            f"1.0/lastpositions/{asin}",
            body={"acr": acr, "asin": asin, "position_ms": position_ms},
        )

    async def mark_finished(self, asin: str, *, duration_ms: int | None = None) -> None:
        """Mark a title finished, as the Audible apps' "Mark as finished" does."""
        await self._send_finished_event(asin, "ManualMarkAsFinished", duration_ms)

    async def mark_unfinished(
        self, asin: str, *, duration_ms: int | None = None
    ) -> None:
        """Undo a finished mark (Audible's "Mark as unfinished")."""
        await self._send_finished_event(asin, "ManualMarkAsUnfinished", duration_ms)

    async def _send_finished_event(
        self, asin: str, event_type: str, duration_ms: int | None
    ) -> None:
        """PUT one finished/unfinished event to 1.0/stats/events.

        The body is the one JC100/voxcodex sends (voxcodex/services/api.py,
        `set_finished`), confirmed against a live account to flip
        `listening_status.is_finished` within seconds, both ways
        (docs/library-progress-sync-investigation.md). `length_of_book` (ms) is
        what the official app adds to every event in that document's capture.
        """
        _check_asin(asin)
        now = datetime.now(UTC)
        event: dict[str, Any] = {
            "event_type": event_type,
            "asin": asin,
            "event_timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{now.microsecond // 1000:03d}Z",
            "listening_mode": "Online",
            "delivery_type": "Streaming",
            "audio_type": "FullTitle",
            "store": "Audible",
            "asin_owned": True,
            "playing_immersion_reading": False,
            "local_timezone": "Etc/UTC",
            "social_network_site": "Unknown",
        }
        if duration_ms is not None:
            if duration_ms < 0:
                msg = "duration_ms must not be negative"
                raise ValueError(msg)
            event["length_of_book"] = duration_ms
        await self._request("PUT", _STATS_EVENTS_PATH, body={"stats": [event]})

    async def _request(
        self,
        method: Literal["GET", "PUT"],
        path: str,
        params: dict[str, Any] | None = None,
        *,
        body: object = None,
    ) -> _Reply:
        """Send one request and turn every failure into an AudibleError."""
        label = f"{method} {path}"
        try:
            if method == "GET":
                reply: _Reply = await self._client.get(
                    path, response_callback=_read_reply, params=params or {}
                )
            else:
                reply = await self._client.put(
                    path, body, response_callback=_read_reply, params=params or {}
                )
        except Unauthorized as err:
            msg = f"Audible refused the credentials ({err.code}) on {label}"
            raise AudibleAuthError(msg) from err
        except (RatelimitError, ServerError) as err:
            retry_after = _retry_after_s(err.response.headers.get("retry-after"))
            msg = f"Audible asked to retry later ({err.code}) on {label}"
            raise AudibleRateLimitError(msg, retry_after) from err
        except StatusError as err:
            msg = f"Audible answered {err.code} on {label}"
            if httpx.codes.is_client_error(err.code):
                raise _RequestRefusedError(msg, err.code) from err
            raise AudibleConnectionError(msg) from err
        except NotResponding as err:
            msg = f"Audible did not answer in time on {label}"
            raise AudibleConnectionError(msg) from err
        except (NetworkError, RequestError) as err:
            msg = f"Could not reach Audible on {label}"
            raise AudibleConnectionError(msg) from err
        except AuthFlowError as err:
            msg = "The stored Audible credentials cannot sign requests"
            raise AudibleAuthError(msg) from err
        except (AudibleLibraryError, httpx.InvalidURL, httpx.StreamError) as err:
            # What audible and httpx raise besides the above: none is expected,
            # but none may leave the adapter unmapped either.
            msg = f"Audible request failed on {label}: {type(err).__name__}"
            raise AudibleConnectionError(msg) from err
        return reply


def _check_asin(asin: str) -> None:
    """Reject anything that is not a plain ASIN before it goes into a path."""
    if not isinstance(asin, str) or not _ASIN_RE.fullmatch(asin):
        msg = "Not an ASIN"
        raise ValueError(msg)


def _int_or_none(value: str | None) -> int | None:
    """Return an integer header value; None when absent or not a number."""
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _retry_after_s(value: str | None) -> float | None:
    """Return the seconds a Retry-After header asks for (seconds or HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except TypeError, ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _collect_library_items(
    items: Iterable[object], titles: dict[str, AudibleTitle], removed: set[str]
) -> None:
    """Sort page items into active titles and removed ASINs; skip bad items."""
    for item in items:
        asin = text(get(item, "asin"))
        if asin is None or not isinstance(item, dict):
            _LOGGER.debug("Skipping an Audible library item without ASIN")
            continue
        status = item.get("status")
        if isinstance(status, str) and status != _ACTIVE_STATUS:
            removed.add(asin)
            titles.pop(asin, None)
            continue
        title = _parse_title(asin, item)
        if title is None:
            _LOGGER.debug("Skipping unreadable Audible library item %s", asin)
            continue
        removed.discard(asin)
        titles[asin] = title


def _parse_title(asin: str, item: dict[str, Any]) -> AudibleTitle | None:
    """Parse one library item; None if it has no title."""
    name = text(item.get("title"))
    if name is None:
        return None

    listening = item.get("listening_status")
    percent = number(get(listening, "percent_complete"))
    if percent is None:
        percent = number(item.get("percent_complete"))
    finished = get(listening, "is_finished")
    if not isinstance(finished, bool):
        finished = item.get("is_finished") is True

    runtime_min = number(item.get("runtime_length_min"))
    purchase_date = iso_time(item.get("purchase_date"))
    if purchase_date is None:
        purchase_date = iso_time(get(item.get("library_status"), "date_added"))

    return AudibleTitle(
        asin=asin,
        title=name,
        subtitle=text(item.get("subtitle")),
        authors=_names(item.get("authors")),
        narrators=_names(item.get("narrators")),
        series=_series(item.get("series")),
        isbn=text(item.get("isbn")),
        runtime_s=runtime_min * 60 if runtime_min is not None else None,
        cover_url=_cover_url(item.get("product_images")),
        percent_complete=min(100.0, max(0.0, percent)) if percent is not None else None,
        is_finished=finished,
        purchase_date=purchase_date,
        # Un-finishing leaves the old timestamp in place (JC100/voxcodex docs).
        finished_at=iso_time(get(listening, "finished_at_timestamp"))
        if finished
        else None,
    )


def _names(people: object) -> tuple[str, ...]:
    """Return the names of a list of {"asin", "name"} contributors."""
    names = (text(get(person, "name")) for person in array(people))
    return tuple(name for name in names if name is not None)


def _series(series: object) -> tuple[SeriesRef, ...]:
    """Return the series memberships; sequences stay text ("1-6", "0.5")."""
    refs: list[SeriesRef] = []
    for entry in array(series):
        title = text(get(entry, "title"))
        if title is None:
            continue
        sequence = get(entry, "sequence")
        if isinstance(sequence, int | float) and not isinstance(sequence, bool):
            sequence = str(sequence)
        refs.append(SeriesRef(title=title, sequence=text(sequence)))
    return tuple(refs)


def _cover_url(images: object) -> str | None:
    """Pick the requested cover size, else the largest one sent."""
    if not isinstance(images, dict):
        return None
    if url := text(images.get(_COVER_SIZE)):
        return url
    sized = [
        (int(size), url)
        for size, value in images.items()
        if isinstance(size, str) and size.isdecimal() and (url := text(value))
    ]
    return max(sized)[1] if sized else None


def _parse_last_position(
    annotation: object,
) -> tuple[str, AudiblePosition | None] | None:
    """Parse to (asin, position or None if Audible has none); None if unreadable."""
    asin = text(get(annotation, "asin"))
    heard = get(annotation, "last_position_heard")
    if asin is None or not isinstance(heard, dict):
        return None
    if heard.get("status") == _POSITION_MISSING:
        return asin, None
    position = number(heard.get("position_ms"))
    last_updated = iso_time(heard.get("last_updated"))
    if position is None or position < 0 or last_updated is None:
        _LOGGER.debug("Skipping unreadable Audible last position for %s", asin)
        return None
    return asin, AudiblePosition(
        asin=asin, position_s=position / 1000, last_updated=last_updated
    )


def _parse_daily_stat(entry: object) -> tuple[date, float] | None:
    """Parse one aggregated_daily_listening_stats entry to (day, seconds)."""
    identifier = get(entry, "interval_identifier")
    amount = number(get(entry, "aggregated_sum"))
    unit = get(entry, "unit")
    factor = _UNIT_TO_SECONDS.get(
        unit.lower() if isinstance(unit, str) else "milliseconds"
    )
    if not isinstance(identifier, str) or amount is None or factor is None:
        return None
    try:
        day = date.fromisoformat(identifier)
    except ValueError:
        return None
    return day, max(0.0, amount * factor)
