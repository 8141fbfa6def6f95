"""The one place that turns core errors into Home Assistant's.

- An authentication error, wherever it happens, starts reauthentication:
  `ConfigEntryAuthFailed`, worded for the service that refused.
- A service error that escapes a coordinator update fails that update
  (`UpdateFailed`, translated); the coordinators handle the expected ones
  themselves (rate limits, an outage marking a source unavailable).
- An action reports a service error as `HomeAssistantError` and a bad call
  (the push planner's refusals included) as `ServiceValidationError`, both
  translated.

Messages are translation keys only: a service's own text can carry ids.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed

from .const import DOMAIN
from .core.exceptions import (
    AbsError,
    AudibleError,
    AuthenticationError,
    PushRejectedError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterator


def auth_failed(err: AuthenticationError) -> ConfigEntryAuthFailed:
    """Return the reauthentication request for the service that refused."""
    key = "abs_auth_failed" if isinstance(err, AbsError) else "audible_auth_failed"
    return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key=key)


@contextmanager
def reauth_on_auth_error() -> Iterator[None]:
    """Turn an authentication error into `ConfigEntryAuthFailed`; pass others."""
    try:
        yield
    except AuthenticationError as err:
        raise auth_failed(err) from err


def update_failed(key: str, *, retry_after: float | None = None) -> UpdateFailed:
    """Return a translated `UpdateFailed` (`retry_after` in seconds, if known)."""
    return UpdateFailed(
        translation_domain=DOMAIN, translation_key=key, retry_after=retry_after
    )


def coordinator_exception_handler[T, **P](
    func: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """Decorate a coordinator's update: core errors become Home Assistant's.

    Authentication errors start reauthentication; any other service error
    that got this far fails the update, named after its service.
    """

    async def handler(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            with reauth_on_auth_error():
                return await func(*args, **kwargs)
        except AudibleError as err:
            raise update_failed("audible_unavailable") from err
        except AbsError as err:
            raise update_failed("abs_unavailable") from err

    return handler


def action_failed(key: str) -> HomeAssistantError:
    """Return the translated error of an action the services did not carry out."""
    return HomeAssistantError(translation_domain=DOMAIN, translation_key=key)


def invalid_call(key: str, **placeholders: str) -> ServiceValidationError:
    """Return the translated error of an action called with something wrong."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


@contextmanager
def action_exception_handler() -> Iterator[None]:
    """Turn the core errors an action meets into translated ones.

    A service error becomes `service_unavailable`, authentication errors
    too: an action does not start reauthentication, the next poll does. A
    push the planner refuses is a bad call, with the planner's reason.
    """
    try:
        yield
    except PushRejectedError as err:
        raise invalid_call(str(err.reason), **err.placeholders) from err
    except (AudibleError, AbsError) as err:
        raise action_failed("service_unavailable") from err
