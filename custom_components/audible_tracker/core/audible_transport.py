"""How `AudibleClient` reaches Audible over HTTP: borrowing a shared client.

`audible.AsyncClient` always builds its own `httpx.AsyncClient` (it sets the
device `Authenticator` as that client's auth, and `close()` closes it), so an
existing client cannot be handed to it directly: doing so would put our signing
auth on a client other code shares and close it under them. What it does accept
is a transport. Given `http_client`, `AudibleClient` passes
`SharedClientTransport`, which sends the already signed requests through that
client's `send`, so Home Assistant's shared client (its connection pool and SSL
context) carries the traffic while the client itself is never changed or closed
(borrowed). Given `transport` (tests), requests go to it. With neither,
audible's own client opens its own pool and loads the default SSL context,
which is blocking I/O. Either way `AudibleClient.close()` (or leaving
`async with`) closes what it opened and never a borrowed client.

`read_reply` is the response callback every request uses: it keeps the headers
(paging and rate limits need them) next to the decoded body. `Method`,
`RequestRefusedError` and `check_asin` are shared by the request path in
`audible_api` and the endpoints in `audible_catalog`.
"""

from __future__ import annotations

import re
from typing import Final, Literal, NamedTuple

import httpx
from audible.client import convert_response_content, raise_for_status

from .exceptions import AudibleConnectionError

type Method = Literal["GET", "PUT", "POST", "DELETE"]

# Loose on purpose (ISBN-style ASINs are all digits); it only keeps an ASIN from
# changing the request path.
_ASIN_RE: Final = re.compile(r"^[A-Za-z0-9]{1,20}$")


class RequestRefusedError(AudibleConnectionError):
    """A 4xx other than 401/403/429: the request itself was not accepted."""

    def __init__(self, message: str, status: int) -> None:
        """Keep the status code."""
        super().__init__(message)
        self.status = status


def check_asin(asin: str) -> None:
    """Reject anything that is not a plain ASIN before it goes into a path."""
    if not isinstance(asin, str) or not _ASIN_RE.fullmatch(asin):
        msg = "Not an ASIN"
        raise ValueError(msg)


class Reply(NamedTuple):
    """A parsed response body and the headers that came with it."""

    data: object
    headers: httpx.Headers


def read_reply(response: httpx.Response) -> Reply:
    """Raise audible's errors for error statuses; keep body and headers."""
    raise_for_status(response)
    return Reply(convert_response_content(response), response.headers)


class SharedClientTransport(httpx.AsyncBaseTransport):
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
