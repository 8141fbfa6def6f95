"""The one exception tree of the core.

Every error the core raises descends from `AudibleTrackerError`. Under it, one
class per kind of failure, whatever the service:

    AudibleTrackerError
    ├── AuthenticationError   credentials refused: sign in again
    ├── RateLimitError        asked to slow down; `retry_after` seconds, if said
    ├── UnavailableError      cannot be reached, timed out, 5xx
    ├── NotFoundError         the thing asked for does not exist
    ├── DataError             an answer or stored data that cannot be understood
    └── PermissionDeniedError credentials accepted, but not allowed to do that

and one base per service (`AudibleError`, `AbsError`), so a caller can catch
by kind (`except AuthenticationError`), by service (`except AbsError`) or
both (`except AbsAuthError`). Messages name the request and the status,
never a token, a key, a password or the server's own text.
"""

from __future__ import annotations


class AudibleTrackerError(Exception):
    """Root of every error the core raises."""


class AuthenticationError(AudibleTrackerError):
    """The credentials were refused (401/403) or could not be renewed."""


class RateLimitError(AudibleTrackerError):
    """The service asked us to slow down (429) or is in maintenance (503)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        """Keep how long the service asked us to wait, in seconds, if it said."""
        super().__init__(message)
        self.retry_after = retry_after


class UnavailableError(AudibleTrackerError):
    """The service cannot be reached, timed out, or failed (5xx)."""


class NotFoundError(AudibleTrackerError):
    """What was asked for does not exist (404)."""


class DataError(AudibleTrackerError):
    """An answer, or data we stored, that cannot be understood."""


class PermissionDeniedError(AudibleTrackerError):
    """The credentials are valid but may not do this (403 on a write).

    Not an `AuthenticationError`: signing in again would not help.
    """


# --- Audible ---------------------------------------------------------------


class AudibleError(AudibleTrackerError):
    """Base of every Audible error."""


class AudibleAuthError(AudibleError, AuthenticationError):
    """Audible refused the device credentials: reauthentication needed."""


class AudibleRateLimitError(AudibleError, RateLimitError):
    """Audible asked us to slow down (429) or is in maintenance (503)."""


class AudibleConnectionError(AudibleError, UnavailableError):
    """Audible is unreachable or answered unexpectedly: temporarily unavailable."""


class AudibleNotFoundError(AudibleError, NotFoundError):
    """Audible does not know the title asked for, or refused its ASIN."""


class AudibleResponseError(AudibleError, DataError):
    """Audible answered with a body that cannot be understood."""


class AudibleLoginError(AudibleError):
    """Base of the device login's errors."""


class AudibleLoginRefusedError(AudibleLoginError, AuthenticationError):
    """Amazon refused the registration (expired or reused code, bad verifier)."""


class AudibleLoginConnectionError(AudibleLoginError, UnavailableError):
    """Amazon could not be reached."""


# --- Audiobookshelf --------------------------------------------------------


class AbsError(AudibleTrackerError):
    """Base of every Audiobookshelf error."""


class AbsConnectionError(AbsError, UnavailableError):
    """The server cannot be reached: DNS, refused, timeout, 5xx or 429."""


class AbsTlsError(AbsConnectionError):
    """The TLS handshake failed, usually because the certificate is untrusted."""


class AbsAuthError(AbsError, AuthenticationError):
    """The credentials were rejected (401/403) or could not be refreshed."""


class AbsNotAbsError(AbsError, DataError):
    """The URL answers, but not like an Audiobookshelf server."""


class AbsServerNotInitializedError(AbsNotAbsError):
    """The server is Audiobookshelf, but its first-run setup was never done."""


class AbsPermissionError(AbsError, PermissionDeniedError):
    """The ABS user may not do this, e.g. edit items without `update`."""


class AbsNotFoundError(AbsError, NotFoundError):
    """The library, item or progress record does not exist (404)."""


class AbsResponseError(AbsError, DataError):
    """An unexpected HTTP status or a body that cannot be understood."""


# --- actions ----------------------------------------------------------------


class PushRejectedError(AudibleTrackerError):
    """A position push that cannot be made; `reason` says why.

    `reason` is a `core.sync.push.PushRejection` (a str enum whose values are
    translation keys); `placeholders` hold the values a message needs.
    """

    def __init__(self, reason: str, **placeholders: str) -> None:
        """Keep the reason and the values that explain it."""
        super().__init__(str(reason))
        self.reason = reason
        self.placeholders = placeholders


# --- stored data -----------------------------------------------------------


class LedgerFormatError(DataError):
    """A stored sync ledger that cannot be read back."""


class SeriesCacheFormatError(DataError):
    """A stored series refresh state that cannot be read back."""


class MatchDataError(DataError):
    """A stored match result that cannot be read back."""


class HistoryFormatError(DataError):
    """A stored listening history that cannot be read back."""
