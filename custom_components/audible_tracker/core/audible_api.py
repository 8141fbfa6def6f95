"""Audible API adapter: library, last positions, listening stats and writes.

Built on `audible.AsyncClient` (audible 0.13.1), which signs every request with
the registered device's key (`x-adp-*` headers). Everything Audible sends is
parsed defensively into the shared models (in `audible_parse`). Every failure
is an `AudibleError` (see `exceptions`), whose message never carries
credentials or server text; invalid arguments are ValueErrors.

Endpoints (the API is undocumented; sources for each are cited where used):
- GET 1.0/library: full library or, with a state token, only what changed.
- GET 1.0/annotations/lastpositions: last heard positions, 25 ASINs per call.
- GET 1.0/stats/aggregates: listening time per day.
- GET 1.0/content/{asin}/metadata: the content reference (ACR) a position
  write needs, and the exact runtime. Never `licenserequest`: that issues a
  license.
- PUT 1.0/lastpositions/{asin}: write a position.
- PUT 1.0/stats/events: mark a title finished or unfinished.
- Catalog (series, products, author search) and wishlist: `audible_catalog`.

How the requests travel (through Home Assistant's shared httpx client, a test
transport, or audible's own client) is explained in `audible_transport`.
"""

from __future__ import annotations

import copy
import logging
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Final

import audible
import httpx
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

from .audible_catalog import AudibleCatalogMixin
from .audible_parse import (
    COVER_SIZE,
    collect_library_items,
    parse_content_metadata,
    parse_daily_stat,
    parse_last_position,
    parse_monthly_stat,
)
from .audible_transport import (
    Method,
    Reply,
    RequestRefusedError,
    SharedClientTransport,
    check_asin,
    read_reply,
)
from .closing import AsyncClosing
from .exceptions import (
    AudibleAuthError,
    AudibleConnectionError,
    AudibleRateLimitError,
    AudibleResponseError,
)
from .json_fields import get
from .models import AudiblePosition, AudibleTitle, ContentMetadata, ListeningDay

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

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

# GET 1.0/annotations/lastpositions takes at most 25 ASINs per call
# (JC100/voxcodex docs, and Audible clients that batch by 25).
_LASTPOSITIONS_PATH: Final = "1.0/annotations/lastpositions"
_LASTPOSITIONS_BATCH: Final = 25

# GET 1.0/stats/aggregates: daily_listening_interval_duration is 0..30 days
# (mkb79/Audible docs), so longer spans are walked in 30-day windows.
_STATS_PATH: Final = "1.0/stats/aggregates"
_STATS_MAX_DAYS: Final = 30

# Monthly totals: the same endpoint with monthly_listening_interval_* (start
# "YYYY-MM"); the Audible apps and audible-cli ask 12 months at a time.
_STATS_MAX_MONTHS: Final = 12

_STATS_EVENTS_PATH: Final = "1.0/stats/events"


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


class AudibleClient(AudibleCatalogMixin, AsyncClosing):
    """The Audible calls the integration needs, on one signed device session.

    The catalog and wishlist calls come from `AudibleCatalogMixin` and go
    through the same `_request`.
    """

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
            transport = SharedClientTransport(http_client)
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
            except RequestRefusedError:
                _LOGGER.debug("Audible refused the library state token; full fetch")
        return await self._fetch_library(None)

    async def _fetch_library(self, state_token: str | None) -> LibraryResult:
        """Walk the library pages (page/num_results, `Total-Count` header)."""
        params: dict[str, Any] = {
            "response_groups": _LIBRARY_RESPONSE_GROUPS,
            "image_sizes": COVER_SIZE,
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
            collect_library_items(items, titles, removed)

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
                parsed = parse_last_position(annotation)
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
                parsed = parse_daily_stat(entry)
                if parsed is not None and parsed[0] in seconds_by_day:
                    seconds_by_day[parsed[0]] = parsed[1]
            window_start += timedelta(days=window_days)

        return [
            ListeningDay(date=day.isoformat(), listening_s=seconds)
            for day, seconds in sorted(seconds_by_day.items())
        ]

    async def get_listening_months(
        self, *, first_month: date, months: int
    ) -> dict[date, float]:
        """Return the listening seconds per month, `months` months from `first_month`.

        Keys are the months' first days; months Audible reports nothing for
        are left out. Walked in windows of 12 months.
        """
        if months < 1:
            msg = "months must be at least 1"
            raise ValueError(msg)
        start = first_month.replace(day=1)
        totals: dict[date, float] = {}
        left = months
        while left > 0:
            window = min(_STATS_MAX_MONTHS, left)
            reply = await self._request(
                "GET",
                _STATS_PATH,
                {
                    "monthly_listening_interval_duration": str(window),
                    "monthly_listening_interval_start_date": start.strftime("%Y-%m"),
                    "response_groups": "total_listening_stats",
                    "store": "Audible",
                },
            )
            last = _add_months(start, window)
            entries = get(reply.data, "aggregated_monthly_listening_stats")
            for entry in entries if isinstance(entries, list) else ():
                parsed = parse_monthly_stat(entry)
                if parsed is not None and start <= parsed[0] < last:
                    totals[parsed[0]] = parsed[1]
            start = last
            left -= window
        return totals

    async def get_content_metadata(self, asin: str) -> ContentMetadata:
        """Return a title's content reference (ACR) and exact runtime, in one call.

        The ACR is what a position write needs; the runtime (milliseconds) is
        exact where the library only has whole minutes. Read from the content
        metadata, as audible-cli does (models.py, `get_content_metadata`:
        response_groups chapter_info and content_reference, drm_type Adrm),
        never from a license request. Both None when Audible does not know the
        title (a 404).
        """
        check_asin(asin)
        try:
            reply = await self._request(
                "GET",
                f"1.0/content/{asin}/metadata",
                {
                    "response_groups": "chapter_info,content_reference",
                    "drm_type": "Adrm",
                },
            )
        except RequestRefusedError as err:
            if err.status == httpx.codes.NOT_FOUND:
                return ContentMetadata()
            raise
        return parse_content_metadata(reply.data)

    async def set_last_position(self, asin: str, *, acr: str, position_ms: int) -> None:
        """Write a title's last heard position.

        Audible answers 200 to a wrong ACR too but then drops the position
        (JC100/voxcodex docs/whispersync-research.md): use `get_content_metadata`.
        """
        check_asin(asin)
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
        check_asin(asin)
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
        method: Method,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        body: object = None,
    ) -> Reply:
        """Send one request and turn every failure into an AudibleError."""
        label = f"{method} {path}"
        try:
            reply = await self._send(method, path, params or {}, body)
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
                raise RequestRefusedError(msg, err.code) from err
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

    async def _send(
        self, method: Method, path: str, params: dict[str, Any], body: object
    ) -> Reply:
        """Send through audible's client, which signs the request."""
        reply: Reply
        if method == "GET":
            reply = await self._client.get(
                path, response_callback=read_reply, params=params
            )
        elif method == "DELETE":
            reply = await self._client.delete(
                path, response_callback=read_reply, params=params
            )
        elif method == "POST":
            reply = await self._client.post(
                path, body, response_callback=read_reply, params=params
            )
        else:
            reply = await self._client.put(
                path, body, response_callback=read_reply, params=params
            )
        return reply


def _add_months(month: date, count: int) -> date:
    """Return the first day of the month `count` months after `month`."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


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
