"""Tests for the Audible device login helpers."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from custom_components.audible_tracker.core import audible_auth
from custom_components.audible_tracker.core.audible_auth import (
    MARKETPLACES,
    account_user_id,
    deregister_device,
    extract_authorization_code,
    register_device,
    start_login,
)
from custom_components.audible_tracker.core.exceptions import (
    AudibleLoginConnectionError,
    AudibleLoginRefusedError,
)
from tests.fakes.audible_server import load_auth_data


def registration_response() -> dict[str, Any]:
    """What audible.register.register returns, built from the fixture."""
    data = load_auth_data()
    keys = (
        "adp_token",
        "device_private_key",
        "access_token",
        "refresh_token",
        "expires",
        "website_cookies",
        "store_authentication_cookie",
        "device_info",
        "customer_info",
    )
    return {key: data[key] for key in keys}


def test_marketplaces_match_the_audible_package() -> None:
    from audible.localization import LOCALE_TEMPLATES  # noqa: PLC0415

    known = {
        (t["country_code"], t["domain"], t["market_place_id"])
        for t in LOCALE_TEMPLATES.values()
    }
    assert set(MARKETPLACES) == {
        "us", "uk", "de", "fr", "ca", "it", "au", "in", "jp", "es", "br"
    }  # fmt: skip
    assert set(MARKETPLACES.values()) <= known


@pytest.mark.parametrize("marketplace", ["us", "de", "jp", "br"])
def test_start_login_builds_a_fresh_url_each_time(marketplace: str) -> None:
    first = start_login(marketplace)
    second = start_login(marketplace)
    _, domain, market_place_id = MARKETPLACES[marketplace]
    query = parse_qs(urlsplit(first.url).query)
    assert urlsplit(first.url).netloc == f"www.amazon.{domain}"
    assert query["marketPlaceId"] == [market_place_id]
    assert query["openid.oa2.code_challenge_method"] == ["S256"]
    # A code is single-use: every attempt needs its own verifier and serial.
    assert first.code_verifier != second.code_verifier
    assert first.serial != second.serial
    assert first.url != second.url
    # The verifier never shows in a repr (and so never in a log line).
    assert first.code_verifier.decode() not in repr(first)


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        (
            (
                "https://www.amazon.com/ap/maplanding?openid.assoc_handle=amzn"
                "&openid.oa2.authorization_code=ANcodeXYZ&openid.mode=id_res"
            ),
            "ANcodeXYZ",
        ),
        (
            "  https://www.amazon.de/ap/maplanding?openid.oa2.authorization_code=c1 ",
            "c1",
        ),
        ("openid.oa2.authorization_code=c2&x=1", "c2"),
        ("https://www.amazon.com/ap/maplanding?openid.mode=id_res", None),
        ("https://www.amazon.com/ap/maplanding?openid.oa2.authorization_code=", None),
        ("not a url", None),
        ("", None),
    ],
)
def test_extract_authorization_code(pasted: str, expected: str | None) -> None:
    assert extract_authorization_code(pasted) == expected


def test_register_device_returns_authenticator_data() -> None:
    pending = start_login("de")
    with patch.object(
        audible_auth, "register", return_value=registration_response()
    ) as register:
        auth_data = register_device(pending, "the-code")
    register.assert_called_once_with(
        authorization_code="the-code",
        code_verifier=pending.code_verifier,
        domain="de",
        serial=pending.serial,
    )
    fixture = load_auth_data()
    assert auth_data["locale_code"] == "de"
    assert auth_data["adp_token"] == fixture["adp_token"]
    assert auth_data["device_private_key"] == fixture["device_private_key"]
    assert account_user_id(auth_data) == fixture["customer_info"]["user_id"]


def test_register_device_refused_hides_the_answer() -> None:
    secret_echo = {"error": "bad code", "token": "Atna|leaked"}
    with (
        patch.object(audible_auth, "register", side_effect=Exception(secret_echo)),
        pytest.raises(AudibleLoginRefusedError) as err,
    ):
        register_device(start_login("us"), "code")
    assert "Atna" not in str(err.value)
    assert err.value.__cause__ is None


def test_register_device_network_error() -> None:
    with (
        patch.object(
            audible_auth, "register", side_effect=httpx.ConnectError("no route")
        ),
        pytest.raises(AudibleLoginConnectionError),
    ):
        register_device(start_login("us"), "code")


@pytest.mark.parametrize(
    "auth_data",
    [{}, {"customer_info": None}, {"customer_info": {"user_id": ""}}],
)
def test_account_user_id_missing(auth_data: dict[str, Any]) -> None:
    assert account_user_id(auth_data) is None


def test_deregister_device_only_this_device() -> None:
    auth_data = load_auth_data()
    with patch(
        "audible.auth.Authenticator.deregister_device", autospec=True
    ) as deregister:
        deregister_device(auth_data)
    deregister.assert_called_once()
    assert deregister.call_args.kwargs == {"deregister_all": False}
    # from_dict pops keys: the caller's data must be left whole.
    assert auth_data == load_auth_data()
