"""How core errors become Home Assistant's (errors.py)."""

from __future__ import annotations

import pytest
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed

from custom_components.audible_tracker.core.exceptions import (
    AbsAuthError,
    AbsConnectionError,
    AbsNotFoundError,
    AudibleAuthError,
    AudibleConnectionError,
    AudibleLoginRefusedError,
    AudibleRateLimitError,
    AudibleTrackerError,
    AuthenticationError,
    LedgerFormatError,
    PushRejectedError,
)
from custom_components.audible_tracker.core.sync import PushRejection
from custom_components.audible_tracker.errors import (
    action_exception_handler,
    action_failed,
    auth_failed,
    coordinator_exception_handler,
    invalid_call,
    reauth_on_auth_error,
    update_failed,
)
from tests.test_services import assert_translated


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (AudibleAuthError("401"), "audible_auth_failed"),
        (AudibleLoginRefusedError("refused"), "audible_auth_failed"),
        (AbsAuthError("401"), "abs_auth_failed"),
    ],
)
def test_auth_errors_start_reauth_named_by_service(
    error: AuthenticationError, key: str
) -> None:
    with pytest.raises(ConfigEntryAuthFailed) as raised, reauth_on_auth_error():
        raise error
    assert_translated(raised.value, key)
    assert raised.value.__cause__ is error
    assert_translated(auth_failed(error), key)


@pytest.mark.parametrize(
    "error",
    [AudibleConnectionError("x"), AbsNotFoundError("x"), AudibleRateLimitError("x")],
)
def test_reauth_lets_other_errors_through(error: AudibleTrackerError) -> None:
    with pytest.raises(type(error)) as raised, reauth_on_auth_error():
        raise error
    assert raised.value is error


@pytest.mark.parametrize(
    ("error", "expected", "key"),
    [
        (AudibleAuthError("401"), ConfigEntryAuthFailed, "audible_auth_failed"),
        (AbsAuthError("403"), ConfigEntryAuthFailed, "abs_auth_failed"),
        (AudibleConnectionError("timeout"), UpdateFailed, "audible_unavailable"),
        (AudibleRateLimitError("429", 30), UpdateFailed, "audible_unavailable"),
        (AbsConnectionError("refused"), UpdateFailed, "abs_unavailable"),
        (AbsNotFoundError("404"), UpdateFailed, "abs_unavailable"),
    ],
)
async def test_coordinator_handler_maps_service_errors(
    error: AudibleTrackerError, expected: type[HomeAssistantError], key: str
) -> None:
    @coordinator_exception_handler
    async def update(value: int) -> int:
        raise error

    with pytest.raises(expected) as raised:
        await update(1)
    assert_translated(raised.value, key)
    assert raised.value.__cause__ is error


async def test_coordinator_handler_passes_results_and_other_errors() -> None:
    @coordinator_exception_handler
    async def update(value: int) -> int:
        return value * 2

    assert await update(21) == 42

    @coordinator_exception_handler
    async def broken() -> None:
        msg = "stored ledger"
        raise LedgerFormatError(msg)

    # Not a service's failure: a bug or bad stored data, left for the
    # coordinator to log as unexpected.
    with pytest.raises(LedgerFormatError):
        await broken()


def test_update_failed_carries_retry_after() -> None:
    err = update_failed("audible_unavailable", retry_after=90.0)
    assert_translated(err, "audible_unavailable")
    assert err.retry_after == 90.0


@pytest.mark.parametrize(
    "error",
    [
        AudibleConnectionError("x"),
        AudibleAuthError("x"),
        AudibleRateLimitError("x"),
        AbsConnectionError("x"),
        AbsAuthError("x"),
        AbsNotFoundError("x"),
    ],
)
def test_action_handler_reports_service_unavailable(error: Exception) -> None:
    with pytest.raises(HomeAssistantError) as raised, action_exception_handler():
        raise error
    assert type(raised.value) is HomeAssistantError
    assert_translated(raised.value, "service_unavailable")
    assert raised.value.__cause__ is error


def test_action_handler_lets_other_errors_through() -> None:
    bug = ValueError("bug")
    with pytest.raises(ValueError, match="bug"), action_exception_handler():
        raise bug


def test_action_errors_are_translated() -> None:
    assert_translated(action_failed("push_failed"), "push_failed")
    invalid = invalid_call("unknown_asin", asin="B0X")
    assert isinstance(invalid, ServiceValidationError)
    assert_translated(invalid, "unknown_asin")
    assert invalid.translation_placeholders == {"asin": "B0X"}
    assert invalid_call("push_needs_one_title").translation_placeholders is None


def test_action_handler_reports_a_refused_push_as_a_bad_call() -> None:
    refused = PushRejectedError(PushRejection.ABS_DURATION_UNKNOWN, abs_item_id="li-1")
    with pytest.raises(ServiceValidationError) as raised, action_exception_handler():
        raise refused
    assert_translated(raised.value, "abs_duration_unknown")
    assert raised.value.translation_placeholders == {"abs_item_id": "li-1"}
    assert raised.value.__cause__ is refused
