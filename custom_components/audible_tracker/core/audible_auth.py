"""Audible device login: external browser login, device registration, removal.

The user opens Amazon's login page in their own browser and pastes back the URL
of the page it ends on; we never see the Amazon password. The code verifier and
device serial used to build the login URL must be the ones used to register,
so they are kept together in a `PendingLogin`.

Registration and deregistration are blocking (httpx, synchronous): callers run
them in an executor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

import httpx
from audible.auth import Authenticator
from audible.login import build_oauth_url, create_code_verifier
from audible.register import register

from .exceptions import (
    AudibleLoginConnectionError,
    AudibleLoginRefusedError,
)

# Marketplace -> (country_code, domain, market_place_id), as in
# audible.localization.LOCALE_TEMPLATES, keyed by the country code we store.
MARKETPLACES: Final[dict[str, tuple[str, str, str]]] = {
    "us": ("us", "com", "AF2M0KC94RCEA"),
    "uk": ("uk", "co.uk", "A2I9A3Q2GNFNGQ"),
    "de": ("de", "de", "AN7V1F1VY261K"),
    "fr": ("fr", "fr", "A2728XDNODOQ8T"),
    "ca": ("ca", "ca", "A2CQZ5RBY40XE"),
    "it": ("it", "it", "A2N7FU2W2BU2ZC"),
    "au": ("au", "com.au", "AN7EY7DTAW63G"),
    "in": ("in", "in", "AJO3FBRUE6J4S"),
    "jp": ("jp", "co.jp", "A1QAP3MOU4173J"),
    "es": ("es", "es", "ALMIKO4SZCSAR"),
    "br": ("br", "com.br", "A10J1VAYUDTYRN"),
}

AUTHORIZATION_CODE_PARAM: Final = "openid.oa2.authorization_code"


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """A login URL and the one-time secrets that belong to it."""

    marketplace: str
    url: str
    code_verifier: bytes
    serial: str

    def __repr__(self) -> str:
        """Keep the verifier out of logs."""
        return f"PendingLogin(marketplace={self.marketplace!r})"


def start_login(marketplace: str) -> PendingLogin:
    """Build a fresh login URL; each attempt needs its own (codes are single-use)."""
    country_code, domain, market_place_id = MARKETPLACES[marketplace]
    verifier = create_code_verifier()
    url, serial = build_oauth_url(
        country_code=country_code,
        domain=domain,
        market_place_id=market_place_id,
        code_verifier=verifier,
    )
    return PendingLogin(marketplace, url, verifier, serial)


def extract_authorization_code(pasted: str) -> str | None:
    """Return the authorization code in the pasted URL, or None."""
    text = pasted.strip()
    if not text:
        return None
    parts = urlsplit(text)
    # Accept a bare query string too: some browsers copy only part of the URL.
    query = parts.query or (text if "=" in text and "://" not in text else "")
    codes = parse_qs(query).get(AUTHORIZATION_CODE_PARAM)
    if not codes or not codes[0].strip():
        return None
    return codes[0].strip()


def register_device(pending: PendingLogin, authorization_code: str) -> dict[str, Any]:
    """Register this device with Amazon and return `Authenticator.to_dict()`.

    Blocking: run it in an executor.
    """
    _, domain, _ = MARKETPLACES[pending.marketplace]
    try:
        registration = register(
            authorization_code=authorization_code,
            code_verifier=pending.code_verifier,
            domain=domain,
            serial=pending.serial,
        )
    except httpx.HTTPError as err:
        raise AudibleLoginConnectionError(type(err).__name__) from None
    except Exception:  # noqa: BLE001 - audible raises a bare Exception with the response body
        # The body can echo tokens; never chain or repeat it.
        raise AudibleLoginRefusedError("registration refused") from None
    auth = Authenticator.from_dict(
        {**registration, "locale_code": pending.marketplace, "with_username": False}
    )
    return dict(auth.to_dict())


def account_user_id(auth_data: dict[str, Any]) -> str | None:
    """Return the Amazon account's user id from stored auth data."""
    customer_info = auth_data.get("customer_info")
    if isinstance(customer_info, dict):
        user_id = customer_info.get("user_id")
        if isinstance(user_id, str) and user_id:
            return user_id
    return None


def deregister_device(auth_data: dict[str, Any]) -> None:
    """Deregister this device only (never all devices). Blocking."""
    auth = Authenticator.from_dict(dict(auth_data))
    auth.deregister_device(deregister_all=False)
