"""Constants for the Audible Tracker integration."""

from __future__ import annotations

import logging
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

DOMAIN: Final = "audible_tracker"
LOGGER = logging.getLogger(__package__)

# Config entry data keys (names of secrets, not secrets).
CONF_MARKETPLACE: Final = "marketplace"
CONF_AUDIBLE_AUTH: Final = "audible_auth"
CONF_ABS_URL: Final = "abs_url"
CONF_ABS_AUTH_METHOD: Final = "abs_auth_method"
CONF_ABS_API_KEY: Final = "abs_api_key"
CONF_ABS_ACCESS_TOKEN: Final = "abs_access_token"  # noqa: S105
CONF_ABS_REFRESH_TOKEN: Final = "abs_refresh_token"  # noqa: S105
CONF_ABS_USER_ID: Final = "abs_user_id"
CONF_ABS_LIBRARIES: Final = "abs_libraries"
CONF_VERIFY_SSL: Final = "verify_ssl"
CONF_LOGIN_URL: Final = "login_url"
CONF_RESPONSE_URL: Final = "response_url"

ABS_AUTH_API_KEY: Final = "api_key"
ABS_AUTH_PASSWORD: Final = "password"  # noqa: S105

# Options (options flow); all times in seconds except the library refresh.
CONF_SYNC_MODE: Final = "sync_mode"
CONF_DRY_RUN: Final = "dry_run"
CONF_POLL_INTERVAL: Final = "poll_interval"
CONF_THRESHOLD: Final = "threshold"
CONF_SKEW_WINDOW: Final = "skew_window"
CONF_COOLDOWN: Final = "cooldown"
CONF_LIBRARY_REFRESH_HOURS: Final = "library_refresh_hours"
# Author ASINs whose new titles show in the releases calendar.
CONF_FOLLOWED_AUTHORS: Final = "followed_authors"
CONF_STREAK_MINIMUM: Final = "streak_minimum"  # minutes
CONF_IDLE_POLL_INTERVAL: Final = "idle_poll_interval"

MIN_POLL_INTERVAL_S: Final = 60
MAX_IDLE_POLL_INTERVAL_S: Final = 3600

# The one definition of the options' defaults; read them through
# `with_option_defaults`.
OPTION_DEFAULTS: Final[Mapping[str, object]] = MappingProxyType(
    {
        CONF_SYNC_MODE: "bidirectional",
        CONF_DRY_RUN: False,
        CONF_POLL_INTERVAL: 120,
        CONF_THRESHOLD: 5.0,
        CONF_SKEW_WINDOW: 60.0,
        CONF_COOLDOWN: 600.0,
        CONF_LIBRARY_REFRESH_HOURS: 6.0,
        CONF_FOLLOWED_AUTHORS: (),
        CONF_STREAK_MINIMUM: 5.0,
        CONF_IDLE_POLL_INTERVAL: 900,
    }
)


def with_option_defaults(options: Mapping[str, Any]) -> dict[str, Any]:
    """Return an entry's options, each one it lacks at its default."""
    return {**OPTION_DEFAULTS, **options}
